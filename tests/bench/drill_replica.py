"""Drill 5: scale-out on a streaming replica (pg_basebackup, Debian's PostgreSQL, loopback ports).

Usage: python -m tests.bench.drill_replica --db SOURCE_DB [--rounds 20]

The shared PostgreSQL server is left alone: the drill starts its own primary on a free loopback
port (a private cluster in a temporary directory), copies SOURCE_DB into it, and makes a
streaming replica of that primary with ``pg_basebackup -R`` on a second port. Then twice, once
with Odoo pointed at the primary only and once with ``--db_replica_host/--db_replica_port``:

- readers: 4 threads of logged-in back-office users run the reporting reads the analysis
  screens do (``formatted_read_group`` of order lines by customer, ``web_search_read`` of
  customers) through ``/web/dataset/call_kw`` (Odoo routes read-only methods to the replica);
- a writer confirms orders on the primary over JSON-RPC during the run.

It reports the wall time of the reads in both runs, each server's own statistics
(``pg_stat_database``: transactions and rows returned, per server) and, once the replica has
replayed the primary's WAL, whether every confirmed order is on both servers.
"""

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .common import Timer, emit, say, summary_ms
from .odoo_env import WORK
from .server import OdooServer, free_port

DB_USER = os.environ.get("CMR_DB_USER", "odoo_cmr")
ADMIN_PASSWORD = "admin"


def pg_bindir():
    dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: float(p.parent.name))
    if not dirs:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return dirs[-1]


def as_postgres(cmd, **kw):
    """PostgreSQL server programs refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd="/tmp", **kw)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-2000:]}")
    return proc


def psql(port, db, query, user="postgres"):
    out = subprocess.run(
        ["psql", "-X", "-tA", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", db, "-c", query],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


class Cluster:
    def __init__(self, datadir, port):
        self.datadir, self.port = datadir, port

    def start(self):
        as_postgres(
            [
                str(pg_bindir() / "pg_ctl"),
                "-D",
                str(self.datadir),
                "-l",
                str(self.datadir / "server.log"),
                "-w",
                "-o",
                f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c fsync=off",
                "start",
            ]
        )

    def stop(self):
        with contextlib.suppress(RuntimeError):
            as_postgres([str(pg_bindir() / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"])

    def stats(self, db):
        row = psql(
            self.port,
            "postgres",
            "SELECT xact_commit, tup_returned, tup_fetched FROM pg_stat_database WHERE datname = " + f"'{db}'",
        )
        commits, returned, fetched = (int(v) for v in row.split("|"))
        return {"transactions": commits, "rows_returned": returned, "rows_fetched": fetched}


def delta(after, before):
    return {k: after[k] - before[k] for k in after}


def setup_clusters(tmp, source_db, db):
    primary = Cluster(tmp / "primary", free_port())
    replica = Cluster(tmp / "replica", free_port())
    as_postgres(
        [str(pg_bindir() / "initdb"), "--no-instructions", "-A", "trust", "-U", "postgres", "-D", str(primary.datadir)]
    )
    primary.start()
    psql(primary.port, "postgres", f"CREATE ROLE {DB_USER} LOGIN CREATEDB")
    psql(primary.port, "postgres", f"CREATE DATABASE {db} OWNER {DB_USER}")
    with Timer() as copy:
        dump = subprocess.Popen(
            ["pg_dump", "-h", "127.0.0.1", "-p", os.environ.get("PGPORT", "5432"), "-U", DB_USER, "-Fc", source_db],
            stdout=subprocess.PIPE,
        )
        subprocess.run(
            ["pg_restore", "-h", "127.0.0.1", "-p", str(primary.port), "-U", DB_USER, "-d", db, "--no-owner"],
            stdin=dump.stdout,
            check=True,
            capture_output=True,
        )
        dump.wait()
    filestore = WORK / "filestore" / "filestore"
    if (filestore / source_db).exists():
        shutil.copytree(filestore / source_db, filestore / db, dirs_exist_ok=True)
    psql(primary.port, db, "ANALYZE")
    as_postgres(
        [
            str(pg_bindir() / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(replica.datadir),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ]
    )
    replica.start()
    if psql(replica.port, "postgres", "SELECT pg_is_in_recovery()") != "t":
        raise RuntimeError("the second server is not in recovery: it is not a replica")
    return primary, replica, round(copy.seconds, 1)


def call_kw(http, url, model, method, args, kwargs):
    resp = http.post(
        f"{url}/web/dataset/call_kw/{model}/{method}",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs},
        },
        timeout=300,
    )
    body = resp.json()
    if body.get("error"):
        raise RuntimeError(body["error"].get("data", {}).get("message") or body["error"])
    return body["result"]


def reads(server, rounds, threads=4):
    """The analysis screens' reads from ``threads`` back-office sessions; return latencies."""
    sessions = [server.session("admin", ADMIN_PASSWORD) for _ in range(threads)]
    latencies, lock = [], threading.Lock()

    def reader(http):
        for i in range(rounds):
            with Timer() as timer:
                call_kw(
                    http,
                    server.url,
                    "sale.order.line",
                    "formatted_read_group",
                    [[["state", "=", "sale"]]],
                    {"groupby": ["order_partner_id"], "aggregates": ["price_subtotal:sum", "__count"]},
                )
                call_kw(
                    http,
                    server.url,
                    "res.partner",
                    "web_search_read",
                    [[["ref", "=like", "BCH%"]]],
                    {"specification": {"name": {}, "email": {}}, "limit": 80, "offset": 80 * i},
                )
            with lock:
                latencies.append(timer.seconds)

    workers = [threading.Thread(target=reader, args=(s,)) for s in sessions]
    for worker in workers:
        worker.start()
    return workers, latencies


