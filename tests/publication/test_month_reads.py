"""publication.month_reads states the selectors' rules as plain statements
(issue 12): each read selects exactly what the querysets it replaces
selected — the month's records, feedback counts, adoption counts and
published issues — for every role and for a deputy."""
import datetime as dt

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from briefs.models import Adoption, AdoptionLevel, BulletinEntry, BulletinIssue
from briefs.selectors import adoptions_visible_to
from briefs.summary import month_bounds, parse_month
from infoflow.models import Item
from infoflow.services.delegation import create_delegation
from publication import month_reads, selectors
from publication.models import Feedback, Release
from tests.infoflow.test_visibility import EVERYONE
from tests.infoflow.test_visibility_join import spread  # noqa: F401  (fixture)
from tests.publication.test_visibility_rows import released  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def deputy(org, frozen):
    create_delegation(actor=org["head_market"], principal=org["head_market"], deputy=org["head_prod"],
                      start=timezone.now() - dt.timedelta(hours=1), end=timezone.now() + dt.timedelta(days=2))
    assert len(selectors.acting_ids(org["head_prod"])) == 2


def _month():
    return month_bounds(parse_month(None))


def test_the_months_records_are_those_records_visible_to_selects(org, released, deputy):  # noqa: F811
    start, end = _month()
    sizes = set()
    for name in EVERYONE:
        user = org[name]
        acting = selectors.acting_ids(user)
        expected = list(selectors.records_visible_to(user, acting).filter(released_at__gte=start, released_at__lt=end)
                        .values_list("release_id", "release__item_id", "channel_name", "channel_kind", "views")
                        .order_by("channel_name", "release_id"))
        assert month_reads.month_records(user, acting, start, end) == expected, name
        sizes.add(len(expected))
    assert len(sizes) > 1  # some role sees fewer records than another
    assert month_reads.month_records(org["secretary"], [org["secretary"].pk], end, end + dt.timedelta(days=1)) == []


def test_the_first_release_of_each_release_in_the_month(org, released, wechat):  # noqa: F811
    from publication.models import ReleaseRecord

    start, end = _month()
    release = Release.objects.get(item=released[0])
    early = start + dt.timedelta(hours=5)
    ReleaseRecord.objects.filter(release=release, channel=wechat).update(released_at=early)
    other = Release.objects.get(item=released[1])
    ReleaseRecord.objects.filter(release=other, channel=wechat).update(released_at=start - dt.timedelta(hours=1))
    got = month_reads.first_released({release.pk, other.pk}, start, end)
    assert got == {release.pk: early, other.pk: ReleaseRecord.objects.exclude(channel=wechat).get(release=other)
                   .released_at}
    assert month_reads.first_released(set(), start, end) == {}


def test_item_names_by_id(org, released):  # noqa: F811
    ids = {item.pk for item in released[:2]}
    expected = {pk: (number, subject, unit) for pk, number, subject, unit in
                Item.objects.filter(pk__in=ids).values_list("pk", "number", "subject", "unit__name")}
    assert month_reads.item_names(ids) == expected
    assert month_reads.item_names(set()) == {}


def test_the_feedback_counts_are_those_of_feedback_visible_to(org, released, deputy):  # noqa: F811
    start, end = _month()
    older = Release.objects.get(item=released[1])
    late = Feedback.objects.create(release=older, author=org["employee"], text="旧的")
    Feedback.objects.filter(pk=late.pk).update(created_at=start - dt.timedelta(days=3))
    in_month = Q(created_at__gte=start, created_at__lt=end)
    sizes = set()
    for name in EVERYONE:
        user = org[name]
        acting = selectors.acting_ids(user)
        for listed in (set(), {older.pk}, set(Release.objects.values_list("pk", flat=True))):
            expected = sorted(
                selectors.feedback_visible_to(user, acting).filter(in_month | Q(release_id__in=sorted(listed)))
                .values_list("release_id", "release__item__unit__name")
                .annotate(n_month=Count("pk", filter=in_month), n=Count("pk")).order_by())
            assert sorted(month_reads.feedback_counts(user, acting, start, end, listed)) == expected, (name, listed)
            sizes.add(len(expected))
    assert len(sizes) > 1


