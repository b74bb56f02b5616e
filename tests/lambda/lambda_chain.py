"""The serverless pipeline of one test (test_lambda_chain.py): a fresh stack on moto, the api, relay and
notifier functions, each the packaged bootstrap in its own Runtime API emulator, a webhook receiver that
verifies signatures, and the event sources Lambda would run, played by the test: boto3 reads the
outbox's new keys and the notifier queue's messages, and chain_events.py turns them into the DynamoDB
Streams and SQS batches the functions get.

boto3 runs in moto's interpreter (NINJA_TEST_MOTO_PYTHON) through tests/e2e/aws_layout_probe.py, whose
reads are consistent scans of every table of the prefix and receives of the queue with visibility 0 (the
messages stay, as they do on SQS until the event source deletes them).
"""
import json
import socket
import sys
from pathlib import Path

from apigw_events import HttpRequest, from_reply, to_event
from chain_events import ACCOUNT, queue_arn, sqs_event, sqs_record, stream_batch
from lambda_deployment import REGION, AwsStack, running_function, skip_or_fail

sys.path.append(str(Path(__file__).resolve().parents[1] / "e2e"))
from aws_layout_probe import probe  # noqa: E402
from receivers import WebhookReceiver  # noqa: E402

# Each function's timeout, as deploy/aws/lib/functions.ts sets it: the deadline the emulator gives.
TIMEOUTS_S = {"api": 10.0, "relay": 30.0, "notifier": 30.0}
ITEMS = [{"sku": "NINJA-STAR", "quantity": 2, "unit_price": 1999}]


class Chain:
    """One test's deployment; `exits` (an ExitStack) stops what it starts."""

    def __init__(self, package, moto, workdir, exits, function_env):
        self.package, self.moto, self.workdir, self.exits = package, moto, Path(workdir), exits
        self.function_env = dict(function_env)
        if not moto.python:
            skip_or_fail("NINJA_TEST_MOTO_PYTHON is not set (run through tests/servers/with-servers)")
        self.stack = AwsStack(moto, name="chain").migrate(bus=True)
        self.receiver = WebhookReceiver()
        exits.callback(self.receiver.close)
        self.emulators = {}
        self.api_fn = self.start("api")
        self.relay_fn = self.start("relay")
        self.notifier_fn = self.start("notifier")

    def start(self, handler, name=None, store=None, bus=None, extra_env=None):
        """Another environment of a function (or one with a broken store or bus), in its own emulator.
        Configured as the CDK app does: the relay, the only publisher, is told the topic's ARN."""
        name = name or handler
        bus = bus or (self.bus_at(self.moto.url) if handler == "relay" else self.stack.bus)
        emulator = self.exits.enter_context(running_function(
            self.package, handler, store or self.stack.store, bus, {**self.function_env, **(extra_env or {})},
            workdir=self.workdir / name, emulator_options={"default_timeout_s": TIMEOUTS_S[handler]}))
        self.emulators[name] = emulator
        return emulator

    @property
    def topic_arn(self):
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{self.stack.prefix}ninja-events.fifo"

    def bus_at(self, endpoint):
        """The relay's bus URL at `endpoint` (moto, or an SNS that fails: sns_gate.py), with the topic's
        ARN as the stack passes it (so the bus needs no CreateTopic to learn it)."""
        return f"sns://{REGION}?endpoint={endpoint}&prefix={self.stack.prefix}&topic_arn={self.topic_arn}"

    def store_at(self, endpoint):
        return f"dynamodb://{REGION}?endpoint={endpoint}&prefix={self.stack.prefix}"

    def logs(self):
        """Every function's output tails: conftest.py adds them to a failing test's report."""
        return "\n".join(f"=== {name}\n{emulator.logs()}" for name, emulator in self.emulators.items())

    # --- the api function ----------------------------------------------------------------------------------
    def api(self, method, path, body):
        """(status, JSON body) of an HTTP API (payload 2.0) request to the api function."""
        request = HttpRequest(method, path, [("Content-Type", "application/json")], json.dumps(body).encode())
        result = self.api_fn.invoke(to_event(request, "v2"))
        assert result.kind == "response", (result, self.api_fn.logs())
        reply = from_reply(result.json(), "v2")
        return reply.status, reply.json()

    def webhook_user(self, name, statuses=()):
        """A user notified by webhook at the receiver's /name, which answers `statuses` first, then 200."""
        status, user = self.api("POST", "/v1/users", {"name": name, "email": f"{name}.{self.stack.prefix}@example.com",
                                                      "notify_channel": "webhook",
                                                      "webhook_url": self.receiver.url("/" + name)})
        assert status == 201, user
        self.receiver.expect(name, user["webhook_secret"], statuses)
        return user

    def order(self, user, note=None):
        status, order = self.api("POST", "/v1/orders", {"user_id": user["id"], "items": ITEMS, "note": note})
        assert status == 201, order
        return order

    # --- boto3's view --------------------------------------------------------------------------------------
    @property
    def queue(self):
        return f"{self.stack.prefix}ninja-notifier.fifo"

    def read(self, peek=0):
        """Every item of the stack's tables, the queues' attributes and, with peek=N, up to N messages of
        the notifier queue (AttributeNames and MessageAttributeNames All; waits up to 10 s for N)."""
        return probe(self.moto.python, {"endpoint": self.moto.url, "region": REGION, "prefix": self.stack.prefix,
                                        "access_key": "test", "secret_key": "test",
                                        "peek": {self.queue: peek} if peek else {}})

    def items(self, table, snapshot=None):
        return (snapshot or self.read())["tables"][self.stack.prefix + table]["items"]

    def pending(self):
        return [item for item in self.items("outbox") if "pending" in item]

    def messages(self, count):
        return self.read(peek=count)["messages"][self.queue]

    def queued(self, snapshot=None):
        """How many messages the notifier queue holds (without waiting for any)."""
        return int((snapshot or self.read())["queues"][self.queue]["ApproximateNumberOfMessages"])

    # --- the event sources ---------------------------------------------------------------------------------
    def stream(self, items, relay=None, timeout_s=None, event_name="INSERT"):
        """Invokes the relay with the DynamoDB Streams batch of these outbox items' INSERTs (or other records)."""
        return (relay or self.relay_fn).invoke(stream_batch(self.stack.prefix + "outbox", items, event_name), timeout_s)

    def publish_pending(self):
        """The stream batch of everything pending: what Lambda hands the relay after the api's commits."""
        result = self.stream(self.pending())
        assert (result.kind, result.json()) == ("response", {"batchItemFailures": []}), (result, self.logs())

    def batch(self, messages):
        """The SQS event Lambda builds from these received messages."""
        return sqs_event(sqs_record(message, queue_arn(self.queue)) for message in messages)

    def notify(self, event, notifier=None):
        """Invokes the notifier; the message ids it asks Lambda to hand out again."""
        result = (notifier or self.notifier_fn).invoke(event)
        assert result.kind == "response", (result, self.logs())
        return [item["itemIdentifier"] for item in result.json()["batchItemFailures"]]

    def sweep(self, relay=None):
        result = (relay or self.relay_fn).invoke({"ninja": "sweep"})
        assert result.kind == "response", (result, self.logs())
        return result.json()["published"]


