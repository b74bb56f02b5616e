"""The service's processes on moto_server for the AWS cost bench: `migrate`, then `serve --roles ...`
processes, each reaching moto at an endpoint of its own (a counting-proxy port, or moto itself), with
dummy credentials (moto checks no signature)."""

import os
import subprocess
import time

from bench_support import SetupError, http_request, start_service, stop_process, tail

PREFIX = "cost_"
AWS_ENV = {"AWS_ACCESS_KEY_ID": "bench-not-a-key", "AWS_SECRET_ACCESS_KEY": "bench-not-a-secret",
           "AWS_REGION": "us-east-1"}


class Deployment:
    """The service's processes on one moto, each reaching it at an endpoint of its own (a proxy port)."""

    def __init__(self, binary, tmp, endpoint_of):
        self.binary, self.tmp, self.endpoint_of = binary, tmp, endpoint_of
        self.env = {**os.environ, **AWS_ENV}
        self.procs = []

    def urls(self, label):
        endpoint = self.endpoint_of(label)
        return (f"dynamodb://us-east-1?endpoint={endpoint}&prefix={PREFIX}",
                f"sns://us-east-1?endpoint={endpoint}&prefix={PREFIX}")

    def migrate(self, label):
        store, bus = self.urls(label)
        cp = subprocess.run([self.binary, "migrate", "--store", store, "--bus", bus], env=self.env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        if cp.returncode != 0:
            raise SetupError(f"ninja-orders migrate on moto failed ({cp.returncode}): {cp.stderr[-800:]}")

    def serve(self, label, roles, extra=()):
        store, bus = self.urls(label)
        args = ["--roles", roles, *extra] + (["--bus", bus] if roles != "api" else [])
        proc, host, port, err = start_service(self.binary, self.tmp, f"aws-{label}", args, store=store,
                                              env=self.env, ready_timeout=60)
        self.procs.append((label, proc, err))
        return host, port

    def check_alive(self, context):
        for label, proc, err in self.procs:
            if proc.poll() is not None:
                raise SetupError(f"AWS cost bench: {label} died ({context}) with {proc.returncode}:\n{tail(err)}")

    def stop(self):
        for _label, proc, _err in self.procs:
            stop_process(proc, 15)
        self.procs = []


def metric(host, port, name):
    """Sum of a Prometheus counter/gauge family on a process's /metrics."""
    _, _, body = http_request(host, port, "GET", "/metrics", timeout=5.0)
    total = 0.0
    for line in body.decode("utf-8", "replace").splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def wait_for(condition, timeout, what=None):
    """True once condition() holds; on timeout False, or a SetupError saying `what` when given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    if what:
        raise SetupError(f"AWS cost bench: {what} within {timeout:.0f} s")
    return False
