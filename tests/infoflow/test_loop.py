"""The closed loop's small operations (issue 19 §8): outcome codes, follow
tasks, 呈报, relay to staff (转发), study confirmations (学习/落实), the review
checklist, seal use (用印) and the paper original's location after archiving.
Who may, the unhappy paths, the sweep cases once."""
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archive.models import PaperLocation
from archive.services import archive_item
from archive.services.paper import location_in_force, record_paper_location
from archive.verify import verify
from followup.models import CirculationReader
from followup.services.circulation import relay_to_staff
from infoflow.export import HEADERS, LogWriter, log_rows
from infoflow.models import (
    ChecklistEntry, ChecklistTick, Escalation, FollowTask, Item, LoopEvent, Receiver, Seal, SealUse,
    StudyConfirmation,
)
from infoflow.services.chain import approve_step, open_step, submit_item, take_step
from infoflow.services.delivery import answer_receiver, transmit_item
from infoflow.services.loop import (
    add_follow_task, confirm_study, escalate_item, finish_follow_task, record_seal_use, require_study,
)
from infoflow.visibility import items_visible_to
from liaison import sweeps
from liaison.errors import ArchiveInvalid, ArchiveNotAllowed, InvalidInput, NotAllowed, StateConflict
from liaison.models import Notification
from liaison.workdays import end_of_working_day
from tests.factories import ExternalUnitFactory, UserFactory
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db

TZ = NOW.tzinfo


def _at(*args):
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def sent(org, make_item, frozen):
    """An internal item from market to prod and finance, approved and sent."""
    item = make_item(needs_coordination=True,
                     receivers=[{"kind": "unit", "unit": org["prod"]}, {"kind": "unit", "unit": org["finance"]}])
    item = submit_item(item=item, actor=org["officer_market"])
    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")
    transmit_item(item=Item.objects.get(pk=item.pk), actor=org["officer_market"], methods=["system"])
    return Item.objects.get(pk=item.pk)


def prod_row(item):
    return Receiver.objects.get(item=item, unit__code="prod")


@pytest.fixture
def prod_staff(org):
    return UserFactory(username="worker_prod", first_name="生产员工", profile__unit=org["prod"])


# --- outcome codes -----------------------------------------------------------------------------


def test_an_answer_keeps_its_outcome_code_and_a_refusal_needs_its_reason(org, sent):
    with pytest.raises(InvalidInput, match="不予采纳"):
        answer_receiver(receiver=prod_row(sent), actor=org["officer_prod"], result="不采纳", outcome="rejected")
    with pytest.raises(InvalidInput):
        answer_receiver(receiver=prod_row(sent), actor=org["officer_prod"], result="x", outcome="maybe")
    assert prod_row(sent).state == Receiver.State.SENT  # nothing saved

    answer_receiver(receiver=prod_row(sent), actor=org["officer_prod"], result="已安排一半", outcome="partly",
                    outcome_reason="ignored unless refused")
    row = prod_row(sent)
    assert (row.outcome, row.outcome_reason) == ("partly", "")
    finance = Receiver.objects.get(item=sent, unit__code="finance")
    answer_receiver(receiver=finance, actor=finance.unit.head, result="预算不足", outcome="rejected",
                    outcome_reason="本年度预算已用完")
    assert Receiver.objects.get(pk=finance.pk).get_outcome_display() == "不予采纳"


def test_the_outcome_shows_on_the_item_and_after_the_remarks_in_the_log(client, org, sent, tmp_path):
    answer_receiver(receiver=prod_row(sent), actor=org["officer_prod"], result="纳入下季度计划", outcome="planned")
    client.force_login(org["officer_market"])
    page = client.get(reverse("infoflow:item-detail", args=[sent.pk])).content.decode()
    assert "纳入计划" in page

    path = tmp_path / "log.xlsx"
    with LogWriter(str(path)) as writer:
        writer.write(log_rows(Item.objects.filter(pk=sent.pk)))
    sheet = load_workbook(path).worksheets[0]
    assert tuple(c.value for c in sheet[1]) == HEADERS  # the contract's 15 columns, unchanged
    assert sheet.cell(row=2, column=14).value.endswith("办理结果：生产部：纳入计划")


