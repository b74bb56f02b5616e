"""The third-party checkers of tests/conformance/ (npm packages pinned by its package-lock.json, installed
by `make deps` with `npm ci`) and Debian's promtool, for the e2e tests that drive them.

A missing tool skips the test locally with the command that installs it; with CI=true it fails the test:
CI must run every check."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT / "tests" / "conformance"
NODE_MODULES = CONFORMANCE / "node_modules"


def _missing(what, install):
    message = f"{what}: not installed ({install})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}: CI runs every conformance check", pytrace=False)
    pytest.skip(message)


def require_promtool():
    path = shutil.which("promtool")
    if path is None:
        _missing("promtool", "Debian package prometheus: make deps")
    return path


def require_node_modules(*packages):
    node = shutil.which("node")
    if node is None:
        _missing("node", "Debian package nodejs: make deps")
    absent = [p for p in packages if not (NODE_MODULES / p / "package.json").is_file()]
    if absent:
        _missing(f"npm package(s) {', '.join(absent)} in {NODE_MODULES}",
                 "npm ci --prefix tests/conformance, or make deps")
    return node


def node_bin(name):
    return str(NODE_MODULES / ".bin" / name)


def run_node_script(script, *args, stdin=None, timeout=120, env=None):
    """Runs tests/conformance/<script> with node; returns the CompletedProcess (text)."""
    node = require_node_modules()
    return subprocess.run([node, str(CONFORMANCE / script), *map(str, args)], input=stdin, capture_output=True,
                          text=True, timeout=timeout, cwd=CONFORMANCE, env={**os.environ, **(env or {})})


def node_json(script, *args, stdin=None, timeout=120, env=None):
    """Runs a script that prints one JSON object on stdout and exits 0; returns that object."""
    result = run_node_script(script, *args, stdin=stdin, timeout=timeout, env=env)
    assert result.returncode == 0, f"node {script} exited {result.returncode}:\n{result.stderr[-4000:]}\n{result.stdout[-2000:]}"
    return json.loads(result.stdout)
