from odoo import models

from ..analytics import store


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """The merge moves the merged partners' figures to the partner that remains (a foreign key like any
        other) but not the partner's link to them, which only the analysis writes: link them here."""
        partners = self.env["res.partner"].browse(partner_ids)
        result = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        self.env.flush_all()
        store.link_figures(self.env.cr, partners.exists().ids)
        self.env["crm.relationship.analysis"]._rel_forget_figures()
        return result
