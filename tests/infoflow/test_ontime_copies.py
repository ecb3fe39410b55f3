"""The on-time page's overdue lists read the item's values copied onto each
review step and receiver (models.ItemCopies, kept by triggers: migration
0019, infoflow.item_copies). They must list and count exactly what the
selectors joined to the item listed before (issue 12), for every role, after
the items' states, departments, confidentiality and "all staff" flag change
by any write path."""
import datetime as dt
import random

import pytest
import time_machine
from django.db import connection
from django.db.models import Case, Count, F, Q, When
from django.utils import timezone

from infoflow import ontime
from infoflow.models import Confidentiality, Delegation, Item, Receiver, ReviewStep
from infoflow.permissions import grant
from infoflow.visibility import visibility_q
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db

PERSONAS = ["secretary", "auditor", "gm", "leader", "head_market", "officer_market", "employee", "legal"]


# --- the selectors as they were, joined to the item (before 0019) -------------

def old_visible(qs, user):
    condition = visibility_q(user, prefix="item__")
    return qs.none() if condition is None else qs.filter(condition)


def old_overdue_steps(now, units, user):
    qs = old_visible(ReviewStep.objects.filter(state=ReviewStep.State.OPEN, due_at__lt=now), user)
    if units is not None:
        qs = qs.filter(item__unit_id__in=units)
    return list(qs.order_by("due_at", "pk").values_list("pk", flat=True))


def old_overdue_receivers(now, units, user):
    overdue = Q(answer_due_at__lt=now) | Q(state=Receiver.State.SENT, response_due_at__lt=now)
    qs = Receiver.objects.filter(state__in=(Receiver.State.SENT, Receiver.State.ACKNOWLEDGED),
                                 item__state=Item.State.TRANSMITTED).filter(overdue)
    qs = old_visible(qs, user)
    if units is not None:
        qs = qs.filter(Q(unit_id__in=units) | Q(item__unit_id__in=units))
    first_missed = Case(When(state=Receiver.State.SENT, response_due_at__lt=now, then=F("response_due_at")),
                        default=F("answer_due_at"))
    return list(qs.annotate(first_missed_at=first_missed).order_by("first_missed_at", "pk")
                .values_list("pk", flat=True))


def old_late_per_unit(start, now, units):
    qs = ReviewStep.objects.filter(state=ReviewStep.State.OPEN, due_at__lt=now, due_at__gte=start)
    if units is not None:
        qs = qs.filter(item__unit_id__in=units)
    return {row["item__unit_id"]: row["n"] for row in qs.order_by().values("item__unit_id").annotate(n=Count("pk"))}


# --- a random organisation's items ----------------------------------------------

def build(org, seed=12):
    rng = random.Random(seed)
    units = [org["market"], org["prod"], org["finance"]]
    hours = range(-400, 200, 7)
    items = []
    for n in range(60):
        items.append(Item.objects.create(
            unit=rng.choice(units), initiator=org["officer_market"], subject="主题%d" % n, summary="摘要",
            number="CP-2026-%03d" % n, state=rng.choice(Item.State.values),
            confidentiality=rng.choice(Confidentiality.values), to_all_staff=rng.random() < 0.3,
            submitted_at=NOW - dt.timedelta(days=20)))
    for n, item in enumerate(items):
        for index in range(rng.randint(0, 2)):
            ReviewStep.objects.create(
                item=item, review_round=1, stage_index=index, name="部门负责人审核", decider="unit_head",
                state=rng.choice([ReviewStep.State.OPEN] * 3 + [ReviewStep.State.APPROVED, ReviewStep.State.WAITING]),
                due_at=NOW + dt.timedelta(hours=rng.choice(hours)) if rng.random() < 0.9 else None)
        for _ in range(rng.randint(0, 3)):
            Receiver.objects.create(
                item=item, kind=Receiver.Kind.UNIT, unit=rng.choice(units),
                state=rng.choice([Receiver.State.SENT, Receiver.State.SENT, Receiver.State.ACKNOWLEDGED,
                                  Receiver.State.ANSWERED, Receiver.State.WAITING]),
                response_due_at=NOW + dt.timedelta(hours=rng.choice(hours)) if rng.random() < 0.7 else None,
                answer_due_at=NOW + dt.timedelta(hours=rng.choice(hours)) if rng.random() < 0.8 else None)
    # Grants on some items (restricted ones among them) to the people on their path.
    for item in rng.sample(items, 25):
        grant(rng.choice([org["leader"], org["head_market"], org["officer_market"], org["legal"]]), "view_item", item)
    # A deputy sees what the leader sees through the path.
    Delegation.objects.create(principal=org["leader"], deputy=org["employee"], created_by=org["leader"],
                              start=NOW - dt.timedelta(days=1), end=NOW + dt.timedelta(days=1))
    return rng, items


def assert_copies_match():
    for model in (ReviewStep, Receiver):
        stale = model.objects.exclude(item_unit_id=F("item__unit_id"), item_state=F("item__state"),
                                      item_confidentiality=F("item__confidentiality"),
                                      item_to_all_staff=F("item__to_all_staff"))
        assert not stale.exists(), model


