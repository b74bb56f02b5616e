"""A full disk (issue 12): writes answer 503 problem+json with Retry-After instead of 500, /readyz turns
503 while writes fail and 200 once one succeeds, a metric counts the failed commits, nothing that was
acknowledged is lost, and the service heals by itself when space returns — also across a restart."""
import time

import pytest

from backends import sqlite_only
from checks import assert_problem, describe
from conftest import create_user, order_payload
from small_disk import fill, free_bytes, small_disk  # noqa: F401 (fixture)

pytestmark = sqlite_only


def metric_value(srv, name, labels):
    text = srv.get("/metrics").text
    for line in text.splitlines():
        if line.startswith(name + "{") and labels in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def post_until_unavailable(srv, user_id, limit=5000):
    """POSTs orders until one gets 503; returns (ids acknowledged with 201, the first 503)."""
    acknowledged = []
    for _ in range(limit):
        resp = srv.post("/v1/orders", json=order_payload(user_id))
        if resp.status_code == 201:
            acknowledged.append(resp.json()["id"])
            continue
        assert resp.status_code == 503, describe(resp)  # never a 500 on a full disk
        return acknowledged, resp
    pytest.fail(f"{limit} orders still fitted on a full 4 MiB disk")


def wait_status(srv, path, status, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        resp = srv.get(path)
        if resp.status_code == status or time.monotonic() > deadline:
            return resp
        time.sleep(0.1)


def test_full_disk_answers_503_and_heals_when_space_returns(start_server, small_disk):  # noqa: F811
    db = small_disk / "orders.db"
    srv = start_server(db=db)
    user = create_user(srv)
    before = [srv.post("/v1/orders", json=order_payload(user["id"])).json()["id"] for _ in range(20)]

    filler = fill(small_disk)
    assert free_bytes(small_disk) == 0
    acknowledged, refused = post_until_unavailable(srv, user["id"])
    acknowledged = before + acknowledged

    assert_problem(refused, 503, "/problems/unavailable")
    assert refused.headers.get("Retry-After") == "1", describe(refused)
    # Every write keeps failing while the disk is full, and the instance says it is not ready.
    again = srv.post("/v1/orders", json=order_payload(user["id"]))
    assert again.status_code == 503, describe(again)
    ready = srv.get("/readyz")
    assert ready.status_code == 503, describe(ready)
    assert metric_value(srv, "store_write_failures_total", 'cause="disk_full"') >= 2
    # Reads still work: what was acknowledged is there.
    for order_id in acknowledged[-5:]:
        assert srv.get(f"/v1/orders/{order_id}").status_code == 200

    filler.unlink()
    # Ready again without any client write: the readiness probe's own write gets through.
    ready = wait_status(srv, "/readyz", 200)
    assert ready.status_code == 200, describe(ready)
    resp = srv.post("/v1/orders", json=order_payload(user["id"]))
    assert resp.status_code == 201, describe(resp)
    acknowledged.append(resp.json()["id"])

    for order_id in acknowledged:
        got = srv.get(f"/v1/orders/{order_id}")
        assert got.status_code == 200, f"acknowledged order {order_id} lost: {describe(got)}"

    srv.stop()
    srv = start_server(db=db)
    for order_id in acknowledged:
        got = srv.get(f"/v1/orders/{order_id}")
        assert got.status_code == 200, f"acknowledged order {order_id} lost after restart: {describe(got)}"
    assert srv.post("/v1/orders", json=order_payload(user["id"])).status_code == 201
