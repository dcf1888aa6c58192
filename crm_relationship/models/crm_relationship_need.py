from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

NEED_STATES = [("open", "Open"), ("addressed", "Addressed"), ("declined", "Declined"), ("withdrawn", "Withdrawn")]


class CrmRelationshipNeed(models.Model):
    """Something the customer told us they need, in their own words."""

    _name = "crm.relationship.need"
    _description = "Customer Need"
    _inherit = ["mail.thread", "crm.relationship.customer.mixin"]
    _order = "state, create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Need", required=True, tracking=True)
    product_category_id = fields.Many2one("product.category", string="Product Category")
    state = fields.Selection(NEED_STATES, required=True, default="open", tracking=True)
    addressed_by_id = fields.Many2one("res.users", string="Addressed By", readonly=True)
    date_addressed = fields.Datetime(string="Addressed On", readonly=True)
    answer = fields.Text(string="Our Answer", help="What we did about it, shown to the customer in the portal.")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)

    # the customer's words; the state, our answer and who gave it are the company's
    _customer_fields = frozenset({"name", "product_category_id", "partner_id"})
    _customer_rate_limit = 20

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not (vals.get("name") or "").strip():
                raise UserError(self.env._("Describe the need in a few words."))
        self = self._customer_prepare_create(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if self._customer_is_acting():
            self._customer_check_write(vals)
            if self.filtered(lambda need: need.state != "open"):
                raise UserError(self.env._("This need was already answered; add a new one instead."))
        return super().write(vals)

    def _set_state(self, state):
        values = {"state": state}
        if state == "open":
            values.update(addressed_by_id=False, date_addressed=False)
        else:
            values.update(addressed_by_id=self.env.user.id, date_addressed=fields.Datetime.now())
        self.write(values)

    def action_mark_addressed(self):
        self._check_relationship_user()
        self._set_state("addressed")

    def action_decline(self):
        self._check_relationship_user()
        self._set_state("declined")

    def action_reopen(self):
        self._check_relationship_user()
        self._set_state("open")

    def action_withdraw(self):
        """The customer no longer needs it: only an open need can be withdrawn, by its customer or our staff."""
        if self.filtered(lambda need: need.state != "open"):
            raise UserError(self.env._("Only an open need can be withdrawn."))
        user = self.env.user
        if not self.env.su and user.share:
            entity = user.partner_id.commercial_partner_id
            if user._is_public() or self.filtered(lambda need: need.commercial_partner_id != entity):
                raise AccessError(self.env._("You can only withdraw your own needs."))
        else:
            self.check_access("write")
        # sudo: the state is the company's field, which customers may not write; the caller was
        # checked above to be the need's own customer (or staff who may edit it), and the need open
        self.sudo().write({"state": "withdrawn"})
        return True
