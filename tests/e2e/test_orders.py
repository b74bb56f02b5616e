"""Orders: create, read, delete, exact totals (API.md §2 Orders)."""
import datetime as dt
import json
import threading
import uuid

import pytest
import requests

from external_service import key_headers
from conftest import (ORDER_KEYS, assert_json, assert_problem, create_order, create_user, describe,
                      list_all, order_payload, parse_time, uuid7_millis)


@pytest.fixture(scope="module")
def user(server):
    return create_user(server, name="Order Owner")


def test_create_order_has_documented_shape(server, user):
    items = [{"sku": "SHURIKEN", "quantity": 3, "unit_price": 1999},
             {"sku": "KATANA", "quantity": 1, "unit_price": 25000}]
    resp = server.post("/v1/orders", json={"user_id": user["id"], "items": items})
    body = assert_json(resp, 201)
    assert set(body) == ORDER_KEYS, describe(resp)
    assert body["user_id"] == user["id"]
    assert body["items"] == items
    assert body["currency"] == "USD"
    assert body["total"] == 3 * 1999 + 25000
    assert body["status"] == "created"
    assert body["note"] is None
    assert resp.headers.get("Location") == f"/v1/orders/{body['id']}", describe(resp)


def test_order_id_and_created_at(server, user):
    before = dt.datetime.now(dt.timezone.utc)
    order = create_order(server, user["id"])
    created = parse_time(order["created_at"])
    assert abs((created - before).total_seconds()) < 5, order["created_at"]
    assert abs(uuid7_millis(order["id"]) - int(created.timestamp() * 1000)) < 2000, order


def test_get_order_returns_same_representation(server, user):
    order = create_order(server, user["id"], note="leave at the dojo", currency="JPY")
    assert assert_json(server.get(f"/v1/orders/{order['id']}"), 200) == order
    assert order["note"] == "leave at the dojo"
    assert order["currency"] == "JPY"


def test_items_keep_their_order(server, user):
    items = [{"sku": f"S{i:02d}", "quantity": i + 1, "unit_price": 7 * i} for i in range(12)]
    order = create_order(server, user["id"], items=items)
    assert order["items"] == items
    assert server.get(f"/v1/orders/{order['id']}").json()["items"] == items


def test_total_is_exact_integer_at_maximum(server, user):
    items = [{"sku": f"MAX-{i}", "quantity": 1000, "unit_price": 100000000} for i in range(100)]
    resp = server.post("/v1/orders", json=order_payload(user["id"], items))
    body = assert_json(resp, 201)
    assert isinstance(body["total"], int), f"total is not a JSON integer: {resp.text[-200:]!r}"
    assert body["total"] == 10 ** 13
    assert '"total":10000000000000' in resp.text.replace(" ", ""), resp.text[-200:]
    again = server.get(f"/v1/orders/{body['id']}")
    assert again.json()["total"] == 10 ** 13 and isinstance(again.json()["total"], int)


def test_total_is_exact_for_odd_values(server, user):
    # Values chosen so that any float32 or rounding/truncation step shows up in the last digits.
    items = [{"sku": f"ODD-{i}", "quantity": 999 - i, "unit_price": 99999999 - 7919 * i} for i in range(100)]
    expected = sum(it["quantity"] * it["unit_price"] for it in items)
    body = create_order(server, user["id"], items=items)
    assert isinstance(body["total"], int) and body["total"] == expected, (body["total"], expected)
    assert json.loads(server.get(f"/v1/orders/{body['id']}").text)["total"] == expected


def test_free_items_total_zero(server, user):
    order = create_order(server, user["id"], items=[{"sku": "FREE", "quantity": 5, "unit_price": 0}])
    assert order["total"] == 0 and isinstance(order["total"], int)


def test_optional_fields_null_mean_absent(server, user):
    order = create_order(server, user["id"], note=None, currency=None)
    assert order["note"] is None
    assert order["currency"] == "USD"


def test_order_for_unknown_user_is_422(server):
    resp = server.post("/v1/orders", json=order_payload(str(uuid.uuid4())))
    assert_problem(resp, 422, "/problems/validation", fields={"user_id"})


def test_order_for_deleted_user_is_422(server):
    gone = create_user(server)
    assert server.delete(f"/v1/users/{gone['id']}").status_code == 204
    resp = server.post("/v1/orders", json=order_payload(gone["id"]))
    assert_problem(resp, 422, "/problems/validation", fields={"user_id"})


def test_get_unknown_order_is_404(server):
    assert_problem(server.get(f"/v1/orders/{uuid.uuid4()}"), 404, "/problems/not-found")


def test_delete_order(server, user):
    order = create_order(server, user["id"])
    resp = server.delete(f"/v1/orders/{order['id']}")
    assert resp.status_code == 204 and resp.content == b"", describe(resp)
    assert_problem(server.get(f"/v1/orders/{order['id']}"), 404, "/problems/not-found")
    assert_problem(server.delete(f"/v1/orders/{order['id']}"), 404, "/problems/not-found")
    listed = server.get(f"/v1/orders?user_id={user['id']}&limit=100").json()["items"]
    assert order["id"] not in {o["id"] for o in listed}


def test_delete_unknown_order_is_404(server):
    assert_problem(server.delete(f"/v1/orders/{uuid.uuid4()}"), 404, "/problems/not-found")


def test_deleting_order_keeps_user(server):
    owner = create_user(server)
    order = create_order(server, owner["id"])
    assert server.delete(f"/v1/orders/{order['id']}").status_code == 204
    assert assert_json(server.get(f"/v1/users/{owner['id']}"), 200) == owner


def test_user_orders_lists_only_that_users_orders(server):
    a, b = create_user(server), create_user(server)
    a_orders = [create_order(server, a["id"], note=f"a{i}") for i in range(3)]
    create_order(server, b["id"], note="b0")
    listed = assert_json(server.get(f"/v1/users/{a['id']}/orders"), 200)
    assert listed["items"] == list(reversed(a_orders))
    assert listed["next_cursor"] is None


def test_many_sequential_orders_all_retrievable(server, user):
    orders = [create_order(server, user["id"], items=[{"sku": f"N{i}", "quantity": 1, "unit_price": i}])
              for i in range(30)]
    for order in orders:
        assert server.get(f"/v1/orders/{order['id']}").json() == order


def test_concurrent_orders_all_distinct_and_retrievable(server):
    owner = create_user(server)
    per_thread, n = 15, 8
    results = [[] for _ in range(n)]

    def worker(i):
        with requests.Session() as s:
            s.headers.update(key_headers())
            for j in range(per_thread):
                results[i].append(s.post(server.url("/v1/orders"), timeout=15, json=order_payload(
                    owner["id"], items=[{"sku": f"T{i}", "quantity": j + 1, "unit_price": 100 + i}],
                    note=f"{i}-{j}")))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    flat = [r for rs in results for r in rs]
    assert len(flat) == n * per_thread
    bad = [describe(r) for r in flat if r.status_code != 201]
    assert not bad, bad[:3]
    bodies = [r.json() for r in flat]
    assert len({b["id"] for b in bodies}) == len(bodies)
    for rs in results:  # within one client, later requests get later ids
        ids = [r.json()["id"] for r in rs]
        assert ids == sorted(ids)
    listed = list_all(server, f"/v1/users/{owner['id']}/orders")
    assert len(listed) == len(bodies)
    assert {o["id"]: o for o in listed} == {b["id"]: b for b in bodies}
