"""Benchmark 5: the complaint escalation job over the generated open complaints.

Usage: python -m tests.bench.bench_escalation --db DB

Runs the scheduled job's method (``crm.complaint._cron_escalate()``) twice, each committed:
the first run escalates what is at risk or breached, the second must find nothing new
(idempotence), so its time is the cost of checking. Each run also counts the escalation notes it
logged and the severity changes tracked on them. The reference is one SQL pass reading the
same open complaints' deadlines.
"""

import argparse
import sys

from .common import Timer, emit, say
from .odoo_env import odoo_env

REFERENCE_SQL = """
    SELECT id, sla_response_deadline, sla_resolution_deadline, sla_status, escalation_level
      FROM crm_complaint WHERE NOT is_closed
"""


def escalation_rows(cr):
    """Activities, escalation notes and tracked severity changes on complaints so far."""
    cr.execute("SELECT count(*) FROM mail_activity WHERE res_model = 'crm.complaint'")
    activities = cr.fetchone()[0]
    cr.execute(
        "SELECT count(DISTINCT m.id), count(t.id) FROM mail_message m"
        " LEFT JOIN mail_tracking_value t ON t.mail_message_id = m.id"
        " WHERE m.model = 'crm.complaint' AND m.message_type = 'notification'"
    )
    return (activities, *cr.fetchone())


def run(db):
    with odoo_env(db) as env:
        if "crm.complaint" not in env:
            return {"db": db, "escalation": "crm.complaint not installed in this build"}
        cr = env.cr
        best = None
        for _ in range(3):
            with Timer() as timer:
                cr.execute(REFERENCE_SQL)
                open_count = len(cr.fetchall())
            best = timer.seconds if best is None else min(best, timer.seconds)
        result = {"db": db, "open_complaints": open_count, "sql_pass_s": round(best, 4), "runs": []}
        for run_no in (1, 2):
            env.invalidate_all()
            activities0, notes0, tracked0 = escalation_rows(cr)
            count0 = cr.sql_log_count
            with Timer() as timer:
                env["crm.complaint"]._cron_escalate()
                env.flush_all()
                queries = cr.sql_log_count - count0
                cr.commit()
            cr.execute("SELECT escalation_level, count(*) FROM crm_complaint WHERE NOT is_closed GROUP BY 1")
            levels = dict(cr.fetchall())
            activities1, notes1, tracked1 = escalation_rows(cr)
            new_activities = activities1 - activities0
            result["runs"].append(
                {
                    "run": run_no,
                    "seconds": round(timer.seconds, 3),
                    "queries": queries,
                    "activities_created": new_activities,
                    "notes_logged": notes1 - notes0,
                    "severity_changes_tracked": tracked1 - tracked0,
                    "escalation_levels": levels,
                    "ratio_to_sql_pass": round(timer.seconds / best, 1) if best else None,
                }
            )
            say(
                "escalation",
                f"run {run_no}: {timer.seconds:.2f} s, {queries} queries, {new_activities} activities,"
                f" {notes1 - notes0} notes ({tracked1 - tracked0} with the severity change tracked),"
                f" levels {levels}; {result['runs'][-1]['ratio_to_sql_pass']}x the SQL pass ({best * 1000:.1f} ms)",
            )
        result["idempotent"] = result["runs"][1]["activities_created"] == 0
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    emit(run(args.db))


if __name__ == "__main__":
    sys.exit(main())
