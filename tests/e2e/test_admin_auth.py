"""Who may call the admin API (console-contract §1), end to end: open on a loopback server without
auth or admin key; the admin key required once configured (401 without or with a wrong one); 403
when no key is configured and auth is on or the listener is not loopback — decided by the address
the server listens on, not by the client's; the admin key accepted on /v1 with --auth api-key and
not throttled by per-client buckets; a bad key file stops the server without printing the key."""
import subprocess

import requests

from admin_support import admin_key_file
from conftest import BIN, LISTEN_RE, assert_json, assert_problem, cli, create_user

ADMIN_GETS = ["/admin/v1/dead-letters", "/admin/v1/api-keys", "/admin/v1/users?email=a@example.com"]


def create_api_key(db, name="ci"):
    import json
    out = cli("apikey", "create", "--name", name, db=db)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_a_loopback_server_without_auth_or_admin_key_is_open(start_server):
    srv = start_server()
    for path in ADMIN_GETS:
        assert_json(srv.get(path), 200)
        assert_json(srv.get(path, headers={"x-api-key": "anything at all"}), 200)
    assert assert_json(srv.post("/admin/v1/dead-letters/replay"), 200) == {"requeued": 0}
    assert any("admin API on /admin/v1: open" in line for line in srv.lines)


def test_a_configured_admin_key_is_required_even_on_loopback_without_auth(start_server, tmp_path):
    path, key = admin_key_file(tmp_path)
    srv = start_server(admin_key_file=path)
    for p in ADMIN_GETS:
        missing = assert_problem(srv.get(p), 401, "/problems/admin-key-required")
        assert "--admin-key-file" in missing["detail"]
        assert_problem(srv.get(p, headers={"x-api-key": key[:-1]}), 401, "/problems/admin-key-required")
        assert_problem(srv.get(p, headers={"x-api-key": key + "0"}), 401, "/problems/admin-key-required")
        assert_json(srv.get(p, headers={"x-api-key": key}), 200)
    assert srv.get("/admin/v1/api-keys").headers["WWW-Authenticate"].startswith("ApiKey")
    assert_problem(srv.post("/admin/v1/api-keys", json={"name": "x"}), 401, "/problems/admin-key-required")
    assert srv.get("/v1/users").status_code == 200  # /v1 stays open with --auth none
    assert 'gateway_rejected_total{reason="admin_key_required"}' in srv.get("/metrics").text
    assert not any(key in line for line in srv.lines), "the admin key was logged"


def test_with_auth_on_and_no_admin_key_the_admin_api_is_disabled(start_server, tmp_path):
    db = tmp_path / "auth.db"
    api_key = create_api_key(db)
    srv = start_server(db=db, auth="api-key")
    for p in ADMIN_GETS:
        disabled = assert_problem(srv.get(p), 403, "/problems/admin-disabled")
        assert "--admin-key-file" in disabled["detail"]
        # An API key is no admin key.
        assert_problem(srv.get(p, headers={"x-api-key": api_key["key"]}), 403, "/problems/admin-disabled")
    assert srv.get("/v1/users", headers={"x-api-key": api_key["key"]}).status_code == 200


def test_with_auth_on_the_admin_key_opens_both_apis_and_no_api_key_opens_admin(start_server, tmp_path):
    db = tmp_path / "both.db"
    api_key = create_api_key(db)
    path, key = admin_key_file(tmp_path)
    srv = start_server(db=db, auth="api-key", admin_key_file=path)
    srv.session.headers["x-api-key"] = key  # every call of this test's session is the operator's
    user = create_user(srv)  # POST /v1 with the admin key
    assert assert_json(srv.get(f"/v1/users/{user['id']}"), 200) == user
    assert assert_json(srv.get("/admin/v1/users", params={"email": user["email"]}), 200)["items"] == [user]
    assert_problem(srv.get("/admin/v1/api-keys", headers={"x-api-key": api_key["key"]}), 401,
                   "/problems/admin-key-required")
    assert srv.get("/v1/users", headers={"x-api-key": api_key["key"]}).status_code == 200
    assert_problem(srv.get("/v1/users", headers={"x-api-key": key[:-1] + "x"}), 401, "/problems/unauthorized")
    # The access log names the operator as "admin", never the key.
    access = srv.wait_for_records(lambda r: r.get("msg") == "access" and r.get("route") == "/v1/users/{id}")
    assert access and access[0]["api_key"] == "admin"
    assert not any(key in line for line in srv.lines), "the admin key was logged"


def test_the_admin_key_has_no_per_client_bucket_but_api_keys_do(start_server, tmp_path):
    db = tmp_path / "plans.db"
    api_key = create_api_key(db)
    path, key = admin_key_file(tmp_path)
    srv = start_server(db=db, auth="api-key", admin_key_file=path, per_client_rate=1, per_client_burst=2)
    statuses = [srv.get("/v1/users", headers={"x-api-key": api_key["key"]}).status_code for _ in range(5)]
    assert statuses.count(429) >= 2, statuses
    for _ in range(30):
        assert srv.get("/v1/users", headers={"x-api-key": key}).status_code == 200
        assert srv.get("/admin/v1/api-keys", headers={"x-api-key": key}).status_code == 200


def test_the_global_bucket_still_applies_to_the_admin(start_server, tmp_path):
    path, key = admin_key_file(tmp_path)
    srv = start_server(auth="api-key", admin_key_file=path, rate_limit=1, burst=3)
    statuses = [srv.get("/admin/v1/api-keys", headers={"x-api-key": key}).status_code for _ in range(6)]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:], statuses


