"""nginx as the cluster's load balancer: renders deploy/nginx.conf.in into its own dir and runs it in
the foreground. nginx cannot listen on port 0 and report the port, so port 0 means: try free ports
until one binds."""
import os
import re
import shutil
import signal
import time
from pathlib import Path

from child_process import ChildProcess, StartError
from serve_process import http_status

TEMPLATE = Path(__file__).resolve().parents[1] / "nginx.conf.in"
PORT_ATTEMPTS = 5
PLACEHOLDER = re.compile(r"@[A-Z]+@")


def find_nginx():
    for candidate in (os.environ.get("NINJA_NGINX"), shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def render(template, values):
    text = template
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = PLACEHOLDER.findall(text)
    if left:
        raise StartError(f"{TEMPLATE}: no value for {sorted(set(left))}")
    return text


class NginxBalancer(ChildProcess):
    stop_signal = signal.SIGQUIT   # graceful: requests in flight are answered (SIGTERM would drop them)

    def __init__(self, binary, directory, upstreams, port, free_port):
        self.dir = Path(directory)
        super().__init__("nginx", [binary, "-p", self.dir, "-c", self.dir / "nginx.conf", "-e",
                                   self.dir / "error.log"], self.dir / "error.log", cwd=self.dir)
        self.upstreams = list(upstreams)   # (host, port) of each API process
        self.requested_port = port
        self.free_port = free_port
        self.port = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self):
        return self.dir / "access.log"

    def start(self):
        for _ in range(1 if self.requested_port else PORT_ATTEMPTS):
            self.port = self.requested_port or self.free_port()
            self._write_config()
            super().start()
            if self._wait_bound():
                return self
            in_use = "Address already in use" in self.log_tail(5)
            self.process.wait()
            if not in_use or self.requested_port:
                hint = " (choose another with --port, or --port 0 for a free one)" if in_use else ""
                raise self.fail(f"exited with code {self.process.returncode} on port {self.port}{hint}")
        raise StartError(f"nginx: no free port after {PORT_ATTEMPTS} attempts")

    def ready(self):
        """The balancer is ready when an API process answers /readyz through it."""
        return http_status(self.url + "/readyz") == 200

    def _write_config(self):
        (self.dir / "tmp").mkdir(parents=True, exist_ok=True)
        servers = "\n".join(f"        server {host}:{port} max_fails=1 fail_timeout=2s;"
                            for host, port in self.upstreams)
        # As root, the master keeps root and its workers become nobody (they need no file of ours:
        # logs are opened by the master, temp dirs are made and chowned by it).
        user = "user nobody nogroup;" if os.geteuid() == 0 else "# not root: the workers run as the caller"
        config = render(TEMPLATE.read_text(), {"DIR": str(self.dir), "PORT": str(self.port),
                                               "SERVERS": servers, "USER": user})
        (self.dir / "nginx.conf").write_text(config)

    def _wait_bound(self, timeout=10.0):
        """True once nginx has bound its port, False if it exited first. nginx writes its pid file
        after it has bound every listening socket, so the file is the proof (a connect is not: someone
        else may hold the port while nginx retries the bind)."""
        pidfile = self.dir / "nginx.pid"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if int(pidfile.read_text().strip()) == self.process.pid:
                    return True
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        raise self.fail(f"did not bind port {self.port} within {timeout:g} s")
