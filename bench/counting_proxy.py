"""A counting HTTP proxy between the service and moto_server: every AWS call, by service and operation.

    proxy = CountingProxy("127.0.0.1", moto_port)
    api_port = proxy.listen("api")        # one listening port per label (e.g. per service process)
    before = proxy.snapshot(); ...; delta = proxy.since(before)

Each port forwards to moto over keep-alive connections (one per client connection) and counts by
(label, service, operation, resource): DynamoDB and SQS by their `X-Amz-Target` header, SNS by the form
field `Action`. For DynamoDB it adds `"ReturnConsumedCapacity": "TOTAL"` to every request, records what
moto reports, and computes the capacity AWS would bill (dynamodb_capacity.py) from the items: the items a
read returns, and for writes the item before and after, read by the proxy itself straight from moto with
consistent GetItems that are not counted. SQS and SNS calls also get their 64 KB billing chunks and their
message counts. Python 3 standard library only.
"""

import copy
import gzip
import http.client
import http.server
import json
import math
import socketserver
import threading
import urllib.parse

import dynamodb_capacity as capacity

DYNAMODB_PREFIX = "DynamoDB_20120810."
SQS_PREFIX = "AmazonSQS."
CHUNK_BYTES = 64 * 1024  # SNS and SQS bill each 64 KB of payload as one request
UPSTREAM_TIMEOUT_S = 60   # above SQS's longest long poll (20 s)
HOP_HEADERS = {"host", "content-length", "connection", "expect", "transfer-encoding", "keep-alive",
               "proxy-connection"}
WRITE_ACTIONS = ("Put", "Update", "Delete", "ConditionCheck")


def _new_counter():
    return {"calls": 0, "errors": 0, "moto_units": 0.0, "moto_reported_calls": 0, "read_units": 0.0,
            "write_units": 0.0, "index_write_units": 0.0, "chunks": 0, "messages": 0, "empty": 0,
            "request_bytes": 0, "payload_bytes": 0, "projected_or_filtered": 0}