# --- follow tasks ----------------------------------------------------------------------------------


def test_a_task_owner_typed_into_the_post_from_outside_the_units_is_refused(client, org, sent, prod_staff):
    """The owner gets sight of the item: an id of someone outside the
    receiving unit and the item's unit (the form does not offer them) must
    not be accepted, by the service nor through the page."""
    row = prod_row(sent)
    answer_receiver(receiver=row, actor=org["officer_prod"], result="已部分整改", next_steps="完成剩余整改")
    row = prod_row(sent)
    with pytest.raises(InvalidInput, match="责任人"):
        add_follow_task(receiver=row, actor=org["officer_prod"], owner=org["outsider"], what="整改",
                        due_date=dt.date(2026, 3, 13))
    client.force_login(org["officer_prod"])
    url = reverse("infoflow:follow-task-add", args=[sent.pk, row.pk])
    page = client.get(reverse("infoflow:item-detail", args=[sent.pk])).content.decode()
    assert 'value="%d"' % prod_staff.pk in page and 'value="%d"' % org["outsider"].pk not in page
    response = client.post(url, {"owner": org["outsider"].pk, "what": "整改", "due_date": "2026-03-13"}, follow=True)
    assert "责任人" in response.content.decode()
    assert not FollowTask.objects.exists()
    assert not items_visible_to(org["outsider"]).filter(pk=sent.pk).exists()
    client.post(url, {"owner": prod_staff.pk, "what": "整改", "due_date": "2026-03-13"})
    assert FollowTask.objects.get().owner == prod_staff


def test_next_steps_become_a_task_shown_until_done(client, org, sent, prod_staff):
    row = prod_row(sent)
    with pytest.raises(StateConflict):  # not answered yet
        add_follow_task(receiver=row, actor=org["officer_prod"], owner=prod_staff, what="整改",
                        due_date=dt.date(2026, 3, 13))
    answer_receiver(receiver=row, actor=org["officer_prod"], result="已部分整改", next_steps="完成剩余整改",
                    outcome="partly")
    row = prod_row(sent)
    with pytest.raises(NotAllowed):
        add_follow_task(receiver=row, actor=org["outsider"], owner=prod_staff, what="整改",
                        due_date=dt.date(2026, 3, 13))
    with pytest.raises(InvalidInput, match="不是工作日"):
        add_follow_task(receiver=row, actor=org["officer_prod"], owner=prod_staff, what="整改",
                        due_date=dt.date(2026, 3, 14))  # a Saturday
    with pytest.raises(InvalidInput):
        add_follow_task(receiver=row, actor=org["officer_prod"], owner=prod_staff, what="  ",
                        due_date=dt.date(2026, 3, 13))
    assert not items_visible_to(prod_staff).filter(pk=sent.pk).exists()

    task = add_follow_task(receiver=row, actor=org["officer_prod"], owner=prod_staff, what="完成剩余整改",
                           due_date=dt.date(2026, 3, 13))
    assert task.due_at == _at(2026, 3, 13, 17, 30)  # the end of that working day
    assert items_visible_to(prod_staff).filter(pk=sent.pk).exists()  # the owner sees the item
    assert Notification.objects.filter(recipient=prod_staff, key="followtask:%d:given" % task.pk).exists()
    client.force_login(org["officer_market"])
    page = client.get(reverse("infoflow:item-detail", args=[sent.pk])).content.decode()
    assert "完成剩余整改" in page and "落实中" in page

    with pytest.raises(NotAllowed):
        finish_follow_task(task=task, actor=org["employee"], result="done")
    finish_follow_task(task=task, actor=prod_staff, result="已全部整改")
    with pytest.raises(StateConflict):
        finish_follow_task(task=task, actor=prod_staff, result="again")
    task.refresh_from_db()
    assert (task.state, task.done_by) == (FollowTask.State.DONE, prod_staff)
    assert task.history.count() == 2
    assert LoopEvent.objects.filter(item=sent, kind="task").count() == 2


