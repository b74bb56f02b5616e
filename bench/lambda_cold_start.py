#!/usr/bin/python3
"""Cold start of the packaged Lambda function (issue 11, deploy/aws/PLAN.md §6): process start → first
`GET …/invocation/next` on the Runtime API emulator (tests/lambda/runtime_api.py), with the store
client built, and the peak resident set at that moment (VmHWM). Each row spawns the runtime N times.

    tests/servers/with-servers --moto -- /usr/bin/python3 bench/lambda_cold_start.py [--spawns 20]

Rows: the packaged `bootstrap` (the /bin/sh script, then the bundled loader) with the api handler on
`dynamodb://` (moto, tables made beforehand by `migrate`, as CloudFormation would) and on SQLite; the
same binary started directly through the system loader (the cost of the bootstrap hop); and floors on
this machine: `/bin/sh -c 'exec curl …/next'` (a process that only asks for `next`), and spawn-to-exit of
`/bin/true` and of `bootstrap --version` (loader, libraries and the binary's start, no runtime).
Each spawned function also answers one GET /readyz, so a row counts only runtimes that work.
Without moto the DynamoDB row is left out. Exits non-zero only if no row could be measured.

The binary is NINJA_ORDERS_BIN (default build/ninja-orders); NINJA_LAMBDA_PACKAGE names an unpacked
package to use instead of packaging one.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "lambda"))

from runtime_api import RuntimeEmulator  # noqa: E402

PACKAGER = REPO / "deploy" / "aws" / "package" / "package_lambda.py"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}
READYZ = {"httpMethod": "GET", "path": "/readyz", "multiValueHeaders": None, "body": None,
          "requestContext": {"requestId": "cold-start-bench", "identity": {"sourceIp": "127.0.0.1"}}}


def percentile(values, fraction):
    """Nearest-rank percentile: a value that was measured."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def package(workdir, binary):
    prebuilt = os.environ.get("NINJA_LAMBDA_PACKAGE")
    if prebuilt:
        return Path(prebuilt)
    done = subprocess.run([sys.executable, str(PACKAGER), "--binary", str(binary), "--out",
                           str(workdir / "ninja-orders.zip"), "--unpacked", str(workdir / "unpacked")],
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"packaging failed:\n{done.stderr}")
    return workdir / "unpacked"


def migrate(binary, store):
    done = subprocess.run([str(binary), "migrate", "--store", store], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **CREDENTIALS})
    if done.returncode != 0:
        raise RuntimeError(f"migrate --store {store}: {done.stderr.strip()}")


def wait_first_next(process, name, timeout_s=10.0):
    """Until the runtime's first `next` arrived. (Not emu.wait_idle(): the abandoned `next` of the
    runtime killed before still counts as a poller there.)"""
    deadline = time.monotonic() + timeout_s
    while process.first_next_ns is None:
        if not process.alive or time.monotonic() > deadline:
            raise RuntimeError(f"{name}: no `next` within {timeout_s} s\n{process.logs()}")
        time.sleep(0.002)


class RuntimeRow:
    """One kind of runtime in an emulator of its own, spawned once per measure(): Popen → first `next`,
    VmHWM then, and the time of one invocation right after (the first request of a fresh environment)."""

    def __init__(self, name, cmd, env, workdir, task_root, check_event=READYZ):
        self.name, self.cmd, self.env, self.task_root, self.check_event = name, cmd, env, task_root, check_event
        self.emulator = RuntimeEmulator(workdir=workdir / name.replace(" ", "-").replace("/", "-"))
        self.starts, self.rss, self.invoke = [], [], []

    def measure(self):
        emu = self.emulator
        process = emu.spawn(self.cmd, self.env, handler="api", task_root=self.task_root)
        try:
            wait_first_next(process, self.name)
            self.starts.append(process.cold_start_ns / 1e6)
            if process.init_rss_kb:
                self.rss.append(process.init_rss_kb)
            if self.check_event is not None:
                began = time.monotonic_ns()
                result = emu.invoke(self.check_event, timeout_s=10)
                self.invoke.append((time.monotonic_ns() - began) / 1e6)
                if result.kind != "response" or json.loads(result.json()["body"]).get("status") is None:
                    raise RuntimeError(f"{self.name}: {result.kind} {result.body[:200]!r}\n{emu.logs()}")
        finally:
            process.kill()
            process.wait_exit()

    def close(self):
        self.emulator.close()


