"""A cluster of ninja-orders processes on private servers, for the fault tests.

Each test gets its own PostgreSQL and nats-server (tests/servers), because it restarts them; the
shared NINJA_TEST_* servers of `make e2e-cluster` are never touched. Each process of the cluster is a
conftest.Server on a port of its own that it keeps across a supervisor restart, as a process under
systemd with a fixed --listen would. A ReadinessSampler polls every process's /readyz in the
background, so a test can tell when each one went unready and when it came back by itself. An
OrderLoad is the clients: threads creating orders through the APIs, recording every answer.
"""
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests

from conftest import BIN, Server, media_type, order_payload, require_binary, teardown_problems

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "servers"))
from local_servers import NatsServer, PostgresServer, ServerError  # noqa: E402
from server_process import children_of  # noqa: E402

IN_CI = os.environ.get("CI") == "true"
# What a binary built without the backend answers (storage/open_storage.cpp, events/make_bus.cpp).
UNSUPPORTED_MARKERS = ("unknown store URL", "unknown bus URL", "not supported by this build")


def without_passwords(text):
    """scheme://user:secret@host → scheme://user:***@host: our reasons must not print one either."""
    return re.sub(r"(://[^:/@\s]+:)[^@\s]+@", r"\1***@", text)


def last_message(output):
    """The msg of the last JSON log line in output, else its last line."""
    lines = [line for line in output.splitlines() if line.strip()]
    if not lines:
        return "(no output)"
    try:
        return json.loads(lines[-1])["msg"]
    except (ValueError, KeyError, TypeError):
        return lines[-1]


def skip_or_fail(reason):
    """A missing backend skips locally with a one-line reason; with CI=true it is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a test may not be skipped for a missing server)")
    pytest.skip(reason)


def start_private_servers(base_dir, postgres=True, nats=True):
    """(PostgresServer or None, NatsServer or None), started for one test; the caller stops them."""
    started = []
    try:
        if postgres:
            # Not under pytest's tmp dir: every pytest that starts (another session's, say) makes
            # /tmp/pytest-of-USER 0700 again, and the postgres account could no longer reach its
            # data dir for pg_ctl restart. PostgresServer's own dir under /tmp is removed on stop.
            started.append(PostgresServer().start())
        else:
            started.append(None)
        if nats:
            started.append(NatsServer(Path(base_dir) / "nats").start())
        else:
            started.append(None)
    except ServerError as error:
        for server in started:
            if server is not None:
                server.stop()
        skip_or_fail(f"cannot start a private server: {str(error).splitlines()[0]}")
    return tuple(started)


def require_cluster_binary(store_url=None, bus_url=None):
    """Skips (fails in CI) when the binary cannot open a postgres:// store or a nats:// bus; fails when
    it can but `migrate` does not succeed, which is a defect, not a missing feature."""
    require_binary()
    args = [BIN, "migrate"]
    if store_url:
        args += ["--store", store_url]
    if bus_url:
        args += ["--bus", bus_url]
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if done.returncode == 0:
        return
    output = done.stderr + done.stdout
    if any(marker in output for marker in UNSUPPORTED_MARKERS):
        skip_or_fail(f"{BIN} has no PostgreSQL/NATS support: {without_passwords(last_message(output))}")
    pytest.fail(f"`ninja-orders migrate` on the private servers failed ({done.returncode}):\n"
                + without_passwords(output))


def signal_postgres(pg, sig):
    """sig to the postmaster and every backend: SIGSTOP makes a server that stops answering without
    closing anything (a partition, a stalled disk), SIGCONT ends that."""
    pid = pg.pid()
    for target in [pid, *children_of(pid)] if pid else []:
        try:
            os.kill(target, sig)
        except ProcessLookupError:
            pass


class ClusterProcess(Server):
    """One `serve --roles ROLE` process of the cluster, with a name for messages."""

    def __init__(self, name, work_dir, args):
        self.name = name
        self.first_pid = None
        super().__init__(work_dir, args=args, store=False)

    def _spawn(self):
        super()._spawn()
        if self.first_pid is None:
            self.first_pid = self.proc.pid

    def pin_port(self):
        """After the first start: later starts listen on the same address (a fixed --listen), and
        clients keep that address while the process is down."""
        self.pinned = f"{self.host}:{self.port}"
        self.cmd[self.cmd.index("--listen") + 1] = self.pinned

    @property
    def base_url(self):
        return f"http://{self.pinned}" if getattr(self, "pinned", None) else super().base_url

    def alive(self):
        return self.proc.poll() is None


class Cluster:
    """The processes of one test, started together (so their migrations race, as on a real deploy)."""

    def __init__(self, work_dir, common_args):
        self.work_dir = Path(work_dir)
        self.common_args = list(common_args)
        self.processes = {}

    def start(self, layout):
        """layout: {name: extra args}; waits until every process listens and is ready."""
        for name, extra in layout.items():
            self.processes[name] = ClusterProcess(name, self.work_dir / name, self.common_args + list(extra))
        for process in self.processes.values():
            process.wait_listening()
            process.pin_port()
        for process in self.processes.values():
            process.wait_ready()
        return self

    def __getitem__(self, name):
        return self.processes[name]

    def values(self):
        return list(self.processes.values())

    def kill_and_restart(self, names, pause=0.3):
        """kill -9 to each, then what a supervisor does: the same commands again after a pause;
        returns once they are ready."""
        for name in names:
            self.processes[name].kill()
        time.sleep(pause)
        for name in names:
            self.processes[name]._spawn()
        for name in names:
            self.processes[name].wait_listening()
            self.processes[name].wait_ready()

    def wait_all_ready(self, timeout):
        """Seconds until every process answers /readyz 200, or None when some did not within timeout."""
        started = time.monotonic()
        pending = set(self.processes)
        while pending and time.monotonic() - started < timeout:
            for name in sorted(pending):
                try:
                    if requests.get(self.processes[name].url("/readyz"), timeout=1).status_code == 200:
                        pending.discard(name)
                except requests.RequestException:
                    pass
            if pending:
                time.sleep(0.05)
        return None if pending else time.monotonic() - started

    def not_ready(self):
        return [name for name, p in self.processes.items() if _readyz(p) != 200]

    def stop(self):
        """SIGTERM to all, then every problem conftest's teardown knows (exit codes, 5xx, sanitizers)."""
        problems = []
        for process in self.values():   # all drain at once; teardown_problems then waits for each
            if process.alive():
                process.proc.send_signal(signal.SIGTERM)
        for process in self.values():
            problems += [f"[{process.name}] {problem}" for problem in teardown_problems(process)]
        return problems


