"""Drill 4: upgrade, uninstall and reinstall the three addons on a filled database.

Usage: python -m tests.bench.drill_upgrade --db DB

1. Counts the rows that matter (customers, orders, lines, loyalty cards and ledger, portal users,
   and every table of our addons' models).
2. ``-u crm_relationship,crm_loyalty,crm_cmr_portal``: every count must be unchanged. On a database
   filled by a release before the ``rel_`` naming rule, every renamed column must hold the same
   values under its new name (a fingerprint of (id, value) per column).
3. ``odoo-bin module uninstall crm_relationship`` (the other two depend on it): the sales data must
   be unchanged, and nothing of our addons may be left behind (models, tables, xml ids, views,
   actions, menus, mail messages/followers/activities of our models).
4. ``-i crm_cmr_portal`` again: installs without an error in its log, the sales data is still
   unchanged, and the loyalty history left behind is a consistent ledger again: its unique index on
   what an order earned exists and every loyalty card's balance equals the sum of its history.
"""

import argparse
import ast
import os
import re
import subprocess
import sys

from .common import Timer, emit, say
from .odoo_env import CONF, ROOT

ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo-19.0")
VENV_PY = os.path.join(os.environ.get("CMR_VENV", os.path.expanduser("~/.cache/crm-cmr/venv")), "bin/python")
DB_USER = os.environ.get("CMR_DB_USER", "odoo_cmr")
OURS = ("crm_relationship", "crm_loyalty", "crm_cmr_portal")
PROBLEM = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ", re.MULTILINE)
EARNED_INDEX = "loyalty_history_earned_once_per_order"
ERROR = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")
CORE_COUNTS = {
    "customers": "SELECT count(*) FROM res_partner WHERE ref LIKE 'BCH%'",
    "sale_orders": "SELECT count(*) FROM sale_order",
    "sale_order_lines": "SELECT count(*) FROM sale_order_line",
    "order_revenue": "SELECT coalesce(sum(amount_untaxed), 0) FROM sale_order WHERE state = 'sale'",
    "loyalty_cards": "SELECT count(*) FROM loyalty_card",
    "loyalty_points": "SELECT coalesce(round(sum(points)::numeric, 2), 0) FROM loyalty_card",
    "loyalty_history": "SELECT count(*) FROM loyalty_history",
    "portal_users": "SELECT count(*) FROM res_users WHERE share",
}
OUR_MODELS = (
    "SELECT m.model FROM ir_model m JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id"
    " WHERE d.module IN ('crm_relationship', 'crm_loyalty', 'crm_cmr_portal')"
)


def sql(db, query):
    out = subprocess.run(
        ["psql", "-X", "-tA", "-F", "\t", "-d", db, "-c", query],
        capture_output=True,
        text=True,
        env=dict(os.environ, PGUSER=DB_USER),
        check=True,
    )
    return out.stdout.strip()


def odoo(*args):
    cmd = [VENV_PY, os.path.join(ODOO_SRC, "odoo-bin"), *args]
    with Timer() as timer:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600, check=False)
    log = proc.stdout + proc.stderr
    return proc.returncode, [line for line in log.splitlines() if PROBLEM.match(line + " ")], round(timer.seconds, 1)


# The migration scripts that rename fields, by addon: their RENAMES lists are read from the files.
MIGRATIONS = {"crm_relationship": "19.0.1.3.0", "crm_loyalty": "19.0.1.1.0", "crm_cmr_portal": "19.0.1.1.0"}


