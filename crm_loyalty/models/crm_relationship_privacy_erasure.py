from odoo import api, models
from odoo.addons.crm_relationship.models.crm_relationship_privacy_erasure import CLEAR, KEEP


class CrmRelationshipPrivacyErasure(models.AbstractModel):
    _inherit = "crm.relationship.privacy.erasure"

    @api.model
    def _partner_erased_values(self):
        return {**super()._partner_erased_values(), "rel_referral_code": False}

    @api.model
    def _plan_records(self, plan, entity, ident):
        plan = super()._plan_records(plan, entity, ident)
        # sudo: the plan reads every record about the customer, whatever the manager's own rights
        su = self.env(su=True, context={"active_test": False})
        cards = su["loyalty.card"].search([("partner_id", "in", entity.ids)])
        points = self.env._("Points balance and its ledger: what the company owes, linked to the anonymised customer.")
        plan["loyalty.card", KEEP, points] |= set(cards.ids)
        plan["loyalty.history", KEEP, points] |= set(su["loyalty.history"].search([("card_id", "in", cards.ids)]).ids)
        tiers = su["crm.loyalty.tier.history"].search([("card_id", "in", cards.ids)])
        plan["crm.loyalty.tier.history", KEEP, points] |= set(tiers.ids)
        deleted = self._planned(plan, "crm.lead")
        referred = su["crm.lead"].search([("rel_referrer_id", "in", entity.ids), ("id", "not in", list(deleted))])
        plan["crm.lead", CLEAR, self.env._("A friend's lead: the customer's name removed from it.")] |= set(
            referred.ids
        )
        return plan
