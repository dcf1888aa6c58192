from odoo import fields, models


class CrmRelationshipPartnerMixin(models.AbstractModel):
    """A record that belongs to a customer: the contact it is about and that contact's commercial entity.

    The entity is stored so that the portal record rule of each model reads alike:
    ``[('commercial_partner_id', '=', user.partner_id.commercial_partner_id.id)]``.
    A model that must keep its records when the contact goes redefines ``partner_id`` with
    ``ondelete="restrict"``.
    """

    _name = "crm.relationship.partner.mixin"
    _description = "Customer Record"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True, string="Customer Entity"
    )
