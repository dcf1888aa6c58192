from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmComplaintStage(models.Model):
    _name = "crm.complaint.stage"
    _description = "Complaint Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    fold = fields.Boolean(string="Folded in Kanban")
    is_closed = fields.Boolean(
        string="Closing Stage",
        help="Complaints in this stage are resolved: a resolution and a root cause are required.",
    )
    is_waiting_customer = fields.Boolean(
        string="Waiting on Customer", help="The service-level clock is paused while a complaint is in this stage."
    )
    rating_template_id = fields.Many2one(
        "mail.template",
        string="Rating Request",
        domain=[("model", "=", "crm.complaint")],
        help="Email sent to the customer to rate the handling when a complaint enters this stage.",
    )
    active = fields.Boolean(default=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        if self.env["crm.complaint"]._exists_with("stage_id", self):
            raise UserError(self.env._("This stage holds complaints; move them or archive the stage instead."))
