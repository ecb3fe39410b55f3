"""Searchable person and unit pickers (issue 15 §9): grouped by unit, the search
endpoint answers only people one may pick, in a fixed number of queries; the
deputy list leaves out oneself and system accounts."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from infoflow.views.delegation import DelegationForm
from liaison.pickers import DEPUTY, PersonMultipleChoiceField, UnitMultipleChoiceField, pickable_people
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("people-search")


@pytest.fixture
def system_accounts(market):
    """Who must never be offered: an installer superuser, a service account with an
    unusable password and an inactive user."""
    root = UserFactory(username="root_admin", first_name="系统管理", is_superuser=True, is_staff=True,
                       profile__unit=market)
    robot = UserFactory(username="sync_robot", first_name="同步账号", profile__unit=market)
    robot.set_unusable_password()
    robot.save()
    gone = UserFactory(username="left_company", first_name="已离职", is_active=False, profile__unit=market)
    return [root, robot, gone]


def usernames(response):
    return {row["text"].split("（")[-1].rstrip("）") for row in response.json()["results"]}


def test_search_answers_only_people_one_may_pick(client, officer_market, head_market, employee, system_accounts):
    client.force_login(officer_market)

    found = usernames(client.get(SEARCH, {"q": ""}))

    assert {"head_market", "employee", "officer_market"} <= found
    assert not found & {u.username for u in system_accounts}


def test_deputy_search_leaves_out_oneself(client, officer_market, head_market):
    client.force_login(officer_market)

    found = usernames(client.get(SEARCH, {"purpose": "deputy", "q": ""}))

    assert "officer_market" not in found and "head_market" in found


def test_search_matches_name_username_and_unit_and_names_the_unit(client, officer_market, employee, officer_prod,
                                                                   market):
    client.force_login(officer_market)

    by_unit = client.get(SEARCH, {"q": market.name}).json()["results"]
    by_name = usernames(client.get(SEARCH, {"q": officer_prod.first_name}))

    assert {"officer_market", "employee"} <= {row["text"].split("（")[-1].rstrip("）") for row in by_unit}
    assert all(row["unit"] == market.name for row in by_unit)
    assert by_name == {"officer_prod"}


def test_search_costs_the_same_queries_for_two_or_twenty_people(client, officer_market, market,
                                                                django_assert_num_queries):
    client.force_login(officer_market)
    client.get(SEARCH)  # session and user cached in the same way for both counts below
    with django_assert_num_queries(3) as few:
        client.get(SEARCH, {"q": "user"})
    for n in range(20):
        UserFactory(username="user_extra_%d" % n, profile__unit=market)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(SEARCH, {"q": "user"})
    assert len(response.json()["results"]) == 20


def test_search_needs_login_and_a_known_purpose(client, officer_market):
    assert client.get(SEARCH).status_code == 302
    client.force_login(officer_market)
    assert client.get(SEARCH, {"purpose": "everyone"}).status_code == 404


def test_person_field_renders_a_searchable_picker_grouped_by_unit(officer_market, officer_prod, market, prod,
                                                                  system_accounts):
    field = PersonMultipleChoiceField(actor=officer_market)

    html = field.widget.render("people", None, attrs={"id": "id_people"})
    groups = [label for label, _choices in field.choices]

    assert 'data-picker="person"' in html and "data-search-url=" in html and "multiple" in html
    assert market.name in groups and prod.name in groups
    assert '<optgroup label="%s">' % market.name in html
    assert "root_admin" not in html and "sync_robot" not in html


def test_unit_field_is_a_searchable_picker(market, prod):
    field = UnitMultipleChoiceField()

    html = field.widget.render("units", None)

    assert 'data-picker="unit"' in html and market.name in html and prod.name in html


def test_deputy_picker_leaves_out_oneself_and_system_accounts(officer_market, head_market, system_accounts):
    form = DelegationForm(actor=officer_market)
    offered = set(form.fields["deputy"].queryset.values_list("username", flat=True))

    assert "head_market" in offered
    assert "officer_market" not in offered
    assert not offered & {u.username for u in system_accounts}


def test_picking_oneself_as_deputy_is_refused_by_the_form(officer_market):
    form = DelegationForm({"deputy": officer_market.pk, "start": "2026-03-10T09:00", "end": "2026-03-12T18:00"},
                          actor=officer_market)

    assert not form.is_valid() and "deputy" in form.errors


def test_pickable_people_refuses_an_unknown_purpose(officer_market):
    with pytest.raises(ValueError):
        pickable_people(actor=officer_market, purpose="anyone")
    assert officer_market not in pickable_people(actor=officer_market, purpose=DEPUTY)
    assert get_user_model().objects.filter(pk=officer_market.pk).exists()
