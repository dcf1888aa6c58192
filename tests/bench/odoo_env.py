"""Open an Odoo environment on a database from a plain Python process.

Scripts under tests/bench run as ``python -m tests.bench.<script>`` with the
Odoo tree on PYTHONPATH (setup/bench does that); this module gives them the
same registry and cursor that ``odoo-bin shell`` would.
"""

import contextlib
import os
from pathlib import Path

ROOT = Path(os.environ.get("CMR_ROOT", Path(__file__).resolve().parents[2]))
WORK = Path(os.environ.get("CMR_WORK", ROOT / ".work"))
CONF = WORK / "odoo.conf"


def setup_odoo(db, log_level="warn"):
    from odoo.tools import config

    config.parse_config(["-c", str(CONF), "-d", db, f"--log-level={log_level}"], setup_logging=True)


@contextlib.contextmanager
def odoo_env(db, commit=True):
    """Yield an environment as the superuser; commit at the end unless told not to."""
    setup_odoo(db)
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env = env(context=env["res.users"].context_get())
        yield env
        if commit:
            cr.commit()
        else:
            cr.rollback()
