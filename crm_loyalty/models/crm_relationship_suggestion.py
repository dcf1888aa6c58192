from odoo import models


class CrmRelationshipSuggestion(models.Model):
    _inherit = "crm.relationship.suggestion"

    def _on_accepted(self):
        result = super()._on_accepted()
        for suggestion in self:
            suggestion.partner_id._rel_award_engagement_points("suggestion", suggestion)
        return result
