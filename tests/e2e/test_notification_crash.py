"""Crash safety of notifications (API.md §3): orders are created concurrently, the server is killed
with SIGKILL mid-load and restarted; every order acknowledged with 201 gets its webhook, and any
repeat on the wire carries the same webhook-id."""
import json
import threading
import time
from collections import defaultdict

import pytest
import requests

from conftest import create_user, order_payload
from receivers import WebhookReceiver

pytestmark = [pytest.mark.crash, pytest.mark.slow]


def test_every_acknowledged_order_is_notified_after_kill_9(start_server, tmp_path):
    receiver = WebhookReceiver()
    try:
        db = tmp_path / "crash.db"
        srv = start_server(db=db, webhook_allow_private=True, retry_base_ms=50, retry_max_ms=500,
                           notify_timeout_ms=1000)  # claims of the killed process lapse in 6 s
        users = []
        for i in range(4):
            user = create_user(srv, notify_channel="webhook", webhook_url=receiver.url(f"/u{i}"))
            receiver.expect(f"u{i}", user["webhook_secret"])
            users.append(user)

        acknowledged = []
        lock = threading.Lock()
        stop = threading.Event()

        def create_orders(worker):
            session = requests.Session()
            n = 0
            while not stop.is_set():
                user = users[(worker + n) % len(users)]
                n += 1
                try:
                    resp = session.post(srv.url("/v1/orders"), json=order_payload(user["id"], note=f"w{worker}"),
                                        timeout=5)
                except requests.RequestException:
                    return  # the server is gone
                if resp.status_code == 201:
                    with lock:
                        acknowledged.append(resp.json()["id"])

        threads = [threading.Thread(target=create_orders, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 10
        while len(acknowledged) < 150 and time.monotonic() < deadline:
            time.sleep(0.01)
        srv.kill()
        stop.set()
        for t in threads:
            t.join(10)
        assert len(acknowledged) >= 50, "too little load before the kill to mean anything"

        start_server(db=db, webhook_allow_private=True, retry_base_ms=50, retry_max_ms=500,
                           notify_timeout_ms=1000)  # claims of the killed process lapse in 6 s

        def delivered_orders(received):
            return {json.loads(r["body"])["subject"] for r in received if r["status"] == 200}

        # With NATS, what the killed notifier had fetched comes back after the consumer's AckWait (10 s).
        received = receiver.wait_for(lambda r: set(acknowledged) <= delivered_orders(r), timeout=45)
        missing = set(acknowledged) - delivered_orders(received)
        assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged orders never notified"
        assert all(r["verified"] for r in received)
        ids_by_order = defaultdict(set)
        for r in received:
            ids_by_order[json.loads(r["body"])["subject"]].add(r["headers"]["webhook-id"])
        assert all(len(ids) == 1 for ids in ids_by_order.values()), "a repeat carried a new webhook-id"
        assert len({next(iter(ids)) for ids in ids_by_order.values()}) == len(ids_by_order)
    finally:
        receiver.close()
