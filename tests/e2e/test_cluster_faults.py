"""The self-hosted cluster survives faults (issue 9, point 5).

Two API processes, two relays and two notifiers share one private PostgreSQL and one private
nats-server and notify webhook users at a signature-verifying receiver. While clients create orders
through both APIs, one process of each role is killed with SIGKILL (and started again, as a supervisor
would), nats-server is restarted and PostgreSQL crashes (`pg_ctl restart -m immediate`). Afterwards:
every order acknowledged with 201 is stored and notified with one webhook-id, nothing answered other
than 2xx/4xx or 503 or took longer than --request-timeout, every process that was not killed is the
same process and became ready again by itself, and /readyz went 503 during the PostgreSQL outage.

A second test holds a single API process against a PostgreSQL that goes silent (SIGSTOP) and then
down (SIGKILL): requests in flight get 503 problem+json within --request-timeout, never a hang, and
the process serves again within seconds. A third pins down one way the first can lose an order: an
OrderCreated that reaches a notifier while PostgreSQL is down.
"""
import json
import os
import re
import signal
import statistics
import time

import pytest
import requests

from cluster_processes import (OrderLoad, ReadinessSampler, ServerError, require_cluster_binary,
                              signal_postgres, start_private_servers)
from conftest import create_order, create_user
from fault_checks import (KILLED, LOAD_BETWEEN_FAULTS, RECOVERY, TWO_OF_EACH_ROLE, Faults, client_problems,
                          created_once_per_key, delivered, describe_run, notification_problems, process_problems,
                          stored_and_delivered, unready_during, webhook_users)
from fault_checks import cluster_factory, webhooks  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.crash]

REQUEST_TIMEOUT_MS = 2000
LATE = REQUEST_TIMEOUT_MS / 1000 + 1.5   # an answer after this came past --request-timeout
DELIVERY_BOUND = 45.0                    # s after the last fault (JetStream's AckWait is 30 s)


@pytest.fixture
def servers(tmp_path):
    pg, nats = start_private_servers(tmp_path)
    yield pg, nats
    nats.stop()
    pg.kill()   # a throwaway cluster: no shutdown checkpoint to wait for (seconds on a busy disk)
    pg.stop()


def cluster_args(store, bus):
    """Flags every process of a cluster gets: fast retries with many attempts, so an outage of a few
    seconds kills no notification; a claim of a killed notifier lapses after 1 + 5 s."""
    return [str(arg) for arg in (
        "--store", store, "--bus", bus, "--request-timeout", REQUEST_TIMEOUT_MS, "--threads", 1,
        "--webhook-allow-private", "--retry-base-ms", 50, "--retry-max-ms", 500, "--max-attempts", 200,
        "--notify-timeout-ms", 1000, "--shutdown-grace", 5)]


def notified(received, order_id):
    return any(json.loads(r["body"]).get("subject") == order_id and r["status"] == 200 for r in received)




def test_the_cluster_loses_nothing_through_kill_9_and_server_restarts(servers, webhooks, cluster_factory):
    pg, nats = servers
    store = pg.create_database("faults")
    bus = f"{nats.url}?prefix=faults"
    require_cluster_binary(store, bus)
    cluster = cluster_factory(cluster_args(store, bus), TWO_OF_EACH_ROLE)
    apis = [cluster["api-a"], cluster["api-b"]]
    users = webhook_users(apis, webhooks, 6)

    faults = Faults(cluster)
    with ReadinessSampler(cluster, interval=0.05) as sampler, OrderLoad(apis, users, threads=6, late=LATE) as load:
        load.wait_acknowledged(30, timeout=10)
        time.sleep(LOAD_BETWEEN_FAULTS)
        with sampler.expecting_down(KILLED):
            faults.inject("kill -9", lambda: cluster.kill_and_restart(KILLED))
        faults.inject("nats restart", nats.restart)
        faults.inject("postgres restart", lambda: pg.restart("immediate"))
        load.stop()

    problems = process_problems(cluster, sampler, faults, KILLED) + readiness_problems(cluster, sampler, faults)
    problems += client_problems(load, apis, faults, "api-a")
    received, notify_problems = notification_problems(webhooks, set(load.acknowledged), faults, DELIVERY_BOUND)
    if notify_problems:
        problems += notify_problems
        lost = sorted(set(load.acknowledged) - delivered(received))[:5]
        problems.append(diagnose_orders(cluster, pg, "faults", nats, lost, time.time() - time.monotonic()))
    problems += stored_and_delivered(apis[1], set(load.acknowledged) & delivered(received))
    problems += created_once_per_key(apis[1])
    summary = describe_run(load, received, faults, sampler)
    print("\n" + summary)
    assert not problems, summary + "\n" + "\n".join(problems[:60])


