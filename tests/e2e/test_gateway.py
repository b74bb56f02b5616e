"""Gateway behaviour (API.md §1-2): token-bucket throttling, API keys with usage plans, revocation,
secure defaults and slow clients, against the real binary."""
import http.client
import json
import socket
import subprocess
import threading
import time

import pytest
import requests

from conftest import cli, BIN, LISTEN_RE, assert_problem, create_user, order_payload, user_payload

OPS_PATHS = ["/healthz", "/readyz", "/metrics", "/openapi.json"]




def create_key(db, name, *extra):
    out = cli("apikey", "create", "--name", name, *extra, db=db)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def paced(srv, path, rate, seconds, headers=None, source="127.0.0.1"):
    """GETs `path` at `rate` per second; returns [(sent, received, response)] (monotonic times)."""
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=5, source_address=(source, 0))
    results = []
    start = time.monotonic()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        sent = time.monotonic()
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        results.append((sent, time.monotonic(), resp.status, dict(resp.getheaders()), body))
    conn.close()
    return results


def assert_window_bound(results, rate, burst):
    """For allowed requests i <= j the server admitted them within [sent_i, received_j], so
    j - i + 1 <= burst + rate * (received_j - sent_i) must hold for every pair."""
    allowed = [(s, r) for s, r, status, _, _ in results if status == 200]
    for i in range(len(allowed)):
        for j in range(i, len(allowed)):
            window = allowed[j][1] - allowed[i][0]
            assert j - i + 1 <= burst + rate * window + 1e-6, (i, j, window)
    return len(allowed)


@pytest.mark.slow
@pytest.mark.parametrize("factor", [2, 5])
def test_global_bucket_passes_at_most_burst_plus_rate_times_t(start_server, factor):
    rate, burst, seconds = 20, 5, 2.5
    srv = start_server(rate_limit=rate, burst=burst)
    results = paced(srv, "/v1/users", rate * factor, seconds)
    allowed = assert_window_bound(results, rate, burst)
    elapsed = results[-1][1] - results[0][0]
    assert allowed >= burst + rate * elapsed * 0.85, (allowed, elapsed)  # and it is not stingy
    refused = [r for r in results if r[2] == 429]
    assert len(refused) == len(results) - allowed and refused
    _, _, _, headers, body = refused[0]
    headers = {k.lower(): v for k, v in headers.items()}
    assert headers["content-type"].startswith("application/problem+json")
    assert json.loads(body)["type"] == "/problems/too-many-requests"
    assert int(headers["retry-after"]) >= 1 and headers["ratelimit-limit"] == str(burst)
    assert headers["ratelimit-remaining"] == "0" and int(headers["ratelimit-reset"]) >= 1
    metrics = srv.get("/metrics").text
    assert f'gateway_rejected_total{{reason="global_limit"}} {len(refused)}' in metrics


def test_health_readiness_metrics_and_openapi_are_never_throttled(start_server):
    srv = start_server(rate_limit=1, burst=1)
    assert srv.get("/v1/users").status_code == 200
    assert srv.get("/v1/users").status_code == 429
    for _ in range(5):
        for path in OPS_PATHS:
            assert srv.get(path).status_code == 200, path


def test_without_auth_each_client_address_has_its_own_bucket(start_server):
    srv = start_server(per_client_rate=1, per_client_burst=3)
    first = paced(srv, "/v1/users", 50, 0.2, source="127.0.0.1")
    second = paced(srv, "/v1/users", 50, 0.2, source="127.0.0.2")
    assert [r[2] for r in first].count(200) == 3
    assert [r[2] for r in second].count(200) == 3
    assert 'gateway_rejected_total{reason="client_limit"} 14' in srv.get("/metrics").text


def test_api_keys_are_required_on_v1_only(start_server, tmp_path):
    db = tmp_path / "keys.db"
    key = create_key(db, "ci")
    srv = start_server(db=db, auth="api-key")
    missing = srv.get("/v1/users")
    assert_problem(missing, 401, "/problems/unauthorized")
    assert missing.headers["WWW-Authenticate"].startswith("ApiKey")
    wrong = key["key"][:-4] + "AAAA"
    assert_problem(srv.get("/v1/users", headers={"x-api-key": wrong}), 401, "/problems/unauthorized")
    assert_problem(srv.get("/v1/users", headers={"x-api-key": "nonsense"}), 401, "/problems/unauthorized")
    assert srv.get("/v1/users", headers={"x-api-key": key["key"]}).status_code == 200
    for path in OPS_PATHS:
        assert srv.get(path).status_code == 200, path
    metrics = srv.get("/metrics").text
    assert 'gateway_rejected_total{reason="missing_key"} 1' in metrics
    assert 'gateway_rejected_total{reason="invalid_key"} 2' in metrics
    # The access log names the key's id, never the key.
    access = srv.wait_for_records(lambda r: r.get("msg") == "access" and r.get("status") == 200
                                  and r.get("path") == "/v1/users")
    assert access and access[0]["api_key"] == key["id"]
    assert not any(key["key"] in line for line in srv.lines)


