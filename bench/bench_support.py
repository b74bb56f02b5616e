"""Helpers of bench/run: configuration, processes, HTTP probes and wrk output parsing."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time


BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
RESULTS_FILE = os.path.join(BENCH_DIR, "results", "latest.json")
REPORT_LUA = os.path.join(BENCH_DIR, "wrk_report.lua")
POST_LUA = os.path.join(BENCH_DIR, "post_order.lua")

# Targets from the issue.
# The embedded product's targets (the speed issue), against nginx with its defaults.
GET_MIN_RATIO = 0.6
POST_MIN_RATIO = 0.25  # the whole pipeline in one process, as make run starts it
GET_MAX_P99_RATIO = 1.5  # the service's GET p99 over nginx's, in the same run

START_TIMEOUT_S = 30.0   # spawn -> ready
STOP_GRACE_S = 15.0      # SIGTERM -> SIGKILL (service --shutdown-grace defaults to 10 s)
WRK_TIMEOUT = "5s"       # a request slower than this counts as a socket (timeout) error

LISTEN_RE = re.compile(r"listening on http://(\[[^\]]+\]|[^\s:/\"]+):(\d+)")

USER_BODY = {"name": "Bench", "email": "bench@example.com"}
ORDER_ITEMS = [
    {"sku": "BENCH-1", "quantity": 2, "unit_price": 1999},
    {"sku": "BENCH-2", "quantity": 1, "unit_price": 4500},
    {"sku": "BENCH-3", "quantity": 5, "unit_price": 250},
]


class SetupError(Exception):
    """The harness could not set up or run a measurement (not a missed target)."""


class Interrupted(BaseException):
    pass


def log(msg=""):
    print(msg, flush=True)


def env_int(name, default, minimum):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SetupError(f"{name}={raw!r} is not an integer")
    if value < minimum:
        raise SetupError(f"{name}={value} must be >= {minimum}")
    return value


def env_flag(name):
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


class Config:
    def __init__(self):
        binary = os.environ.get("NINJA_ORDERS_BIN", "").strip() or os.path.join(REPO_ROOT, "build", "ninja-orders")
        self.binary = os.path.abspath(binary)
        self.seconds = env_int("BENCH_SECONDS", 10, 1)
        self.rounds = env_int("BENCH_ROUNDS", 3, 1)
        self.connections = env_int("BENCH_CONNECTIONS", 64, 1)
        self.wrk_threads = env_int("BENCH_WRK_THREADS", 2, 1)
        self.warmup = env_int("BENCH_WARMUP", 1, 0)
        # nginx gets as many workers as the service has I/O threads (its --threads default: number of cores).
        self.nginx_workers = env_int("BENCH_NGINX_WORKERS", os.cpu_count() or 1, 1)
        self.strict = env_flag("BENCH_STRICT")
        self.keep_tmp = env_flag("BENCH_KEEP_TMP")
        self.nginx = os.environ.get("BENCH_NGINX", "").strip() or "/usr/sbin/nginx"
        self.wrk = os.environ.get("BENCH_WRK", "").strip() or "wrk"
        # Notification latency: a steady order rate into a local webhook receiver (0 seconds: skipped).
        self.notify_rate = env_int("BENCH_NOTIFY_RATE", 500, 1)
        self.notify_seconds = env_int("BENCH_NOTIFY_SECONDS", 10, 0)
        self.limiter = not env_flag("BENCH_SKIP_LIMITER")
        self.callgrind = not env_flag("BENCH_SKIP_CALLGRIND")
        if self.wrk_threads > self.connections:
            raise SetupError("BENCH_WRK_THREADS must not exceed BENCH_CONNECTIONS")

    def as_dict(self):
        return {
            "binary": self.binary, "seconds_per_run": self.seconds, "rounds": self.rounds,
            "connections": self.connections, "wrk_threads": self.wrk_threads, "warmup_seconds": self.warmup,
            "nginx_workers": self.nginx_workers, "wrk_timeout": WRK_TIMEOUT,
            "notify_rate": self.notify_rate, "notify_seconds": self.notify_seconds,
        }


# ---------------------------------------------------------------------------------------------- helpers

def http_request(host, port, method, path, body=None, headers=None, timeout=5.0):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=25):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 16384))
            text = f.read().decode("utf-8", "replace")
        return "\n".join("    " + line for line in text.splitlines()[-lines:]) or "    (empty)"
    except OSError as e:
        return f"    (cannot read {path}: {e})"


def proc_status(pid):
    """VmHWM / VmRSS (KiB) and thread count from /proc/PID/status."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(value.split()[0])
                elif key == "Threads":
                    out[key] = int(value)
    except OSError:
        pass
    return out


def tool_version(cmd):
    try:
        cp = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=10)
        return cp.stdout.strip().splitlines()[0] if cp.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


