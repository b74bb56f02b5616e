"""Retention (issue 12, --retention-days): published outbox events whose deliveries are final, and those
deliveries, are deleted once older than the retention, while orders stay; the freed pages are reused,
so with retention on the file grows by the orders alone. Fractions of a day make the window seconds."""
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from backends import sqlite_only, thousands_through_the_bus
from conftest import create_user, order_payload

pytestmark = sqlite_only

TWO_SECONDS = 2 / 86400  # --retention-days


def counts(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("orders", "outbox", "deliveries")}
    finally:
        con.close()


def file_bytes(db):
    """The database's size in bytes (its WAL's newest pages included) and how much of it is on the free list."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
        return pages * size, con.execute("PRAGMA freelist_count").fetchone()[0] * size
    finally:
        con.close()


def post_orders(srv, user_id, n, threads=8):
    def one(_):
        resp = srv.request("POST", "/v1/orders", json=order_payload(user_id))
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(n)))


def wait_until(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not reached within {timeout}s")
        time.sleep(0.2)


def metric(srv, series):
    for line in srv.get("/metrics").text.splitlines():
        if line.startswith(series + " "):
            return float(line.split(" ")[1])
    return None


def test_done_events_and_deliveries_go_orders_stay(start_server, tmp_path):
    db = tmp_path / "orders.db"
    srv = start_server(db=db, retention_days=TWO_SECONDS, notify_log=str(tmp_path / "notify.log"))
    user = create_user(srv)
    ids = post_orders(srv, user["id"], 300)
    wait_until(lambda: counts(db)["deliveries"] >= 1, what="a delivery record")
    wait_until(lambda: counts(db)["outbox"] == 0 and counts(db)["deliveries"] == 0, what="outbox and deliveries empty")
    assert counts(db)["orders"] == 300
    for order_id in ids[::10]:
        assert srv.get(f"/v1/orders/{order_id}").status_code == 200
    assert metric(srv, 'retention_purged_total{what="events"}') == 301  # the orders' and the user's
    assert metric(srv, 'retention_purged_total{what="deliveries"}') == 300
    # Every order was notified before its records went.
    assert len((tmp_path / "notify.log").read_text().splitlines()) == 300


def test_retention_zero_keeps_everything(start_server, tmp_path):
    db = tmp_path / "orders.db"
    srv = start_server(db=db, retention_days=0, notify_log=str(tmp_path / "notify.log"))
    user = create_user(srv)
    post_orders(srv, user["id"], 50)
    wait_until(lambda: counts(db)["deliveries"] == 50, what="50 delivery records")
    time.sleep(2.5)
    assert counts(db) == {"orders": 50, "outbox": 51, "deliveries": 50}


def growth_per_order(srv, db, user_id, n):
    """Bytes the database grows by per order once the pipeline (and retention) caught up."""
    def settled():
        c = counts(db)
        return c["deliveries"] >= c["orders"] if c["outbox"] > 1 else c["outbox"] == 0

    post_orders(srv, user_id, 200)  # warm up: the tables' first pages
    wait_until(settled, what="pipeline caught up")
    before, _ = file_bytes(db)
    post_orders(srv, user_id, n)
    wait_until(settled, what="pipeline caught up")
    time.sleep(1.5)  # a purge round after the last deletion has run
    after, free = file_bytes(db)
    return (after - before) / n, free


@pytest.mark.slow
@thousands_through_the_bus
def test_with_retention_the_file_grows_by_the_orders_alone(start_server, tmp_path):
    kept = start_server(db=tmp_path / "kept.db", retention_days=0, notify_log=str(tmp_path / "kept.log"))
    kept_growth, _ = growth_per_order(kept, tmp_path / "kept.db", create_user(kept)["id"], 2000)
    purged = start_server(db=tmp_path / "purged.db", retention_days=TWO_SECONDS,
                          notify_log=str(tmp_path / "purged.log"))
    user_id = create_user(purged)["id"]
    first, _ = growth_per_order(purged, tmp_path / "purged.db", user_id, 2000)
    second, free = growth_per_order(purged, tmp_path / "purged.db", user_id, 2000)
    print(f"bytes per order: kept {kept_growth:.0f}, with retention {first:.0f} then {second:.0f}; "
          f"{free} bytes on the free list")
    # Outbox and delivery pages freed by the purge are reused by the next orders' rows.
    assert second < 0.5 * kept_growth, (kept_growth, first, second)
    assert counts(tmp_path / "purged.db")["orders"] == 4400
