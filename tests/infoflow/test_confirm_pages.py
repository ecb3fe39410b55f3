"""Confirm before destroying (issue 10 §6.8): deleting an attachment,
revoking a delegation and 立即归档 ask first on GET and act on POST, as 作废
and 撤回 do; the page is not offered to those who may not act."""
import pytest
from django.urls import reverse

from archive.models import ArchivedRecord
from infoflow.models import Attachment, Delegation
from infoflow.services.delegation import create_delegation
from infoflow.services.drafting import add_attachment
from tests.infoflow.conftest import pdf_upload
from tests.infoflow.test_delegation import END, START

pytestmark = pytest.mark.django_db


# --- attachments -----------------------------------------------------------------


def test_deleting_an_attachment_asks_first(client, org, make_item):
    item = make_item()
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=pdf_upload("函件.pdf"))
    client.force_login(org["officer_market"])
    url = reverse("infoflow:attachment-remove", args=[item.pk, attachment.pk])

    page = client.get(url)

    assert page.status_code == 200
    text = page.content.decode()
    assert "确定删除附件“函件.pdf”吗？" in text and "确认删除" in text and 'method="post"' in text
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_confirming_deletes_the_attachment(client, org, make_item):
    item = make_item()
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=pdf_upload("函件.pdf"))
    client.force_login(org["officer_market"])

    response = client.post(reverse("infoflow:attachment-remove", args=[item.pk, attachment.pk]), follow=True)

    assert "附件已删除。" in response.content.decode()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_the_item_page_links_to_the_confirmation_not_a_direct_delete(client, org, make_item):
    item = make_item()
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=pdf_upload("函件.pdf"))
    client.force_login(org["officer_market"])

    text = client.get(reverse("infoflow:item-detail", args=[item.pk])).content.decode()

    url = reverse("infoflow:attachment-remove", args=[item.pk, attachment.pk])
    assert 'href="%s"' % url in text and 'action="%s"' % url not in text


def test_someone_who_sees_but_may_not_edit_gets_403_for_the_confirmation(client, org, make_item):
    from infoflow.services.chain import submit_item

    item = make_item()
    attachment = add_attachment(item=item, actor=org["officer_market"], upload=pdf_upload("函件.pdf"))
    submit_item(item=item, actor=org["officer_market"])
    client.force_login(org["head_market"])  # reviews it, may not change its files

    response = client.get(reverse("infoflow:attachment-remove", args=[item.pk, attachment.pk]))

    assert response.status_code == 403


# --- delegations -----------------------------------------------------------------


@pytest.fixture
def delegation(org, frozen):
    return create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_prod"],
                             start=START, end=END, reason="出差")


def test_revoking_a_delegation_asks_first(client, org, delegation):
    client.force_login(org["head_market"])

    page = client.get(reverse("infoflow:delegation-revoke", args=[delegation.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "确定撤销这项代理吗？" in text and "确认撤销" in text and "赵六" in text
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_confirming_revokes_the_delegation(client, org, delegation):
    client.force_login(org["head_market"])

    response = client.post(reverse("infoflow:delegation-revoke", args=[delegation.pk]), follow=True)

    assert "已撤销代理。" in response.content.decode()
    assert Delegation.objects.get(pk=delegation.pk).revoked_at is not None


def test_the_deputy_sees_the_delegation_but_gets_no_revoke_page(client, org, delegation):
    client.force_login(org["head_prod"])

    assert client.get(reverse("infoflow:delegation-revoke", args=[delegation.pk])).status_code == 403


# --- 立即归档 ----------------------------------------------------------------------


@pytest.fixture
def completed_item(make_item):
    from infoflow.models import Item
    from tests.archive.conftest import at

    item = make_item()
    Item.objects.filter(pk=item.pk).update(state=Item.State.COMPLETED, completed_at=at("2026-03-02 10:00"))
    item.refresh_from_db()
    return item


def test_archiving_now_asks_first(client, org, completed_item):
    client.force_login(org["secretary"])

    page = client.get(reverse("archive:archive-now", args=[completed_item.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "确定现在归档这条信息吗？" in text and "确认归档" in text and 'name="paper_location"' in text
    assert not ArchivedRecord.objects.exists()


def test_the_catalogue_links_to_the_confirmation(client, org, completed_item):
    client.force_login(org["secretary"])

    text = client.get(reverse("archive:catalogue")).content.decode()

    url = reverse("archive:archive-now", args=[completed_item.pk])
    assert 'href="%s"' % url in text and 'action="%s"' % url not in text


def test_who_may_not_archive_gets_no_confirmation(client, org, completed_item):
    client.force_login(org["officer_market"])

    assert client.get(reverse("archive:archive-now", args=[completed_item.pk])).status_code == 403
