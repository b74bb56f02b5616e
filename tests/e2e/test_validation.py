"""Every field rule of API.md §2 and the decoding rules of CONVENTIONS.md: 400 malformed, 422 with errors[]
naming exactly the offending fields."""
import uuid

import pytest

from conftest import assert_json, assert_problem, create_user, describe, unique_email

JSON = {"Content-Type": "application/json"}


def email_of_length(n):
    """A syntactically valid address of exactly n characters (labels ≤ 63)."""
    local = uuid.uuid4().hex + "a" * 32          # 64
    tail = ".com"
    rest = n - len(local) - 1 - len(tail)
    labels = []
    while rest > 0:
        size = min(63, rest)
        if rest - size == 1:                     # avoid a dangling single '.'
            size -= 1
        labels.append("d" * size)
        rest -= size + 1
    addr = f"{local}@{'.'.join(labels)}{tail}"
    assert len(addr) == n, (len(addr), n)
    return addr


# ---- users ---------------------------------------------------------------------------------------
def post_user(srv, **fields):
    body = {"name": "Valid Name", "email": unique_email()}
    for key, value in fields.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return srv.post("/v1/users", json=body)


BAD_USER_FIELDS = [
    ("name", ...), ("name", None), ("name", ""), ("name", "   "), ("name", "\t\n"), ("name", "x" * 201),
    ("name", "é" * 201), ("name", 42), ("name", ["a"]), ("name", {"a": 1}), ("name", True),
    ("email", ...), ("email", None), ("email", ""), ("email", "plainaddress"), ("email", "user@example"),
    ("email", "@example.com"), ("email", "user@"), ("email", "us er@example.com"), ("email", "a@@example.com"),
    ("email", "user@exa mple.com"), ("email", 12), ("email", ["a@example.com"]),
    ("phone", "4915112345678"), ("phone", "+123456"), ("phone", "+1234567890123456"), ("phone", "+49 151 1234"),
    ("phone", "+49151abc45"), ("phone", ""), ("phone", "+"), ("phone", 4915112345678),
    ("notify_channel", "pager"), ("notify_channel", "EMAIL"), ("notify_channel", ""), ("notify_channel", 1),
    ("unexpected", "field"),
]


@pytest.mark.parametrize("field,value", BAD_USER_FIELDS, ids=lambda v: repr(v)[:30])
def test_bad_user_field_is_422_naming_it(server, field, value):
    resp = post_user(server, **{field: value})
    assert_problem(resp, 422, "/problems/validation", fields={field})


def test_email_longer_than_254_rejected(server):
    assert_problem(post_user(server, email=email_of_length(255)), 422, "/problems/validation",
                   fields={"email"})


@pytest.mark.parametrize("name", ["x", "x" * 200, "é" * 200, "  " + "y" * 200 + "  "])
def test_name_length_bounds_accepted(server, name):
    resp = post_user(server, name=name)
    assert assert_json(resp, 201)["name"] == name.strip()


@pytest.mark.parametrize("name", ["\u3000", "\u2028", " \u00a0\ufeff\u2003 "], ids=ascii)
def test_a_name_of_unicode_white_space_only_is_rejected(server, name):
    assert_problem(post_user(server, name=name), 422, "/problems/validation", fields={"name"})


def test_unicode_white_space_around_a_name_is_trimmed(server):
    assert assert_json(post_user(server, name="\u3000Hattori\u3000Hanzo\u2028"), 201)["name"] == "Hattori\u3000Hanzo"


def test_email_of_254_accepted(server):
    addr = email_of_length(254)
    assert assert_json(post_user(server, email=addr), 201)["email"] == addr


@pytest.mark.parametrize("phone", ["+1234567", "+123456789012345", "+4915112345678"])
def test_phone_bounds_accepted(server, phone):
    assert assert_json(post_user(server, phone=phone), 201)["phone"] == phone


def test_optional_user_fields_null_mean_absent(server):
    body = assert_json(post_user(server, phone=None, notify_channel=None, webhook_url=None), 201)
    assert (body["phone"], body["notify_channel"], body["webhook_url"]) == (None, "email", None)


def test_sms_channel_needs_phone(server):
    body = assert_problem(post_user(server, notify_channel="sms"), 422, "/problems/validation")
    fields = {e["field"] for e in body["errors"]}
    assert fields and fields <= {"phone", "notify_channel"}, body


