"""The packaged api function on the Runtime API emulator answers API Gateway's events (REST 1.0 and HTTP API
2.0) as `ninja-orders serve` answers the same requests over HTTP: every route of src/api/openapi.json and
the error cases, both on `dynamodb://` tables on moto (issue 11, point 3). Then what only the function
has: the request id from API Gateway, 1.0's decoded query maps, 2.0's cookies, base64 bodies, the API
key id. The failures that reach the Runtime API are in test_lambda_api_errors.py.

Run under tests/servers/with-servers (moto); without moto it skips locally and fails under CI=true.
"""
import base64
import json
import uuid

import pytest

from api_parity import Normalizer, Twin, comparable
from apigw_events import FORMATS, HttpReply, HttpRequest, from_reply, to_event
from lambda_deployment import lambda_package, moto  # noqa: F401 (fixtures)
from lambda_deployment import AwsStack, ServeProcess, spawn_function
from runtime_api import RuntimeEmulator

MAX_BODY = 4096  # small, so a 413 needs no megabyte events
SETTINGS = {"NINJA_ORDERS_MAX_BODY": str(MAX_BODY)}
USER = {"name": "Ada", "email": "ada@example.com"}


@pytest.fixture(scope="module", params=FORMATS)
def twin_pair(request, lambda_package, moto, tmp_path_factory):  # noqa: F811 (fixtures)
    """serve and the function, each on its own fresh tables, for one payload format."""
    work = tmp_path_factory.mktemp(f"api-{request.param}")
    serve = ServeProcess(AwsStack(moto, "serve").migrate().store, work / "serve", extra_env=SETTINGS)
    emulator = RuntimeEmulator(workdir=work / "emulator")
    try:
        spawn_function(emulator, lambda_package, "api", AwsStack(moto, "fn").migrate().store, extra_env=SETTINGS)
        yield Twin(request.param, serve, emulator)
    finally:
        emulator.close()
        serve.stop()


@pytest.fixture
def twin(twin_pair, request):
    request.node.lambda_emulator = twin_pair.emulator   # conftest adds the runtime's logs to a failure
    yield twin_pair
    twin_pair.base64_body = False


def new_user(twin, name, **fields):
    body = {"name": name, "email": f"{name.lower()}-{{{name}_tag}}@example.com", **fields}
    tag = uuid.uuid4().hex[:8]
    twin.server.values[f"{name}_tag"] = twin.function.values[f"{name}_tag"] = tag
    return twin.exchange("POST", "/v1/users", json_body=body, capture={name: "id"}, status=201)


# --- the comparison itself (no servers) ---------------------------------------------------------------------

def test_the_comparison_names_generated_values_by_order_and_still_sees_differences():
    def reply(first, second, location):
        body = json.dumps({"items": [{"id": first}, {"id": second}], "created_at": "2026-12-01T00:00:00.123Z"})
        return HttpReply(201, [("Location", f"/v1/users/{location}"), ("Date", "x"), ("X-Request-Id", "r")],
                         body.encode())
    a, b, c, d = (str(uuid.uuid4()) for _ in range(4))
    same = [comparable(reply(x, y, x), "v1", Normalizer()) for x, y in ((a, b), (c, d))]
    assert same[0] == same[1] and same[0]["present"] == ["x-request-id"] and "date" not in same[0]["headers"]
    swapped = comparable(reply(c, d, d), "v1", Normalizer())   # Location names the other item
    assert swapped != same[0]


