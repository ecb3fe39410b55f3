"""Races on PostgreSQL (two threads released by a Barrier): the same
recipient answering twice at once stores one response; an answer and the
close at once leave either the answer before the close or no answer; two
closes close once; two opens send once."""
import threading

import pytest
import time_machine
from django.db import close_old_connections, connection

from liaison.models import Notification
from surveys import services
from surveys.errors import AlreadyAnswered, SurveyNotAccepting, SurveyStateConflict
from surveys.models import Response, Survey
from tests.surveys.conftest import OPENED, answers_for, build, recipient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, fn):
        try:
            barrier.wait()
            results[index] = fn()
        except Exception as exc:  # collected for the assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    close_old_connections()
    return results


def test_two_answers_of_one_recipient_at_once_store_one(open_survey, contact):
    row = recipient(open_survey, contact=contact)
    raw = answers_for(open_survey)

    with time_machine.travel(OPENED, tick=False):
        results = run_together([lambda: services.submit_response(recipient=row, answers=raw)] * 2)

    assert sum(isinstance(r, Response) for r in results) == 1
    assert sum(isinstance(r, AlreadyAnswered) for r in results) == 1
    assert Response.objects.filter(survey=open_survey).count() == 1
    assert Survey.objects.get(pk=open_survey.pk).responses_count == 1


def test_an_answer_and_the_close_at_once(open_survey, respondent, secretary):
    row = recipient(open_survey, respondent)
    raw = answers_for(open_survey)

    with time_machine.travel(OPENED, tick=False):
        results = run_together([lambda: services.submit_response(recipient=row, answers=raw),
                                lambda: services.close_survey(survey=open_survey, actor=secretary)])

    survey = Survey.objects.get(pk=open_survey.pk)
    assert survey.state == Survey.State.CLOSED
    stored = Response.objects.filter(survey=survey).count()
    assert stored == survey.responses_count
    assert (stored == 1) == isinstance(results[0], Response)
    assert stored == 1 or isinstance(results[0], SurveyNotAccepting)


def test_two_closes_close_once(open_survey, secretary):
    results = run_together([lambda: services.close_survey(survey=open_survey, actor=secretary)] * 2)

    assert sum(isinstance(r, SurveyStateConflict) for r in results) == 1
    assert Survey.objects.get(pk=open_survey.pk).history.filter(history_change_reason="close").count() == 1


def test_two_opens_send_once(secretary, employee):
    survey = build(secretary)
    services.add_recipients(survey=survey, actor=secretary, users=[employee])

    results = run_together([lambda: services.open_survey(survey=survey, actor=secretary)] * 2)

    assert sum(isinstance(r, SurveyStateConflict) for r in results) == 1
    assert Notification.objects.filter(recipient=employee, key__contains=":invite:").count() == 1
    assert survey.history.filter(history_change_reason="open").count() == 1
