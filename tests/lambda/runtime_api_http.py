"""The HTTP side of the Runtime API emulator (runtime_api.py): the paths of version 2018-06-01, bodies read
as libcurl sends them (Content-Length or chunked, after `Expect: 100-continue`), answers with a
Content-Length on HTTP/1.1 keep-alive. What each request means is the emulator's: the handler calls its
_next, _reply, _init_error and _record_request."""
import json
import re
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API = "/2018-06-01/runtime"
MAX_PAYLOAD = 6 * 1024 * 1024  # a response of more bytes gets 413 (Lambda's synchronous limit)
ECHO_HEADER = "Lambda-Runtime-Invocation-Id"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
# Lambda keeps an error type only in this shape, anything else becomes Runtime.Unknown (RIE does the same).
VALID_ERROR_TYPE = re.compile(r"(Runtime|Function)\.[A-Z][a-zA-Z]+")
REPLY_PATH = re.compile(re.escape(API) + r"/invocation/([^/]+)/(response|error)")


class RuntimeApiServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A runtime killed while its `next` was waiting leaves a dead socket: not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class RuntimeApiHandler(BaseHTTPRequestHandler):
    """The HTTP side. HTTP/1.1 with a Content-Length on every answer: libcurl keeps its connection. No
    Nagle: headers and body go out in two writes, and a delayed ACK would hold the body ~40 ms."""
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):  # the emulator records Calls instead of printing every request
        pass

    def do_GET(self):
        now_ns = time.monotonic_ns()
        emulator = self.server.emulator
        if self.path.split("?")[0] != f"{API}/invocation/next":
            return self._answer(404, "UnknownPath", f"no GET {self.path}")
        invocation, refused = emulator._next(now_ns)
        if refused:
            return self._answer(*refused)
        headers = {"Content-Type": "application/json", "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                   "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                   "Lambda-Runtime-Invoked-Function-Arn": emulator.arn,
                   "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};"
                                              f"Parent={uuid.uuid4().hex[:16]};Sampled=0"}
        if invocation.invocation_id:
            headers[ECHO_HEADER] = invocation.invocation_id
        self._record(200)
        try:
            self._send(200, invocation.event, headers)
        except OSError:
            emulator._undeliver(invocation)
            raise

    def do_POST(self):
        emulator = self.server.emulator
        try:
            body = self._read_body(MAX_PAYLOAD)
        except ValueError as error:
            self.close_connection = True
            return self._answer(400, "InvalidRequest", f"unreadable body: {error}")
        path = self.path.split("?")[0]
        reply = REPLY_PATH.fullmatch(path)
        if reply:
            return self._answer(*emulator._reply(reply.group(1), reply.group(2), body, self.headers))
        if path == f"{API}/init/error":
            return self._answer(*emulator._init_error(body if body is not None else b"", self.headers))
        self._answer(404, "UnknownPath", f"no POST {self.path}")

    def _read_body(self, limit):
        """The body, or None when longer than limit (read to its end anyway: the connection stays usable)."""
        chunks, size = [], 0
        for data in self._body_pieces():
            size += len(data)
            if size <= limit:
                chunks.append(data)
        return b"".join(chunks) if size <= limit else None

    def _body_pieces(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while length := int(self.rfile.readline(1024).split(b";")[0].strip(), 16):
                yield self.rfile.read(length)
                self.rfile.readline(8)
            while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return
        left = int(self.headers.get("Content-Length") or 0)
        while left > 0:
            data = self.rfile.read(min(left, 1 << 16))
            if not data:
                raise ValueError("the connection closed inside the body")
            left -= len(data)
            yield data

    def _answer(self, status, error_type=None, message=None):
        self._record(status, error_type)
        if status == 202:
            return self._send(202, b'{"status":"OK"}', {"Content-Type": "application/json"})
        self._send(status, json.dumps({"errorMessage": message, "errorType": error_type}).encode(),
                   {"Content-Type": "application/json"})

    def _record(self, status, error_type=None):
        self.server.emulator._record_request(self.command, self.path.split("?")[0], status, error_type, self.headers)

    def _send(self, status, body, headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
