import unittest

import odoo.tests


@odoo.tests.tagged("post_install", "-at_install")
class TestSalespersonTour(odoo.tests.HttpCase):
    """In the browser, a salesperson confirms the demo quotation that takes Ready Mat to Bronze."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("base.module_base").demo:
            raise unittest.SkipTest("the tour confirms a quotation of the demo data")
        cls.order = cls.env.ref("crm_loyalty.loyalty_demo_quotation_readymat")
        cls.card = cls.env.ref("crm_loyalty.loyalty_card_demo_readymat")
        cls.salesperson = cls.order.user_id
        cls.assertTrue(
            cls.salesperson.has_group("sales_team.group_sale_salesman")
            and not cls.salesperson.has_group("sales_team.group_sale_salesman_all_leads")
            and not cls.salesperson.has_group("crm_relationship.group_relationship_user"),
            "the demo quotation's salesperson sees their own documents only and has no relationship rights",
        )

    def test_salesperson_confirms_the_order_that_moves_a_tier(self):
        self.assertFalse(self.card.rel_tier_id)
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{self.order.id}",
            "crm_loyalty_salesperson_confirm_tour",
            login=self.salesperson.login,
        )
        self.assertEqual(self.order.state, "sale")
        self.assertEqual(self.card.rel_tier_id, self.env.ref("crm_loyalty.loyalty_tier_demo_bronze"))
        self.assertEqual(len(self.card.rel_tier_history_ids.filtered(lambda h: h.new_tier_id.name == "Bronze")), 1)
        ledger = sum(self.card.history_ids.mapped("issued")) - sum(self.card.history_ids.mapped("used"))
        self.assertAlmostEqual(self.card.points, ledger, places=2)
