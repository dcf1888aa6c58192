from odoo import api, fields, models
from odoo.exceptions import UserError

NEED_STATES = [("open", "Open"), ("addressed", "Addressed"), ("declined", "Declined"), ("withdrawn", "Withdrawn")]


class CrmRelationshipNeed(models.Model):
    """Something the customer told us they need, in their own words."""

    _name = "crm.relationship.need"
    _description = "Customer Need"
    _inherit = ["mail.thread"]
    _order = "state, create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Need", required=True, tracking=True)
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Entity"
    )
    product_category_id = fields.Many2one("product.category", string="Product Category")
    state = fields.Selection(NEED_STATES, required=True, default="open", tracking=True)
    addressed_by_id = fields.Many2one("res.users", string="Addressed By", readonly=True)
    date_addressed = fields.Datetime(string="Addressed On", readonly=True)
    answer = fields.Text(string="Our Answer", help="What we did about it, shown to the customer in the portal.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not (vals.get("name") or "").strip():
                raise UserError(self.env._("Describe the need in a few words."))
        return super().create(vals_list)

    def _set_state(self, state):
        values = {"state": state}
        if state == "open":
            values.update(addressed_by_id=False, date_addressed=False)
        else:
            values.update(addressed_by_id=self.env.user.id, date_addressed=fields.Datetime.now())
        self.write(values)

    def action_mark_addressed(self):
        self._set_state("addressed")

    def action_decline(self):
        self._set_state("declined")

    def action_reopen(self):
        self._set_state("open")

    def action_withdraw(self):
        """The customer no longer needs it: only an open need can be withdrawn."""
        if self.filtered(lambda need: need.state != "open"):
            raise UserError(self.env._("Only an open need can be withdrawn."))
        self.write({"state": "withdrawn"})
