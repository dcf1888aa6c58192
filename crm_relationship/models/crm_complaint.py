from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import is_html_empty

SEVERITIES = [("low", "Low"), ("normal", "Normal"), ("high", "High"), ("critical", "Critical")]
# fields whose change moves deadlines or the status computed from them
SLA_STATUS_TRIGGERS = {
    "stage_id",
    "category_id",
    "severity",
    "team_id",
    "company_id",
    "date_open",
    "date_first_response",
    "date_closed",
    "sla_paused_hours",
    "sla_paused_since",
}


class CrmComplaint(models.Model):
    _name = "crm.complaint"
    _mail_post_access = "read"
    _description = "Customer Complaint"
    _inherit = [
        "portal.mixin",
        "rating.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "crm.relationship.customer.mixin",
        "crm.sla.clock.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/", index="trigram")
    subject = fields.Char(required=True, tracking=True)
    description = fields.Html()
    # kept when the contact goes: the company answers for what was raised
    partner_id = fields.Many2one(tracking=True, ondelete="restrict")
    partner_email = fields.Char(related="partner_id.email", string="Customer Email")
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Sales Order",
        check_company=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id)]",
        index="btree_not_null",
    )
    product_id = fields.Many2one(
        "product.product",
        string="Product",
        domain="[('id', 'in', allowed_product_ids)]",
    )
    allowed_product_ids = fields.Many2many("product.product", compute="_compute_allowed_product_ids")
    category_id = fields.Many2one("crm.complaint.category", string="Category", tracking=True, index=True)
    root_cause_id = fields.Many2one("crm.complaint.cause", string="Root Cause", tracking=True)
    severity = fields.Selection(SEVERITIES, required=True, default="normal", tracking=True)
    channel = fields.Selection(
        [
            ("portal", "Portal"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("in_person", "In Person"),
            ("other", "Other"),
        ],
        required=True,
        default="phone",
    )
    stage_id = fields.Many2one(
        "crm.complaint.stage",
        string="Stage",
        tracking=True,
        index=True,
        copy=False,
        ondelete="restrict",
        default=lambda self: self._default_stage_id(),
        group_expand="_read_group_stage_ids",
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, string="Closed")
    is_waiting_customer = fields.Boolean(related="stage_id.is_waiting_customer", string="Waiting on Customer")
    user_id = fields.Many2one(
        "res.users", string="Handled By", tracking=True, index=True, domain="[('share', '=', False)]"
    )
    team_id = fields.Many2one("crm.team", string="Team", tracking=True, index=True, check_company=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    resolution = fields.Html()
    color = fields.Integer()
    date_open = fields.Datetime(
        string="SLA Clock Start",
        required=True,
        default=fields.Datetime.now,
        copy=False,
        help="Moment the service-level clock started: the intake, or the last reopening.",
    )
    date_first_response = fields.Datetime(
        string="First Response", copy=False, help="First public message of an employee to the customer."
    )
    date_closed = fields.Datetime(string="Closed On", copy=False, readonly=True)
    reopen_count = fields.Integer(copy=False, readonly=True)
    can_reopen = fields.Boolean(compute="_compute_can_reopen")
    # the service-level fields (sla_*, escalation_level) come from crm.sla.clock.mixin

    # what the customer's form sends; stage, handler, team, severity, SLA dates and the resolution are ours
    _customer_fields = frozenset(
        {"subject", "description", "partner_id", "sale_order_id", "product_id", "category_id", "channel"}
    )
    _customer_rate_limit = 5

    @api.constrains("sale_order_id", "partner_id", "product_id")
    def _check_order_and_product(self):
        for complaint in self:
            order = complaint.sale_order_id
            if order and order.partner_id.commercial_partner_id != complaint.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Sales order %(order)s belongs to another customer than %(customer)s.",
                        order=order.name,
                        customer=complaint.partner_id.display_name,
                    )
                )
            if order and complaint.product_id and complaint.product_id not in order.order_line.product_id:
                raise ValidationError(
                    self.env._(
                        "Product %(product)s is not part of sales order %(order)s.",
                        product=complaint.product_id.display_name,
                        order=order.name,
                    )
                )

    @api.constrains("stage_id", "resolution", "root_cause_id")
    def _check_resolution_when_closed(self):
        for complaint in self:
            if complaint.is_closed and (is_html_empty(complaint.resolution) or not complaint.root_cause_id):
                raise ValidationError(
                    self.env._(
                        "Complaint %(name)s needs a resolution and a root cause before it can be closed.",
                        name=complaint.name,
                    )
                )

    # ------------------------------------------------------------------
    # defaults and simple computes
    # ------------------------------------------------------------------

    def _default_stage_id(self):
        return self.env["crm.complaint.stage"].search(
            [("is_closed", "=", False), ("is_waiting_customer", "=", False)], limit=1
        )

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([], order=stages._order)

    @api.depends("sale_order_id", "commercial_partner_id")
    @api.model
    def _exists_with(self, field_name, records):
        """Whether a complaint, archived or not, points at ``records`` through ``field_name``."""
        # sudo: the check must see every complaint, not only those the user may read
        complaints = self.sudo().with_context(active_test=False)
        return bool(complaints.search_count([(field_name, "in", records.ids)], limit=1))

    def _compute_allowed_product_ids(self):
        for complaint in self:
            if complaint.sale_order_id:
                complaint.allowed_product_ids = complaint.sale_order_id.order_line.product_id
            else:
                complaint.allowed_product_ids = (
                    self.env["sale.order.line"]
                    .search([("order_partner_id.commercial_partner_id", "=", complaint.commercial_partner_id.id)])
                    .product_id
                )

    def _compute_access_url(self):
        for complaint in self:
            complaint.access_url = f"/my/complaints/{complaint.id}"

    @api.depends("name", "subject")
    def _compute_display_name(self):
        for complaint in self:
            complaint.display_name = f"{complaint.name} - {complaint.subject}" if complaint.subject else complaint.name

    def _compute_can_reopen(self):
        for complaint in self:
            complaint.can_reopen = complaint._can_reopen()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _customer_check_complaint(self, vals):
        """A customer's complaint comes from the portal, and names a product of one of their orders only."""
        if vals.get("channel", "portal") != "portal":
            raise AccessError(self.env._("A complaint you send yourself comes from the portal."))
        if vals.get("product_id") and not vals.get("sale_order_id", self[:1].sale_order_id.id):
            raise ValidationError(self.env._("Choose the order the product was part of."))

    @api.model_create_multi
    def create(self, vals_list):
        self = self._customer_prepare_create(vals_list)
        if self._customer_is_acting():
            for vals in vals_list:
                self._customer_check_complaint(vals)
                vals.setdefault("channel", "portal")
        now = fields.Datetime.now()
        stages = self.env["crm.complaint.stage"]
        for vals in vals_list:
            if vals.get("name", "/") in ("/", False, self.env._("New")):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                # sudo: portal customers and the mail gateway open complaints too
                sequence = self.env["ir.sequence"].sudo().with_company(company)
                vals["name"] = sequence.next_by_code("crm.complaint") or "/"
            stage = stages.browse(vals.get("stage_id")) if vals.get("stage_id") else self._default_stage_id()
            if stage.is_closed:
                vals.setdefault("date_closed", now)
            if stage.is_waiting_customer:
                vals.setdefault("sla_paused_since", vals.get("date_open") or now)
        complaints = super().create(vals_list)
        self.env["crm.team"]._complaint_route(complaints)
        complaints._refresh_sla_status()
        complaints._send_acknowledgement()
        return complaints

    def write(self, vals):
        if self._customer_is_acting():
            self._customer_check_write(vals)
            for complaint in self:
                complaint._customer_check_complaint(vals)
        now = fields.Datetime.now()
        stage = self.env["crm.complaint.stage"].browse(vals.get("stage_id"))
        if stage:
            if stage.is_closed:
                closed = self.filtered(lambda c: c.is_closed)
                if closed:
                    raise UserError(
                        self.env._(
                            "Complaint %(names)s is already closed; reopen it before closing it again.",
                            names=", ".join(closed.mapped("name")),
                        )
                    )
                vals.setdefault("date_closed", now)
            else:
                vals.setdefault("date_closed", False)
            resuming = self.filtered(lambda c: c.sla_paused_since) if not stage.is_waiting_customer else self.browse()
            paused_hours = {c.id: c._work_hours_between(c.sla_paused_since, now) for c in resuming}
            pausing = self.filtered(lambda c: not c.sla_paused_since) if stage.is_waiting_customer else self.browse()
            newly_closed = self.filtered(lambda c: not c.is_closed) if stage.is_closed else self.browse()
        result = super().write(vals)
        if stage:
            if pausing:
                super(CrmComplaint, pausing).write({"sla_paused_since": now})
            for complaint in resuming:
                super(CrmComplaint, complaint).write(
                    {
                        "sla_paused_since": False,
                        "sla_paused_hours": complaint.sla_paused_hours + paused_hours[complaint.id],
                    }
                )
        if "user_id" not in vals and "team_id" in vals:
            for complaint in self.filtered(lambda c: c.team_id and not c.user_id):
                user = complaint.team_id._complaint_next_user()
                if user:
                    complaint.user_id = user
        if SLA_STATUS_TRIGGERS.intersection(vals):
            self._refresh_sla_status()
        if stage:
            newly_closed._send_rating_request()
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for complaint, vals in zip(self, vals_list, strict=True):
            vals.setdefault("subject", self.env._("%s (copy)", complaint.subject))
        return vals_list

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def _send_rating_request(self):
        for complaint in self:
            template = complaint.stage_id.rating_template_id
            partner = complaint._rating_get_partner()
            if template and partner and partner != self.env.user.partner_id:
                complaint.rating_send_request(template, lang=partner.lang, force_send=False)

    def _send_acknowledgement(self):
        """Answer each new complaint at once: its reference, the promised response time and the portal link,
        from its handler (or the company)."""
        template = self.env.ref("crm_relationship.mail_template_crm_complaint_acknowledgement", False)
        self.env["crm.relationship.outreach"]._send_transactional(
            self, template, lambda complaint: complaint.user_id.partner_id or complaint.company_id.partner_id
        )

    def _can_reopen(self):
        """True while the complaint is closed and its reopening window (in days) is open."""
        self.ensure_one()
        if not self.is_closed or not self.date_closed:
            return False
        days = int(self.env["ir.config_parameter"].sudo().get_param("crm_relationship.complaint_reopen_days", 14))
        return fields.Datetime.now() <= self.date_closed + timedelta(days=days)

    def action_reopen(self):
        refused = self.filtered(lambda c: not c._can_reopen())
        if refused:
            raise UserError(
                self.env._(
                    "Complaint %(names)s cannot be reopened: it is not closed or its reopening window has passed.",
                    names=", ".join(refused.mapped("name")),
                )
            )
        stage = self._default_stage_id()
        if not stage:
            raise UserError(self.env._("There is no open complaint stage to reopen into."))
        now = fields.Datetime.now()
        for complaint in self:
            complaint.write(
                {
                    "stage_id": stage.id,
                    "date_closed": False,
                    "date_open": now,
                    "date_first_response": False,
                    "sla_paused_since": False,
                    "sla_paused_hours": 0.0,
                    "escalation_level": "0",
                    "reopen_count": complaint.reopen_count + 1,
                }
            )
            complaint.message_post(
                body=self.env._("Complaint reopened by %s.", self.env.user.partner_id.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_open_rating(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("rating.rating_rating_action_view_all")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # mail gateway and chatter
    # ------------------------------------------------------------------

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A mail to the alias opens a complaint for the sender, found or created from the address."""
        values = dict(custom_values or {})
        partner = self.env["res.partner"].browse(msg_dict.get("author_id")).exists()
        if not partner and msg_dict.get("email_from"):
            partner = self.env["mail.thread"]._partner_find_from_emails_single(
                [msg_dict["email_from"]], no_create=False
            )
            msg_dict["author_id"] = partner.id
        values.setdefault("partner_id", partner.id)
        values.setdefault("subject", msg_dict.get("subject") or self.env._("No Subject"))
        values.setdefault("description", msg_dict.get("body"))
        values.setdefault("channel", "email")
        values.setdefault("name", "/")
        complaint = super().message_new(msg_dict, custom_values=values)
        if partner:
            complaint.message_subscribe(partner.ids)
        return complaint

    def _message_post_after_hook(self, message, msg_values):
        """The first public message of an employee is the first response of the SLA."""
        result = super()._message_post_after_hook(message, msg_values)
        self._resume_on_customer_reply(message)
        if (
            not self.date_first_response
            and message.message_type == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.author_id.user_ids.filtered(lambda user: not user.share)
        ):
            # sudo: the SLA clock is bookkeeping, whoever answered may not edit the complaint
            self.sudo().write({"date_first_response": message.date or fields.Datetime.now()})
        return result

    def _mail_get_partner_fields(self, introspect_fields=False):
        return ["partner_id"]
