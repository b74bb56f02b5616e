"""Tools of the Lambda package tests (test_package.py): building the package, asking its loader what it
resolves, tracing which files a run opens, running it in an empty root, and a real service run (HTTP,
SQLite, a signed webhook through libcurl) that exercises far more of the libraries than --version."""
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGER = REPO / "deploy" / "aws" / "package" / "package_lambda.py"
IN_CI = os.environ.get("CI") == "true"
LISTEN_RE = re.compile(r"listening on http://(\S+?):(\d+)")
# A shared object by its file name: libz.so.1, ld-linux-x86-64.so.2, libfoo.so (not ld.so.cache).
SHARED_OBJECT_RE = re.compile(r"\.so(\.\d+)*$")
# One line of the loader's --list output: "libz.so.1 => /var/task/lib/libz.so.1 (0x7f…)".
LISTED_RE = re.compile(r"^\s*(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?\s*$")
# strace -f lines: "123  openat(AT_FDCWD, "/path", O_RDONLY) = 3", "123  execve("/p", ["a", "b"], …) = 0".
TRACED_RE = re.compile(r'^(\d+)\s+(openat|open|execve)\((?:AT_FDCWD, |\d+, )?"((?:[^"\\]|\\.)*)"(.*)$')
STRING_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def skip_or_fail(reason):
    """A missing prerequisite skips locally with its reason; with CI=true it is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: not skipped)")
    pytest.skip(reason)


def build_package(binary, directory, *extra):
    """Runs the packager as `make lambda` does; returns (finished process, zip path, unpacked dir)."""
    directory = Path(directory)
    out, unpacked = directory / "ninja-orders.zip", directory / "unpacked"
    done = subprocess.run([sys.executable, str(PACKAGER), "--binary", str(binary), "--out", str(out),
                           "--unpacked", str(unpacked), *extra], capture_output=True, text=True, timeout=300)
    return done, out, unpacked


def packaged_loader(unpacked):
    loaders = sorted(Path(unpacked, "lib").glob("ld-linux*.so*"))
    assert len(loaders) == 1, f"expected one loader in lib/, found {loaders}"
    return loaders[0]


def listed_libraries(output):
    """[(name, resolved path or "not found")] from the loader's --list output."""
    return [match.groups() for match in map(LISTED_RE.match, output.splitlines()) if match]


def is_inside(path, root):
    return os.path.isabs(path) and os.path.normpath(path).startswith(str(root).rstrip("/") + "/")


def empty_root_prefix(root):
    """The command prefix that runs a command with `root` as its / , or skips (fails under CI)."""
    # Absolute paths: the tests run these with an empty environment, so without PATH.
    chroot, unshare = shutil.which("chroot"), shutil.which("unshare")
    if os.geteuid() == 0:
        return [chroot, str(root)]
    if chroot is None or unshare is None:
        skip_or_fail("the empty-root tests need root, or chroot and unshare (coreutils, util-linux)")
    # Without root, a user namespace grants chroot to an unprivileged user, where the kernel allows it.
    probe = subprocess.run([unshare, "--map-root-user", chroot, "/", "true"], capture_output=True, text=True)
    if probe.returncode == 0:
        return [unshare, "--map-root-user", chroot, str(root)]
    skip_or_fail(f"the empty-root tests need root or user namespaces (unshare: {probe.stderr.strip()})")


def strace_prefix(log):
    """strace of every process and thread: executions and file opens, with whole strings and argv."""
    strace = shutil.which("strace")
    if strace is None:
        skip_or_fail("strace is not installed (Debian package strace, make deps)")
    return [strace, "-f", "-qq", "-v", "-s", "4096", "-o", str(log),
            "-e", "trace=execve,openat,?open", "-e", "signal=none"]


