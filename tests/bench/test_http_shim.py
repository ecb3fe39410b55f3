"""bench/http.py is named like the standard library's http package (issue 12
names it); a script run from bench/ has bench/ first on its path, so every
"import http" there must still get the standard library's package."""
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_a_script_in_bench_imports_the_standard_http_package(tmp_path):
    code = ("import sys; sys.path.insert(0, %r); import http.client, http.cookies, http; "
            "print(http.client.HTTPConnection.__module__, http.__file__)" % str(BENCH))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    module, path = result.stdout.split()
    assert module == "http.client"
    assert not path.startswith(str(BENCH))


def test_bench_http_runs_as_a_script():
    result = subprocess.run([sys.executable, str(BENCH / "http.py"), "--help"], capture_output=True, text=True,
                            timeout=60)

    assert result.returncode == 0, result.stderr
    assert "--items" in result.stdout and "--connections" in result.stdout
