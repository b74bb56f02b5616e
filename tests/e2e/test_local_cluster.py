"""deploy/local-cluster run as a user runs it: PostgreSQL, nats-server, two API processes behind nginx,
a relay and two notifiers. Orders made through nginx reach a signature-verifying webhook receiver, both
API processes take requests, and a Ctrl-C stops everything: exit 0, no process left, the dir gone.

The nginx config's retry rule is checked on its own, against upstreams that hang up: a POST that
reached an API process is never sent to a second one; a GET is; a refused connect is retried for both.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from conftest import BIN
from receivers import WebhookReceiver

from cluster_processes import skip_or_fail
from local_cluster_run import EXIT_MISSING, ROOT, START_TIMEOUT, LocalCluster, start_time

sys.path[:0] = [str(ROOT / "deploy" / "lib"), str(ROOT / "tests" / "servers")]
from local_servers import free_port, port_is_free  # noqa: E402
from nginx_balancer import NginxBalancer, find_nginx  # noqa: E402

ORDERS = 24

@pytest.fixture
def cluster():
    """A running cluster; at the end of the test it must still stop cleanly (exit 0 on SIGINT)."""
    run = LocalCluster("--webhook-allow-private")
    try:
        run.wait_ready()
        yield run
        if run.proc.poll() is None:
            code, _ = run.interrupt()
            assert code == 0, f"exit code {code} after SIGINT\n{run.output()}"
    finally:
        run.kill_everything()


@pytest.fixture
def webhooks():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


def wait_delivered(session, url, order_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        resp = session.get(f"{url}/v1/orders/{order_id}/notifications", timeout=10)
        assert resp.status_code == 200, resp.text
        items = resp.json()["items"]
        if items and items[0]["status"] == "delivered":
            return items[0]
        if time.monotonic() > deadline:
            pytest.fail(f"notification of order {order_id} not delivered within {timeout:g} s: {items}")
        time.sleep(0.05)


def posts_served(api_url, route="/v1/orders"):
    """How many POSTs to route this API process answered 201, from its own /metrics."""
    text = requests.get(api_url + "/metrics", timeout=5).text
    pattern = r'^http_requests_total\{route="%s",method="POST",status="201"\} (\d+)$' % re.escape(route)
    match = re.search(pattern, text, re.M)
    return int(match.group(1)) if match else 0


@pytest.mark.slow
def test_orders_through_nginx_are_notified_and_both_api_processes_serve(cluster, webhooks):
    assert len(cluster.processes("api")) == 2 and len(cluster.processes("notifier")) == 2
    assert len(cluster.processes("relay")) == 1 and cluster.processes("postgres") and cluster.processes("nats")
    session = requests.Session()
    resp = session.post(cluster.url + "/v1/users", timeout=10,
                        json={"name": "Cluster", "email": f"c-{uuid.uuid4().hex[:12]}@example.com",
                              "notify_channel": "webhook", "webhook_url": webhooks.url("/cluster")})
    assert resp.status_code == 201, resp.text
    user = resp.json()
    webhooks.expect("cluster", user["webhook_secret"])

    request_id = "cluster-" + uuid.uuid4().hex
    orders = []
    for i in range(ORDERS):
        headers = {"X-Request-Id": request_id} if i == 0 else {}
        resp = session.post(cluster.url + "/v1/orders", headers=headers, timeout=10, json={
            "user_id": user["id"], "items": [{"sku": f"SKU-{i}", "quantity": 1, "unit_price": 100 + i}]})
        assert resp.status_code == 201, resp.text
        orders.append(resp.json())
    # The client's request id went through nginx to an API process and came back.
    first = session.get(cluster.url + f"/v1/orders/{orders[0]['id']}", timeout=10)
    assert first.status_code == 200 and first.json() == orders[0]

    for order in orders:
        delivered = wait_delivered(session, cluster.url, order["id"])
        assert delivered["channel"] == "webhook" and delivered["attempts"] >= 1
        order["event_id"] = delivered["event_id"]
    received = webhooks.wait_for(lambda got: {json.loads(r["body"])["data"]["id"] for r in got}
                                 >= {o["id"] for o in orders})
    assert all(r["verified"] for r in received), "a webhook with a bad signature"
    by_order = {}
    for r in received:
        by_order.setdefault(json.loads(r["body"])["data"]["id"], set()).add(r["headers"]["webhook-id"])
    assert by_order == {o["id"]: {o["event_id"]} for o in orders}, "a repeat with another webhook-id"

    # Both API processes took orders (nginx's round robin), which the nginx access log confirms.
    served = [posts_served("http://" + p["address"]) for p in cluster.processes("api")]
    assert all(n > 0 for n in served) and sum(served) == ORDERS, served
    access = [json.loads(line) for line in Path(cluster.state["nginx_access_log"]).read_text().splitlines()]
    upstreams = {r["upstream"] for r in access if r["uri"] == "/v1/orders" and r["status"] == 201}
    assert upstreams == {p["address"] for p in cluster.processes("api")}
    assert [r["status"] for r in access if r["request_id"] == request_id] == [201]
    api_lines = [json.loads(line) for p in cluster.processes("api")
                 for line in Path(p["log"]).read_text().splitlines() if request_id in line]
    assert [(r["msg"], r["path"], r["status"]) for r in api_lines] == [("access", "/v1/orders", 201)]


def processes_mentioning(text):
    """Pids whose command line or environment contains text (every process of one cluster names its dir:
    in argv, or in PGPASSFILE)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                raw = Path(f"/proc/{entry}/cmdline").read_bytes() + Path(f"/proc/{entry}/environ").read_bytes()
            except OSError:
                continue
            if text.encode() in raw and start_time(int(entry)) is not None:
                found.append(int(entry))
    return found


