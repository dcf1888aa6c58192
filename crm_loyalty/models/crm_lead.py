from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    rel_referrer_id = fields.Many2one(
        "res.partner",
        string="Referrer",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        help="The customer whose referral link brought this lead in.",
    )
