"""Hostile clients over raw sockets: nothing a client sends may crash the process, get a 5xx, smuggle a
request or starve other clients (API.md §2 Errors, DESIGN.md "Bad input never hurts", RFC 9112)."""
import os
import random
import socket
import struct
import threading
import time
import uuid

import pytest
import requests

from conftest import assert_problem, create_user, describe, unique_email
from rawhttp import RawConn, exchange

SEEN = []  # every status any test of this module received


def send(server, data, timeout=5.0, idle=0.7):
    responses, closed = exchange(server.host, server.port, data, timeout, idle)
    SEEN.extend((r.status, data[:80]) for r in responses)
    return responses, closed


def track(resp):
    SEEN.append((resp.status_code, resp.request.url[:80]))
    return resp


def assert_rejected(responses, closed, allowed, problem_type=None):
    """Either one response with an allowed status (then the connection may stay or close), or the server
    closed the connection without answering; a silent open connection is a hang."""
    if not responses:
        assert closed, "no response and the connection was left open"
        return
    assert len(responses) == 1, f"more than one response: {responses}"
    assert responses[0].status in allowed, responses
    if problem_type and responses[0].body:
        assert responses[0].header("content-type").startswith("application/problem+json"), responses
        assert responses[0].json()["type"] == problem_type, responses


def post_head(path="/v1/users", length=None, extra=b""):
    head = b"POST " + path.encode() + b" HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + extra
    if length is not None:
        head += b"Content-Length: %d\r\n" % length
    return head


@pytest.fixture(scope="module")
def victim(server):
    return create_user(server, name="Smuggling Victim")


@pytest.mark.parametrize("data", [
    b"GET\r\n\r\n",
    b"GET /healthz HTTP/1.1 extra\r\nHost: t\r\n\r\n",
    b"G\x01T /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET /healthz HTTX/1.1\r\nHost: t\r\n\r\n",
    b"\r\n\r\nGARBAGE\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: t\r\nNoColonHere\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost : t\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\n: empty-name\r\n\r\n",
], ids=repr)
def test_malformed_request_line_or_header(server, data):
    assert_rejected(*send(server, data), {400}, "/problems/malformed-request")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_garbage(server, seed):
    data = random.Random(seed).randbytes(8192)
    assert_rejected(*send(server, data), {400, 414, 431})


def test_tls_client_hello_on_plain_port(server):
    hello = bytes.fromhex("16030100f4010000f00303") + os.urandom(32) + b"\x00" * 200
    assert_rejected(*send(server, hello), {400})


def test_huge_header_value(server):
    data = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n"
    assert_rejected(*send(server, data), {431}, "/problems/headers-too-large")


def test_many_headers(server):
    data = b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + b"".join(
        b"X-H%05d: %s\r\n" % (i, b"v" * 50) for i in range(1200)) + b"\r\n"
    assert_rejected(*send(server, data), {431}, "/problems/headers-too-large")


def test_very_long_header_name(server):
    data = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-" + b"n" * 70000 + b": v\r\n\r\n"
    assert_rejected(*send(server, data), {431}, "/problems/headers-too-large")


