"""The organisation's rules (issue 19 §5): documents with versions, publication
superseding the version in force, read receipts per officer and version,
induction of new officers, the reminders (confirmation, yearly revision), and
who sees what."""
import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from liaison import sweeps
from liaison.models import Notification
from officers.services import appoint_officer
from rules import selectors, services
from rules.errors import RulesInvalid, RulesNotAllowed, RulesStateConflict
from rules.models import ReadConfirmation, RuleDocument, RuleVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=TZ)  # a Tuesday


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        return [n for n in sweeps.run(now=moment) if n.key.startswith("rules:")]


def draft(secretary, **extra):
    values = dict(code="SSXZ-01", title="信息联络员工作实施细则", number="2026 版", effective_on=dt.date(2026, 3, 1),
                  text="第一条 为规范信息联络员工作，制定本细则。")
    values.update(extra)
    return services.create_document(actor=secretary, **values)


@pytest.fixture
def published(secretary, officer_market, officer_prod):
    with time_machine.travel(NOW, tick=False):
        return services.publish_version(actor=secretary, version=draft(secretary))


def login_get(client, user, url):
    login(client, user)
    return client.get(url)


# --- documents and versions ---------------------------------------------------------------


def test_only_the_secretariat_keeps_the_rules(head_market):
    with pytest.raises(RulesNotAllowed):
        draft(head_market)


def test_a_version_needs_text_or_a_file(secretary):
    with pytest.raises(RulesInvalid) as exc:
        draft(secretary, text="")

    assert str(exc.value) == "请填写制度正文或上传制度文件。"
    assert not RuleDocument.objects.exists()


def test_a_file_alone_is_enough(secretary):
    version = draft(secretary, text="", upload=SimpleUploadedFile("细则.pdf", b"%PDF-1.4\n%%EOF\n"))

    assert version.file.name and version.file_name == "细则.pdf"


def test_publishing_asks_every_officer_and_sets_the_revision_date(published, officer_market, officer_prod,
                                                                  employee):
    doc = published.document

    assert published.state == RuleVersion.State.CURRENT
    assert doc.revision_due_on == dt.date(2027, 3, 1)
    asked = ReadConfirmation.objects.filter(version=published)
    assert sorted(asked.values_list("user__username", flat=True)) == ["officer_market", "officer_prod"]
    assert asked.first().remind_at == at(2026, 3, 17, 10, 0)  # five working days
    assert Notification.objects.filter(key="rules:version:%d:confirm" % published.pk).count() == 2
    assert not Notification.objects.filter(recipient=employee, key__startswith="rules:").exists()
    assert published.history.filter(history_change_reason="publish").count() == 1


def test_second_publish_is_refused(published, secretary):
    with pytest.raises(RulesStateConflict):
        services.publish_version(actor=secretary, version=published)


def test_a_new_version_supersedes_and_the_old_stays_readable(published, secretary, officer_market, employee, client):
    services.confirm_reading(actor=officer_market, version=published)
    with pytest.raises(RulesInvalid):  # the summary of changes is required for a revision
        services.draft_version(actor=secretary, document=published.document, number="2027 版",
                               effective_on=dt.date(2027, 1, 1), text="新正文")
    new = services.draft_version(actor=secretary, document=published.document, number="2027 版",
                                 effective_on=dt.date(2027, 1, 1), text="新正文", changes="第五条改为两个工作日")

    services.publish_version(actor=secretary, version=new)

    published.refresh_from_db()
    assert published.state == RuleVersion.State.SUPERSEDED
    assert ReadConfirmation.objects.get(version=new, user=officer_market).confirmed_at is None  # asked again
    assert login_get(client, employee, reverse("rules:version", args=[published.pk])).status_code == 200
    with pytest.raises(RulesStateConflict):
        services.confirm_reading(actor=officer_market, version=published)


def test_a_published_version_is_never_edited(published, secretary):
    with pytest.raises(RulesStateConflict):
        services.update_draft(actor=secretary, version=published, number="x", effective_on=dt.date(2026, 1, 1),
                              text="改")


def test_drafts_are_hidden_from_everyone_but_the_secretariat(secretary, employee, officer_market, client):
    version = draft(secretary)

    assert login_get(client, employee, reverse("rules:version", args=[version.pk])).status_code == 404
    assert login_get(client, officer_market, reverse("rules:document", args=[version.document_id])).status_code == 404
    assert login_get(client, secretary, reverse("rules:version", args=[version.pk])).status_code == 200


