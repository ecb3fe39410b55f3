"""Who sees which record; catalogue, search, exports; restricted access is logged."""
import pytest
from guardian.shortcuts import assign_perm

from archive.selectors import records_visible_to
from archive.services import archive_item
from archive.services.disposal import set_named_archivists
from liaison.models import AuditEntry
from tests.factories import PASSWORD, RoleFactory, UserFactory

from .conftest import PDF


@pytest.fixture
def records(make_item, prod, officer_prod, officer_market):
    normal = archive_item(item=make_item(subject="市场部合同续签"))
    other = archive_item(item=make_item(unit=prod, initiator=officer_prod, subject="生产部设备检修"))
    secret_item = make_item(subject="限定范围的人事调整", confidentiality="restricted", files=[("a.pdf", PDF)])
    assign_perm("infoflow.view_item", officer_market, secret_item)
    secret = archive_item(item=secret_item)
    return normal, other, secret


@pytest.fixture
def archivist(db):
    user = UserFactory(username="archivist")
    RoleFactory(user=user, role="archivist")
    return user


@pytest.mark.django_db
def test_who_sees_which_record(records, officer_market, head_prod, secretary, archivist, outsider):
    normal, other, secret = records

    assert set(records_visible_to(officer_market)) == {normal, secret}  # path grant on the restricted one
    assert set(records_visible_to(head_prod)) == {other}
    assert set(records_visible_to(secretary)) == {normal, other}  # restricted: not on its path
    assert set(records_visible_to(archivist)) == {normal, other}
    assert set(records_visible_to(outsider)) == set()


@pytest.mark.django_db
def test_a_named_archivist_sees_the_restricted_record(records, secretary, archivist):
    secret = records[2]

    set_named_archivists(record=secret, actor=secretary, users=[archivist])

    assert secret in records_visible_to(archivist)


def login(client, user):
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_opening_and_downloading_a_restricted_record_is_logged(client, records, officer_market):
    secret = records[2]
    login(client, officer_market)

    page = client.get("/archive/records/%d/" % secret.pk)
    download = client.get("/archive/records/%d/files/1/" % secret.pk)

    assert page.status_code == 200 and "限定范围的人事调整" in page.content.decode()
    assert b"".join(download.streaming_content) == PDF
    actions = list(AuditEntry.objects.filter(object_id=str(secret.pk), object_type="archive.ArchivedRecord")
                   .values_list("action", "username"))
    assert ("view_restricted", "officer_market") in actions and ("download", "officer_market") in actions


@pytest.mark.django_db
def test_a_record_you_may_not_see_is_a_404(client, records, head_prod):
    login(client, head_prod)

    assert client.get("/archive/records/%d/" % records[0].pk).status_code == 404
    assert client.get("/archive/records/%d/files/1/" % records[2].pk).status_code == 404


@pytest.mark.django_db
def test_catalogue_search_and_tree(client, records, secretary):
    login(client, secretary)

    found = client.get("/archive/", {"q": "合同"}).content.decode()
    tree = client.get("/archive/", {"top": "生产部"}).content.decode()

    assert "市场部合同续签" in found and "生产部设备检修" not in found
    assert "生产部设备检修" in tree and "市场部合同续签" not in tree


@pytest.mark.django_db
def test_catalogue_excel_writes_text_never_formulas(client, make_item, secretary):
    import io

    from openpyxl import load_workbook

    archive_item(item=make_item(subject="=HYPERLINK(\"http://x\")"))
    login(client, secretary)

    response = client.get("/archive/catalogue.xlsx")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(1, 1).value == "归档编号"
    cell = sheet.cell(2, 3)
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"


@pytest.mark.django_db
def test_four_property_report_page_and_excel(client, records, secretary, officer_market):
    login(client, secretary)

    page = client.get("/archive/report/")
    sheet = client.get("/archive/report.xlsx")

    assert page.status_code == 200 and "ND-2026-1001" in page.content.decode()
    assert sheet.status_code == 200
    client.logout()
    login(client, officer_market)
    assert client.get("/archive/report/").status_code == 403


@pytest.mark.django_db
def test_secretariat_archives_early_from_the_portal(client, make_item, secretary, officer_market):
    item = make_item()
    login(client, officer_market)
    assert client.post("/archive/items/%d/archive/" % item.pk).status_code == 403
    client.logout()
    login(client, secretary)

    response = client.post("/archive/items/%d/archive/" % item.pk, {"paper_location": "档案室 B-2"})

    item.refresh_from_db()
    assert response.status_code == 302 and item.archive_number == "ND-2026-1001"
    assert item.archived_record.paper_location == "档案室 B-2"


@pytest.mark.django_db
def test_the_search_follows_the_records_text_when_it_is_purged(records, secretary):
    """The search reads the database's stored vector of each record's text
    (migration 0005): clearing the text, as a destruction does, leaves
    nothing to find."""
    from django.db import connection

    from archive.models import ArchivedRecord
    from archive.selectors import catalogue

    def found(text):
        return [r.subject for r in catalogue(secretary, q=text, vendor=connection.vendor)]

    assert found("合同续签") == ["市场部合同续签"]
    normal = ArchivedRecord.objects.get(pk=records[0].pk)
    normal.search_text = ""
    normal.save_lifecycle(["search_text"])

    assert found("合同续签") == [] and found("设备检修") == ["生产部设备检修"]


@pytest.mark.django_db
def test_the_secretariat_sees_unrestricted_records_and_only_granted_restricted_ones(records, secretary):
    """The secretariat's rule (every submitted unrestricted item) stands for
    the item clause; a restricted record still needs a grant on its item."""
    normal, other, secret = records

    assert set(records_visible_to(secretary)) == {normal, other}
    assign_perm("infoflow.view_item", secretary, secret.item)
    assert set(records_visible_to(secretary)) == {normal, other, secret}
