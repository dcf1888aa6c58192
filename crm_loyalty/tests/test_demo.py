from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestLoyaltyDemo(TransactionCase):
    """The demo data (loaded with --with-demo) gives the portal demo customer something to try."""

    def setUp(self):
        super().setUp()
        self.card = self.env.ref("crm_loyalty.loyalty_card_demo_portal", raise_if_not_found=False)
        if not self.card:
            self.skipTest("crm_loyalty demo data is not loaded")
        self.portal_user = self.env.ref("base.demo_user0")

    def test_portal_customer_card(self):
        card = self.card
        self.assertEqual(self.portal_user.login, "portal")
        self.assertEqual(card.partner_id, self.portal_user.partner_id)
        self.assertEqual(self.portal_user.partner_id.crm_loyalty_card_id, card)
        ledger = card.history_ids
        self.assertEqual(card.points, sum(ledger.mapped("issued")) - sum(ledger.mapped("used")))
        self.assertGreaterEqual(len(ledger.filtered(lambda h: h.movement_type == "earned")), 2)
        self.assertEqual(len(ledger.filtered(lambda h: h.movement_type == "spent")), 1)
        soon = fields.Date.today() + timedelta(days=30)
        self.assertTrue(ledger.filtered(lambda h: h.points_remaining > 0 and h.expiry_date <= soon))
        self.assertTrue(card.crm_tier_id)
        self.assertIn(self.env.ref("crm_loyalty.loyalty_reward_demo_discount"), card._crm_claimable_rewards())
        progress = card._crm_next_tier_progress()
        self.assertTrue(progress["next_tier"])

    def test_demo_customers_spread_across_tiers(self):
        program = self.env.ref("crm_loyalty.loyalty_program_demo")
        cards = self.env["loyalty.card"].search([("program_id", "=", program.id)])
        for tier in ("bronze", "silver", "gold"):
            with self.subTest(tier=tier):
                members = cards.filtered(
                    lambda c, tier=tier: c.crm_tier_id == self.env.ref(f"crm_loyalty.loyalty_tier_demo_{tier}")
                )
                self.assertGreaterEqual(len(members), 2, f"at least two demo customers in {tier}")
                self.assertTrue(members.crm_tier_history_ids, "each tier change is in the history")
        self.assertTrue(cards.filtered(lambda c: not c.crm_tier_id), "and one customer not in a tier yet")
        for card in cards:
            with self.subTest(customer=card.partner_id.name):
                ledger = card.history_ids
                self.assertAlmostEqual(card.points, sum(ledger.mapped("issued")) - sum(ledger.mapped("used")), 2)
        history = cards.history_ids
        soon = fields.Date.today() + timedelta(days=30)
        self.assertGreaterEqual(
            len(history.filtered(lambda h: h.points_remaining > 0 and h.expiry_date <= soon).card_id),
            4,
            "points expiring within 30 days on several cards",
        )
        self.assertTrue(history.filtered(lambda h: h.movement_type == "expired"), "and points already expired")
        azure = self.env.ref("crm_loyalty.loyalty_card_demo_azure")
        order = self.env.ref("crm_loyalty.loyalty_demo_order_azure")
        self.assertEqual(order.state, "sale")
        self.assertTrue(azure.history_ids.filtered(lambda h: h.order_id == order.id and h.movement_type == "earned"))

    def test_portal_customer_claims_on_the_demo_quotation(self):
        quotation = self.env.ref("crm_loyalty.loyalty_demo_quotation")
        self.assertEqual(quotation.state, "draft")
        reward = self.env.ref("crm_loyalty.loyalty_reward_demo_discount")
        card = self.card.with_user(self.portal_user).sudo()
        points = card.points
        lines = card._crm_claim_reward(reward.sudo(), quotation.sudo())
        self.assertEqual(lines.points_cost, reward.required_points)
        quotation.action_confirm()
        spent = self.card.history_ids.filtered(lambda h: h.order_id == quotation.id and h.movement_type == "spent")
        self.assertEqual(spent.used, reward.required_points)
        earned = self.card.history_ids.filtered(lambda h: h.order_id == quotation.id and h.movement_type == "earned")
        self.assertEqual(self.card.points, points - reward.required_points + earned.issued)
