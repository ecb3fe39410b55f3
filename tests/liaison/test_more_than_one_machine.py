"""More than one machine (README): with Redis, beat is celery-redbeat, whose
Redis lock lets one of several beats send; the schedule's last runs live in
Redis, so a beat taking over does not send again what the first one sent.
Without Redis (``make run``) beat keeps the file scheduler. Uploads can go to
an S3-compatible store, switched by LIAISON_MEDIA_STORAGE.

The lock tests need a Redis server (LIAISON_TEST_REDIS_URL, by default
redis://127.0.0.1:6379/8); each uses keys of its own prefix."""
import datetime as dt
import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
import time_machine
from celery import Celery
from django.conf import settings
from redbeat.schedulers import RedBeatScheduler, acquire_distributed_beat_lock, get_redis

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("LIAISON_TEST_REDIS_URL", "redis://127.0.0.1:6379/8")
START = dt.datetime(2026, 3, 2, 2, 0, 30, tzinfo=dt.timezone.utc)  # no crontab entry falls in the next minutes
EVERY_MINUTE = sorted(name for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["schedule"] == 60.0)


def redis_up():
    try:
        return redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(
    not redis_up() and not os.environ.get("LIAISON_REQUIRE_SERVICES"), reason=f"needs Redis at {REDIS}"
)


def run_settings(tmp_path, code, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "LIAISON_", "REDIS_"))}
    environment.update({"LIAISON_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "liaison.settings", **env})
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], cwd=BASE_DIR,
                          env=environment, capture_output=True, text=True, timeout=120)


@pytest.fixture
def beat_app():
    """A Celery app configured as liaison/settings.py configures beat with
    Redis, under a key prefix of its own (removed afterwards)."""
    prefix = f"test-beat-{uuid.uuid4().hex}:"
    app = Celery("beat-lock-test", set_as_current=False)
    app.conf.update(
        beat_schedule=settings.CELERY_BEAT_SCHEDULE, beat_max_loop_interval=15, timezone="UTC",
        redbeat_redis_url=REDIS, redbeat_key_prefix=prefix, redbeat_lock_key=prefix + "lock",
        redbeat_lock_timeout=75, redbeat_redis_options={"retry_period": 0},
    )
    # Beat hands a task registered in its app to task.apply_async, bypassing
    # send_task; shared tasks join every app once their module is imported
    # (by earlier tests). An empty registry makes every send go through the
    # recorded send_task, whatever ran before.
    app.tasks.clear()
    yield app
    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(prefix + "*"))
    if keys:
        client.delete(*keys)


def beat(app, sent):
    """A beat's scheduler whose sends are recorded instead of published."""
    scheduler = RedBeatScheduler(app=app)
    scheduler.send_task = lambda name, *args, **kwargs: sent.append((scheduler, name))
    return scheduler


def every_minute(sent):
    """{scheduler: how often it sent each every-minute task}; fails when two
    of those tasks were not sent equally often by it."""
    tasks = {settings.CELERY_BEAT_SCHEDULE[name]["task"] for name in EVERY_MINUTE}
    counts = {}
    for scheduler in {s for s, _name in sent}:
        per_task = Counter(name for s, name in sent if s is scheduler and name in tasks)
        assert set(per_task) == tasks and len(set(per_task.values())) == 1, per_task
        counts[scheduler] = next(iter(per_task.values()))
    return counts


def start(scheduler):
    """What `celery beat` does at start: take the lock (redbeat's handler of beat_init)."""
    acquire_distributed_beat_lock(sender=SimpleNamespace(scheduler=scheduler))


@needs_redis
def test_of_two_beats_one_holds_the_lock_and_the_other_takes_over_without_sending_again(beat_app):
    sent = []
    with time_machine.travel(START, tick=False) as clock:
        first, second = beat(beat_app, sent), beat(beat_app, sent)
        start(first)

        assert first.lock.owned()
        # The second beat asks for the same lock and does not get it while the first runs.
        assert second.lock_key == first.lock_key
        assert not get_redis(beat_app).lock(second.lock_key, timeout=75).acquire(blocking=False)

        clock.shift(61)
        first.tick()
        first.tick()  # the same moment again: nothing is due twice
        assert every_minute(sent) == {first: 1}

        first.close()  # stopped: the lock is released at once
        start(second)
        assert second.lock.owned()
        second.tick()  # same minute: the first one's runs are in Redis, nothing is sent again
        assert every_minute(sent) == {first: 1}

        clock.shift(60)
        second.tick()
        assert every_minute(sent) == {first: 1, second: 1}
        second.close()


