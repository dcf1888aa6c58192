from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class CrmComplaintCategory(models.Model):
    _name = "crm.complaint.category"
    _description = "Complaint Category"
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    parent_id = fields.Many2one("crm.complaint.category", string="Parent Category", index=True, ondelete="restrict")
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("crm.complaint.category", "parent_id", string="Subcategories")
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    complaint_count = fields.Integer(compute="_compute_complaint_count")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    @api.depends_context("lang")
    @api.depends("name", "parent_id")
    def _compute_display_name(self):
        """The path of names in the reader's language (the stored ``complete_name`` holds one language)."""
        for category in self:
            names, node = [], category
            while node:
                names.append(node.name or "")
                node = node.parent_id
            category.display_name = " / ".join(reversed(names))

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A complaint category cannot be its own parent."))

    def _compute_complaint_count(self):
        counts = dict(
            self.env["crm.complaint"]._read_group([("category_id", "in", self.ids)], ["category_id"], ["__count"])
        )
        for category in self:
            category.complaint_count = counts.get(category, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if self.env["crm.complaint"]._exists_with("category_id", self):
            raise UserError(self.env._("This category is used by complaints; archive it instead of deleting it."))
