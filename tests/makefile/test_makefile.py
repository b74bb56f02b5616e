"""The newcomer's path through the Makefile: `make run` builds only the binary it runs, and `make help`
lists every target a developer may type."""
import os
import re
import subprocess

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def make(*args):
    # -n: print the recipes without running them; .deps-installed is satisfied by pretending.
    return subprocess.run(["make", "-n", "-C", ROOT, "-W", ".deps-installed", *args], capture_output=True,
                          text=True, timeout=60)


def test_make_run_builds_only_the_binary():
    out = make("run", "BUILD_DIR=/nonexistent-build").stdout
    builds = [line for line in out.splitlines() if line.startswith("cmake --build")]
    assert builds, out
    assert all("--target ninja-orders" in line for line in builds), builds


def test_make_help_lists_every_target():
    text = open(os.path.join(ROOT, "Makefile")).read()
    phony = re.search(r"^\.PHONY:(.*)$", text, re.M).group(1).split()
    listed = subprocess.run(["make", "-s", "-C", ROOT, "help"], capture_output=True, text=True, timeout=60).stdout
    names = {line.split()[1] for line in listed.splitlines() if line.strip().startswith("make ")}
    missing = [t for t in phony if not t.startswith(".") and t not in names]
    assert not missing, f"targets without a comment line for make help: {missing}"