def assert_same_lists(org, monkeypatch):
    assert_copies_match()
    start = dt.datetime.combine(NOW.date() - dt.timedelta(days=9), dt.time.min, tzinfo=NOW.tzinfo)
    end = dt.datetime.combine(NOW.date() + dt.timedelta(days=1), dt.time.min, tzinfo=NOW.tzinfo)
    assert ontime.whole_days(start, end)  # the page's periods: the steps' count rides on the rates' query
    for persona in PERSONAS:
        user = org[persona]
        for units in (None, ontime.unit_scope(user), {org["market"].pk}):
            steps = list(ontime.overdue_steps(NOW, units, user).values_list("pk", flat=True))
            assert steps == old_overdue_steps(NOW, units, user), (persona, units)
            receivers = old_overdue_receivers(NOW, units, user)
            assert list(ontime.overdue_receivers(NOW, units, user).values_list("pk", flat=True)) == receivers

            rates = list(ontime.review_rates_with_overdue(start, end, NOW, ontime.whole_days(start, end), units, user))
            assert {r["dept"]: r["total"] for r in rates if r["part"] == 1 and r["total"]} == old_late_per_unit(
                start, NOW, units), (persona, units)
            assert sum(r["overdue"] for r in rates) == len(steps), (persona, units)
            assert overdue_counts(NOW, units, user) == (len(steps), len(receivers)), (persona, units)
            if units != ontime.unit_scope(user):
                continue
            # The page: every page of both lists, and their counts, as before.
            monkeypatch.setattr(ontime, "PAGE_SIZE", 4)
            rows = {"steps": [], "receivers": []}
            counts = {}
            for number in range(1, 12):
                report = ontime.ontime_report(user, start, end, now=NOW,
                                              steps_page=str(number), receivers_page=str(number))
                if number > max(report.steps_page.paginator.num_pages, report.receivers_page.paginator.num_pages):
                    break
                rows["steps"] += ([s.pk for s in report.steps_page.object_list]
                                  if number <= report.steps_page.paginator.num_pages else [])
                rows["receivers"] += ([r.pk for r in report.receivers_page.object_list]
                                      if number <= report.receivers_page.paginator.num_pages else [])
                counts = {"steps": report.steps_page.paginator.count,
                          "receivers": report.receivers_page.paginator.count}
            assert rows["steps"][:44] == steps[:44] and counts["steps"] == len(steps), persona
            assert rows["receivers"][:44] == receivers[:44] and counts["receivers"] == len(receivers), persona
            # A page past the end or not a number: the last page, or the first, as Paginator.get_page.
            for asked, expected in (("999", "last"), ("0", "last"), ("x", 1), ("", 1)):
                report = ontime.ontime_report(user, start, end, now=NOW,
                                              steps_page=asked, receivers_page=asked)
                page = report.receivers_page
                number = page.paginator.num_pages if expected == "last" else 1
                assert page.number == number, (persona, asked)
                assert [r.pk for r in page.object_list] == receivers[(number - 1) * 4:number * 4], (persona, asked)
                page = report.steps_page
                number = page.paginator.num_pages if expected == "last" else 1
                assert [s.pk for s in page.object_list] == steps[(number - 1) * 4:number * 4], (persona, asked)
            monkeypatch.setattr(ontime, "PAGE_SIZE", 20)


def overdue_counts(now, units, user):
    """Both lists' lengths from the overdue day totals (ontime.overdue_counts_sql; issue 12)."""
    local = timezone.localtime(now, timezone.get_default_timezone())
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    sql, params = ontime.overdue_counts_sql(now, day_start, local.date(), units, user)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchone())


def test_copies_and_lists_follow_item_changes(org, monkeypatch):
    with time_machine.travel(NOW, tick=False):
        rng, items = build(org)
        assert ReviewStep.objects.filter(state="open", due_at__lt=NOW).count() > 10
        assert_same_lists(org, monkeypatch)

        # A step read before its item changes, saved whole afterwards (a service's full save()).
        stale_step = ReviewStep.objects.filter(state="open").select_related("item").first()
        stale_receiver = Receiver.objects.filter(state="sent").first()

        # State changes through save() (the services) and QuerySet.update (sweeps, admin actions).
        for item in rng.sample(items, 15):
            item.state = rng.choice(Item.State.values)
            item.save()
        Item.objects.filter(pk__in=[i.pk for i in rng.sample(items, 10)]).update(state=Item.State.TRANSMITTED)
        assert_same_lists(org, monkeypatch)

        # Department changes.
        for item in rng.sample(items, 10):
            item.unit = rng.choice([org["market"], org["prod"], org["finance"]])
            item.save(update_fields=["unit"])
        assert_same_lists(org, monkeypatch)

        # Confidentiality and the all-staff flag.
        for item in rng.sample(items, 15):
            item.confidentiality = rng.choice(Confidentiality.values)
            item.to_all_staff = not item.to_all_staff
            item.save()
        Item.objects.filter(pk__in=[i.pk for i in rng.sample(items, 8)]).update(
            confidentiality=Confidentiality.RESTRICTED)
        stale_step.name = "改名"
        stale_step.save()
        stale_receiver.save()
        assert_same_lists(org, monkeypatch)

        # Rows added in bulk (bulk_create skips save()) and moved to another item.
        ReviewStep.objects.bulk_create([
            ReviewStep(item=item, review_round=9, stage_index=0, name="审核", decider="unit_head",
                       state=ReviewStep.State.OPEN, due_at=NOW - dt.timedelta(hours=3))
            for item in rng.sample(items, 10)])
        moved = Receiver.objects.filter(state="sent").first()
        Receiver.objects.filter(pk=moved.pk).update(item=rng.choice(items))
        assert_same_lists(org, monkeypatch)


