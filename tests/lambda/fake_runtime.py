"""A Lambda custom runtime in a few lines (urllib), for the emulator's own tests: each event says what to
do in its "do" field. It prints one line per API call, "METHOD PATH STATUS", so a test sees the statuses
that reached the client. In its environment, FAKE_INIT_ERROR=1: it posts /init/error and exits 1;
FAKE_INIT_MB=N: it fills N MiB before its first `next`.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

API = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2018-06-01/runtime"


def call(method, path, body=None, headers=None):
    request = urllib.request.Request(API + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as answer:
            status, data, answer_headers = answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as error:
        status, data, answer_headers = error.code, error.read(), error.headers
    print(method, path, status, flush=True)
    return status, data, answer_headers


def error_body(message, error_type):
    return json.dumps({"errorMessage": message, "errorType": error_type, "stackTrace": ["fake_runtime.py"]}).encode()


ballast = bytearray(int(os.environ.get("FAKE_INIT_MB", "0")) << 20)  # touched pages: a bigger Init RSS
for page in range(0, len(ballast), 4096):
    ballast[page] = 1
if os.environ.get("FAKE_INIT_ERROR"):
    call("POST", "/init/error", error_body("no store", "InitFailed"),
         {"Lambda-Runtime-Function-Error-Type": "Runtime.InitFailed"})
    sys.exit(1)

while True:
    _, event, headers = call("GET", "/invocation/next")
    request_id, nonce = headers["Lambda-Runtime-Aws-Request-Id"], headers.get("Lambda-Runtime-Invocation-Id")
    echo = {"Lambda-Runtime-Invocation-Id": nonce} if nonce else {}
    ask = json.loads(event)
    do, reply, kind = ask.get("do", "echo"), event, "response"
    if do == "raise":
        reply, kind = error_body(ask.get("message", "boom"), "Boom"), "error"
        echo["Lambda-Runtime-Function-Error-Type"] = ask.get("type", "Function.Boom")
    elif do == "exit":
        sys.exit(ask.get("code", 3))
    elif do == "sleep":
        time.sleep(ask["seconds"])
    elif do == "big":
        reply = b"x" * ask["size"]
    elif do == "init_error":  # too late: the emulator must refuse it
        reply = json.dumps({"status": call("POST", "/init/error", error_body("late", "Late"))[0]}).encode()
    elif do in ("wrong_id", "no_echo"):
        path, sent = (f"/invocation/not-{request_id}/response", echo) if do == "wrong_id" else \
            (f"/invocation/{request_id}/response", {})
        reply = json.dumps({"first_status": call("POST", path, b"first", sent)[0]}).encode()
    elif do == "env":  # /proc/self/environ: what we were started with, before Python set anything
        with open("/proc/self/environ", "rb") as environ:
            env = dict(item.decode().split("=", 1) for item in environ.read().split(b"\0") if item)
        reply = json.dumps({"env": env, "cwd": os.getcwd(), "cwd_entries": os.listdir("."),
                            "headers": dict(headers)}).encode()
    for _ in range(2 if do == "twice" else 1):
        call("POST", f"/invocation/{request_id}/{kind}", reply, echo)
