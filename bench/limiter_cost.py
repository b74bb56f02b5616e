"""What the gateway's throttling costs at full speed, for bench/run.

Two services of their own side by side: one plain, one with a global and a per-client token bucket
set so high that nothing is refused (every request still takes both buckets; with one client address
all connections contend for the same per-client bucket and shard, the worst case). Interleaved wrk
GET runs on the same order id; the figure is the median ratio limited/plain req/s, where 1.00 means
no measurable cost.
"""

import json
import os
import statistics
import subprocess

from bench_support import (ORDER_ITEMS, REPORT_LUA, USER_BODY, WRK_TIMEOUT, SetupError, http_request, log,
                           parse_wrk, start_service, stop_process)

MIN_RATIO = 0.95  # "nothing measurable": within the noise of two back-to-back wrk runs
LIMITS = ["--rate-limit", "1000000000", "--burst", "1000000000",
          "--per-client-rate", "1000000000", "--per-client-burst", "1000000000"]


def seed(host, port):
    status, _, body = http_request(host, port, "POST", "/v1/users", json.dumps(USER_BODY),
                                   {"Content-Type": "application/json"})
    if status != 201:
        raise SetupError(f"limiter bench: POST /v1/users -> {status}")
    order = json.dumps({"user_id": json.loads(body)["id"], "items": ORDER_ITEMS, "currency": "USD"})
    status, _, body = http_request(host, port, "POST", "/v1/orders", order, {"Content-Type": "application/json"})
    if status != 201:
        raise SetupError(f"limiter bench: POST /v1/orders -> {status}")
    return f"/v1/orders/{json.loads(body)['id']}"


def wrk(cfg, tmp, label, port, path, seconds):
    cmd = [cfg.wrk, f"-t{cfg.wrk_threads}", f"-c{cfg.connections}", f"-d{seconds}s", "--latency",
           "--timeout", WRK_TIMEOUT, "-s", REPORT_LUA, f"http://127.0.0.1:{port}{path}"]
    cp = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=seconds + 60)
    with open(os.path.join(tmp, f"wrk-limiter-{label}.txt"), "w") as f:
        f.write(" ".join(cmd) + "\n\n" + cp.stdout + "\n" + cp.stderr)
    if cp.returncode != 0:
        raise SetupError(f"wrk ({label}) exited with {cp.returncode}: {cp.stderr}")
    return parse_wrk(cp.stdout)


def measure(cfg, tmp):
    log(f"  limiter cost: GET with and without token buckets, {cfg.rounds} interleaved round(s)")
    procs = []
    try:
        plain = start_service(cfg.binary, tmp, "plain")
        procs.append(plain[0])
        limited = start_service(cfg.binary, tmp, "limited", LIMITS)
        procs.append(limited[0])
        targets = [("plain", plain[2], seed(plain[1], plain[2])), ("limited", limited[2], seed(limited[1], limited[2]))]
        rounds = []
        for r in range(1, cfg.rounds + 1):
            row = {}
            for label, port, path in targets:
                res = wrk(cfg, tmp, f"r{r}-{label}", port, path, cfg.seconds)
                if res["non_2xx"] or res["socket_errors"]:
                    raise SetupError(f"limiter bench ({label}): {res['non_2xx']} non-2xx, "
                                     f"{res['socket_errors']} socket errors")
                row[label] = res
                log(f"  round {r}/{cfg.rounds} GET  {label:8}{res['rps']:>11,.0f} req/s  p99 {res['p99_ms']:7.2f} ms")
            row["ratio"] = row["limited"]["rps"] / row["plain"]["rps"] if row["plain"]["rps"] else 0.0
            rounds.append(row)
    finally:
        for proc in procs:
            stop_process(proc, 15)
    ratio = statistics.median(r["ratio"] for r in rounds)
    return {
        "plain_rps_median": statistics.median(r["plain"]["rps"] for r in rounds),
        "limited_rps_median": statistics.median(r["limited"]["rps"] for r in rounds),
        "limited_p99_ms_median": statistics.median(r["limited"]["p99_ms"] for r in rounds),
        "ratio_median": ratio, "rounds": rounds,
        "checks": [{"check": f"limited/plain >= {MIN_RATIO}", "value": round(ratio, 4), "pass": ratio >= MIN_RATIO}],
        "pass": ratio >= MIN_RATIO,
    }


def print_result(result):
    if result is None:
        return
    log(f"limiter cost (GET, buckets on vs off): {result['limited_rps_median']:,.0f} vs "
        f"{result['plain_rps_median']:,.0f} req/s = {result['ratio_median']:.2f}x, "
        f"p99 {result['limited_p99_ms_median']:.2f} ms; target >= {MIN_RATIO}: "
        + ("PASS" if result["pass"] else "FAIL"))