def readiness_problems(cluster, sampler, faults):
    """/readyz went 503 during the PostgreSQL outage (every process) and the NATS outage (the bus users)."""
    problems = []
    for fault, names in (("postgres restart", list(cluster.processes)),
                         ("nats restart", ["relay-a", "relay-b", "notifier-a", "notifier-b"])):
        start, end = faults.windows[fault]
        for name in sorted(set(names) - set(unready_during(sampler, cluster, start, end))):
            seen = [s[3] for s in sampler.between(name, start, end + 2.0)]
            problems.append(f"{name}: /readyz never 503 during {fault} ({len(seen)} samples: "
                            f"{sorted(set(map(str, seen)))})")
    return problems


def diagnose_orders(cluster, pg, database, nats, order_ids, wall_offset):
    """What the outbox, the delivery table, JetStream and the processes' logs know of these orders: the
    evidence a failure message needs to tell where a notification was lost."""
    lines = []
    ids = ",".join("'" + order_id.replace("'", "") + "'" for order_id in order_ids)
    for sql in (f"SELECT subject, event_id, seq, created_at, published_at, claimed_by, claimed_until FROM outbox "
                f"WHERE subject IN ({ids}) ORDER BY seq",
                f"SELECT order_id, event_id, status, attempts, last_error, updated_at, delivered_at, claimed_by "
                f"FROM deliveries WHERE order_id IN ({ids})"):
        try:
            lines.append(sql.split(" FROM ")[1].split()[0] + ":\n  "
                         + (pg.admin_psql(sql, database=database).replace("\n", "\n  ") or "(no rows)"))
        except ServerError as error:
            lines.append(f"{sql}: {error}")
    try:
        jsz = nats.monitor("/jsz?streams=true&consumers=true")
        for account in jsz.get("account_details", []):
            for stream in account.get("stream_detail", []):
                lines.append(f"stream {stream['name']}: {stream.get('state')}")
                for consumer in stream.get("consumer_detail", []):
                    keys = ("num_pending", "num_ack_pending", "num_redelivered", "num_waiting", "delivered", "ack_floor")
                    lines.append(f"  consumer {consumer['name']}: " + str({k: consumer.get(k) for k in keys}))
    except (OSError, ValueError) as error:
        lines.append(f"nats monitor: {error}")
    events = set()
    for line in lines:
        events.update(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", line))
    for process in cluster.values():
        with process._cond:
            logged = [line for line in process.lines if any(e in line for e in events | set(order_ids))]
        lines += [f"[{process.name}] {line}" for line in logged[:10]]
    lines.append(f"(wall clock = monotonic + {wall_offset:.3f})")
    return "\n".join(lines)


@pytest.fixture
def postgres(tmp_path):
    pg, _ = start_private_servers(tmp_path, nats=False)
    yield pg
    pg.kill()   # also ends a server a failed test left stopped (SIGSTOP)
    pg.stop()


def test_requests_during_a_postgres_outage_get_503_within_the_request_timeout(postgres, cluster_factory):
    pg = postgres
    store = pg.create_database("outage")
    require_cluster_binary(store)
    cluster = cluster_factory(["--store", store, "--bus", "inproc", "--request-timeout", str(REQUEST_TIMEOUT_MS)],
                              {"api": ["--roles", "api", "--threads", "1"]})
    api = cluster["api"]
    phases = {}   # name -> (fault start, repaired, seconds until ready again)
    late_readyz = []
    faults = {"silent": (lambda: signal_postgres(pg, signal.SIGSTOP), lambda: signal_postgres(pg, signal.SIGCONT)),
              "down": (pg.kill, pg.start)}
    with OrderLoad([api], [create_user(api)], threads=4, late=LATE, reads=True) as load:
        load.wait_acknowledged(20, timeout=10)
        for phase, (fault, repair) in faults.items():
            start = time.monotonic()
            fault()
            time.sleep(0.5)
            asked = time.monotonic()
            readyz = requests.get(api.url("/readyz"), timeout=LATE + 2.5)   # a hang fails here
            readyz_took = time.monotonic() - asked
            time.sleep(max(0.0, start + REQUEST_TIMEOUT_MS / 1000 + 1.0 - time.monotonic()))
            repair()
            repaired = time.monotonic()
            phases[phase] = (start, repaired, cluster.wait_all_ready(RECOVERY))
            if readyz.status_code != 503 or readyz_took > LATE:
                late_readyz.append(f"{phase}: /readyz answered {readyz.status_code} after {readyz_took:.2f}s "
                                     "while PostgreSQL was out")
            load.wait_acknowledged(len(load.acknowledged) + 5, timeout=RECOVERY)
        load.stop()

    problems = list(load.failures) + late_readyz
    problems += [f"connection error at +{t - load.started:.1f}s: {e}" for t, _, e in load.connection_errors]
    report = []
    for phase, (start, repaired, ready) in phases.items():
        during = [a for a in load.attempts if a["t"] <= repaired and a["t"] + a["duration"] >= start]
        unavailable = [a["duration"] for a in during if a["status"] == 503]
        if not unavailable:
            problems.append(f"{phase}: no request got 503 while PostgreSQL was {phase}: "
                            f"{sorted({str(a['status']) for a in during})}")
        if ready is None:
            problems.append(f"{phase}: /readyz not 200 within {RECOVERY}s after PostgreSQL came back")
        if not any(a["status"] == 201 and repaired <= a["t"] <= repaired + RECOVERY for a in load.attempts):
            problems.append(f"{phase}: no 201 within {RECOVERY}s after PostgreSQL came back")
        report.append(f"{phase}: {len(unavailable)} × 503 (median "
                      f"{statistics.median(unavailable) if unavailable else 0:.2f}s, max "
                      f"{max(unavailable, default=0):.2f}s), ready again after {ready}s")
    if api.proc.pid != api.first_pid or not api.alive():
        problems.append("the API process did not survive the outages")
    summary = "; ".join(report) + f"; {len(load.attempts)} attempts {load.status_counts()}"
    print("\n" + summary)
    assert not problems, summary + "\n" + "\n".join(problems[:60])


def test_an_event_that_reaches_the_notifier_while_postgres_is_down_is_not_lost(servers, webhooks, cluster_factory):
    """The notifier reads the order's user from the store when an OrderCreated arrives. If the store is
    down at that moment, the event must stay on the bus (or reach the delivery table later), not be
    acknowledged and forgotten. A stopped notifier (SIGSTOP) lets the relay publish while it cannot
    take the event; PostgreSQL goes down before it wakes."""
    pg, nats = servers
    store, bus = pg.create_database("intake"), f"{nats.url}?prefix=intake"
    require_cluster_binary(store, bus)
    cluster = cluster_factory(cluster_args(store, bus), {
        "api": ["--roles", "api"], "relay": ["--roles", "relay"], "notifier": ["--roles", "notifier"]})
    user = create_user(cluster["api"], notify_channel="webhook", webhook_url=webhooks.url("/late"))
    webhooks.expect("late", user["webhook_secret"])
    notifier = cluster["notifier"].proc.pid
    os.kill(notifier, signal.SIGSTOP)
    try:
        order = create_order(cluster["api"], user["id"])
        deadline = time.monotonic() + 10
        published = f"SELECT published_at IS NOT NULL FROM outbox WHERE subject = '{order['id']}'"
        while pg.admin_psql(published, database="intake") != "t":
            assert time.monotonic() < deadline, "the relay did not publish the order's event within 10 s"
            time.sleep(0.05)
        pg.kill()
    finally:
        os.kill(notifier, signal.SIGCONT)
    time.sleep(2.0)   # the notifier takes the event from the bus while the store refuses connections
    pg.start()
    received = webhooks.wait_for(lambda r: notified(r, order["id"]), timeout=15)
    assert notified(received, order["id"]), (
        "the order's notification was lost: an event taken from the bus while PostgreSQL was down\n"
        + diagnose_orders(cluster, pg, "intake", nats, [order["id"]], time.time() - time.monotonic()))
