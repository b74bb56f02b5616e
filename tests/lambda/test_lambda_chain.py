"""The serverless pipeline end to end (issue 11, PLAN.md §3 and §4): orders made through the api function
reach their users' webhooks through the relay and the notifier, each the PACKAGED bootstrap in its own
Runtime API emulator, on one stack of tables, topic and queues on moto (lambda_chain.py). The test plays
Lambda's event sources: DynamoDB Streams' KEYS_ONLY INSERT batches for the relay, the SQS queue's
batches for the notifier (partial batch responses), and the schedules (`sweep`, `retry-due`).

Run under tests/servers/with-servers (moto); without it the tests skip locally and fail under CI=true.
"""
import json
import time
import uuid
from contextlib import ExitStack

import pytest

from chain_events import poison_record, queue_arn, sqs_event, sqs_record
from lambda_chain import Chain, assert_one_signed_webhook_per_event, closed_port_url, group_of, order_events
from lambda_deployment import lambda_package, moto  # noqa: F401 (fixtures)
from sns_gate import SnsGate

RETRY_BASE_MS = 300
FUNCTION_ENV = {"NINJA_ORDERS_WEBHOOK_ALLOW_PRIVATE": "true", "NINJA_ORDERS_RETRY_BASE_MS": str(RETRY_BASE_MS)}
LEASE_MS = 5000        # RelayOptions::lease: how long a relay's claim keeps an event from the others
MARGIN_S = 2.0         # RelayHandlerOptions::margin: the relay stops claiming this long before its deadline


@pytest.fixture
def chain(request, lambda_package, moto, tmp_path):  # noqa: F811 (pytest fixtures by name)
    with ExitStack() as exits:
        deployed = Chain(lambda_package, moto, tmp_path, exits, FUNCTION_ENV)
        request.node.lambda_emulator = deployed  # conftest.py adds its logs to a failing test's report
        yield deployed


def emf_lines(emulator):
    """The Embedded Metric Format lines of a function's stdout."""
    lines = emulator.process.stdout_path.read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith('{"_aws"')]


# --- relay: the stream batch ---------------------------------------------------------------------------------

def test_a_stream_batch_of_the_new_keys_publishes_them_to_the_notifier_queue(chain):
    user = chain.webhook_user("stream")
    orders = [chain.order(user, note=f"order {n}") for n in range(2)]
    pending = chain.pending()
    assert len(pending) == 3, "the user's and the two orders' events wait in the outbox"

    started = time.monotonic()
    result = chain.stream(pending)
    took = time.monotonic() - started
    assert (result.kind, result.json()) == ("response", {"batchItemFailures": []}), chain.logs()
    # It stops once it has published as many events as the batch has INSERTs: it does not wait out the
    # 2 s it gives an index that lags behind the stream.
    assert took < 1.5, f"the relay took {took:.2f} s for 3 events"

    after = chain.read(peek=len(orders))
    for item in chain.items("outbox", after):
        assert "pending" not in item and "lease_owner" not in item and "published_at" in item, item
    created = order_events(chain, after)
    messages = after["messages"][chain.queue]
    assert sorted(map(group_of, messages)) == sorted(o["id"] for o in orders), "one message per order, by entity"
    for message in messages:
        event = created[group_of(message)]
        assert message["Body"] == event["payload"]["S"]
        assert message["Attributes"]["MessageDeduplicationId"] == event["id"]["S"]
        assert {k: (a["DataType"], a["StringValue"]) for k, a in message["MessageAttributes"].items()} == {
            "event_id": ("String", event["id"]["S"]), "event_type": ("String", "ninja.order.created"),
            "event_subject": ("String", event["subject"]["S"]), "event_time_ms": ("Number", event["time"]["N"])}


def test_a_stream_batch_retried_after_its_events_were_published_publishes_nothing_again(chain):
    chain.order(chain.webhook_user("again"))
    items = chain.pending()
    chain.publish_pending()
    published_at = {i["id"]["S"]: i["published_at"] for i in chain.items("outbox")}
    result = chain.stream(items)  # Lambda retries a batch whose invocation it saw fail
    assert (result.kind, result.json()) == ("response", {"batchItemFailures": []}), chain.logs()
    assert {i["id"]["S"]: i["published_at"] for i in chain.items("outbox")} == published_at
    assert chain.queued() == 1, "the order's event is on the queue once"


