"""Every URL of the site × every demo role: no page shows what its user may
not see (issue 10 §1).

The walk iterates the root resolver — the portal, the exports, the archive
and the whole admin console with django-simple-history's and guardian's
views — and requests every pattern with the ids of objects of every kind, as
every demo role plus an outsider. The world holds four items whose subject,
summary, opinions, answers and file names carry a marker of their own:

* ``R`` a restricted external item in review at the market head;
* ``D`` a draft of the market officer;
* ``O`` an item of the production department in review at its head;
* ``A`` a restricted item that went through the loop and was archived.

Any answer (a page, a 403 or 404 page, a download) whose body carries the marker of an item the user may
see neither as an item (``items_visible_to``) nor as a record
(``records_visible_to``) fails the test, with the URL and the role. Bodies of
Excel downloads are unpacked before they are searched. A 403 must be the
Chinese page (templates/403.html), a 500 fails.

New pages join by themselves: a pattern without arguments is requested as
it is; a pattern whose arguments the walk cannot fill fails the test unless
it is listed in ``SKIP`` with the reason. GET only, so nothing is changed
by the walk itself.
"""
import datetime as dt
import io
import re
import uuid
import zipfile
from collections import defaultdict

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from archive.models import Appraisal, ArchivedRecord, DestructionEntry, DisposalBatch, GapExplanation
from archive.selectors import records_visible_to
from archive.services import archive_item
from archive.services.checks import run_verification
from archive.services.disposal import set_hold
from infoflow.export_models import ExportJob
from infoflow.models import (Attachment, ChecklistEntry, Delegation, Item, Phrase, Question, Receiver, ReviewStep,
                             Seal, StepChange)
from infoflow.services.chain import open_step, submit_item
from infoflow.services.delivery import (
    acknowledge_receipt,
    answer_receiver,
    post_progress,
    raise_question,
    transmit_item,
)
from infoflow.services.drafting import add_attachment, create_item
from infoflow.services.signers import add_signer
from infoflow.visibility import items_visible_to
from liaison.models import AuditEntry, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
# The walk happens two weeks later: every open step and answer is overdue
# then, so the on-time page and the reminders list them.
WALK_AT = NOW + dt.timedelta(days=14)

# One marker per item, in its subject, summary, opinions, answer and file
# names. ASCII, so HTML escaping and Excel's shared strings keep it as is.
MARKERS = {"R": "QZRSTR7Q", "D": "QZDRFT4K", "O": "QZOTHR9M", "A": "QZARCH2X"}

ROLES = ["admin", "secretary", "officer_market", "officer_prod", "head_market", "head_prod", "leader", "gm",
         "legal", "employee", "auditor", "outsider"]

# The suggestion box's writers (username, name): a signed writer whom only the box's handler
# (secretary) may be shown, an anonymous one whom nobody may, and a control user of the same
# shape, so a page listing every user (the admin's user list and pickers) is told from a leak.
SUGGESTION_WRITERS = {"signed": ("qzsignuser", "署名人QZSIGNNAME"), "anonymous": ("qzanonuser", "匿名人QZANONNAME"),
                      "control": ("qzctrluser", "对照人QZCTRLNAME")}
SUGGESTION_HANDLERS = {"secretary"}

# Patterns the walk does not request, each with why. Everything else must be
# filled and requested.
SKIP = {
    # Logging out ends the walking session (and is POST-only anyway).
    "logout", "admin:logout",
    # The catch-all of the admin answers 404 or a redirect to the slash URL.
    "admin:<catch-all>",
}


# Officers' work pages with a pk: the model each names (officers.urls_work).
WORK_PAGES = {"officers:work-report": "WorkReport", "officers:flag": "ReplacementFlag",
              "officers:case": "AccountabilityCase",
              # The appointment workflow (issue 19 §9): a recommendation's page, form file and decisions.
              **{"officers:recommendation" + page: "Recommendation"
                 for page in ("", "-file", "-interview", "-confirm", "-reject", "-withdraw")}}


# Pages whose rows depend on the query string: each variant is walked too
# (without one a page shows its default tab or period).
QUERIES = {
    "infoflow:my-items": ["tab=%s" % tab for tab in ("drafts", "in_review", "returned", "waiting", "done")],
    "infoflow:receiver-inbox": ["answered=1"],
    "infoflow:ontime": ["start=2026-01-01&end=2026-12-31"],
    "infoflow:ontime-export": ["start=2026-01-01&end=2026-12-31"],
    "exports:log": ["scope=mine:done", "scope=received:all", "scope=reviews", "scope=incoming"],
    "officers:action-list": ["done=1"],
    "officers:meeting-attendance": ["year=2026"],
    "officers:training-hours": ["year=2026"],
    "briefs:summary": ["month=2026-03"],
    "briefs:summary-xlsx": ["month=2026-03"],
    "briefs:adoptions": ["level=organisation"],
}


# --- the world ------------------------------------------------------------------


def _pdf(name):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


def _fields(key, **extra):
    marker = MARKERS[key]
    return {
        "subject": "关于%s事项的说明" % marker,
        "summary": "摘要 %s-SUMMARY 请按期反馈。" % marker,
        "expected_feedback_at": timezone.now() + dt.timedelta(days=5),
        **extra,
    }


