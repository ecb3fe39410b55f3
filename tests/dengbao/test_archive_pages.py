"""The audit archive batches' read-only pages (issue 18 item 7): the auditor
and the security administrator see the list and each batch with its seal and
whether it verifies; nobody else (404), nothing to change (no POST)."""
import datetime as dt

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from dengbao import audit_archive
from dengbao.models import AdminDuty
from liaison import audit
from tests.factories import OfficerFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def seal_key(settings):
    settings.ARCHIVE_SEAL_KEY = "test-archive-seal-key-0123456789"


@pytest.fixture
def batches(db):
    for day in range(1, 6):
        with time_machine.travel(dt.datetime(2026, 3, day, 9, tzinfo=UTC), tick=False):
            audit.record(audit.Action.OTHER, username=f"old{day}", detail="QZAUDITROW")
    with time_machine.travel(NOW, tick=False):
        return audit_archive.export_due(actor=None, limit=2)


@pytest.fixture
def people(db):
    auditor = UserFactory(username="aud")
    RoleFactory(user=auditor, role="supervision")
    secadmin = UserFactory(username="secadm", is_staff=True)
    AdminDuty.objects.create(user=secadmin, duty=AdminDuty.Duty.SECURITY)
    sysadmin = UserFactory(username="sysadm", is_staff=True)
    AdminDuty.objects.create(user=sysadmin, duty=AdminDuty.Duty.SYSTEM)
    secretary = UserFactory(username="sec")
    RoleFactory(user=secretary, role="secretariat")
    return {"auditor": auditor, "secadmin": secadmin, "sysadmin": sysadmin, "secretary": secretary,
            "officer": OfficerFactory().user}


def test_who_sees_the_batches(client, batches, people):
    assert len(batches) == 3
    for name, code in (("auditor", 200), ("secadmin", 200), ("sysadmin", 404), ("secretary", 404),
                       ("officer", 404)):
        client.force_login(people[name])
        assert client.get("/security/audit-archive/").status_code == code, name
        assert client.get(f"/security/audit-archive/{batches[0].pk}/").status_code == code, name


def test_the_list_and_detail_show_ranges_and_seals_not_rows(client, batches, people):
    client.force_login(people["auditor"])

    page = client.get("/security/audit-archive/").content.decode()
    assert all(f"#{b.number}" in page for b in batches)
    detail = client.get(f"/security/audit-archive/{batches[1].pk}/").content.decode()
    assert batches[1].seal in detail and batches[1].sha256 in detail
    assert "校验通过" in detail and f"#{batches[0].number}" in detail  # the previous batch linked
    assert "QZAUDITROW" not in page + detail  # metadata only, never the log's rows


def test_a_tampered_file_shows_as_failing(client, batches, people):
    default_storage.delete(batches[0].file_name)
    default_storage.save(batches[0].file_name, ContentFile(b"{}\n"))
    client.force_login(people["secadmin"])

    detail = client.get(f"/security/audit-archive/{batches[0].pk}/").content.decode()

    assert "校验未通过" in detail and "sha256 mismatch" in detail


def test_the_pages_are_read_only(client, batches, people):
    client.force_login(people["auditor"])
    assert client.post("/security/audit-archive/").status_code in (403, 405)
    assert client.post(f"/security/audit-archive/{batches[0].pk}/").status_code in (403, 405)


def test_the_list_runs_a_fixed_number_of_queries(client, batches, people, django_assert_max_num_queries):
    client.force_login(people["auditor"])
    with django_assert_max_num_queries(12):
        assert client.get("/security/audit-archive/").status_code == 200


def test_the_auditor_reaches_the_batches_from_the_menu(client, people):
    client.force_login(people["auditor"])
    assert 'href="/security/audit-archive/"' in client.get("/").content.decode()
    client.force_login(people["secadmin"])
    assert 'href="/security/audit-archive/"' in client.get("/security/otp/").content.decode()
