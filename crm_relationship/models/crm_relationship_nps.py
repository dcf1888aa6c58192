import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# What the customer answered: written once, by the answer itself.
ANSWER_FIELDS = {"state", "score", "comment", "date_answered"}


class CrmRelationshipNps(models.Model):
    """One Net Promoter Score invitation and its answer (0 to 10), answered through a tokenised link."""

    _name = "crm.relationship.nps"
    _description = "NPS Survey Response"
    _inherit = ["mail.thread", "crm.relationship.customer.mixin"]
    _order = "date_sent desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    state = fields.Selection([("sent", "Sent"), ("answered", "Answered")], required=True, default="sent", readonly=True)
    score = fields.Integer(readonly=True)
    comment = fields.Text(readonly=True)
    category = fields.Selection(
        [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")],
        compute="_compute_category",
        store=True,
    )
    date_sent = fields.Datetime(string="Sent On", default=fields.Datetime.now, readonly=True)
    date_answered = fields.Datetime(string="Answered On", readonly=True)
    access_token = fields.Char(
        required=True, readonly=True, copy=False, groups="base.group_system", default=lambda self: self._new_token()
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, required=True)

    _score_range = models.Constraint("CHECK(score BETWEEN 0 AND 10)", "An NPS score is between 0 and 10.")
    _access_token_unique = models.UniqueIndex("(access_token)")

    def write(self, vals):
        # customers answer through the token link (_record_answer, under sudo): they write nothing directly
        self._customer_check_write(vals)
        if not self.env.su and ANSWER_FIELDS & set(vals):
            raise UserError(self.env._("A customer's answer to a survey is never changed."))
        return super().write(vals)

    @api.model
    def _new_token(self):
        return secrets.token_urlsafe(24)

    @api.depends("state", "score")
    def _compute_category(self):
        for response in self:
            if response.state != "answered":
                response.category = False
            elif response.score >= 9:
                response.category = "promoter"
            elif response.score >= 7:
                response.category = "passive"
            else:
                response.category = "detractor"

    def _get_answer_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/my/nps/{self.sudo().access_token}"

    @api.model
    def _send_invitations(self, partners):
        """Create one invitation per partner that may be surveyed by email, and send it."""
        partners = partners.filtered(lambda p: p.email and p._has_relationship_consent("email", "surveys"))
        responses = self.create([{"partner_id": partner.id} for partner in partners])
        template = self.env.ref("crm_relationship.mail_template_nps_invitation")
        for response in responses:
            template.send_mail(response.id, email_layout_xmlid="mail.mail_notification_light")
        return responses

    def action_send_invitation(self):
        self._check_relationship_user()
        template = self.env.ref("crm_relationship.mail_template_nps_invitation")
        for response in self:
            if response.state == "answered":
                raise UserError(self.env._("This survey has already been answered."))
            template.send_mail(response.id, email_layout_xmlid="mail.mail_notification_light")

    def _record_answer(self, score, comment=""):
        """Store the customer's answer; an invitation is answered once."""
        self.ensure_one()
        if self.state == "answered":
            raise UserError(self.env._("This survey has already been answered. Thank you!"))
        try:
            score = int(score)
        except (TypeError, ValueError):
            raise ValidationError(self.env._("Choose a score between 0 and 10.")) from None
        if not 0 <= score <= 10:
            raise ValidationError(self.env._("Choose a score between 0 and 10."))
        # sudo: the answer fields are written only here, for the invitation whose token the customer holds
        self.sudo().write(
            {
                "state": "answered",
                "score": score,
                "comment": (comment or "").strip()[:2000],
                "date_answered": fields.Datetime.now(),
            }
        )
        self._on_answered()
        return True

    def _on_answered(self):
        """Hook called once an answer is recorded (crm_loyalty awards engagement points)."""
