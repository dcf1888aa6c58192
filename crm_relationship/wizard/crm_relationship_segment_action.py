from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from ..models.crm_relationship_consent import CONSENT_PURPOSES
from ..models.crm_relationship_outreach import OutreachResult

# Customers handled per round of the outbound policy: one consent read, one blacklist read, one batch of
# activities or emails each.
BATCH_SIZE = 500


class CrmRelationshipSegmentAction(models.TransientModel):
    """Act on the customers selected in a list: one activity each, or one email template, through the
    outbound policy; the result step shows how many were reached and why the others were skipped."""

    _name = "crm.relationship.segment.action"
    _description = "Act on Customers"

    partner_ids = fields.Many2many("res.partner", string="Customers")
    partner_count = fields.Integer(string="Selected Customers", compute="_compute_partner_count")
    mode = fields.Selection(
        [("activity", "Schedule an activity"), ("email", "Send an email")],
        string="Action",
        required=True,
        default="activity",
    )
    purpose = fields.Selection(
        CONSENT_PURPOSES,
        required=True,
        default="marketing",
        help="Customers are reached only as their consent for this purpose allows. Marketing and surveys need "
        "the customer's consent; service reaches everyone who did not refuse it.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        domain="[('res_model', 'in', (False, 'res.partner'))]",
        default=lambda self: self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False),
    )
    summary = fields.Char()
    note = fields.Text()
    assign_to = fields.Selection(
        [("salesperson", "The customer's salesperson"), ("user", "A chosen user")],
        string="Assign To",
        required=True,
        default="salesperson",
        help="Who gets the activities, and the calls planned for customers who prefer the phone. Customers "
        "without a salesperson get them on you.",
    )
    user_id = fields.Many2one("res.users", string="User", domain="[('share', '=', False)]")
    template_id = fields.Many2one(
        "mail.template", string="Email Template", domain="[('model', '=', 'res.partner')]", ondelete="set null"
    )
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft", required=True)
    sent_count = fields.Integer(string="Sent Now", readonly=True)
    scheduled_count = fields.Integer(string="Scheduled in Contact Window", readonly=True)
    call_count = fields.Integer(string="Calls Planned", readonly=True)
    activity_count = fields.Integer(string="Activities Planned", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    skipped_summary = fields.Text(string="Skipped Because", readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if "partner_ids" in fields_list and context.get("active_model") == "res.partner" and context.get("active_ids"):
            values["partner_ids"] = [fields.Command.set(context["active_ids"])]
        return values

    @api.depends("partner_ids")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = len(wizard.partner_ids)

    def _check_input(self):
        if not self.partner_ids:
            raise UserError(self.env._("Select the customers to act on first."))
        if self.mode == "activity" and not self.activity_type_id:
            raise UserError(self.env._("Choose the type of activity to schedule."))
        if self.assign_to == "user" and not (self.user_id and self.user_id._is_internal()):
            raise UserError(self.env._("Choose the internal user who gets the activities."))

    def action_run(self):
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("This action has already run; open it again from the list."))
        self._check_input()
        result = OutreachResult(self.env)
        now = fields.Datetime.now()
        for batch in split_every(BATCH_SIZE, self.partner_ids.ids, self.env["res.partner"].browse):
            if self.mode == "email":
                self._send_batch(batch, result, now)
            else:
                self._schedule_batch(batch, result, now)
        labels = result.reason_labels()
        self.write(
            {
                "state": "done",
                "sent_count": result.sent,
                "scheduled_count": result.scheduled,
                "call_count": result.calls,
                "activity_count": result.activities,
                "skipped_count": sum(result.skipped.values()),
                "skipped_summary": "\n".join(
                    self.env._("%(count)s: %(reason)s", count=count, reason=labels.get(reason, reason))
                    for reason, count in sorted(result.skipped.items(), key=lambda item: (-item[1], item[0]))
                )
                or False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Act on Customers"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _user(self):
        return self.user_id if self.assign_to == "user" else None

    def _send_batch(self, partners, result, now):
        """The template to each customer the policy lets us email; a call for those who prefer the phone."""
        Outreach = self.env["crm.relationship.outreach"]
        template = self.template_id.exists()
        plan = Outreach._plan(partners, self.purpose, now=now)
        summary = (
            self.env._("Call instead of the email “%(template)s”", template=template.name)
            if template
            else self.env._("Call instead of an email")
        )
        Outreach._deliver(partners, plan, template, result, summary, now=now, user=self._user())

    def _schedule_batch(self, partners, result, now):
        """One activity per customer, due in their contact window; a call for those who prefer the phone."""
        Outreach = self.env["crm.relationship.outreach"]
        activity_type = self.activity_type_id
        is_call = activity_type.category == "phonecall"
        plan = Outreach._plan(partners, self.purpose, now=now, channel="phone" if is_call else None)
        calls, others = [], []
        for partner in partners:
            channel, detail = plan[partner.id]
            if channel == "skip":
                result.skip(detail)
            else:
                (calls if channel == "call" and not is_call else others).append((partner, detail))
        summary = self.summary or activity_type.summary or activity_type.name
        note = (lambda _env, _partner: self.note) if self.note else None
        if calls:
            Outreach._plan_calls(calls, result, summary, note, now, user=self._user())
        if others:
            Outreach._plan_calls(others, result, summary, note, now, activity_type=activity_type, user=self._user())
