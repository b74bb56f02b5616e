"""The local API Gateway front (gateway_front.py): what it makes of a request and of a reply.

Two kinds of function behind it:
- a scripted runtime (MIRROR below, Python on the emulator) that answers with the event it got, with
  repeated headers and cookies, or fails as a request header asks: the event and the error paths,
  without the binary;
- the packaged api function on a SQLite file migrated beforehand (Lambda mode creates no tables):
  statuses, headers and bodies as the binary sends them, and the command line.
"""
import base64
import http.client
import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gateway_front import API_KEY_ID, INTERNAL_ERROR, GatewayFront
from lambda_deployment import BIN, lambda_package, skip_or_fail  # noqa: F401 (fixture)

FRONT = Path(__file__).resolve().with_name("gateway_front.py")

# A custom runtime whose replies a test can steer with the request header X-Mirror: by default a proxy
# reply whose body is the event itself (base64), with a repeated header and two cookies.
MIRROR = r'''
import base64, json, os, sys, time, urllib.request
API = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2018-06-01/runtime"
def post(path, body, headers=None):
    urllib.request.urlopen(urllib.request.Request(API + path, data=body, method="POST", headers=headers or {}))
while True:
    with urllib.request.urlopen(API + "/invocation/next") as answer:
        event, rid = answer.read(), answer.headers["Lambda-Runtime-Aws-Request-Id"]
    parsed = json.loads(event)
    headers = {k.lower(): v for k, v in (parsed.get("headers") or {}).items()}
    do = headers.get("x-mirror", "")
    if do == "raise":
        post(f"/invocation/{rid}/error", b'{"errorMessage":"no","errorType":"BadEvent"}',
             {"Lambda-Runtime-Function-Error-Type": "Function.BadEvent"})
        continue
    if do == "exit":
        sys.exit(2)
    if do.startswith("sleep"):
        time.sleep(float(do[5:]))
    body = {"event": parsed, "pid": os.getpid()}
    if parsed.get("version") == "2.0":
        reply = {"statusCode": 201, "headers": {"x-twice": "a,b", "content-type": "application/json"},
                 "cookies": ["a=1", "b=2"]}
    else:
        reply = {"statusCode": 201, "multiValueHeaders": {"X-Twice": ["a", "b"], "Set-Cookie": ["a=1", "b=2"],
                                                           "Content-Type": ["application/json"]}}
    reply.update(body=base64.b64encode(json.dumps(body).encode()).decode(), isBase64Encoded=True)
    if do == "garbage":
        reply = "not a proxy reply"
    elif do == "no-status":
        reply = {"body": "x"}
    post(f"/invocation/{rid}/response", json.dumps(reply).encode())
'''


