"""Product categories with a margin of their own: each customer's lifetime value counts the margin of
what they bought, weighted by the amounts, against a hand calculation."""

from datetime import date, datetime, timedelta

from odoo import Command
from odoo.addons.crm_relationship.analytics import store
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from .common_roles import RolesMixin

AS_OF = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestCategoryMargin(RolesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.catalogue_manager = new_test_user(
            cls.env,
            "role_catalogue_manager",
            groups="product.group_product_manager,crm_relationship.group_relationship_manager",
            name="Cleo Catalogue",
        )
        cls.env["ir.config_parameter"].sudo().set_param("crm_relationship.value_margin", 30.0)
        Category = cls.env["product.category"]
        cls.furniture = Category.create({"name": "Furniture", "rel_own_margin": True, "rel_margin": 50.0})
        cls.chairs = Category.create({"name": "Chairs", "parent_id": cls.furniture.id})
        cls.supplies = Category.create({"name": "Supplies"})
        Product = cls.env["product.product"]
        cls.table = Product.create({"name": "Table", "categ_id": cls.furniture.id, "taxes_id": []})
        cls.chair = Product.create({"name": "Chair", "categ_id": cls.chairs.id, "taxes_id": []})
        cls.paper = Product.create({"name": "Paper", "categ_id": cls.supplies.id, "taxes_id": []})

        other = cls.env["res.currency"].search(
            [("id", "!=", cls.env.company.currency_id.id), ("active", "in", [True, False])], limit=1
        )
        other.active = True
        (other | cls.env.company.currency_id).rate_ids.unlink()
        # One unit of company currency is worth two of the other.
        cls.env["res.currency.rate"].create({"currency_id": other.id, "name": date(2010, 1, 1), "rate": 2.0})
        cls.foreign_prices = cls.env["product.pricelist"].create({"name": "Foreign", "currency_id": other.id})

        Partner = cls.env["res.partner"]
        cls.regulars = Partner.create([{"name": f"Paper buyer {i}"} for i in range(6)])
        for i, partner in enumerate(cls.regulars):
            for days_ago in (330 - 30 * i, 200 - 20 * i, 90 - 10 * i, 15 + i):
                cls._order(partner, days_ago, [(cls.paper, 20.0 * (1 + i))])
        cls.mixed = Partner.create({"name": "Mixed Mia"})
        cls._order(cls.mixed, 250, [(cls.chair, 100.0)])
        cls._order(cls.mixed, 120, [(cls.paper, 300.0)])
        cls._order(cls.mixed, 30, [(cls.chair, 100.0), (cls.paper, 300.0)])
        cls.furnisher = Partner.create({"name": "Furnishing Fred"})
        cls._order(cls.furnisher, 160, [(cls.table, 80.0)])
        cls._order(cls.furnisher, 40, [(cls.table, 80.0)])
        cls.discounted = Partner.create({"name": "Discount Dora"})
        cls._order(cls.discounted, 140, [(cls.paper, 200.0), (cls.table, -50.0)])
        cls._order(cls.discounted, 60, [(cls.paper, 200.0)])
        cls.traveller = Partner.create({"name": "Travelling Tom"})
        cls._order(cls.traveller, 100, [(cls.table, 300.0)], pricelist_id=cls.foreign_prices.id)
        cls._order(cls.traveller, 50, [(cls.paper, 150.0)])

    @classmethod
    def _order(cls, partner, days_ago, lines, **values):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": p.id, "price_unit": price}) for p, price in lines],
                **values,
            }
        )
        order.action_confirm()
        order.date_order = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=days_ago, hours=-10)
        return order

    def setUp(self):
        super().setUp()
        self.registry_enter_test_mode()

    def test_each_customer_margin_by_hand(self):
        """Mia: 200 of chairs (Furniture's 50%) and 600 of paper (30%): (100 + 180) / 800 = 35%.
        Fred: furniture only, 50%. Dora: 400 of paper and a -50 discount line on furniture, which weighs
        nothing: 30%. Tom: 300 in the other currency (150) of furniture and 150 of paper: 40%."""
        self.env.flush_all()
        margins = store.read_margins(self.env.cr, self.env.company.id, AS_OF, 30.0)["margin"]
        self.assertAlmostEqual(margins[self.mixed.id], 0.35)
        self.assertAlmostEqual(margins[self.furnisher.id], 0.50)
        self.assertAlmostEqual(margins[self.discounted.id], 0.30)
        self.assertAlmostEqual(margins[self.traveller.id], 0.40)
        self.assertAlmostEqual(margins[self.regulars[0].id], 0.30)

    def test_lifetime_value_uses_the_customer_margin(self):
        run = self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create({"date_as_of": AS_OF})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.value_margin, 30.0)
        # Too few customers for the models: the lifetime value multiplies the rough estimates it stores.
        self.assertEqual(run.model_status, "small")
        expected_margins = {self.mixed: 0.35, self.furnisher: 0.5, self.discounted: 0.3, self.traveller: 0.4}
        for partner, margin in expected_margins.items():
            partner = partner.with_user(self.relationship_user)
            with self.subTest(partner=partner.name):
                self.assertGreater(partner.rel_lifetime_value, 0)
                self.assertAlmostEqual(
                    partner.rel_lifetime_value,
                    partner.rel_clv_discounted_purchases * partner.rel_clv_spend * margin,
                    delta=0.02,
                )
        # The run's average: every customer's margin weighted by what they bought (paper buyers at 30%).
        paper = sum(20.0 * (1 + i) * 4 for i in range(6))
        weights = {0.3: paper + 400.0, 0.35: 800.0, 0.5: 160.0, 0.4: 300.0}
        by_hand = sum(m * w for m, w in weights.items()) / sum(weights.values()) * 100
        self.assertAlmostEqual(run.value_margin_mean, by_hand, places=2)

    def test_without_category_margins_the_settings_margin_applies(self):
        self.furniture.rel_own_margin = False
        run = self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create({"date_as_of": AS_OF})
        run.action_run()
        self.assertEqual(run.value_margin_mean, 30.0)
        self.assertEqual(self.chairs.with_user(self.relationship_user).rel_margin_used, 30.0)

    def test_subcategories_show_the_margin_they_inherit(self):
        categories = (self.furniture | self.chairs | self.supplies).with_user(self.salesperson)
        self.assertEqual(categories.mapped("rel_margin_used"), [50.0, 50.0, 30.0])

    def test_catalogue_manager_sets_a_margin_others_cannot(self):
        self.supplies.with_user(self.catalogue_manager).write({"rel_own_margin": True, "rel_margin": 20.0})
        self.assertEqual(self.supplies.rel_margin_used, 20.0)
        for user in (self.salesperson, self.relationship_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.chairs.with_user(user).write({"rel_own_margin": True, "rel_margin": 90.0})
        self.chairs.invalidate_recordset()
        self.assertFalse(self.chairs.rel_own_margin)
        self.assertEqual(self.chairs.rel_margin_used, 50.0)

    def test_ticking_own_margin_starts_from_the_inherited_one(self):
        with Form(self.chairs.with_user(self.catalogue_manager)) as form:
            form.rel_own_margin = True
            self.assertEqual(form.rel_margin, 50.0)
            form.rel_margin = 45.0
        self.assertEqual((self.chairs.rel_own_margin, self.chairs.rel_margin_used), (True, 45.0))

    def test_margin_out_of_range_is_refused(self):
        for margin in (-5.0, 120.0):
            with self.subTest(margin=margin), self.assertRaises(ValidationError):
                self.chairs.with_user(self.catalogue_manager).write({"rel_own_margin": True, "rel_margin": margin})
        self.chairs.invalidate_recordset()
        self.assertFalse(self.chairs.rel_own_margin)
