"""Masking on the home page, the item page's external contacts and the
outside bodies' registrations (issue 18 item 5): in full for HR, the
secretariat and superusers (dengbao.privacy.sees_contacts), 138****5678 for
every other role; one's own number in full."""
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dengbao.privacy import mask_text, shown_text
from infoflow.models import Item
from infoflow.permissions import sync_item_grants
from officers.models import ExternalContact, Officer, Registration
from tests.factories import ExternalUnitFactory, OfficerFactory, RoleFactory, UserFactory
from tests.infoflow.export_helpers import make_item

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED = "138****5678"
OTHER = "13900001111"
OTHER_MASKED = "139****1111"


@pytest.fixture
def posts(market, officer_market, head_market):
    """The market officer (PHONE) and a second officer (OTHER) of the market unit."""
    Officer.objects.filter(user=officer_market).update(phone=PHONE)
    second = OfficerFactory(unit=market, user__username="second_officer", phone=OTHER, is_primary=False).user
    return officer_market, second


@pytest.mark.parametrize("who, full", [("head_market", False), ("leader", False)])
def test_home_unit_card_masks_officers_phones(client, request, posts, who, full):
    client.force_login(request.getfixturevalue(who))

    html = client.get("/").content.decode()

    assert MASKED in html and OTHER_MASKED in html
    assert PHONE not in html and OTHER not in html and "tel:" + PHONE not in html


def test_home_unit_card_shows_phones_to_a_head_in_the_secretariat(client, posts, head_market):
    RoleFactory(user=head_market, role="secretariat")
    client.force_login(head_market)

    html = client.get("/").content.decode()

    assert 'href="tel:%s"' % PHONE in html and OTHER in html


def test_home_registrations_show_the_own_number_and_mask_a_colleagues(client, market, posts):
    officer, second = posts
    body = ExternalUnitFactory(name="市场监管局")
    Registration.objects.create(unit=market, body=body, registered_name="张三", registered_phone=PHONE)
    Registration.objects.create(unit=market, body=ExternalUnitFactory(name="行业协会"), registered_name="二号",
                                registered_phone=OTHER)
    client.force_login(officer)

    html = client.get("/").content.decode()

    assert PHONE in html  # the officer's own post and registration
    assert OTHER_MASKED in html and OTHER not in html


@pytest.fixture
def external_item(market, officer_market):
    unit = ExternalUnitFactory(name="客户单位")
    contact = ExternalContact.objects.create(external_unit=unit, name="外联人", phone=OTHER, email="w@example.com")
    item = make_item(unit=market, initiator=officer_market, receivers=[("external", unit, contact)],
                     state=Item.State.TRANSMITTED)
    sync_item_grants(item)
    return item


