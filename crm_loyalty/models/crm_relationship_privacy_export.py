from odoo import api, models
from odoo.addons.crm_relationship.models.crm_relationship_privacy_export import computed


class CrmRelationshipPrivacyExport(models.AbstractModel):
    _inherit = "crm.relationship.privacy.export"

    @api.model
    def _tables(self, partner, entity, documents, messages, tz):
        tables = super()._tables(partner, entity, documents, messages, tz)
        env = self.env
        # sudo: the customer's own cards, ledger and referrals, which portal users read only in part
        su = env(su=True)
        cards = su["loyalty.card"].search([("partner_id", "in", entity.ids)])
        tables["loyalty_cards"] = (
            env._("Your loyalty cards: program, balance and tier."),
            ["program_id", "code", "points", "rel_tier_id", "rel_tier_review_date", "expiration_date", "create_date"],
            cards,
        )
        tables["loyalty_ledger"] = (
            env._("Every movement of your loyalty points."),
            [
                computed("date", lambda h: self._readable(h, "create_date", tz)),
                computed("program", lambda h: h.rel_program_id.name or ""),
                computed("movement", lambda h: self._readable(h, "rel_movement_type", tz)),
                "description",
                "rel_points",
                computed("expires", lambda h: self._readable(h, "rel_expiry_date", tz)),
                "rel_reason",
            ],
            su["loyalty.history"].search([("card_id", "in", cards.ids)], order="create_date, id"),
        )
        tables["tier_history"] = (
            env._("Your changes of loyalty tier."),
            ["date", "card_id", "old_tier_id", "new_tier_id", "reason"],
            su["crm.loyalty.tier.history"].search([("card_id", "in", cards.ids)], order="date, id"),
        )
        tables["referrals"] = (
            env._("The friends who joined through your referral link (when, and how far they got; not who)."),
            ["create_date", "stage_id", "type"],
            su["crm.lead"].with_context(active_test=False).search([("rel_referrer_id", "in", entity.ids)]),
        )
        tables["profile"][1].append("rel_referral_code")
        tables["profile"][1].append("rel_referred_by_id")
        return tables
