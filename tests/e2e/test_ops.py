"""Operations: health, readiness, metrics, OpenAPI, CLI, environment, shutdown, access log."""
import json
import re
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from external_service import no_metrics
from conftest import STORE, BIN, store_url, assert_json, assert_problem, create_user, describe, require_binary, unique_email
from rawhttp import RawConn

CONVENTIONS = Path(__file__).resolve().parents[2] / "docs" / "CONVENTIONS.md"
API_SERVE_FLAGS = ["--listen", "--store", "--bus", "--roles", "--threads", "--auth", "--max-body",
                   "--idempotency-ttl", "--shutdown-grace"]


def serve_flags():
    """The flags API.md §1 names plus those docs/CONVENTIONS.md lists for `serve` in this issue."""
    flags = list(API_SERVE_FLAGS)
    text = CONVENTIONS.read_text(encoding="utf-8") if CONVENTIONS.exists() else ""
    m = re.search(r"Flags of `serve`[^:]*:(.*?)\.\s", text, re.S)
    if m:
        flags += [f for f in re.findall(r"--[a-z][a-z0-9-]*", m.group(1)) if f not in flags]
    return flags
SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def run_cli(*args, env=None, timeout=20):
    require_binary()
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env=env)


def parse_metrics(text):
    """-> (types {family: type}, samples [(name, labels dict, value)])"""
    types, samples = {}, []
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            types[name] = kind.strip()
        elif line and not line.startswith("#"):
            m = SAMPLE_RE.match(line)
            assert m, f"not Prometheus text format: {line!r}"
            samples.append((m.group(1), dict(LABEL_RE.findall(m.group(2) or "")), float(m.group(3))))
    return types, samples


def scrape(srv):
    resp = srv.get("/metrics")
    assert resp.status_code == 200, describe(resp)
    assert resp.headers.get("Content-Type", "").startswith("text/plain"), describe(resp)
    return resp.text, *parse_metrics(resp.text)


def request_counter(samples, types, route_part, status):
    """Sum of every counter sample with a route label containing route_part and the given status."""
    total, found = 0.0, False
    for name, labels, value in samples:
        family = name[:-len("_total")] if name.endswith("_total") else name
        if types.get(family) != "counter" and types.get(name) != "counter":
            continue
        if "route" in labels and labels.get("status") == str(status) and route_part in labels["route"]:
            total, found = total + value, True
    return total if found else None


# ---- health, readiness, metrics, openapi -------------------------------------------------------------
def test_healthz_and_readyz(server):
    assert server.get("/healthz").status_code == 200
    assert server.get("/readyz").status_code == 200


@no_metrics
def test_metrics_request_counter_by_route_and_status(server):
    _, types, samples = scrape(server)
    before = request_counter(samples, types, "healthz", 200) or 0.0
    for _ in range(3):
        assert server.get("/healthz").status_code == 200
    deadline = time.monotonic() + 2
    while True:
        _, types, samples = scrape(server)
        after = request_counter(samples, types, "healthz", 200)
        if (after is not None and after - before >= 3) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert after is not None, "no counter with route and status labels for /healthz 200"
    assert after - before == 3, (before, after)


@no_metrics
def test_metrics_route_label_is_a_template(server):
    user_id, junk = str(uuid.uuid4()), uuid.uuid4().hex
    assert server.get(f"/v1/users/{user_id}").status_code == 404
    assert server.get(f"/no/such/{junk}").status_code == 404
    text, types, samples = scrape(server)
    assert request_counter(samples, types, "/v1/users", 404), "no 404 sample for a /v1/users route"
    assert user_id not in text and junk not in text, "raw path in metric labels (unbounded cardinality)"


@no_metrics
def test_metrics_latency_histogram(server):
    server.get("/healthz")
    _, types, samples = scrape(server)
    histograms = [name for name, kind in types.items() if kind == "histogram"]
    assert histograms, "no histogram family in /metrics"
    checked = 0
    for family in histograms:
        buckets = [(lab, v) for n, lab, v in samples if n == family + "_bucket"]
        sums = [(lab, v) for n, lab, v in samples if n == family + "_sum"]
        counts = [(lab, v) for n, lab, v in samples if n == family + "_count"]
        if not counts:
            continue
        assert buckets and sums, f"{family}: missing _bucket or _sum"
        for labels, count in counts:
            series = sorted(((float(lab["le"]), v) for lab, v in buckets
                             if {k: x for k, x in lab.items() if k != "le"} == labels), key=lambda t: t[0])
            assert series and series[-1][0] == float("inf"), f"{family}{labels}: no le=\"+Inf\" bucket"
            values = [v for _, v in series]
            assert values == sorted(values), f"{family}{labels}: buckets not cumulative {series}"
            assert series[-1][1] == count, f"{family}{labels}: +Inf bucket {series[-1][1]} != _count {count}"
            checked += 1
    assert checked, "histogram families without any _count series"


