"""The boto3 side of test_aws_layout.py: reads what the AWS backends wrote, as AWS's own SDK sees it.

The e2e suite runs on Debian's /usr/bin/python3, which has no boto3; the interpreter that runs the
image's moto_server has it. So this file is two things:

- imported by the test (on /usr/bin/python3): `probe(python, request)` runs this file with that
  interpreter (tests/servers/with-servers exports it as NINJA_TEST_MOTO_PYTHON);
- run as a script (by that interpreter): reads a request as JSON on stdin, prints what it found as
  JSON on stdout. It only reads and reports; every judgement is the test's.

Request: {"endpoint", "region", "access_key", "secret_key", "prefix",
          "queries": {label: DynamoDB Query arguments}, "peek": {queue name: how many messages to wait for}}.
Answer:  {"tables": {name: {"table": DescribeTable's Table, "ttl": TimeToLiveDescription,
                            "items": every item (consistent scan, low-level attribute values)}},
          "queries": {label: [items in the order DynamoDB returned them]},
          "topics": {arn: {"attributes": {...}, "subscriptions": {arn: {...attributes}}}},
          "queues": {name: {...attributes}},
          "messages": {queue name: [ReceiveMessage's messages, every attribute]}}
Peeking receives with VisibilityTimeout 0, so the messages are at once there again for the notifier
(each peek counts as one receive towards the dead-letter queue's redrive).
Only names that start with the prefix are reported: moto is shared with the rest of the suite.
"""
import json
import os
import subprocess
import sys
import time

PROBE_TIMEOUT = 60
PEEK_TIMEOUT = 10.0


# ---- on the test's side ------------------------------------------------------------------------
def probe(python, request):
    """Runs this file with `python` on `request`; the answer as a dict (RuntimeError when it fails)."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("AWS_")}
    done = subprocess.run([python, os.path.abspath(__file__)], input=json.dumps(request), capture_output=True,
                          text=True, timeout=PROBE_TIMEOUT, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{python} {__file__} exited with {done.returncode}:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout)


# ---- in the boto3 interpreter ------------------------------------------------------------------
def _pages(call, key, token_in, token_out, **kwargs):
    while True:
        page = call(**kwargs)
        yield from page.get(key, [])
        if not page.get(token_out):
            return
        kwargs[token_in] = page[token_out]


def _tables(dynamodb, prefix):
    names = [n for n in _pages(dynamodb.list_tables, "TableNames", "ExclusiveStartTableName", "LastEvaluatedTableName")
             if n.startswith(prefix)]
    return {name: {"table": dynamodb.describe_table(TableName=name)["Table"],
                   "ttl": dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
                   "items": list(_pages(dynamodb.scan, "Items", "ExclusiveStartKey", "LastEvaluatedKey",
                                        TableName=name, ConsistentRead=True))}
            for name in names}


def _topics(sns, prefix):
    topics = {}
    for topic in _pages(sns.list_topics, "Topics", "NextToken", "NextToken"):
        arn = topic["TopicArn"]
        if not arn.rsplit(":", 1)[-1].startswith(prefix):
            continue
        subscriptions = {s["SubscriptionArn"]: sns.get_subscription_attributes(SubscriptionArn=s["SubscriptionArn"])
                         ["Attributes"]
                         for s in _pages(sns.list_subscriptions_by_topic, "Subscriptions", "NextToken", "NextToken",
                                         TopicArn=arn)}
        topics[arn] = {"attributes": sns.get_topic_attributes(TopicArn=arn)["Attributes"],
                       "subscriptions": subscriptions}
    return topics


def _queues(sqs, prefix):
    urls = sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
    return {url.rsplit("/", 1)[-1]: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            for url in urls}


def _peek(sqs, queue_name, count):
    """Up to `count` distinct messages of the queue, waiting for them up to PEEK_TIMEOUT."""
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    seen = {}
    deadline = time.monotonic() + PEEK_TIMEOUT
    while len(seen) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=1,
                                           AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", []):
            seen.setdefault(message["MessageId"], message)
    return list(seen.values())


def main():
    import boto3  # only here: the test imports this file on a python without it

    request = json.load(sys.stdin)
    session = boto3.session.Session(aws_access_key_id=request["access_key"],
                                    aws_secret_access_key=request["secret_key"], region_name=request["region"])
    clients = {name: session.client(name, endpoint_url=request["endpoint"]) for name in ("dynamodb", "sns", "sqs")}
    prefix = request["prefix"]
    answer = {
        "tables": _tables(clients["dynamodb"], prefix),
        "queries": {label: list(_pages(clients["dynamodb"].query, "Items", "ExclusiveStartKey", "LastEvaluatedKey",
                                       **arguments))
                    for label, arguments in request.get("queries", {}).items()},
        "topics": _topics(clients["sns"], prefix),
        "queues": _queues(clients["sqs"], prefix),
        "messages": {name: _peek(clients["sqs"], name, count) for name, count in request.get("peek", {}).items()},
    }
    json.dump(answer, sys.stdout, default=str)  # default: DescribeTable's datetimes


if __name__ == "__main__":
    main()