def renames():
    """``(model, old, new)`` of every migration script that renames fields."""
    found = []
    for addon, version in MIGRATIONS.items():
        tree = ast.parse((ROOT / addon / "migrations" / version / "pre-migrate.py").read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and node.targets[0].id == "RENAMES":
                found += ast.literal_eval(node.value)
    return found


# Fields whose column moved to a table of their own: res.partner's figures are in crm_relationship_figures
# since crm_relationship 19.0.1.4.0, the partner's rel_<name> being <name> of the partner's row there.
MOVED = {"res_partner": ("crm_relationship_figures", "partner_id", "rel_")}


def fingerprints(db, columns, upto=None):
    """Per ``(model, column, key)`` whose column exists: how many rows hold a value, and a hash of
    (id, value) over the table; only over the rows up to the id ``upto[model]`` where given (the rows
    that existed before an upgrade, not those its new demo records add). A column that moved (``MOVED``)
    is read where it is now, by the id of the record it belongs to."""
    existing = set(sql(db, "SELECT table_name || '.' || column_name FROM information_schema.columns").split())
    result = {}
    for model, column, key in columns:
        table, id_column = model.replace(".", "_"), "id"
        if f"{table}.{column}" not in existing and table in MOVED:
            moved_table, moved_id, prefix = MOVED[table]
            if column.startswith(prefix) and f"{moved_table}.{column.removeprefix(prefix)}" in existing:
                table, id_column, column = moved_table, moved_id, column.removeprefix(prefix)
        if f"{table}.{column}" in existing:
            where = f" WHERE {id_column} <= {int(upto[model])}" if upto and model in upto else ""
            result[key] = sql(
                db,
                f"SELECT count({column}) || ':' || coalesce(md5(string_agg({id_column} || '=' || {column}::text,"
                f" ',' ORDER BY {id_column})), '') FROM {table}{where}",
            )
    return result


def errors(problems):
    return sum(1 for line in problems if ERROR.match(line))


def core_counts(db):
    return {name: sql(db, query) for name, query in CORE_COUNTS.items()}


def addon_counts(db):
    tables = sql(
        db,
        "SELECT DISTINCT replace(m.model, '.', '_') FROM ir_model m JOIN ir_model_data d"
        " ON d.model = 'ir.model' AND d.res_id = m.id"
        " WHERE d.module IN ('crm_relationship', 'crm_loyalty', 'crm_cmr_portal')",
    ).split()
    existing = set(sql(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split())
    return {t: sql(db, f"SELECT count(*) FROM {t}") for t in tables if t in existing}


def leftovers(db):
    mods = "('crm_relationship', 'crm_loyalty', 'crm_cmr_portal')"
    checks = {
        "xml_ids": f"SELECT count(*) FROM ir_model_data WHERE module IN {mods}",
        "models": "SELECT count(*) FROM ir_model WHERE model LIKE 'crm.relationship%' OR model LIKE 'crm.complaint%'"
        " OR model LIKE 'crm.loyalty%'",
        "tables": "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND (tablename LIKE 'crm\\_relationship%'"
        " OR tablename LIKE 'crm\\_complaint%' OR tablename LIKE 'crm\\_loyalty%')",
        "views": "SELECT count(*) FROM ir_ui_view WHERE model LIKE 'crm.relationship%' OR model LIKE 'crm.complaint%'"
        " OR model LIKE 'crm.loyalty%' OR arch_db::text LIKE '%crm\\_relationship.%'",
        "actions": "SELECT count(*) FROM ir_act_window WHERE res_model LIKE 'crm.relationship%'"
        " OR res_model LIKE 'crm.complaint%' OR res_model LIKE 'crm.loyalty%'",
        "mail_records": "SELECT (SELECT count(*) FROM mail_message WHERE model LIKE 'crm.relationship%'"
        " OR model LIKE 'crm.complaint%' OR model LIKE 'crm.loyalty%')"
        " + (SELECT count(*) FROM mail_followers WHERE res_model LIKE 'crm.relationship%'"
        " OR res_model LIKE 'crm.complaint%' OR res_model LIKE 'crm.loyalty%')"
        " + (SELECT count(*) FROM mail_activity WHERE res_model LIKE 'crm.relationship%'"
        " OR res_model LIKE 'crm.complaint%' OR res_model LIKE 'crm.loyalty%')",
        "partner_columns": "SELECT count(*) FROM information_schema.columns WHERE table_name = 'res_partner'"
        " AND column_name LIKE 'rel\\_%'",
    }
    return {name: int(sql(db, query)) for name, query in checks.items()}


def ledger_checks(db):
    """What crm_loyalty's reinstall made of the loyalty history that outlived the uninstall."""
    types = sql(
        db,
        "SELECT string_agg(rel_movement_type || '=' || n, ',' ORDER BY rel_movement_type) FROM"
        " (SELECT rel_movement_type, count(*) AS n FROM loyalty_history GROUP BY rel_movement_type) t",
    )
    return {
        "earned_index": sql(db, f"SELECT count(*) FROM pg_indexes WHERE indexname = '{EARNED_INDEX}'") == "1",
        "movement_types": types,
        "cards_off_ledger": int(
            sql(
                db,
                "SELECT count(*) FROM loyalty_card c LEFT JOIN (SELECT card_id, sum(coalesce(issued, 0)"
                " - coalesce(used, 0)) AS points FROM loyalty_history GROUP BY card_id) l ON l.card_id = c.id"
                " JOIN loyalty_program p ON p.id = c.program_id AND p.program_type = 'loyalty'"
                " WHERE abs(coalesce(c.points, 0) - coalesce(l.points, 0)) >= 0.005",
            )
        ),
        "open_lot_points": sql(
            db, "SELECT coalesce(round(sum(rel_points_remaining)::numeric, 2), 0) FROM loyalty_history"
        ),
    }


def run(db):
    conf = ["-c", str(CONF), "-d", db]
    result = {"tried": "upgrade (-u) the three addons, uninstall crm_relationship (and dependents), reinstall"}
    before = core_counts(db)
    addons_before = addon_counts(db)
    result["core_counts"] = before
    fields = renames()
    renamed_before = fingerprints(db, fields)
    code, problems, secs = odoo(*conf, "-u", ",".join(OURS), "--stop-after-init", "--log-level=warn")
    after_upgrade, addons_after = core_counts(db), addon_counts(db)
    renamed_after = fingerprints(db, [(model, new, new) for model, _old, new in fields])
    result["upgrade"] = {
        "ok": code == 0 and not errors(problems),
        "seconds": secs,
        "warnings": len(problems),
        "warning_lines": [line[:240] for line in problems[:5]],
        "core_changed": {k: (before[k], after_upgrade[k]) for k in before if before[k] != after_upgrade[k]},
        "addon_rows_changed": {
            k: (addons_before.get(k), addons_after.get(k))
            for k in set(addons_before) | set(addons_after)
            if addons_before.get(k) != addons_after.get(k)
        },
        "addon_rows": sum(int(v) for v in addons_before.values()),
        "renamed_columns": len(renamed_before),
        "renamed_columns_with_data": sum(1 for v in renamed_before.values() if not v.startswith("0:")),
        "renamed_columns_changed": sorted(k for k in renamed_before if renamed_before[k] != renamed_after.get(k)),
    }
    say("upgrade", f"-u: {result['upgrade']}")

    code, problems, secs = odoo("module", "uninstall", *conf, "crm_relationship")
    states = sql(
        db, f"SELECT string_agg(name || '=' || state, ',' ORDER BY name) FROM ir_module_module" f" WHERE name IN {OURS}"
    )
    after_uninstall = core_counts(db)
    # Columns our addons add to Odoo's tables go with them: compare what is left of Odoo's data.
    result["uninstall"] = {
        "ok": code == 0 and not errors(problems) and "installed" not in states.replace("uninstalled", ""),
        "seconds": secs,
        "warnings": len(problems),
        "warning_lines": [line[:240] for line in problems[:5]],
        "states": states,
        "core_changed": {k: (before[k], after_uninstall[k]) for k in before if before[k] != after_uninstall[k]},
        "leftovers": leftovers(db),
    }
    say("upgrade", f"uninstall: {result['uninstall']}")

    code, problems, secs = odoo(*conf, "-i", "crm_cmr_portal", "--stop-after-init", "--log-level=warn")
    after_reinstall = core_counts(db)
    result["reinstall"] = {
        "ok": code == 0
        and not errors(problems)
        and sql(db, "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name IN " f"{OURS}") == "3",
        "seconds": secs,
        "warnings": len(problems),
        "warning_lines": [line[:240] for line in problems[:5]],
        "core_changed": {k: (before[k], after_reinstall[k]) for k in before if before[k] != after_reinstall[k]},
        "ledger": ledger_checks(db),
    }
    say("upgrade", f"reinstall: {result['reinstall']}")
    result["nothing_lost"] = bool(
        result["upgrade"]["ok"]
        and not result["upgrade"]["core_changed"]
        and not result["upgrade"]["addon_rows_changed"]
        and not result["upgrade"]["renamed_columns_changed"]
        and result["uninstall"]["ok"]
        and not result["uninstall"]["core_changed"]
        and not any(result["uninstall"]["leftovers"].values())
        and result["reinstall"]["ok"]
        and not result["reinstall"]["core_changed"]
        and result["reinstall"]["ledger"]["earned_index"]
        and not result["reinstall"]["ledger"]["cards_off_ledger"]
    )
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)
    emit(run(args.db))


if __name__ == "__main__":
    sys.exit(main())
