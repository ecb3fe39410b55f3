"""Fault test of the outbox (issue 11): a real web process serving approvals
and a real Celery worker, each killed with SIGKILL at random moments.

    REDIS_URL=redis://127.0.0.1:6379/6 .venv/bin/python bench/fault_outbox.py [--approvals 60] [--seed 11]

Uses its own PostgreSQL database (``--db``, dropped and re-created), the
Redis database in REDIS_URL (purged), a file e-mail backend and a local
"group robot" (an HTTP server in this process counting the posts).

1. ``--approvals`` external items are submitted; each waits at its unit
   head's review.
2. gunicorn (one sync worker) and a Celery worker start. The head logs in
   over HTTP and approves the items one by one through the review form,
   while a killer thread sends SIGKILL to the whole web process group or the
   whole worker group at random moments (1.5–5 s apart) and starts it again.
   A request that fails is retried until its step is no longer open.
3. Killing stops; what a killed process left is picked up the way beat does
   (``retry_undelivered`` for rows whose queueing was lost; a channel left
   "sending" by a killed worker is tried again once its claim is stale).
4. Checks: every step that exists has its "please review" notice exactly
   once per assignee; no other notice exists twice; every notice is sent by
   e-mail and by the robot, and the mailbox and the robot each received
   each notice once — twice only where a worker was killed between the send
   and its commit, which shows as a second claim of that channel (at least
   once: no outbox can know whether the remote side got the first try).

Exits non-zero when a check fails.
"""
import sys as _sys
from pathlib import Path as _Path

# Run as a script, bench/ comes first on sys.path, where a module may shadow
# the standard library's (bench/http.py shadows ``http``): drop it.
_sys.path[:] = [p for p in _sys.path if _Path(p or ".").resolve() != _Path(__file__).resolve().parent]

import argparse
import datetime as dt
import email
import email.header
import http.client
import http.cookiejar
import http.server
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "Kx7!vRq2-zuLm9#tB"


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Robot(http.server.BaseHTTPRequestHandler):
    """The WeCom/DingTalk robot: answers errcode 0 and keeps every text."""

    received: list = []
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.lock:
            self.received.append(json.loads(body)["text"]["content"])
        answer = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


class Process:
    """A process group we start, kill with SIGKILL and start again."""

    def __init__(self, name, argv, env, log):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.proc = None
        self.kills = 0

    def start(self):
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.kills += 1

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def setup(count):
    from django.contrib.auth import get_user_model

    from infoflow.services.chain import open_step, submit_item
    from infoflow.services.drafting import create_item
    from officers.models import Officer, OrgUnit, RoleAssignment

    User = get_user_model()

    def user(name, full):
        u = User(username=name, first_name=full, email=f"{name}@example.com")
        u.set_password(PASSWORD)
        u.save()
        return u

    head, leader, officer = user("fo_head", "王五"), user("fo_leader", "李四"), user("fo_officer", "张三")
    gm = user("fo_gm", "吴总")
    RoleAssignment.objects.create(user=gm, role=RoleAssignment.Role.GENERAL_MANAGER)
    unit = OrgUnit.objects.create(code="fo", name="故障部", number_prefix="FO", head=head, supervising_leader=leader)
    other = OrgUnit.objects.create(code="fo2", name="接收部", number_prefix="FP", head=user("fo_head2", "赵六"))
    Officer.objects.create(user=officer, unit=unit, phone="13800000000")
    items = []
    feedback = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    for n in range(count):
        item = create_item(actor=officer, unit=unit, receivers=[{"kind": "unit", "unit": other}],
                           fields={"subject": "故障测试 %d" % n, "summary": "对外信息，审批中杀进程", "direction": "external",
                                   "expected_feedback_at": feedback})
        item = submit_item(item=item, actor=officer)
        step = open_step(item)
        if step is None or step.assignees.get().user_id != head.pk:
            fail("the external route does not start at the unit head")
        items.append((item.pk, step.pk))
    return items


