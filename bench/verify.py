"""Benchmark of verify_archive (issues 6 and 12).

    .venv/bin/python bench/verify.py [--records 100000] [--runs 7] [--databases sqlite,postgresql]

Each database is measured in a process of its own, on a database of its own:
a SQLite file in a temporary folder (on /dev/shm when there is one), and,
when DATABASE_URL names PostgreSQL, a separate database "<name>_bench"
created and dropped here (bench/export.py's setup). --databases defaults to
both when DATABASE_URL names PostgreSQL, else SQLite alone. Builds
``--records`` completed items and their sealed records (snapshots of about
1.5 KB, no attachment files) directly with bulk inserts, then times:

- "verify": archive.verify.verify(), what ``manage.py verify_archive`` runs
  (reading every record from the database, checking content hashes, seals,
  chain positions and retention columns, and the audit chain);
- "bare":   the same SHA-256 of each content and the same HMAC over the same
  header bytes and previous seal, in a loop over bytes already in memory
  (headers and contents encoded beforehand, so the loop is hashing only).

The two are run ``--runs`` times interleaved (verify then bare, then bare
then verify, ...), each pair giving a ratio; the figures are the medians (the
machine may be busy: a pair shares its moment's load). The last line gives
the median ratio of each database (target: within 3×). Attachment files are
not part of it: verify_archive hashes every file, which takes as long as
reading the files does.

Figures (2 vCPUs shared with other jobs, load 9–13; 100,000 records, 7
pairs): before issue 12 (best of 5) SQLite 2.90×, PostgreSQL 3.23×; after
(PostgreSQL's header joined with || and quoted plainly, retention grouped by
plain truncation) ``verify: sqlite 2.10×, postgresql 2.80×``, an earlier run
sqlite 2.59×, postgresql 1.68×. The load moves the wall-clock ratio both
ways; SQLite's CPU-time ratio, which it hardly moves, is 2.7–3.0×.
"""
import argparse
import datetime
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from export import setup_database  # noqa: E402  (bench/export.py)


def build(total):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from archive import seal as S
    from archive.models import ArchiveCounter, ArchivedRecord, retention_end
    from infoflow.models import Item
    from officers.models import OrgUnit

    User = get_user_model()
    unit = OrgUnit.objects.create(code="bench", name="市场部", number_prefix="NX")
    user = User.objects.create(username="bench", first_name="张三")
    key = S.seal_key()
    start = datetime.datetime(2025, 1, 2, 9, 0, tzinfo=datetime.timezone.utc)
    opinion = "同意。请市场部于本周五前完成客户回访并反馈处理结果，必要时召开协调会。" * 3
    prev = ""
    batch = 5000
    with transaction.atomic():
        for first in range(0, total, batch):
            n = min(batch, total - first)
            items = Item.objects.bulk_create([
                Item(number="NX-B-%06d" % (first + i), unit=unit, initiator=user, state=Item.State.ARCHIVED,
                     subject="关于第 %d 号客户反馈的处理意见" % (first + i), summary=opinion,
                     completed_at=start + datetime.timedelta(minutes=first + i))
                for i in range(n)
            ])
            records = []
            for i, item in enumerate(items):
                seq = first + i + 1
                snapshot = {"format": 1, "item": {"id": item.pk, "number": item.number, "subject": item.subject,
                                                   "summary": item.summary, "completed_at": S.ts(item.completed_at)},
                            "steps": [{"name": "部门负责人", "assignees": [{"user_label": "王五", "opinion": opinion}]}],
                            "receivers": [{"kind": "unit", "unit_label": "生产部", "answer_result": opinion}],
                            "transmissions": [], "questions": [], "progress": [], "attachments": []}
                content = S.canonical(snapshot)
                record = ArchivedRecord(
                    item=item, number="ND-2025-%d" % (1000 + seq), year=2025, sequence=1000 + seq, position=seq,
                    direction="internal", unit=unit, class_top=unit.name, class_mid="未分项目", class_date="2025-01",
                    subject=item.subject, importance="normal", confidentiality="internal",
                    completed_at=item.completed_at, archived_at=item.completed_at + datetime.timedelta(days=2),
                    initial_retention="D1", retention="D1", retention_until=retention_end(item.completed_at, "D1"),
                    content=content, content_sha256=S.sha256_text(content), search_text="",
                )
                record.seal = prev = S.record_seal(key, prev, record)
                records.append(record)
            ArchivedRecord.objects.bulk_create(records)
        ArchiveCounter.objects.update_or_create(key="chain", defaults={"last": total})


def bare_loop(rows, key):
    """The same SHA-256 and HMAC computations over the same bytes, in memory:
    ``rows`` are (header bytes, content bytes); the message is seal.mac's."""
    import hashlib
    import hmac

    prev = b""
    sha, digest = hashlib.sha256, hmac.digest
    for header, content in rows:
        prev = digest(key, b"R|" + prev + b"|" + header + b"|" + sha(content).hexdigest().encode(),
                      "sha256").hex().encode()
    return prev.decode()


