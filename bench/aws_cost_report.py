"""The figures and tables of bench/aws_cost.py: requests and capacity per order and per read, the
background and idle rates, dollars per million at list prices beside the original design, throughput."""

import statistics

from bench_support import log

SECONDS_PER_MONTH = 30 * 24 * 3600
GIB = 2 ** 30
# Calls that timers make in every process, whatever the load: the purge of expired idempotency records
# (a Scan of the whole table every minute, and a DeleteItem per expired record) and the API-key refresh
# (a Scan of api_keys). No request the bench sends makes them; they are reported per minute.
TIMER_CALLS = (("dynamodb", "Scan", "idempotency"), ("dynamodb", "DeleteItem", "idempotency"),
               ("dynamodb", "Scan", "api_keys"))
PURGE_EXAMPLE_LIVE_KEYS = 1_000_000  # e.g. a million keyed orders a day, keys kept 24 h
PURGE_SCAN_PAGE = 200                 # items per Scan page (src/storage/dynamodb/idempotency_purge.cpp)
WINDOW_TITLES = {"create_keyed": "POST /v1/orders with Idempotency-Key",
                 "create_plain": "POST /v1/orders without a key",
                 "get": "GET /v1/orders/{id}"}


def is_timer(key):
    _label, service, op, resource = key
    return any(service == s and op == o and resource.endswith(t) for s, o, t in TIMER_CALLS)


def _without_timers(rows):
    return {k: c for k, c in rows.items() if not is_timer(k)}


def _scaled(rows, divisor):
    return {key: {k: v / divisor for k, v in c.items()} for key, c in rows.items()}


def _net_of_idle(background, idle, idle_seconds, bg_seconds, orders):
    """Background per order: gross, and net of what the same processes do idle in as long a time."""
    out = {}
    for key, c in background.items():
        if key[0] == "api":
            continue  # the api process's calls in this window are the request path, counted apart
        idle_c = idle.get(key, {})
        share = bg_seconds / idle_seconds
        gross = {k: v / orders for k, v in c.items()}
        net = {k: max(0.0, (v - idle_c.get(k, 0) * share) / orders) for k, v in c.items()}
        out[key] = {"gross": gross, "net": net}
    return out


def quantities(rows):
    """Billable quantities of a set of (per-order) counters."""
    q = {"wru": 0.0, "rru": 0.0, "sns_publish": 0.0, "sns_publish_gb": 0.0, "sns_delivery": 0.0,
         "sns_delivery_gb": 0.0, "sqs_request": 0.0}
    for (_label, service, op, _res), c in rows.items():
        if service == "dynamodb":
            q["wru"] += c["write_units"] + c["index_write_units"]
            q["rru"] += c["read_units"]
        elif service == "sns" and op in ("Publish", "PublishBatch"):
            q["sns_publish"] += c["chunks"]
            q["sns_publish_gb"] += c["payload_bytes"] / GIB
        elif service == "sqs":
            q["sqs_request"] += c["chunks"]
            if op == "ReceiveMessage":  # each message received was one SNS delivery to the queue
                q["sns_delivery"] += c["messages"]
                q["sns_delivery_gb"] += c["payload_bytes"] / GIB
    return q


def our_dollars(q, prices):
    return {"DynamoDB writes": q["wru"] * prices["dynamodb_wru"],
            "DynamoDB reads": q["rru"] * prices["dynamodb_rru"],
            "SNS FIFO publish": q["sns_publish"] * prices["sns_fifo_publish"]
            + q["sns_publish_gb"] * prices["sns_fifo_publish_gb"],
            "SNS FIFO deliveries": q["sns_delivery"] * prices["sns_fifo_delivery"]
            + q["sns_delivery_gb"] * prices["sns_fifo_delivery_gb"],
            "SQS FIFO requests": q["sqs_request"] * prices["sqs_fifo_request"]}


def original_dollars(model, prices, memory_gb):
    return {"API Gateway (REST)": model["apigw"] * prices["apigw_rest_request"],
            "Lambda requests": model["lambda"] * prices["lambda_request"],
            "Lambda GB-seconds": memory_gb * model["lambda_ms"] / 1000 * prices["lambda_gb_second"],
            "DynamoDB writes": model["wru"] * prices["dynamodb_wru"],
            "DynamoDB reads": model["rru"] * prices["dynamodb_rru"],
            "SNS publish": model["sns_publish"] * prices["sns_standard_publish"]}


def _add(*row_sets):
    out = {}
    for rows in row_sets:
        for key, c in rows.items():
            acc = out.setdefault(key, {})
            for k, v in c.items():
                acc[k] = acc.get(k, 0) + v
    return out