def _sweep(moment):
    with time_machine.travel(moment, tick=False):
        sweeps.run(now=moment)


def test_a_follow_task_is_reminded_once_then_late_once(org, sent, prod_staff):
    answer_receiver(receiver=prod_row(sent), actor=org["officer_prod"], result="部分完成", outcome="partly")
    task = add_follow_task(receiver=prod_row(sent), actor=org["officer_prod"], owner=prod_staff, what="复查",
                           due_date=dt.date(2026, 3, 13))  # Friday 17:30
    keys = lambda: sorted(Notification.objects.filter(key__startswith="followtask:%d:" % task.pk)  # noqa: E731
                          .exclude(key__endswith=":given").values_list("key", flat=True))
    _sweep(_at(2026, 3, 11, 10, 0))
    assert keys() == []
    _sweep(_at(2026, 3, 12, 17, 31))  # the working day before
    assert keys() == ["followtask:%d:reminder" % task.pk]
    _sweep(_at(2026, 3, 12, 17, 32))
    assert Notification.objects.filter(key="followtask:%d:reminder" % task.pk).count() == 1
    # Down over the deadline for a weekend: one late notice on return, owner and giver.
    _sweep(_at(2026, 3, 16, 9, 0))
    _sweep(_at(2026, 3, 16, 10, 0))
    late = Notification.objects.filter(key="followtask:%d:overdue" % task.pk)
    assert sorted(late.values_list("recipient__username", flat=True)) == ["officer_prod", "worker_prod"]


# --- 呈报 -------------------------------------------------------------------------------------------


def test_a_receiver_sends_the_item_up_their_line(client, org, sent):
    with pytest.raises(InvalidInput):
        escalate_item(item=sent, actor=org["officer_prod"], note="")
    with pytest.raises(NotAllowed):
        escalate_item(item=sent, actor=org["employee"], note="请领导定夺")

    up = escalate_item(item=sent, actor=org["officer_prod"], note="交叉工作意见分歧，请部门负责人定夺")
    assert list(up.superiors.all()) == [org["head_prod"]]
    up = escalate_item(item=sent, actor=org["head_prod"], note="需分管领导协调")
    assert list(up.superiors.all()) == [org["leader"]]
    assert items_visible_to(org["leader"]).filter(pk=sent.pk).exists()
    assert Notification.objects.filter(recipient=org["leader"], key="escalation:%d" % up.pk).exists()
    # The note stays on the item page; the notice only names the item.
    assert "需分管领导协调" not in Notification.objects.get(recipient=org["leader"], key="escalation:%d" % up.pk).body
    assert Escalation.history.count() == 2

    client.force_login(org["leader"])
    page = client.get(reverse("infoflow:item-detail", args=[sent.pk])).content.decode()
    assert "需分管领导协调" in page and "呈报" in page


def test_a_reviewer_goes_up_the_escalation_ladder(client, org, make_item, frozen):
    item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])
    # The unit head's stage: the ladder (data, defaults) names the item unit's supervising leader.
    up = escalate_item(item=item, actor=org["head_market"], note="请分管领导先行指示")
    assert list(up.superiors.all()) == [org["leader"]]
    client.force_login(org["officer_prod"])  # not on the path: the page does not exist for them
    assert client.get(reverse("infoflow:escalate", args=[item.pk])).status_code == 404
    client.force_login(org["officer_market"])  # sees the item, neither reviewer nor receiver: 403
    assert client.get(reverse("infoflow:escalate", args=[item.pk])).status_code == 403
    client.force_login(org["head_market"])
    response = client.post(reverse("infoflow:escalate", args=[item.pk]), {"note": ""})
    assert response.status_code == 200 and Escalation.objects.count() == 1  # the form again