def _readyz(process, timeout=1.0):
    try:
        return requests.get(process.url("/readyz"), timeout=timeout).status_code
    except requests.RequestException as error:
        return type(error).__name__


class OrderLoad:
    """Client threads creating orders through the given APIs over keep-alive sessions. Each order has
    its own Idempotency-Key (also its note, so duplicates show in the list) and is retried, on the
    other API, after a 503, a 409 in-flight or a connection error, until it gets its 201."""

    FINISH = 10.0  # s after stop() a client keeps retrying the order it has in hand

    def __init__(self, apis, users, threads, late, reads=False):
        self.apis, self.users, self.late, self.reads = apis, users, late, reads
        self.client_timeout = late + 2.5   # past this the service hung
        self.attempts = []                 # {"t", "api", "status" (code or error), "duration"}
        self.acknowledged = {}             # order id -> idempotency key
        self.failures = []                 # answers that break the contract, as messages
        self.connection_errors = []        # (time of the error, api name, error)
        self.abandoned = 0                 # orders without a 201 when the clients stopped
        self.started = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(threads)]

    def __enter__(self):
        self.started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(self.FINISH + self.client_timeout + 5)

    def wait_acknowledged(self, count, timeout):
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.acknowledged) >= count, f"only {len(self.acknowledged)} orders in {timeout}s"

    def status_counts(self):
        with self._lock:
            return dict(Counter(str(a["status"]) for a in self.attempts))

    def _client(self, index):
        try:
            self._orders(index)
        except Exception as error:  # noqa: BLE001 (a dead client thread must not go unnoticed)
            with self._lock:
                self.failures.append(f"client {index} died: {error!r}")

    def _orders(self, index):
        sessions = {api.name: requests.Session() for api in self.apis}
        turn = index
        while not self._stop.is_set():
            turn += 1
            order_id = self._create(sessions, turn, self.users[turn % len(self.users)])
            if self.reads and order_id:
                api = self.apis[turn % len(self.apis)]
                self._attempt(sessions[api.name], api, "GET", f"/v1/orders/{order_id}", ok=(200,))

    def _create(self, sessions, turn, user):
        key = str(uuid.uuid4())
        body = order_payload(user["id"], note=key)
        give_up = None
        while True:
            if self._stop.is_set():
                give_up = give_up or time.monotonic() + self.FINISH
                if time.monotonic() > give_up:
                    with self._lock:
                        self.abandoned += 1
                    return None
            api = self.apis[turn % len(self.apis)]
            resp = self._attempt(sessions[api.name], api, "POST", "/v1/orders", ok=(201,), json=body,
                                 headers={"Idempotency-Key": key})
            if resp is not None and resp.status_code == 201:
                with self._lock:
                    self.acknowledged[resp.json()["id"]] = key
                return resp.json()["id"]
            if resp is not None and resp.status_code not in (409, 503):
                return None   # a failure already recorded: this order is not retried
            turn += 1         # the other API next, as a client-side balancer would
            time.sleep(0.05)

    def _attempt(self, session, api, method, path, ok, **kw):
        """One request; returns the response (None after a connection error or a hang)."""
        start = time.monotonic()
        try:
            resp = session.request(method, api.url(path), timeout=self.client_timeout, **kw)
        except requests.Timeout as error:
            self._record(start, api, type(error).__name__,
                         f"{method} {path} on {api.name}: no answer within {self.client_timeout}s")
            return None
        except requests.ConnectionError as error:
            self._record(start, api, "connection-error")
            with self._lock:
                self.connection_errors.append((time.monotonic(), api.name, repr(error)[:300]))
            return None
        duration = time.monotonic() - start
        failure = None
        if resp.status_code == 503:
            if media_type(resp) != "application/problem+json" or "Retry-After" not in resp.headers:
                failure = f"503 without problem+json and Retry-After: {resp.headers} {resp.text[:200]}"
        elif resp.status_code == 409 and method == "POST":
            if "idempotency-in-flight" not in resp.text:
                failure = f"409 that is not idempotency-in-flight: {resp.text[:300]}"
        elif resp.status_code not in ok:
            failure = f"{resp.status_code}: {resp.text[:300]}"
        if failure is None and duration > self.late:
            failure = f"{resp.status_code} after {duration:.2f}s, past --request-timeout"
        if failure:
            failure = f"{method} {path} on {api.name} at +{start - self.started:.1f}s: {failure}"
        self._record(start, api, resp.status_code, failure, duration)
        return resp

    def _record(self, start, api, status, failure=None, duration=None):
        with self._lock:
            self.attempts.append({"t": start, "api": api.name, "status": status,
                                  "duration": time.monotonic() - start if duration is None else duration})
            if failure:
                self.failures.append(failure)