def test_a_batch_of_removes_and_modifies_wakes_the_relay_without_waiting(chain):
    """TTL expiries are REMOVE records, and a mapping without its INSERT filter sends MODIFYs: nothing to
    wait for, but what is pending goes out all the same."""
    chain.order(chain.webhook_user("removed"))
    pending = chain.pending()
    for name in ("REMOVE", "MODIFY"):
        started = time.monotonic()
        result = chain.stream(pending, event_name=name)
        assert (result.kind, result.json()) == ("response", {"batchItemFailures": []}), chain.logs()
        assert time.monotonic() - started < 1.5
    assert chain.pending() == [] and chain.queued() == 1


@pytest.fixture
def gate(moto):  # noqa: F811 (pytest fixtures by name)
    """An SNS endpoint before moto whose publishes the test refuses or holds (sns_gate.py)."""
    gates = []

    def make(publishes):
        gates.append(SnsGate(moto.url, publishes))
        return gates[-1]
    yield make
    for each in gates:
        each.close()


@pytest.mark.parametrize("down", ["bus", "store"])
def test_an_outage_fails_the_relays_invocations_and_keeps_the_events_pending(chain, gate, down):
    chain.order(chain.webhook_user("down"))
    pending = chain.pending()
    refusing = gate("refuse")
    where = {"bus": chain.bus_at(refusing.url)} if down == "bus" else {"store": chain.store_at(closed_port_url())}
    broken = chain.start("relay", name=f"relay-without-{down}", extra_env={"NINJA_ORDERS_REQUEST_TIMEOUT": "2000"},
                         **where)
    for event in ({"ninja": "sweep"}, "stream"):
        result = chain.stream(pending, relay=broken) if event == "stream" else broken.invoke(event)
        assert (result.kind, result.error_type) == ("error", "Function.HandlerFailed"), (result, broken.logs())
    assert ("PublishBatch" in refusing.actions) == (down == "bus")
    assert sorted(i["id"]["S"] for i in chain.pending()) == sorted(i["id"]["S"] for i in pending)
    assert chain.queued() == 0
    assert broken.wait_idle(), "the runtime goes on to its next invocation"


def test_the_relay_makes_no_call_to_sns_before_its_first_invocation_and_only_publishes(chain, gate):
    """The stack owns the topic and grants the relay sns:Publish only (deploy/aws/lib/permissions.ts):
    told the ARN, its Init calls nothing, and its invocations only publish."""
    chain.order(chain.webhook_user("watched"))
    watched = gate("pass")
    relay = chain.start("relay", name="relay-watched", bus=chain.bus_at(watched.url))
    assert relay.wait_idle(), relay.logs()
    assert watched.actions == [], "a call to SNS in Init"
    chain.publish_pending()
    result = chain.stream(chain.items("outbox"), relay=relay)
    assert result.kind == "response" and chain.sweep(relay) == 0
    assert watched.actions == [], "nothing was pending: nothing to publish"
    chain.order(chain.webhook_user("watched-too"))
    assert chain.sweep(relay) == 2
    assert set(watched.actions) == {"PublishBatch"}, watched.actions
    assert chain.topic_arn in chain.read()["topics"], "the ARN the test passes is the topic migrate made"


def test_a_relay_killed_between_claim_and_publish_loses_nothing_the_sweep_publishes_it_after_the_lease(chain, gate):
    user = chain.webhook_user("killed")
    chain.publish_pending()                    # the user's event: out of the way
    chain.order(user)
    (event,) = chain.pending()
    holding = gate("hang")                     # the publish hangs after the claim
    stuck = chain.start("relay", name="relay-stuck", bus=chain.bus_at(holding.url))
    claimed_before = time.time() * 1000
    result = chain.stream([event], relay=stuck, timeout_s=MARGIN_S + 0.6)
    assert result.kind == "timeout", (result, stuck.logs())   # the emulator SIGKILLed it (Lambda's reset)
    assert stuck.wait_exit() == -9 and "PublishBatch" in holding.actions

    assert chain.sweep() == 0, "the dead relay's lease still holds the event"
    (held,) = chain.pending()
    assert held["id"] == event["id"] and held["lease_owner"]["S"], held
    lease_until = int(held["lease_until"]["N"])
    assert claimed_before <= lease_until - LEASE_MS <= time.time() * 1000, "claimed by the killed invocation"
    assert chain.queued() == 0, "nothing reached the bus"

    time.sleep(max(lease_until / 1000 - time.time(), 0) + 0.1)
    assert chain.sweep() == 1, "the lease lapsed: the sweep publishes the event"
    assert chain.pending() == []
    assert chain.notify(chain.batch(chain.messages(1))) == []
    assert_one_signed_webhook_per_event(chain, "killed", [event])


