"""The admin HTTP API (console-contract §2) against the real binary: dead letters made by a real
webhook receiver answering 500, their replay, API keys that work on /v1 at once and stop when revoked,
users by email, and hostile input that gets a 4xx problem and changes nothing. Every response is also
checked against the served /openapi.json (contract_hook.py). The auth rules: test_admin_auth.py."""
import json
import time

import pytest

from admin_support import FAST_DEATH, admin_key_file, dead_order, wait_status
from conftest import assert_json, assert_problem, cli, create_user, describe, unique_email
from receivers import WebhookReceiver

UNKNOWN_EVENT = "01a20c21-0000-7000-8000-000000000000"


@pytest.fixture
def webhooks():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def dead_letters(srv, **params):
    return assert_json(srv.get("/admin/v1/dead-letters", params=params), 200)["items"]


def test_dead_letters_are_listed_newest_first_and_replayed_one_then_all(start_server, webhooks):
    srv = start_server(**FAST_DEATH)
    first_user, first_order, first = dead_order(srv, webhooks, "first")
    second_user, second_order, second = dead_order(srv, webhooks, "second")

    listed = dead_letters(srv)
    assert [d["event_id"] for d in listed] == [second["event_id"], first["event_id"]]  # most recently failed first
    one = listed[1]
    assert (one["order_id"], one["user_id"], one["channel"], one["status"], one["attempts"]) == (
        first_order["id"], first_user["id"], "webhook", "dead", 2)
    assert one["last_error"] == "HTTP 500 (gave up after 2 attempts)" and one["updated_at"] == first["updated_at"]
    assert [d["event_id"] for d in dead_letters(srv, limit=1)] == [second["event_id"]]
    # The CLI prints the same records (one representation for both).
    printed = [json.loads(line) for line in cli("dlq", "list", db=srv.db_path).stdout.splitlines()]
    assert printed == listed

    replayed = srv.post(f"/admin/v1/dead-letters/{first['event_id']}/replay")
    assert assert_json(replayed, 200) == {"requeued": 1}
    assert wait_status(srv, first_order["id"], "delivered", timeout=5)["attempts"] == 1
    assert [r["status"] for r in webhooks.for_path("first")] == [500, 500, 200]
    assert_problem(srv.post(f"/admin/v1/dead-letters/{first['event_id']}/replay"), 404, "/problems/not-found")
    assert [d["event_id"] for d in dead_letters(srv)] == [second["event_id"]]

    assert assert_json(srv.post("/admin/v1/dead-letters/replay"), 200) == {"requeued": 1}
    wait_status(srv, second_order["id"], "delivered", timeout=5)
    assert dead_letters(srv) == []
    assert assert_json(srv.post("/admin/v1/dead-letters/replay"), 200) == {"requeued": 0}


def test_replaying_what_is_not_dead_is_404_and_changes_nothing(start_server, webhooks):
    srv = start_server(**FAST_DEATH)
    _, order, dead = dead_order(srv, webhooks, "stays-dead")
    for event_id in (UNKNOWN_EVENT, "not-a-uuid", "..%2F..%2Fetc", "x" * 300, dead["event_id"].upper() + "0"):
        assert_problem(srv.post(f"/admin/v1/dead-letters/{event_id}/replay"), 404, "/problems/not-found")
    assert [d["event_id"] for d in dead_letters(srv)] == [dead["event_id"]]
    # The id is a UUID in any case: upper case names the same event.
    assert assert_json(srv.post(f"/admin/v1/dead-letters/{dead['event_id'].upper()}/replay"), 200) == {"requeued": 1}
    wait_status(srv, order["id"], "delivered", timeout=5)


def test_the_dead_letter_limit_is_1_to_500(start_server):
    srv = start_server()
    for limit in ("0", "501", "-1", "abc", "1.5", "1e3", "", " 5", "99999999999999999999999999"):
        assert_problem(srv.get("/admin/v1/dead-letters", params={"limit": limit}), 400, "/problems/bad-query")
    assert_problem(srv.get("/admin/v1/dead-letters?limit=1&limit=2"), 400, "/problems/bad-query")
    for limit in ("1", "500"):
        assert dead_letters(srv, limit=limit) == []


