"""The boto3 side of test_aws_layout.py: reads what the AWS backends wrote, as AWS's own SDK sees it.

The e2e suite runs on Debian's /usr/bin/python3, which has no boto3; the interpreter that runs the
image's moto_server has it. So this file is two things:

- imported by the test (on /usr/bin/python3): `boto3_python()` finds that interpreter and
  `probe(python, request)` runs this file with it;
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
import re
import shlex
import shutil
import subprocess
import sys
import time

PROBE_TIMEOUT = 60
PEEK_TIMEOUT = 10.0


# ---- on the test's side: which python has boto3 ---------------------------------------------------
def boto3_python():
    """(path of a python that imports boto3, None), or (None, why none was found)."""
    tried = []
    for python in _candidate_pythons():
        if python in tried:
            continue
        tried.append(python)
        try:
            if subprocess.run([python, "-c", "import boto3"], capture_output=True, timeout=30).returncode == 0:
                return python, None
        except (OSError, subprocess.TimeoutExpired):
            pass
    where = ", ".join(tried) if tried else "no moto_server on the PATH and NINJA_MOTO_SERVER unset"
    return None, f"no python with boto3 (tried: {where}); set NINJA_BOTO3_PYTHON"


def _candidate_pythons():
    """NINJA_BOTO3_PYTHON, then the interpreter(s) of the moto_server that tests/servers runs (the one
    that has moto has boto3: moto depends on it)."""
    if os.environ.get("NINJA_BOTO3_PYTHON"):
        yield os.environ["NINJA_BOTO3_PYTHON"]
    for found in (os.environ.get("NINJA_MOTO_SERVER"), shutil.which("moto_server")):
        if not (found and os.access(found, os.X_OK)):
            continue
        script = os.path.realpath(found)
        pyenv = _pyenv_of_shim(script)
        if pyenv:
            # A pyenv shim is a bash script that picks a version at run time; ask pyenv what it runs.
            script = _run_for_line([pyenv, "which", "moto_server"]) or script
            yield from filter(None, [_interpreter_of(script), _run_for_line([pyenv, "which", "python3"])])
        else:
            interpreter = _interpreter_of(script)
            if interpreter:
                yield interpreter
        # A virtualenv's or pyenv version's bin dir holds its python next to its scripts.
        for name in ("python3", "python"):
            beside = os.path.join(os.path.dirname(script), name)
            if os.access(beside, os.X_OK):
                yield beside


def _head(path, size=4096):
    try:
        with open(path, "rb") as f:
            return f.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def _pyenv_of_shim(path):
    """The pyenv program a pyenv shim execs, or None when `path` is not a shim."""
    m = re.search(r'exec "([^"]*pyenv)" exec', _head(path))
    if m:
        return m.group(1)
    if os.sep + "shims" + os.sep in path:
        return shutil.which("pyenv")
    return None


def _interpreter_of(script):
    """The interpreter a script's shebang names (through /usr/bin/env too), or None."""
    lines = _head(script).splitlines()
    if not lines or not lines[0].startswith("#!"):
        return None
    words = shlex.split(lines[0][2:])
    if not words:
        return None
    if os.path.basename(words[0]) == "env":
        names = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        return shutil.which(names[0]) if names else None
    if os.path.basename(words[0]) in ("sh", "bash") and len(lines) > 1:
        # pip's launcher for interpreter paths too long for a shebang: '''exec' "/path/python" "$0" "$@"
        m = re.search(r"""exec' "?([^"' ]+)""", lines[1])
        return m.group(1) if m else None
    return words[0]


def _run_for_line(argv):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    line = done.stdout.strip().splitlines()
    return line[0] if done.returncode == 0 and line else None


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
