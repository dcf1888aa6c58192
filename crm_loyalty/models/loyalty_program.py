from odoo import api, fields, models
from odoo.exceptions import ValidationError


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    crm_tier_ids = fields.One2many("crm.loyalty.tier", "program_id", string="Tiers")
    crm_ledger = fields.Boolean(
        string="Relationship Ledger",
        compute="_compute_crm_ledger",
        store=True,
        readonly=False,
        help="Keep an append-only ledger (tiers, expiry, exact reversals). Programs without it behave as standard.",
    )
    crm_points_expire = fields.Boolean(string="Points Expire")
    crm_points_expiry_days = fields.Integer(
        string="Points Expire After (days)", default=365, help="Points expire this many days after they were earned."
    )
    crm_expiry_reminder_days = fields.Integer(
        string="Remind Before Expiry (days)", default=14, help="Customers are told this many days before points expire."
    )
    crm_tier_grace_days = fields.Integer(
        string="Downgrade Grace (days)", default=30, help="A card keeps its tier this long past its review date."
    )
    crm_point_value = fields.Float(
        string="Value of a Point", digits=(16, 4), help="In company currency, for the points liability report."
    )
    crm_points_outstanding = fields.Float(string="Outstanding Points", compute="_compute_crm_liability")
    crm_points_liability = fields.Float(string="Points Liability", compute="_compute_crm_liability")

    @api.constrains("crm_points_expire", "crm_points_expiry_days", "crm_expiry_reminder_days", "crm_tier_grace_days")
    def _check_crm_expiry(self):
        for program in self:
            if program.crm_points_expire and program.crm_points_expiry_days <= 0:
                raise ValidationError(self.env._("Points must live at least one day before they expire."))
            if program.crm_expiry_reminder_days < 0 or program.crm_tier_grace_days < 0:
                raise ValidationError(self.env._("Reminder and grace periods cannot be negative."))

    @api.depends("crm_tier_ids", "crm_points_expire")
    def _compute_crm_ledger(self):
        for program in self:
            program.crm_ledger = program.crm_ledger or bool(program.crm_tier_ids) or program.crm_points_expire

    @api.depends("crm_point_value")
    def _compute_crm_liability(self):
        groups = self.env["loyalty.card"]._read_group(
            [("program_id", "in", self.ids), ("points", ">", 0)], ["program_id"], ["points:sum"]
        )
        outstanding = {program.id: points for program, points in groups}
        for program in self:
            program.crm_points_outstanding = outstanding.get(program.id, 0.0)
            program.crm_points_liability = program.crm_points_outstanding * program.crm_point_value

    def _crm_tier_for(self, measure):
        """Highest tier whose threshold the measure reaches (tiers are ordered by threshold)."""
        self.ensure_one()
        reached = self.crm_tier_ids.filtered(lambda t: measure >= t.threshold)
        return reached.sorted("threshold")[-1:] if reached else self.env["crm.loyalty.tier"]