def test_the_adoption_counts_and_the_issues_published(org, released):  # noqa: F811
    start, end = _month()
    for n, item in enumerate(released):
        Adoption.objects.create(item=item, level=AdoptionLevel.values[n % len(AdoptionLevel.values)],
                                recorded_by=org["secretary"])
    expected = sorted((r["item__unit__name"], r["level"], r["n"]) for r in
                      adoptions_visible_to(org["secretary"]).filter(recorded_at__gte=start, recorded_at__lt=end)
                      .values("item__unit__name", "level").annotate(n=Count("pk")).order_by())
    assert expected and sorted(month_reads.adoption_counts(start, end)) == expected

    now = timezone.now()
    for number in (2, 1):
        issue = BulletinIssue.objects.create(created_by=org["secretary"], period=parse_month(None),
                                             state=BulletinIssue.State.PUBLISHED, year=now.year, number=number,
                                             issue_date=now.date(), published_at=now, published_by=org["secretary"])
        for position, item in enumerate(released[:number]):
            BulletinEntry.objects.create(issue=issue, item=item, position=position, title=item.subject)
    BulletinIssue.objects.create(created_by=org["secretary"], period=parse_month(None))  # a draft: left out
    expected = list(BulletinIssue.objects.filter(state=BulletinIssue.State.PUBLISHED, published_at__gte=start,
                                                 published_at__lt=end)
                    .annotate(entry_count=Count("entries")).order_by("number"))
    got = month_reads.published_issues(start, end)
    shown = [(i.pk, i.title, i.number_label, i.issue_date, i.entry_count) for i in got]
    assert shown == [(i.pk, i.title, i.number_label, i.issue_date, i.entry_count) for i in expected]
    assert [i.entry_count for i in got] == [1, 2]


def test_the_calendars_plans_and_records_are_those_the_selectors_select(org, released, deputy):  # noqa: F811
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from publication.models import ReleasePlan, ReleaseRecord

    start, end = _month()
    first, last = start.date(), (end - dt.timedelta(days=1)).date()
    assert {c.pk for c in month_reads.calendar_channels()} == set(selectors.Channel.objects.values_list("pk", flat=True))
    sizes = set()
    for name in EVERYONE:
        user = org[name]
        acting = selectors.acting_ids(user)
        plans = list(selectors.plans_visible_to(user, acting).filter(planned_on__range=(first, last),
                                                                     state=ReleasePlan.State.PLANNED)
                     .select_related("release__item", "person_in_charge").prefetch_related("channels"))
        got = month_reads.calendar_plans(user, acting, first, last)
        assert [(p.pk, p.planned_on, p.release.item_id, p.release.item.subject, p.person_in_charge.username,
                 p.person_in_charge.get_full_name(), sorted(channels)) for p, channels in got] == [
            (p.pk, p.planned_on, p.release.item_id, p.release.item.subject, p.person_in_charge.username,
             p.person_in_charge.get_full_name(), sorted(c.pk for c in p.channels.all())) for p in plans], name
        for limit in (1, 30):
            ranked = dict(selectors.records_visible_to(user, acting).filter(released_at__gte=start, released_at__lt=end)
                          .annotate(rank=Window(RowNumber(), partition_by=[F("channel_id")],
                                                order_by=[F("released_at").desc(), F("pk").desc()]),
                                    in_channel=Window(Count("pk"), partition_by=[F("channel_id")]))
                          .filter(rank__lte=limit).values_list("pk", "in_channel"))
            records = (ReleaseRecord.objects.filter(pk__in=list(ranked)).select_related("release__item", "released_by")
                       .order_by("channel_id", "-released_at", "-pk"))
            got = month_reads.calendar_records(user, acting, start, end, limit)
            assert [(r.pk, r.channel_id, r.released_at, r.release.item_id, r.release.item.subject,
                     r.released_by.get_full_name() or r.released_by.username, n) for r, n in got] == [
                (r.pk, r.channel_id, r.released_at, r.release.item_id, r.release.item.subject,
                 r.released_by.get_full_name() or r.released_by.username, ranked[r.pk]) for r in records], name
        sizes.add((len(plans), len(got)))
    assert len(sizes) > 1