def test_the_general_manager_has_nobody_above(org, make_item, frozen):
    item = make_item(receivers=[{"kind": "user", "user": org["gm"]}])
    item = submit_item(item=item, actor=org["officer_market"])
    approve_step(step=open_step(item), actor=org["head_market"]) if open_step(item) else None
    item = Item.objects.get(pk=item.pk)
    if item.state == Item.State.APPROVED:
        transmit_item(item=item, actor=org["officer_market"], methods=["system"])
    with pytest.raises(InvalidInput, match="没有找到您的上级"):
        escalate_item(item=Item.objects.get(pk=item.pk), actor=org["gm"], note="?")


# --- relay to staff (转发) ------------------------------------------------------------------------------


def test_a_head_relays_to_the_staff_to_read_the_same_day(client, org, sent, prod_staff):
    with pytest.raises(NotAllowed):
        relay_to_staff(item=sent, actor=org["officer_prod"])  # an officer, not the head
    circulation = relay_to_staff(item=sent, actor=org["head_prod"], note="请当日阅知")
    assert circulation.remind_at == _at(2026, 3, 10, 17, 30)  # 不得隔日: the end of the same working day
    readers = CirculationReader.objects.filter(circulation=circulation)
    # Everyone in the department but the head: its officers are staff too.
    assert set(readers.values_list("user__username", flat=True)) == {"worker_prod", "officer_prod"}
    assert items_visible_to(prod_staff).filter(pk=sent.pk).exists()
    with pytest.raises(InvalidInput):
        relay_to_staff(item=sent, actor=org["head_prod"])  # everyone has it unread already
    assert LoopEvent.objects.filter(item=sent, kind="relay").count() == 1

    # One reminder to the unread at the end of the day, not again.
    _sweep(_at(2026, 3, 10, 17, 31))
    _sweep(_at(2026, 3, 10, 17, 40))
    assert Notification.objects.filter(recipient=prod_staff, key__endswith=":reminder").count() == 1

    client.force_login(org["officer_prod"])
    assert client.post(reverse("followup:relay", args=[sent.pk])).status_code == 403
    client.force_login(org["outsider"])
    assert client.post(reverse("followup:relay", args=[sent.pk])).status_code == 404


def test_end_of_working_day():
    assert end_of_working_day(_at(2026, 3, 10, 9, 30)) == _at(2026, 3, 10, 17, 30)
    assert end_of_working_day(_at(2026, 3, 10, 18, 0)) == _at(2026, 3, 11, 17, 30)  # after hours: next day
    assert end_of_working_day(_at(2026, 3, 14, 10, 0)) == _at(2026, 3, 16, 17, 30)  # Saturday: Monday


# --- study and implementation (学习/落实) -----------------------------------------------------------


def test_each_unit_confirms_study_once(client, org, sent):
    with pytest.raises(NotAllowed):
        require_study(item=sent, actor=org["officer_prod"])
    with pytest.raises(InvalidInput):
        require_study(item=sent, actor=org["officer_market"], due_date=dt.date(2026, 3, 15))  # Sunday
    made = require_study(item=sent, actor=org["officer_market"])
    assert [c.unit.code for c in made] == ["prod", "finance"]
    assert made[0].due_at == _at(2026, 3, 13, 17, 30)  # three working days, end of day
    with pytest.raises(StateConflict):
        require_study(item=sent, actor=org["secretary"])

    prod = StudyConfirmation.objects.get(item=sent, unit__code="prod")
    with pytest.raises(NotAllowed):
        confirm_study(confirmation=prod, actor=org["employee"], note="学了")
    with pytest.raises(InvalidInput):
        confirm_study(confirmation=prod, actor=org["officer_prod"], note="")
    confirm_study(confirmation=prod, actor=org["head_prod"], note="3月11日组织全体学习，已落实")
    with pytest.raises(StateConflict):
        confirm_study(confirmation=prod, actor=org["officer_prod"], note="again")
    prod.refresh_from_db()
    assert prod.state == StudyConfirmation.State.CONFIRMED and prod.confirmed_by == org["head_prod"]

    client.force_login(org["officer_market"])
    page = client.get(reverse("infoflow:item-detail", args=[sent.pk])).content.decode()
    assert "3月11日组织全体学习" in page and "待确认" in page
    url = reverse("infoflow:study-confirm", args=[sent.pk, StudyConfirmation.objects.get(unit__code="finance").pk])
    assert client.post(url, {"note": "x"}).status_code == 403


