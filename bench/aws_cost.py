#!/usr/bin/python3
"""The AWS cost part of `make bench`: what one order and one read cost on DynamoDB + SNS/SQS, measured
against moto_server, beside what the original serverless design pays; and GET throughput on DynamoDB
against wrk sending the same GetItem straight to moto, in the same run.

1. Requests (bench/counting_proxy.py between each service process and moto): `migrate`, then separate
   `serve --roles api`, `--roles relay` and `--roles notifier` processes, each on its own proxy port, so
   every DynamoDB/SNS/SQS call is counted by process, service and operation. An idle window gives the
   background rate (polls, long polls); then N sequential POST /v1/orders with an Idempotency-Key and N
   without, the wait until every order is notified, and N GET /v1/orders/{id}. Request path = the api
   process's calls in its window; background = relay + notifier from the first POST until all are
   notified, also net of what they would have done idle meanwhile. DynamoDB capacity: what moto reports
   and what AWS would bill (bench/dynamodb_capacity.py).
2. Cost per million orders and per million reads at the list prices below, beside the original design.
3. Throughput: an api process straight on moto (no proxy), interleaved wrk rounds of GET /v1/orders/{id}
   and of the same GetItem posted to moto (bench/getitem.lua); target ratio >= 0.8.

Checks that can fail: more than one DynamoDB write per create or more than one read per GET on the
request path, an order not notified, errors, the throughput ratio. Run alone: bench/aws_cost.py (exit 1
on a missed check, 2 when it cannot run). Python 3 standard library only.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "servers"))
import aws_cost_report  # noqa: E402
from bench_support import (BENCH_DIR, ORDER_ITEMS, REPORT_LUA, RESULTS_FILE, USER_BODY, WRK_TIMEOUT,  # noqa: E402
                           SetupError, env_flag, env_int, http_request, log, parse_wrk, start_service,
                           stop_process, tail)
from counting_proxy import CountingProxy  # noqa: E402

# ---- AWS list prices, us-east-1, on-demand, USD; read 2026-12-01 (sources in bench/README.md) ------------
DYNAMODB_WRITE_REQUEST_UNIT = 0.625 / 1e6    # on-demand, since the 50% cut of 2024-11-01 (was 1.25)
DYNAMODB_READ_REQUEST_UNIT = 0.125 / 1e6     # on-demand (was 0.25)
SNS_FIFO_PUBLISH_REQUEST = 0.30 / 1e6        # Publish/PublishBatch request, per 64 KB chunk
SNS_FIFO_PUBLISH_PAYLOAD_GB = 0.017
SNS_FIFO_SUBSCRIPTION_MESSAGE = 0.01 / 1e6   # per message delivered to a subscription (SQS FIFO)
SNS_FIFO_SUBSCRIPTION_PAYLOAD_GB = 0.001
SQS_FIFO_REQUEST = 0.50 / 1e6                # every API request, per 64 KB chunk
SNS_STANDARD_PUBLISH_REQUEST = 0.50 / 1e6    # the original's standard topic; deliveries to Lambda: free
API_GATEWAY_REST_REQUEST = 3.50 / 1e6        # REST API, first 333 million a month
LAMBDA_REQUEST = 0.20 / 1e6
LAMBDA_GB_SECOND = 0.0000166667              # x86_64 (the original's default architecture)
PRICES = {"dynamodb_wru": DYNAMODB_WRITE_REQUEST_UNIT, "dynamodb_rru": DYNAMODB_READ_REQUEST_UNIT,
          "sns_fifo_publish": SNS_FIFO_PUBLISH_REQUEST, "sns_fifo_publish_gb": SNS_FIFO_PUBLISH_PAYLOAD_GB,
          "sns_fifo_delivery": SNS_FIFO_SUBSCRIPTION_MESSAGE, "sns_fifo_delivery_gb": SNS_FIFO_SUBSCRIPTION_PAYLOAD_GB,
          "sqs_fifo_request": SQS_FIFO_REQUEST, "sns_standard_publish": SNS_STANDARD_PUBLISH_REQUEST,
          "apigw_rest_request": API_GATEWAY_REST_REQUEST, "lambda_request": LAMBDA_REQUEST,
          "lambda_gb_second": LAMBDA_GB_SECOND}

# ---- The original design (ai-toast/ninja_toast), per created order and per read ---------------------------
# Create: API Gateway -> CreateOrder Lambda (128 MB) -> Powertools idempotency PutItem (in progress) +
# orders PutItem + idempotency UpdateItem (completed), each under 1 KB; SNS Publish -> notification Lambda.
# Read: API Gateway -> GetOrder Lambda -> GetItem (boto3's default: eventually consistent, 0.5 RRU).
ORIGINAL_LAMBDA_MEMORY_GB = 128 / 1024
ORIGINAL_LAMBDA_MS = {"create": 100, "notify": 10, "get": 40}  # ASSUMED warm durations (not measured)
ORIGINAL_PER_ORDER = {"apigw": 1, "lambda": 2, "lambda_ms": ORIGINAL_LAMBDA_MS["create"] + ORIGINAL_LAMBDA_MS["notify"],
                      "wru": 3, "rru": 0, "sns_publish": 1}
ORIGINAL_PER_READ = {"apigw": 1, "lambda": 1, "lambda_ms": ORIGINAL_LAMBDA_MS["get"], "wru": 0, "rru": 0.5,
                     "sns_publish": 0}

MIN_GET_RATIO = 0.8
MAX_WRITES_PER_CREATE = 1
MAX_READS_PER_GET = 1
PREFIX = "cost_"
DRAIN_TIMEOUT_S = 180.0
GETITEM_LUA = os.path.join(BENCH_DIR, "getitem.lua")
AWS_ENV = {"AWS_ACCESS_KEY_ID": "bench-not-a-key", "AWS_SECRET_ACCESS_KEY": "bench-not-a-secret",
           "AWS_REGION": "us-east-1"}
# moto routes a request by the service in its credential scope (no header: S3) and checks no signature.
BASELINE_AUTH = (f"AWS4-HMAC-SHA256 Credential={AWS_ENV['AWS_ACCESS_KEY_ID']}/20260101/us-east-1/dynamodb/aws4_request, "
                 f"SignedHeaders=content-type;host;x-amz-target, Signature={'0' * 64}")
WRITE_OPS = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
READ_OPS = ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems")


class CostConfig:
    def __init__(self):
        self.skip = env_flag("BENCH_SKIP_AWS_COST")
        self.orders = env_int("BENCH_COST_ORDERS", 200, 10)
        self.reads = env_int("BENCH_COST_READS", 200, 10)
        self.idle_seconds = env_int("BENCH_COST_IDLE_SECONDS", 30, 5)


def preflight():
    """The configuration and moto_server, checked before anything is measured."""
    ccfg = CostConfig()
    if not ccfg.skip:
        from moto_server import find_binary
        from server_process import ServerError
        try:
            find_binary()
        except ServerError as e:
            raise SetupError(f"AWS cost bench: {e} (BENCH_SKIP_AWS_COST=1 skips it)")
    return ccfg


# ---------------------------------------------------------------------------------------------- processes
class Deployment:
    """The service's processes on one moto, each reaching it at an endpoint of its own (a proxy port)."""

    def __init__(self, binary, tmp, endpoint_of):
        self.binary, self.tmp, self.endpoint_of = binary, tmp, endpoint_of
        self.env = {**os.environ, **AWS_ENV}
        self.procs = []

    def urls(self, label):
        endpoint = self.endpoint_of(label)
        return (f"dynamodb://us-east-1?endpoint={endpoint}&prefix={PREFIX}",
                f"sns://us-east-1?endpoint={endpoint}&prefix={PREFIX}")

    def migrate(self, label):
        store, bus = self.urls(label)
        cp = subprocess.run([self.binary, "migrate", "--store", store, "--bus", bus], env=self.env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        if cp.returncode != 0:
            raise SetupError(f"ninja-orders migrate on moto failed ({cp.returncode}): {cp.stderr[-800:]}")

    def serve(self, label, roles, extra=()):
        store, bus = self.urls(label)
        args = ["--roles", roles, *extra] + (["--bus", bus] if roles != "api" else [])
        proc, host, port, err = start_service(self.binary, self.tmp, f"aws-{label}", args, store=store,
                                              env=self.env, ready_timeout=60)
        self.procs.append((label, proc, err))
        return host, port

    def check_alive(self, context):
        for label, proc, err in self.procs:
            if proc.poll() is not None:
                raise SetupError(f"AWS cost bench: {label} died ({context}) with {proc.returncode}:\n{tail(err)}")

    def stop(self):
        for _label, proc, _err in self.procs:
            stop_process(proc, 15)
        self.procs = []


def metric(host, port, name):
    """Sum of a Prometheus counter/gauge family on a process's /metrics."""
    _, _, body = http_request(host, port, "GET", "/metrics", timeout=5.0)
    total = 0.0
    for line in body.decode("utf-8", "replace").splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise SetupError(f"AWS cost bench: {what} within {timeout:.0f} s")


# ---------------------------------------------------------------------------------------------- counting
def requests_per_order(binary, tmp, moto, ccfg):
    proxy = CountingProxy(moto.host, moto.port)
    ports = {label: proxy.listen(label) for label in ("migrate", "api", "relay", "notifier")}
    dep = Deployment(binary, tmp, lambda label: f"http://127.0.0.1:{ports[label]}")
    try:
        dep.migrate("migrate")
        relay = dep.serve("relay", "relay")
        notifier = dep.serve("notifier", "notifier", ["--notify-log", os.path.join(tmp, "aws-notify.log")])
        api = dep.serve("api", "api")
        h, p = api
        json_hdr = {"Content-Type": "application/json"}
        status, _, body = http_request(h, p, "POST", "/v1/users", json.dumps(USER_BODY), json_hdr)
        if status != 201:
            raise SetupError(f"AWS cost bench: POST /v1/users -> {status}: {body[:300]!r}")
        order = json.dumps({"user_id": json.loads(body)["id"], "items": ORDER_ITEMS, "currency": "USD",
                            "note": "bench"}, separators=(",", ":"))
        wait_for(lambda: metric(*relay, "outbox_events_published_total") >= 1, 60, "the user's event was not published")
        time.sleep(2)  # start-up calls (table descriptions, the first polls) stay out of the idle window

        run_mark = mark = proxy.snapshot()
        t0 = time.monotonic()
        time.sleep(ccfg.idle_seconds)
        idle = proxy.since(mark)
        idle_seconds = time.monotonic() - t0

        delivered_before = metric(*notifier, "notifications_total")
        bg_mark, bg_t0 = proxy.snapshot(), time.monotonic()
        windows, ids = {}, []
        for name, keyed in (("create_keyed", True), ("create_plain", False)):
            mark = proxy.snapshot()
            for i in range(ccfg.orders):
                headers = {**json_hdr, **({"Idempotency-Key": f"cost-{i}"} if keyed else {})}
                status, _, body = http_request(h, p, "POST", "/v1/orders", order, headers, timeout=30)
                if status != 201:
                    raise SetupError(f"AWS cost bench: POST /v1/orders -> {status}: {body[:300]!r}")
                ids.append(json.loads(body)["id"])
            windows[name] = proxy.since(mark)
        created = len(ids)
        wait_for(lambda: metric(*notifier, "notifications_total") - delivered_before >= created, DRAIN_TIMEOUT_S,
                 f"not every one of the {created} orders was notified")
        wait_for(lambda: metric(*relay, "outbox_lag_seconds") == 0, 30, "the relay did not catch up")
        background, bg_seconds = proxy.since(bg_mark), time.monotonic() - bg_t0

        mark = proxy.snapshot()
        for i in range(ccfg.reads):
            status, _, body = http_request(h, p, "GET", f"/v1/orders/{ids[i % created]}", timeout=30)
            if status != 200:
                raise SetupError(f"AWS cost bench: GET /v1/orders/{{id}} -> {status}: {body[:300]!r}")
        windows["get"] = proxy.since(mark)
        whole_run, whole_seconds = proxy.since(run_mark), time.monotonic() - t0
        dep.check_alive("after the counted requests")
        getitem = proxy.last_body.get(("api", "dynamodb", "GetItem"))
    finally:
        dep.stop()
        proxy.close()
    return {"idle": idle, "idle_seconds": idle_seconds, "windows": windows, "background": background,
            "background_seconds": bg_seconds, "whole_run": whole_run, "whole_seconds": whole_seconds,
            "item_bytes": dict(proxy.item_bytes), "orders": created, "reads": ccfg.reads, "order_id": ids[0],
            "getitem_body": getitem.decode() if getitem else None, "proxy_failures": proxy.failures[:10]}


# ---------------------------------------------------------------------------------------------- throughput
def upstream_connections(pid, port):
    """Established TCP connections of process `pid` to 127.0.0.1:`port` (from /proc)."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        with open("/proc/net/tcp") as f:
            rows = [line.split() for line in f.readlines()[1:]]
    except OSError:
        return 0
    return sum(1 for r in rows if r[3] == "01" and int(r[2].split(":")[1], 16) == port and r[9] in inodes)


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far (from /proc; 0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ConnectionSampler:
    """The most connections a process held to a port while a run lasted (sampled every 100 ms): shows
    whether the service kept 64 requests in flight towards the store, or queued them."""

    def __init__(self, pid, port):
        self.pid, self.port, self.peak, self._stop = pid, port, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while self.pid and not self._stop.wait(0.1):
            self.peak = max(self.peak, upstream_connections(self.pid, self.port))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def wrk(cfg, tmp, label, url, script, args=()):
    cmd = [cfg.wrk, f"-t{cfg.wrk_threads}", f"-c{cfg.connections}", f"-d{cfg.seconds}s", "--latency",
           "--timeout", WRK_TIMEOUT, "-s", script, url, *(["--", *args] if args else [])]
    try:
        cp = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=cfg.seconds + 60)
    except FileNotFoundError:
        raise SetupError(f"wrk not found ({cfg.wrk}); set BENCH_WRK")
    with open(os.path.join(tmp, f"aws-wrk-{label}.txt"), "w") as f:
        f.write(" ".join(cmd) + "\n\n" + cp.stdout + "\n" + cp.stderr)
    if cp.returncode != 0:
        raise SetupError(f"wrk ({label}) exited with {cp.returncode}:\n{cp.stdout}\n{cp.stderr}")
    return parse_wrk(cp.stdout)


def get_throughput(cfg, binary, tmp, moto, order_id, getitem_body):
    dep = Deployment(binary, tmp, lambda _label: moto.url)
    try:
        host, port = dep.serve("api-direct", "api")
        service_pid = dep.procs[-1][1].pid
        if http_request(host, port, "GET", f"/v1/orders/{order_id}")[0] != 200:
            raise SetupError("AWS cost bench: GET on the direct api process did not answer 200")
        status, _, body = http_request(moto.host, moto.port, "POST", "/", getitem_body,
                                       {"X-Amz-Target": "DynamoDB_20120810.GetItem", "Authorization": BASELINE_AUTH,
                                        "Content-Type": "application/x-amz-json-1.0"})
        if status != 200 or b'"Item"' not in body:
            raise SetupError(f"AWS cost bench: the baseline GetItem to moto got {status}: {body[:300]!r}")
        targets = {"moto": (f"{moto.url}/", GETITEM_LUA, [getitem_body, BASELINE_AUTH]),
                   "service": (f"http://{host}:{port}/v1/orders/{order_id}", REPORT_LUA, [])}
        if cfg.warmup:
            for name, (url, script, args) in targets.items():
                wrk(_short(cfg), tmp, f"warmup-{name}", url, script, args)
        rounds = []
        for r in range(1, cfg.rounds + 1):
            order = ("moto", "service") if r % 2 else ("service", "moto")  # alternate who runs first
            row = {"round": r}
            for name in order:
                url, script, args = targets[name]
                cpu0 = {"moto": cpu_seconds(moto.pid()), "service": cpu_seconds(service_pid)}
                with ConnectionSampler(service_pid if name == "service" else None, moto.port) as sampler:
                    row[name] = wrk(cfg, tmp, f"r{r}-{name}", url, script, args)
                done = max(1, row[name]["requests"])
                # CPU per request: does a GET through the service cost moto more than the bare GetItem?
                row[name]["moto_cpu_ms_per_request"] = (cpu_seconds(moto.pid()) - cpu0["moto"]) * 1e3 / done
                row[name]["service_cpu_ms_per_request"] = (cpu_seconds(service_pid) - cpu0["service"]) * 1e3 / done
                if name == "service":
                    row["service_to_moto_connections_peak"] = sampler.peak
                dep.check_alive(f"after round {r} {name}")
            row["ratio"] = row["service"]["rps"] / row["moto"]["rps"] if row["moto"]["rps"] else 0.0
            log(f"  AWS round {r}/{cfg.rounds}: GetItem on moto {row['moto']['rps']:>8,.0f} req/s, "
                f"GET via the service {row['service']['rps']:>8,.0f} req/s -> {row['ratio']:.2f}x "
                f"(service held up to {row['service_to_moto_connections_peak']} connections to moto; moto CPU "
                f"{row['moto']['moto_cpu_ms_per_request']:.2f} vs {row['service']['moto_cpu_ms_per_request']:.2f} ms "
                f"per request, the service's {row['service']['service_cpu_ms_per_request']:.3f} ms)")
            rounds.append(row)
    finally:
        dep.stop()
    return rounds


class _short:
    """The bench's wrk settings for a warm-up run of BENCH_WARMUP seconds."""

    def __init__(self, cfg):
        self.__dict__.update(cfg.__dict__)
        self.seconds = cfg.warmup


# ---------------------------------------------------------------------------------------------- result
def count_ops(window, service, ops, label="api"):
    """Calls of the api process in a window, without the timers' (aws_cost_report.TIMER_CALLS)."""
    return sum(c["calls"] for key, c in window.items()
               if key[0] == label and key[1] == service and key[2] in ops and not aws_cost_report.is_timer(key))


def measure(cfg, tmp, ccfg=None):
    """The AWS cost figures as a dict (see aws_cost_report), or None with BENCH_SKIP_AWS_COST=1."""
    ccfg = ccfg or preflight()
    if ccfg.skip:
        log("  AWS cost: skipped (BENCH_SKIP_AWS_COST=1)")
        return None
    from moto_server import MotoServer
    from server_process import ServerError
    log(f"  AWS cost: moto_server, {ccfg.orders} + {ccfg.orders} POST, {ccfg.reads} GET, {ccfg.idle_seconds} s idle; "
        f"then GET throughput vs GetItem on moto, {cfg.rounds} round(s) x {cfg.seconds} s, {cfg.connections} connections")
    moto = MotoServer(tmp)
    try:
        moto.start()
        counts = requests_per_order(cfg.binary, tmp, moto, ccfg)
        if not counts["getitem_body"]:
            raise SetupError("AWS cost bench: the GETs made no GetItem to copy for the baseline")
        rounds = get_throughput(cfg, cfg.binary, tmp, moto, counts["order_id"], counts["getitem_body"])
    except ServerError as e:
        raise SetupError(f"AWS cost bench: {e}")
    finally:
        moto.stop()
    result = aws_cost_report.summarize(counts, rounds, PRICES, ORIGINAL_PER_ORDER, ORIGINAL_PER_READ,
                                       ORIGINAL_LAMBDA_MEMORY_GB)
    checks = result["checks"]
    per = counts["orders"] // 2
    for name in ("create_keyed", "create_plain"):
        writes = count_ops(counts["windows"][name], "dynamodb", WRITE_OPS) / per
        checks.append({"check": f"DynamoDB writes per {name.replace('_', ' ')} <= {MAX_WRITES_PER_CREATE}",
                       "value": round(writes, 3), "pass": writes <= MAX_WRITES_PER_CREATE})
    reads = count_ops(counts["windows"]["get"], "dynamodb", READ_OPS) / counts["reads"]
    checks.append({"check": f"DynamoDB reads per GET <= {MAX_READS_PER_GET}", "value": round(reads, 3),
                   "pass": reads <= MAX_READS_PER_GET})
    ratio = statistics.median(r["ratio"] for r in rounds)
    checks.append({"check": f"GET ratio vs GetItem on moto >= {MIN_GET_RATIO}", "value": round(ratio, 3),
                   "pass": ratio >= MIN_GET_RATIO})
    errors = sum(r[t]["non_2xx"] + r[t]["socket_errors"] for r in rounds for t in ("moto", "service"))
    checks.append({"check": "wrk: no non-2xx / socket errors", "value": errors, "pass": errors == 0})
    result["pass"] = all(c["pass"] for c in checks)
    path = os.path.join(os.path.dirname(RESULTS_FILE), "aws_cost.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    return result


def print_result(result):
    aws_cost_report.print_result(result)


def main():
    import signal
    import tempfile
    import shutil
    from bench_support import Config

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    cfg = Config()
    if not os.access(cfg.binary, os.X_OK):
        print(f"aws cost bench: ERROR: service binary not found: {cfg.binary} (set NINJA_ORDERS_BIN)", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="ninja-orders-aws-cost.")
    try:
        result = measure(cfg, tmp)
    except SetupError as e:
        print(f"aws cost bench: ERROR: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        print(f"\naws cost bench: interrupted ({e or 'SIGINT'}), cleaned up", file=sys.stderr)
        return 130
    finally:
        if cfg.keep_tmp:
            log(f"kept temp dir: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if result is None:
        return 0
    print_result(result)
    log(f"results: {os.path.relpath(os.path.join(os.path.dirname(RESULTS_FILE), 'aws_cost.json'), os.getcwd())}")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
