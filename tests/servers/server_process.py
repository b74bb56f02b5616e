"""What PostgresServer and NatsServer share: free ports, /proc-based process checks, waiting with a
deadline, log tails for error messages, and the watchdog that cleans up when the caller dies.

Only the standard library: the tests run on Debian's /usr/bin/python3 with nothing installed by pip.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"
WATCHDOG = Path(__file__).resolve().with_name("watchdog.py")


class ServerError(RuntimeError):
    """A server could not be found, started or stopped; the message says why (with the log's tail)."""


def free_port(host=LOOPBACK, avoid=()):
    """A port nobody listens on right now. Another process may take it before the server binds it, so
    callers retry with a new port when the server reports "address already in use"."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
        if port not in avoid:
            return port


def port_is_free(port, host=LOOPBACK):
    """True when nothing listens on host:port (a connect is refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex((host, port)) != 0


def log_tail(path, lines=30):
    """The last lines of a server's log, for error messages; never raises."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as error:
        return f"(no log: {error})"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


def clean_env(extra=None):
    """The caller's environment without libpq's PG* variables: a PGHOST, PGSERVICE or PGPASSWORD of the
    developer's must not redirect the tools we run at our own server."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update(extra or {})
    return env


def proc_stat(pid):
    """(comm, state, ppid, pgrp) of a process from /proc, or None when it does not exist."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    # comm is in parentheses and may itself contain spaces or parentheses: split at the last ')'.
    comm = raw[raw.index("(") + 1:raw.rindex(")")]
    state, ppid, pgrp = raw[raw.rindex(")") + 2:].split()[:3]
    return comm, state, int(ppid), int(pgrp)


def is_alive(pid, comm=None):
    """True while pid runs (a zombie does not count: here PID 1 reaps orphans only now and then)."""
    stat = proc_stat(pid) if pid else None
    if stat is None or stat[1] in ("Z", "X"):
        return False
    return comm is None or stat[0] == comm


def children_of(pid):
    """Pids whose parent is pid (PostgreSQL backends put themselves in their own process groups, so a
    process-group kill would miss them)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(int(entry))
            if stat and stat[2] == pid and stat[1] not in ("Z", "X"):
                found.append(int(entry))
    return found


def wait_until(condition, timeout, interval=0.02):
    """Polls condition() until it is truthy (returns its value) or timeout seconds pass (returns None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value or None
        time.sleep(interval)


def kill_all(pids, timeout=10.0):
    """SIGKILLs pids and waits until none of them runs any more."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if not wait_until(lambda: not any(is_alive(pid) for pid in pids), timeout):
        raise ServerError(f"processes {pids} survived SIGKILL for {timeout}s")


class Watchdog:
    """A small separate process (watchdog.py) that stops a server and removes its directories when the
    process that started it dies without stopping it: SIGKILL, a crash, an exception past atexit.

    It learns of that death from the end of the pipe on its stdin: the write end lives only here (Python
    makes pipe ends non-inheritable, so servers and commands we start do not hold it open). release()
    tells it that the server was stopped properly. It runs in its own session, so a Ctrl-C or a kill of
    the caller's process group does not take it down before it has done its job."""

    def __init__(self, pidfile, comm, stop_signal, remove=()):
        order = {"pidfile": str(pidfile), "comm": comm, "signal": int(stop_signal),
                 "remove": [str(path) for path in remove]}
        self._process = subprocess.Popen([sys.executable, str(WATCHDOG), json.dumps(order)],
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)

    @property
    def pid(self):
        return self._process.pid

    def release(self):
        """The server is stopped and cleaned: the watchdog exits without doing anything."""
        if self._process.poll() is None:
            try:
                self._process.stdin.write(b"release\n")
                self._process.stdin.close()
            except BrokenPipeError:
                pass
            self._process.wait(timeout=10)
