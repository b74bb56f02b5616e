"""Figures, checks and the table of the cluster bench (bench/cluster_bench.py)."""

import os
import statistics

import notification_latency
from bench_support import log

POST_MIN_RATIO = 1.0  # group commit must beat one commit per request
GET_MIN_RATIO = 0.8


def _med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def usage_line(usage):
    cpu, per = usage["cpu"], usage["per_request"]
    commits = f", {1 / per['service_commits']:.0f} req/commit" if per.get("service_commits") else ""
    return (f"cpu-s: pg {cpu['postgres_s']:.1f} svc {cpu['service_s']:.1f} load {cpu['loadgen_s']:.1f} "
            f"others {cpu['others_pct']:.0f}%{commits}")


def _per_request(runs):
    keys = ("postgres_cpu_us", "service_cpu_us", "wal_bytes", "service_commits")
    return {k: _med(r["usage"]["per_request"].get(k) for r in runs) for k in keys}


def _service_summary(runs):
    return {
        "rps_median": _med(r["rps"] for r in runs), "p99_ms_median": _med(r["p99_ms"] for r in runs),
        "p50_ms_median": _med(r.get("p50_ms") for r in runs),
        "non_2xx_total": sum(r["non_2xx"] for r in runs), "socket_errors_total": sum(r["socket_errors"] for r in runs),
        "per_request_median": _per_request(runs),
    }


def _pgbench_summary(runs):
    return {
        "tps_median": _med(r["tps"] for r in runs), "latency_avg_ms_median": _med(r["latency_avg_ms"] for r in runs),
        "failed_total": sum(r["failed"] for r in runs), "per_request_median": _per_request(runs),
    }


def summarize(cfg, ccfg, rounds, pipeline, notification, top, versions, load):
    pools = [k for k in rounds[0]["post"] if k != "pgbench"]
    scenarios, all_pass = {}, True
    for s, title, key, min_ratio in (("post", "POST /v1/orders", "post_order", POST_MIN_RATIO),
                                     ("get", "GET /v1/orders/{id}", "get_order", GET_MIN_RATIO)):
        for row in rounds:
            base = row[s]["pgbench"]["tps"]
            row[s]["ratio"] = {p: (row[s][p]["rps"] / base if base else 0.0) for p in pools}
        service = _service_summary([row[s]["default"] for row in rounds])
        pgbench = _pgbench_summary([row[s]["pgbench"] for row in rounds])
        ratio = _med(row[s]["ratio"]["default"] for row in rounds)
        svc_err = service["non_2xx_total"] + service["socket_errors_total"]
        checks = [
            {"check": f"ratio >= {min_ratio:.2f}", "value": round(ratio, 4), "pass": ratio >= min_ratio},
            {"check": "service: no non-2xx / socket errors", "value": svc_err, "pass": svc_err == 0},
            {"check": "pgbench baseline: no failed transactions", "value": pgbench["failed_total"],
             "pass": pgbench["failed_total"] == 0},
        ]
        passed = all(c["pass"] for c in checks)
        all_pass &= passed
        scenarios[key] = {"title": title, "target": f"ratio>={min_ratio:.2f}", "ratio_median": ratio,
                          "pgbench": pgbench, "service": service, "checks": checks, "pass": passed}

    pool_figures = {}
    for p in pools:
        fig = {}
        for s in ("post", "get"):
            runs = [row[s][p] for row in rounds]
            fig[s] = {"rps_median": _med(r["rps"] for r in runs), "p99_ms_median": _med(r["p99_ms"] for r in runs),
                      "ratio_median": _med(row[s]["ratio"][p] for row in rounds),
                      "errors": sum(r["non_2xx"] + r["socket_errors"] for r in runs)}
        pool_figures[p] = fig
        all_pass &= fig["post"]["errors"] == 0 and fig["get"]["errors"] == 0

    if pipeline is not None:
        errors = pipeline["non_2xx"] + pipeline["socket_errors"]
        base = scenarios["post_order"]["pgbench"]["tps_median"]
        pipeline["ratio"] = pipeline["rps"] / base if base else 0.0
        pipeline["checks"] = [
            {"check": "no non-2xx / socket errors", "value": errors, "pass": errors == 0},
            {"check": "every order notified", "value": pipeline["undelivered_at_end"], "pass": pipeline["drained"]}]
        pipeline["pass"] = all(c["pass"] for c in pipeline["checks"])
        all_pass &= pipeline["pass"]
    if notification is not None:
        all_pass &= notification["pass"]
    others = [row[s][k]["usage"]["cpu"]["others_pct"] for row in rounds for s in ("post", "get") for k in row[s]
              if isinstance(row[s][k], dict) and "usage" in row[s][k]]
    load["others_cpu_pct_median"] = _med(others)
    load["others_cpu_pct_max"] = max(others) if others else None
    return {"config": ccfg.as_dict(), "versions": versions, "load": load, "scenarios": scenarios,
            "pools": pool_figures, "pipeline": pipeline, "notification_latency": notification,
            "pg_top_statements": top, "rounds": rounds, "pass": all_pass}