def writer(server, n_orders):
    """Create and confirm orders on the primary over JSON-RPC while the readers run."""
    uid, error = server.jsonrpc("common", "login", server.db, "admin", ADMIN_PASSWORD)
    if error:
        raise RuntimeError(error)

    def kw(model, method, *args):
        result, err = server.jsonrpc("object", "execute_kw", server.db, uid, ADMIN_PASSWORD, model, method, list(args))
        if err:
            raise RuntimeError(err.get("data", {}).get("message") or err)
        return result

    partners = kw("res.partner", "search", [["ref", "=like", "BCH%"]], 0, n_orders)
    product = kw("product.product", "search", [["name", "=like", "Bench product%"]], 0, 1)[0]
    ids = []
    for partner in partners:
        order = kw("sale.order", "create", {"partner_id": partner, "order_line": [[0, 0, {"product_id": product}]]})
        kw("sale.order", "action_confirm", [order])
        ids.append(order)
    return ids


def analysis(server, timings):
    """The relationship analysis, started over JSON-RPC as a manager would from the back office."""
    uid, error = server.jsonrpc("common", "login", server.db, "admin", ADMIN_PASSWORD)
    args = (server.db, uid, ADMIN_PASSWORD, "crm.relationship.analysis")
    with Timer() as timer:
        run_id, error = server.jsonrpc("object", "execute_kw", *args, "create", [{}])
        if not error:
            _result, error = server.jsonrpc("object", "execute_kw", *args, "action_run", [[run_id]], timeout=3600)
        state, _err = server.jsonrpc("object", "execute_kw", *args, "read", [[run_id or 0], ["state"]])
    timings["analysis_s"] = round(timer.seconds, 2)
    timings["analysis_state"] = (state or [{}])[0].get("state") if not error else str(error)[:200]


