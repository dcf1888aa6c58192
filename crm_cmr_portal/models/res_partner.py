from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Internal notes about the customer: employees only. Odoo lets portal users read every field of their
    # own partner, and the notes were never meant for the customer.
    comment = fields.Html(groups="base.group_user")

    rel_erasure_requested_on = fields.Datetime(
        string="Erasure Requested On", readonly=True, copy=False, groups="base.group_user"
    )

    # ------------------------------------------------------------------ where the customer stands
    def _rel_portal_standing(self):
        """Plain-language sentences about this customer's own segment and loyalty tier progress for the
        portal, when Settings allow it; else an empty list. Never a score, probability or value."""
        self.ensure_one()
        # sudo: a system parameter, and the customer's own segment and card, read for their own page only
        if not self.env["ir.config_parameter"].sudo().get_param("crm_cmr_portal.show_standing"):
            return []
        partner = self.commercial_partner_id.sudo()
        sentences = []
        segment = partner.rel_rfm_segment and self._rel_segment_sentence(partner.rel_rfm_segment)
        if segment:
            sentences.append(segment)
        card = partner.rel_loyalty_card_id
        if card:
            Tier = self.env["crm.loyalty.tier"].sudo()
            progress = Tier._progress_of(card)
            if card.rel_tier_id:
                sentences.append(self.env._("Your loyalty tier is %(tier)s.", tier=card.rel_tier_id.name))
            if progress.get("next_tier"):
                sentences.append(Tier._progress_sentence(card, progress))
        return sentences

    def _rel_segment_sentence(self, segment):
        return {
            "champions": self.env._("You are one of our most loyal customers: you buy often, and recently. Thank you!"),
            "loyal": self.env._("You are a regular customer: thank you for coming back so often."),
            "potential_loyalist": self.env._(
                "You have bought from us recently, more than once: we hope to see you again soon."
            ),
            "new": self.env._("Welcome! You have just started buying from us."),
            "promising": self.env._("You bought from us recently: we hope you enjoy it."),
            "needs_attention": self.env._("It has been a little while since your last purchase."),
            "about_to_sleep": self.env._("We have not seen you for a while."),
            "at_risk": self.env._("You used to buy from us often, and we have not seen you for a while: we miss you."),
            "cannot_lose": self.env._(
                "You were one of our best customers, and we have not seen you for a while: we miss you."
            ),
            "hibernating": self.env._("Your last purchase was some time ago."),
            "lost": self.env._("Your last purchase was a long time ago: we would be glad to welcome you back."),
        }.get(segment)

    # ------------------------------------------------------------------ erasure
    def _rel_request_erasure(self, user):
        """The customer asks to be forgotten: a manager gets a to-do; asking twice changes nothing."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if partner.rel_erasure_requested_on:
            return False
        partner.rel_erasure_requested_on = fields.Datetime.now()
        manager_group = self.env.ref("crm_relationship.group_relationship_manager")
        manager = partner.user_id if partner.user_id in manager_group.user_ids else manager_group.user_ids[:1]
        manager = manager or self.env.ref("base.user_admin")
        # the task and the note are read in the back office: in the manager's language, not the customer's
        manager_env = self.with_context(lang=manager.lang).env
        partner.activity_schedule(
            "crm_cmr_portal.mail_activity_type_erasure",
            user_id=manager.id,
            note=manager_env._(
                "%(user)s asked from the portal to erase their personal data. Check for legal obligations to keep "
                "records, then use Anonymise on the customer.",
                user=user.name,
            ),
        )
        partner.message_post(
            body=manager_env._("Erasure of personal data requested from the portal by %(user)s.", user=user.name),
            subtype_xmlid="mail.mt_note",
        )
        return True
