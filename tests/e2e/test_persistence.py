"""Durability: data survives restarts and SIGKILL (API.md §1, §2 Idempotency; DESIGN.md "Durable before
acknowledged")."""
import collections
import json
import threading
import time
import uuid

import pytest
import requests

from conftest import (assert_json, create_order, create_user, describe, list_all, order_payload,
                      user_payload)

JSON = {"Content-Type": "application/json"}


def test_restart_keeps_users_and_orders(start_server, tmp_path):
    db = tmp_path / "restart.db"
    first = start_server(db=db)
    users = [create_user(first, name=f"R{i}", phone="+4915112345678") for i in range(3)]
    hook = create_user(first, notify_channel="webhook", webhook_url="https://example.com/x")
    orders = [create_order(first, u["id"], note=f"o{i}", currency="EUR") for i, u in enumerate(users)]
    users_listed = list_all(first, "/v1/users")
    orders_listed = list_all(first, "/v1/orders")
    first.stop()

    second = start_server(db=db)
    for user in users:
        assert assert_json(second.get(f"/v1/users/{user['id']}"), 200) == user
    hook.pop("webhook_secret")
    assert second.get(f"/v1/users/{hook['id']}").json() == hook
    for order in orders:
        assert assert_json(second.get(f"/v1/orders/{order['id']}"), 200) == order
    assert list_all(second, "/v1/users") == users_listed
    assert list_all(second, "/v1/orders") == orders_listed


def test_restart_keeps_deletions_and_uniqueness(start_server, tmp_path):
    db = tmp_path / "del.db"
    first = start_server(db=db)
    kept, gone = create_user(first), create_user(first)
    order = create_order(first, kept["id"])
    dropped = create_order(first, kept["id"])
    assert first.delete(f"/v1/users/{gone['id']}").status_code == 204
    assert first.delete(f"/v1/orders/{dropped['id']}").status_code == 204
    first.stop()

    second = start_server(db=db)
    assert second.get(f"/v1/users/{gone['id']}").status_code == 404
    assert second.get(f"/v1/orders/{dropped['id']}").status_code == 404
    assert [o["id"] for o in list_all(second, f"/v1/users/{kept['id']}/orders")] == [order["id"]]
    taken = second.post("/v1/users", json=user_payload(email=kept["email"]))
    assert taken.status_code == 409, describe(taken)
    freed = second.post("/v1/users", json=user_payload(email=gone["email"]))
    assert freed.status_code == 201, describe(freed)


def test_new_ids_after_restart_sort_after_old_ones(start_server, tmp_path):
    db = tmp_path / "ids.db"
    first = start_server(db=db)
    old = create_user(first)
    first.stop()
    second = start_server(db=db)
    new = create_user(second)
    assert new["id"] > old["id"]
    assert [u["id"] for u in list_all(second, "/v1/users")] == [new["id"], old["id"]]


def test_idempotency_survives_restart(start_server, tmp_path):
    db = tmp_path / "idem.db"
    first = start_server(db=db)
    owner = create_user(first)
    key = "restart-" + uuid.uuid4().hex
    body = json.dumps(order_payload(owner["id"], note="durable key")).encode()
    original = first.post("/v1/orders", data=body, headers={**JSON, "Idempotency-Key": key})
    assert original.status_code == 201, describe(original)
    first.stop()

    second = start_server(db=db)
    replay = second.post("/v1/orders", data=body, headers={**JSON, "Idempotency-Key": key})
    assert replay.status_code == 201, describe(replay)
    assert replay.headers.get("Idempotent-Replayed") == "true", describe(replay)
    assert replay.json() == original.json()
    assert len(list_all(second, f"/v1/orders?user_id={owner['id']}")) == 1


