from odoo import fields, models


class CrmRelationshipAnalysisValidationLine(models.Model):
    """One group of a validation run's comparison: the customers with the same number of repeat
    purchases in the calibration period (7 and more together), predicted against actual."""

    _name = "crm.relationship.analysis.validation.line"
    _description = "Relationship Analysis Validation Line"
    _order = "analysis_id, kind, bucket"

    analysis_id = fields.Many2one("crm.relationship.analysis", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="analysis_id.company_id", store=True)
    kind = fields.Selection(
        [("purchases", "Purchases per Customer"), ("spend", "Spend per Purchase")], required=True, readonly=True
    )
    bucket = fields.Integer(string="Repeat Purchases in Calibration", readonly=True, aggregator=False)
    bucket_label = fields.Char(string="Repeat Purchases", compute="_compute_bucket_label", store=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    predicted = fields.Float(string="Predicted", readonly=True, digits=(16, 2), aggregator="avg")
    actual = fields.Float(string="Actual", readonly=True, digits=(16, 2), aggregator="avg")

    def _compute_bucket_label(self):
        for line in self:
            line.bucket_label = f"{line.bucket}+" if line.bucket >= 7 else str(line.bucket)