class Trace:
    """What one strace log says: execve calls with their argv and results, and opened paths."""

    def __init__(self, log):
        self.events = []  # (pid, syscall, path, rest of the line)
        for line in Path(log).read_text(errors="replace").splitlines():
            match = TRACED_RE.match(line)
            if match:
                pid, syscall, path, rest = match.groups()
                self.events.append((int(pid), syscall, path, rest))

    @staticmethod
    def succeeded(rest):
        return not re.search(r"= -1 E[A-Z]+", rest)

    def first_execution_of(self, program):
        """(index, argv) of the first successful execve of `program`, or (None, None)."""
        for index, (_, syscall, path, rest) in enumerate(self.events):
            if syscall == "execve" and path == str(program) and self.succeeded(rest):
                return index, STRING_RE.findall(rest.partition("[")[2].partition("]")[0])
        return None, None

    def opens_from(self, index):
        """[(path, succeeded)] of every open from event `index` on. From the loader's execve on, every
        open is the packaged program's: the shell that ran the bootstrap exec'd into the loader. An
        open that another thread interrupted (`<unfinished ...>`) counts as succeeded."""
        return [(path, self.succeeded(rest)) for _, syscall, path, rest in self.events[index:]
                if syscall in ("open", "openat")]


def shared_objects_outside(opens, root):
    """Opens (found or not) of a shared object outside root: a search that left the package."""
    return sorted({path for path, _ in opens if SHARED_OBJECT_RE.search(path) and not is_inside(path, root)})


def child_of(pid, timeout=10.0):
    """The first child of `pid` (the program strace started), once it exists."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.02)
    raise AssertionError(f"process {pid} started no child within {timeout} s")


class WebhookReceiver:
    """A loopback HTTP server that records the webhook POSTs it gets (headers and body) and answers 204."""

    def __init__(self, host="127.0.0.1"):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.append((dict(self.headers.items()), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # `host` must resolve to 127.0.0.1 for the service; a name makes it go through NSS.
        self.url = f"http://{host}:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def post_json(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def signature_valid(secret, headers, body):
    """Standard Webhooks: v1,base64(HMAC-SHA256(secret bytes, id.timestamp.body))."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return f"v1,{expected}" in headers["webhook-signature"].split()


def serve_one_order(command, env, cwd, store_file, server_pid=lambda process: process.pid, webhook_host="127.0.0.1",
                    timeout=20.0):
    """Runs `command serve` on SQLite, creates a webhook user and an order, waits for the signed
    webhook, then stops the server with SIGTERM. Returns the server's stderr; raises AssertionError
    with that stderr when a step fails."""
    receiver = WebhookReceiver(webhook_host)
    process = subprocess.Popen([*command, "serve", "--listen", "127.0.0.1:0", "--store", f"sqlite:{store_file}",
                                "--webhook-allow-private", "--retry-base-ms", "100"],
                               env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader.start()
    try:
        base = None
        deadline = time.monotonic() + timeout
        while base is None and time.monotonic() < deadline and process.poll() is None:
            found = next(filter(None, map(LISTEN_RE.search, list(lines))), None)
            base = f"http://{found.group(1)}:{found.group(2)}" if found else None
            time.sleep(0.05)
        assert base, f"the server did not start:\n{''.join(lines)}"
        status, user = post_json(f"{base}/v1/users", {"name": "Package Check", "email": "package@example.com",
                                                      "notify_channel": "webhook", "webhook_url": receiver.url})
        assert status == 201, user
        status, order = post_json(f"{base}/v1/orders", {"user_id": user["id"],
                                                        "items": [{"sku": "kunai", "quantity": 2, "unit_price": 150}]})
        assert status == 201 and order["total"] == 300, order
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.received, f"no webhook within {timeout} s:\n{''.join(lines)}"
        headers, body = receiver.received[0]
        headers = {name.lower(): value for name, value in headers.items()}
        assert json.loads(body)["subject"] == order["id"]
        assert signature_valid(user["webhook_secret"], headers, body), headers
        os.kill(server_pid(process), signal.SIGTERM)
        assert process.wait(timeout=timeout) == 0, f"exit status {process.returncode}:\n{''.join(lines)}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=5)
        receiver.close()
    return "".join(lines)
