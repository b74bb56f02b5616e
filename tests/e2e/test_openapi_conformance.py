"""The OpenAPI document says what the server does, in the forms generated clients read (issue 13 §1):
nullable enums list null, request fields state defaults in words (a `default` makes generated request
types require the field), every operation has the same error responses, Problem.type is the closed list
of the slugs in src/, 422s have a schema with `errors`, headers the server always sends are required.
(Every response of every e2e test is also checked against this document by contract_hook.py.)"""
import json
import re
import signal
import socket
import time
import uuid
from pathlib import Path

from external_service import GATEWAY, not_on_gateway
import pytest
import requests

from rawhttp import RawConn
from conftest import assert_problem, create_user, describe, user_payload

ROOT = Path(__file__).resolve().parents[2]
OPERATION_KEYS = ("get", "put", "post", "delete", "patch")
# Every call that builds a problem names its slug as a literal: problem(422, "validation", ...
PROBLEM_CALL_RE = re.compile(r'problem\(\s*(\d{3})\s*,\s*"([a-z-]+)"')


@pytest.fixture(scope="module")
def doc(server):
    r = requests.get(server.url("/openapi.json"), timeout=10)
    assert r.status_code == 200, describe(r)
    return r.json()


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        target = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def walk(node, where="#"):
    """(pointer, dict) for every object in the document."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{where}/{i}")


def operations(doc):
    for path, item in doc["paths"].items():
        for method in OPERATION_KEYS:
            if method in item:
                yield path, method, item[method]


def server_slugs():
    """{slug: status} of every problem the C++ sources can build."""
    found = {}
    for source in list((ROOT / "src").rglob("*.cpp")) + list((ROOT / "src").rglob("*.hpp")):
        for status, slug in PROBLEM_CALL_RE.findall(source.read_text(encoding="utf-8")):
            found[slug] = int(status)
    return found


def test_every_nullable_enum_lists_null(doc):
    # OpenAPI 3.0.3: `nullable` does not add null to an enum, so a validator refuses the null it allows.
    bad = [where for where, node in walk(doc) if node.get("nullable") is True and "enum" in node
           and None not in node["enum"]]
    assert not bad, f"nullable enums without null: {bad}"


def test_request_fields_state_defaults_in_words_not_in_default(doc):
    bad = []
    for name, body in doc["components"]["requestBodies"].items():
        schema = deref(doc, body["content"]["application/json"]["schema"])
        for where, node in walk(schema, f"requestBodies/{name}"):
            if "default" in node:
                bad.append(where)
    assert not bad, f"request schemas with a default (generated clients make these required): {bad}"
    user = doc["components"]["schemas"]["CreateUserRequest"]["properties"]["notify_channel"]["description"]
    order = doc["components"]["schemas"]["CreateOrderRequest"]["properties"]["currency"]["description"]
    assert "means `email`" in user and "means `USD`" in order


def test_absent_optional_fields_get_the_documented_defaults(server):
    user = create_user(server)
    assert user["notify_channel"] == "email"
    explicit_null = create_user(server, notify_channel=None)
    assert explicit_null["notify_channel"] == "email"
    order = server.post("/v1/orders", json={"user_id": user["id"], "currency": None,
                                            "items": [{"sku": "A", "quantity": 1, "unit_price": 1}]})
    assert order.status_code == 201, describe(order)
    assert order.json()["currency"] == "USD"


def test_every_operation_declares_the_shared_error_responses(doc):
    missing = []
    for path, method, op in operations(doc):
        wanted = {"405", "default"} | ({"503", "429"} if path.startswith("/v1/") else set())
        if lacking := wanted - set(op["responses"]):
            missing.append(f"{method.upper()} {path} ({op['operationId']}): {sorted(lacking)}")
    assert not missing, "\n".join(missing)


def test_problem_type_is_the_list_of_every_slug_the_server_sends(doc):
    slugs = server_slugs()
    assert {"validation", "overloaded", "not-ready", "unavailable"} <= set(slugs), slugs  # the scan works
    documented = doc["components"]["schemas"]["Problem"]["properties"]["type"].get("enum")
    assert documented is not None, "Problem.type is a free string"
    assert sorted(documented) == sorted(f"/problems/{s}" for s in slugs)
    described = doc["components"]["schemas"]["Problem"]["description"]
    missing = [f"/problems/{s} {status}" for s, status in slugs.items() if f"`/problems/{s}` {status}" not in described]
    assert not missing, f"Problem's description does not list: {missing}"


def test_422_bodies_have_schemas_that_require_what_they_carry(doc, server):
    schemas = doc["components"]["schemas"]
    validation = deref(doc, schemas["ValidationProblem"])
    extra = [part for part in validation["allOf"] if "$ref" not in part][0]
    assert "errors" in extra["required"] and extra["properties"]["type"]["enum"] == ["/problems/validation"]
    response = deref(doc, doc["paths"]["/v1/users"]["post"]["responses"]["422"])
    one_of = response["content"]["application/problem+json"]["schema"]["oneOf"]
    assert {"$ref": "#/components/schemas/ValidationProblem"} in one_of
    # Both kinds of 422 the API sends, checked against that schema by the contract hook on the way.
    assert_problem(server.post("/v1/users", json={"email": 7}), 422, "/problems/validation", {"name", "email"})
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    assert server.post("/v1/users", json=user_payload(), headers=key).status_code == 201
    assert_problem(server.post("/v1/users", json=user_payload(), headers=key), 422, "/problems/idempotency-mismatch")


def test_webhook_url_limit_is_the_servers(doc, server):
    limit = doc["components"]["schemas"]["CreateUserRequest"]["properties"]["webhook_url"]["maxLength"]
    assert doc["components"]["schemas"]["User"]["properties"]["webhook_url"]["maxLength"] == limit
    base = "https://hooks.example.com/"
    for length, status in ((limit, 201), (limit + 1, 422)):
        url = base + "a" * (length - len(base))
        resp = server.post("/v1/users", json=user_payload(notify_channel="webhook", webhook_url=url))
        assert resp.status_code == status, f"{length} characters:{describe(resp)}"


def test_path_descriptions_name_the_allow_header_the_server_sends(doc, server):
    wrong = []
    for path, item in doc["paths"].items():
        if not_on_gateway(path):
            continue
        concrete = path.replace("{id}", str(uuid.uuid4()))
        allow = server.request("PATCH", concrete).headers.get("Allow")
        if f"Allowed methods: {allow}." not in item["description"] or "HEAD" not in allow:
            wrong.append(f"{path}: server Allow {allow!r}, description {item['description'][:80]!r}")
    assert not wrong, "\n".join(wrong)


def test_head_on_every_get_path_is_the_documented_get_without_body(doc, server):
    for path, item in doc["paths"].items():
        if "get" in item:
            resp = server.request("HEAD", path.replace("{id}", str(uuid.uuid4())))  # judged as the GET
            assert resp.content == b"", path


def test_401_sends_the_documented_challenge(doc, start_server):
    header = deref(doc, doc["components"]["responses"]["Unauthorized"]["headers"]["WWW-Authenticate"])
    assert header["required"] is True
    srv = start_server(auth="api-key")
    for key in (None, "nope"):
        resp = srv.get("/v1/users", headers={"x-api-key": key} if key else {})
        assert_problem(resp, 401, "/problems/unauthorized")
        assert resp.headers["WWW-Authenticate"] == 'ApiKey header="x-api-key"', describe(resp)


def test_every_503_sends_the_documented_retry_after(doc, start_server):
    header = deref(doc, doc["components"]["responses"]["ServiceUnavailable"]["headers"]["Retry-After"])
    assert header["required"] is True
    # not-ready: a draining server no longer accepts, so /readyz goes on a connection that was mid-request
    # (its body not all sent) when SIGTERM came; the server finishes what it had begun.
    srv = start_server(shutdown_grace=10)
    conn = RawConn(srv.host, srv.port, timeout=10)
    try:
        conn.send(b"GET /readyz HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{")
        time.sleep(0.2)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        conn.send(b"}")
        ready = conn.read_response(10)
    finally:
        conn.close()
    srv.proc.wait(15)
    assert ready is not None and ready.status == 503, ready
    assert ready.json()["type"] == "/problems/not-ready", ready
    assert (ready.header("Retry-After") or "").isdigit(), ready
    # overloaded: one connection more than --max-connections (through requests: the hook judges it too)
    busy = start_server(max_connections=1)
    holder = socket.create_connection((busy.host, busy.port))
    try:
        time.sleep(0.1)
        resp = requests.get(busy.url("/healthz"), timeout=5)
    finally:
        holder.close()
    assert_problem(resp, 503, "/problems/overloaded")
    assert resp.headers.get("Retry-After", "").isdigit(), describe(resp)


def test_the_webhook_content_type_decision_is_written_down(doc):
    info = doc["info"]["description"]
    assert "**Notifications.**" in info and "`Content-Type: application/json`" in info
    assert "application/cloudevents+json" in info  # and why not that
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Content-Type: application/json" in readme and "application/cloudevents+json" in readme


def test_a_429_carries_every_documented_header(doc, start_server):
    response = deref(doc, doc["components"]["responses"]["TooManyRequests"])
    names = {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}
    assert all(deref(doc, response["headers"][n])["required"] for n in names)
    srv = start_server(rate_limit=1, burst=1)
    statuses = [srv.get("/v1/users?limit=1") for _ in range(3)]  # each judged by the contract hook too
    throttled = [r for r in statuses if r.status_code == 429]
    assert throttled, [r.status_code for r in statuses]
    assert_problem(throttled[0], 429, "/problems/too-many-requests")
    assert names <= set(throttled[0].headers), describe(throttled[0])
