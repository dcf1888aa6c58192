import secrets

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

ENGAGEMENT_KINDS = {
    "nps": "crm_loyalty.points_nps",
    "suggestion": "crm_loyalty.points_suggestion",
    "referral": "crm_loyalty.points_referral",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    rel_referral_code = fields.Char(
        string="Referral Code", copy=False, readonly=True, index="btree_not_null", groups="base.group_user"
    )
    rel_referred_by_id = fields.Many2one("res.partner", string="Referred By", index="btree_not_null", copy=False)
    rel_loyalty_card_id = fields.Many2one("loyalty.card", compute="_compute_rel_loyalty_card", string="Loyalty Card")
    rel_loyalty_tier_id = fields.Many2one("crm.loyalty.tier", compute="_compute_rel_loyalty_card", string="Tier")
    rel_loyalty_points = fields.Float(compute="_compute_rel_loyalty_card", string="Loyalty Points")

    _referral_code_unique = models.UniqueIndex("(rel_referral_code) WHERE rel_referral_code IS NOT NULL")

    def _compute_rel_loyalty_card(self):
        cards = self.env["loyalty.card"].search(
            [("partner_id", "in", self.commercial_partner_id.ids), ("program_id.program_type", "=", "loyalty")],
            order="points desc",
        )
        by_partner = {}
        for card in cards:
            by_partner.setdefault(card.partner_id.id, card)
        for partner in self:
            card = by_partner.get(partner.commercial_partner_id.id, self.env["loyalty.card"])
            partner.rel_loyalty_card_id = card
            partner.rel_loyalty_tier_id = card.rel_tier_id
            partner.rel_loyalty_points = card.points

    def _rel_get_referral_code(self):
        self.ensure_one()
        partner = self.commercial_partner_id.sudo()
        if not partner.rel_referral_code:
            partner.rel_referral_code = secrets.token_urlsafe(8)
        return partner.rel_referral_code

    @api.model
    def _rel_engagement_program(self):
        program_id = self.env["ir.config_parameter"].sudo().get_param("crm_loyalty.engagement_program_id")
        program = self.env["loyalty.program"].browse(int(program_id or 0)).exists()
        return program or self.env["loyalty.program"].search(
            [("program_type", "=", "loyalty"), ("active", "=", True)], limit=1
        )

    def _rel_loyalty_card_for(self, program):
        self.ensure_one()
        partner = self.commercial_partner_id
        card = (
            self.env["loyalty.card"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("program_id", "=", program.id)], limit=1)
        )
        return card or self.env["loyalty.card"].sudo().create({"partner_id": partner.id, "program_id": program.id})

    def _rel_award_engagement_points(self, kind, origin_record):
        """Reward taking part (NPS answer, accepted suggestion, referral), within the per-period limit."""
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        points = float(params.get_param(ENGAGEMENT_KINDS[kind], 0) or 0)
        program = self._rel_engagement_program()
        if points <= 0 or not program:
            return self.env["loyalty.history"]
        card = self._rel_loyalty_card_for(program)
        limit = int(params.get_param("crm_loyalty.engagement_limit", 5) or 0)
        months = int(params.get_param("crm_loyalty.engagement_period_months", 1) or 1)
        since = fields.Datetime.now() - relativedelta(months=months)
        # Engagement is granted by the system on the customer's behalf: sudo for the ledger.
        History = self.env["loyalty.history"].sudo()
        recent = History.search_count(
            [("card_id", "=", card.id), ("rel_movement_type", "=", "engagement"), ("create_date", ">=", since)]
        )
        if limit and recent >= limit:
            return self.env["loyalty.history"]
        description = self.env._("Thank you for taking part: %s", origin_record.display_name)
        return card.sudo()._rel_add_movement(
            "engagement", points, description, order_model=origin_record._name, order_id=origin_record.id
        )

    # ------------------------------------------------------------------ referrals
    def _rel_referral_count(self):
        """How many customers joined through this customer's referral link."""
        self.ensure_one()
        # sudo: the referrer may be a portal user, who cannot read the customers they brought in
        return self.env["res.partner"].sudo().search_count([("rel_referred_by_id", "=", self.commercial_partner_id.id)])

    @api.model
    def _rel_referral_source(self):
        """The "Customer Referral" UTM source (data XML); found by name or created again if it was deleted."""
        # sudo: the new customer signing up may not read or create UTM sources
        Source = self.env["utm.source"].sudo()
        source = self.env.ref("crm_loyalty.utm_source_referral", raise_if_not_found=False)
        if source:
            return source.sudo()
        return Source.search([("name", "=", "Customer Referral")], limit=1) or Source.create(
            {"name": "Customer Referral"}
        )

    def _rel_register_referral(self, rel_referral_code, looking_for=""):
        """A friend who signed up through a referral link: attribute them and open a lead for the referrer.

        Called on the new partner. ``rel_referral_code`` is the referrer's code (``_rel_get_referral_code``),
        ``looking_for`` what the friend said they look for (plain text, kept escaped in the lead). Raises
        UserError, with nothing changed, for an unknown code, the partner's own code, or a partner already
        referred by someone else. Sets ``rel_referred_by_id`` and returns the new crm.lead.
        """
        self.ensure_one()
        env = self.env
        code = (rel_referral_code or "").strip()
        # sudo: the friend has just signed up and may not read other customers or create leads
        referrer = env["res.partner"].sudo().search([("rel_referral_code", "=", code)], limit=1) if code else False
        if not referrer:
            raise UserError(env._("This referral link is not valid."))
        referrer = referrer.commercial_partner_id
        friend = self.sudo()
        if referrer == friend.commercial_partner_id:
            raise UserError(env._("You cannot refer yourself."))
        if friend.rel_referred_by_id and friend.rel_referred_by_id.commercial_partner_id != referrer:
            raise UserError(env._("%(friend)s was already referred by another customer.", friend=friend.name))
        if not friend.rel_referred_by_id:
            friend.rel_referred_by_id = referrer
        looking_for = (looking_for or "").strip()[:2000]
        return (
            env["crm.lead"]
            .sudo()
            .create(
                {
                    "name": env._("Referral: %(friend)s (by %(referrer)s)", friend=friend.name, referrer=referrer.name),
                    "type": "lead",
                    "partner_id": friend.id,
                    "description": plaintext2html(looking_for) if looking_for else False,
                    "source_id": self._rel_referral_source().id,
                    "rel_referrer_id": referrer.id,
                    "referred": referrer.name,
                    # The referrer's salesperson follows the friend up; nobody when the referrer has none.
                    "user_id": referrer.user_id.id or False,
                }
            )
        )
