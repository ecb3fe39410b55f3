"""Fault test of the deadline sweep with a real Celery worker on Redis (issue 5).

    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/fault_worker_kill.py [--steps 3000]

Uses its own PostgreSQL database (``--db``, dropped and re-created) and the
Redis in REDIS_URL (use a database number of its own: queued messages are
purged). Exits non-zero when a check fails.

1. ``--steps`` overdue review steps; a worker runs the sweep task. When the
   first batch has committed, the pool process running it is killed with
   SIGKILL: acks_late + reject_on_worker_lost put the message back and the
   worker runs the sweep again. Every due notice exists exactly once.
2. The same again, killing the whole worker (main process and pool) with
   SIGKILL, then starting a new one and queueing the sweep as beat would on
   its next tick: every due notice exactly once.
3. Redis unreachable (a dead port): submitting and approving an item through
   the services still works, the failed enqueue is logged, and a sweep run
   then writes its notices; with Redis back the undelivered notices are
   queued again and delivered, and a new sweep sends nothing twice.
"""
import sys as _sys
from pathlib import Path as _Path

# Run as a script, bench/ comes first on sys.path, where a module may shadow
# the standard library's (bench/http.py shadows ``http``): drop it.
_sys.path[:] = [p for p in _sys.path if _Path(p or ".").resolve() != _Path(__file__).resolve().parent]

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CST = dt.timezone(dt.timedelta(hours=8))


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def start_worker(env, log):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "liaison", "worker", "--concurrency", "1", "--pool", "prefork",
         "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def wait_for(predicate, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    fail("timed out waiting for " + what)


def check_once(expected):
    from django.db.models import Count

    from liaison.models import Notification

    total = Notification.objects.count()
    dupes = Notification.objects.values("recipient", "key").annotate(n=Count("id")).filter(n__gt=1).count()
    print(f"   notices: {total} (expected {expected}), duplicated keys: {dupes}")
    if total != expected or dupes:
        fail("not every due notice exactly once")


def make_overdue(steps):
    from django.db import connection

    from bench.sweep import build

    build(steps)
    overdue = dt.datetime.now(CST) - dt.timedelta(minutes=30)
    with connection.cursor() as cur:
        cur.execute("UPDATE infoflow_reviewstep SET due_at = %s, notice_at = NULL", [overdue])


def reset_steps():
    from django.db import connection

    from liaison.models import Notification

    Notification.objects.all().delete()
    with connection.cursor() as cur:
        cur.execute("UPDATE infoflow_reviewstep SET notice_at = NULL")


def kill_run(env, steps, whole_worker, logdir):
    from liaison.tasks import run_sweeps as send_reminders
    from liaison.models import Notification

    log = open(logdir / ("worker-%s.log" % ("whole" if whole_worker else "pool")), "w")
    worker = start_worker(env, log)
    try:
        send_reminders.apply_async()
        wait_for(lambda: Notification.objects.count() > 0, 120, "the first committed batch")
        written = Notification.objects.count()
        if written >= steps:
            fail("the sweep finished before the kill; use more --steps")
        if whole_worker:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            print(f"   SIGKILL to the whole worker after {written} notices")
            worker = start_worker(env, log)
            send_reminders.apply_async()  # beat's next tick
        else:
            pool = wait_for(lambda: children(worker.pid), 10, "the pool process")
            os.kill(pool[0], signal.SIGKILL)
            print(f"   SIGKILL to the pool process {pool[0]} after {written} notices; the message goes back")
        wait_for(lambda: Notification.objects.count() >= steps, 600, "all notices")
        time.sleep(2)  # let a duplicate show up, if one were coming
        check_once(steps)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)


