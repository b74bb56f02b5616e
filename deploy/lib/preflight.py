"""What local-cluster checks before it starts anything, so a missing piece is one clear line (and exit
code 3) rather than a half-started cluster: the binary's backends. The servers' own binaries are
checked by constructing PostgresServer and NatsServer, nginx by find_nginx()."""
import os
import subprocess
import tempfile

# Port 1 on loopback: nothing listens there, so a binary that has the backend fails to connect at
# once, and one that lacks it refuses the URL itself.
UNREACHABLE = "127.0.0.1:1"


class Missing(RuntimeError):
    """A prerequisite is missing: the message says which and how to get it."""


def _run(argv, timeout=10):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PG") and not key.startswith("NINJA_ORDERS_")}
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return ""   # it tried to connect for a long time: it knows the scheme
    return done.stdout + done.stderr


def check_binary(binary, store):
    """Raises Missing when `binary` lacks the PostgreSQL store (if store == "postgres") or the NATS bus."""
    if store == "postgres":
        output = _run([binary, "migrate", "--store", f"postgresql://probe@{UNREACHABLE}/probe"])
        if "unknown store URL" in output:
            raise Missing(f"{binary} has no PostgreSQL store backend (it refuses postgresql:// URLs): build "
                          "it from a tree that has one, or try --store sqlite")
    with tempfile.TemporaryDirectory(prefix="ninja-probe-") as scratch:
        output = _run([binary, "serve", "--roles", "relay", "--listen", "127.0.0.1:0", "--store",
                       f"sqlite:{scratch}/probe.db", "--bus", f"nats://{UNREACHABLE}"], timeout=5)
    if "unknown bus URL" in output:
        raise Missing(f"{binary} has no NATS bus backend (it refuses nats:// URLs): build it from a tree "
                      "that has one")