def summarize(counts, rounds, prices, original_order, original_read, memory_gb):
    per_window = counts["orders"] // 2
    # The api process's calls are the request path; what relay and notifier did meanwhile is background.
    windows = {name: _scaled({k: c for k, c in _without_timers(rows).items() if k[0] == "api"},
                             counts["reads"] if name == "get" else per_window)
               for name, rows in counts["windows"].items()}
    background = _net_of_idle(_without_timers(counts["background"]), _without_timers(counts["idle"]),
                              counts["idle_seconds"], counts["background_seconds"], counts["orders"])
    bg_net = {k: v["net"] for k, v in background.items()}
    idle_per_s = _scaled(_without_timers(counts["idle"]), counts["idle_seconds"])
    timers_per_min = _scaled({k: c for k, c in counts["whole_run"].items() if is_timer(k)},
                             counts["whole_seconds"] / 60)
    per_order = {name: _add(windows[name], bg_net) for name in ("create_keyed", "create_plain")}
    million = 1e6
    costs = {
        "order_keyed": {k: v * million for k, v in our_dollars(quantities(per_order["create_keyed"]), prices).items()},
        "order_plain": {k: v * million for k, v in our_dollars(quantities(per_order["create_plain"]), prices).items()},
        "read": {k: v * million for k, v in our_dollars(quantities(windows["get"]), prices).items()},
        "original_order": {k: v * million for k, v in original_dollars(original_order, prices, memory_gb).items()},
        "original_read": {k: v * million for k, v in original_dollars(original_read, prices, memory_gb).items()},
        "idle_month": {k: v * SECONDS_PER_MONTH for k, v in our_dollars(quantities(idle_per_s), prices).items()},
    }
    purge = _purge_at_scale(counts["item_bytes"], prices)
    med = statistics.median
    throughput = {"rounds": rounds,
                  "moto_rps_median": med(r["moto"]["rps"] for r in rounds),
                  "service_rps_median": med(r["service"]["rps"] for r in rounds),
                  "moto_p99_ms_median": med(r["moto"]["p99_ms"] for r in rounds),
                  "service_p99_ms_median": med(r["service"]["p99_ms"] for r in rounds),
                  "ratio_median": med(r["ratio"] for r in rounds),
                  "service_to_moto_connections_peak": max(r["service_to_moto_connections_peak"] for r in rounds),
                  "moto_cpu_ms_per_getitem": med(r["moto"]["moto_cpu_ms_per_request"] for r in rounds),
                  "moto_cpu_ms_per_service_get": med(r["service"]["moto_cpu_ms_per_request"] for r in rounds),
                  "service_cpu_ms_per_get": med(r["service"]["service_cpu_ms_per_request"] for r in rounds)}
    return {"orders": counts["orders"], "reads": counts["reads"], "idle_seconds": round(counts["idle_seconds"], 1),
            "whole_seconds": round(counts["whole_seconds"], 1),
            "background_seconds": round(counts["background_seconds"], 1),
            "request_path": {n: _rows(w) for n, w in windows.items()},
            "background": [{"key": list(k), "gross": v["gross"], "net": v["net"]} for k, v in sorted(background.items())],
            "idle_per_second": _rows(idle_per_s), "timers_per_minute": _rows(timers_per_min),
            "idempotency_purge_at_scale": purge, "costs_per_million": costs, "prices": prices,
            "original": {"per_order": original_order, "per_read": original_read, "lambda_memory_gb": memory_gb},
            "throughput": throughput, "proxy_failures": counts["proxy_failures"], "checks": []}