class Browser:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def get(self, path):
        return self.opener.open(self.base + path, timeout=10).read().decode()

    def post(self, path, data):
        data = dict(data, csrfmiddlewaretoken=self.csrf())
        request = urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data).encode(),
                                         headers={"Referer": self.base + path})
        return self.opener.open(request, timeout=10)

    def login(self, username):
        self.get("/accounts/login/")
        self.post("/accounts/login/", {"username": username, "password": PASSWORD})
        if not any(c.name == "sessionid" for c in self.jar):
            raise RuntimeError("login refused")


def approve_all(items, base, web):
    from infoflow.models import ReviewStep

    browser = Browser(base)
    retries = 0
    for item_pk, step_pk in items:
        while ReviewStep.objects.filter(pk=step_pk, state=ReviewStep.State.OPEN).exists():
            try:
                if not any(c.name == "sessionid" for c in browser.jar):
                    browser.login("fo_head")
                response = browser.post(f"/items/{item_pk}/steps/{step_pk}/review/", {"opinion": "同意"})
                if "/accounts/login/" in response.geturl():
                    browser.jar.clear()  # the session went with the killed process
            except (urllib.error.URLError, ConnectionError, OSError, RuntimeError, http.client.HTTPException):
                retries += 1
                time.sleep(0.3)
                if retries > 2000:
                    fail("the web process never came back")
    return retries


def killer(procs, stop, rng):
    while not stop.is_set():
        if stop.wait(rng.uniform(1.5, 5.0)):
            return
        proc = rng.choice(procs)
        proc.kill()
        proc.start()


def mailbox(folder):
    """(recipient, subject) of every message the file backend wrote."""
    seen = []
    for path in sorted(Path(folder).glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if "Subject:" not in chunk:
                continue
            message = email.message_from_string(chunk.strip())
            subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
            seen.append((message["To"], subject))
    return seen


def recover():
    """What beat does for a process killed between commit and queueing, or
    mid-send: requeue after the claim is stale (run here, as beat would)."""
    from liaison.notifications import deliver, undelivered
    from liaison.notifications import DeliveryFailed

    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=20)
    for _round in range(3):
        for pk in undelivered(later):
            try:
                deliver(pk)
            except DeliveryFailed:
                pass


