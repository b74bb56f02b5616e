"""What the admin API's e2e tests share: an admin key file, webhook users whose receiver fails until
their notification is dead, and waiting for a notification's status through /v1."""
import secrets

from conftest import create_order, create_user
from test_notifications import notifications, wait_status  # noqa: F401 (the admin tests use them)

FAST_DEATH = {"webhook_allow_private": True, "max_attempts": 2, "retry_base_ms": 50, "retry_max_ms": 200}


def admin_key_file(tmp_path, key=None):
    """(path, key): a file holding one admin key, as `--admin-key-file` reads it."""
    key = key or secrets.token_hex(32)
    path = tmp_path / "admin.key"
    path.write_text(key + "\n", encoding="utf-8")
    return path, key


def dead_order(srv, receiver, name):
    """An order whose webhook notification is dead: the receiver answers 500 to both attempts
    (FAST_DEATH allows two), then 200 to whatever comes next (a replay). (user, order, dead item)."""
    user = create_user(srv, notify_channel="webhook", webhook_url=receiver.url("/" + name))
    receiver.expect(name, user["webhook_secret"], [500, 500])
    order = create_order(srv, user["id"])
    return user, order, wait_status(srv, order["id"], "dead")
