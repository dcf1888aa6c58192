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

    rel_privacy_retention_years = fields.Integer(
        string="Retention of Accounting Records (years)",
        config_parameter="crm_relationship.privacy_retention_years",
        default=10,
        help="How long an erased customer's invoices and accounting records keep their name, address and tax ID.",
    )
    rel_privacy_export_file_limit_mb = fields.Integer(
        string="Largest File in a Data Export (MB)",
        config_parameter="crm_relationship.privacy_export_file_limit_mb",
        default=10,
        help="Files up to this size go into the customer's data export; larger ones are listed with a note.",
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

    @api.constrains("rel_privacy_retention_years", "rel_privacy_export_file_limit_mb")
    def _check_rel_privacy_settings(self):
        for settings in self:
            if settings.rel_privacy_retention_years < 0 or settings.rel_privacy_export_file_limit_mb < 0:
                raise ValidationError(self.env._("The retention period and the export file limit cannot be negative."))

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
