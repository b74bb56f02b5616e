"""The deployment test_aws_layout.py reads back: one name prefix's worth of AWS resources on moto, the
commands and servers that fill them, and boto3's view of them (through aws_layout_probe.py)."""
import os
import subprocess
import time
import uuid

import pytest

from aws_layout_probe import probe
from checks import describe
from conftest import BIN, launch

REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "layout", "AWS_SECRET_ACCESS_KEY": "layout"}   # moto takes any
WAIT = 15.0


class Deployment:
    """One prefix's worth of AWS resources on moto, and the commands and reads that go with it."""

    def __init__(self, endpoint, python):
        self.endpoint = endpoint
        self.python = python
        self.prefix = f"layout{uuid.uuid4().hex[:10]}-"
        self.store = f"dynamodb://{REGION}?endpoint={endpoint}&prefix={self.prefix}"
        self.bus = f"sns://{REGION}?endpoint={endpoint}&prefix={self.prefix}"
        self.env = dict(CREDENTIALS)

    def table(self, short):
        return self.prefix + short

    def cli(self, *args):
        done = subprocess.run([BIN, *args, "--store", self.store], capture_output=True, text=True, timeout=60,
                              env={**os.environ, **self.env})
        assert done.returncode == 0, f"ninja-orders {' '.join(args)}: exit {done.returncode}\n{done.stderr}"
        return done.stdout

    def serve(self, db_path, *args):
        return launch(db_path, ["--store", self.store, "--bus", self.bus, "--auth", "api-key", *args],
                      env=self.env, store=False)

    @property
    def queue(self):
        return f"{self.prefix}ninja-notifier.fifo"

    @property
    def dead_letter_queue(self):
        return f"{self.prefix}ninja-notifier-dlq.fifo"

    def read(self, queries=None, peek=None):
        return probe(self.python, {"endpoint": self.endpoint, "region": REGION, "prefix": self.prefix,
                                   "access_key": CREDENTIALS["AWS_ACCESS_KEY_ID"],
                                   "secret_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                                   "queries": queries or {}, "peek": peek or {}})

    def query(self, short, index, key_values, newest_first=False):
        """A Query on `index` of table `short` for {attribute: string value}."""
        names = {f"#k{i}": k for i, k in enumerate(key_values)}
        return {"TableName": self.table(short), "IndexName": index,
                "KeyConditionExpression": " AND ".join(f"#k{i} = :v{i}" for i in range(len(key_values))),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {f":v{i}": {"S": v} for i, v in enumerate(key_values.values())},
                "ScanIndexForward": not newest_first}


def wait_until(srv, what, predicate, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout}s; the server's stderr:\n{srv.stderr_tail(30)}")
        time.sleep(0.1)


def published_total(srv):
    for line in srv.get("/metrics").text.splitlines():
        if line.startswith("outbox_events_published_total "):
            return float(line.split()[1])
    return 0.0


def notification_status(srv, order_id):
    resp = srv.get(f"/v1/orders/{order_id}/notifications")
    assert resp.status_code == 200, describe(resp)
    return [n["status"] for n in resp.json()["items"]]


def post_created(srv, path, body, idempotency_key=None):
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    resp = srv.post(path, json=body, headers=headers)
    assert resp.status_code == 201, describe(resp)
    return resp.json()
