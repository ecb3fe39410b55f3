"""More than one machine (issue 12): two web processes, two Celery workers
and two Celery beats against one PostgreSQL and one Redis.

    .venv/bin/python bench/two_of_everything.py [--approvals 10] [--every 2]

Uses its own PostgreSQL database (``--db``, dropped and re-created), its own
Redis database (``--redis``, emptied), a file e-mail backend and a local
"group robot" (bench/fault_outbox.py's). Each "machine" (A and B) has its
own LIAISON_DATA_DIR; they share the database, Redis, DJANGO_SECRET_KEY, the
archive seal key and DJANGO_MEDIA_ROOT (the shared folder an NFS mount gives
in production). LIAISON_BEAT_EVERY_SECONDS makes beat's every-minute entries
run every ``--every`` seconds.

1. ``--approvals`` external items wait at the unit head's review; one draft
   waits for an attachment.
2. gunicorn A and B, workers A and B, beats A and B start. celery-redbeat's
   Redis lock lets one beat send; the other waits.
3. The head logs in through the login form on A and on B; the officer logs
   in on A, uploads a file on A and downloads it on B with the same session;
   a few pages are read from both; the approvals go half through A, half
   through B.
4. Beat runs; then the beat holding the lock is stopped (SIGTERM) and started
   again, so the other takes over at once; later the new holder is killed
   (SIGKILL), so the first takes over when the dead one's lock expires.
5. Checks: every notice exists once and is mailed and posted to the robot
   exactly once; beat sent each entry once per tick (never two sends of an
   entry closer than half its interval, across both beats), only the lock
   holder sent, and every task beat sent ran once, on one worker.

Exits non-zero when a check fails; the last line says OK or FAIL.
``--unlocked`` is the check's own test: the beats run with Celery's file
scheduler and no lock, and the run must FAIL (each tick sent twice).
"""
import sys as _sys
from pathlib import Path as _Path

# Run as a script, bench/ comes first on sys.path, where bench/http.py would
# shadow the standard library's ``http``: drop it.
_sys.path[:] = [p for p in _sys.path if _Path(p or ".").resolve() != _Path(__file__).resolve().parent]

import argparse
import datetime as dt
import http.server
import os
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fault_outbox import Browser, Process, Robot, check, fail, free_port, mailbox, setup  # noqa: E402
from bench.sweep import recreate_database  # noqa: E402

LOG_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): \w+/[\w-]+\] (.*)$")


