from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount


class CrmLoyaltyTier(models.Model):
    """A level of a loyalty program, reached by spend or points earned over a rolling window."""

    _name = "crm.loyalty.tier"
    _description = "Loyalty Tier"
    _order = "program_id, threshold, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    program_id = fields.Many2one(
        "loyalty.program", required=True, ondelete="cascade", index=True, domain=[("program_type", "=", "loyalty")]
    )
    threshold_type = fields.Selection(
        [("spend", "Spend in Company Currency"), ("points", "Points Earned")],
        required=True,
        default="spend",
    )
    threshold = fields.Float(required=True, help="Spend or points over the window that qualifies for the tier.")
    window_months = fields.Integer(string="Rolling Window (months)", required=True, default=12)
    multiplier = fields.Float(string="Points Multiplier", required=True, default=1.0, digits=(16, 2))
    reward_ids = fields.Many2many(
        "loyalty.reward",
        string="Tier-only Rewards",
        help="Rewards of the program that only this tier and above may claim.",
    )
    color = fields.Integer()

    _threshold_positive = models.Constraint("CHECK(threshold > 0)", "A tier's threshold must be positive.")
    _multiplier_at_least_one = models.Constraint(
        "CHECK(multiplier >= 1)", "A tier's points multiplier cannot be below 1."
    )
    _window_positive = models.Constraint("CHECK(window_months > 0)", "The rolling window must be at least one month.")

    @api.model_create_multi
    def create(self, vals_list):
        programs = self.env["loyalty.program"].browse(
            {vals["program_id"] for vals in vals_list if vals.get("program_id")}
        )
        not_ledger = programs.filtered(lambda program: not program.rel_ledger)
        tiers = super().create(vals_list)
        # A program's first tier makes it a ledger program.
        not_ledger._rel_add_ledger_defaults()
        return tiers

    @api.constrains("threshold", "threshold_type", "program_id")
    def _check_no_overlap(self):
        for tier in self:
            siblings = tier.program_id.rel_tier_ids - tier
            if tier.threshold in siblings.mapped("threshold"):
                raise ValidationError(
                    self.env._(
                        "Two tiers of %(program)s cannot share the threshold %(threshold)s.",
                        program=tier.program_id.name,
                        threshold=tier.threshold,
                    )
                )
            if set(siblings.mapped("threshold_type")) - {tier.threshold_type}:
                raise ValidationError(self.env._("All tiers of a program qualify on the same measure."))

    @api.constrains("program_id")
    def _check_program_type(self):
        for tier in self:
            if tier.program_id.program_type != "loyalty":
                raise ValidationError(self.env._("Tiers belong to loyalty programs only."))

    # ------------------------------------------------------------------ a card on its way up
    @api.model
    def _progress_sentence(self, card, progress):
        """What the customer still needs for the next tier (``progress`` from ``_progress_of``), as one
        sentence in the language of this environment; empty at the top."""
        tier = progress.get("next_tier")
        if not tier:
            return ""
        if progress["threshold_type"] == "spend":
            amount = format_amount(self.env, progress["missing"], card.program_id.currency_id)
            return self.env._("Spend %(amount)s more to reach %(tier)s.", amount=amount, tier=tier.name)
        points = f"{progress['missing']:g}"
        return self.env._("Earn %(points)s more points to reach %(tier)s.", points=points, tier=tier.name)

    @api.model
    def _progress_of(self, card):
        """Where ``card`` stands on the way to the next tier of its program.

        Returns a dict: ``tier`` (current crm.loyalty.tier, maybe empty), ``next_tier`` (the next tier up,
        or False at the top or without tiers), ``threshold_type`` ('spend' or 'points'), ``measure`` (spend
        or points over the next tier's rolling window, see ``loyalty.card._rel_tier_measure``; over the current tier's
        window at the top), ``threshold`` and ``missing`` (of the next tier, 0 at the top), and ``percent``
        (0-100, 100 at the top).
        """
        card.ensure_one()
        tiers = card.program_id.rel_tier_ids.sorted(lambda t: (t.threshold, t.id))
        current = card.rel_tier_id
        next_tier = tiers.filtered(lambda t: not current or t.threshold > current.threshold)[:1]
        reference = next_tier or current
        measure = float(card._rel_tier_measure(reference.threshold_type, reference.window_months)) if reference else 0.0
        if not next_tier:
            return {
                "tier": current,
                "next_tier": False,
                "threshold_type": current.threshold_type or False,
                "measure": round(measure, 2),
                "threshold": 0.0,
                "missing": 0.0,
                "percent": 100.0 if current else 0.0,
            }
        threshold = next_tier.threshold
        return {
            "tier": current,
            "next_tier": next_tier,
            "threshold_type": next_tier.threshold_type,
            "measure": round(measure, 2),
            "threshold": threshold,
            "missing": round(max(threshold - measure, 0.0), 2),
            "percent": round(min(max(100.0 * measure / threshold, 0.0), 100.0), 1),
        }
