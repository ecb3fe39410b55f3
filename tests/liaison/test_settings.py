"""Settings from the environment (liaison/settings.py): production passes the
deploy check, and a bad value stops startup naming the variable. Each case
runs Django in a fresh process, since settings are read once at import."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def run(args, tmp_path, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "LIAISON_")) and key not in {"TIME_ZONE", "LANGUAGE_CODE"}
    }
    environment.update({"LIAISON_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "liaison.settings", **env})
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )


def production_env():
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_hex(32),  # 64 characters
        "DJANGO_ALLOWED_HOSTS": "liaison.example.com",
    }


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_without_https(tmp_path):
    # The check above can fail: plain HTTP drops secure cookies and HSTS.
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **production_env(), DJANGO_HTTPS="0"
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # HSTS
    assert "security.W012" in result.stderr + result.stdout  # session cookie not secure


@pytest.mark.parametrize(
    "name, value",
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_URL", "nonsense"),
        ("TIME_ZONE", "Mars/Base"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("LANGUAGE_CODE", "fr"),
        ("LIAISON_LOGIN_FAILURE_LIMIT", "five"),
    ],
)
def test_a_bad_value_stops_startup_naming_the_variable(tmp_path, name, value):
    result = run(["-c", "import django; django.setup()"], tmp_path, **{name: value})

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert f"Environment variable {name}={value!r} is not valid" in last_line


def test_a_short_secret_key_stops_startup(tmp_path):
    result = run(["-c", "import django; django.setup()"], tmp_path, DJANGO_SECRET_KEY="too-short")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is too short" in result.stderr


def test_good_values_start(tmp_path):
    result = run(
        ["-c", "import django; django.setup(); from django.conf import settings; print(settings.TIME_ZONE, settings.DEBUG)"],
        tmp_path,
        TIME_ZONE="Asia/Urumqi",
        DJANGO_DEBUG="yes",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Asia/Urumqi True"