def test_a_created_key_works_on_v1_at_once_and_a_revoked_one_stops_within_a_second(start_server, tmp_path):
    path, admin_key = admin_key_file(tmp_path)
    srv = start_server(auth="api-key", admin_key_file=path)
    admin = {"x-api-key": admin_key}
    created = srv.post("/admin/v1/api-keys", json={"name": "checkout", "rate": 50, "burst": 100}, headers=admin)
    key = assert_json(created, 201)
    assert created.headers["Cache-Control"] == "no-store"
    assert (key["name"], key["rate"], key["burst"], key["revoked_at"]) == ("checkout", 50, 100, None)
    assert key["key"].startswith(f"nok_{key['id']}_")
    assert not any(key["key"] in line for line in srv.lines), "the new key was logged"

    since = time.monotonic()
    while srv.get("/v1/users", headers={"x-api-key": key["key"]}).status_code != 200:
        assert time.monotonic() - since < 1.0, "a created key was not accepted within 1 s"
        time.sleep(0.02)

    listed = assert_json(srv.get("/admin/v1/api-keys", headers=admin), 200)["items"]
    assert listed == [{k: v for k, v in key.items() if k != "key"}]
    assert [json.loads(line) for line in cli("apikey", "list", db=srv.db_path).stdout.splitlines()] == listed

    revoked = srv.delete(f"/admin/v1/api-keys/{key['id']}", headers=admin)
    assert revoked.status_code == 204 and revoked.content == b"", describe(revoked)
    since = time.monotonic()
    while srv.get("/v1/users", headers={"x-api-key": key["key"]}).status_code == 200:
        assert time.monotonic() - since < 1.0, "a revoked key still worked after 1 s"
        time.sleep(0.02)
    assert_problem(srv.get("/v1/users", headers={"x-api-key": key["key"]}), 401, "/problems/unauthorized")
    first_revocation = assert_json(srv.get("/admin/v1/api-keys", headers=admin), 200)["items"][0]["revoked_at"]
    assert first_revocation is not None
    assert srv.delete(f"/admin/v1/api-keys/{key['id']}", headers=admin).status_code == 204  # twice: 204 again
    assert assert_json(srv.get("/admin/v1/api-keys", headers=admin), 200)["items"][0]["revoked_at"] == first_revocation
    for unknown in ("0000000000000000", "not-an-id", key["id"].upper(), key["id"] + "0", "x" * 500):
        assert_problem(srv.delete(f"/admin/v1/api-keys/{unknown}", headers=admin), 404, "/problems/not-found")


def test_api_keys_are_listed_oldest_first_with_unicode_names(start_server):
    srv = start_server()
    names = ["名前 🥷 Zoë", "a" * 200, "plain"]
    made = [assert_json(srv.post("/admin/v1/api-keys", json={"name": n}), 201) for n in names]
    assert all((k["rate"], k["burst"]) == (None, None) for k in made)
    listed = assert_json(srv.get("/admin/v1/api-keys"), 200)["items"]
    assert [k["name"] for k in listed] == names and [k["id"] for k in listed] == [k["id"] for k in made]
    assert all("key" not in k for k in listed)


