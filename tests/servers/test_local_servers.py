"""PostgresServer and NatsServer against the real servers: they start, take real clients, keep what
was committed across a crash-restart, report failures with the log, and leave nothing behind."""
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import nats_server
import postgres_server
from local_servers import NatsServer, PostgresServer, ServerError, is_alive, port_is_free
from nats_wire import NatsWire
from server_process import children_of, clean_env, wait_until

HERE = Path(__file__).resolve().parent


def psql(url, sql, env=None):
    """psql as a client of the code under test would connect: URL only, no PG* variables of ours."""
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                          capture_output=True, text=True, env=clean_env(env), timeout=30)


def assert_left_nothing(pids, ports, dirs):
    assert wait_until(lambda: not any(is_alive(pid) for pid in pids), 10), f"still running: {pids}"
    for port in ports:
        assert port_is_free(port), f"port {port} still taken"
    for path in dirs:
        assert not Path(path).exists(), f"{path} not removed"


@pytest.fixture
def pg(tmp_path):
    with PostgresServer(tmp_path) as server:
        yield server


@pytest.fixture
def nats(tmp_path):
    with NatsServer(tmp_path) as server:
        yield server


class Occupied:
    """A loopback port someone else listens on, and a free_port() that offers it first."""

    def __init__(self, real_free_port):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.offered = 0
        self.real = real_free_port

    def free_port(self, *args, **kwargs):
        self.offered += 1
        return self.port if self.offered == 1 else self.real(*args, **kwargs)


# --- PostgreSQL ---------------------------------------------------------------------------------

def test_postgres_url_carries_the_password_and_scram_is_enforced(pg):
    assert pg.url == f"postgresql://ninja:{pg.password}@127.0.0.1:{pg.port}/ninja"
    assert psql(pg.url, "select current_user || '@' || current_database()").stdout.strip() == "ninja@ninja"
    refused = psql(pg.url_without_password, "select 1", env={"PGPASSWORD": "wrong"})
    assert refused.returncode != 0 and "password authentication failed" in refused.stderr
    assert psql(pg.url_without_password, "select 1", env={"PGPASSWORD": pg.password}).stdout.strip() == "1"


def test_postgres_is_durable_light_and_on_loopback_only(pg):
    show = {name: pg.admin_psql(f"show {name}") for name in
            ("fsync", "synchronous_commit", "max_connections", "listen_addresses", "logging_collector")}
    assert show == {"fsync": "on", "synchronous_commit": "on", "max_connections": "300",
                    "listen_addresses": "127.0.0.1", "logging_collector": "off"}
    assert pg.version.startswith("15.")
    assert pg.admin_psql("select rolsuper from pg_roles where rolname = 'ninja'") == "f"


def test_postgres_restart_immediate_keeps_committed_rows(pg):
    assert psql(pg.url, "create table kept (n int); insert into kept values (1), (2)").returncode == 0
    port, pid = pg.port, pg.pid()
    pg.restart("immediate")
    assert (pg.port, pg.is_running()) == (port, True) and pg.pid() != pid
    assert psql(pg.url, "select sum(n) from kept").stdout.strip() == "3"
    assert "database system was interrupted" in pg.log_path.read_text()   # a crash recovery, really


