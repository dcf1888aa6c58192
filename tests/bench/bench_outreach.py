"""Benchmark 6: scheduling NPS invitations and retention actions over the generated customers.

Usage: python -m tests.bench.bench_outreach --db DB

The generated history has no invoices, consents or salespeople, which these jobs read. The script first
adds them in bulk SQL cloned from rows the ORM made (reported, not timed): a salesperson on every
customer (retention activities go to them), a survey consent for three customers in five (by email,
or by phone for the one in ten who prefers the phone), a contact window in their timezone for one in
five, and one posted invoice for each customer's last confirmed order of the survey window. Then,
each committed and twice (the second run must plan nothing new):

- NPS: the scheduled action as the scheduler runs it (``ir.cron.method_direct_trigger``: a cursor of
  its own, Odoo's cron progress, a commit per batch), started again until no customer is left;
- retention: ``crm.relationship.retention._schedule_for_company`` over the figures of the last analysis
  (one is run first, untimed, when no customer has figures yet), as a first run: the flags and
  activities that earlier analysis runs left are cleared before; then once more with thresholds that
  let every customer at risk through, the heaviest case.

Each prints its time, its queries (every cursor of the process), the customers it considered and what
it sent, scheduled, planned and skipped.
"""

import argparse
import sys

from .common import Timer, emit, say
from .odoo_env import odoo_env
from .outreach_data import prepare

MAX_STARTS = 500


def queries():
    from odoo import sql_db

    return sql_db.sql_counter


# ---------------------------------------------------------------- the jobs


def counts(cr):
    cr.execute("SELECT count(*) FROM crm_relationship_nps")
    surveys = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FILTER (WHERE mm.scheduled_date IS NULL),"
        " count(*) FILTER (WHERE mm.scheduled_date IS NOT NULL)"
        " FROM mail_mail mm JOIN mail_message m ON m.id = mm.mail_message_id WHERE m.model = 'crm.relationship.nps'"
    )
    now, later = cr.fetchone()
    cr.execute(
        "SELECT count(*) FILTER (WHERE res_model = 'crm.relationship.nps' OR summary LIKE '%%NPS%%'),"
        " count(*) FILTER (WHERE summary LIKE 'Retention%%') FROM mail_activity"
    )
    nps_calls, retention = cr.fetchone()
    cr.execute("SELECT COALESCE(max(id), 0) FROM ir_cron_progress")
    return {
        "progress_id": cr.fetchone()[0],
        "surveys": surveys,
        "emails_now": now,
        "emails_scheduled": later,
        "nps_calls": nps_calls,
        "retention_activities": retention,
    }


def run_nps(env, run_no):
    """The NPS job until it has no customer left: each start of the job stops once its share of time is
    used (the scheduler would start it again at once), so the benchmark starts it again until then."""
    cr = env.cr
    cron = env.ref("crm_relationship.ir_cron_relationship_nps")
    before = counts(cr)
    cr.commit()
    count0 = queries()
    starts, progress = 0, None
    with Timer() as timer:
        while starts < MAX_STARTS:
            cron.method_direct_trigger()
            starts += 1
            # the job ran on a cursor of its own: a new transaction here sees what it committed
            cr.commit()
            cr.execute(
                "SELECT sum(done), (array_agg(remaining ORDER BY id DESC))[1] FROM ir_cron_progress"
                " WHERE cron_id = %s AND id > %s",
                [cron.id, before["progress_id"]],
            )
            progress = cr.fetchone()
            if not progress[1]:
                break
    spent = queries() - count0
    env.invalidate_all()
    after = counts(cr)
    made = {key: after[key] - before[key] for key in ("surveys", "emails_now", "emails_scheduled", "nps_calls")}
    result = {
        "run": run_no,
        "seconds": round(timer.seconds, 3),
        "queries": spent,
        "job_starts": starts,
        "customers_done": progress[0],
        "customers_left": progress[1],
        **made,
    }
    say(
        "outreach",
        f"NPS run {run_no}: {timer.seconds:.2f} s, {spent} queries, {starts} starts of the job,"
        f" {progress[0]} customers considered ({progress[1]} left); {made['surveys']} surveys:"
        f" {made['emails_now']} emails now, {made['emails_scheduled']} in the contact window,"
        f" {made['nps_calls']} calls",
    )
    return result


