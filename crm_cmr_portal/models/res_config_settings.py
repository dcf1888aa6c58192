from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rel_portal_show_standing = fields.Boolean(
        string="Show Customers Where They Stand",
        config_parameter="crm_cmr_portal.show_standing",
        help="On My Relationship, customers read a plain-language sentence about their own segment and their "
        "progress to the next loyalty tier. Scores, probabilities and values are never shown on the portal.",
    )
