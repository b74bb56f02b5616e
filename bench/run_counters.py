"""Counters read around each run of the cluster bench, to say where the time went: CPU seconds of
PostgreSQL (postmaster, live backends, and the backends that ended: the postmaster reaps them, so their
time is in its cutime/cstime), of the service processes, of the load generator (wrk or pgbench: the
children this process reaped meanwhile) and of the whole machine (/proc/stat), so that what others ran
on the machine shows; and the WAL written and the service's group commits (see SERVER_SQL).
"""

import os
import resource
import time

_TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rindex(")") + 2:].split()  # fields from 3 on (state); the name may hold spaces


def _cpu_of(pid, with_children=False):
    """utime + stime (and cutime + cstime) of a process in seconds; 0 when it is gone."""
    try:
        f = _stat_fields(pid)
    except (OSError, ValueError):
        return 0.0
    ticks = int(f[11]) + int(f[12])  # utime, stime (fields 14, 15)
    if with_children:
        ticks += int(f[13]) + int(f[14])  # cutime, cstime
    return ticks / _TICK


def _children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat_fields(entry)[1]) == pid:
                    kids.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def postgres_cpu(postmaster_pid):
    if not postmaster_pid:
        return 0.0
    # A backend reaped between reading the postmaster and its children would be counted in neither:
    # read until the postmaster's reaped time is the same before and after the children.
    for _ in range(10):
        reaped = _cpu_of(postmaster_pid, with_children=True)
        live = sum(_cpu_of(k) for k in _children(postmaster_pid))
        if _cpu_of(postmaster_pid, with_children=True) == reaped:
            break
    return reaped + live


def machine_busy():
    """Busy CPU seconds of the whole machine so far (every core; idle and iowait excluded)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / _TICK  # user..steal, minus idle and iowait


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# WAL position (exact at any moment) and the group commits of the "bench" database: every segment the
# service commits ends with exactly one pg_notify (src/storage/postgres/pg_shared.cpp), and
# pg_stat_statements counts a call when it ends. pg_stat_wal and pg_stat_database are no use here: a
# long-lived connection (the service's) reports its counters up to 10 s late (PGSTAT_IDLE_INTERVAL).
SERVER_SQL = ("SELECT (pg_current_wal_lsn() - '0/0')::bigint || ' ' || coalesce((SELECT sum(calls)"
              " FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
              " WHERE d.datname = 'bench' AND s.query LIKE 'SELECT pg_notify(%'), 0)")


def server(pg):
    lsn, commits = (int(v) for v in pg.admin_psql(SERVER_SQL, database="bench").split())
    return {"wal_bytes": lsn, "service_commits": commits}


class Counters:
    """Snapshot before a run; `delta(requests)` after it gives the usage of the run, also per request."""

    def __init__(self, pg, service_pids):
        self.pg = pg
        self.service_pids = list(service_pids)
        self.before = self._read(psql_first=True)  # the psql of a snapshot falls outside the run
        self.t0 = time.monotonic()

    def _read(self, psql_first):
        srv = server(self.pg) if psql_first else None
        out = {"postgres_s": postgres_cpu(self.pg.pid()), "service_s": sum(_cpu_of(p) for p in self.service_pids),
               "loadgen_s": children_cpu(), "machine_s": machine_busy()}
        out["server"] = srv or server(self.pg)
        return out

    def delta(self, requests):
        after = self._read(psql_first=False)
        wall = time.monotonic() - self.t0
        cpu = {k: round(after[k] - self.before[k], 3) for k in ("postgres_s", "service_s", "loadgen_s", "machine_s")}
        cpu["others_s"] = round(max(0.0, cpu["machine_s"] - cpu["postgres_s"] - cpu["service_s"] - cpu["loadgen_s"]), 3)
        cpu["wall_s"] = round(wall, 3)
        cores = os.cpu_count() or 1
        cpu["machine_busy_pct"] = round(100 * cpu["machine_s"] / (wall * cores), 1) if wall > 0 else None
        cpu["others_pct"] = round(100 * cpu["others_s"] / (wall * cores), 1) if wall > 0 else None
        srv = {k: after["server"][k] - self.before["server"][k] for k in after["server"]}
        per = {}
        if requests:
            per = {
                "postgres_cpu_us": round(1e6 * cpu["postgres_s"] / requests, 1),
                "service_cpu_us": round(1e6 * cpu["service_s"] / requests, 1),
                "wal_bytes": round(srv["wal_bytes"] / requests, 1),
                "service_commits": round(srv["service_commits"] / requests, 4),
            }
        return {"cpu": cpu, "server": srv, "per_request": per}
