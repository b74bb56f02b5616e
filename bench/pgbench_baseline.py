"""The pgbench side of the cluster bench: the service's own SQL, run by pgbench on the same server.

POST's baseline is one transaction per request doing what the service's create does for a
POST /v1/orders without an Idempotency-Key (src/storage/postgres/pg_store.cpp, kCreateOrder): lock the
order's user FOR KEY SHARE, insert the order row and its order.created outbox row, in the service's
real schema (made by `ninja-orders migrate`). The values are those of an order the service itself
wrote (items, total, status, note, the CloudEvent payload with the new ids put in); ids are made like
the service's UUIDv7 (time-ordered, so both insert at the right edge of the primary-key index).
Each pgbench client orders for a user of its own (copies of the service's user, made by
create_owners): 64 transactions locking ONE row FOR KEY SHARE at once would each build a MultiXact of
all the others, a hot-row cost (measured: about 20% of the baseline's TPS) that the service does not
pay, as its batches commit one at a time. The service also ends each of its group-committed batches
with one pg_notify; the baseline does not notify at all, which only makes it faster.

GET's baseline is the service's select of one order by primary key (the same columns, the same row).

pgbench runs with -M prepared (as the service prepares its statements), -n (these are not pgbench's
tables), over TCP to the same loopback address as the service, the password in PGPASSWORD only.
"""

import json
import os
import re
import subprocess

from bench_support import SetupError

# A time-ordered id in UUIDv7 shape: 48 bits of unix milliseconds, then random bits.
_NEW_ID = "substr(ts, 1, 8) || '-' || substr(ts, 9, 4) || '-7' || substr(gen_random_uuid()::text, 16)"

INSERT_SQL = f"""-- POST /v1/orders as the service writes it: one transaction per request (bench/pgbench_baseline.py)
WITH owner AS (SELECT id FROM users WHERE id = :owner_prefix || lpad(:client_id::text, 12, '0') FOR KEY SHARE),
ids AS (SELECT ms, {_NEW_ID} AS order_id, {_NEW_ID} AS event_id
        FROM (SELECT ms, lpad(to_hex(ms), 12, '0') AS ts
              FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms) AS now_ms) AS stamp),
entity AS (INSERT INTO orders (id, user_id, items, currency, total, status, note, created_at)
           SELECT ids.order_id, owner.id, :items, :currency, :total::bigint, :status, :note, ids.ms
           FROM owner, ids RETURNING 1),
event AS (INSERT INTO outbox (event_id, type, subject, payload, created_at)
          SELECT ids.event_id, :event_type, ids.order_id,
                 replace(replace(replace(:payload, :ref_order_id, ids.order_id), :ref_event_id, ids.event_id),
                         :ref_user_id, owner.id), ids.ms
          FROM entity, ids, owner RETURNING 1)
SELECT 1, (SELECT count(*) FROM owner), (SELECT count(*) FROM entity);
"""

SELECT_SQL = """-- GET /v1/orders/{id} as the service reads it (bench/pgbench_baseline.py)
SELECT id, user_id, items, currency, total, status, note, created_at FROM orders WHERE id = :order_id;
"""


def reference_order(pg, database, order_id):
    """The order row and outbox row the service wrote for `order_id`: the values the baseline inserts."""
    if not re.fullmatch(r"[0-9a-f-]{36}", order_id):
        raise SetupError(f"unexpected order id {order_id!r}")
    row = pg.admin_psql(
        "SELECT json_build_object('user_id', o.user_id, 'items', o.items, 'currency', o.currency, 'total', o.total,"
        " 'status', o.status, 'note', o.note, 'event_type', e.type, 'event_id', e.event_id, 'payload', e.payload)"
        f" FROM orders o JOIN outbox e ON e.subject = o.id WHERE o.id = '{order_id}'"
        " AND e.type LIKE '%order.created'", database=database)
    try:
        values = json.loads(row)
    except ValueError:
        raise SetupError(f"order {order_id} or its outbox row not found in PostgreSQL: {row[:300]!r}")
    values["ref_order_id"] = order_id
    values["ref_user_id"] = values["user_id"]
    values["ref_event_id"] = values.pop("event_id")
    values["order_id"] = order_id
    return values


