"""A tiny raw-socket HTTP/1.1 client for tests that must send what a well-behaved client never would."""
import json
import re
import socket
import time

STATUS_RE = re.compile(rb"^HTTP/1\.[01] (\d{3})(?: (.*))?$")


class RawResponse:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (lower-case name, value)
        self.body = body

    def header(self, name):
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.reason} {self.headers} {self.body[:300]!r}>"


class RawConn:
    def __init__(self, host, port, timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.closed = False       # the peer closed (FIN or RST)
        self.send_failed = False

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            self.send_failed = True
            return False

    def _fill(self, deadline):
        """Reads more bytes into buf; False on timeout or close."""
        if self.closed:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        except OSError:  # ECONNRESET and friends
            self.closed = True
            return False
        if not chunk:
            self.closed = True
            return False
        self.buf += chunk
        return True

    def _read_exact(self, n, deadline):
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise AssertionError(f"response body truncated: wanted {n} bytes, have {len(self.buf)}")
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _read_line(self, deadline):
        while b"\r\n" not in self.buf:
            if not self._fill(deadline):
                raise AssertionError(f"truncated chunked body: {self.buf[:200]!r}")
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_response(self, timeout=5.0):
        """The next response, or None if the connection closed / stayed silent before one started."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            if not self._fill(deadline):
                if self.buf:
                    raise AssertionError(f"incomplete response head: {self.buf[:500]!r}")
                return None
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        m = STATUS_RE.match(lines[0])
        assert m, f"not an HTTP/1.x status line: {lines[0][:200]!r}"
        status = int(m.group(1))
        reason = (m.group(2) or b"").decode("latin-1")
        headers = []
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            assert sep, f"malformed response header line {line!r}"
            headers.append((name.decode("latin-1").strip().lower(), value.decode("latin-1").strip()))
        resp = RawResponse(status, reason, headers, b"")
        if 100 <= status < 200 or status in (204, 304):
            return resp
        te = (resp.header("transfer-encoding") or "").lower()
        if "chunked" in te:
            body = b""
            while True:
                size = int(self._read_line(deadline).split(b";")[0].strip(), 16)
                if size == 0:
                    while self._read_line(deadline) != b"":
                        pass
                    break
                body += self._read_exact(size, deadline)
                assert self._read_exact(2, deadline) == b"\r\n"
            resp.body = body
        elif resp.header("content-length") is not None:
            resp.body = self._read_exact(int(resp.header("content-length")), deadline)
        else:  # delimited by close
            while self._fill(deadline):
                pass
            resp.body, self.buf = self.buf, b""
        return resp

    def read_all(self, timeout=5.0, idle=0.7):
        """Every response until the peer closes, or until nothing arrives for `idle` seconds."""
        responses = []
        first = True
        while True:
            resp = self.read_response(timeout if first else idle)
            if resp is None:
                return responses
            first = False
            responses.append(resp)

    def wait_closed(self, timeout=2.0):
        """True if the peer closes the connection within timeout (extra bytes count as not closed)."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            before = len(self.buf)
            if not self._fill(deadline):
                break
            if len(self.buf) > before:
                return False
        return self.closed

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def exchange(host, port, data, timeout=5.0, idle=0.7):
    """Sends data on a new connection; returns (responses, closed_by_peer)."""
    conn = RawConn(host, port, timeout)
    try:
        conn.send(data)
        responses = conn.read_all(timeout, idle)
        return responses, conn.closed
    finally:
        conn.close()