@pytest.fixture
def world(settings, market, prod, finance, officer_market, officer_prod, head_market, head_prod, leader, secretary,
          gm, legal, auditor, employee, outsider):
    settings.ARCHIVE_SEAL_KEY = "test-archive-seal-key-0123456789"
    settings.ARCHIVE_FONDS_NUMBER = ""
    import importlib

    from infoflow.models import RouteRule

    if not RouteRule.objects.exists():
        importlib.import_module("infoflow.migrations.0003_default_routes").create_defaults(apps, None)

    admin = UserFactory(username="admin", first_name="管理员", is_staff=True, is_superuser=True)
    auditor.is_staff = True  # as in the demo (officers.demo.STAFF_ACCOUNTS)
    auditor.save(update_fields=["is_staff"])
    users = {
        "admin": admin, "secretary": secretary, "officer_market": officer_market, "officer_prod": officer_prod,
        "head_market": head_market, "head_prod": head_prod, "leader": leader, "gm": gm, "legal": legal,
        "employee": employee, "auditor": auditor, "outsider": outsider,
    }
    to_prod = [{"kind": "unit", "unit": prod}]
    with time_machine.travel(NOW, tick=False):
        restricted = create_item(actor=officer_market, unit=market, receivers=to_prod,
                                 fields=_fields("R", direction="external", confidentiality="restricted"))
        add_attachment(item=restricted, actor=officer_market, upload=_pdf("%s-附件.pdf" % MARKERS["R"]))
        submit_item(item=restricted, actor=officer_market)
        # 加签 on R: legal after the market head, the reason carrying R's marker (issue 15).
        add_signer(step=open_step(Item.objects.get(pk=restricted.pk)), actor=head_market, person=legal,
                   position="after", reason="加签 %s-SIGNER" % MARKERS["R"])
        Phrase.objects.create(user=head_market, text="常用语 walk")
        # The review checklist and the seals the secretariat keeps (issue 19 §8; not required, so the
        # world's approvals pass unticked).
        ChecklistEntry.objects.create(text="准确性 walk", scope="external", required=False)
        Seal.objects.create(name="公章 walk")

        draft = create_item(actor=officer_market, unit=market, receivers=to_prod, fields=_fields("D"))
        add_attachment(item=draft, actor=officer_market, upload=_pdf("%s-草稿附件.pdf" % MARKERS["D"]))

        other = create_item(actor=officer_prod, unit=prod, receivers=[{"kind": "unit", "unit": finance}],
                            fields=_fields("O", direction="external"))
        submit_item(item=other, actor=officer_prod)

        archived = create_item(actor=officer_market, unit=market, receivers=to_prod,
                               fields=_fields("A", confidentiality="restricted"))
        add_attachment(item=archived, actor=officer_market, upload=_pdf("%s-归档附件.pdf" % MARKERS["A"]))
        submit_item(item=archived, actor=officer_market)
        archived.refresh_from_db()
        if archived.state == Item.State.APPROVED:
            transmit_item(item=archived, actor=officer_market, methods=["system"])
        receiver = archived.receivers.get()
        acknowledge_receipt(receiver=receiver, actor=officer_prod)
        raise_question(receiver=receiver, actor=officer_prod, kind="question", responsible_unit=market,
                       text="疑问 %s-QUESTION" % MARKERS["A"])
        post_progress(item=archived, actor=officer_prod, receiver=receiver, text="进展 %s-PROGRESS" % MARKERS["A"])
        answer_receiver(receiver=receiver, actor=officer_prod, result="已办理 %s-ANSWER" % MARKERS["A"])
        archived.refresh_from_db()
        if archived.state != Item.State.COMPLETED:
            from infoflow.services.delivery import complete_item

            complete_item(item=archived, actor=officer_market)
        record = archive_item(item=archived)
        set_hold(record=record, actor=secretary, reason="审计需要，暂停销毁")
        # The archive's other rows, written as their services would (their
        # own rules are tested in tests/archive): an appraisal, a disposal
        # batch and a destruction line naming the restricted record, a gap
        # explanation and a verification run.
        Appraisal.objects.create(record=record, position=10_001, old_retention=record.retention,
                                 new_retention=record.retention, reason="鉴定", by=secretary, seal="-")
        batch = DisposalBatch.objects.create(reason="到期鉴定", proposed_by=secretary, supervisor_1=leader,
                                             supervisor_2=gm)
        batch.records.add(record)
        DestructionEntry.objects.create(
            record=record, batch=batch, position=10_001, number=record.number, subject=record.subject,
            classification="-", completed_at=NOW, archived_at=NOW, retention=record.retention,
            retention_until=NOW.date(), proposer="周秘书", approver="李四", supervisors="李四、吴总", seal="-")
        GapExplanation.objects.create(year=2026, sequence=1000, explanation="作废号", by=secretary)
        run_verification(notify=False)

        # Objects of the other kinds, so every id argument has something to point at.
        Delegation.objects.create(principal=leader, deputy=legal, created_by=leader,
                                  start=NOW, end=NOW + dt.timedelta(days=30), reason="出差")
        job = ExportJob.objects.create(user=officer_market, state=ExportJob.State.DONE, total_rows=1, done_rows=1,
                                       file_name="log.xlsx", expires_at=NOW + dt.timedelta(days=30))
        job.file.save("log-%s.xlsx" % uuid.uuid4().hex, ContentFile(b"PK"), save=True)
        Group.objects.create(name="walk")
        UserFactory(username=SUGGESTION_WRITERS["control"][0], first_name=SUGGESTION_WRITERS["control"][1])
        # A data call to market and prod: one answer in, one out.
        from datacalls.services import create_call, send_call, submit_answer
        call = create_call(actor=secretary, units=[market, prod], data={
            "title": "报送任务", "schedule": "once", "due_on": (NOW + dt.timedelta(days=7)).date(),
            "fields": [{"key": "opinion", "label": "意见", "type": "text", "required": True}]})
        send_call(call=call, actor=secretary)
        submit_answer(answer=call.occurrences.get().answers.get(unit=market), actor=officer_market,
                      raw={"opinion": "意见"})
        # A work report, a replacement flag and an accountability case about item O
        # (officers.work, officers.flags, officers.accountability).
        from officers.accountability import record_case
        from officers.flags import flag_failed_assessment
        from officers.models import Officer, WorkReport

        market_post = Officer.objects.get(user=officer_market, status=Officer.Status.ACTIVE)
        WorkReport.objects.create(officer=market_post, unit=market, period_start=dt.date(2026, 2, 1),
                                  period_end=dt.date(2026, 2, 28), due_at=NOW)
        flag_failed_assessment(officer=market_post, period="2025", score=50, threshold=60)
        record_case(actor=auditor, officer=market_post, kind="late", occurred_on=NOW.date(), finding="迟报",
                    subject=other)
        # The year's assessment, computed (officers.assessment): breakdowns list items by number only.
        from officers.assessment import compute_period, open_period
        compute_period(actor=secretary, period=open_period(actor=secretary, year=2026))
        # A coordination meeting about item O, held, minuted, with an action item; a training with
        # attendance; the inductions of the walk's officers (officers.meetings, officers.trainings).
        from officers.meetings import add_action_item, distribute_minutes, record_attendance, schedule_meetings
        from officers.trainings import create_training, record_training_attendance, sync_inductions

        meeting = schedule_meetings(actor=secretary, kind="coordination", item=other, title="协调会",
                                    first_on=NOW.date(), start_time=dt.time(9, 0), agenda="协调", place="会议室",
                                    units=[market, prod])[0]
        record_attendance(meeting=meeting, actor=secretary,
                          attendance={i.pk: "present" for i in meeting.invitations.all()})
        distribute_minutes(meeting=meeting, actor=secretary, text="纪要",
                           upload=_pdf("纪要.pdf"))
        add_action_item(meeting=meeting, actor=secretary, text="落实", owner=officer_prod,
                        due_on=NOW.date() + dt.timedelta(days=3))
        training = create_training(actor=secretary, title="培训", content="内容", trainer="讲师",
                                   starts_at=NOW - dt.timedelta(hours=2), hours=2, is_induction=True,
                                   materials=_pdf("材料.pdf"))
        sync_inductions()
        record_training_attendance(training=training, actor=secretary, present_users=[officer_market])
        # Releases on the bulletin of the two restricted items, as if made by mistake or before the item
        # was restricted (publication): the bulletin and its pages must never show them.
        from publication.models import Channel, Correction, Feedback, Release, ReleaseRecord

        bulletin = Channel.objects.get_or_create(code="intranet", defaults={"name": "门户公告栏", "kind": "bulletin"})[0]
        for key, mistaken in (("R", restricted), ("A", archived)):
            release = Release.objects.create(item=mistaken, created_by=secretary, first_released_at=NOW)
            ReleaseRecord.objects.create(release=release, channel=bulletin, channel_name=bulletin.name,
                                         channel_kind="bulletin", released_by=secretary, released_at=NOW,
                                         note="%s-RELEASE" % MARKERS[key])
            Feedback.objects.create(release=release, author=employee, text="反馈 %s-FEEDBACK" % MARKERS[key])
        # Draft D registered as the correction of archived A (and of its record).
        Correction.objects.create(kind="correction", item=draft, original=archived, original_record=record,
                                  created_by=officer_market)
        # The rules (issue 19 §5): a document in force with a draft of its next version, confirmed by
        # market's officer; the appointment workflow (§9): market's pending recommendation of the
        # employee and production's confirmed one (a deputy who is none of the walking roles), made
        # before the suggestion box's writers exist, whose pages the walk checks for their names (the
        # appointment notice goes to all staff).
        from officers import recommendations as officer_recommendations
        from rules import services as rules_services

        in_force = rules_services.create_document(actor=secretary, code="WALK-1", title="实施细则", number="V1",
                                                  effective_on=NOW.date(), text="第一条")
        rules_services.publish_version(actor=secretary, version=in_force)
        rules_services.confirm_reading(actor=officer_market, version=in_force)
        rules_services.draft_version(actor=secretary, document=in_force.document, number="V2",
                                     effective_on=NOW.date(), text="第一条（修订）", changes="修订")
        officer_recommendations.recommend_officer(
            actor=head_market, unit=market, candidate=employee, is_primary=False, phone="139", reasons="理由",
            qualifications="条件", form_file=_pdf("推荐表.pdf"))
        confirmed = officer_recommendations.recommend_officer(
            actor=head_prod, unit=prod, candidate=UserFactory(username="walk_deputy", profile__unit=prod),
            is_primary=False, phone="139", reasons="理由", qualifications="条件", form_file=_pdf("推荐表.pdf"))
        officer_recommendations.confirm_recommendation(actor=secretary, recommendation=confirmed)
        # The suggestion box (issue 17): a signed and an anonymous case whose writers' names and
        # usernames carry markers; only the suggestion box's handler (secretary) may be shown the
        # signed writer, nobody the anonymous one (checked in the walk below).
        from suggestions import services as suggestion_services
        from suggestions.models import Box, Category, Handler

        Handler.objects.create(box=Box.SUGGESTION, user=secretary, role=Handler.Role.HANDLER)
        Handler.objects.create(box=Box.SUGGESTION, user=gm, role=Handler.Role.APPROVER)
        Handler.objects.create(box=Box.GM_MAILBOX, user=gm, role=Handler.Role.HANDLER)
        writers = {key: UserFactory(username=SUGGESTION_WRITERS[key][0], first_name=SUGGESTION_WRITERS[key][1])
                   for key in SUGGESTION_WRITERS}
        topic = Category.objects.get_or_create(name="工作环境")[0]
        signed, _code = suggestion_services.submit_case(
            actor=writers["signed"], box=Box.SUGGESTION, kind="complaint", category=topic, text="署名投诉",
            signed=True, contact_allowed=True, contact="13900001111")
        suggestion_services.assign_case(case=signed, actor=secretary, unit=market, days=3)
        suggestion_services.add_note(case=signed, actor=officer_market, kind="investigation", text="调查")
        suggestion_services.record_finding(case=signed, actor=secretary, finding="founded", answer="属实")
        reward = suggestion_services.propose_reward(case=signed, actor=secretary, amount="200", reason="属实")
        suggestion_services.decide_reward(reward=reward, actor=gm, approve=True)
        suggestion_services.close_case(case=signed, actor=secretary)
        anonymous, _code = suggestion_services.submit_case(
            actor=writers["anonymous"], box=Box.GM_MAILBOX, kind="report", category=topic, text="匿名举报",
            signed=False, contact_allowed=False)
        suggestion_services.assign_case(case=anonymous, actor=gm, unit=prod, days=3)
        suggestion_services.add_note(case=anonymous, actor=gm, kind="supervision", text="督办")
        suggestion_services.submit_case(
            actor=writers["anonymous"], box=Box.SUGGESTION, kind="suggestion", category=topic, text="匿名建议",
            signed=False, contact_allowed=False)
        # The information bulletin (briefs): an issue of an adopted public item, published (which records
        # its adoption), and a draft of the next month holding the same item.
        from briefs.services import issues as brief_issues

        public = Item.objects.create(unit=market, initiator=officer_market, subject="公开信息", summary="公开",
                                     state=Item.State.APPROVED, confidentiality="public", number="NX-2026-900")
        brief = brief_issues.create_issue(actor=secretary, period="2026-03")
        brief_issues.add_item(issue=brief, item=public, actor=secretary)
        brief_issues.publish_issue(issue=brief, actor=secretary)
        brief_issues.add_item(issue=brief_issues.create_issue(actor=secretary, period="2026-04"), item=public,
                              actor=secretary)
        # Circulation and instructions (followup, issue 15): R circulated by its officer to production's
        # officer (who then sees it), and an instruction on O whose task market's officer owns (who then sees O).
        from followup.models import Instruction, InstructionTask, Proposal
        from followup.services import circulate_item, mark_read
        from infoflow.permissions import sync_item_grants

        circulate_item(item=restricted, actor=officer_market, user_ids=[officer_prod.pk],
                       note="传阅 %s-CIRCULATION" % MARKERS["R"])
        mark_read(item=restricted, actor=officer_prod)
        Proposal.objects.create(item=other, text="拟办 %s-PROPOSAL" % MARKERS["O"], proposed_by=secretary)
        instruction = Instruction.objects.create(item=other, author=leader, text="批示 %s-INSTRUCTION" % MARKERS["O"])
        InstructionTask.objects.create(instruction=instruction, item=other, owner=officer_market, unit=market,
                                       what="任务 %s-TASK" % MARKERS["O"], due_at=NOW + dt.timedelta(days=3))
        sync_item_grants(other)
        # Relations (issue 19 §3-4): market's visit to its customer with a follow-up action, and the
        # customer's yearly report owed by market (seen by market and the secretariat only).
        from relations.models import Obligation as RelationsObligation
        from relations.services import obligations as relation_obligations
        from relations.services import visits as relation_visits
        from tests.factories import ExternalUnitFactory

        visited = ExternalUnitFactory(name="走访客户", responsible_unit=market)
        walk_visit = relation_visits.record_visit(
            actor=officer_market, external_unit=visited, contact=None, unit=market, visitors=[officer_market],
            visited_on=NOW.date(), kind="regular", method="onsite", purpose="客户回访")
        relation_visits.add_action(actor=officer_market, visit=walk_visit, text="答复客户", owner=officer_market,
                                   due_on=dt.date(2026, 3, 13))
        relation_obligations.create_obligation(actor=secretary, obligation=RelationsObligation(
            body=visited, title="年度报告", first_due_on=dt.date(2026, 3, 20), owner_unit=market))
        # Surveys (issue 19 §2): an anonymous one sent to market's people, the employee and a contact
        # (one answer each way: logged in and by link), and a draft of a named one.
        from surveys import services as survey_services
        from tests.factories import ExternalContactFactory

        poll = survey_services.create_survey(actor=secretary, title="满意度调查", working_days=30)
        survey_services.add_question(survey=poll, actor=secretary, kind="single", text="渠道", options=["甲", "乙"])
        survey_services.add_question(survey=poll, actor=secretary, kind="text", text="建议", required=False)
        polled = ExternalContactFactory(name="问卷联系人")
        survey_services.add_recipients(survey=poll, actor=secretary, units=[market], users=[employee],
                                       contacts=[polled])
        survey_services.set_viewers(survey=poll, actor=secretary, users=[leader])
        survey_services.open_survey(survey=poll, actor=secretary)
        for row in poll.recipients.filter(user=employee) | poll.recipients.filter(contact=polled):
            first = poll.questions.order_by("position").first()
            survey_services.submit_response(recipient=row, answers={first.pk: str(first.options.first().pk)})
        survey_services.add_question(
            survey=survey_services.create_survey(actor=secretary, title="草稿问卷", anonymous=False), actor=secretary,
            kind="scale", text="评分")
        # The information library (issue 19 §1): archived A filed into the library by its officer (a
        # restricted copy carrying A's marker and attachment, seen by exactly who sees A), an internal
        # entry of production with a file, and production's information need.
        from library import services as library_services
        from library.models import Category as LibraryCategory

        shelf = LibraryCategory.objects.get_or_create(name="法律法规")[0]
        library_services.file_item(actor=officer_market, item=archived, category=shelf, department=market)
        library_services.create_entry(actor=secretary, department=prod, files=[_pdf("规章.pdf")], fields={
            "title": "安全生产规章", "summary": "", "body": "", "category": shelf, "issuer": "", "reference": "",
            "valid_from": None, "valid_until": None, "confidentiality": "internal"})
        library_services.save_need(actor=head_prod, unit=prod, title="法规", keywords="规章")
        restricted.refresh_from_db()
        Notification.objects.get_or_create(
            recipient=head_market, key="walk-%s" % restricted.pk,
            defaults={"subject": "待审核：%s" % restricted.subject, "item_number": restricted.number or "",
                      "confidentiality": "restricted", "url": "/items/%s/" % restricted.pk})

    # The access review (issue 18 item 3): who sees what, R's number among the restricted items.
    from dengbao.access_review import generate_review

    generate_review(actor=None)
    # Incidents and reports to leaders (issue 19 §6-7): market's officer registers an incident about R
    # (on its page R's subject shows only to those who may see R), handled by the secretary; February's
    # report sent to the leader (figures only, no item named).
    from incidents import services as incident_services
    from incidents.models import Severity as IncidentSeverity
    from reports import services as report_services
    from reports.models import Recipient as ReportRecipient

    with time_machine.travel(NOW, tick=False):
        walk_incident = incident_services.report_incident(
            actor=officer_market, title="安全事件", description="经过", found_at=NOW, found_by="张三",
            severity=IncidentSeverity.objects.get_or_create(code="walk", defaults={"name": "一般"})[0],
            item_refs=[str(restricted.pk)])
        incident_services.assign_handler(incident=walk_incident, actor=secretary, handler=secretary)
        incident_services.add_entry(incident=walk_incident, actor=secretary, kind="measure", text="处置", at=NOW)
        ReportRecipient.objects.create(user=leader)
        report_services.generate_report(kind="monthly", period_label="2026-02", actor=secretary)
    items = {"R": restricted, "D": draft, "O": other, "A": archived}
    return {"users": users, "items": items, "record": record, "writers": writers}