def test_postgres_kill_takes_every_process_and_start_recovers(pg):
    psql(pg.url, "create table kept (n int); insert into kept values (7)")
    held = subprocess.Popen(["psql", "-X", "-d", pg.url, "-c", "select pg_sleep(60)"], env=clean_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_until(lambda: pg.admin_psql("select count(*) from pg_stat_activity "
                                            "where query like 'select pg_sleep%'") == "1", 10)
    pids = [pg.pid(), *children_of(pg.pid())]
    pg.kill()
    assert not pg.is_running()
    assert_left_nothing(pids, [pg.port], [])
    held.wait(timeout=10)
    pg.start()
    assert psql(pg.url, "select n from kept").stdout.strip() == "7"


def test_postgres_create_database_gives_a_fresh_namespace(pg):
    url = pg.create_database("test_ns_1")
    assert url == pg.url_for("test_ns_1")
    assert psql(url, "create table t (n int); select current_database()").stdout.strip() == "test_ns_1"
    pg.drop_database("test_ns_1")
    assert psql(url, "select 1").returncode != 0


def test_postgres_stop_leaves_nothing(tmp_path):
    server = PostgresServer(tmp_path).start()
    pids = [server.pid(), *children_of(server.pid()), server._watchdog.pid]
    port, directory = server.port, server.dir
    server.stop()
    assert_left_nothing(pids, [port], [directory])
    server.stop()   # idempotent


def test_postgres_keep_keeps_the_dir(tmp_path):
    server = PostgresServer(tmp_path, keep=True).start()
    directory = server.dir
    server.stop()
    assert (directory / "data" / "PG_VERSION").exists() and (directory / "postgres.log").exists()


def test_postgres_retries_when_the_port_is_taken(tmp_path, monkeypatch):
    occupied = Occupied(postgres_server.free_port)
    monkeypatch.setattr(postgres_server, "free_port", occupied.free_port)
    with PostgresServer(tmp_path) as server:
        assert server.port != occupied.port and occupied.offered == 2
        assert psql(server.url, "select 1").stdout.strip() == "1"


def test_postgres_long_base_dir_moves_only_the_socket(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    with PostgresServer(deep) as server:
        assert server.socket_dir != server.dir and len(str(server.socket_dir)) < 60
        assert server.admin_psql("select 1") == "1"
        socket_dir = server.socket_dir
    assert not socket_dir.exists()


def test_postgres_start_failure_says_why_with_the_log(tmp_path):
    server = PostgresServer(tmp_path, settings={"shared_buffers": "lots"})
    with pytest.raises(ServerError) as failure:
        with server:
            pass
    assert 'invalid value for parameter "shared_buffers"' in str(failure.value)
    assert not any(tmp_path.iterdir()), "the failed cluster's dir was not removed"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
def test_postgres_runs_as_a_plain_user_too(tmp_path):
    """As non-root nothing changes hands: initdb, pg_ctl and postgres run as the caller itself."""
    base = Path(tempfile.mkdtemp(prefix="plain-user-"))
    os.chown(base, 65534, 65534)    # nobody
    script = ("import sys; sys.path.insert(0, sys.argv[1]); from local_servers import PostgresServer\n"
              "with PostgresServer(sys.argv[2]) as pg: print(pg.admin_psql('select current_user'), pg.url)")
    try:
        result = subprocess.run([sys.executable, "-c", script, str(HERE), str(base)], user=65534, group=65534,
                                extra_groups=[], capture_output=True, text=True, timeout=60, cwd=base)
        assert result.returncode == 0, result.stderr
        superuser, url = result.stdout.split()
        assert superuser == "postgres" and url.startswith("postgresql://ninja:")
        assert not any(base.iterdir())
    finally:
        subprocess.run(["rm", "-rf", str(base)])


# --- NATS ---------------------------------------------------------------------------------------

def test_nats_takes_clients_with_jetstream_on(nats):
    with NatsWire(nats.url) as client:
        assert client.info["jetstream"] is True and client.info["port"] == nats.port
        assert client.ping() == b"PONG"
    jsz = nats.monitor("/jsz")
    assert Path(jsz["config"]["store_dir"]).is_relative_to(nats.store_dir)


def create_stream_with_one_message(url):
    with NatsWire(url) as client:
        created = client.request("$JS.API.STREAM.CREATE.ORDERS",
                                 {"name": "ORDERS", "subjects": ["orders.>"], "storage": "file"})
        assert created.get("error") is None, created
        ack = client.request("orders.created", {"id": 1})
        assert ack == {"stream": "ORDERS", "seq": 1}, ack


@pytest.mark.parametrize("kill", [False, True], ids=["graceful", "sigkill"])
def test_nats_restart_keeps_streams_and_ports(nats, kill):
    create_stream_with_one_message(nats.url)
    ports, pid = (nats.port, nats.monitor_port), nats.pid()
    nats.restart(kill=kill)
    assert (nats.port, nats.monitor_port) == ports and nats.pid() != pid
    with NatsWire(nats.url) as client:
        info = client.request("$JS.API.STREAM.INFO.ORDERS", {})
    assert info["state"]["messages"] == 1, info
    assert nats.monitor("/jsz")["streams"] == 1


def test_nats_kill_then_start_keeps_the_store(nats):
    create_stream_with_one_message(nats.url)
    pid = nats.pid()
    nats.kill()
    assert not nats.is_running() and not is_alive(pid) and port_is_free(nats.port)
    nats.start()
    assert nats.monitor("/jsz")["messages"] == 1


def test_nats_stop_leaves_nothing(tmp_path):
    server = NatsServer(tmp_path).start()
    pids = [server.pid(), server._watchdog.pid]
    ports, directory = [server.port, server.monitor_port], server.dir
    server.stop()
    assert_left_nothing(pids, ports, [directory])


def test_nats_retries_when_the_port_is_taken(tmp_path, monkeypatch):
    occupied = Occupied(nats_server.free_port)
    monkeypatch.setattr(nats_server, "free_port", occupied.free_port)
    with NatsServer(tmp_path) as server:
        assert occupied.port not in (server.port, server.monitor_port)
        with NatsWire(server.url) as client:
            assert client.ping() == b"PONG"


def test_nats_start_failure_says_why_with_the_log(tmp_path):
    with pytest.raises(ServerError) as failure:
        with NatsServer(tmp_path, extra_args=["-c", "/no/such.conf"]):
            pass
    assert "/no/such.conf" in str(failure.value) and "exited with 1" in str(failure.value)
    assert not any(tmp_path.iterdir())
