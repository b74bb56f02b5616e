"""API Gateway's Lambda proxy integration, as the tests' client sees it: an HTTP request turned into the event
a REST API (payload 1.0) or an HTTP API (payload 2.0) hands the function, and the function's reply turned
back into the status, headers and body API Gateway would send. Written from AWS's documentation of the two
formats (deploy/aws/PLAN.md §2), standard library only.

    event = to_event(HttpRequest("GET", "/v1/users?limit=2", [("Accept", "*/*")]), "v1", request_id="r-1")
    reply = from_reply(emulator.invoke(event).json(), "v1")     # HttpReply(status, headers, body)

What API Gateway does that matters here:
- 1.0 gives the query only decoded, as maps (`queryStringParameters`: the last value of each name;
  `multiValueQueryStringParameters`: all of them, in order), and the headers as sent, in `headers` (last
  value) and `multiValueHeaders` (all). A malformed escape (`%zz`) stays as it was.
- 2.0 gives `rawQueryString` as sent, header names in lower case with repeats joined by commas, and the
  Cookie headers split into `cookies`.
- A body goes as text, or base64 with `isBase64Encoded` when it is not UTF-8 (the REST API is meant to
  run with `binaryMediaTypes: ['*/*']`, which base64-encodes every body; `base64_body=True` does that).
"""
import base64
import json
import time
from dataclasses import dataclass, field
from urllib.parse import unquote

FORMATS = ("v1", "v2")


@dataclass
class HttpRequest:
    method: str
    target: str                                   # path and raw query, as on the request line
    headers: list = field(default_factory=list)   # [(name, value)], repeats allowed, in order
    body: bytes = b""

    @property
    def path(self):
        return self.target.split("?", 1)[0]

    @property
    def raw_query(self):
        return self.target.split("?", 1)[1] if "?" in self.target else ""


@dataclass
class HttpReply:
    status: int
    headers: list                                 # [(name, value)] in the order given
    body: bytes

    def header(self, name):
        """The values of header `name` (any case), in order."""
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)


def decoded_query(raw_query):
    """[(name, value)] as API Gateway decodes a query string: percent escapes decoded (a malformed one
    is kept as it is), an item without '=' has an empty value, empty items dropped."""
    pairs = []
    for item in raw_query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


def _body_fields(body, base64_body):
    if not body:
        return None, False
    if not base64_body:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def to_event(request, fmt, request_id="gateway-request-id", source_ip="198.51.100.7", api_key_id=None,
             base64_body=False, stage="prod"):
    """The proxy event of `request` in format 'v1' (REST API) or 'v2' (HTTP API, $default stage)."""
    if fmt == "v1":
        return _v1_event(request, request_id, source_ip, api_key_id, base64_body, stage)
    if fmt == "v2":
        return _v2_event(request, request_id, source_ip, base64_body)
    raise ValueError(f"unknown payload format {fmt!r}")


def _user_agent(request):
    return next((v for k, v in reversed(request.headers) if k.lower() == "user-agent"), "")


def _v1_event(request, request_id, source_ip, api_key_id, base64_body, stage):
    multi_headers, headers = {}, {}
    for name, value in request.headers:
        multi_headers.setdefault(name, []).append(value)
        headers[name] = value
    multi_query, query = {}, {}
    for name, value in decoded_query(request.raw_query):
        multi_query.setdefault(name, []).append(value)
        query[name] = value
    body, encoded = _body_fields(request.body, base64_body)
    return {
        "resource": "/{proxy+}",
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers or None,                 # API Gateway sends null for an empty map
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": request.path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}", "httpMethod": request.method, "path": f"/{stage}{request.path}",
            "stage": stage, "requestId": request_id, "accountId": "123456789012", "apiId": "abcdef1234",
            "requestTimeEpoch": int(time.time() * 1000), "protocol": "HTTP/1.1", "domainName": "api.example",
            "identity": {"sourceIp": source_ip, "userAgent": _user_agent(request), "apiKeyId": api_key_id,
                         "apiKey": None},
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def _v2_event(request, request_id, source_ip, base64_body):
    headers, cookies = {}, []
    for name, value in request.headers:
        if name.lower() == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    query = {}
    for name, value in decoded_query(request.raw_query):
        query[name] = f"{query[name]},{value}" if name in query else value
    body, encoded = _body_fields(request.body, base64_body)
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": request.path, "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "abcdef1234", "domainName": "api.example", "stage": "$default",
            "requestId": request_id, "routeKey": "$default", "timeEpoch": int(time.time() * 1000),
            "http": {"method": request.method, "path": request.path, "protocol": "HTTP/1.1",
                     "sourceIp": source_ip, "userAgent": _user_agent(request)},
        },
        "isBase64Encoded": encoded,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body is not None:
        event["body"] = body
    return event


def from_reply(reply, fmt):
    """The HttpReply API Gateway makes of the function's reply (a parsed JSON object) in format fmt.
    Fails on a reply API Gateway would not take as a proxy response (it answers 502 to those)."""
    assert isinstance(reply, dict) and isinstance(reply.get("statusCode"), int), f"not a proxy reply: {reply}"
    headers = []
    if fmt == "v1":
        assert "headers" not in reply or not reply["headers"], "1.0: expected multiValueHeaders only"
        for name, values in (reply.get("multiValueHeaders") or {}).items():
            assert isinstance(values, list), f"1.0: {name}: {values!r} is not a list"
            headers += [(name, value) for value in values]
    else:
        for name, value in (reply.get("headers") or {}).items():
            assert isinstance(value, str), f"2.0: {name}: {value!r} is not a string"
            headers.append((name, value))
        headers += [("Set-Cookie", cookie) for cookie in reply.get("cookies") or []]
    body = reply.get("body") or ""
    data = base64.b64decode(body, validate=True) if reply.get("isBase64Encoded") else body.encode("utf-8")
    return HttpReply(reply["statusCode"], headers, data)