def forbidden_markers(user, items):
    """Markers of the items ``user`` may see neither as items nor as records."""
    seen_items = set(items_visible_to(user).filter(pk__in=[i.pk for i in items.values()]).values_list("pk", flat=True))
    seen_records = set(records_visible_to(user).values_list("item_id", flat=True))
    return {MARKERS[key]: key for key, item in items.items() if item.pk not in seen_items | seen_records}


# --- the patterns ----------------------------------------------------------------


def iter_patterns(patterns=None, prefix="", namespace=""):
    """(full regex, url name, pattern) for every leaf of the resolver."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        regex = p.pattern.regex.pattern.lstrip("^").rstrip("$")
        regex = regex.replace("\\Z", "")
        if isinstance(p, URLResolver):
            ns = namespace + (p.namespace + ":" if p.namespace else "")
            yield from iter_patterns(p.url_patterns, prefix + regex, ns)
        elif isinstance(p, URLPattern):
            yield prefix + regex, namespace + (p.name or ""), p


GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*(?:\([^()]*\)[^()]*)*)\)|\((?P<anon>[^?][^()]*)\)")


def groups_of(regex):
    """[(name or index, span)] of the capture groups of a pattern's regex."""
    out, index = [], 0
    for m in GROUP.finditer(regex):
        if m.group("name"):
            out.append((m.group("name"), m.span()))
        else:
            out.append((index, m.span()))
            index += 1
    return out


