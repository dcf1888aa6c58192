"""Benchmark 1: relationship analysis end to end vs one SQL pass over the same order lines.

Usage: python -m tests.bench.bench_analysis --db DB

The reference is the floor of reading the data once: one aggregate query over the confirmed
order lines (per customer: orders, revenue, first and last order date), best of three warm runs.
The analysis is ``env['crm.relationship.analysis'].create({}).action_run()`` committed, when
crm_relationship provides it; otherwise the benchmark says so and measures only the reference.
It then runs twice more: on the same day (nothing changed, nothing to write) and one day later (the
nightly case: every customer's recency and model figures move, so every customer is rewritten).
Last comes a validation run (``holdout_weeks``: fitted on the orders before the last weeks, predicting
those weeks and comparing with what happened), whose time is printed beside the others.
"""

import argparse
import gc
import sys
import time
from datetime import date, timedelta

from .common import Timer, emit, say
from .odoo_env import odoo_env

HOLDOUT_WEEKS = 26

REFERENCE_SQL = """
    SELECT so.partner_id, count(DISTINCT so.id), sum(sol.price_subtotal), min(so.date_order), max(so.date_order)
      FROM sale_order_line sol
      JOIN sale_order so ON so.id = sol.order_id
     WHERE so.state = 'sale'
  GROUP BY so.partner_id
"""


def peak_rss_mb(key="VmHWM"):
    """The process's peak resident memory (Odoo's registry included), from the kernel's high-water mark;
    with ``key="VmPeak"``, its peak address space, which Odoo's limit_memory_hard caps."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


def reset_peak_rss_mb():
    """Reset the kernel's high-water mark of resident memory to the current size, and return that size."""
    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
        clear_refs.write("5")
    return peak_rss_mb()


def row_updates(cr):
    """Row updates so far of the figures' table and of res_partner: ``(figures, figures in place, partners)``,
    in place meaning HOT (no index entry).

    A backend publishes its statistics once idle, at most once a second: the analysis writes on ``cr``,
    whose backend is told to publish at once and then left idle for a moment."""
    cr.execute("SELECT pg_stat_force_next_flush()")
    cr.commit()
    time.sleep(1)
    cr.execute("SELECT pg_stat_clear_snapshot()")
    cr.execute(
        "SELECT relid::regclass::text, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
        " WHERE relid IN ('crm_relationship_figures'::regclass, 'res_partner'::regclass)"
    )
    stats = {table: (updated, in_place) for table, updated, in_place in cr.fetchall()}
    return (*stats["crm_relationship_figures"], stats["res_partner"][0])


def sql_pass(cr):
    best, rows = None, 0
    for _ in range(3):
        with Timer() as timer:
            cr.execute(REFERENCE_SQL)
            rows = len(cr.fetchall())
        best = timer.seconds if best is None else min(best, timer.seconds)
    return best, rows


