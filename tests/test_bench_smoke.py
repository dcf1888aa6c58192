"""The benchmark machinery works end to end at a tiny size: generator, benchmarks, report.

Runs tests/bench/run.py at the ``smoke`` size (100 customers, 1,000 order lines) on two throwaway
databases, then checks that the generated history is what Odoo itself would have computed and
that every benchmark produced its figures. No timing is asserted: benchmarks print figures.
"""

import json
import os
import subprocess
import uuid

from conftest import ODOO_SRC, ROOT, VENV, WORK, pg_env


def _drop(*dbs):
    for db in dbs:
        subprocess.run(["dropdb", "--if-exists", db], env=pg_env(), check=False)


def test_bench_smoke(tmp_path):
    prefix = f"bch_smoke_{uuid.uuid4().hex[:6]}"
    cmr_db, ref_db = f"{prefix}_smoke_cmr", f"{prefix}_smoke_ref"
    env = dict(os.environ, PYTHONPATH=f"{ODOO_SRC}:{ROOT}", CMR_ROOT=str(ROOT), CMR_WORK=str(WORK))
    report = tmp_path / "bench-report.md"
    try:
        run = subprocess.run(
            [
                str(VENV / "bin/python"),
                "-m",
                "tests.bench.run",
                "smoke",
                "--prefix",
                prefix,
                "--keep",
                "--no-drills",
                "--results",
                str(tmp_path),
                "--report",
                str(report),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
        results = json.loads((tmp_path / "results-smoke.json").read_text())

        orders = results["generate"]["cmr"]["steps"]["orders"]
        assert orders["lines"] == 1000
        assert results["generate"]["cmr"]["steps"]["customers"]["customers"] == 100
        # Same seed, same history in both databases.
        assert orders == {**results["generate"]["ref"]["steps"]["orders"], "seconds": orders["seconds"]}
        assert 0 < orders["cancelled"] < orders["orders"]

        for key in ("cmr", "ref"):
            confirm = results["confirm"][key]
            assert confirm["confirmed"] == confirm["orders"] == 10
            assert confirm["queries_per_order"] > 0
        analysis = results["analysis"]
        assert analysis["lines"] > 0
        # Committed runs: the recommendations are computed on a thread and cursor of their own.
        assert analysis["run_states"] == ["done"] * 3, analysis
        assert analysis["partners_scored"] > 0 and analysis["recommendations"] > 0, analysis
        orders_page = results["portal"]["pages"]["/my/orders"]
        assert orders_page["errors"] == 0 and orders_page["n"] == 20 * 2
        assert orders_page["queries_per_request"]
        escalation = results.get("escalation") or {}
        if escalation.get("runs"):  # once crm.complaint is installed
            assert escalation["open_complaints"] == 100
            assert escalation["idempotent"], escalation
        outreach = results.get("outreach") or {}
        if outreach.get("nps"):  # once the NPS and retention scheduling are installed
            assert outreach["prepared"]["invoices"] > 0, outreach
            assert outreach["nps"][0]["surveys"] > 0 and outreach["idempotent"], outreach
            assert len(outreach["retention"]) == 2, outreach
        assert report.exists() and "## 2. Sale order confirmation" in report.read_text()

        # Odoo's own computes agree with the bulk-inserted amounts.
        check = subprocess.run(
            [str(VENV / "bin/python"), "-m", "tests.bench.generate", "--db", cmr_db, "--check", "400"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    finally:
        _drop(cmr_db, ref_db)
        for log in (WORK / "bench").glob(f"server-{prefix}_*.log"):
            log.unlink()
        subprocess.run(["rm", "-rf", *(str(WORK / "filestore/filestore" / db) for db in (cmr_db, ref_db))], check=False)
