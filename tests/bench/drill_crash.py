"""Drill 2: jobs killed mid-run (SIGKILL of the process), then run again: same result as a clean run.

Usage: python -m tests.bench.drill_crash --db DB [--job analysis|expiry ...] [--kill-at 0.5]

For each job, two copies of DB are made (``createdb -T``): in the first the job runs once to the
end (the clean result, and its duration T); in the second the job is started in its own process,
killed with SIGKILL after T/2 (or the share ``--kill-at`` of T), and run again to the end. The two
results are compared row by row (for the analysis: the partners' metrics and the stored
recommendations); for the ledger, entries counted twice are looked for explicitly.
A job whose model is not installed is reported as not available in this build.
"""

import argparse
import os
import subprocess
import sys
import time

from .common import Timer, emit, say
from .odoo_env import ROOT, odoo_env

DB_USER = os.environ.get("CMR_DB_USER", "odoo_cmr")
ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo-19.0")
VENV_PY = os.path.join(os.environ.get("CMR_VENV", os.path.expanduser("~/.cache/crm-cmr/venv")), "bin/python")
AS_OF = "2026-11-01"


def job_analysis(env):
    """What the nightly job does: resume an interrupted run, else start one (with a fixed as-of date)."""
    Analysis = env["crm.relationship.analysis"]
    run = Analysis.search([("state", "=", "running")], limit=1) or Analysis.create({"date_as_of": AS_OF})
    run.action_run()


def job_expiry(env):
    """crm_loyalty's scheduled expiry of the points lots that are due."""
    env["loyalty.history"]._cron_expire_points()


def job_escalation(env):
    env["crm.complaint"]._cron_escalate()


JOBS = {
    "analysis": {"model": "crm.relationship.analysis", "run": job_analysis},
    "escalation": {"model": "crm.complaint", "run": job_escalation},
    "expiry": {"model": "crm.loyalty.tier", "run": job_expiry},
}


def snapshot(db, job):
    """The job's result as comparable rows."""
    with odoo_env(db, commit=False) as env:
        cr = env.cr
        if job == "analysis":
            from odoo.addons.crm_relationship.analytics.store import METRIC_COLUMNS

            cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'res_partner'")
            present = {c for (c,) in cr.fetchall()}
            cols = [c for c in METRIC_COLUMNS if c in present]
            exprs = ", ".join(
                f"CASE WHEN pg_typeof({c})::text IN ('double precision', 'numeric')"
                f" THEN round({c}::numeric, 6)::text ELSE {c}::text END"
                for c in cols
            )
            cr.execute(f"SELECT id, {exprs} FROM res_partner WHERE ref LIKE 'BCH%%' ORDER BY id")
            rows = cr.fetchall()
            cr.execute(
                "SELECT partner_id, rank, product_id, anchor_product_id, round(lift::numeric, 2)::text"
                " FROM crm_relationship_recommendation ORDER BY partner_id, rank"
            )
            return {"columns": cols, "rows": rows, "recommendations": cr.fetchall()}
        if job == "escalation":
            cr.execute(
                "SELECT c.id, c.escalation_level, c.sla_status, c.severity,"
                " (SELECT count(*) FROM mail_activity a WHERE a.res_model = 'crm.complaint' AND a.res_id = c.id),"
                " (SELECT count(*) FROM mail_message m WHERE m.model = 'crm.complaint' AND m.res_id = c.id)"
                " FROM crm_complaint c ORDER BY c.id"
            )
            return {"rows": cr.fetchall()}
        cr.execute(
            "SELECT card_id, description, round(issued::numeric, 2), round(used::numeric, 2)"
            " FROM loyalty_history ORDER BY card_id, id"
        )
        history = cr.fetchall()
        cr.execute("SELECT id, round(points::numeric, 2) FROM loyalty_card ORDER BY id")
        return {"history": history, "cards": cr.fetchall()}


def copy_db(source, target):
    from odoo.sql_db import close_db

    close_db(source)  # a template database must have no open connection, ours included
    env = dict(os.environ, PGUSER=DB_USER)
    subprocess.run(["dropdb", "--if-exists", target], env=env, check=True, capture_output=True)
    subprocess.run(["createdb", "-T", source, target], env=env, check=True, capture_output=True)