def test_huge_url_is_414(server):
    responses, _ = send(server, b"GET /v1/users/" + b"a" * 65536 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
    assert len(responses) == 1 and responses[0].status == 414, responses
    assert responses[0].json()["type"] == "/problems/uri-too-long"


def test_huge_query_is_414(server):
    responses, _ = send(server, b"GET /v1/users?cursor=" + b"c" * 65536 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
    assert len(responses) == 1 and responses[0].status == 414, responses


@pytest.mark.parametrize("opener,closer", [(b"[", b"]"), (b'{"a":', b"}")])
def test_deep_json_nesting_is_400(server, opener, closer):
    body = b'{"name":' + opener * 100000 + b"1" + closer * 100000 + b"}"
    resp = track(server.post("/v1/users", data=body, headers={"Content-Type": "application/json"}))
    assert_problem(resp, 400, "/problems/malformed-json")


def test_deep_unclosed_nesting_is_400(server):
    resp = track(server.post("/v1/orders", data=b"[" * 100000, headers={"Content-Type": "application/json"}))
    assert_problem(resp, 400, "/problems/malformed-json")


@pytest.mark.parametrize("bad", [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80",
                                 b"\x80", b"\xf8\x88\x80\x80\x80"], ids=repr)
def test_invalid_utf8_in_string_is_400(server, bad):
    email = unique_email()
    body = b'{"name":"x' + bad + b'y","email":"' + email.encode() + b'"}'
    resp = track(server.post("/v1/users", data=body, headers={"Content-Type": "application/json"}))
    assert_problem(resp, 400, "/problems/malformed-json")
    assert track(server.post("/v1/users", json={"name": "ok", "email": email})).status_code == 201


def smuggled_delete(user_id):
    return b"DELETE /v1/users/" + user_id.encode() + b" HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n"


def test_smuggling_cl_te(server, victim):
    body = b"0\r\n\r\n" + smuggled_delete(victim["id"])
    data = post_head(length=len(body), extra=b"Transfer-Encoding: chunked\r\n") + b"\r\n" + body
    responses, closed = send(server, data, idle=1.5)
    assert len(responses) <= 1, f"two responses to one request: {responses}"
    assert responses and responses[0].status == 400 or closed, responses
    assert track(server.get(f"/v1/users/{victim['id']}")).status_code == 200, "smuggled DELETE was executed"


def test_smuggling_te_cl(server, victim):
    inner = smuggled_delete(victim["id"])
    size_line = b"%x\r\n" % len(inner)
    body = size_line + inner + b"\r\n0\r\n\r\n"
    data = post_head(length=len(size_line), extra=b"Transfer-Encoding: chunked\r\n") + b"\r\n" + body
    responses, closed = send(server, data, idle=1.5)
    assert len(responses) <= 1, f"two responses to one request: {responses}"
    assert track(server.get(f"/v1/users/{victim['id']}")).status_code == 200, "smuggled DELETE was executed"


def test_smuggling_connection_is_closed_after_answer(server):
    conn = RawConn(server.host, server.port)
    try:
        conn.send(post_head(length=5, extra=b"Transfer-Encoding: chunked\r\n") + b"\r\n0\r\n\r\n")
        first = conn.read_response(5)
        if first is not None:
            SEEN.append((first.status, b"cl+te"))
        conn.send(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        second = conn.read_response(2)
        assert second is None, f"connection reused after a CL+TE request (RFC 9112 §6.3): {first} {second}"
    finally:
        conn.close()


@pytest.mark.parametrize("value", [b"-1", b"abc", b"+5", b"5, 6", b"1e3", b"0x10", b" ", b"18446744073709551617"])
def test_bad_content_length_is_400(server, value):
    data = (b"POST /v1/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: "
            + value + b"\r\n\r\n{}")
    assert_rejected(*send(server, data), {400, 413} if value.isdigit() else {400})


def test_conflicting_duplicate_content_length_is_400(server):
    data = post_head(extra=b"Content-Length: 2\r\nContent-Length: 3\r\n") + b"\r\n{} "
    assert_rejected(*send(server, data), {400})


def test_bad_chunk_size_is_400(server):
    data = post_head(extra=b"Transfer-Encoding: chunked\r\n") + b"\r\nzz\r\n{}\r\n0\r\n\r\n"
    assert_rejected(*send(server, data), {400})


def test_huge_chunk_size_rejected(server):
    data = post_head(extra=b"Transfer-Encoding: chunked\r\n") + b"\r\nffffffffffffffffffff\r\n{}\r\n"
    assert_rejected(*send(server, data), {400, 413})


@pytest.mark.slow
def test_slowloris_does_not_block_others(server):
    count = min(64, max(32, 4 * (os.cpu_count() or 2)))
    slow = []
    for i in range(count):
        sock = socket.create_connection((server.host, server.port), timeout=5)
        if i % 2:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        else:
            sock.sendall(post_head(length=1000) + b"\r\n{\"name\":")
        slow.append(sock)
    stop = threading.Event()

    def trickle():
        while not stop.wait(0.3):
            for sock in slow:
                try:
                    sock.send(b"a")
                except OSError:
                    pass

    dripper = threading.Thread(target=trickle, daemon=True)
    dripper.start()
    try:
        with requests.Session() as fresh:
            for _ in range(5):
                started = time.monotonic()
                resp = track(fresh.get(server.url("/healthz"), timeout=3))
                assert resp.status_code == 200 and time.monotonic() - started < 2, describe(resp)
                time.sleep(0.3)
            resp = track(fresh.post(server.url("/v1/users"), json={"name": "Busy", "email": unique_email()},
                                    timeout=3))
            assert resp.status_code == 201, describe(resp)
    finally:
        stop.set()
        dripper.join(2)
        for sock in slow:
            sock.close()


@pytest.mark.parametrize("data", [
    b"GET /heal\x00thz HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHo\x00st: t\r\n\r\n",
    b"\x00\x00\x00\x00GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
], ids=repr)
def test_nul_in_request_line_or_header_name_is_400(server, data):
    assert_rejected(*send(server, data), {400})


def test_nul_in_header_value_rejected_or_replaced(server):
    # RFC 9110 §5.5: reject, or replace NUL with SP and go on
    assert_rejected(*send(server, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Nul: a\x00b\r\n\r\n"), {200, 400})


def test_raw_nul_in_json_string_is_400(server):
    body = b'{"name":"a\x00b","email":"' + unique_email().encode() + b'"}'
    resp = track(server.post("/v1/users", data=body, headers={"Content-Type": "application/json"}))
    assert_problem(resp, 400, "/problems/malformed-json")


def test_escaped_nul_is_stored_or_rejected_never_crashes(server):
    body = b'{"name":"a\\u0000b","email":"' + unique_email().encode() + b'"}'
    resp = track(server.post("/v1/users", data=body, headers={"Content-Type": "application/json"}))
    assert resp.status_code in (201, 422), describe(resp)
    if resp.status_code == 201:
        got = track(server.get(f"/v1/users/{resp.json()['id']}"))
        assert got.json()["name"] == "a\x00b", "NUL silently truncated"


def test_escaped_nul_in_an_order_is_422_on_every_backend(server):
    user = create_user(server)
    for field, body in (("note", {"note": "a\u0000b"}),
                        ("items[0].sku", {"items": [{"sku": "S\u0000", "quantity": 1, "unit_price": 1}]})):
        payload = {"user_id": user["id"], "items": [{"sku": "A", "quantity": 1, "unit_price": 1}], **body}
        resp = track(server.post("/v1/orders", json=payload))
        assert_problem(resp, 422, "/problems/validation")
        assert field in [e["field"] for e in resp.json()["errors"]], resp.json()


@pytest.mark.parametrize("path", [b"/v1/users/\xc3\xa9", b"/\xff\xfe", "/v1/users/名前".encode()], ids=repr)
def test_non_ascii_raw_path(server, path):
    responses, closed = send(server, b"GET " + path + b" HTTP/1.1\r\nHost: t\r\n\r\n")
    assert_rejected(responses, closed, {400, 404})


def test_percent_encoded_non_ascii_path_is_404(server):
    resp = track(server.get("/v1/users/%C3%A9%00%FF"))
    assert_problem(resp, 404, "/problems/not-found")


def test_huge_number_is_rejected_cleanly(server):
    owner = create_user(server)
    body = ('{"user_id":"%s","items":[{"sku":"a","quantity":1e400,"unit_price":%s}]}'
            % (owner["id"], "9" * 5000)).encode()
    resp = track(server.post("/v1/orders", data=body, headers={"Content-Type": "application/json"}))
    assert resp.status_code in (400, 422), describe(resp)


def test_pipelined_requests_answered_in_order(server):
    data = b"".join(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Request-Id: pipe-%d\r\n\r\n" % i for i in range(3))
    responses, _ = send(server, data)
    assert [r.status for r in responses] == [200, 200, 200], responses
    assert [r.header("x-request-id") for r in responses] == ["pipe-0", "pipe-1", "pipe-2"]


def test_connection_close_honoured(server):
    responses, closed = send(server, b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", idle=3)
    assert [r.status for r in responses] == [200] and closed, responses


def test_http11_without_host_is_400(server):
    assert_rejected(*send(server, b"GET /healthz HTTP/1.1\r\n\r\n"), {400})


def test_http10_is_served(server):
    responses, _ = send(server, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert [r.status for r in responses] == [200], responses


def test_bare_lf_line_endings(server):
    responses, closed = send(server, b"GET /healthz HTTP/1.1\nHost: t\n\n")
    assert_rejected(responses, closed, {200, 400})


def test_chunked_body_accepted(server):
    body = ('{"name":"Chunky","email":"%s"}' % unique_email()).encode()
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7]), body[i:i + 7]) for i in range(0, len(body), 7))
    data = post_head(extra=b"Transfer-Encoding: chunked\r\n") + b"\r\n" + chunked + b"0\r\n\r\n"
    responses, _ = send(server, data)
    assert [r.status for r in responses] == [201], responses
    assert responses[0].json()["name"] == "Chunky"


def test_expect_100_continue(server):
    body = ('{"name":"Patient","email":"%s"}' % unique_email()).encode()
    conn = RawConn(server.host, server.port)
    try:
        conn.send(post_head(length=len(body), extra=b"Expect: 100-continue\r\n") + b"\r\n")
        interim = conn.read_response(1.0)
        if interim is not None:
            SEEN.append((interim.status, b"expect"))
            assert interim.status == 100, interim
        conn.send(body)
        final = conn.read_response(5)
    finally:
        conn.close()
    assert final is not None and final.status == 201, final
    SEEN.append((final.status, b"expect"))


def test_truncated_body_then_close(server):
    for _ in range(5):
        conn = RawConn(server.host, server.port)
        conn.send(post_head(length=1000) + b"\r\n" + b'{"name":"half')
        conn.close()
    assert track(server.get("/healthz")).status_code == 200


def test_connection_storm_with_resets(server):
    for i in range(200):
        sock = socket.create_connection((server.host, server.port), timeout=5)
        if i % 3 == 0:
            sock.send(b"GET /heal")
        if i % 2 == 0:  # RST instead of FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    resp = track(requests.get(server.url("/healthz"), timeout=5))
    assert resp.status_code == 200


def test_zz_server_survived_everything(server):
    resp = track(requests.get(server.url("/healthz"), timeout=5))
    assert resp.status_code == 200
    assert server.proc.poll() is None, "server process died"
    fives = [(s, d) for s, d in SEEN if s >= 500]
    assert not fives, f"5xx answers seen in this module: {fives}"
    probe = track(requests.post(server.url("/v1/users"), json={"name": "Still", "email": unique_email()},
                                timeout=5))
    assert probe.status_code == 201, describe(probe)
    assert uuid.UUID(probe.json()["id"])


def test_a_body_of_many_unknown_keys_gets_a_small_422(server):
    # ~1 MB of unknown keys: listing each would answer ~6 MB, per client that never reads it.
    keys = ",".join(f'"k{i}":1' for i in range(90000))
    body = ('{"name":"Many","email":"%s",%s}' % (unique_email("many"), keys)).encode()
    assert len(body) < 1024 * 1024
    resp = server.post("/v1/users", data=body, headers={"Content-Type": "application/json"})
    assert_problem(resp, 422, "/problems/validation")
    problem = resp.json()
    assert len(problem["errors"]) == 100, describe(resp)
    assert problem["detail"] == "90000 fields are invalid; the first 100 are listed", problem["detail"]
    assert len(resp.content) < 16 * 1024
