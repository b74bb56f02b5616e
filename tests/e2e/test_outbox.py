"""Transactional outbox (API.md §3): every create/delete commits a CloudEvent with the entity, read
back from the real SQLite file, including after kill -9; the relay marks each one published."""
import json
import sqlite3
import time

from conftest import create_order, create_user, sqlite_only

pytestmark = sqlite_only  # reads the outbox table of the SQLite file itself


def read_outbox(db_path):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT type, subject, payload, published_at FROM outbox ORDER BY seq").fetchall()
    finally:
        conn.close()


def outbox_rows(db_path):
    """(type, subject, payload dict) of every outbox row, in commit order."""
    return [(t, s, json.loads(p)) for t, s, p, _ in read_outbox(db_path)]


def assert_cloudevent(event, type_, source, subject):
    assert event["specversion"] == "1.0"
    assert event["type"] == type_
    assert event["source"] == source
    assert event["subject"] == subject
    assert event["datacontenttype"] == "application/json"
    assert event["time"].endswith("Z") and len(event["time"]) == 24, event["time"]
    assert len(event["id"]) == 36 and event["id"][14] == "7", f"not a UUIDv7: {event['id']}"


def test_every_create_and_delete_writes_one_cloudevent_in_commit_order(fresh_server):
    user = create_user(fresh_server, notify_channel="webhook", webhook_url="https://hooks.example.com/x")
    order = create_order(fresh_server, user["id"], note="outbox")
    assert fresh_server.delete(f"/v1/orders/{order['id']}").status_code == 204
    assert fresh_server.delete(f"/v1/users/{user['id']}").status_code == 204

    rows = outbox_rows(fresh_server.db_path)
    assert [(t, s) for t, s, _ in rows] == [
        ("ninja.user.created", user["id"]),
        ("ninja.order.created", order["id"]),
        ("ninja.order.deleted", order["id"]),
        ("ninja.user.deleted", user["id"]),
    ]
    (_, _, user_created), (_, _, order_created), (_, _, order_deleted), (_, _, user_deleted) = rows
    assert_cloudevent(user_created, "ninja.user.created", "/v1/users", user["id"])
    assert_cloudevent(order_created, "ninja.order.created", "/v1/orders", order["id"])
    assert_cloudevent(order_deleted, "ninja.order.deleted", "/v1/orders", order["id"])
    assert_cloudevent(user_deleted, "ninja.user.deleted", "/v1/users", user["id"])
    # "data" is the entity as GET returns it; the webhook secret is shown once, in the 201 only.
    assert order_created["data"] == order
    assert order_deleted["data"] == order
    shown_once = dict(user)
    assert shown_once.pop("webhook_secret").startswith("whsec_")
    assert user_created["data"] == shown_once
    assert "webhook_secret" not in json.dumps(rows)
    assert len({e["id"] for _, _, e in rows}) == 4


def test_rejected_requests_write_no_event(fresh_server):
    user = create_user(fresh_server)
    assert fresh_server.post("/v1/users", json={"name": "Dup", "email": user["email"]}).status_code == 409
    assert fresh_server.post("/v1/orders", json={"user_id": user["id"], "items": []}).status_code == 422
    missing = "01a20c21-0000-7000-8000-000000000000"
    assert fresh_server.post("/v1/orders", json={"user_id": missing,
                                                 "items": [{"sku": "a", "quantity": 1, "unit_price": 1}]}).status_code == 422
    assert fresh_server.delete(f"/v1/orders/{missing}").status_code == 404
    key = {"Idempotency-Key": "outbox-once"}
    body = {"user_id": user["id"], "items": [{"sku": "a", "quantity": 1, "unit_price": 1}]}
    first = fresh_server.post("/v1/orders", json=body, headers=key)
    again = fresh_server.post("/v1/orders", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert [(t, s) for t, s, _ in outbox_rows(fresh_server.db_path)] == [
        ("ninja.user.created", user["id"]), ("ninja.order.created", first.json()["id"])]


def test_acknowledged_orders_keep_their_event_after_kill_9(start_server, tmp_path):
    db = tmp_path / "outbox-kill.db"
    victim = start_server(db=db)
    user = create_user(victim)
    orders = [create_order(victim, user["id"], note=str(i)) for i in range(25)]
    victim.kill()
    created = {s: e for t, s, e in outbox_rows(db) if t == "ninja.order.created"}
    assert set(created) == {o["id"] for o in orders}
    for order in orders:
        assert created[order["id"]]["data"] == order


def test_the_relay_publishes_every_event_promptly(fresh_server):
    user = create_user(fresh_server)
    for i in range(10):
        create_order(fresh_server, user["id"], note=str(i))
    deadline = time.monotonic() + 5
    while any(r[3] is None for r in read_outbox(fresh_server.db_path)) and time.monotonic() < deadline:
        time.sleep(0.05)
    rows = read_outbox(fresh_server.db_path)
    assert len(rows) == 11
    assert all(r[3] is not None for r in rows), "events left unpublished"
    metrics = fresh_server.get("/metrics").text
    assert "outbox_events_published_total 11" in metrics, metrics
    assert "outbox_lag_seconds 0" in metrics
