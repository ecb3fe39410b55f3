"""Benchmark of a data call's consolidated workbook (issue 13 §4).

    .venv/bin/python bench/datacall.py [--units 500] [--occurrences 12] [--runs 5] [--db]

The answers are built in memory, 20 fields of every kind (text,
long text, number with unit, date, choice, multiple choice, file, and one
table of 0-6 rows with text/number/date columns), one answer per unit and
occurrence (500 × 12 = 6,000 answers, about 16,000 table rows), a tenth of
them missing and a tenth late.

- "consolidation": datacalls.workbook.write_consolidation of all answers
  (stored JSON values → typed cells, formula guard, watermark, 汇总 sheet;
  the summary is computed beforehand by datacalls.summary.summarise and
  timed on its own);
- "floor": the same cells, already converted to str/float/date in a plain
  Python list, written with XlsxWriter's constant-memory mode (one branch on
  the value's type per cell, the same two sheets).

Timing: the median of --runs interleaved runs of each (floor, consolidation,
floor, …), without tracing; wall and CPU time are printed, the ratio is of
CPU time (this process's user + system time, steadier on a shared machine). Peak memory: tracemalloc in a fresh subprocess per
size (50 and --units units), the answers made by a generator as they are
written, so the peak is the writer's own; the floor's list is built before
tracing starts.

--db also stores the same answers in a database of our own (a SQLite file in
a temporary folder, or "<name>_bench" on the PostgreSQL server DATABASE_URL
names, as bench/export.py does) through datacalls' models and writes them
read by one streaming query (the workbook view's query, for all occurrences);
its time and its in-process peak are printed on the line before the last.

The last line reads
``datacall: consolidation X.XX× floor, peak N MiB`` (peak at --units units).
"""
import argparse
import datetime
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

from export import setup_database  # noqa: E402  (bench/export.py: a database of our own)

