"""A Lambda Runtime API (2018-06-01) emulator for tests. Lambda's own (RIE) is Go in Docker images, so none
can be had here; this one follows the public reference and deploy/aws/PLAN.md §1, in the standard library.

    with RuntimeEmulator() as emu:
        emu.spawn(["build/ninja-orders", "lambda", "--handler", "api"], {"NINJA_ORDERS_STORE": url})
        result = emu.invoke({"path": "/health"}, timeout_s=3)   # Result.kind: response|error|timeout|exit

Invocations are strictly sequential: invoke() may be called from several threads, events wait in a FIFO
queue and `next` hands out one only when none is open. A reply after the deadline, or without the echo of
a Lambda-Runtime-Invocation-Id that was sent, gets 410; at the deadline the invocation ends as
Sandbox.Timeout and the runtime's process group is SIGKILLed (Lambda's reset), unless kill_on_timeout=False
(Lambda since 2026-07 may let a timed-out runtime run on; its late reply then gets the 410).
"""
import json
import shutil
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from runtime_api_http import (ECHO_HEADER, ERROR_TYPE_HEADER, MAX_PAYLOAD,  # noqa: F401
                              VALID_ERROR_TYPE, RuntimeApiHandler, RuntimeApiServer)
from runtime_process import EmulatorError, RuntimeProcess, lambda_environment  # noqa: F401 (re-exported)




@dataclass
class Result:
    """How one invocation ended, as Lambda would report it to the caller."""
    kind: str                     # 'response' | 'error' | 'timeout' | 'exit'
    request_id: str
    body: bytes = b""             # the response payload, or the raw body of an error
    error_type: str = None        # Function.X / Runtime.X as sent (or Runtime.Unknown), Sandbox.Timeout, Runtime.ExitError
    error: dict = None            # the error body as JSON (errorMessage, errorType, stackTrace), when it parses
    headers: object = None        # the headers of the runtime's reply (case-insensitive .get)
    invocation_id: str = None     # the nonce sent on `next`, if any
    deadline_ms: int = None
    exit_status: int = None       # for 'exit': the process's exit code, -N for signal N

    def json(self):
        return json.loads(self.body)


@dataclass
class Call:
    """One request the runtime made, with the status it got: what tests of the protocol assert on."""
    method: str
    path: str
    status: int
    error_type: str = None        # the errorType of a 4xx answer
    headers: object = None


@dataclass
class _Invocation:
    event: bytes
    timeout_s: float
    send_invocation_id: bool
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invocation_id: str = None
    deadline_ms: int = None
    deadline_mono: float = None   # set when `next` delivers it
    result: Result = None


def _parse_json(body):
    try:
        return json.loads(body)
    except ValueError:
        return None


