"""A small file system of its own for a test: a tmpfs of a few MiB, and a filler that takes all its free
space, so the database on it cannot grow (what a full disk looks like to SQLite: ENOSPC).

Mounting needs root (CAP_SYS_ADMIN). Without it the test skips with the reason, except in CI
(CI=true), where a missing capability is a failure: the behaviour it proves must not go untested.
"""
import os
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs mounted on a fresh directory; unmounted afterwards."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        reason = f"cannot mount a tmpfs for the full-disk test: {done.stderr.strip() or done.returncode}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: this test must run; run it as root)")
        pytest.skip(reason)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


def fill(directory, name="filler"):
    """Writes a file in `directory` until the file system has no byte left; returns its path."""
    path = Path(directory) / name
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as out:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    out.write(chunk[:size])
            except OSError:
                continue  # no room for this chunk: try a smaller one, down to the last byte
    return path


def free_bytes(directory):
    stats = os.statvfs(directory)
    return stats.f_bavail * stats.f_frsize
