"""Fixtures and helpers for the black-box end-to-end tests of the ninja-orders binary.

Every server is started as `ninja-orders serve --listen 127.0.0.1:0 --store <the test's store>` (SQLite
file in the test's temp dir by default; see backends.py for PostgreSQL and NATS),
its stderr (one JSON object per line, see docs/CONVENTIONS.md) is collected by a background thread, and on
teardown it must exit 0 after SIGTERM without any sanitizer report and without having answered 5xx
(503 aside, which is the documented "not ready / draining" answer).

Every response a test gets from such a server through `requests` is checked against the server's own
/openapi.json (contract_hook.py): a response the document does not describe fails the test that asked for
it. NINJA_E2E_CONTRACT=0 turns that off (to debug something else).
"""
import os
import subprocess
import uuid

import pytest

from backends import STORE, BUS, bus_args, sqlite_only, store_url  # noqa: F401
from external_service import EXTERNAL_URL, ExternalService
from e2e_server import (BIN, CONTRACT, LISTEN_RE, READY_TIMEOUT, STOP_TIMEOUT, Server,  # noqa: F401
                            flag_args, launch, require_binary, teardown_problems)
from checks import (ORDER_KEYS, TIME_RE, USER_KEYS, UUID7_RE, assert_json, assert_problem,  # noqa: F401
                    describe, error_fields, list_all, media_type, parse_time, uuid7_millis)

def cli(*args, db, timeout=30):
    """Runs an admin command of the binary on the store of the test database `db`."""
    if EXTERNAL_URL:
        pytest.skip("runs an admin command on the store: not with NINJA_E2E_URL")
    return subprocess.run([BIN, *args, "--store", store_url(db)], capture_output=True, text=True, timeout=timeout)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that takes seconds (runs by default)")
    config.addinivalue_line("markers", "crash: kills the server with SIGKILL (runs by default)")
    if os.environ.get("NINJA_E2E_CONTRACT", "1") != "0":
        CONTRACT.install()


def pytest_unconfigure(config):
    CONTRACT.uninstall()


def pytest_terminal_summary(terminalreporter):
    if CONTRACT.judged:
        terminalreporter.write_line(f"contract: {CONTRACT.judged} responses checked against the served /openapi.json")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        item.call_failed = outcome.get_result().failed


@pytest.fixture(autouse=True)
def _contract_violations_fail_the_test(request):
    """A response that broke the document fails its test, even from a worker thread or when the test
    caught the ContractViolation (if the test failed on it already, it is not reported twice)."""
    CONTRACT.take_violations()
    yield
    found = CONTRACT.take_violations()
    unseen = [message for message, raised in found if not (raised and getattr(request.node, "call_failed", False))]
    if unseen:
        pytest.fail("\n\n".join(unseen), pytrace=False)


@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(db=None, args=(), env=None, store=True, wait_ready=True, **flags).

    flags become `--flag-name value`; db defaults to <tmp_path>/orders.db so repeated calls in one test
    reuse the same database file (restarts)."""
    if EXTERNAL_URL:
        pytest.skip("starts a server of its own: not with NINJA_E2E_URL")
    started = []

    def _start(db=None, args=(), env=None, store=True, wait_ready=True, **flags):
        srv = launch(db or tmp_path / "orders.db", list(args) + flag_args(flags), env, store, wait_ready)
        started.append(srv)
        return srv

    yield _start
    problems = []
    for srv in started:
        problems += teardown_problems(srv)
    assert not problems, "\n\n".join(problems)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server shared by all tests of a module (fresh database per module), or the service at
    NINJA_E2E_URL."""
    if EXTERNAL_URL:
        service = ExternalService()
        CONTRACT.register(service.base_url)
        yield service
        CONTRACT.unregister(service.base_url)
        service.close()
        return
    srv = launch(tmp_path_factory.mktemp("shared") / "orders.db")
    yield srv
    problems = teardown_problems(srv)
    assert not problems, "\n\n".join(problems)


@pytest.fixture(autouse=True)
def _revive_shared_server(request):
    """If the module's shared server dies during a test, that test errors with the evidence and the
    server is restarted on the same database so the rest of the module still tests something."""
    if "server" not in request.fixturenames or EXTERNAL_URL:
        yield
        return
    srv = request.getfixturevalue("server")
    if srv.proc.poll() is not None:  # died in a fixture or earlier teardown
        srv.revive(f"died before {request.node.nodeid}")
    yield
    if srv.proc.poll() is not None and not srv.killed:
        srv.revive(f"died during {request.node.nodeid}")
        pytest.fail(f"shared server died during this test (restarted for the next ones):\n{srv.deaths[-1]}")


@pytest.fixture
def fresh_server(start_server):
    """A server with an empty database for this test only."""
    return start_server()


# ---- API helpers -------------------------------------------------------------------------------
def unique_email(prefix="user"):
    return f"{prefix}-{uuid.uuid4().hex[:16]}@example.com"


def user_payload(**overrides):
    body = {"name": "Test User", "email": unique_email()}
    body.update(overrides)
    return body


def create_user(srv, **overrides):
    resp = srv.post("/v1/users", json=user_payload(**overrides))
    assert resp.status_code == 201, describe(resp)
    return resp.json()


def order_payload(user_id, items=None, **overrides):
    body = {"user_id": user_id,
            "items": items if items is not None else [{"sku": "SKU-1", "quantity": 2, "unit_price": 1250}]}
    body.update(overrides)
    return body


def create_order(srv, user_id, items=None, **overrides):
    resp = srv.post("/v1/orders", json=order_payload(user_id, items, **overrides))
    assert resp.status_code == 201, describe(resp)
    return resp.json()
