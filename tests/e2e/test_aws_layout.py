"""The AWS-native layout read back with boto3 (issue 10): after `migrate`, a user, three orders, a delete and
their notifications on dynamodb:// + sns:// (moto), every table, key, index, item, topic, queue and
subscription is where README.md's *AWS-native* section says.

The service runs three times on the same tables and bus: with `--roles api` only, so the outbox events
wait on the sparse `unpublished` index; with `api,relay`, so they are published and wait in the notifier's
queue; then with every role, so the notifier delivers them. aws_layout_probe.py reads after each step, on
the python that has boto3 (moto_server's).

It brings its own backends (its own name prefix on the session's moto), so it runs once, with the e2e
suite on the AWS engines (`make e2e-aws`: NINJA_E2E_BUS=sns, or NINJA_E2E_STORE=dynamodb).
"""
import hashlib
import json
import os
import uuid
from types import SimpleNamespace

import pytest

from aws_layout_deployment import Deployment, notification_status, post_created, published_total, wait_until
from backends import BUS, STORE
from checks import parse_time
from cluster_processes import skip_or_fail
from conftest import require_binary, teardown_problems, user_payload
from receivers import WebhookReceiver

pytestmark = pytest.mark.skipif(
    STORE != "dynamodb" and BUS != "sns",
    reason="reads the AWS engines' layout: runs with the e2e suite on them (make e2e-aws, NINJA_E2E_BUS=sns)")

HASH, RANGE = "HASH", "RANGE"
# README.md's layout table: per table its key and its indexes (name → key), every index projecting ALL.
# The attribute types are table_layout.hpp's (the README names it the source of truth): every key
# attribute is a string but the two timestamps the deliveries' sparse indexes sort by.
LAYOUT = {
    "users": ([("id", HASH)], {"newest": [("kind", HASH), ("id", RANGE)]}),
    "orders": ([("id", HASH)], {"by_user": [("user_id", HASH), ("id", RANGE)],
                                "newest": [("kind", HASH), ("id", RANGE)]}),
    "idempotency": ([("id", HASH)], {}),
    "outbox": ([("subject", HASH), ("id", RANGE)], {"unpublished": [("pending", HASH), ("id", RANGE)]}),
    "deliveries": ([("event_id", HASH), ("channel", RANGE)],
                   {"due": [("due", HASH), ("next_attempt_at", RANGE)],
                    "dead": [("dead", HASH), ("updated_at", RANGE)],
                    "by_order": [("order_id", HASH), ("event_id", RANGE)]}),
    "api_keys": ([("id", HASH)], {}),
}
NUMBER_KEYS = {"next_attempt_at", "updated_at"}
ITEMS = [{"sku": "NINJA-STAR", "quantity": 3, "unit_price": 1999},
         {"sku": "SMOKE-BOMB", "quantity": 1, "unit_price": 250}]
TOTAL = 3 * 1999 + 250


@pytest.fixture(scope="module")
def boto3_interpreter():
    python = os.environ.get("NINJA_TEST_MOTO_PYTHON")   # moto's own, which has boto3
    if not python:
        skip_or_fail("NINJA_TEST_MOTO_PYTHON is not set (run through tests/servers/with-servers)")
    return python


@pytest.fixture(scope="module")
def moto_endpoint():
    endpoint = os.environ.get("NINJA_TEST_MOTO_URL")
    if not endpoint:
        skip_or_fail("NINJA_TEST_MOTO_URL is not set (run through tests/servers/with-servers)")
    return endpoint


