from odoo.tests import HttpCase, new_test_user, tagged

from .common_cross_sell import CrossSellMixin
from .common_portal import PortalRequests


@tagged("post_install", "-at_install")
class TestCrossSellPortal(CrossSellMixin, PortalRequests, HttpCase):
    """The customer sees their own next best products on their own order page, never another customer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_cross_sell()
        cls.recommend(cls.clara, cls.lamp, cls.chair)
        cls.otto = new_test_user(cls.env, "otto_cross_sell", groups="base.group_portal", name="Otto Buyer")
        cls.otto_order = cls._order(cls.otto.partner_id, 20, [cls.desk, cls.lamp])
        cls.recommend(cls.otto.partner_id, cls.chair)

    def _page(self, order):
        response = self.url_open(f"/my/orders/{order.id}", allow_redirects=False)
        return response.status_code, response.text

    def test_customer_sees_recommendations_on_their_order_page(self):
        self.login(self.clara_user)
        status, page = self._page(self.clara_order)
        self.assertEqual(status, 200)
        self.assertIn("o_rel_recommendations", page)
        self.assertIn("Customers who bought Oak Desk also bought Brass Lamp.", page)
        self.assertIn("Customers who bought Oak Desk also bought Swivel Chair.", page)

    def test_another_customer_sees_neither_the_order_nor_its_recommendations(self):
        self.login(self.otto)
        status, _page = self._page(self.clara_order)
        self.assertNotEqual(status, 200)
        status, page = self._page(self.otto_order)
        self.assertEqual(status, 200)
        self.assertIn("Customers who bought Oak Desk also bought Swivel Chair.", page)
        # The lamp is on Otto's order, and Clara's recommendations are hers.
        self.assertNotIn("also bought Brass Lamp", page)

    def test_a_product_on_the_order_is_not_recommended_again(self):
        quotation = self._order(self.clara, 0, [self.lamp], confirm=False)
        quotation.action_quotation_sent()
        self.login(self.clara_user)
        status, page = self._page(quotation)
        self.assertEqual(status, 200)
        self.assertNotIn("also bought Brass Lamp", page)
        self.assertIn("also bought Swivel Chair", page)

    def test_a_cancelled_order_shows_none(self):
        self.clara_order._action_cancel()
        self.login(self.clara_user)
        status, page = self._page(self.clara_order)
        self.assertEqual(status, 200)
        self.assertNotIn("o_rel_recommendations", page)

    def test_the_public_is_sent_to_log_in(self):
        status, page = self._page(self.clara_order)
        self.assertIn(status, (302, 303))
        self.assertNotIn("Brass Lamp", page)