# --db needs its own database before Django reads the settings.
if "--db" in sys.argv[1:]:
    DB_DIR = tempfile.mkdtemp(prefix="datacall-db-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    DB_LABEL, DROP_DB = setup_database(Path(DB_DIR))
else:
    DB_DIR, DB_LABEL, DROP_DB = None, "", lambda: None

import django  # noqa: E402

django.setup()

import xlsxwriter  # noqa: E402

from datacalls.summary import summarise  # noqa: E402
from datacalls.values import AnswerRow, display  # noqa: E402
from datacalls.workbook import write_consolidation  # noqa: E402

TABLE = {
    "key": "visits",
    "label": "走访明细",
    "type": "table",
    "required": False,
    "columns": [
        {"key": "client", "label": "客户", "type": "text", "required": True},
        {"key": "amount", "label": "金额", "type": "number", "required": False, "unit": "元"},
        {"key": "day", "label": "日期", "type": "date", "required": False},
    ],
}
FIELDS = (
    [{"key": "text%d" % n, "label": "文字%d" % n, "type": "text", "required": False} for n in range(4)]
    + [{"key": "long%d" % n, "label": "意见%d" % n, "type": "longtext", "required": False} for n in range(2)]
    + [{"key": "num%d" % n, "label": "数字%d" % n, "type": "number", "required": False, "unit": "万元"} for n in range(6)]
    + [{"key": "date%d" % n, "label": "日期%d" % n, "type": "date", "required": False} for n in range(3)]
    + [
        {"key": "choice%d" % n, "label": "选择%d" % n, "type": "choice", "required": False, "choices": ["满意", "基本满意", "不满意"]}
        for n in range(2)
    ]
    + [{"key": "multi", "label": "方式", "type": "multichoice", "required": False, "choices": ["电话", "走访", "邮件"]}]
    + [{"key": "scan", "label": "附件", "type": "file", "required": False}]
    + [TABLE]
)
assert len(FIELDS) == 20
WATERMARK = "示范有限公司 内部资料 · 导出人：基准 · 导出时间：2026-03-31 10:00"
SUBMITTED = datetime.datetime(2026, 3, 24, 2, 30, tzinfo=datetime.timezone.utc)


def unit_names(units: int) -> list:
    return ["第%03d单位" % n for n in range(units)]


def answers(units: int, occurrences: int, seed: int = 13):
    """Yield the AnswerRows: per occurrence, one per unit (a tenth missing)."""
    rng = random.Random(seed)
    names = unit_names(units)
    for occurrence in range(occurrences):
        for name in names:
            if rng.random() < 0.1:
                yield AnswerRow(name, "未报送", None, False, {})
                continue
            values = {}
            for n in range(4):
                values["text%d" % n] = "联系人%d-%d" % (occurrence, rng.randrange(1000)) if n else "=不是公式"
            for n in range(2):
                values["long%d" % n] = "客户反映服务及时，建议增加回访频次。" * rng.randrange(1, 6)
            for n in range(6):
                values["num%d" % n] = "%d.%02d" % (rng.randrange(-1000, 100000), rng.randrange(100))
            for n in range(3):
                values["date%d" % n] = datetime.date(2026, rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()
            for n in range(2):
                values["choice%d" % n] = rng.choice(["满意", "基本满意", "不满意"])
            values["multi"] = ["电话", "邮件"]
            values["scan"] = {"name": "意见表%d.pdf" % occurrence, "id": occurrence}
            values["visits"] = [
                {"client": "客户%d" % rng.randrange(10000), "amount": "%d" % rng.randrange(100000), "day": "2026-03-%02d" % rng.randrange(1, 29)}
                for _row in range(rng.randrange(0, 7))
            ]
            yield AnswerRow(name, "已报送", SUBMITTED, rng.random() < 0.1, values)


def floor_rows(rows: list):
    """The cells write_consolidation writes, already converted: (main rows,
    table rows)."""
    tz = datetime.timezone(datetime.timedelta(hours=8))
    main, table = [], []
    kinds = [(spec["key"], spec["type"], spec) for spec in FIELDS]
    for unit, status, submitted, late, values in rows:
        cells = [unit, status, submitted.astimezone(tz).replace(tzinfo=None) if submitted else None, "逾期" if late else None]
        for key, kind, spec in kinds:
            value = values.get(key)
            if value is None:
                cells.append(None)
            elif kind == "number":
                cells.append(float(value))
            elif kind == "date":
                cells.append(datetime.date.fromisoformat(value))
            elif kind in ("text", "longtext", "choice"):
                cells.append(value)
            else:
                cells.append(display(spec, value))
        main.append(cells)
        for number, row in enumerate(values.get("visits") or [], start=1):
            table.append([unit, float(number), row["client"], float(row["amount"]), datetime.date.fromisoformat(row["day"])])
    return main, table


def write_floor(path, main: list, table: list) -> None:
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in (("报送数据", main), ("走访明细", table)):
        sheet = book.add_worksheet(name)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                if value is None:
                    continue
                kind = value.__class__
                if kind is str:
                    sheet.write_string(r, c, value)
                elif kind is float:
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_datetime(r, c, value, date_format)
    book.close()


def write_real(path, rows, summary) -> None:
    write_consolidation(path, title="基准报送", fields=FIELDS, template=None, answers=rows, watermark=WATERMARK, summary=summary)


def timed(function, *args) -> tuple:
    """(wall, CPU) seconds of one call. The ratio uses CPU time (user + system
    of this process): on a shared machine the wall time of the same run
    varied by 2× between runs, its CPU time far less."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    function(*args)
    return time.perf_counter() - start, time.process_time() - cpu


def peak_child(kind: str, units: int, occurrences: int, path: str) -> None:
    """Run in a subprocess: print the peak traced memory (bytes) of one write."""
    if kind == "floor":
        main, table = floor_rows(answers(units, occurrences))
        tracemalloc.start()
        write_floor(path, main, table)
    else:
        summary = summarise(FIELDS, answers(units, occurrences), unit_names(units))
        tracemalloc.start()
        write_real(path, lambda: answers(units, occurrences), summary)
    print(json.dumps({"peak": tracemalloc.get_traced_memory()[1]}))


def peak(kind: str, units: int, occurrences: int, workdir: Path) -> float:
    output = subprocess.run(
        [sys.executable, __file__, "--peak-child", kind, "--units", str(units), "--occurrences", str(occurrences),
         "--out", str(workdir / ("peak-%s-%d.xlsx" % (kind, units)))],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])["peak"] / (1024 * 1024)


def build_database(units: int, occurrences: int):
    """Migrate, then store the same answers as the in-memory run: ``units``
    units, one call of FIELDS with ``occurrences`` occurrences, one Answer per
    unit and occurrence. Returns the call."""
    # Imported here: the default run needs neither a database nor the app's models.
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from datacalls.models import Answer, Call, Occurrence
    from officers.models import OrgUnit

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create(username="bench-secretary")
    org_units = OrgUnit.objects.bulk_create(
        [OrgUnit(code="b%04d" % n, name=name, sort_order=n) for n, name in enumerate(unit_names(units))]
    )
    by_name = {unit.name: unit for unit in org_units}
    call = Call.objects.create(title="基准报送", fields=FIELDS, created_by=user, state=Call.State.SENT, schedule="monthly")
    due = datetime.datetime(2026, 1, 31, 9, 30, tzinfo=datetime.timezone.utc)
    occs = Occurrence.objects.bulk_create(
        [
            Occurrence(call=call, period="2026-%02d" % (n + 1), period_start=datetime.date(2026, n + 1, 1),
                       period_end=datetime.date(2026, n + 1, 28), due_at=due + datetime.timedelta(days=30 * n),
                       opened_at=due + datetime.timedelta(days=30 * n - 20))
            for n in range(occurrences)
        ]
    )
    batch = []
    for n, row in enumerate(answers(units, occurrences)):
        batch.append(
            Answer(occurrence=occs[n // units], unit=by_name[row.unit_name], values=row.values, late=row.late,
                   submitted_at=row.submitted_at,
                   state=Answer.State.SUBMITTED if row.submitted_at else Answer.State.MISSED)
        )
        if len(batch) == 1000:
            Answer.objects.bulk_create(batch)
            batch = []
    Answer.objects.bulk_create(batch)
    return call


def db_rows(call):
    """AnswerRows of every occurrence of ``call`` read through one streaming
    query, as the workbook view reads one occurrence's (datacalls/views.py)."""
    from datacalls.models import Answer

    answers = (
        Answer.objects.filter(occurrence__call=call)
        .select_related("unit")
        .order_by("occurrence__due_at", "unit__sort_order", "unit__code")
    )
    for answer in answers.iterator(chunk_size=500):
        yield AnswerRow(answer.unit.name, answer.get_state_display(), answer.submitted_at, answer.late,
                        answer.values if answer.state in Answer.IN_STATES else {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--occurrences", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--peak-child", choices=("floor", "consolidation"))
    parser.add_argument("--out")
    parser.add_argument("--db", action="store_true",
                        help="also read the answers from a database of our own through datacalls' models")
    args = parser.parse_args()
    if args.peak_child:
        peak_child(args.peak_child, args.units, args.occurrences, args.out)
        return
    try:
        run(args)
    finally:
        DROP_DB()
        if DB_DIR:
            shutil.rmtree(DB_DIR, ignore_errors=True)


def run(args) -> None:

    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(prefix="datacall-bench-", dir=base) as tmp:
        workdir = Path(tmp)
        rows = list(answers(args.units, args.occurrences))
        table_rows = sum(len(row.values.get("visits") or []) for row in rows)
        print("answers: %d (%d units × %d occurrences × %d fields), table rows: %d"
              % (len(rows), args.units, args.occurrences, len(FIELDS), table_rows))
        start = time.perf_counter()
        summary = summarise(FIELDS, rows, unit_names(args.units))
        print("summarise: %.3f s" % (time.perf_counter() - start))
        main_cells, table_cells = floor_rows(rows)

        call = None
        if args.db:
            start = time.perf_counter()
            call = build_database(args.units, args.occurrences)
            print("database: %s, built in %.1f s" % (DB_LABEL, time.perf_counter() - start))
        floor_times, real_times, db_times = [], [], []
        for number in range(args.runs):
            floor_times.append(timed(write_floor, workdir / "floor.xlsx", main_cells, table_cells))
            real_times.append(timed(write_real, workdir / "real.xlsx", rows, summary))
            line = "run %d: floor %.3f s (CPU %.3f s), consolidation %.3f s (CPU %.3f s)" % (
                number + 1, *floor_times[-1], *real_times[-1])
            if call is not None:
                db_times.append(timed(write_real, workdir / "db.xlsx", db_rows(call), summary))
                line += ", from the database %.3f s (CPU %.3f s)" % db_times[-1]
            print(line)
        floor_wall, floor = (statistics.median(times) for times in zip(*floor_times))
        real_wall, real = (statistics.median(times) for times in zip(*real_times))
        cells = len(rows) * (4 + len(FIELDS)) + table_rows * 5
        print("median: floor %.3f s, CPU %.3f s (%d cells/s); consolidation %.3f s, CPU %.3f s (%d cells/s); files %.1f / %.1f MiB"
              % (floor_wall, floor, cells / floor, real_wall, real, cells / real,
                 (workdir / "floor.xlsx").stat().st_size / 2**20, (workdir / "real.xlsx").stat().st_size / 2**20))

        small = max(1, args.units // 10)
        peaks = {}
        for units in (small, args.units):
            peaks[units] = (peak("floor", units, args.occurrences, workdir), peak("consolidation", units, args.occurrences, workdir))
            print("peak at %d units: floor %.1f MiB, consolidation %.1f MiB" % (units, *peaks[units]))
        if call is not None:
            gc.collect()
            tracemalloc.start()
            write_real(workdir / "db.xlsx", db_rows(call), summary)
            db_peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            db_wall, db_cpu = (statistics.median(times) for times in zip(*db_times))
            print("from the database: median %.3f s, CPU %.3f s, %.2f× floor, peak %.1f MiB"
                  % (db_wall, db_cpu, db_cpu / floor, db_peak))
    ratio = real / floor
    print("datacall: consolidation %.2f× floor, peak %d MiB" % (ratio, round(peaks[args.units][1])))


if __name__ == "__main__":
    main()
