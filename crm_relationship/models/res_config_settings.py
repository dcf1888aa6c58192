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

    rel_complaint_team_id = fields.Many2one(
        "crm.team",
        string="Complaint Team",
        config_parameter="crm_relationship.complaint_team_id",
        help="Team of a new complaint whose order and customer's salesperson name no sales team.",
    )
    rel_nps_delay_days = fields.Integer(
        string="Survey Delay (days)",
        config_parameter="crm_relationship.nps_delay_days",
        default=7,
        help="Days after an order is invoiced before its customer gets the NPS survey.",
    )
    rel_nps_interval_days = fields.Integer(
        string="Days Between Surveys",
        config_parameter="crm_relationship.nps_interval_days",
        default=90,
        help="A customer gets the NPS survey at most once in this many days.",
    )

    rel_retention_value_top_percent = fields.Integer(
        string="Retention: Value Rank Within Top (%)",
        config_parameter="crm_relationship.retention_value_top_percent",
        default=20,
        help="An at-risk customer gets a retention activity when their total spend ranks within this top share.",
    )
    rel_retention_alive_max_percent = fields.Integer(
        string="Retention: Probability Still Active At Most (%)",
        config_parameter="crm_relationship.retention_alive_max_percent",
        default=60,
        help="An at-risk customer gets a retention activity when their probability of still being active "
        "has dropped to this or lower.",
    )
    rel_cross_sell_followup = fields.Boolean(
        string="Follow Up Deliveries With Recommendations",
        config_parameter="crm_relationship.cross_sell_followup",
        help="After an order is delivered, email the customer the products that customers who bought the same "
        "also bought, if they agreed to marketing by email, in their contact window.",
    )
    rel_cross_sell_delay_days = fields.Integer(
        string="Follow-Up Delay (days)",
        config_parameter="crm_relationship.cross_sell_delay_days",
        default=3,
        help="Days after an order is delivered before its customer gets the follow-up email.",
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

    @api.constrains("rel_retention_value_top_percent", "rel_retention_alive_max_percent")
    def _check_rel_retention_thresholds(self):
        for settings in self:
            values = (settings.rel_retention_value_top_percent, settings.rel_retention_alive_max_percent)
            if not all(0 <= value <= 100 for value in values):
                raise ValidationError(self.env._("Retention thresholds are percentages between 0 and 100."))

    @api.constrains("rel_nps_delay_days", "rel_nps_interval_days")
    def _check_rel_nps_days(self):
        for settings in self:
            if settings.rel_nps_delay_days < 0 or settings.rel_nps_interval_days < 1:
                raise ValidationError(
                    self.env._("The survey delay is zero or more days, and surveys are at least one day apart.")
                )

    @api.constrains("rel_cross_sell_delay_days")
    def _check_rel_cross_sell_delay(self):
        for settings in self:
            if settings.rel_cross_sell_delay_days < 0:
                raise ValidationError(self.env._("The follow-up delay is zero or more days."))

    def set_values(self):
        """Switching the follow-up on starts it with the orders delivered from now on, not the history.

        Odoo stores a number setting of zero as no parameter at all, which then reads back as the
        setting's default: a weight of 0 became 15 again, a delay of 0 days became 3. Zero is a valid
        answer for ours (no follow-up delay, no weight for complaints), so it is written as "0"."""
        # sudo: system parameters are the administrators', whom Settings are for
        params = self.env["ir.config_parameter"].sudo()
        was_on = params.get_param("crm_relationship.cross_sell_followup") in ("True", "1")
        result = super().set_values()
        for name, field in self._fields.items():
            key = getattr(field, "config_parameter", None)
            if key and name.startswith("rel_") and field.type in ("integer", "float") and not self[name]:
                params.set_param(key, "0")
        if self.rel_cross_sell_followup and not was_on:
            params.set_param("crm_relationship.cross_sell_since", fields.Datetime.to_string(fields.Datetime.now()))
        elif not self.rel_cross_sell_followup:
            params.set_param("crm_relationship.cross_sell_since", False)
        return result

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
    def _check_rel_health_weights(self):
        for settings in self:
            weights = [
                settings.rel_health_weight_value,
                settings.rel_health_weight_retention,
                settings.rel_health_weight_satisfaction,
                settings.rel_health_weight_complaints,
            ]
            if min(weights) < 0 or sum(weights) <= 0:
                raise ValidationError(self.env._("Health weights are zero or positive, and at least one is positive."))
