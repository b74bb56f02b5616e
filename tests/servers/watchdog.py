"""Stops a test server and removes its directories once the process that started it is gone.

Started by server_process.Watchdog as `python3 watchdog.py ORDER_JSON`, with ORDER_JSON
{"pidfile": PATH, "comm": NAME, "signal": N, "remove": [DIR, ...]}. It blocks reading stdin: the
starting process holds the only write end, so end-of-file means that process ended. If it had written
"release" first, the server was stopped properly and there is nothing to do. Otherwise the server's
current pid is read from its pid file at that moment (a restart changes it), checked against the
expected command name (a stale pid file may name a reused pid), sent the stop signal, then SIGKILL with
its children if it has not exited within a few seconds, and the directories are removed.
"""
import json
import os
import shutil
import signal
import sys
import time

from server_process import children_of, is_alive, kill_all

GRACE_SECONDS = 5.0


def server_pid(order):
    try:
        with open(order["pidfile"]) as pidfile:
            pid = int(pidfile.readline().strip())
    except (OSError, ValueError):
        return None
    return pid if is_alive(pid, order["comm"]) else None


def stop(order):
    pid = server_pid(order)
    if pid is None:
        return
    children = children_of(pid)
    os.kill(pid, order["signal"])
    deadline = time.monotonic() + GRACE_SECONDS
    while is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    kill_all([p for p in [pid, *children] if is_alive(p)])


def main():
    order = json.loads(sys.argv[1])
    # Our own session already shields us from the caller's Ctrl-C; a hang-up must not stop us either.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if b"release" in sys.stdin.buffer.read():
        return
    try:
        stop(order)
    finally:
        for path in order["remove"]:
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
