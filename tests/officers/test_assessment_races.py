"""Two people publishing one assessment at once (PostgreSQL only): the period
row is locked, so one publishes and the other is told it already was."""
import datetime as dt
import threading

import pytest
from django.db import connection

from officers.assessment import AssessmentStateConflict, open_period, publish_period
from officers.assessment_models import OfficerAward
from officers.models import Officer
from tests.factories import RoleFactory, UserFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_publications_at_once_one_wins_one_is_told(settings, officer_market):
    settings.ASSESSMENT_PASS = 0
    Officer.objects.update(appointed_on=dt.date(2025, 1, 1))
    hr = [UserFactory(username="hr_a"), UserFactory(username="hr_b")]
    for user in hr:
        RoleFactory(user=user, role="hr_admin")
    period = open_period(actor=hr[0], year=2026)
    barrier = threading.Barrier(2)
    outcomes = []

    def publish(user):
        try:
            barrier.wait()
            publish_period(actor=user, period=period)
            outcomes.append("ok")
        except AssessmentStateConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(user,)) for user in hr]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "refused"]
    assert OfficerAward.objects.count() == 1
