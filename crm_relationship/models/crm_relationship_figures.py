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


class CrmRelationshipFigures(models.Model):
    """What the last relationship analysis found about one customer entity, one row per partner.

    Each figure's digits are those the run rounds it to (``scoring.metric_rows``): the partner's related
    field reads it unchanged, and the views that show it choose their own.

    Written in bulk by ``crm.relationship.analysis`` (SQL) and by nothing else; the partner shows each
    figure as a related field ``rel_<name>``. The figures live in a table of their own because the run
    rewrites nearly every customer's every night: an update of ``res_partner`` also runs one trigger
    for each of the many foreign keys that point at partners, for every row.
    """

    _name = "crm.relationship.figures"
    _description = "Relationship Figures"
    _rec_name = "partner_id"

    _partner_once = models.UniqueIndex("(partner_id)")

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(
        "res.company",
        string="Analysed For",
        readonly=True,
        help="The company whose confirmed orders these figures and recommendations come from.",
    )
    # Related, not computed: graph and pivot views can only sum a monetary measure whose currency the
    # database can group by.
    currency_id = fields.Many2one(related="company_id.currency_id", string="Analysis Currency")
    rfm_recency = fields.Integer(string="Days Since Last Purchase", readonly=True, aggregator="avg")
    rfm_frequency = fields.Integer(string="Purchase Occasions", readonly=True)
    rfm_monetary = fields.Monetary(string="Total Spend", readonly=True)
    rfm_r_score = fields.Integer(string="R Score", readonly=True, aggregator="avg")
    rfm_f_score = fields.Integer(string="F Score", readonly=True, aggregator="avg")
    rfm_m_score = fields.Integer(string="M Score", readonly=True, aggregator="avg")
    rfm_segment = fields.Selection(SEGMENTS, string="RFM Segment", readonly=True, index=True)
    clv_expected_purchases = fields.Float(string="Expected Purchases (12 months)", readonly=True, digits=(16, 4))
    clv_value = fields.Monetary(
        string="Predicted Revenue (12 months)",
        readonly=True,
        help="Expected purchases of the next 12 months times the expected spend per purchase: revenue, "
        "not discounted, before costs.",
    )
    lifetime_value = fields.Monetary(
        string="Lifetime Value (discounted margin)",
        readonly=True,
        help="The gross margin this customer is expected to bring over the horizon set in Settings: the "
        "expected purchases of each month times the expected spend and the margin, discounted at the "
        "annual rate of Settings. It ranks the customers for health and Key Customers.",
    )
    value_rank = fields.Float(
        string="Value Rank",
        readonly=True,
        digits=(16, 4),
        aggregator="avg",
        help="Share of the analysed customers whose lifetime value is at most this customer's (the most "
        "valuable: 100%). Key Customers are those from 80%.",
    )
    clv_probability_alive = fields.Float(
        string="Probability Still Active",
        readonly=True,
        digits=(16, 4),
        aggregator="avg",
        help="Probability that the customer still buys (BG/NBD), from the number of repeat purchases, the "
        "date of the last one and the customer's age.",
    )
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, string="Lifecycle Stage", readonly=True, index=True)
    loyalty_quadrant = fields.Selection(
        LOYALTY_QUADRANTS,
        string="Loyalty",
        readonly=True,
        index=True,
        help="Attitude against patronage. Attitude is high from 0.6. Patronage is high when the customer "
        "is probably still buying (50% or more) and has at least as many purchase occasions as the median "
        "repeat customer (two at least). True: both high; latent: attitude only; spurious: patronage only.",
    )
    attitude = fields.Float(
        string="Attitude",
        readonly=True,
        digits=(16, 4),
        aggregator="avg",
        help="0 to 1: the mean of the latest NPS answer (score / 10) and of the complaint ratings, 0.5 without "
        "either, less 0.1 per open complaint (three at most). From 0.6 the attitude counts as high in the "
        "loyalty quadrant.",
    )
    health = fields.Float(string="Relationship Health", readonly=True, digits=(16, 1), aggregator="avg")
    health_value_points = fields.Float(
        string="Health from Value",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        help="Share of the health score from the customer's lifetime value: its rank among all customers (0 "
        "to 1) times the weight of value in Settings.",
    )
    health_retention_points = fields.Float(
        string="Health from Retention",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        help="Share of the health score from the probability that the customer still buys, times the weight "
        "of retention in Settings.",
    )
    health_satisfaction_points = fields.Float(
        string="Health from Satisfaction",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        help="Share of the health score from the attitude (NPS and complaint ratings, 0 to 1), times the "
        "weight of satisfaction in Settings.",
    )
    health_complaint_points = fields.Float(
        string="Health from Complaints",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        help="Share of the health score from complaints: 1 less 0.5 per open and 0.1 per complaint in all (at "
        "least 0), times the weight of complaints in Settings.",
    )
    # The inputs the explanations quote.
    age_days = fields.Integer(string="Days Since First Purchase", readonly=True)
    usual_gap_days = fields.Float(
        string="Usual Days between Purchases", readonly=True, digits=(16, 1), help="0 for a customer who bought once."
    )
    longest_gap_days = fields.Integer(string="Longest Gap between Purchases (days)", readonly=True)
    clv_spend = fields.Monetary(string="Expected Spend per Purchase", readonly=True)
    clv_discounted_purchases = fields.Float(
        string="Discounted Purchases over the Horizon", readonly=True, digits=(16, 4)
    )
    figures_rough = fields.Boolean(
        string="Rough Estimates",
        readonly=True,
        help="The customer base was too small, or the models' fit degenerate: probability still active, expected "
        "purchases and lifetime value are rough estimates from the customer's own history.",
    )
    # The figures of the run before (rising and falling customers).
    previous_value_rank = fields.Float(string="Value Rank Before", readonly=True, digits=(16, 4))
    previous_lifetime_value = fields.Monetary(string="Lifetime Value Before", readonly=True)
    previous_rfm_frequency = fields.Integer(string="Purchase Occasions Before", readonly=True)
    previous_probability_alive = fields.Float(string="Probability Still Active Before", readonly=True, digits=(16, 4))
    value_rank_change = fields.Float(
        string="Value Rank Move",
        readonly=True,
        digits=(16, 4),
        help="How far the value rank moved between the last two analysis runs (in share of the customers).",
    )

    def init(self):
        """Leave half of every page free, so that the nightly rewrite of the figures updates the rows in place
        (HOT) and touches no index when no segment, stage or quadrant changes."""
        self.env.cr.execute("ALTER TABLE crm_relationship_figures SET (fillfactor = 50)")

    @api.model_create_multi
    def create(self, vals_list):
        """Link each partner to its figures (the analysis does the same in SQL)."""
        records = super().create(vals_list)
        for figures in records:
            figures.partner_id.rel_figures_id = figures
        return records
