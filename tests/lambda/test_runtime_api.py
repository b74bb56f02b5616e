"""The Runtime API emulator (runtime_api.py) against the Python fake runtime (fake_runtime.py), and against
a hand-driven HTTP/1.1 client where the wire matters (keep-alive, chunked bodies, Expect: 100-continue, as
libcurl sends them). Each protocol rule is asserted on both sides: the Call the emulator recorded and the
status line the fake runtime printed.
"""
import http.client
import json
import re
import socket
import threading
import time
import uuid

import pytest

from runtime_api import ECHO_HEADER, ERROR_TYPE_HEADER, EmulatorError, RuntimeEmulator

LAMBDA_VARIABLES = {
    "AWS_LAMBDA_RUNTIME_API", "_HANDLER", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_INITIALIZATION_TYPE", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    "TZ", "LANG", "PATH", "LD_LIBRARY_PATH"}
NEXT = "/2018-06-01/runtime/invocation/next"
SIX_MIB = 6 * 1024 * 1024  # Lambda's limit for a synchronous response, written out: not the emulator's constant


def replies(emu):
    """(status, errorType) of every POST the emulator answered, in order."""
    return [(call.status, call.error_type) for call in emu.calls if call.method == "POST"]


def printed_statuses(emu, count):
    """The statuses of the first count POSTs as the fake runtime saw them on its side of the socket (it
    prints each one just after the emulator has answered: wait for them)."""
    deadline = time.monotonic() + 5
    while True:
        lines = emu.process.stdout_path.read_text().splitlines()
        statuses = [int(line.split()[2]) for line in lines if line.startswith("POST")]
        if len(statuses) >= count or time.monotonic() > deadline:
            return statuses[:count]
        time.sleep(0.01)


def test_response_carries_the_event_back(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    event = {"do": "echo", "order": str(uuid.uuid4())}
    result = emulator.invoke(event)
    assert (result.kind, result.json()) == ("response", event)
    assert uuid.UUID(result.request_id)
    assert replies(emulator) == [(202, None)] and printed_statuses(emulator, 1) == [202]


def test_next_headers_and_an_environment_of_exactly_lambdas_variables(emulator, fake_runtime):
    emulator.spawn(fake_runtime, {"NINJA_ORDERS_STORE": "sqlite:///tmp/x.db"}, handler="relay")
    before_ms = time.time() * 1000
    result = emulator.invoke({"do": "env"}, timeout_s=2.5)
    seen = result.json()
    assert set(seen["env"]) == LAMBDA_VARIABLES | {"NINJA_ORDERS_STORE"}
    assert seen["env"]["AWS_LAMBDA_RUNTIME_API"] == emulator.address
    assert (seen["env"]["_HANDLER"], seen["env"]["TZ"]) == ("relay", ":UTC")
    assert seen["env"]["LD_LIBRARY_PATH"].startswith("/lib64:/usr/lib64:")
    assert seen["cwd_entries"] == [] and seen["cwd"] == str(emulator.process.cwd)
    headers = seen["headers"]
    assert headers["Lambda-Runtime-Aws-Request-Id"] == result.request_id
    assert before_ms + 2500 <= int(headers["Lambda-Runtime-Deadline-Ms"]) <= time.time() * 1000 + 2500
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == emulator.arn
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0",
                        headers["Lambda-Runtime-Trace-Id"])
    assert headers["Content-Type"] == "application/json" and ECHO_HEADER not in headers


def test_error_records_its_type_and_body(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    result = emulator.invoke({"do": "raise", "message": "bad event", "type": "Function.BadEvent"})
    assert (result.kind, result.error_type) == ("error", "Function.BadEvent")
    assert result.error == {"errorMessage": "bad event", "errorType": "Boom", "stackTrace": ["fake_runtime.py"]}
    # A type Lambda would not accept becomes Runtime.Unknown; the header as sent stays readable.
    result = emulator.invoke({"do": "raise", "type": "Boom"})
    assert (result.error_type, result.headers.get(ERROR_TYPE_HEADER)) == ("Runtime.Unknown", "Boom")
    assert printed_statuses(emulator, 2) == [202, 202]


def test_init_error_is_recorded_and_the_process_exits(emulator, fake_runtime):
    emulator.spawn(fake_runtime, {"FAKE_INIT_ERROR": "1"})
    assert emulator.wait_exit(5) == 1
    assert emulator.init_error.error_type == "Runtime.InitFailed"
    assert emulator.init_error.error["errorMessage"] == "no store"
    assert replies(emulator) == [(202, None)] and printed_statuses(emulator, 1) == [202]
    assert emulator.invoke({"do": "echo"}).kind == "exit"


def test_init_error_after_the_first_next_is_refused(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    assert emulator.invoke({"do": "init_error"}).json() == {"status": 403}
    assert emulator.init_error is None


def test_next_after_init_error_is_refused(emulator):  # driven by hand: no process
    connection = http.client.HTTPConnection(*emulator.address.split(":"), timeout=5)
    connection.request("POST", "/2018-06-01/runtime/init/error", body=b"{}",
                       headers={ERROR_TYPE_HEADER: "Runtime.InitFailed"})
    assert connection.getresponse().read() == b'{"status":"OK"}'
    connection.request("GET", NEXT)
    assert connection.getresponse().status == 403
    connection.close()


def test_reply_to_a_request_id_that_is_not_current_gets_400(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    result = emulator.invoke({"do": "wrong_id"})
    assert (result.kind, result.json()) == ("response", {"first_status": 400})  # still open after the 400
    assert replies(emulator) == [(400, "InvalidRequestID"), (202, None)]


def test_second_reply_gets_403(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    assert emulator.invoke({"do": "twice", "n": 1}).json() == {"do": "twice", "n": 1}
    assert emulator.invoke({"do": "echo"}).kind == "response"  # the runtime went on to `next`
    assert replies(emulator)[:2] == [(202, None), (403, "InvalidStateTransition")]
    assert printed_statuses(emulator, 2) == [202, 403]


def test_payload_past_6_mib_gets_413_and_6_mib_passes(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    result = emulator.invoke({"do": "big", "size": SIX_MIB + 1})
    assert (result.kind, result.error_type) == ("error", "Function.ResponseSizeTooLarge")
    result = emulator.invoke({"do": "big", "size": SIX_MIB})
    assert result.kind == "response" and result.body == b"x" * SIX_MIB
    assert replies(emulator) == [(413, "RequestEntityTooLarge"), (202, None)]


def test_invocation_id_is_sent_only_when_asked_and_a_missing_echo_gets_410(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    assert emulator.invoke({"do": "echo"}).invocation_id is None
    result = emulator.invoke({"do": "echo"}, send_invocation_id=True)
    assert result.kind == "response" and uuid.UUID(result.invocation_id)
    assert result.headers.get(ECHO_HEADER) == result.invocation_id
    result = emulator.invoke({"do": "no_echo"}, send_invocation_id=True)
    assert (result.kind, result.json()) == ("response", {"first_status": 410})
    assert replies(emulator) == [(202, None), (202, None), (410, "InvalidInvocationId"), (202, None)]


def test_reply_after_the_deadline_gets_410_and_the_runtime_goes_on(emulator, fake_runtime):
    emulator.kill_on_timeout = False  # Lambda may let a timed-out runtime run on: its late reply is refused
    emulator.spawn(fake_runtime)
    assert emulator.invoke({"do": "sleep", "seconds": 0.6}, timeout_s=0.2).kind == "timeout"
    assert emulator.invoke({"do": "echo", "after": "late"}).json() == {"do": "echo", "after": "late"}
    assert replies(emulator) == [(410, "InvokeTimeout"), (202, None)]
    assert printed_statuses(emulator, 2) == [410, 202] and emulator.process.alive


def test_timeout_ends_the_invocation_at_its_deadline_and_kills_the_runtime(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    started = time.monotonic()
    result = emulator.invoke({"do": "sleep", "seconds": 30}, timeout_s=0.3)
    assert (result.kind, result.error_type) == ("timeout", "Sandbox.Timeout")
    assert 0.3 <= time.monotonic() - started < 2.0
    assert emulator.wait_exit(5) == -9 and replies(emulator) == []
    assert emulator.invoke({"do": "echo"}).kind == "exit"
    emulator.respawn()  # Lambda's next invocation starts a fresh environment
    assert emulator.invoke({"do": "echo"}).kind == "response"


def test_the_next_of_a_runtime_killed_while_idle_does_not_take_its_successors_event(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    assert emulator.invoke({"do": "echo"}).kind == "response"
    assert emulator.wait_idle(5)
    emulator.process.kill()  # blocked in its second `next`, whose handler thread in the emulator lives on
    emulator.wait_exit(5)
    emulator.respawn()
    for n in range(3):
        assert emulator.invoke({"do": "echo", "n": n}, timeout_s=2).kind == "response"


def test_wait_idle_after_a_respawn_waits_for_the_new_runtime(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    assert emulator.wait_idle(5)
    emulator.process.kill()  # its `next` was parked in the emulator
    emulator.wait_exit(5)
    assert not emulator.wait_idle(0.2)  # nobody asks now: the dead runtime's `next` does not count
    emulator.respawn()
    assert emulator.wait_idle(5) and emulator.process.first_next_ns is not None


def test_exit_during_an_invocation_is_an_exit_error(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    result = emulator.invoke({"do": "exit", "code": 3})
    assert (result.kind, result.error_type, result.exit_status) == ("exit", "Runtime.ExitError", 3)
    assert "exit status 3" in result.error["errorMessage"]


def test_invocations_from_several_threads_run_one_at_a_time_in_order(emulator, fake_runtime):
    emulator.spawn(fake_runtime)
    results, errors = {}, []

    def invoke_some(thread):
        try:
            for n in range(4):
                event = {"do": "echo", "thread": thread, "n": n}
                results[(thread, n)] = (event, emulator.invoke(event, timeout_s=5))
        except Exception as error:  # noqa: BLE001 (reported below, in the test's thread)
            errors.append(error)

    threads = [threading.Thread(target=invoke_some, args=(t,)) for t in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and len(results) == 12
    assert all(result.kind == "response" and result.json() == event for event, result in results.values())
    # One open invocation at a time: each `next` is followed by its reply before the next `next`.
    sequence = [call.method for call in emulator.calls]
    assert sequence[:24] == ["GET", "POST"] * 12


def test_cold_start_and_peak_rss_are_the_runtimes_own(emulator, fake_runtime):
    before = time.monotonic_ns()
    emulator.spawn(fake_runtime)
    assert emulator.invoke({"do": "echo"}).kind == "response"
    elapsed = time.monotonic_ns() - before
    small = emulator.process
    assert 1_000_000 < small.cold_start_ns < elapsed  # no Python starts in 1 ms
    assert 2_000 < small.init_rss_kb < 60_000 and small.peak_rss_kb >= small.init_rss_kb
    small.kill()
    small.wait_exit(5)
    assert small.ru_maxrss_kb >= small.peak_rss_kb
    emulator.spawn(fake_runtime, {"FAKE_INIT_MB": "64"})  # the measure must follow the runtime, not pytest
    assert emulator.invoke({"do": "echo"}).kind == "response"
    assert emulator.init_rss_kb >= small.init_rss_kb + 60_000


def test_a_runtime_that_never_calls_next_is_reported(tmp_path):
    with RuntimeEmulator(workdir=tmp_path, init_timeout_s=0.2) as emu:
        with pytest.raises(EmulatorError, match="no `next` took the event"):
            emu.invoke({"do": "echo"})
        with pytest.raises(FileNotFoundError):
            emu.spawn([str(tmp_path / "no-such-bootstrap")])
        emu.spawn(["/bin/sleep", "30"])
        with pytest.raises(EmulatorError, match="one at a time"):
            emu.spawn(["/bin/sleep", "30"])


def test_close_kills_the_runtime_and_wakes_its_next(tmp_path, fake_runtime):
    emu = RuntimeEmulator(workdir=tmp_path)
    process = emu.spawn(fake_runtime)
    assert emu.invoke({"do": "echo"}).kind == "response"  # now blocked in its second `next`
    started = time.monotonic()
    emu.close()
    assert time.monotonic() - started < 3 and process.returncode == -9
    with pytest.raises(OSError):
        socket.create_connection(emu.address.split(":"), timeout=1).close()


def invoke_in_background(emu, event):
    box = {}
    thread = threading.Thread(target=lambda: box.update(result=emu.invoke(event)))
    thread.start()
    return thread, box


def take_next_by_hand(emu):
    """A connection of a runtime driven by hand that has taken the queued invocation: (it, the request id)."""
    connection = http.client.HTTPConnection(*emu.address.split(":"), timeout=5)
    connection.request("GET", NEXT)
    answer = connection.getresponse()
    request_id, _ = answer.getheader("Lambda-Runtime-Aws-Request-Id"), answer.read()
    return connection, request_id


def test_one_keep_alive_connection_with_a_chunked_reply(tmp_path):
    """What libcurl does: one HTTP/1.1 connection for `next` and the reply, which may be chunked."""
    with RuntimeEmulator(workdir=tmp_path) as emu:
        thread, box = invoke_in_background(emu, b'{"a": 1}')
        connection = http.client.HTTPConnection(*emu.address.split(":"), timeout=5)
        connection.request("GET", NEXT)
        answer = connection.getresponse()
        assert (answer.status, answer.read(), answer.getheader("Content-Length")) == (200, b'{"a": 1}', "8")
        socket_before = connection.sock
        request_id = answer.getheader("Lambda-Runtime-Aws-Request-Id")
        connection.request("POST", f"/2018-06-01/runtime/invocation/{request_id}/response",
                           body=iter([b'{"b":', b" 2}"]), encode_chunked=True)
        answer = connection.getresponse()
        assert (answer.status, json.loads(answer.read())) == (202, {"status": "OK"})
        assert connection.sock is socket_before is not None  # not closed by the server
        thread.join(5)
        assert box["result"].body == b'{"b": 2}'
        connection.close()


def test_round_trips_on_a_kept_alive_connection_wait_for_no_delayed_ack(tmp_path):
    """With Nagle on, the body of each answer waits for the ACK of its headers: ~80 ms a round trip here,
    against under 1 ms without. A Lambda runtime's latency must not carry that."""
    with RuntimeEmulator(workdir=tmp_path) as emu:
        connection = http.client.HTTPConnection(*emu.address.split(":"), timeout=5)

        def runtime():
            for _ in range(10):
                connection.request("GET", NEXT)
                answer = connection.getresponse()
                request_id, _ = answer.getheader("Lambda-Runtime-Aws-Request-Id"), answer.read()
                connection.request("POST", f"/2018-06-01/runtime/invocation/{request_id}/response", body=b"ok")
                connection.getresponse().read()

        thread = threading.Thread(target=runtime)
        thread.start()
        started = time.monotonic()
        assert all(emu.invoke(b"{}").body == b"ok" for _ in range(10))
        assert time.monotonic() - started < 0.3
        thread.join(5)
        connection.close()


def test_next_while_an_invocation_is_open_gets_403_and_leaves_it_open(tmp_path):
    with RuntimeEmulator(workdir=tmp_path) as emu:
        thread, box = invoke_in_background(emu, b"{}")
        connection, request_id = take_next_by_hand(emu)
        connection.request("GET", NEXT)
        answer = connection.getresponse()
        assert (answer.status, json.loads(answer.read())["errorType"]) == (403, "InvalidStateTransition")
        connection.request("POST", f"/2018-06-01/runtime/invocation/{request_id}/response", body=b"done")
        assert connection.getresponse().status == 202
        thread.join(5)
        assert box["result"].body == b"done"
        connection.close()


def test_expect_100_continue_as_libcurl_sends_for_large_bodies(tmp_path):
    with RuntimeEmulator(workdir=tmp_path) as emu:
        thread, box = invoke_in_background(emu, b"{}")
        connection, request_id = take_next_by_hand(emu)
        connection.close()
        body = b"y" * (2 << 20)
        with socket.create_connection(emu.address.split(":"), timeout=5) as raw:
            raw.sendall(f"POST /2018-06-01/runtime/invocation/{request_id}/response HTTP/1.1\r\n"
                        f"Host: {emu.address}\r\nContent-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n".encode())
            assert raw.recv(64).startswith(b"HTTP/1.1 100")
            raw.sendall(body)
            assert raw.recv(64).startswith(b"HTTP/1.1 202")
        thread.join(5)
        assert box["result"].body == body


@pytest.mark.parametrize("framing", [b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", b"Content-Length: many\r\n\r\n"])
def test_an_unreadable_body_gets_400_and_the_emulator_goes_on(emulator, fake_runtime, framing):
    with socket.create_connection(emulator.address.split(":"), timeout=5) as raw:
        raw.sendall(b"POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\n" + framing)
        assert raw.recv(64).startswith(b"HTTP/1.1 400")
    assert emulator.init_error is None
    emulator.spawn(fake_runtime)
    assert emulator.invoke({"do": "echo"}).kind == "response"
