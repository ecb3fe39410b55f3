"""Appointments, contact changes and the change filings they cause."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from liaison.errors import FilingAlreadyRecorded, OfficerError, OfficerNotActive, PrimaryOfficerExists
from liaison.workdays import add_working_days
from officers.models import ChangeFiling, ExternalUnit, Officer, Registration
from officers.selectors import units_without_active_officer
from officers.services import (
    appoint_officer,
    end_appointment,
    record_filing,
    update_officer_contact,
)
from tests.factories import ExternalUnitFactory, OfficerFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def regulator(db):
    return ExternalUnitFactory(name="市场监督管理局", kind=ExternalUnit.Kind.REGULATOR)


@pytest.fixture
def market_officer(market):
    return OfficerFactory(
        unit=market, user__username="zhang", user__first_name="张三", phone="13811112222", appointed_on=date(2026, 1, 5)
    )


@pytest.fixture
def registration(market, market_officer, regulator):
    return Registration.objects.create(
        unit=market,
        body=regulator,
        officer=market_officer,
        registered_name="张三",
        registered_phone="13811112222",
    )


# --- one primary per unit -------------------------------------------------------------


def test_second_primary_is_refused_with_a_message(secretary, market, market_officer):
    newcomer = UserFactory(username="li", first_name="李雷")

    with pytest.raises(PrimaryOfficerExists) as error:
        appoint_officer(user=newcomer, unit=market, actor=secretary, phone="13900001111")

    assert error.value.message == "市场部 已有在岗主联络员 张三。请先结束其任命，或选择替换现任主联络员。"
    assert Officer.objects.filter(unit=market).count() == 1


def test_deputy_may_join_an_active_primary(secretary, market, market_officer):
    deputy = UserFactory(username="li", first_name="李雷")

    officer = appoint_officer(user=deputy, unit=market, actor=secretary, phone="13900001111", is_primary=False)

    assert officer.status == Officer.Status.ACTIVE
    assert Officer.objects.filter(unit=market, status="active").count() == 2


def test_same_user_cannot_hold_two_posts_in_one_unit(secretary, market, market_officer):
    with pytest.raises(OfficerError) as error:
        appoint_officer(
            user=market_officer.user, unit=market, actor=secretary, phone="13900001111", is_primary=False
        )

    assert error.value.message == "张三 已是市场部的在岗联络员。"


@time_machine.travel(at(2026, 3, 2, 10, 0), tick=False)
def test_replace_marks_the_old_primary_replaced(secretary, market, market_officer):
    newcomer = UserFactory(username="li", first_name="李雷")

    officer = appoint_officer(
        user=newcomer, unit=market, actor=secretary, phone="13900001111", appointed_on=date(2026, 3, 2), replace=True
    )

    market_officer.refresh_from_db()
    assert market_officer.status == Officer.Status.REPLACED
    assert market_officer.ended_on == date(2026, 3, 2)
    assert officer.is_primary and officer.is_active
    latest = market_officer.history.order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (secretary, "end_appointment")
    assert officer.history.get().history_user == secretary


def test_database_refuses_two_active_primaries(market, market_officer):
    with pytest.raises(IntegrityError), transaction.atomic():
        OfficerFactory(unit=market)


def test_officer_without_hr_rights_cannot_appoint(market, officer_prod):
    with pytest.raises(PermissionDenied):
        appoint_officer(user=officer_prod, unit=market, actor=officer_prod, phone="13900001111")


# --- ending ---------------------------------------------------------------------------


@time_machine.travel(at(2026, 4, 1, 9, 30), tick=False)
def test_end_appointment_keeps_the_row_and_flags_the_unit(secretary, market, market_officer):
    end_appointment(officer=market_officer, actor=secretary, status=Officer.Status.LEFT)

    market_officer.refresh_from_db()
    assert market_officer.status == Officer.Status.LEFT
    assert market_officer.ended_on == date(2026, 4, 1)
    assert market in units_without_active_officer()
    assert market_officer.history.order_by("-history_id").first().history_user == secretary


def test_ending_twice_is_refused(secretary, market_officer):
    end_appointment(officer=market_officer, actor=secretary, status=Officer.Status.SUSPENDED)

    with pytest.raises(OfficerNotActive) as error:
        end_appointment(officer=market_officer, actor=secretary)

    assert error.value.message == "市场部 · 张三 当前状态为“暂停”，不能再结束任命。"


def test_end_with_an_active_status_is_refused(secretary, market_officer):
    with pytest.raises(OfficerError):
        end_appointment(officer=market_officer, actor=secretary, status=Officer.Status.ACTIVE)


def test_end_before_appointment_is_refused(secretary, market_officer):
    with pytest.raises(OfficerError) as error:
        end_appointment(officer=market_officer, actor=secretary, ended_on=date(2000, 1, 1))

    assert error.value.message == "离任日期不能早于任命日期。"


def test_auditor_cannot_end_an_appointment(auditor, market_officer):
    with pytest.raises(PermissionDenied):
        end_appointment(officer=market_officer, actor=auditor)

    market_officer.refresh_from_db()
    assert market_officer.is_active


# --- filings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changed, due",
    [
        # Thursday before the Mid-Autumn holiday (Fri 25 – Sun 27): Mon 28, then Tue 29.
        (at(2026, 9, 24, 10, 0), at(2026, 9, 29, 10, 0)),
        # On the holiday itself: counts from Monday 09:00, two full days end Tuesday 17:30.
        (at(2026, 9, 25, 10, 0), at(2026, 9, 29, 17, 30)),
        # Before National Day (Oct 1–7 off): Thu 8 and Fri 9.
        (at(2026, 9, 30, 15, 0), at(2026, 10, 9, 15, 0)),
        # Friday before the 调休 Saturday Oct 10, which counts: Sat 10 then Mon 12.
        (at(2026, 10, 9, 16, 0), at(2026, 10, 12, 16, 0)),
    ],
)
def test_contact_change_filing_is_due_in_two_working_days(secretary, registration, market_officer, changed, due):
    with time_machine.travel(changed, tick=False):
        update_officer_contact(officer=market_officer, actor=secretary, phone="13933334444")

    filing = registration.filings.get()
    assert filing.reason == ChangeFiling.Reason.CONTACT_CHANGED
    assert filing.changed_at == changed
    assert filing.due_at == add_working_days(changed, 2)
    assert filing.due_at == due
    assert filing.detail == "张三：电话 13811112222 → 13933334444"


def test_filing_limit_is_a_setting(settings, secretary, registration, market_officer):
    settings.OFFICER_CHANGE_FILING_WORKING_DAYS = 5
    changed = at(2026, 9, 24, 10, 0)

    with time_machine.travel(changed, tick=False):
        update_officer_contact(officer=market_officer, actor=secretary, email="z@example.com")

    assert registration.filings.get().due_at == add_working_days(changed, 5)


def test_unchanged_contact_opens_no_filing(secretary, registration, market_officer):
    update_officer_contact(officer=market_officer, actor=secretary, phone="13811112222")

    assert not registration.filings.exists()
    assert market_officer.history.count() == 1


def test_contact_of_an_ended_officer_cannot_change(secretary, registration, market_officer):
    end_appointment(officer=market_officer, actor=secretary)

    with pytest.raises(OfficerNotActive):
        update_officer_contact(officer=market_officer, actor=secretary, phone="13933334444")


def test_inactive_registration_gets_no_filing(secretary, registration, market_officer):
    registration.is_active = False
    registration.save()

    update_officer_contact(officer=market_officer, actor=secretary, phone="13933334444")

    assert not ChangeFiling.objects.exists()


@time_machine.travel(at(2026, 9, 24, 10, 0), tick=False)
def test_replacing_the_officer_opens_one_filing_and_moves_the_registration(secretary, market, registration, market_officer):
    newcomer = UserFactory(username="li", first_name="李雷")

    officer = appoint_officer(user=newcomer, unit=market, actor=secretary, phone="13900001111", replace=True)

    filing = registration.filings.get()
    registration.refresh_from_db()
    assert registration.officer == officer
    assert filing.reason == ChangeFiling.Reason.OFFICER_CHANGED
    assert filing.detail == "联络员由 张三 变更为 李雷（13900001111）"
    assert filing.due_at == at(2026, 9, 29, 10, 0)
    assert filing.history.get().history_user == secretary


@time_machine.travel(at(2026, 9, 24, 10, 0), tick=False)
def test_ending_the_registered_officer_opens_a_filing(secretary, registration, market_officer):
    end_appointment(officer=market_officer, actor=secretary, status=Officer.Status.LEFT)

    filing = registration.filings.get()
    registration.refresh_from_db()
    assert registration.officer is None
    assert filing.detail == "联络员 张三 已离任"


def test_deputy_contact_change_does_not_concern_the_primary_registration(secretary, market, registration, market_officer):
    deputy = appoint_officer(
        user=UserFactory(username="li"), unit=market, actor=secretary, phone="13900001111", is_primary=False
    )

    update_officer_contact(officer=deputy, actor=secretary, phone="13900002222")

    assert not registration.filings.exists()


def _contact_filing(secretary, market_officer, changed):
    with time_machine.travel(changed, tick=False):
        update_officer_contact(officer=market_officer, actor=secretary, phone="13933334444")
    return ChangeFiling.objects.get()


def test_filing_on_time_is_not_late(secretary, registration, market_officer):
    filing = _contact_filing(secretary, market_officer, at(2026, 9, 24, 10, 0))

    with time_machine.travel(at(2026, 9, 29, 9, 59), tick=False):
        record_filing(filing=filing, actor=secretary)

    filing.refresh_from_db()
    registration.refresh_from_db()
    assert filing.filed_at == at(2026, 9, 29, 9, 59)
    assert filing.filed_by == secretary
    assert not filing.is_late()
    assert registration.registered_phone == "13933334444"
    assert filing.history.order_by("-history_id").first().history_user == secretary


def test_filing_after_the_due_time_is_late(secretary, registration, market_officer):
    filing = _contact_filing(secretary, market_officer, at(2026, 9, 24, 10, 0))

    with time_machine.travel(at(2026, 9, 29, 10, 1), tick=False):
        overdue_before = filing.is_late()
        record_filing(filing=filing, actor=secretary)

    filing.refresh_from_db()
    assert overdue_before
    assert filing.is_late()


def test_filing_twice_is_refused(secretary, registration, market_officer):
    filing = _contact_filing(secretary, market_officer, at(2026, 9, 24, 10, 0))
    with time_machine.travel(at(2026, 9, 25, 10, 0), tick=False):
        record_filing(filing=filing, actor=secretary)

        with pytest.raises(FilingAlreadyRecorded) as error:
            record_filing(filing=filing, actor=secretary)

    assert error.value.message == "该变更已于 2026-09-25 10:00 报备，不能重复登记。"


def test_filing_in_the_future_or_before_the_change_is_refused(secretary, registration, market_officer):
    filing = _contact_filing(secretary, market_officer, at(2026, 9, 24, 10, 0))

    with time_machine.travel(at(2026, 9, 25, 10, 0), tick=False):
        with pytest.raises(OfficerError) as future:
            record_filing(filing=filing, actor=secretary, filed_at=at(2026, 9, 26, 10, 0))
        with pytest.raises(OfficerError) as before:
            record_filing(filing=filing, actor=secretary, filed_at=at(2026, 9, 23, 10, 0))

    assert future.value.message == "报备时间不能晚于当前时间。"
    assert before.value.message == "报备时间不能早于变更时间。"
    filing.refresh_from_db()
    assert filing.filed_at is None
