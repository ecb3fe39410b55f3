"""scripts/run-all.sh, which `make run` ends with: web, worker and beat live
and die together. The three programs are stand-ins that record their pid and
sleep, so the test exercises the script's process handling in a second."""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "run-all.sh"


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it has exited all the same.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def fake_venv(tmp_path):
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    stand_in = '#!/bin/sh\necho $$ >> "{pids}"\n{body}\n'
    pids = tmp_path / "pids"
    (bin_dir / "celery").write_text(stand_in.format(pids=pids, body="exec sleep 60"))
    (bin_dir / "python").write_text(stand_in.format(pids=pids, body="exec sleep 60"))
    for program in bin_dir.iterdir():
        program.chmod(0o755)
    return tmp_path


def _start(venv_root):
    return subprocess.Popen(
        ["bash", str(SCRIPT)],
        env={**os.environ, "VENV": str(venv_root / "venv"), "HOST": "127.0.0.1", "PORT": "8999"},
        cwd=venv_root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _children(venv_root, count=3):
    pids_file = venv_root / "pids"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if pids_file.exists() and len(pids_file.read_text().split()) >= count:
            return [int(pid) for pid in pids_file.read_text().split()]
        time.sleep(0.05)
    raise AssertionError("the three programs did not start")


def _gone(pids, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


def test_ctrl_c_stops_web_worker_and_beat(fake_venv):
    script = _start(fake_venv)
    children = _children(fake_venv)

    os.killpg(script.pid, signal.SIGINT)  # what the terminal does on Ctrl-C

    script.wait(timeout=10)
    assert _gone(children)
    assert b"stopping web, worker and beat" in script.stdout.read()


def test_terminating_the_script_alone_stops_all_three(fake_venv):
    script = _start(fake_venv)
    children = _children(fake_venv)

    script.send_signal(signal.SIGTERM)  # a service manager stopping only the script

    script.wait(timeout=10)
    assert _gone(children)


def test_one_program_dying_stops_the_others_and_fails(fake_venv):
    web = fake_venv / "venv" / "bin" / "python"
    web.write_text('#!/bin/sh\necho $$ >> "%s"\nsleep 0.3\nexit 3\n' % (fake_venv / "pids"))
    script = _start(fake_venv)
    children = _children(fake_venv)

    status = script.wait(timeout=10)

    assert _gone(children)
    assert status == 3
