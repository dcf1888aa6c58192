from odoo import fields, models

CONSENT_CHANNELS = [
    ("email", "Email"),
    ("phone", "Phone"),
    ("sms", "SMS"),
    ("messaging", "Messaging App"),
    ("post", "Post"),
]
CONSENT_PURPOSES = [("marketing", "Marketing"), ("service", "Service"), ("surveys", "Surveys")]
CONSENT_SOURCES = [("backoffice", "Back Office"), ("portal", "Portal"), ("import", "Import")]


class CrmRelationshipConsent(models.Model):
    """The customer's current answer for one channel and purpose; every change is logged."""

    _name = "crm.relationship.consent"
    _description = "Customer Consent"
    _order = "partner_id, channel, purpose"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Entity"
    )
    channel = fields.Selection(CONSENT_CHANNELS, required=True)
    purpose = fields.Selection(CONSENT_PURPOSES, required=True)
    granted = fields.Boolean(readonly=True)
    date_changed = fields.Datetime(string="Last Change", readonly=True)
    source = fields.Selection(CONSENT_SOURCES, string="Last Changed From", readonly=True)

    _partner_channel_purpose_unique = models.UniqueIndex(
        "(partner_id, channel, purpose)", "A customer has one consent per channel and purpose."
    )

    def action_grant(self):
        for consent in self:
            consent.partner_id._set_relationship_consent(consent.channel, consent.purpose, True, "backoffice")

    def action_withdraw(self):
        for consent in self:
            consent.partner_id._set_relationship_consent(consent.channel, consent.purpose, False, "backoffice")
