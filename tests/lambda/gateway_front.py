#!/usr/bin/python3
"""A local stand-in for API Gateway in front of the packaged api function: an HTTP/1.1 server whose every
request becomes a Lambda proxy event (REST API payload 1.0 by default, the HTTP API's 2.0 with
fmt="v2"), is invoked on the packaged `bootstrap` in the Runtime API emulator, and whose reply goes back
as HTTP. What lets the black-box e2e suite (NINJA_E2E_URL) run through the function, as through a
deployed stack, without AWS.

    with GatewayFront(package, "dynamodb://us-east-1?endpoint=…&prefix=p-", fmt="v1") as front:
        requests.get(front.url + "/v1/users")

    /usr/bin/python3 tests/lambda/gateway_front.py --package build/lambda/unpacked --store URL [--format v2]

What it does as API Gateway does (deploy/aws/lib/api.ts, PLAN.md §2):
- the event comes from apigw_events.to_event: a fresh request id per request, the client's address as
  sourceIp; 1.0 with binaryMediaTypes ['*/*'], so every body arrives base64-encoded as its bytes;
- X-Forwarded-For (the client's address appended), X-Forwarded-Proto, X-Forwarded-Port and
  X-Amzn-Trace-Id are added to the request; hop-by-hop headers are not passed on;
- Lambda scales out: `environments` execution environments (emulator + function) take requests at the
  same time, each one invocation at a time; more requests wait for a free one;
- the function's timeout is the stack's (10 s). A timeout or a crash resets its environment (the next
  invocation starts the function again), as Lambda does;
- "If the function runs but returns an error, or returns a response in the wrong format, API Gateway
  returns a 502"; "if the Lambda API rejects the invocation request" (an event over 6 MiB) "a 500"; the
  body is {"message": "Internal server error"} (docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
- with an API key (REST only), /v1 and below answer 403 {"message":"Forbidden"} without it in x-api-key,
  and the event's requestContext.identity.apiKeyId names it (the function's idempotency scope).
What it does not: stages in the path, usage plans' throttling and quotas, CloudFront, the 29 s
integration timeout (the function's 10 s comes first), header remapping.
"""
import argparse
import binascii
import json
import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from apigw_events import FORMATS, HttpRequest, from_reply, to_event  # noqa: E402
from runtime_api import EmulatorError, RuntimeEmulator  # noqa: E402

FUNCTION_TIMEOUT_S = 10.0          # deploy/aws/lib/functions.ts: TIMEOUTS.api
MAX_EVENT = 6 * 1024 * 1024        # Lambda's synchronous invocation payload limit
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
              "expect"}
INTERNAL_ERROR = b'{"message":"Internal server error"}'
API_KEY_ID = "frontkey01"          # the id of the front's one API key, as requestContext.identity.apiKeyId


class Environment:
    """One Lambda execution environment: a Runtime API emulator with the packaged api function in it.
    It runs one invocation at a time; a timeout or a crash resets it (the function starts again)."""

    def __init__(self, package, env, workdir, timeout_s=FUNCTION_TIMEOUT_S, command=None):
        self.timeout_s = timeout_s
        self.emulator = RuntimeEmulator(workdir=workdir)
        self.resets = 0
        try:
            self.emulator.spawn(command or [str(Path(package) / "bootstrap")], env, handler="api",
                                task_root=str(package))
            if not self.emulator.wait_idle(10.0):   # Init's limit: a function that cannot start is a setup error
                raise EmulatorError(f"the api function did not reach `next`\n{self.emulator.logs()}")
        except BaseException:
            self.emulator.close()
            raise

    def invoke(self, event):
        """The emulator's Result of one invocation of `event` (bytes)."""
        if not self.emulator.process.alive:
            self._reset()
        result = self.emulator.invoke(event, timeout_s=self.timeout_s)
        if result.kind in ("timeout", "exit"):
            self._reset()
        return result

    def _reset(self):
        self.emulator.wait_exit()
        self.emulator.respawn()
        self.resets += 1

    def logs(self):
        return self.emulator.logs()

    def close(self):
        self.emulator.close()


