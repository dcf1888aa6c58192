from odoo import api, fields, models


class CrmRelationshipFiguresMixin(models.AbstractModel):
    """The figures the relationship analysis computes about a customer, shown on ``res.partner``.

    Each ``rel_<name>`` is related to ``<name>`` of the customer's ``crm.relationship.figures`` row:
    searchable, sortable and groupable like a column of the partner (Odoo joins the figures), never
    written through the partner. Internal figures: employees only, never portal or public users
    (customers get theirs in the portal's privacy export).
    """

    _name = "crm.relationship.figures.mixin"
    _description = "Relationship Figures"

    rel_figures_id = fields.Many2one(
        "crm.relationship.figures",
        string="Relationship Figures",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
    )
    rel_rfm_recency = fields.Integer(related="rel_figures_id.rfm_recency", groups="base.group_user")
    rel_rfm_frequency = fields.Integer(related="rel_figures_id.rfm_frequency", groups="base.group_user")
    rel_rfm_monetary = fields.Monetary(
        related="rel_figures_id.rfm_monetary", currency_field="rel_currency_id", groups="base.group_user"
    )
    rel_rfm_r_score = fields.Integer(related="rel_figures_id.rfm_r_score", groups="base.group_user")
    rel_rfm_f_score = fields.Integer(related="rel_figures_id.rfm_f_score", groups="base.group_user")
    rel_rfm_m_score = fields.Integer(related="rel_figures_id.rfm_m_score", groups="base.group_user")
    rel_rfm_segment = fields.Selection(related="rel_figures_id.rfm_segment", groups="base.group_user")
    rel_clv_expected_purchases = fields.Float(related="rel_figures_id.clv_expected_purchases", groups="base.group_user")
    rel_clv_value = fields.Monetary(
        related="rel_figures_id.clv_value", currency_field="rel_currency_id", groups="base.group_user"
    )
    rel_lifetime_value = fields.Monetary(
        related="rel_figures_id.lifetime_value", currency_field="rel_currency_id", groups="base.group_user"
    )
    rel_value_rank = fields.Float(related="rel_figures_id.value_rank", groups="base.group_user")
    rel_clv_probability_alive = fields.Float(related="rel_figures_id.clv_probability_alive", groups="base.group_user")
    rel_lifecycle_stage = fields.Selection(related="rel_figures_id.lifecycle_stage", groups="base.group_user")
    rel_loyalty_quadrant = fields.Selection(related="rel_figures_id.loyalty_quadrant", groups="base.group_user")
    rel_attitude = fields.Float(related="rel_figures_id.attitude", groups="base.group_user")
    rel_health = fields.Float(related="rel_figures_id.health", groups="base.group_user")
    rel_health_value_points = fields.Float(related="rel_figures_id.health_value_points", groups="base.group_user")
    rel_health_retention_points = fields.Float(
        related="rel_figures_id.health_retention_points", groups="base.group_user"
    )
    rel_health_satisfaction_points = fields.Float(
        related="rel_figures_id.health_satisfaction_points", groups="base.group_user"
    )
    rel_health_complaint_points = fields.Float(
        related="rel_figures_id.health_complaint_points", groups="base.group_user"
    )
    rel_company_id = fields.Many2one(related="rel_figures_id.company_id", groups="base.group_user")
    rel_analysed_on = fields.Date(
        string="Figures As Of",
        compute="_compute_rel_analysed_on",
        groups="base.group_user",
        help="The date of the last finished analysis of the company these figures come from.",
    )
    rel_reliability_note = fields.Text(
        string="Reliability", compute="_compute_rel_analysed_on", groups="base.group_user"
    )
    # Partners without figures have no analysis currency.
    rel_currency_id = fields.Many2one(related="rel_figures_id.currency_id", groups="base.group_user")

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                vals.pop("rel_figures_id", None)
        return super().create(vals_list)

    def write(self, vals):
        """The link to the figures is the analysis's to set (in SQL): a write through the ORM, over RPC or by a
        partner merge, leaves it as it is (a merge links the partner that remains itself)."""
        if "rel_figures_id" in vals and not self.env.su:
            vals = {name: value for name, value in vals.items() if name != "rel_figures_id"}
        return super().write(vals)

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
