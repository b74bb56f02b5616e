"""The spawner of a Lambda runtime under test: Lambda's environment and nothing else, an empty working
directory, captured stdout/stderr, and what Init costs: the time from Popen to the first `next` and the
peak resident set. Standard library only (Debian's /usr/bin/python3). Used by runtime_api.RuntimeEmulator.
"""
import os
import signal
import subprocess
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path


class EmulatorError(RuntimeError):
    """The test's setup is wrong (no runtime picked the event up, spawn while one runs…); says why."""


def lambda_environment(api, handler, function_name="ninja-orders", memory_mb=256, region="us-east-1",
                       task_root="/var/task", runtime_dir="/var/runtime", ld_library_path=None):
    """Exactly the variables a custom runtime finds on Lambda (PLAN.md §1.3), nothing of ours.
    LD_LIBRARY_PATH is Lambda's default (system directories first) unless the caller gives another."""
    if ld_library_path is None:
        ld_library_path = ":".join(["/lib64", "/usr/lib64", runtime_dir, f"{runtime_dir}/lib", task_root,
                                    f"{task_root}/lib", "/opt/lib"])
    today = datetime.now(timezone.utc).strftime("%Y/%m/%d")
    return {
        "AWS_LAMBDA_RUNTIME_API": api, "_HANDLER": handler,
        "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function_name, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": f"{today}/[$LATEST]{uuid.uuid4().hex}",
        "LAMBDA_TASK_ROOT": task_root, "LAMBDA_RUNTIME_DIR": runtime_dir,
        "TZ": ":UTC", "LANG": "en_US.UTF-8", "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        "LD_LIBRARY_PATH": ld_library_path,
    }


def _vm_hwm_kb(pid):
    """The peak resident set of pid's current program (reset by exec), or None once it has exited."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


class RuntimeProcess:
    """One spawned runtime: its logs, its start and first-`next` times, its peak RSS, its exit.

    Only its own reaper thread waits for it (os.waitid without reaping, then wait4 under the lock that
    kill() takes), so a kill can never hit a reused pid. It leads its own session: the kill takes the
    whole process group, and a Ctrl-C meant for pytest does not reach it first."""

    def __init__(self, cmd, env, workdir):
        self.cmd, self.env, self.dir = [str(part) for part in cmd], env, Path(workdir)
        self.cwd = self.dir / "cwd"
        self.cwd.mkdir(parents=True)
        self.stdout_path, self.stderr_path = self.dir / "stdout.log", self.dir / "stderr.log"
        self.pid = self.returncode = None
        self.spawned_ns = self.first_next_ns = None
        self.init_rss_kb = None   # VmHWM at the first `next`: the cost of Init
        self.peak_rss_kb = None   # VmHWM at the latest `next` (or just before a kill): the steady peak
        self.ru_maxrss_kb = None  # from wait4; Linux folds the spawning Python's RSS into it (see README)
        self._lock = threading.Lock()
        self._exited = threading.Event()

    def start(self, on_exit):
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.spawned_ns = time.monotonic_ns()
            self._popen = subprocess.Popen(self.cmd, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                           stdout=out, stderr=err, start_new_session=True)
        self.pid = self._popen.pid
        threading.Thread(target=self._reap, args=(on_exit,), name=f"reap-{self.pid}", daemon=True).start()

    def _reap(self, on_exit):
        os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
        with self._lock:
            _, status, usage = os.wait4(self.pid, 0)
            self.returncode = self._popen.returncode = os.waitstatus_to_exitcode(status)
            self.ru_maxrss_kb = usage.ru_maxrss
        on_exit(self)
        self._exited.set()

    @property
    def alive(self):
        return self.returncode is None

    @property
    def cold_start_ns(self):
        """Popen to the first `next`: Init as Lambda bills it."""
        return None if self.first_next_ns is None else self.first_next_ns - self.spawned_ns

    def note_next(self, now_ns):
        """Called on each `next`: the runtime is blocked in it, so its peak so far is its peak."""
        rss = _vm_hwm_kb(self.pid)
        if self.first_next_ns is None:
            self.first_next_ns, self.init_rss_kb = now_ns, rss
        if rss is not None:
            self.peak_rss_kb = max(rss, self.peak_rss_kb or 0)

    def kill(self):
        """SIGKILLs the process group (a no-op once exited); wait_exit() to see it gone."""
        with self._lock:
            if self.returncode is None:
                rss = _vm_hwm_kb(self.pid)
                self.peak_rss_kb = max(rss or 0, self.peak_rss_kb or 0) or None
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def wait_exit(self, timeout=10.0):
        if not self._exited.wait(timeout):
            raise EmulatorError(f"runtime {self.pid} still runs after {timeout}s\n{self.logs()}")
        return self.returncode

    def logs(self, lines=40):
        """The tails of stdout and stderr, for failure messages."""
        def tail(path):
            text = path.read_text(errors="replace") if path.exists() else ""
            return "\n".join(text.splitlines()[-lines:]) or "(empty)"
        return (f"--- {' '.join(self.cmd)} (pid {self.pid}, exit {self.returncode})\n"
                f"--- stdout:\n{tail(self.stdout_path)}\n--- stderr:\n{tail(self.stderr_path)}")


