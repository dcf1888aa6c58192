from odoo import models
from odoo.exceptions import UserError


class LoyaltyReward(models.Model):
    _inherit = "loyalty.reward"

    def _rel_check_claimable_with(self, card):
        """Refuse, before anything changes, a reward that ``card`` may not claim: another program's, archived,
        kept for a higher tier, or costing more points than the card holds beside those its other claims
        set aside."""
        env = card.env
        if len(self) != 1 or self.program_id != card.program_id or not self.active:
            raise UserError(env._("This reward is not part of your loyalty program."))
        if self in card._rel_tier_rewards_withheld():
            raise UserError(env._("The reward %(reward)s is kept for a higher tier.", reward=self.description))
        reserved = card._rel_points_reserved()
        if self.required_points > card.points - reserved:
            if reserved:
                raise UserError(
                    env._(
                        "The reward %(reward)s needs %(required)s points; your card has %(points)s, of which "
                        "%(reserved)s are set aside for rewards on your quotations.",
                        reward=self.description,
                        required=f"{self.required_points:g}",
                        points=f"{card.points:g}",
                        reserved=f"{reserved:g}",
                    )
                )
            raise UserError(
                env._(
                    "The reward %(reward)s needs %(required)s points; your card has %(points)s.",
                    reward=self.description,
                    required=f"{self.required_points:g}",
                    points=f"{card.points:g}",
                )
            )
