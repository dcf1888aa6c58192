from collections import defaultdict

from odoo import http
from odoo.addons.crm_relationship.controllers.helpers import clean_int, commercial_partner, error_message
from odoo.addons.loyalty.controllers.portal import CustomerPortalLoyalty
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .helpers import success_code


class CmrLoyaltyPortal(CustomerPortal):
    """Loyalty: tier, points and their ledger, rewards to claim on a quotation, the referral link."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "rel_loyalty_points" in counters:
            # sudo: loyalty cards are read for the user's own commercial entity only, as Odoo's loyalty portal does
            card = commercial_partner().sudo().rel_loyalty_card_id
            values["rel_loyalty_points"] = card.points_display if card else 0
        return values

    def _rel_loyalty_values(self, page=1, success=None, error=None):
        env = request.env
        partner = commercial_partner()
        # sudo: loyalty cards and their ledger have no portal access rights in Odoo; everything below is
        # read for the user's own commercial entity only, as Odoo's own loyalty portal does
        partner_sudo = partner.sudo()
        card = partner_sudo.rel_loyalty_card_id
        History = env["loyalty.history"].sudo()
        domain = [("card_id", "=", card.id)]
        pager = portal_pager(
            url="/my/loyalty", total=History.search_count(domain) if card else 0, page=page, step=self._items_per_page
        )
        quotations = env["sale.order"].search(
            [("partner_id", "child_of", partner.id), ("state", "in", ("draft", "sent"))], limit=20
        )
        # sudo: the reward lines of the customer's own quotations name rewards, which portal users cannot read
        reward_lines = quotations.sudo().order_line.filtered(lambda line: card and line.coupon_id == card)
        claimed = defaultdict(float)
        for line in reward_lines:
            claimed[line.order_id, line.reward_id] += line.points_cost
        rewards = card._rel_claimable_rewards() if card else env["loyalty.reward"]
        reserved = card._rel_points_reserved() if card else 0
        expiring = card._rel_points_expiring_soon() if card else 0
        Tier = card.env["crm.loyalty.tier"]
        progress = Tier._progress_of(card) if card else {}
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "rel_loyalty",
                "card": card,
                "progress": progress,
                "progress_sentence": Tier._progress_sentence(card, progress) if card else "",
                "ledger": History.search(
                    domain, order="create_date desc, id desc", limit=self._items_per_page, offset=pager["offset"]
                )
                if card
                else History,
                "pager": pager,
                "expiring_points": expiring,
                "expiring_sentence": env._("%(points)s points expire soon.", points=f"{expiring:g}"),
                "expiring_lots": History.search(
                    [
                        *domain,
                        ("rel_points_remaining", ">", 0),
                        ("rel_expiry_date", "<=", card._rel_reminder_horizon()),
                    ],
                    order="rel_expiry_date asc, id asc",
                    limit=5,
                )
                if card
                else History,
                "rewards": rewards,
                "quotations": quotations,
                # per reward, the quotations it is not on yet: sale_loyalty applies a reward once per order
                "reward_quotations": {
                    reward: quotations.filtered(lambda q, r=reward: (q, r) not in claimed) for reward in rewards
                },
                "claimed": [(order, reward, points) for (order, reward), points in claimed.items()],
                "reserved_points": reserved,
                "reserved_sentence": reserved
                and env._(
                    "Your card holds %(balance)s; %(reserved)s of them are set aside for the rewards on your "
                    "quotations until those are confirmed.",
                    balance=card.points_display,
                    reserved=f"{reserved:g}",
                ),
                "referral_url": f"{partner_sudo.get_base_url()}/referral/{partner_sudo._rel_get_referral_code()}",
                "referral_sentence": self._rel_referral_sentence(partner_sudo._rel_referral_count()),
                "error": error,
                "success": success_code(success),
            }
        )
        return values

    def _rel_referral_sentence(self, count):
        env = request.env
        if not count:
            return env._("Share your link: no friend has joined yet.")
        if count == 1:
            return env._("Share your link: 1 friend has joined so far.")
        return env._("Share your link: %(count)s friends have joined so far.", count=count)

    @http.route(["/my/loyalty", "/my/loyalty/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_loyalty(self, page=1, success=None, **kw):
        return request.render("crm_cmr_portal.portal_my_loyalty", self._rel_loyalty_values(page=page, success=success))

    @http.route("/my/loyalty/claim", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_loyalty_claim(self, reward_id=None, order_id=None, **post):
        env = request.env
        partner = commercial_partner()
        try:
            # sudo: see _rel_loyalty_values; the card is the user's own, the reward and order are checked below
            card = partner.sudo().rel_loyalty_card_id
            if not card:
                raise UserError(env._("You have no loyalty card yet."))
            reward = env["loyalty.reward"].sudo().browse(clean_int(reward_id, env._("Reward"))).exists()
            order = env["sale.order"].browse(clean_int(order_id, env._("Quotation"))).exists()
            if not reward or reward.program_id != card.program_id:
                raise ValidationError(env._("Choose a reward from the list."))
            if not order or order.partner_id.commercial_partner_id != partner:
                raise ValidationError(env._("Choose one of your open quotations."))
            # sudo: customers cannot write orders; _rel_claim_reward checks ownership, state and points again
            card._rel_claim_reward(reward, order.sudo())
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            values = self._rel_loyalty_values(error=error_message(error))
            return request.render("crm_cmr_portal.portal_my_loyalty", values, status=400)
        return request.redirect("/my/loyalty?success=claimed")


class CmrLoyaltyCardPortal(CustomerPortalLoyalty):
    """Odoo's loyalty card beside the portal home, for a ledger card: its popup offers the rewards of the
    loyalty page and its history is that page. A subclass of loyalty's controller, so that these overrides
    come after its routes whatever order the addons are imported in."""

    def _rel_own_card(self, card_id):
        # sudo: as in Odoo's own routes below, the card is looked up among the user's own cards only
        return (
            request.env["loyalty.card"]
            .sudo()
            .search([("id", "=", int(card_id)), ("partner_id", "=", request.env.user.partner_id.id)])
        )

    @http.route()
    def portal_my_loyalty_card_history(self, card_id, page=1, sortby="date", **kw):
        """The history of a ledger card is the loyalty page: its movements, tier and rewards in one place."""
        if self._rel_own_card(card_id)._rel_ledger_cards():
            return request.redirect("/my/loyalty")
        return super().portal_my_loyalty_card_history(card_id, page=page, sortby=sortby, **kw)

    @http.route()
    def portal_get_card_history_values(self, card_id):
        """The card's popup offers the rewards the loyalty page offers: within the points not set aside by
        claims on quotations, and of the card's tier."""
        values = super().portal_get_card_history_values(card_id)
        card = self._rel_own_card(card_id)._rel_ledger_cards()
        if values and card:
            rewards = card._rel_claimable_rewards().sorted("required_points", reverse=True)[:3]
            values["rewards"] = [
                {"description": reward.description, "points": card._format_points(reward.required_points)}
                for reward in rewards
            ]
        return values
