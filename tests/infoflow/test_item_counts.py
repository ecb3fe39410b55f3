"""The month totals of items and of each user's granted items
(models.ItemMonth and GrantMonth, kept by triggers: migrations 0021 and
0022, infoflow.item_months and grant_months) and the counts read from them
(infoflow.item_counts): for every persona, every period and department they
must equal ``items_visible_to(user)`` counted item by item, after the items'
departments, submission times, states, confidentiality and "all staff" flag
and the grants change by any write path (issue 12)."""
import datetime as dt
import random

import pytest
import time_machine
from django.db import connection
from django.db.models import Count, DateField, Sum
from django.db.models.functions import TruncMonth
from django.http import QueryDict

from infoflow import grant_months, item_months
from infoflow.export import log_queryset
from infoflow.export_views import WholeLogForm
from infoflow.item_counts import log_count, visible_item_months
from infoflow.models import Confidentiality, Delegation, GrantMonth, Item, ItemMonth, ItemUserObjectPermission
from infoflow.permissions import grant, revoke, sync_item_grants
from infoflow.visibility import items_visible_to
from tests.infoflow.conftest import NOW

pytestmark = pytest.mark.django_db

PERSONAS = ["secretary", "auditor", "gm", "leader", "head_market", "officer_market", "officer_prod", "employee",
            "legal", "outsider"]

# Around the local month and year edges: 2025-12-31 16:30 UTC is 1 January 00:30 in Shanghai.
MOMENTS = [dt.datetime(2025, 12, 31, 15, 59, tzinfo=dt.timezone.utc), dt.datetime(2025, 12, 31, 16, 30, tzinfo=dt.timezone.utc),
           dt.datetime(2026, 1, 31, 16, 0, tzinfo=dt.timezone.utc), dt.datetime(2026, 2, 14, 3, 0, tzinfo=dt.timezone.utc),
           dt.datetime(2026, 3, 9, 23, 0, tzinfo=dt.timezone.utc), dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.timezone.utc),
           None]


def expected(user, first=None, last=None, unit_id=None):
    """The items ``items_visible_to(user)`` holds, counted one by one."""
    qs = items_visible_to(user)
    if first is not None:
        qs = qs.filter(submitted_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=NOW.tzinfo))
    if last is not None:
        nxt = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        qs = qs.filter(submitted_at__lt=dt.datetime.combine(nxt, dt.time.min, tzinfo=NOW.tzinfo))
    if unit_id is not None:
        qs = qs.filter(unit_id=unit_id)
    rows = qs.order_by().annotate(month=TruncMonth("submitted_at", output_field=DateField())).values(
        "unit_id", "month").annotate(n=Count("pk"))
    return {(r["unit_id"], r["month"]): r["n"] for r in rows}


def build(org, seed=21):
    rng = random.Random(seed)
    units = [org["market"], org["prod"], org["finance"]]
    items = []
    for n in range(70):
        state = rng.choice(Item.State.values)
        items.append(Item.objects.create(
            unit=rng.choice(units), initiator=org["officer_market"], subject="主题%d" % n, summary="摘要",
            number="MC-2026-%03d" % n, state=state, confidentiality=rng.choice(Confidentiality.values),
            to_all_staff=rng.random() < 0.3, submitted_at=None if state == "draft" else rng.choice(MOMENTS)))
    for item in rng.sample(items, 30):
        grant(rng.choice([org["leader"], org["head_market"], org["officer_market"], org["legal"],
                          org["secretary"]]), "view_item", item)
    Delegation.objects.create(principal=org["leader"], deputy=org["employee"], created_by=org["leader"],
                              start=NOW - dt.timedelta(days=1), end=NOW + dt.timedelta(days=1))
    return rng, items


def recount():
    rows = Item.objects.order_by().annotate(month=TruncMonth("submitted_at", output_field=DateField())).values(
        "unit_id", "month", "state", "confidentiality", "to_all_staff").annotate(n=Count("pk"))
    return {tuple(r[k] for k in ("unit_id", "month", "state", "confidentiality", "to_all_staff")): r["n"] for r in rows}


def kept():
    rows = ItemMonth.objects.values("unit_id", "month", "state", "confidentiality", "to_all_staff").annotate(
        n=Sum("n"))
    return {tuple(r[k] for k in ("unit_id", "month", "state", "confidentiality", "to_all_staff")): r["n"]
            for r in rows if r["n"]}


