"""The monthly report makes itself on the first working day of the month at 08:30 for the previous
month: once (a second run makes nothing), once after a sweep that did not run for a while, never over
a report the secretariat made first by hand."""
import datetime as dt

import pytest

from liaison import sweeps
from liaison.workdays import is_workday
from reports import services
from reports.models import AutoReport, Report
from reports.sweeps import month_due
from tests.reports.conftest import TZ

pytestmark = pytest.mark.django_db

APRIL_1 = dt.datetime(2026, 4, 1, 8, 30, tzinfo=TZ)  # a Wednesday, a working day


@pytest.fixture
def schedule(db):
    row, _created = AutoReport.objects.get_or_create(kind="monthly", defaults={"enabled": True})
    return row


def test_the_previous_months_report_is_made_at_0830_of_the_first_working_day_once(schedule, named_leader):
    sweeps.run(APRIL_1 - dt.timedelta(minutes=1))
    assert not Report.objects.exists()

    sent = sweeps.run(APRIL_1)
    again = sweeps.run(APRIL_1 + dt.timedelta(minutes=1))

    report = Report.objects.get()
    assert (report.kind, report.period, report.generated_by) == ("monthly", "2026-03", None)
    assert [n.key for n in sent] == ["report:%d:sent" % report.pk]
    assert again == []
    schedule.refresh_from_db()
    assert schedule.notice_at == month_due(2026, 5)


def test_a_sweep_down_for_days_makes_one_report(schedule):
    sweeps.run(dt.datetime(2026, 4, 3, 15, 0, tzinfo=TZ))
    sweeps.run(dt.datetime(2026, 4, 3, 16, 0, tzinfo=TZ))

    assert list(Report.objects.values_list("period", flat=True)) == ["2026-03"]


def test_a_report_made_by_hand_first_is_left_as_it_is(schedule, secretary):
    made = services.generate_report(kind="monthly", period_label="2026-03", actor=secretary,
                                    now=APRIL_1 - dt.timedelta(hours=1))

    sweeps.run(APRIL_1)

    assert list(Report.objects.values_list("pk", flat=True)) == [made.pk]


def test_a_holiday_moves_the_moment_to_the_next_working_day():
    moment = month_due(2026, 10)  # 1 October is National Day

    assert moment.date() > dt.date(2026, 10, 1) and is_workday(moment.date())
    assert not is_workday(dt.date(2026, 10, 1))


def test_a_disabled_schedule_makes_nothing(schedule):
    schedule.enabled = False
    schedule.save()

    sweeps.run(APRIL_1)

    assert not Report.objects.exists()
