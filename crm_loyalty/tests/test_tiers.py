from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLoyaltyTiers(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Tier = cls.env["crm.loyalty.tier"]
        cls.silver = Tier.create({"name": "Silver", "program_id": cls.program.id, "threshold": 150})
        cls.gold = Tier.create({"name": "Gold", "program_id": cls.program.id, "threshold": 400, "multiplier": 2})

    def test_upgrade_at_once_with_history_and_mail(self):
        self._order()
        card = self._card()
        self.assertFalse(card.rel_tier_id)
        self._order()
        self.assertEqual(card.rel_tier_id, self.silver)
        self.assertEqual(card.rel_tier_history_ids.new_tier_id, self.silver)
        mail = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        self.assertTrue(any("Silver" in (m.subject or "") for m in mail))

    def test_gold_multiplies_points(self):
        self._order(qty=4)
        card = self._card()
        self.assertEqual(card.rel_tier_id, self.gold)
        self._order(qty=1)
        last = card.history_ids.filtered(lambda h: h.rel_movement_type == "earned").sorted("id")[-1]
        self.assertEqual(last.issued, 200)
        self.assertLedgerBalanced(card)

    def test_downgrade_only_at_review_after_grace(self):
        order = self._order(qty=2)
        card = self._card()
        self.assertEqual(card.rel_tier_id, self.silver)
        order._action_cancel()
        card._rel_review_tier()
        self.assertEqual(card.rel_tier_id, self.silver, "no downgrade before the review date")
        card.rel_tier_review_date = "2000-01-01"
        card._rel_review_tier()
        self.assertFalse(card.rel_tier_id)
        self.assertEqual(len(card.rel_tier_history_ids), 2)

    def test_bad_tiers_are_refused(self):
        Tier = self.env["crm.loyalty.tier"]
        with self.assertRaises(ValidationError):
            Tier.create({"name": "Dup", "program_id": self.program.id, "threshold": 150})
        with self.assertRaises(Exception), self.env.cr.savepoint():  # noqa: B017 - a CHECK constraint
            Tier.create({"name": "Zero", "program_id": self.program.id, "threshold": 0})
        with self.assertRaises(Exception), self.env.cr.savepoint():  # noqa: B017
            Tier.create({"name": "Low", "program_id": self.program.id, "threshold": 900, "multiplier": 0.5})

    def test_program_without_tiers_is_standard(self):
        self.program.rel_tier_ids.unlink()
        self._order(qty=3)
        card = self._card()
        self.assertEqual(card.points, 300)
        self.assertFalse(card.rel_tier_id)