class ExitRow:
    """Spawn to exit of a process that does no runtime work: the floor of a fork + exec here."""

    def __init__(self, name, cmd, cwd):
        self.name, self.cmd, self.cwd = name, cmd, cwd
        self.starts, self.rss, self.invoke = [], [], []

    def measure(self):
        began = time.monotonic_ns()
        subprocess.run(self.cmd, cwd=self.cwd, env={}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        self.starts.append((time.monotonic_ns() - began) / 1e6)

    def close(self):
        pass


def print_table(rows, skipped):
    header = f"{'row':<44} {'n':>3} {'median ms':>10} {'p90 ms':>8} {'min ms':>8} {'VmHWM MB':>9} {'1st invoke ms':>14}"
    print(header)
    print("-" * len(header))
    for row in rows:
        rss = f"{statistics.median(row.rss) / 1024:.1f}" if row.rss else "-"
        invoke = f"{statistics.median(row.invoke):.1f}" if row.invoke else "-"
        print(f"{row.name:<44} {len(row.starts):>3} {statistics.median(row.starts):>10.1f} "
              f"{percentile(row.starts, 0.9):>8.1f} {min(row.starts):>8.1f} {rss:>9} {invoke:>14}")
    for name, why in skipped:
        print(f"{name:<44} skipped: {why}")
    print("\nmedian/p90/min: Popen → first `next` (runtime rows) or → exit (exit rows); VmHWM at the first `next`; "
          "1st invoke: a GET /readyz right after, through the emulator.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spawns", type=int, default=20, help="spawns per row (default 20)")
    parser.add_argument("--json", help="also write the raw numbers to this file")
    args = parser.parse_args()
    binary = Path(os.environ.get("NINJA_ORDERS_BIN", REPO / "build" / "ninja-orders"))
    work = Path(tempfile.mkdtemp(prefix="lambda-cold-start-"))
    rows, skipped = [], []
    try:
        rows = make_rows(binary, work, skipped)
        # Round robin: each round spawns every row once, so the machine's load drifts over all rows alike.
        for _ in range(args.spawns):
            for row in list(rows):
                try:
                    row.measure()
                except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                    skipped.append((row.name, str(error).splitlines()[0] if str(error) else type(error).__name__))
                    rows.remove(row)
                    row.close()
    finally:
        for row in rows:
            row.close()
        shutil.rmtree(work, ignore_errors=True)
    rows = [row for row in rows if row.starts]
    print_table(rows, skipped)
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": [{"name": r.name, "start_ms": r.starts, "vmhwm_kb": r.rss,
                                                         "first_invoke_ms": r.invoke} for r in rows],
                                               "skipped": skipped}, indent=1))
    return 0 if rows else 1


def make_rows(binary, work, skipped):
    """The rows that can be measured here; the others go to `skipped` with the reason."""
    rows = []
    try:
        unpacked = package(work, binary)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        skipped.append(("the package", str(error).splitlines()[0]))
        unpacked = None
    stores = []
    moto = os.environ.get("NINJA_TEST_MOTO_URL")
    if moto:
        stores.append(("dynamodb (moto)", f"dynamodb://us-east-1?endpoint={moto}&prefix=coldstart{os.getpid()}-",
                       CREDENTIALS))
    else:
        skipped.append(("api, dynamodb (moto)", "NINJA_TEST_MOTO_URL unset (run under tests/servers/with-servers)"))
    stores.append(("sqlite", f"sqlite:{work / 'cold.db'}", {}))
    if unpacked is not None:
        bootstrap = [str(unpacked / "bootstrap")]
        direct = [str(unpacked / "bin" / "ninja-orders"), "lambda"]
        for label, store, extra in stores:
            try:
                migrate(binary, store)   # as CloudFormation would: the function creates no tables
            except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                skipped.append((f"api, {label}", str(error).splitlines()[0]))
                continue
            env = {**extra, "NINJA_ORDERS_STORE": store}
            rows.append(RuntimeRow(f"api, {label}, bootstrap", bootstrap, env, work, unpacked))
            rows.append(RuntimeRow(f"api, {label}, direct (no loader hop)", direct, env, work, unpacked))
        rows.append(ExitRow("bootstrap --version (to exit)", bootstrap + ["--version"], work))
    curl = shutil.which("curl")
    if curl:
        ask = f'exec {curl} -s "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"'
        rows.append(RuntimeRow("floor: sh + curl asks for next", ["/bin/sh", "-c", ask], {}, work, work,
                               check_event=None))
    else:
        skipped.append(("floor: sh + curl asks for next", "no curl on the PATH"))
    rows.append(ExitRow("floor: /bin/true (to exit)", ["/bin/true"], work))
    return rows


if __name__ == "__main__":
    sys.exit(main())
