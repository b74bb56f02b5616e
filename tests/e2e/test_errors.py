"""RFC 9457 problem details and the generic error statuses (API.md §2 Errors, Gateway behaviour)."""
import json
import uuid

import pytest

from external_service import no_metrics
from conftest import assert_json, assert_problem, create_order, create_user, describe, unique_email, user_payload
from rawhttp import RawConn

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def entities(server):
    owner = create_user(server)
    return owner, create_order(server, owner["id"])


@pytest.mark.parametrize("method,path", [("GET", "/"), ("GET", "/nope"), ("GET", "/v1"), ("GET", "/v1/nope"),
                                         ("POST", "/v1/nope"), ("GET", "/v2/users"),
                                         ("GET", "/v1/users/{uid}/orders/extra"), ("DELETE", "/v1/widgets/1"),
                                         ("GET", "/V1/USERS")])
def test_unknown_route_is_404_problem(server, entities, method, path):
    resp = server.request(method, path.format(uid=entities[0]["id"]))
    assert_problem(resp, 404, "/problems/not-found")


@pytest.mark.parametrize("method,path", [
    ("GET", "/v1/users/123"), ("GET", "/v1/users/not-a-uuid"), ("DELETE", "/v1/users/not-a-uuid"),
    ("GET", "/v1/orders/xyz"), ("DELETE", "/v1/orders/0"), ("GET", "/v1/users/abc/orders"),
    ("GET", "/v1/orders/%20"), ("GET", "/v1/users/" + "f" * 36),
    ("GET", "/v1/users/00000000-0000-0000-0000-00000000000g")])
def test_non_uuid_id_is_404(server, method, path):
    assert_problem(server.request(method, path), 404, "/problems/not-found")


def test_user_id_used_as_order_id_is_404(server, entities):
    owner, order = entities
    assert_problem(server.get(f"/v1/orders/{owner['id']}"), 404, "/problems/not-found")
    assert_problem(server.get(f"/v1/users/{order['id']}"), 404, "/problems/not-found")


def allow_set(resp):
    allow = resp.headers.get("Allow")
    assert allow, f"405 without Allow:{describe(resp)}"
    return {m.strip().upper() for m in allow.split(",") if m.strip()}


@pytest.mark.parametrize("method,path,must,must_not", [
    ("DELETE", "/v1/users", {"GET", "POST"}, {"DELETE"}),
    ("PUT", "/v1/users", {"GET", "POST"}, {"PUT"}),
    ("PATCH", "/v1/orders", {"GET", "POST"}, {"PATCH"}),
    ("POST", "/v1/users/{uid}", {"GET", "DELETE"}, {"POST"}),
    ("PUT", "/v1/orders/{oid}", {"GET", "DELETE"}, {"PUT"}),
    ("POST", "/v1/users/{uid}/orders", {"GET"}, {"POST"}),
    ("POST", "/healthz", {"GET"}, {"POST"}),
    pytest.param("DELETE", "/metrics", {"GET"}, {"DELETE"}, marks=no_metrics),
])
def test_wrong_method_is_405_with_allow(server, entities, method, path, must, must_not):
    owner, order = entities
    resp = server.request(method, path.format(uid=owner["id"], oid=order["id"]),
                          data=b"{}", headers=JSON)
    assert_problem(resp, 405, "/problems/method-not-allowed")
    allowed = allow_set(resp)
    assert must <= allowed and not (must_not & allowed), describe(resp)


def test_405_does_not_execute(server, entities):
    owner, _ = entities
    server.request("PUT", f"/v1/users/{owner['id']}", json={"name": "Changed"})
    assert server.get(f"/v1/users/{owner['id']}").json() == owner


@pytest.mark.parametrize("ctype", [None, "text/plain", "application/x-www-form-urlencoded", "text/json",
                                   "application/jsonx", "application/xml", "multipart/form-data; boundary=x",
                                   "json"])
def test_post_without_json_content_type_is_415(server, ctype):
    body = json.dumps(user_payload()).encode()
    headers = {} if ctype is None else {"Content-Type": ctype}
    resp = server.post("/v1/users", data=body, headers=headers)
    if ctype is None:
        assert "Content-Type" not in resp.request.headers
    assert_problem(resp, 415, "/problems/unsupported-media-type")


def test_415_beats_malformed_body(server):
    resp = server.post("/v1/orders", data=b"not json at all", headers={"Content-Type": "text/plain"})
    assert_problem(resp, 415, "/problems/unsupported-media-type")


