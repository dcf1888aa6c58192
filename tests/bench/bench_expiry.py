"""Benchmark 3: the loyalty points expiry job over the generated ledger.

Usage: python -m tests.bench.bench_expiry --db DB [--ledger-rows N] [--due-share 0.3]

Runs crm_loyalty's expiry job twice, each committed: the first run expires what is due, the
second must add nothing (idempotence). The reference is one SQL pass over the same ledger
(balance per card). Not available until crm_loyalty provides the job.

With ``--ledger-rows N`` the ledger is first padded to at least N lines in bulk SQL: earned lots
spread over the cards that already have a ledger, a ``--due-share`` of them past their expiry date,
the others expiring within the year to come; each padded card's balance is then set from its ledger
(crm_loyalty's own sync), the padding committed and the two tables analysed.
"""

import argparse
import sys

from .common import Timer, emit, say
from .drill_crash import JOBS
from .odoo_env import odoo_env

REFERENCE_SQL = "SELECT card_id, sum(issued - used) FROM loyalty_history GROUP BY card_id"
EXPIRY_DAYS = 365
PAD_SQL = """
INSERT INTO loyalty_history
       (card_id, rel_partner_id, rel_program_id, rel_movement_type, description, issued, used, rel_points,
        rel_points_remaining, rel_expiry_date, rel_user_id, create_uid, write_uid, create_date, write_date)
SELECT c.id, c.partner_id, c.program_id, 'earned', '{"en_US": "Bench padding"}', s.points, 0, s.points, s.points,
       s.rel_expiry_date, %(uid)s, %(uid)s, %(uid)s, s.created, s.created
  FROM generate_series(0::bigint, %(count)s - 1) AS g(i)
 CROSS JOIN LATERAL (
       SELECT (1 + (g.i * 37) %% 200)::float8 AS points,
              CASE WHEN (g.i * 7919) %% 1000 < %(due_permille)s
                   THEN %(today)s::date - (1 + (g.i * 13) %% 365)::int
                   ELSE %(today)s::date + (1 + (g.i * 11) %% 365)::int END AS rel_expiry_date
       ) e
 CROSS JOIN LATERAL (
       SELECT e.points, e.rel_expiry_date,
              (e.rel_expiry_date - %(days)s)::timestamp + interval '12 hours' AS created
       ) s
  JOIN loyalty_card c ON c.id = (%(cards)s::int[])[(1 + g.i %% %(ncards)s)::int]
"""


def today(env):
    """The day the job takes as today (the user's time zone)."""
    from odoo import fields

    return fields.Date.context_today(env["loyalty.history"])


def pad_ledger(env, rows, due_share):
    """Pad the ledger to at least ``rows`` lines with earned lots; return what was added."""
    cr = env.cr
    cr.execute("SELECT count(*) FROM loyalty_history")
    missing = rows - cr.fetchone()[0]
    if missing <= 0:
        return {"rows_added": 0}
    cr.execute(
        """
        SELECT c.id FROM loyalty_card c JOIN loyalty_program p ON p.id = c.program_id
         WHERE p.program_type = 'loyalty' AND p.rel_ledger
           AND EXISTS (SELECT 1 FROM loyalty_history h WHERE h.card_id = c.id)
      ORDER BY c.id
        """
    )
    card_ids = [card_id for (card_id,) in cr.fetchall()]
    if not card_ids:
        return {"rows_added": 0, "skipped": "no ledger card to pad"}
    with Timer() as timer:
        cr.execute(
            PAD_SQL,
            {
                "uid": env.uid,
                "count": missing,
                "due_permille": round(due_share * 1000),
                "today": today(env),
                "days": EXPIRY_DAYS,
                "cards": card_ids,
                "ncards": len(card_ids),
            },
        )
        added = cr.rowcount
        env["loyalty.card"].browse(card_ids)._rel_sync_points_from_ledger()
        cr.commit()
        cr.execute("ANALYZE loyalty_history")
        cr.execute("ANALYZE loyalty_card")
        cr.commit()
    return {"rows_added": added, "cards": len(card_ids), "due_share": due_share, "seconds": round(timer.seconds, 1)}


def lots_due(env):
    env.cr.execute(
        "SELECT count(*) FROM loyalty_history WHERE rel_points_remaining > 0 AND rel_expiry_date <= %s",
        [today(env)],
    )
    return env.cr.fetchone()[0]


def run(db, ledger_rows=None, due_share=0.3):
    with odoo_env(db) as env:
        if JOBS["expiry"]["model"] not in env:
            return {"db": db, "expiry": f"{JOBS['expiry']['model']} not installed in this build"}
        cr = env.cr
        result = {"db": db}
        if ledger_rows:
            result["padding"] = pad_ledger(env, ledger_rows, due_share)
            say("expiry", f"ledger padded to {ledger_rows} lines: {result['padding']}")
        cr.execute("SELECT count(*) FROM loyalty_history")
        ledger_rows = cr.fetchone()[0]
        best = None
        for _ in range(3):
            with Timer() as timer:
                cr.execute(REFERENCE_SQL)
                cards = len(cr.fetchall())
            best = timer.seconds if best is None else min(best, timer.seconds)
        result.update(ledger_rows=ledger_rows, cards=cards, sql_pass_s=round(best, 4), runs=[])
        for run_no in (1, 2):
            env.invalidate_all()
            due = lots_due(env)
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
                    "lots_due": due,
                    "lots_expired": due - lots_due(env),
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
    parser.add_argument("--ledger-rows", type=int, metavar="N", help="first pad the ledger to at least N lines")
    parser.add_argument("--due-share", type=float, default=0.3, help="share of the padded lots already due")
    args = parser.parse_args(argv)
    emit(run(args.db, args.ledger_rows, args.due_share))


if __name__ == "__main__":
    sys.exit(main())