def forget_retention(env):
    """As if no retention action had been planned yet: the analysis runs before plan them too."""
    cr = env.cr
    cr.execute("UPDATE res_partner SET rel_retention_flagged = FALSE WHERE rel_retention_flagged")
    cr.execute("DELETE FROM mail_activity WHERE res_model = 'res.partner' AND summary LIKE 'Retention%%'")
    env.invalidate_all()
    cr.commit()


def run_retention(env, run_no):
    cr = env.cr
    company = env.company
    cr.execute(
        "SELECT count(*) FROM res_partner WHERE rel_company_id = %s AND rel_lifecycle_stage = 'at_risk'", [company.id]
    )
    at_risk = cr.fetchone()[0]
    before = counts(cr)["retention_activities"]
    cr.commit()
    count0 = queries()
    with Timer() as timer:
        outcome = env["crm.relationship.retention"]._schedule_for_company(company)
        env.flush_all()
        spent = queries() - count0
        cr.commit()
    planned = counts(cr)["retention_activities"] - before
    result = {
        "run": run_no,
        "seconds": round(timer.seconds, 3),
        "queries": spent,
        "at_risk": at_risk,
        "candidates": outcome.calls + outcome.activities + sum(outcome.skipped.values()),
        "calls": outcome.calls,
        "activities": outcome.activities,
        "planned": planned,
        "skipped": dict(outcome.skipped),
    }
    say(
        "outreach",
        f"retention run {run_no}: {timer.seconds:.2f} s, {spent} queries; {at_risk} customers at risk,"
        f" {result['candidates']} valuable enough and newly at risk:"
        f" {outcome.calls} calls and {outcome.activities} to-dos planned, skipped {dict(outcome.skipped)}",
    )
    return result


def run(db):
    with odoo_env(db) as env:
        missing = [m for m in ("crm.relationship.nps", "crm.relationship.retention") if m not in env]
        if missing:
            return {"db": db, "outreach": f"{', '.join(missing)} not installed in this build"}
        cr = env.cr
        result = {"db": db, "prepared": prepare(env)}
        say("outreach", f"prepared: {result['prepared']}")
        cr.execute("SELECT count(*) FROM res_partner WHERE ref LIKE 'BCH%%'")
        result["customers"] = cr.fetchone()[0]
        result["nps"] = [run_nps(env, run_no) for run_no in (1, 2)]
        if not env["res.partner"].search_count([("rel_rfm_segment", "!=", False)], limit=1):
            with Timer() as timer:
                env["crm.relationship.analysis"].create({}).action_run()
                env.flush_all()
                cr.commit()
            result["analysis_first_s"] = round(timer.seconds, 1)
            say("outreach", f"no analysis yet: one run first, {timer.seconds:.1f} s (not counted)")
        forget_retention(env)
        result["retention"] = [run_retention(env, run_no) for run_no in (1, 2)]
        # The heaviest case: thresholds that let every customer at risk through.
        params = env["ir.config_parameter"].sudo()
        keys = ("crm_relationship.retention_value_top_percent", "crm_relationship.retention_alive_max_percent")
        saved = {key: params.get_param(key) for key in keys}
        for key in keys:
            params.set_param(key, 100)
        forget_retention(env)
        result["retention_every_customer_at_risk"] = run_retention(env, "every customer at risk")
        for key, value in saved.items():
            params.set_param(key, value)
        cr.commit()
        result["idempotent"] = result["nps"][1]["surveys"] == 0 and result["retention"][1]["planned"] == 0
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    emit(run(args.db))


if __name__ == "__main__":
    sys.exit(main())
