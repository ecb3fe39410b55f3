"""存入资料库: an information item's content filed into the library by someone
who can see it, with a link back, at the item's confidentiality (a
restricted item's copy is seen exactly by those who see the item)."""
import pytest
from django.core.files.base import ContentFile

from infoflow.models import Attachment, Item
from infoflow.visibility import items_visible_to
from library import services
from library.models import Entry
from library.selectors import entries_visible_to
from liaison.errors import LibraryInvalid, LibraryNotAllowed, LibraryStateConflict
from tests.library.conftest import PDF, fields

pytestmark = pytest.mark.django_db


def _attach(item, user, purpose=Attachment.Purpose.ITEM, name="通知.pdf"):
    row = Attachment(item=item, purpose=purpose, original_name=name, content_type="application/pdf", size=len(PDF),
                     sha256="0" * 64, uploaded_by=user)
    row.file.save("upload", ContentFile(PDF), save=True)
    return row


def test_item_page_offers_filing_and_files_with_link_back(client, make_item, officer_market, market, regulation):
    item = make_item()
    _attach(item, officer_market)
    _attach(item, officer_market, purpose=Attachment.Purpose.EVIDENCE, name="凭证.pdf")
    client.force_login(officer_market)

    page = client.get("/items/%d/" % item.pk).content.decode()
    response = client.post("/library/file-item/%d" % item.pk, {"category": regulation.pk, "department": market.pk})

    entry = Entry.objects.get()
    assert "存入资料库" in page
    assert response["Location"] == "/library/%d/" % entry.pk
    assert (entry.title, entry.summary, entry.source_item) == (item.subject, item.summary, item)
    assert entry.confidentiality == "internal" and entry.reference == item.number
    assert list(entry.files.values_list("original_name", flat=True)) == ["通知.pdf"]  # body attachments only
    detail = client.get("/library/%d/" % entry.pk).content.decode()
    assert 'href="/items/%d/"' % item.pk in detail
    assert "已存入资料库" in client.get("/items/%d/" % item.pk).content.decode()


def test_restricted_items_copy_is_seen_exactly_by_who_sees_the_item(make_item, officer_market, market, regulation,
                                                                    head_market, employee, secretary, officer_prod):
    item = make_item(confidentiality="restricted", subject="限定范围的价格调整")

    entry = services.file_item(actor=officer_market, item=item, category=regulation, department=market)

    assert entry.confidentiality == "restricted" and not entry.units.exists()
    for user in (officer_market, head_market, employee, secretary, officer_prod):
        sees_item = items_visible_to(user).filter(pk=item.pk).exists()
        assert entries_visible_to(user).filter(pk=entry.pk).exists() == sees_item, user.username
    assert not entries_visible_to(employee).filter(pk=entry.pk).exists()  # 市场部 staff, not on the item's path


def test_restricted_copy_cannot_be_opened_up(make_item, officer_market, market, regulation, prod, client):
    item = make_item(confidentiality="restricted")
    entry = services.file_item(actor=officer_market, item=item, category=regulation, department=market)

    with pytest.raises(LibraryInvalid, match="不能低于原信息"):
        services.update_entry(actor=officer_market, entry=entry, fields=fields(regulation, confidentiality="public"))
    services.update_entry(actor=officer_market, entry=entry, fields=fields(regulation, confidentiality="restricted"),
                          units=[prod])
    assert not entry.units.exists()  # a restricted item's copy names no units
    client.force_login(officer_market)
    form = client.get("/library/%d/edit/" % entry.pk).content.decode()
    assert 'name="confidentiality"' not in form and 'name="units"' not in form


def test_internal_items_copy_cannot_be_public(make_item, officer_market, market, regulation):
    entry = services.file_item(actor=officer_market, item=make_item(), category=regulation, department=market)

    with pytest.raises(LibraryInvalid):
        services.update_entry(actor=officer_market, entry=entry, fields=fields(regulation, confidentiality="public"))


def test_filing_needs_sight_review_and_a_single_copy(client, make_item, officer_market, officer_prod, market, prod,
                                                     regulation, employee):
    draft = make_item(state=Item.State.IN_REVIEW)
    done = make_item()

    with pytest.raises(LibraryStateConflict, match="审核通过后"):
        services.file_item(actor=officer_market, item=draft, category=regulation, department=market)
    with pytest.raises(LibraryNotAllowed):
        services.file_item(actor=officer_prod, item=done, category=regulation, department=prod)  # cannot see it
    with pytest.raises(LibraryNotAllowed):
        services.file_item(actor=officer_market, item=done, category=regulation, department=prod)  # not their unit
    services.file_item(actor=officer_market, item=done, category=regulation, department=market)
    with pytest.raises(LibraryStateConflict, match="已存入"):
        services.file_item(actor=officer_market, item=done, category=regulation, department=market)
    client.force_login(officer_prod)
    assert client.post("/library/file-item/%d" % done.pk, {"category": regulation.pk,
                                                           "department": prod.pk}).status_code == 404
    notice = make_item(to_all_staff=True, subject="全员通知")
    client.force_login(employee)  # sees an all-staff item but may add no entry: no panel form
    page = client.get("/items/%d/" % notice.pk)
    assert page.status_code == 200 and "存入资料库" not in page.content.decode()