def grants_recount():
    rows = ItemUserObjectPermission.objects.filter(permission__codename="view_item").order_by().annotate(
        month=TruncMonth("content_object__submitted_at", output_field=DateField())).values(
        "user_id", "content_object__unit_id", "month", "content_object__state", "content_object__confidentiality",
        "content_object__to_all_staff").annotate(n=Count("pk"))
    return {tuple(r.values())[:-1]: r["n"] for r in rows}


def grants_kept():
    rows = GrantMonth.objects.values("user_id", "unit_id", "month", "state", "confidentiality",
                                     "to_all_staff").annotate(n=Sum("n"))
    return {tuple(r.values())[:-1]: r["n"] for r in rows if r["n"]}


def assert_same_counts(org):
    assert kept() == recount()
    assert grants_kept() == grants_recount()
    periods = [(None, None), (dt.date(2026, 1, 1), dt.date(2026, 12, 1)), (dt.date(2026, 2, 1), None),
               (None, dt.date(2026, 1, 1)), (dt.date(2025, 12, 1), dt.date(2025, 12, 1))]
    for persona in PERSONAS:
        user = org[persona]
        for first, last in periods:
            for unit_id in (None, org["market"].pk):
                assert visible_item_months(user, first=first, last=last, unit_id=unit_id) == expected(
                    user, first, last, unit_id), (persona, first, last, unit_id)


def test_month_totals_and_visible_counts_follow_item_changes(org):
    with time_machine.travel(NOW, tick=False):
        rng, items = build(org)
        assert len({m for _u, m in expected(org["secretary"])}) >= 5
        assert_same_counts(org)

        # save() (the services) and QuerySet.update (sweeps, admin actions).
        for item in rng.sample(items, 15):
            item.state = rng.choice(Item.State.values)
            item.submitted_at = rng.choice(MOMENTS)
            item.save()
        Item.objects.filter(pk__in=[i.pk for i in rng.sample(items, 10)]).update(state=Item.State.TRANSMITTED)
        for item in rng.sample(items, 10):
            item.unit = rng.choice([org["market"], org["prod"], org["finance"]])
            item.confidentiality = rng.choice(Confidentiality.values)
            item.to_all_staff = not item.to_all_staff
            item.save(update_fields=["unit", "confidentiality", "to_all_staff"])
        Item.objects.filter(pk__in=[i.pk for i in rng.sample(items, 8)]).update(
            confidentiality=Confidentiality.RESTRICTED, submitted_at=MOMENTS[1])
        items[0].subject = "只改主题"
        items[0].save()
        assert_same_counts(org)

        # bulk_create and deletes.
        Item.objects.bulk_create([
            Item(unit=org["prod"], initiator=org["officer_prod"], subject="批量%d" % n, summary="摘要",
                 state=Item.State.TRANSMITTED, to_all_staff=n % 2 == 0, submitted_at=MOMENTS[n % 6])
            for n in range(6)])
        Item.objects.filter(pk__in=[i.pk for i in items[:5]]).delete()
        assert_same_counts(org)

        # Grants added, removed, moved to another item and user, synced by the services' rule.
        for item in rng.sample(list(Item.objects.all()), 10):
            grant(rng.choice([org["leader"], org["officer_prod"], org["gm"]]), "view_item", item)
        for row in rng.sample(list(ItemUserObjectPermission.objects.filter(permission__codename="view_item")), 6):
            revoke(row.user, "view_item", row.content_object)
        moved = ItemUserObjectPermission.objects.filter(permission__codename="view_item").first()
        ItemUserObjectPermission.objects.filter(pk=moved.pk).update(
            user=org["auditor"], content_object=Item.objects.exclude(pk=moved.content_object_id).last())
        for item in rng.sample(list(Item.objects.exclude(state="draft")), 5):
            sync_item_grants(item)
        ItemUserObjectPermission.objects.filter(user=org["legal"]).delete()
        assert_same_counts(org)

        # A rebuild gives the same totals.
        ItemMonth.objects.update(n=0)
        GrantMonth.objects.update(n=0)
        item_months.rebuild(connection)
        grant_months.rebuild(connection)
        assert_same_counts(org)


def test_log_count_reads_the_totals_for_whole_months_only(org):
    with time_machine.travel(NOW, tick=False):
        build(org)
        market = org["market"].pk
        for query, whole in (("", True), ("unit=%s" % market, True),
                             ("date_from=2026-01-01&date_to=2026-02-28", True), ("date_from=2026-02-01", True),
                             ("date_to=2025-12-31&unit=%s" % market, True), ("date_from=2026-01-02", False),
                             ("date_to=2026-02-27", False), ("date_from=2026-03-01&date_to=2026-01-31", True),
                             ("date_from=bad", True)):
            form = WholeLogForm(QueryDict(query) if query else None)
            for persona in PERSONAS:
                user = org[persona]
                total = log_count(user, WholeLogForm(QueryDict(query) if query else None))
                assert (total is not None) == whole, query
                if whole:
                    assert total == log_queryset(user, form).count(), (persona, query)