def job_process(db, job):
    env = dict(os.environ, PYTHONPATH=f"{ODOO_SRC}:{ROOT}")
    return subprocess.Popen(
        [VENV_PY, "-m", "tests.bench.drill_crash", "--db", db, "--run-job", job],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_idle(db, timeout=60):
    """Wait until the killed process's database session is gone (its transaction rolled back)."""
    deadline = time.time() + timeout
    query = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()"
    env = dict(os.environ, PGUSER=DB_USER)
    while time.time() < deadline:
        out = subprocess.run(
            ["psql", "-X", "-tA", "-d", "postgres", "-c", query], env=env, capture_output=True, text=True, check=True
        )
        if out.stdout.strip() == "0":
            return True
        time.sleep(0.5)
    return False


def drill(db, job, kill_at=0.5):
    with odoo_env(db, commit=False) as env:
        if JOBS[job]["model"] not in env:
            return {"available": False, "reason": f"{JOBS[job]['model']} not installed in this build"}
    clean_db, crash_db = f"{db}_clean", f"{db}_crash"
    copy_db(db, clean_db)
    copy_db(db, crash_db)
    try:
        proc = job_process(clean_db, job)
        out, _ = proc.communicate()
        done = [line for line in out.splitlines() if line.startswith("JOB_DONE ")]
        if proc.returncode or not done:
            return {"available": True, "error": f"clean run failed: {out[-500:]}"}
        job_seconds = float(done[0].split()[1])
        clean = snapshot(clean_db, job)
        # Kill at that share of the job itself, not of the process start-up.
        kill_after = job_seconds * kill_at
        proc = job_process(crash_db, job)
        for line in proc.stdout:
            if line.startswith("JOB_STARTED"):
                break
        time.sleep(kill_after)
        killed = proc.poll() is None
        if killed:
            proc.kill()
        rest, _ = proc.communicate()
        killed = killed and "JOB_DONE" not in rest
        idle = wait_idle(crash_db)
        partial = snapshot(crash_db, job)
        rerun = job_process(crash_db, job)
        out, _ = rerun.communicate()
        resumed = snapshot(crash_db, job)
        result = {
            "available": True,
            "clean_job_s": round(job_seconds, 2),
            "killed_after_s": round(kill_after, 2),
            "killed_inside_job": killed,
            "sessions_gone_after_kill": idle,
            "rerun_ok": rerun.returncode == 0,
            "job_had_finished_before_kill": partial == clean,
        }
        if job in ("analysis", "escalation"):
            differing = sum(a != b for a, b in zip(clean["rows"], resumed["rows"], strict=False))
            result.update(rows=len(clean["rows"]), rows_differing=differing, equal_to_clean=clean == resumed)
        if job == "analysis":
            # Partner metrics and recommendations are written side by side, each committing on its own
            # cursor: say which of them the kill interrupted.
            result.update(
                metrics_written_before_kill=partial["rows"] == clean["rows"],
                suggestions_written_before_kill=partial["recommendations"] == clean["recommendations"],
                recommendations=len(clean["recommendations"]),
                suggestions_equal_to_clean=clean["recommendations"] == resumed["recommendations"],
            )
        else:
            seen, twice = set(), 0
            for row in resumed["history"]:
                twice += row in seen
                seen.add(row)
            result.update(
                ledger_rows_clean=len(clean["history"]),
                ledger_rows_after_crash=len(resumed["history"]),
                entries_counted_twice=twice,
                equal_to_clean=clean == resumed,
            )
        result["nothing_lost"] = bool(result["rerun_ok"] and result["equal_to_clean"])
        return result
    finally:
        from odoo.sql_db import close_db

        for name in (clean_db, crash_db):
            close_db(name)
            subprocess.run(
                ["dropdb", "--if-exists", name], env=dict(os.environ, PGUSER=DB_USER), check=False, capture_output=True
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--job", nargs="*", default=list(JOBS), choices=list(JOBS))
    parser.add_argument(
        "--kill-at", type=float, default=0.5, help="when to kill, as a share of the clean run's job time (0.5)"
    )
    parser.add_argument("--run-job", choices=list(JOBS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_job:
        with odoo_env(args.db) as env:
            print("JOB_STARTED", flush=True)
            with Timer() as timer:
                JOBS[args.run_job]["run"](env)
                env.flush_all()
                env.cr.commit()
            print(f"JOB_DONE {timer.seconds:.3f}", flush=True)
        return 0
    result = {"tried": f"each job killed with SIGKILL at {args.kill_at:.0%} of its clean-run job time, then run again"}
    for job in args.job:
        result[job] = drill(args.db, job, args.kill_at)
        say("crash", f"{job}: {result[job]}")
    result["nothing_lost"] = all(r.get("nothing_lost", True) for r in result.values() if isinstance(r, dict))
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
