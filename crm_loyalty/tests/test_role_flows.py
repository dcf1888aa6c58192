from odoo import Command
from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLoyaltyRoleFlows(RolesMixin, LoyaltyCase):
    """Orders confirmed, cancelled and refunded by the people who do it, across the tier thresholds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        Tier = cls.env["crm.loyalty.tier"]
        cls.silver = Tier.create({"name": "Silver", "program_id": cls.program.id, "threshold": 150})
        cls.gold = Tier.create({"name": "Gold", "program_id": cls.program.id, "threshold": 400, "multiplier": 2})
        # Invoices are posted by invoicing users: a salesperson alone cannot post one in Odoo.
        cls.billing_user = new_test_user(
            cls.env,
            "role_billing",
            groups="sales_team.group_sale_salesman,account.group_account_invoice",
            name="Bea Billing",
        )

    def _order_as(self, user, qty=1, confirm=True):
        order = (
            self.env["sale.order"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": qty})],
                }
            )
        )
        if confirm:
            order.action_confirm()
        return order

    def _tier_changes(self, card, tier):
        return card.rel_tier_history_ids.filtered(lambda change: change.new_tier_id == tier)

    def _cross_both_thresholds_as(self, user):
        """100 untaxed per order: Silver at 200, Gold at 400; one tier change each, the ledger exact."""
        orders = self.env["sale.order"]
        expected = 0.0
        for qty, tier_after in ((1, False), (1, self.silver), (1, self.silver), (1, self.gold), (1, self.gold)):
            card = self._card()
            multiplier = card.rel_tier_id.multiplier if card and card.rel_tier_id else 1.0
            order = self._order_as(user, qty)
            orders |= order
            self.assertEqual(order.state, "sale", f"{user.name} confirmed the order")
            expected += 100 * qty * multiplier
            card = self._card()
            self.assertEqual(card.rel_tier_id, tier_after or self.env["crm.loyalty.tier"])
            self.assertAlmostEqual(card.points, expected)
            self.assertLedgerBalanced(card)
        card = self._card()
        self.assertEqual(len(self._tier_changes(card, self.silver)), 1, "one tier change to Silver")
        self.assertEqual(len(self._tier_changes(card, self.gold)), 1, "one tier change to Gold")
        self.assertEqual(len(card.rel_tier_history_ids), 2)
        mails = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        self.assertTrue(any("Gold" in (mail.subject or "") for mail in mails), "the tier change mail went out")
        return orders

    def test_salesperson_confirms_orders_across_tiers(self):
        orders = self._cross_both_thresholds_as(self.salesperson)
        self.assertEqual(set(orders.mapped("user_id")), {self.salesperson})

    def test_relationship_user_confirms_orders_across_tiers(self):
        self._cross_both_thresholds_as(self.relationship_user)

    def test_salesperson_cancels_an_order(self):
        self._order_as(self.salesperson, qty=1)
        order = self._order_as(self.salesperson, qty=2)
        card = self._card()
        self.assertEqual((card.rel_tier_id, card.points), (self.silver, 300))
        order.with_user(self.salesperson).action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(card.points, 100, "the cancelled order's points are taken back exactly")
        reversal = card.history_ids.filtered(lambda h: h.rel_movement_type == "reversed")
        self.assertEqual(reversal.used, 200)
        self.assertEqual(card.rel_tier_id, self.silver, "no downgrade before the review")
        self.assertLedgerBalanced(card)

    def test_invoicing_user_refunds_an_order(self):
        self.product.invoice_policy = "order"
        order = self._order_as(self.billing_user, qty=2)
        card = self._card()
        self.assertEqual(card.points, 200)
        invoice = order.with_user(self.billing_user)._create_invoices()
        invoice.action_post()
        wizard = (
            self.env["account.move.reversal"]
            .with_user(self.billing_user)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Returned"})
        )
        wizard.refund_moves()
        credit_note = invoice.reversal_move_ids
        credit_note.with_user(self.billing_user).action_post()
        self.assertEqual(card.points, 0, "the full refund takes back what the order earned")
        self.assertEqual(card.history_ids.filtered(lambda h: h.rel_movement_type == "reversed").used, 200)
        self.assertLedgerBalanced(card)

    def test_salesperson_applies_a_reward_on_a_confirmed_order(self):
        self._order_as(self.salesperson, qty=2)
        card = self._card()
        order = self._order_as(self.salesperson, qty=1)
        self.assertEqual(card.points, 300)
        order = order.with_user(self.salesperson)
        order._update_programs_and_rewards()
        self.assertFalse(order._apply_program_reward(self.program.reward_ids, card).get("error"))
        spent = card.history_ids.filtered(lambda h: h.rel_movement_type == "spent")
        self.assertEqual(spent.used, 100)
        self.assertEqual(card.points, 200)
        self.assertLedgerBalanced(card)

    def test_reward_kept_for_a_higher_tier_is_not_claimable_in_the_back_office(self):
        gold_reward = self.env["loyalty.reward"].create(
            {
                "program_id": self.program.id,
                "reward_type": "discount",
                "discount": 20,
                "discount_mode": "percent",
                "discount_applicability": "order",
                "required_points": 100,
                "description": "Gold 20%",
            }
        )
        self.gold.reward_ids = [Command.link(gold_reward.id)]
        self._order_as(self.salesperson, qty=2)
        card = self._card()
        self.assertEqual((card.rel_tier_id, card.points), (self.silver, 200))
        order = self._order_as(self.salesperson, confirm=False)
        order._update_programs_and_rewards()
        claimable = order._get_claimable_rewards().get(card, self.env["loyalty.reward"])
        self.assertIn(self.program.reward_ids[:1], claimable)
        self.assertNotIn(gold_reward, claimable)
        wizard = self.env["sale.loyalty.reward.wizard"].with_user(self.salesperson).create({"order_id": order.id})
        self.assertNotIn(gold_reward, wizard.reward_ids)
        self.assertEqual(order._apply_program_reward(gold_reward, card).keys(), {"error"})
        self.assertFalse(order.order_line.filtered(lambda line: line.reward_id == gold_reward))

        # At Gold the reward is claimable.
        self._order_as(self.salesperson, qty=2)
        self.assertEqual(card.rel_tier_id, self.gold)
        order._update_programs_and_rewards()
        self.assertIn(gold_reward, order._get_claimable_rewards().get(card, self.env["loyalty.reward"]))

    def test_referral_counts_every_salespersons_orders(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_loyalty.engagement_program_id", self.program.id)
        friend = self.env["res.partner"].create({"name": "Fred Friend", "rel_referred_by_id": self.customer.id})
        for user in (self.salesperson, self.relationship_user):
            self.env["sale.order"].with_user(user).create(
                {"partner_id": friend.id, "order_line": [Command.create({"product_id": self.product.id})]}
            ).action_confirm()
        engagement = self._card(friend).history_ids.filtered(lambda h: h.rel_movement_type == "engagement")
        self.assertEqual(len(engagement), 1, "only the friend's first order, whoever sold the second, is rewarded")