def test_a_relay_killed_between_publish_and_mark_publishes_again_and_notifies_once(chain, gate):
    user = chain.webhook_user("republished")
    chain.publish_pending()
    chain.order(user)
    (event,) = chain.pending()
    losing = gate("lose-reply")                # SNS takes the publish; the answer never comes back
    stuck = chain.start("relay", name="relay-unanswered", bus=chain.bus_at(losing.url))
    assert chain.stream([event], relay=stuck, timeout_s=MARGIN_S + 0.6).kind == "timeout", stuck.logs()
    assert chain.messages(1)[0]["Attributes"]["MessageDeduplicationId"] == event["id"]["S"], "it was published"
    (held,) = chain.pending()                  # but never marked

    time.sleep(max(int(held["lease_until"]["N"]) / 1000 - time.time(), 0) + 0.1)
    assert chain.sweep() == 1, "published again: the relay cannot know the first one went out"
    assert chain.pending() == []
    # FIFO deduplication by the event id (MessageDeduplicationId, 5 minutes) drops the second copy; after
    # longer, the notifier's deduplication does (the same event twice in a batch, below).
    assert chain.queued() == 1
    messages = chain.messages(1)
    assert chain.notify(chain.batch(messages)) == []
    # The first attempt is made before the notifier answers. Twice in about fifteen full runs on a loaded
    # machine it failed with "Connection reset by peer" before the receiver saw a request (a doubt in the
    # stop note); the scheduled call then retries it, and once is still all the receiver may see.
    time.sleep(1.1)
    assert chain.notifier_fn.invoke({"ninja": "retry-due"}).kind == "response"
    assert_one_signed_webhook_per_event(chain, "republished", [event], timeout=5)


def test_the_relay_answers_a_stream_batch_it_has_no_time_for_without_losing_its_events(chain):
    """Less left than the margin: nothing is claimed (the events wait for the sweep), nothing fails."""
    chain.order(chain.webhook_user("hurried"))
    pending = chain.pending()
    result = chain.stream(pending, timeout_s=MARGIN_S - 0.5)
    assert (result.kind, result.json()) == ("response", {"batchItemFailures": []}), chain.logs()
    assert len(chain.pending()) == len(pending)
    assert chain.sweep() == len(pending)


# --- relay: the sweep --------------------------------------------------------------------------------------

def test_the_sweep_publishes_an_event_whose_stream_record_was_lost_and_emits_the_lag_metric(chain):
    user = chain.webhook_user("lost")
    order = chain.order(user)                  # no stream batch ever comes for these two events
    assert len(chain.pending()) == 2
    before_ms = int(time.time() * 1000)
    assert chain.sweep() == 2
    assert chain.pending() == []
    (message,) = chain.messages(1)
    assert group_of(message) == order["id"]
    assert chain.notify(chain.batch([message])) == []
    assert_one_signed_webhook_per_event(chain, "lost", list(order_events(chain).values()))

    (metric,) = emf_lines(chain.relay_fn)
    (directive,) = metric["_aws"]["CloudWatchMetrics"]
    assert directive == {"Namespace": "NinjaOrders", "Dimensions": [[]],
                         "Metrics": [{"Name": "OutboxOldestPendingAgeSeconds", "Unit": "Seconds"}]}
    assert before_ms <= metric["_aws"]["Timestamp"] <= time.time() * 1000
    assert 0 <= metric["OutboxOldestPendingAgeSeconds"] < 60
    assert chain.sweep() == 0 and emf_lines(chain.relay_fn)[-1]["OutboxOldestPendingAgeSeconds"] == 0


def test_the_lag_metric_reports_how_long_the_oldest_event_waited_for_the_sweep(chain):
    chain.order(chain.webhook_user("late"))
    oldest_ms = min(int(i["time"]["N"]) for i in chain.pending())
    time.sleep(1.5)
    swept_ms = time.time() * 1000
    assert chain.sweep() == 2
    (metric,) = emf_lines(chain.relay_fn)
    assert metric["OutboxOldestPendingAgeSeconds"] >= (swept_ms - oldest_ms) / 1000 - 0.1, metric