def test_whole_log_page_counts_as_before_for_a_part_month(client, org):
    with time_machine.travel(NOW, tick=False):
        build(org)
        client.force_login(org["secretary"])
        form = WholeLogForm(QueryDict("date_from=2026-01-02&date_to=2026-02-27"))
        total = log_queryset(org["secretary"], form).count()
        page = client.get("/exports/log/all/?date_from=2026-01-02&date_to=2026-02-27").content.decode()
        assert "（%d 条）" % total in page and total


def test_the_charts_and_the_whole_log_read_no_item(client, org):
    """Whole months: the counts come from the totals alone, whatever the number of items."""
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(NOW, tick=False):
        build(org)
        for persona in ("secretary", "leader", "head_market"):
            client.force_login(org[persona])
            for url in ("/exports/log/all/", "/exports/log/all/?date_from=2026-01-01&date_to=2026-02-28",
                        "/assessment/charts/?year=2026"):
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url).status_code == 200
                read = [q["sql"] for q in queries.captured_queries if '"infoflow_item"' in q["sql"]]
                assert not read, (persona, url, read)


def run_together(*calls) -> None:
    """Each (function, *args) in a thread of its own, all started, then
    each joined (30 s at most)."""
    import threading

    threads = [threading.Thread(target=call[0], args=call[1:]) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)


def _race_items(org):
    """Four items of one department and month (two returned, two in review), each granted to the leader."""
    moment = dt.datetime(2026, 2, 14, 3, 0, tzinfo=dt.timezone.utc)
    items = [Item.objects.create(unit=org["market"], initiator=org["officer_market"], subject="并发%d" % n,
                                 summary="摘要", number="MC-2026-9%02d" % n, state=state, submitted_at=moment)
             for n, state in enumerate(["returned", "in_review", "in_review", "returned"])]
    for item in items:
        grant(org["leader"], "view_item", item)
    return items


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_opposite_moves_in_one_department_month_never_wait_on_each_other(org):
    """An officer resubmits X (returned → in review) while the head returns Y (in review → returned), each
    transaction held open across the other's writes, then each moves a second item the other way: on
    counters updated in place the second writer waits for the first's row locks (a hot row; with the
    second writes, a deadlock). Append-only deltas: both commit at once, the totals equal a recount."""
    import threading

    from django.db import close_old_connections, transaction

    x, y, y2, x2 = _race_items(org)
    first_done, second_done, first_again = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def move(item, state):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '3s'")
        Item.objects.filter(pk=item.pk).update(state=state)

    def officer():
        try:
            with transaction.atomic():
                move(x, "in_review")
                first_done.set()
                assert second_done.wait(10), "the head's write did not finish"
                move(x2, "in_review")
                first_again.set()
        except Exception as exc:  # collected for the assertion
            errors.append(exc)
            first_done.set()
            first_again.set()
        finally:
            connection.close()

    def head():
        try:
            assert first_done.wait(10)
            with transaction.atomic():
                move(y, "returned")
                second_done.set()
                assert first_again.wait(10), "the officer's second write did not finish"
                move(y2, "returned")
        except Exception as exc:  # collected for the assertion
            errors.append(exc)
            second_done.set()
        finally:
            connection.close()

    run_together((officer,), (head,))
    close_old_connections()

    assert not errors, errors
    assert dict(Item.objects.filter(pk__in=[x.pk, y.pk, x2.pk, y2.pk]).values_list("pk", "state")) == {
        x.pk: "in_review", x2.pk: "in_review", y.pk: "returned", y2.pk: "returned"}
    assert kept() == recount()
    assert grants_kept() == grants_recount()


def _rows_per_key(model, key):
    rows = model.objects.values(*key).annotate(rows=Count("pk"), total=Sum("n"))
    return [(r["rows"], r["total"]) for r in rows]


