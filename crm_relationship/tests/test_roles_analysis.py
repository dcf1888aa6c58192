from datetime import date, datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common_roles import RolesMixin

AS_OF = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestAnalysisRoles(RolesMixin, TransactionCase):
    """The analysis is started by a Relationship Manager, from the button or by its scheduled action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        product = cls.env["product.product"].create({"name": "Coffee beans", "list_price": 20.0})
        cls.customers = cls.env["res.partner"].create([{"name": f"Analysed {i}"} for i in range(4)])
        for i, customer in enumerate(cls.customers):
            for days_ago in (300 - 20 * i, 120 - 10 * i, 30):
                order = cls.env["sale.order"].create(
                    {
                        "partner_id": customer.id,
                        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1 + i})],
                    }
                )
                order.action_confirm()
                order.date_order = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=days_ago)

    def setUp(self):
        super().setUp()
        # The analysis reads through registry.cursor(readonly=True): let it see this test's data.
        self.registry_enter_test_mode()

    def _figures(self):
        self.customers.invalidate_recordset()
        return self.customers.sudo().read(["rel_rfm_segment", "rel_clv_value", "rel_health"])

    def test_manager_runs_the_analysis_from_the_button(self):
        run = self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create({"date_as_of": AS_OF})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.customer_count, 4)
        self.assertTrue(all(row["rel_rfm_segment"] for row in self._figures()))
        # The form tells everyone who reads the figures when they were computed.
        self.customers.invalidate_recordset()
        self.assertEqual(self.customers[0].with_user(self.salesperson).rel_analysed_on, AS_OF)

    def test_scheduled_action_runs_the_analysis(self):
        cron = self.env.ref("crm_relationship.ir_cron_relationship_analysis")
        cron.method_direct_trigger()
        run = self.env["crm.relationship.analysis"].search([], order="id desc", limit=1)
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(all(row["rel_rfm_segment"] for row in self._figures()))

    def test_relationship_user_cannot_run_the_analysis(self):
        run = self.env["crm.relationship.analysis"].create({"date_as_of": AS_OF})
        before = self._figures()
        for user in (self.relationship_user, self.salesperson):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                run.with_user(user).action_run()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["crm.relationship.analysis"].with_user(user).create({"date_as_of": AS_OF})
        self.assertEqual(run.state, "draft")
        self.assertEqual(self._figures(), before)

    def test_portal_and_public_cannot_run_the_analysis(self):
        run = self.env["crm.relationship.analysis"].create({"date_as_of": AS_OF})
        before = self._figures()
        for user in (self.portal_user, self.public_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                run.with_user(user).action_run()
        self.assertEqual(run.state, "draft")
        self.assertEqual(self._figures(), before)

    def test_the_next_day_rewrites_the_figures_not_the_partners(self):
        """The nightly run rewrites every customer's figures in their own table: no partner row changes."""
        Analysis = self.env["crm.relationship.analysis"].with_user(self.relationship_manager)
        Analysis.create({"date_as_of": AS_OF}).action_run()
        self.env.flush_all()
        rows = "SELECT id, ctid::text FROM res_partner WHERE id = ANY(%s)"
        self.env.cr.execute(rows, [self.customers.ids])
        before = dict(self.env.cr.fetchall())
        recency = self.customers[0].rel_rfm_recency
        run = Analysis.create({"date_as_of": AS_OF + timedelta(days=1)})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        self.customers.invalidate_recordset()
        self.assertEqual(self.customers[0].rel_rfm_recency, recency + 1)
        self.env.cr.execute(rows, [self.customers.ids])
        self.assertEqual(dict(self.env.cr.fetchall()), before)

    def test_nobody_rewrites_the_figures_by_hand(self):
        """Over RPC as through the forms, the figures are the analysis's alone: employees read them, and nobody,
        managers included, writes, creates or deletes them."""
        self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create(
            {"date_as_of": AS_OF}
        ).action_run()
        customer = self.customers[0]
        before = self._figures()
        for user in (self.salesperson, self.sales_manager, self.relationship_user, self.relationship_manager):
            figures = customer.with_user(user).rel_figures_id
            with self.subTest(user=user.login):
                self.assertTrue(figures.health)
                customer.with_user(user).write({"rel_health": 100.0, "rel_rfm_segment": "champions"})
                self.customers[1].with_user(user).write({"rel_figures_id": figures.id})
                with self.assertRaises(AccessError):
                    figures.write({"health": 100.0})
                with self.assertRaises(AccessError):
                    figures.create({"partner_id": self.customers[1].id, "health": 100.0})
                with self.assertRaises(AccessError):
                    figures.unlink()
        self.assertEqual(self._figures(), before)
        self.assertEqual(self.customers.rel_figures_id.partner_id, self.customers)

    def test_a_merged_customer_keeps_the_figures_it_took_over(self):
        """A contact manager merges an analysed customer into a new contact: the figures follow the orders to
        the contact that remains, and the next run updates them there."""
        merger = new_test_user(
            self.env, "role_contact_manager", groups="sales_team.group_sale_salesman,base.group_partner_manager"
        )
        Analysis = self.env["crm.relationship.analysis"].with_user(self.relationship_manager)
        Analysis.create({"date_as_of": AS_OF}).action_run()
        source = self.customers[0]
        figures = source.rel_figures_id
        recency = source.rel_rfm_recency
        target = self.env["res.partner"].create({"name": "Analysed 0 (new address)"})
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(merger)
            .create({"partner_ids": [Command.set([source.id, target.id])], "dst_partner_id": target.id})
        )
        wizard.action_merge()
        self.assertFalse(source.exists())
        self.assertEqual(figures.partner_id, target)
        self.assertEqual(target.with_user(self.salesperson).rel_figures_id, figures)
        self.assertEqual(target.with_user(self.salesperson).rel_rfm_recency, recency)
        run = Analysis.create({"date_as_of": AS_OF + timedelta(days=1)})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        target.invalidate_recordset()
        self.assertEqual(target.rel_figures_id, figures)
        self.assertEqual(target.sudo().rel_rfm_recency, recency + 1)
        self.assertEqual(target.sudo().rel_rfm_frequency, 3)

    def test_the_customers_list_reads_the_figures_in_a_constant_number_of_queries(self):
        """The list of Key Customers, as a Relationship User opens it: sorted by a figure (a join), with each
        figure read for all rows at once, whatever their number."""
        self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create(
            {"date_as_of": AS_OF}
        ).action_run()
        Partner = self.env["res.partner"].with_user(self.relationship_user)
        view = self.env.ref("crm_relationship.res_partner_view_list_key_customers")
        listed = Partner.get_views([(view.id, "list")])["models"]["res.partner"]["fields"]
        spec = {name: {} for name in listed}
        domain = [("id", "in", self.customers.ids)]

        def queries(limit):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            page = Partner.web_search_read(domain, spec, order="rel_lifetime_value desc, id", limit=limit)
            self.assertEqual(len(page["records"]), limit)
            return self.env.cr.sql_log_count - before

        queries(4)  # the registry's caches (access rules, field translations) are warm from here on
        self.assertEqual(queries(1), queries(4))
        ranked = Partner.search(domain, order="rel_lifetime_value desc, id")
        values = [figures.lifetime_value for figures in ranked.sudo().rel_figures_id]
        self.assertEqual(values, sorted(values, reverse=True))
