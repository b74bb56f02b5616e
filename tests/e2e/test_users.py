"""Users: create, read, delete (API.md §2 Users, CONVENTIONS.md Representations)."""
import base64
import datetime as dt
import threading
import uuid

import requests

from external_service import key_headers
from conftest import (USER_KEYS, assert_json, assert_problem, create_order, create_user, describe,
                      list_all, parse_time, unique_email, user_payload, uuid7_millis)


def test_create_user_minimal_has_documented_shape(server):
    email = unique_email()
    resp = server.post("/v1/users", json={"name": "Ada Lovelace", "email": email})
    body = assert_json(resp, 201)
    assert set(body) == USER_KEYS, describe(resp)
    assert body["name"] == "Ada Lovelace"
    assert body["email"] == email
    assert body["phone"] is None
    assert body["notify_channel"] == "email"
    assert body["webhook_url"] is None
    assert resp.headers.get("Location") == f"/v1/users/{body['id']}", describe(resp)


def test_success_content_type_is_json_utf8(server):
    resp = server.post("/v1/users", json=user_payload())
    assert resp.status_code == 201, describe(resp)
    ctype = resp.headers.get("Content-Type", "").lower().replace(" ", "")
    assert ctype == "application/json;charset=utf-8", describe(resp)


def test_user_id_is_uuid7_and_created_at_is_now(server):
    before = dt.datetime.now(dt.timezone.utc)
    user = create_user(server)
    after = dt.datetime.now(dt.timezone.utc)
    created = parse_time(user["created_at"])
    slack = dt.timedelta(seconds=2)
    assert before - slack <= created <= after + slack, (before, user["created_at"], after)
    id_ms = uuid7_millis(user["id"])
    created_ms = int(created.timestamp() * 1000)
    assert abs(id_ms - created_ms) < 2000, f"UUIDv7 time {id_ms} far from created_at {created_ms}"


def test_ids_are_monotonic_within_process(server):
    ids = [create_user(server)["id"] for _ in range(5)]
    assert ids == sorted(ids) and len(set(ids)) == 5, ids


def test_get_user_returns_same_representation(server):
    user = create_user(server, phone="+4915112345678", notify_channel="sms")
    resp = server.get(f"/v1/users/{user['id']}")
    assert assert_json(resp, 200) == user


def test_name_is_stored_trimmed(server):
    user = create_user(server, name="   Grace Hopper \t ")
    assert user["name"] == "Grace Hopper"
    assert server.get(f"/v1/users/{user['id']}").json()["name"] == "Grace Hopper"


def test_unicode_name_round_trips(server):
    name = "Zoë Ωmega 名前 🥷"
    user = create_user(server, name=name)
    assert user["name"] == name
    assert server.get(f"/v1/users/{user['id']}").json()["name"] == name


def test_sms_user_keeps_phone(server):
    user = create_user(server, phone="+14155550123", notify_channel="sms")
    assert user["phone"] == "+14155550123"
    assert user["notify_channel"] == "sms"
    assert "webhook_secret" not in user


def test_none_channel_accepted(server):
    user = create_user(server, notify_channel="none")
    assert user["notify_channel"] == "none"
    assert "webhook_secret" not in user


def test_webhook_user_gets_secret_once(server):
    resp = server.post("/v1/users", json=user_payload(notify_channel="webhook",
                                                     webhook_url="https://hooks.example.com/ninja"))
    body = assert_json(resp, 201)
    assert set(body) == USER_KEYS | {"webhook_secret"}, describe(resp)
    assert body["webhook_url"] == "https://hooks.example.com/ninja"
    secret = body["webhook_secret"]
    assert secret.startswith("whsec_"), secret
    assert len(base64.b64decode(secret[len("whsec_"):], validate=True)) == 32, secret
    again = assert_json(server.get(f"/v1/users/{body['id']}"), 200)
    assert "webhook_secret" not in again
    assert again == {k: v for k, v in body.items() if k != "webhook_secret"}


def test_webhook_secrets_differ_between_users(server):
    secrets = {create_user(server, notify_channel="webhook",
                           webhook_url="http://example.com/h")["webhook_secret"] for _ in range(3)}
    assert len(secrets) == 3, secrets


def test_duplicate_email_is_409(server):
    email = unique_email()
    create_user(server, email=email)
    resp = server.post("/v1/users", json=user_payload(email=email, name="Someone Else"))
    assert_problem(resp, 409, "/problems/email-taken")


def test_email_uniqueness_is_case_insensitive(server):
    local = uuid.uuid4().hex[:12]
    create_user(server, email=f"{local}@example.com")
    resp = server.post("/v1/users", json=user_payload(email=f"{local.upper()}@EXAMPLE.COM"))
    assert_problem(resp, 409, "/problems/email-taken")


def test_conflict_creates_nothing(server):
    email = unique_email()
    first = create_user(server, email=email)
    server.post("/v1/users", json=user_payload(email=email, name="Dup"))
    listed = [u for u in list_all(server, "/v1/users") if u["email"].lower() == email]
    assert [u["id"] for u in listed] == [first["id"]]


def test_get_unknown_user_is_404(server):
    resp = server.get(f"/v1/users/{uuid.uuid4()}")
    assert_problem(resp, 404, "/problems/not-found")


def test_delete_user(server):
    user = create_user(server)
    resp = server.delete(f"/v1/users/{user['id']}")
    assert resp.status_code == 204, describe(resp)
    assert resp.content == b"", describe(resp)
    assert_problem(server.get(f"/v1/users/{user['id']}"), 404, "/problems/not-found")
    assert_problem(server.delete(f"/v1/users/{user['id']}"), 404, "/problems/not-found")


def test_deleted_user_disappears_from_list(server):
    user = create_user(server)
    assert server.delete(f"/v1/users/{user['id']}").status_code == 204
    assert user["id"] not in {u["id"] for u in list_all(server, "/v1/users")}


def test_delete_frees_email(server):
    email = unique_email()
    old = create_user(server, email=email)
    assert server.delete(f"/v1/users/{old['id']}").status_code == 204
    new = create_user(server, email=email)
    assert new["id"] != old["id"]
    assert assert_json(server.get(f"/v1/users/{new['id']}"), 200)["email"] == email


def test_deleted_users_orders_stay(server):
    user = create_user(server)
    order = create_order(server, user["id"])
    assert server.delete(f"/v1/users/{user['id']}").status_code == 204
    assert assert_json(server.get(f"/v1/orders/{order['id']}"), 200) == order
    listed = list_all(server, f"/v1/orders?user_id={user['id']}")
    assert [o["id"] for o in listed] == [order["id"]]
    assert_problem(server.get(f"/v1/users/{user['id']}/orders"), 404, "/problems/not-found")


def test_delete_unknown_user_is_404(server):
    assert_problem(server.delete(f"/v1/users/{uuid.uuid4()}"), 404, "/problems/not-found")


def test_concurrent_same_email_only_one_wins(server):
    email = unique_email()
    n = 10
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        with requests.Session() as s:
            s.headers.update(key_headers())
            barrier.wait()
            results[i] = s.post(server.url("/v1/users"), json=user_payload(email=email, name=f"Racer {i}"),
                                timeout=15)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    statuses = sorted(r.status_code for r in results)
    assert statuses == [201] + [409] * (n - 1), statuses
    for r in results:
        if r.status_code == 409:
            assert_problem(r, 409, "/problems/email-taken")
