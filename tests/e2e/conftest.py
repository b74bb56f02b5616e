"""Fixtures and helpers for the black-box end-to-end tests of the ninja-orders binary.

Every server is started as `ninja-orders serve --listen 127.0.0.1:0 --store <the test's store>` (SQLite
file in the test's temp dir by default; see backends.py for PostgreSQL and NATS),
its stderr (one JSON object per line, see docs/CONVENTIONS.md) is collected by a background thread, and on
teardown it must exit 0 after SIGTERM without any sanitizer report and without having answered 5xx
(503 aside, which is the documented "not ready / draining" answer).

Every response a test gets from such a server through `requests` is checked against the server's own
/openapi.json (contract_hook.py): a response the document does not describe fails the test that asked for
it. NINJA_E2E_CONTRACT=0 turns that off (to debug something else).
"""
import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from backends import STORE, BUS, bus_args, sqlite_only, store_url  # noqa: F401
from contract_hook import ContractHook
from checks import (ORDER_KEYS, TIME_RE, USER_KEYS, UUID7_RE, assert_json, assert_problem,  # noqa: F401
                    describe, error_fields, list_all, media_type, parse_time, uuid7_millis)

BIN = os.environ.get("NINJA_ORDERS_BIN",
                     str(Path(__file__).resolve().parents[2] / "build" / "ninja-orders"))
READY_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "ThreadSanitizer", "runtime error:")
LISTEN_RE = re.compile(r"listening on http://(\S+?):(\d+)")
# One per pytest run, like the requests module it hooks into (installed by pytest_configure).
CONTRACT = ContractHook()


def cli(*args, db, timeout=30):
    """Runs an admin command of the binary on the store of the test database `db`."""
    return subprocess.run([BIN, *args, "--store", store_url(db)], capture_output=True, text=True, timeout=timeout)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that takes seconds (runs by default)")
    config.addinivalue_line("markers", "crash: kills the server with SIGKILL (runs by default)")
    if os.environ.get("NINJA_E2E_CONTRACT", "1") != "0":
        CONTRACT.install()


def pytest_unconfigure(config):
    CONTRACT.uninstall()


def pytest_terminal_summary(terminalreporter):
    if CONTRACT.judged:
        terminalreporter.write_line(f"contract: {CONTRACT.judged} responses checked against the served /openapi.json")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        item.call_failed = outcome.get_result().failed


@pytest.fixture(autouse=True)
def _contract_violations_fail_the_test(request):
    """A response that broke the document fails its test, even from a worker thread or when the test
    caught the ContractViolation (if the test failed on it already, it is not reported twice)."""
    CONTRACT.take_violations()
    yield
    found = CONTRACT.take_violations()
    unseen = [message for message, raised in found if not (raised and getattr(request.node, "call_failed", False))]
    if unseen:
        pytest.fail("\n\n".join(unseen), pytrace=False)


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


class Server:
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

    def url(self, path):
        return self.base_url + path

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 10)
        return self.session.request(method, self.url(path), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


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


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(db=None, args=(), env=None, store=True, wait_ready=True, **flags).

    flags become `--flag-name value`; db defaults to <tmp_path>/orders.db so repeated calls in one test
    reuse the same database file (restarts)."""
    started = []

    def _start(db=None, args=(), env=None, store=True, wait_ready=True, **flags):
        srv = launch(db or tmp_path / "orders.db", list(args) + flag_args(flags), env, store, wait_ready)
        started.append(srv)
        return srv

    yield _start
    problems = []
    for srv in started:
        problems += teardown_problems(srv)
    assert not problems, "\n\n".join(problems)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server shared by all tests of a module (fresh database per module)."""
    srv = launch(tmp_path_factory.mktemp("shared") / "orders.db")
    yield srv
    problems = teardown_problems(srv)
    assert not problems, "\n\n".join(problems)


@pytest.fixture(autouse=True)
def _revive_shared_server(request):
    """If the module's shared server dies during a test, that test errors with the evidence and the
    server is restarted on the same database so the rest of the module still tests something."""
    if "server" not in request.fixturenames:
        yield
        return
    srv = request.getfixturevalue("server")
    if srv.proc.poll() is not None:  # died in a fixture or earlier teardown
        srv.revive(f"died before {request.node.nodeid}")
    yield
    if srv.proc.poll() is not None and not srv.killed:
        srv.revive(f"died during {request.node.nodeid}")
        pytest.fail(f"shared server died during this test (restarted for the next ones):\n{srv.deaths[-1]}")


@pytest.fixture
def fresh_server(start_server):
    """A server with an empty database for this test only."""
    return start_server()


# ---- API helpers -------------------------------------------------------------------------------
def unique_email(prefix="user"):
    return f"{prefix}-{uuid.uuid4().hex[:16]}@example.com"


def user_payload(**overrides):
    body = {"name": "Test User", "email": unique_email()}
    body.update(overrides)
    return body


def create_user(srv, **overrides):
    resp = srv.post("/v1/users", json=user_payload(**overrides))
    assert resp.status_code == 201, describe(resp)
    return resp.json()


def order_payload(user_id, items=None, **overrides):
    body = {"user_id": user_id,
            "items": items if items is not None else [{"sku": "SKU-1", "quantity": 2, "unit_price": 1250}]}
    body.update(overrides)
    return body


def create_order(srv, user_id, items=None, **overrides):
    resp = srv.post("/v1/orders", json=order_payload(user_id, items, **overrides))
    assert resp.status_code == 201, describe(resp)
    return resp.json()