@pytest.fixture(scope="module")
def world(tmp_path_factory, moto_endpoint, boto3_interpreter):
    """Builds the data once; every test below judges one part of what boto3 reads."""
    require_binary()
    aws = Deployment(moto_endpoint, boto3_interpreter)
    db_path = tmp_path_factory.mktemp("aws-layout") / "unused.db"   # the servers' name; the data is on moto
    receiver = WebhookReceiver()
    servers = []
    try:
        migrate = ["migrate", "--bus", aws.bus]
        aws.cli(*migrate)
        aws.cli(*migrate)   # run again, it changes nothing (the reads below would show duplicates)
        key = json.loads(aws.cli("apikey", "create", "--name", "layout-test", "--rate", "1000", "--burst", "1000"))

        api = aws.serve(db_path, "--roles", "api")
        servers.append(api)
        api.session.headers["x-api-key"] = key["key"]
        email = f"Layout.{uuid.uuid4().hex[:12]}@Example.COM"
        user = post_created(api, "/v1/users", user_payload(email=email, notify_channel="webhook",
                                                          webhook_url=receiver.url("/layout")), "layout-user")
        receiver.expect("layout", user["webhook_secret"])
        orders = [post_created(api, "/v1/orders", {"user_id": user["id"], "items": ITEMS, "currency": "EUR",
                                                   "note": f"order {i}"}, "layout-order" if i == 0 else None)
                  for i in range(3)]
        before_relay = aws.read({"unpublished": aws.query("outbox", "unpublished", {"pending": "1"})})
        api.stop()

        relay = aws.serve(db_path, "--roles", "api,relay")   # no notifier yet: the messages wait in the queue
        servers.append(relay)
        wait_until(relay, "the relay did not publish the 4 events", lambda: published_total(relay) >= 4)
        on_the_queue = aws.read(peek={aws.queue: len(orders)})["messages"][aws.queue]
        relay.stop()

        full = aws.serve(db_path, "--webhook-allow-private")
        servers.append(full)
        full.session.headers["x-api-key"] = key["key"]
        wait_until(full, "not every order notified", lambda: all(
            notification_status(full, o["id"]) == ["delivered"] for o in orders))
        deleted = orders[1]
        assert full.delete(f"/v1/orders/{deleted['id']}").status_code == 204
        wait_until(full, "the relay did not publish the delete's event", lambda: published_total(full) >= 1)
        queries = {
            "by_user": aws.query("orders", "by_user", {"user_id": user["id"]}, newest_first=True),
            "orders_newest": aws.query("orders", "newest", {"kind": "order"}, newest_first=True),
            "users_newest": aws.query("users", "newest", {"kind": "user"}, newest_first=True),
            "unpublished": aws.query("outbox", "unpublished", {"pending": "1"}),
            "due": aws.query("deliveries", "due", {"due": "1"}),
            "dead": aws.query("deliveries", "dead", {"dead": "1"}),
            **{f"by_order {o['id']}": aws.query("deliveries", "by_order", {"order_id": o["id"]}) for o in orders},
        }
        after = aws.read(queries)
        full.stop()
    finally:
        problems = [p for srv in servers for p in teardown_problems(srv)]
        receiver.close()
    assert not problems, "\n\n".join(problems)
    return SimpleNamespace(aws=aws, key=key, user=user, orders=orders, deleted=deleted, kept=[orders[2], orders[0]],
                           before=before_relay, after=after, messages=on_the_queue, webhooks=receiver.received)


def items_of(world, short, snapshot=None):
    return (snapshot or world.after)["tables"][world.aws.table(short)]["items"]


def key_schema(schema):
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def millis(api_time):
    return str(int(parse_time(api_time).timestamp() * 1000))


# ---- tables ------------------------------------------------------------------------------------
def test_migrate_creates_the_documented_tables_keys_and_indexes(world):
    tables = world.after["tables"]
    assert sorted(tables) == sorted(world.aws.table(short) for short in LAYOUT)
    for short, (key, indexes) in LAYOUT.items():
        table = tables[world.aws.table(short)]["table"]
        assert table["TableStatus"] == "ACTIVE", short
        assert table.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST", (short, table)
        assert key_schema(table["KeySchema"]) == key, short
        found = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
        assert sorted(found) == sorted(indexes), short
        for name, index_key in indexes.items():
            assert key_schema(found[name]["KeySchema"]) == index_key, (short, name)
            assert found[name]["Projection"] == {"ProjectionType": "ALL"}, (short, name)
        assert not table.get("LocalSecondaryIndexes"), short
        key_attributes = {a for a, _ in key} | {a for index_key in indexes.values() for a, _ in index_key}
        assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]} == {
            a: "N" if a in NUMBER_KEYS else "S" for a in key_attributes}, short


EXPIRING = {"idempotency", "outbox", "deliveries"}
RETENTION_DAYS = 7        # serve's default --retention-days, which the servers above run with
RECORD_FLOOR_DAYS = 14    # delivery records outlive any redelivery: SQS keeps a message 14 days at most


def test_the_idempotency_records_outbox_and_deliveries_have_a_ttl_in_epoch_seconds(world):
    for short in LAYOUT:
        ttl = world.after["tables"][world.aws.table(short)]["ttl"]
        if short in EXPIRING:
            assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}, short
        else:
            assert ttl.get("TimeToLiveStatus") == "DISABLED", (short, ttl)


# ---- entities ----------------------------------------------------------------------------------
def test_a_user_is_one_item_plus_one_email_claim_outside_the_newest_index(world):
    user = world.user
    by_id = {i["id"]["S"]: i for i in items_of(world, "users")}
    claim_id = "email#" + user["email"].lower()
    assert sorted(by_id) == sorted([user["id"], claim_id])
    item = by_id[user["id"]]
    assert item["kind"] == {"S": "user"}
    assert item["email"] == {"S": user["email"]} and item["name"] == {"S": user["name"]}
    assert item["notify_channel"] == {"S": "webhook"} and item["webhook_url"] == {"S": user["webhook_url"]}
    assert item["created_at"] == {"N": millis(user["created_at"])}
    assert by_id[claim_id] == {"id": {"S": claim_id}, "user_id": {"S": user["id"]}}   # no kind
    assert [i["id"]["S"] for i in world.after["queries"]["users_newest"]] == [user["id"]]


