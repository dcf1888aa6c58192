from odoo import fields, models


class LoyaltyMail(models.Model):
    """The ledger's own moments a program can tell its customers about, in its Communications tab."""

    _inherit = "loyalty.mail"

    trigger = fields.Selection(
        selection_add=[("tier_change", "When the Tier Changes"), ("points_expiring", "Before Points Expire")],
        ondelete={"tier_change": "cascade", "points_expiring": "cascade"},
    )
