"""Write bench-report.md (and bench-report.png) from the results of every size measured so far."""

import json
import os
import platform
import subprocess
from pathlib import Path

from .odoo_env import ROOT, WORK

SIZE_ORDER = ["smoke", "small", "medium", "large"]


def machine():
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql_client": pg,
        "commit": commit,
    }


def load_results(results_dir=None):
    results = {}
    for size in SIZE_ORDER:
        path = Path(results_dir or WORK / "bench") / f"results-{size}.json"
        if path.exists():
            results[size] = json.loads(path.read_text())
    return results


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _get(d, *keys):
    for key in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def chart(results, path):
    """Analysis time (and the SQL-pass floor) against the number of order lines, log-log."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [s for s in SIZE_ORDER if s in results]
    if not sizes:
        return None
    lines = [_get(results[s], "analysis", "lines") or 0 for s in sizes]
    sql = [(_get(results[s], "analysis", "sql_pass_s") or 0) * 1000 for s in sizes]
    analysis = [(_get(results[s], "analysis", "analysis_s") or 0) * 1000 for s in sizes]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(lines, sql, "o-", label="reference: one SQL pass")
    if any(analysis):
        pts = [(x, y) for x, y in zip(lines, analysis, strict=True) if y]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "s-", label="relationship analysis end to end")
    for x, y, s in zip(lines, sql, sizes, strict=True):
        ax.annotate(s, (x, y), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("confirmed order lines")
    ax.set_ylabel("milliseconds")
    ax.set_title("Analysis time against data size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _cell(value):
    if isinstance(value, dict | list):
        return "`" + json.dumps(value, default=str).replace("|", "/") + "`"
    return value


def _in_place(analysis):
    """'97,601 of 97,935': the next-day run's HOT updates of the figures among all its updates."""
    updated, in_place = analysis.get("next_day_figures_updates"), analysis.get("next_day_figures_hot_updates")
    return f"{in_place:,} of {updated:,}" if updated is not None and in_place is not None else None


def _job_runs(results, sizes, key, volume_label, volume_key, effect_key):
    """A scheduled job run twice (the second run shows idempotence) against its SQL-pass floor."""
    rows = []
    for s in sizes:
        e = results[s].get(key) or {}
        if not e.get("runs"):
            rows.append([s, e.get(key, "not measured"), None, None, None, None, None, None])
        for r in e.get("runs", []):
            rows.append(
                [
                    s,
                    e.get(volume_key),
                    r["run"],
                    r["seconds"],
                    r["queries"],
                    r.get(effect_key),
                    round(e["sql_pass_s"] * 1000, 1),
                    r["ratio_to_sql_pass"],
                ]
            )
    header = ["size", volume_label, "run", "seconds", "queries", effect_key.replace("_", " "), "SQL pass ms", "ratio"]
    return [table(header, rows), ""]


def _outreach_runs(results, sizes):
    """NPS scheduled action and retention scheduling over the generated customers, each run twice."""
    rows = []
    for s in sizes:
        o = results[s].get("outreach") or {}
        if not o.get("nps") and not o.get("retention"):
            rows.append([s, o.get("outreach", "not measured"), None, None, None, None, None])
            continue
        for r in o.get("nps", []):
            made = (
                f"{r.get('customers_done')} customers in {r.get('job_starts')} starts: {r['surveys']} surveys,"
                f" {r['emails_now']} emails now, {r['emails_scheduled']} scheduled, {r['nps_calls']} calls"
            )
            rows.append([s, o.get("customers"), "NPS", r["run"], r["seconds"], r["queries"], made])
        every = o.get("retention_every_customer_at_risk")
        for r in [*o.get("retention", []), *([every] if every else [])]:
            made = (
                f"{r['at_risk']} at risk, {r.get('candidates')} valuable and newly so: {r['calls']} calls,"
                f" {r['activities']} to-dos; skipped {r['skipped']}"
            )
            rows.append([s, o.get("customers"), "retention", r["run"], r["seconds"], r["queries"], made])
    header = ["size", "customers", "job", "run", "seconds", "queries", "planned"]
    return [table(header, rows), ""]


