from odoo import fields, models


class CrmLoyaltyTierHistory(models.Model):
    """Every tier change of a card, with its reason."""

    _name = "crm.loyalty.tier.history"
    _description = "Loyalty Tier Change"
    _order = "date desc, id desc"

    card_id = fields.Many2one("loyalty.card", required=True, ondelete="cascade", index=True)
    partner_id = fields.Many2one(related="card_id.partner_id", store=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    old_tier_id = fields.Many2one("crm.loyalty.tier", string="From", ondelete="set null")
    new_tier_id = fields.Many2one("crm.loyalty.tier", string="To", ondelete="set null")
    reason = fields.Char(required=True)