def assert_counts_match(org, moments):
    for now in moments:
        for persona in PERSONAS:
            user = org[persona]
            for units in (None, ontime.unit_scope(user), {org["market"].pk}):
                steps = old_overdue_steps(now, units, user)
                receivers = old_overdue_receivers(now, units, user)
                assert overdue_counts(now, units, user) == (len(steps), len(receivers)), (persona, units, now)
    assert overdue_counts(moments[0], None, None) == (
        ReviewStep.objects.filter(state="open", due_at__lt=moments[0]).count(),
        len(old_overdue_receivers(moments[0], None, None)) if False else Receiver.objects.filter(
            Q(state="sent", response_due_at__lt=moments[0]) | Q(state__in=("sent", "acknowledged"),
                                                                 answer_due_at__lt=moments[0]),
            state__in=("sent", "acknowledged"), item__state=Item.State.TRANSMITTED).count())


def test_overdue_day_totals_follow_every_write_and_fold(org):
    """The overdue counts read from the day totals (OverdueDay, kept by the
    triggers of infoflow.overdue_days) equal the lists' lengths the joined
    selectors give, for every persona and scope, at moments on other days
    and hours, after the steps' and receivers' own changes (state, limits,
    unit, deletes), the items' changes, a fold (days of past months folded
    into their month) and a rebuild (issue 12)."""
    from infoflow import overdue_days
    from infoflow.models import OverdueDay

    moments = [NOW, NOW + dt.timedelta(hours=5), NOW + dt.timedelta(days=3), NOW - dt.timedelta(days=2, hours=7)]
    with time_machine.travel(NOW, tick=False):
        rng, items = build(org, seed=7)
        assert_counts_match(org, moments)
        # The rows' own changes: decisions, receipts, answers, new limits, another unit, deletes.
        steps = list(ReviewStep.objects.all())
        for step in rng.sample(steps, min(10, len(steps))):
            step.state = rng.choice([ReviewStep.State.OPEN, ReviewStep.State.APPROVED, ReviewStep.State.RETURNED])
            step.due_at = NOW + dt.timedelta(hours=rng.randint(-300, 100))
            step.save()
        ReviewStep.objects.filter(pk__in=[s.pk for s in rng.sample(steps, 5)]).update(due_at=None)
        receivers = list(Receiver.objects.all())
        for receiver in rng.sample(receivers, min(12, len(receivers))):
            receiver.state = rng.choice([Receiver.State.SENT, Receiver.State.ACKNOWLEDGED, Receiver.State.ANSWERED])
            receiver.response_due_at = rng.choice([None, NOW + dt.timedelta(hours=rng.randint(-300, 100))])
            receiver.answer_due_at = rng.choice([None, NOW + dt.timedelta(hours=rng.randint(-300, 100))])
            receiver.unit = rng.choice([org["market"], org["prod"], org["finance"]])
            receiver.save()
        Receiver.objects.filter(pk__in=[r.pk for r in rng.sample(receivers, 6)]).update(
            state=Receiver.State.ACKNOWLEDGED)
        ReviewStep.objects.filter(pk__in=[s.pk for s in rng.sample(steps, 4)]).delete()
        Receiver.objects.filter(pk__in=[r.pk for r in rng.sample(receivers, 4)]).delete()
        Item.objects.filter(pk__in=[i.pk for i in rng.sample(items, 10)]).update(state=Item.State.TRANSMITTED)
        items[0].delete()
        assert_counts_match(org, moments)
        # Folded: one row a key, the days before this month into its first day (the data reach back into
        # February), no row of a sum 0; a second fold finds nothing.
        month = NOW.date().replace(day=1)
        assert OverdueDay.objects.filter(day__lt=month).exclude(day=dt.date(2026, 2, 1)).exists()
        assert overdue_days.compact(connection) > 0
        assert overdue_days.compact(connection) == 0
        assert not OverdueDay.objects.filter(n=0).exists()
        assert set(OverdueDay.objects.filter(day__lt=month).values_list("day", flat=True)) == {dt.date(2026, 2, 1)}
        assert_counts_match(org, moments)
        overdue_days.rebuild(connection)
        assert_counts_match(org, moments)
