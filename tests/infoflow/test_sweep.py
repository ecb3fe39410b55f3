"""The deadline sweep (infoflow/services/deadlines.py) with frozen time:
reminders at 75 % of the working time, overdue notices, escalation once per
working day across the 2026 National Day holiday and the 调休 Saturday
(2026-10-10), after hours and lunch, receivers, questions, archiving, filings;
idempotence (second sweep, retried task, catch-up) and send_reminders."""
import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from infoflow.models import Item, Receiver, ReviewStep
from infoflow.services.chain import approve_step, cancel_item, open_step, submit_item
from infoflow.services.deadlines import reminder_at, sweep
from infoflow.services.delivery import raise_question
from liaison.models import Notification
from officers.models import ChangeFiling, ExternalUnit, Registration
from tests.factories import RoleFactory, UserFactory

CST = dt.timezone(dt.timedelta(hours=8))


def at(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def run(moment):
    """One sweep at ``moment``: [(kind, username, key)]."""
    with time_machine.travel(moment, tick=False):
        return sorted((n.kind, n.recipient.username, n.key) for n in sweep())


def swept():
    """Notices the sweep wrote, not those of the item's own moves (which the
    services write in their transaction: "please review", "please sign")."""
    return Notification.objects.exclude(kind__in=("task", "other"))


def submitted(make_item, org, moment, **fields):
    """An item opened at the head of market (a cross-department item)."""
    with time_machine.travel(moment, tick=False):
        fields.setdefault("expected_feedback_at", moment + dt.timedelta(days=30))
        item = submit_item(item=make_item(needs_coordination=True, **fields), actor=org["officer_market"])
    return item, open_step(item)


def test_reminder_comes_at_three_quarters_of_the_working_time_not_counting_lunch(org, make_item):
    item, step = submitted(make_item, org, at("2026-03-10 09:30"))
    assignee = step.assignees.get()

    assert step.due_at == at("2026-03-11 09:30")
    # 5 h 15 of working time: 09:30–12:00, then 13:30–16:15 (lunch does not count).
    assert run(at("2026-03-10 16:14")) == []
    assert run(at("2026-03-10 16:15")) == [("reminder", "head_market", "step:%d:reminder" % assignee.pk)]
    assert run(at("2026-03-10 16:16")) == []
    notice = swept().get()
    assert notice.due_at == step.due_at
    assert notice.url == "/items/%d/" % item.pk or notice.url.endswith("/%d/" % item.pk)
    assert "审核提醒" in notice.subject and item.number in notice.subject


def test_nothing_is_sent_after_hours_for_a_step_opened_at_the_end_of_the_day(org, make_item):
    _item, step = submitted(make_item, org, at("2026-03-10 17:00"))

    assert step.due_at == at("2026-03-11 17:00")
    assert run(at("2026-03-10 23:00")) == []
    assert run(at("2026-03-11 15:14")) == []
    assert [k for k, _u, _key in run(at("2026-03-11 15:15"))] == ["reminder"]


def test_urgent_limit_in_plain_hours_reminds_in_plain_time(org, make_item, settings):
    # 紧急 counts working hours by default; a limit set in plain hours runs in clock time.
    settings.TIME_LIMITS = {**settings.TIME_LIMITS, "review": {**settings.TIME_LIMITS["review"], "urgent": (2, "hours")}}
    _item, step = submitted(make_item, org, at("2026-03-10 11:00"), urgency="urgent")

    assert step.due_at == at("2026-03-10 13:00")
    assert reminder_at(step.started_at, step.due_at, step.limit_unit) == at("2026-03-10 12:30")
    assert run(at("2026-03-10 12:29")) == []
    assert [k for k, _u, _key in run(at("2026-03-10 12:30"))] == ["reminder"]


def test_overdue_and_escalation_across_national_day_and_the_adjusted_saturday(org, make_item):
    _item, step = submitted(make_item, org, at("2026-09-30 10:00"))
    a = step.assignees.get().pk

    assert step.due_at == at("2026-10-08 10:00")  # 1 October–7 October are off
    assert run(at("2026-09-30 16:45")) == [("reminder", "head_market", "step:%d:reminder" % a)]
    assert run(at("2026-10-05 10:00")) == []  # holiday: not due yet
    assert run(at("2026-10-08 10:00")) == [("overdue", "head_market", "step:%d:overdue" % a)]
    assert run(at("2026-10-08 17:30")) == []
    assert run(at("2026-10-09 09:59")) == []
    assert run(at("2026-10-09 10:00")) == [("escalation", "leader", "step:%d:escalate:2026-10-09" % a)]
    assert run(at("2026-10-09 16:00")) == []
    # 10 October 2026 is a 调休 Saturday: a workday, so it escalates again.
    assert run(at("2026-10-10 10:00")) == [("escalation", "leader", "step:%d:escalate:2026-10-10" % a)]
    assert run(at("2026-10-11 12:00")) == []  # Sunday
    assert run(at("2026-10-12 10:00")) == [("escalation", "leader", "step:%d:escalate:2026-10-12" % a)]


def test_a_sweep_that_never_ran_catches_up_with_one_notice_per_case(org, make_item):
    _item, step = submitted(make_item, org, at("2026-09-30 10:00"))
    a = step.assignees.get().pk

    sent = run(at("2026-10-12 11:00"))

    assert sent == [
        ("escalation", "leader", "step:%d:escalate:2026-10-12" % a),
        ("overdue", "head_market", "step:%d:overdue" % a),
    ]
    assert run(at("2026-10-12 11:01")) == []


def test_one_hour_of_missed_sweeps_sends_each_reminder_once(org, make_item):
    steps = [submitted(make_item, org, at("2026-03-10 09:30"), subject="事项%d" % n)[1] for n in range(3)]

    sent = run(at("2026-03-10 17:15"))

    assert sorted(key for _k, _u, key in sent) == sorted("step:%d:reminder" % s.assignees.get().pk for s in steps)
    assert run(at("2026-03-10 17:16")) == []


def test_a_decided_step_gets_nothing_more(org, make_item):
    item, step = submitted(make_item, org, at("2026-03-10 09:30"))
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        approve_step(step=step, actor=org["head_market"])

    assert run(at("2026-03-12 10:00")) == []


def test_escalation_of_the_secretariat_pool_goes_to_the_secretariat_lead(org, make_item):
    lead = UserFactory(username="sec_lead")
    RoleFactory(user=lead, role="secretariat_lead")
    with time_machine.travel(at("2026-03-10 09:30"), tick=False):
        item = submit_item(item=make_item(kind="publication", release_channels=["intranet"]),
                           actor=org["officer_market"])
    step = open_step(item)
    assert step.decider == "secretariat_pool"

    sent = run(at("2026-03-12 10:00"))

    assert ("escalation", "sec_lead") in {(k, u) for k, u, _key in sent}
    assert ("overdue", "secretary") in {(k, u) for k, u, _key in sent}


def test_supervising_leader_overdue_escalates_to_the_general_manager(org, make_item):
    with time_machine.travel(at("2026-03-10 09:30"), tick=False):
        item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])
        approve_step(step=open_step(item), actor=org["head_market"])
    step = open_step(item)
    assert step.decider == "supervising_leader"

    sent = run(at("2026-03-12 10:00"))

    assert {(k, u) for k, u, _key in sent} == {("overdue", "leader"), ("escalation", "gm")}


