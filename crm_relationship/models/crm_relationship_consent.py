from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

CONSENT_CHANNELS = [
    ("email", "Email"),
    ("phone", "Phone"),
    ("sms", "SMS"),
    ("messaging", "Messaging App"),
    ("post", "Post"),
]
CONSENT_PURPOSES = [("marketing", "Marketing"), ("service", "Service"), ("surveys", "Surveys")]
CONSENT_SOURCES = [("backoffice", "Back Office"), ("portal", "Portal"), ("import", "Import")]
# the customer's answer: written by res.partner._set_relationship_consent only, which logs it
CONSENT_ANSWER_FIELDS = {"granted", "date_changed", "source"}
# what a consent is about: fixed once created, as its log lines are kept by the same keys
CONSENT_KEY_FIELDS = ("partner_id", "commercial_partner_id", "channel", "purpose")


class CrmRelationshipConsent(models.Model):
    """The customer's current answer for one channel and purpose; every change is logged."""

    _name = "crm.relationship.consent"
    _inherit = ["crm.relationship.partner.mixin"]
    _description = "Customer Consent"
    _order = "partner_id, channel, purpose"

    channel = fields.Selection(CONSENT_CHANNELS, required=True)
    purpose = fields.Selection(CONSENT_PURPOSES, required=True)
    granted = fields.Boolean(readonly=True)
    date_changed = fields.Datetime(string="Last Change", readonly=True)
    source = fields.Selection(CONSENT_SOURCES, string="Last Changed From", readonly=True)

    _partner_channel_purpose_unique = models.UniqueIndex(
        "(partner_id, channel, purpose)", "A customer has one consent per channel and purpose."
    )

    @api.model_create_multi
    def create(self, vals_list):
        """A consent created by a user (form, RPC, import) is recorded through the logged path.

        Only that path (``res.partner._set_relationship_consent``, under sudo) creates consents
        directly, so that every consent starts with its log line, also when its answer is False.
        The log line's source is Import for an import, the Back Office or the Portal otherwise.
        """
        if self.env.su:
            return super().create(vals_list)
        self.check_access("create")
        source = self._consent_source()
        consents = self.browse()
        for vals in vals_list:
            stamped = CONSENT_ANSWER_FIELDS.intersection(vals) - {"granted"}
            if stamped:
                raise UserError(self.env._("The date and source of a consent are set when the change is logged."))
            partner = self.env["res.partner"].browse(vals.get("partner_id"))
            if not partner:
                raise ValidationError(self.env._("A consent needs a customer."))
            # sudo: an existing consent may sit on a partner the user cannot read; only its existence matters
            key = [("partner_id", "=", partner.id), ("channel", "=", vals.get("channel"))]
            existing = self.sudo().search_count([*key, ("purpose", "=", vals.get("purpose"))])
            if existing:
                raise UserError(self.env._("This customer already has this consent: grant or withdraw it instead."))
            consents |= partner._set_relationship_consent(
                vals.get("channel"), vals.get("purpose"), vals.get("granted", False), source
            )
        return consents.with_env(self.env)

    def write(self, vals):
        if not self.env.su:
            self.check_access("write")
        for field in CONSENT_KEY_FIELDS:
            if field in vals and any(
                consent._fields[field].convert_to_write(consent[field], consent) != vals[field] for consent in self
            ):
                raise UserError(
                    self.env._(
                        "A consent belongs to one customer, channel and purpose for good: record a new consent instead."
                    )
                )
        if not self.env.su and CONSENT_ANSWER_FIELDS.intersection(vals):
            raise UserError(self.env._("Use Grant or Withdraw to change a consent, so that the change is logged."))
        return super().write(vals)

    def _consent_source(self):
        if self.env.user.share:
            return "portal"
        # a label of the log line only, never a way around a check
        return "import" if self.env.context.get("import_file") else "backoffice"

    def action_grant(self):
        for consent in self:
            consent.partner_id._set_relationship_consent(consent.channel, consent.purpose, True, self._consent_source())
        return True

    def action_withdraw(self):
        for consent in self:
            consent.partner_id._set_relationship_consent(
                consent.channel, consent.purpose, False, self._consent_source()
            )
        return True
