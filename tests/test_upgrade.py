"""An upgrade from the previous release keeps every value of the fields that the naming rule renamed.

The previous release is installed with its demo data (which runs the analysis and loads the loyalty
ledger), every renamed column is fingerprinted under its old name, the addons are upgraded with
today's code, and every column must hold the same values under its new name.
"""

import ast
import subprocess
from pathlib import Path

from bench.drill_upgrade import fingerprints, renames
from conftest import ODOO_SRC, ROOT
from test_install import problems

# The last commit before the fields took the rel_ prefix.
PREVIOUS_RELEASE = "0216c4add837c3af8b326960e43fa4468832229d"
ADDONS = ("crm_relationship", "crm_loyalty", "crm_cmr_portal")
# Columns the demo data fills: a fingerprint of empty columns would prove nothing.
MUST_HOLD_DATA = {
    "rel_rfm_segment",
    "rel_clv_probability_alive",
    "rel_health",
    "rel_tier_id",
    "rel_movement_type",
    "rel_points_remaining",
    "rel_ledger",
    "rel_points",
    "rel_partner_id",
    "rel_user_id",
}


def test_upgrade_from_previous_release_keeps_renamed_fields(odoo_cli, tmp_path):
    previous = tmp_path / "previous"
    previous.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", PREVIOUS_RELEASE, *ADDONS], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(previous)], input=archive.stdout, check=True)
    db = odoo_cli.new_db("cmr_upgrade")
    install = odoo_cli.run(
        "-d",
        db,
        f"--addons-path={previous},{Path(ODOO_SRC) / 'addons'}",
        "-i",
        ",".join(ADDONS),
        "--with-demo",
        "--stop-after-init",
        "--log-level=warn",
        timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-4000:]

    fields = renames()
    before = fingerprints(db, fields)
    filled = {new for new, print_ in before.items() if not print_.startswith("0:")}
    assert filled >= MUST_HOLD_DATA, f"the previous release's demo left these empty: {MUST_HOLD_DATA - filled}"
    # The rows that exist now: the upgrade's new demo records add rows of their own.
    upto = {
        model: odoo_cli.sql(db, f"SELECT coalesce(max(id), 0) FROM {model.replace('.', '_')}")
        for model in {m for m, _o, _n in fields}
    }

    upgrade = odoo_cli.run("-d", db, "-u", ",".join(ADDONS), "--stop-after-init", "--log-level=warn", timeout=1200)
    assert upgrade.returncode == 0, upgrade.stderr[-4000:]
    log = upgrade.stderr + upgrade.stdout
    assert not problems(log), "\n".join(problems(log))

    after = fingerprints(db, [(model, new, new) for model, _old, new in fields], upto)
    assert after == before
    left = fingerprints(db, [(model, old, old) for model, old, _new in fields])
    assert left == {}, f"old columns are still there: {sorted(left)}"
    old_names = ",".join(f"('{model}', '{old}')" for model, old, _new in fields)
    assert odoo_cli.sql(db, f"SELECT count(*) FROM ir_model_fields WHERE (model, name) IN ({old_names})") == "0"
    versions = odoo_cli.sql(
        db,
        "SELECT string_agg(name || '=' || latest_version, ',' ORDER BY name) FROM ir_module_module"
        " WHERE name IN ('crm_relationship', 'crm_loyalty', 'crm_cmr_portal')",
    )
    manifests = {addon: ast.literal_eval((ROOT / addon / "__manifest__.py").read_text()) for addon in ADDONS}
    assert versions == ",".join(f"{addon}={manifests[addon]['version']}" for addon in sorted(ADDONS))