def build_path(regex, values):
    """The path for ``regex`` with each group replaced by ``values[name]``."""
    pieces, last = [], 0
    for key, (start, end) in groups_of(regex):
        pieces.append(regex[last:start])
        pieces.append(str(values[key]))
        last = end
    pieces.append(regex[last:])
    path = "".join(pieces)
    path = path.replace("\\.", ".").replace("\\-", "-").replace("\\/", "/")
    return "/" + path


ADMIN_MODEL = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")


class Filler:
    """Argument values for each pattern: the ids of every object of the kind
    the argument names, and for nested ids (an item's step, receiver…) each
    pairing of every item with every child, its own and the others'."""

    def __init__(self, world):
        self.world = world
        self.items = list(Item.objects.order_by("pk"))
        self.item_ids = [i.pk for i in self.items]

    def ids(self, model, limit=40):
        return list(model._default_manager.order_by("-pk").values_list("pk", flat=True)[:limit])

    def children(self, model):
        return list(model.objects.order_by("pk").values_list("item_id", "pk"))

    def pairs(self, model, name):
        """Each child with its own item, and with the next item (a view must
        look the child up among its item's own)."""
        own = [{"pk": item, name: child} for item, child in self.children(model)]
        ids = self.item_ids
        cross = [{"pk": ids[(ids.index(item) + 1) % len(ids)], name: child} for item, child in self.children(model)]
        return own + cross

    # The portal's arguments by URL name (namespace included).
    def portal(self, name, keys):
        keys = set(keys)
        if name.startswith("library:"):
            from library.models import Entry, EntryFile, Need

            if keys == {"pk", "file_pk"}:
                return [{"pk": f.entry_id, "file_pk": f.pk} for f in EntryFile.objects.all()[:40]] or [
                    {"pk": 0, "file_pk": 0}]
            if keys == {"item_pk"}:
                return [{"item_pk": pk} for pk in self.item_ids]
            if keys == {"pk"}:
                return [{"pk": pk} for pk in self.ids(Need if name.startswith("library:need") else Entry)] or [
                    {"pk": 0}]
        if name.startswith("rules:") and keys == {"pk"}:  # issue 19 §5: documents and versions
            from rules.models import RuleDocument, RuleVersion

            model = RuleVersion if name.startswith("rules:version") else RuleDocument
            return [{"pk": pk} for pk in self.ids(model)] or [{"pk": 0}]
        if name.startswith("infoflow:"):
            if keys == {"pk"}:
                return [{"pk": pk} for pk in self.item_ids]
            if keys == {"pk", "step_pk"}:
                return self.pairs(ReviewStep, "step_pk")
            if keys == {"pk", "receiver_pk"}:
                return self.pairs(Receiver, "receiver_pk")
            if keys == {"pk", "attachment_pk"}:
                return self.pairs(Attachment, "attachment_pk")
            if keys == {"pk", "question_pk"}:
                return self.pairs(Question, "question_pk")
            if keys == {"delegation_pk"}:
                return [{"delegation_pk": pk} for pk in self.ids(Delegation)]
            if keys == {"pk", "change_pk"}:
                return self.pairs(StepChange, "change_pk")
            if keys == {"phrase_pk"}:
                return [{"phrase_pk": pk} for pk in self.ids(Phrase)]
            # The closed loop's small operations (issue 19 §8): its rows with their item and the next one.
            from infoflow.models import FollowTask, StudyConfirmation, Transmission

            for child, model in (("task_pk", FollowTask), ("confirmation_pk", StudyConfirmation),
                                 ("transmission_pk", Transmission)):
                if keys == {"pk", child}:
                    return self.pairs(model, child) or [{"pk": pk, child: 0} for pk in self.item_ids]
        if name.startswith("archive:"):
            from archive.models import DisposalBatch, Hold

            if keys == {"item_pk"}:
                return [{"item_pk": pk} for pk in self.item_ids]
            if name == "archive:hold-lift":
                return [{"pk": pk} for pk in self.ids(Hold)]
            if name == "archive:batch-detail":
                return [{"pk": pk} for pk in self.ids(DisposalBatch)]
            if keys == {"pk"}:
                return [{"pk": pk} for pk in self.ids(ArchivedRecord)]
            if keys == {"pk", "index"}:
                return [{"pk": r, "index": i} for r in self.ids(ArchivedRecord) for i in (1, 2)]
        if name.startswith("exports:") and keys == {"public_id"}:
            return [{"public_id": u} for u in ExportJob.objects.values_list("public_id", flat=True)]
        if name.startswith("datacalls:") and keys == {"pk"}:
            from datacalls.models import Answer, AnswerFile, Call, Occurrence

            model = Answer if name.startswith("datacalls:answer") else Call if name.startswith(
                "datacalls:series") else AnswerFile if name == "datacalls:file" else Occurrence
            return [{"pk": pk} for pk in self.ids(model)] or [{"pk": 0}]
        if name.startswith("assessment:"):
            from officers.assessment_models import AssessmentResult

            years = [2026, 2031]  # the walk's period (officers.assessment) and a year without one
            if keys == {"year"}:
                return [{"year": y} for y in years]
            if keys == {"year", "pk"}:
                return [{"year": y, "pk": pk} for y in years for pk in self.ids(AssessmentResult)] or [
                    {"year": 2026, "pk": 0}]
        if name.startswith("officers:") and keys == {"pk"}:
            from officers.meeting_models import ActionItem, Meeting, Training

            model = {"action": ActionItem, "meeting": Meeting, "training": Training}.get(name[9:].split("-")[0])
            if model is not None:
                return [{"pk": pk} for pk in self.ids(model)] or [{"pk": 0}]
        if name in WORK_PAGES and keys == {"pk"}:
            model = apps.get_model("officers", WORK_PAGES[name])
            return [{"pk": pk} for pk in self.ids(model)] or [{"pk": 0}]
        if name.startswith("publication:"):
            from publication.models import Release

            if keys == {"item_pk"}:
                return [{"item_pk": pk} for pk in self.item_ids]
            if keys == {"pk"}:
                return [{"pk": pk} for pk in self.ids(Release)] or [{"pk": 0}]
        if name.startswith("suggestions:") and keys == {"pk"}:
            from suggestions.models import Case, CaseFile

            return [{"pk": pk} for pk in self.ids(CaseFile if name == "suggestions:photo" else Case)] or [{"pk": 0}]
        if name.startswith("briefs:") and keys == {"pk"}:
            from briefs.models import BulletinEntry, BulletinIssue

            model = BulletinEntry if name.startswith("briefs:entry-") else BulletinIssue
            return [{"pk": pk} for pk in self.ids(model)] or [{"pk": 0}]
        if name.startswith("followup:") and keys == {"pk"}:
            from followup.models import InstructionTask

            if name.startswith("followup:task"):
                return [{"pk": pk} for pk in self.ids(InstructionTask)] or [{"pk": 0}]
            return [{"pk": pk} for pk in self.item_ids]
        if name.startswith("relations:"):
            from officers.models import ExternalUnit, OrgUnit
            from relations.models import FollowUpAction, MemberChange, Occurrence, Visit

            if keys == {"unit_pk"}:
                return [{"unit_pk": pk} for pk in self.ids(OrgUnit)]
            model = {"visit": Visit, "action": FollowUpAction, "unit": ExternalUnit, "occurrence": Occurrence,
                     "member": MemberChange}.get(name[10:].split("-")[0])
            if model is not None and keys == {"pk"}:
                return [{"pk": pk} for pk in self.ids(model)] or [{"pk": 0}]
        if name.startswith("incidents:") and keys == {"pk"}:
            from incidents.models import Incident

            return [{"pk": pk} for pk in self.ids(Incident)] or [{"pk": 0}]
        if name.startswith("reports:") and keys == {"pk"}:
            from reports.models import Report

            return [{"pk": pk} for pk in self.ids(Report)] or [{"pk": 0}]
        if name.startswith("notification-") and keys == {"pk"}:
            return [{"pk": pk} for pk in self.ids(Notification)]
        if name.startswith("directory:"):  # sign-in per platform (and an unknown one), HR's reports and imports
            from directory.models import ContactsImport, SyncReport

            if keys == {"platform"}:
                return [{"platform": p} for p in ("wecom", "dingtalk", "qq")]
            model = ContactsImport if name.startswith("directory:import") else SyncReport
            ids = self.ids(model) or [0]
            if keys == {"pk", "user_id"}:
                return [{"pk": pk, "user_id": u.pk} for pk in ids for u in list(self.world["users"].values())[:2]]
            if keys == {"pk"}:
                return [{"pk": pk} for pk in ids]
        if name.startswith("surveys:"):
            from surveys.models import Question as SurveyQuestion
            from surveys.models import Recipient as SurveyRecipient
            from surveys.models import Survey

            if keys == {"pk"}:
                return [{"pk": pk} for pk in self.ids(Survey)] or [{"pk": 0}]
            if keys == {"token"}:  # every recipient's link, and a wrong one
                return [{"token": t} for t in SurveyRecipient.objects.exclude(token=None).values_list("token", flat=True)
                        ] + [{"token": "wrong-token"}]
            surveys = self.ids(Survey)
            for key, model in (("question_pk", SurveyQuestion), ("recipient_pk", SurveyRecipient)):
                if keys == {"pk", key}:  # each child with its own survey and with another survey
                    rows = list(model.objects.values_list("survey_id", "pk")[:20])
                    return [{"pk": s, key: c} for s, c in rows] + [
                        {"pk": surveys[(surveys.index(s) + 1) % len(surveys)], key: c} for s, c in rows]
        if name == "dengbao:reset" and keys == {"user_id"}:  # another administrator's second factor
            return [{"user_id": u.pk} for u in self.world["users"].values()]
        if name.startswith("dengbao:") and keys == {"pk"}:  # access reviews, audit archive batches
            from dengbao.models import AccessReview, AuditArchiveBatch

            model = AuditArchiveBatch if name.startswith("dengbao:archive") else AccessReview
            return [{"pk": pk} for pk in self.ids(model)] or [{"pk": 0}]
        return None

    def admin(self, name, regex, keys):
        keys = list(keys)
        if name == "admin:app_list":
            return [{"app_label": label} for label in ("auth", "axes", "liaison", "officers", "infoflow", "archive")]
        if name == "admin:view_on_site":
            ct = ContentType.objects.get_for_model(Item)
            return [{"content_type_id": ct.pk, "object_id": pk} for pk in self.item_ids]
        if name == "admin:auth_user_password_change":
            return [{"id": pk} for pk in self.ids(self.world["users"]["admin"].__class__, limit=3)]
        m = ADMIN_MODEL.match(regex)
        if not m:
            return None
        model = apps.get_model(m.group("app"), m.group("model"))
        objects = self.objects_of(model)
        if set(keys) == {"object_id"}:
            return [{"object_id": pk} for pk in objects]
        if set(keys) == {0, 1}:  # simple_history's history/<version>/ view
            history = model.history.model
            return [{0: pk, 1: h} for pk in objects
                    for h in history.objects.filter(**{model._meta.pk.attname: pk}).values_list("history_id",
                                                                                                flat=True)]
        if set(keys) == {"object_pk"}:
            return [{"object_pk": pk} for pk in objects]
        if set(keys) == {"object_pk", "user_id"}:
            users = [u.pk for u in self.world["users"].values()][:2]
            return [{"object_pk": pk, "user_id": u} for pk in objects for u in users]
        if set(keys) == {"object_pk", "group_id"}:
            return [{"object_pk": pk, "group_id": g} for pk in objects for g in Group.objects.values_list("pk",
                                                                                                      flat=True)]
        return None

    def objects_of(self, model):
        """Every row that carries a marker, plus the latest few others."""
        text_fields = [f.name for f in model._meta.concrete_fields
                       if f.get_internal_type() in ("CharField", "TextField")]
        from django.db.models import Q

        marked = Q()
        for marker in MARKERS.values():
            for field in text_fields:
                marked |= Q(**{field + "__contains": marker})
        pks = set()
        if text_fields:
            pks |= set(model._default_manager.filter(marked).values_list("pk", flat=True)[:40])
        for field in model._meta.concrete_fields:
            target = getattr(field, "related_model", None)
            if target is Item:
                pks |= set(model._default_manager.filter(**{field.attname + "__in": self.item_ids})
                           .values_list("pk", flat=True)[:40])
            elif target is ArchivedRecord:
                pks |= set(model._default_manager.values_list("pk", flat=True)[:40])
        pks |= set(self.ids(model, limit=3))
        return sorted(pks)


