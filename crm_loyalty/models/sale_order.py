from collections import defaultdict

from odoo import Command, models
from odoo.exceptions import UserError

from .ledger_flags import LEDGER_CANCEL, LedgerSkipCards


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _add_loyalty_history_lines(self):
        """On ledger programs, one movement per kind: points earned (times the card's tier
        multiplier) and points spent. Other programs keep Odoo's single history line."""
        self.ensure_one()
        ledger_cards = (self.coupon_point_ids.coupon_id | self.order_line.coupon_id)._rel_ledger_cards()
        if not ledger_cards:
            return super()._add_loyalty_history_lines()
        earned = defaultdict(float)
        spent = defaultdict(float)
        for coupon_point in self.coupon_point_ids.filtered(lambda p: p.coupon_id in ledger_cards):
            earned[coupon_point.coupon_id] += coupon_point.points
        for line in self.order_line.filtered(lambda line: line.coupon_id in ledger_cards):
            spent[line.coupon_id] += line.points_cost
        others = self.with_context(rel_skip_cards=LedgerSkipCards(ledger_cards.ids))
        super(SaleOrder, others)._add_loyalty_history_lines()
        base = {
            "order_id": self.id,
            "order_model": self._name,
            "description": self.env._("Order %s", self.display_name),
        }
        values = []
        for coupon in earned.keys() | spent.keys():
            multiplier = coupon.rel_tier_id.multiplier or 1.0
            if earned[coupon] > 0:
                values.append(
                    {**base, "card_id": coupon.id, "rel_movement_type": "earned", "issued": earned[coupon] * multiplier}
                )
            if spent[coupon] > 0:
                values.append({**base, "card_id": coupon.id, "rel_movement_type": "spent", "used": spent[coupon]})
        coupons = self.env["loyalty.card"].browse([v["card_id"] for v in values])
        coupons._rel_lock()
        # The ledger's own bookkeeping of the order being confirmed (the caller may confirm it): its movements
        # are written as superuser, the only one the ledger's guards let write them.
        self.env["loyalty.history"].sudo().create(values)

    def _get_point_changes(self):
        """Ledger cards are left out: sale_loyalty adds these changes to the cards' points on confirmation
        and takes them off on cancellation, while a ledger card's balance is the sum of its movements,
        resynced by ``action_confirm`` and ``_action_cancel`` below."""
        changes = super()._get_point_changes()
        ledger = self.env["loyalty.card"].browse([card.id for card in changes])._rel_ledger_cards()
        for card in ledger:
            changes.pop(card, None)
        return changes

    def _get_claimable_rewards(self, forced_coupons=None):
        """Rewards a ledger card's tier keeps for a higher tier are not claimable, in the back office as on
        the portal (``loyalty.card._rel_tier_rewards_withheld``)."""
        result = super()._get_claimable_rewards(forced_coupons=forced_coupons)
        for card in list(result):
            if card._rel_ledger_cards():
                rewards = result[card] - card._rel_tier_rewards_withheld()
                if rewards:
                    result[card] = rewards
                else:
                    del result[card]
        return result

    def _apply_program_reward(self, reward, coupon, **kwargs):
        if coupon and coupon._rel_ledger_cards() and reward in coupon._rel_tier_rewards_withheld():
            return {"error": self.env._("The reward %(reward)s is kept for a higher tier.", reward=reward.description)}
        return super()._apply_program_reward(reward, coupon, **kwargs)

    def _update_loyalty_history(self, coupon_id, points):
        """A reward added to a confirmed order spends points: a new movement, never an edit."""
        self.ensure_one()
        if not coupon_id._rel_ledger_cards():
            return super()._update_loyalty_history(coupon_id, points)
        coupon_id._rel_add_movement(
            "spent", -points, self.env._("Order %s", self.display_name), order_model=self._name, order_id=self.id
        )

    def action_confirm(self):
        # sale_loyalty records points before sale checks the orders' state: check it first, so that a
        # retried confirmation of a confirmed order is refused before anything is awarded again.
        for order in self:
            error = order._confirmation_error_message()
            if error:
                raise UserError(error)
        result = super().action_confirm()
        cards = self._rel_order_cards()
        cards._rel_sync_points_from_ledger()
        cards._rel_review_tier(upgrade_only=True)
        self._rel_reward_referrals()
        return result

    def _rel_reward_referrals(self):
        """A referred customer's first confirmed order rewards both the friend and the referrer."""
        for order in self:
            customer = order.partner_id.commercial_partner_id
            referrer = customer.rel_referred_by_id.commercial_partner_id
            if not referrer or referrer == customer:
                continue
            # sudo: "first order" counts every salesperson's orders, not only those the confirming user sees
            first = not self.sudo().search_count(
                [("partner_id", "child_of", customer.id), ("state", "=", "sale"), ("id", "!=", order.id)], limit=1
            )
            if first:
                customer._rel_award_engagement_points("referral", order)
                referrer._rel_award_engagement_points("referral", order)

    def _action_cancel(self):
        """Cancelling takes back exactly what the order earned and gives back what it spent."""
        confirmed = self.filtered(lambda order: order.state == "sale")
        # The ledger's own bookkeeping: the caller may cancel these orders; the movements to reverse are
        # read and reversed as superuser (see loyalty.history._rel_check_ledger_access).
        history = confirmed.sudo()._rel_order_history()
        history.card_id._rel_lock()
        result = super(
            SaleOrder, self.with_context(rel_keep_history=True, rel_cancelling=LEDGER_CANCEL)
        )._action_cancel()
        for order in confirmed:
            order_lines = history.filtered(lambda line, order=order: line.order_id == order.id)
            order_lines._rel_reverse(self.env._("Order %s cancelled", order.display_name))
        history.card_id._rel_sync_points_from_ledger()
        return result

    def _rel_order_history(self):
        """The ledger movements these orders earned and spent that are not reversed yet."""
        if not self:
            return self.env["loyalty.history"]
        return (
            self.env["loyalty.history"]
            .search(
                [
                    ("order_model", "=", self._name),
                    ("order_id", "in", self.ids),
                    ("rel_movement_type", "in", ("earned", "spent")),
                    ("rel_reversed_by_id", "=", False),
                ]
            )
            ._rel_ledger_lines()
        )

    def _rel_credited_share(self):
        """The share of this order's untaxed amount refunded by its posted credit notes, at most 1."""
        self.ensure_one()
        refund_lines = self.env["account.move.line"].search(
            [
                ("sale_line_ids", "in", self.order_line.ids),
                ("move_id.move_type", "=", "out_refund"),
                ("move_id.state", "=", "posted"),
                ("display_type", "=", "product"),
            ]
        )
        credited = sum(
            line.currency_id._convert(line.price_subtotal, self.currency_id, self.company_id, line.date)
            for line in refund_lines
        )
        if self.currency_id.compare_amounts(self.amount_untaxed, 0.0) <= 0:
            return 1.0 if credited > 0 else 0.0
        return min(credited / self.amount_untaxed, 1.0)

    def _rel_reverse_points_share(self, share, description, **values):
        """Bring the reversed part of what this order earned and spent to ``share`` of it."""
        self.ensure_one()
        # The ledger's own bookkeeping: the credit note's poster may post it; the order's movements are read
        # and reversed as superuser (see loyalty.history._rel_check_ledger_access).
        history = self.sudo()._rel_order_history()
        if not history:
            return
        history.card_id._rel_lock()
        history._rel_reverse_share(share, description, **values)
        history.card_id._rel_sync_points_from_ledger()

    def _rel_check_claim_target(self, card):
        """Refuse, before anything changes, a claim of ``card`` on an order that is not one open quotation of
        the card's customer."""
        env = card.env
        if len(self) != 1:
            raise UserError(env._("Choose one of your open quotations."))
        if self.partner_id.commercial_partner_id != card.partner_id.commercial_partner_id or not card.partner_id:
            raise UserError(env._("This quotation belongs to another customer."))
        if self.state not in ("draft", "sent"):
            raise UserError(
                env._(
                    "Rewards can only be claimed on a quotation that is not confirmed yet; %(order)s is not.",
                    order=self.name,
                )
            )

    def _rel_apply_claimed_reward(self, reward, card):
        """Apply ``reward`` paid with ``card`` with sale_loyalty's own engine, or raise UserError with the
        quotation left as it was. Returns the order's lines of ``reward`` paid with ``card`` and the points
        they will take."""
        self.ensure_one()
        env = card.env
        # A savepoint (flushing, clearing the cache on rollback): a refused claim leaves the quotation as it was.
        with env.cr.savepoint():
            # sale_loyalty loads a customer's card on its own only for orders of the card's exact partner;
            # link it so that a claim on a quotation of one of the customer's contacts is kept as well.
            if card not in self.applied_coupon_ids:
                self.applied_coupon_ids = [Command.link(card.id)]
            self._update_programs_and_rewards()
            claimable = self._get_claimable_rewards(forced_coupons=card).get(card, env["loyalty.reward"])
            if reward not in claimable:
                raise UserError(
                    env._(
                        "The reward %(reward)s cannot be applied to %(order)s: it may already be applied, "
                        "or the quotation has nothing it could apply to.",
                        reward=reward.description,
                        order=self.name,
                    )
                )
            committed = card._rel_points_committed(self)
            result = self._apply_program_reward(reward, card)
            if result.get("error"):
                raise UserError(result["error"])
            self._update_programs_and_rewards()
            lines = self.order_line.filtered(lambda line: line.reward_id == reward and line.coupon_id == card)
            if not lines:
                raise UserError(
                    env._(
                        "The reward %(reward)s could not be kept on %(order)s.",
                        reward=reward.description,
                        order=self.name,
                    )
                )
        return lines, card._rel_points_committed(self) - committed

    def _rel_order_cards(self):
        cards = self.coupon_point_ids.coupon_id | self.order_line.coupon_id
        return cards._rel_ledger_cards()