def upload(browser, path, name, content):
    """POST ``content`` as the multipart field ``files`` (the attachment form)."""
    boundary = uuid.uuid4().hex
    body = b"".join([
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n"
        f"{browser.csrf()}\r\n".encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode(), content, b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ])
    request = urllib.request.Request(browser.base + path, data=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": browser.base + path})
    return browser.opener.open(request, timeout=30)


def same_session(browser, base):
    """A browser on ``base`` that carries ``browser``'s cookies (its session)."""
    other = Browser(base)
    other.jar, other.opener = browser.jar, browser.opener
    return other


def wait_for(what, predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    fail(f"{what} within {seconds} s")


def answers(base):
    try:
        return urllib.request.urlopen(base + "/healthz", timeout=5).status == 200
    except (urllib.error.URLError, OSError):
        return False


def log_lines(path):
    """(time, message) of each line of a Celery log."""
    for line in Path(path).read_text(errors="replace").splitlines():
        m = LOG_LINE.match(line)
        if m:
            yield dt.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f"), m.group(2)


def beat_sends(path):
    """[(time, entry name, task id)] sent by the beat that wrote ``path``."""
    sends, pending = [], []
    for at, message in log_lines(path):
        m = re.match(r"Scheduler: Sending due task (\S+) \((\S+)\)", message)
        if m:
            pending.append((at, m.group(1), m.group(2)))
            continue
        m = re.match(r"(?:Scheduler: )?(\S+) sent\. id->(\S+)", message)
        if m:
            for i, (sent_at, name, task) in enumerate(pending):
                if task == m.group(1):
                    sends.append((sent_at, name, m.group(2)))
                    del pending[i]
                    break
    return sends


def worker_runs(path):
    """Counter of task id -> how often this worker finished it, and the ids it discarded as expired."""
    ran, expired = Counter(), set()
    for _at, message in log_lines(path):
        m = re.match(r"Task \S+\[([0-9a-f-]+)\] (succeeded|raised|failed|retry)", message)
        if m:
            ran[m.group(1)] += 1
        m = re.search(r"(?:revoked|expired).*?\[([0-9a-f-]+)\]", message, re.I)
        if m:
            expired.add(m.group(1))
    return ran, expired


def lock_holder(beats):
    """The beat whose log says it acquired the lock last (and that still runs)."""
    latest = None
    for beat in beats:
        if beat.proc.poll() is not None:
            continue
        for at, message in log_lines(beat.log.name):
            if message == "beat: Acquired lock" and (latest is None or at > latest[0]):
                latest = (at, beat)
    return latest[1] if latest else None


def acquisitions(beat):
    return sum(1 for _at, m in log_lines(beat.log.name) if m == "beat: Acquired lock")


def hand_over(beats, problems, every, started):
    """Stop the lock holder (SIGTERM) and start it again; the other takes over.
    Then kill the new holder (SIGKILL); the first takes over when its lock expires."""
    holder = lock_holder(beats)
    other = beats[1 - beats.index(holder)]
    holder.stop()
    wait_for(f"{other.name} took the lock after {holder.name} stopped",
             lambda: acquisitions(other) >= 1, 5 * every)
    holder.log = open(holder.log.name, "a")
    holder.start()  # back, as the one that waits
    time.sleep(4 * every)
    first = lock_holder(beats)
    if first is not other:
        problems.append(f"{first.name} holds the lock, not {other.name}")
    first.kill()
    wait_for(f"{holder.name} took the lock after {other.name} was killed",
             lambda: acquisitions(holder) >= 2, 5 * every + 3 * every + 10)
    time.sleep(3 * every)
    print(f"4. [{time.monotonic() - started:.0f} s] beat handed over twice: {holder.name} stopped (SIGTERM), "
          f"{other.name} took over; "
          f"{other.name} killed (SIGKILL), {holder.name} took over when the lock expired")


def check_beat(beats, workers, every):
    """Problems with what the beats sent and the workers ran."""
    from django.conf import settings

    problems = []
    sends = []
    for beat in beats:
        sends += [(at, name, task_id, beat.name) for at, name, task_id in beat_sends(beat.log.name)]
    sends.sort()
    if not sends:
        return ["beat sent nothing"], 0
    interval = {name: (entry["schedule"] if isinstance(entry["schedule"], float) else 60.0)
                for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}
    by_entry = defaultdict(list)
    for at, name, _task_id, _beat in sends:
        by_entry[name].append(at)
    span = (sends[-1][0] - sends[0][0]).total_seconds()
    for name, times in sorted(by_entry.items()):
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        if gaps and min(gaps) < interval[name] / 2:
            problems.append(f"beat sent {name} twice in one tick "
                            f"({min(gaps):.1f} s apart, every {interval[name]:.0f} s)")
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        if interval[name] == float(every) and len(by_entry[name]) < span / every / 2:
            problems.append(f"{name}: {len(by_entry[name])} sends in {span:.0f} s, every {every} s")
    # Two beats sending in the same moment would show above; this says who sent.
    ran, expired = Counter(), set()
    for worker in workers:
        r, e = worker_runs(worker.log.name)
        ran.update(r)
        expired |= e
    twice = [task_id for _at, _name, task_id, _beat in sends if ran[task_id] > 1]
    lost = [(name, task_id) for _at, name, task_id, _beat in sends
            if ran[task_id] == 0 and task_id not in expired
            and "expires" not in settings.CELERY_BEAT_SCHEDULE[name].get("options", {})]
    if twice:
        problems.append(f"{len(twice)} scheduled tasks ran more than once: {twice[:3]}")
    if lost:
        problems.append(f"{len(lost)} scheduled tasks sent but never run: {lost[:3]}")
    counts = Counter(beat for _at, _name, _task_id, beat in sends)
    print(f"   beat: {len(sends)} sends in {span:.0f} s ("
          + ", ".join(f"{name} {len(times)}" for name, times in sorted(by_entry.items()))
          + "); by " + ", ".join(f"{b} {n}" for b, n in sorted(counts.items()))
          + f"; {sum(1 for _a, _n, t, _b in sends if ran[t] == 1)} ran once, {len(expired)} expired unrun")
    return problems, len(sends)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--approvals", type=int, default=10)
    parser.add_argument("--every", type=int, default=2, help="seconds between beat's every-minute entries")
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/h12_multi")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--unlocked", action="store_true",
                        help="self-test: beats without the lock (celery's file scheduler); the run must fail")
    args = parser.parse_args()
    if args.every < 2:
        fail("--every must be at least 2 seconds")
    started = time.monotonic()

    recreate_database(args.db)
    logdir = Path("/tmp") / "two_of_everything"
    shared_media, mails_dir = logdir / "shared-media", logdir / "mail"
    for folder in (logdir, shared_media, mails_dir, logdir / "A", logdir / "B"):
        folder.mkdir(parents=True, exist_ok=True)
    for folder in (mails_dir, shared_media):
        for old in sorted(folder.rglob("*"), reverse=True):
            old.rmdir() if old.is_dir() else old.unlink()
    robot = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=robot.serve_forever, daemon=True).start()
    ports = {"A": free_port(), "B": free_port()}
    common = {
        "DATABASE_URL": args.db,
        "REDIS_URL": args.redis,
        "DJANGO_SETTINGS_MODULE": "liaison.settings",
        "DJANGO_DEBUG": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "LIAISON_ARCHIVE_SEAL_KEY": secrets.token_urlsafe(32),
        "DJANGO_MEDIA_ROOT": str(shared_media),
        "EMAIL_URL": "filemail:///" + str(mails_dir),
        "LIAISON_WEBHOOK_URL": "http://127.0.0.1:%d/robot" % robot.server_address[1],
        "LIAISON_SITE_URL": "http://127.0.0.1:%d" % ports["A"],
        "LIAISON_BEAT_EVERY_SECONDS": str(args.every),
    }
    os.environ.update(common, LIAISON_DATA_DIR=str(logdir / "A"))
    envs = {m: dict(os.environ, PYTHONPATH=str(ROOT), LIAISON_DATA_DIR=str(logdir / m)) for m in "AB"}

    import django

    django.setup()
    import redis
    from django.core.management import call_command

    from infoflow.models import Attachment, ReviewStep
    from infoflow.services.drafting import create_item
    from liaison.models import Notification
    from officers.models import Officer, OrgUnit

    redis.Redis.from_url(args.redis).flushdb()  # the broker's queues and beat's schedule and lock
    call_command("migrate", verbosity=0)
    items = setup(args.approvals)
    officer = Officer.objects.select_related("user").get(user__username="fo_officer")
    draft = create_item(actor=officer.user, unit=OrgUnit.objects.get(code="fo"),
                        receivers=[{"kind": "unit", "unit": OrgUnit.objects.get(code="fo2")}],
                        fields={"subject": "两台机器的附件", "summary": "A 上传，B 下载", "direction": "external",
                                "expected_feedback_at": dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)})
    print(f"1. [{time.monotonic() - started:.0f} s] {len(items)} external items wait at the head's review; "
          "one draft waits for a file")

    celery = [sys.executable, "-m", "celery", "-A", "liaison"]
    procs = {}
    for m in "AB":
        procs["web " + m] = Process("web " + m, [str(ROOT / ".venv/bin/gunicorn"), "liaison.wsgi", "-w", "1", "-b",
                                                 f"127.0.0.1:{ports[m]}", "--timeout", "60"], envs[m],
                                    open(logdir / f"web-{m}.log", "w"))
        procs["worker " + m] = Process("worker " + m, celery + [
            "worker", "--concurrency", "1", "--loglevel", "INFO", f"--hostname=worker{m}@%h", "--without-gossip",
            "--without-mingle", "--without-heartbeat"], envs[m], open(logdir / f"worker-{m}.log", "w"))
        unlocked = ["-S", "celery.beat:PersistentScheduler"] if args.unlocked else []
        procs["beat " + m] = Process("beat " + m, celery + ["beat", "--loglevel", "DEBUG"] + unlocked, envs[m],
                                     open(logdir / f"beat-{m}.log", "w"))
    beats = [procs["beat A"], procs["beat B"]]
    workers = [procs["worker A"], procs["worker B"]]
    base = {m: f"http://127.0.0.1:{ports[m]}" for m in "AB"}
    try:
        for proc in procs.values():
            proc.start()
        for m in "AB":
            wait_for(f"web {m} answered", lambda m=m: answers(base[m]), 90)
        problems = []
        if args.unlocked:
            print(f"2. [{time.monotonic() - started:.0f} s] two of everything up; the beats have no lock "
                  "(--unlocked: this run must fail)")
        else:
            wait_for("a beat took the lock", lambda: lock_holder(beats) is not None, 60)
            holder = lock_holder(beats)
            print(f"2. [{time.monotonic() - started:.0f} s] two of everything up; {holder.name} holds the beat lock")
            if sum(acquisitions(b) for b in beats) != 1:
                problems.append("both beats took the lock")

        # 3. The web processes: logins, a file across machines, pages, approvals.
        head = {m: Browser(base[m]) for m in "AB"}
        for m in "AB":
            head[m].login("fo_head")
        clerk = Browser(base["A"])
        clerk.login("fo_officer")
        content = ("两台机器共用的附件 %s\n" % uuid.uuid4().hex).encode()
        upload(clerk, f"/items/{draft.pk}/attachments/", "shared.txt", content)
        attachment = Attachment.objects.filter(item=draft).first()
        if attachment is None:
            fail("the upload on web A stored no attachment")
        got = same_session(clerk, base["B"]).opener.open(
            f"{base['B']}/items/{draft.pk}/attachments/{attachment.pk}/", timeout=30).read()
        if got != content:
            problems.append("the file uploaded on web A does not download from web B")
        if not (shared_media / attachment.file.name).exists():
            problems.append("the upload is not in the shared media folder")
        pages = 0
        for m in "AB":
            for path in ("/", "/items/", "/items/reviews/", "/notifications/", f"/items/{items[0][0]}/"):
                response = head[m].opener.open(base[m] + path, timeout=30)
                if response.status != 200 or "/accounts/login/" in response.geturl():
                    problems.append(f"{path} on web {m} did not answer the logged-in head")
                pages += 1
        for n, (item_pk, step_pk) in enumerate(items):
            head["AB"[n % 2]].post(f"/items/{item_pk}/steps/{step_pk}/review/", {"opinion": "同意"})
        still_open = ReviewStep.objects.filter(pk__in=[s for _i, s in items], state=ReviewStep.State.OPEN).count()
        if still_open:
            problems.append(f"{still_open} approvals did not take")
        print(f"3. [{time.monotonic() - started:.0f} s] head logged in on A and B, the officer on A; "
              f"{len(content)} bytes uploaded on A read back on B; {pages} pages from both; "
              f"{len(items) - still_open} approvals, half on each web")

        # 4. Beat: run, hand over by SIGTERM, hand over by SIGKILL.
        time.sleep(6 * args.every)
        if args.unlocked:
            time.sleep(6 * args.every)
            print(f"4. [{time.monotonic() - started:.0f} s] both beats ran")
        else:
            hand_over(beats, problems, args.every, started)
        for beat in beats:
            beat.stop()
        # Let the workers finish what was sent and what the notices queued.
        wait_for("the notices were delivered", lambda: not Notification.objects.exclude(
            email_state="sent", webhook_state="sent").exists(), 60)
        time.sleep(2)
    finally:
        for proc in procs.values():
            proc.stop()

    print("5. checks")
    beat_problems, _sends = check_beat(beats, workers, args.every)
    problems += beat_problems
    mails = mailbox(mails_dir)
    total, notice_problems = check(list(Robot.received), mails)
    problems += notice_problems
    if len(mails) != total or len(Robot.received) != total:
        problems.append(f"{total} notices but {len(mails)} e-mails and {len(Robot.received)} robot posts")
    print(f"   notices: {total}; {len(mails)} e-mails; {len(Robot.received)} robot posts")
    elapsed = time.monotonic() - started
    if problems:
        for p in problems:
            print("   -", p)
        print(f"FAIL: two of everything: {len(problems)} problem(s) in {elapsed:.0f} s (logs in {logdir})")
        sys.exit(1)
    print(f"OK: two of everything: pages and files from both webs, {total} notices each sent once per channel, "
          f"beat's schedule run once across two beats and two hand-overs, in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
