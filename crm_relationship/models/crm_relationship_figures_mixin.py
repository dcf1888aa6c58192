from odoo import api, fields, models

from ..analytics.rfm import SEGMENTS

LIFECYCLE_STAGES = [
    ("prospect", "Prospect"),
    ("new", "New"),
    ("active", "Active"),
    ("at_risk", "At Risk"),
    ("lapsed", "Lapsed"),
    ("won_back", "Won Back"),
]
LOYALTY_QUADRANTS = [
    ("true", "True Loyalty"),
    ("latent", "Latent Loyalty"),
    ("spurious", "Spurious Loyalty"),
    ("none", "No Loyalty"),
]


class CrmRelationshipFiguresMixin(models.AbstractModel):
    """The figures the relationship analysis computes about a customer, added to ``res.partner``."""

    _name = "crm.relationship.figures.mixin"
    _description = "Relationship Figures"

    # Written in bulk by crm.relationship.analysis (SQL), read-only everywhere else. Internal figures:
    # employees only, never portal or public users (customers get theirs in the portal's privacy export).
    rel_rfm_recency = fields.Integer(
        string="Days Since Last Purchase", readonly=True, aggregator="avg", groups="base.group_user"
    )
    rel_rfm_frequency = fields.Integer(string="Purchase Occasions", readonly=True, groups="base.group_user")
    rel_rfm_monetary = fields.Monetary(
        string="Total Spend", readonly=True, currency_field="rel_currency_id", groups="base.group_user"
    )
    rel_rfm_r_score = fields.Integer(string="R Score", readonly=True, aggregator="avg", groups="base.group_user")
    rel_rfm_f_score = fields.Integer(string="F Score", readonly=True, aggregator="avg", groups="base.group_user")
    rel_rfm_m_score = fields.Integer(string="M Score", readonly=True, aggregator="avg", groups="base.group_user")
    rel_rfm_segment = fields.Selection(
        SEGMENTS, string="RFM Segment", readonly=True, index=True, groups="base.group_user"
    )
    rel_clv_expected_purchases = fields.Float(
        string="Expected Purchases (12 months)", readonly=True, digits=(16, 2), groups="base.group_user"
    )
    rel_clv_value = fields.Monetary(
        string="Predicted Revenue (12 months)",
        readonly=True,
        currency_field="rel_currency_id",
        groups="base.group_user",
        help="Expected purchases of the next 12 months times the expected spend per purchase: revenue, "
        "not discounted, before costs.",
    )
    rel_lifetime_value = fields.Monetary(
        string="Lifetime Value (discounted margin)",
        readonly=True,
        currency_field="rel_currency_id",
        groups="base.group_user",
        help="The gross margin this customer is expected to bring over the horizon set in Settings: the "
        "expected purchases of each month times the expected spend and the margin, discounted at the "
        "annual rate of Settings. It ranks the customers for health and Key Customers.",
    )
    rel_value_rank = fields.Float(
        string="Value Rank",
        readonly=True,
        digits=(16, 4),
        aggregator="avg",
        groups="base.group_user",
        help="Share of the analysed customers whose lifetime value is at most this customer's (the most "
        "valuable: 100%). Key Customers are those from 80%.",
    )
    rel_clv_probability_alive = fields.Float(
        string="Probability Still Active",
        readonly=True,
        digits=(16, 2),
        aggregator="avg",
        groups="base.group_user",
        help="Probability that the customer still buys (BG/NBD), from the number of repeat purchases, the "
        "date of the last one and the customer's age.",
    )
    rel_lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, string="Lifecycle Stage", readonly=True, index=True, groups="base.group_user"
    )
    rel_loyalty_quadrant = fields.Selection(
        LOYALTY_QUADRANTS,
        string="Loyalty",
        readonly=True,
        index=True,
        groups="base.group_user",
        help="Attitude against patronage. Attitude is high from 0.6. Patronage is high when the customer "
        "is probably still buying (50% or more) and has at least as many purchase occasions as the median "
        "repeat customer (two at least). True: both high; latent: attitude only; spurious: patronage only.",
    )
    rel_attitude = fields.Float(
        string="Attitude",
        readonly=True,
        digits=(16, 2),
        aggregator="avg",
        groups="base.group_user",
        help="0 to 1: the mean of the latest NPS answer (score / 10) and of the complaint ratings, 0.5 without "
        "either, less 0.1 per open complaint (three at most). From 0.6 the attitude counts as high in the "
        "loyalty quadrant.",
    )
    rel_health = fields.Float(
        string="Relationship Health", readonly=True, digits=(16, 0), aggregator="avg", groups="base.group_user"
    )
    rel_health_value_points = fields.Float(
        string="Health from Value",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        groups="base.group_user",
        help="Share of the health score from the customer's lifetime value: its rank among all customers (0 "
        "to 1) times the weight of value in Settings.",
    )
    rel_health_retention_points = fields.Float(
        string="Health from Retention",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        groups="base.group_user",
        help="Share of the health score from the probability that the customer still buys, times the weight "
        "of retention in Settings.",
    )
    rel_health_satisfaction_points = fields.Float(
        string="Health from Satisfaction",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        groups="base.group_user",
        help="Share of the health score from the attitude (NPS and complaint ratings, 0 to 1), times the "
        "weight of satisfaction in Settings.",
    )
    rel_health_complaint_points = fields.Float(
        string="Health from Complaints",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        groups="base.group_user",
        help="Share of the health score from complaints: 1 less 0.5 per open and 0.1 per complaint in all (at "
        "least 0), times the weight of complaints in Settings.",
    )
    rel_company_id = fields.Many2one(
        "res.company",
        string="Analysed For",
        readonly=True,
        help="The company whose confirmed orders these figures and recommendations come from.",
        groups="base.group_user",
    )
    rel_analysed_on = fields.Date(
        string="Figures As Of",
        compute="_compute_rel_analysed_on",
        groups="base.group_user",
        help="The date of the last finished analysis of the company these figures come from.",
    )
    rel_reliability_note = fields.Text(
        string="Reliability", compute="_compute_rel_analysed_on", groups="base.group_user"
    )
    # Related, not computed: graph and pivot views can only sum a monetary measure whose currency
    # the database can group by. Partners without figures have no analysis currency.
    rel_currency_id = fields.Many2one(
        related="rel_company_id.currency_id", string="Analysis Currency", groups="base.group_user"
    )

    @api.depends("rel_company_id")
    @api.depends_context("lang")
    def _compute_rel_analysed_on(self):
        companies = self.rel_company_id
        last = {}
        if companies:
            # sudo: the date of a finished run is shown to whoever reads its figures, salespeople included,
            # who may not read the runs themselves
            runs = self.env["crm.relationship.analysis"].sudo()
            domain = [("state", "=", "done"), ("company_id", "in", companies.ids), ("holdout_weeks", "=", 0)]
            last = {
                company: (as_of, runs.browse(run_id))
                for company, as_of, run_id in runs._read_group(domain, ["company_id"], ["date_as_of:max", "id:max"])
            }
        for partner in self:
            as_of, run = last.get(partner.rel_company_id, (False, None))
            partner.rel_analysed_on = as_of
            partner.rel_reliability_note = run.reliability_note if run else False
