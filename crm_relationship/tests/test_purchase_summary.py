from datetime import date, datetime, timedelta
from unittest.mock import patch

import pandas as pd

from odoo.addons.crm_relationship.analytics import store, summary
from odoo.fields import Command
from odoo.tests import TransactionCase, tagged

from .common_roles import RolesMixin

AS_OF = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestPurchaseSummary(RolesMixin, TransactionCase):
    """The nightly analysis reads each customer's purchase summary, kept up to date as orders change,
    instead of every order: after each way of changing an order, the summary reads exactly what the
    orders say (``store.read_customers``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.product = cls.env["product.product"].create({"name": "Teapot", "list_price": 30.0})
        cls.extra = cls.env["product.product"].create({"name": "Cup", "list_price": 6.0})
        Partner = cls.env["res.partner"]
        cls.acme, cls.bolt = Partner.create(
            [{"name": "Acme", "is_company": True}, {"name": "Bolt", "is_company": True}]
        )
        cls.acme_buyer = Partner.create({"name": "Ann of Acme", "parent_id": cls.acme.id})
        cls.carol, cls.carol_twin = Partner.create(
            [{"name": "Carol", "email": "carol@example.com"}, {"name": "Carol", "email": "carol@example.com"}]
        )
        cls.orders = {}
        for key, partner, days_ago in (
            ("acme_1", cls.acme, 200),
            ("acme_2", cls.acme_buyer, 120),
            ("acme_3", cls.acme_buyer, 120),
            ("acme_4", cls.acme, 30),
            ("bolt_1", cls.bolt, 90),
            ("carol_1", cls.carol, 150),
            ("carol_2", cls.carol, 60),
            ("twin_1", cls.carol_twin, 100),
        ):
            cls.orders[key] = cls._confirmed(partner, days_ago)

    @classmethod
    def _confirmed(cls, partner, days_ago, company=None):
        """A quotation the salesperson makes and confirms, dated ``days_ago`` before the run's date by
        the sales manager. In another ``company``, where neither works, the superuser does both."""
        Order = (
            cls.env["sale.order"].with_company(company) if company else cls.env["sale.order"].with_user(cls.salesperson)
        )
        order = Order.create(
            {
                "partner_id": partner.id,
                "user_id": cls.salesperson.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1 + days_ago % 3})],
            }
        )
        order.action_confirm()
        when = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=days_ago) + timedelta(hours=10)
        (order if company else order.with_user(cls.sales_manager)).date_order = when
        return order if company else order.with_user(cls.salesperson)

    def setUp(self):
        super().setUp()
        # The reads from the orders go through registry.cursor(readonly=True): let it see this test's data.
        self.registry_enter_test_mode()

    def assertSummaryIsTheOrders(self, company=None):
        """Refresh the summary, then read it as the run does: the same frames as from the orders, for
        the customers and for the products they bought."""
        company = company or self.env.company
        self.env.flush_all()
        cr = self.env.cr
        summary.refresh(cr)
        from_orders = store.read_customers(cr, company.id, AS_OF)
        from_summary = summary.read_customers(cr, company.id, AS_OF)
        self.assertFalse(from_orders.empty)
        pd.testing.assert_frame_equal(from_summary, from_orders)
        run = self.env["crm.relationship.analysis"].with_company(company).create({"date_as_of": AS_OF})
        Recommendation = self.env["crm.relationship.recommendation"]
        with patch.object(summary, "is_usable", return_value=False):
            bought_from_lines = Recommendation._read_bought(run)
        bought = Recommendation._read_bought(run)
        key = ["partner_id", "product_id"]
        pd.testing.assert_frame_equal(
            bought.sort_values(key, ignore_index=True), bought_from_lines.sort_values(key, ignore_index=True)
        )
        return from_summary

    def test_summary_follows_every_change_of_the_orders(self):
        customers = self.assertSummaryIsTheOrders()
        # Two orders of Acme's contact on one day are one occasion of Acme's.
        self.assertEqual(customers.loc[self.acme.id, "occasions"], 3)
        self.assertEqual(customers.loc[self.acme.id, "orders"], 4)

        # The salesperson cancels an order, and adds a line to a confirmed one.
        self.orders["carol_2"]._action_cancel()
        self.orders["bolt_1"].write({"order_line": [Command.create({"product_id": self.extra.id})]})
        customers = self.assertSummaryIsTheOrders()
        self.assertEqual(customers.loc[self.carol.id, "occasions"], 1)

        # The salesperson swaps the product of a confirmed order's line, and adds a free one.
        self.orders["acme_4"].order_line[0].product_id = self.extra
        self.orders["acme_4"].write(
            {"order_line": [Command.create({"product_id": self.product.id, "price_unit": 0.0})]}
        )
        self.assertSummaryIsTheOrders()

        # The sales manager moves an order's date; a new order is confirmed.
        self.orders["acme_1"].with_user(self.sales_manager).date_order = datetime(2025, 6, 1, 9)
        self._confirmed(self.bolt, 10)
        self.assertSummaryIsTheOrders()

        # Ann moves from Acme to Bolt: her orders go with her.
        self.acme_buyer.with_user(self.relationship_user).parent_id = self.bolt
        customers = self.assertSummaryIsTheOrders()
        self.assertEqual(customers.loc[self.acme.id, "orders"], 2)

        # An administrator merges the twin into Carol: the orders move in SQL, the twin is deleted.
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(self.settings_admin)
            .create({"partner_ids": [Command.set((self.carol | self.carol_twin).ids)], "dst_partner_id": self.carol.id})
        )
        wizard.action_merge()
        customers = self.assertSummaryIsTheOrders()
        self.assertNotIn(self.carol_twin.id, customers.index)
        self.assertEqual(customers.loc[self.carol.id, "occasions"], 2)

        # Bolt objects to profiling: left out of both.
        self.bolt.rel_profiling_objection = True
        customers = self.assertSummaryIsTheOrders()
        self.assertNotIn(self.bolt.id, customers.index)

    def test_orders_of_another_company_stay_apart(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        self.env.user.company_ids |= other
        self._confirmed(self.carol, 5, company=other)
        self.assertSummaryIsTheOrders()
        self.assertSummaryIsTheOrders(other)

    def test_a_refresh_summarises_only_the_customers_marked(self):
        self.env.flush_all()
        summary.refresh(self.env.cr)
        self.assertEqual(summary.refresh(self.env.cr), 0, "nothing changed: nothing to summarise again")
        # Writing an order without changing what the summary holds marks nobody.
        self.orders["bolt_1"].write({"note": "<p>Ring at the back door</p>"})
        self.env.flush_all()
        self.assertEqual(summary.refresh(self.env.cr), 0)
        self.orders["bolt_1"]._action_cancel()
        self.env.flush_all()
        self.assertEqual(summary.refresh(self.env.cr), 1)

    def test_the_run_reads_the_summary_up_to_today_and_the_orders_otherwise(self):
        Analysis = self.env["crm.relationship.analysis"].with_user(self.relationship_manager)
        with patch.object(store, "read_customers", side_effect=AssertionError("read the orders")):
            run = Analysis.create({"date_as_of": AS_OF})
            run.action_run()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.customer_count, 4)
        # An order dated after the run's date: the summary would count it, the orders up to that date do not.
        self._confirmed(self.bolt, -3)
        with patch.object(summary, "read_customers", side_effect=AssertionError("read the summary")):
            run = Analysis.create({"date_as_of": AS_OF})
            run.action_run()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.order_count, 8)
