"""Who sees which entry (library.selectors.entries_visible_to) — in the
detail page, the list, the search, the counts, the downloads and the admin —
per role (issue 19 §1; conventions: an entry one may not see is a 404)."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from library import services
from library.selectors import entries_visible_to
from liaison.models import AuditEntry
from tests.library.conftest import pdf

pytestmark = pytest.mark.django_db

SEES_RESTRICTED = ("officer_market", "head_market", "employee")
NOT_RESTRICTED = ("officer_prod", "head_prod", "secretary", "leader", "gm", "auditor", "outsider")


@pytest.fixture
def people(officer_market, head_market, employee, officer_prod, head_prod, secretary, leader, gm, auditor, outsider):
    return {u.username: u for u in (officer_market, head_market, employee, officer_prod, head_prod, secretary,
                                    leader, gm, auditor, outsider)}


@pytest.mark.parametrize("role", SEES_RESTRICTED + NOT_RESTRICTED)
def test_restricted_entry_is_seen_by_members_of_named_units_only(client, people, role, restricted_entry,
                                                                 internal_entry):
    user = people[role]
    client.force_login(user)

    detail = client.get("/library/%d/" % restricted_entry.pk)
    listing = client.get("/library/").content.decode()
    search = client.get("/library/", {"q": "机密"}).content.decode()

    if role in SEES_RESTRICTED:
        assert detail.status_code == 200
        assert "机密报价" in listing and "机密报价" in search
        assert entries_visible_to(user).count() == 2
    else:
        assert detail.status_code == 404
        assert "机密报价" not in listing and "机密报价" not in search
        assert "没有符合条件的资料" in search
        assert entries_visible_to(user).count() == 1
    assert client.get("/library/%d/" % internal_entry.pk).status_code == 200


def test_opening_a_restricted_entry_is_audited(client, employee, restricted_entry):
    client.force_login(employee)

    client.get("/library/%d/" % restricted_entry.pk)

    assert AuditEntry.objects.filter(action="view_restricted", user=employee,
                                     detail="library:%d" % restricted_entry.pk).count() == 1


def test_named_units_widen_a_restricted_entry(make_entry, officer_market, market, prod, officer_prod, outsider):
    entry = make_entry(officer_market, market, confidentiality="restricted", units=[prod])

    assert entries_visible_to(officer_prod).filter(pk=entry.pk).exists()
    assert not entries_visible_to(outsider).filter(pk=entry.pk).exists()
    assert set(entry.units.values_list("code", flat=True)) == {"market", "prod"}  # the department always


def test_attachment_of_a_restricted_entry_is_404_outside(client, make_entry, officer_market, market, outsider):
    entry = make_entry(officer_market, market, confidentiality="restricted", files=[pdf()])
    row = entry.files.get()
    client.force_login(outsider)

    assert client.get("/library/%d/files/%d" % (entry.pk, row.pk)).status_code == 404

    client.force_login(officer_market)
    response = client.get("/library/%d/files/%d" % (entry.pk, row.pk))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_withdrawn_entry_is_seen_by_secretariat_and_its_department_only(client, internal_entry, secretary,
                                                                        officer_market, employee, officer_prod):
    services.withdraw_entry(actor=secretary, entry=internal_entry, reason="已被新版取代")

    for user in (secretary, officer_market):
        assert entries_visible_to(user).filter(pk=internal_entry.pk).exists()
    for user in (employee, officer_prod):
        client.force_login(user)
        assert client.get("/library/%d/" % internal_entry.pk).status_code == 404
    client.force_login(secretary)
    assert internal_entry.title not in client.get("/library/").content.decode()  # in use only, by default
    assert internal_entry.title in client.get("/library/", {"state": "withdrawn"}).content.decode()


def test_anonymous_user_is_sent_to_login(client, internal_entry):
    response = client.get("/library/%d/" % internal_entry.pk)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not entries_visible_to(AnonymousUser()).exists()


def test_admin_shows_a_restricted_entry_to_nobody_outside_even_a_superuser(client, restricted_entry, secretary):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345-x")
    for user in (admin, secretary):
        client.force_login(user)
        base = "/admin/library/entry/"

        assert "机密报价" not in client.get(base).content.decode()
        assert client.get("%s%d/change/" % (base, restricted_entry.pk)).status_code == 404
        assert client.get("%s%d/delete/" % (base, restricted_entry.pk)).status_code == 403  # read-only: every entry
        assert client.get("%s%d/history/" % (base, restricted_entry.pk)).status_code == 404
        history_id = restricted_entry.history.first().history_id
        assert client.get("%s%d/history/%d/" % (base, restricted_entry.pk, history_id)).status_code == 404


def test_admin_lists_visible_entries_read_only(client, internal_entry):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345-x")
    client.force_login(admin)

    page = client.get("/admin/library/entry/%d/change/" % internal_entry.pk)

    assert page.status_code == 200
    assert internal_entry.title in page.content.decode()
    assert client.get("/admin/library/entry/add/").status_code == 403
