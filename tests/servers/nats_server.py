"""A real nats-server with JetStream for tests, on free loopback ports, its file store in a temp dir.

    with NatsServer(tmp_path) as nats:
        connect_to(nats.url)          # nats://127.0.0.1:PORT
        nats.monitor("/jsz")          # JetStream state from the monitoring port, as a dict

restart() stops and starts it on the same ports with the same store dir, so streams and their messages
survive it, as they survive a restart of a production bus. nats-server runs as whoever we are (root
included): unlike PostgreSQL it does not mind.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from server_process import LOOPBACK, ServerError, Watchdog, free_port, is_alive, log_tail

PORT_ATTEMPTS = 5
STOP_TIMEOUT = 10.0


def find_binary():
    """nats-server from $NINJA_NATS_SERVER, the PATH, or where Debian's package puts it (/usr/sbin,
    which a non-root PATH may lack)."""
    for candidate in (os.environ.get("NINJA_NATS_SERVER"), shutil.which("nats-server"),
                      "/usr/sbin/nats-server", "/usr/bin/nats-server"):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise ServerError("nats-server not found: install the Debian package nats-server (make deps) "
                      "or set NINJA_NATS_SERVER")


def read_info(host, port, timeout=2.0):
    """The server's INFO line as a dict: the proof that it accepts NATS clients on that port."""
    with socket.create_connection((host, port), timeout=timeout) as conn:
        line = conn.makefile("rb").readline()
    if not line.startswith(b"INFO "):
        raise ServerError(f"{host}:{port} answered {line[:80]!r}, not a NATS INFO line")
    return json.loads(line[5:])


class NatsServer:
    """One nats-server -js. start() waits until clients get INFO and /healthz says ok; stop() ends it
    (SIGTERM, then SIGKILL) and removes its dir unless keep=True; kill() is SIGKILL, the fault."""

    def __init__(self, base_dir=None, *, keep=False, start_timeout=20.0, binary=None, extra_args=()):
        self.base_dir = Path(base_dir) if base_dir else Path(tempfile.gettempdir())
        self.keep = keep
        self.start_timeout = start_timeout
        self.binary = Path(binary) if binary else find_binary()
        self.extra_args = list(extra_args)
        self.host = LOOPBACK
        self.port = None
        self.monitor_port = None
        self.dir = None
        self.version = None
        self._process = None
        self._watchdog = None
        self._ports_pinned = False   # after the first start, restarts must keep the ports

    @property
    def url(self):
        return f"nats://{self.host}:{self.port}"

    @property
    def monitor_url(self):
        return f"http://{self.host}:{self.monitor_port}"

    @property
    def store_dir(self):
        return self.dir / "jetstream"

    @property
    def log_path(self):
        return self.dir / "nats.log"

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self):
        if self.is_running():
            return self
        if self.dir is None:
            self.base_dir.mkdir(parents=True, exist_ok=True)
            self.dir = Path(tempfile.mkdtemp(prefix="nats-", dir=self.base_dir))
            self._watchdog = Watchdog(self.dir / "nats.pid", "nats-server", signal.SIGTERM,
                                      remove=[] if self.keep else [self.dir])
            atexit.register(self.stop)
        for _ in range(PORT_ATTEMPTS):
            if not self._ports_pinned:
                self.port = free_port()
                self.monitor_port = free_port(avoid={self.port})
            self._launch()
            failure = self._wait_ready()
            if failure is None:
                break
            self._end_process(signal.SIGKILL)
            if self._ports_pinned or "address already in use" not in failure:
                raise self._error(failure)
        else:
            raise self._error(f"no free ports after {PORT_ATTEMPTS} attempts")
        self._ports_pinned = True
        return self

    def stop(self):
        """Graceful stop (SIGTERM, SIGKILL after STOP_TIMEOUT s), then removes the dir unless keep."""
        if self.dir is None:
            return
        self._end_process(signal.SIGTERM)
        atexit.unregister(self.stop)
        if self._watchdog:
            self._watchdog.release()
            self._watchdog = None
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
        self._ports_pinned = False

    def restart(self, kill=False):
        """Stops the server (SIGKILL if kill, else SIGTERM) and starts it on the same ports and store."""
        self._end_process(signal.SIGKILL if kill else signal.SIGTERM)
        return self.start()

    def kill(self):
        """SIGKILL: no goodbye to clients, no flush. The dir stays: start() brings the same store back."""
        self._end_process(signal.SIGKILL)

    def pid(self):
        return self._process.pid if self.is_running() else None

    def is_running(self):
        return self._process is not None and self._process.poll() is None and is_alive(self._process.pid)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    def monitor(self, path="/varz"):
        """GET on the monitoring port (e.g. "/jsz?streams=true"), parsed from JSON."""
        # No proxy: an http_proxy of the developer's must not see (or break) loopback requests.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.monitor_url + path, timeout=5) as response:
            return json.loads(response.read())

    # --- internals -------------------------------------------------------------------------------
    def _launch(self):
        argv = [str(self.binary), "-js", "-sd", str(self.store_dir), "-a", self.host, "-p", str(self.port),
                "-m", str(self.monitor_port), "-P", str(self.dir / "nats.pid"),
                # A stable name: the JetStream store belongs to the same server before and after restart().
                "-n", f"ninja-test-{self.port}", *self.extra_args]
        with open(self.log_path, "ab") as log:
            # Its own session: a Ctrl-C at the terminal reaches the command under test, not the bus,
            # which is stopped after that command, in order.
            self._process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             cwd=self.dir, start_new_session=True)

    def _wait_ready(self):
        """None once clients get INFO and /healthz answers ok, else what went wrong."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return f"nats-server exited with {self._process.returncode}: {log_tail(self.log_path, 5)}"
            try:
                # A short timeout: if someone else holds the port, nats-server is about to exit.
                self.version = read_info(self.host, self.port, timeout=0.5)["version"]
                if self.monitor("/healthz").get("status") == "ok":
                    return None
            except (OSError, ValueError, ServerError):
                pass
            time.sleep(0.02)
        return f"not ready on {self.url} within {self.start_timeout}s"

    def _end_process(self, sig):
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(sig)
            try:
                self._process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        # A SIGKILLed server leaves its pid file: remove it, so nothing mistakes it for a live one.
        (self.dir / "nats.pid").unlink(missing_ok=True)
        self._process = None

    def _error(self, what):
        return ServerError(f"nats-server in {self.dir} (port {self.port}): {what}\n"
                           f"--- last lines of {self.log_path}:\n{log_tail(self.log_path)}")
