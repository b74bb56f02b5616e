"""The events Lambda's event sources would hand the relay and the notifier, built from what AWS holds: a
DynamoDB Streams batch of the outbox table's new keys for the relay, and an SQS batch of the notifier
queue's messages for the notifier (PLAN.md §3, §4). Lambda builds them itself on AWS; moto has neither
event source mappings nor (usable) streams, so the tests build them from boto3's reads. (API Gateway's
events for the api function: apigw_events.py.)

The shapes follow AWS's documentation and aws-lambda-go's events/*.go field names: camelCase in SQS
records (messageId, receiptHandle, messageAttributes.{stringValue,dataType}), CamelCase in stream
records' `dynamodb` part (Keys, SequenceNumber, StreamViewType).
"""
import base64
import json
import time
import uuid

REGION = "us-east-1"
ACCOUNT = "123456789012"


# --- DynamoDB Streams (KEYS_ONLY) --------------------------------------------------------------------------

def stream_batch(table, items, event_name="INSERT"):
    """A DynamoDB Streams batch of KEYS_ONLY records (INSERT, or MODIFY, REMOVE) for `items` (low-level
    attribute values as Scan returns them) of the outbox table `table`, whose key is (subject, id)."""
    stream_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}/stream/2026-12-01T00:00:00.000"
    base = time.time_ns() // 1000  # stream sequence numbers grow; any increasing digits will do
    records = []
    for n, item in enumerate(items):
        keys = {"subject": item["subject"], "id": item["id"]}
        records.append({
            "eventID": uuid.uuid4().hex, "eventName": event_name, "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": REGION, "eventSourceARN": stream_arn,
            "dynamodb": {"ApproximateCreationDateTime": int(time.time()), "Keys": keys,
                         "SequenceNumber": f"{base + n:021d}", "SizeBytes": len(json.dumps(keys)),
                         "StreamViewType": "KEYS_ONLY"},
        })
    return {"Records": records}


# --- SQS ---------------------------------------------------------------------------------------------------

def _message_attribute(attribute):
    """boto3's {"DataType", "StringValue" | "BinaryValue"} as Lambda spells it."""
    out = {"stringListValues": [], "binaryListValues": [], "dataType": attribute["DataType"]}
    if "StringValue" in attribute:
        out["stringValue"] = attribute["StringValue"]
    if "BinaryValue" in attribute:
        value = attribute["BinaryValue"]
        out["binaryValue"] = value if isinstance(value, str) else base64.b64encode(value).decode()
    return out


def sqs_record(message, queue_arn):
    """One record of Lambda's SQS event for a message as ReceiveMessage returned it (AttributeNames and
    MessageAttributeNames All)."""
    record = {
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {name: _message_attribute(a) for name, a in message.get("MessageAttributes", {}).items()},
        "md5OfBody": message.get("MD5OfBody", ""), "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def poison_record(queue_arn, group_id, body="\x00not an event{"):
    """A message that is not one of ours (no event attributes, a garbage body), in group `group_id`."""
    now_ms = str(int(time.time() * 1000))
    return {
        "messageId": str(uuid.uuid4()), "receiptHandle": base64.b64encode(uuid.uuid4().bytes).decode(),
        "body": body, "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": now_ms,
                                     "SenderId": ACCOUNT, "ApproximateFirstReceiveTimestamp": now_ms,
                                     "MessageGroupId": group_id, "MessageDeduplicationId": uuid.uuid4().hex,
                                     "SequenceNumber": f"{time.time_ns():021d}"},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def sqs_event(records):
    return {"Records": list(records)}


def queue_arn(queue_name):
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_name}"