class PublicServer:
    """`serve` on 0.0.0.0 (all addresses), reached through 127.0.0.1: the client is on loopback, the
    listener is not."""

    def __init__(self, tmp_path, *flags):
        self.proc = subprocess.Popen([BIN, "serve", "--listen", "0.0.0.0:0", "--store",
                                      f"sqlite:{tmp_path / 'public.db'}", *flags],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.port = None
        for line in self.proc.stderr:
            m = LISTEN_RE.search(line)
            if m:
                self.port = int(m.group(2))
                break
        assert self.port, "no listening line"

    def get(self, path, **kw):
        return requests.get(f"http://127.0.0.1:{self.port}{path}", timeout=5, **kw)

    def stop(self):
        self.proc.terminate()
        assert self.proc.wait(15) == 0


def test_a_non_loopback_listener_without_auth_and_admin_key_is_disabled_for_a_loopback_client(tmp_path):
    srv = PublicServer(tmp_path, "--auth", "none", "--insecure")
    try:
        assert srv.get("/v1/users").status_code == 200
        for p in ADMIN_GETS:
            assert_problem(srv.get(p), 403, "/problems/admin-disabled")
            # Headers a proxy would set change nothing: the rule reads the listener's address.
            forged = {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=127.0.0.1", "X-Real-IP": "127.0.0.1"}
            assert_problem(srv.get(p, headers=forged), 403, "/problems/admin-disabled")
    finally:
        srv.stop()


def test_a_non_loopback_listener_with_an_admin_key_needs_it(tmp_path):
    path, key = admin_key_file(tmp_path)
    srv = PublicServer(tmp_path, "--admin-key-file", str(path))  # auth defaults to api-key here
    try:
        for p in ADMIN_GETS:
            assert_problem(srv.get(p), 401, "/problems/admin-key-required")
            assert srv.get(p, headers={"x-api-key": key}).status_code == 200
        assert srv.get("/v1/users", headers={"x-api-key": key}).status_code == 200
        assert_problem(srv.get("/v1/users"), 401, "/problems/unauthorized")
    finally:
        srv.stop()


def test_a_bad_admin_key_file_stops_serve_with_a_clear_error_that_hides_the_key(tmp_path):
    short = "SECRET-short-key"
    cases = {"short": (short, "at least 32"), "empty": ("\n", "empty"),
             "two lines": ("SECRET" * 6 + "\n" + "SECRET" * 6, "more than one line")}
    for name, (content, reason) in cases.items():
        path = tmp_path / f"{name}.key"
        path.write_text(content, encoding="utf-8")
        out = subprocess.run([BIN, "serve", "--listen", "127.0.0.1:0", "--store", f"sqlite:{tmp_path / 'x.db'}",
                              "--admin-key-file", str(path)], capture_output=True, text=True, timeout=20)
        assert out.returncode == 2, (name, out.stderr)
        assert "--admin-key-file" in out.stderr and reason in out.stderr, (name, out.stderr)
        assert "SECRET" not in out.stderr + out.stdout, (name, out.stderr)
    missing = subprocess.run([BIN, "serve", "--admin-key-file", str(tmp_path / "absent.key"), "--store",
                              f"sqlite:{tmp_path / 'x.db'}"], capture_output=True, text=True, timeout=20)
    assert missing.returncode == 2 and "cannot be read" in missing.stderr, missing.stderr


def test_the_environment_names_the_key_file_too(start_server, tmp_path):
    path, key = admin_key_file(tmp_path)
    srv = start_server(env={"NINJA_ORDERS_ADMIN_KEY_FILE": str(path)})
    assert_problem(srv.get("/admin/v1/api-keys"), 401, "/problems/admin-key-required")
    assert srv.get("/admin/v1/api-keys", headers={"x-api-key": key}).status_code == 200


def test_the_cli_commands_work_beside_a_guarded_server(start_server, tmp_path):
    path, key = admin_key_file(tmp_path)
    srv = start_server(auth="api-key", admin_key_file=path)
    made = create_api_key(srv.db_path, "from the cli")
    listed = assert_json(srv.get("/admin/v1/api-keys", headers={"x-api-key": key}), 200)["items"]
    assert [k["id"] for k in listed] == [made["id"]]
    assert cli("dlq", "list", db=srv.db_path).returncode == 0
    assert cli("apikey", "revoke", made["id"], db=srv.db_path).returncode == 0


def test_no_spelling_of_an_admin_path_reaches_the_admin_api_without_the_key(start_server, tmp_path):
    """The guard and the router must agree on what an admin path is: a target the guard would not
    call admin must never be routed to an admin handler (each is refused or unknown, never served)."""
    import http.client
    path, key = admin_key_file(tmp_path)
    srv = start_server(admin_key_file=path)
    targets = ["/admin/v1/api-keys", "/%61dmin/v1/api-keys", "/admin%2Fv1/api-keys", "//admin/v1/api-keys",
               "/v1/../admin/v1/api-keys", "/admin/v1/./api-keys", "/admin/v1/api-keys/", "/ADMIN/v1/api-keys",
               "/admin/v1/%61pi-keys", "/admin/v1/api-keys?limit=1", "/admin/v1/api-keys#x",
               "http://localhost/admin/v1/api-keys"]
    for target in targets:
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"{srv.host}:{srv.port}")
        conn.endheaders()
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        assert answer.status in (400, 401, 404), f"{target}: {answer.status} {body[:200]!r}"
        assert b'"items"' not in body, f"{target} was served: {body[:200]!r}"
    assert_json(srv.get("/admin/v1/api-keys", headers={"x-api-key": key}), 200)
