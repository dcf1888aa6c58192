"""Run the benchmarks at one size and write bench-report.md (what setup/bench calls).

Usage: python -m tests.bench.run SIZE [--prefix bch_bench] [--keep] [--no-drills]

Two databases are created from scratch and filled with the same generated history:
``<prefix>_<size>_cmr`` with our three addons and ``<prefix>_<size>_ref`` with only Odoo's
``sale_loyalty``. Every benchmark prints its figure and its ratio to the reference measured
in the same run. Results go to .work/bench/results-<size>.json; the report is rebuilt from
all sizes measured so far.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from . import report
from .common import Timer, say
from .generate import SIZES
from .odoo_env import CONF, ROOT, WORK

ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo-19.0")
VENV_PY = os.path.join(os.environ.get("CMR_VENV", os.path.expanduser("~/.cache/crm-cmr/venv")), "bin/python")
DB_USER = os.environ.get("CMR_DB_USER", "odoo_cmr")
OUR_ADDONS = "crm_cmr_portal"
REF_ADDONS = "sale_loyalty"
CONFIRM_ORDERS = {"smoke": 10, "small": 50, "medium": 100, "large": 100}
PORTAL_ROUNDS = {"smoke": 2, "small": 10, "medium": 10, "large": 10}
FUZZ_EXAMPLES = {"smoke": 5, "small": 30, "medium": 30, "large": 30}
REPLICA_ROUNDS = {"smoke": 5, "small": 20, "medium": 20, "large": 10}
PARALLEL_ORDERS = {"smoke": 10, "small": 50, "medium": 50, "large": 50}
# The figure: the nightly expiry of 1,000,000 ledger lines; the large history holds fewer.
EXPIRY_LEDGER_ROWS = {"large": 1_000_000}
_print_lock = threading.Lock()


def pg_env():
    return dict(os.environ, PGUSER=DB_USER)


def run_logged(cmd, tag, logfile, timeout=7200):
    """Run a command, echo its lines prefixed, return (returncode, BENCH_JSON payload or None)."""
    env = dict(os.environ, PYTHONPATH=f"{ODOO_SRC}:{ROOT}")
    payload = None
    with (
        open(logfile, "a", encoding="utf-8") as log,
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc,
    ):
        started = time.time()
        for line in proc.stdout:
            log.write(line)
            if line.startswith("BENCH_JSON "):
                payload = json.loads(line[len("BENCH_JSON ") :])
            elif line.startswith("[") or " ERROR " in line or "Traceback" in line:
                with _print_lock:
                    print(f"  {tag}| {line.rstrip()}", flush=True)
            if time.time() - started > timeout:
                proc.kill()
        proc.wait()
    return proc.returncode, payload


def odoo(*args):
    return [VENV_PY, os.path.join(ODOO_SRC, "odoo-bin"), "-c", str(CONF), *args]


def bench_module(name, *args):
    return [VENV_PY, "-m", f"tests.bench.{name}", *args]


def create_db(db, addons, logfile):
    subprocess.run(["dropdb", "--if-exists", db], env=pg_env(), check=True, capture_output=True)
    subprocess.run(["rm", "-rf", str(WORK / "filestore/filestore" / db)], check=True)
    with Timer() as timer:
        code, _ = run_logged(odoo("-d", db, "-i", addons, "--stop-after-init", "--log-level=warn"), db, logfile)
    if code:
        raise RuntimeError(f"installing {addons} in {db} failed; see {logfile}")
    return round(timer.seconds, 1)


def ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def run_drills(size, cmr_db, ref_db, results, logfile):
    say("bench", "drill 1: parallel confirmations of one customer's orders over JSON-RPC")
    n = str(PARALLEL_ORDERS[size])
    for key, db in (("cmr", cmr_db), ("ref", ref_db)):
        _code, results["drills"][f"concurrency_{key}"] = run_logged(
            bench_module("drill_concurrency", "--db", db, "--orders", n), f"concurrency-{key}", logfile
        )
    say("bench", "drill 3: bad input to portal forms and JSON routes (hypothesis over HTTP)")
    _code, results["drills"]["bad_input"] = run_logged(
        bench_module("drill_bad_input", "--db", cmr_db, "--examples", str(FUZZ_EXAMPLES[size])), "bad-input", logfile
    )
    say("bench", "drill 4: upgrade, uninstall, reinstall on the filled database")
    _code, results["drills"]["upgrade"] = run_logged(bench_module("drill_upgrade", "--db", cmr_db), "upgrade", logfile)
    say("bench", "drill 5: reads on a streaming replica while orders are confirmed on the primary")
    _code, results["drills"]["replica"] = run_logged(
        bench_module("drill_replica", "--db", cmr_db, "--rounds", str(REPLICA_ROUNDS[size])), "replica", logfile
    )


def run(size, prefix="bch_bench", keep=False, logfile=None, drills=True, results_dir=None):
    results_dir = Path(results_dir or WORK / "bench")
    results_dir.mkdir(parents=True, exist_ok=True)
    logfile = logfile or results_dir / f"run-{size}.log"
    open(logfile, "w").close()
    cmr_db, ref_db = f"{prefix}_{size}_cmr", f"{prefix}_{size}_ref"
    results = {"size": size, "started": datetime.now().isoformat(timespec="seconds"), "machine": report.machine()}
    wall = Timer().__enter__()

    say("bench", f"creating {cmr_db} ({OUR_ADDONS}) and {ref_db} ({REF_ADDONS}) in parallel")
    with ThreadPoolExecutor(2) as pool:
        install = {
            "cmr": pool.submit(create_db, cmr_db, OUR_ADDONS, logfile),
            "ref": pool.submit(create_db, ref_db, REF_ADDONS, logfile),
        }
        results["install_s"] = {k: f.result() for k, f in install.items()}
    say("bench", f"installed in {results['install_s']} s")

    say("bench", f"generating the '{size}' history in both databases")
    with ThreadPoolExecutor(2) as pool:
        futures = {
            key: pool.submit(run_logged, bench_module("generate", "--db", db, "--size", size), key, logfile)
            for key, db in (("cmr", cmr_db), ("ref", ref_db))
        }
        results["generate"] = {}
        for key, future in futures.items():
            code, payload = future.result()
            if code or not payload:
                raise RuntimeError(f"generating data in the {key} database failed; see {logfile}")
            results["generate"][key] = payload

    results["drills"] = {}
    if drills:
        # On copies of the filled database, before the benchmarks change it (escalation, analysis).
        say("bench", "drill 2: jobs killed mid-run, then run again (on copies of the filled database)")
        _code, results["drills"]["crash"] = run_logged(bench_module("drill_crash", "--db", cmr_db), "crash", logfile)

    say("bench", "benchmark 1: relationship analysis vs one SQL pass")
    _code, results["analysis"] = run_logged(bench_module("bench_analysis", "--db", cmr_db), "analysis", logfile)

    say("bench", "benchmark 2: order confirmation, our addons vs sale_loyalty only")
    n = str(CONFIRM_ORDERS[size])
    confirm = {}
    for key, db in (("ref", ref_db), ("cmr", cmr_db)):
        _code, confirm[key] = run_logged(bench_module("bench_confirm", "--db", db, "--orders", n), key, logfile)
    if confirm.get("cmr") and confirm.get("ref"):
        confirm["time_ratio"] = ratio(confirm["cmr"]["p50_ms"], confirm["ref"]["p50_ms"])
        confirm["query_ratio"] = ratio(confirm["cmr"]["queries_per_order"], confirm["ref"]["queries_per_order"])
        say(
            "confirm",
            f"ours vs sale_loyalty only: {confirm['time_ratio']}x the time (p50),"
            f" {confirm['query_ratio']}x the queries per order",
        )
    results["confirm"] = confirm

    say("bench", "benchmark 3: loyalty expiry job over the ledger")
    expiry_args = ["--db", cmr_db]
    if size in EXPIRY_LEDGER_ROWS:
        expiry_args += ["--ledger-rows", str(EXPIRY_LEDGER_ROWS[size])]
    _code, results["expiry"] = run_logged(bench_module("bench_expiry", *expiry_args), "expiry", logfile)

    say("bench", "benchmark 5: complaint escalation job over the open complaints")
    _code, results["escalation"] = run_logged(bench_module("bench_escalation", "--db", cmr_db), "escalation", logfile)

    say("bench", "benchmark 4: portal pages vs /my/orders, 20 logged-in customers, --workers=2")
    rounds = str(PORTAL_ROUNDS[size])
    _code, portal = run_logged(bench_module("bench_portal", "--db", cmr_db, "--rounds", rounds), "portal", logfile)
    _code, portal_ref = run_logged(
        bench_module("bench_portal", "--db", ref_db, "--rounds", rounds, "--pages", "/my/orders"), "portal-ref", logfile
    )
    if portal and portal_ref:
        portal["ref_my_orders"] = portal_ref["pages"].get("/my/orders")
    results["portal"] = portal

    say("bench", "benchmark 6: NPS invitations and retention actions over the customers")
    _code, results["outreach"] = run_logged(bench_module("bench_outreach", "--db", cmr_db), "outreach", logfile)

    if drills:
        run_drills(size, cmr_db, ref_db, results, logfile)

    if not keep:
        for db in (cmr_db, ref_db):
            subprocess.run(["dropdb", "--if-exists", db], env=pg_env(), check=False, capture_output=True)
            subprocess.run(["rm", "-rf", str(WORK / "filestore/filestore" / db)], check=False)
    wall.__exit__()
    results["wall_s"] = round(wall.seconds, 1)
    out = results_dir / f"results-{size}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    say("bench", f"'{size}' done in {results['wall_s']} s; results in {out}")
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", choices=sorted(SIZES), nargs="?", default="small")
    parser.add_argument("--prefix", default="bch_bench")
    parser.add_argument("--keep", action="store_true", help="keep the two databases afterwards")
    parser.add_argument("--report", default=str(ROOT / "bench-report.md"))
    parser.add_argument("--no-drills", action="store_true", help="benchmarks only")
    parser.add_argument("--results", default=str(WORK / "bench"), help="directory of the results-<size>.json files")
    args = parser.parse_args(argv)
    run(args.size, args.prefix, args.keep, drills=not args.no_drills, results_dir=args.results)
    path = report.write(args.report, args.results)
    say("bench", f"report written to {path}")


if __name__ == "__main__":
    sys.exit(main())
