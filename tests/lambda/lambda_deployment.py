"""What a test of the packaged functions runs against: the Lambda zip built once, AWS resources on moto
under a prefix of the test module's own, and the packaged `bootstrap` spawned in the Runtime API emulator
with the environment a function gets from the stack (NINJA_ORDERS_* as `serve` reads them).

    from lambda_deployment import lambda_package, moto, running_function  # noqa: F401 (fixtures)

    @pytest.fixture(scope="module")
    def stack(moto):
        return AwsStack(moto).migrate(bus=True)          # tables (and topic + queues), fresh prefix

    def test_x(lambda_package, stack, tmp_path):
        with running_function(lambda_package, "api", stack.store, workdir=tmp_path) as emu:
            result = emu.invoke(event)

In Lambda mode the binary creates no tables (CloudFormation owns them), hence migrate first. moto comes
from tests/servers/with-servers (NINJA_TEST_MOTO_URL); without it the fixtures skip locally and fail
under CI=true. The binary is NINJA_ORDERS_BIN (default build/ninja-orders); NINJA_LAMBDA_PACKAGE names
an unpacked package to use instead of building one.
"""
import http.client
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from apigw_events import HttpReply, HttpRequest
from runtime_api import RuntimeEmulator

REPO = Path(__file__).resolve().parents[2]
PACKAGER = REPO / "deploy" / "aws" / "package" / "package_lambda.py"
BIN = Path(os.environ.get("NINJA_ORDERS_BIN", REPO / "build" / "ninja-orders"))
IN_CI = os.environ.get("CI") == "true"
LISTEN_RE = re.compile(r"listening on http://(\S+?):(\d+)")
REGION = "us-east-1"
# moto takes any credentials; the binary's credential chain reads these variables, as on Lambda.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": REGION}


def skip_or_fail(reason):
    """A missing prerequisite skips locally with its reason; with CI=true it is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: not skipped)")
    pytest.skip(reason)


# --- the package -------------------------------------------------------------------------------------------

@dataclass
class Package:
    """An unpacked Lambda zip: what Lambda puts in /var/task."""
    root: Path

    @property
    def bootstrap(self):
        return self.root / "bootstrap"

    @property
    def binary(self):
        return self.root / "bin" / "ninja-orders"


def build_package(directory, binary=BIN):
    """The package of `binary`, unpacked under `directory` (as `make lambda` builds it), or the one that
    NINJA_LAMBDA_PACKAGE names. Skips (fails under CI) when there is no binary."""
    prebuilt = os.environ.get("NINJA_LAMBDA_PACKAGE")
    if prebuilt:
        package = Package(Path(prebuilt))
        if not package.bootstrap.is_file():
            pytest.fail(f"NINJA_LAMBDA_PACKAGE={prebuilt} has no bootstrap")
        return package
    if not Path(binary).is_file():
        skip_or_fail(f"no binary at {binary} (make binary, or set NINJA_ORDERS_BIN)")
    directory = Path(directory)
    done = subprocess.run([sys.executable, str(PACKAGER), "--binary", str(binary), "--out",
                           str(directory / "ninja-orders.zip"), "--unpacked", str(directory / "unpacked")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"packaging failed:\n{done.stdout}\n{done.stderr}"
    return Package(directory / "unpacked")


@pytest.fixture(scope="session")
def lambda_package(tmp_path_factory):
    """The package, built once per pytest run (about 3 s)."""
    return build_package(tmp_path_factory.mktemp("lambda-package"))


# --- AWS resources on moto ---------------------------------------------------------------------------------

@dataclass
class Moto:
    url: str        # http://127.0.0.1:PORT
    python: str     # the interpreter that has boto3, for tests that read AWS's own view


def moto_from_environment():
    url = os.environ.get("NINJA_TEST_MOTO_URL")
    if not url:
        skip_or_fail("no moto_server (NINJA_TEST_MOTO_URL unset: run under tests/servers/with-servers)")
    return Moto(url, os.environ.get("NINJA_TEST_MOTO_PYTHON", ""))


@pytest.fixture(scope="session")
def moto():
    return moto_from_environment()


def dynamodb_store(endpoint, prefix):
    return f"dynamodb://{REGION}?endpoint={endpoint}&prefix={prefix}"


def sns_bus(endpoint, prefix):
    return f"sns://{REGION}?endpoint={endpoint}&prefix={prefix}"


class AwsStack:
    """One name prefix's worth of tables (and topic and queues) on moto: what one deployed stack owns.
    Each instance takes a fresh random prefix, so tests and modules never see each other's items."""

    def __init__(self, moto, name="lambda", binary=BIN):
        self.moto, self.binary = moto, Path(binary)
        self.prefix = f"{name}{uuid.uuid4().hex[:10]}-"
        self.store = dynamodb_store(moto.url, self.prefix)
        self.bus = sns_bus(moto.url, self.prefix)
        self.env = dict(CREDENTIALS)

    def cli(self, *args, timeout=60):
        """Runs `ninja-orders ARGS` with the stack's credentials; asserts it succeeded; returns stdout."""
        done = subprocess.run([str(self.binary), *args], capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **self.env})
        assert done.returncode == 0, f"ninja-orders {' '.join(args)}: exit {done.returncode}\n{done.stderr}"
        return done.stdout

    def migrate(self, bus=False):
        """Creates the tables (and, with bus=True, the topic and the notifier's queues), as the CDK app
        would. Returns self."""
        if not self.binary.is_file():
            skip_or_fail(f"no binary at {self.binary} (make binary, or set NINJA_ORDERS_BIN)")
        self.cli("migrate", "--store", self.store, *(["--bus", self.bus] if bus else []))
        return self


