from odoo import api, fields, models


class CrmRelationshipAnalysisValidationLine(models.Model):
    """One figure of a validation run's comparison, predicted or actual, of the customers with the same
    number of repeat purchases in the calibration period (7 and more together)."""

    _name = "crm.relationship.analysis.validation.line"
    _description = "Relationship Analysis Validation Line"
    _order = "analysis_id, kind, bucket, series desc"

    analysis_id = fields.Many2one("crm.relationship.analysis", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="analysis_id.company_id", store=True)
    kind = fields.Selection(
        [("purchases", "Purchases per Customer"), ("spend", "Spend per Purchase")], required=True, readonly=True
    )
    bucket = fields.Integer(string="Repeat Purchases in Calibration", readonly=True, aggregator=False)
    bucket_label = fields.Char(string="Repeat Purchases", compute="_compute_bucket_label", store=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    series = fields.Selection([("predicted", "Predicted"), ("actual", "Actual")], required=True, readonly=True)
    value = fields.Float(readonly=True, digits=(16, 2), aggregator="avg")

    @api.depends("bucket")
    def _compute_bucket_label(self):
        for line in self:
            line.bucket_label = f"{line.bucket}+" if line.bucket >= 7 else str(line.bucket)
