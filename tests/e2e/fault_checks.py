"""The fault tests of a multi-process deployment, whatever its backends (test_cluster_faults.py on
PostgreSQL + NATS, test_aws_faults.py on DynamoDB + SNS/SQS): their fixtures, the fault injector and
what is checked afterwards. Each check returns a list of problems, empty when all is well, so one run
reports everything it found."""
import json
import time
from collections import Counter, defaultdict

import pytest
import requests

from cluster_processes import Cluster
from conftest import create_user, list_all
from receivers import WebhookReceiver

RECOVERY = 10.0              # s: a process is ready again by itself within this
LOAD_BETWEEN_FAULTS = 2.0    # s of plain load before, between and after the faults
# Two processes of each role; the "-a" one of each is the one the tests kill.
TWO_OF_EACH_ROLE = {"api-a": ["--roles", "api"], "api-b": ["--roles", "api"],
                    "relay-a": ["--roles", "relay"], "relay-b": ["--roles", "relay"],
                    "notifier-a": ["--roles", "notifier"], "notifier-b": ["--roles", "notifier"]}
KILLED = ["api-a", "relay-a", "notifier-a"]


@pytest.fixture
def webhooks():
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def cluster_factory(tmp_path):
    """Starts clusters and, at the end, stops them: every teardown problem fails the test."""
    clusters = []

    def _start(common_args, layout):
        cluster = Cluster(tmp_path / f"cluster{len(clusters)}", common_args)
        clusters.append(cluster)
        return cluster.start(layout)

    yield _start
    problems = [problem for cluster in clusters for problem in cluster.stop()]
    assert not problems, "\n\n".join(problems)


def webhook_users(apis, webhooks, count):
    """`count` users created through the APIs in turn, each notified by webhook at its own path of
    the receiver, which knows their secrets."""
    users = []
    for i in range(count):
        user = create_user(apis[i % 2], notify_channel="webhook", webhook_url=webhooks.url(f"/u{i}"))
        webhooks.expect(f"u{i}", user["webhook_secret"])
        users.append(user)
    return users


