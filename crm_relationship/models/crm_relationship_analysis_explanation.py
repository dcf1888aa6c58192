from odoo import api, fields, models

from ..analytics import bgnbd, gamma_gamma, scoring, shrunk
from .crm_relationship_analysis_validation import MIN_CUSTOMERS


class CrmRelationshipAnalysis(models.Model):
    """What a run keeps to explain its figures: the cut-offs and weights it scored with, and whether its
    models could be trusted. On a small base or a degenerate fit the customers get shrunk estimates
    (``analytics.shrunk``) instead of the models' figures, and every reader is told so."""

    _inherit = "crm.relationship.analysis"

    model_status = fields.Selection(
        [
            ("fitted", "Models Fitted"),
            ("small", "Shrunk Estimates: Small Base"),
            ("degenerate", "Shrunk Estimates: Degenerate Fit"),
            ("failed", "Models Not Fitted"),
        ],
        string="Value and Churn Figures",
        readonly=True,
    )
    bgnbd_at_bounds = fields.Boolean(string="A Parameter at Its Bound", readonly=True)
    silent_certain_count = fields.Integer(
        string="Silent Customers Called Certainly Active",
        readonly=True,
        help="Customers the BG/NBD fit gave a 100% probability still active although they had been silent for "
        "longer than their usual gap between purchases.",
    )
    patronage_from = fields.Float(
        string="Patronage High From (purchase occasions)",
        readonly=True,
        digits=(16, 1),
        help="The purchase occasions of the median repeat customer (two at least): with a probability still "
        "active of 50% or more, a customer from here has high patronage in the loyalty quadrant.",
    )
    attitude_from = fields.Float(string="Attitude High From", readonly=True, digits=(16, 2))
    health_weight_value = fields.Float(string="Weight of Value", readonly=True, digits=(16, 1))
    health_weight_retention = fields.Float(string="Weight of Retention", readonly=True, digits=(16, 1))
    health_weight_satisfaction = fields.Float(string="Weight of Satisfaction", readonly=True, digits=(16, 1))
    health_weight_complaints = fields.Float(string="Weight of Complaints", readonly=True, digits=(16, 1))
    # {"r": [[low, high] or None for scores 1..5], "f": ..., "m": ...}: the raw values each score covers.
    rfm_cutoffs = fields.Json(string="R, F and M Cut-offs", readonly=True)

    def _fit(self, customers, horizon_weeks=scoring.HORIZON_WEEKS):
        messages = super()._fit(customers, horizon_weeks=horizon_weeks)
        if self.holdout_weeks:
            # A validation run judges the models themselves.
            return messages
        fitted = bool(self.bgnbd_r) and "alive" in customers
        at_bounds = fitted and (
            shrunk.at_bounds((self.bgnbd_r, self.bgnbd_alpha, self.bgnbd_a, self.bgnbd_b), bgnbd.BOUNDS)
            or (bool(self.gg_p) and shrunk.at_bounds((self.gg_p, self.gg_q), gamma_gamma.BOUNDS))
        )
        silent = int(shrunk.silent_but_certain(customers, customers["alive"]).sum()) if fitted else 0
        if not fitted:
            status = "failed"
        elif len(customers) < MIN_CUSTOMERS:
            status = "small"
        elif at_bounds or silent:
            status = "degenerate"
        else:
            status = "fitted"
        self.write({"model_status": status, "bgnbd_at_bounds": at_bounds, "silent_certain_count": silent})
        rough = status in ("small", "degenerate")
        if rough:
            shrunk.estimate(customers, horizon_weeks * 7, self.value_horizon_months, self.value_discount_rate / 100)
        customers["rough"] = rough
        return messages

    def _score_and_write(self, customers, frequent_from):
        weights = self._health_weights() * 100
        self.write(
            {
                "patronage_from": frequent_from,
                "attitude_from": scoring.ATTITUDE_HIGH,
                "health_weight_value": weights[0],
                "health_weight_retention": weights[1],
                "health_weight_satisfaction": weights[2],
                "health_weight_complaints": weights[3],
                "rfm_cutoffs": self._rfm_cutoffs(customers),
            }
        )
        return super()._score_and_write(customers, frequent_from)

    @api.model
    def _rfm_cutoffs(self, customers):
        """The lowest and highest recency (days), purchase occasions and spend of each R, F and M score."""
        cutoffs = {}
        for key, column in (("r", "recency_days"), ("f", "occasions"), ("m", "total")):
            bounds = customers.groupby(key)[column].agg(["min", "max"])
            cutoffs[key] = [
                [float(bounds.at[score, "min"]), float(bounds.at[score, "max"])] if score in bounds.index else None
                for score in range(1, 6)
            ]
        return cutoffs

    # ------------------------------------------------------------------ how far the figures can be trusted
    @api.depends("model_status", "bgnbd_at_bounds", "silent_certain_count")
    def _compute_reliability_note(self):
        result = super()._compute_reliability_note()
        for run in self.filtered(lambda run: run.state == "done" and run.model_status in ("small", "degenerate")):
            notes = [run.reliability_note] if run.reliability_note else []
            if run.bgnbd_at_bounds:
                notes.append(
                    self.env._(
                        "The value and churn model ended with a parameter at the edge of what it may take: the fit "
                        "is degenerate."
                    )
                )
            if run.silent_certain_count:
                notes.append(
                    self.env._(
                        "The model called %(count)s customers certainly still active although they have been "
                        "silent for longer than their usual gap between purchases.",
                        count=run.silent_certain_count,
                    )
                )
            notes.append(
                self.env._(
                    "Probability still active, expected purchases and lifetime value are therefore rough "
                    "estimates from each customer's own rhythm and spend, shrunk towards the whole customer "
                    "base's, not the models' figures."
                )
            )
            run.reliability_note = "\n".join(notes)
        return result
