"""Process-level tests: they drive Odoo as an administrator would, through odoo-bin."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("CMR_ROOT", Path(__file__).resolve().parents[1]))
WORK = Path(os.environ.get("CMR_WORK", ROOT / ".work"))
VENV = Path(os.environ.get("CMR_VENV", Path.home() / ".cache/crm-cmr/venv"))
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo-19.0"))
DB_USER = os.environ.get("CMR_DB_USER", "odoo_cmr")


def pg_env():
    return dict(os.environ, PGUSER=DB_USER)


class OdooCli:
    """Runs odoo-bin against throwaway databases that it drops afterwards."""

    def __init__(self):
        self.databases = []

    def new_db(self, prefix):
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.databases.append(name)
        return name

    def run(self, *args, timeout=900):
        cmd = [str(VENV / "bin/python"), str(ODOO_SRC / "odoo-bin"), "-c", str(WORK / "odoo.conf"), *args]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)

    def module(self, action, db, *modules, timeout=900):
        """``odoo-bin module install|upgrade|uninstall`` (Odoo 19 has no --uninstall option)."""
        cmd = [str(VENV / "bin/python"), str(ODOO_SRC / "odoo-bin"), "module", action, "-c", str(WORK / "odoo.conf")]
        cmd += ["-d", db, *modules]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)

    def sql(self, db, query):
        out = subprocess.run(
            ["psql", "-X", "-tA", "-d", db, "-c", query], capture_output=True, text=True, env=pg_env(), check=True
        )
        return out.stdout.strip()

    def drop_all(self):
        for name in self.databases:
            subprocess.run(["dropdb", "--if-exists", name], env=pg_env(), check=False)


@pytest.fixture
def odoo_cli():
    cli = OdooCli()
    yield cli
    cli.drop_all()