def finished(run, timeout=START_TIMEOUT):
    """Waits for a local-cluster that is expected to give up by itself; returns (exit code, stderr)."""
    try:
        code = run.proc.wait(timeout)
    except subprocess.TimeoutExpired:
        run.kill_everything()
        pytest.fail(f"local-cluster still running after {timeout:g} s\n{run.output()}")
    for thread in run._threads:
        thread.join(5)
    if code == EXIT_MISSING:
        skip_or_fail(" ".join(run.err))
    return code, "\n".join(run.err)


def test_a_taken_port_fails_at_once():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        began = time.monotonic()
        code, err = finished(LocalCluster("--port", str(port)))
    assert code == 1 and f"port {port} is in use: choose another with --port" in err, err
    assert time.monotonic() - began < 5, "spent time starting servers for a cluster that cannot listen"


@pytest.mark.slow
def test_a_component_that_cannot_start_fails_fast_with_its_log_and_leaves_nothing(tmp_path):
    # A notifier that dies at start, as one with a broken configuration or an unreachable server would.
    broken = tmp_path / "ninja-orders"
    broken.write_text(f"""#!/bin/sh
case "$*" in *"--roles notifier"*) echo '{{"level":"critical","msg":"injected: cannot start"}}' >&2; exit 7;; esac
exec {BIN} "$@"
""")
    broken.chmod(0o755)
    run = LocalCluster("--bin", str(broken))
    code, err = finished(run)
    assert code == 1, run.output()
    assert re.search(r"notifier-\d: exited with code 7 while starting\n--- last lines of \S+notifier-\d.log:\n"
                     r".*injected: cannot start", err), err
    assert not run.out, "a URL was printed for a cluster that did not start"
    directory = re.search(r"(/\S+/ninja-cluster-[^/\s]+)/", err).group(1)
    assert not Path(directory).exists(), f"{directory} not removed"
    assert not processes_mentioning(directory), "processes of the failed cluster are still running"


