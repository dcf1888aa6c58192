from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestRewardClaim(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.discount = cls.program.reward_ids  # 10% on the order, 100 points
        cls.gift = cls.env["product.product"].create({"name": "Tea cup", "list_price": 8.0, "taxes_id": False})
        cls.free_cup = cls.env["loyalty.reward"].create(
            {
                "program_id": cls.program.id,
                "reward_type": "product",
                "reward_product_id": cls.gift.id,
                "reward_product_qty": 1,
                "required_points": 250,
            }
        )
        cls.card = cls.customer._rel_loyalty_card_for(cls.program)
        cls.card._rel_add_movement("engagement", 150, "Welcome")
        cls.other = cls.env["res.partner"].create({"name": "Otto Other"})
        cls.portal_user = new_test_user(cls.env, "lea_portal", groups="base.group_portal", partner_id=cls.customer.id)

    def _quotation(self, partner=None, qty=1):
        return self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": qty})],
            }
        )

    def _as_portal(self):
        """The card as the portal controller holds it: read as sudo on behalf of the logged-in customer."""
        return self.card.with_user(self.portal_user).sudo()

    def _snapshot(self, order):
        return (
            order.order_line.mapped(lambda line: (line.product_id.id, line.reward_id.id, line.price_unit)),
            order.applied_coupon_ids.ids,
            len(order.message_ids),
            self.card.points,
        )

    # ------------------------------------------------------------------ claimable rewards
    def test_claimable_rewards_follow_balance_activity_and_tier(self):
        self.assertEqual(self.card._rel_claimable_rewards(), self.discount, "150 points: the 250-point cup waits")
        self.card._rel_add_movement("engagement", 100, "Survey")
        self.assertEqual(self.card._rel_claimable_rewards(), self.discount | self.free_cup)
        self.free_cup.active = False
        self.assertEqual(self.card._rel_claimable_rewards(), self.discount, "archived rewards are not offered")
        self.free_cup.active = True
        gold = self.env["crm.loyalty.tier"].create(
            {
                "name": "Gold",
                "program_id": self.program.id,
                "threshold": 100000,
                "reward_ids": [(6, 0, self.free_cup.ids)],
            }
        )
        self.assertFalse(self.card.rel_tier_id)
        self.assertEqual(self.card._rel_claimable_rewards(), self.discount, "a Gold-only reward is withheld below Gold")
        self.assertIn(self.free_cup, gold.reward_ids)

    def test_no_reward_without_points(self):
        card = self.other._rel_loyalty_card_for(self.program)
        self.assertFalse(card._rel_claimable_rewards())

    # ------------------------------------------------------------------ claiming
    def test_claim_applies_reward_and_confirmation_spends_once(self):
        order = self._quotation(qty=2)
        lines = self._as_portal()._rel_claim_reward(self.discount.sudo(), order.sudo())
        self.assertEqual(lines.reward_id, self.discount)
        self.assertEqual(lines.coupon_id, self.card)
        self.assertEqual(lines.points_cost, 100)
        self.assertAlmostEqual(order.amount_untaxed, 180.0, msg="10% off the 200 of the quotation")
        note = order.message_ids[:1]
        self.assertIn(self.discount.description, note.body)
        self.assertIn("from the portal (100 points", note.body)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(note.author_id, self.customer, "the customer claimed it")
        self.assertEqual(self.card.points, 150, "points are only taken when the order is confirmed")

        order.action_confirm()
        history = self.card.history_ids.filtered(lambda h: h.order_id == order.id)
        spent = history.filtered(lambda h: h.rel_movement_type == "spent")
        self.assertEqual(len(spent), 1, "the claimed reward is recorded in the ledger exactly once")
        self.assertEqual(spent.used, 100)
        earned = history.filtered(lambda h: h.rel_movement_type == "earned")
        self.assertEqual(len(earned), 1)
        self.assertEqual(self.card.points, 150 - 100 + earned.issued)
        self.assertLedgerBalanced(self.card)
        self.assertEqual(len(self.card.history_ids.filtered(lambda h: h.rel_movement_type == "spent")), 1)

    def test_claim_free_product(self):
        self.card._rel_add_movement("engagement", 100, "Survey")
        order = self._quotation()
        lines = self.card._rel_claim_reward(self.free_cup, order)
        self.assertEqual(lines.product_id, self.gift)
        self.assertEqual(lines.price_total, 0.0, "the cup is free")
        self.assertEqual(lines.points_cost, 250)
        order.action_confirm()
        spent = self.card.history_ids.filtered(lambda h: h.rel_movement_type == "spent")
        self.assertEqual(spent.used, 250)
        self.assertLedgerBalanced(self.card)

    def test_claim_on_a_contact_quotation_of_the_customer(self):
        company = self.env["res.partner"].create({"name": "Tea House", "is_company": True})
        self.customer.parent_id = company
        card = company._rel_loyalty_card_for(self.program)
        card._rel_add_movement("engagement", 120, "Welcome")
        order = self._quotation(partner=self.customer)
        lines = card._rel_claim_reward(self.discount, order)
        self.assertTrue(lines)
        order._update_programs_and_rewards()
        self.assertEqual(order.order_line.filtered("reward_id").coupon_id, card, "the reward stays on the order")
        order.action_confirm()
        spent = card.history_ids.filtered(lambda h: h.rel_movement_type == "spent")
        self.assertEqual((len(spent), spent.used), (1, 100))
        self.assertLedgerBalanced(card)

    def test_refused_claims_change_nothing(self):
        order = self._quotation()
        other_program = self.env["loyalty.program"].create(
            {
                "name": "Other Card",
                "program_type": "loyalty",
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 5, "required_points": 1})],
            }
        )
        other_order = self._quotation(partner=self.other)
        confirmed = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [(0, 0, {"product_id": self.gift.id})]}
        )
        confirmed.action_confirm()  # earns 8 points: 158, still short of the 250-point cup
        cancelled = self._quotation()
        cancelled._action_cancel()
        cases = [
            ("reward of another program", other_program.reward_ids[:1], order),
            ("not enough points", self.free_cup, order),
            ("another customer's quotation", self.discount, other_order),
            ("a confirmed order", self.discount, confirmed),
            ("a cancelled order", self.discount, cancelled),
            ("no quotation", self.discount, self.env["sale.order"]),
        ]
        for label, reward, target in cases:
            with self.subTest(label):
                before = self._snapshot(target) if target else None
                with self.assertRaises(UserError):
                    self._as_portal()._rel_claim_reward(reward.sudo(), target.sudo())
                if target:
                    self.assertEqual(self._snapshot(target), before)

    def test_same_discount_twice_is_refused_by_sale_loyalty(self):
        self.card._rel_add_movement("engagement", 100, "Survey")
        order = self._quotation()
        self.card._rel_claim_reward(self.discount, order)
        before = self._snapshot(order)
        with self.assertRaisesRegex(UserError, "cannot be applied"):
            self.card._rel_claim_reward(self.discount, order)
        self.assertEqual(self._snapshot(order), before, "the refused claim left the quotation as it was")

    def test_nothing_to_discount_is_refused(self):
        order = self._quotation()
        order.order_line.price_unit = 0.0
        with self.assertRaises(UserError):
            self.card._rel_claim_reward(self.discount, order)
        self.assertFalse(order.order_line.filtered("reward_id"))
