#!/usr/bin/env python3
"""CI gate on known-vulnerable pins (issue 18 item 6; GB/T 22239-2019 8.1.4.5
恶意代码防范/漏洞管理): run pip-audit on requirements.txt and

* exit 1 when a pinned package has a known vulnerability with a fixed version
  (upgrade the pin);
* exit 0 with a WARNING line when a vulnerability has no fix yet, or when the
  vulnerability service (PyPI JSON API / api.osv.dev) cannot be reached — CI
  on a machine without that access must not fail for it, but must say so;
* exit 0 when nothing is found.

The command run is ``python -m pip_audit`` unless PIP_AUDIT_CMD is set (the
tests set it to a stand-in that prints a given JSON report or error).
Usage: scripts/pip_audit_ci.py [requirements.txt]
"""
import json
import os
import shlex
import subprocess
import sys

UNREACHABLE = ("ConnectionError", "ConnectTimeout", "ReadTimeout", "ServiceError", "Max retries exceeded",
               "Name or service not known", "Temporary failure in name resolution", "404", "HTTPError",
               "Network is unreachable", "Connection refused")


def audit(requirements: str = "requirements.txt") -> int:
    """Run pip-audit on ``requirements`` and return the CI exit code (0 or 1), printing the verdict."""
    command = shlex.split(os.environ.get("PIP_AUDIT_CMD", "")) or [sys.executable, "-m", "pip_audit"]
    command += ["-r", requirements, "--format", "json", "--progress-spinner", "off"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        print("pip-audit: WARNING: pip-audit is not installed; vulnerabilities NOT checked", file=sys.stderr)
        return 0
    except subprocess.TimeoutExpired:
        print("pip-audit: WARNING: the vulnerability service did not answer in time; NOT checked", file=sys.stderr)
        return 0
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = None
    if report is None:
        text = result.stderr + result.stdout
        if any(marker in text for marker in UNREACHABLE):
            last = text.strip().splitlines()[-1:] or [""]
            print(f"pip-audit: WARNING: vulnerability service unreachable, pins NOT checked ({last[0][:200]})",
                  file=sys.stderr)
            return 0
        print(f"pip-audit: failed (exit {result.returncode}):\n{text}", file=sys.stderr)
        return 1
    fixable, unfixed = [], []
    for dep in report.get("dependencies", []):
        for vuln in dep.get("vulns", []):
            line = f"{dep.get('name')}=={dep.get('version')} {vuln.get('id')}"
            if vuln.get("fix_versions"):
                fixable.append(f"{line} (fixed in {', '.join(vuln['fix_versions'])})")
            else:
                unfixed.append(line + " (no fix yet)")
    for line in unfixed:
        print(f"pip-audit: WARNING: {line}", file=sys.stderr)
    for line in fixable:
        print(f"pip-audit: VULNERABLE: {line}", file=sys.stderr)
    if fixable:
        return 1
    print(f"pip-audit: {len(report.get('dependencies', []))} pins checked, no vulnerability with a fix")
    return 0


if __name__ == "__main__":
    sys.exit(audit(*sys.argv[1:2]))
