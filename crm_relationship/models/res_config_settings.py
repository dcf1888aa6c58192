from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    rel_complaint_reopen_days = fields.Integer(
        string="Complaint Reopening Window (days)",
        config_parameter="crm_relationship.complaint_reopen_days",
        default=14,
        help="Days after closing during which the customer or an employee may reopen a complaint.",
    )

    rel_health_weight_value = fields.Integer(
        string="Weight of Value", config_parameter="crm_relationship.health_weight_value", default=30
    )
    rel_health_weight_retention = fields.Integer(
        string="Weight of Retention", config_parameter="crm_relationship.health_weight_retention", default=30
    )
    rel_health_weight_satisfaction = fields.Integer(
        string="Weight of Satisfaction", config_parameter="crm_relationship.health_weight_satisfaction", default=25
    )
    rel_health_weight_complaints = fields.Integer(
        string="Weight of Complaints", config_parameter="crm_relationship.health_weight_complaints", default=15
    )

    rel_value_horizon_months = fields.Integer(
        string="Lifetime Value Horizon (months)",
        config_parameter="crm_relationship.value_horizon_months",
        default=36,
        help="Months ahead over which the lifetime value adds up the expected margin.",
    )
    rel_value_discount_rate = fields.Float(
        string="Annual Discount Rate (%)",
        config_parameter="crm_relationship.value_discount_rate",
        default=10.0,
        help="What a margin earned in a year is worth less than today's, in percent: later months count less.",
    )
    rel_value_margin = fields.Float(
        string="Gross Margin (%)",
        config_parameter="crm_relationship.value_margin",
        default=30.0,
        help="Share of the untaxed order amount that is margin, in percent.",
    )

    @api.constrains("rel_value_horizon_months", "rel_value_discount_rate", "rel_value_margin")
    def _check_rel_value_settings(self):
        for settings in self:
            if not 1 <= settings.rel_value_horizon_months <= 120:
                raise ValidationError(self.env._("The lifetime value horizon is between 1 and 120 months."))
            if not 0 <= settings.rel_value_discount_rate <= 100:
                raise ValidationError(self.env._("The annual discount rate is between 0% and 100%."))
            if not 0 <= settings.rel_value_margin <= 100:
                raise ValidationError(self.env._("The gross margin is between 0% and 100%."))

    @api.constrains(
        "rel_health_weight_value",
        "rel_health_weight_retention",
        "rel_health_weight_satisfaction",
        "rel_health_weight_complaints",
    )
    def _check_relationship_health_weights(self):
        for settings in self:
            weights = [
                settings.rel_health_weight_value,
                settings.rel_health_weight_retention,
                settings.rel_health_weight_satisfaction,
                settings.rel_health_weight_complaints,
            ]
            if min(weights) < 0 or sum(weights) <= 0:
                raise ValidationError(self.env._("Health weights are zero or positive, and at least one is positive."))
