"""Idempotency-Key on POST /v1/users and POST /v1/orders (API.md §2 Idempotency)."""
import json
import threading
import time
import uuid

import pytest
import requests

from external_service import key_headers
from conftest import (assert_json, assert_problem, create_user, describe, list_all, order_payload,
                      user_payload)
from rawhttp import exchange

JSON = {"Content-Type": "application/json"}


def key():
    return "idem-" + uuid.uuid4().hex


def post_raw(srv, path, body_bytes, idem):
    return srv.post(path, data=body_bytes, headers={**JSON, "Idempotency-Key": idem})


@pytest.fixture(scope="module")
def owner(server):
    return create_user(server, name="Idempotent Owner")


def test_user_replay_same_status_and_body(server):
    k, body = key(), json.dumps(user_payload()).encode()
    first = post_raw(server, "/v1/users", body, k)
    assert first.status_code == 201, describe(first)
    assert first.headers.get("Idempotent-Replayed", "false").lower() != "true", describe(first)
    second = post_raw(server, "/v1/users", body, k)
    assert second.status_code == 201, describe(second)
    assert second.headers.get("Idempotent-Replayed") == "true", describe(second)
    assert second.json() == first.json()
    assert second.headers.get("Location") == first.headers.get("Location")


def test_user_replay_creates_nothing(server):
    payload = user_payload()
    k, body = key(), json.dumps(payload).encode()
    for _ in range(3):
        assert post_raw(server, "/v1/users", body, k).status_code == 201
    same_email = [u for u in list_all(server, "/v1/users") if u["email"] == payload["email"]]
    assert len(same_email) == 1, same_email


def test_webhook_user_replay_repeats_secret(server):
    k = key()
    body = json.dumps(user_payload(notify_channel="webhook", webhook_url="https://example.com/h")).encode()
    first = assert_json(post_raw(server, "/v1/users", body, k), 201)
    second = post_raw(server, "/v1/users", body, k)
    assert second.json() == first and second.headers.get("Idempotent-Replayed") == "true", describe(second)


def test_order_replay_creates_one_order(server):
    buyer = create_user(server)
    k = key()
    body = json.dumps(order_payload(buyer["id"], note="once")).encode()
    responses = [post_raw(server, "/v1/orders", body, k) for _ in range(4)]
    assert [r.status_code for r in responses] == [201] * 4, [describe(r) for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)
    assert [r.headers.get("Idempotent-Replayed") for r in responses[1:]] == ["true"] * 3
    orders = list_all(server, f"/v1/orders?user_id={buyer['id']}")
    assert [o["id"] for o in orders] == [responses[0].json()["id"]]


def test_replay_after_entity_deleted_still_creates_nothing(server, owner):
    k = key()
    body = json.dumps(order_payload(owner["id"], note="deleted later")).encode()
    first = assert_json(post_raw(server, "/v1/orders", body, k), 201)
    assert server.delete(f"/v1/orders/{first['id']}").status_code == 204
    again = post_raw(server, "/v1/orders", body, k)
    assert again.status_code == 201 and again.json() == first, describe(again)
    assert again.headers.get("Idempotent-Replayed") == "true", describe(again)
    assert server.get(f"/v1/orders/{first['id']}").status_code == 404
    notes = [o["note"] for o in list_all(server, f"/v1/orders?user_id={owner['id']}")]
    assert "deleted later" not in notes


def test_same_key_different_body_is_422(server, owner):
    k = key()
    assert post_raw(server, "/v1/orders", json.dumps(order_payload(owner["id"], note="a")).encode(),
                    k).status_code == 201
    resp = post_raw(server, "/v1/orders", json.dumps(order_payload(owner["id"], note="b")).encode(), k)
    assert_problem(resp, 422, "/problems/idempotency-mismatch")
    notes = [o["note"] for o in list_all(server, f"/v1/orders?user_id={owner['id']}")]
    assert "b" not in notes and notes.count("a") == 1


def test_different_keys_create_different_entities(server, owner):
    body = json.dumps(order_payload(owner["id"], note="twice")).encode()
    a = assert_json(post_raw(server, "/v1/orders", body, key()), 201)
    b = assert_json(post_raw(server, "/v1/orders", body, key()), 201)
    assert a["id"] != b["id"]


