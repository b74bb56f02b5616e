"""Fixtures for tests that run a Lambda runtime on the Runtime API emulator (runtime_api.py).

`emulator` is a RuntimeEmulator in the test's tmp_path, closed (runtime killed) after the test; when the
test fails, the runtime's stdout and stderr tails are added to the report.
"""
import sys
from pathlib import Path

import pytest

from runtime_api import RuntimeEmulator

FAKE_RUNTIME = Path(__file__).resolve().with_name("fake_runtime.py")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    emulator = getattr(item, "lambda_emulator", None)
    if emulator is not None and report.failed:
        report.sections.append(("lambda runtime", emulator.logs()))


@pytest.fixture
def emulator(request, tmp_path):
    with RuntimeEmulator(workdir=tmp_path / "emulator") as emu:
        request.node.lambda_emulator = emu
        yield emu


@pytest.fixture
def fake_runtime():
    """The command of the Python fake runtime, for spawn()."""
    return [sys.executable, str(FAKE_RUNTIME)]
