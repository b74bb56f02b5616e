"""with-servers, the wrapper of `make unit`/`make e2e`, and the watchdog: working URLs reach the
command, its exit code comes back, signals end it cleanly, and no server outlives its starter."""
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from local_servers import is_alive, port_is_free
from server_process import clean_env, wait_until

HERE = Path(__file__).resolve().parent
WITH_SERVERS = HERE / "with-servers"

# Run by with-servers: uses both URLs for real, then reports what it saw (its pid, the servers' pids,
# ports and dirs) as JSON to the file named by argv[1], and exits with argv[2].
PROBE = r"""
import json, os, subprocess, sys, urllib.parse
sys.path.insert(0, os.environ["PROBE_LIB"])
from nats_wire import NatsWire
report = {"env": sorted(k for k in os.environ if k.startswith("NINJA_TEST_")), "pid": os.getpid()}
if "NINJA_TEST_POSTGRES_URL" in os.environ:
    url = os.environ["NINJA_TEST_POSTGRES_URL"]
    run = lambda target, sql: subprocess.run(["psql", "-X", "-At", "-d", target, "-c", sql],
                                             capture_output=True, text=True, check=True).stdout.strip()
    report["pg_user"] = run(url, "select current_user")
    admin = os.environ["NINJA_TEST_POSTGRES_ADMIN"]
    data = run(admin, "show data_directory")
    report["pg_pids"] = [int(open(data + "/postmaster.pid").readline())]
    report["pg_pids"] += [int(pid) for pid in run(admin, "select pid from pg_stat_activity").split()]
    report["pg_port"] = urllib.parse.urlsplit(url).port
    report["pg_dir"] = os.path.dirname(data)
    report["password"] = urllib.parse.urlsplit(url).password
if "NINJA_TEST_NATS_URL" in os.environ:
    with NatsWire(os.environ["NINJA_TEST_NATS_URL"]) as client:
        report["nats_pong"] = client.ping().decode()
    report["nats_port"] = urllib.parse.urlsplit(os.environ["NINJA_TEST_NATS_URL"]).port
if "NINJA_TEST_MOTO_URL" in os.environ:
    import urllib.request
    call = urllib.request.Request(os.environ["NINJA_TEST_MOTO_URL"] + "/", data=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    report["moto_tables"] = json.loads(opener.open(call, timeout=10).read())["TableNames"]
    report["moto_port"] = urllib.parse.urlsplit(os.environ["NINJA_TEST_MOTO_URL"]).port
json.dump(report, open(sys.argv[1], "w"))
if sys.argv[2] == "wait":
    import time; time.sleep(60)
sys.exit(int(sys.argv[2]))
"""