def test_openapi_document(server):
    doc = assert_json(server.get("/openapi.json"), 200)
    assert isinstance(doc.get("openapi"), str) and doc["openapi"].startswith("3."), doc.get("openapi")
    assert doc["info"]["title"] and doc["info"]["version"]
    paths = {re.sub(r"\{[^}]+\}", "{}", p) for p in doc["paths"]}
    for expected in ("/v1/users", "/v1/users/{}", "/v1/users/{}/orders", "/v1/orders", "/v1/orders/{}",
                     "/healthz", "/readyz"):
        assert expected in paths, f"{expected} not in OpenAPI paths {sorted(paths)}"


# ---- CLI ---------------------------------------------------------------------------------------
def test_help_lists_commands():
    res = run_cli("--help")
    assert res.returncode == 0, res
    out = res.stdout + res.stderr
    for word in ("serve", "migrate"):
        assert word in out, out


def test_serve_help_lists_flags():
    res = run_cli("serve", "--help")
    assert res.returncode == 0, res
    out = res.stdout + res.stderr
    missing = [f for f in serve_flags() if not re.search(re.escape(f) + r"\b(?!-)", out)]
    assert not missing, f"serve --help does not mention {missing}:\n{out}"


def test_migrate_help():
    res = run_cli("migrate", "--help")
    assert res.returncode == 0, res
    assert "--store" in res.stdout + res.stderr


def test_version():
    res = run_cli("--version")
    assert res.returncode == 0, res
    assert re.search(r"\d+\.\d+", res.stdout + res.stderr), res


def test_unknown_command_and_flag_fail():
    assert run_cli("frobnicate").returncode != 0
    assert run_cli("serve", "--no-such-flag", "--listen", "127.0.0.1:0").returncode != 0


def test_bad_store_url_fails_fast(tmp_path):
    res = run_cli("serve", "--listen", "127.0.0.1:0", "--store", "bogus://nowhere")
    assert res.returncode != 0, res


def test_a_password_in_a_bad_url_is_never_logged():
    for args in (["migrate", "--store", "mysql://ninja:s3cr3tpw@db.internal/x"],
                 ["migrate", "--store", "dynamodb://ak:s3cr3tpw@x"],
                 ["serve", "--listen", "127.0.0.1:0", "--bus", "kafka://u:s3cr3tpw@broker:9092"]):
        res = run_cli(*args)
        assert res.returncode != 0, res
        assert "s3cr3tpw" not in res.stdout + res.stderr, res.stderr
        assert "***" in res.stderr, res.stderr  # the line still says which URL was wrong


def test_migrate_twice_then_serve(tmp_path, start_server):
    db = tmp_path / "migrated.db"
    for _ in range(2):
        res = run_cli("migrate", "--store", store_url(db))
        assert res.returncode == 0, res
    if STORE == "sqlite":
        assert db.exists() and db.stat().st_size > 0
    srv = start_server(db=db)
    user = create_user(srv)
    srv.stop()
    res = run_cli("migrate", "--store", store_url(db))
    assert res.returncode == 0, res
    again = start_server(db=db)
    assert again.get(f"/v1/users/{user['id']}").json() == user


# ---- environment -------------------------------------------------------------------------------
def test_env_max_body(start_server, tmp_path):
    srv = start_server(env={"NINJA_ORDERS_MAX_BODY": "100"})
    small = {"name": "E", "email": f"{uuid.uuid4().hex[:8]}@ex.io"}
    assert srv.post("/v1/users", json=small).status_code == 201
    big = {"name": "E" * 100, "email": unique_email()}
    assert_problem(srv.post("/v1/users", json=big), 413, "/problems/payload-too-large")


def test_flag_wins_over_env(start_server):
    srv = start_server(env={"NINJA_ORDERS_MAX_BODY": "100"}, max_body=4096)
    resp = srv.post("/v1/users", json={"name": "F" * 150, "email": unique_email()})
    assert resp.status_code == 201, describe(resp)