def send(url, method, target, headers=(), body=b""):
    """(status, [(name, value)] as sent, body) of one request on a new connection."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    try:
        connection.putrequest(method, target)
        for name, value in headers:
            connection.putheader(name, value)
        if body or method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def values(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


@pytest.fixture
def mirror_front(tmp_path, request):
    """factory: a front of format fmt on the scripted runtime."""
    script = tmp_path / "mirror_runtime.py"
    script.write_text(MIRROR)
    fronts = []

    def start(fmt, **options):
        front = GatewayFront(tmp_path, "sqlite::memory:", fmt=fmt, command=[sys.executable, str(script)],
                             workdir=tmp_path / f"front-{len(fronts)}", **options)
        fronts.append(front)
        request.node.lambda_emulator = front   # conftest adds its logs to a failure
        return front

    yield start
    for front in fronts:
        front.close()


# --- the event and the reply, on the scripted runtime ------------------------------------------------------

def test_a_rest_event_carries_repeats_the_raw_bytes_and_the_client(mirror_front):
    front = mirror_front("v1")
    body = b"\xff\x00 not text"
    status, headers, data = send(front.url, "PUT", "/v1/x%2Fy?a=1&a=%32&b",
                                 [("X-Rep", "1"), ("X-Rep", "2"), ("X-Forwarded-For", "203.0.113.9"),
                                  ("Connection", "keep-alive")], body)
    assert status == 201, data
    event = json.loads(data)["event"]
    assert event["httpMethod"] == "PUT" and event["path"] == "/v1/x%2Fy"
    assert event["multiValueHeaders"]["X-Rep"] == ["1", "2"] and event["headers"]["X-Rep"] == "2"
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == body  # binaryMediaTypes */*
    assert event["requestContext"]["identity"]["sourceIp"] == "127.0.0.1"
    assert event["multiValueHeaders"]["X-Forwarded-For"] == ["203.0.113.9, 127.0.0.1"]
    assert "Connection" not in event["multiValueHeaders"]   # hop by hop: not passed on
    assert values(headers, "x-amzn-RequestId") == [event["requestContext"]["requestId"]]
    uuid.UUID(event["requestContext"]["requestId"])


@pytest.mark.parametrize("fmt", ["v1", "v2"])
def test_the_path_goes_on_as_the_client_sent_it(mirror_front, fmt):
    front = mirror_front(fmt)
    event = json.loads(send(front.url, "GET", "//v1/users")[2])["event"]   # http.server would fold the '//'
    assert (event["path"] if fmt == "v1" else event["rawPath"]) == "//v1/users"


def test_each_request_gets_its_own_request_id(mirror_front):
    front = mirror_front("v1")
    ids = {json.loads(send(front.url, "GET", "/")[2])["event"]["requestContext"]["requestId"] for _ in range(3)}
    assert len(ids) == 3
    assert len(front.environments) == 2   # Lambda scales out: two environments unless told otherwise


def test_a_rest_api_hands_even_a_text_body_over_in_base64(mirror_front):
    front = mirror_front("v1")   # binaryMediaTypes ['*/*'] (deploy/aws/lib/api.ts): every body is "binary"
    status, _, data = send(front.url, "POST", "/v1/users", [("Content-Type", "application/json")], b'{"a":"\xc3\xa9"}')
    event = json.loads(data)["event"]
    assert status == 201 and event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b'{"a":"\xc3\xa9"}'


def test_a_rest_reply_keeps_every_repeated_header(mirror_front):
    front = mirror_front("v1")
    status, headers, data = send(front.url, "GET", "/")
    assert status == 201
    assert values(headers, "X-Twice") == ["a", "b"] and values(headers, "Set-Cookie") == ["a=1", "b=2"]
    assert values(headers, "Content-Length") == [str(len(data))] and json.loads(data)["event"]


def test_an_http_api_event_joins_repeats_and_keeps_the_raw_query(mirror_front):
    front = mirror_front("v2")
    status, headers, data = send(front.url, "POST", "/v1/orders?a=1&a=%32", [("X-Rep", "1"), ("X-Rep", "2"),
                                                                           ("Cookie", "k=1; l=2")], b'{"a":1}')
    assert status == 201, data
    event = json.loads(data)["event"]
    assert event["version"] == "2.0" and event["requestContext"]["http"]["method"] == "POST"
    assert event["headers"]["x-rep"] == "1,2" and event["cookies"] == ["k=1", "l=2"]
    assert event["rawQueryString"] == "a=1&a=%32" and event["body"] == '{"a":1}'
    assert values(headers, "x-twice") == ["a,b"] and values(headers, "Set-Cookie") == ["a=1", "b=2"]
    assert values(headers, "Apigw-Requestid") == [event["requestContext"]["requestId"]]


def test_an_api_key_guards_v1_and_names_its_id_in_the_event(mirror_front):
    front = mirror_front("v1", api_key="s3cret")
    for target in ("/v1", "/v1/users"):
        status, headers, data = send(front.url, "GET", target, [("x-api-key", "wrong")])
        assert (status, data) == (403, b'{"message":"Forbidden"}'), target
    assert json.loads(send(front.url, "GET", "/healthz")[2])["event"]["requestContext"]["identity"]["apiKeyId"] is None
    status, _, data = send(front.url, "GET", "/v1/users", [("X-API-Key", "s3cret")])
    assert status == 201 and json.loads(data)["event"]["requestContext"]["identity"]["apiKeyId"] == API_KEY_ID
    with pytest.raises(ValueError):
        mirror_front("v2", api_key="s3cret")   # an HTTP API has no API keys


@pytest.mark.parametrize("fmt", ["v1", "v2"])
def test_a_function_error_is_a_502_and_the_environment_goes_on(mirror_front, fmt):
    front = mirror_front(fmt, environments=1)
    status, headers, data = send(front.url, "GET", "/", [("X-Mirror", "raise")])
    assert (status, data) == (502, INTERNAL_ERROR) and values(headers, "Content-Type") == ["application/json"]
    assert send(front.url, "GET", "/")[0] == 201
    assert front.environments[0].resets == 0


@pytest.mark.parametrize("answer", ["garbage", "no-status"])
def test_a_reply_api_gateway_cannot_read_is_a_502(mirror_front, answer):
    front = mirror_front("v1", environments=1)
    assert send(front.url, "GET", "/", [("X-Mirror", answer)])[:3:2] == (502, INTERNAL_ERROR)


def test_an_event_over_lambdas_6_mib_is_refused_with_a_500(mirror_front):
    front = mirror_front("v1", environments=1)   # base64 makes 4.6 MiB of body an event of over 6 MiB
    status, _, data = send(front.url, "POST", "/v1/users", [("Content-Type", "application/json")],
                           b"x" * (46 * 2**20 // 10))
    assert (status, data) == (500, INTERNAL_ERROR)
    assert send(front.url, "POST", "/v1/users", [], b"x" * (1 << 20))[0] == 201   # nothing invoked: still fine


def test_a_crash_is_a_502_and_the_next_request_starts_the_function_again(mirror_front):
    front = mirror_front("v1", environments=1)
    first_pid = json.loads(send(front.url, "GET", "/")[2])["pid"]
    assert send(front.url, "GET", "/", [("X-Mirror", "exit")])[:3:2] == (502, INTERNAL_ERROR)
    status, _, data = send(front.url, "GET", "/")
    assert status == 201 and json.loads(data)["pid"] != first_pid
    assert front.environments[0].resets == 1


def test_a_timeout_is_a_502_at_the_functions_timeout(mirror_front):
    front = mirror_front("v1", environments=1, timeout_s=0.5)
    started = time.monotonic()
    assert send(front.url, "GET", "/", [("X-Mirror", "sleep5")])[:3:2] == (502, INTERNAL_ERROR)
    assert time.monotonic() - started < 3
    assert send(front.url, "GET", "/")[0] == 201 and front.environments[0].resets == 1


def test_concurrent_requests_run_in_separate_environments(mirror_front):
    front = mirror_front("v1", environments=2)
    answers = []

    def slow():
        answers.append(send(front.url, "GET", "/", [("X-Mirror", "sleep1")]))
    threads = [threading.Thread(target=slow) for _ in range(2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert [status for status, _, _ in answers] == [201, 201]
    assert len({json.loads(data)["pid"] for _, _, data in answers}) == 2
    assert elapsed < 1.8, f"two 1 s invocations took {elapsed:.2f} s: they waited for each other"


# --- the packaged api function ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory):
    """A migrated SQLite file: the function creates no tables in Lambda mode."""
    if not Path(BIN).is_file():
        skip_or_fail(f"no binary at {BIN} (make binary, or set NINJA_ORDERS_BIN)")
    store = f"sqlite:{tmp_path_factory.mktemp('front-store') / 'orders.db'}"
    done = subprocess.run([str(BIN), "migrate", "--store", store], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return store


@pytest.fixture(scope="module", params=["v1", "v2"])
def api_front(request, lambda_package, sqlite_store, tmp_path_factory):  # noqa: F811 (fixture)
    with GatewayFront(lambda_package.root, sqlite_store, fmt=request.param,
                      workdir=tmp_path_factory.mktemp(f"api-front-{request.param}")) as front:
        yield front


def test_the_function_answers_status_headers_and_body_through_the_front(api_front):
    email = f"front-{uuid.uuid4().hex[:8]}@example.com"
    payload = json.dumps({"name": "Front", "email": email}).encode()
    status, headers, data = send(api_front.url, "POST", "/v1/users", [("Content-Type", "application/json")], payload)
    assert status == 201, data
    created = json.loads(data)
    assert created["email"] == email and values(headers, "Location") == [f"/v1/users/{created['id']}"]
    gateway_id = values(headers, "x-amzn-RequestId" if api_front.fmt == "v1" else "Apigw-Requestid")
    assert values(headers, "X-Request-Id") == gateway_id   # the client sent none: API Gateway's
    status, headers, data = send(api_front.url, "GET", f"/v1/users/{created['id']}", [("X-Request-Id", "mine-1")])
    assert status == 200 and json.loads(data) == created and values(headers, "X-Request-Id") == ["mine-1"]


def test_a_problem_comes_through_as_problem_json(api_front):
    status, headers, data = send(api_front.url, "GET", f"/v1/users/{uuid.uuid4()}")
    assert status == 404 and values(headers, "Content-Type")[0].startswith("application/problem+json")
    assert json.loads(data)["status"] == 404


def test_a_body_that_is_not_utf8_reaches_the_function_as_its_bytes(api_front):
    status, headers, data = send(api_front.url, "POST", "/v1/users", [("Content-Type", "application/json")],
                                 b'{"name":"\xff\xfe","email":"x@example.com"}')
    assert status == 400, data   # the function refused the bytes, not the front nor a 502
    assert values(headers, "Content-Type")[0].startswith("application/problem+json")


def test_the_command_line_serves_until_sigterm(lambda_package, sqlite_store, tmp_path):  # noqa: F811
    proc = subprocess.Popen([sys.executable, str(FRONT), "--package", str(lambda_package.root), "--store",
                             sqlite_store, "--format", "v2", "--environments", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), (line, proc.stderr.read() if proc.poll() else "")
        url = line.split()[2]
        assert send(url, "GET", "/healthz")[:3:2] == (200, b'{"status":"ok"}')
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_204_goes_out_without_a_body_or_a_length(api_front):
    payload = json.dumps({"name": "Gone", "email": f"gone-{uuid.uuid4().hex[:8]}@example.com"}).encode()
    created = json.loads(send(api_front.url, "POST", "/v1/users", [("Content-Type", "application/json")], payload)[2])
    status, headers, data = send(api_front.url, "DELETE", f"/v1/users/{created['id']}")
    assert (status, data) == (204, b"") and values(headers, "Content-Length") == []   # RFC 9110 §8.6