def test_an_order_keeps_its_money_as_integer_minor_units(world):
    by_id = {i["id"]["S"]: i for i in items_of(world, "orders")}
    assert sorted(by_id) == sorted(o["id"] for o in world.kept), "the deleted order is gone, the others stay"
    for order in world.kept:
        item = by_id[order["id"]]
        assert item["kind"] == {"S": "order"} and item["user_id"] == {"S": world.user["id"]}
        assert item["total"] == {"N": str(TOTAL)} and order["total"] == TOTAL
        assert item["currency"] == {"S": "EUR"} and item["status"] == {"S": order["status"]}
        assert item["note"] == {"S": order["note"]}
        assert item["created_at"] == {"N": millis(order["created_at"])}
        assert item["items"] == {"L": [{"M": {"sku": {"S": line["sku"]}, "quantity": {"N": str(line["quantity"])},
                                              "unit_price": {"N": str(line["unit_price"])}}} for line in ITEMS]}


def test_the_by_user_index_lists_a_users_orders_newest_first(world):
    newest_first = [o["id"] for o in world.kept]
    assert [i["id"]["S"] for i in world.after["queries"]["by_user"]] == newest_first
    assert [i["id"]["S"] for i in world.after["queries"]["orders_newest"]] == newest_first


# ---- the pipeline ------------------------------------------------------------------------------
def outbox(world, snapshot):
    """(subject, type, event id) of every outbox item, per subject in key order."""
    return sorted((i["subject"]["S"], i["type"]["S"], i["id"]["S"]) for i in items_of(world, "outbox", snapshot))


def test_unpublished_events_wait_on_the_sparse_index_oldest_first(world):
    user, orders = world.user, world.orders
    events = outbox(world, world.before)
    assert sorted((s, t) for s, t, _ in events) == sorted(
        [(user["id"], "ninja.user.created")] + [(o["id"], "ninja.order.created") for o in orders])
    for item in items_of(world, "outbox", world.before):
        assert item["pending"] == {"S": "1"} and "published_at" not in item
        event = json.loads(item["payload"]["S"])
        assert (event["id"], event["subject"], event["type"]) == (item["id"]["S"], item["subject"]["S"], item["type"]["S"])
        assert item["time"] == {"N": millis(event["time"])}
    assert [i["id"]["S"] for i in world.before["queries"]["unpublished"]] == sorted(e for _, _, e in events)


def test_published_events_leave_the_sparse_index(world):
    events = outbox(world, world.after)
    deleted = [e for e in events if e[0] == world.deleted["id"]]
    assert [t for _, t, _ in deleted] == ["ninja.order.created", "ninja.order.deleted"]
    assert deleted[0][2] < deleted[1][2], "an entity's events sort by id (their order) under its subject"
    assert len(events) == 5
    for item in items_of(world, "outbox"):
        assert "pending" not in item and "lease_owner" not in item and "lease_until" not in item, item
        assert set(item["published_at"]) == {"N"}
    assert world.after["queries"]["unpublished"] == []