def test_events_carry_what_each_format_carries():
    request = HttpRequest("GET", "/v1/orders?a=1&a=%32&b=%zz", [("Accept", "x"), ("accept", "y"),
                                                                ("Cookie", "k=1; l=2")], b"\xff")
    v1, v2 = to_event(request, "v1"), to_event(request, "v2")
    assert v1["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["%zz"]}
    assert v1["queryStringParameters"] == {"a": "2", "b": "%zz"} and v1["multiValueHeaders"]["Accept"] == ["x"]
    assert v2["rawQueryString"] == "a=1&a=%32&b=%zz" and v2["headers"] == {"accept": "x,y"}
    assert v2["cookies"] == ["k=1", "l=2"] and "cookie" not in v2["headers"]
    assert v1["isBase64Encoded"] and base64.b64decode(v2["body"]) == b"\xff"


# --- every route -----------------------------------------------------------------------------------------

def test_users_create_get_list_delete(twin):
    created = new_user(twin, "Grace", phone="+15551234567")
    assert created.header("Location") == [f"/v1/users/{created.json()['id']}"]
    twin.exchange("GET", "/v1/users/{Grace}", status=200)
    twin.exchange("GET", "/v1/users?limit=100", status=200)
    twin.exchange("DELETE", "/v1/users/{Grace}", status=204)
    twin.exchange("GET", "/v1/users/{Grace}", status=404)
    twin.exchange("DELETE", "/v1/users/{Grace}", status=404)
    twin.exchange("GET", "/v1/users/not-a-uuid", status=404)


def test_webhook_user_gets_its_secret_once(twin):
    created = new_user(twin, "Hook", notify_channel="webhook", webhook_url="https://hooks.example/ninja")
    assert created.json()["webhook_secret"].startswith("whsec_")
    twin.exchange("GET", "/v1/users/{Hook}", status=200)


def test_orders_create_get_list_delete_and_notifications(twin):
    new_user(twin, "Linus")
    order = {"user_id": "{Linus}", "items": [{"sku": "kunai", "quantity": 3, "unit_price": 250}], "note": "sharp"}
    created = twin.exchange("POST", "/v1/orders", json_body=order, capture={"order": "id"}, status=201)
    assert created.json()["total"] == 750
    twin.exchange("POST", "/v1/orders", json_body={**order, "currency": "EUR"}, status=201)
    twin.exchange("GET", "/v1/orders/{order}", status=200)
    twin.exchange("GET", "/v1/orders?user_id={Linus}", status=200)
    twin.exchange("GET", "/v1/orders?limit=100", status=200)
    twin.exchange("GET", "/v1/users/{Linus}/orders?limit=1", status=200)
    twin.exchange("GET", "/v1/orders/{order}/notifications", status=200)
    twin.exchange("DELETE", "/v1/orders/{order}", status=204)
    twin.exchange("GET", "/v1/orders/{order}", status=404)
    twin.exchange("GET", "/v1/orders/{order}/notifications")
    twin.exchange("GET", f"/v1/orders/{uuid.uuid4()}/notifications", status=404)
    twin.exchange("GET", f"/v1/users/{uuid.uuid4()}/orders", status=404)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/openapi.json"])
def test_operational_routes(twin, path):
    twin.exchange("GET", path, status=200)


def test_metrics_are_prometheus_text(twin):
    reply = twin.exchange("GET", "/metrics", status=200, compare_body=False)   # counts differ, of course
    assert b"# TYPE " in reply.body and b"http_requests" in reply.body, reply.body[:400]


@pytest.mark.parametrize("path", ["/healthz", "/v1/users?limit=1", "/v1/users/{Head}", "/openapi.json"])
def test_head_answers_headers_only(twin, path):
    if "{Head}" in path and "Head" not in twin.function.values:
        new_user(twin, "Head")
    reply = twin.exchange("HEAD", path, status=200)
    assert reply.body == b""


# --- errors ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, target, status", [
    ("GET", "/v1/nowhere", 404),
    ("GET", "/", 404),
    ("PUT", "/v1/users", 405),
    ("DELETE", "/v1/orders", 405),
    ("POST", "/v1/users/00000000-0000-7000-8000-000000000000", 405),
    ("POST", "/healthz", 405),
    ("GET", "/v1/users?limit=0", 400),
    ("GET", "/v1/users?limit=abc", 400),
    ("GET", "/v1/users?cursor=not-a-cursor", 400),
])
def test_routing_and_query_errors(twin, method, target, status):
    reply = twin.exchange(method, target, status=status)
    if status == 405:
        assert reply.header("Allow"), reply.headers


