from odoo import api, fields, models


class CrmRelationshipAnalysisValidationLine(models.Model):
    """One figure of a validation run's comparison, predicted or actual: of the customers with the same
    number of repeat purchases in the calibration period (7 and more together), or, for the kind
    "weekly", the repeat purchases of all of them from the calibration date to the end of a week."""

    _name = "crm.relationship.analysis.validation.line"
    _description = "Relationship Analysis Validation Line"
    _order = "analysis_id, kind, bucket, week, series desc"

    analysis_id = fields.Many2one("crm.relationship.analysis", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="analysis_id.company_id", store=True)
    kind = fields.Selection(
        [
            ("purchases", "Purchases per Customer"),
            ("spend", "Spend per Purchase"),
            ("weekly", "Cumulative Repeat Purchases"),
        ],
        required=True,
        readonly=True,
    )
    bucket = fields.Integer(string="Repeat Purchases in Calibration", readonly=True, aggregator=False)
    week = fields.Integer(
        string="Week of the Holdout", readonly=True, aggregator=False, help="Weeks after the calibration date."
    )
    bucket_label = fields.Char(string="Repeat Purchases", compute="_compute_bucket_label", store=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    series = fields.Selection([("predicted", "Predicted"), ("actual", "Actual")], required=True, readonly=True)
    value = fields.Float(readonly=True, digits=(16, 2), aggregator="avg")

    @api.depends("bucket", "kind")
    def _compute_bucket_label(self):
        for line in self:
            if line.kind == "weekly":
                line.bucket_label = False
            else:
                line.bucket_label = f"{line.bucket}+" if line.bucket >= 7 else str(line.bucket)
