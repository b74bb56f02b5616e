#!/usr/bin/python3
"""The cluster part of `make bench`: the service on PostgreSQL (and NATS) against pgbench on the same
PostgreSQL server, in the same run, 64 connections each.

Starts PostgreSQL and nats-server with tests/servers/local_servers.py in the bench's temp dir (fsync and
synchronous_commit on: durability is the point), then per deployment (a database of its own, made by
`ninja-orders migrate`) the service's processes:
  - bench:    `serve --roles api` with the default pool, and one more per BENCH_CLUSTER_POOLS value
              (--store-connections N); POST and GET are measured on these;
  - pipeline: api + relay + notifier (separate processes, NATS bus, the log channel): POST through the
              whole pipeline, then the time until every order is notified;
  - notify:   api + relay + notifier with webhooks, for bench/notification_latency.py at 500 orders/s.
Rounds are interleaved: pgbench insert, service POST (each pool), pgbench select, service GET (each
pool); then one whole-pipeline POST run and the notification latency. See bench/README.md ("Cluster"). Run alone: bench/cluster_bench.py.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "servers"))
import cluster_report  # noqa: E402
import notification_latency  # noqa: E402
import pgbench_baseline  # noqa: E402
from bench_support import POST_LUA, REPORT_LUA, WRK_TIMEOUT, SetupError, env_flag, env_int, log, parse_wrk  # noqa: E402
from cluster_deployment import Deployment, seed  # noqa: E402
from run_counters import Counters  # noqa: E402

# Tuned for a benchmark, durability untouched: enough buffers for the tables, no checkpoint inside a
# run, pg_stat_statements to see where the server's time goes.
PG_SETTINGS = {
    "shared_buffers": "256MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "30min",
    "shared_preload_libraries": "pg_stat_statements",
    "fsync": "on",
    "synchronous_commit": "on",
}
DRAIN_TIMEOUT_S = 180.0


class ClusterConfig:
    def __init__(self):
        self.skip = env_flag("BENCH_SKIP_CLUSTER")
        self.pgbench = os.environ.get("BENCH_PGBENCH", "").strip() or None  # preflight: the server's own
        self.pgbench_threads = env_int("BENCH_PGBENCH_THREADS", 2, 1)
        raw = os.environ.get("BENCH_CLUSTER_POOLS", "8").replace(",", " ").split()
        try:
            self.pools = [int(v) for v in raw]
        except ValueError:
            raise SetupError(f"BENCH_CLUSTER_POOLS={raw!r}: expected pool sizes like 2,8")
        if any(p < 1 for p in self.pools):
            raise SetupError("BENCH_CLUSTER_POOLS: pool sizes must be >= 1")
        self.pipeline = not env_flag("BENCH_SKIP_PIPELINE")

    def as_dict(self):
        return {"pgbench": self.pgbench, "pgbench_threads": self.pgbench_threads, "extra_pools": self.pools,
                "pipeline": self.pipeline, "postgres_settings": PG_SETTINGS}


class ClusterBench:
    def __init__(self, cfg, ccfg, tmp):
        self.cfg, self.ccfg, self.tmp = cfg, ccfg, tmp
        self.runs = 0
        self.deployments = []

    def log_name(self, label):
        return os.path.join(self.tmp, f"cluster-{self.runs:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', label)}.txt")

    def wrk(self, label, host, port, scenario, seconds, body=None):
        cfg = self.cfg
        if scenario == "get":
            url, script, args = f"http://{host}:{port}/v1/orders/{self.order_id}", REPORT_LUA, []
        else:
            url, script, args = f"http://{host}:{port}/v1/orders", POST_LUA, ["--", body or self.order_body]
        cmd = [cfg.wrk, f"-t{cfg.wrk_threads}", f"-c{cfg.connections}", f"-d{seconds}s", "--latency",
               "--timeout", WRK_TIMEOUT, "-s", script, url] + args
        self.runs += 1
        try:
            cp = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=seconds + 60)
        except FileNotFoundError:
            raise SetupError(f"wrk not found ({cfg.wrk}); set BENCH_WRK")
        except subprocess.TimeoutExpired:
            raise SetupError(f"wrk ({label}) did not finish")
        with open(self.log_name(label), "w") as f:
            f.write(" ".join(cmd) + "\n\n" + cp.stdout + "\n" + cp.stderr)
        if cp.returncode != 0:
            raise SetupError(f"wrk ({label}) exited with {cp.returncode}:\n{cp.stdout}\n{cp.stderr}")
        return parse_wrk(cp.stdout)

    def pgbench(self, label, name, seconds):
        self.runs += 1
        return pgbench_baseline.run(self.ccfg.pgbench, self.pg, self.main.name, self.scripts[name],
                                    pgbench_baseline.variables_for(name, self.reference), seconds,
                                    self.cfg.connections, self.ccfg.pgbench_threads,
                                    self.log_name(label))

    def measured(self, label, run, pids, requests_of):
        """Runs `run()` between two counter snapshots; the result gets the run's CPU and WAL usage."""
        counters = Counters(self.pg, pids)
        result = run()
        result["usage"] = counters.delta(requests_of(result))
        self.main.check_alive(f"after {label}")
        return result

    def service_run(self, label, pool, scenario, seconds):
        host, port = self.apis[pool]
        res = self.measured(label, lambda: self.wrk(label, host, port, scenario, seconds), self.main.pids(),
                            lambda r: r["requests"])
        errs = f"  ERRORS: {res['non_2xx']} HTTP>=400, socket {res['errors']}" if (
            res["non_2xx"] or res["socket_errors"]) else ""
        log(f"  {label:32}{res['rps']:>10,.0f} req/s  p99 {res['p99_ms']:7.2f} ms  "
            f"{cluster_report.usage_line(res['usage'])}{errs}")
        return res

    def pgbench_run(self, label, name, seconds):
        before = pgbench_baseline.baseline_orders(self.pg, self.main.name) if name == "insert" else 0
        res = self.measured(label, lambda: self.pgbench(label, name, seconds), self.main.pids(),
                            lambda r: r["transactions"])
        if name == "insert":  # a transaction that found no owner would insert nothing and still count
            written = pgbench_baseline.baseline_orders(self.pg, self.main.name) - before
            if written != res["transactions"]:
                raise SetupError(f"pgbench insert: {res['transactions']} transactions but {written} orders written")
        fails = f"  FAILED transactions: {res['failed']}" if res["failed"] else ""
        log(f"  {label:32}{res['tps']:>10,.0f} tps    avg {res['latency_avg_ms']:7.2f} ms  "
            f"{cluster_report.usage_line(res['usage'])}{fails}")
        return res

    def pipeline_run(self, label, seconds):
        dep = self.pipe
        res = self.measured(label, lambda: self.wrk(label, *self.pipe_api, "post", seconds, self.pipe_body),
                            self.main.pids() + dep.pids(), lambda r: r["requests"])
        t0 = time.monotonic()
        orders = int(dep.psql("SELECT count(*) FROM orders"))
        left = None
        while time.monotonic() - t0 < DRAIN_TIMEOUT_S:
            unpublished, delivered = (int(v) for v in dep.psql(
                "SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL) || ' ' ||"
                " (SELECT count(*) FROM deliveries WHERE status = 'delivered')").split())
            left = unpublished + orders - delivered
            if left == 0:
                break
            time.sleep(0.5)
        dep.check_alive(f"after {label}")
        res["drain_s"] = round(time.monotonic() - t0, 2)
        res["drained"] = left == 0
        res["undelivered_at_end"] = left
        created = res["requests"] - res["non_2xx"]
        res["end_to_end_per_s"] = created / (res["duration_s"] + res["drain_s"])
        log(f"  {label:32}{res['rps']:>10,.0f} req/s  p99 {res['p99_ms']:7.2f} ms  then notified all in "
            f"{res['drain_s']:.1f} s" + ("" if res["drained"] else f" (NOT drained: {left} left)")
            + f" -> {res['end_to_end_per_s']:,.0f} orders/s end to end")
        return res

    # -----------------------------------------------------------------------------------------------
    def start(self):
        from local_servers import NatsServer, PostgresServer, ServerError
        try:
            self.pg = PostgresServer(self.tmp, settings=PG_SETTINGS).start()
            self.nats = NatsServer(self.tmp).start()
        except ServerError as e:
            raise SetupError(f"cluster bench: {e}\n(BENCH_SKIP_CLUSTER=1 skips the cluster part)")
        log(f"  PostgreSQL {self.pg.version} on {self.pg.host}:{self.pg.port}, {self.nats.version or 'nats-server'} "
            f"on {self.nats.url}")
        self.pgbench_version = subprocess.run([self.ccfg.pgbench, "--version"], capture_output=True,
                                              text=True).stdout.strip()
        binary = self.cfg.binary
        self.main = Deployment(binary, self.tmp, self.pg, None, "bench")
        self.deployments.append(self.main)
        self.main.psql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        self.apis = {"default": self.main.serve("api-default", "api")}
        for pool in self.ccfg.pools:
            self.apis[str(pool)] = self.main.serve(f"api-pool{pool}", "api", ["--store-connections", str(pool)])
        self.order_body, self.order_id = seed(*self.apis["default"])
        self.reference = pgbench_baseline.reference_order(self.pg, self.main.name, self.order_id)
        pgbench_baseline.create_owners(self.pg, self.main.name, self.reference["user_id"], self.cfg.connections)
        self.scripts = pgbench_baseline.write_scripts(self.tmp)

    def rounds(self):
        cfg = self.cfg
        pools = list(self.apis)
        name = {p: ("default pool" if p == "default" else f"pool {p}") for p in pools}
        if cfg.warmup:
            log(f"  cluster warm-up: {cfg.warmup} s per target (not counted)")
            self.pgbench("warmup-pgbench-insert", "insert", cfg.warmup)
            self.pgbench("warmup-pgbench-select", "select", cfg.warmup)
            for p in pools:
                for scenario in ("post", "get"):
                    self.wrk(f"warmup-{scenario}-{p}", *self.apis[p], scenario, cfg.warmup)
        rounds = []
        for r in range(1, cfg.rounds + 1):
            row = {"round": r, "post": {}, "get": {}}
            tag = f"round {r}/{cfg.rounds}"
            row["post"]["pgbench"] = self.pgbench_run(f"{tag} pgbench insert", "insert", cfg.seconds)
            for p in pools:
                row["post"][p] = self.service_run(f"{tag} POST {name[p]}", p, "post", cfg.seconds)
            row["get"]["pgbench"] = self.pgbench_run(f"{tag} pgbench select", "select", cfg.seconds)
            for p in pools:
                row["get"][p] = self.service_run(f"{tag} GET {name[p]}", p, "get", cfg.seconds)
            rounds.append(row)
        return rounds

    def pipeline(self):
        """Once, after the rounds: its backlog takes longer to drain than the run (so it is not one of
        the interleaved runs), and it is compared with the median pgbench insert."""
        if not self.ccfg.pipeline:
            return None
        self.pipe = Deployment(self.cfg.binary, self.tmp, self.pg, self.nats, "pipeline")
        self.deployments.append(self.pipe)
        self.pipe_api = self.pipe.serve("api", "api")
        self.pipe.serve("relay", "relay")
        self.pipe.serve("notifier", "notifier", ["--notify-log", os.path.join(self.tmp, "pipeline-notify.log")])
        self.pipe_body, _ = seed(*self.pipe_api)  # the same order, for a user of its own database
        if self.cfg.warmup:
            self.wrk("warmup-pipeline", *self.pipe_api, "post", self.cfg.warmup, self.pipe_body)
        return self.pipeline_run("POST whole pipeline", self.cfg.seconds)

    def notification(self):
        def launch():
            dep = Deployment(self.cfg.binary, self.tmp, self.pg, self.nats, "notify")
            self.deployments.append(dep)
            host, port = dep.serve("api", "api", ["--webhook-allow-private"])
            dep.serve("relay", "relay")
            dep.serve("notifier", "notifier", ["--webhook-allow-private"])
            # The procs are handed over: notification_latency stops them; forget them here.
            procs = [(p, err) for _, p, _h, _p, err in dep.procs]
            dep.procs = []
            return host, port, procs
        return notification_latency.measure(self.cfg.binary, self.tmp, self.cfg.notify_rate, self.cfg.notify_seconds,
                                            launch, "a webhook receiver through separate api, relay and notifier "
                                            "processes on PostgreSQL + NATS")

    def top_statements(self):
        rows = self.main.psql(
            "SELECT json_agg(s) FROM (SELECT calls, round(total_exec_time::numeric, 1) AS total_ms,"
            " round(mean_exec_time::numeric, 4) AS mean_ms, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160)"
            " AS query FROM pg_stat_statements WHERE calls > 100 ORDER BY total_exec_time DESC LIMIT 8) s")
        return json.loads(rows) if rows else []

    def stop(self):
        for dep in self.deployments:
            dep.stop()
        for server in ("nats", "pg"):
            if getattr(self, server, None) is not None:
                getattr(self, server).stop()
                setattr(self, server, None)


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(v) for v in f.read().split()[:3]]


