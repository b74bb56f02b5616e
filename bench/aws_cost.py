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
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "servers"))
import aws_cost_report  # noqa: E402
from aws_deployment import Deployment, metric, wait_for  # noqa: E402
from aws_throughput import get_throughput  # noqa: E402
from bench_support import (ORDER_ITEMS, RESULTS_FILE, USER_BODY, SetupError, env_flag, env_int,  # noqa: E402
                           http_request, log)
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
DRAIN_TIMEOUT_S = 180.0
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
        # An order not notified is a failed check (nothing acknowledged may be lost), not a harness error.
        wait_for(lambda: metric(*notifier, "notifications_total") - delivered_before >= created, DRAIN_TIMEOUT_S)
        notified = int(metric(*notifier, "notifications_total") - delivered_before)
        wait_for(lambda: metric(*relay, "outbox_lag_seconds") == 0, 30)
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
            "item_bytes": dict(proxy.item_bytes), "orders": created, "notified": notified, "reads": ccfg.reads, "order_id": ids[0],
            "getitem_body": getitem.decode() if getitem else None, "proxy_failures": proxy.failures[:10]}


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
    checks.append({"check": f"every order notified within {DRAIN_TIMEOUT_S:.0f} s", "value": counts["notified"],
                   "pass": counts["notified"] >= counts["orders"]})
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
    from bench_support import run_part_alone

    def report(result):
        print_result(result)
        log(f"results: {os.path.relpath(os.path.join(os.path.dirname(RESULTS_FILE), 'aws_cost.json'), os.getcwd())}")

    return run_part_alone("aws cost bench", measure, report, lambda cfg, result: not result["pass"])


if __name__ == "__main__":
    sys.exit(main())