def test_compaction_folds_the_deltas_and_keeps_every_count(org):
    """The triggers append deltas; the beat's compaction folds each key into one row (none when it adds
    up to 0), with writes before, between and after compactions, and the counts stay a recount's."""
    from django.conf import settings

    from infoflow.tasks import compact_month_totals

    item_key = ("unit_id", "month", "state", "confidentiality", "to_all_staff")
    grant_key = ("user_id", *item_key)
    assert settings.CELERY_BEAT_SCHEDULE["month-totals-compact"]["task"] == compact_month_totals.name
    with time_machine.travel(NOW, tick=False):
        rng, items = build(org, seed=5)
        for round_ in range(3):
            for item in rng.sample(items, 12):
                item.state = rng.choice(Item.State.values)
                item.submitted_at = rng.choice(MOMENTS)
                item.save()
            for item in rng.sample(items, 4):
                grant(rng.choice([org["leader"], org["gm"], org["head_market"]]), "view_item", item)
            revoke(org["leader"], "view_item", rng.choice(items))
            Item.objects.filter(pk__in=[i.pk for i in rng.sample(items, 6)]).update(
                unit=org["prod"], to_all_staff=round_ % 2 == 0)
            assert any(rows > 1 for rows, _n in _rows_per_key(ItemMonth, item_key))
            assert any(rows > 1 for rows, _n in _rows_per_key(GrantMonth, grant_key))
            assert_same_counts(org)
            assert compact_month_totals() > 0
            assert all(rows == 1 and n for rows, n in _rows_per_key(ItemMonth, item_key))
            assert all(rows == 1 and n for rows, n in _rows_per_key(GrantMonth, grant_key))
            assert_same_counts(org)
            assert compact_month_totals() == 0  # nothing left to fold
        # Deletes that empty keys: their rows go away in the fold.
        Item.objects.filter(unit=org["prod"]).delete()
        compact_month_totals()
        assert not ItemMonth.objects.filter(unit=org["prod"]).exists()
        assert not GrantMonth.objects.filter(unit=org["prod"]).exists()
        assert_same_counts(org)
        # A rebuild leaves one row a key as well.
        item_months.rebuild(connection)
        grant_months.rebuild(connection)
        assert all(rows == 1 for rows, _n in _rows_per_key(ItemMonth, item_key))
        assert compact_month_totals() == 0
        assert_same_counts(org)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_compaction_and_writers_never_wait_on_each_other(org):
    """A fold beside open writers: it neither waits on a writer's uncommitted deltas (it leaves them for
    the next fold) nor makes a writer wait while its own transaction is open; the counts stay exact."""
    import threading

    from django.db import close_old_connections, transaction

    x, y, y2, x2 = _race_items(org)
    written, folded, errors = threading.Event(), threading.Event(), []

    def writer(item, state, before=None, after=None):
        try:
            if before is not None:
                assert before.wait(10)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                Item.objects.filter(pk=item.pk).update(state=state)
                grant(org["gm"], "view_item", item)
                if after is not None:
                    after.set()
                    assert folded.wait(10), "the fold did not finish"
        except Exception as exc:  # collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    # A writer's transaction open across a fold.
    thread = threading.Thread(target=writer, args=(x, "in_review", None, written))
    thread.start()
    assert written.wait(10)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '3s'")
    item_months.compact(connection)
    grant_months.compact(connection)
    folded.set()
    thread.join(30)
    assert not errors, errors
    assert kept() == recount() and grants_kept() == grants_recount()

    # A fold's transaction open across writers.
    written.clear()
    with transaction.atomic():
        assert item_months.compact(connection) > 0 and grant_months.compact(connection) > 0
        run_together((writer, y, "returned"), (writer, x2, "in_review"))
    close_old_connections()
    assert not errors, errors
    assert kept() == recount() and grants_kept() == grants_recount()
    item_months.compact(connection)
    grant_months.compact(connection)
    assert kept() == recount() and grants_kept() == grants_recount()


def test_a_flush_leaves_no_month_total_without_items(org, make_item):
    """SQLite's flush deletes row by row: emptying the totals before the
    items leaves the items' -1 rows behind. The flush's post_migrate signal
    clears them when no item is left, and only then (item_months.clear_after_flush)."""
    from django.core.management.sql import emit_post_migrate_signal

    unit_id = org["market"].pk
    ItemMonth.objects.create(unit_id=unit_id, state="draft", confidentiality="internal", n=-1)
    GrantMonth.objects.create(user=org["leader"], unit_id=unit_id, state="draft", confidentiality="internal", n=-1)
    make_item(subject="留下")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert ItemMonth.objects.filter(n=-1).exists() and GrantMonth.objects.exists()  # items remain: nothing cleared

    Item.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert not ItemMonth.objects.exists() and not GrantMonth.objects.exists()