OWNER_PREFIX = "00000000-0000-7000-8000-"  # + the pgbench client id in 12 digits: a UUID in shape


def create_owners(pg, database, user_id, count):
    """`count` copies of the service's user `user_id`, one per pgbench client, for the insert script."""
    if not re.fullmatch(r"[0-9a-f-]{36}", user_id):
        raise SetupError(f"unexpected user id {user_id!r}")
    pg.admin_psql(
        "INSERT INTO users (id, name, email, email_key, phone, notify_channel, webhook_url, webhook_secret,"
        f" created_at) SELECT '{OWNER_PREFIX}' || lpad(n::text, 12, '0'), name, 'pgbench-' || n || '@example.com',"
        " 'pgbench-' || n || '@example.com', phone, notify_channel, webhook_url, webhook_secret, created_at"
        f" FROM users, generate_series(0, {int(count) - 1}) AS n WHERE id = '{user_id}'", database=database)


def baseline_orders(pg, database):
    """How many orders the insert script has written so far (its owners are its own)."""
    return int(pg.admin_psql(f"SELECT count(*) FROM orders WHERE user_id LIKE '{OWNER_PREFIX}%'", database=database))


def write_scripts(tmp):
    paths = {}
    for name, sql in (("insert", INSERT_SQL), ("select", SELECT_SQL)):
        paths[name] = os.path.join(tmp, f"pgbench-{name}.sql")
        with open(paths[name], "w") as f:
            f.write(sql)
    return paths


def variables_for(name, ref):
    keys = ("items", "currency", "total", "status", "note", "event_type", "payload", "ref_order_id",
            "ref_event_id", "ref_user_id") if name == "insert" else ("order_id",)
    variables = {k: ref[k] for k in keys}
    if name == "insert":
        variables["owner_prefix"] = OWNER_PREFIX
    return variables


def run(pgbench, pg, database, script, variables, seconds, clients, threads, log_path):
    """pgbench -M prepared -c CLIENTS -j THREADS -T SECONDS -f SCRIPT; returns its figures."""
    cmd = [pgbench, "-n", "-M", "prepared", "-c", str(clients), "-j", str(threads), "-T", str(seconds),
           "-f", script, "-h", pg.host, "-p", str(pg.port), "-U", "ninja"]
    for key, value in variables.items():
        cmd += ["-D", f"{key}={'' if value is None else value}"]
    cmd.append(database)
    env = {**os.environ, "PGPASSWORD": pg.password, "PGCONNECT_TIMEOUT": "10"}
    try:
        cp = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                            timeout=seconds + 120)
    except FileNotFoundError:
        raise SetupError(f"pgbench not found ({pgbench}); install the Debian package postgresql "
                         "or set BENCH_PGBENCH")
    except subprocess.TimeoutExpired:
        raise SetupError(f"pgbench ({os.path.basename(script)}) did not finish")
    with open(log_path, "w") as f:  # the command line has no password: it is in the environment only
        f.write(" ".join(cmd) + "\n\n" + cp.stdout + "\n" + cp.stderr)
    result = parse(cp.stdout)
    if cp.returncode != 0 or result is None:
        raise SetupError(f"pgbench ({os.path.basename(script)}) exited with {cp.returncode}:\n"
                         f"{cp.stdout[-1500:]}\n{cp.stderr[-1500:]}")
    return result


def parse(stdout):
    tps = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", stdout, re.M)
    done = re.search(r"^number of transactions actually processed: (\d+)", stdout, re.M)
    if not tps or not done:
        return None
    failed = re.search(r"^number of failed transactions: (\d+)", stdout, re.M)
    latency = re.search(r"^latency average = ([0-9.]+) ms", stdout, re.M)
    return {
        "tps": float(tps.group(1)),
        "transactions": int(done.group(1)),
        "failed": int(failed.group(1)) if failed else 0,
        "latency_avg_ms": float(latency.group(1)) if latency else None,
    }
