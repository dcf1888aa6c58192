from odoo import models


class CrmRelationshipErasure(models.TransientModel):
    _inherit = "crm.relationship.erasure"

    def _scrubbed_fields(self):
        # a movement's description may name the record it rewards (an NPS answer is named after its customer)
        return {**super()._scrubbed_fields(), "loyalty.history": ("description",)}

    def _clear(self, records, entity):
        if records._name == "crm.lead":
            for lead in records:
                friend = lead.partner_id.name or lead.contact_name or lead.email_from or ""
                lead.write({"name": self.env._("Referral: %(friend)s", friend=friend), "referred": False})
            return
        super()._clear(records, entity)
