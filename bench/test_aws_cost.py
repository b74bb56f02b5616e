"""Tests of the AWS cost bench's own parts: DynamoDB's billing rules (dynamodb_capacity.py) and the
counting proxy (counting_proxy.py) in front of a real moto_server.

    /usr/bin/python3 -m pytest -q bench/test_aws_cost.py

The proxy tests need moto_server (tests/servers/moto_server.py finds it); without it they skip locally
with the reason, and fail when CI=true.
"""

import http.client
import json
import os
import sys
import urllib.parse

import pytest

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
sys.path.insert(0, os.path.join(os.path.dirname(BENCH), "tests", "servers"))

import dynamodb_capacity as cap  # noqa: E402
from counting_proxy import CountingProxy  # noqa: E402

# moto checks no signature but routes by the service in the credential scope.
AUTH = ("AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host, Signature=" + "0" * 64)


# ---- billing rules ----------------------------------------------------------------------------------------
def test_item_size_follows_the_documented_rules():
    assert cap.item_size({"id": {"S": "abc"}}) == 2 + 3
    assert cap.item_size({"n": {"N": "12345"}}) == 1 + 1 + 3           # 1 byte per 2 digits, plus 1
    assert cap.item_size({"n": {"N": "1.500"}}) == 1 + 1 + 1           # zeros trimmed: "15"
    assert cap.item_size({"b": {"BOOL": True}, "z": {"NULL": True}}) == 2 + 2
    assert cap.item_size({"b": {"B": "AAEC"}}) == 1 + 3                  # raw bytes, not base64
    assert cap.item_size({"l": {"L": []}}) == 1 + 3
    assert cap.item_size({"l": {"L": [{"S": "ab"}, {"S": "c"}]}}) == 1 + 3 + (1 + 2) + (1 + 1)
    assert cap.item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)
    assert cap.item_size(None) == 0


def test_units_round_up_per_kilobyte_and_per_four_kilobytes():
    assert cap.write_units(0) == 1 and cap.write_units(1024) == 1 and cap.write_units(1025) == 2
    assert cap.read_units(4096, consistent=True) == 1.0
    assert cap.read_units(4097, consistent=True) == 2.0
    assert cap.read_units(100, consistent=False) == 0.5
    assert cap.items_read([{"a": {"S": "x" * 3000}}, {"a": {"S": "x" * 3000}}], consistent=False) == 1.0


def _shape():
    return cap.TableShape({"Table": {"TableName": "t", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                     "GlobalSecondaryIndexes": [{"IndexName": "g", "KeySchema": [
                                         {"AttributeName": "pending", "KeyType": "HASH"}],
                                         "Projection": {"ProjectionType": "ALL"}}]}})


def test_index_writes_follow_the_item_in_and_out_of_a_sparse_index():
    shape = _shape()
    plain = {"id": {"S": "1"}}
    pending = {"id": {"S": "1"}, "pending": {"S": "1"}}
    assert cap.index_write_units(shape, None, plain) == 0                        # never in the index
    assert cap.index_write_units(shape, None, pending) == 1                      # enters
    assert cap.index_write_units(shape, pending, plain) == 1                     # leaves
    assert cap.index_write_units(shape, pending, {**pending, "pending": {"S": "2"}}) == 2  # key changes
    assert cap.index_write_units(shape, pending, {**pending, "x": {"S": "y"}}) == 1        # projected change
    assert cap.index_write_units(shape, pending, dict(pending)) == 0             # nothing changed


def test_transactional_writes_cost_twice_and_failed_conditions_touch_no_index():
    shape = _shape()
    item = {"id": {"S": "1"}, "pending": {"S": "1"}, "big": {"S": "x" * 1500}}
    assert cap.item_write(shape, None, item, transactional=False) == (2, 2)
    assert cap.item_write(shape, None, item, transactional=True) == (4, 2)
    assert cap.item_write(shape, item, item, transactional=False, condition_failed=True) == (2, 0)


def test_moto_reported_capacity_is_none_when_moto_reports_nothing():
    assert cap.moto_reported({"ConsumedCapacity": {"CapacityUnits": 0.5}}) == 0.5
    assert cap.moto_reported({"ConsumedCapacity": [{"CapacityUnits": 1}, {"CapacityUnits": 2}]}) == 3
    assert cap.moto_reported({"ConsumedCapacity": []}) is None  # moto's TransactWriteItems
    assert cap.moto_reported({}) is None


# ---- the proxy in front of moto --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    from moto_server import MotoServer
    from server_process import ServerError
    try:
        server = MotoServer(tmp_path_factory.mktemp("moto")).start()
    except ServerError as e:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"moto_server unavailable: {str(e).splitlines()[0]}")
    yield server
    server.stop()


