"""Reminders (issue 19 §2): one per recipient still to answer, a working day
before the deadline (working calendar), through the sweep; a second run
sends nothing; a sweep down for an hour catches up with one; those who
answered, or were asked after the reminder moment, are not reminded; an
external contact of a named survey is chased through its creator, of an
anonymous one through nobody. An open survey closes itself at its
deadline."""
import datetime as dt

import pytest
import time_machine

from liaison import sweeps
from liaison.models import Notification
from surveys import services
from surveys.models import Survey
from surveys.sweeps import reminder_at
from tests.factories import UserFactory
from tests.surveys.conftest import TZ, answer, build

pytestmark = pytest.mark.django_db


def _run(moment):
    with time_machine.travel(moment, tick=False):
        return sweeps.run(moment)


def _reminded(survey):
    return sorted(Notification.objects.filter(key__startswith="survey:%d:remind" % survey.pk)
                  .values_list("recipient__username", flat=True))


def test_the_reminder_is_a_working_day_before_across_a_holiday():
    due = dt.datetime(2025, 10, 9, 10, 0, tzinfo=TZ)  # 1–8 October 2025 are off

    assert reminder_at(due) == dt.datetime(2025, 9, 30, 10, 0, tzinfo=TZ)
    # Saturday 11 October 2025 is a 调休 workday: the reminder of a Monday deadline falls on it.
    assert reminder_at(dt.datetime(2025, 10, 13, 9, 0, tzinfo=TZ)) == dt.datetime(2025, 10, 11, 9, 0, tzinfo=TZ)


def test_non_respondents_are_reminded_once(open_survey, respondent):
    answer(open_survey, respondent)
    remind = reminder_at(open_survey.due_at)

    _run(remind - dt.timedelta(minutes=1))
    assert _reminded(open_survey) == []
    _run(remind)
    first = _reminded(open_survey)
    _run(remind + dt.timedelta(minutes=5))
    _run(open_survey.due_at + dt.timedelta(hours=1))

    assert first == ["employee", "head_market", "officer_market"]
    assert _reminded(open_survey) == first  # nothing more, and not the one who answered


def test_a_sweep_down_for_an_hour_catches_up_with_one_reminder(open_survey):
    remind = reminder_at(open_survey.due_at)
    _run(remind - dt.timedelta(hours=3))

    _run(remind + dt.timedelta(hours=1))
    _run(remind + dt.timedelta(hours=1, minutes=1))

    assert Notification.objects.filter(key__startswith="survey:%d:remind" % open_survey.pk,
                                       recipient__username="employee").count() == 1


def test_someone_asked_after_the_reminder_moment_is_not_reminded(open_survey, secretary):
    remind = reminder_at(open_survey.due_at)
    late = UserFactory(username="late_one")
    with time_machine.travel(remind + dt.timedelta(minutes=10), tick=False):
        services.add_recipients(survey=open_survey, actor=secretary, users=[late])

    _run(remind + dt.timedelta(minutes=20))

    assert "late_one" not in _reminded(open_survey)
    assert Notification.objects.filter(recipient=late, key__contains=":invite:").count() == 1


def test_a_closed_survey_reminds_nobody(open_survey, secretary):
    services.close_survey(survey=open_survey, actor=secretary)

    _run(reminder_at(open_survey.due_at))

    assert _reminded(open_survey) == []


def test_external_contacts_are_chased_through_the_creator_of_a_named_survey_only(open_survey, named_survey,
                                                                               secretary):
    for survey in (open_survey, named_survey):
        _run(reminder_at(survey.due_at))

    named = Notification.objects.filter(recipient=secretary, key__contains=":remind-contact:")
    assert [n.key.split(":")[1] for n in named] == [str(named_survey.pk)]
    assert "外联系人QZCONTACT" in named[0].body


def test_the_reminder_names_the_survey_and_the_deadline(open_survey, employee):
    _run(reminder_at(open_survey.due_at))

    notice = Notification.objects.get(recipient=employee, key__contains=":remind:")
    assert open_survey.title in notice.subject
    assert "2025-11-10 09:30" in notice.body


def test_a_survey_opened_after_hours_counts_from_the_next_morning(secretary, employee):
    survey = build(secretary, days=1)
    services.add_recipients(survey=survey, actor=secretary, users=[employee])

    with time_machine.travel(dt.datetime(2025, 9, 30, 18, 30, tzinfo=TZ), tick=False):
        survey = services.open_survey(survey=survey, actor=secretary)

    assert survey.due_at == dt.datetime(2025, 10, 9, 17, 30, tzinfo=TZ)


def test_an_open_survey_closes_itself_at_its_deadline_once(open_survey, secretary, leader):
    services.set_viewers(survey=open_survey, actor=secretary, users=[leader])

    _run(open_survey.due_at - dt.timedelta(minutes=1))
    assert Survey.objects.get(pk=open_survey.pk).state == Survey.State.OPEN
    _run(open_survey.due_at + dt.timedelta(hours=1))  # an hour down: caught up once
    _run(open_survey.due_at + dt.timedelta(hours=2))

    survey = Survey.objects.get(pk=open_survey.pk)
    assert survey.state == Survey.State.CLOSED and survey.closed_at == open_survey.due_at
    assert survey.closed_by is None
    assert survey.history.filter(history_change_reason="deadline").count() == 1
    assert Notification.objects.filter(key="survey:%d:closed" % survey.pk, recipient=leader).count() == 1