def admin_model(regex):
    m = ADMIN_MODEL.match(regex)
    return apps.get_model(m.group("app"), m.group("model")) if m else None


def carries_item_content(model):
    """Whether rows of ``model`` hold or point at an item's or a record's
    content (liaison.audit.CONTENT_FIELDS, or a key to an item, a record or
    a row of theirs). None (a portal pattern) counts as content."""
    from liaison.audit import CONTENT_FIELDS

    if model is None:
        return True
    holders = {Item, ArchivedRecord, ReviewStep, Receiver, Attachment}
    for field in model._meta.get_fields():
        if field.name in CONTENT_FIELDS and field.concrete:
            return True
        if getattr(field, "related_model", None) in holders and (field.many_to_one or field.one_to_one
                                                                  or field.many_to_many) and field.concrete:
            return True
    return model in holders


def argument_sets(filler, regex, name):
    keys = [key for key, _span in groups_of(regex)]
    if not keys:
        return [{}]
    if regex.startswith("admin/"):
        if keys == ["url"]:
            return None  # the catch-all (named below)
        return filler.admin(name, regex, keys)
    return filler.portal(name, keys)


def body_text(response):
    """The response's text, downloads unpacked (xlsx members, the text of a PDF such as print.pdf)."""
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if data[:5] == b"%PDF-":
        try:
            return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        except (PyPdfError, ValueError, KeyError):
            pass  # not a PDF pypdf can read (the walk's stub attachments): search its bytes
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                data = b"".join(book.read(n) for n in book.namelist() if n.endswith((".xml", ".rels", ".json")))
        except zipfile.BadZipFile:
            pass
    return data.decode("utf-8", "replace")


