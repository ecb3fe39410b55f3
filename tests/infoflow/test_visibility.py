"""Each role sees exactly its items, restricted ones included."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infoflow.models import Item
from infoflow.services.chain import approve_step, open_step, submit_item, withdraw_item
from infoflow.services.delivery import transmit_item
from infoflow.visibility import can_view, items_visible_to, record_restricted_view
from liaison.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EVERYONE = ["officer_market", "head_market", "officer_prod", "head_prod", "leader", "secretary", "gm", "legal",
            "auditor", "employee", "outsider"]


def seers(org, item):
    return {name for name in EVERYONE if items_visible_to(org[name]).filter(pk=item.pk).exists()}


def test_a_draft_is_seen_by_its_unit_officers_only(org, make_item):
    item = make_item()

    assert seers(org, item) == {"officer_market"}


def test_an_item_in_review_is_seen_by_its_path_and_the_overseers(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    assert seers(org, item) == {"officer_market", "head_market", "secretary", "auditor"}
    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")
    assert seers(org, item) == {"officer_market", "head_market", "leader", "secretary", "auditor"}


def test_receivers_see_the_item_once_transmitted(org, make_item, frozen):
    item = submit_item(item=make_item(needs_coordination=True), actor=org["officer_market"])
    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")
    assert "officer_prod" not in seers(org, item)

    transmit_item(item=item, actor=org["officer_market"], methods=["system"])

    assert seers(org, item) == {"officer_market", "head_market", "officer_prod", "head_prod", "secretary", "auditor"}


def test_a_restricted_item_is_seen_only_by_its_path(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external", confidentiality="restricted"), actor=org["officer_market"])
    assert seers(org, item) == {"officer_market", "head_market"}

    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")
    approve_step(step=open_step(item), actor=org["leader"], opinion="同意")
    transmit_item(item=item, actor=org["officer_market"], methods=["system"])

    assert seers(org, item) == {"officer_market", "head_market", "leader", "officer_prod", "head_prod"}


def test_withdrawing_hides_a_restricted_item_from_the_reviewer_again(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external", confidentiality="restricted"), actor=org["officer_market"])
    assert "head_market" in seers(org, item)

    withdraw_item(item=item, actor=org["officer_market"])

    assert seers(org, item) == {"officer_market"}


def test_all_staff_items_are_seen_by_everyone_once_sent(org, make_item, frozen):
    item = make_item(kind="notice", needs_coordination=True, receivers=[{"kind": "all_staff"}])
    item = submit_item(item=item, actor=org["officer_market"])
    assert "employee" not in seers(org, item)
    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")
    assert "employee" not in seers(org, item)

    transmit_item(item=item, actor=org["officer_market"], methods=["system"])

    assert seers(org, item) == set(EVERYONE)


def test_restricted_all_staff_item_is_not_seen_by_everyone(org, make_item, frozen):
    item = make_item(kind="notice", confidentiality="restricted", receivers=[{"kind": "all_staff"}])
    item = submit_item(item=item, actor=org["officer_market"])  # sent by the portal on submission

    assert seers(org, item) == {"officer_market"}


def test_superuser_sees_submitted_unrestricted_items_but_not_restricted_or_drafts(org, make_item, frozen):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    draft = make_item()
    open_item = submit_item(item=make_item(subject="公开事项"), actor=org["officer_market"])
    secret = submit_item(item=make_item(subject="限定事项", confidentiality="restricted"), actor=org["officer_market"])

    visible = set(items_visible_to(admin))

    assert open_item in visible and draft not in visible and secret not in visible


def test_inactive_and_anonymous_users_see_nothing(org, make_item, frozen):
    from django.contrib.auth.models import AnonymousUser

    submit_item(item=make_item(), actor=org["officer_market"])
    org["secretary"].is_active = False

    assert not items_visible_to(org["secretary"]).exists()
    assert not items_visible_to(AnonymousUser()).exists()
    assert can_view(org["officer_market"], Item.objects.get())


def test_opening_a_restricted_item_writes_an_audit_row(org, make_item, frozen):
    item = make_item(confidentiality="restricted")
    plain = make_item(subject="普通")

    entry = record_restricted_view(org["officer_market"], item)

    assert record_restricted_view(org["officer_market"], plain) is None
    assert entry.action == AuditEntry.Action.VIEW_RESTRICTED
    assert AuditEntry.objects.filter(action="view_restricted", object_id=str(item.pk), user=org["officer_market"]).count() == 1


def test_visibility_is_one_query_with_a_subquery(org, make_item, frozen):
    for n in range(5):
        submit_item(item=make_item(subject=f"事项{n}"), actor=org["officer_market"])
    user = org["head_market"]
    from officers.roles import roles_of

    roles_of(user)  # roles are read once per request

    with CaptureQueriesContext(connection) as queries:
        rows = list(items_visible_to(user))

    assert len(rows) == 5
    assert len(queries) == 1
    assert "IN (SELECT" in queries[0]["sql"].upper().replace('"', "")
