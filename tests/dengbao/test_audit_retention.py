"""Audit retention (issue 18 item 7): at least six months; less is refused at
start-up (the environment variable) and by a system check (a value in code)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dengbao.checks import audit_retention
from liaison.settings import _audit_keep_months

ROOT = Path(__file__).resolve().parents[2]


def test_default_passes(settings):
    assert settings.AUDIT_KEEP_MONTHS == 6
    assert audit_retention() == []


@pytest.mark.parametrize("months", [5, 0, -1, "6"])
def test_check_refuses_less_than_six_months(settings, months):
    settings.AUDIT_KEEP_MONTHS = months

    errors = audit_retention()

    assert [e.id for e in errors] == ["dengbao.E001"]
    assert "at least 6 months" in errors[0].msg


def test_parser_refuses_short_and_accepts_long():
    assert _audit_keep_months("24") == 24
    with pytest.raises(ValueError, match="at least 6 months"):
        _audit_keep_months("3")


def test_start_up_refuses_a_short_retention():
    env = {**os.environ, "LIAISON_AUDIT_KEEP_MONTHS": "3", "DATABASE_URL": "sqlite:////tmp/never-created.sqlite3"}

    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)

    assert result.returncode != 0
    assert "LIAISON_AUDIT_KEEP_MONTHS='3' is not valid" in result.stderr
    assert "at least 6 months" in result.stderr
