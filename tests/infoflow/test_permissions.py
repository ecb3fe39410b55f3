"""Guardian grants follow the item through every transition; the predicates."""
import pytest
from guardian.core import ObjectPermissionChecker

from infoflow.models import Item, ItemUserObjectPermission
from infoflow.permissions import (
    can_cancel,
    can_decide,
    can_edit,
    can_receive,
    can_register_incoming,
    can_submit,
    can_take,
    can_transmit,
    grant,
    revoke,
    sync_item_grants,
)
from infoflow.services.chain import approve_step, open_step, return_step, submit_item, take_step, withdraw_item
from infoflow.services.delivery import raise_question, transmit_item
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def grants(item):
    """{username: {codenames}} held on the item."""
    held = {}
    for username, code in ItemUserObjectPermission.objects.filter(content_object=item).values_list(
        "user__username", "permission__codename"
    ):
        held.setdefault(username, set()).add(code)
    return held


HANDLER = {"view_item", "handle_item"}
RECEIVER = {"view_item", "receive_item"}


def test_grants_follow_an_external_item_to_completion(org, make_item, frozen):
    item = make_item(direction="external")
    assert grants(item) == {"officer_market": HANDLER}

    item = submit_item(item=item, actor=org["officer_market"])
    assert grants(item) == {"officer_market": HANDLER, "head_market": {"view_item"}}

    approve_step(step=open_step(item), actor=org["head_market"], opinion="同意")
    assert grants(item) == {"officer_market": HANDLER, "head_market": {"view_item"}, "leader": {"view_item"}}

    approve_step(step=open_step(item), actor=org["leader"], opinion="同意")
    transmit_item(item=item, actor=org["officer_market"], methods=["system"])
    assert grants(item) == {"officer_market": HANDLER, "head_market": {"view_item"}, "leader": {"view_item"},
                            "officer_prod": RECEIVER, "head_prod": RECEIVER}

    raise_question(receiver=item.receivers.get(), actor=org["officer_prod"], kind="question", text="请确认数量",
                   responsible_unit=org["finance"])
    assert grants(item)["head_finance"] == {"view_item"}
    assert ObjectPermissionChecker(org["officer_prod"]).has_perm("receive_item", item)


def test_withdrawal_removes_the_reviewer_who_never_acted(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    withdraw_item(item=item, actor=org["officer_market"])

    assert grants(item) == {"officer_market": HANDLER}


def test_a_returning_reviewer_keeps_sight_of_the_item(org, make_item, frozen):
    item = submit_item(item=make_item(direction="external"), actor=org["officer_market"])

    return_step(step=open_step(item), actor=org["head_market"], opinion="请补充")

    assert grants(item)["head_market"] == {"view_item"}


def test_pool_members_get_sight_when_the_stage_opens(org, make_item, frozen):
    item = submit_item(item=make_item(kind="publication"), actor=org["officer_market"])
    assert grants(item)["secretary"] == {"view_item"}

    take_step(step=open_step(item), actor=org["secretary"])

    assert can_take(org["secretary"], open_step(item)) is False


def test_a_new_officer_gets_the_grants_at_the_next_transition(org, make_item, frozen):
    item = make_item(direction="external")
    newcomer = OfficerFactory(unit=org["market"], is_primary=False, user__username="officer_market2").user

    submit_item(item=item, actor=org["officer_market"])

    assert grants(item)["officer_market2"] == HANDLER


def test_sync_leaves_hand_made_grants_alone(org, make_item):
    item = make_item()
    grant(org["auditor"], "change_item", item)
    grant(org["auditor"], "view_item", item)

    added, removed = sync_item_grants(item)

    assert (added, removed) == (0, 1)
    assert grants(item)["auditor"] == {"change_item"}
    revoke(org["auditor"], "change_item", item)
    assert "auditor" not in grants(item)


def test_predicates_follow_state_and_role(org, make_item, frozen):
    item = make_item(direction="external")
    assert can_edit(org["officer_market"], item) and can_submit(org["officer_market"], item)
    assert not can_edit(org["head_market"], item) and not can_submit(org["officer_prod"], item)

    item = submit_item(item=item, actor=org["officer_market"])
    step = open_step(item)
    assert not can_edit(org["officer_market"], item) and not can_submit(org["officer_market"], item)
    assert can_decide(org["head_market"], step) and not can_decide(org["leader"], step)
    assert can_decide(org["head_market"], step.assignees.get()) and not can_take(org["head_market"], step)
    assert can_cancel(org["officer_market"], item) and can_cancel(org["secretary"], item)
    assert not can_cancel(org["head_prod"], item)
    assert not can_transmit(org["officer_market"], item)

    approve_step(step=step, actor=org["head_market"], opinion="同意")
    approve_step(step=open_step(item), actor=org["leader"], opinion="同意")
    item = Item.objects.get(pk=item.pk)
    assert can_transmit(org["officer_market"], item) and not can_transmit(org["head_market"], item)
    transmit_item(item=item, actor=org["officer_market"], methods=["system"])
    receiver = item.receivers.get()
    assert can_receive(org["officer_prod"], receiver) and can_receive(org["head_prod"], receiver)
    assert not can_receive(org["officer_market"], receiver) and not can_receive(org["outsider"], receiver)
    assert can_register_incoming(org["secretary"]) and not can_register_incoming(org["officer_market"])


def test_admin_item_list_starts_from_visibility(client, org, make_item, frozen):
    shown = submit_item(item=make_item(subject="公开事项"), actor=org["officer_market"])
    hidden = submit_item(item=make_item(subject="限定事项", confidentiality="restricted"), actor=org["officer_market"])
    client.force_login(org["secretary"])

    page = client.get("/admin/infoflow/item/").content.decode()

    assert "公开事项" in page and "限定事项" not in page
    assert client.get(f"/admin/infoflow/item/{shown.pk}/change/").status_code == 200
    assert client.get(f"/admin/infoflow/item/{hidden.pk}/change/").status_code == 404  # as in the portal


def test_admin_object_permissions_page_for_superuser(client, org, make_item):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    item = make_item()
    with __import__("time_machine").travel("2026-03-10 10:00+08:00", tick=False):
        item = submit_item(item=item, actor=org["officer_market"])
    client.force_login(root)

    response = client.get(f"/admin/infoflow/item/{item.pk}/permissions/")

    assert response.status_code == 200
    # People are named by their display name in the admin, not their login name.
    assert str(org["officer_market"]) in response.content.decode()
