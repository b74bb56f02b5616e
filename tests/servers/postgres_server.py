"""A real PostgreSQL server for tests: its own cluster in a temp dir, on a free loopback port.

    with PostgresServer(tmp_path) as pg:
        subprocess.run(["psql", pg.url, "-c", "select 1"], check=True)

The cluster is made by initdb and run by pg_ctl. Clients log in over TCP as role `ninja` (password in
the URL, scram-sha-256); the test setup itself is superuser `postgres` through the unix socket in the
temp dir (trust: only the owner of that 0700 directory, or root, can reach it). Durability stays on
(fsync, synchronous_commit): the project tests that a commit survives `restart("immediate")`.
"""
import atexit
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from server_process import (LOOPBACK, ServerError, Watchdog, children_of, clean_env, free_port, is_alive,
                            kill_all, log_tail)

APP_ROLE = "ninja"
SUPERUSER = "postgres"
PORT_ATTEMPTS = 5
# A unix socket path must fit sockaddr_un.sun_path (108 bytes with the NUL); pytest's tmp paths can be
# long, so a socket dir that would not fit moves to a short dir of its own under /tmp.
MAX_SOCKET_DIR = 107 - len("/.s.PGSQL.65535")
DEFAULT_SETTINGS = {
    "max_connections": 300,
    "shared_buffers": "32MB",      # light: many test clusters may run at once on a small machine
    "fsync": "on",                 # durability is what the store's tests check: never turn it off
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "logging_collector": "off",    # stderr goes to postgres.log (pg_ctl -l), read for error messages
    "log_line_prefix": "%m [%p] %q%u@%d ",
}