def _purge_at_scale(item_bytes, prices):
    """What the purge's full Scan of the idempotency table costs with many live keys: read units are
    the whole items scanned (a ProjectionExpression does not lower them), each page rounded up."""
    stats = next((v for t, v in item_bytes.items() if t.endswith("idempotency")), None)
    if not stats or not stats[0]:
        return None
    size = stats[1] / stats[0]
    pages = PURGE_EXAMPLE_LIVE_KEYS / PURGE_SCAN_PAGE
    rru_per_scan = pages * (-(-PURGE_SCAN_PAGE * size // 4096)) * 0.5
    per_day = rru_per_scan * 24 * 60 * prices["dynamodb_rru"]
    return {"live_keys": PURGE_EXAMPLE_LIVE_KEYS, "item_bytes": round(size), "rru_per_scan": rru_per_scan,
            "usd_per_day_per_process": per_day}


def _rows(rows):
    return [{"key": list(k), **c} for k, c in sorted(rows.items())]


# ---------------------------------------------------------------------------------------------- printing
def _units(c):
    computed = c["read_units"] + c["write_units"] + c["index_write_units"]
    moto = f"{c['moto_units']:.2f}" if c["moto_reported_calls"] else "none"
    split = f" (table {c['write_units']:.2f} + index {c['index_write_units']:.2f})" if c["index_write_units"] else ""
    return f"moto {moto:>5}  computed {computed:5.2f}{split}"


def _row(key, c, per="order"):
    label, service, op, res = key
    extra = ""
    if c.get("messages"):
        extra += f"  {c['messages']:.2f} msgs"
    if c.get("empty"):
        extra += f"  {c['empty']:.2f} empty"
    if c.get("errors"):
        extra += f"  !! {c['errors']:.2f} errors"
    if c.get("projected_or_filtered"):
        extra += "  (filtered/projected: a floor)"
    units = "  " + _units(c) if service == "dynamodb" else ""
    return f"    {label:9}{service:9}{op:27}{res[:44]:45}{c['calls']:7.3f}/{per}{units}{extra}"


def print_result(result):
    if result is None:
        return
    log("")
    log(f"AWS cost (DynamoDB + SNS/SQS on moto_server; {result['orders']} orders, {result['reads']} reads)")
    log("  request path (the api process), per request; capacity units: moto's report beside AWS's rules")
    for name, rows in result["request_path"].items():
        log(f"  {WINDOW_TITLES[name]}:")
        for r in rows:
            log(_row(tuple(r["key"]), r, "req"))
    log(f"  background per order, from the first POST until all {result['orders']} were notified "
        f"({result['background_seconds']:.0f} s), net of the idle rate (gross in brackets):")
    for r in result["background"]:
        n, g = r["net"], r["gross"]
        log(_row(tuple(r["key"]), n) + f"  [gross {g['calls']:.3f}]")
    log(f"  idle, per second ({result['idle_seconds']:.0f} s with no load):")
    for r in result["idle_per_second"]:
        log(_row(tuple(r["key"]), r, "s  "))
    log(f"  timers in every process, per minute (over the whole {result['whole_seconds']:.0f} s):")
    for r in result["timers_per_minute"]:
        log(_row(tuple(r["key"]), r, "min"))
    purge = result["idempotency_purge_at_scale"]
    if purge:
        log(f"    the purge scans the whole idempotency table each minute: with {purge['live_keys']:,} live keys of "
            f"{purge['item_bytes']} B that is {purge['rru_per_scan']:,.0f} read units a scan, "
            f"{purge['usd_per_day_per_process']:.2f} USD a day per process (DynamoDB's TTL on the table deletes for free)")
    log("  (moto reports fixed units: GetItem 0.5, UpdateItem 0.5, PutItem/Query/Scan/DeleteItem 1, nothing for "
        "TransactWriteItems; 'computed' applies AWS's size rules and is what the dollars use)")
    c = result["costs_per_million"]
    log("")
    log("  USD per million, us-east-1 list prices (bench/README.md)       ours            original serverless")
    for title, ours, orig in (("created orders (with Idempotency-Key, notified)", "order_keyed", "original_order"),
                              ("created orders (no key, notified)", "order_plain", "original_order"),
                              ("reads (GET /v1/orders/{id})", "read", "original_read")):
        log(f"  {title:58}{sum(c[ours].values()):>8.3f}         {sum(c[orig].values()):>8.3f}")
        log("      ours: " + ", ".join(f"{k} {v:.3f}" for k, v in c[ours].items() if v))
        log("      original: " + ", ".join(f"{k} {v:.3f}" for k, v in c[orig].items() if v))
    log(f"  idle background: {sum(c['idle_month'].values()):.2f} USD a month ("
        + ", ".join(f"{k} {v:.2f}" for k, v in c["idle_month"].items() if v) + "); the original costs nothing idle")
    log("  not included on either side: compute for our processes (a host or container), CloudWatch logs, X-Ray, "
        "KMS, data transfer, storage, free tiers")
    t = result["throughput"]
    log("")
    log(f"  GET /v1/orders/{{id}} on DynamoDB (moto): {t['service_rps_median']:,.0f} req/s (p99 {t['service_p99_ms_median']:.1f} ms) "
        f"vs GetItem straight to moto {t['moto_rps_median']:,.0f} req/s (p99 {t['moto_p99_ms_median']:.1f} ms): "
        f"{t['ratio_median']:.2f}x (median of {len(t['rounds'])} round(s)); the service held up to "
        f"{t['service_to_moto_connections_peak']} connections to moto")
    log(f"    CPU per request: moto {t['moto_cpu_ms_per_getitem']:.2f} ms per bare GetItem, "
        f"{t['moto_cpu_ms_per_service_get']:.2f} ms per GET through the service; the service "
        f"{t['service_cpu_ms_per_get']:.3f} ms per GET")
    if result["proxy_failures"]:
        log("  !! capacity not computed for: " + "; ".join(result["proxy_failures"]))
    for check in result["checks"]:
        log(f"  {'PASS' if check['pass'] else 'FAIL'}  {check['check']}: {check['value']}")
    log(f"  AWS cost: {'PASS' if result['pass'] else 'FAIL'}")