def test_search_never_reads_a_draft(published, secretary, officer_market, client):
    services.draft_version(actor=secretary, document=published.document, number="2027 版",
                           effective_on=dt.date(2027, 1, 1), text="第九条 拟新增保密条款", changes="新增第九条")
    url = reverse("rules:list")

    assert published.document.title not in login_get(client, officer_market, url + "?q=保密条款").content.decode()
    assert published.document.title in login_get(client, officer_market, url + "?q=规范信息联络员").content.decode()
    assert published.document.title in login_get(client, secretary, url + "?q=保密条款").content.decode()


# --- read receipts -------------------------------------------------------------------------


def test_officer_confirms_once(published, officer_market):
    row = services.confirm_reading(actor=officer_market, version=published)

    assert row.confirmed_at is not None
    with pytest.raises(RulesStateConflict):
        services.confirm_reading(actor=officer_market, version=published)
    assert row.history.filter(history_change_reason="confirm").count() == 1


def test_someone_not_asked_cannot_confirm(published, employee, client):
    with pytest.raises(RulesNotAllowed):
        services.confirm_reading(actor=employee, version=published)

    login(client, employee)
    assert client.post(reverse("rules:version-confirm", args=[published.pk])).status_code == 403


def test_confirm_through_the_page_and_the_pending_count(published, officer_market, client):
    assert selectors.pending_for(officer_market).count() == 1
    login(client, officer_market)
    assert "待确认的制度" in client.get("/").content.decode()

    response = client.post(reverse("rules:version-confirm", args=[published.pk]))

    assert response.status_code == 302
    assert selectors.pending_for(officer_market).count() == 0


def test_receipts_page_per_role(published, secretary, head_market, head_prod, officer_market, employee, client,
                                auditor):
    services.confirm_reading(actor=officer_market, version=published)
    url = reverse("rules:version-receipts", args=[published.pk])

    text = login_get(client, secretary, url).content.decode()
    assert "已确认 1 人，未确认 1 人" in text
    text = login_get(client, head_market, url).content.decode()
    assert "应确认 1 人，已确认 1 人" in text and "张三" in text and "孙八" not in text
    assert login_get(client, employee, url).status_code == 404
    assert login_get(client, auditor, url).status_code == 200
    assert "未确认" in login_get(client, secretary, url + "?state=open").content.decode()


# --- induction -------------------------------------------------------------------------------


def test_a_new_officer_is_asked_at_appointment(published, market, secretary):
    newcomer = UserFactory(username="newcomer", profile__unit=market)

    officer = appoint_officer(user=newcomer, unit=market, actor=secretary, phone="139", is_primary=False)

    row = ReadConfirmation.objects.get(version=published, user=newcomer)
    assert row.reason == ReadConfirmation.Reason.INDUCTION
    assert Notification.objects.filter(recipient=newcomer, key="rules:induction:%d" % officer.pk).count() == 1


def test_an_officer_who_already_confirmed_is_not_asked_again(published, officer_market, prod, secretary):
    services.confirm_reading(actor=officer_market, version=published)

    appoint_officer(user=officer_market, unit=prod, actor=secretary, phone="139", is_primary=False)

    assert ReadConfirmation.objects.filter(user=officer_market).count() == 1
    assert not Notification.objects.filter(recipient=officer_market, key__startswith="rules:induction").exists()


def test_appointment_without_rules_in_force_asks_nothing(market, secretary):
    appoint_officer(user=UserFactory(username="n2"), unit=market, actor=secretary, phone="1", is_primary=False)

    assert not ReadConfirmation.objects.exists()


# --- sweeps ----------------------------------------------------------------------------------


def test_unconfirmed_officer_is_reminded_once_after_the_working_days(published, officer_market, officer_prod):
    services.confirm_reading(actor=officer_market, version=published)

    assert sweep(at(2026, 3, 17, 9, 59)) == []
    sent = sweep(at(2026, 3, 17, 10, 1))
    assert [n.recipient.username for n in sent] == ["officer_prod"]
    assert sweep(at(2026, 3, 17, 10, 2)) == []  # the second run sends nothing
    assert sweep(at(2026, 3, 30, 10, 0)) == []


def test_reminder_catches_up_once_after_an_hour_down(published):
    sent = sweep(at(2026, 3, 17, 11, 10))

    assert len(sent) == 2
    assert sweep(at(2026, 3, 17, 11, 11)) == []


