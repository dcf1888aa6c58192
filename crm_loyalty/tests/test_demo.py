from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from ..models.loyalty_history import LOT_TYPES


@tagged("post_install", "-at_install")
class TestLoyaltyDemo(TransactionCase):
    """The demo data (loaded with --with-demo): the portal customer's card and customers across the tiers."""

    def setUp(self):
        super().setUp()
        self.card = self.env.ref("crm_loyalty.loyalty_card_demo_portal", raise_if_not_found=False)
        if not self.card:
            self.skipTest("crm_loyalty demo data is not loaded")
        self.portal_user = self.env.ref("base.demo_user0")
        self.program = self.env.ref("crm_loyalty.loyalty_program_demo")
        # The demo cards, not those that tests committing their own orders may leave in the demo program.
        self.cards = self.env["loyalty.card"].browse(
            self.env["ir.model.data"]
            .search([("module", "=", "crm_loyalty"), ("model", "=", "loyalty.card")])
            .mapped("res_id")
        )

    def test_portal_customer_card(self):
        card = self.card
        self.assertEqual(self.portal_user.login, "portal")
        self.assertEqual(card.partner_id, self.portal_user.partner_id)
        self.assertEqual(self.portal_user.partner_id.rel_loyalty_card_id, card)
        ledger = card.history_ids
        self.assertEqual(card.points, sum(ledger.mapped("issued")) - sum(ledger.mapped("used")))
        self.assertGreaterEqual(len(ledger.filtered(lambda h: h.rel_movement_type == "earned")), 2)
        self.assertEqual(len(ledger.filtered(lambda h: h.rel_movement_type == "spent")), 1)
        soon = fields.Date.today() + timedelta(days=30)
        self.assertTrue(ledger.filtered(lambda h: h.rel_points_remaining > 0 and h.rel_expiry_date <= soon))
        self.assertTrue(card.rel_tier_id)
        self.assertIn(self.env.ref("crm_loyalty.loyalty_reward_demo_discount"), card._rel_claimable_rewards())
        progress = self.env["crm.loyalty.tier"]._progress_of(card)
        self.assertTrue(progress["next_tier"])

    def test_portal_customer_claims_on_the_demo_quotation(self):
        quotation = self.env.ref("crm_loyalty.loyalty_demo_quotation")
        self.assertEqual(quotation.state, "draft")
        reward = self.env.ref("crm_loyalty.loyalty_reward_demo_discount")
        card = self.card.with_user(self.portal_user).sudo()
        points = card.points
        lines = card._rel_claim_reward(reward.sudo(), quotation.sudo())
        self.assertEqual(lines.points_cost, reward.required_points)
        quotation.action_confirm()
        spent = self.card.history_ids.filtered(lambda h: h.order_id == quotation.id and h.rel_movement_type == "spent")
        self.assertEqual(spent.used, reward.required_points)
        earned = self.card.history_ids.filtered(
            lambda h: h.order_id == quotation.id and h.rel_movement_type == "earned"
        )
        self.assertEqual(self.card.points, points - reward.required_points + earned.issued)

    def test_demo_customers_across_the_tiers(self):
        for xmlid in ("bronze", "silver", "gold"):
            tier = self.env.ref(f"crm_loyalty.loyalty_tier_demo_{xmlid}")
            with self.subTest(tier=xmlid):
                members = self.cards.filtered(lambda card, tier=tier: card.rel_tier_id == tier)
                self.assertGreaterEqual(len(members), 2, "at least two demo customers in each tier")
                for card in members:
                    self.assertEqual(card.rel_tier_history_ids[:1].new_tier_id, tier, "the last tier change")
        self.assertTrue(self.cards.filtered(lambda card: not card.rel_tier_id), "and a customer without a tier yet")
        acme = self.env.ref("crm_loyalty.loyalty_card_demo_acme")
        self.assertEqual(
            acme.rel_tier_history_ids.sorted("id").new_tier_id,
            self.env.ref("crm_loyalty.loyalty_tier_demo_bronze") | self.env.ref("crm_loyalty.loyalty_tier_demo_silver"),
            "Bronze on its past orders, Silver after the demo order",
        )

    def test_every_demo_card_balance_is_its_ledger(self):
        self.assertGreaterEqual(len(self.cards), 7)
        for card in self.cards:
            with self.subTest(customer=card.partner_id.name):
                ledger = card.history_ids
                self.assertAlmostEqual(card.points, sum(ledger.mapped("issued")) - sum(ledger.mapped("used")), 2)
                self.assertGreater(card.points, 0)
                lots = ledger.filtered(lambda line: line.rel_movement_type in LOT_TYPES)
                for lot in lots:
                    self.assertTrue(0 <= lot.rel_points_remaining <= lot.issued, lot.description)
                self.assertAlmostEqual(
                    sum(lots.mapped("rel_points_remaining")), card.points, 2, "the lots hold the balance"
                )

    def test_demo_points_expiring_and_expired(self):
        expiring = self.cards.filtered(lambda card: card._rel_points_expiring_soon() > 0)
        self.assertGreaterEqual(len(expiring), 5, "points expiring within the 30 days of the reminder on most cards")
        history = self.cards.history_ids
        expired = history.filtered(lambda line: line.rel_movement_type == "expired")
        self.assertGreaterEqual(len(expired.card_id), 1, "points already expired")
        today = fields.Date.context_today(self.program)
        due = history.filtered(lambda line: line.rel_expiry_date and line.rel_expiry_date <= today)
        self.assertTrue(due)
        self.assertFalse(due.filtered("rel_points_remaining"), "nothing due is left unexpired")
        self.assertEqual(sum(expired.mapped("used")), sum(due.mapped("issued")) - sum(due.mapped("used")))

    def test_demo_orders_earn_on_the_cards(self):
        for customer in ("azure", "acme"):
            with self.subTest(customer=customer):
                order = self.env.ref(f"crm_loyalty.loyalty_demo_order_{customer}")
                card = self.env.ref(f"crm_loyalty.loyalty_card_demo_{customer}")
                self.assertEqual(order.state, "sale")
                earned = card.history_ids.filtered(
                    lambda line, order=order: line.order_id == order.id and line.rel_movement_type == "earned"
                )
                self.assertEqual(earned.issued, order.amount_untaxed, "one point per currency unit, tax excluded")