def expiry_second(done_ms, days):
    """The epoch second a done item may go from, rounded up (TTL reads seconds)."""
    return str(-(-(int(done_ms) + days * 86400 * 1000) // 1000))


def test_done_events_and_final_records_expire_by_ttl_after_the_retention(world):
    assert all("expires_at" not in item for item in items_of(world, "outbox", world.before)), "pending: kept"
    for item in items_of(world, "outbox"):
        assert item["expires_at"] == {"N": expiry_second(item["published_at"]["N"], RETENTION_DAYS)}, item
    records = items_of(world, "deliveries")
    assert records
    for record in records:
        assert record["status"] == {"S": "delivered"}
        assert record["expires_at"] == {"N": expiry_second(record["updated_at"]["N"],
                                                           max(RETENTION_DAYS, RECORD_FLOOR_DAYS))}, record


def test_each_notification_is_one_delivery_record_keyed_by_its_event(world):
    created = {s: e for s, t, e in outbox(world, world.after) if t == "ninja.order.created"}
    records = items_of(world, "deliveries")
    assert sorted(r["event_id"]["S"] for r in records) == sorted(created.values())
    webhook_ids = sorted(w["headers"]["webhook-id"] for w in world.webhooks)
    assert webhook_ids == sorted(created.values()), "one webhook per order, its id the event id"
    for order in world.orders:
        (record,) = world.after["queries"][f"by_order {order['id']}"]
        assert record["event_id"] == {"S": created[order["id"]]} and record["channel"] == {"S": "webhook"}
        assert record["order_id"] == {"S": order["id"]} and record["user_id"] == {"S": world.user["id"]}
        assert record["status"] == {"S": "delivered"} and record["attempts"] == {"N": "1"}
        assert set(record["delivered_at"]) == {"N"} and set(record["updated_at"]) == {"N"}
        assert "due" not in record and "dead" not in record and "next_attempt_at" not in record
        assert json.loads(record["payload"]["S"])["id"] == created[order["id"]]
    assert world.after["queries"]["due"] == [] and world.after["queries"]["dead"] == []


def test_idempotency_records_are_scoped_and_expire_by_ttl(world):
    scope = world.key["id"]   # keys are scoped to the API key
    records = {i["id"]["S"]: i for i in items_of(world, "idempotency")}
    assert sorted(records) == sorted([f"{scope}#layout-user", f"{scope}#layout-order"])
    for key, resource in (("layout-user", world.user), ("layout-order", world.orders[0])):
        record = records[f"{scope}#{key}"]
        assert record["scope"] == {"S": scope} and record["key"] == {"S": key}
        assert record["resource_id"] == {"S": resource["id"]}
        expires_ms = int(record["expires_at_ms"]["N"])
        assert int(record["expires_at"]["N"]) == -(-expires_ms // 1000), "TTL reads epoch seconds, rounded up"
        assert abs(expires_ms - int(millis(resource["created_at"])) - 86400 * 1000) < 60_000, "--idempotency-ttl"


def test_api_keys_are_stored_as_hashes_with_their_plan(world):
    (item,) = items_of(world, "api_keys")
    assert item["id"] == {"S": world.key["id"]} and item["name"] == {"S": "layout-test"}
    assert item["hash"] == {"S": hashlib.sha256(world.key["key"].encode()).hexdigest()}
    assert item["rate"] == {"N": "1000"} and item["burst"] == {"N": "1000"}
    assert world.key["key"] not in json.dumps(world.after), "the key itself is stored nowhere"


# ---- the bus -----------------------------------------------------------------------------------
def test_the_bus_is_a_fifo_topic_with_a_filtered_raw_queue_and_its_dead_letter_queue(world):
    ((topic_arn, topic),) = world.after["topics"].items()
    assert topic_arn.rsplit(":", 1)[-1] == f"{world.aws.prefix}ninja-events.fifo"
    assert topic["attributes"]["FifoTopic"] == "true"
    assert topic["attributes"]["ContentBasedDeduplication"] == "false", "deduplication by the event id"
    queues = world.after["queues"]
    queue_name, dlq_name = world.aws.queue, world.aws.dead_letter_queue
    assert sorted(queues) == sorted([queue_name, dlq_name])
    queue, dlq = queues[queue_name], queues[dlq_name]
    assert queue["FifoQueue"] == "true" and dlq["FifoQueue"] == "true"
    redrive = json.loads(queue["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq["QueueArn"]
    assert int(redrive["maxReceiveCount"]) == 5, "redrive after 5 receives"
    ((_, subscription),) = topic["subscriptions"].items()
    assert subscription["Protocol"] == "sqs" and subscription["Endpoint"] == queue["QueueArn"]
    assert subscription["RawMessageDelivery"] == "true"
    assert json.loads(subscription["FilterPolicy"]) == {"event_type": ["ninja.order.created"]}
    assert subscription.get("FilterPolicyScope", "MessageAttributes") == "MessageAttributes"
    # moto does not enforce the queue's policy; AWS drops what the topic sends without it.
    (statement,) = json.loads(queue["Policy"])["Statement"]
    assert statement["Effect"] == "Allow" and statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage" and statement["Resource"] == queue["QueueArn"]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": topic_arn}}
    # Every notified message was deleted; none was poisoned (the delete never reached the queue: filtered).
    assert queue["ApproximateNumberOfMessages"] == "0" and dlq["ApproximateNumberOfMessages"] == "0"


def test_a_message_is_the_cloudevent_grouped_by_entity_and_deduplicated_by_event_id(world):
    created = {i["subject"]["S"]: i for i in items_of(world, "outbox") if i["type"]["S"] == "ninja.order.created"}
    assert sorted(m["Attributes"]["MessageGroupId"] for m in world.messages) == sorted(created)
    for message in world.messages:
        subject = message["Attributes"]["MessageGroupId"]
        event = created[subject]
        assert message["Attributes"]["MessageDeduplicationId"] == event["id"]["S"]
        assert message["Body"] == event["payload"]["S"], "raw delivery: the body is the CloudEvent itself"
        assert {name: (a["DataType"], a["StringValue"]) for name, a in message["MessageAttributes"].items()} == {
            "event_id": ("String", event["id"]["S"]), "event_type": ("String", "ninja.order.created"),
            "event_subject": ("String", subject), "event_time_ms": ("Number", event["time"]["N"])}
