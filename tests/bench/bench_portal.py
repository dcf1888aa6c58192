"""Benchmark 4: our portal pages vs Odoo's /my/orders under concurrent logged-in customers.

Usage: python -m tests.bench.bench_portal --db DB [--users 20] [--rounds 10]

Starts Odoo with ``--workers=2`` on free loopback ports, logs in ``--users`` generated portal
customers (real /web/session/authenticate), then for each page has every customer request it
``--rounds`` times in parallel threads (real HTTP through requests). Latency is measured by the
client (p50/p95); SQL queries per request come from Odoo's own access log line.
A page that answers 404 is reported as not available in this build.
"""

import argparse
import statistics
import sys
import threading
import time

from .common import emit, say, summary_ms
from .generate import PORTAL_PASSWORD
from .odoo_env import odoo_env
from .server import OdooServer

REFERENCE = "/my/orders"
PAGES = [REFERENCE, "/my/relationship", "/my/complaints", "/my/loyalty"]


def portal_logins(db, n):
    with odoo_env(db, commit=False) as env:
        env.cr.execute(
            "SELECT login FROM res_users WHERE share AND active AND login LIKE %s ORDER BY login LIMIT %s",
            ["%@bench.example", n],
        )
        return [login for (login,) in env.cr.fetchall()]


def load(sessions, url, rounds):
    """Every session requests ``url`` ``rounds`` times, all sessions at once; return latencies and errors."""
    latencies, errors, lock = [], [], threading.Lock()
    start = threading.Barrier(len(sessions))

    def customer(http):
        start.wait()
        for _ in range(rounds):
            t0 = time.perf_counter()
            try:
                resp = http.get(url, timeout=120, allow_redirects=False)
                ok = resp.status_code == 200
                status = resp.status_code
            except Exception as exc:
                ok, status = False, type(exc).__name__
            elapsed = time.perf_counter() - t0
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors.append(status)

    threads = [threading.Thread(target=customer, args=(s,)) for s in sessions]
    wall = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - wall


def run(db, users, rounds, pages=PAGES):
    logins = portal_logins(db, users)
    if len(logins) < users:
        raise RuntimeError(f"only {len(logins)} portal users in {db}; the generator makes them")
    result = {"db": db, "users": len(logins), "rounds": rounds, "workers": 2, "pages": {}}
    with OdooServer(db, workers=2) as server:
        sessions = [server.session(login, PORTAL_PASSWORD) for login in logins]
        for page in pages:
            url = server.url + page
            probe = sessions[0].get(url, timeout=120, allow_redirects=False)
            if probe.status_code == 404:
                result["pages"][page] = {"available": False}
                say("portal", f"{page}: not available in this build (404)")
                continue
            for http in sessions:  # warm every worker's caches for every customer once
                http.get(url, timeout=120, allow_redirects=False)
            before = len(server.access_lines())
            latencies, errors, wall = load(sessions, url, rounds)
            time.sleep(0.5)  # let the workers flush their access log lines
            logged = [q for (_m, path, status, q, *_rest) in server.access_lines()[before:] if path == page]
            stats = summary_ms(latencies) if latencies else {}
            stats.update(
                available=True,
                status=probe.status_code,
                errors=len(errors),
                error_kinds=sorted({str(e) for e in errors}),
                queries_per_request=statistics.median(logged) if logged else None,
                requests_per_s=round(len(latencies) / wall, 1),
            )
            result["pages"][page] = stats
            say(
                "portal",
                f"{page}: p50 {stats.get('p50_ms')} ms, p95 {stats.get('p95_ms')} ms,"
                f" {stats['queries_per_request']} queries, {stats['requests_per_s']} req/s, {len(errors)} errors",
            )
    ref = result["pages"].get(REFERENCE, {})
    for page, stats in result["pages"].items():
        if page != REFERENCE and stats.get("available") and ref.get("p50_ms"):
            stats["p50_ratio"] = round(stats["p50_ms"] / ref["p50_ms"], 2)
            if stats["queries_per_request"] and ref["queries_per_request"]:
                stats["query_ratio"] = round(stats["queries_per_request"] / ref["queries_per_request"], 2)
            say("portal", f"{page} vs {REFERENCE}: {stats['p50_ratio']}x p50, {stats.get('query_ratio')}x queries")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pages", nargs="*", default=PAGES)
    args = parser.parse_args(argv)
    emit(run(args.db, args.users, args.rounds, args.pages))


if __name__ == "__main__":
    sys.exit(main())