def preflight():
    """The cluster configuration, checked before anything is measured: the knobs, and that pgbench,
    PostgreSQL's server binaries and nats-server are there (else a clear error now, not minutes later)."""
    ccfg = ClusterConfig()
    if ccfg.skip:
        return ccfg
    from local_servers import NatsServer, PostgresServer, ServerError
    try:
        pg = PostgresServer()  # they look for their binaries (and, as root, the postgres account) here
        NatsServer()
    except ServerError as e:
        raise SetupError(f"cluster bench: {e} (BENCH_SKIP_CLUSTER=1 skips the cluster part)")
    # pgbench of the same PostgreSQL version as the server (Debian's package postgresql-N has it).
    ccfg.pgbench = ccfg.pgbench or str(pg.bindir / "pgbench")
    if not (shutil.which(ccfg.pgbench) or os.access(ccfg.pgbench, os.X_OK)):
        raise SetupError(f"cluster bench: pgbench not found ({ccfg.pgbench}): install the Debian package "
                         "postgresql or set BENCH_PGBENCH (BENCH_SKIP_CLUSTER=1 skips the cluster part)")
    return ccfg


def measure(cfg, tmp, ccfg=None):
    """The cluster figures as a dict (see cluster_report), or None when BENCH_SKIP_CLUSTER=1."""
    ccfg = ccfg or preflight()
    if ccfg.skip:
        log("  cluster: skipped (BENCH_SKIP_CLUSTER=1)")
        return None
    log(f"  cluster: PostgreSQL + NATS, service vs pgbench, {cfg.rounds} interleaved round(s) x {cfg.seconds} s, "
        f"{cfg.connections} connections; load average {loadavg()}")
    bench = ClusterBench(cfg, ccfg, tmp)
    load_before = loadavg()
    try:
        bench.start()
        rounds = bench.rounds()
        pipeline = bench.pipeline()
        top = bench.top_statements()
        for dep in bench.deployments:
            dep.stop()  # the notification run gets the machine to itself
        notification = bench.notification() if cfg.notify_seconds else None
        versions = {"postgres": bench.pg.version, "nats": bench.nats.version, "pgbench": bench.pgbench_version}
    finally:
        bench.stop()
    return cluster_report.summarize(cfg, ccfg, rounds, pipeline, notification, top, versions,
                                    {"loadavg_before": load_before, "loadavg_after": loadavg()})


def main():
    """Only the cluster part, for a quick look: prints its table, writes bench/results/cluster.json."""
    from bench_support import RESULTS_FILE, run_part_alone

    def report(result):
        cluster_report.print_result(result)
        path = os.path.join(os.path.dirname(RESULTS_FILE), "cluster.json")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(result, f, indent=2)
        log(f"results: {os.path.relpath(path, os.getcwd())}")

    return run_part_alone("cluster bench", measure, report,
                          lambda cfg, result: not result["pass"] and cfg.strict)


if __name__ == "__main__":
    sys.exit(main())