def interleaved(runs, first, second):
    """[(first's time, second's time)] of ``runs`` pairs, the order swapped
    every other pair; the same in this process's CPU time; and the last
    values of each."""
    pairs, cpu = [], []
    values = [None, None]
    for n in range(runs):
        order = (0, 1) if n % 2 == 0 else (1, 0)
        times, cpu_times = [0.0, 0.0], [0.0, 0.0]
        for index in order:
            function = (first, second)[index]
            t0, c0 = time.perf_counter(), time.process_time()
            values[index] = function()
            times[index], cpu_times[index] = time.perf_counter() - t0, time.process_time() - c0
        pairs.append(tuple(times))
        cpu.append(tuple(cpu_times))
    return pairs, cpu, values


RESULT = "verify-ratio"


def measure(options):
    """Build and measure in this process, on the database DATABASE_URL names
    (PostgreSQL) or SQLite; prints the figures and a RESULT line."""
    shm = Path("/dev/shm")
    workdir = Path(tempfile.mkdtemp(prefix="liaison-bench-verify-", dir=shm if shm.is_dir() else None))
    os.environ["LIAISON_DATA_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    os.environ["LIAISON_ARCHIVE_SEAL_KEY"] = secrets.token_urlsafe(32)
    where, cleanup = setup_database(workdir)
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from archive import seal as S
        from archive.models import ArchivedRecord
        from archive.verify import verify

        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        build(options.records)
        print("%s: built %d sealed records in %.1f s" % (where, options.records, time.perf_counter() - t0), flush=True)
        from django.db import connection

        if connection.vendor == "postgresql":  # what autovacuum would have done by the time of a daily check
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(verify, check_files=False)
            pstats.Stats(profile).sort_stats("tottime").print_stats(15)

        fields = S.RECORD_HEADER_FIELDS
        rows = [(S.header_of(values[:-1], fields).encode(), values[-1].encode()) for values in
                ArchivedRecord.objects.order_by("position").values_list(*fields, "content").iterator(chunk_size=5000)]
        key = S.seal_key()
        verify(check_files=False)  # warm: the first run reads the tables into the page cache
        pairs, cpu, (result, head) = interleaved(
            options.runs, lambda: verify(check_files=False), lambda: bare_loop(rows, key))
        assert result.ok and result.records == options.records, result.failures[:5]
        assert head == result.head[1]

        verify_time = statistics.median(p[0] for p in pairs)
        bare_time = statistics.median(p[1] for p in pairs)
        ratio = statistics.median(p[0] / p[1] for p in pairs)
        print("runs (verify / bare, s): " + ", ".join("%.2f/%.2f" % p for p in pairs))
        print("verify_archive: %.2f s (%d records, %.0f records/s, median of %d)" % (
            verify_time, options.records, options.records / verify_time, options.runs))
        print("bare HMAC loop: %.2f s (same SHA-256 and HMAC over the same bytes, in memory)" % bare_time)
        # CPU time of this process alone: on SQLite all of verify's work, so a
        # figure the machine's load hardly moves; on PostgreSQL the server's
        # part (reading and spelling the rows) is not in it.
        print("CPU time of this process: verify %.2f s, bare %.2f s, ratio %.2f×%s" % (
            statistics.median(c[0] for c in cpu), statistics.median(c[1] for c in cpu),
            statistics.median(c[0] / c[1] for c in cpu),
            "" if connection.vendor == "sqlite" else " (without the server's part)"))
        print("%s %s %.4f" % (RESULT, connection.vendor, ratio))
        print("ratio: %.2f× (%s, median of %d interleaved pairs; target ≤ 3×)" % (ratio, connection.vendor, options.runs),
              flush=True)
    finally:
        cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="interleaved pairs of runs, the medians kept (default 7)")
    parser.add_argument("--databases", default=None,
                        help="comma-separated: sqlite, postgresql (default: both when DATABASE_URL names PostgreSQL)")
    parser.add_argument("--one", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        if options.one == "sqlite":
            os.environ.pop("DATABASE_URL", None)
        measure(options)
        return
    url = os.environ.get("DATABASE_URL", "")
    on_postgres = url.startswith(("postgres://", "postgresql://", "pgsql://"))
    databases = (options.databases or ("sqlite,postgresql" if on_postgres else "sqlite")).split(",")
    if "postgresql" in databases and not on_postgres:
        sys.exit("--databases postgresql: set DATABASE_URL=postgres://user@host:5432/name")
    ratios = {}
    for database in databases:
        print("== %s" % database, flush=True)
        child = subprocess.run(
            [sys.executable, __file__, "--one", database, "--records", str(options.records), "--runs", str(options.runs)],
            stdout=subprocess.PIPE, text=True)
        for line in child.stdout.splitlines():
            if line.startswith(RESULT + " "):
                ratios[database] = float(line.split()[2])
            else:
                print(line)
        if child.returncode:
            sys.exit("bench/verify.py on %s failed (exit %d)" % (database, child.returncode))
    print("verify: %s (verify_archive ÷ bare HMAC loop, %d records, median of %d interleaved pairs; target ≤ 3×)" % (
        ", ".join("%s %.2f×" % item for item in ratios.items()), options.records, options.runs))


if __name__ == "__main__":
    main()
