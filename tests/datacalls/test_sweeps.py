"""datacalls.sweeps through the one runner (liaison.sweeps): next
occurrences on schedule, reminders and escalation of late answers, closing
and the two-miss rule — each notice and flag once, however often it runs."""
import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from datacalls import services
from datacalls.models import Answer, Occurrence, ReplacementFlag
from liaison import sweeps
from liaison.models import Notification
from officers.models import ReplacementFlag as OfficerFlag
from tests.datacalls.conftest import TZ, make_call

pytestmark = pytest.mark.django_db


def run(moment):
    with time_machine.travel(moment, tick=False):
        return sweeps.run(moment)


def kinds(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_reminder_late_notice_and_escalation_each_once(sent, officer_market, head_market, leader):
    # Due Friday 2026-03-20 17:30: reminder a working day before, late notice
    # at the due time to officer and head, escalation a working day later.
    run(dt.datetime(2026, 3, 19, 9, 0, tzinfo=TZ))
    run(dt.datetime(2026, 3, 19, 17, 31, tzinfo=TZ))
    run(dt.datetime(2026, 3, 19, 17, 32, tzinfo=TZ))
    run(dt.datetime(2026, 3, 20, 17, 31, tzinfo=TZ))
    run(dt.datetime(2026, 3, 20, 18, 0, tzinfo=TZ))
    run(dt.datetime(2026, 3, 23, 17, 31, tzinfo=TZ))
    run(dt.datetime(2026, 3, 24, 9, 0, tzinfo=TZ))

    assert kinds(officer_market) == ["task", "reminder", "overdue"]
    assert kinds(head_market) == ["overdue"]
    assert kinds(leader) == ["escalation", "escalation"]  # one for each late unit (market, prod)


def test_submitted_answer_is_not_chased(market_answer, officer_market, head_market):
    services.submit_answer(answer=market_answer, actor=officer_market, raw={"opinion": "x"})

    run(dt.datetime(2026, 3, 24, 9, 0, tzinfo=TZ))

    assert kinds(officer_market) == ["task"]
    assert kinds(head_market) == []


def test_escalation_waits_over_the_national_day_week(secretary, market, officer_market, leader):
    call = make_call(secretary, [market], due_on=dt.date(2025, 9, 30))
    with time_machine.travel(dt.datetime(2025, 9, 22, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)

    run(dt.datetime(2025, 10, 1, 9, 0, tzinfo=TZ))
    run(dt.datetime(2025, 10, 8, 18, 0, tzinfo=TZ))
    before = kinds(leader)
    run(dt.datetime(2025, 10, 9, 17, 30, tzinfo=TZ))

    assert before == []
    assert kinds(leader) == ["escalation"]


def test_quarterly_call_opens_next_occurrence_on_schedule(secretary, market, officer_market):
    # "One week before quarter end": Q3 2025 due 23 September.
    call = make_call(secretary, [market], schedule="quarterly", due_on=None, anchor="end", offset_days=-7)
    with time_machine.travel(dt.datetime(2025, 8, 1, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)

    run(dt.datetime(2025, 9, 30, 23, 0, tzinfo=TZ))
    run(dt.datetime(2025, 10, 1, 0, 1, tzinfo=TZ))
    run(dt.datetime(2025, 10, 1, 0, 2, tzinfo=TZ))

    assert list(call.occurrences.order_by("period_start").values_list("period", flat=True)) == ["2025Q3", "2025Q4"]
    q4 = call.occurrences.get(period="2025Q4")
    assert q4.due_at == dt.datetime(2025, 12, 24, 17, 30, tzinfo=TZ)
    assert q4.answers.count() == 1


def test_occurrence_closes_after_five_working_days_counting_the_tiaoxiu_sunday(secretary, market, officer_market):
    call = make_call(secretary, [market], due_on=dt.date(2025, 9, 23))
    with time_machine.travel(dt.datetime(2025, 9, 1, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    occurrence = call.occurrences.get()

    run(dt.datetime(2025, 9, 29, 17, 0, tzinfo=TZ))
    still_open = Occurrence.objects.get(pk=occurrence.pk).closed_at is None
    run(dt.datetime(2025, 9, 29, 17, 30, tzinfo=TZ))

    # 24, 25, 26, 28 (Sunday worked), 29 September: five working days.
    assert still_open
    occurrence.refresh_from_db()
    assert occurrence.closed_at == dt.datetime(2025, 9, 29, 17, 30, tzinfo=TZ)
    assert occurrence.answers.get().state == Answer.State.MISSED


def test_two_consecutive_misses_raise_exactly_one_flag(secretary, market, prod, officer_market, officer_prod,
                                                       head_market, settings):
    hr = secretary  # holds hr_admin in the personas
    call = make_call(secretary, [market, prod], schedule="monthly", due_on=None, anchor="end", offset_days=-5,
                     close_after_days=2)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=call, actor=secretary)
    # prod answers every month; market never does.
    for month in (1, 2, 3):
        moment = dt.datetime(2026, month, 10, 9, 0, tzinfo=TZ)
        run(moment)
        answer = Answer.objects.get(occurrence__call=call, occurrence__period="2026-%02d" % month, unit=prod)
        with time_machine.travel(moment, tick=False):
            services.submit_answer(answer=answer, actor=officer_prod, raw={"opinion": "有"})
        for minute in range(3):  # sweeps run again and again
            run(dt.datetime(2026, month + 1, 3, 9, minute, tzinfo=TZ))

    flags = list(ReplacementFlag.objects.all())
    assert len(flags) == 1
    flag = flags[0]
    assert flag.unit == market
    assert flag.officer.user == officer_market
    assert sorted(flag.occurrences.values_list("period", flat=True)) == ["2026-01", "2026-02", "2026-03"]
    assert Notification.objects.filter(key="datacall:flag:%d" % flag.pk).count() == 2  # head and HR
    assert {n.recipient for n in Notification.objects.filter(key="datacall:flag:%d" % flag.pk)} == {head_market, hr}
    # The same case is the officer's replacement flag where HR keeps or replaces (officers.flags).
    officer_flags = list(OfficerFlag.objects.filter(rule=OfficerFlag.Rule.DATA_CALLS))
    assert len(officer_flags) == 1 and officer_flags[0].officer == flag.officer
    assert len(officer_flags[0].evidence["records"]) == 3


def test_consecutive_calls_mode_counts_misses_across_calls(secretary, market, officer_market):
    first = make_call(secretary, [market], title="一", due_on=dt.date(2026, 3, 20), two_miss="consecutive")
    second = make_call(secretary, [market], title="二", due_on=dt.date(2026, 4, 20), two_miss="consecutive")
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        services.send_call(call=first, actor=secretary)
        services.send_call(call=second, actor=secretary)

    run(dt.datetime(2026, 5, 10, 9, 0, tzinfo=TZ))
    run(dt.datetime(2026, 5, 10, 9, 1, tzinfo=TZ))

    assert ReplacementFlag.objects.filter(unit=market).count() == 1


def test_one_miss_raises_no_flag(sent, officer_market):
    run(dt.datetime(2026, 4, 10, 9, 0, tzinfo=TZ))

    assert not ReplacementFlag.objects.exists()
    assert sent.occurrences.get().closed_at is not None


def test_sweep_run_twice_at_the_same_moment_sends_nothing_more(sent):
    moment = dt.datetime(2026, 3, 23, 17, 31, tzinfo=TZ)
    first = run(moment)

    second = run(moment)

    assert len(first) > 0 and second == []


def test_send_reminders_command_prints_data_call_notices(sent):
    out = io.StringIO()

    with time_machine.travel(dt.datetime(2026, 3, 20, 17, 31, tzinfo=TZ), tick=False):
        call_command("send_reminders", stdout=out)

    assert out.getvalue().strip().splitlines()[-1].startswith("sent: ")
    assert out.getvalue().strip().splitlines()[-1] != "sent: 0"