class ReadinessSampler:
    """Polls /readyz of every process every `interval` s on a thread of its own. samples: a list of
    (monotonic time, process name, pid, status code or exception name)."""

    def __init__(self, cluster, interval=0.1):
        self.cluster = cluster
        self.interval = interval
        self.samples = []
        self.exits = []   # (time, name, pid, code): a process found dead that nobody killed on purpose
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._lock = threading.Lock()
        self._expected_down = set()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)

    @contextlib.contextmanager
    def expecting_down(self, names):
        """Around a planned kill: those processes being gone is not an unexpected exit."""
        with self._lock:
            self._expected_down.update(names)
        try:
            yield
        finally:
            with self._lock:
                self._expected_down.difference_update(names)

    def _run(self):
        sessions = {name: requests.Session() for name in self.cluster.processes}
        while not self._stop.is_set():
            for name, process in self.cluster.processes.items():
                pid = process.proc.pid
                if process.proc.poll() is not None:
                    with self._lock:
                        if name not in self._expected_down and not any(e[2] == pid for e in self.exits):
                            self.exits.append((time.monotonic(), name, pid, process.proc.returncode))
                    continue
                try:
                    status = sessions[name].get(process.url("/readyz"), timeout=1.0).status_code
                except requests.RequestException as error:
                    status = type(error).__name__
                with self._lock:
                    self.samples.append((time.monotonic(), name, pid, status))
            self._stop.wait(self.interval)

    def between(self, name, start, end):
        with self._lock:
            return [s for s in self.samples if s[1] == name and start <= s[0] <= end]