@pytest.mark.parametrize("target", ["/v1/users?limit=%zz", "/v1/orders?user_id=%zz", "/v1/users?x=%zz&limit=1"])
def test_a_malformed_percent_escape(twin, target):
    """2.0 passes the query as sent: the same 400 as serve. 1.0 hands over only decoded maps, where API
    Gateway leaves a malformed escape as text, so the function sees the value '%zz' itself: any answer
    but a 5xx is right, and the status must match serve's where the value itself is invalid."""
    if twin.fmt == "v2":
        reply = twin.exchange("GET", target, status=400)
        assert reply.json()["type"] == "/problems/bad-query"
        return
    reply = twin.invoke(HttpRequest("GET", target, [("Host", "localhost")]))
    assert reply.status < 500, reply.body
    if "x=" not in target:
        assert reply.status == 400 and reply.json()["type"] == "/problems/bad-query", reply.body


@pytest.mark.parametrize("body, content_type, status", [
    (b"{", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b"", "application/json", 400),
    (b'{"name": "x", "email": "x@example.com"}', "text/plain", 415),
    (b'{"name": "", "email": "nope", "phone": "123", "notify_channel": "pigeon"}', "application/json", 422),
    (b'{"name": "\xff\xfe", "email": "bin@example.com"}', "application/json", 400),
    (b'{"name": "' + b"n" * MAX_BODY + b'", "email": "big@example.com"}', "application/json", 413),
])
def test_body_errors(twin, body, content_type, status):
    twin.exchange("POST", "/v1/users", [("Content-Type", content_type)], body=body, status=status)


def test_order_validation_and_unknown_user(twin):
    new_user(twin, "Val")
    twin.exchange("POST", "/v1/orders", json_body={"user_id": "{Val}", "items": [{"sku": "", "quantity": 0,
                                                   "unit_price": -1}], "currency": "usd"}, status=422)
    twin.exchange("POST", "/v1/orders", json_body={"user_id": str(uuid.uuid4()), "items": [
        {"sku": "a", "quantity": 1, "unit_price": 1}]}, status=422)


def test_idempotency_replay_and_mismatch(twin):
    key = [("Idempotency-Key", f"key-{uuid.uuid4()}")]
    body = {"name": "Idem", "email": f"idem-{uuid.uuid4().hex[:8]}@example.com"}
    twin.exchange("POST", "/v1/users", key, json_body=body, status=201)
    replay = twin.exchange("POST", "/v1/users", key, json_body=body, status=201)
    assert replay.header("Idempotent-Replayed") == ["true"], replay.headers
    twin.exchange("POST", "/v1/users", key, json_body={**body, "name": "Other"}, status=422)
    twin.exchange("POST", "/v1/users", [("Idempotency-Key", "x" * 256)], json_body=body, status=400)
    twin.exchange("POST", "/v1/users", [("Idempotency-Key", "with space")], json_body=body, status=400)


def test_pagination_follows_cursors_to_the_end(twin):
    new_user(twin, "Pager")
    for _ in range(5):
        twin.exchange("POST", "/v1/orders", json_body={"user_id": "{Pager}", "items": [
            {"sku": "shuriken", "quantity": 1, "unit_price": 100}]}, status=201)
    page = twin.exchange("GET", "/v1/users/{Pager}/orders?limit=2", capture={"cursor": "next_cursor"}, status=200)
    pages = 1
    while page.json()["next_cursor"]:
        page = twin.exchange("GET", "/v1/users/{Pager}/orders?limit=2&cursor={cursor}",
                             capture={"cursor": "next_cursor"}, status=200)
        pages += 1
    assert pages == 3
    twin.exchange("GET", "/v1/orders?user_id={Pager}&limit=4", status=200)


# --- what only the function's events carry ---------------------------------------------------------------

def test_repeated_query_parameters_and_headers(twin):
    new_user(twin, "Multi")
    twin.exchange("GET", "/v1/users?limit=1&limit=2")
    twin.exchange("GET", "/v1/orders?user_id={Multi}&user_id={Multi}")
    twin.exchange("GET", "/v1/users/{Multi}", [("Accept", "application/json"), ("Accept", "*/*")], status=200)
    twin.exchange("GET", "/v1/users?limit=2&cursor=%41%42", status=400)   # escapes decoded by 1.0, re-encoded


