"""The CDK stack's tables and bus against what `ninja-orders migrate` creates, on moto.

In Lambda the binary never runs `migrate`: CloudFormation owns the tables, topic and queues. A table
whose key, index or attribute type differs from the binary's own definition (table_definitions.cpp,
bus_setup.cpp) would only show at the first request in AWS. The jest tests compare the stack with a
hand copy of the README's layout; this test compares it with the binary itself: `migrate --store
dynamodb://… --bus sns://…` on moto, read back with boto3 (tests/e2e/aws_layout_probe.py), against
the template `cdk synth` writes for the same prefix.

Runs on Debian's python3 through tests/servers/with-servers (NINJA_TEST_MOTO_URL, NINJA_TEST_MOTO_PYTHON),
with NINJA_ORDERS_BIN and deploy/aws/node_modules (npm ci). Without moto it skips locally, and fails
with CI=true.
"""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2]  # deploy/aws
REPO = APP.parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
from aws_layout_probe import probe  # noqa: E402  (stdlib only: safe on this python)

REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "parity", "AWS_SECRET_ACCESS_KEY": "parity"}  # moto takes any
IN_CI = os.environ.get("CI") == "true"


def skip_or_fail(reason):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a test may not be skipped for a missing server)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def prefix():
    return f"parity{uuid.uuid4().hex[:8]}-"


@pytest.fixture(scope="module")
def migrated(prefix):
    """What `migrate` made on moto, as boto3 reads it."""
    endpoint, python = os.environ.get("NINJA_TEST_MOTO_URL"), os.environ.get("NINJA_TEST_MOTO_PYTHON")
    if not endpoint or not python:
        skip_or_fail("NINJA_TEST_MOTO_URL/NINJA_TEST_MOTO_PYTHON are not set (run through tests/servers/with-servers)")
    binary = os.environ.get("NINJA_ORDERS_BIN", str(REPO / "build" / "ninja-orders"))
    if not os.access(binary, os.X_OK):
        pytest.fail(f"no ninja-orders binary at {binary} (make binary, or set NINJA_ORDERS_BIN)")
    store = f"dynamodb://{REGION}?endpoint={endpoint}&prefix={prefix}"
    bus = f"sns://{REGION}?endpoint={endpoint}&prefix={prefix}"
    done = subprocess.run([binary, "migrate", "--store", store, "--bus", bus], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **CREDENTIALS})
    assert done.returncode == 0, f"migrate: exit {done.returncode}\n{done.stderr}"
    return probe(python, {"endpoint": endpoint, "region": REGION, "prefix": prefix,
                          "access_key": CREDENTIALS["AWS_ACCESS_KEY_ID"],
                          "secret_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"]})


@pytest.fixture(scope="module")
def template(prefix, tmp_path_factory):
    """The stack's resources for the same prefix, as `cdk synth` writes them."""
    if not (APP / "node_modules" / ".package-lock.json").exists():
        pytest.fail("deploy/aws/node_modules is missing: npm ci --prefix deploy/aws")
    out = tmp_path_factory.mktemp("cdk") / "cdk.out"
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true", "CDK_DISABLE_VERSION_CHECK": "true"}
    done = subprocess.run(["npx", "cdk", "synth", "--no-notices", "-q", "-c", "lambdaAsset=test/fixtures/lambda",
                           "-c", f"prefix={prefix}", "-o", str(out)], cwd=APP, capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, f"cdk synth: exit {done.returncode}\n{done.stderr[-4000:]}"
    return json.loads((out / "NinjaOrders.template.json").read_text())["Resources"]


def of_type(resources, kind):
    return [r["Properties"] for r in resources.values() if r["Type"] == kind]


def key(schema):
    return [(k["AttributeName"], k["KeyType"]) for k in schema]


def table_shape(table):
    """Keys, attribute types and indexes: what CloudFormation and DescribeTable both say."""
    return {
        "key": key(table["KeySchema"]),
        "attributes": sorted((a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]),
        "indexes": sorted((i["IndexName"], key(i["KeySchema"]), i["Projection"]["ProjectionType"])
                          for i in table.get("GlobalSecondaryIndexes", [])),
    }


def test_the_same_six_tables(migrated, template):
    assert sorted(t["TableName"] for t in of_type(template, "AWS::DynamoDB::Table")) == sorted(migrated["tables"])
    assert len(migrated["tables"]) == 6


def test_each_table_has_the_keys_types_and_indexes_migrate_gives_it(migrated, template):
    for cfn in of_type(template, "AWS::DynamoDB::Table"):
        described = migrated["tables"][cfn["TableName"]]["table"]
        assert table_shape(cfn) == table_shape(described), cfn["TableName"]
        assert cfn["BillingMode"] == described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"


def test_time_to_live_on_the_same_tables_and_attribute(migrated, template):
    for cfn in of_type(template, "AWS::DynamoDB::Table"):
        ttl = migrated["tables"][cfn["TableName"]]["ttl"]
        if ttl.get("TimeToLiveStatus") == "ENABLED":
            assert cfn.get("TimeToLiveSpecification") == {"AttributeName": ttl["AttributeName"], "Enabled": True}
        else:
            assert "TimeToLiveSpecification" not in cfn, cfn["TableName"]


def test_the_topic_is_the_fifo_topic_the_binary_publishes_to(migrated, template, prefix):
    (attributes,) = [t["attributes"] for t in migrated["topics"].values()]
    (cfn,) = [t for t in of_type(template, "AWS::SNS::Topic") if t["TopicName"].endswith(".fifo")]
    assert attributes["TopicArn"].rsplit(":", 1)[-1] == cfn["TopicName"] == f"{prefix}ninja-events.fifo"
    assert attributes["FifoTopic"] == "true" and cfn["FifoTopic"] is True
    assert attributes["ContentBasedDeduplication"] == "false" and cfn["ContentBasedDeduplication"] is False


def test_the_queues_and_redrive(migrated, template):
    queues = {q["QueueName"]: q for q in of_type(template, "AWS::SQS::Queue")}
    assert sorted(queues) == sorted(migrated["queues"])
    for name, cfn in queues.items():
        attributes = migrated["queues"][name]
        assert attributes["FifoQueue"] == "true" and cfn["FifoQueue"] is True
        assert int(attributes["MessageRetentionPeriod"]) == cfn["MessageRetentionPeriod"]
        if "RedrivePolicy" in attributes:
            assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == cfn["RedrivePolicy"]["maxReceiveCount"]
        else:
            assert "RedrivePolicy" not in cfn
        # The one intended difference: migrate's queue default is 30 s, the stack's 6 x the
        # notifier function's timeout (Lambda's guidance). Hence no bus setup in Lambda.
        if "VisibilityTimeout" in cfn:
            assert (int(attributes["VisibilityTimeout"]), cfn["VisibilityTimeout"]) == (30, 180)


def test_the_subscription_raw_with_the_same_filter(migrated, template):
    (topic,) = migrated["topics"].values()
    (subscription,) = topic["subscriptions"].values()
    (cfn,) = of_type(template, "AWS::SNS::Subscription")
    assert subscription["Protocol"] == cfn["Protocol"] == "sqs"
    assert subscription["RawMessageDelivery"] == "true" and cfn["RawMessageDelivery"] is True
    assert json.loads(subscription["FilterPolicy"]) == cfn["FilterPolicy"]
