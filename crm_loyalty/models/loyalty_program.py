from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

# What a program tells its customers by default once it keeps a ledger: (trigger, mail template xml id).
LEDGER_COMMUNICATIONS = (
    ("tier_change", "crm_loyalty.mail_template_tier_change"),
    ("points_expiring", "crm_loyalty.mail_template_points_expiring"),
)


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    rel_tier_ids = fields.One2many("crm.loyalty.tier", "program_id", string="Tiers")
    rel_ledger = fields.Boolean(
        string="Relationship Ledger",
        compute="_compute_rel_ledger",
        store=True,
        readonly=False,
        help="Keep an append-only ledger (tiers, expiry, exact reversals). Programs without it behave as standard.",
    )
    rel_points_expire = fields.Boolean(string="Points Expire")
    rel_points_expiry_days = fields.Integer(
        string="Points Expire After (days)", default=365, help="Points expire this many days after they were earned."
    )
    rel_expiry_reminder_days = fields.Integer(
        string="Remind Before Expiry (days)", default=14, help="Customers are told this many days before points expire."
    )
    rel_tier_grace_days = fields.Integer(
        string="Downgrade Grace (days)", default=30, help="A card keeps its tier this long past its review date."
    )
    rel_point_value = fields.Float(
        string="Value of a Point", digits=(16, 4), help="In the program's currency, for the points liability report."
    )
    rel_points_outstanding = fields.Float(string="Outstanding Points", compute="_compute_rel_liability")
    rel_points_liability = fields.Monetary(
        string="Points Liability", currency_field="currency_id", compute="_compute_rel_liability"
    )

    @api.constrains("rel_points_expire", "rel_points_expiry_days", "rel_expiry_reminder_days", "rel_tier_grace_days")
    def _check_rel_expiry(self):
        for program in self:
            if program.rel_points_expire and program.rel_points_expiry_days <= 0:
                raise ValidationError(self.env._("Points must live at least one day before they expire."))
            if program.rel_expiry_reminder_days < 0 or program.rel_tier_grace_days < 0:
                raise ValidationError(self.env._("Reminder and grace periods cannot be negative."))

    @api.depends("rel_tier_ids", "rel_points_expire")
    def _compute_rel_ledger(self):
        for program in self:
            program.rel_ledger = program.rel_ledger or bool(program.rel_tier_ids) or program.rel_points_expire

    @api.depends("rel_point_value")
    def _compute_rel_liability(self):
        groups = self.env["loyalty.card"]._read_group(
            [("program_id", "in", self.ids), ("points", ">", 0)], ["program_id"], ["points:sum"]
        )
        outstanding = {program.id: points for program, points in groups}
        for program in self:
            program.rel_points_outstanding = outstanding.get(program.id, 0.0)
            program.rel_points_liability = program.rel_points_outstanding * program.rel_point_value

    @api.model_create_multi
    def create(self, vals_list):
        programs = super().create(vals_list)
        programs._rel_add_ledger_defaults()
        return programs

    def write(self, vals):
        not_ledger = self.filtered(lambda program: not program.rel_ledger)
        result = super().write(vals)
        not_ledger._rel_add_ledger_defaults()
        return result

    @api.model
    def _rel_ledger_default_values(self):
        """What a program gets when it becomes a ledger program, as ``_program_type_default_values`` gives
        per program type."""
        commands = []
        for trigger, xmlid in LEDGER_COMMUNICATIONS:
            template = self.env.ref(xmlid, raise_if_not_found=False)
            if template:
                commands.append(Command.create({"trigger": trigger, "mail_template_id": template.id}))
        return {"communication_plan_ids": commands}

    def _rel_add_ledger_defaults(self):
        """Give these programs, if they are ledger programs now, the default communications of the triggers
        they do not configure yet. Called when a program becomes one (creation, install, first tier or
        expiry setting): a communication the admin removes later is not added back."""
        # sudo: the defaults follow from the program becoming a ledger program, whoever made it one (a
        # relationship manager adding its first tier does not manage the program's communications).
        programs = self.sudo().filtered(lambda program: program.rel_ledger and program.program_type == "loyalty")
        if not programs:
            return
        defaults = self._rel_ledger_default_values()["communication_plan_ids"]
        for program in programs:
            configured = set(program.communication_plan_ids.mapped("trigger"))
            commands = [command for command in defaults if command[2]["trigger"] not in configured]
            if commands:
                program.communication_plan_ids = commands

    @api.model
    def _rel_install_ledger_defaults(self):
        """At install: the ledger programs that exist already get the default communications."""
        self.search([("rel_ledger", "=", True)])._rel_add_ledger_defaults()

    def _rel_rewards_withheld_below(self, tier):
        """Tier-only rewards of the program that ``tier`` (maybe empty) does not reach."""
        self.ensure_one()
        reached = self.rel_tier_ids.filtered(lambda t: tier and t.threshold <= tier.threshold)
        return (self.rel_tier_ids - reached).reward_ids - reached.reward_ids

    def _rel_tier_for(self, measure):
        """Highest tier whose threshold the measure reaches (tiers are ordered by threshold)."""
        self.ensure_one()
        reached = self.rel_tier_ids.filtered(lambda t: measure >= t.threshold)
        return reached.sorted("threshold")[-1:] if reached else self.env["crm.loyalty.tier"]
