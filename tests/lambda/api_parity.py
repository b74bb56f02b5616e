"""One request, two deployments: `serve` over HTTP and the api function behind (emulated) API Gateway,
each on a store of its own. `Twin.exchange()` sends the same request to both and fails unless the two
answers are equal: status, headers (but those the two transports legitimately set differently) and body.

Generated values differ between the two stores, so each side has a `Normalizer` that names them by order
of first appearance (the 1st UUID seen is <id-1> on both sides, if both behave alike) and blanks the
timestamps. Requests name earlier results by placeholders, `{user}`, filled in per side from what
`capture=` took from that side's earlier answers.
"""
import json
import re
import uuid
from dataclasses import dataclass

from apigw_events import HttpRequest, from_reply, to_event

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")
# Set by each transport for itself (API Gateway writes its own Date, Content-Length, Connection, Server).
TRANSPORT_HEADERS = {"date", "content-length", "connection", "server", "keep-alive", "transfer-encoding"}
# Present on both sides, with values that may differ (serve makes one up, the function takes API Gateway's).
VALUE_FREE_HEADERS = {"x-request-id"}
GENERATED_FIELDS = {"next_cursor": "cursor", "webhook_secret": "secret"}


class Normalizer:
    """Replaces generated values by stable names, in order of first appearance."""

    def __init__(self):
        self.names = {}

    def _name(self, kind, value):
        key = (kind, value)
        if key not in self.names:
            self.names[key] = f"<{kind}-{sum(1 for k, _ in self.names if k == kind) + 1}>"
        return self.names[key]

    def text(self, text):
        text = UUID_RE.sub(lambda m: self._name("id", m.group(0)), text)
        return TIME_RE.sub("<time>", text)

    def value(self, value):
        if isinstance(value, dict):
            return {k: (self._name(GENERATED_FIELDS[k], v) if k in GENERATED_FIELDS and isinstance(v, str)
                        else self.value(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        return self.text(value) if isinstance(value, str) else value

    def body(self, body, content_type):
        if "json" in content_type and body:
            try:
                return self.value(json.loads(body))
            except ValueError:
                pass
        try:
            return self.text(body.decode("utf-8"))
        except UnicodeDecodeError:
            return body


@dataclass
class Side:
    name: str
    send: object                  # HttpRequest -> HttpReply
    normalizer: Normalizer
    values: dict                  # placeholder name -> this side's value


def comparable(reply, fmt, normalizer, compare_body=True):
    """(status, headers, body) with what may differ taken out. Headers by lower-case name: 1.0 keeps each
    value, 2.0 has one comma-joined value per name (what an HTTP API sends on)."""
    headers, present = {}, set()
    for name, value in reply.headers:
        key = name.lower()
        if key in TRANSPORT_HEADERS:
            continue
        if key in VALUE_FREE_HEADERS:
            present.add(key)
            continue
        headers.setdefault(key, []).append(normalizer.text(value))
    if fmt == "v2":
        headers = {k: ",".join(v) for k, v in headers.items()}
    content_type = ",".join(reply.header("content-type"))
    body = normalizer.body(reply.body, content_type) if compare_body else None
    return {"status": reply.status, "headers": headers, "present": sorted(present), "body": body}


def _fill(value, values):
    """value with each string's {placeholders} filled from values."""
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value.format(**values) if isinstance(value, str) else value


class Twin:
    """The HTTP server and the function, fed the same requests in the same order."""

    def __init__(self, fmt, serve, emulator):
        self.fmt, self.serve, self.emulator = fmt, serve, emulator
        self.server = Side("serve", serve.send, Normalizer(), {})
        self.function = Side("lambda", self.invoke, Normalizer(), {})
        self.base64_body = False

    def invoke(self, request, **event_options):
        """The request through API Gateway's event and the function's reply."""
        options = {"request_id": str(uuid.uuid4()), "base64_body": self.base64_body, **event_options}
        result = self.emulator.invoke(to_event(request, self.fmt, **options), timeout_s=10)
        assert result.kind == "response", f"{result.kind} {result.error_type}: {result.error}\n{self.emulator.logs()}"
        return from_reply(result.json(), self.fmt)

    def exchange(self, method, target, headers=(), body=b"", json_body=None, capture=None, status=None,
                 compare_body=True):
        """Sends the request to both; asserts the answers are equal (and have `status`, if given);
        returns the function's HttpReply. capture={"user": "id"} keeps each side's body["id"] as {user}."""
        if json_body is not None:
            headers = [("Content-Type", "application/json"), *headers]
        headers = [("Host", "localhost"), *headers]
        answers = {}
        for side in (self.server, self.function):
            data = json.dumps(_fill(json_body, side.values)).encode() if json_body is not None else body
            sized = [("Content-Length", str(len(data)))] if data else []
            request = HttpRequest(method, target.format(**side.values),
                                  [(k, v.format(**side.values)) for k, v in headers] + sized, data)
            reply = side.send(request)
            for name, field in (capture or {}).items():
                side.values[name] = reply.json()[field] if field else reply
            answers[side.name] = (reply, comparable(reply, self.fmt, side.normalizer, compare_body))
        (served, server_view), (answered, function_view) = answers["serve"], answers["lambda"]
        assert function_view == server_view, (
            f"{self.fmt} {method} {target}: the function and serve differ\n"
            f"serve:  {served.status} {served.headers} {served.body[:600]!r}\n"
            f"lambda: {answered.status} {answered.headers} {answered.body[:600]!r}")
        if status is not None:
            assert answered.status == status, f"{method} {target}: {answered.status} {answered.body[:300]!r}"
        return answered