def test_env_store(start_server, tmp_path):
    db = tmp_path / "from-env.db"
    srv = start_server(db=db, store=False, env={"NINJA_ORDERS_STORE": store_url(db)})
    user = create_user(srv)
    srv.stop()
    again = start_server(db=db)  # the same store, named by the flag this time
    assert again.get(f"/v1/users/{user['id']}").json() == user


# ---- shutdown ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_sigterm_finishes_request_in_flight(start_server, tmp_path):
    db = tmp_path / "drain.db"
    srv = start_server(db=db, shutdown_grace=10)
    email = unique_email()
    body = json.dumps({"name": "In Flight", "email": email}).encode()
    conn = RawConn(srv.host, srv.port, timeout=15)
    try:
        conn.send(b"POST /v1/users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
        time.sleep(0.3)
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert srv.proc.poll() is None, "exited with a request in flight"
        try:
            ready = requests.get(srv.url("/readyz"), timeout=2)
            assert ready.status_code == 503, f"/readyz while draining:{describe(ready)}"
        except (requests.ConnectionError, requests.ReadTimeout):
            pass  # the listener is closed or no longer served: not ready either
        conn.send(body[10:])
        resp = conn.read_response(10)
    finally:
        conn.close()
    assert resp is not None and resp.status == 201, f"in-flight request not finished: {resp}"
    srv.proc.wait(15)
    assert srv.proc.returncode == 0, srv.stderr_tail()
    again = start_server(db=db)
    assert again.get(f"/v1/users/{resp.json()['id']}").json()["email"] == email


def test_sigterm_with_idle_keepalive_exits_promptly(start_server):
    srv = start_server(shutdown_grace=10)
    idle = requests.Session()
    assert idle.get(srv.url("/healthz")).status_code == 200  # keep-alive connection now idle
    started = time.monotonic()
    rc = srv.terminate()
    idle.close()
    assert rc == 0, srv.stderr_tail()
    assert time.monotonic() - started < 5, "idle keep-alive connection held up shutdown"


def test_sigint_exits_zero(start_server):
    srv = start_server()
    assert srv.terminate(signal.SIGINT) == 0, srv.stderr_tail()


# ---- logs --------------------------------------------------------------------------------------
def test_one_access_log_line_per_request(server):
    ids = [f"log-{uuid.uuid4().hex}" for _ in range(4)]
    calls = [("GET", "/healthz", 200), ("GET", f"/v1/users/{uuid.uuid4()}", 404),
             ("DELETE", "/v1/users", 405), ("POST", "/v1/users", 201)]
    for rid, (method, path, status) in zip(ids, calls):
        kw = {"json": {"name": "Log", "email": unique_email()}} if method == "POST" else {}
        resp = server.request(method, path, headers={"X-Request-Id": rid}, **kw)
        assert resp.status_code == status, describe(resp)
    for rid, (method, path, status) in zip(ids, calls):
        server.wait_for_records(lambda r, rid=rid: r.get("msg") == "access" and r.get("request_id") == rid)
    time.sleep(0.2)  # a duplicate line would have arrived by now
    for rid, (method, path, status) in zip(ids, calls):
        lines = [r for r in server.access_records() if r.get("request_id") == rid]
        assert len(lines) == 1, f"{len(lines)} access lines for {rid}: {lines}"
        rec = lines[0]
        for key in ("method", "path", "route", "status", "duration_ms", "remote"):
            assert key in rec, f"access line without {key}: {rec}"
        assert rec["method"] == method and rec["path"] == path and int(rec["status"]) == status, rec
        assert isinstance(rec["duration_ms"], (int, float)) and rec["duration_ms"] >= 0, rec


def test_generated_request_id_is_logged(server):
    resp = server.get("/readyz")
    rid = resp.headers.get("X-Request-Id")
    assert rid, describe(resp)
    found = server.wait_for_records(lambda r: r.get("msg") == "access" and r.get("request_id") == rid)
    assert len(found) == 1, found


def test_every_stderr_line_is_json(server):
    server.get("/healthz")
    lines = server.stderr_lines()
    bad = []
    for line in lines:
        try:
            if not isinstance(json.loads(line), dict):
                bad.append(line)
        except ValueError:
            bad.append(line)
    assert lines and not bad, f"non-JSON log lines: {bad[:5]}"
