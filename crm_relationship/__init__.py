from . import controllers, models, wizard
from .analytics import summary


def uninstall_hook(env):
    """Complaints are dropped with their table; remove them first so that their stages, which a
    complaint may not lose (ondelete restrict), can be deleted with the module's data."""
    env.cr.execute("DELETE FROM crm_complaint")
    # The purchase summary's tables, and its triggers on Odoo's tables, are not models: Odoo would leave them.
    summary.uninstall(env.cr)