@pytest.mark.slow
def test_a_killed_api_process_is_routed_around_and_ctrl_c_still_stops_everything(cluster):
    tree = cluster.tree()
    names = {Path(f"/proc/{pid}/exe").resolve().name for pid in tree if Path(f"/proc/{pid}/exe").exists()}
    assert {"ninja-orders", "nginx", "nats-server", "postgres"} <= names, names
    ports = [int(p["address"].rsplit(":", 1)[1]) for p in cluster.state["processes"]]
    victim, survivor = cluster.processes("api")
    session = requests.Session()
    resp = session.post(cluster.url + "/v1/users", timeout=10,
                        json={"name": "Before", "email": f"b-{uuid.uuid4().hex[:12]}@example.com"})
    assert resp.status_code == 201, resp.text
    user = resp.json()
    os.kill(victim["pid"], signal.SIGKILL)

    # A GET is never failed by the dead process: nginx retries it on the survivor, even one it had
    # already written into a kept-alive connection to the dead process.
    for _ in range(10):
        resp = session.get(cluster.url + f"/v1/users/{user['id']}", timeout=10)
        assert resp.status_code == 200 and resp.json() == user, resp.text
    # A POST caught on such a connection is not retried by nginx (it cannot know the POST did not
    # commit): the client gets nginx's 503 problem and retries with its Idempotency-Key; a refused
    # connect is retried by nginx itself. Either way each create ends in exactly one 201.
    retried = 0
    for i in range(10):
        key, body = uuid.uuid4().hex, {"name": f"After {i}", "email": f"a-{uuid.uuid4().hex[:12]}@example.com"}
        for _attempt in range(3):
            resp = session.post(cluster.url + "/v1/users", json=body, headers={"Idempotency-Key": key}, timeout=10)
            if resp.status_code != 503:
                break
            assert resp.json()["type"] == "/problems/unavailable" and resp.headers["Retry-After"] == "1"
            retried += 1
        assert resp.status_code == 201 and "Idempotent-Replayed" not in resp.headers, resp.text
    assert retried <= 2, f"{retried} POSTs needed a retry: more than the dead process's kept-alive connections"
    assert posts_served("http://" + survivor["address"], "/v1/users") >= 10
    deadline = time.monotonic() + 5
    while not any(f"{victim['name']} (pid {victim['pid']}) ended with signal SIGKILL" in line for line in cluster.err):
        assert time.monotonic() < deadline, f"the dead process was not reported\n{cluster.output()}"
        time.sleep(0.05)

    # Ctrl-C: the rest stops in order, exit 0 (the dead process was reported, not a stop failure).
    code, seconds = cluster.interrupt()
    assert code == 0, cluster.output()
    assert seconds < 15, f"took {seconds:.1f} s to stop\n{cluster.output()}"
    left = [pid for pid, started in tree.items() if start_time(pid) == started]
    assert not left, f"still running after local-cluster exited: {left}\n{cluster.output()}"
    assert not cluster.dir.exists(), f"{cluster.dir} not removed"
    assert all(port_is_free(port) for port in ports), "a port is still taken"
    assert cluster.err[-1] == "stopped", cluster.output()


# --- the nginx config's retry rule, against upstreams that misbehave on purpose -------------------------
class Upstream(ThreadingHTTPServer):
    """A stand-in API process that records each request's method once it has read the whole request,
    then answers 200, or (hang_up) closes the connection without a word: a process that died with
    the request, perhaps after committing it."""
    daemon_threads = True

    def __init__(self, hang_up):
        self.methods = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.methods.append(self.command)
                if hang_up:
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = handle_one

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def balancer(tmp_path):
    nginx = find_nginx()
    if nginx is None:
        skip_or_fail("nginx not found (Debian package nginx-light, make deps)")
    started, servers = [], []

    def start(*upstreams):
        servers.extend(u for u in upstreams if not isinstance(u, int))
        addresses = [("127.0.0.1", u if isinstance(u, int) else u.port) for u in upstreams]
        lb = NginxBalancer(nginx, tmp_path / f"nginx-{len(started)}", addresses, 0, free_port)
        lb.dir.mkdir()
        started.append(lb.start())
        return lb

    yield start
    for lb in started:
        lb.send(signal.SIGTERM)
        lb.process.wait(10)
    for server in servers:
        server.shutdown()
        server.server_close()


def assert_unavailable_problem(resp):
    assert resp.status_code == 503, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.headers["Retry-After"] == "1"
    assert resp.json()["type"] == "/problems/unavailable"


def test_nginx_never_sends_a_post_to_a_second_api_process_once_one_had_it(balancer):
    first, second = Upstream(hang_up=True), Upstream(hang_up=True)
    lb = balancer(first, second)
    assert_unavailable_problem(requests.post(lb.url + "/v1/orders", json={}, timeout=20))
    assert sorted(first.methods + second.methods) == ["POST"], "the POST was sent again"


def test_nginx_retries_a_get_on_the_next_api_process(balancer):
    first, second = Upstream(hang_up=True), Upstream(hang_up=True)
    lb = balancer(first, second)
    assert_unavailable_problem(requests.get(lb.url + "/v1/orders", timeout=20))
    assert first.methods == ["GET"] and second.methods == ["GET"]


def test_nginx_retries_a_refused_connect_for_every_method(balancer):
    refused = free_port()   # nobody listens there
    answers = Upstream(hang_up=False)
    lb = balancer(refused, answers)
    for _ in range(4):   # the first request of each nginx worker tries the first upstream first
        assert requests.post(lb.url + "/v1/orders", json={}, timeout=20).status_code == 200
    assert answers.methods == ["POST"] * 4