def print_result(result):
    if result is None:
        return
    sc = result["scenarios"]
    log("")
    hdr = (f"{'cluster (PostgreSQL)':<22}{'pgbench tps':>13}{'service req/s':>15}{'ratio':>8}{'pgb avg':>11}"
           f"{'service p99':>13}  {'target':<25}result")
    log(hdr)
    log("-" * len(hdr))
    for s in sc.values():
        failed = [c["check"] for c in s["checks"] if not c["pass"]]
        verdict = "PASS" if s["pass"] else "FAIL (" + "; ".join(failed) + ")"
        log(f"{s['title']:<22}{s['pgbench']['tps_median']:>13,.0f}{s['service']['rps_median']:>15,.0f}"
            f"{s['ratio_median']:>7.2f}x{s['pgbench']['latency_avg_ms_median']:>8.2f} ms"
            f"{s['service']['p99_ms_median']:>10.2f} ms  {s['target']:<25}{verdict}")
        e = s["service"]
        if e["non_2xx_total"] or e["socket_errors_total"]:
            log(f"  !! service errors in {s['title']}: {e['non_2xx_total']} HTTP >= 400, "
                f"{e['socket_errors_total']} socket errors -- see per-run lines")
    log("")
    for s in sc.values():
        b, v = s["pgbench"]["per_request_median"], s["service"]["per_request_median"]
        commits = v["service_commits"]
        per_commit = f"; the service commits {1 / commits:.0f} requests per transaction" if commits else ""
        log(f"per request, {s['title']} (pgbench / service): PostgreSQL CPU {b['postgres_cpu_us']:.0f} / "
            f"{v['postgres_cpu_us']:.0f} us, WAL {b['wal_bytes']:.0f} / {v['wal_bytes']:.0f} B; service's own CPU "
            f"{v['service_cpu_us']:.0f} us{per_commit}")
    log("--store-connections (pool size): " + "; ".join(
        f"{p}: POST {f['post']['rps_median']:,.0f} ({f['post']['ratio_median']:.2f}x) "
        f"GET {f['get']['rps_median']:,.0f} ({f['get']['ratio_median']:.2f}x)" for p, f in result["pools"].items()))
    pipe = result["pipeline"]
    if pipe:
        verdict = "PASS" if pipe["pass"] else "FAIL (" + "; ".join(c["check"] for c in pipe["checks"] if not c["pass"]) + ")"
        log(f"whole pipeline POST (api + relay + notifier processes, NATS; one run): {pipe['rps']:,.0f} req/s = "
            f"{pipe['ratio']:.2f}x pgbench insert, p99 {pipe['p99_ms']:.1f} ms; all notified {pipe['drain_s']:.1f} s "
            f"after the load -> {pipe['end_to_end_per_s']:,.0f} orders/s end to end: {verdict}")
    notification_latency.print_result(result["notification_latency"], "cluster notification latency (NATS)")
    load = result["load"]
    log(f"machine: {os.cpu_count()} cores, load average {load['loadavg_before']} before, {load['loadavg_after']} after; "
        f"CPU used by other processes during the runs: median {load['others_cpu_pct_median']}%, "
        f"max {load['others_cpu_pct_max']}% of the machine")
    if result["pg_top_statements"]:
        log("PostgreSQL statements by server time (pg_stat_statements, whole cluster run):")
        for st in result["pg_top_statements"][:4]:
            log(f"  {st['calls']:>9} calls {st['mean_ms']:>8.3f} ms mean  {st['query'][:100]}")
    log(f"cluster overall: {'PASS' if result['pass'] else 'FAIL'}")
