"""Personal information (issue 18 item 5): phones and e-mails in full only for
HR, the secretariat and superusers; masked in pages, exports and the admin; and
never in the logs."""
import io
import logging

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dengbao.privacy import mask_email, mask_phone, sees_contacts
from officers.models import ExternalContact, Officer
from officers.roster_export import write_roster
from tests.factories import PASSWORD, ExternalUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
MASKED_PHONE = "138****5678"


def test_masks():
    assert mask_phone(PHONE) == MASKED_PHONE
    assert mask_phone("123") == "****"
    assert mask_phone("") == ""
    assert mask_email("zhangsan@example.com") == "z***@example.com"
    assert mask_email("nonsense") == "***"
    assert mask_email("") == ""


def test_who_sees_contacts(secretary, head_market, auditor, officer_market, leader):
    assert sees_contacts(secretary)
    assert sees_contacts(None)  # a management command's operator
    assert sees_contacts(UserFactory(username="root", is_superuser=True))
    for user in (head_market, auditor, officer_market, leader):
        assert not sees_contacts(user)


@pytest.mark.parametrize("who, full", [("secretary", True), ("head_market", False), ("officer_prod", False),
                                       ("auditor", False), ("employee", False)])
def test_directory_masks_phones(client, request, officer_market, officer_prod, who, full):
    client.force_login(request.getfixturevalue(who))

    html = client.get(reverse("officers:directory")).content.decode()

    assert (PHONE in html) is full
    assert (MASKED_PHONE in html) is not full
    assert ("tel:" + PHONE in html) is full


@pytest.mark.parametrize("who, full", [("secretary", True), ("head_market", False)])
def test_roster_export_masks_phones_and_emails(client, request, officer_market, who, full):
    Officer.objects.filter(user=officer_market).update(email="zhangsan@example.com")
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("exports:roster"))

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    row = list(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True))[1]
    if full:
        assert PHONE in row and "zhangsan@example.com" in row
    else:
        assert MASKED_PHONE in row and "z***@example.com" in row
        assert PHONE not in row and "zhangsan@example.com" not in row


def test_roster_file_masks_emails(tmp_path, officer_market, head_market):
    Officer.objects.filter(user=officer_market).update(email="zhangsan@example.com")

    write_roster(tmp_path / "r.xlsx", user=head_market)

    row = list(openpyxl.load_workbook(tmp_path / "r.xlsx").worksheets[0].iter_rows(values_only=True))[1]
    assert row[3:5] == (MASKED_PHONE, "z***@example.com")


@pytest.fixture
def viewer(db):
    """A staff member who may look at officers, contacts and users in the admin
    but holds no role that keeps the contact lists."""
    user = UserFactory(username="admin_viewer", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_officer", "view_externalcontact", "view_user", "view_staffprofile", "view_externalunit"]))
    return user


@pytest.fixture
def contact(db):
    unit = ExternalUnitFactory()
    return ExternalContact.objects.create(external_unit=unit, name="外联人", phone="13900001111",
                                          email="waili@example.com")


@pytest.mark.parametrize("url_name", ["admin:officers_officer_changelist", "admin:officers_externalcontact_changelist",
                                      "admin:auth_user_changelist", "admin:officers_staffprofile_changelist"])
def test_admin_lists_mask_for_a_viewer_without_the_role(client, viewer, officer_market, contact, url_name):
    client.force_login(viewer)

    html = client.get(reverse(url_name)).content.decode()

    for secret in (PHONE, "13900001111", "waili@example.com", "officer_market@example.com", "13800000000"):
        assert secret not in html
    assert "***" in html


def test_admin_search_by_phone_is_not_offered_to_a_viewer(client, viewer, officer_market):
    client.force_login(viewer)

    html = client.get(reverse("admin:officers_officer_changelist"), {"q": "1381234"}).content.decode()

    assert MASKED_PHONE not in html  # no match: the phone is not a search field for them


def test_admin_change_pages_mask_for_a_viewer(client, viewer, officer_market, contact):
    officer = Officer.objects.get(user=officer_market)
    client.force_login(viewer)

    officer_html = client.get(reverse("admin:officers_officer_change", args=[officer.pk])).content.decode()
    contact_html = client.get(reverse("admin:officers_externalcontact_change", args=[contact.pk])).content.decode()
    user_html = client.get(reverse("admin:auth_user_change", args=[officer_market.pk])).content.decode()

    assert PHONE not in officer_html  # the contact fields are left out of the form
    assert "13900001111" not in contact_html and "waili@example.com" not in contact_html
    assert "officer_market@example.com" not in user_html


def test_admin_shows_contacts_in_full_to_the_secretariat(client, secretary, officer_market, contact):
    client.force_login(secretary)
    secretary.user_permissions.add(*Permission.objects.filter(codename__in=["view_officer", "view_externalcontact"]))

    officers_html = client.get(reverse("admin:officers_officer_changelist")).content.decode()
    contacts_html = client.get(reverse("admin:officers_externalcontact_changelist")).content.decode()

    assert PHONE in officers_html
    assert "13900001111" in contacts_html and "waili@example.com" in contacts_html


# --- no personal data in the logs --------------------------------------------------------


class _Everything(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {text} {record.__dict__!r}")


@pytest.fixture
def all_logs():
    """Every log record of every logger at DEBUG, whatever LOGGING says."""
    handler = _Everything()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    saved = [(lg, lg.level, lg.propagate, lg.disabled) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.propagate = True
        lg.disabled = False
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)
    for lg, level, propagate, disabled in saved:
        lg.setLevel(level)
        lg.propagate = propagate
        lg.disabled = disabled


def test_no_phone_email_password_or_session_key_in_the_logs(client, all_logs, secretary, head_market, officer_market):
    Officer.objects.filter(user=officer_market).update(email="zhangsan@example.com")
    new_password = "Xin-mima-2026!"

    client.post(reverse("login"), {"username": "head_market", "password": "wrong-" + PASSWORD})  # failed login
    client.post(reverse("login"), {"username": "head_market", "password": PASSWORD})  # login
    session_key = client.session.session_key
    client.get(reverse("officers:directory"))
    client.get(reverse("exports:roster"))
    client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": new_password,
                                             "new_password2": new_password})
    client.get("/no-such-page/")  # a 404
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "secretary", "password": PASSWORD})
    client.get(reverse("exports:roster"))
    client.get(reverse("officers:directory"), {"q": PHONE})

    text = "\n".join(all_logs.lines)
    assert all_logs.lines  # the capture works: requests and logins do log
    secrets = [PHONE, "13800000000", "zhangsan@example.com", "secretary@example.com", "head_market@example.com",
               PASSWORD, new_password, session_key]
    for secret in secrets:
        assert secret not in text, secret


def test_admin_history_page_works_and_masks_for_a_viewer(client, viewer, officer_market):
    officer = Officer.objects.get(user=officer_market)
    record = Officer.history.filter(id=officer.pk).latest("history_id")
    client.force_login(viewer)

    response = client.get(reverse("admin:officers_officer_simple_history", args=[officer.pk, record.history_id]))

    assert response.status_code == 200
    assert PHONE not in response.content.decode()
