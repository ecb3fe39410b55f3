"""Concurrent appointments to one unit (PostgreSQL only)."""
import threading

import pytest
from django.db import connection

from liaison.errors import PrimaryOfficerExists
from officers.models import Officer
from officers.services import appoint_officer
from tests.factories import OrgUnitFactory, UserFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_primaries_appointed_at_once_one_wins_one_is_told():
    unit = OrgUnitFactory(code="race", name="竞态部")
    candidates = [UserFactory(username="a"), UserFactory(username="b")]
    barrier = threading.Barrier(2)
    outcomes = []

    def appoint(user):
        try:
            barrier.wait()
            appoint_officer(user=user, unit=unit, actor=None, phone="13900001111")
            outcomes.append("ok")
        except PrimaryOfficerExists:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=appoint, args=(user,)) for user in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "refused"]
    assert Officer.objects.filter(unit=unit, status="active").count() == 1
