"""Two publishes of one draft, two confirmations of one read receipt, at once:
one wins, the other is told, nothing is applied twice (PostgreSQL only)."""
import datetime as dt
import threading

import pytest
from django.db import connection

from rules import services
from rules.errors import RulesStateConflict
from rules.models import ReadConfirmation, RuleVersion
from tests.factories import OfficerFactory, RoleFactory, UserFactory


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except RulesStateConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.fixture
def setup(db):
    secretaries = [UserFactory(username="rules_sec%d" % n) for n in range(2)]
    for user in secretaries:
        RoleFactory(user=user, role="secretariat")
    officer = OfficerFactory(user__username="rules_officer").user
    version = services.create_document(actor=secretaries[0], code="RACE", title="细则", number="V1",
                                       effective_on=dt.date(2026, 1, 1), text="正文")
    return secretaries, officer, version


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_publish_publishes_once(setup):
    (one, two), officer, version = setup

    outcomes = _race(lambda: services.publish_version(actor=one, version=version),
                     lambda: services.publish_version(actor=two, version=version))

    assert outcomes == ["ok", "refused"]
    assert RuleVersion.objects.get(pk=version.pk).history.filter(history_change_reason="publish").count() == 1
    assert ReadConfirmation.objects.filter(version=version, user=officer).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_confirm_confirms_once(setup):
    (one, _two), officer, version = setup
    services.publish_version(actor=one, version=version)

    outcomes = _race(lambda: services.confirm_reading(actor=officer, version=version),
                     lambda: services.confirm_reading(actor=officer, version=version))

    assert outcomes == ["ok", "refused"]
    row = ReadConfirmation.objects.get(version=version, user=officer)
    assert row.history.filter(history_change_reason="confirm").count() == 1
