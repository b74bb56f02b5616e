"""An SNS endpoint in front of moto that passes every call but the publishes, which it refuses, holds, or
makes and never answers: the relay's view of an SNS outage, of a publish that hangs until Lambda kills
the invocation, or of one that was made when the invocation died. It also records the actions it saw,
so a test can tell which calls a function made when (its Init, an invocation).

    gate = SnsGate(moto_url, publishes="hang")      # or "refuse", "lose-reply", "pass"
    bus = f"sns://us-east-1?endpoint={gate.url}&prefix=..."
    gate.actions                                      # ["CreateTopic", "PublishBatch", ...]
    gate.close()                                      # lets held requests go (their connections drop)

SNS speaks the AWS query protocol: a form POST whose `Action` names the call. Standard library only.
"""
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PUBLISHES = ("Publish", "PublishBatch")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "expect"}
# No proxy: a developer's http_proxy must not see the loopback calls.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SnsGate:
    def __init__(self, upstream, publishes="pass"):
        assert publishes in ("pass", "refuse", "hang", "lose-reply")
        self.upstream, self.publishes = upstream.rstrip("/"), publishes
        self.actions = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.gate = self
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="sns-gate", daemon=True).start()

    def seen(self, action):
        with self._lock:
            self.actions.append(action)

    def close(self):
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # libcurl's keep-alive and Expect: 100-continue

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 (http.server naming)
        gate = self.server.gate
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        action = (urllib.parse.parse_qs(body.decode(errors="replace")).get("Action") or [""])[0]
        gate.seen(action)
        if action in PUBLISHES and gate.publishes == "hang":
            gate._closing.wait()            # until the test ends; then the connection just drops
            self.close_connection = True
            return
        if action in PUBLISHES and gate.publishes == "refuse":
            self.close_connection = True    # a dropped connection, as when SNS is unreachable
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        request = urllib.request.Request(gate.upstream + self.path, data=body, headers=headers, method="POST")
        try:
            with DIRECT.open(request, timeout=30) as answer:
                status, answer_headers, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as refusal:
            status, answer_headers, payload = refusal.code, refusal.headers, refusal.read()
        if action in PUBLISHES and gate.publishes == "lose-reply":
            gate._closing.wait()            # published; the relay never learns it
            self.close_connection = True
            return
        self.send_response(status)
        for name, value in answer_headers.items():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
