"""What the cluster bench runs the service as: a deployment is one database on the bench's PostgreSQL
server (schema by `ninja-orders migrate`), a NATS subject prefix, and the `serve --roles ...` processes
that use them; seed() gives it the user and the order every request is about."""

import json
import os
import subprocess

from bench_support import (ORDER_ITEMS, USER_BODY, SetupError, http_request, start_service, stop_process,
                           tail)


class Deployment:
    """One database on the server (schema by `ninja-orders migrate`), a NATS prefix, and the service
    processes that run on them."""

    def __init__(self, binary, tmp, pg, nats, name):
        self.binary, self.tmp, self.pg, self.name = binary, tmp, pg, name
        pg.create_database(name)
        self.store = pg.url_for(name, password=False)  # the password goes in PGPASSWORD, never in argv
        self.bus = f"{nats.url}?prefix={name}" if nats else "inproc"
        self.env = {**os.environ, "PGPASSWORD": pg.password}
        self.procs = []  # (label, proc, host, port, stderr path)
        cp = subprocess.run([binary, "migrate", "--store", self.store, "--bus", self.bus], env=self.env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        if cp.returncode != 0:
            raise SetupError(f"ninja-orders migrate --store {self.store} failed ({cp.returncode}): {cp.stderr[-800:]}")

    def serve(self, label, roles, extra=()):
        args = ["--roles", roles, *extra]
        if roles != "api":
            args += ["--bus", self.bus]
        proc, host, port, err = start_service(self.binary, self.tmp, f"{self.name}-{label}", args,
                                              store=self.store, env=self.env)
        self.procs.append((label, proc, host, port, err))
        return host, port

    def pids(self):
        return [p.pid for _, p, *_ in self.procs]

    def check_alive(self, context):
        for label, proc, _h, _p, err in self.procs:
            if proc.poll() is not None:
                raise SetupError(f"{self.name} {label} died ({context}) with status {proc.returncode}:\n{tail(err)}")

    def stop(self):
        exits = {label: stop_process(proc, 15) for label, proc, *_ in self.procs}
        self.procs = []
        return exits

    def psql(self, sql):
        return self.pg.admin_psql(sql, database=self.name)


def seed(host, port):
    """One user and one order; returns the POST body (the same for every request) and the order id."""
    hdr = {"Content-Type": "application/json"}
    status, _, body = http_request(host, port, "POST", "/v1/users", json.dumps(USER_BODY), hdr)
    if status != 201:
        raise SetupError(f"POST /v1/users -> {status}: {body[:300]!r}")
    order = json.dumps({"user_id": json.loads(body)["id"], "items": ORDER_ITEMS, "currency": "USD", "note": "bench"},
                       separators=(",", ":"))
    status, _, body = http_request(host, port, "POST", "/v1/orders", order, hdr)
    if status != 201:
        raise SetupError(f"POST /v1/orders -> {status}: {body[:300]!r}")
    order_id = json.loads(body)["id"]
    status, _, body = http_request(host, port, "GET", f"/v1/orders/{order_id}")
    if status != 200:
        raise SetupError(f"GET /v1/orders/{order_id} -> {status}: {body[:300]!r}")
    return order, order_id
