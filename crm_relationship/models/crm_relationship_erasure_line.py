from odoo import api, fields, models

ACTIONS = [("delete", "Erase"), ("clear", "Anonymise"), ("keep", "Keep")]


class CrmRelationshipErasureLine(models.TransientModel):
    """One kind of record an erasure finds, what it does to them and why. Holds ids, never names."""

    _name = "crm.relationship.erasure.line"
    _description = "Records Found for an Erasure"
    _order = "action, res_model"

    erasure_id = fields.Many2one("crm.relationship.erasure", required=True, ondelete="cascade", index=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    model_label = fields.Char(string="Records", compute="_compute_model_label")
    action = fields.Selection(ACTIONS, required=True, readonly=True)
    reason = fields.Char(readonly=True)
    res_ids = fields.Text(string="Record IDs", readonly=True)
    count = fields.Integer(compute="_compute_model_label")
    examples = fields.Char(string="For Example", compute="_compute_model_label")

    @api.depends("res_model", "res_ids")
    def _compute_model_label(self):
        for line in self:
            ids = [int(i) for i in (line.res_ids or "").split(",") if i]
            line.count = len(ids)
            line.model_label = self.env["ir.model"]._get(line.res_model).name or line.res_model
            if line.res_model in self.env and ids:
                # sudo: the manager erasing the customer sees what the records are, whoever may read them
                records = self.env[line.res_model].sudo().browse(ids[:3]).exists()
                line.examples = ", ".join(self._example(record) for record in records)
            else:
                line.examples = False

    @api.model
    def _example(self, record):
        """A record's name, or its number for records without one (messages, ledger lines)."""
        name = record.display_name
        if not isinstance(name, str) or not name or name == f"{record._name},{record.id}":
            return f"#{record.id}"
        return name
