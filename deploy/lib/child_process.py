"""One process of the local cluster: started in its own session with its output in a log file, stopped
with SIGTERM and, after a grace period, SIGKILL.

Its own session: a Ctrl-C at the terminal reaches only local-cluster, which then stops the processes in
reverse order of their start instead of all at once. PR_SET_PDEATHSIG: if local-cluster itself is
killed (SIGKILL, a crash), the kernel sends every such child SIGTERM, so none is left behind.
"""
import ctypes
import os
import signal
import subprocess
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


class StartError(RuntimeError):
    """A component did not start; the message names it and shows the tail of its log."""


def log_tail(path, lines=25):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as error:
        return f"(no log: {error})"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


def _die_with_parent():
    # Runs in the child between fork and exec.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ChildProcess:
    stop_signal = signal.SIGTERM   # what asks this kind of process to finish its work and exit

    def __init__(self, name, argv, log_path, env=None, cwd=None):
        self.name = name
        self.argv = [str(arg) for arg in argv]
        self.log_path = Path(log_path)
        self.env = env
        self.cwd = cwd
        self.process = None
        self.killed = False

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                            env=self.env, cwd=self.cwd, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        return self

    def running(self):
        return self.process is not None and self.process.poll() is None

    def returncode(self):
        return self.process.poll() if self.process else None

    def log_tail(self, lines=25):
        return log_tail(self.log_path, lines)

    def fail(self, what):
        """The StartError for this process: what went wrong and the last lines of its log."""
        return StartError(f"{self.name}: {what}\n--- last lines of {self.log_path}:\n{self.log_tail()}")

    def check_alive(self):
        if self.process is not None and self.process.poll() is not None:
            raise self.fail(f"exited with {describe_exit(self.process.returncode)} while starting")

    def send(self, sig):
        if self.running():
            try:
                self.process.send_signal(sig)
            except ProcessLookupError:
                pass


def describe_exit(code):
    return f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"code {code}"


def stop_together(processes, grace, hurry=lambda: False):
    """The stop signal to every running process at once, then SIGKILL to those still running after `grace`
    seconds (or as soon as hurry() is true: a second Ctrl-C). Returns {name: exit code} of the processes
    it stopped (None: had to be killed); one that had ended before is not its business."""
    running = [p for p in processes if p.running()]
    for proc in running:
        proc.send(proc.stop_signal)
    deadline = time.monotonic() + grace
    while any(p.running() for p in running) and time.monotonic() < deadline and not hurry():
        time.sleep(0.02)
    for proc in running:
        if proc.running():
            proc.killed = True
            proc.process.kill()
        proc.process.wait()
    return {p.name: (None if p.killed else p.process.returncode) for p in running}


def wait_until(components, is_ready, timeout, interrupted=lambda: False):
    """Polls is_ready(component) for each component until all are ready; a component that exits, or
    the timeout, raises StartError. Returns early (False) when interrupted() becomes true."""
    pending = list(components)
    deadline = time.monotonic() + timeout
    while pending:
        if interrupted():
            return False
        for comp in list(pending):
            comp.check_alive()
            if is_ready(comp):
                pending.remove(comp)
        if pending and time.monotonic() > deadline:
            raise pending[0].fail(f"not ready within {timeout:g} s")
        time.sleep(0.02)
    return True


def env_without(prefix, extra=None):
    """The environment minus variables starting with prefix (e.g. a developer's PG* settings, which
    would point libpq at another server), plus extra."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(prefix)}
    env.update(extra or {})
    return env
