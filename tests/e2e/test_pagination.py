"""Cursor pagination of users and orders: newest first, each item once, strict parameter checks."""
import uuid

import pytest

from conftest import assert_json, assert_problem, create_order, create_user, list_all


def walk(srv, path, limit, cursor=None):
    """Returns the list of pages (each the list of items) following next_cursor from `cursor`."""
    pages = []
    sep = "&" if "?" in path else "?"
    for _ in range(1000):
        url = f"{path}{sep}limit={limit}"
        if cursor is not None:
            url += "&cursor=" + requests_quote(cursor)
        body = assert_json(srv.get(url), 200)
        assert set(body) == {"items", "next_cursor"}, body
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert isinstance(cursor, str) and cursor, body
    raise AssertionError("pagination does not end")


def requests_quote(value):
    from requests.utils import quote
    return quote(value, safe="")


def test_users_pages_newest_first_each_once(fresh_server):
    created = [create_user(fresh_server, name=f"P{i}") for i in range(7)]
    pages = walk(fresh_server, "/v1/users", 3)
    assert [len(p) for p in pages] == [3, 3, 1]
    ids = [u["id"] for page in pages for u in page]
    assert ids == [u["id"] for u in reversed(created)]
    assert all(a > b for a, b in zip(ids, ids[1:])), ids
    assert [u for page in pages for u in page] == list(reversed(created))


def test_exact_multiple_of_limit_ends_with_null_cursor(fresh_server):
    created = [create_user(fresh_server) for _ in range(6)]
    pages = walk(fresh_server, "/v1/users", 3)
    items = [u["id"] for p in pages for u in p]
    assert items == [u["id"] for u in reversed(created)]
    # a trailing empty page is tolerated, a missing end is not
    assert [len(p) for p in pages] in ([3, 3], [3, 3, 0]), [len(p) for p in pages]


def test_empty_list(fresh_server):
    body = assert_json(fresh_server.get("/v1/users"), 200)
    assert body == {"items": [], "next_cursor": None}
    body = assert_json(fresh_server.get("/v1/orders"), 200)
    assert body == {"items": [], "next_cursor": None}


def test_new_items_do_not_disturb_a_running_walk(fresh_server):
    created = [create_user(fresh_server) for _ in range(7)]
    first = assert_json(fresh_server.get("/v1/users?limit=3"), 200)
    late = [create_user(fresh_server) for _ in range(2)]
    rest = walk(fresh_server, "/v1/users", 3, cursor=first["next_cursor"])
    seen = [u["id"] for u in first["items"]] + [u["id"] for p in rest for u in p]
    assert seen == [u["id"] for u in reversed(created)]
    assert not {u["id"] for u in late} & set(seen)


def test_deleted_items_skipped_without_breaking_cursor(fresh_server):
    created = [create_user(fresh_server) for _ in range(6)]
    first = assert_json(fresh_server.get("/v1/users?limit=2"), 200)
    # delete the item the cursor points just past and one further down
    for victim in (created[3], created[1]):
        assert fresh_server.delete(f"/v1/users/{victim['id']}").status_code == 204
    rest = walk(fresh_server, "/v1/users", 2, cursor=first["next_cursor"])
    seen = [u["id"] for u in first["items"]] + [u["id"] for p in rest for u in p]
    assert seen == [created[i]["id"] for i in (5, 4, 2, 0)]


def test_default_limit_is_20(server):
    owner = create_user(server)
    for i in range(21):
        create_order(server, owner["id"], note=str(i))
    body = assert_json(server.get(f"/v1/users/{owner['id']}/orders"), 200)
    assert len(body["items"]) == 20
    assert isinstance(body["next_cursor"], str)
    rest = assert_json(server.get(f"/v1/users/{owner['id']}/orders?cursor="
                                  + requests_quote(body["next_cursor"])), 200)
    assert [o["note"] for o in rest["items"]] == ["0"] and rest["next_cursor"] is None


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_bounds_accepted(server, limit):
    for _ in range(2):
        create_user(server)
    body = assert_json(server.get(f"/v1/users?limit={limit}"), 200)
    assert 1 <= len(body["items"]) <= int(limit)
    if limit == "1":
        assert len(body["items"]) == 1 and body["next_cursor"] is not None