class GatewayFront:
    """The front: an HTTP server on 127.0.0.1 (port 0: a free one) and a pool of environments.
    `extra_env` adds variables to the function's environment (NINJA_ORDERS_*); `command` runs another
    runtime than the package's bootstrap (the front's own tests use a scripted one). With `api_key`
    (REST only), /v1 and everything under it want it in x-api-key, as the stack's usage plan does."""

    def __init__(self, package, store_url, fmt="v1", environments=2, extra_env=None, bus_url=None, port=0,
                 workdir=None, timeout_s=FUNCTION_TIMEOUT_S, credentials=None, command=None, api_key=None):
        if fmt not in FORMATS:
            raise ValueError(f"unknown payload format {fmt!r}: {FORMATS}")
        if api_key and fmt != "v1":
            raise ValueError("API keys are a REST API's (v1): an HTTP API has none")
        self.api_key = api_key
        self.fmt, self.package = fmt, Path(package)
        self._own_dir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="gateway-front-"))
        env = dict(credentials or {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"})
        env["NINJA_ORDERS_STORE"] = store_url
        env.setdefault("NINJA_ORDERS_AUTH", "none")      # API Gateway checks the keys (functions.ts)
        if bus_url:
            env["NINJA_ORDERS_BUS"] = bus_url
        env.update(extra_env or {})
        self.environments, self._free = [], queue.Queue()
        self.invocations = 0
        self._lock = threading.Lock()
        self._server = None
        try:
            for n in range(environments):
                environment = Environment(self.package, env, self.workdir / f"environment-{n}", timeout_s, command)
                self.environments.append(environment)
                self._free.put(environment)
            self._server = _Server(("127.0.0.1", port), _Handler)
            self._server.front = self
        except BaseException:
            self.close()
            raise
        self._serving = threading.Thread(target=self._server.serve_forever, name="gateway-front", daemon=True)
        self._serving.start()

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def logs(self):
        return "\n".join(environment.logs() for environment in self.environments)

    def handle(self, request, client_ip, port):
        """(status, [(name, value)], body) for one HttpRequest, as API Gateway answers it."""
        request_id = _request_id(self.fmt)
        key_id = None
        if self.api_key and (request.path == "/v1" or request.path.startswith("/v1/")):
            if self.api_key not in [v for k, v in request.headers if k.lower() == "x-api-key"]:
                return 403, [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id),
                             ("x-amzn-ErrorType", "ForbiddenException")], b'{"message":"Forbidden"}'
            key_id = API_KEY_ID
        event = json.dumps(to_event(_as_forwarded(request, client_ip, port), self.fmt, request_id=request_id,
                                    source_ip=client_ip, api_key_id=key_id, base64_body=self.fmt == "v1")).encode()
        if len(event) > MAX_EVENT:
            return _internal_error(500, request_id, "the Lambda API refused an event over 6 MiB")
        environment = self._free.get()
        try:
            result = environment.invoke(event)
        except EmulatorError as error:             # no `next` took it: Init failed again after a reset
            return _internal_error(502, request_id, f"the function did not start: {error}")
        finally:
            self._free.put(environment)
            with self._lock:
                self.invocations += 1
        if result.kind != "response":
            return _internal_error(502, request_id, f"{result.kind} {result.error_type}: {result.error}")
        try:
            reply = from_reply(json.loads(result.body), self.fmt)
        except (ValueError, AssertionError, TypeError, KeyError, binascii.Error) as error:
            return _internal_error(502, request_id, f"malformed Lambda proxy response: {error}")
        return reply.status, reply.headers + _gateway_headers(self.fmt, request_id), reply.body

    def close(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for environment in self.environments:
            environment.close()
        self.environments = []
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _request_id(fmt):
    """A REST API's request id is a UUID; an HTTP API's looks like 'LV7fzho-PHcEJPw=' (PLAN.md §2.2)."""
    if fmt == "v1":
        return str(uuid.uuid4())
    return binascii.b2a_base64(uuid.uuid4().bytes[:10], newline=False).decode().replace("/", "-").replace("+", "_")


def _trace_id():
    return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"


def _as_forwarded(request, client_ip, port):
    """The request as API Gateway passes it on: no hop-by-hop headers, the X-Forwarded-* set added."""
    headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP]
    forwarded_for = [v for k, v in headers if k.lower() == "x-forwarded-for"]
    headers = [(k, v) for k, v in headers if k.lower() not in ("x-forwarded-for", "x-forwarded-proto",
                                                              "x-forwarded-port", "x-amzn-trace-id")]
    headers += [("X-Forwarded-For", ", ".join(forwarded_for + [client_ip])), ("X-Forwarded-Proto", "http"),
                ("X-Forwarded-Port", str(port)), ("X-Amzn-Trace-Id", _trace_id())]
    return HttpRequest(request.method, request.target, headers, request.body)


def _gateway_headers(fmt, request_id):
    if fmt == "v1":
        return [("x-amzn-RequestId", request_id), ("X-Amzn-Trace-Id", _trace_id())]
    return [("Apigw-Requestid", request_id)]


def _internal_error(status, request_id, why):
    print(f"gateway-front: {status} for {request_id}: {why}", file=sys.stderr, flush=True)
    return status, [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id),
                    ("x-amzn-ErrorType", "InternalServerErrorException")], INTERNAL_ERROR


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):   # a client gone mid-answer is no news
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Any method: do_X for every X is the same proxy. HTTP/1.1 keep-alive with a Content-Length on every
    answer; no Nagle (headers and body are two writes, a delayed ACK would hold the body ~40 ms)."""
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self._proxy
        raise AttributeError(name)

    def log_message(self, *args):
        pass

    def _proxy(self):
        try:
            body = self._read_body()
        except ValueError as error:
            self.close_connection = True
            return self._send(400, [("Content-Type", "application/json")],
                              json.dumps({"message": f"unreadable body: {error}"}).encode())
        # The target as the request line had it: http.server folds a leading '//' of self.path into one
        # '/' (CPython gh-87389), and the function must see what the client sent.
        target = self.requestline.split(" ")[1] if self.requestline.count(" ") == 2 else self.path
        request = HttpRequest(self.command, target, list(self.headers.items()), body)
        front = self.server.front
        status, headers, data = front.handle(request, self.client_address[0], self.server.server_address[1])
        self._send(status, headers, data)

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while length := int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(length))
                self.rfile.readline(8)
            while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length > 0 else b""
        if len(data) != length:
            raise ValueError("the connection closed inside the body")
        return data

    def _send(self, status, headers, body):
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        # No Content-Length on a 1xx, 204 or 304 (RFC 9110 §8.6); on a HEAD it is the length of the
        # (empty) body the function sent: a proxy reply carries a body, never a length of its own.
        if not (100 <= status < 200 or status in (204, 304)):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)


def main(argv=None):
    parser = argparse.ArgumentParser(description="API Gateway's Lambda proxy integration, locally")
    parser.add_argument("--package", required=True, help="the unpacked Lambda package (has bootstrap)")
    parser.add_argument("--store", required=True, help="NINJA_ORDERS_STORE of the function")
    parser.add_argument("--bus", help="NINJA_ORDERS_BUS of the function")
    parser.add_argument("--format", choices=FORMATS, default="v1", help="v1: REST API (1.0); v2: HTTP API (2.0)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--environments", type=int, default=2, help="concurrent execution environments")
    parser.add_argument("--api-key", help="REST only: /v1 and below want this x-api-key")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="another variable for the function")
    args = parser.parse_args(argv)
    extra = dict(item.split("=", 1) for item in args.env)
    credentials = {k: os.environ[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
                   if k in os.environ} or None
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with GatewayFront(args.package, args.store, args.format, args.environments, extra, args.bus, args.port,
                      credentials=credentials, api_key=args.api_key) as front:
        print(f"listening on {front.url} ({args.format}, {args.environments} environments)", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
