from odoo import models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare


class LoyaltyCardUpdateBalance(models.TransientModel):
    """Odoo's "Update Balance" on a ledger card: an adjustment by a relationship manager, with its reason."""

    _inherit = "loyalty.card.update.balance"

    def action_update_card_point(self):
        ledger = self.filtered(lambda wizard: wizard.card_id._rel_ledger_cards())
        for wizard in ledger:
            env = wizard.env
            if not env.user.has_group("crm_relationship.group_relationship_manager"):
                raise AccessError(env._("Only relationship managers may adjust loyalty points by hand."))
            description = (wizard.description or "").strip()
            if not description:
                raise ValidationError(env._("Give the reason for the adjustment."))
            if (
                wizard.new_balance < 0
                or float_compare(wizard.new_balance, wizard.card_id.points, precision_digits=2) == 0
            ):
                raise ValidationError(env._("The new balance must not be negative and must differ from the old one."))
            wizard.card_id._rel_add_movement(
                "adjusted", wizard.new_balance - wizard.card_id.points, description, rel_reason=description
            )
        others = self - ledger
        return super(LoyaltyCardUpdateBalance, others).action_update_card_point() if others else True
