from odoo import api, fields, models
from odoo.exceptions import UserError

from .crm_relationship_consent import CONSENT_CHANNELS, CONSENT_PURPOSES, CONSENT_SOURCES

# Besides the consents, the log holds the customer's objection to profiling (granted = not objected).
LOG_PURPOSES = [*CONSENT_PURPOSES, ("profiling", "Profiling")]


class CrmRelationshipConsentLog(models.Model):
    """Append-only history of consent changes, shown to the customer on request."""

    _name = "crm.relationship.consent.log"
    _inherit = ["crm.relationship.partner.mixin"]
    _description = "Consent Change"
    _order = "date desc, id desc"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    channel = fields.Selection(CONSENT_CHANNELS, readonly=True, help="Empty for the objection to profiling.")
    purpose = fields.Selection(LOG_PURPOSES, required=True, readonly=True)
    granted = fields.Boolean(readonly=True)
    source = fields.Selection(CONSENT_SOURCES, required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Changed By", required=True, readonly=True)

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(self.env._("The consent log cannot be changed: record a new consent instead."))

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The consent log cannot be deleted."))
