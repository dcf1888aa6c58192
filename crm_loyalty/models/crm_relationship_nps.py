from odoo import models


class CrmRelationshipNps(models.Model):
    _inherit = "crm.relationship.nps"

    def _on_answered(self):
        result = super()._on_answered()
        for response in self:
            response.partner_id._rel_award_engagement_points("nps", response)
        return result
