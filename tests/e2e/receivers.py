"""Real peers for the notifier, on loopback and free ports: a webhook receiver that verifies
Standard Webhooks signatures and answers from a script, an SMS gateway, and an SMTP server
(Debian's python3-aiosmtpd)."""
import base64
import hashlib
import hmac
import socket
import threading
import time
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def webhook_signature(secret, webhook_id, timestamp, body):
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


class _Recorder:
    """Requests seen, with a condition to wait on."""

    def __init__(self):
        self.cond = threading.Condition()
        self.received = []

    def add(self, item):
        with self.cond:
            self.received.append(item)
            self.cond.notify_all()

    def wait_for(self, predicate, timeout=10.0):
        """Waits until predicate(received) is true; returns the list either way."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate(self.received) and time.monotonic() < deadline:
                self.cond.wait(0.05)
            return list(self.received)


class _HttpReceiver(_Recorder):
    def __init__(self, tls=None):
        """tls: an ssl.SSLContext for a server-side HTTPS receiver."""
        super().__init__()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.handle(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path="/"):
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class WebhookReceiver(_HttpReceiver):
    """POST /<name>: verifies the signature with the secret registered for <name> and answers with the
    next status of that name's script (200 once the script is used up)."""

    def __init__(self, tls=None):
        self.secrets = {}
        self.scripts = {}
        super().__init__(tls)

    def expect(self, name, secret, statuses=()):
        with self.cond:
            self.secrets["/" + name] = secret
            self.scripts["/" + name] = list(statuses)

    def answer(self, name, statuses):
        with self.cond:
            self.scripts["/" + name] = list(statuses)

    def handle(self, path, headers, body):
        with self.cond:
            secret = self.secrets.get(path)
            script = self.scripts.get(path, [])
            status = script.pop(0) if script else 200
        verified = secret is not None and hmac.compare_digest(
            headers.get("webhook-signature", ""),
            webhook_signature(secret, headers.get("webhook-id", ""), headers.get("webhook-timestamp", ""), body))
        self.add({"path": path, "headers": headers, "body": body, "verified": verified, "status": status,
                  "at": time.time()})
        return status

    def for_path(self, name):
        with self.cond:
            return [r for r in self.received if r["path"] == "/" + name]


class SmsGateway(_HttpReceiver):
    """Accepts form posts (To, From, Body) with 201."""

    def handle(self, path, headers, body):
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
        self.add({"path": path, "content_type": headers.get("content-type"), "form": form})
        return 201


class SmtpServer(_Recorder):
    """An SMTP server that keeps every message it is given."""

    def __init__(self):
        super().__init__()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd naming)
                outer.add({"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                           "raw": envelope.original_content or envelope.content,
                           "message": message_from_bytes(envelope.original_content or envelope.content,
                                                         policy=policy.default)})
                return "250 OK"

        # aiosmtpd connects to its own port to confirm startup, so it cannot take port 0: ask the
        # kernel for a free one first.
        self.port = _free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def close(self):
        self.controller.stop()