def transmitted(make_item, org, moment, feedback):
    with time_machine.travel(moment, tick=False):
        item = submit_item(item=make_item(expected_feedback_at=feedback), actor=org["officer_market"])
        assert item.state == Item.State.TRANSMITTED  # routine: the portal sends it on submission
    return Item.objects.get(pk=item.pk)


def test_overdue_receipt_and_answer_go_to_the_initiator_and_the_receiving_officer_and_head(org, make_item):
    item = transmitted(make_item, org, at("2026-03-10 09:30"), feedback=at("2026-03-16 17:00"))
    receiver = item.receivers.get()
    assert receiver.response_due_at == at("2026-03-12 09:30")

    assert run(at("2026-03-12 09:29")) == []
    assert run(at("2026-03-12 09:30")) == [
        ("overdue", "head_prod", "receiver:%d:response" % receiver.pk),
        ("overdue", "officer_market", "receiver:%d:response" % receiver.pk),
        ("overdue", "officer_prod", "receiver:%d:response" % receiver.pk),
    ]
    assert run(at("2026-03-16 17:00")) == [
        ("overdue", "head_prod", "receiver:%d:answer" % receiver.pk),
        ("overdue", "officer_market", "receiver:%d:answer" % receiver.pk),
        ("overdue", "officer_prod", "receiver:%d:answer" % receiver.pk),
    ]
    assert run(at("2026-03-17 17:00")) == []


