"""The cases of issue 10 §1, one by one, on the walk's world
(tests/test_url_role_walk.py): admin history views, the archive admin, the
four-property report, the audit rows and the notification admin."""
import io

import openpyxl
import pytest
import time_machine

from liaison.models import AuditEntry, Notification
from tests.test_url_role_walk import MARKERS, WALK_AT, world  # noqa: F401  the world fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, world):  # noqa: F811
    def login(name):
        client.force_login(world["users"][name])
        return client

    return login


def history_ids(item):
    return list(item.history.values_list("history_id", flat=True))


@pytest.mark.parametrize("persona", ["admin", "secretary", "auditor"])
@pytest.mark.parametrize("key", ["R", "D", "A"])
def test_history_views_of_an_item_off_the_path_are_404(world, as_user, persona, key):  # noqa: F811
    item = world["items"][key]
    client = as_user(persona)

    assert client.get("/admin/infoflow/item/%s/history/" % item.pk).status_code == 404
    for history_id in history_ids(item):
        assert client.get("/admin/infoflow/item/%s/history/%s/" % (item.pk, history_id)).status_code == 404


def test_history_views_of_a_visible_item_still_open(world, as_user):  # noqa: F811
    item = world["items"]["O"]
    client = as_user("secretary")

    response = client.get("/admin/infoflow/item/%s/history/" % item.pk)

    assert response.status_code == 200 and MARKERS["O"] in response.content.decode()
    version = history_ids(item)[0]
    assert client.get("/admin/infoflow/item/%s/history/%s/" % (item.pk, version)).status_code == 200


def test_superuser_does_not_find_a_restricted_record_in_the_archive_admin(world, as_user):  # noqa: F811
    record = world["record"]
    client = as_user("admin")

    search = client.get("/admin/archive/archivedrecord/", {"q": MARKERS["A"]}).content.decode()
    listing = client.get("/admin/archive/archivedrecord/").content.decode()
    change = client.get("/admin/archive/archivedrecord/%s/change/" % record.pk)
    holds = client.get("/admin/archive/hold/").content.decode()

    assert record.number not in search  # the search box echoes the words typed, nothing more
    assert MARKERS["A"] not in listing and record.number not in listing
    assert change.status_code == 404  # the portal's answer, as for a record that does not exist
    assert record.number not in holds
    assert client.get("/admin/archive/hold/%s/history/" % record.holds.get().pk).status_code == 404


def test_the_path_still_finds_the_record_in_the_archive_admin(world, as_user):  # noqa: F811
    world["users"]["officer_prod"].is_staff = True
    world["users"]["officer_prod"].is_superuser = True
    world["users"]["officer_prod"].save()
    client = as_user("officer_prod")

    listing = client.get("/admin/archive/archivedrecord/").content.decode()

    assert world["record"].number in listing


@pytest.mark.parametrize("persona", ["leader", "secretary", "auditor", "admin"])
def test_four_property_report_lists_only_visible_records(world, as_user, persona):  # noqa: F811
    client = as_user(persona)

    with time_machine.travel(WALK_AT, tick=False):
        page = client.get("/archive/report/").content.decode()
        workbook = client.get("/archive/report.xlsx")

    book = openpyxl.load_workbook(io.BytesIO(b"".join(workbook.streaming_content)
                                             if workbook.streaming else workbook.content))
    cells = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value)
    assert world["record"].number not in page and world["record"].number not in cells
    assert MARKERS["A"] not in cells
    assert "另有 1 件档案您无权查看，未列出。" in page


def test_four_property_report_lists_the_record_for_its_path(world, as_user):  # noqa: F811
    from officers.models import RoleAssignment

    RoleAssignment.objects.create(user=world["users"]["officer_prod"], role="archivist")
    client = as_user("officer_prod")

    with time_machine.travel(WALK_AT, tick=False):
        page = client.get("/archive/report/").content.decode()

    assert world["record"].number in page


def test_audit_rows_name_items_and_records_by_number_and_id_only(world):  # noqa: F811
    record = world["record"]

    rows = AuditEntry.objects.filter(object_type="archive.ArchivedRecord", object_id=str(record.pk))

    assert rows.exists()
    for row in rows:
        assert MARKERS["A"] not in row.object_repr + row.detail
        assert row.object_repr == "%s archive.ArchivedRecord #%s" % (record.number, record.pk)
    assert not AuditEntry.objects.filter(object_repr__contains="QZ").exists()


def test_audit_page_does_not_show_restricted_subjects_to_the_auditor(world, as_user):  # noqa: F811
    client = as_user("auditor")

    text = client.get("/audit/").content.decode() + client.get("/admin/liaison/auditentry/").content.decode()

    assert world["record"].number in text  # the archive action is there, by number
    assert MARKERS["A"] not in text and MARKERS["R"] not in text


def test_notification_admin_shows_a_restricted_notice_only_to_who_sees_the_item(world, as_user):  # noqa: F811
    restricted = world["items"]["R"]
    restricted.refresh_from_db()
    notice = Notification.objects.get(key="walk-%s" % restricted.pk)

    for persona in ("auditor", "admin"):
        listing = as_user(persona).get("/admin/liaison/notification/").content.decode()
        assert restricted.number not in listing
        assert as_user(persona).get("/admin/liaison/notification/%s/change/" % notice.pk).status_code == 404


def test_audit_describe_keeps_plain_objects_as_they_read(world):  # noqa: F811
    from liaison.audit import describe

    market = world["items"]["R"].unit
    step = world["items"]["R"].steps.first()

    assert describe(market) == str(market)
    assert describe(world["items"]["D"]) == "infoflow.Item #%s" % world["items"]["D"].pk
    assert describe(step).endswith("infoflow.ReviewStep #%s" % step.pk)
    assert MARKERS["R"] not in describe(step)


def test_an_older_audit_row_naming_a_subject_is_shown_by_number_and_id(world, as_user):  # noqa: F811
    AuditEntry.objects.create(action=AuditEntry.Action.VIEW_RESTRICTED, username="officer_market",
                              object_type="infoflow.Item", object_id="9", object_repr="NX-2026-009 机密收购计划")
    client = as_user("auditor")

    page = client.get("/audit/").content.decode()
    admin_page = client.get("/admin/liaison/auditentry/").content.decode()

    for text in (page, admin_page):
        assert "NX-2026-009 infoflow.Item #9" in text and "机密收购计划" not in text


def test_audit_admin_search_does_not_match_words_of_an_older_rows_subject(world, as_user):  # noqa: F811
    AuditEntry.objects.create(action=AuditEntry.Action.VIEW_RESTRICTED, username="officer_market",
                              object_type="infoflow.Item", object_id="9", object_repr="NX-2026-009 机密收购计划",
                              detail="机密收购计划")
    client = as_user("auditor")

    found = client.get("/admin/liaison/auditentry/", {"q": "机密收购计划"}).content.decode()
    by_id = client.get("/admin/liaison/auditentry/", {"q": "9"}).content.decode()

    assert "NX-2026-009" not in found
    assert "NX-2026-009 infoflow.Item #9" in by_id