@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8", "application/json;charset=UTF-8",
                                   "application/json ; charset=utf-8", "Application/JSON"])
def test_json_content_type_variants_accepted(server, ctype):
    resp = server.post("/v1/users", data=json.dumps(user_payload()).encode(), headers={"Content-Type": ctype})
    assert resp.status_code == 201, describe(resp)


def test_validation_problem_shape(server):
    resp = server.post("/v1/users", json={"name": "", "email": "x"})
    body = assert_problem(resp, 422, "/problems/validation", fields={"name", "email"})
    assert isinstance(body["errors"], list)


def test_malformed_json_problem(server):
    assert_problem(server.post("/v1/orders", data=b"{oops", headers=JSON), 400, "/problems/malformed-json")


def test_payload_too_large_small_limit(start_server):
    srv = start_server(max_body=200)
    small = {"name": "S", "email": unique_email()}
    assert len(json.dumps(small)) <= 200
    assert srv.post("/v1/users", json=small).status_code == 201
    big = user_payload(name="B" * 150, email=unique_email())
    data = json.dumps(big).encode()
    assert len(data) > 200
    assert_problem(srv.post("/v1/users", data=data, headers=JSON), 413, "/problems/payload-too-large")
    # not created: the same email is still free
    assert srv.post("/v1/users", json={"name": "B", "email": big["email"]}).status_code == 201


def test_payload_too_large_chunked(start_server):
    srv = start_server(max_body=300)
    owner = create_user(srv)
    body = json.dumps({"user_id": owner["id"], "items": [{"sku": "X", "quantity": 1, "unit_price": 1}],
                       "note": "n" * 400}).encode()

    def chunks():
        for i in range(0, len(body), 50):
            yield body[i:i + 50]

    resp = srv.post("/v1/orders", data=chunks(), headers=JSON)
    assert resp.request.headers.get("Transfer-Encoding") == "chunked"
    assert_problem(resp, 413, "/problems/payload-too-large")
    assert srv.get(f"/v1/users/{owner['id']}/orders").json()["items"] == []


def test_payload_limit_counts_bytes_exactly(start_server):
    srv = start_server(max_body=120)
    for size, expected in ((120, 201), (121, 413)):
        base = {"name": "", "email": unique_email()}
        base["name"] = "n" * (size - len(json.dumps(base).encode()))
        data = json.dumps(base).encode()
        assert len(data) == size
        resp = srv.post("/v1/users", data=data, headers=JSON)
        assert resp.status_code == expected, describe(resp)


def test_default_body_limit_is_1mib(server):
    body = b'{"name":"' + b"a" * (1048576 + 1 - len(b'{"name":""}')) + b'"}'
    assert len(body) == 1048577
    conn = RawConn(server.host, server.port, timeout=10)
    try:
        conn.send(b"POST /v1/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body))
        conn.send(body)
        resp = conn.read_response(10)
    finally:
        conn.close()
    assert resp is not None, "no response to a 1 MiB + 1 body"
    assert resp.status == 413, resp
    assert resp.header("content-type").startswith("application/problem+json")
    assert resp.json()["type"] == "/problems/payload-too-large"


def test_request_id_echoed(server):
    rid = "e2e-" + uuid.uuid4().hex
    resp = server.get("/healthz", headers={"X-Request-Id": rid})
    assert resp.headers.get("X-Request-Id") == rid, describe(resp)


def test_request_id_echoed_on_errors(server):
    rid = "e2e-err-" + uuid.uuid4().hex
    resp = server.get(f"/v1/users/{uuid.uuid4()}", headers={"X-Request-Id": rid})
    assert resp.status_code == 404
    assert resp.headers.get("X-Request-Id") == rid, describe(resp)
    resp = server.post("/v1/users", json={}, headers={"X-Request-Id": rid + "-2"})
    assert resp.status_code == 422
    assert resp.headers.get("X-Request-Id") == rid + "-2", describe(resp)


def test_request_id_generated_when_missing(server):
    seen = set()
    for path in ("/healthz", "/v1/users", "/nope"):
        resp = server.get(path)
        rid = resp.headers.get("X-Request-Id")
        assert rid and rid.strip(), describe(resp)
        seen.add(rid)
    assert len(seen) == 3, seen


def test_request_id_on_created(server):
    rid = "create-" + uuid.uuid4().hex
    resp = server.post("/v1/users", json=user_payload(), headers={"X-Request-Id": rid})
    assert_json(resp, 201)
    assert resp.headers.get("X-Request-Id") == rid