class Faults:
    """Injects faults one after another and records, per fault, when it ran and how long until every
    process answered /readyz 200 again by itself."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.windows = {}    # fault -> (start, end), time.monotonic()
        self.recovery = {}   # fault -> seconds until all ready, None if not within RECOVERY
        self.end = None

    def inject(self, name, action):
        start = time.monotonic()
        action()
        self.windows[name] = (start, time.monotonic())
        self.recovery[name] = self.cluster.wait_all_ready(RECOVERY)
        self.end = time.monotonic()
        time.sleep(LOAD_BETWEEN_FAULTS)


def process_problems(cluster, sampler, faults, killed):
    """Each process became ready by itself after each fault; none but the `killed` ones was replaced."""
    problems = [f"after {fault}: not ready within {RECOVERY}s: {cluster.not_ready()}"
                for fault, seconds in faults.recovery.items() if seconds is None]
    problems += [f"{name} (pid {pid}) exited by itself with {code}" for _, name, pid, code in sampler.exits]
    for process in cluster.values():
        if process.name not in killed and (process.proc.pid != process.first_pid or not process.alive()):
            problems.append(f"{process.name} is not the process of the start (pid {process.first_pid} → "
                            f"{process.proc.pid}, alive={process.alive()})")
    return problems


def client_problems(load, apis, faults, killed_api):
    """Only 2xx/4xx and 503, in time; connection errors only from `killed_api` while the "kill -9" fault
    ran; every API creates orders again after the faults."""
    problems = list(load.failures)
    kill_start, kill_end = faults.windows["kill -9"]
    for t, api, error in load.connection_errors:
        if not (api == killed_api and kill_start <= t <= kill_end + 1.0):
            problems.append(f"connection error from {api} at +{t - load.started:.1f}s, outside its kill: {error}")
    for api in apis:
        if not any(a["api"] == api.name and a["status"] == 201 and a["t"] > faults.end for a in load.attempts):
            problems.append(f"{api.name}: no 201 after the faults ended")
    return problems


def delivered(received):
    return {json.loads(r["body"]).get("subject") for r in received if r["status"] == 200}


def notification_problems(webhooks, acknowledged, faults, bound):
    """Every acknowledged order notified within `bound` seconds of the last fault, validly signed, with
    one webhook-id per order (its event id): (webhooks received, problems)."""
    received = webhooks.wait_for(lambda r: acknowledged <= delivered(r),
                                 timeout=max(1.0, faults.end + bound - time.monotonic()))
    problems = []
    missing = acknowledged - delivered(received)
    if missing:
        wall = time.time() - time.monotonic()
        windows_ms = {f: [round((t + wall) * 1000) for t in w] for f, w in faults.windows.items()}
        problems.append(f"{len(missing)} of {len(acknowledged)} acknowledged orders not notified within "
                        f"{bound}s after the faults, e.g. {sorted(missing)[:5]}; fault windows "
                        f"(unix ms) {windows_ms}")
    unsigned = [r for r in received if not r["verified"]]
    if unsigned:
        problems.append(f"{len(unsigned)} webhooks with a bad signature, e.g. {unsigned[0]['headers']}")
    ids_by_order = defaultdict(set)
    for r in received:
        event = json.loads(r["body"])
        ids_by_order[event.get("subject")].add(r["headers"].get("webhook-id"))
        if r["headers"].get("webhook-id") != event.get("id") or event.get("type") != "ninja.order.created":
            problems.append(f"webhook-id {r['headers'].get('webhook-id')} for event {event.get('id')}")
    split = {order: ids for order, ids in ids_by_order.items() if len(ids) != 1}
    if split:
        problems.append(f"{len(split)} orders arrived under several webhook-ids, e.g. {next(iter(split.items()))}")
    return received, problems


def stored_and_delivered(api, orders, timeout=10.0):
    """Each order answers GET 200 and lists one delivered notification (the record may trail the
    webhook by a moment)."""
    problems = []
    session = requests.Session()
    for order_id in sorted(orders):
        got = session.get(api.url(f"/v1/orders/{order_id}"), timeout=5)
        if got.status_code != 200:
            problems.append(f"acknowledged order {order_id}: GET answers {got.status_code}")
            continue
        deadline = time.monotonic() + timeout
        while True:
            items = session.get(api.url(f"/v1/orders/{order_id}/notifications"), timeout=5).json()["items"]
            if [i["status"] for i in items] == ["delivered"] or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if [i["status"] for i in items] != ["delivered"]:
            problems.append(f"order {order_id} was notified, but its records say {items}")
    return problems


def created_once_per_key(api):
    """No Idempotency-Key created two orders, whatever failed around its retries (note = key)."""
    by_key = Counter(order["note"] for order in list_all(api, "/v1/orders"))
    twice = {key: n for key, n in by_key.items() if n > 1}
    return [f"{len(twice)} Idempotency-Keys created several orders, e.g. {next(iter(twice.items()))}"] if twice else []


def describe_run(load, received, faults, sampler):
    last = max((r["at"] for r in received), default=None)
    after = f"{last - (time.time() - time.monotonic()) - faults.end:.1f}s" if last else "-"
    return (f"{len(load.acknowledged)} orders acknowledged ({load.abandoned} abandoned), {len(load.attempts)} "
            f"attempts {load.status_counts()}, {len(received)} webhooks "
            f"({len(received) - len(delivered(received))} repeats, the last {after} after the faults); "
            + "; ".join(f"{fault} took {end - start:.1f}s, all ready {faults.recovery[fault]}s later, "
                        f"503 from {unready_during(sampler, sampler.cluster, start, end)}"
                        for fault, (start, end) in faults.windows.items()))


def unready_during(sampler, cluster, start, end):
    return [name for name in cluster.processes if 503 in [s[3] for s in sampler.between(name, start, end + 2.0)]]
