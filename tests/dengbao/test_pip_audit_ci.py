"""The CI wrapper around pip-audit (scripts/pip_audit_ci.py): fails on a
vulnerable pin with a fix, warns and passes when the service is unreachable
or no fix exists. pip-audit is replaced by a stand-in script."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pip_audit_ci.py"


def _run(tmp_path, *, stdout="", stderr="", code=0):
    fake = tmp_path / "fake_pip_audit.py"
    fake.write_text(f"import sys\nsys.stdout.write({stdout!r})\nsys.stderr.write({stderr!r})\nsys.exit({code})\n")
    env = {"PIP_AUDIT_CMD": f"{sys.executable} {fake}", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, str(SCRIPT), "requirements.txt"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def _report(*vulns):
    return json.dumps({"dependencies": [{"name": "django", "version": "5.2.0", "vulns": list(vulns)},
                                        {"name": "openpyxl", "version": "3.1.5", "vulns": []}], "fixes": []})


def test_clean_pins_pass(tmp_path):
    result = _run(tmp_path, stdout=_report())
    assert result.returncode == 0
    assert "2 pins checked" in result.stdout


def test_vulnerable_pin_with_a_fix_fails(tmp_path):
    result = _run(tmp_path, stdout=_report({"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}), code=1)
    assert result.returncode == 1
    assert "VULNERABLE: django==5.2.0 PYSEC-2025-1 (fixed in 5.2.1)" in result.stderr


def test_vulnerability_without_a_fix_warns(tmp_path):
    result = _run(tmp_path, stdout=_report({"id": "GHSA-x", "fix_versions": []}), code=1)
    assert result.returncode == 0
    assert "WARNING: django==5.2.0 GHSA-x (no fix yet)" in result.stderr


@pytest.mark.parametrize("error", [
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev'): Max retries exceeded",
    "pip_audit._service.interface.ServiceError: 404 Client Error: Not Found for url: https://pypi.org/pypi/django/5.2.0/json",
])
def test_unreachable_service_warns_and_passes(tmp_path, error):
    result = _run(tmp_path, stderr="Traceback (most recent call last):\n" + error + "\n", code=1)
    assert result.returncode == 0
    assert "WARNING: vulnerability service unreachable, pins NOT checked" in result.stderr


def test_other_failure_fails(tmp_path):
    result = _run(tmp_path, stderr="error: requirements.txt: invalid requirement\n", code=1)
    assert result.returncode == 1
