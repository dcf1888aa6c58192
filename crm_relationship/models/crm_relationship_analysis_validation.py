from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..analytics import churn, scoring, store, validation

# Customers from which quintiles and model estimates mean something.
MIN_CUSTOMERS = 50


class CrmRelationshipAnalysis(models.Model):
    """What a run tells beyond the customers' figures. Validation runs: the models fitted on the orders up
    to a calibration date predict the weeks after it, against what the customers really did. And the churn
    outlook of a normal run: the customers it expects to lose in the next 90 days, and their revenue."""

    # The run is one model whose jobs (fitting and scoring, validation and churn outlook, explanations)
    # each keep a file of their own, so that none grows past a readable size.
    _inherit = "crm.relationship.analysis"  # pylint: disable=consider-merging-classes-inherited

    holdout_weeks = fields.Integer(
        string="Hold Out the Last (weeks)",
        default=0,
        help="0 for a normal run. Otherwise a validation run: the models are fitted on the orders up to that "
        "many weeks before the As Of date, predict those weeks, and the predictions are compared with what "
        "the customers really did. A validation run changes no customer's figures.",
    )
    date_calibration = fields.Date(
        string="Calibration Until", compute="_compute_date_calibration", store=True, help="Fitted on orders up to here."
    )
    validation_predicted_repeat = fields.Float(string="Predicted Repeat Purchases", readonly=True, digits=(16, 1))
    validation_actual_repeat = fields.Float(string="Actual Repeat Purchases", readonly=True, digits=(16, 0))
    validation_error_percent = fields.Float(string="Error (%)", readonly=True, digits=(16, 1))
    validation_mae = fields.Float(
        string="Mean Absolute Error per Customer",
        readonly=True,
        digits=(16, 3),
        help="Mean over the customers of the gap between predicted and actual purchases in the holdout weeks.",
    )
    validation_predicted_spend = fields.Float(string="Predicted Spend per Purchase", readonly=True, digits=(16, 2))
    validation_actual_spend = fields.Float(string="Actual Spend per Purchase", readonly=True, digits=(16, 2))
    validation_line_ids = fields.One2many(
        "crm.relationship.analysis.validation.line",
        "analysis_id",
        string="Comparison",
        readonly=True,
        domain=[("kind", "!=", "weekly")],
    )
    validation_weekly_line_ids = fields.One2many(
        "crm.relationship.analysis.validation.line",
        "analysis_id",
        string="Cumulative by Week",
        readonly=True,
        domain=[("kind", "=", "weekly")],
    )

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

    @api.depends("date_as_of", "holdout_weeks")
    def _compute_date_calibration(self):
        for run in self:
            weeks = run.holdout_weeks
            run.date_calibration = run.date_as_of - timedelta(weeks=weeks) if run.date_as_of and weeks else False

    @api.constrains("holdout_weeks")
    def _check_holdout_weeks(self):
        if any(not 0 <= run.holdout_weeks <= 520 for run in self):
            raise ValidationError(self.env._("Hold out between 0 (a normal run) and 520 weeks."))

    def _validate(self):
        """A validation run: fit on the calibration period, predict the holdout weeks, compare with what
        the calibration customers did there, and store the comparison on the run. No customer's figures
        or recommendations change."""
        (self.validation_line_ids | self.validation_weekly_line_ids).unlink()
        customers = self._read_customers(self.date_calibration)
        self.write({"customer_count": len(customers), "order_count": int(customers["orders"].sum())})
        if len(customers) < 2:
            return [
                self.env._(
                    "Too little history before %(date)s to fit the models: hold out fewer weeks.",
                    date=self.date_calibration,
                )
            ]
        self.write({"occasion_count": int(customers["occasions"].sum())})
        with self._read_cursor() as cr:
            holdout = store.read_holdout(
                cr, self.company_id.id, self.date_calibration, self.date_as_of, customers.index.to_numpy()
            )
        if not holdout["purchases"].any():
            return [
                self.env._(
                    "None of the customers bought after %(date)s: there is nothing to compare the predictions "
                    "with. Hold out fewer weeks or choose a later As Of date.",
                    date=self.date_calibration,
                )
            ]
        messages = self._fit(customers, horizon_weeks=self.holdout_weeks)
        if not self.bgnbd_r:
            return messages
        summary, lines = validation.compare(
            customers["occasions"] - 1,
            customers["expected"],
            holdout["purchases"],
            customers["spend"],
            holdout["amount"],
        )
        self.write({f"validation_{name}": value for name, value in summary.items()})
        with self._read_cursor() as cr:
            by_week = store.read_holdout_weeks(
                cr, self.company_id.id, self.date_calibration, self.date_as_of, customers.index.to_numpy()
            )
        weekly = validation.weekly_cumulative(
            customers.attrs["bgnbd"], self.holdout_weeks, *scoring.purchase_history(customers), by_week
        )
        self.env["crm.relationship.analysis.validation.line"].create(
            [dict(row, analysis_id=self.id) for row in lines.to_dict("records")]
            + [dict(row, analysis_id=self.id) for row in weekly.to_dict("records")]
        )
        if abs(summary["error_percent"]) > 20:
            messages.append(
                self.env._(
                    "The models predicted %(predicted).0f repeat purchases in the holdout weeks against "
                    "%(actual).0f that happened (%(error)+.0f%%): their figures are not reliable on this data.",
                    predicted=summary["predicted_repeat"],
                    actual=summary["actual_repeat"],
                    error=summary["error_percent"],
                )
            )
        return messages

    def action_open_validation_chart(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_relationship.crm_relationship_analysis_validation_line_action"
        )
        action["domain"] = [("analysis_id", "=", self.id), ("kind", "!=", "weekly")]
        return action

    def action_open_validation_weekly_chart(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_relationship.crm_relationship_analysis_validation_weekly_action"
        )
        action["domain"] = [("analysis_id", "=", self.id), ("kind", "=", "weekly")]
        action["name"] = self.name
        return action

    # ------------------------------------------------------------------ churn outlook
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

    # ------------------------------------------------------------------ how far the figures can be trusted
    @api.depends("state", "customer_count")
    @api.depends_context("lang")
    def _compute_reliability_note(self):
        for run in self:
            small = run.state == "done" and 0 < run.customer_count < MIN_CUSTOMERS
            run.reliability_note = self._small_base_note(run.customer_count) if small else False

    @api.model
    def _small_base_note(self, count):
        """Why the figures of a run on ``count`` customers are unreliable, in the reader's language."""
        return self.env._(
            "Only %(count)s customers were analysed; the figures become dependable from about %(minimum)s. "
            "On so few customers the R, F and M scores compare each customer with a handful of others, and "
            "the value and churn models are estimated from too little repeat buying: read segments, predicted "
            "revenue, lifetime value and probability still active as rough indications, not as measurements.",
            count=count,
            minimum=MIN_CUSTOMERS,
        )
