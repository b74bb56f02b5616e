"""The results table and JSON of bench/run."""

import json
import os
import statistics


import api_only_post
import aws_cost
import cluster_report
import instruction_cost
import limiter_cost
import notification_latency
from bench_support import GET_MAX_P99_RATIO, GET_MIN_RATIO, POST_MIN_RATIO, RESULTS_FILE, log, tool_version


def report(bench, cfg, runs, st, started):
    med = statistics.median
    scenarios = {}
    spec = {
        "get": ("GET /v1/orders/{id}", "get_order", GET_MIN_RATIO, GET_MAX_P99_RATIO),
        "post": ("POST /v1/orders", "post_order", POST_MIN_RATIO, None),
    }
    all_pass = True
    for s, (title, key, min_ratio, max_p99_ratio) in spec.items():
        rounds = runs[s]
        summary = {}
        for target in ("nginx", "service"):
            rs = [x[target] for x in rounds]
            summary[target] = {
                "rps_median": med(x["rps"] for x in rs),
                "p99_ms_median": med(x["p99_ms"] for x in rs),
                "p50_ms_median": med(x["p50_ms"] for x in rs if x.get("p50_ms") is not None)
                if any(x.get("p50_ms") is not None for x in rs) else None,
                "non_2xx_total": sum(x["non_2xx"] for x in rs),
                "socket_errors_total": sum(x["socket_errors"] for x in rs),
            }
        ratio = med(x["ratio"] for x in rounds)
        checks = [{"check": f"ratio >= {min_ratio:.2f}", "value": round(ratio, 4), "pass": ratio >= min_ratio}]
        if max_p99_ratio is not None:
            p99_ratio = summary["service"]["p99_ms_median"] / max(summary["nginx"]["p99_ms_median"], 1e-9)
            checks.append({"check": f"service p99 <= {max_p99_ratio:g}x nginx p99", "value": round(p99_ratio, 3),
                           "pass": p99_ratio <= max_p99_ratio})
        svc_err = summary["service"]["non_2xx_total"] + summary["service"]["socket_errors_total"]
        checks.append({"check": "service: no non-2xx / socket errors", "value": svc_err, "pass": svc_err == 0})
        ngx_err = summary["nginx"]["non_2xx_total"] + summary["nginx"]["socket_errors_total"]
        checks.append({"check": "nginx baseline: no errors", "value": ngx_err, "pass": ngx_err == 0})
        passed = all(c["pass"] for c in checks)
        all_pass &= passed
        target_txt = f"ratio>={min_ratio:.2f}" + (f", p99<={max_p99_ratio:g}x" if max_p99_ratio is not None else "")
        scenarios[key] = {
            "title": title, "target": target_txt, "ratio_median": ratio,
            "nginx": summary["nginx"], "service": summary["service"],
            "checks": checks, "pass": passed, "rounds": rounds,
        }

    hwm = st.get("VmHWM")
    result = {
        "schema": 1,
        "started_at": started.isoformat(timespec="seconds"),
        "config": cfg.as_dict(),
        "host": {"cpus": os.cpu_count(), "uname": " ".join(os.uname()),
                 "wrk": tool_version([cfg.wrk, "-v"]), "nginx": tool_version([cfg.nginx, "-v"])},
        "service": {
            "command": bench.service_cmd,
            "start_to_ready_ms": round(bench.start_to_ready_ms, 2),
            "start_to_listening_ms": round(bench.start_to_listening_ms, 2),
            "peak_rss_kib": hwm, "peak_rss_mib": round(hwm / 1024, 2) if hwm else None,
            "rss_at_end_kib": st.get("VmRSS"), "threads_at_end": st.get("Threads"),
            "exit_status_after_sigterm": bench.service_exit,
            "get_response_bytes": len(bench.get_response), "post_response_bytes": len(bench.post_response),
        },
        "scenarios": scenarios,
        "post_api_only": bench.api_only,
        "notification_latency": bench.notification,
        "limiter_cost": bench.limiter,
        "instructions_per_request": bench.instructions,
        "cluster": bench.cluster,
        "aws_cost": bench.aws_cost,
    }
    for extra in (bench.api_only, bench.notification, bench.limiter, bench.instructions, bench.cluster, bench.aws_cost):
        if extra is not None:
            all_pass &= extra["pass"]
    result["pass"] = all_pass

    # ---- table
    log("")
    hdr = (f"{'scenario':<22}{'nginx req/s':>13}{'service req/s':>15}{'ratio':>8}{'nginx p99':>11}"
           f"{'service p99':>13}  {'target':<25}result")
    log(hdr)
    log("-" * len(hdr))
    for sc in scenarios.values():
        failed = [c["check"] for c in sc["checks"] if not c["pass"]]
        verdict = "PASS" if sc["pass"] else "FAIL (" + "; ".join(failed) + ")"
        log(f"{sc['title']:<22}{sc['nginx']['rps_median']:>13,.0f}{sc['service']['rps_median']:>15,.0f}"
            f"{sc['ratio_median']:>7.2f}x{sc['nginx']['p99_ms_median']:>8.2f} ms{sc['service']['p99_ms_median']:>10.2f} ms"
            f"  {sc['target']:<25}{verdict}")
        e = sc["service"]
        if e["non_2xx_total"] or e["socket_errors_total"]:
            log(f"  !! service errors in {sc['title']}: {e['non_2xx_total']} responses with HTTP status >= 400, "
                f"{e['socket_errors_total']} socket errors (connect/read/write/timeout) -- see per-round lines")
    log("")
    log(f"start-to-ready (spawn -> first 200 on /readyz): {bench.start_to_ready_ms:.1f} ms")
    log(f"peak RSS (VmHWM at end):                        "
        + (f"{hwm / 1024:.1f} MiB ({hwm} kB)" if hwm else "unavailable"))
    if bench.service_exit not in (0, None):
        log(f"note: service exited with status {bench.service_exit} after SIGTERM (expected 0)")
    api_only_post.print_result(bench.api_only)
    limiter_cost.print_result(bench.limiter)
    instruction_cost.print_result(bench.instructions)
    notification_latency.print_result(bench.notification)
    cluster_report.print_result(bench.cluster)
    aws_cost.print_result(bench.aws_cost)  # also writes bench/results/aws_cost.json
    log(f"medians over {cfg.rounds} round(s); ratio = median of per-round service/nginx req/s")
    log(f"overall: {'PASS' if all_pass else 'FAIL'}")

    os.makedirs(os.path.dirname(RESULTS_FILE), exist_ok=True)
    tmp_out = RESULTS_FILE + ".tmp"
    with open(tmp_out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    os.replace(tmp_out, RESULTS_FILE)
    log(f"results: {os.path.relpath(RESULTS_FILE, os.getcwd())}")
    return all_pass