def test_superseded_version_is_not_reminded(published, secretary):
    new = services.draft_version(actor=secretary, document=published.document, number="V2",
                                 effective_on=dt.date(2026, 3, 10), text="新", changes="改")
    with time_machine.travel(at(2026, 3, 16, 10, 0), tick=False):
        services.publish_version(actor=secretary, version=new)

    sent = sweep(at(2026, 3, 17, 10, 1))

    assert {n.key for n in sent} == set()  # the new version's requests are due on 3-23
    assert len(sweep(at(2026, 3, 23, 10, 1))) == 2


def test_revision_reminder_once_per_document_per_year(published, secretary):
    assert [n for n in sweep(at(2027, 2, 28, 23, 0)) if ":revision:" in n.key] == []
    sent = [n for n in sweep(at(2027, 3, 1, 0, 5)) if ":revision:" in n.key]
    assert [(n.recipient.username, n.key) for n in sent] == [
        ("secretary", "rules:document:%d:revision:2027" % published.document_id)]
    assert [n for n in sweep(at(2027, 3, 1, 1, 0)) if ":revision:" in n.key] == []
    assert [n for n in sweep(at(2027, 12, 1, 1, 0)) if ":revision:" in n.key] == []
    # Still not revised a year later: the next year's reminder, once.
    assert len([n for n in sweep(at(2028, 3, 2, 9, 0)) if ":revision:" in n.key]) == 1


def test_revision_reminder_catches_up_once_after_being_down(published):
    sent = [n for n in sweep(at(2027, 3, 1, 1, 30)) if ":revision:" in n.key]

    assert len(sent) == 1


def test_keeping_in_force_moves_the_revision_date(published, secretary):
    with pytest.raises(RulesInvalid):
        services.keep_in_force(actor=secretary, document=published.document, note=" ")
    with time_machine.travel(at(2027, 3, 2, 9, 0), tick=False):
        doc = services.keep_in_force(actor=secretary, document=published.document, note="经评估无需修订")

    assert doc.revision_due_on == dt.date(2028, 3, 2)
    assert [n for n in sweep(at(2027, 3, 3, 9, 0)) if ":revision:" in n.key] == []


# --- pages -----------------------------------------------------------------------------------


def test_list_page_queries_do_not_grow(secretary, client, django_assert_max_num_queries):
    def count():
        with django_assert_max_num_queries(20) as ctx:
            assert client.get(reverse("rules:list")).status_code == 200
        return len(ctx.captured_queries)

    login(client, secretary)
    draft(secretary)
    count()
    few = count()
    for n in range(5):
        draft(secretary, code="C%d" % n)

    assert count() == few


def test_manager_pages_refuse_others(published, head_market, client):
    login(client, head_market)

    assert client.get(reverse("rules:document-new")).status_code == 403
    assert client.get(reverse("rules:version-new", args=[published.document_id])).status_code == 403
    assert client.post(reverse("rules:version-publish", args=[published.pk])).status_code == 403


def test_secretary_creates_and_publishes_through_the_pages(secretary, officer_market, client):
    login(client, secretary)
    response = client.post(reverse("rules:document-new"), {
        "code": "ZD-9", "title": "本平台使用规则", "revise_every_months": 12, "confirm_within_days": 5,
        "number": "V1", "effective_on": "2026-03-01", "text": "正文"})
    version = RuleVersion.objects.get(document__code="ZD-9")
    assert response.status_code == 302

    assert "确认发布" in client.get(reverse("rules:version-publish", args=[version.pk])).content.decode()
    client.post(reverse("rules:version-publish", args=[version.pk]))

    version.refresh_from_db()
    assert version.state == RuleVersion.State.CURRENT
    assert ReadConfirmation.objects.filter(version=version, user=officer_market).exists()


def test_bad_input_keeps_what_was_typed(secretary, client):
    login(client, secretary)

    response = client.post(reverse("rules:document-new"), {
        "code": "ZD-9", "title": "我的制度名称", "revise_every_months": 12, "confirm_within_days": 5,
        "number": "V1", "effective_on": "2026-03-01", "text": ""})

    assert response.status_code == 200
    text = response.content.decode()
    assert "请填写制度正文或上传制度文件。" in text and "我的制度名称" in text


def test_file_download_is_for_those_who_see_the_version(secretary, employee, client):
    version = draft(secretary, text="", upload=SimpleUploadedFile("细则.txt", "第一条".encode()))
    url = reverse("rules:version-file", args=[version.pk])

    assert login_get(client, employee, url).status_code == 404
    services.publish_version(actor=secretary, version=version)
    assert login_get(client, employee, url).status_code == 200