def test_an_event_that_is_not_a_stream_batch_is_a_bad_event_at_error(chain):
    queue_batch = sqs_event([poison_record(queue_arn(chain.queue), "group")])
    for event in (queue_batch, b"\xff not json", {"ninja": "retry-due"}, {"Records": "none"}):
        result = chain.relay_fn.invoke(event)
        assert (result.kind, result.error_type) == ("error", "Function.BadEvent"), (event, result, chain.logs())
        assert result.error["errorType"] == "Function.BadEvent" and result.error["errorMessage"], result.error
    result = chain.notifier_fn.invoke({"Records": [{"eventSource": "aws:dynamodb", "eventName": "INSERT"}]})
    assert (result.kind, result.error_type) == ("error", "Function.BadEvent"), result
    assert chain.sweep() == 0, "the relay still serves"


# --- notifier: the SQS batch ---------------------------------------------------------------------------------

def test_the_notifier_delivers_each_order_once_signed_and_a_redelivered_batch_has_no_second_effect(chain):
    user = chain.webhook_user("once")
    for n in range(3):
        chain.order(user, note=f"order {n}")
    chain.publish_pending()
    snapshot = chain.read(peek=3)
    messages = snapshot["messages"][chain.queue]
    assert len(messages) == 3

    assert chain.notify(chain.batch(messages)) == []
    events = list(order_events(chain, snapshot).values())
    assert_one_signed_webhook_per_event(chain, "once", events, timeout=0)  # made before the invocation answered
    records = chain.items("deliveries")
    assert sorted(r["event_id"]["S"] for r in records) == sorted(e["id"]["S"] for e in events)
    assert all(r["status"] == {"S": "delivered"} and r["channel"] == {"S": "webhook"} for r in records), records

    # The event source hands the same messages out again (a lost delete, a timed-out invocation).
    again = chain.messages(3)
    assert {m["MessageId"] for m in again} == {m["MessageId"] for m in messages}
    assert chain.notify(chain.batch(again)) == []
    time.sleep(0.3)
    assert len(chain.receiver.for_path("once")) == 3, "a redelivered message is no second webhook"
    assert chain.items("deliveries") == records

    # The same event twice in one batch: published again after SNS's 5-minute deduplication window.
    chain.order(user, note="twice")
    chain.publish_pending()
    (fresh,) = [m for m in chain.messages(4) if m["MessageId"] not in {m["MessageId"] for m in messages}]
    copy = {**fresh, "MessageId": str(uuid.uuid4()), "ReceiptHandle": uuid.uuid4().hex}
    assert chain.notify(chain.batch([fresh, copy])) == []
    assert_one_signed_webhook_per_event(chain, "once", list(order_events(chain).values()), timeout=0)


def test_a_poison_message_fails_itself_and_the_later_messages_of_its_group_only(chain):
    user = chain.webhook_user("poison")
    orders = [chain.order(user, note=f"order {n}") for n in range(3)]
    chain.publish_pending()
    snapshot = chain.read(peek=3)
    by_group = {group_of(m): m for m in snapshot["messages"][chain.queue]}
    first, second, third = (by_group[o["id"]] for o in orders)
    arn = queue_arn(chain.queue)
    garbage = poison_record(arn, group_id="")
    del garbage["attributes"]                          # no attributes at all, no group
    blocking = poison_record(arn, group_id=group_of(second), body='{"specversion":"1.0"}')
    # Our attributes on an unreadable body: only a bug of ours could send it. Notifier::accept drops it
    # with an error log, as in `serve`.
    forged = poison_record(arn, group_id=str(uuid.uuid4()), body="{not json")
    forged["messageAttributes"] = {name: {"stringValue": value, "dataType": kind} for name, (kind, value) in {
        "event_id": ("String", str(uuid.uuid4())), "event_type": ("String", "ninja.order.created"),
        "event_subject": ("String", forged["attributes"]["MessageGroupId"]),
        "event_time_ms": ("Number", str(int(time.time() * 1000)))}.items()}
    records = [sqs_record(first, arn), garbage, blocking, forged, sqs_record(second, arn), sqs_record(third, arn)]

    failed = chain.notify(sqs_event(records))
    # The poison messages, and the message after one of them in its FIFO group; the other groups are
    # done. (The later message is recorded and attempted all the same: its redelivery is deduplicated.)
    assert failed == [garbage["messageId"], blocking["messageId"], second["MessageId"]]
    assert_one_signed_webhook_per_event(chain, "poison", list(order_events(chain, snapshot).values()), timeout=0)
    errors = [json.loads(line) for line in chain.notifier_fn.process.stderr_path.read_text().splitlines()
              if '"level":"error"' in line]
    assert [e for e in errors if forged["messageAttributes"]["event_id"]["stringValue"] in e["msg"]], errors

    # Lambda hands the failed ones out again: the poison fails again, the good one has no second effect.
    assert chain.notify(sqs_event([garbage, blocking, sqs_record(second, arn)])) == failed
    time.sleep(0.3)
    assert len(chain.receiver.for_path("poison")) == 3


