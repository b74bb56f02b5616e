"""deploy/local-cluster as a subprocess for the tests (test_local_cluster.py): its output collected, its
state read from the cluster.json it writes, and the processes it started found in /proc, so a test can
check that nothing outlives a Ctrl-C and a failed test can kill whatever is left."""
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from cluster_processes import skip_or_fail
from conftest import BIN, require_binary

ROOT = Path(__file__).resolve().parents[2]
LOCAL_CLUSTER = ROOT / "deploy" / "local-cluster"
READY_RE = re.compile(r"^ninja-orders cluster ready in [\d.]+ s: (http://\S+)$")
LAST_BANNER_LINE = "Ctrl-C stops the cluster."
DIR_RE = re.compile(r"^dir (\S+) ")
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
EXIT_MISSING = 3


def start_time(pid):
    """A process's start time in clock ticks (field 22 of /proc/PID/stat), or None when it is gone or a
    zombie: (pid, start time) names one process even if the pid is reused later."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return None if fields[0] in ("Z", "X") else int(fields[19])


def process_tree(roots):
    """{pid: start time} of roots and all their descendants now."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents.setdefault(int(raw[raw.rindex(")") + 2:].split()[1]), []).append(int(entry))
    found, todo = {}, list(roots)
    while todo:
        pid = todo.pop()
        started = start_time(pid)
        if started is not None and pid not in found:
            found[pid] = started
            todo += parents.get(pid, [])
    return found


class LocalCluster:
    """deploy/local-cluster as a subprocess: its output is collected, its state read from cluster.json."""

    def __init__(self, *args):
        require_binary()
        self.argv = [str(LOCAL_CLUSTER), "--bin", BIN, "--port", "0", *args]
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.out, self.err = [], []
        self._threads = [threading.Thread(target=self._pump, args=(s, sink), daemon=True)
                         for s, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for thread in self._threads:
            thread.start()
        self.url = self.dir = self.state = None

    @staticmethod
    def _pump(stream, sink):
        for line in iter(stream.readline, ""):
            sink.append(line.rstrip("\n"))

    def output(self):
        return "\n".join(["--- stdout:", *self.out, "--- stderr:", *self.err])

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while LAST_BANNER_LINE not in self.out:   # the banner's lines come in order: all are there
            if self.proc.poll() is not None:
                for thread in self._threads:
                    thread.join(5)
                if self.proc.returncode == EXIT_MISSING:
                    skip_or_fail(" ".join(self.err))
                pytest.fail(f"local-cluster exited with {self.proc.returncode} before ready\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"local-cluster not ready within {START_TIMEOUT:g} s\n{self.output()}")
            time.sleep(0.05)
        self.url = next(m.group(1) for m in map(READY_RE.match, self.out) if m)
        self.dir = Path(next(m.group(1) for m in map(DIR_RE.match, self.out) if m))
        self.state = json.loads((self.dir / "cluster.json").read_text())
        assert self.state["url"] == self.url

    def processes(self, prefix):
        return [p for p in self.state["processes"] if p["name"].startswith(prefix)]

    def tree(self):
        """Every process the cluster runs now: the script's descendants (nginx workers, the servers'
        watchdogs included) and the postmaster's (pg_ctl detaches it from the script)."""
        return process_tree([self.proc.pid, *(p["pid"] for p in self.processes("postgres"))])

    def interrupt(self):
        """Ctrl-C: returns (exit code, seconds it took to exit)."""
        began = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"local-cluster still running {STOP_TIMEOUT:g} s after SIGINT\n{self.output()}")
        finally:
            for thread in self._threads:
                thread.join(5)
        return self.proc.returncode, time.monotonic() - began

    def kill_everything(self):
        """Teardown after a failed test: nothing may outlive it, whatever went wrong."""
        tree = self.tree() if self.state else process_tree([self.proc.pid])
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        for pid, started in tree.items():
            if start_time(pid) == started:
                os.kill(pid, signal.SIGKILL)
