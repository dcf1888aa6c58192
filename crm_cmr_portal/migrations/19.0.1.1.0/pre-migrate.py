"""Fields that crm_cmr_portal adds to Odoo's models carry the prefix ``rel_`` (see the README's naming rule)."""

from odoo.addons.crm_relationship.migration_tools import rename_fields

RENAMES = [
    ("res.partner", "cmr_erasure_requested_on", "rel_erasure_requested_on"),
]


def migrate(cr, version):
    rename_fields(cr, "crm_cmr_portal", RENAMES)