def with_servers(*options, probe_args, **kwargs):
    return subprocess.Popen([str(WITH_SERVERS), *options, "--", sys.executable, "-c", PROBE, *probe_args],
                            env=clean_env({"PROBE_LIB": str(HERE)}), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def assert_all_gone(report):
    pids = report.get("pg_pids", [])
    assert wait_until(lambda: not any(is_alive(pid) for pid in pids), 10), f"left running: {pids}"
    for key in ("pg_port", "nats_port", "moto_port"):
        if key in report:
            assert port_is_free(report[key]), f"{key} {report[key]} still taken"
    if "pg_dir" in report:
        assert not Path(report["pg_dir"]).exists()


def test_exports_working_urls_and_returns_the_exit_code(tmp_path):
    report_path = tmp_path / "report.json"
    process = with_servers(probe_args=[str(report_path), "3"])
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 3, stderr
    report = json.loads(report_path.read_text())
    assert report["env"] == ["NINJA_TEST_MOTO_PYTHON", "NINJA_TEST_MOTO_URL", "NINJA_TEST_NATS_MONITOR", "NINJA_TEST_NATS_URL",
                             "NINJA_TEST_POSTGRES_ADMIN", "NINJA_TEST_POSTGRES_URL"]
    assert report["pg_user"] == "ninja" and report["nats_pong"] == "PONG" and report["moto_tables"] == []
    assert f"postgres 15 on 127.0.0.1:{report['pg_port']} (data " in stderr
    assert f"nats-server 2.9.10 on 127.0.0.1:{report['nats_port']} (store " in stderr
    assert f"moto_server on 127.0.0.1:{report['moto_port']} (log " in stderr
    assert report["password"] not in stderr
    assert_all_gone(report)


def test_starts_only_what_is_asked(tmp_path):
    report_path = tmp_path / "report.json"
    process = with_servers("--nats", probe_args=[str(report_path), "0"])
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert json.loads(report_path.read_text())["env"] == ["NINJA_TEST_NATS_MONITOR", "NINJA_TEST_NATS_URL"]
    assert "postgres" not in stderr and "moto" not in stderr
    process = with_servers("--moto", probe_args=[str(report_path), "0"])
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    report = json.loads(report_path.read_text())
    assert report["env"] == ["NINJA_TEST_MOTO_PYTHON", "NINJA_TEST_MOTO_URL"] and report["moto_tables"] == []
    assert_all_gone(report)


def test_sigterm_ends_the_command_then_the_servers(tmp_path):
    report_path = tmp_path / "report.json"
    process = with_servers(probe_args=[str(report_path), "wait"])
    assert wait_until(lambda: report_path.exists() and report_path.stat().st_size > 0, 30), process.stderr
    time.sleep(0.1)   # the probe has closed its report and sleeps
    report = json.loads(report_path.read_text())
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert not is_alive(report["pid"])
    assert_all_gone(report)


def test_keep_keeps_data_and_logs(tmp_path):
    report_path = tmp_path / "report.json"
    process = with_servers("--postgres", "--keep", probe_args=[str(report_path), "0"])
    _, stderr = process.communicate(timeout=60)
    kept = Path(stderr.split("with-servers: kept ")[1].split()[0])
    try:
        assert process.returncode == 0, stderr
        pg_dir = Path(json.loads(report_path.read_text())["pg_dir"])
        assert pg_dir.is_relative_to(kept) and (pg_dir / "postgres.log").exists()
    finally:
        subprocess.run(["rm", "-rf", str(kept)])


def test_own_failures_have_their_own_exit_codes(tmp_path):
    missing = subprocess.run([str(WITH_SERVERS), "--nats", "--", "/no/such/command"], capture_output=True,
                             text=True)
    assert missing.returncode == 127 and "command not found" in missing.stderr
    broken = subprocess.run([str(WITH_SERVERS), "--", "true"], capture_output=True, text=True,
                            env={**clean_env(), "NINJA_NATS_SERVER": "/bin/false"})
    assert broken.returncode == 125 and "nats-server exited with 1" in broken.stderr
    assert "postgres 15 on" in broken.stderr          # it had started, and was stopped again:
    port = int(broken.stderr.split("postgres 15 on 127.0.0.1:")[1].split()[0])
    assert port_is_free(port)
    usage = subprocess.run([str(WITH_SERVERS), "true"], capture_output=True, text=True)
    assert usage.returncode == 2 and "missing --" in usage.stderr


# Starts both servers, reports them, then dies by SIGKILL: no atexit, no finally, only the watchdogs.
ORPHAN_MAKER = r"""
import json, os, signal, sys
sys.path.insert(0, sys.argv[1])
from local_servers import NatsServer, PostgresServer
pg, nats = PostgresServer(sys.argv[2]).start(), NatsServer(sys.argv[2]).start()
print(json.dumps({"pids": [pg.pid(), nats.pid()], "ports": [pg.port, nats.port, nats.monitor_port],
                  "dirs": [str(pg.dir), str(nats.dir)]}), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_starter_leaves_no_server_behind(tmp_path):
    started = subprocess.run([sys.executable, "-c", ORPHAN_MAKER, str(HERE), str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
    assert started.returncode == -signal.SIGKILL, started.stderr
    report = json.loads(started.stdout)
    assert wait_until(lambda: not any(is_alive(pid) for pid in report["pids"]), 15), report
    assert wait_until(lambda: not any(Path(path).exists() for path in report["dirs"]), 5), report
    assert all(port_is_free(port) for port in report["ports"])


# Reports a SIGINT, then exits 5. (with-servers does not forward a Ctrl-C the terminal already sent to
# its foreground group; a test cannot see a double delivery reliably, the kernel merges a SIGINT that
# arrives while another is pending. What it sees: CMD is ended by Ctrl-C, its code comes back, the
# servers are stopped.)
CTRL_C_COUNTER = r"""
import signal, sys, time
def on_sigint(*_):
    print("SIGINT", flush=True)
    time.sleep(0.5)
    sys.exit(5)
signal.signal(signal.SIGINT, on_sigint)
print("READY", flush=True)
time.sleep(60)
"""


def test_ctrl_c_at_the_terminal_ends_the_command_then_the_servers():
    pid, terminal = pty.fork()
    if pid == 0:   # the child: with-servers in the foreground of a new terminal, as `make cluster` is
        try:
            os.execv(str(WITH_SERVERS),
                     ["with-servers", "--nats", "--", sys.executable, "-c", CTRL_C_COUNTER])
        finally:
            os._exit(127)   # never go on running pytest in the forked child
    output = b""

    def read_until(marker, timeout):
        nonlocal output
        deadline = time.monotonic() + timeout
        while marker not in output and time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.1)[0]:
                try:
                    output += os.read(terminal, 4096)
                except OSError:   # the terminal closed: everything has exited
                    break
    read_until(b"READY", 30)
    nats_port = int(output.split(b"nats-server 2.9.10 on 127.0.0.1:")[1].split()[0])
    os.write(terminal, b"\x03")
    read_until(b"never printed", 5)
    _, status = os.waitpid(pid, 0)
    os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 5, output
    assert output.count(b"SIGINT") == 1, output
    assert port_is_free(nats_port)
