"""Benchmark of the deadline sweep (issue 5) on PostgreSQL.

    .venv/bin/python bench/sweep.py [--steps 1000000] [--db postgres://postgres@127.0.0.1:5432/liaison_bench_sweep]

Builds its own database (dropped and re-created; never the one in
DATABASE_URL), migrates it, and makes ``--steps`` open review steps, each with
one pending assignee, on as many items, with INSERT … SELECT generate_series
(one template row per table). Then, at a fixed Tuesday 10:00:

- nothing due: one sweep, beside the bare indexed query finding the same rows
  (open steps with due_at <= now: none);
- 1 % due: the same after making every hundredth step overdue (one notice
  each), beside the bare query finding those rows; notices written per second;
- nothing due again right after (the cursors moved on).

Delivery is not queued (enqueue_delivery is replaced by a no-op): this
measures the sweep and the notice rows, not the broker. Times are the median
of five runs for the read-only cases.
"""
import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=CST)  # Tuesday, no holiday near


def recreate_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn, repeat=1):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def build(n):
    from django.contrib.auth import get_user_model
    from django.db import connection

    from infoflow.models import Item
    from officers.models import OrgUnit

    user_model = get_user_model()
    head = user_model.objects.create(username="bench_head", first_name="负责人")
    officer = user_model.objects.create(username="bench_officer")
    unit = OrgUnit.objects.create(code="bench", name="测试部", number_prefix="BX", head=head)
    proto = Item.objects.create(unit=unit, initiator=officer, subject="基准测试事项", summary="基准测试",
                                state=Item.State.IN_REVIEW, number="BX-0", submitted_at=NOW - dt.timedelta(hours=1))
    item_cols = [f.column for f in Item._meta.concrete_fields if f.column != "id"]
    select = ["'BX-' || g" if c == "number" else f"p.{c}" for c in item_cols]
    started = NOW - dt.timedelta(hours=1)
    due = dt.datetime(2026, 3, 11, 9, 0, tzinfo=CST)
    remind = dt.datetime(2026, 3, 10, 15, 45, tzinfo=CST)  # 75 % of the working day from 09:00
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO infoflow_item ({', '.join(item_cols)}) SELECT {', '.join(select)} "
            f"FROM infoflow_item p CROSS JOIN generate_series(1, %s) g WHERE p.id = %s",
            [n - 1, proto.pk],
        )
        cur.execute(
            "INSERT INTO infoflow_reviewstep (item_id, review_round, stage_index, name, decider, mode, may_edit, "
            "state, started_at, due_at, notice_at) SELECT id, 1, 0, '部门负责人', 'unit_head', 'all', false, "
            "'open', %s, %s, %s FROM infoflow_item",
            [started, due, remind],
        )
        cur.execute(
            "INSERT INTO infoflow_stepassignee (step_id, user_id, decision, opinion) "
            "SELECT id, %s, 'pending', '' FROM infoflow_reviewstep",
            [head.pk],
        )
        cur.execute("ANALYZE")


def bare_query():
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id FROM infoflow_reviewstep WHERE state = 'open' AND due_at <= %s", [NOW])
        return len(cur.fetchall())


def bare_probe():
    import datetime as _dt

    from django.db import connection

    from infoflow.services.deadlines import _probe_sql

    with connection.cursor() as cur:
        cur.execute(_probe_sql(), {"now": NOW, "day_ago": NOW - _dt.timedelta(days=1),
                                   "week_on": NOW + _dt.timedelta(days=7)})
        return cur.fetchone()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/liaison_bench_sweep")
    args = parser.parse_args()

    recreate_database(args.db)
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import liaison.notifications
    from infoflow.services.deadlines import sweep
    from liaison.models import Notification

    liaison.notifications.enqueue_delivery = lambda pk: True  # measure the sweep, not the broker

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    build(args.steps)
    print(f"built {args.steps:,} open steps with assignees: {time.perf_counter() - start:.1f} s")

    sweep(NOW)  # warm the calendar cache and the connection
    t_bare, rows = timed(bare_query, 5)
    t_probe, _flags = timed(bare_probe, 5)
    t_sweep, sent = timed(lambda: sweep(NOW), 5)
    print(f"nothing due:  sweep {t_sweep * 1000:8.2f} ms ({len(sent)} sent)   "
          f"bare query {t_bare * 1000:8.2f} ms ({rows} rows)   ratio {t_sweep / t_bare:.2f}")
    print(f"              the five bare EXISTS queries (steps, receivers, questions, archive, filings) in one "
          f"statement: {t_probe * 1000:.2f} ms   ratio {t_sweep / t_probe:.2f}")

    due_count = args.steps // 100
    with connection.cursor() as cur:
        overdue = dt.datetime(2026, 3, 9, 16, 0, tzinfo=CST)
        cur.execute("UPDATE infoflow_reviewstep SET due_at = %s, notice_at = %s WHERE id %% 100 = 0",
                    [overdue, overdue])
        cur.execute("ANALYZE infoflow_reviewstep")
    t_bare, rows = timed(bare_query, 5)
    t_sweep, sent = timed(lambda: sweep(NOW))
    print(f"1% due:       sweep {t_sweep * 1000:8.2f} ms ({len(sent)} sent)   "
          f"bare query {t_bare * 1000:8.2f} ms ({rows} rows)   ratio {t_sweep / t_bare:.2f}")
    print(f"notices written per second at 1%: {len(sent) / t_sweep:,.0f} (expected {due_count:,})")
    assert Notification.objects.count() == len(sent) == due_count

    t_sweep, sent = timed(lambda: sweep(NOW), 5)
    t_bare, rows = timed(bare_query, 5)
    print(f"after:        sweep {t_sweep * 1000:8.2f} ms ({len(sent)} sent)   "
          f"(bare due_at query now finds {rows} rows in {t_bare * 1000:.2f} ms: the cursors moved on)")


if __name__ == "__main__":
    main()