# --- the function in the emulator --------------------------------------------------------------------------

def function_environment(store, bus=None, extra_env=None):
    """The variables a function gets from the stack: credentials, region and NINJA_ORDERS_* config."""
    env = dict(CREDENTIALS)
    env["NINJA_ORDERS_STORE"] = store
    if bus:
        env["NINJA_ORDERS_BUS"] = bus
    env.update(extra_env or {})
    return env


def spawn_function(emulator, package, handler, store, bus=None, extra_env=None, **spawn_options):
    """Starts the packaged bootstrap for `handler` in `emulator`, as Lambda starts it (no arguments,
    _HANDLER set, an empty cwd); returns the RuntimeProcess."""
    return emulator.spawn([str(package.bootstrap)], function_environment(store, bus, extra_env), handler=handler,
                          task_root=package.root, **spawn_options)


@contextmanager
def running_function(package, handler, store, bus=None, extra_env=None, workdir=None, emulator_options=None,
                     **spawn_options):
    """An emulator with the function spawned in it, closed (runtime killed) at the end."""
    with RuntimeEmulator(workdir=workdir, **(emulator_options or {})) as emulator:
        spawn_function(emulator, package, handler, store, bus, extra_env, **spawn_options)
        yield emulator


# --- the same service behind `serve`, for comparisons ----------------------------------------------------------

class ServeProcess:
    """`ninja-orders serve --listen 127.0.0.1:0` on a store: the HTTP server a function is compared with.
    Its stderr goes to a file; the address comes from its "listening on http://…" line."""

    def __init__(self, store, workdir, args=("--roles", "api"), extra_env=None, binary=BIN, ready_timeout=20.0):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.stderr_path = self.dir / "serve.stderr"
        self.cmd = [str(binary), "serve", "--listen", "127.0.0.1:0", "--store", store, *args]
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.cmd, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=err, env={**os.environ, **function_environment(store, None, extra_env)})
        try:
            self.host, self.port = self._wait_listening(ready_timeout)
            self._wait_ready(ready_timeout)
        except BaseException:
            self.stop()
            raise

    def logs(self, lines=40):
        text = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return f"--- {' '.join(self.cmd)} (exit {self.proc.poll()})\n" + "\n".join(text.splitlines()[-lines:])

    def _wait_listening(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = LISTEN_RE.search(self.stderr_path.read_text(errors="replace"))
            if found:
                return found.group(1).strip("[]"), int(found.group(2))
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited before listening\n{self.logs()}")
            time.sleep(0.02)
        pytest.fail(f"serve logged no 'listening on' line within {timeout}s\n{self.logs()}")

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.send(HttpRequest("GET", "/readyz", [("Host", "localhost")])).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        pytest.fail(f"serve not ready within {timeout}s\n{self.logs()}")

    def send(self, request, timeout=10.0):
        """Sends exactly `request` (its headers as given, plus Content-Length for a body) on a new
        connection; returns the HttpReply with the headers as the server sent them."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.putrequest(request.method, request.target, skip_host=True, skip_accept_encoding=True)
            for name, value in request.headers:
                connection.putheader(name, value)
            sized = any(name.lower() == "content-length" for name, _ in request.headers)
            if not sized and (request.body or request.method in ("POST", "PUT", "PATCH")):
                connection.putheader("Content-Length", str(len(request.body)))
            connection.endheaders(request.body or None)
            response = connection.getresponse()
            return HttpReply(response.status, response.getheaders(), response.read())
        finally:
            connection.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
