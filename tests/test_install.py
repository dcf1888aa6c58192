"""The addons install one at a time and together, with demo data, without warnings, and uninstall cleanly;
crm_relationship alone serves the pages its emails link to.

crm_cmr_portal depends on both other addons: installed alone, it brings the three together, which is
how the uninstall test installs them."""

import json
import re
import socket
import subprocess
import time
from urllib.parse import urlsplit

import pytest
import requests
from conftest import ODOO_SRC, VENV, WORK

PROBLEM = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ", re.MULTILINE)


def problems(log):
    return [line for line in log.splitlines() if PROBLEM.match(line + " ")]


@pytest.mark.parametrize("addons", ["crm_relationship", "crm_loyalty"])
def test_install_alone_with_demo(odoo_cli, addons):
    db = odoo_cli.new_db("cmr_install")
    result = odoo_cli.run("-d", db, "-i", addons, "--with-demo", "--stop-after-init", "--log-level=warn")
    assert result.returncode == 0, result.stderr[-4000:]
    assert not problems(result.stderr + result.stdout), "\n".join(problems(result.stderr + result.stdout))
    state = odoo_cli.sql(db, f"select state from ir_module_module where name = '{addons.split(',')[-1]}'")
    assert state == "installed"
    if addons == "crm_relationship":
        assert_links_are_served(odoo_cli, db)


# Records whose links crm_relationship puts in its emails and portal, and the links, as the addon builds them.
LINKS_SCRIPT = """
import json
partner = env["res.partner"].create({"name": "Install matrix customer", "email": "matrix@example.com"})
complaint = env["crm.complaint"].create(
    {"subject": "Install matrix complaint", "description": "<p>Cracked</p>", "partner_id": partner.id}
)
nps = env["crm.relationship.nps"].create({"partner_id": partner.id})
links = {"complaint": complaint.get_portal_url(), "nps": nps._get_answer_url()}
env.cr.commit()
print("CMR-LINKS " + json.dumps(links))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_links_are_served(odoo_cli, db):
    """With crm_relationship alone, the complaint link and the NPS survey link of its emails open their page."""
    shell = subprocess.run(
        [str(VENV / "bin/python"), str(ODOO_SRC / "odoo-bin"), "shell", "-c", str(WORK / "odoo.conf"), "-d", db],
        input=LINKS_SCRIPT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    found = [line for line in shell.stdout.splitlines() if line.startswith("CMR-LINKS ")]
    assert found, shell.stderr[-4000:]
    links = {name: urlsplit(url) for name, url in json.loads(found[0].split(" ", 1)[1]).items()}
    port = free_port()
    server = subprocess.Popen(
        [
            *(str(VENV / "bin/python"), str(ODOO_SRC / "odoo-bin"), "-c", str(WORK / "odoo.conf"), "-d", db),
            *(f"--db-filter=^{db}$", f"--http-port={port}", "--max-cron-threads=0", "--log-level=warn"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(120):
            try:
                if requests.get(f"{base}/web/login", timeout=10).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(1)
        else:
            pytest.fail("the Odoo server of the crm_relationship-only database did not answer")
        # An anonymous visitor follows each link, as from the email.
        complaint = requests.get(f"{base}{links['complaint'].path}?{links['complaint'].query}", timeout=60)
        assert complaint.status_code == 200, (complaint.status_code, complaint.url)
        assert "Install matrix complaint" in complaint.text
        nps = requests.get(f"{base}{links['nps'].path}", timeout=60)
        assert nps.status_code == 200, (nps.status_code, nps.url)
        assert 'name="score"' in nps.text
        # and the server does tell a missing page apart
        assert requests.get(f"{base}/my/nps/not-a-token", timeout=60).status_code == 404
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_install_together_then_uninstall(odoo_cli):
    db = odoo_cli.new_db("cmr_uninstall")
    result = odoo_cli.run(
        "-d",
        db,
        "-i",
        "crm_cmr_portal",
        "--with-demo",
        "--stop-after-init",
        "--log-level=warn",
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert not problems(result.stderr + result.stdout), "\n".join(problems(result.stderr + result.stdout))
    states = (
        "select string_agg(name || '=' || state, ',' order by name) from ir_module_module "
        "where name in ('crm_relationship', 'crm_loyalty', 'crm_cmr_portal')"
    )
    assert odoo_cli.sql(db, states) == "crm_cmr_portal=installed,crm_loyalty=installed,crm_relationship=installed"
    triggers = "select count(*) from pg_trigger where tgname like 'crm_relationship%'"
    assert odoo_cli.sql(db, triggers) == "7"
    assert "fillfactor=50" in odoo_cli.sql(
        db, "select array_to_string(reloptions, ',') from pg_class where oid = 'crm_relationship_figures'::regclass"
    )
    # Uninstalling the core removes the addons that depend on it too.
    uninstall = odoo_cli.module("uninstall", db, "crm_relationship")
    assert uninstall.returncode == 0, uninstall.stderr[-4000:]
    assert not problems(uninstall.stderr), "\n".join(problems(uninstall.stderr))
    assert odoo_cli.sql(db, states) == "crm_cmr_portal=uninstalled,crm_loyalty=uninstalled,crm_relationship=uninstalled"
    leftovers = odoo_cli.sql(
        db,
        "select count(*) from ir_model where model like 'crm.relationship%' "
        "or model like 'crm.complaint%' or model like 'crm.loyalty%'",
    )
    assert leftovers == "0"
    # The purchase summary's tables, and its triggers on Odoo's tables with their functions, go too.
    leftovers = odoo_cli.sql(
        db,
        "select (select count(*) from pg_trigger where tgname like 'crm_relationship%')"
        " + (select count(*) from pg_proc where proname like 'crm_relationship%')"
        " + (select count(*) from pg_class where relname like 'crm_relationship_purchase%')",
    )
    assert leftovers == "0"
    # The room kept on res_partner's pages for the nightly metrics goes with the addon.
    options = "select coalesce(array_to_string(reloptions, ','), '') from pg_class where oid = 'res_partner'::regclass"
    assert odoo_cli.sql(db, options) == ""
