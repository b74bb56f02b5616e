"""Notification latency for bench/run: a steady stream of orders into a local webhook receiver.

A service of its own (fresh SQLite file, webhooks to loopback allowed; or whatever `launch` starts, e.g.
separate API, relay and notifier processes on PostgreSQL and NATS) gets `rate` orders per second for
`seconds` seconds from paced client threads; a webhook receiver in a separate process (so the load
generator's GIL does not delay it) timestamps every delivery. Latency is measured from the order's
created_at (stamped just before its transaction commits, so the figure slightly overstates it) to the
receipt on the wire; the backlog (acknowledged orders not yet received) is sampled every 0.25 s and
called flat when its least-squares slope over the load stays under 1% of the rate.
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time

from bench_support import ORDER_ITEMS, SetupError, http_request, log, start_service, stop_process, tail

MAX_P99_MS = 100.0

RECEIVER = r"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        at = time.time()
        self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers()
        event = json.loads(body)
        sys.stdout.write(f"{self.headers['webhook-id']} {event['subject']} {event['data']['created_at']} {at:.6f}\n")
        sys.stdout.flush()
    def log_message(self, *a): pass
class S(ThreadingHTTPServer):
    request_queue_size = 1024  # the default 5 overflows when the notifier opens its connections: SYNs retried after 1 s
s = S(("127.0.0.1", 0), H); s.daemon_threads = True
sys.stdout.write(f"port {s.server_address[1]}\n"); sys.stdout.flush()
s.serve_forever()
"""


def parse_rfc3339(text):
    """2026-11-25T01:29:58.218Z -> unix seconds."""
    import datetime
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def slope(points):
    """Least-squares slope of (t, y) points."""
    n = len(points)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (y - my) for t, y in points) / den if den else 0.0


class Receiver:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", RECEIVER], stdout=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline().split()
        if len(first) != 2 or first[0] != "port":
            raise SetupError("the webhook receiver did not start")
        self.port = int(first[1])
        self.lock = threading.Lock()
        self.latency_ms = {}  # order id -> created_at to first receipt
        self.repeats = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            _wid, order_id, created_at, at = line.split()
            with self.lock:
                if order_id in self.latency_ms:
                    self.repeats += 1
                else:
                    self.latency_ms[order_id] = (float(at) - parse_rfc3339(created_at)) * 1e3

    def received(self):
        with self.lock:
            return len(self.latency_ms)

    def close(self):
        stop_process(self.proc, 5)


def paced_load(host, port, body, rate, seconds, acked, errors):
    """Sends order i at t0 + i/rate from a pool of keep-alive connections."""
    total = int(rate * seconds)
    next_index = [0]
    lock = threading.Lock()
    t0 = time.monotonic() + 0.2

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=10)
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= total:
                break
            delay = t0 + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                conn.request("POST", "/v1/orders", body, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                payload = resp.read()
                if resp.status == 201:
                    with lock:
                        acked.append(json.loads(payload)["id"])
                else:
                    errors.append(resp.status)
            except (OSError, http.client.HTTPException) as e:
                errors.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    return threads, t0


def embedded_service(binary, tmp):
    """The default launch: one embedded service (api, relay and notifier) on a fresh SQLite file."""
    proc, host, port, err_path = start_service(binary, tmp, "notify", ["--webhook-allow-private"])
    return host, port, [(proc, err_path)]


def measure(binary, tmp, rate, seconds, launch=None, what="a local webhook receiver"):
    """`launch()` starts what is measured and returns (API host, API port, [(process, stderr path)]);
    by default embedded_service(binary, tmp). Every process it started is stopped at the end."""
    log(f"  notification latency: {rate} orders/s for {seconds} s into {what}")
    receiver = Receiver()
    procs = []
    try:
        host, port, procs = launch() if launch else embedded_service(binary, tmp)
        status, _, body = http_request(host, port, "POST", "/v1/users", json.dumps({
            "name": "Hook", "email": "hook@example.com", "notify_channel": "webhook",
            "webhook_url": f"http://127.0.0.1:{receiver.port}/hook"}), {"Content-Type": "application/json"})
        if status != 201:
            raise SetupError(f"POST /v1/users for the webhook user -> {status}: {body[:300]!r}")
        order = json.dumps({"user_id": json.loads(body)["id"], "items": ORDER_ITEMS, "currency": "USD"})
        acked, errors, samples = [], [], []
        threads, t0 = paced_load(host, port, order, rate, seconds, acked, errors)
        while any(t.is_alive() for t in threads):
            time.sleep(0.25)
            samples.append((time.monotonic() - t0, len(acked) - receiver.received()))
        deadline = time.monotonic() + 15
        while receiver.received() < len(acked) and time.monotonic() < deadline:
            time.sleep(0.05)
        for proc, err_path in procs:
            if proc.poll() is not None:
                raise SetupError(f"notification bench service died: {tail(err_path)}")
    finally:
        for proc, _ in procs:
            stop_process(proc, 15)
        receiver.close()

    latencies = sorted(receiver.latency_ms[o] for o in acked if o in receiver.latency_ms)
    backlog = [b for t, b in samples if 0 <= t <= seconds]
    growth = slope([(t, b) for t, b in samples if 0 <= t <= seconds])
    result = {
        "rate": rate, "seconds": seconds, "acknowledged": len(acked), "errors": len(errors),
        "delivered": len(latencies), "repeats": receiver.repeats,
        "p50_ms": percentile(latencies, 0.50), "p99_ms": percentile(latencies, 0.99),
        "max_ms": latencies[-1] if latencies else None,
        "backlog_max": max(backlog) if backlog else None,
        "backlog_median": statistics.median(backlog) if backlog else None,
        "backlog_slope_per_s": round(growth, 2),
    }
    flat = growth <= 0.01 * rate
    checks = [
        {"check": f"p99 <= {MAX_P99_MS:g} ms", "value": result["p99_ms"],
         "pass": result["p99_ms"] is not None and result["p99_ms"] <= MAX_P99_MS},
        {"check": "backlog flat (slope <= 1% of rate)", "value": result["backlog_slope_per_s"], "pass": flat},
        {"check": "every acknowledged order notified", "value": len(acked) - len(latencies),
         "pass": len(latencies) == len(acked) and len(acked) > 0},
        {"check": "no request errors", "value": len(errors), "pass": not errors},
    ]
    result["checks"] = checks
    result["pass"] = all(c["pass"] for c in checks)
    return result


def print_result(result, title="notification latency"):
    if result is None:
        return
    fmt = lambda v: "n/a" if v is None else f"{v:.1f} ms"  # noqa: E731
    log(f"{title} ({result['rate']} orders/s x {result['seconds']} s, commit -> webhook receipt): "
        f"p50 {fmt(result['p50_ms'])}, p99 {fmt(result['p99_ms'])}, max {fmt(result['max_ms'])}; "
        f"{result['delivered']}/{result['acknowledged']} delivered, {result['repeats']} repeats")
    log(f"  backlog (acknowledged, not yet received): median {result['backlog_median']}, max {result['backlog_max']}, "
        f"slope {result['backlog_slope_per_s']}/s")
    failed = [c["check"] for c in result["checks"] if not c["pass"]]
    log(f"  target p99 <= {MAX_P99_MS:g} ms, flat backlog: " + ("PASS" if not failed else "FAIL (" + "; ".join(failed) + ")"))