@needs_redis
def test_a_beat_that_lost_its_lock_stops_sending(beat_app):
    sent = []
    with time_machine.travel(START, tick=False) as clock:
        first, second = beat(beat_app, sent), beat(beat_app, sent)
        start(first)
        # The first beat's lock expired (it hung past the timeout) and the second took it.
        get_redis(beat_app).delete(first.lock_key)
        start(second)
        clock.shift(61)

        with pytest.raises(redis.exceptions.LockError):
            first.tick()
        second.tick()

        assert every_minute(sent) == {second: 1}
        second.close()


def test_with_redis_beat_is_redbeat_with_a_lock_that_outlasts_its_loop(tmp_path):
    result = run_settings(tmp_path, (
        "from liaison.celery import app\n"
        "from redbeat.schedulers import ensure_conf\n"
        "c = ensure_conf(app)\n"
        "print(app.conf.beat_scheduler, app.conf.beat_max_loop_interval, c.redis_url, c.lock_key, c.lock_timeout)"
    ), REDIS_URL="redis://127.0.0.1:6379/3")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["redbeat.RedBeatScheduler", "15", "redis://127.0.0.1:6379/3",
                                     "liaison:beat:lock", "75"]
    assert "RedBeat will stop falling back" not in result.stderr


def test_without_redis_make_run_keeps_one_beat_with_the_file_scheduler(tmp_path):
    result = run_settings(tmp_path, "from liaison.celery import app\nprint(app.conf.beat_scheduler)")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "celery.beat:PersistentScheduler"


def test_beat_every_seconds_shortens_only_the_every_minute_entries(tmp_path):
    result = run_settings(tmp_path, (
        "from django.conf import settings as s\n"
        "print({n: (e['schedule'] if isinstance(e['schedule'], float) else 'crontab', e.get('options'))"
        " for n, e in sorted(s.CELERY_BEAT_SCHEDULE.items())})"
    ), LIAISON_BEAT_EVERY_SECONDS="3")

    assert result.returncode == 0, result.stderr
    schedule = eval(result.stdout)  # noqa: S307 -- our own subprocess's repr
    assert schedule["heartbeat"] == (3.0, None)
    assert schedule["deadline-sweep"] == (3.0, {"expires": 2})
    assert schedule["archive-due"][0] == "crontab"


@pytest.mark.parametrize("env, message", [
    ({"LIAISON_MEDIA_STORAGE": "ftp"}, "LIAISON_MEDIA_STORAGE='ftp' is not valid"),
    ({"LIAISON_MEDIA_STORAGE": "s3"}, "LIAISON_MEDIA_STORAGE=s3 needs"),
])
def test_a_bad_media_storage_stops_startup_naming_the_variable(tmp_path, env, message):
    result = run_settings(tmp_path, "", **env)

    assert result.returncode != 0
    assert message in result.stderr


def test_s3_media_storage_is_built_from_the_environment(tmp_path):
    # boto3 is not a requirement: a stand-in package lets the settings pass
    # their "is boto3 installed" check; django-storages itself is not loaded.
    (tmp_path / "stub" / "boto3").mkdir(parents=True)
    (tmp_path / "stub" / "boto3" / "__init__.py").write_text("")
    result = run_settings(tmp_path, (
        "from django.conf import settings\n"
        "d = settings.STORAGES['default']\n"
        "print(d['BACKEND'], sorted((k, v) for k, v in d['OPTIONS'].items() if v is not None))"
    ), PYTHONPATH=str(tmp_path / "stub"), LIAISON_MEDIA_STORAGE="s3", LIAISON_S3_BUCKET="liaison-files",
        LIAISON_S3_ENDPOINT_URL="https://s3.example.com", LIAISON_S3_ACCESS_KEY="key", LIAISON_S3_SECRET_KEY="secret")

    assert result.returncode == 0, result.stderr
    backend, options = result.stdout.split(" ", 1)
    assert backend == "storages.backends.s3.S3Storage"
    assert eval(options) == [  # noqa: S307 -- our own subprocess's repr
        ("access_key", "key"), ("bucket_name", "liaison-files"), ("default_acl", "private"),
        ("endpoint_url", "https://s3.example.com"), ("file_overwrite", False), ("location", "media"),
        ("secret_key", "secret"),
    ]


def test_s3_media_storage_needs_a_bucket(tmp_path):
    (tmp_path / "stub" / "boto3").mkdir(parents=True)
    (tmp_path / "stub" / "boto3" / "__init__.py").write_text("")
    result = run_settings(tmp_path, "", PYTHONPATH=str(tmp_path / "stub"), LIAISON_MEDIA_STORAGE="s3")

    assert result.returncode != 0
    assert "LIAISON_MEDIA_STORAGE=s3 needs LIAISON_S3_BUCKET" in result.stderr
