"""GET /v1/orders/{id} on DynamoDB against wrk posting the same GetItem straight to moto, for the AWS cost
bench: an api process talks to moto directly (no proxy); interleaved wrk rounds; per run also the most
connections the service held to moto and the CPU per request of both (from /proc)."""

import os
import subprocess
import threading

from aws_deployment import AWS_ENV, Deployment
from bench_support import BENCH_DIR, REPORT_LUA, WRK_TIMEOUT, SetupError, http_request, log, parse_wrk

GETITEM_LUA = os.path.join(BENCH_DIR, "getitem.lua")
# moto routes a request by the service in its credential scope (no header: S3) and checks no signature.
BASELINE_AUTH = (f"AWS4-HMAC-SHA256 Credential={AWS_ENV['AWS_ACCESS_KEY_ID']}/20260101/us-east-1/dynamodb/aws4_request, "
                 f"SignedHeaders=content-type;host;x-amz-target, Signature={'0' * 64}")


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
