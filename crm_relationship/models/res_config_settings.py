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