def test_an_unconfirmed_unit_is_reminded_once_and_late_once(org, sent):
    made = require_study(item=sent, actor=org["officer_market"], due_date=dt.date(2026, 3, 12))
    confirm_study(confirmation=made[0], actor=org["officer_prod"], note="已学习")
    finance = made[1]
    _sweep(_at(2026, 3, 11, 17, 31))
    _sweep(_at(2026, 3, 11, 18, 0))
    assert Notification.objects.filter(key="study:%d:reminder" % finance.pk).count() == 1
    assert not Notification.objects.filter(key="study:%d:reminder" % made[0].pk).exists()
    _sweep(_at(2026, 3, 13, 9, 0))
    _sweep(_at(2026, 3, 13, 10, 0))
    late = Notification.objects.filter(key="study:%d:overdue" % finance.pk)
    assert set(late.values_list("recipient__username", flat=True)) == {"head_finance", "officer_market"}


# --- the review checklist ------------------------------------------------------------------------


@pytest.fixture
def checklist(db):
    points = [ChecklistEntry.objects.create(text=t, scope="external", sort_order=n)
              for n, t in enumerate(["准确性", "完整性", "合规性", "必要性"])]
    ChecklistEntry.objects.create(text="格式与措辞", scope="publication", sort_order=9)
    return points


def _external(org, make_item):
    unit = ExternalUnitFactory(name="客户A公司")
    item = make_item(direction="external", receivers=[{"kind": "external", "external_unit": unit}],
                     transmission_methods="letter")
    return submit_item(item=item, actor=org["officer_market"])


def _decider(step):
    return step.assignees.order_by("pk").first().user


def test_an_external_approval_needs_the_required_points_ticked(client, org, make_item, frozen, checklist):
    item = _external(org, make_item)
    step = open_step(item)
    with pytest.raises(InvalidInput, match="准确性、完整性、合规性、必要性"):
        approve_step(step=step, actor=_decider(step))
    with pytest.raises(InvalidInput, match="必要性"):
        approve_step(step=step, actor=_decider(step), checked=[c.pk for c in checklist[:3]])
    assert not ChecklistTick.objects.exists()

    client.force_login(_decider(step))
    url = reverse("infoflow:review", args=[item.pk, step.pk])
    page = client.get(url).content.decode()
    assert "合规性" in page and "格式与措辞" not in page  # not a publication
    response = client.post(url, {"approve": "1", "opinion": "同意", "checklist": [checklist[0].pk]}, follow=True)
    assert "未勾选的必须项不能审核通过" in response.content.decode()
    client.post(url, {"approve": "1", "opinion": "同意", "checklist": [c.pk for c in checklist]})
    assert sorted(ChecklistTick.objects.values_list("text", flat=True)) == sorted(["准确性", "完整性", "合规性",
                                                                                   "必要性"])
    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()
    assert "☑准确性" in page and "☑必要性" in page


