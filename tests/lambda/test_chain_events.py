"""chain_events.py on its own: the batches it builds have the shape AWS documents for Lambda's SQS and
DynamoDB Streams events (the key sets of the samples in the Lambda developer guide, with-sqs.html and
with-ddb.html), so the chain tests cannot pass on a shape the functions would never get."""
from chain_events import poison_record, queue_arn, sqs_event, sqs_record, stream_batch

# boto3's ReceiveMessage answer for one message of a FIFO queue (AttributeNames/MessageAttributeNames All).
RECEIVED = {
    "MessageId": "0e2032bb-0d44-4383-b09a-08cf35517601", "ReceiptHandle": "handle", "MD5OfBody": "c993b784",
    "Body": '{"specversion":"1.0"}', "MD5OfMessageAttributes": "e1680e24",
    "Attributes": {"SenderId": "AIDAIT2UOQQY3AUEKVGXU", "SentTimestamp": "1796164303853",
                   "ApproximateReceiveCount": "2", "ApproximateFirstReceiveTimestamp": "1796164304410",
                   "MessageDeduplicationId": "event-1", "MessageGroupId": "order-1",
                   "SequenceNumber": "06285473629887875673"},
    "MessageAttributes": {"event_id": {"StringValue": "event-1", "DataType": "String"},
                          "event_time_ms": {"StringValue": "1796164303055", "DataType": "Number"},
                          "blob": {"BinaryValue": b"\x00\x01", "DataType": "Binary"}},
}
SQS_RECORD_KEYS = {"messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
                   "md5OfMessageAttributes", "eventSource", "eventSourceARN", "awsRegion"}
FIFO_ATTRIBUTES = {"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
                   "MessageGroupId", "MessageDeduplicationId", "SequenceNumber"}


def test_an_sqs_record_is_the_received_message_in_lambdas_spelling():
    arn = queue_arn("p-ninja-notifier.fifo")
    (record,) = sqs_event([sqs_record(RECEIVED, arn)])["Records"]
    assert set(record) == SQS_RECORD_KEYS
    assert (record["messageId"], record["receiptHandle"], record["body"]) == ("0e2032bb-0d44-4383-b09a-08cf35517601",
                                                                              "handle", '{"specversion":"1.0"}')
    assert (record["eventSource"], record["eventSourceARN"]) == ("aws:sqs", arn)
    assert arn == "arn:aws:sqs:us-east-1:123456789012:p-ninja-notifier.fifo"
    assert set(record["attributes"]) == FIFO_ATTRIBUTES and record["attributes"]["MessageGroupId"] == "order-1"
    assert record["messageAttributes"] == {
        "event_id": {"stringValue": "event-1", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
        "event_time_ms": {"stringValue": "1796164303055", "stringListValues": [], "binaryListValues": [],
                          "dataType": "Number"},
        "blob": {"binaryValue": "AAE=", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"}}


def test_a_poison_record_is_a_well_formed_record_of_a_foreign_message():
    record = poison_record(queue_arn("q.fifo"), "group-1", body="junk")
    assert set(record) == SQS_RECORD_KEYS - {"md5OfMessageAttributes"}
    assert set(record["attributes"]) == FIFO_ATTRIBUTES and record["attributes"]["MessageGroupId"] == "group-1"
    assert record["messageAttributes"] == {} and record["body"] == "junk"
    assert poison_record(queue_arn("q.fifo"), "g")["messageId"] != record["messageId"]


def test_a_stream_batch_holds_one_keys_only_record_per_item_in_sequence():
    items = [{"subject": {"S": f"order-{n}"}, "id": {"S": f"event-{n}"}, "payload": {"S": "{}"}, "pending": {"S": "1"}}
             for n in range(3)]
    records = stream_batch("p-outbox", items)["Records"]
    assert [set(r) for r in records] == [{"eventID", "eventName", "eventVersion", "eventSource", "awsRegion",
                                          "eventSourceARN", "dynamodb"}] * 3
    assert {(r["eventName"], r["eventSource"]) for r in records} == {("INSERT", "aws:dynamodb")}
    assert all(r["eventSourceARN"].startswith("arn:aws:dynamodb:us-east-1:123456789012:table/p-outbox/stream/")
               for r in records)
    assert [r["dynamodb"]["Keys"] for r in records] == [
        {"subject": {"S": f"order-{n}"}, "id": {"S": f"event-{n}"}} for n in range(3)], "the keys only"
    assert {r["dynamodb"]["StreamViewType"] for r in records} == {"KEYS_ONLY"}
    sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert sequence == sorted(sequence) and len(set(sequence)) == 3 and all(s.isdigit() for s in sequence)
    assert len({r["eventID"] for r in records}) == 3
    assert {r["eventName"] for r in stream_batch("p-outbox", items, "REMOVE")["Records"]} == {"REMOVE"}