def test_a_key_gets_its_usage_plan_and_keys_do_not_share_buckets(start_server, tmp_path):
    db = tmp_path / "plans.db"
    small = create_key(db, "small", "--rate", "1", "--burst", "3")
    default = create_key(db, "default")
    assert (small["rate"], small["burst"], default["rate"]) == (1, 3, None)
    srv = start_server(db=db, auth="api-key", per_client_rate=1, per_client_burst=5)
    small_results = paced(srv, "/v1/users", 50, 0.2, headers={"x-api-key": small["key"]})
    default_results = paced(srv, "/v1/users", 50, 0.2, headers={"x-api-key": default["key"]})
    assert [r[2] for r in small_results].count(200) == 3
    assert [r[2] for r in default_results].count(200) == 5


def test_revocation_reaches_a_running_server_within_a_second(start_server, tmp_path):
    db = tmp_path / "revoke.db"
    key = create_key(db, "leaving")
    srv = start_server(db=db, auth="api-key")
    headers = {"x-api-key": key["key"]}
    assert srv.get("/v1/users", headers=headers).status_code == 200
    revoked = cli("apikey", "revoke", key["id"], db=db)
    assert revoked.returncode == 0, revoked.stderr
    revoked_at = time.monotonic()
    while srv.get("/v1/users", headers=headers).status_code == 200:
        assert time.monotonic() - revoked_at < 1.0, "revoked key still accepted after 1 s"
        time.sleep(0.02)
    listed = [json.loads(line) for line in cli("apikey", "list", db=db).stdout.splitlines()]
    assert [(k["id"], k["revoked_at"] is not None) for k in listed] == [(key["id"], True)]
    assert "key" not in listed[0] and key["key"] not in json.dumps(listed)
    assert cli("apikey", "revoke", "0000000000000000", db=db).returncode == 1
    # A key created while the server runs works within a second too.
    fresh = create_key(db, "arriving")
    created_at = time.monotonic()
    while srv.get("/v1/users", headers={"x-api-key": fresh["key"]}).status_code != 200:
        assert time.monotonic() - created_at < 1.0, "new key not accepted after 1 s"
        time.sleep(0.02)


def test_idempotency_keys_are_scoped_per_api_key(start_server, tmp_path):
    db = tmp_path / "scope.db"
    a, b = create_key(db, "a")["key"], create_key(db, "b")["key"]
    srv = start_server(db=db, auth="api-key")
    body = user_payload()
    first = srv.post("/v1/users", json=body, headers={"x-api-key": a, "Idempotency-Key": "same"})
    replay = srv.post("/v1/users", json=body, headers={"x-api-key": a, "Idempotency-Key": "same"})
    other = srv.post("/v1/users", json=body, headers={"x-api-key": b, "Idempotency-Key": "same"})
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json()["id"] == first.json()["id"]
    # Under key b the same Idempotency-Key is a new request: it tries to create (and the email is taken).
    assert other.status_code == 409 and other.headers.get("Idempotent-Replayed") is None


def test_a_public_address_without_auth_refuses_to_start(tmp_path):
    out = subprocess.run([BIN, "serve", "--listen", "0.0.0.0:0", "--auth", "none",
                          "--store", f"sqlite:{tmp_path / 'x.db'}"], capture_output=True, text=True, timeout=20)
    assert out.returncode != 0 and "--insecure" in out.stderr


def test_a_public_address_defaults_to_api_keys(tmp_path):
    proc = subprocess.Popen([BIN, "serve", "--listen", "0.0.0.0:0", "--store", f"sqlite:{tmp_path / 'public.db'}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        for line in proc.stderr:
            m = LISTEN_RE.search(line)
            if m:
                port = int(m.group(2))
                break
        assert port, "no listening line"
        resp = requests.get(f"http://127.0.0.1:{port}/v1/users", timeout=5)
        assert_problem(resp, 401, "/problems/unauthorized")
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        proc.terminate()
        assert proc.wait(15) == 0


@pytest.mark.slow
def test_a_hundred_half_open_clients_do_not_delay_a_normal_request(start_server):
    srv = start_server()
    slow = []
    try:
        for i in range(100):
            sock = socket.create_connection((srv.host, srv.port), timeout=5)
            sock.sendall(b"POST /v1/users HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n" if i % 2
                         else b"GET /v1/users HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            slow.append(sock)
        with requests.Session() as fresh:
            for _ in range(5):
                started = time.monotonic()
                resp = fresh.post(srv.url("/v1/orders"), json=order_payload(create_user(srv)["id"]), timeout=3)
                assert resp.status_code == 201
                assert time.monotonic() - started < 0.5, "a normal request waited behind slow clients"
    finally:
        for sock in slow:
            sock.close()
