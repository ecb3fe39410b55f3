"""Benchmark of the communication-log export (issue 7).

    .venv/bin/python bench/export.py [--rows 100000]

Uses its own database: a SQLite file in a temporary folder (on /dev/shm when
there is one), or, when DATABASE_URL names PostgreSQL, a separate database
"<name>_bench" on that server, created and dropped here. Creates the items
with 1–3 receivers each, then at 10,000 and at all rows:

- "log":   infoflow.export.write_log from the database (what the portal runs);
- "floor": the same values, already in a plain Python list, written by
  openpyxl's write-only mode and by XlsxWriter's constant-memory mode; the
  faster of the two is the floor.

Times are measured without tracing; peak memory in a second run of each under
tracemalloc (the floor's input list is built before tracing starts, so the
floor's peak is the writer's own). Prints rows/s, peak memory and the ratio of
the log's time to the floor's.
"""
import argparse
import datetime
import gc
import os
import secrets
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_database(workdir):
    """Point Django at a database of our own; returns a cleanup function."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        import psycopg

        parts = urlsplit(url)
        base = parts.path.lstrip("/") or "postgres"
        name = f"{base}_bench"
        admin_url = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))

        def drop():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

        return f"PostgreSQL database {name}", drop
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    return f"SQLite {workdir / 'bench.sqlite3'}", lambda: None


def build(total):
    """Units, users, external units, then ``total`` items with receivers."""
    from django.contrib.auth import get_user_model

    from infoflow.models import Item, Receiver, Urgency
    from officers.models import ExternalContact, ExternalUnit, OrgUnit, StaffProfile

    User = get_user_model()
    units = [
        OrgUnit.objects.create(code=f"u{n}", name=name, number_prefix=f"N{n}")
        for n, name in enumerate(["市场部", "生产部", "财务部", "技术部", "安全环保部", "人力资源部", "法务部", "采购部"])
    ]
    users = User.objects.bulk_create(
        [User(username=f"user{n}", first_name=f"员工{n:02d}") for n in range(64)]
    )
    StaffProfile.objects.bulk_create(
        [StaffProfile(user=user, unit=units[n % len(units)]) for n, user in enumerate(users)]
    )
    externals = [ExternalUnit.objects.create(name=f"外部单位{n}", kind="customer") for n in range(10)]
    contacts = [ExternalContact.objects.create(external_unit=e, name=f"联系人{n}") for n, e in enumerate(externals)]

    start = datetime.datetime(2025, 1, 2, 9, 0, tzinfo=datetime.timezone.utc)
    urgencies = [Urgency.NORMAL] * 6 + [Urgency.URGENT] * 3 + [Urgency.EXTRA_URGENT]
    states = ["transmitted", "completed", "archived", "in_review", "approved"]
    methods = ["system", "email,phone", "letter", "email", "meeting,system"]
    batch = 5000
    for first in range(0, total, batch):
        items = []
        for n in range(first, min(first + batch, total)):
            unit = units[n % len(units)]
            submitted = start + datetime.timedelta(minutes=5 * n)
            state = states[n % len(states)]
            items.append(
                Item(
                    number=f"{unit.number_prefix}-2025-{n:06d}",
                    unit=unit,
                    initiator=users[n % len(users)],
                    subject=f"关于第{n}号事项的工作联系",
                    summary="请相关部门于本周内完成设备巡检并反馈结果，如有问题及时沟通协调。" + str(n),
                    remarks="=需复核" if n % 97 == 0 else ("" if n % 3 else "按期办结"),
                    urgency=urgencies[n % len(urgencies)],
                    transmission_methods=methods[n % len(methods)],
                    state=state,
                    submitted_at=submitted,
                    expected_feedback_at=submitted + datetime.timedelta(days=2),
                    actual_feedback_at=submitted + datetime.timedelta(days=1) if state in ("completed", "archived") else None,
                    archive_number=f"WS-2025-{n:06d}" if state == "archived" else "",
                )
            )
        items = Item.objects.bulk_create(items)
        receivers = []
        for item in items:
            k = item.pk % 3
            receivers.append(Receiver(item=item, kind="unit", unit=units[(item.pk + 1) % len(units)],
                                      acknowledged_by=users[item.pk % len(users)] if k else None))
            if k >= 1:
                receivers.append(Receiver(item=item, kind="user", user=users[(item.pk + 7) % len(users)]))
            if k == 2:
                e = item.pk % len(externals)
                receivers.append(Receiver(item=item, kind="external", external_unit=externals[e], contact=contacts[e]))
        Receiver.objects.bulk_create(receivers)


def write_floor_openpyxl(path, rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("信息交流记录表")
    from infoflow.export import HEADERS

    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_floor_xlsxwriter(path, rows):
    import xlsxwriter

    from infoflow.export import HEADERS

    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet("信息交流记录表")
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, header in enumerate(HEADERS):
        sheet.write_string(0, col, header)
    write_string, write_datetime = sheet.write_string, sheet.write_datetime
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if value.__class__ is str:
                write_string(r, c, value)
            else:
                write_datetime(r, c, value, date_format)
    book.close()


def measure(function, *args):
    """(seconds, peak bytes): timed untraced, then traced for memory."""
    gc.collect()
    began = time.perf_counter()
    function(*args)
    seconds = time.perf_counter() - began
    gc.collect()
    tracemalloc.start()
    function(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--keep", metavar="DIR", help="keep the SQLite database in DIR and reuse it next time")
    options = parser.parse_args()

    shm = Path("/dev/shm")
    if options.keep:
        workdir = Path(options.keep).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="liaison-bench-", dir=shm if shm.is_dir() else None))
    os.environ["LIAISON_DATA_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    where, cleanup = setup_database(workdir)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from infoflow.export import log_queryset, log_rows, write_log

        from infoflow.models import Item

        print(f"database: {where}")
        began = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"migrated in {time.perf_counter() - began:.1f} s")
        existing = Item.objects.count()
        if existing != options.rows:
            if existing:
                raise SystemExit(f"{workdir} holds {existing} items, not {options.rows}: use another folder")
            began = time.perf_counter()
            build(options.rows)
            print(f"created {options.rows:,} items with receivers in {time.perf_counter() - began:.1f} s")

        out = workdir / "out.xlsx"
        print()
        print(f"{'rows':>8}  {'writer':<28} {'rows/s':>9} {'seconds':>8} {'peak MiB':>9}")
        results = {}
        for size in sorted({options.small, options.rows}):
            queryset = log_queryset(None)[:size] if size < options.rows else log_queryset(None)
            # write_log streams a queryset; slicing keeps the log's order and chunking.
            log_s, log_peak = measure(lambda: write_log(out, queryset))
            values = list(log_rows(queryset))  # the floor's input, outside the timing
            assert len(values) == size, len(values)
            floors = {}
            for name, writer in (("openpyxl write-only", write_floor_openpyxl),
                                 ("XlsxWriter constant_memory", write_floor_xlsxwriter)):
                floors[name] = measure(writer, out, values)
            del values
            for name, (seconds, peak) in [("log from DB (write_log)", (log_s, log_peak)), *floors.items()]:
                print(f"{size:>8,}  {name:<28} {size / seconds:>9,.0f} {seconds:>8.2f} {peak / 2**20:>9.1f}")
            floor_name = min(floors, key=lambda n: floors[n][0])
            ratio = log_s / floors[floor_name][0]
            results[size] = (ratio, log_peak)
            print(f"{size:>8,}  floor = {floor_name}; log / floor = {ratio:.2f}x")
        print()
        small, large = results[min(results)], results[max(results)]
        print(
            f"ratio at {max(results):,} rows: {large[0]:.2f}x the floor (target <= 1.5x); "
            f"peak memory {small[1] / 2**20:.1f} MiB at {min(results):,} rows, "
            f"{large[1] / 2**20:.1f} MiB at {max(results):,} rows"
        )
    finally:
        if not options.keep:
            cleanup()
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
