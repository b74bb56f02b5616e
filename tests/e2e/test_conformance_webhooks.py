"""Webhook deliveries and outbox events judged by the ecosystem's own packages (issue 13 §3), beside the
project's own check in receivers.py: the official `standardwebhooks` and `svix` verifiers accept every
delivery and refuse a tampered body or another secret; the `cloudevents` SDK accepts every webhook body
and every outbox row as a CloudEvent (tests/conformance/verify-webhook.mjs)."""
import base64
import json
import sqlite3

from conformance_tools import node_json, require_node_modules
from conftest import create_order, create_user, sqlite_only
from receivers import WebhookReceiver

PACKAGES = ("standardwebhooks", "svix", "cloudevents")


def judge(secret, deliveries=(), events=()):
    payload = {"secret": secret,
               "deliveries": [{"headers": d["headers"], "body_base64": base64.b64encode(d["body"]).decode()}
                              for d in deliveries],
               "events": list(events)}
    return node_json("verify-webhook.mjs", stdin=json.dumps(payload))


def test_deliveries_verify_with_standardwebhooks_and_svix_and_are_cloudevents(start_server):
    require_node_modules(*PACKAGES)
    receiver = WebhookReceiver()
    try:
        srv = start_server(webhook_allow_private=True, retry_base_ms=50, retry_max_ms=200)
        user = create_user(srv, notify_channel="webhook", webhook_url=receiver.url("/hook"))
        receiver.expect("hook", user["webhook_secret"], [503])  # a retry: the same id, signed again
        orders = [create_order(srv, user["id"]) for _ in range(2)]
        seen = receiver.wait_for(lambda got: sum(r["status"] == 200 for r in got) == 2)
        other = create_user(srv, notify_channel="webhook", webhook_url=receiver.url("/other"))
    finally:
        receiver.close()
    assert len(seen) == 3 and all(r["verified"] for r in seen), seen  # the project's own check

    report = judge(user["webhook_secret"], deliveries=seen)["deliveries"]
    by_order = {o["id"]: o for o in orders}
    for delivery, verdict in zip(seen, report):
        assert verdict["standardwebhooks"] == "ok", verdict
        assert verdict["svix"] == "ok", verdict
        assert verdict["tampered"] not in ("ok", "not tampered"), verdict
        # The documented Content-Type decision: application/json, the CloudEvent in the body.
        assert delivery["headers"]["content-type"] == "application/json"
        assert verdict["binary_mode_event"] is False, "headers would make it a binary-mode CloudEvent"
        event = verdict["cloudevent"]
        assert "error" not in event, event
        assert event["specversion"] == "1.0" and event["type"] == "ninja.order.created"
        assert event["source"] == "/v1/orders" and event["datacontenttype"] == "application/json"
        assert event["id"] == delivery["headers"]["webhook-id"] and event["subject"] in by_order
        assert event["data_is_object"] is True
    assert {v["cloudevent"]["subject"] for v in report} == set(by_order)

    wrong_secret = judge(other["webhook_secret"], deliveries=seen[:1])["deliveries"][0]
    assert wrong_secret["standardwebhooks"] != "ok" and wrong_secret["svix"] != "ok", wrong_secret


@sqlite_only
def test_every_outbox_event_is_a_cloudevent_to_the_sdk(fresh_server):
    require_node_modules("cloudevents")
    user = create_user(fresh_server, notify_channel="none")
    order = create_order(fresh_server, user["id"])
    assert fresh_server.delete(f"/v1/orders/{order['id']}").status_code == 204
    assert fresh_server.delete(f"/v1/users/{user['id']}").status_code == 204
    conn = sqlite3.connect(f"file:{fresh_server.db_path}?mode=ro", uri=True)
    try:
        rows = [payload for (payload,) in conn.execute("SELECT payload FROM outbox ORDER BY seq")]
    finally:
        conn.close()
    broken = json.dumps({k: v for k, v in json.loads(rows[0]).items() if k != "source"})  # the SDK can say no
    verdicts = judge("whsec_", events=rows + [broken])["events"]
    *events, refused = verdicts
    assert "error" in refused, refused
    assert [e.get("error") for e in events] == [None] * 4, events
    assert [e["type"] for e in events] == ["ninja.user.created", "ninja.order.created", "ninja.order.deleted",
                                           "ninja.user.deleted"]
    assert [e["subject"] for e in events] == [user["id"], order["id"], order["id"], user["id"]]
