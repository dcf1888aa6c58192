from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rel_goodwill_max_points = fields.Integer(
        string="Goodwill Points Without a Manager",
        config_parameter="crm_loyalty.goodwill_max_points",
        default=500,
        help="The most goodwill points a relationship user may offer on a complaint, once; more, or a second "
        "offer on the same complaint, needs a relationship manager.",
    )
