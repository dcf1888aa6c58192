from odoo import api, fields, models
from odoo.tools import format_amount, formatLang

from ..analytics import scoring

# The inputs the run stores beside the figures they explain (employees only, as the figures).
_STORED = {"groups": "base.group_user"}
_SENTENCE = {"compute": "_compute_rel_explanations", "groups": "base.group_user"}


class CrmRelationshipExplanationMixin(models.AbstractModel):
    """Why each figure of the analysis is what it is: its inputs, stored by the run with the figures, and a sentence
    for each figure, composed when read so that it is in the reader's language. Added to ``res.partner``."""

    _name = "crm.relationship.explanation.mixin"
    _inherit = ["crm.relationship.figures.mixin"]
    _description = "Relationship Figures Explained"

    rel_age_days = fields.Integer(related="rel_figures_id.age_days", **_STORED)
    rel_usual_gap_days = fields.Float(related="rel_figures_id.usual_gap_days", **_STORED)
    rel_longest_gap_days = fields.Integer(related="rel_figures_id.longest_gap_days", **_STORED)
    rel_clv_spend = fields.Monetary(related="rel_figures_id.clv_spend", currency_field="rel_currency_id", **_STORED)
    rel_clv_discounted_purchases = fields.Float(related="rel_figures_id.clv_discounted_purchases", **_STORED)
    rel_figures_rough = fields.Boolean(related="rel_figures_id.figures_rough", **_STORED)
    rel_previous_value_rank = fields.Float(related="rel_figures_id.previous_value_rank", **_STORED)
    rel_previous_lifetime_value = fields.Monetary(
        related="rel_figures_id.previous_lifetime_value", currency_field="rel_currency_id", **_STORED
    )
    rel_previous_rfm_frequency = fields.Integer(related="rel_figures_id.previous_rfm_frequency", **_STORED)
    rel_previous_probability_alive = fields.Float(related="rel_figures_id.previous_probability_alive", **_STORED)
    rel_value_rank_change = fields.Float(related="rel_figures_id.value_rank_change", **_STORED)

    rel_segment_explanation = fields.Text(string="Why this Segment", **_SENTENCE)
    rel_stage_explanation = fields.Text(string="Why this Stage", **_SENTENCE)
    rel_quadrant_explanation = fields.Text(string="Why this Loyalty", **_SENTENCE)
    rel_health_explanation = fields.Text(string="How the Health Adds Up", **_SENTENCE)
    rel_value_explanation = fields.Text(string="How the Value Is Estimated", **_SENTENCE)
    rel_alive_explanation = fields.Text(string="Why this Probability Still Active", **_SENTENCE)
    rel_rank_move_reason = fields.Text(string="Why the Value Rank Moved", **_SENTENCE)
    rel_rough_estimate = fields.Char(
        string="Rough Value · Still Active",
        compute="_compute_rel_rough_estimate",
        groups="base.group_user",
        help="On a rough run, the lifetime value and the probability still active rounded, in place of figures "
        "that would look precise.",
    )

    @api.depends(
        "rel_company_id",
        "rel_rfm_segment",
        "rel_health",
        "rel_lifetime_value",
        "rel_value_rank_change",
        "rel_figures_rough",
    )
    @api.depends_context("lang")
    def _compute_rel_explanations(self):
        runs = self._rel_explaining_runs()
        for partner in self:
            run = runs.get(partner.rel_company_id)
            if not partner.rel_rfm_segment or not run:
                partner.update(dict.fromkeys(EXPLANATION_FIELDS, False))
                continue
            partner.update(
                {
                    "rel_segment_explanation": partner._rel_explain_segment(run),
                    "rel_stage_explanation": partner._rel_explain_stage(),
                    "rel_quadrant_explanation": partner._rel_explain_quadrant(run),
                    "rel_health_explanation": partner._rel_explain_health(run),
                    "rel_value_explanation": partner._rel_explain_value(run),
                    "rel_alive_explanation": partner._rel_explain_alive(),
                    "rel_rank_move_reason": partner._rel_explain_rank_move(),
                }
            )

    @api.depends("rel_figures_rough", "rel_lifetime_value", "rel_clv_probability_alive")
    @api.depends_context("lang")
    def _compute_rel_rough_estimate(self):
        for partner in self:
            partner.rel_rough_estimate = partner.rel_figures_rough and self.env._(
                "≈ %(value)s · %(alive)s",
                value=partner._rel_money(partner.rel_lifetime_value, rough=True),
                alive=partner._rel_percent(partner.rel_clv_probability_alive, rough=True),
            )

    def _rel_explaining_runs(self):
        """The last finished run of each analysing company of these partners: the cut-offs and weights
        their figures were scored with."""
        companies = self.rel_company_id
        if not companies:
            return {}
        # sudo: the cut-offs of a finished run explain the figures to whoever reads them, salespeople included,
        # who may not read the runs themselves
        Run = self.env["crm.relationship.analysis"].sudo()
        domain = [("state", "=", "done"), ("company_id", "in", companies.ids), ("holdout_weeks", "=", 0)]
        last = Run._read_group(domain, ["company_id"], ["id:max"])
        return {company: Run.browse(run_id) for company, run_id in last}

    # ------------------------------------------------------------------ formatting
    def _rel_money(self, amount, rough=False):
        """The amount in the reader's format; rough: two significant digits, no cents."""
        currency = self.rel_currency_id or self.env.company.currency_id
        if rough:
            amount = float(f"{amount:.2g}") if amount and amount >= 1 else 0.0
            return formatLang(self.env, amount, currency_obj=currency, rounding_unit="units")
        return format_amount(self.env, amount or 0.0, currency)

    @api.model
    def _rel_percent(self, share, rough=False):
        percent = (share or 0.0) * 100
        return f"{round(percent / 5) * 5:.0f}%" if rough else f"{percent:.0f}%"

    @api.model
    def _rel_range(self, bounds, money=None):
        low, high = (money(value) if money else f"{value:g}" for value in bounds)
        return low if low == high else f"{low}–{high}"

    # ------------------------------------------------------------------ the sentences
    def _rel_explain_segment(self, run):
        cutoffs = run.rfm_cutoffs or {}
        scores = {"r": self.rel_rfm_r_score, "f": self.rel_rfm_f_score, "m": self.rel_rfm_m_score}
        ranges = {key: (cutoffs.get(key) or [None] * 5)[score - 1] for key, score in scores.items() if score}
        if len(ranges) < 3 or None in ranges.values():
            return False
        segment = dict(self._fields["rel_rfm_segment"]._description_selection(self.env))[self.rel_rfm_segment]
        return self.env._(
            "%(segment)s. R %(r)s: last purchase %(recency)s days ago (R %(r)s covers %(r_range)s days). F %(f)s: "
            "purchase occasions %(frequency)s (F %(f)s covers %(f_range)s). M %(m)s: spent %(monetary)s (M %(m)s "
            "covers %(m_range)s). The segment follows from R and the rounded mean of F and M.",
            segment=segment,
            recency=self.rel_rfm_recency,
            r=scores["r"],
            r_range=self._rel_range(ranges["r"]),
            frequency=self.rel_rfm_frequency,
            f=scores["f"],
            f_range=self._rel_range(ranges["f"]),
            monetary=self._rel_money(self.rel_rfm_monetary),
            m=scores["m"],
            m_range=self._rel_range(ranges["m"], self._rel_money),
        )

    def _rel_explain_stage(self):
        values = {
            "age": self.rel_age_days,
            "recency": self.rel_rfm_recency,
            "gap": self.rel_longest_gap_days,
            "alive": self._rel_percent(self.rel_clv_probability_alive, self.rel_figures_rough),
        }
        stage = self.rel_lifecycle_stage
        if stage == "new":
            return self.env._("New: the first purchase was %(age)s days ago, within 90 days.", **values)
        if stage == "won_back":
            return self.env._(
                "Won back: bought %(recency)s days ago after a gap of %(gap)s days between two purchases, more "
                "than a year.",
                **values,
            )
        if stage == "active":
            return self.env._(
                "Active: bought %(recency)s days ago, within 180 days, and %(alive)s likely still to buy (50%% or "
                "more).",
                **values,
            )
        if stage == "lapsed" and self.rel_rfm_recency > 365:
            return self.env._("Lapsed: no purchase for %(recency)s days, more than a year.", **values)
        if stage == "lapsed":
            return self.env._(
                "Lapsed: only %(alive)s likely still to buy, under 20%%, although the last purchase was %(recency)s "
                "days ago.",
                **values,
            )
        if stage == "at_risk" and self.rel_rfm_recency > 180:
            return self.env._(
                "At risk: no purchase for %(recency)s days, more than the 180 days of an active customer but not "
                "yet a year.",
                **values,
            )
        if stage == "at_risk":
            return self.env._(
                "At risk: bought %(recency)s days ago, but only %(alive)s likely still to buy; an active customer "
                "is 50%% likely or more.",
                **values,
            )
        return False

    def _rel_explain_quadrant(self, run):
        quadrant = dict(self._fields["rel_loyalty_quadrant"]._description_selection(self.env)).get(
            self.rel_loyalty_quadrant
        )
        if not quadrant:
            return False
        return self.env._(
            "%(quadrant)s: attitude %(attitude).2f, high from %(attitude_from).2f (the latest NPS answer and the "
            "complaint ratings, less for open complaints); purchase occasions %(frequency)s, high patronage from "
            "%(patronage_from)g with %(alive)s likely still to buy, from %(alive_from)s.",
            quadrant=quadrant,
            attitude=self.rel_attitude,
            attitude_from=run.attitude_from or scoring.ATTITUDE_HIGH,
            frequency=self.rel_rfm_frequency,
            patronage_from=run.patronage_from,
            alive=self._rel_percent(self.rel_clv_probability_alive, self.rel_figures_rough),
            alive_from=self._rel_percent(scoring.PATRONAGE_ALIVE),
        )

    def _rel_explain_health(self, run):
        return self.env._(
            "Health %(health).0f of 100: value %(value).1f of %(value_weight).0f (value rank %(rank)s), retention "
            "%(retention).1f of %(retention_weight).0f (%(alive)s likely still to buy), satisfaction "
            "%(satisfaction).1f of %(satisfaction_weight).0f (attitude %(attitude).2f) and complaints "
            "%(complaints).1f of %(complaints_weight).0f (all lost with two open complaints or ten in all).",
            health=self.rel_health,
            value=self.rel_health_value_points,
            value_weight=run.health_weight_value,
            rank=self._rel_percent(self.rel_value_rank),
            retention=self.rel_health_retention_points,
            retention_weight=run.health_weight_retention,
            alive=self._rel_percent(self.rel_clv_probability_alive, self.rel_figures_rough),
            satisfaction=self.rel_health_satisfaction_points,
            satisfaction_weight=run.health_weight_satisfaction,
            attitude=self.rel_attitude,
            complaints=self.rel_health_complaint_points,
            complaints_weight=run.health_weight_complaints,
        )

    def _rel_explain_value(self, run):
        rough = self.rel_figures_rough
        values = {
            "value": self._rel_money(self.rel_lifetime_value, rough),
            "purchases": f"{self.rel_clv_discounted_purchases:.1f}",
            "months": run.value_horizon_months,
            "spend": self._rel_money(self.rel_clv_spend, rough),
            "margin": f"{run.value_margin:g}",
            "rate": f"{run.value_discount_rate:g}",
            "expected": f"{self.rel_clv_expected_purchases:.1f}",
            "revenue": self._rel_money(self.rel_clv_value, rough),
        }
        if rough:
            return self.env._(
                "Lifetime value about %(value)s, a rough estimate: about %(purchases)s discounted purchases over "
                "%(months)s months at %(spend)s, this customer's own mean spend per purchase, times the %(margin)s%% "
                "gross margin, discounted at %(rate)s%% a year. Next 12 months: about %(expected)s purchases, "
                "%(revenue)s of revenue.",
                **values,
            )
        return self.env._(
            "Lifetime value %(value)s: %(purchases)s discounted purchases expected over %(months)s months, times "
            "%(spend)s expected per purchase, times the %(margin)s%% gross margin, discounted at %(rate)s%% a year. "
            "Next 12 months: %(expected)s purchases, %(revenue)s of revenue.",
            **values,
        )

    def _rel_explain_alive(self):
        rough = self.rel_figures_rough
        values = {
            "alive": self._rel_percent(self.rel_clv_probability_alive, rough),
            "recency": self.rel_rfm_recency,
            "gap": f"{self.rel_usual_gap_days:.0f}",
            "frequency": self.rel_rfm_frequency,
        }
        if self.rel_rfm_frequency < 2 and rough:
            return self.env._(
                "About %(alive)s likely still to buy, a rough estimate: one purchase only, %(recency)s days ago, so "
                "the usual rhythm of the whole customer base stands in for this customer's.",
                **values,
            )
        if self.rel_rfm_frequency < 2:
            return self.env._(
                "%(alive)s likely still to buy: one purchase only, %(recency)s days ago; without a second purchase "
                "the model has no sign yet that this customer stopped.",
                **values,
            )
        if rough:
            return self.env._(
                "About %(alive)s likely still to buy, a rough estimate: the last purchase was %(recency)s days ago "
                "and this customer usually buys every %(gap)s days (%(frequency)s purchase occasions).",
                **values,
            )
        return self.env._(
            "%(alive)s likely still to buy: the last purchase was %(recency)s days ago and this customer usually "
            "buys every %(gap)s days (%(frequency)s purchase occasions).",
            **values,
        )

    def _rel_explain_rank_move(self):
        change = self.rel_value_rank_change
        if not change:
            return False
        rough = self.rel_figures_rough
        values = {
            "before": self._rel_percent(self.rel_previous_value_rank),
            "after": self._rel_percent(self.rel_value_rank),
            "value_before": self._rel_money(self.rel_previous_lifetime_value, rough),
            "value_after": self._rel_money(self.rel_lifetime_value, rough),
            "purchases": max(self.rel_rfm_frequency - self.rel_previous_rfm_frequency, 0),
            "alive_before": self._rel_percent(self.rel_previous_probability_alive, rough),
            "alive_after": self._rel_percent(self.rel_clv_probability_alive, rough),
            "recency": self.rel_rfm_recency,
        }
        if change > 0:
            return self.env._(
                "Value rank up from %(before)s to %(after)s: new purchase occasions %(purchases)s, likelihood still "
                "to buy %(alive_before)s → %(alive_after)s, lifetime value %(value_before)s → %(value_after)s.",
                **values,
            )
        if not values["purchases"]:
            return self.env._(
                "Value rank down from %(before)s to %(after)s: no new purchase, the last one %(recency)s days ago; "
                "likelihood still to buy %(alive_before)s → %(alive_after)s, lifetime value %(value_before)s → "
                "%(value_after)s.",
                **values,
            )
        return self.env._(
            "Value rank down from %(before)s to %(after)s despite new purchase occasions %(purchases)s: others "
            "grew more; likelihood still to buy %(alive_before)s → %(alive_after)s, lifetime value %(value_before)s "
            "→ %(value_after)s.",
            **values,
        )


EXPLANATION_FIELDS = [
    "rel_segment_explanation",
    "rel_stage_explanation",
    "rel_quadrant_explanation",
    "rel_health_explanation",
    "rel_value_explanation",
    "rel_alive_explanation",
    "rel_rank_move_reason",
]
