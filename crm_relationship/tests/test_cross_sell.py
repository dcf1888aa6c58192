from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import TransactionCase, tagged

from .common_cross_sell import AS_OF, CrossSellMixin


@tagged("post_install", "-at_install")
class TestCrossSellRanking(CrossSellMixin, TransactionCase):
    """What the customer tells us (interests, open needs) moves the products of those categories up."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_cross_sell()

    def setUp(self):
        super().setUp()
        # The analysis reads through registry.cursor(readonly=True): let it see this test's data.
        self.registry_enter_test_mode()

    def _ranked(self):
        run = self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create({"date_as_of": AS_OF})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        recommendations = self.clara.rel_recommendation_ids
        return recommendations.mapped("product_id"), recommendations

    def test_purchases_alone_rank_the_lamp_first(self):
        products, recommendations = self._ranked()
        self.assertEqual(products, self.lamp | self.chair)
        self.assertFalse(any(recommendations.mapped("match")))
        self.assertIn("Oak Desk", recommendations[0].reason)

    def test_an_interest_in_a_parent_category_moves_its_products_up(self):
        self.clara.with_user(self.relationship_user).write(
            {"rel_interest_category_ids": [Command.link(self.furniture.id)]}
        )
        products, recommendations = self._ranked()
        self.assertEqual(products[0], self.chair)
        self.assertEqual(recommendations[0].match, "interest")
        self.assertIn("Furniture (cross-sell)", recommendations[0].reason)
        # The lift shown stays the co-purchase lift: the interest changes the order, not the figure.
        self.assertAlmostEqual(recommendations[0].lift, 1.31, places=2)
        self.assertFalse(recommendations[1].match)

    def test_an_open_need_counts_and_a_withdrawn_one_no_longer(self):
        need = (
            self.env["crm.relationship.need"]
            .with_user(self.clara_user)
            .create(
                {"name": "A chair for the new desk", "product_category_id": self.chairs.id, "partner_id": self.clara.id}
            )
        )
        products, recommendations = self._ranked()
        self.assertEqual(products[0], self.chair)
        self.assertEqual(recommendations[0].match, "need")
        self.assertIn("open need", recommendations[0].reason)
        need.with_user(self.clara_user).action_withdraw()
        products, recommendations = self._ranked()
        self.assertEqual(products[0], self.lamp)
        self.assertFalse(any(recommendations.mapped("match")))


@tagged("post_install", "-at_install")
class TestCrossSellQuotation(CrossSellMixin, TransactionCase):
    """A salesperson (Sales / User: Own Documents Only, no Relationship group) sees their customer's next
    best products on the quotation and adds one with one click."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_cross_sell()
        cls.clara_recommendations = cls.recommend(cls.clara, cls.lamp, cls.chair)
        cls.buyer_recommendation = cls.recommend(cls.lamp_buyers[0], cls.chair)

    def _quotation(self, user=None, partner=None):
        user = user or self.salesperson
        return (
            self.env["sale.order"]
            .with_user(user)
            .create(
                {
                    "partner_id": (partner or self.clara).id,
                    "user_id": user.id,
                    "order_line": [Command.create({"product_id": self.paper.id})],
                }
            )
        )

    def test_salesperson_adds_a_recommended_product_with_one_click(self):
        quotation = self._quotation()
        self.assertEqual(quotation.rel_recommendation_ids.product_id, self.lamp | self.chair)
        lamp = quotation.rel_recommendation_ids.filtered(lambda rec: rec.product_id == self.lamp)
        self.assertIn("Oak Desk", lamp.reason)
        lamp.with_context(rel_order_id=quotation.id).action_add_to_order()
        line = quotation.order_line.filtered(lambda line: line.product_id == self.lamp)
        self.assertEqual(line.product_uom_qty, 1)
        self.assertEqual(line.price_unit, 60.0)
        # Once on the quotation it is no longer offered, and a second click adds nothing.
        self.assertEqual(quotation.rel_recommendation_ids.product_id, self.chair)
        with self.assertRaises(UserError):
            lamp.with_context(rel_order_id=quotation.id).action_add_to_order()
        self.assertEqual(len(quotation.order_line), 2)

    def test_form_shows_the_section_to_the_salesperson(self):
        arch = self.env["sale.order"].with_user(self.salesperson).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("action_add_to_order", arch)
        self.assertIn("rel_recommendation_ids", arch)

    def test_nothing_is_offered_or_added_once_the_order_is_confirmed(self):
        quotation = self._quotation()
        lamp = quotation.rel_recommendation_ids.filtered(lambda rec: rec.product_id == self.lamp)
        quotation.action_confirm()
        self.assertFalse(quotation.rel_recommendation_ids)
        with self.assertRaises(UserError):
            lamp.with_context(rel_order_id=quotation.id).action_add_to_order()
        self.assertEqual(quotation.order_line.product_id, self.paper)

    def test_another_salespersons_customers_stay_out_of_reach(self):
        Recommendation = self.env["crm.relationship.recommendation"].with_user(self.salesperson)
        self.assertEqual(Recommendation.search([]), self.clara_recommendations)
        quotation = self._quotation()
        # A recommendation of a customer of another salesperson: not readable, so not addable.
        with self.assertRaises(AccessError):
            self.buyer_recommendation.with_user(self.salesperson).with_context(
                rel_order_id=quotation.id
            ).action_add_to_order()
        # The other salesperson's quotation: not writable by this salesperson.
        theirs = self._quotation(user=self.other_salesperson, partner=self.lamp_buyers[0])
        self.assertEqual(theirs.rel_recommendation_ids, self.buyer_recommendation)
        with self.assertRaises(AccessError):
            self.clara_recommendations[0].with_user(self.salesperson).with_context(
                rel_order_id=theirs.id
            ).action_add_to_order()
        # A recommendation of Clara's on the quotation of another customer is refused.
        other_customer = self.env["res.partner"].create({"name": "Walk-in", "user_id": self.salesperson.id})
        walk_in = self._quotation(partner=other_customer)
        with self.assertRaises(UserError):
            self.clara_recommendations[0].with_user(self.salesperson).with_context(
                rel_order_id=walk_in.id
            ).action_add_to_order()
        with self.assertRaises(UserError):
            self.clara_recommendations[0].with_user(self.salesperson).with_context(
                rel_order_id="not an id"
            ).action_add_to_order()
        self.assertEqual(quotation.order_line.product_id | theirs.order_line.product_id, self.paper)
        self.assertEqual(walk_in.order_line.product_id, self.paper)

    def test_salesperson_cannot_change_recommendations(self):
        rec = self.clara_recommendations[0].with_user(self.salesperson)
        with self.assertRaises(AccessError):
            rec.write({"rank": 9})
        with self.assertRaises(AccessError):
            rec.unlink()
        self.assertEqual(self.clara_recommendations[0].rank, 1)
