"""The publication selectors test the visibility rule on each row's own item
(publication.selectors.item_visible_q, issue 12) and must select exactly the
rows the sets of visible items and bulletin releases selected: releases,
records, plans and feedback, for every role and for a deputy."""
import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from infoflow.models import Item
from infoflow.services.delegation import create_delegation
from infoflow.visibility import items_visible_to
from publication import selectors
from publication.models import Channel, Feedback, Release, ReleasePlan, ReleaseRecord
from tests.infoflow.test_visibility import EVERYONE
from tests.infoflow.test_visibility_join import spread  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(org, spread, bulletin_channel, wechat):  # noqa: F811
    """A release of every item of ``spread`` (one made public), a record on
    the bulletin and on WeChat, a plan in the officer's charge and a reader's
    feedback on each."""
    Item.objects.filter(pk=spread[2].pk).update(confidentiality="public")
    now = timezone.now()
    for n, item in enumerate(spread):
        release = Release.objects.create(item=item, created_by=org["secretary"], first_released_at=now)
        for channel in (bulletin_channel, wechat):
            ReleaseRecord.objects.create(release=release, channel=channel, channel_name=channel.name,
                                         channel_kind=channel.kind, released_by=org["secretary"], released_at=now)
        ReleasePlan.objects.create(release=release, planned_on=now.date(), created_by=org["secretary"],
                                   person_in_charge=org["officer_market"] if n == 0 else org["secretary"])
        Feedback.objects.create(release=release, author=org["employee"], text="好")
    return spread


def _by_sets(user):
    """The selectors as they were written before issue 12: item in the set of visible items."""
    visible = items_visible_to(user).values("pk")
    releases = Release.objects.filter(item__in=visible).values("pk")
    return {
        "releases": Release.objects.filter(pk__in=releases),
        "records": ReleaseRecord.objects.filter(release__in=releases),
        "plans": ReleasePlan.objects.filter(Q(person_in_charge=user) | Q(release__in=releases)),
        "feedback": Feedback.objects.filter(Q(release__in=selectors.bulletin_releases().values("pk"))
                                            | Q(release__item__in=visible)),
    }


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_each_row_tested_on_its_own_item_selects_what_the_sets_selected(org, released, frozen):
    create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_prod"],
                      start=timezone.now() - dt.timedelta(hours=1), end=timezone.now() + dt.timedelta(days=2))
    seen = set()
    for name in EVERYONE:
        user = org[name]
        expected = _by_sets(user)
        got = {"releases": selectors.releases_visible_to(user), "records": selectors.records_visible_to(user),
               "plans": selectors.plans_visible_to(user), "feedback": selectors.feedback_visible_to(user)}
        for kind, rows in got.items():
            assert _ids(rows) == _ids(expected[kind]), (name, kind)
            seen |= {(kind, len(_ids(rows)))}
    assert len(selectors.acting_ids(org["head_prod"])) == 2  # the deputy case was exercised
    # Neither everything nor nothing: some role sees fewer releases than others.
    assert len({n for kind, n in seen if kind == "releases"}) > 1


def test_the_calendar_and_summary_leave_out_records_of_items_the_reader_may_not_see(org, released, frozen):
    from briefs.summary import month_summary, parse_month

    restricted = next(item for item in released if item.confidentiality == "restricted")
    first = timezone.localdate().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    for name in ("secretary", "officer_market"):
        user = org[name]
        sees = items_visible_to(user).filter(pk=restricted.pk).exists()
        calendar = selectors.release_calendar(user, first=first, last=last)
        listed = {r.release.item_id for row in calendar.values() for r in row["done"]}
        summary = month_summary(user=user, month=parse_month(None))
        numbers = {r["number"] for r in summary["releases"]}

        assert (restricted.pk in listed) == sees, name
        assert (restricted.number in numbers) == sees, name
        assert summary["totals"]["records"] == 2 * len(listed) == 2 * summary["totals"]["released"], name
    assert not items_visible_to(org["secretary"]).filter(pk=restricted.pk).exists()  # the secretariat is not on its path
    assert Channel.objects.filter(kind=Channel.Kind.BULLETIN).exists()


def test_a_channel_delete_page_names_no_release_of_any_item(client, released, wechat):
    """The delete confirmation of a channel would list the release records it takes with it, with their items'
    numbers and subjects, restricted ones included: it names the channel and counts the rest (DeleteSummaryAdmin)."""
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-12345-x")
    client.force_login(root)

    page = client.get("/admin/publication/channel/%d/delete/" % wechat.pk)

    assert page.status_code == 200
    text = page.content.decode()
    assert wechat.name in text
    for item in released:
        assert item.subject not in text and (not item.number or item.number not in text)