def phase(db, primary, replica, use_replica, rounds, n_orders, with_analysis):
    """Window 1: reporting reads + a writer. Window 2: the analysis + a writer. Stats per window."""
    extra = ["--db_host=127.0.0.1", f"--db_port={primary.port}"]
    if use_replica:
        extra += ["--db_replica_host=127.0.0.1", f"--db_replica_port={replica.port}"]

    def stats():
        time.sleep(11)  # idle sessions flush their statistics within 10 s (PGSTAT_IDLE_INTERVAL)
        return {"primary": primary.stats(db), "replica": replica.stats(db)}

    result, written = {}, []
    with OdooServer(db, workers=2, extra=extra) as server:
        before = stats()
        with Timer() as wall:
            workers, latencies = reads(server, rounds)
            written += writer(server, n_orders)
            for worker in workers:
                worker.join()
        after = stats()
        result.update(
            read_wall_s=round(wall.seconds, 2),
            **{f"read_{k}": v for k, v in summary_ms(latencies).items()},
            reads_primary=delta(after["primary"], before["primary"]),
            reads_replica=delta(after["replica"], before["replica"]),
        )
        if with_analysis:
            timings = {}
            before = after
            worker = threading.Thread(target=analysis, args=(server, timings))
            worker.start()
            written += writer(server, n_orders)
            worker.join()
            after = stats()
            result.update(
                **timings,
                analysis_primary=delta(after["primary"], before["primary"]),
                analysis_replica=delta(after["replica"], before["replica"]),
            )
    result["orders_confirmed_on_primary"] = len(written)
    return result, written


def run(source_db, rounds=20, n_orders=20):
    db = f"{source_db}_rep"
    tmp = Path(tempfile.mkdtemp(prefix="bch-replica-"))
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    primary = replica = None
    try:
        primary, replica, copy_s = setup_clusters(tmp, source_db, db)
        say("replica", f"primary on port {primary.port}, streaming replica on port {replica.port} ({copy_s}s copy)")
        with_analysis = bool(
            psql(primary.port, db, "SELECT count(*) FROM ir_model WHERE model = 'crm.relationship.analysis'") != "0"
        )
        without, ids_a = phase(db, primary, replica, False, rounds, n_orders, with_analysis)
        say("replica", f"without replica: {without}")
        with_replica, ids_b = phase(db, primary, replica, True, rounds, n_orders, with_analysis)
        say("replica", f"with replica: {with_replica}")
        # Wait until the replica has replayed everything the primary wrote, then compare.
        target = psql(primary.port, "postgres", "SELECT pg_current_wal_lsn()")
        deadline = time.time() + 60
        while (
            time.time() < deadline
            and psql(replica.port, "postgres", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") != "t"
        ):
            time.sleep(0.5)
        ids = ",".join(str(i) for i in ids_a + ids_b)
        query = f"SELECT count(*) FROM sale_order WHERE state = 'sale' AND id IN ({ids})"
        on_primary, on_replica = int(psql(primary.port, db, query)), int(psql(replica.port, db, query))
        result = {
            "tried": f"{rounds} rounds of reporting reads x 4 sessions and the relationship analysis (when installed),"
            f" with {n_orders} orders confirmed on the primary during each run; once on the primary alone,"
            " once with db_replica_host",
            "without_replica": without,
            "with_replica": with_replica,
            "reads_on_replica": with_replica["reads_replica"]["rows_returned"] > 0
            and without["reads_replica"]["rows_returned"] == 0,
            "analysis_reads_on_replica": with_analysis
            and with_replica["analysis_replica"]["rows_returned"] > 0
            and without["analysis_replica"]["rows_returned"] == 0,
            "analysis_time_ratio_with_vs_without": round(with_replica["analysis_s"] / without["analysis_s"], 2)
            if with_analysis and without.get("analysis_s")
            else None,
            "time_ratio_with_vs_without": round(with_replica["read_wall_s"] / without["read_wall_s"], 2),
            "analysis_ran": with_analysis,
            "orders_confirmed": len(ids_a) + len(ids_b),
            "confirmed_on_primary": on_primary,
            "confirmed_on_replica": on_replica,
        }
        result["nothing_lost"] = on_primary == on_replica == result["orders_confirmed"]
        say("replica", f"{on_primary} confirmed orders on the primary, {on_replica} on the replica")
        return result
    finally:
        for cluster in (replica, primary):
            if cluster:
                cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(WORK / "filestore" / "filestore" / db, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--orders", type=int, default=20)
    args = parser.parse_args(argv)
    emit(run(args.db, args.rounds, args.orders))


if __name__ == "__main__":
    sys.exit(main())