@pytest.mark.parametrize("path", ["/v1/users", "/v1/orders", "/v1/users/{uid}/orders"])
@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1", "1.5", "10abc", "99999999999999999999"])
def test_bad_limit_is_400(server, path, limit):
    owner = create_user(server)
    resp = server.get(path.format(uid=owner["id"]) + f"?limit={limit}")
    assert_problem(resp, 400, "/problems/bad-query")


@pytest.mark.parametrize("path", ["/v1/users", "/v1/orders", "/v1/users/{uid}/orders"])
@pytest.mark.parametrize("cursor", ["garbage", "!!!", "eyJpZCI6ICJ4In0", "%00%ff", "%%%", "%zz", "a%2"])
def test_bad_cursor_is_400(server, path, cursor):
    owner = create_user(server)
    resp = server.get(path.format(uid=owner["id"]) + f"?cursor={cursor}")
    assert_problem(resp, 400, "/problems/bad-query")


def test_orders_filtered_by_user_id(fresh_server):
    a, b = create_user(fresh_server), create_user(fresh_server)
    a_orders = []
    for i in range(5):
        a_orders.append(create_order(fresh_server, a["id"], note=f"a{i}"))
        create_order(fresh_server, b["id"], note=f"b{i}")
    pages = walk(fresh_server, f"/v1/orders?user_id={a['id']}", 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [o for p in pages for o in p] == list(reversed(a_orders))
    ids = [o["id"] for p in pages for o in p]
    assert all(x > y for x, y in zip(ids, ids[1:]))


def test_orders_under_user(fresh_server):
    a, b = create_user(fresh_server), create_user(fresh_server)
    a_orders = []
    for i in range(4):
        create_order(fresh_server, b["id"])
        a_orders.append(create_order(fresh_server, a["id"], note=f"a{i}"))
    pages = walk(fresh_server, f"/v1/users/{a['id']}/orders", 3)
    assert [len(p) for p in pages] == [3, 1]
    assert [o for p in pages for o in p] == list(reversed(a_orders))


def test_all_orders_without_filter(fresh_server):
    a, b = create_user(fresh_server), create_user(fresh_server)
    created = [create_order(fresh_server, u["id"]) for u in (a, b, a, b, b)]
    pages = walk(fresh_server, "/v1/orders", 2)
    assert [o for p in pages for o in p] == list(reversed(created))


def test_user_id_filter_not_uuid_is_400(server):
    assert_problem(server.get("/v1/orders?user_id=not-a-uuid"), 400, "/problems/bad-query")


def test_user_id_filter_unknown_user_is_empty(server):
    body = assert_json(server.get(f"/v1/orders?user_id={uuid.uuid4()}"), 200)
    assert body == {"items": [], "next_cursor": None}


def test_user_orders_of_unknown_user_is_404(server):
    assert_problem(server.get(f"/v1/users/{uuid.uuid4()}/orders"), 404, "/problems/not-found")


def test_unknown_query_parameters_ignored(server):
    owner = create_user(server)
    order = create_order(server, owner["id"])
    body = assert_json(server.get(f"/v1/users/{owner['id']}/orders?foo=bar&limit=5&x"), 200)
    assert body["items"] == [order]


def test_listed_users_equal_get(server):
    for _ in range(3):
        create_user(server)
    for listed in list_all(server, "/v1/users")[:10]:
        assert server.get(f"/v1/users/{listed['id']}").json() == listed


@pytest.mark.parametrize("param", ["limit=2&limit=3", "cursor=a&cursor=b", "user_id={u}&user_id={u}"])
def test_repeated_query_parameter_is_400(server, param):
    owner = create_user(server)
    r = server.get("/v1/orders?" + param.format(u=owner["id"]))
    assert_problem(r, 400, "/problems/bad-query")


def test_a_broken_query_on_an_unknown_path_is_still_404(server):
    assert_problem(server.get("/v1/nowhere?cursor=%%%"), 404, "/problems/not-found")
