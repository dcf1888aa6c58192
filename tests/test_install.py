"""The addons install one at a time and together, with demo data, without warnings, and uninstall cleanly."""

import re

import pytest

PROBLEM = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ", re.MULTILINE)


def problems(log):
    return [line for line in log.splitlines() if PROBLEM.match(line + " ")]


@pytest.mark.parametrize("addons", ["crm_relationship", "crm_loyalty", "crm_cmr_portal"])
def test_install_alone_with_demo(odoo_cli, addons):
    db = odoo_cli.new_db("cmr_install")
    result = odoo_cli.run("-d", db, "-i", addons, "--with-demo", "--stop-after-init", "--log-level=warn")
    assert result.returncode == 0, result.stderr[-4000:]
    assert not problems(result.stderr + result.stdout), "\n".join(problems(result.stderr + result.stdout))
    state = odoo_cli.sql(db, f"select state from ir_module_module where name = '{addons.split(',')[-1]}'")
    assert state == "installed"


def test_install_together_then_uninstall(odoo_cli):
    db = odoo_cli.new_db("cmr_uninstall")
    result = odoo_cli.run(
        "-d",
        db,
        "-i",
        "crm_relationship,crm_loyalty,crm_cmr_portal",
        "--with-demo",
        "--stop-after-init",
        "--log-level=warn",
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert not problems(result.stderr), "\n".join(problems(result.stderr))
    assert "fillfactor=50" in odoo_cli.sql(
        db, "select array_to_string(reloptions, ',') from pg_class where oid = 'res_partner'::regclass"
    )
    # Uninstalling the core removes the addons that depend on it too.
    uninstall = odoo_cli.module("uninstall", db, "crm_relationship")
    assert uninstall.returncode == 0, uninstall.stderr[-4000:]
    assert not problems(uninstall.stderr), "\n".join(problems(uninstall.stderr))
    states = odoo_cli.sql(
        db,
        "select string_agg(name || '=' || state, ',' order by name) from ir_module_module "
        "where name in ('crm_relationship', 'crm_loyalty', 'crm_cmr_portal')",
    )
    assert states == "crm_cmr_portal=uninstalled,crm_loyalty=uninstalled,crm_relationship=uninstalled"
    leftovers = odoo_cli.sql(
        db,
        "select count(*) from ir_model where model like 'crm.relationship%' "
        "or model like 'crm.complaint%' or model like 'crm.loyalty%'",
    )
    assert leftovers == "0"
    # The room kept on res_partner's pages for the nightly metrics goes with the addon.
    options = "select coalesce(array_to_string(reloptions, ','), '') from pg_class where oid = 'res_partner'::regclass"
    assert odoo_cli.sql(db, options) == ""