class CountingProxy:
    def __init__(self, upstream_host, upstream_port):
        self.upstream = (upstream_host, upstream_port)
        self._lock = threading.Lock()
        self._counts = {}
        self._shapes = {}
        self._servers = []
        self.last_body = {}  # (label, service, operation) -> the last request body as the client sent it
        self.item_bytes = {}  # table -> [items written, their total size, the largest] (AWS's item sizes)
        self.failures = []  # capacity computations that could not be done (shown in the report)

    # -- lifecycle ----------------------------------------------------------------------------------
    def listen(self, label, host="127.0.0.1"):
        proxy = self

        class Handler(_ForwardingHandler):
            owner, tag = proxy, label

        server = _Server((host, 0), Handler)
        threading.Thread(target=server.serve_forever, name=f"proxy-{label}", daemon=True).start()
        self._servers.append(server)
        return server.server_address[1]

    def close(self):
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    # -- counts -------------------------------------------------------------------------------------
    def snapshot(self):
        with self._lock:
            return copy.deepcopy(self._counts)

    def since(self, before):
        """What was counted after `before` (a snapshot), by (label, service, operation, resource)."""
        now = self.snapshot()
        out = {}
        for key, counter in now.items():
            old = before.get(key, {})
            delta = {k: v - old.get(k, 0) for k, v in counter.items()}
            if any(delta.values()):
                out[key] = delta
        return out

    def started(self, key, body):
        """A call counts when it arrives (a 20 s long poll belongs to the window it began in); what it
        returned is added when it ends."""
        with self._lock:
            self._counts.setdefault(key, _new_counter())["calls"] += 1
            self.last_body[key[:3]] = body

    def written(self, table, size):
        with self._lock:
            stats = self.item_bytes.setdefault(table, [0, 0, 0])
            stats[0], stats[1], stats[2] = stats[0] + 1, stats[1] + size, max(stats[2], size)

    def record(self, key, **values):
        with self._lock:
            counter = self._counts.setdefault(key, _new_counter())
            for name, value in values.items():
                counter[name] += value

    # -- DynamoDB side calls (not counted) ----------------------------------------------------------
    def direct(self, target, body, auth):
        conn = _thread_connection(self.upstream, "direct")
        headers = {"X-Amz-Target": DYNAMODB_PREFIX + target, "Content-Type": "application/x-amz-json-1.0"}
        if auth:
            headers["Authorization"] = auth  # moto takes the region and account from it
        conn.request("POST", "/", body=json.dumps(body), headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, json.loads(data or b"{}")

    def shape(self, table, auth):
        if table not in self._shapes:
            status, body = self.direct("DescribeTable", {"TableName": table}, auth)
            if status != 200:
                raise RuntimeError(f"DescribeTable {table}: {status} {body}")
            self._shapes[table] = capacity.TableShape(body)
        return self._shapes[table]

    def current(self, table, key, auth):
        status, body = self.direct("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}, auth)
        return body.get("Item") if status == 200 else None


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that hung up (a service shutting down) is not the bench's concern


_local = threading.local()


def _thread_connection(upstream, purpose):
    attr = f"conn_{purpose}"
    conn = getattr(_local, attr, None)
    if conn is None:
        conn = http.client.HTTPConnection(*upstream, timeout=UPSTREAM_TIMEOUT_S)
        setattr(_local, attr, conn)
    return conn


class _ForwardingHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner = None  # the CountingProxy (set by listen())
    tag = None    # this port's label

    def log_message(self, *args):
        pass

    def do_GET(self):
        self._forward(b"")

    def do_POST(self):
        self._forward(self._read_body())

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def _forward(self, body):
        call = _Call(self.owner, self.tag, self.headers, body)
        self.owner.started(call.key, body)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
        call.before_forward()
        try:
            resp, data = self._upstream(call.body, headers)
        except (OSError, http.client.HTTPException):
            self.close_connection = True
            try:
                self.send_error(502)
            except OSError:
                pass
            return
        try:
            call.after_forward(resp.status, _decoded(resp, data))
        except Exception as error:  # noqa: BLE001 -- accounting must never break the proxied call
            self.owner.failures.append(f"{call.service} {call.operation}: {error!r}")
        self.send_response_only(resp.status)
        for name, value in resp.getheaders():
            if name.lower() not in HOP_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


    def _upstream(self, body, headers):
        """The response of moto; once more on a fresh connection when a kept-alive one turns out to
        be closed (moto ends idle connections; the request never reached it)."""
        for attempt in (1, 2):
            conn = _thread_connection(self.owner.upstream, "forward")
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                return resp, resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                _drop_connection("forward")
                if attempt == 2:
                    raise
            except (OSError, http.client.HTTPException):
                _drop_connection("forward")
                raise


def _drop_connection(purpose):
    conn = getattr(_local, f"conn_{purpose}", None)
    if conn is not None:
        conn.close()
        setattr(_local, f"conn_{purpose}", None)


def _decoded(resp, data):
    if resp.getheader("Content-Encoding", "").lower() == "gzip":
        data = gzip.decompress(data)
    return data


class _Call:
    """One proxied request: what it is, and what it costs."""

    def __init__(self, proxy, label, headers, body):
        self.proxy, self.label, self.body = proxy, label, body
        self.auth = headers.get("Authorization")
        target = headers.get("X-Amz-Target", "")
        self.request = None
        self.images = []  # DynamoDB writes: (shape, key, before image, action)
        if target.startswith(DYNAMODB_PREFIX):
            self.service, self.operation = "dynamodb", target[len(DYNAMODB_PREFIX):]
            self.request = json.loads(body or b"{}")
            self.request.setdefault("ReturnConsumedCapacity", "TOTAL")
            if self.request["ReturnConsumedCapacity"] == "NONE":
                self.request["ReturnConsumedCapacity"] = "TOTAL"
            self.body = json.dumps(self.request).encode()
            self.resource = self._tables()
        elif target.startswith(SQS_PREFIX):
            self.service, self.operation = "sqs", target[len(SQS_PREFIX):]
            self.request = json.loads(body or b"{}")
            self.resource = self.request.get("QueueUrl", "").rsplit("/", 1)[-1]
        else:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            self.request = form
            self.operation = form.get("Action", ["(none)"])[0]
            self.service = "sqs" if "QueueUrl" in form else "sns"
            arn = form.get("TopicArn", form.get("QueueUrl", [""]))[0]
            self.resource = arn.rsplit(":", 1)[-1].rsplit("/", 1)[-1]

    def _tables(self):
        r = self.request
        if "TableName" in r:
            return r["TableName"]
        names = set()
        for entry in r.get("TransactItems", []):
            for action in entry.values():
                names.add(action["TableName"])
        names.update(r.get("RequestItems", {}).keys())
        return "+".join(sorted(names)) or "-"

    # -- DynamoDB writes: the item before ------------------------------------------------------------
    def before_forward(self):
        if self.service != "dynamodb":
            return
        op, r = self.operation, self.request
        if op in ("PutItem", "UpdateItem", "DeleteItem"):
            self._remember(r["TableName"], r.get("Key") or r.get("Item"), op[:-4], r.get("Item"))
        elif op == "TransactWriteItems":
            for entry in r["TransactItems"]:
                (action, body), = entry.items()
                self._remember(body["TableName"], body.get("Key") or body.get("Item"), action, body.get("Item"))
        elif op == "BatchWriteItem":
            for table, requests in r["RequestItems"].items():
                for req in requests:
                    if "PutRequest" in req:
                        self._remember(table, req["PutRequest"]["Item"], "Put", req["PutRequest"]["Item"])
                    else:
                        self._remember(table, req["DeleteRequest"]["Key"], "Delete", None)

    def _remember(self, table, item_or_key, action, put_item):
        shape = self.proxy.shape(table, self.auth)
        key = shape.key_of(item_or_key)
        self.images.append((shape, key, self.proxy.current(table, key, self.auth), action, put_item))

    # -- after the call -----------------------------------------------------------------------------
    @property
    def key(self):
        return (self.label, self.service, self.operation, self.resource)

    def after_forward(self, status, data):
        values = {"errors": int(status >= 400), "request_bytes": len(self.body)}
        if self.service == "dynamodb":
            values.update(self._dynamodb(status, json.loads(data or b"{}")))
        elif self.service == "sqs":
            values.update(self._sqs(status, json.loads(data or b"{}")))
        else:
            values.update(self._sns(data))
        self.proxy.record(self.key, **values)

    def _dynamodb(self, status, resp):
        out = {}
        moto = capacity.moto_reported(resp)
        if moto is not None and status < 400:
            out["moto_units"], out["moto_reported_calls"] = moto, 1
        op, r = self.operation, self.request
        consistent = bool(r.get("ConsistentRead"))
        if op == "GetItem":
            out["read_units"] = capacity.items_read([resp.get("Item")] if resp.get("Item") else [], consistent)
        elif op in ("Query", "Scan"):
            out["read_units"] = capacity.items_read(resp.get("Items", []), consistent)
            scanned, returned = resp.get("ScannedCount", 0), resp.get("Count", 0)
            # Items dropped by a filter or cut by a projection were read (and billed) whole: a floor.
            out["projected_or_filtered"] = int(scanned > returned or "ProjectionExpression" in r)
        elif op == "TransactGetItems":
            out["read_units"] = sum(capacity.items_read([x["Item"]] if x.get("Item") else [], True, True)
                                    for x in resp.get("Responses", []))
        elif op == "BatchGetItem":
            out["read_units"] = sum(capacity.items_read([i], bool(r["RequestItems"][t].get("ConsistentRead")))
                                    for t, items in resp.get("Responses", {}).items() for i in items)
        elif self.images:
            out.update(self._writes(status, resp))
        return out

    def _writes(self, status, resp):
        transactional = self.operation == "TransactWriteItems"
        failed = status >= 400
        table = index = 0
        for shape, key, before, action, put_item in self.images:
            if action == "Put":
                after = put_item
            elif action == "Delete":
                after = None
            elif action == "Update":
                after = self.proxy.current(shape.name, key, self.auth) if not failed else before
            else:  # ConditionCheck: the item is read, not changed
                after = before
            t, i = capacity.item_write(shape, before, after, transactional, condition_failed=failed)
            if after is not None and not failed and action != "ConditionCheck":
                self.proxy.written(shape.name, capacity.item_size(after))
            table, index = table + t, index + i
        return {"write_units": float(table), "index_write_units": float(index)}

    def _sqs(self, status, resp):
        out = {"chunks": max(1, math.ceil(len(self.body) / CHUNK_BYTES))}
        if self.operation == "ReceiveMessage" and status < 400:
            messages = resp.get("Messages", [])
            size = sum(len(m.get("Body", "").encode()) for m in messages)
            out.update(messages=len(messages), empty=int(not messages), payload_bytes=size,
                       chunks=max(1, math.ceil(size / CHUNK_BYTES)))
        elif self.operation.endswith("Batch"):
            out["messages"] = len(self.request.get("Entries", []))
        return out

    def _sns(self, data):
        """SNS bills a publish per 64 KB of payload: the messages and their attributes, not the form
        encoding around them."""
        form = self.request
        if self.operation == "PublishBatch":
            messages = [v[0] for k, v in form.items() if k.startswith("PublishBatchRequestEntries.member.")
                        and k.endswith(".Message")]
        elif self.operation == "Publish":
            messages = form.get("Message", [])
        else:
            messages = []
        size = sum(len(m.encode()) for m in messages)
        attributes = sum(len(v[0].encode()) for k, v in form.items()
                         if ".MessageAttributes." in k or k.startswith("MessageAttributes."))
        return {"messages": len(messages), "payload_bytes": size,
                "chunks": max(1, math.ceil((size + attributes) / CHUNK_BYTES))}