def check(robot_texts, mails):
    from django.db.models import Count

    from infoflow.models import StepAssignee
    from liaison.models import Notification

    problems = []
    dupes = Notification.objects.values("recipient", "key").annotate(n=Count("id")).filter(n__gt=1).count()
    if dupes:
        problems.append(f"{dupes} notices exist twice")
    missing = 0
    for a in StepAssignee.objects.select_related("step"):
        if not Notification.objects.filter(recipient_id=a.user_id, key="step:%d:opened" % a.pk).exists():
            missing += 1
    if missing:
        problems.append(f"{missing} review steps have no 'please review' notice")
    notices = list(Notification.objects.select_related("recipient"))
    unsent = [n.pk for n in notices if (n.email_state, n.webhook_state) != ("sent", "sent")]
    if unsent:
        problems.append(f"{len(unsent)} notices not sent on both channels: {unsent[:5]}")
    by_mail = Counter(mails)
    by_robot = Counter()
    for text in robot_texts:
        number = re.search(r"信息编号：(\S+)", text)
        by_robot[(text.split("\n", 1)[0], number.group(1) if number else "", text.split("\n")[1:2][0])] += 1
    from liaison.notifications import safe_text

    # A SIGKILL between the remote side accepting a message and our commit
    # marking it sent cannot be told from one before the send: the stale
    # claim is tried again (sending twice is the lesser harm than never).
    # Such a resend shows as a second claim (attempts) on that channel; a
    # copy without its own claim is a real double send and fails the run.
    mail_twice = robot_twice = mail_missing = robot_missing = resent = 0
    for n in notices:
        subject, text = safe_text(n)
        got = by_mail.get((n.recipient.email, subject), 0)
        mail_missing += got == 0
        mail_twice += got > max(1, n.email_attempts)
        resent += 1 < got <= n.email_attempts
        name = n.recipient.get_full_name() or n.recipient.get_username()
        key = ("@" + name, n.item_number, text.split("\n")[0])
        posts = by_robot.get(key, 0)
        robot_missing += posts == 0
        robot_twice += posts > max(1, n.webhook_attempts)
        resent += 1 < posts <= n.webhook_attempts
    if mail_missing or mail_twice:
        problems.append(f"e-mail: {mail_missing} notices never mailed, {mail_twice} mailed more often than claimed")
    if robot_missing or robot_twice:
        problems.append(f"robot: {robot_missing} notices never posted, {robot_twice} posted more often than claimed")
    if resent:
        print(f"note: {resent} message(s) sent again after a worker was killed mid-send (a second claim each)")
    return len(notices), problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--approvals", type=int, default=60)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/liaison_bench_outbox")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        fail("set REDIS_URL (a Redis database of its own, e.g. redis://127.0.0.1:6379/6)")
    if args.approvals < 50:
        fail("use at least 50 approvals")

    from bench.sweep import recreate_database

    recreate_database(args.db)
    logdir = Path(os.environ.get("LIAISON_DATA_DIR", "/tmp")) / "fault_outbox"
    mails_dir = logdir / "mail"
    for folder in (logdir, mails_dir):
        folder.mkdir(parents=True, exist_ok=True)
    for old in mails_dir.glob("*"):
        old.unlink()
    robot = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=robot.serve_forever, daemon=True).start()
    port = free_port()
    os.environ.update({
        "DATABASE_URL": args.db,
        "DJANGO_SETTINGS_MODULE": "liaison.settings",
        "DJANGO_DEBUG": "1",
        "EMAIL_URL": "filemail:///" + str(mails_dir),
        "LIAISON_WEBHOOK_URL": "http://127.0.0.1:%d/robot" % robot.server_address[1],
        "LIAISON_SITE_URL": "http://127.0.0.1:%d" % port,
    })
    os.environ.setdefault("LIAISON_DATA_DIR", str(logdir / "data"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from liaison.celery import app

    call_command("migrate", verbosity=0)
    app.control.purge()
    items = setup(args.approvals)
    print(f"1. {len(items)} external items wait at the head's review")

    web_log = open(logdir / "web.log", "w")
    worker_log = open(logdir / "worker.log", "w")
    web = Process("web", [str(ROOT / ".venv/bin/gunicorn"), "liaison.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}",
                          "--timeout", "30"], env, web_log)
    worker = Process("worker", [sys.executable, "-m", "celery", "-A", "liaison", "worker", "--concurrency", "1",
                                "--pool", "prefork", "--loglevel", "INFO", "--without-heartbeat", "--without-gossip",
                                "--without-mingle"], env, worker_log)
    web.start()
    worker.start()
    stop = threading.Event()
    rng = random.Random(args.seed)
    thread = threading.Thread(target=killer, args=([web, worker], stop, rng), daemon=True)
    started = time.monotonic()
    try:
        thread.start()
        retries = approve_all(items, f"http://127.0.0.1:{port}", web)
        stop.set()
        thread.join()
        print(f"2. {len(items)} approvals over HTTP in {time.monotonic() - started:.0f} s with SIGKILL to the web "
              f"process {web.kills}× and to the worker {worker.kills}× ({retries} requests retried)")
        if web.kills == 0 or worker.kills == 0:
            fail("a process was never killed; use more --approvals")
        # Let the worker drain what was queued, then do what beat would.
        time.sleep(5)
        recover()
        time.sleep(2)
    finally:
        stop.set()
        web.stop()
        worker.stop()
    print("3. recovered what the killed processes left (retry_undelivered)")
    total, problems = check(list(Robot.received), mailbox(mails_dir))
    print(f"4. {total} notices; {len(mailbox(mails_dir))} e-mails; {len(Robot.received)} robot posts")
    if problems:
        for p in problems:
            print("   -", p)
        fail("the outbox lost or duplicated a notice (logs in %s)" % logdir)
    print("OK: every notice exactly once, delivered on every channel, never more often than claimed (logs in %s)" % logdir)


if __name__ == "__main__":
    main()
