"""One `ninja-orders serve` process of the e2e suite: started on a free loopback port with the test's
store, its stderr (one JSON object per line) and stdout collected by background threads, stopped with
SIGTERM; and what is wrong with one at the end of its life (teardown_problems)."""
import json
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

from backends import bus_args, store_url
from contract_hook import ContractHook
from service_http import ServiceHttp

BIN = os.environ.get("NINJA_ORDERS_BIN",
                     str(Path(__file__).resolve().parents[2] / "build" / "ninja-orders"))
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "ThreadSanitizer", "runtime error:")
LISTEN_RE = re.compile(r"listening on http://(\S+?):(\d+)")
# One per pytest run, like the requests module it hooks into (installed by pytest_configure).
CONTRACT = ContractHook()



def require_binary():
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        pytest.fail(f"ninja-orders binary not found or not executable: {BIN} "
                    "(build it with `make build` or set NINJA_ORDERS_BIN)")


def flag_args(flags):
    """{"max_body": 100, "insecure": True} -> ["--max-body", "100", "--insecure"]"""
    args = []
    for key, value in flags.items():
        name = "--" + key.replace("_", "-")
        if value is True:
            args.append(name)
        elif value is not None and value is not False:
            args += [name, str(value)]
    return args


class Server(ServiceHttp):
    """One running `ninja-orders serve` process."""

    def __init__(self, db_path, args=(), env=None, store=True):
        require_binary()
        self.db_path = Path(db_path)
        self.cmd = [BIN, "serve", "--listen", "127.0.0.1:0"]
        if store:
            self.cmd += ["--store", store_url(self.db_path)]
        if "--bus" not in args:
            self.cmd += bus_args(self.db_path)
        self.cmd += list(args)
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.lines = []          # stderr, one entry per line (kept across restarts)
        self.stdout_lines = []   # stdout (notification log by default)
        self.deaths = []         # unexpected exits of earlier processes (see revive)
        self._cond = threading.Condition()
        self._spawn()

    def _spawn(self):
        self.killed = False
        self.host = None
        self.port = None
        with self._cond:
            self._listen_from = len(self.lines)
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env)
        self._pumps = [threading.Thread(target=self._pump, args=(self.proc.stderr, self.lines), daemon=True),
                       threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines), daemon=True)]
        for t in self._pumps:
            t.start()
        self.session = requests.Session()

    def revive(self, reason):
        """Records that the process died unexpectedly and starts a new one on the same database."""
        self._join_pumps()
        self.deaths.append(f"{reason}: exit code {self.proc.returncode}\n{self.stderr_tail(30)}")
        self._spawn()
        self.wait_listening()
        self.wait_ready()

    # ---- process -------------------------------------------------------------------------------
    def _pump(self, stream, sink):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self._cond:
                sink.append(line)
                self._cond.notify_all()
        stream.close()

    def stderr_lines(self):
        """Every non-empty line the process wrote to stderr so far."""
        with self._cond:
            return [ln for ln in self.lines if ln.strip()]

    def stderr_tail(self, n=40):
        with self._cond:
            return "\n".join(self.lines[-n:])

    def wait_listening(self, timeout=READY_TIMEOUT):
        self._await_listen_line(timeout)
        CONTRACT.register(self.base_url)

    def _await_listen_line(self, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[self._listen_from:]:
                    m = LISTEN_RE.search(line)
                    if m:
                        self.host, self.port = m.group(1).strip("[]"), int(m.group(2))
                        assert self.port != 0, f"logged port 0: {line}"
                        return
                if self.proc.poll() is not None:
                    pytest.fail(f"server exited with {self.proc.returncode} before listening:\n"
                                f"{' '.join(self.cmd)}\n" + "\n".join(self.lines[-40:]))
                if time.monotonic() > deadline:
                    pytest.fail("no 'listening on http://HOST:PORT' line on stderr within "
                                f"{timeout}s:\n" + "\n".join(self.lines[-40:]))
                self._cond.wait(0.1)

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode} before ready:\n{self.stderr_tail()}")
            try:
                last = requests.get(self.url("/readyz"), timeout=2)
                if last.status_code == 200:
                    return
            except requests.RequestException as exc:
                last = exc
            time.sleep(0.05)
        pytest.fail(f"/readyz not 200 within {timeout}s (last: {last!r}):\n{self.stderr_tail()}")

    def terminate(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Send sig and wait; returns the exit code (None if it had to be SIGKILLed)."""
        self.session.close()
        if self.host is not None:
            CONTRACT.unregister(self.base_url)
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.killed = True
                self._join_pumps()
                return None
        self._join_pumps()
        return self.proc.returncode

    def stop(self):
        """Graceful stop that must succeed: SIGTERM, exit 0 within STOP_TIMEOUT."""
        rc = self.terminate()
        assert rc == 0, f"server exit code {rc} after SIGTERM (None = hung > {STOP_TIMEOUT}s):\n{self.stderr_tail()}"

    def kill(self):
        if self.host is not None:
            CONTRACT.unregister(self.base_url)
        self.proc.kill()
        self.proc.wait()
        self.killed = True
        self.session.close()
        self._join_pumps()

    def _join_pumps(self):
        for t in self._pumps:
            t.join(5)

    # ---- logs ----------------------------------------------------------------------------------
    def log_records(self):
        out = []
        with self._cond:
            lines = list(self.lines)
        for line in lines:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict):
                out.append(rec)
        return out

    def access_records(self):
        return [r for r in self.log_records() if r.get("msg") == "access"]

    def wait_for_records(self, predicate, count=1, timeout=3.0):
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.log_records() if predicate(r)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def sanitizer_reports(self):
        with self._cond:
            return [ln for ln in self.lines + self.stdout_lines if any(m in ln for m in SANITIZER_MARKERS)]

    def server_errors(self):
        """Access-log lines with a 5xx other than 503 (503 is documented for not-ready/draining)."""
        bad = []
        for rec in self.access_records():
            try:
                status = int(rec.get("status"))
            except (TypeError, ValueError):
                continue
            if status >= 500 and status != 503:
                bad.append(rec)
        return bad

    # ---- http ----------------------------------------------------------------------------------
    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}"



def teardown_problems(srv):
    """Everything that is wrong with a server at the end of its life, as a list of strings."""
    problems = list(srv.deaths)
    if srv.proc.poll() is None:
        rc = srv.terminate()
        if rc != 0:
            problems.append(f"exit code {rc} after SIGTERM (None = did not exit within {STOP_TIMEOUT}s)")
    elif not srv.killed and srv.proc.returncode != 0:
        problems.append(f"exited with code {srv.proc.returncode}")
    srv._join_pumps()
    reports = srv.sanitizer_reports()
    if reports:
        problems.append("sanitizer reports:\n" + "\n".join(reports[:50]))
    errors = srv.server_errors()
    if errors:
        problems.append("5xx answers in the access log:\n" + "\n".join(json.dumps(e) for e in errors[:20]))
    if problems:
        problems.append("stderr tail:\n" + srv.stderr_tail(60))
    return problems


def launch(db_path, args=(), env=None, store=True, wait_ready=True):
    srv = Server(db_path, args, env=env, store=store)
    try:
        srv.wait_listening()
        if wait_ready:
            srv.wait_ready()
    except BaseException:
        if srv.proc.poll() is None:
            srv.kill()
        raise
    return srv
