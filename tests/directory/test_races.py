"""Two HR people confirm the same contacts import at once, or switch off the
same person from a sync report: one wins, the other is told, nothing is
written twice (PostgreSQL only)."""
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from directory.contacts import apply_import
from directory.errors import ImportRefused
from directory.models import ContactsImport, ExternalAccount, SyncReport
from directory.services import deactivate_from_report
from liaison.errors import LiaisonError
from liaison.models import AuditEntry
from officers.models import RoleAssignment
from tests.factories import RoleFactory, UserFactory

User = get_user_model()


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except (ImportRefused, LiaisonError):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def _hr(n):
    user = UserFactory(username="race_hr%d" % n)
    RoleFactory(user=user, role=RoleAssignment.Role.HR_ADMIN)
    return user


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_confirm_imports_once():
    one, two = _hr(1), _hr(2)
    record = ContactsImport.objects.create(source="wecom", created_by=one, data={
        "units": [{"id": "9", "name": "竞态部", "parent": ""}],
        "people": [{"id": "race-new", "name": "新人", "mobile": "13700000077", "email": "", "units": ["9"],
                    "active": True}]})

    outcomes = _race(lambda: apply_import(record=record, actor=one), lambda: apply_import(record=record, actor=two))

    assert outcomes == ["ok", "refused"]
    assert User.objects.filter(username="race-new").count() == 1
    assert ExternalAccount.objects.filter(source="wecom", external_id="race-new").count() == 1
    assert ContactsImport.objects.get(pk=record.pk).state == "applied"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_deactivation_from_a_report_switches_off_once():
    one, two = _hr(1), _hr(2)
    gone = UserFactory(username="race_gone")
    report = SyncReport.objects.create(rows=[{"kind": "missing", "username": "race_gone", "name": "",
                                              "user_id": gone.pk, "changes": {}}], missing_count=1)

    outcomes = _race(lambda: deactivate_from_report(report=report, user_id=gone.pk, actor=one),
                     lambda: deactivate_from_report(report=report, user_id=gone.pk, actor=two))

    assert outcomes == ["ok", "refused"]
    gone.refresh_from_db()
    assert not gone.is_active
    assert AuditEntry.objects.filter(action="permission_change", object_id=str(gone.pk)).count() == 1