class RuntimeEmulator:
    """The Runtime API on 127.0.0.1:<free port>, one runtime process at a time, invocations in order."""

    def __init__(self, workdir=None, function_name="ninja-orders", region="us-east-1", memory_mb=256,
                 default_timeout_s=3.0, init_timeout_s=10.0, send_invocation_id=False, kill_on_timeout=True):
        self._own_dir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="lambda-emu-"))
        self.function_name, self.region, self.memory_mb = function_name, region, memory_mb
        self.arn = f"arn:aws:lambda:{region}:123456789012:function:{function_name}"
        self.default_timeout_s, self.init_timeout_s = default_timeout_s, init_timeout_s
        self.send_invocation_id, self.kill_on_timeout = send_invocation_id, kill_on_timeout
        self.calls = []           # every Call, in arrival order
        self.init_error = None    # a Result(kind='error') once the runtime posted /init/error
        self.process = None       # the latest RuntimeProcess
        self._spawned = 0
        self._last_spawn = None
        self._cond = threading.Condition()
        self._queue = deque()
        self._open = None         # the invocation handed out by `next` and not yet ended
        self._by_id = {}          # every delivered invocation, to tell 403 and 410 from 400
        self._polling = {}        # process -> its `next` requests waiting for an event
        self._closed = False
        self._server = RuntimeApiServer(("127.0.0.1", 0), RuntimeApiHandler)
        self._server.emulator = self
        self.address = "127.0.0.1:%d" % self._server.server_address[1]
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._serving = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="runtime-api",
                                         daemon=True)
        self._serving.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- the runtime process -------------------------------------------------------------------------
    def spawn(self, cmd, env_extra=None, handler="api", task_root=None, ld_library_path=None):
        """Starts cmd (a packaged bootstrap or the binary with its arguments) with Lambda's environment
        plus env_extra, in an empty temp dir. LAMBDA_TASK_ROOT defaults to the directory of cmd[0]."""
        with self._cond:
            if self._closed:
                raise EmulatorError("the emulator is closed")
            if self.process is not None and self.process.alive:
                raise EmulatorError(f"runtime {self.process.pid} still runs: one at a time")
            self._spawned += 1
            task_root = str(task_root or Path(cmd[0]).resolve().parent)
            env = lambda_environment(self.address, handler, self.function_name, self.memory_mb, self.region,
                                     task_root, ld_library_path=ld_library_path)
            env.update(env_extra or {})
            process = RuntimeProcess(cmd, env, self.workdir / f"runtime-{self._spawned}")
            process.start(self._on_exit)  # its exit is handled under this lock: not before the next line
            self.process, self.init_error = process, None
            self._last_spawn = (cmd, env_extra, handler, task_root, ld_library_path)
        return process

    def respawn(self):
        """The same spawn again: what Lambda does after a timeout or a crash reset the environment."""
        if self._last_spawn is None:
            raise EmulatorError("nothing was spawned yet")
        return self.spawn(*self._last_spawn)

    def wait_exit(self, timeout=10.0):
        return self.process.wait_exit(timeout)

    @property
    def cold_start_ns(self):
        return self.process and self.process.cold_start_ns

    @property
    def init_rss_kb(self):
        return self.process and self.process.init_rss_kb

    @property
    def peak_rss_kb(self):
        return self.process and self.process.peak_rss_kb

    def wait_idle(self, timeout=5.0):
        """Waits until a runtime is blocked in `next` with no invocation open (it has finished the last
        one and asks for more); False on timeout."""
        with self._cond:
            # Only the current runtime's `next` counts: a killed one's may still be parked here.
            return self._cond.wait_for(
                lambda: self.process is not None and self.process.alive and self._polling.get(self.process, 0) > 0
                and self._open is None, timeout)

    def logs(self):
        return self.process.logs() if self.process else "(no runtime was spawned)"

    def _on_exit(self, process):
        with self._cond:
            if process is self.process:
                ended = ([self._open] if self._open else []) + list(self._queue)
                self._queue.clear()
                for invocation in ended:
                    self._end(invocation, _exit_result(invocation.request_id, process.returncode))
            self._cond.notify_all()

    # --- invocations ---------------------------------------------------------------------------------
    def invoke(self, event, timeout_s=None, send_invocation_id=None):
        """Queues event (bytes, str, or anything JSON), waits for the runtime to take it and to end it,
        and returns the Result. Raises EmulatorError when no `next` takes it within init_timeout_s."""
        if not isinstance(event, (bytes, str)):
            event = json.dumps(event)
        invocation = _Invocation(event.encode() if isinstance(event, str) else event,
                                 self.default_timeout_s if timeout_s is None else timeout_s,
                                 self.send_invocation_id if send_invocation_id is None else send_invocation_id)
        with self._cond:
            if self.process is not None and not self.process.alive:
                return _exit_result(invocation.request_id, self.process.returncode)
            self._queue.append(invocation)
            self._cond.notify_all()
            taken_by = time.monotonic() + self.init_timeout_s
            while invocation.result is None:
                if self._closed:
                    raise EmulatorError("the emulator was closed during the invocation")
                now = time.monotonic()
                if invocation.deadline_mono is None:      # still queued
                    if now >= taken_by:
                        self._queue.remove(invocation)
                        raise EmulatorError(f"no `next` took the event within {self.init_timeout_s}s\n"
                                            f"{self.logs()}")
                    self._cond.wait(taken_by - now)
                elif now >= invocation.deadline_mono:
                    self._time_out(invocation)
                else:
                    self._cond.wait(invocation.deadline_mono - now)
            return invocation.result

    def _end(self, invocation, result):
        result.invocation_id, result.deadline_ms = invocation.invocation_id, invocation.deadline_ms
        invocation.result = result
        if self._open is invocation:
            self._open = None
        self._cond.notify_all()

    def _time_out(self, invocation):
        """Under the lock: ends an open invocation whose deadline passed, and resets the runtime."""
        self._end(invocation, Result("timeout", invocation.request_id, error_type="Sandbox.Timeout",
                                     error={"errorType": "Sandbox.Timeout",
                                            "errorMessage": f"Task timed out after {invocation.timeout_s:.2f} seconds"}))
        if self.kill_on_timeout and self.process is not None:
            self.process.kill()

    def _next(self, now_ns):
        """Blocks until an event is queued: (invocation, None), or (None, (status, error_type, message))."""
        with self._cond:
            caller = self.process
            if caller is not None and caller.alive:
                caller.note_next(now_ns)
            if self._open is not None or self.init_error is not None:
                return None, (403, "InvalidStateTransition", "`next` while an invocation is open or after init/error")
            self._polling[caller] = self._polling.get(caller, 0) + 1
            self._cond.notify_all()
            # A `next` of a runtime that died (or was replaced) while it waited leaves at once.
            while (not self._queue and not self._closed and caller is self.process
                   and (caller is None or caller.alive)):
                self._cond.wait()
            self._polling[caller] -= 1
            if self._closed:
                return None, (503, "EmulatorClosed", "the emulator is shutting down")
            if caller is not self.process or (caller is not None and not caller.alive):
                # The `next` of a runtime that died while it waited: the event is for its successor.
                return None, (503, "RuntimeGone", "the runtime that asked has exited")
            invocation = self._queue.popleft()
            invocation.deadline_mono = time.monotonic() + invocation.timeout_s
            invocation.deadline_ms = int(time.time() * 1000 + invocation.timeout_s * 1000)
            if invocation.send_invocation_id:
                invocation.invocation_id = str(uuid.uuid4())
            self._open = invocation
            self._by_id[invocation.request_id] = invocation
            self._cond.notify_all()  # its invoke() now waits for the deadline, no longer for the pickup
            return invocation, None

    def _undeliver(self, invocation):
        """The 200 of `next` could not be written (the runtime's socket died): queue the event again."""
        with self._cond:
            if self._open is invocation:
                self._open, invocation.deadline_mono, invocation.deadline_ms = None, None, None
                invocation.invocation_id = None
                del self._by_id[invocation.request_id]
                self._queue.appendleft(invocation)
                self._cond.notify_all()

    def _reply(self, request_id, kind, body, headers):
        """A /response or /error of the runtime: (status, error_type, message) of the answer."""
        with self._cond:
            invocation = self._by_id.get(request_id)
            if invocation is None or invocation.deadline_mono is None:
                return 400, "InvalidRequestID", f"{request_id} is not the current invocation"
            if invocation is self._open and time.monotonic() >= invocation.deadline_mono:
                self._time_out(invocation)
            if invocation.result is not None and invocation.result.kind == "timeout":
                return 410, "InvokeTimeout", f"{request_id} timed out"
            if invocation is not self._open:
                return 403, "InvalidStateTransition", f"{request_id} was already answered"
            if invocation.invocation_id is not None and headers.get(ECHO_HEADER) != invocation.invocation_id:
                return 410, "InvalidInvocationId", f"the {ECHO_HEADER} header does not echo the one sent"
            if body is None:
                self._end(invocation, Result("error", request_id, error_type="Function.ResponseSizeTooLarge",
                                             headers=headers))
                return 413, "RequestEntityTooLarge", f"a payload may not exceed {MAX_PAYLOAD} bytes"
            if kind == "response":
                self._end(invocation, Result("response", request_id, body=body, headers=headers))
            else:
                self._end(invocation, _error_result(request_id, body, headers))
            return 202, None, None

    def _init_error(self, body, headers):
        with self._cond:
            if self.process is not None and self.process.first_next_ns is not None:
                return 403, "InvalidStateTransition", "init/error after the first `next`"
            self.init_error = _error_result(None, body, headers)
            self._cond.notify_all()
            return 202, None, None

    def _record_request(self, method, path, status, error_type, headers):
        with self._cond:
            self.calls.append(Call(method, path, status, error_type, headers))

    def close(self):
        """Kills the runtime, wakes every waiting `next` and invoke(), stops the server, removes the temp
        dir it made itself (a workdir the caller gave is left for the caller)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self.process is not None:
            self.process.kill()
            self.process.wait_exit()
        self._server.shutdown()
        self._server.server_close()
        self._serving.join(10)
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _exit_result(request_id, returncode):
    status = f"exit status {returncode}" if returncode >= 0 else f"signal {-returncode}"
    return Result("exit", request_id, error_type="Runtime.ExitError", exit_status=returncode,
                  error={"errorType": "Runtime.ExitError", "errorMessage": f"Runtime exited with error: {status}"})


def _error_result(request_id, body, headers):
    error_type = headers.get(ERROR_TYPE_HEADER) or ""
    if not VALID_ERROR_TYPE.fullmatch(error_type):
        error_type = "Runtime.Unknown"
    return Result("error", request_id, body=body, error_type=error_type, error=_parse_json(body), headers=headers)
