"""officers.flags: each replacement rule raises one flag per case across
repeated sweeps; keep (reason required) or replace (HR; ends the appointment
and opens the change filings); who sees and resolves."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from liaison.models import Notification
from officers.flags import (
    check_meeting_rule,
    flag_failed_assessment,
    flag_missed_calls,
    flags_visible_to,
    resolve_flag,
    sweep_meeting_absences,
)
from officers.models import ChangeFiling, ExternalUnit, Invitation, Meeting, Officer, Registration, ReplacementFlag
from officers.work_errors import WorkInvalid, WorkNotAllowed, WorkStateConflict

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def post(user):
    return Officer.objects.get(user=user, status=Officer.Status.ACTIVE)


def meeting(day, secretary, title="联络员例会", kind=Meeting.Kind.REGULAR):
    start = dt.datetime.fromisoformat(day + " 09:00").replace(tzinfo=SHANGHAI)
    return Meeting.objects.create(kind=kind, title=title, planned_on=start.date(), starts_at=start, agenda="议程",
                                  organiser=secretary)


def absent(user, m, attendance=Invitation.Attendance.ABSENT):
    return Invitation.objects.create(meeting=m, user=user, attendance=attendance)


def test_two_meetings_missed_without_leave_raise_one_flag_across_sweeps(officer_market, officer_prod, head_market,
                                                                        secretary):
    now = dt.datetime(2026, 6, 30, 10, tzinfo=SHANGHAI)
    absent(officer_market, meeting("2026-03-05", secretary))
    absent(officer_prod, meeting("2026-04-02", secretary), Invitation.Attendance.EXCUSED)  # leave: not counted
    assert sweep_meeting_absences(now) == 0
    absent(officer_market, meeting("2026-05-07", secretary))
    absent(officer_market, meeting("2026-05-08", secretary, "协调会", Meeting.Kind.COORDINATION))  # not 例会

    assert sweep_meeting_absences(now) == 1
    assert sweep_meeting_absences(now) == 0
    absent(officer_market, meeting("2026-06-04", secretary))
    assert sweep_meeting_absences(now) == 0  # a third absence joins the same case

    flag = ReplacementFlag.objects.get()
    assert (flag.officer.user, flag.rule, flag.case_key) == (officer_market, "meetings", "meetings:2026")
    assert [r["date"] for r in flag.evidence["records"]] == ["2026-03-05", "2026-05-07", "2026-06-04"]
    assert set(Notification.objects.filter(key="officerflag:%d" % flag.pk).values_list("recipient__username",
                                                                                        flat=True)) == {
        "head_market", "secretary"}


def test_meeting_rule_takes_counts_below_the_limit_raises_nothing(officer_market):
    assert check_meeting_rule(officer=post(officer_market), year=2026, absences=[{"label": "例会", "date": "2026-01-01"}]) is None


def test_missed_calls_raise_one_flag_per_run_of_misses(officer_market):
    officer = post(officer_market)
    records = [{"label": "月度经营数据 2026-01", "date": "2026-02-05"}, {"label": "月度经营数据 2026-02", "date": "2026-03-05"}]

    first, created = flag_missed_calls(officer=officer, first_occurrence_id=11, records=records)
    again, created_again = flag_missed_calls(officer=officer, first_occurrence_id=11, records=records)
    other, created_other = flag_missed_calls(officer=officer, first_occurrence_id=40, records=records)

    assert created and not created_again and created_other
    assert first == again != other
    assert ReplacementFlag.objects.filter(rule="data_calls").count() == 2


def test_failed_assessment_raises_one_flag_per_period(officer_market):
    officer = post(officer_market)

    flag_failed_assessment(officer=officer, period="2026", score="52.5", threshold=60)
    flag_failed_assessment(officer=officer, period="2026", score="52.5", threshold=60)

    flag = ReplacementFlag.objects.get()
    assert flag.rule == "assessment" and "52.5" in flag.summary


@pytest.fixture
def flag(officer_market):
    return flag_failed_assessment(officer=post(officer_market), period="2026", score=50, threshold=60)[0]


def test_head_keeps_the_officer_with_a_reason(flag, head_market):
    with pytest.raises(WorkInvalid, match="请填写处理理由。"):
        resolve_flag(flag=flag, actor=head_market, decision="keep", reason=" ")

    resolve_flag(flag=flag, actor=head_market, decision="keep", reason="已整改，表现好转")

    flag.refresh_from_db()
    assert flag.state == ReplacementFlag.State.KEPT and flag.resolved_by == head_market
    assert flag.officer.status == Officer.Status.ACTIVE
    assert flag.history.filter(history_change_reason="keep").count() == 1
    with pytest.raises(WorkStateConflict):
        resolve_flag(flag=flag, actor=head_market, decision="keep", reason="再次")


def test_hr_replaces_the_officer_which_starts_the_change_filing(flag, secretary, market, head_market):
    regulator = ExternalUnit.objects.create(name="市场监管局", kind=ExternalUnit.Kind.REGULATOR)
    Registration.objects.create(unit=market, body=regulator, officer=flag.officer, registered_name="张三",
                                registered_phone="13800000000")

    with pytest.raises(WorkNotAllowed):  # the head may keep, not replace
        resolve_flag(flag=flag, actor=head_market, decision="replace", reason="连续缺席")
    resolve_flag(flag=flag, actor=secretary, decision="replace", reason="考核不合格，更换")

    flag.refresh_from_db()
    assert flag.state == ReplacementFlag.State.REPLACED
    assert flag.officer.status == Officer.Status.REPLACED
    assert ChangeFiling.objects.filter(registration__unit=market, reason="officer_changed").count() == 1


def test_other_units_and_staff_neither_see_nor_resolve(flag, head_prod, officer_market, employee, auditor, client):
    with pytest.raises(WorkNotAllowed):
        resolve_flag(flag=flag, actor=head_prod, decision="keep", reason="x")
    for user in (head_prod, officer_market, employee, auditor):
        assert not flags_visible_to(user).exists()
        client.force_login(user)
        assert client.get(reverse("officers:flag", args=[flag.pk])).status_code == 404


def test_flag_page_resolves_for_the_head(flag, head_market, client):
    client.force_login(head_market)
    url = reverse("officers:flag", args=[flag.pk])
    assert client.get(reverse("officers:flags")).status_code == 200

    response = client.post(url, {"decision": "keep", "reason": "保留"})

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.state == ReplacementFlag.State.KEPT
    assert client.post(url, {"decision": "replace", "reason": "更换"}).status_code in (200, 403)


def test_datacalls_two_miss_rule_raises_the_officers_flag_once(secretary, market, prod, officer_market,
                                                               officer_prod, head_market):
    import time_machine

    from datacalls import services as calls
    from datacalls.models import Answer
    from liaison import sweeps
    from tests.datacalls.conftest import TZ, make_call

    call = make_call(secretary, [market, prod], schedule="monthly", due_on=None, anchor="end", offset_days=-5,
                     close_after_days=2)
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=TZ), tick=False):
        calls.send_call(call=call, actor=secretary)
    counts = []
    for month in (1, 2, 3):  # market never answers; prod always does
        moment = dt.datetime(2026, month, 10, 9, 0, tzinfo=TZ)
        with time_machine.travel(moment, tick=False):
            sweeps.run(moment)
            answer = Answer.objects.get(occurrence__call=call, occurrence__period="2026-%02d" % month, unit=prod)
            calls.submit_answer(answer=answer, actor=officer_prod, raw={"opinion": "有"})
        for minute in range(3):
            later = dt.datetime(2026, month + 1, 3, 9, minute, tzinfo=TZ)
            with time_machine.travel(later, tick=False):
                sweeps.run(later)
        counts.append(ReplacementFlag.objects.count())

    assert counts == [0, 1, 1]
    flag = ReplacementFlag.objects.get()
    assert (flag.officer.user, flag.rule) == (officer_market, "data_calls")
    assert len(flag.evidence["records"]) == 3  # the third miss joined the case
    assert not Notification.objects.filter(key="officerflag:%d" % flag.pk).exists()  # datacalls told them


def test_flag_list_has_a_fixed_number_of_queries(client, secretary, market, django_assert_max_num_queries):
    from tests.factories import OfficerFactory

    client.force_login(secretary)
    client.get(reverse("officers:flags"))
    with django_assert_max_num_queries(12):
        client.get(reverse("officers:flags"))
    for n in range(12):
        officer = OfficerFactory(unit=market, is_primary=False)
        flag_failed_assessment(officer=officer, period="2026", score=40 + n, threshold=60)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("officers:flags") + "?q=市场&state=open").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_raising_the_same_case_at_once_write_one_flag():
    import threading

    from django.db import connection

    from tests.factories import OfficerFactory

    officer = OfficerFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def raise_it():
        try:
            barrier.wait()
            outcomes.append(flag_failed_assessment(officer=officer, period="2026", score=40, threshold=60)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=raise_it) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [False, True]
    assert ReplacementFlag.objects.count() == 1