ACCOUNT_PAGE = re.compile(r"^/admin/(auth/user|officers/staffprofile)/\d+/")


def writer_leaks(role, path, text):
    """What ``text`` shows of a suggestion's writer that ``role`` may not see: the anonymous
    writer to anybody, the signed one to anybody but the box's handler. A page that shows
    the control user as well lists every user, and the admin pages of an account are about
    the person, not a case: neither tells who wrote."""
    found = []
    if ACCOUNT_PAGE.match(path):
        return found
    control_name, control_user = SUGGESTION_WRITERS["control"][1], SUGGESTION_WRITERS["control"][0]
    for key in ("signed", "anonymous"):
        if key == "signed" and role in SUGGESTION_HANDLERS:
            continue
        username, name = SUGGESTION_WRITERS[key]
        if name in text and control_name not in text:
            found.append("%s writer's name" % key)
        if username in text and control_user not in text:
            found.append("%s writer's username" % key)
    return found


# --- the walk --------------------------------------------------------------------


def test_no_page_shows_an_object_outside_the_users_visibility(world, django_capture_on_commit_callbacks):
    filler = Filler(world)
    plan, unfillable = [], []
    for regex, name, _pattern in iter_patterns():
        label = name if name and not name.endswith(":") else (name or "") + regex
        if regex.startswith("admin/") and "(?P<url>" in regex:
            label = "admin:<catch-all>"
        if label in SKIP:
            continue
        args = argument_sets(filler, regex, name)
        if args == [] and not carries_item_content(admin_model(regex)):
            continue  # no row of a kind that holds no item content (axes logs, duties…): nothing to leak
        if not args:  # None: no filler; []: no object of a kind that holds item content
            unfillable.append(label)
            continue
        for values in args:
            plan.append((label, build_path(regex, values)))
            for query in QUERIES.get(label, ()):
                plan.append((label, build_path(regex, values) + "?" + query))
    assert not unfillable, "The walk cannot fill these URL patterns; teach Filler, seed the world or SKIP: %s" % (
        unfillable,)
    assert len(plan) > 300

    leaks, errors, bare_403, requests = [], [], [], 0
    writer_shown = []  # (role, path, what) where a suggestion's writer was shown
    shown = defaultdict(set)  # marker → roles that were shown it (the detector works)
    client = Client(raise_request_exception=False)
    with time_machine.travel(WALK_AT, tick=False):
        for role in ROLES:
            user = world["users"][role]
            forbidden = forbidden_markers(user, world["items"])
            client.force_login(user)
            # The admin console lets in active members of staff only
            # (AdminSite.has_permission looks at nothing else): the outsider
            # requests one path of every admin pattern to show that it refuses
            # those who are not; the other roles without staff status skip it.
            if user.is_staff:
                walk = plan
            elif role == "outsider":
                walk = [(label, path) for n, (label, path) in enumerate(plan)
                        if not path.startswith("/admin/") or n == 0 or plan[n - 1][0] != label]
            else:
                walk = [(label, path) for label, path in plan if not path.startswith("/admin/")]
            requests += len(walk)
            for label, path in walk:
                response = client.get(path)
                if response.status_code >= 500:
                    errors.append((role, path, response.status_code))
                    continue
                if response.status_code in (301, 302, 304, 405):
                    continue
                text = body_text(response)
                if response.status_code == 403 and "无权进行此操作" not in text:
                    bare_403.append((role, path))  # Django's English page instead of templates/403.html
                for leak in writer_leaks(role, path, text):
                    writer_shown.append((role, path, leak))
                for marker in MARKERS.values():
                    if marker in text:
                        shown[marker].add(role)
                        if marker in forbidden:
                            leaks.append((role, path, forbidden[marker]))
            client.logout()

    assert not writer_shown, "pages show who wrote a suggestion-box case:\n" + "\n".join(
        "%s %s → %s" % row for row in writer_shown)
    assert not leaks, "pages show items outside the user's visibility:\n" + "\n".join(
        "%s %s → %s" % leak for leak in leaks)
    assert not bare_403, "403 without the Chinese page:\n" + "\n".join("%s %s" % r for r in bare_403)
    assert requests > 1500
    assert not errors, "pages fail:\n" + "\n".join("%s %s → %s" % e for e in errors)
    # The walk sees what it should: each item's marker reaches the people on its path.
    assert {"officer_market", "head_market"} <= shown[MARKERS["R"]]
    assert "officer_market" in shown[MARKERS["D"]]
    assert {"officer_prod", "head_prod", "secretary"} <= shown[MARKERS["O"]]
    assert {"officer_market", "officer_prod"} <= shown[MARKERS["A"]]
