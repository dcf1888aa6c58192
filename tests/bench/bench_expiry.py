"""Benchmark 3: the loyalty points expiry job over the generated ledger.

Usage: python -m tests.bench.bench_expiry --db DB

Runs crm_loyalty's expiry job twice, each committed: the first run expires what is due, the
second must add nothing (idempotence). The reference is one SQL pass over the same ledger
(balance per card). Not available until crm_loyalty provides the job.
"""

import argparse
import sys

from .common import Timer, emit, say
from .drill_crash import JOBS
from .odoo_env import odoo_env

REFERENCE_SQL = "SELECT card_id, sum(issued - used) FROM loyalty_history GROUP BY card_id"


def run(db):
    with odoo_env(db) as env:
        if JOBS["expiry"]["model"] not in env:
            return {"db": db, "expiry": f"{JOBS['expiry']['model']} not installed in this build"}
        cr = env.cr
        cr.execute("SELECT count(*) FROM loyalty_history")
        ledger_rows = cr.fetchone()[0]
        best = None
        for _ in range(3):
            with Timer() as timer:
                cr.execute(REFERENCE_SQL)
                cards = len(cr.fetchall())
            best = timer.seconds if best is None else min(best, timer.seconds)
        result = {"db": db, "ledger_rows": ledger_rows, "cards": cards, "sql_pass_s": round(best, 4), "runs": []}
        for run_no in (1, 2):
            env.invalidate_all()
            cr.execute("SELECT count(*), coalesce(sum(used), 0) FROM loyalty_history")
            rows0, used0 = cr.fetchone()
            count0 = cr.sql_log_count
            with Timer() as timer:
                JOBS["expiry"]["run"](env)
                env.flush_all()
                queries = cr.sql_log_count - count0
                cr.commit()
            cr.execute("SELECT count(*), coalesce(sum(used), 0) FROM loyalty_history")
            rows1, used1 = cr.fetchone()
            result["runs"].append(
                {
                    "run": run_no,
                    "seconds": round(timer.seconds, 3),
                    "queries": queries,
                    "ledger_rows_added": rows1 - rows0,
                    "points_expired": round(used1 - used0, 2),
                    "ratio_to_sql_pass": round(timer.seconds / best, 1) if best else None,
                }
            )
            say("expiry", f"run {run_no}: {result['runs'][-1]}")
        result["idempotent"] = result["runs"][1]["ledger_rows_added"] == 0
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    emit(run(args.db))


if __name__ == "__main__":
    sys.exit(main())
