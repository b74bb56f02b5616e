"""The api function's failures as the Lambda Runtime API sees them (issue 11, point 3): an event that is
not API Gateway's reaches /error as Function.BadEvent and the function goes on; an init failure reaches
/init/error as Runtime.InitFailed and the process exits 1, with no secret in what it says; a store that
is down or silent gets a 503 in time, not Lambda's timeout; the invocation id is echoed.

Run under tests/servers/with-servers (moto); without moto it skips locally and fails under CI=true.
"""
import socket
import threading

import pytest

from apigw_events import HttpRequest, from_reply, to_event
from lambda_deployment import lambda_package, moto  # noqa: F401 (fixtures)
from lambda_deployment import AwsStack, running_function

SQS_EVENT = {"Records": [{"messageId": "m-1", "receiptHandle": "r", "body": "{}", "eventSource": "aws:sqs",
                          "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "attributes": {}}]}


@pytest.fixture(scope="module")
def function_store(moto):  # noqa: F811 (fixture)
    return AwsStack(moto, "fnerr").migrate().store


@pytest.mark.parametrize("event", [SQS_EVENT, [1, 2], "not json at all", {"httpMethod": "GET"}],
                         ids=["sqs", "array", "text", "no-path"])
def test_a_non_gateway_event_reaches_error_and_the_function_goes_on(
        lambda_package, function_store, tmp_path, request, event):  # noqa: F811
    with running_function(lambda_package, "api", function_store, workdir=tmp_path) as emulator:
        request.node.lambda_emulator = emulator
        raw = event.encode() if isinstance(event, str) else event
        failed = emulator.invoke(raw)
        assert failed.kind == "error" and failed.error_type == "Function.BadEvent", (failed, emulator.logs())
        assert failed.error["errorType"] == "Function.BadEvent" and failed.error["errorMessage"]
        after = emulator.invoke(to_event(HttpRequest("GET", "/healthz"), "v1"))
        assert after.kind == "response" and after.json()["statusCode"] == 200


def test_a_bad_base64_body_is_a_bad_event(lambda_package, function_store, tmp_path):  # noqa: F811
    event = to_event(HttpRequest("POST", "/v1/users", [("Content-Type", "application/json")], b"{}"), "v2")
    event.update(body="***not base64***", isBase64Encoded=True)
    with running_function(lambda_package, "api", function_store, workdir=tmp_path) as emulator:
        failed = emulator.invoke(event)
        assert failed.error_type == "Function.BadEvent", (failed, emulator.logs())


@pytest.mark.parametrize("handler, store", [
    ("bogus", None),
    ("api", "nosuch://anywhere"),
    ("api", "sqlite:/proc/no-such-dir/ninja.db"),
    ("api", "dynamodb://us-east-1?prefix=no spaces!"),
    ("api", "dynamodb://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY@us-east-1?prefix=x"),
])
def test_an_init_failure_reaches_init_error_and_the_process_exits(
        lambda_package, function_store, tmp_path, request, handler, store):  # noqa: F811
    with running_function(lambda_package, handler, store or function_store, workdir=tmp_path) as emulator:
        request.node.lambda_emulator = emulator
        assert emulator.wait_exit(10) == 1, emulator.logs()
        assert emulator.init_error is not None, emulator.logs()
        assert emulator.init_error.error_type == "Runtime.InitFailed", emulator.init_error
        assert emulator.init_error.error["errorMessage"], emulator.init_error
        assert [c.path for c in emulator.calls] == ["/2018-06-01/runtime/init/error"]
        for secret in ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY"):  # never in a log line
            assert secret not in emulator.init_error.body.decode() and secret not in emulator.logs()


def test_an_unreachable_store_is_no_init_failure_but_a_503(lambda_package, tmp_path, request):  # noqa: F811
    """Init builds the client without a call (Lambda bills Init); the requests then say 503 and when to
    come back, as serve does when its store is down."""
    closed = "dynamodb://us-east-1?endpoint=http://127.0.0.1:9&prefix=gone-"
    with running_function(lambda_package, "api", closed, workdir=tmp_path,
                          extra_env={"NINJA_ORDERS_REQUEST_TIMEOUT": "2000"}) as emulator:
        request.node.lambda_emulator = emulator
        for path in ("/readyz", "/v1/users"):
            reply = from_reply(emulator.invoke(to_event(HttpRequest("GET", path), "v1"), timeout_s=10).json(), "v1")
            assert reply.status == 503, (path, reply)
            assert reply.header("Retry-After") == ["1"] and reply.header("Content-Type")[0].startswith(
                "application/problem+json"), reply.headers


@pytest.fixture
def silent_store():
    """A dynamodb:// URL whose endpoint accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    held = []

    def hold():
        try:
            while True:
                held.append(listener.accept())
        except OSError:  # the listener was closed: the test is over
            pass

    threading.Thread(target=hold, daemon=True).start()
    yield f"dynamodb://us-east-1?endpoint=http://127.0.0.1:{listener.getsockname()[1]}&prefix=silent-"
    listener.close()
    for connection, _ in held:
        connection.close()


@pytest.mark.parametrize("request_timeout_ms", [200, 20000],
                         ids=["request-timeout", "invocation-deadline"])
def test_a_silent_store_gets_a_503_before_the_invocation_deadline(
        lambda_package, silent_store, tmp_path, request, request_timeout_ms):  # noqa: F811
    """A store that hangs must not run the invocation into Lambda's timeout (the environment is reset and
    the client gets API Gateway's 502/504): the answer is a 503 with Retry-After in time. --request-timeout
    bounds each of the AWS client's 5 attempts (200 ms: about 1.2 s in all), the deadline should bound all."""
    with running_function(lambda_package, "api", silent_store, workdir=tmp_path,
                          extra_env={"NINJA_ORDERS_REQUEST_TIMEOUT": str(request_timeout_ms)}) as emulator:
        request.node.lambda_emulator = emulator
        result = emulator.invoke(to_event(HttpRequest("GET", "/v1/users"), "v1"), timeout_s=3.0)
        assert result.kind == "response", (result.kind, result.error_type)
        reply = from_reply(result.json(), "v1")
        assert reply.status == 503 and reply.header("Retry-After") == ["1"], reply


def test_the_invocation_id_is_echoed(lambda_package, function_store, tmp_path, request):  # noqa: F811
    with running_function(lambda_package, "api", function_store, workdir=tmp_path,
                          emulator_options={"send_invocation_id": True}) as emulator:
        request.node.lambda_emulator = emulator
        for event in (to_event(HttpRequest("GET", "/readyz"), "v2"), SQS_EVENT):
            result = emulator.invoke(event)
            assert result.kind in ("response", "error") and result.invocation_id, result
            assert result.headers.get("Lambda-Runtime-Invocation-Id") == result.invocation_id
        assert emulator.wait_idle()
        assert [c.status for c in emulator.calls if c.method == "POST"] == [202, 202]