def test_a_store_outage_fails_the_whole_batch_and_its_redelivery_notifies_once(chain):
    user = chain.webhook_user("outage")
    for n in range(2):
        chain.order(user, note=f"order {n}")
    chain.publish_pending()
    snapshot = chain.read(peek=2)
    messages = snapshot["messages"][chain.queue]
    broken = chain.start("notifier", name="notifier-without-store",
                         store=chain.store_at(closed_port_url()),
                         extra_env={"NINJA_ORDERS_REQUEST_TIMEOUT": "2000"})
    failed = chain.notify(chain.batch(messages), notifier=broken)
    assert sorted(failed) == sorted(m["MessageId"] for m in messages), "unrecorded: every message is handed out again"
    assert chain.receiver.received == [] and chain.items("deliveries") == []

    assert chain.notify(chain.batch(chain.messages(2))) == []
    assert_one_signed_webhook_per_event(chain, "outage", list(order_events(chain, snapshot).values()))


def test_a_failed_first_attempt_is_recorded_with_its_next_attempt_and_the_batch_succeeds(chain):
    slow = chain.start("notifier", name="notifier-slow-retry", extra_env={"NINJA_ORDERS_RETRY_BASE_MS": "20000"})
    user = chain.webhook_user("flaky", statuses=[500])
    chain.order(user)
    chain.publish_pending()
    snapshot = chain.read(peek=1)
    (event,) = order_events(chain, snapshot).values()

    before_ms = time.time() * 1000
    assert chain.notify(chain.batch(snapshot["messages"][chain.queue]), notifier=slow) == [], "the intake succeeded"
    assert [r["status"] for r in chain.receiver.for_path("flaky")] == [500], "attempted before the answer"
    (record,) = chain.items("deliveries")
    assert record["event_id"] == event["id"] and record["attempts"] == {"N": "1"}, record
    assert record["status"]["S"] not in ("delivered", "dead") and record["due"] == {"S": "1"}, record
    # The 2nd attempt waits 20 s, half of it jittered (RetryPolicy's "equal jitter").
    assert before_ms + 10_000 <= int(record["next_attempt_at"]["N"]) <= time.time() * 1000 + 20_000, record
    result = slow.invoke({"ninja": "retry-due"})
    assert result.json() == {"attempted": 0}, "nothing is due yet"


def test_a_failed_attempt_is_retried_by_the_scheduled_call_and_never_between_invocations(chain):
    user = chain.webhook_user("retried", statuses=[500])
    chain.order(user)
    chain.publish_pending()
    snapshot = chain.read(peek=1)
    (event,) = order_events(chain, snapshot).values()
    assert chain.notify(chain.batch(snapshot["messages"][chain.queue])) == []

    # Lambda freezes an environment between invocations: no attempt may be made there. The retry is due
    # within RETRY_BASE_MS; the scheduled call makes it, once it is due.
    time.sleep(RETRY_BASE_MS / 1000 + 2.0)
    assert [r["status"] for r in chain.receiver.for_path("retried")] == [500], "an attempt outside an invocation"
    result = chain.notifier_fn.invoke({"ninja": "retry-due"})
    assert result.kind == "response" and result.json()["attempted"] >= 1, (result, chain.logs())
    hooks = chain.receiver.for_path("retried")
    assert [r["status"] for r in hooks] == [500, 200]
    assert all(h["verified"] and h["headers"]["webhook-id"] == event["id"]["S"] for h in hooks)
    (record,) = chain.items("deliveries")
    assert record["status"] == {"S": "delivered"} and "due" not in record and record["attempts"] == {"N": "2"}, record