def test_an_acknowledged_receiver_gets_no_receipt_notice(org, make_item):
    from infoflow.services.delivery import acknowledge_receipt

    item = transmitted(make_item, org, at("2026-03-10 09:30"), feedback=at("2026-03-20 17:00"))
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        acknowledge_receipt(receiver=item.receivers.get(), actor=org["head_prod"])

    assert run(at("2026-03-13 10:00")) == []


def test_an_overdue_question_goes_to_the_responsible_units_head_and_officers(org, make_item):
    item = transmitted(make_item, org, at("2026-03-10 09:30"), feedback=at("2026-03-30 17:00"))
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        question = raise_question(receiver=item.receivers.get(), actor=org["head_prod"], kind="question",
                                  text="请明确回访名单格式。", responsible_unit=org["market"])
    assert question.due_at == at("2026-03-11 10:00")

    sent = [s for s in run(at("2026-03-11 10:00")) if s[2].startswith("question:")]

    assert sent == [("overdue", "head_market", "question:%d:overdue" % question.pk),
                    ("overdue", "officer_market", "question:%d:overdue" % question.pk)]


def test_a_question_on_a_cancelled_item_gets_no_overdue_notice_one_on_an_open_item_does(org, make_item):
    from_open = transmitted(make_item, org, at("2026-03-10 09:30"), feedback=at("2026-03-30 17:00"))
    from_cancelled = transmitted(make_item, org, at("2026-03-10 09:30"), feedback=at("2026-03-30 17:00"))
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        kept, dropped = (
            raise_question(receiver=item.receivers.get(), actor=org["head_prod"], kind="question",
                           text="请明确回访名单格式。", responsible_unit=org["market"])
            for item in (from_open, from_cancelled)
        )
        cancel_item(item=from_cancelled, actor=org["officer_market"], reason="重复发起")

    sent = {s[2] for s in run(at("2026-03-11 10:00")) if s[2].startswith("question:")}

    assert sent == {"question:%d:overdue" % kept.pk}
    assert not Notification.objects.filter(key="question:%d:overdue" % dropped.pk).exists()


def test_archive_due_goes_to_the_secretariat_after_the_grace(org, make_item, settings):
    settings.ARCHIVE_NOTICE_GRACE_MINUTES = 90
    item = transmitted(make_item, org, at("2026-03-10 09:30"), feedback=at("2026-03-30 17:00"))
    Item.objects.filter(pk=item.pk).update(state=Item.State.COMPLETED, completed_at=at("2026-03-10 10:00"))
    Receiver.objects.filter(item=item).update(state=Receiver.State.ANSWERED)

    assert run(at("2026-03-12 11:29")) == []  # due 12 March 10:00, plus the grace
    assert run(at("2026-03-12 11:30")) == [("archive_due", "secretary", "archive:%d" % item.pk)]
    assert run(at("2026-03-13 11:30")) == []