def test_cookies_are_taken_and_ignored(twin):
    new_user(twin, "Cookie")
    twin.exchange("GET", "/v1/users/{Cookie}", [("Cookie", "a=1; b=2"), ("Cookie", "c=3")], status=200)


def test_base64_bodies(twin):
    twin.base64_body = True   # a REST API with binaryMediaTypes ['*/*'] encodes every body
    new_user(twin, "Basil")
    twin.exchange("POST", "/v1/users", [("Content-Type", "application/json")], body=b"{\xc3", status=400)


def test_request_id_from_the_gateway_unless_the_client_sent_one(twin):
    own = twin.invoke(HttpRequest("GET", "/healthz", [("Host", "h")]), request_id="gw-id-1")
    assert own.header("X-Request-Id") == ["gw-id-1"]
    client = twin.invoke(HttpRequest("GET", "/healthz", [("X-Request-Id", "mine-7")]), request_id="gw-2")
    assert client.header("X-Request-Id") == ["mine-7"]
    served = twin.serve.send(HttpRequest("GET", "/healthz", [("Host", "h"), ("X-Request-Id", "mine-7")]))
    assert served.header("X-Request-Id") == ["mine-7"]
    anonymous = to_event(HttpRequest("GET", "/healthz"), twin.fmt, request_id=None)
    reply = from_reply(twin.emulator.invoke(anonymous).json(), twin.fmt)
    assert reply.status == 200 and reply.header("X-Request-Id")[0], reply.headers


@pytest.mark.xfail(strict=True, reason="bug: an unusable client X-Request-Id (empty, > 128 characters, spaces) "
                   "is replaced by a generated UUIDv7, not by API Gateway's requestContext.requestId "
                   "(api_gateway_event.cpp adds the gateway's id only when the header is absent)")
@pytest.mark.parametrize("client_id", ["", "has space", "x" * 129])
def test_an_unusable_client_request_id_gives_way_to_the_gateways(twin, client_id):
    reply = twin.invoke(HttpRequest("GET", "/healthz", [("X-Request-Id", client_id)]), request_id="gw-id-3")
    assert reply.header("X-Request-Id") == ["gw-id-3"]


def test_idempotency_keys_are_scoped_to_the_api_key_id(twin):
    """API Gateway checks the keys; the function scopes replays by requestContext.identity.apiKeyId (1.0)."""
    if twin.fmt != "v1":
        pytest.skip("API keys and usage plans exist only on REST APIs (payload 1.0)")
    user = twin.invoke(HttpRequest("POST", "/v1/users", [("Content-Type", "application/json")], json.dumps(
        {"name": "Scope", "email": f"scope-{uuid.uuid4().hex[:8]}@example.com"}).encode())).json()["id"]
    order = json.dumps({"user_id": user, "items": [{"sku": "kama", "quantity": 1, "unit_price": 5}]}).encode()
    request = HttpRequest("POST", "/v1/orders", [("Content-Type", "application/json"),
                                                 ("Idempotency-Key", f"k-{uuid.uuid4()}")], order)
    first = twin.invoke(request, api_key_id="key-a")
    other_key = twin.invoke(request, api_key_id="key-b")
    again = twin.invoke(request, api_key_id="key-a")
    assert first.status == other_key.status == again.status == 201
    assert other_key.json()["id"] != first.json()["id"] and not other_key.header("Idempotent-Replayed")
    assert again.json()["id"] == first.json()["id"] and again.header("Idempotent-Replayed") == ["true"]


def test_a_body_of_binary_bytes_comes_back_as_sent(twin):
    """Invalid UTF-8 inside a JSON string (as base64 in the event) must get serve's 400, not be mangled."""
    raw = b'{"name": "' + bytes([0xC0, 0xAF]) + b'", "email": "overlong@example.com"}'
    reply = twin.exchange("POST", "/v1/users", [("Content-Type", "application/json")], body=raw, status=400)
    assert json.loads(reply.body)["status"] == 400