@pytest.mark.parametrize("who, full", [("officer_market", False), ("head_market", False), ("secretary", True)])
def test_item_page_masks_the_external_contact_phone(client, request, external_item, who, full):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("infoflow:item-detail", args=[external_item.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert (OTHER in html) is full
    assert (OTHER_MASKED in html) is not full


def test_registration_admin_masks_for_a_viewer_without_the_role(client, market):
    Registration.objects.create(unit=market, body=ExternalUnitFactory(), registered_name="张三",
                                registered_phone=OTHER, registered_email="zs@example.com")
    viewer = UserFactory(username="reg_viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registration"))
    client.force_login(viewer)

    html = client.get(reverse("admin:officers_registration_changelist")).content.decode()
    found = client.get(reverse("admin:officers_registration_changelist"), {"q": "1390000"}).content.decode()

    assert OTHER_MASKED in html and OTHER not in html
    assert OTHER_MASKED not in found  # the number is no search field for them
    registration = Registration.objects.get()
    change = client.get(reverse("admin:officers_registration_change", args=[registration.pk])).content.decode()
    assert OTHER not in change and "zs@example.com" not in change


def test_registration_admin_shows_hr_the_numbers(client, market, secretary):
    Registration.objects.create(unit=market, body=ExternalUnitFactory(), registered_name="张三",
                                registered_phone=OTHER)
    secretary.is_superuser = True  # the admin's permission; sees_contacts by the secretariat role anyway
    secretary.save()
    client.force_login(secretary)

    assert OTHER in client.get(reverse("admin:officers_registration_changelist")).content.decode()


def test_mask_text_masks_numbers_and_addresses_in_free_text(secretary, officer_market):
    text = "联络员变更为 张三（13812345678），邮箱 zhangsan@example.com，座机 0512-66881234，2026-03-10 NX-2026-00001"

    masked = mask_text(text)

    assert masked == "联络员变更为 张三（138****5678），邮箱 z***@example.com，座机 051****1234，2026-03-10 NX-2026-00001"
    assert shown_text(text, user=secretary) == text
    assert shown_text(text, user=officer_market) == masked


def test_change_filing_details_are_masked_in_the_admin_for_a_viewer(client, market):
    from django.utils import timezone

    from officers.models import ChangeFiling

    registration = Registration.objects.create(unit=market, body=ExternalUnitFactory(), registered_name="张三",
                                               registered_phone=OTHER)
    filing = ChangeFiling.objects.create(registration=registration, reason="officer_changed",
                                         detail="联络员变更为 张三（13900001111）", due_at=timezone.now())
    viewer = UserFactory(username="filing_viewer", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_changefiling", "view_registration"]))
    client.force_login(viewer)

    pages = [client.get(reverse("admin:officers_changefiling_changelist")),
             client.get(reverse("admin:officers_changefiling_change", args=[filing.pk])),
             client.get(reverse("admin:officers_registration_change", args=[registration.pk]))]

    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert OTHER not in html and OTHER_MASKED in html
    searched = client.get(reverse("admin:officers_changefiling_changelist"), {"q": "13900"}).content.decode()
    assert OTHER_MASKED not in searched


def test_change_filing_details_are_shown_to_hr(client, market, secretary):
    from django.utils import timezone

    from officers.models import ChangeFiling

    registration = Registration.objects.create(unit=market, body=ExternalUnitFactory(), registered_name="张三",
                                               registered_phone=OTHER)
    ChangeFiling.objects.create(registration=registration, reason="officer_changed",
                                detail="联络员变更为 张三（13900001111）", due_at=timezone.now())
    secretary.is_superuser = True
    secretary.save()
    client.force_login(secretary)

    assert OTHER in client.get(reverse("admin:officers_changefiling_changelist")).content.decode()


@pytest.mark.parametrize("codename", ["view_changefiling", "change_changefiling"])
def test_change_filing_history_and_change_pages_mask_for_a_staff_member_without_the_role(client, market, codename):
    """The history record page (and the change page of one who may edit) failed
    with FieldError for a viewer without the contact lists: the masked field was
    not read-only."""
    from django.utils import timezone

    from officers.models import ChangeFiling

    registration = Registration.objects.create(unit=market, body=ExternalUnitFactory(), registered_name="张三",
                                               registered_phone=OTHER)
    filing = ChangeFiling.objects.create(registration=registration, reason="officer_changed",
                                         detail="联络员变更为 张三（13900001111）", due_at=timezone.now())
    viewer = UserFactory(username="filing_history_viewer", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=[codename, "view_changefiling"]))
    client.force_login(viewer)
    version = filing.history.latest()

    pages = [client.get(reverse("admin:officers_changefiling_history", args=[filing.pk])),
             client.get(reverse("admin:officers_changefiling_simple_history", args=[filing.pk, version.history_id])),
             client.get(reverse("admin:officers_changefiling_change", args=[filing.pk]))]

    for page in pages:
        assert page.status_code == 200
        assert OTHER not in page.content.decode()
    assert OTHER_MASKED in pages[1].content.decode() and OTHER_MASKED in pages[2].content.decode()