@pytest.mark.parametrize("body, fields", [
    ({}, {"name"}),
    ({"name": ""}, {"name"}),
    ({"name": "a" * 201}, {"name"}),
    ({"name": 7}, {"name"}),
    ({"name": None}, {"name"}),
    ({"name": "k", "rate": 0}, {"rate"}),
    ({"name": "k", "rate": -1}, {"rate"}),
    ({"name": "k", "rate": "5"}, {"rate"}),
    ({"name": "k", "rate": 1e300}, {"rate"}),
    ({"name": "k", "burst": 0.5}, {"burst"}),
    ({"name": "k", "burst": True}, {"burst"}),
    ({"name": "k", "admin": True}, {"admin"}),
    ({"name": "", "rate": 0, "burst": 0, "id": "x"}, {"name", "rate", "burst", "id"}),
], ids=lambda v: json.dumps(v)[:40] if isinstance(v, dict) else None)
def test_a_bad_key_body_is_422_naming_each_field_and_creates_nothing(start_server, body, fields):
    srv = start_server()
    assert_problem(srv.post("/admin/v1/api-keys", json=body), 422, "/problems/validation", fields)
    assert assert_json(srv.get("/admin/v1/api-keys"), 200)["items"] == []


def test_garbage_bodies_are_4xx_and_create_nothing(start_server):
    srv = start_server(max_body=4096)
    json_type = {"Content-Type": "application/json"}
    for raw in (b"", b"{", b"not json", b"[]", b'"name"', b'{"name":"a"} trailing', b"\xff\xfe{}",
                b"[" * 100 + b"]" * 100, b'{"name":"\xed\xa0\x80"}'):
        assert_problem(srv.post("/admin/v1/api-keys", data=raw, headers=json_type), 400, "/problems/malformed-json")
    assert_problem(srv.post("/admin/v1/api-keys", data=b'{"name":"a"}', headers={"Content-Type": "text/plain"}),
                   415, "/problems/unsupported-media-type")
    assert_problem(srv.post("/admin/v1/api-keys", json={"name": "a" * 5000}), 413, "/problems/payload-too-large")
    assert assert_json(srv.get("/admin/v1/api-keys"), 200)["items"] == []


def test_a_user_is_found_by_email_whatever_its_case(start_server):
    srv = start_server()
    user = create_user(srv, email=unique_email("Ann.Lee"), notify_channel="webhook",
                       webhook_url="https://hooks.example.com/x")
    create_user(srv)  # another one
    for email in (user["email"], user["email"].upper(), user["email"].lower()):
        found = assert_json(srv.get("/admin/v1/users", params={"email": email}), 200)["items"]
        assert found == [srv.get(f"/v1/users/{user['id']}").json()], email
        assert "webhook_secret" not in found[0]
    assert srv.delete(f"/v1/users/{user['id']}").status_code == 204
    assert assert_json(srv.get("/admin/v1/users", params={"email": user["email"]}), 200) == {"items": []}


def test_a_user_search_without_a_usable_email_is_400_and_odd_emails_find_nobody(start_server):
    srv = start_server()
    create_user(srv)
    assert_problem(srv.get("/admin/v1/users"), 400, "/problems/bad-query")
    assert_problem(srv.get("/admin/v1/users", params={"email": ""}), 400, "/problems/bad-query")
    assert_problem(srv.get("/admin/v1/users?email=a@b.co&email=c@d.co"), 400, "/problems/bad-query")
    for email in ("nobody@example.com", "' OR 1=1 --", "%", "_", "名前@例え.jp", "a" * 300 + "@example.com",
                  "email#x"):
        assert assert_json(srv.get("/admin/v1/users", params={"email": email}), 200) == {"items": []}, email


def test_admin_routes_answer_405_to_other_methods(start_server):
    srv = start_server()
    for method, path, allow in (("PUT", "/admin/v1/dead-letters", "GET, HEAD"),
                                ("GET", "/admin/v1/dead-letters/replay", "POST"),
                                ("DELETE", f"/admin/v1/dead-letters/{UNKNOWN_EVENT}/replay", "POST"),
                                ("GET", "/admin/v1/api-keys/0000000000000000", "DELETE"),
                                ("POST", "/admin/v1/users", "GET, HEAD")):
        resp = srv.request(method, path)
        assert_problem(resp, 405, "/problems/method-not-allowed")
        assert resp.headers["Allow"] == allow, path
    assert_problem(srv.get("/admin/v1/nothing-here"), 404, "/problems/not-found")
