"""Which store and bus the end-to-end suite runs the binary on.

NINJA_E2E_STORE = sqlite (default) | postgres | dynamodb (on moto: NINJA_TEST_MOTO_URL, a table prefix per
database file, any keys), NINJA_E2E_BUS = inproc (default) | nats. The servers
themselves are started by tests/servers/with-servers, which exports NINJA_TEST_POSTGRES_URL and
NINJA_TEST_NATS_URL (`make e2e-cluster`). Each database file a test names (`tmp_path / "x.db"`) maps to
its own PostgreSQL database and its own NATS subject prefix, so restarts of "the same database" find
their data, and tests never see each other's. Tests check state through the API and the CLI; the few
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
if STORE == "dynamodb":  # moto takes any keys; the binary reads them from the standard chain
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIDE2ETEST")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "e2e-test-secret")
if BUS not in ("inproc", "nats"):
    raise RuntimeError(f"NINJA_E2E_BUS={BUS!r}: expected inproc or nats")

sqlite_only = pytest.mark.skipif(STORE != "sqlite", reason="about the SQLite file itself")
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


def store_url(db_path):
    """The --store URL for the test database `db_path`."""
    if STORE == "postgres":
        return _postgres_database(db_path)
    if STORE == "dynamodb":
        return f"dynamodb://us-east-1?endpoint={_server_url('NINJA_TEST_MOTO_URL', 'store')}&prefix={_name(db_path)}_"
    return f"sqlite:{db_path}"


def bus_args(db_path):
    """The --bus flag for the test database `db_path` (nothing for the default in-process bus)."""
    if BUS == "nats":
        return ["--bus", f"{_server_url('NINJA_TEST_NATS_URL', 'bus')}?prefix={_name(db_path)}."]
    return []
