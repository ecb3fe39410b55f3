"""The visibility rule stated on a row's own item (visibility_q with a
prefix, issue 12) selects exactly the rows whose item items_visible_to
holds: the receipts list joins the rule instead of building the set of
every visible item, and must not show one row more or less."""
import datetime as dt

import pytest
from django.utils import timezone

from infoflow import selectors
from infoflow.models import Item, Receiver
from infoflow.services.delegation import create_delegation
from infoflow.services.chain import approve_step, open_step, submit_item
from infoflow.services.delivery import transmit_item
from infoflow.visibility import items_visible_to, visibility_q
from tests.infoflow.test_visibility import EVERYONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(org, make_item, frozen):
    """A draft, an item in review, a transmitted item, a transmitted restricted
    item and one for all staff, each with a receiver row."""
    items = [make_item(needs_coordination=True)]
    items.append(submit_item(item=make_item(direction="external"), actor=org["officer_market"]))
    for fields in ({"needs_coordination": True}, {"direction": "external", "confidentiality": "restricted"}):
        item = submit_item(item=make_item(**fields), actor=org["officer_market"])
        while (step := open_step(item)) is not None:
            decider = org["head_market"] if step.decider == "unit_head" else org["leader"]
            approve_step(step=step, actor=decider, opinion="同意")
            item.refresh_from_db()
        transmit_item(item=item, actor=org["officer_market"], methods=["system"])
        items.append(item)
    assert Receiver.objects.count() >= 2
    return items


def test_the_joined_rule_selects_the_same_receiver_rows_for_every_role(org, spread):
    for name in EVERYONE:
        user = org[name]
        joined = set(Receiver.objects.filter(visibility_q(user, prefix="item__")).values_list("pk", flat=True))
        by_set = set(Receiver.objects.filter(item__in=items_visible_to(user).values("pk"))
                     .values_list("pk", flat=True))
        assert joined == by_set, name


def test_the_receipts_list_without_filters_equals_the_list_narrowed_by_visible_items(org, spread):
    seen = 0
    for name in EVERYONE:
        user = org[name]
        for answered in (False, True):
            plain = list(selectors.receiver_inbox(user, include_answered=answered).values_list("pk", flat=True))
            narrowed = list(selectors.receiver_inbox(user, items=items_visible_to(user), include_answered=answered)
                            .values_list("pk", flat=True))
            assert plain == narrowed, (name, answered)
            seen += len(plain)
    assert seen > 0  # some role has receipts: the comparison is not of empty lists


def test_the_probed_grant_rule_selects_the_same_rows_for_every_role_and_a_deputy(org, spread, frozen):
    """``granted_to`` states rules 1 and 6 as a probe of the grant index per
    row: the same rows as the sets of granted and deputised items."""
    create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_prod"],
                      start=timezone.now() - dt.timedelta(hours=1), end=timezone.now() + dt.timedelta(days=2))
    for name in EVERYONE:
        user = org[name]
        acting = selectors._acting_user_ids(user)
        probed = set(Receiver.objects.filter(visibility_q(user, prefix="item__", granted_to=acting))
                     .values_list("pk", flat=True))
        by_set = set(Receiver.objects.filter(visibility_q(user, prefix="item__")).values_list("pk", flat=True))
        assert probed == by_set, name
        items = set(items_visible_to(user).values_list("pk", flat=True))
        assert set(Item.objects.filter(visibility_q(user, granted_to=acting)).values_list("pk", flat=True)) == items
    assert len(selectors._acting_user_ids(org["head_prod"])) == 2  # the deputy case was exercised