def render(results, png_name):
    sizes = [s for s in SIZE_ORDER if s in results]
    first = results[sizes[0]] if sizes else {}
    m = first.get("machine") or machine()
    out = [
        "# Benchmarks and drills",
        "",
        f"Machine: {m['cores']} cores, {m['memory_gb']} GB RAM, Python {m['python']}, {m['postgresql_client']};"
        f" commit {m['commit']}. Other work shared the machine; figures are from one run each.",
        "",
        "Reference databases: `_cmr` has crm_relationship, crm_loyalty and crm_cmr_portal; `_ref` has only"
        " Odoo's `sale_loyalty`. Both are filled with the same generated history (same seed).",
        "",
        "## Data generation",
        "",
        table(
            [
                "size",
                "customers",
                "orders",
                "cancelled",
                "order lines",
                "loyalty ledger rows",
                "open complaints",
                "fill s (ours)",
                "fill s (ref)",
                "run wall s",
                "commit",
            ],
            [
                [
                    s,
                    _get(results[s], "generate", "cmr", "steps", "customers", "customers"),
                    _get(results[s], "generate", "cmr", "steps", "orders", "orders"),
                    _get(results[s], "generate", "cmr", "steps", "orders", "cancelled"),
                    _get(results[s], "generate", "cmr", "steps", "orders", "lines"),
                    _get(results[s], "generate", "cmr", "steps", "loyalty_ledger", "history_rows"),
                    _get(results[s], "generate", "cmr", "steps", "complaints", "complaints"),
                    _get(results[s], "generate", "cmr", "seconds"),
                    _get(results[s], "generate", "ref", "seconds"),
                    results[s].get("wall_s"),
                    _get(results[s], "machine", "commit"),
                ]
                for s in sizes
            ],
        ),
        "",
    ]
    skipped = sorted(
        {
            f"{name}: {step['skipped']}"
            for s in sizes
            for name, step in (_get(results[s], "generate", "cmr", "steps") or {}).items()
            if "skipped" in step
        }
    )
    if skipped:
        out += ["Generator steps skipped: " + "; ".join(skipped) + ".", ""]

    out += ["## 1. Relationship analysis vs one SQL pass", ""]
    rows = []
    for s in sizes:
        a = results[s].get("analysis") or {}
        sql_ms = round(a["sql_pass_s"] * 1000, 1) if a.get("sql_pass_s") is not None else None
        rows.append(
            [
                s,
                a.get("lines"),
                a.get("customers"),
                sql_ms,
                a.get("analysis_s", a.get("analysis", "failed")),
                a.get("analysis_queries"),
                a.get("ratio"),
                a.get("rerun_s"),
                a.get("rerun_ratio"),
                a.get("next_day_s"),
                a.get("next_day_ratio"),
                _in_place(a),
                a.get("validation_s"),
                a.get("validation_ratio"),
                a.get("peak_rss_before_mb"),
                a.get("peak_rss_mb"),
                a.get("recommendations"),
                ", ".join(a.get("run_states") or []) or None,
            ]
        )
    out += [
        table(
            [
                "size",
                "lines",
                "customers",
                "SQL pass ms",
                "analysis s",
                "analysis queries",
                "ratio",
                "re-run, same day s",
                "re-run ratio",
                "next day s",
                "next day ratio",
                "next day figures updates in place",
                "validation run s",
                "validation ratio",
                "memory before the runs MB",
                "peak memory of the runs MB",
                "recommendations stored",
                "runs",
            ],
            rows,
        ),
        "",
    ]
    if png_name:
        out += [f"![Analysis time against data size]({png_name})", ""]

    out += ["## 2. Sale order confirmation (ORM, one order at a time, committed)", ""]
    rows = []
    for s in sizes:
        c = results[s].get("confirm") or {}
        for key, label in (("ref", "sale_loyalty only"), ("cmr", "our addons")):
            r = c.get(key) or {}
            rows.append(
                [
                    s,
                    label,
                    r.get("orders"),
                    r.get("p50_ms"),
                    r.get("p95_ms"),
                    r.get("queries_per_order"),
                    r.get("loyalty_history_lines"),
                ]
            )
        rows.append([s, "**ratio ours / ref**", None, c.get("time_ratio"), None, c.get("query_ratio"), None])
    out += [
        table(["size", "database", "orders", "p50 ms", "p95 ms", "queries / order", "loyalty history lines"], rows),
        "",
    ]
    out += ["## 3. Loyalty expiry over the ledger (scheduled job, run twice)", ""]
    out += _job_runs(results, sizes, "expiry", "ledger rows", "ledger_rows", "ledger_rows_added")
    for s in sizes:
        pad = (results[s].get("expiry") or {}).get("padding") or {}
        if pad.get("rows_added"):
            runs = results[s]["expiry"].get("runs") or [{}]
            expired = runs[0].get("lots_expired")
            expired = f"{expired:,}" if isinstance(expired, int) else "?"
            out += [
                f"Size `{s}`: the ledger was first padded with {pad['rows_added']:,} earned lots over"
                f" {pad.get('cards')} cards ({pad.get('due_share', 0):.0%} of them due) in {pad.get('seconds')} s;"
                f" run 1 expired {expired} lots.",
                "",
            ]
    out += ["## 4. Portal pages vs /my/orders (real HTTP, Odoo --workers=2, 20 logged-in customers)", ""]
    rows = []
    for s in sizes:
        p = results[s].get("portal") or {}
        for page, st in (p.get("pages") or {}).items():
            if not st.get("available"):
                rows.append([s, page, "not in this build", None, None, None, None, None, None])
                continue
            rows.append(
                [
                    s,
                    page,
                    st.get("n"),
                    st.get("p50_ms"),
                    st.get("p95_ms"),
                    st.get("queries_per_request"),
                    st.get("requests_per_s"),
                    st.get("errors"),
                    f"{st.get('p50_ratio')}x p50, {st.get('query_ratio')}x queries" if st.get("p50_ratio") else "ref",
                ]
            )
        ref = p.get("ref_my_orders")
        if ref:
            rows.append(
                [
                    s,
                    "/my/orders, sale_loyalty-only DB",
                    ref.get("n"),
                    ref.get("p50_ms"),
                    ref.get("p95_ms"),
                    ref.get("queries_per_request"),
                    ref.get("requests_per_s"),
                    ref.get("errors"),
                    "Odoo without our addons",
                ]
            )
    out += [
        table(["size", "page", "requests", "p50 ms", "p95 ms", "queries / request", "req/s", "errors", "vs ref"], rows)
        if rows
        else "Not measured.",
        "",
    ]
    out += ["## 5. Complaint escalation (scheduled job, run twice)", ""]
    out += _job_runs(results, sizes, "escalation", "open complaints", "open_complaints", "activities_created")
    out += ["## 6. NPS and retention scheduling (run twice)", ""]
    out += _outreach_runs(results, sizes)
    out += ["## Drills", ""]
    titles = {
        "concurrency_cmr": "1. Concurrency: parallel confirmations over JSON-RPC (our addons)",
        "concurrency_ref": "1. Concurrency: parallel confirmations over JSON-RPC (sale_loyalty only)",
        "crash": "2. Crash and resume",
        "bad_input": "3. Bad input to portal forms and JSON routes",
        "upgrade": "4. Upgrade, uninstall, reinstall",
        "replica": "5. Scale-out on a streaming replica",
    }
    for name, title in titles.items():
        out += [f"### {title}", ""]
        measured = [s for s in sizes if (results[s].get("drills") or {}).get(name)]
        if not measured:
            out += ["Not run in this build.", ""]
            continue
        for s in measured:
            drill = results[s]["drills"][name]
            out += [f"Size `{s}`:", "", table(["item", "value"], [[k, _cell(v)] for k, v in drill.items()]), ""]
    return "\n".join(out)


def write(path=None, results_dir=None):
    path = Path(path or ROOT / "bench-report.md")
    results = load_results(results_dir)
    png = path.with_suffix(".png")
    png_written = chart({k: v for k, v in results.items() if k in SIZE_ORDER}, png)
    path.write_text(render(results, png.name if png_written else None), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write())