def test_without_key_every_post_creates(server, owner):
    body = json.dumps(order_payload(owner["id"], note="no key")).encode()
    ids = {assert_json(server.post("/v1/orders", data=body, headers=JSON), 201)["id"] for _ in range(2)}
    assert len(ids) == 2


def test_longest_visible_key_accepted(server):
    visible = "".join(chr(c) for c in range(0x21, 0x7F))
    k = (visible * 3)[:223] + uuid.uuid4().hex  # unique: the suite may run again against one service (NINJA_E2E_URL)
    body = json.dumps(user_payload()).encode()
    first = post_raw(server, "/v1/users", body, k)
    assert first.status_code == 201, describe(first)
    again = post_raw(server, "/v1/users", body, k)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true", describe(again)


@pytest.mark.parametrize("bad", ["", "x" * 256, "has space", "tab\there"])
def test_bad_key_is_400(server, bad):
    payload = user_payload()
    resp = post_raw(server, "/v1/users", json.dumps(payload).encode(), bad)
    assert_problem(resp, 400, "/problems/bad-idempotency-key")
    # and nothing was created
    assert post_raw(server, "/v1/users", json.dumps(payload).encode(), key()).status_code == 201


def test_non_ascii_key_is_400(server):
    payload = json.dumps(user_payload()).encode()
    raw = (b"POST /v1/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
           b"Idempotency-Key: cl\xc3\xa9\r\nContent-Length: " + str(len(payload)).encode()
           + b"\r\nConnection: close\r\n\r\n" + payload)
    responses, _ = exchange(server.host, server.port, raw)
    assert responses and responses[0].status == 400, responses
    assert responses[0].json()["type"] == "/problems/bad-idempotency-key", responses


def test_concurrent_same_key_one_entity(server):
    buyer = create_user(server)
    k = key()
    body = json.dumps(order_payload(buyer["id"], note="race")).encode()
    n = 12
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        with requests.Session() as s:
            s.headers.update(key_headers())
            barrier.wait()
            results[i] = s.post(server.url("/v1/orders"), data=body,
                                headers={**JSON, "Idempotency-Key": k}, timeout=15)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(r is not None for r in results), "a request did not finish"
    created = [r for r in results if r.status_code == 201]
    for r in results:
        if r.status_code == 409:
            assert_problem(r, 409, "/problems/idempotency-in-flight")
        else:
            assert r.status_code == 201, describe(r)
    originals = [r for r in created if r.headers.get("Idempotent-Replayed") != "true"]
    assert len(originals) == 1, [(r.status_code, dict(r.headers)) for r in results]
    assert all(r.json() == originals[0].json() for r in created)
    orders = list_all(server, f"/v1/orders?user_id={buyer['id']}")
    assert [o["id"] for o in orders] == [originals[0].json()["id"]]


@pytest.mark.slow
def test_key_forgotten_after_ttl(start_server):
    srv = start_server(idempotency_ttl=1)
    buyer = create_user(srv)
    k = key()
    body = json.dumps(order_payload(buyer["id"], note="ttl")).encode()
    first = assert_json(post_raw(srv, "/v1/orders", body, k), 201)
    replay = post_raw(srv, "/v1/orders", body, k)
    assert replay.headers.get("Idempotent-Replayed") == "true", describe(replay)
    time.sleep(2.5)
    fresh = post_raw(srv, "/v1/orders", body, k)
    assert fresh.status_code == 201, describe(fresh)
    assert fresh.headers.get("Idempotent-Replayed", "false") != "true", describe(fresh)
    assert fresh.json()["id"] != first["id"]
    assert len(list_all(srv, f"/v1/orders?user_id={buyer['id']}")) == 2


def test_keys_are_per_endpoint_body(server, owner):
    """Same key reused with the same body on the other endpoint must not replay the wrong entity."""
    k = key()
    user_resp = post_raw(server, "/v1/users", json.dumps(user_payload()).encode(), k)
    assert user_resp.status_code == 201
    resp = post_raw(server, "/v1/orders", json.dumps(order_payload(owner["id"])).encode(), k)
    assert resp.status_code in (201, 422), describe(resp)
    if resp.status_code == 201:
        assert resp.json().get("user_id") == owner["id"], describe(resp)
    else:
        assert_problem(resp, 422, "/problems/idempotency-mismatch")

