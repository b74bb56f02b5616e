"""The AWS-native deployment loses nothing through kill -9 (issue 10, point 4).

Two API processes, two relays and two notifiers share the DynamoDB tables and the SNS topic + SQS
queue of one prefix on moto, and notify webhook users at a signature-verifying receiver. While
clients create orders through both APIs, one process of each role is killed with SIGKILL and
started again, as a supervisor would. Afterwards every order acknowledged with 201 is stored and
notified with one webhook-id, nothing answered other than 2xx/4xx or 503 or came late, and every
process that was not killed is the same process and ready.

What a kill leaves behind and who finishes it: an outbox event the killed relay had leased is
claimed again when its lease runs out; SQS messages the killed notifier had received come back when
their visibility timeout (30 s) runs out; its leased delivery records lapse as in the cluster. moto
cannot be restarted without forgetting everything, so the engines' own outages are not injected
here (the store and bus contract suites cover unreachable engines).
"""
import os
import time
import uuid

import pytest

from cluster_processes import OrderLoad, ReadinessSampler, require_cluster_binary, skip_or_fail
from fault_checks import (KILLED, LOAD_BETWEEN_FAULTS, TWO_OF_EACH_ROLE, Faults, client_problems,
                          created_once_per_key, delivered, describe_run, notification_problems, process_problems,
                          stored_and_delivered, webhook_users)
from fault_checks import cluster_factory, webhooks  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.crash]

REQUEST_TIMEOUT_MS = 5000                # moto answers a transaction in milliseconds, but serially
LATE = REQUEST_TIMEOUT_MS / 1000 + 1.5   # an answer after this came past --request-timeout
DELIVERY_BOUND = 60.0                    # s after the kill: the SQS visibility timeout (30 s) and then some


@pytest.fixture
def aws_urls():
    """--store and --bus on the session's moto, under a prefix of this test's own."""
    endpoint = os.environ.get("NINJA_TEST_MOTO_URL")
    if not endpoint:
        skip_or_fail("NINJA_TEST_MOTO_URL is not set (run through tests/servers/with-servers)")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "faults")   # moto takes any credentials
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "faults")
    prefix = f"faults-{uuid.uuid4().hex[:8]}-"
    return (f"dynamodb://us-east-1?endpoint={endpoint}&prefix={prefix}",
            f"sns://us-east-1?endpoint={endpoint}&prefix={prefix}")


def test_the_aws_deployment_loses_nothing_through_kill_9(aws_urls, webhooks, cluster_factory):
    store, bus = aws_urls
    require_cluster_binary(store, bus)
    common = [str(arg) for arg in (
        "--store", store, "--bus", bus, "--request-timeout", REQUEST_TIMEOUT_MS, "--threads", 1,
        "--webhook-allow-private", "--retry-base-ms", 50, "--retry-max-ms", 500, "--max-attempts", 200,
        "--notify-timeout-ms", 1000, "--shutdown-grace", 5)]
    cluster = cluster_factory(common, TWO_OF_EACH_ROLE)
    apis = [cluster["api-a"], cluster["api-b"]]
    users = webhook_users(apis, webhooks, 4)

    faults = Faults(cluster)
    with ReadinessSampler(cluster, interval=0.1) as sampler, OrderLoad(apis, users, threads=4, late=LATE) as load:
        load.wait_acknowledged(20, timeout=15)
        time.sleep(LOAD_BETWEEN_FAULTS)
        with sampler.expecting_down(KILLED):
            faults.inject("kill -9", lambda: cluster.kill_and_restart(KILLED))
        load.stop()

    problems = process_problems(cluster, sampler, faults, KILLED) + client_problems(load, apis, faults, "api-a")
    received, notify_problems = notification_problems(webhooks, set(load.acknowledged), faults, DELIVERY_BOUND)
    problems += notify_problems
    problems += stored_and_delivered(apis[1], set(load.acknowledged) & delivered(received))
    problems += created_once_per_key(apis[1])
    summary = describe_run(load, received, faults, sampler)
    print("\n" + summary)
    assert not problems, summary + "\n" + "\n".join(problems[:60])
