from odoo import fields, models

from ..analytics import churn


class CrmRelationshipAnalysis(models.Model):
    """The churn outlook of a run: how many customers it expects to lose in the next 90 days, and the
    revenue that goes with them."""

    _inherit = "crm.relationship.analysis"

    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    churn_estimated = fields.Boolean(readonly=True)
    churn_expected_lost = fields.Float(
        string="Customers Expected Lost in 90 Days",
        readonly=True,
        digits=(16, 2),
        help="Sum over the customers of the probability that they are still active today and stop buying "
        "in the next 90 days, from the BG/NBD model of this run.",
    )
    churn_revenue_at_stake = fields.Monetary(
        string="Revenue at Stake",
        readonly=True,
        currency_field="currency_id",
        help="Revenue of the next 12 months that these customers would bring if they stayed active, each "
        "weighted by the probability of losing them in the next 90 days.",
    )

    def _estimate_losses(self, customers):
        """The expected number of customers lost in the next 90 days and the revenue at stake, from each
        customer's probability of being lost (``lost``, by ``_fit``) and 12-month revenue forecast; nothing
        when BG/NBD could not be fitted."""
        if "lost" not in customers:
            self.write({"churn_estimated": False, "churn_expected_lost": 0.0, "churn_revenue_at_stake": 0.0})
            return
        lost, at_stake = churn.losses(
            customers["lost"].to_numpy(), customers["alive"].to_numpy(), customers["clv"].to_numpy()
        )
        self.write({"churn_estimated": True, "churn_expected_lost": lost, "churn_revenue_at_stake": at_stake})