def test_webhook_channel_needs_url(server):
    body = assert_problem(post_user(server, notify_channel="webhook"), 422, "/problems/validation")
    fields = {e["field"] for e in body["errors"]}
    assert fields and fields <= {"webhook_url", "notify_channel"}, body


@pytest.mark.parametrize("url", ["ftp://example.com/h", "example.com/hook", "http://", "https://",
                                 "javascript:alert(1)", "", "http//example.com", 17])
def test_bad_webhook_url(server, url):
    resp = post_user(server, notify_channel="webhook", webhook_url=url)
    assert_problem(resp, 422, "/problems/validation", fields={"webhook_url"})


@pytest.mark.parametrize("url", ["http://example.com/hook", "https://hooks.example.com:8443/a/b?c=d"])
def test_good_webhook_url(server, url):
    assert assert_json(post_user(server, notify_channel="webhook", webhook_url=url), 201)["webhook_url"] == url


def test_all_bad_user_fields_reported_together(server):
    resp = server.post("/v1/users", json={"name": " ", "email": "nope", "phone": "123",
                                          "notify_channel": "fax", "color": "red"})
    assert_problem(resp, 422, "/problems/validation",
                   fields={"name", "email", "phone", "notify_channel", "color"})


def test_rejected_user_leaves_nothing_behind(server):
    email = unique_email()
    assert post_user(server, email=email, phone="bad").status_code == 422
    assert post_user(server, email=email).status_code == 201


# ---- orders --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def buyer(server):
    return create_user(server, name="Validating Buyer")


def item(**over):
    it = {"sku": "SKU", "quantity": 1, "unit_price": 100}
    for key, value in over.items():
        if value is ...:
            it.pop(key)
        else:
            it[key] = value
    return it


def post_order(srv, body):
    return srv.post("/v1/orders", json=body)


BAD_ITEM_FIELDS = [
    ("sku", ...), ("sku", None), ("sku", ""), ("sku", "s" * 65), ("sku", 12), ("sku", ["a"]),
    ("quantity", ...), ("quantity", None), ("quantity", 0), ("quantity", -1), ("quantity", 1001),
    ("quantity", 1.5), ("quantity", "1"), ("quantity", True), ("quantity", 10 ** 30),
    ("unit_price", ...), ("unit_price", None), ("unit_price", -1), ("unit_price", 100000001),
    ("unit_price", 2.5), ("unit_price", "5"), ("unit_price", False), ("unit_price", -(10 ** 30)),
    ("color", "red"),
]


@pytest.mark.parametrize("field,value", BAD_ITEM_FIELDS, ids=lambda v: repr(v)[:30])
def test_bad_item_field_named_with_index(server, buyer, field, value):
    items = [item(), item(sku="B"), item(**{field: value})]
    resp = post_order(server, {"user_id": buyer["id"], "items": items})
    assert_problem(resp, 422, "/problems/validation", fields={f"items[2].{field}"})


@pytest.mark.parametrize("over", [{"sku": "s" * 64}, {"quantity": 1000}, {"unit_price": 0},
                                  {"unit_price": 100000000}, {"sku": "Ü" * 64}])
def test_item_bounds_accepted(server, buyer, over):
    resp = post_order(server, {"user_id": buyer["id"], "items": [item(**over)]})
    assert assert_json(resp, 201)["items"] == [item(**over)]


@pytest.mark.parametrize("items", [..., None, [], {}, "items", 3], ids=repr)
def test_bad_items_container(server, buyer, items):
    body = {"user_id": buyer["id"]}
    if items is not ...:
        body["items"] = items
    assert_problem(post_order(server, body), 422, "/problems/validation", fields={"items"})


def test_more_than_100_items(server, buyer):
    resp = post_order(server, {"user_id": buyer["id"], "items": [item() for _ in range(101)]})
    assert_problem(resp, 422, "/problems/validation", fields={"items"})


def test_exactly_100_items_accepted(server, buyer):
    resp = post_order(server, {"user_id": buyer["id"], "items": [item() for _ in range(100)]})
    assert assert_json(resp, 201)["total"] == 100 * 100


@pytest.mark.parametrize("entry", [5, "x", None, [], True], ids=repr)
def test_item_not_an_object(server, buyer, entry):
    resp = post_order(server, {"user_id": buyer["id"], "items": [item(), entry]})
    assert_problem(resp, 422, "/problems/validation", fields={"items[1]"})


