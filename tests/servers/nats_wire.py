"""Just enough of the NATS client protocol, over a raw socket, for the tests of NatsServer: they must
not depend on the client library the service uses, and the standard library has none."""
import json
import socket
import uuid
from urllib.parse import urlsplit


class NatsWire:
    def __init__(self, url, timeout=5.0):
        address = urlsplit(url)
        self.sock = socket.create_connection((address.hostname, address.port), timeout=timeout)
        self.reader = self.sock.makefile("rb")
        line = self.reader.readline()
        assert line.startswith(b"INFO "), line
        self.info = json.loads(line[5:])
        self.send(b'CONNECT {"verbose":false,"pedantic":false}\r\n')

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        """The next protocol line, answering the server's keep-alive PINGs on the way."""
        while True:
            line = self.reader.readline().rstrip(b"\r\n")
            if line != b"PING":
                return line
            self.send(b"PONG\r\n")

    def ping(self):
        self.send(b"PING\r\n")
        return self.line()

    def request(self, subject, payload):
        """Publishes payload (a dict, sent as JSON) with a reply inbox; returns the JSON reply."""
        inbox = f"_INBOX.{uuid.uuid4().hex}"
        body = json.dumps(payload).encode()
        self.send(f"SUB {inbox} 1\r\nPUB {subject} {inbox} {len(body)}\r\n".encode() + body + b"\r\n")
        line = self.line()
        assert line.startswith(b"MSG "), line
        size = int(line.split()[-1])
        reply = self.reader.read(size + 2)[:-2]
        self.send(b"UNSUB 1\r\n")
        return json.loads(reply)

    def close(self):
        self.reader.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