def run(db):
    with odoo_env(db) as env:
        cr = env.cr
        cr.execute(
            "SELECT count(*) FROM sale_order_line sol JOIN sale_order so ON so.id = sol.order_id"
            " WHERE so.state = 'sale'"
        )
        lines = cr.fetchone()[0]
        reference, customers = sql_pass(cr)
        result = {"db": db, "lines": lines, "customers": customers, "sql_pass_s": round(reference, 4)}
        say("analysis", f"reference SQL pass over {lines} lines ({customers} customers): {reference * 1000:.1f} ms")
        if "crm.relationship.analysis" not in env:
            result["analysis"] = "crm.relationship.analysis not installed in this build"
            say("analysis", result["analysis"])
            return result
        env.cr.commit()
        # The process's memory before the runs (Odoo's registry and the libraries the analysis
        # imports), with the high-water mark reset so that the peak after the runs is theirs, not that
        # of the reference pass's rows fetched above.
        peak_before = reset_peak_rss_mb()
        # Queries of every cursor of the process: the recommendations run on a thread and cursors of their own.
        from odoo import sql_db

        count0 = sql_db.sql_counter
        with Timer() as timer:
            runs = env["crm.relationship.analysis"].create({})
            runs.action_run()
            env.flush_all()
            queries = sql_db.sql_counter - count0
            env.cr.commit()
        scored = env["res.partner"].search_count([("rel_rfm_segment", "!=", False)])
        # Stored by the run's own thread and cursor: counted in SQL, past this cursor's cache.
        cr.execute("SELECT count(*) FROM crm_relationship_recommendation")
        recommendations = cr.fetchone()[0]
        # The same data analysed again, with the previous run's results stored: nothing changes.
        rerun_before = row_updates(cr)
        with Timer() as rerun:
            runs |= env["crm.relationship.analysis"].create({})
            runs[-1].action_run()
            env.flush_all()
            env.cr.commit()
        rerun_updated = row_updates(cr)[0] - rerun_before[0]
        # The nightly case: one day later every customer's recency, age and model figures move.
        before = row_updates(cr)
        with Timer() as next_day:
            runs |= env["crm.relationship.analysis"].create({"date_as_of": date.today() + timedelta(days=1)})
            runs[-1].action_run()
            env.flush_all()
            env.cr.commit()
        updated, in_place, partners_rewritten = (now - then for now, then in zip(row_updates(cr), before, strict=True))
        # A validation run: fit up to HOLDOUT_WEEKS before today, predict those weeks, compare.
        validation = env["crm.relationship.analysis"].create({"holdout_weeks": HOLDOUT_WEEKS})
        with Timer() as validated:
            validation.action_run()
            env.flush_all()
            env.cr.commit()
        result.update(
            analysis_s=round(timer.seconds, 3),
            analysis_queries=queries,
            partners_scored=scored,
            recommendations=recommendations,
            run_states=runs.mapped("state"),
            ratio=round(timer.seconds / reference, 1) if reference else None,
            rerun_s=round(rerun.seconds, 3),
            rerun_ratio=round(rerun.seconds / reference, 1) if reference else None,
            rerun_figures_updates=rerun_updated,
            next_day_s=round(next_day.seconds, 3),
            next_day_ratio=round(next_day.seconds / reference, 1) if reference else None,
            next_day_figures_updates=updated,
            next_day_figures_hot_updates=in_place,
            next_day_partner_updates=partners_rewritten,
            validation_s=round(validated.seconds, 3),
            validation_ratio=round(validated.seconds / reference, 1) if reference else None,
            validation_state=validation.state,
            validation_holdout_weeks=HOLDOUT_WEEKS,
            validation_predicted_repeat=validation.validation_predicted_repeat,
            validation_actual_repeat=validation.validation_actual_repeat,
            validation_error_percent=validation.validation_error_percent,
            peak_rss_mb=peak_rss_mb(),
            peak_address_space_mb=peak_rss_mb("VmPeak"),
            peak_rss_before_mb=peak_before,
        )
        say(
            "analysis",
            f"analysis end to end: {timer.seconds:.2f} s, {queries} queries, {scored} partners scored;"
            f" {result['ratio']}x the SQL pass; re-run {rerun.seconds:.2f} s ({result['rerun_ratio']}x,"
            f" {rerun_updated} customers' figures rewritten);"
            f" next day {next_day.seconds:.2f} s ({result['next_day_ratio']}x,"
            f" {in_place} of {updated} figures updates in place, {partners_rewritten} partner rows rewritten);"
            f" validation run ({HOLDOUT_WEEKS} weeks held out) {validated.seconds:.2f} s"
            f" ({result['validation_ratio']}x,"
            f" {validation.state}: {validation.validation_predicted_repeat:.0f} repeat purchases predicted,"
            f" {validation.validation_actual_repeat:.0f} happened);"
            f" peak memory of the process {result['peak_rss_mb']} MB ({peak_before} MB before the runs),"
            f" peak address space {result['peak_address_space_mb']} MB",
        )
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    emit(run(args.db))


if __name__ == "__main__":
    sys.exit(main())