@pytest.mark.parametrize("user_id", [..., None, "", "not-a-uuid", 7, str(uuid.uuid4()).upper() + "x"])
def test_bad_user_id(server, user_id):
    body = {"items": [item()]}
    if user_id is not ...:
        body["user_id"] = user_id
    assert_problem(post_order(server, body), 422, "/problems/validation", fields={"user_id"})


@pytest.mark.parametrize("currency", ["usd", "US", "USDX", "U1D", "", 840, "€UR"])
def test_bad_currency(server, buyer, currency):
    resp = post_order(server, {"user_id": buyer["id"], "items": [item()], "currency": currency})
    assert_problem(resp, 422, "/problems/validation", fields={"currency"})


@pytest.mark.parametrize("note", ["n" * 501, "ñ" * 501, 5, ["x"], {"a": "b"}], ids=lambda v: repr(v)[:20])
def test_bad_note(server, buyer, note):
    resp = post_order(server, {"user_id": buyer["id"], "items": [item()], "note": note})
    assert_problem(resp, 422, "/problems/validation", fields={"note"})


@pytest.mark.parametrize("note", ["", "n" * 500, "ñ" * 500, "line\nbreak \"quoted\" \\ 🥷"])
def test_note_accepted(server, buyer, note):
    resp = post_order(server, {"user_id": buyer["id"], "items": [item()], "note": note})
    assert assert_json(resp, 201)["note"] == note


def test_unknown_order_field(server, buyer):
    resp = post_order(server, {"user_id": buyer["id"], "items": [item()], "discount": 5})
    assert_problem(resp, 422, "/problems/validation", fields={"discount"})


def test_all_bad_order_fields_reported_together(server, buyer):
    items = [item(sku="", quantity=0, unit_price=-1), item(),
             item(sku="s" * 65, quantity=1001, unit_price=100000001)]
    resp = post_order(server, {"user_id": buyer["id"], "items": items, "currency": "usd", "note": "n" * 501})
    assert_problem(resp, 422, "/problems/validation", fields={
        "items[0].sku", "items[0].quantity", "items[0].unit_price",
        "items[2].sku", "items[2].quantity", "items[2].unit_price", "currency", "note"})


def test_every_bad_item_is_reported(server, buyer):
    items = [item(quantity=0) for _ in range(100)]
    resp = post_order(server, {"user_id": buyer["id"], "items": items})
    assert_problem(resp, 422, "/problems/validation",
                   fields={f"items[{i}].quantity" for i in range(100)})


def test_rejected_order_leaves_nothing_behind(server):
    owner = create_user(server)
    resp = post_order(server, {"user_id": owner["id"], "items": [item(quantity=0)]})
    assert resp.status_code == 422, describe(resp)
    assert server.get(f"/v1/users/{owner['id']}/orders").json()["items"] == []


# ---- decoding ------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [b"", b"{", b"{\"name\":}", b"[]", b"\"str\"", b"null", b"123", b"true",
                                 b"{} {}", b"{\"name\":\"a\",}", b"{'name':'a'}", b"{\"a\":01}",
                                 b"{\"a\":NaN}", b"\xef\xbb\xbf{}x"], ids=repr)
def test_malformed_json_is_400(server, raw):
    resp = server.post("/v1/users", data=raw, headers=JSON)
    assert_problem(resp, 400, "/problems/malformed-json")


@pytest.mark.parametrize("path", ["/v1/users", "/v1/orders"])
def test_nesting_deeper_than_32_is_400(server, path):
    value = "[" * 40 + "]" * 40
    resp = server.post(path, data=f'{{"name": {value}}}'.encode(), headers=JSON)
    assert_problem(resp, 400, "/problems/malformed-json")


def test_moderate_nesting_is_a_validation_error(server):
    value = "[" * 10 + "]" * 10
    resp = server.post("/v1/users", data=f'{{"name": {value}, "email": "{unique_email()}"}}'.encode(),
                       headers=JSON)
    assert_problem(resp, 422, "/problems/validation", fields={"name"})


def test_invalid_utf8_is_400(server):
    raw = b'{"name":"bad \xff\xfe","email":"' + unique_email().encode() + b'"}'
    assert_problem(server.post("/v1/users", data=raw, headers=JSON), 400, "/problems/malformed-json")


def test_escaped_unicode_accepted(server):
    raw = ('{"name":"\\u00c9mile \\ud83e\\udd77","email":"%s"}' % unique_email()).encode()
    resp = server.post("/v1/users", data=raw, headers=JSON)
    assert assert_json(resp, 201)["name"] == "Émile 🥷"