def stop_process(proc, grace):
    """SIGTERM, wait up to `grace` s, then SIGKILL its process group. Returns the exit code."""
    if proc is None:
        return None
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # own session (start_new_session), pgid == pid
            except ProcessLookupError:
                pass
            proc.wait()
    return proc.returncode


# ---------------------------------------------------------------------------------------------- wrk

_UNITS_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}


def _to_us(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    return float(m.group(1)) * _UNITS_US[m.group(2)] if m else None


def parse_wrk(stdout):
    """Prefer the WRK_JSON line printed by wrk_report.lua; fall back to wrk's text output."""
    for line in stdout.splitlines():
        if line.startswith("WRK_JSON "):
            d = json.loads(line[len("WRK_JSON "):])
            dur_s = d["duration_us"] / 1e6
            e = d["errors"]
            lat = d["latency_us"]
            return {
                "requests": int(d["requests"]), "duration_s": round(dur_s, 3),
                "rps": d["requests"] / dur_s if dur_s > 0 else 0.0,
                "p50_ms": lat["p50"] / 1e3, "p90_ms": lat["p90"] / 1e3,
                "p99_ms": lat["p99"] / 1e3, "p99_9_ms": lat["p99_9"] / 1e3,
                "mean_ms": lat["mean"] / 1e3, "max_ms": lat["max"] / 1e3,
                "errors": {k: int(v) for k, v in e.items()},
                "non_2xx": int(e["status"]),
                "socket_errors": int(e["connect"] + e["read"] + e["write"] + e["timeout"]),
                "bytes": int(d["bytes"]), "source": "lua",
            }
    # Fallback: wrk's human-readable output.
    rps = re.search(r"Requests/sec:\s+([0-9.]+)", stdout)
    p99 = re.search(r"^\s*99%\s+(\S+)", stdout, re.M)
    p50 = re.search(r"^\s*50%\s+(\S+)", stdout, re.M)
    total = re.search(r"(\d+) requests in", stdout)
    if not rps or not p99:
        raise SetupError("cannot parse wrk output:\n" + stdout)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", stdout)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", stdout)
    errors = dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups()))) if sock else \
        {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    errors["status"] = int(non2xx.group(1)) if non2xx else 0
    return {
        "requests": int(total.group(1)) if total else None, "rps": float(rps.group(1)),
        "p50_ms": (_to_us(p50.group(1)) or 0) / 1e3 if p50 else None,
        "p99_ms": (_to_us(p99.group(1)) or 0) / 1e3,
        "errors": errors, "non_2xx": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "source": "text",
    }


# ---------------------------------------------------------------------------------------------- bench


def start_service(binary, tmp, name, extra_args=(), store=None, env=None, prefix=(), ready_timeout=30,
                  access_log=False):
    """A service of its own, by default on a fresh SQLite file (else on `store`, with `env` for its
    process, e.g. PGPASSWORD), run under `prefix` (e.g. valgrind), its access log off unless
    `access_log`; returns (proc, host, port, stderr path) once /readyz is 200."""
    err_path = os.path.join(tmp, f"{name}-service.stderr")
    store = store or "sqlite:" + os.path.join(tmp, f"{name}.db")
    cmd = [*prefix, binary, "serve", "--listen", "127.0.0.1:0", "--store", store,
           "--access-log=" + ("true" if access_log else "false"), *extra_args]
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True, env=env)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError(f"{name} service exited: {tail(err_path)}")
        with open(err_path, "rb") as f:
            m = LISTEN_RE.search(f.read().decode("utf-8", "replace"))
        if m:
            host, port = m.group(1).strip("[]"), int(m.group(2))
            try:
                if http_request(host, port, "GET", "/readyz", timeout=2.0)[0] == 200:
                    return proc, host, port, err_path
            except OSError:
                pass
        time.sleep(0.01)
    stop_process(proc, 5)
    raise SetupError(f"{name} service not ready within {ready_timeout} s")


def run_part_alone(name, measure, report, failed):
    """main() of a part of the benchmark run by itself (`python3 bench/<part>.py`): a temp dir of its
    own, SIGTERM/SIGHUP cleaned up like Ctrl-C, `report(result)` printing it; exits 0, 1 when
    `failed(cfg, result)`, 2 when it cannot run, 130 when interrupted."""
    import shutil
    import tempfile

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)  # so the finally clauses stop what was started

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    cfg = Config()
    if not os.access(cfg.binary, os.X_OK):
        print(f"{name}: ERROR: service binary not found: {cfg.binary} (set NINJA_ORDERS_BIN)", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix=f"ninja-orders-{name.replace(' ', '-')}.")
    try:
        result = measure(cfg, tmp)
    except SetupError as e:
        print(f"{name}: ERROR: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        print(f"\n{name}: interrupted ({e or 'SIGINT'}), cleaned up", file=sys.stderr)
        return 130
    finally:
        if cfg.keep_tmp:
            log(f"kept temp dir: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if result is None:
        return 0
    report(result)
    return 1 if failed(cfg, result) else 0
