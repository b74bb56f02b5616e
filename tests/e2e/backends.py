"""Which store and bus the end-to-end suite runs the binary on.

NINJA_E2E_STORE = sqlite (default) | postgres | dynamodb, NINJA_E2E_BUS = inproc (default) | nats | sns. The
servers themselves are started by tests/servers/with-servers, which exports NINJA_TEST_POSTGRES_URL,
NINJA_TEST_NATS_URL and NINJA_TEST_MOTO_URL (`make e2e-cluster`, `make e2e-aws`). Each database file a
test names (`tmp_path / "x.db"`) maps to its own PostgreSQL database and its own NATS subject prefix or
SNS/SQS name prefix, so restarts of "the same database" find their data, and tests never see each other's. Tests check state through the API and the CLI; the few
that are about the SQLite file itself are marked `sqlite_only`.
"""
import hashlib
import os
import subprocess
from urllib.parse import urlsplit, urlunsplit

import pytest

STORE = os.environ.get("NINJA_E2E_STORE", "sqlite")
BUS = os.environ.get("NINJA_E2E_BUS", "inproc")
if STORE not in ("sqlite", "postgres", "dynamodb"):
    raise RuntimeError(f"NINJA_E2E_STORE={STORE!r}: expected sqlite, postgres or dynamodb")
if BUS not in ("inproc", "nats", "sns"):
    raise RuntimeError(f"NINJA_E2E_BUS={BUS!r}: expected inproc, nats or sns")

sqlite_only = pytest.mark.skipif(STORE != "sqlite", reason="about the SQLite file itself")
# moto's SNS and SQS carry about a hundred events a second here (AWS far more): tests that push
# thousands through the pipeline to look at something else (the file's growth) would only wait.
thousands_through_the_bus = pytest.mark.skipif(
    BUS == "sns", reason="pushes thousands of events through the bus; moto relays ~100 a second")
_created = set()


def _server_url(variable, what):
    url = os.environ.get(variable, "")
    if not url:
        pytest.fail(f"NINJA_E2E_{what.upper()} asks for a server but {variable} is not set "
                    "(run the suite through tests/servers/with-servers, e.g. `make e2e-cluster`)")
    return url


def _name(db_path):
    return "e2e_" + hashlib.sha1(str(db_path).encode()).hexdigest()[:20]


def _postgres_database(db_path):
    """The URL of the database standing for `db_path`, created on first use."""
    base = _server_url("NINJA_TEST_POSTGRES_URL", "store")
    name = _name(db_path)
    if name not in _created:
        done = subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {name}"],
                              capture_output=True, text=True, timeout=30)
        if done.returncode != 0 and "already exists" not in done.stderr:
            pytest.fail(f"could not create database {name}: {done.stderr.strip()}")
        _created.add(name)
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _moto_url(db_path, scheme, what):
    """A dynamodb:// or sns:// URL on moto, its names under a prefix of `db_path`'s own."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "e2e")  # moto takes any credentials
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "e2e")
    endpoint = _server_url("NINJA_TEST_MOTO_URL", what)
    return f"{scheme}://us-east-1?endpoint={endpoint}&prefix={_name(db_path)}-"


def store_url(db_path):
    """The --store URL for the test database `db_path`."""
    if STORE == "postgres":
        return _postgres_database(db_path)
    if STORE == "dynamodb":
        return _moto_url(db_path, "dynamodb", "store")
    return f"sqlite:{db_path}"


def bus_args(db_path):
    """The --bus flag for the test database `db_path` (nothing for the default in-process bus)."""
    if BUS == "nats":
        return ["--bus", f"{_server_url('NINJA_TEST_NATS_URL', 'bus')}?prefix={_name(db_path)}."]
    if BUS == "sns":
        return ["--bus", _moto_url(db_path, "sns", "bus")]
    return []
