from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestTierSentence(LoyaltyCase):
    """The way to the next tier reads as one sentence in the customer's language, with the currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gold = cls.env["crm.loyalty.tier"].create(
            {"name": "Gold", "program_id": cls.program.id, "threshold_type": "spend", "threshold": 500}
        )
        cls.env["res.lang"]._activate_lang("zh_CN")

    def test_spend_sentence_in_english_and_chinese(self):
        self._order(qty=2)
        card = self._card()
        progress = self.env["crm.loyalty.tier"]._progress_of(card)
        english = self.env["crm.loyalty.tier"].with_context(lang="en_US")._progress_sentence(card, progress)
        self.assertIn("300.00", english)
        self.assertIn(self.env.company.currency_id.symbol, english)
        self.assertTrue(english.startswith("Spend ") and english.endswith("more to reach Gold."))
        chinese = self.env["crm.loyalty.tier"].with_context(lang="zh_CN")._progress_sentence(card, progress)
        self.assertIn("300.00", chinese)
        self.assertNotIn("Spend", chinese)

    def test_no_sentence_at_the_top(self):
        self._order(qty=6)
        card = self._card()
        self.assertEqual(
            self.env["crm.loyalty.tier"]._progress_sentence(card, self.env["crm.loyalty.tier"]._progress_of(card)), ""
        )
