"""records_visible_to states the item rule on each record's own item (issue
12) and must select exactly the records of the former "item in the set of
every visible item" for every role."""
import pytest
from django.db.models import Q
from guardian.shortcuts import assign_perm

from archive.models import ArchivedRecord
from archive.selectors import RESTRICTED, named_record_ids, records_visible_to
from archive.services import archive_item
from infoflow.visibility import granted_item_ids, items_visible_to
from officers.roles import roles_of
from tests.factories import RoleFactory, UserFactory

PEOPLE = ["officer_market", "head_market", "officer_prod", "head_prod", "leader", "secretary", "gm", "auditor",
          "employee", "outsider"]


def by_item_set(user):
    condition = ((Q(item_id__in=items_visible_to(user).values("pk")) & ~RESTRICTED)
                 | (Q(item_id__in=granted_item_ids(user)) & RESTRICTED) | Q(pk__in=named_record_ids(user)))
    if roles_of(user).is_archivist:
        condition |= ~RESTRICTED
    return set(ArchivedRecord.objects.filter(condition))


@pytest.mark.django_db
def test_the_joined_rule_selects_the_same_records_for_every_role(request, make_item, prod, officer_prod,
                                                                 officer_market):
    archive_item(item=make_item(subject="市场部合同续签"))
    archive_item(item=make_item(unit=prod, initiator=officer_prod, subject="生产部设备检修"))
    archive_item(item=make_item(subject="全员通知", to_all_staff=True))
    secret_item = make_item(subject="限定范围的人事调整", confidentiality="restricted")
    assign_perm("infoflow.view_item", officer_market, secret_item)
    archive_item(item=secret_item)
    hidden = make_item(subject="限定范围，无人授权", confidentiality="restricted")
    archive_item(item=hidden)
    archivist = UserFactory(username="archivist")
    RoleFactory(user=archivist, role="archivist")

    users = [request.getfixturevalue(name) for name in PEOPLE] + [archivist]
    seen = 0
    for user in users:
        mine = set(records_visible_to(user))
        assert mine == by_item_set(user), user.username
        seen += len(mine)
    assert seen > 0


@pytest.mark.django_db
def test_the_records_copies_follow_their_item_on_every_write_path(request, make_item, prod, officer_prod, market):
    """The rule reads the record's copies of its item (ItemCopies, kept by triggers: archive migration 0006): a
    record takes its item's values when archived, and an item changed afterwards — by save(), QuerySet.update, an
    item moved to another unit — writes them into its record at once, so the rule still selects what the item set
    selects."""
    from infoflow.models import Item

    record = archive_item(item=make_item(subject="市场部合同续签"))
    record.refresh_from_db()
    item = Item.objects.get(pk=record.item_id)
    assert (record.item_unit_id, record.item_state, record.item_confidentiality, record.item_to_all_staff) == (
        item.unit_id, item.state, item.confidentiality, item.to_all_staff) and item.state == Item.State.ARCHIVED

    users = [request.getfixturevalue(name) for name in PEOPLE]
    changes = [
        lambda: Item.objects.filter(pk=item.pk).update(confidentiality="restricted"),
        lambda: Item.objects.filter(pk=item.pk).update(confidentiality="internal", unit=prod),
        lambda: Item.objects.filter(pk=item.pk).update(to_all_staff=True, unit=market),
        lambda: Item.objects.filter(pk=item.pk).update(state=Item.State.DRAFT),
    ]
    for change in changes:
        change()
        record.refresh_from_db()
        item.refresh_from_db()
        assert (record.item_unit_id, record.item_state, record.item_confidentiality, record.item_to_all_staff) == (
            item.unit_id, item.state, item.confidentiality, item.to_all_staff)
        for user in users:
            assert set(records_visible_to(user)) == by_item_set(user), (user.username, item.confidentiality)