def find_bindir():
    """The directory with initdb, pg_ctl and postgres: $NINJA_PG_BINDIR, else what pg_config reports,
    else the newest /usr/lib/postgresql/N/bin (Debian keeps server binaries off the PATH)."""
    candidates = [os.environ.get("NINJA_PG_BINDIR")]
    if shutil.which("pg_config"):
        result = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(result.stdout.strip() if result.returncode == 0 else None)
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda path: int(re.sub(r"\D", "", path) or 0), reverse=True)
    for candidate in filter(None, candidates):
        if all(os.access(Path(candidate, tool), os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(candidate)
    raise ServerError("PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian "
                      "package postgresql (make deps) or set NINJA_PG_BINDIR")


class ServerUser:
    """Who runs the PostgreSQL binaries. PostgreSQL refuses to run as root, so root hands them to the
    `postgres` account (subprocess's user=/group=, no su or PAM involved) and gives that account the
    server dir and a way through its parents. Any other user runs them as itself and nothing changes
    hands: the dirs are already its own."""

    def __init__(self):
        self.account = None
        if os.geteuid() == 0:
            try:
                self.account = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise ServerError(f"running as root, but there is no `{SUPERUSER}` account to run "
                                  "PostgreSQL as: install the Debian package postgresql") from None

    def popen_args(self):
        if self.account is None:
            return {}
        return {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}

    def take(self, path):
        """Makes path the server's and lets the server account reach it through its parents."""
        if self.account is None:
            return
        os.chown(path, self.account.pw_uid, self.account.pw_gid)
        # mkdtemp dirs and pytest's /tmp/pytest-of-root are 0700 root: add search (x, not read) for
        # others on each parent the account could not otherwise pass.
        for parent in Path(path).resolve().parents:
            mode = parent.stat().st_mode
            if parent.stat().st_uid != self.account.pw_uid and not mode & stat.S_IXOTH:
                os.chmod(parent, stat.S_IMODE(mode) | stat.S_IXOTH)


def conf_value(value):
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def quote_ident(name):
    return '"' + name.replace('"', '""') + '"'


class PostgresServer:
    """One PostgreSQL cluster. start() makes and starts it, stop() stops it and removes its dir (unless
    keep=True), kill()/restart() are the faults tests inject. `settings` overrides postgresql.conf
    entries (e.g. {"shared_buffers": "256MB"} for a benchmark)."""

    def __init__(self, base_dir=None, *, keep=False, settings=None, start_timeout=30.0, bindir=None):
        self.base_dir = Path(base_dir) if base_dir else Path(tempfile.gettempdir())
        self.keep = keep
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        self.start_timeout = start_timeout
        self.bindir = Path(bindir) if bindir else find_bindir()
        self.password = secrets.token_urlsafe(18)   # URL-safe: no escaping needed in the URI
        self.host = LOOPBACK
        self.port = None
        self.dir = None
        self.socket_dir = None
        self.version = None
        self._user = ServerUser()
        self._watchdog = None
        self._port_pinned = False   # after the first start, restarts must keep the port

    # --- addresses -------------------------------------------------------------------------------
    @property
    def data_dir(self):
        return self.dir / "data"

    @property
    def log_path(self):
        return self.dir / "postgres.log"

    def url_for(self, database, password=True):
        secret = f":{self.password}" if password else ""
        return f"postgresql://{APP_ROLE}{secret}@{self.host}:{self.port}/{database}"

    @property
    def url(self):
        return self.url_for(APP_ROLE)

    @property
    def url_without_password(self):
        return self.url_for(APP_ROLE, password=False)

    @property
    def admin_url(self):
        """Superuser through the unix socket (trust): for test setup, never for the code under test."""
        socket_dir = quote(str(self.socket_dir), safe="")
        return f"postgresql://{SUPERUSER}@/postgres?host={socket_dir}&port={self.port}"

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self):
        """Makes the cluster on first use, starts it and waits until it accepts connections."""
        if self.is_running():
            return self
        if self.dir is None:
            self._create_cluster()
        for _ in range(PORT_ATTEMPTS):
            if not self._port_pinned:
                self._write_settings(free_port())
            result = self._pg_ctl("start", "-l", str(self.log_path), "-t", str(int(self.start_timeout)))
            if result.returncode == 0:
                break
            if self._port_pinned or "already in use" not in log_tail(self.log_path, 5):
                raise self._error(f"pg_ctl start failed: {result.stdout}{result.stderr}")
        else:
            raise self._error(f"no free port after {PORT_ATTEMPTS} attempts")
        self._wait_ready()
        self._port_pinned = True
        if self.version is None:   # the first start of this cluster
            self._create_app_role()
        return self

    def stop(self):
        """Stops the server (fast shutdown: clients are disconnected) and removes its dirs unless keep."""
        if self.dir is None:
            return
        if self.is_running():
            result = self._pg_ctl("stop", "-m", "fast", "-t", "30")
            if result.returncode != 0:
                self.kill()
        self._forget(remove=not self.keep)

    def restart(self, mode="immediate"):
        """pg_ctl restart -m MODE on the same port. "immediate" is a crash without a checkpoint: the
        restarted server replays its WAL, so only what was committed (and fsynced) is there."""
        # -l again: without it the new postmaster would write to pg_ctl's stdout, our pipe, forever.
        result = self._pg_ctl("restart", "-m", mode, "-l", str(self.log_path),
                              "-t", str(int(self.start_timeout)))
        if result.returncode != 0:
            raise self._error(f"pg_ctl restart failed: {result.stdout}{result.stderr}")
        self._wait_ready()
        return self

    def kill(self):
        """SIGKILL to the postmaster and every backend at once, like a machine crash of the process
        tree. The dir stays: start() recovers the same cluster, stop() cleans up."""
        pid = self.pid()
        if pid is None:
            return
        kill_all([pid, *children_of(pid)])
        # The lock files name a pid that is dead but, until PID 1 reaps it, a zombie, which a new
        # postmaster takes for a running one ("lock file already exists"). Nothing of the old server
        # runs any more (kill_all waited), so they are stale: remove them, as a reboot would.
        for lock in (self.data_dir / "postmaster.pid", self.socket_dir / f".s.PGSQL.{self.port}.lock"):
            lock.unlink(missing_ok=True)

    def pid(self):
        """The running postmaster's pid, or None."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError, TypeError):
            return None
        return pid if is_alive(pid, "postgres") else None

    def is_running(self):
        return self.dir is not None and self.pid() is not None

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc):
        self.stop()

    # --- SQL as superuser ------------------------------------------------------------------------
    def admin_psql(self, sql, database="postgres"):
        """Runs sql (on stdin: never in argv, where ps would show a password) as superuser through the
        socket; returns psql's unaligned, tuples-only output. Raises ServerError on any SQL error."""
        argv = [str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                "-h", str(self.socket_dir), "-p", str(self.port), "-U", SUPERUSER, "-d", database]
        result = subprocess.run(argv, input=sql, capture_output=True, text=True, env=clean_env(), timeout=60)
        if result.returncode != 0:
            raise ServerError(f"psql as {SUPERUSER} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self, name, owner=APP_ROLE):
        """A fresh database (one per test namespace) owned by the app role; returns its URL."""
        self.admin_psql(f"CREATE DATABASE {quote_ident(name)} OWNER {quote_ident(owner)}")
        return self.url_for(name)

    def drop_database(self, name):
        self.admin_psql(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")

    # --- internals -------------------------------------------------------------------------------
    def _create_cluster(self):
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix="postgres-", dir=self.base_dir))
        self.socket_dir = self.dir
        if len(str(self.dir)) > MAX_SOCKET_DIR:
            self.socket_dir = Path(tempfile.mkdtemp(prefix="ninja-pg-"))
            self._user.take(self.socket_dir)
        self._user.take(self.dir)
        self._watchdog = Watchdog(self.data_dir / "postmaster.pid", "postgres", signal.SIGQUIT,
                                  remove=[] if self.keep else {self.dir, self.socket_dir})
        atexit.register(self.stop)
        # -U postgres: the superuser has the same name whoever runs initdb (root's postgres or a
        # developer's own account), so admin_psql needs no guessing.
        self._run([self.bindir / "initdb", "-D", self.data_dir, "-U", SUPERUSER, "-E", "UTF8",
                   "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256"], "initdb")
        (self.data_dir / "pg_hba.conf").write_text(
            f"local all {SUPERUSER} trust\n"
            "local all all scram-sha-256\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
            "host all all ::1/128 scram-sha-256\n")
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write("\ninclude = 'ninja_test.conf'\n")

    def _write_settings(self, port):
        self.port = port
        lines = {"listen_addresses": LOOPBACK, "port": port, "unix_socket_directories": str(self.socket_dir),
                 **self.settings}
        path = self.data_dir / "ninja_test.conf"
        path.write_text("".join(f"{key} = {conf_value(value)}\n" for key, value in lines.items()))
        self._user.take(path)

    def _create_app_role(self):
        # If this failed, the server would log the statement, password included: not in this session.
        self.admin_psql("SET log_min_error_statement = panic;\n"
                        f"CREATE ROLE {APP_ROLE} LOGIN CREATEDB PASSWORD '{self.password}';\n"
                        f"CREATE DATABASE {APP_ROLE} OWNER {APP_ROLE};")
        self.version = self.admin_psql("SHOW server_version")

    def _wait_ready(self):
        """pg_ctl -w returned, so the postmaster says it is ready; confirm over TCP, as clients connect."""
        deadline = time.monotonic() + self.start_timeout
        while True:
            ready = subprocess.run([str(self.bindir / "pg_isready"), "-q", "-h", self.host,
                                    "-p", str(self.port), "-d", "postgres", "-U", SUPERUSER], env=clean_env())
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline or not self.is_running():
                raise self._error("server does not accept TCP connections")
            time.sleep(0.05)

    def _pg_ctl(self, action, *args):
        return self._run([self.bindir / "pg_ctl", action, "-D", self.data_dir, "-w", "-s", *args],
                         check=False)

    def _run(self, argv, what=None, check=True):
        # cwd is the server dir: the server account may not be able to enter the caller's cwd (/root).
        result = subprocess.run([str(arg) for arg in argv], cwd=self.dir, capture_output=True, text=True,
                                env=clean_env({"LC_ALL": "C"}), **self._user.popen_args())
        if check and result.returncode != 0:
            raise self._error(f"{what} failed: {result.stdout}{result.stderr}")
        return result

    def _error(self, what):
        return ServerError(f"PostgreSQL in {self.dir} (port {self.port}): {what.strip()}\n"
                           f"--- last lines of {self.log_path}:\n{log_tail(self.log_path)}")

    def _forget(self, remove):
        atexit.unregister(self.stop)
        if self._watchdog:
            self._watchdog.release()
            self._watchdog = None
        if remove:
            for path in {self.dir, self.socket_dir}:
                shutil.rmtree(path, ignore_errors=True)
        self.dir = None
        self.version = None
        self._port_pinned = False   # a later start() makes a new cluster on a new port