class Load:
    """N client threads posting orders with unique idempotency keys until stopped or the server dies."""

    def __init__(self, srv, user_id, threads=8):
        self.url = srv.url("/v1/orders")
        self.user_id = user_id
        self.lock = threading.Lock()
        self.attempted = {}   # key -> body bytes
        self.acked = {}       # key -> 201 body (parsed)
        self.unexpected = []  # non-201 answers
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]

    def _run(self, n):
        with requests.Session() as session:
            i = 0
            while not self.stop.is_set():
                i += 1
                key = f"k9-{n}-{i}"
                body = json.dumps(order_payload(
                    self.user_id, note=key,
                    items=[{"sku": f"S{n}", "quantity": i % 1000 + 1, "unit_price": 99999999 - i}])).encode()
                with self.lock:
                    self.attempted[key] = body
                try:
                    resp = session.post(self.url, data=body, headers={**JSON, "Idempotency-Key": key}, timeout=10)
                except requests.RequestException:
                    return  # the server is gone
                with self.lock:
                    if resp.status_code == 201:
                        self.acked[key] = resp.json()
                    else:
                        self.unexpected.append((key, resp.status_code, resp.text[:300]))

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(15)
        assert not any(t.is_alive() for t in self.threads), "client threads hung"


def repost_all(srv, attempted, threads=8):
    """Re-sends every attempted request with its key; returns key -> response."""
    keys = sorted(attempted)
    results = {}
    lock = threading.Lock()

    def worker(part):
        with requests.Session() as session:
            for key in part:
                resp = session.post(srv.url("/v1/orders"), data=attempted[key],
                                    headers={**JSON, "Idempotency-Key": key}, timeout=15)
                with lock:
                    results[key] = resp

    parts = [keys[i::threads] for i in range(threads)]
    pool = [threading.Thread(target=worker, args=(p,)) for p in parts]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    assert len(results) == len(keys), "re-post did not finish"
    return results


@pytest.mark.crash
@pytest.mark.slow
def test_kill_9_under_load_loses_no_acknowledged_order(start_server, tmp_path):
    db = tmp_path / "kill9.db"
    victim = start_server(db=db)
    owner = create_user(victim)
    load = Load(victim, owner["id"])
    load.start()
    time.sleep(1.5)
    with load.lock:
        acked_before_kill = len(load.acked)
    victim.kill()
    load.join()

    assert acked_before_kill >= 20, f"load too small to mean anything: {acked_before_kill} orders in 1.5 s"
    assert not load.unexpected, f"non-201 answers under load: {load.unexpected[:5]}"

    survivor = start_server(db=db)
    for key, body in load.acked.items():
        resp = survivor.get(f"/v1/orders/{body['id']}")
        assert resp.status_code == 200, f"acknowledged order {key} lost after kill -9:{describe(resp)}"
        assert resp.json() == body, f"acknowledged order {key} changed after kill -9"

    # Key and entity are stored atomically: every key re-sent yields exactly one order, the acknowledged
    # ones are replayed unchanged, and no order exists twice or without its key.
    results = repost_all(survivor, load.attempted)
    for key, resp in results.items():
        assert resp.status_code == 201, f"re-post of {key}:{describe(resp)}"
        if key in load.acked:
            assert resp.headers.get("Idempotent-Replayed") == "true", f"acked {key} not replayed:{describe(resp)}"
            assert resp.json() == load.acked[key]
    orders = list_all(survivor, f"/v1/orders?user_id={owner['id']}")
    counts = collections.Counter(o["note"] for o in orders)
    duplicated = {k: c for k, c in counts.items() if c != 1}
    assert not duplicated, f"orders stored more than once: {list(duplicated.items())[:5]}"
    assert set(counts) == set(load.attempted), (
        f"missing {sorted(set(load.attempted) - set(counts))[:5]}, extra {sorted(set(counts) - set(load.attempted))[:5]}")
    by_id = {o["id"]: o for o in orders}
    for key, resp in results.items():
        assert by_id.get(resp.json()["id"]) == resp.json(), f"replayed {key} points to a missing/different order"
    for order in orders:
        assert order["total"] == sum(it["quantity"] * it["unit_price"] for it in order["items"])


@pytest.mark.crash
def test_kill_9_right_after_ack(start_server, tmp_path):
    db = tmp_path / "ack.db"
    victim = start_server(db=db)
    owner = create_user(victim)
    order = create_order(victim, owner["id"], note="last words")
    victim.kill()
    survivor = start_server(db=db)
    assert survivor.get(f"/v1/users/{owner['id']}").json() == owner
    assert survivor.get(f"/v1/orders/{order['id']}").json() == order
