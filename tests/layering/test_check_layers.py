"""The layering check itself: it must pass on src/ and fail on the shapes it exists to catch."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_layers  # noqa: E402

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")


def write(root, path, text=""):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)


def test_the_source_tree_passes():
    assert check_layers.check(SRC) == []


def test_a_folder_cycle_is_found(tmp_path):
    write(tmp_path, "domain/store.hpp", '#include "events/event.hpp"\n')
    write(tmp_path, "events/event.hpp")
    write(tmp_path, "events/nats/bus.cpp", '#include "domain/errors.hpp"\n')
    write(tmp_path, "domain/errors.hpp")
    problems = check_layers.check(str(tmp_path))
    assert any(p.startswith("folder cycle: ") and "domain" in p and "events" in p for p in problems), problems


def test_a_backend_named_outside_the_factories_is_found(tmp_path):
    write(tmp_path, "storage/postgres/pg_store.hpp")
    write(tmp_path, "storage/open_storage.cpp", '#include "storage/postgres/pg_store.hpp"\n')
    assert check_layers.check(str(tmp_path)) == []
    write(tmp_path, "app/serve.cpp", '#include "storage/postgres/pg_store.hpp"\n')
    write(tmp_path, "events/outbox_relay.cpp", '#include "storage/postgres/pg_store.hpp"\n')
    problems = check_layers.check(str(tmp_path))
    assert any("app/serve.cpp" in p for p in problems), problems
    assert any("events/outbox_relay.cpp" in p for p in problems), problems


def test_system_and_missing_headers_are_ignored(tmp_path):
    write(tmp_path, "http/server.cpp", '#include "boost/asio.hpp"\n#include <vector>\n')
    assert check_layers.check(str(tmp_path)) == []