def order_events(chain, snapshot=None):
    """{order id: its ninja.order.created outbox item}."""
    return {item["subject"]["S"]: item for item in chain.items("outbox", snapshot)
            if item["type"]["S"] == "ninja.order.created"}


def group_of(message):
    return message["Attributes"]["MessageGroupId"]


def assert_one_signed_webhook_per_event(chain, user_name, events, timeout=10.0):
    """The receiver got exactly one verified, delivered webhook for each of `events` (outbox items),
    its body the event and its webhook-id the event's id."""
    wanted = {item["id"]["S"]: item for item in events}
    chain.receiver.wait_for(lambda got: len([r for r in got if r["path"] == "/" + user_name]) >= len(wanted), timeout)
    hooks = [r for r in chain.receiver.for_path(user_name) if r["status"] == 200]
    if sorted(r["headers"]["webhook-id"] for r in hooks) != sorted(wanted):
        seen = [(r["path"], r["status"], r["headers"].get("webhook-id")) for r in chain.receiver.received]
        records = [{k: v for k, v in r.items() if k != "payload"} for r in chain.items("deliveries")]
        raise AssertionError(f"webhooks {seen} for events {sorted(wanted)}\ndelivery records {records}\n{chain.logs()}")
    for hook in hooks:
        assert hook["verified"], f"a bad signature: {hook['headers']}"
        assert json.loads(hook["body"]) == json.loads(wanted[hook["headers"]["webhook-id"]]["payload"]["S"])


def closed_port_url():
    """A loopback URL nothing listens on: connections are refused."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe_socket.getsockname()[1]}"
