"""Assertions on HTTP responses shared by the e2e tests (re-exported by conftest)."""
import datetime as dt
import re

import requests

UUID7_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
USER_KEYS = {"id", "name", "email", "phone", "notify_channel", "webhook_url", "created_at"}
ORDER_KEYS = {"id", "user_id", "items", "currency", "total", "status", "note", "created_at"}


def describe(resp):
    req = resp.request
    body = req.body if isinstance(req.body, (bytes, str, type(None))) else "<stream>"
    if isinstance(body, bytes) and len(body) > 600:
        body = body[:600] + b"..."
    return (f"\n  request: {req.method} {req.url} headers={dict(req.headers)} body={body!r}"
            f"\n  response: {resp.status_code} headers={dict(resp.headers)} body={resp.text[:2000]!r}")


def media_type(resp):
    return resp.headers.get("Content-Type", "").split(";")[0].strip().lower()


def assert_json(resp, status):
    assert resp.status_code == status, describe(resp)
    ctype = resp.headers.get("Content-Type", "").lower().replace(" ", "")
    assert ctype.startswith("application/json"), describe(resp)
    return resp.json()


def error_fields(body):
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, f"no errors[] in {body}"
    for err in errors:
        assert isinstance(err, dict), body
        assert isinstance(err.get("field"), str) and err["field"], f"error without field: {body}"
        assert isinstance(err.get("message"), str) and err["message"], f"error without message: {body}"
    return {err["field"] for err in errors}


def assert_problem(resp, status, type_=None, fields=None):
    """Checks an RFC 9457 problem response; fields: the exact set of fields errors[] must name."""
    assert resp.status_code == status, describe(resp)
    assert media_type(resp) == "application/problem+json", describe(resp)
    body = resp.json()
    assert isinstance(body, dict), describe(resp)
    for key in ("type", "title", "status", "detail"):
        assert key in body, f"problem without {key!r}:{describe(resp)}"
    assert body["status"] == status, describe(resp)
    assert isinstance(body["type"], str) and body["type"].startswith("/problems/"), describe(resp)
    assert isinstance(body["title"], str) and body["title"], describe(resp)
    assert isinstance(body["detail"], str), describe(resp)
    if type_ is not None:
        assert body["type"] == type_, describe(resp)
    if fields is not None:
        assert error_fields(body) == set(fields), describe(resp)
    return body


def parse_time(value):
    assert isinstance(value, str) and TIME_RE.match(value), f"not RFC 3339 UTC with ms: {value!r}"
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)


def uuid7_millis(value):
    assert isinstance(value, str) and UUID7_RE.match(value), f"not a lower-case UUIDv7: {value!r}"
    return int(value.replace("-", "")[:12], 16)


def list_all(srv, path, limit=100):
    """Follows next_cursor to the end; returns every item in order."""
    items, cursor, sep = [], None, "&" if "?" in path else "?"
    for _ in range(10000):
        url = f"{path}{sep}limit={limit}" + (f"&cursor={requests.utils.quote(cursor, safe='')}" if cursor else "")
        page = assert_json(srv.get(url), 200)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError(f"pagination of {path} never ended")