def test_officer_change_filing_due_and_late_go_to_hr(org):
    body = ExternalUnit.objects.create(name="市场监督管理局", kind=ExternalUnit.Kind.REGULATOR)
    registration = Registration.objects.create(unit=org["market"], body=body, registered_name="张三",
                                               registered_phone="13800000000")
    filing = ChangeFiling.objects.create(registration=registration, reason="officer_changed",
                                         changed_at=at("2026-03-09 10:00"), due_at=at("2026-03-11 10:00"))

    assert run(at("2026-03-09 12:00")) == []
    assert run(at("2026-03-10 10:00")) == [("filing_due", "secretary", "filing:%d:due" % filing.pk)]
    assert run(at("2026-03-11 10:00")) == [("filing_due", "secretary", "filing:%d:late" % filing.pk)]
    assert run(at("2026-03-12 10:00")) == []


def test_a_retried_task_sends_nothing_twice(org, make_item):
    from liaison.tasks import run_sweeps as send_reminders

    submitted(make_item, org, at("2026-03-10 09:30"))

    with time_machine.travel(at("2026-03-11 10:00"), tick=False):
        first = send_reminders.run()
        again = send_reminders.run()

    assert (first, again) == (1, 0)
    assert swept().count() == 1


def test_a_step_whose_cursor_was_lost_is_not_noticed_twice(org, make_item):
    _item, step = submitted(make_item, org, at("2026-03-10 09:30"))
    run(at("2026-03-11 10:00"))
    ReviewStep.objects.filter(pk=step.pk).update(notice_at=None)  # e.g. restored from an older backup

    assert run(at("2026-03-11 10:05")) == []


def test_delivery_is_queued_after_commit_once_per_batch(org, make_item, django_capture_on_commit_callbacks,
                                                        monkeypatch):
    queued = []
    monkeypatch.setattr("liaison.notifications.enqueue_pending", lambda: queued.append(1) or True)
    submitted(make_item, org, at("2026-03-10 09:30"))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sent = run(at("2026-03-11 10:00"))
    assert queued == []
    for callback in callbacks:
        callback()

    assert len(sent) == 1
    assert queued == [1]


def test_send_reminders_prints_a_line_per_notice_and_the_count(org, make_item):
    submitted(make_item, org, at("2026-03-10 09:30"))
    out = io.StringIO()

    with time_machine.travel(at("2026-03-11 10:00"), tick=False):
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[-1] == "sent: 0"
    assert lines[1] == "sent: 1"
    assert lines[0].split("\t")[:2] == ["overdue", "head_market"]
    assert timezone.localtime(swept().get().due_at).strftime("%Y-%m-%d %H:%M") in lines[0]


def test_opening_a_step_tells_its_assignee_once_after_commit(org, make_item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _item, step = submitted(make_item, org, at("2026-03-10 09:30"))

    notice = Notification.objects.get(kind="task")
    assert notice.recipient == org["head_market"]
    assert notice.key == "step:%d:opened" % step.assignees.get().pk
    assert notice.due_at == step.due_at


def test_an_hour_down_catches_up_with_one_notice_per_case_and_a_second_run_sends_nothing(org, make_item):
    """Beat was down from 09:00 to 10:05 on the day everything fell due: the
    first run after sends each case's notice once (not one per missed minute)."""
    _item, step = submitted(make_item, org, at("2026-03-10 09:30"))
    item = transmitted(make_item, org, at("2026-03-10 09:30"), feedback=at("2026-03-12 09:45"))
    receiver = item.receivers.get()

    first = run(at("2026-03-12 10:05"))
    again = run(at("2026-03-12 10:06"))

    assert sorted({key for _k, _u, key in first}) == sorted({
        "step:%d:overdue" % step.assignees.get().pk,
        "step:%d:escalate:2026-03-12" % step.assignees.get().pk,
        "receiver:%d:response" % receiver.pk,
        "receiver:%d:answer" % receiver.pk,
    })
    assert len(first) == swept().count()
    assert again == []
