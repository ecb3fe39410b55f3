"""The implementation of bench/http.py (see its docstring); a module of its own
because bench/http.py stands in for the standard library's http package when
a script in bench/ imports it."""
import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import inbox  # noqa: E402  (bench/inbox.py: the organisation builder)

PASSWORD = "Bench-http-Pass-7391"
SECRET_KEY = "bench-http-" + "k" * 50
SEAL_KEY = "bench-http-seal-key-0123456789abcdef"
DATA_DIR = Path(tempfile.gettempdir()) / "liaison-bench-http"
META = "bench_http_meta"


def bench_url(url, name):
    parts = urlsplit(url)
    current = parts.path.lstrip("/")
    if name is None:
        name = current if current and current != "postgres" else "bench_http"
    return urlunsplit(parts._replace(path="/" + name)), name


def existing_build(url, name):
    """(items, archived) of the build in database ``name``, or None."""
    import psycopg

    with inbox.admin_connect(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return None
    try:
        with psycopg.connect(bench_url(url, name)[0]) as conn:
            row = conn.execute(f"SELECT items, archived FROM {META}").fetchone()
    except psycopg.Error:
        return None
    return row


def environment(url):
    return {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "liaison.settings",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "LIAISON_DATA_DIR": str(DATA_DIR),
        "DJANGO_STATIC_ROOT": str(DATA_DIR / "static"),
        "LIAISON_ARCHIVE_SEAL_KEY": SEAL_KEY,
        "LIAISON_BENCH_FLOOR": "1",
    }


def build(items, archived, batch=100):
    """The organisation (bench/inbox.py), the secretariat and the general
    manager, ``archived`` records made by the archive's service: archive_items,
    ``batch`` completed items a transaction (archive_item's code per record;
    1: archive_item, a transaction per record)."""
    from django.db import connection
    from django.test.utils import override_settings

    from archive.services.archiving import archive_item, archive_items
    from infoflow.models import Item
    from officers.models import RoleAssignment

    inbox.N_ITEMS = items
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        inbox.build()
    from django.contrib.auth import get_user_model

    User = get_user_model()
    RoleAssignment.objects.create(user=User.objects.get(username="u0999"), role="secretariat")
    RoleAssignment.objects.create(user=User.objects.get(username="u0998"), role="general_manager")
    started = time.perf_counter()
    done = 0
    pks = list(Item.objects.filter(state=Item.State.COMPLETED).order_by("pk").values_list("pk", flat=True)[:archived])
    if len(pks) < archived:
        print(f"  only {len(pks)} completed items to archive (of --archived {archived})", flush=True)
    batch = max(1, batch)
    for first in range(0, len(pks), batch):
        if batch == 1:
            archive_item(item=Item.objects.get(pk=pks[first]), actor=None)
        else:
            archive_items(items=pks[first:first + batch], actor=None)
        reported = done // 500
        done = min(first + batch, len(pks))
        if done // 500 > reported:
            print(f"  archived {done} in {time.perf_counter() - started:.0f} s", flush=True)
    elapsed = time.perf_counter() - started
    print(f"archived {done} items through {'archive_item' if batch == 1 else 'archive_items'} in {elapsed:.1f} s "
          f"({done / elapsed if elapsed else 0:.1f} records/s, {batch} a transaction)")
    # The item and grant triggers appended a delta row per item and grant copied in (infoflow.item_months):
    # fold them as the beat does every few minutes, so the pages read the totals a live site holds.
    from infoflow import grant_months, item_months, overdue_days

    print(f"folded {item_months.compact(connection)} month-total, {grant_months.compact(connection)} "
          f"grant-month and {overdue_days.compact(connection)} overdue-day delta rows", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {META} (items integer, archived integer)")
        cursor.execute(f"INSERT INTO {META} VALUES (%s, %s)", [items, done])
        # The fold left the few thousand totals behind a million deleted deltas (73 MB of heap for 8,000 rows
        # at 1,000,000 items: the whole log's scan 31 ms instead of about 2). A site that grew item by item
        # holds them compact (folded every few minutes, autovacuum reusing the space), so the bench does too.
        cursor.execute(f"VACUUM FULL {item_months.TABLE}, {grant_months.TABLE}, {overdue_days.TABLE}")
        cursor.execute("VACUUM ANALYZE")


def people():
    """Login name of each role's user, and ids the pages need."""
    from django.contrib.auth import get_user_model

    from infoflow.models import Item
    from officers.models import RoleAssignment

    User = get_user_model()
    users = {"officer": "u0060", "head": "u0010", "leader": "u0000", "secretary": "u0999", "auditor": "u0998",
             "hr": "u0997"}
    for username in users.values():
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)  # the server's own hasher
        user.save(update_fields=["password"])
    # The auditor (监督/审计, issue 18's 安全审计员) reads the audit archive's pages.
    RoleAssignment.objects.get_or_create(user=User.objects.get(username=users["auditor"]),
                                         role=RoleAssignment.Role.SUPERVISION)
    # HR reads the directory's sync reports and contacts imports (issue 20).
    RoleAssignment.objects.get_or_create(user=User.objects.get(username=users["hr"]),
                                         role=RoleAssignment.Role.HR_ADMIN)
    from directory.models import SyncReport

    if not SyncReport.objects.exists():
        SyncReport.objects.bulk_create([SyncReport(new_count=i % 7, changed_count=i % 5) for i in range(120)])
    item = (Item.objects.filter(unit__code="b00", state=Item.State.TRANSMITTED).order_by("-pk")
            .values_list("pk", flat=True).first())
    return users, item


def releases(count=500):
    """The bulletin's rows (publication): ``count`` completed items made public
    and released on the portal bulletin, once per build (the bench build's
    items are internal and never released)."""
    from django.utils import timezone

    from infoflow.models import Item
    from publication.models import BulletinCategory, Channel, Release, ReleaseRecord

    if Release.objects.exists():
        return
    bulletin = Channel.objects.filter(kind=Channel.Kind.BULLETIN).first()
    categories = list(BulletinCategory.objects.all())
    pks = list(Item.objects.filter(state=Item.State.COMPLETED).order_by("-pk").values_list("pk", flat=True)[:count])
    Item.objects.filter(pk__in=pks).update(confidentiality="public", kind="publication")
    secretary = Item.objects.get(pk=pks[0]).initiator if pks else None
    now = timezone.now()
    made = Release.objects.bulk_create([
        Release(item_id=pk, category=categories[i % len(categories)], created_by=secretary, first_released_at=now)
        for i, pk in enumerate(pks)
    ])
    ReleaseRecord.objects.bulk_create([
        ReleaseRecord(release=r, channel=bulletin, channel_name=bulletin.name, channel_kind=bulletin.kind,
                      released_by=secretary, released_at=now, views=i)
        for i, r in enumerate(made)
    ])


def readings(officer, leader, count=300):
    """Circulation and instructions (followup): ``count`` items of the
    officer's unit circulated to the officer (a third read) and as many tasks
    of a leader's instructions owned by the officer, once per build."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from followup.models import Circulation, CirculationReader, Instruction, InstructionTask
    from infoflow.models import Item
    from officers.models import Officer

    if Circulation.objects.exists():
        return
    User = get_user_model()
    officer, leader = User.objects.get(username=officer), User.objects.get(username=leader)
    unit_id = Officer.objects.filter(user=officer).values_list("unit_id", flat=True).first()
    pks = list(Item.objects.filter(unit_id=unit_id).exclude(state=Item.State.DRAFT).order_by("-pk")
               .values_list("pk", flat=True)[:count])
    now = timezone.now()
    circulations = Circulation.objects.bulk_create([
        Circulation(item_id=pk, sent_by=leader, sent_at=now, remind_at=now) for pk in pks])
    CirculationReader.objects.bulk_create([
        CirculationReader(circulation=c, item_id=c.item_id, user=officer, read_at=now if i % 3 == 0 else None)
        for i, c in enumerate(circulations)])
    instructions = Instruction.objects.bulk_create([
        Instruction(item_id=pk, author=leader, text="请落实", written_at=now) for pk in pks])
    InstructionTask.objects.bulk_create([
        InstructionTask(instruction=i, item_id=i.item_id, owner=officer, what="落实批示", due_at=now)
        for i in instructions])


def pages(item_pk):
    """(label, role, path); the floor first."""
    listed = [
        ("home (officer)", "officer", "/"),
        ("home (head)", "head", "/"),
        ("home (leader)", "leader", "/"),
        ("home (secretary)", "secretary", "/"),
        ("/items/", "officer", "/items/"),
    ]
    for tab in ("drafts", "in_review", "returned", "waiting", "done"):
        listed.append((f"/items/?tab={tab}", "officer", f"/items/?tab={tab}"))
    listed += [
        ("/items/reviews/ (head)", "head", "/items/reviews/"),
        ("/items/received/", "officer", "/items/received/"),
        ("item page", "officer", f"/items/{item_pk}/"),
        ("/archive/", "secretary", "/archive/"),
        ("/archive/ search", "secretary", "/archive/?" + urlencode({"q": "客户回访"})),
        ("/items/ontime/", "secretary", "/items/ontime/"),
        ("/notifications/", "officer", "/notifications/"),
        ("/exports/log/all/", "secretary", "/exports/log/all/"),
        # Officers' work (issue 14): the bench build holds no reports, flags or cases yet.
        ("/officers/work-reports/ (head)", "head", "/officers/work-reports/"),
        ("/officers/replacement-flags/", "secretary", "/officers/replacement-flags/"),
        ("/officers/accountability/", "secretary", "/officers/accountability/"),
        # Meetings and trainings (issue 14): the bench build holds none, so these time the lists' floor.
        ("/officers/meetings/", "officer", "/officers/meetings/"),
        ("/officers/actions/", "officer", "/officers/actions/"),
        ("/officers/trainings/", "officer", "/officers/trainings/"),
        ("/officers/meetings/attendance/", "secretary", "/officers/meetings/attendance/"),
        # Data calls (issue 13) and the assessment with its charts (issue 14); the bench build holds no calls.
        ("/calls/", "officer", "/calls/"),
        ("/calls/ (secretary)", "secretary", "/calls/"),
        # The suggestion box (issue 17): the bench build names no handlers, so these time the floor.
        ("/suggestions/ (secretary)", "secretary", "/suggestions/"),
        ("/suggestions/new/", "officer", "/suggestions/new/"),
        # Surveys (issue 19 §2): the bench build holds none, so these time the lists' floor.
        ("/surveys/ (secretary)", "secretary", "/surveys/"),
        ("/surveys/mine/", "officer", "/surveys/mine/"),
        ("/assessment/", "officer", "/assessment/"),
        ("/assessment/charts/ (leader)", "leader", "/assessment/charts/"),
        # The bulletin and the release desk (issue 16): 500 public items on the bulletin (releases()).
        ("/bulletin/", "officer", "/bulletin/"),
        ("/bulletin/ search", "officer", "/bulletin/?" + urlencode({"q": "客户回访"})),
        ("/bulletin/?c=news", "officer", "/bulletin/?c=news"),
        ("/publication/ (secretary)", "secretary", "/publication/"),
        ("/publication/calendar/", "secretary", "/publication/calendar/"),
        # The information bulletin (issue 16 §5–6): the issue list, adoption records, the monthly summary of
        # the 500 releases above (this month's) and its workbook.
        ("/briefs/", "officer", "/briefs/"),
        ("/briefs/ (secretary)", "secretary", "/briefs/"),
        ("/briefs/adoptions/", "secretary", "/briefs/adoptions/"),
        ("/briefs/summary/", "secretary", "/briefs/summary/"),
        ("/briefs/summary.xlsx", "secretary", "/briefs/summary.xlsx"),
        # Incidents and reports to leaders (issue 19 §6-7): the bench build holds none, so these time the floor.
        ("/incidents/ (secretary)", "secretary", "/incidents/"),
        ("/incidents/", "officer", "/incidents/"),
        ("/reports/ (secretary)", "secretary", "/reports/"),
        ("/reports/ (leader)", "leader", "/reports/"),
        # 对外联络 (issue 19 §3-4): visits, the obligations calendar and member changes (the floor in the bench build).
        ("/relations/visits/", "officer", "/relations/visits/"),
        ("/relations/obligations/ (secretary)", "secretary", "/relations/obligations/"),
        ("/relations/members/ (secretary)", "secretary", "/relations/members/"),
        # 等保 (issue 18): the access review list and the audit archive batches (none in the bench build: the floor).
        ("/security/access-reviews/", "secretary", "/security/access-reviews/"),
        ("/security/audit-archive/ (auditor)", "auditor", "/security/audit-archive/"),
        # 常用语 (issue 15): the head's own list and the defaults.
        ("/items/phrases/ (head)", "head", "/items/phrases/"),
        # 待阅 and 批示任务 (issue 15): 300 circulations and tasks of the officer (readings()).
        ("/followup/reading/", "officer", "/followup/reading/"),
        ("/followup/reading/?done=1", "officer", "/followup/reading/?done=1"),
        ("/followup/tasks/", "officer", "/followup/tasks/"),
        ("/followup/tasks/ (secretary)", "secretary", "/followup/tasks/"),
        # The rules and the appointment workflow (issue 19 §5, §9): the bench build holds no documents or
        # recommendations, so these time the lists' floor.
        ("/rules/", "officer", "/rules/"),
        ("/rules/pending/", "officer", "/rules/pending/"),
        ("/officers/recommendations/ (secretary)", "secretary", "/officers/recommendations/"),
        ("/officers/recommendations/ (head)", "head", "/officers/recommendations/"),
        ("/officers/appointments/", "officer", "/officers/appointments/"),
        # The printable form (issue 15 §8) and the people picker's search (§9).
        ("item print page", "officer", f"/items/{item_pk}/print/"),
        ("/pickers/people/?q=u00", "officer", "/pickers/people/?" + urlencode({"q": "u00"})),
        # The information library (issue 19 §1): the list, a full-text search and the needs (the bench build holds
        # no entries yet, so these time the floor and the search's plan on an empty table).
        ("/library/", "officer", "/library/"),
        ("/library/ search", "officer", "/library/?" + urlencode({"q": "安全生产"})),
        ("/library/needs/ (secretary)", "secretary", "/library/needs/"),
        ("/directory/reports/ (hr)", "hr", "/directory/reports/"),
        ("/directory/imports/ (hr)", "hr", "/directory/imports/"),
    ]
    return listed


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env, workers):
    port = free_port()
    log = open(DATA_DIR / "gunicorn.log", "w")
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "liaison.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180  # 4 workers importing Django on a loaded 2-core machine took over 60 s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped: see {DATA_DIR / 'gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("gunicorn did not answer /healthz within 180 s")


def cookies_of(response, jar):
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()


def login(port, username):
    """Log in through the login form; the Cookie header of the session."""
    jar = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    body = response.read().decode()
    cookies_of(response, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
    })
    response = conn.getresponse()
    response.read()
    cookies_of(response, jar)
    if response.status != 302 or "sessionid" not in jar:
        sys.exit(f"login of {username} failed: HTTP {response.status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def drive(port, path, cookie, connections, seconds):
    """Requests/s and latencies (s) of ``path`` with ``connections`` threads
    for ``seconds``; every answer must be 200."""
    latencies = [[] for _ in range(connections)]
    failures = []
    start = time.perf_counter()
    deadline = start + seconds

    def worker(out):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": cookie, "Accept-Language": "zh-hans"}
        while True:
            t0 = time.perf_counter()
            if t0 >= deadline:
                break
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            if response.status != 200:
                failures.append(response.status)
                return
            out.append(time.perf_counter() - t0)
        conn.close()

    threads = [threading.Thread(target=worker, args=(out,)) for out in latencies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit(f"{path} answered HTTP {failures[0]}")
    flat = sorted(x for out in latencies for x in out)
    if not flat:
        raise SystemExit(f"{path}: no request finished in {seconds} s")
    return len(flat) / elapsed, flat[len(flat) // 2], flat[min(len(flat) - 1, int(len(flat) * 0.95))]


def main():
    parser = argparse.ArgumentParser(description="Pages over HTTP under load, against the floor of a bare logged-in request.")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--archived", type=int, default=5_000)
    parser.add_argument("--archive-batch", type=int, default=100,
                        help="completed items archived a transaction by archive_items (1: archive_item, one by one)")
    parser.add_argument("--seconds", type=float, default=5.0, help="per page and round (at most 60)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8, help="at most 16")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--db", default=None, help="bench database name (default: DATABASE_URL's, or bench_http)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--only", default=None,
                        help="measure only pages whose label holds this (several: separated by '|')")
    options = parser.parse_args()
    options.seconds = min(max(options.seconds, 0.5), 60.0)
    options.connections = min(max(options.connections, 1), 16)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL=postgres://user@host:5432/bench_http (the bench database)")
    target, name = bench_url(url, options.db)
    inbox.BENCH_DB = name
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    found = None if options.rebuild else existing_build(url, name)
    reuse = found is not None and found[0] == options.items and found[1] >= min(options.archived, 1)
    if not reuse:
        inbox.create_database(url)
        shutil.rmtree(DATA_DIR / "archive", ignore_errors=True)
    env = environment(target)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if reuse:
        print(f"reusing {name}: {found[0]} items, {found[1]} archived records")
    else:
        build(options.items, options.archived, options.archive_batch)
    users, item_pk = people()
    releases()
    readings(users["officer"], users["leader"])
    from django.db import connection

    # The rows just added have planner statistics, and a migration that rewrote
    # rows (infoflow 0019 fills the item copies) leaves no dead tuples for the
    # index-only scans to visit: what autovacuum does in production.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.db import connections

    connections.close_all()

    process, port = start_server(env, options.workers)
    try:
        cookies = {role: login(port, username) for role, username in users.items()}
        wanted = options.only.split("|") if options.only else []
        listed = [p for p in pages(item_pk) if not wanted or any(w in p[0] for w in wanted)]
        for label, role, path in listed:  # warm up every worker, check every page answers
            drive(port, path, cookies[role], options.connections, 0.5)
        floor_path, floor_cookie = "/bench/floor/", cookies["officer"]
        results = {label: [] for label, _r, _p in listed}
        floors = []
        for round_ in range(options.rounds):
            round_floor = [drive(port, floor_path, floor_cookie, options.connections, options.seconds)]
            measured = []
            for n, (label, role, path) in enumerate(listed):
                measured.append((label, drive(port, path, cookies[role], options.connections, options.seconds)))
                if n % 4 == 3 or n == len(listed) - 1:
                    round_floor.append(drive(port, floor_path, floor_cookie, options.connections, options.seconds))
            floor_rps = statistics.median(f[0] for f in round_floor)
            floors.extend(round_floor)
            for label, (rps, p50, p95) in measured:
                results[label].append((rps, p50, p95, floor_rps / rps))
            print(f"round {round_ + 1}/{options.rounds}: floor {floor_rps:.1f} req/s", flush=True)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()

    def med(values, index):
        return statistics.median(v[index] for v in values)

    print(f"\n{options.items} items, {found[1] if reuse else options.archived} archived records, "
          f"{options.workers} gunicorn workers, {options.connections} connections, "
          f"{options.seconds:g} s a page, {options.rounds} interleaved rounds (medians)")
    print(f"{'page':<26} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'floor ÷ page':>13}")
    print(f"{'floor /bench/floor/':<26} {med(floors, 0):8.1f} {med(floors, 1) * 1000:8.1f} "
          f"{med(floors, 2) * 1000:8.1f} {1:12.2f}×")
    ratios = {}
    for label, values in results.items():
        ratios[label] = med(values, 3)
        print(f"{label:<26} {med(values, 0):8.1f} {med(values, 1) * 1000:8.1f} {med(values, 2) * 1000:8.1f} "
              f"{ratios[label]:12.2f}×")
    if not ratios:  # --only matched no page: the build and the floor only
        print("http: no page measured (--only matched none)")
        return
    worst = max(ratios, key=ratios.get)
    print(f"http: worst page {ratios[worst]:.2f}× floor ({worst}), median {statistics.median(ratios.values()):.2f}×")


if __name__ == "__main__":
    main()