def _form(port, service, fields):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/", body=urllib.parse.urlencode(fields), headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Authorization": AUTH.format(service=service)})
    resp = conn.getresponse()
    data = resp.read().decode()
    conn.close()
    return resp.status, data


def _call(port, target, body, prefix="DynamoDB_20120810."):
    service = "sqs" if prefix.startswith("AmazonSQS") else "dynamodb"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/", body=json.dumps(body), headers={
        "X-Amz-Target": prefix + target, "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH.format(service=service)})
    resp = conn.getresponse()
    data = json.loads(resp.read() or b"{}")
    conn.close()
    return resp.status, data


def test_proxy_counts_calls_and_computes_what_moto_does_not_report(moto):
    proxy = CountingProxy(moto.host, moto.port)
    port = proxy.listen("t")
    try:
        status, _ = _call(port, "CreateTable", {
            "TableName": "proxy_t", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"},
                                     {"AttributeName": "pending", "AttributeType": "S"}],
            "GlobalSecondaryIndexes": [{"IndexName": "g", "KeySchema": [{"AttributeName": "pending", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]})
        assert status == 200
        mark = proxy.snapshot()
        big = {"id": {"S": "a"}, "pending": {"S": "1"}, "v": {"S": "x" * 2000}}  # 2 KB: 2 units
        status, _ = _call(port, "TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "proxy_t", "Item": big}}]})
        assert status == 200
        status, body = _call(port, "GetItem", {"TableName": "proxy_t", "Key": {"id": {"S": "a"}}})
        assert status == 200 and body["Item"]["v"]["S"] == "x" * 2000  # the answer passes through unchanged
        status, _ = _call(port, "UpdateItem", {"TableName": "proxy_t", "Key": {"id": {"S": "a"}},
                                               "UpdateExpression": "REMOVE pending"})
        assert status == 200
        counts = proxy.since(mark)
    finally:
        proxy.close()
    txn = counts[("t", "dynamodb", "TransactWriteItems", "proxy_t")]
    assert (txn["calls"], txn["write_units"], txn["index_write_units"]) == (1, 4.0, 2.0)
    assert txn["moto_reported_calls"] == 0                       # moto reports nothing for transactions
    get = counts[("t", "dynamodb", "GetItem", "proxy_t")]
    assert get["read_units"] == 0.5 and get["moto_units"] == 0.5  # eventually consistent, under 4 KB
    update = counts[("t", "dynamodb", "UpdateItem", "proxy_t")]
    assert (update["write_units"], update["index_write_units"]) == (2.0, 2.0)  # leaves the index
    assert not proxy.failures


def test_proxy_counts_sqs_requests_and_messages(moto):
    proxy = CountingProxy(moto.host, moto.port)
    port = proxy.listen("q")
    try:
        sqs = "AmazonSQS."
        status, body = _call(port, "CreateQueue", {"QueueName": "proxy_q"}, sqs)
        assert status == 200
        url = body["QueueUrl"]
        mark = proxy.snapshot()
        assert _call(port, "SendMessage", {"QueueUrl": url, "MessageBody": "hello"}, sqs)[0] == 200
        status, body = _call(port, "ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 10}, sqs)
        assert status == 200 and len(body["Messages"]) == 1
        assert _call(port, "ReceiveMessage", {"QueueUrl": url, "WaitTimeSeconds": 0}, sqs)[0] == 200
        counts = proxy.since(mark)
    finally:
        proxy.close()
    receive = counts[("q", "sqs", "ReceiveMessage", "proxy_q")]
    assert (receive["calls"], receive["messages"], receive["empty"], receive["chunks"]) == (2, 1, 1, 2)
    assert counts[("q", "sqs", "SendMessage", "proxy_q")]["calls"] == 1


def test_proxy_counts_sns_publishes_by_action_with_their_messages(moto):
    proxy = CountingProxy(moto.host, moto.port)
    port = proxy.listen("s")
    try:
        status, body = _form(port, "sns", {"Action": "CreateTopic", "Name": "proxy_topic"})
        assert status == 200
        arn = body.split("<TopicArn>")[1].split("</TopicArn>")[0]
        mark = proxy.snapshot()
        fields = {"Action": "PublishBatch", "TopicArn": arn}
        for i in (1, 2, 3):
            fields[f"PublishBatchRequestEntries.member.{i}.Id"] = f"m{i}"
            fields[f"PublishBatchRequestEntries.member.{i}.Message"] = "x" * 100
        assert _form(port, "sns", fields)[0] == 200
        counts = proxy.since(mark)
    finally:
        proxy.close()
    batch = counts[("s", "sns", "PublishBatch", "proxy_topic")]
    assert (batch["calls"], batch["messages"], batch["payload_bytes"], batch["chunks"]) == (1, 3, 300, 1)