def test_batch_approval_shows_the_checklist_and_keeps_each_steps_ticks(client, org, make_item, frozen, checklist):
    """批量同意 at /items/reviews/: the external points are offered once; an
    approval without the required points is refused and named, one with them
    keeps the ticks (it used to refuse every external item: no list shown)."""
    item = _external(org, make_item)
    step = open_step(item)
    decider = _decider(step)
    assert not step.may_edit
    client.force_login(decider)
    page = client.get(reverse("infoflow:review-inbox")).content.decode()
    assert "对所选各条逐项核对后勾选" in page and "合规性" in page and "格式与措辞" not in page
    # The 必须 mark sits with the point's text, not next to the checkbox (Pico pulls an input's
    # next <small> up over it at 390 px, so the box could not be tapped).
    assert '<span>准确性 <small class="muted">必须</small></span>' in page

    response = client.post(reverse("infoflow:review-batch"),
                           {"steps": [step.pk], "checklist": [checklist[0].pk]}, follow=True)
    assert "完整性、合规性、必要性" in response.content.decode()
    step.refresh_from_db()
    assert step.state == "open" and not ChecklistTick.objects.exists()

    client.post(reverse("infoflow:review-batch"), {"steps": [step.pk], "checklist": [c.pk for c in checklist]})
    step.refresh_from_db()
    assert step.state != "open"
    assert sorted(ChecklistTick.objects.values_list("text", flat=True)) == sorted(["准确性", "完整性", "合规性",
                                                                                   "必要性"])


def test_the_review_form_keeps_the_required_mark_off_the_checkbox(client, org, make_item, frozen, checklist):
    item = _external(org, make_item)
    step = open_step(item)
    client.force_login(_decider(step))
    page = client.get(reverse("infoflow:review", args=[item.pk, step.pk])).content.decode()
    assert '<span>准确性 <small class="muted">必须</small></span>' in page


def test_an_internal_item_has_no_external_checklist(org, make_item, frozen, checklist):
    item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])
    approve_step(step=open_step(item), actor=org["head_market"])
    assert not ChecklistTick.objects.exists()


# --- seal use (用印) -----------------------------------------------------------------------------


def _sent_letter(org, make_item):
    item = _external(org, make_item)
    while (step := open_step(Item.objects.get(pk=item.pk))) is not None:
        user = _decider(step)
        if step.decider == "secretariat_pool":
            take_step(step=step, actor=user)
        approve_step(step=step, actor=user)
    transmit_item(item=Item.objects.get(pk=item.pk), actor=org["officer_market"], methods=["letter", "email"])
    return Item.objects.get(pk=item.pk)


def test_a_letter_records_its_seal_use(client, org, make_item, frozen):
    seal = Seal.objects.create(name="公章", keeper="办公室")
    retired = Seal.objects.create(name="旧合同章", is_active=False)
    item = _sent_letter(org, make_item)
    transmission = item.transmissions.get()
    approved_at = timezone.now()
    with pytest.raises(NotAllowed):
        record_seal_use(transmission=transmission, actor=org["officer_prod"], seal=seal, approved_by=org["gm"],
                        approved_at=approved_at)
    with pytest.raises(InvalidInput):
        record_seal_use(transmission=transmission, actor=org["officer_market"], seal=retired,
                        approved_by=org["gm"], approved_at=approved_at)
    with pytest.raises(InvalidInput):
        record_seal_use(transmission=transmission, actor=org["officer_market"], seal=seal, approved_by=org["gm"],
                        approved_at=timezone.now() + dt.timedelta(hours=1))
    # An approver the form does not offer (an employee's id typed into the POST) is refused.
    with pytest.raises(InvalidInput, match="审批人"):
        record_seal_use(transmission=transmission, actor=org["officer_market"], seal=seal,
                        approved_by=org["employee"].pk, approved_at=approved_at)
    use = record_seal_use(transmission=transmission, actor=org["officer_market"], seal=seal, approved_by=org["gm"],
                          approved_at=approved_at, copies=2)
    assert (use.transmission, use.approved_by, use.copies) == (transmission, org["gm"], 2)
    with pytest.raises(InvalidInput, match="已登记"):
        record_seal_use(transmission=transmission, actor=org["secretary"], seal=seal, approved_by=org["gm"],
                        approved_at=approved_at)

    client.force_login(org["officer_market"])
    page = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()
    assert "用印：公章 × 2" in page
    client.force_login(org["auditor"])  # sees the item, may not record
    url = reverse("infoflow:seal-use", args=[item.pk, transmission.pk])
    assert client.post(url, {"seal": seal.pk}).status_code == 403


