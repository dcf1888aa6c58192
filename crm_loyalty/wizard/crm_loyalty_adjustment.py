from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class CrmLoyaltyAdjustment(models.TransientModel):
    """A manager's correction of a card's balance: always with a reason, always a new movement."""

    _name = "crm.loyalty.adjustment"
    _description = "Adjust Loyalty Points"

    card_id = fields.Many2one("loyalty.card", required=True)
    points = fields.Float(required=True, help="Positive to give points, negative to take them.")
    reason = fields.Char(required=True)

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("crm_relationship.group_relationship_manager"):
            raise AccessError(self.env._("Only relationship managers may adjust loyalty points by hand."))
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for the adjustment."))
        if not self.points:
            raise UserError(self.env._("An adjustment of zero points changes nothing."))
        self.card_id._rel_add_movement("adjusted", self.points, self.reason.strip(), rel_reason=self.reason.strip())
        return {"type": "ir.actions.act_window_close"}
