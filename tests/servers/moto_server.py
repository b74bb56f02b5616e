"""A real moto_server (the AWS API emulator: DynamoDB, SNS, SQS, ...) for tests, on a free loopback
port, its log in a temp dir.

    with MotoServer(tmp_path) as moto:
        client(endpoint=moto.url)     # http://127.0.0.1:PORT, any region, any credentials
        moto.reset()                  # forget every table, topic and queue

moto keeps its state in memory: a restart starts empty. It accepts any signature; the signature is
tested elsewhere (tests/unit/aws/sigv4_signature_test.cpp). It is a Python program from pip, not a
Debian package: found on the PATH (the build image has it) or through $NINJA_MOTO_SERVER, and run
by its own interpreter through moto_serialised.py, which serves DynamoDB requests one at a time
(moto's DynamoDB is not safe under concurrent requests; that file says how it fails).

start() is launch() then wait_ready(): moto needs about two seconds to import itself, so with-servers
launches it first and waits for it after the other servers are up.
"""
import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from moto_python import moto_python
from server_process import LOOPBACK, ServerError, Watchdog, free_port, log_tail

SERIALISED = Path(__file__).resolve().parent / "moto_serialised.py"
PORT_ATTEMPTS = 5
STOP_TIMEOUT = 10.0
# No proxy: an http_proxy of the developer's must not see (or break) loopback requests.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def find_binary():
    for candidate in (os.environ.get("NINJA_MOTO_SERVER"), shutil.which("moto_server")):
        if candidate and os.access(candidate, os.X_OK):
            return Path(candidate)
    raise ServerError("moto_server not found: pip install 'moto[server]' (the build image has it) "
                      "or set NINJA_MOTO_SERVER")


class MotoServer:
    """One moto_server on 127.0.0.1. stop() ends it (SIGTERM, then SIGKILL) and removes its dir unless
    keep=True."""

    def __init__(self, base_dir=None, *, keep=False, start_timeout=30.0, binary=None, python=None):
        self.base_dir = Path(base_dir) if base_dir else Path(tempfile.gettempdir())
        self.keep = keep
        self.start_timeout = start_timeout
        self.binary = Path(binary) if binary else find_binary()
        if python is None:
            python, why = moto_python(str(self.binary))
            if python is None:
                raise ServerError(why)
        self.python = str(python)
        self.host = LOOPBACK
        self.port = None
        self.dir = None
        self._process = None
        self._watchdog = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def log_path(self):
        return self.dir / "moto.log"

    @property
    def pid_path(self):
        return self.dir / "moto.pid"

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self):
        if self.is_running():
            return self
        for _ in range(PORT_ATTEMPTS):
            self.launch()
            failure = self._wait()
            if failure is None:
                return self
            self._end_process(signal.SIGKILL)
            if "address already in use" not in failure.lower():
                raise self._error(failure)
        raise self._error(f"no free port after {PORT_ATTEMPTS} attempts")

    def launch(self):
        """Starts the process on a fresh free port and returns at once."""
        if self.dir is None:
            self.base_dir.mkdir(parents=True, exist_ok=True)
            self.dir = Path(tempfile.mkdtemp(prefix="moto-", dir=self.base_dir))
            # The process's command name is its interpreter's (Linux keeps 15 characters of it).
            self._watchdog = Watchdog(self.pid_path, Path(self.python).name[:15], signal.SIGTERM,
                                      remove=[] if self.keep else [self.dir])
            atexit.register(self.stop)
        self.port = free_port()
        with open(self.log_path, "ab") as log:
            # Its own session: a Ctrl-C at the terminal reaches the command under test, not moto.
            self._process = subprocess.Popen([self.python, str(SERIALISED), "-H", self.host, "-p", str(self.port)],
                                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.dir,
                                             start_new_session=True)
        self.pid_path.write_text(f"{self._process.pid}\n")   # for the watchdog: moto writes none
        return self

    def wait_ready(self):
        """After launch(): returns once moto answers, else raises ServerError (retrying another port
        when someone took this one meanwhile)."""
        failure = self._wait()
        if failure is None:
            return self
        self._end_process(signal.SIGKILL)
        if "address already in use" in failure.lower():
            return self.start()
        raise self._error(failure)

    def stop(self):
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

    def pid(self):
        return self._process.pid if self.is_running() else None

    def is_running(self):
        return self._process is not None and self._process.poll() is None

    def reset(self):
        """Forgets everything moto holds (its own /moto-api/reset)."""
        request = urllib.request.Request(self.url + "/moto-api/reset", data=b"", method="POST")
        with OPENER.open(request, timeout=10):
            pass

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    # --- internals -------------------------------------------------------------------------------
    def _wait(self):
        """None once moto answers HTTP on its port, else what went wrong."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return f"moto_server exited with {self._process.returncode}: {log_tail(self.log_path, 5)}"
            try:
                with OPENER.open(self.url + "/moto-api/", timeout=1) as response:
                    if response.status == 200:
                        return None
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.05)
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
        if self.dir is not None:
            self.pid_path.unlink(missing_ok=True)
        self._process = None

    def _error(self, what):
        return ServerError(f"moto_server in {self.dir} (port {self.port}): {what}\n"
                           f"--- last lines of {self.log_path}:\n{log_tail(self.log_path)}")