def test_a_message_that_is_not_a_letter_carries_no_seal(org, sent):
    seal = Seal.objects.create(name="公章")
    with pytest.raises(StateConflict):  # internal item
        record_seal_use(transmission=sent.transmissions.get(), actor=org["officer_market"], seal=seal,
                        approved_by=org["gm"], approved_at=timezone.now())
    assert not SealUse.objects.exists()


# --- the paper original's location after archiving -------------------------------------------------


@pytest.fixture
def archived(org, sent, frozen):
    for row in Receiver.objects.filter(item=sent).order_by("pk"):
        answer_receiver(receiver=row, actor=row.unit.head, result="已办结", outcome="done")
    return archive_item(item=Item.objects.get(pk=sent.pk), actor=None)


def test_the_paper_location_is_a_sealed_addition(client, org, archived):
    with pytest.raises(ArchiveNotAllowed):
        record_paper_location(record=archived, actor=org["officer_market"], location="档案室 A-1")
    with pytest.raises(ArchiveInvalid):
        record_paper_location(record=archived, actor=org["secretary"], location="  ")
    first = record_paper_location(record=archived, actor=org["secretary"], location="档案室 A-1")
    with pytest.raises(ArchiveInvalid, match="更正原因"):
        record_paper_location(record=archived, actor=org["secretary"], location="档案室 B-2")
    record_paper_location(record=archived, actor=org["secretary"], location="档案室 B-2", reason="柜号登记错")
    archived.refresh_from_db()
    assert archived.paper_location == ""  # the sealed record never changes
    assert location_in_force(archived) == "档案室 B-2"
    assert PaperLocation.objects.count() == 2 and first.position == archived.position + 1
    assert verify(check_files=False).ok

    client.force_login(org["secretary"])
    page = client.get(reverse("archive:record-detail", args=[archived.pk])).content.decode()
    assert "档案室 B-2" in page and "柜号登记错" in page
    client.force_login(org["officer_market"])
    url = reverse("archive:paper-location", args=[archived.pk])
    assert client.post(url, {"location": "x"}).status_code == 403


def test_a_changed_paper_location_fails_verification(org, archived):
    addition = record_paper_location(record=archived, actor=org["secretary"], location="档案室 A-1")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE archive_paperlocation SET location = 'X' WHERE id = %s", [addition.pk])
    failures = verify(check_files=False).failures
    assert [label for label, _message in failures] == ["纸质原件位置 #%d（档案 ID %d）" % (addition.position, archived.pk)]


def test_every_new_page_refuses_the_unseen_item(client, org, sent):
    client.force_login(org["outsider"])
    row = prod_row(sent)
    for url in (reverse("infoflow:follow-task-add", args=[sent.pk, row.pk]),
                reverse("infoflow:study-require", args=[sent.pk]),
                reverse("infoflow:escalate", args=[sent.pk])):
        assert client.post(url, {"note": "x"}).status_code == 404, url


def test_the_demo_adds_the_checklist_seals_a_task_and_study_once(org, sent):
    from infoflow import demo_loop

    answer_receiver(receiver=prod_row(sent), actor=org["officer_prod"], result="部分完成",
                    next_steps="完成剩余整改", outcome="partly")
    assert demo_loop.seed() == 6 + 2 + 1 + 2  # checklist, seals, a follow task, a study request to two units
    assert FollowTask.objects.get().what == "完成剩余整改"
    assert StudyConfirmation.objects.filter(item=sent).count() == 2
    assert demo_loop.seed() == 0
