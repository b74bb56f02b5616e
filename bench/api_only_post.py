"""API-only POST, for bench/run: the same POST rounds against `serve --roles api` (no relay, no
notifier) on the bench's own file, where the orders' user exists, interleaved with nginx's POST and
with the access log on as in the main runs. Reported beside the whole-pipeline POST, which is what the
speed issue's target is on. BENCH_SKIP_API_ONLY=1 skips it."""

import os
import statistics

from bench_support import env_flag, log, start_service, stop_process


def measure(bench):
    if env_flag("BENCH_SKIP_API_ONLY"):
        log("  API-only POST: skipped (BENCH_SKIP_API_ONLY=1)")
        return None
    cfg = bench.cfg
    store = "sqlite:" + os.path.join(bench.tmp, "bench.db")
    proc, _host, port, _err = start_service(cfg.binary, bench.tmp, "api-only", ["--roles", "api"], store=store,
                                            access_log=True)
    rounds = []
    try:
        for r in range(1, cfg.rounds + 1):
            nginx = bench.wrk(f"api-only-r{r}-post-nginx", bench.nginx_port, "post", cfg.seconds)
            api = bench.wrk(f"api-only-r{r}-post-service", port, "post", cfg.seconds)
            ratio = api["rps"] / nginx["rps"] if nginx["rps"] > 0 else 0.0
            rounds.append({"round": r, "nginx": nginx, "service": api, "ratio": ratio})
            log(f"  round {r}/{cfg.rounds} POST api-only {api['rps']:>11,.0f} req/s  p99 {api['p99_ms']:7.2f} ms  "
                f"(nginx {nginx['rps']:,.0f}; {ratio:.2f}x)")
    finally:
        stop_process(proc, 10)
    errors = sum(x["service"]["non_2xx"] + x["service"]["socket_errors"] for x in rounds)
    med = statistics.median
    return {
        "command_roles": "api",
        "rps_median": med(x["service"]["rps"] for x in rounds),
        "nginx_rps_median": med(x["nginx"]["rps"] for x in rounds),
        "p99_ms_median": med(x["service"]["p99_ms"] for x in rounds),
        "ratio_median": med(x["ratio"] for x in rounds),
        "errors": errors,
        "rounds": rounds,
        "checks": [{"check": "service: no non-2xx / socket errors", "value": errors, "pass": errors == 0}],
        "pass": errors == 0,
    }


def print_result(result):
    if result is None:
        return
    log(f"POST /v1/orders, API only (--roles api, no relay or notifier): {result['rps_median']:,.0f} req/s, "
        f"{result['ratio_median']:.2f}x nginx ({result['nginx_rps_median']:,.0f}), p99 {result['p99_ms_median']:.2f} ms"
        + ("" if result["pass"] else f"  FAIL ({result['errors']} errors)"))