REDIS_DOWN_SNIPPET = r"""
import datetime as dt, logging, os, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
logging.basicConfig(level=logging.WARNING)
from django.contrib.auth import get_user_model
from officers.models import Officer, OrgUnit
from infoflow.services.drafting import create_item
from infoflow.services.chain import submit_item, approve_step, open_step
from infoflow.services.deadlines import sweep
from liaison.models import Notification

U = get_user_model()
head = U.objects.create(username="down_head", email="head@example.com")
leader = U.objects.create(username="down_leader", email="leader@example.com")
officer = U.objects.create(username="down_officer", email="officer@example.com")
unit = OrgUnit.objects.create(code="down", name="断网部", number_prefix="DW", head=head, supervising_leader=leader)
other = OrgUnit.objects.create(code="down2", name="接收部", number_prefix="DX", head=U.objects.create(username="down_head2"))
Officer.objects.create(user=officer, unit=unit)
now = dt.datetime.now(dt.timezone.utc)
item = create_item(actor=officer, unit=unit, receivers=[{"kind": "unit", "unit": other}],
                   fields={"subject": "断网测试", "summary": "Redis 不可用时审批", "needs_coordination": True,
                           "expected_feedback_at": now + dt.timedelta(days=20)})
item = submit_item(item=item, actor=officer)
approve_step(step=open_step(item), actor=head)
print("approved:", open_step(item).name if open_step(item) else "review done")
waiting = create_item(actor=officer, unit=unit, receivers=[{"kind": "unit", "unit": other}],
                      fields={"subject": "断网测试二", "summary": "待审核", "needs_coordination": True,
                              "expected_feedback_at": now + dt.timedelta(days=20)})
submit_item(item=waiting, actor=officer)  # left open: overdue by the sweep below
from infoflow.models import ReviewStep
ReviewStep.objects.filter(item=waiting, state="open").update(due_at=now - dt.timedelta(hours=1), notice_at=None)
print("sweep while Redis is down wrote", len(sweep()), "notices")
print("rows:", Notification.objects.filter(recipient__username__startswith="down_").count())
"""


def redis_down(env, logdir):
    from liaison.models import Notification
    from liaison.notifications import enqueue_delivery, undelivered

    before = set(Notification.objects.values_list("pk", flat=True))
    down = dict(env, REDIS_URL="redis://127.0.0.1:1/0")
    run = subprocess.run([sys.executable, "-c", REDIS_DOWN_SNIPPET], cwd=ROOT, env=down, capture_output=True,
                         text=True, timeout=300)
    (logdir / "redis-down.log").write_text(run.stdout + run.stderr)
    print("   " + "\n   ".join(line for line in run.stdout.splitlines()))
    if run.returncode != 0:
        fail("a service call failed with Redis down (see %s)" % (logdir / "redis-down.log"))
    # One failed queueing per committed transaction that wrote notices (the outbox).
    failures = run.stderr.count("could not queue")
    print(f"   enqueue failures logged: {failures}")
    new = set(Notification.objects.values_list("pk", flat=True)) - before
    if not new or not failures:
        fail("expected the notices written while Redis was down, and the failed queueing logged")

    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=3)
    missed = [pk for pk in undelivered(later) if pk in new]
    print(f"   Redis back: {len(missed)} of {len(new)} notices still undelivered, queueing them again")
    log = open(logdir / "worker-redis-back.log", "w")
    worker = start_worker(env, log)
    try:
        if not all(enqueue_delivery(pk) for pk in missed):
            fail("enqueue still failing with Redis up")
        wait_for(lambda: not [pk for pk in undelivered(dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=3))
                              if pk in new], 120, "delivery of the missed notices")
        print("   all missed notices delivered")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/liaison_bench_fault")
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL"):
        fail("set REDIS_URL (a Redis database of its own, e.g. redis://127.0.0.1:6379/5)")

    from bench.sweep import recreate_database

    recreate_database(args.db)
    logdir = Path(os.environ.get("LIAISON_DATA_DIR", "/tmp")) / "fault_worker_kill"
    logdir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    os.environ.setdefault("LIAISON_DATA_DIR", str(logdir / "data"))
    os.environ.setdefault("DJANGO_DEBUG", "1")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from liaison.celery import app

    call_command("migrate", verbosity=0)
    app.control.purge()
    make_overdue(args.steps)
    print(f"1. {args.steps} overdue steps; killing the pool process mid-sweep")
    kill_run(env, args.steps, whole_worker=False, logdir=logdir)
    reset_steps()
    app.control.purge()
    print("2. the same, killing the whole worker and starting a new one")
    kill_run(env, args.steps, whole_worker=True, logdir=logdir)
    from liaison.models import Notification
    from infoflow.models import ReviewStep

    # Out of the way: undelivered() answers 1,000 rows at a time, oldest first.
    Notification.objects.all().delete()
    ReviewStep.objects.update(state="approved")
    app.control.purge()  # the deliveries queued for the rows just removed
    print("3. Redis unreachable")
    redis_down(env, logdir)
    print("OK (logs in %s)" % logdir)


if __name__ == "__main__":
    main()
