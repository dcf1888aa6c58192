from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestTierProgress(LoyaltyCase):
    def _tiers(self, threshold_type="spend"):
        Tier = self.env["crm.loyalty.tier"]
        values = {"program_id": self.program.id, "threshold_type": threshold_type}
        return (
            Tier.create({**values, "name": "Silver", "threshold": 150}),
            Tier.create({**values, "name": "Gold", "threshold": 400, "window_months": 6}),
        )

    def test_on_the_way_to_the_first_and_next_tier(self):
        silver, gold = self._tiers()
        self._order()
        card = self._card()
        progress = self.env["crm.loyalty.tier"]._progress_of(card)
        self.assertFalse(progress["tier"])
        self.assertEqual(progress["next_tier"], silver)
        self.assertEqual(progress["threshold_type"], "spend")
        self.assertEqual((progress["measure"], progress["threshold"], progress["missing"]), (100, 150, 50))
        self.assertAlmostEqual(progress["percent"], 66.7)

        self._order()
        progress = self.env["crm.loyalty.tier"]._progress_of(card)
        self.assertEqual((progress["tier"], progress["next_tier"]), (silver, gold))
        self.assertEqual((progress["measure"], progress["missing"], progress["percent"]), (200, 200, 50))

    def test_top_tier(self):
        _silver, gold = self._tiers()
        self._order(qty=5)
        card = self._card()
        self.assertEqual(card.rel_tier_id, gold)
        progress = self.env["crm.loyalty.tier"]._progress_of(card)
        self.assertEqual(progress["tier"], gold)
        self.assertIs(progress["next_tier"], False)
        self.assertEqual((progress["measure"], progress["missing"], progress["percent"]), (500, 0, 100))

    def test_measure_reached_before_the_review_caps_at_100(self):
        silver, _gold = self._tiers(threshold_type="points")
        card = self.customer._rel_loyalty_card_for(self.program)
        # A goodwill movement counts as points earned; its own review upgrades at once, so look before it.
        self.env["loyalty.history"].create(
            {"card_id": card.id, "rel_movement_type": "goodwill", "issued": 180, "description": "Sorry"}
        )
        progress = self.env["crm.loyalty.tier"]._progress_of(card)
        self.assertEqual(progress["next_tier"], silver)
        self.assertEqual((progress["measure"], progress["missing"], progress["percent"]), (180, 0, 100))

    def test_program_without_tiers(self):
        self._order()
        progress = self.env["crm.loyalty.tier"]._progress_of(self._card())
        self.assertFalse(progress["tier"])
        self.assertIs(progress["next_tier"], False)
        self.assertEqual(progress["percent"], 0)
