"""The lifetime value: its formula against a hand computation, and the Settings flow by role."""

import ast
from datetime import date, datetime, timedelta

import numpy as np
from scipy.special import hyp2f1

from odoo.addons.crm_relationship.analytics import bgnbd, clv
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import BaseCase, TransactionCase, tagged

from .common_roles import RolesMixin

AS_OF = date(2026, 6, 30)
# The BG/NBD estimates on CDNOW (Fader, Hardie & Lee, 2005), weeks.
CDNOW = bgnbd.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, converged=True)


def _expected_by_hand(t, x, t_x, T, r=0.243, alpha=4.414, a=0.793, b=2.426):
    """Equation (10) of Fader, Hardie & Lee (2005), written out."""
    head = (a + b + x - 1) / (a - 1)
    body = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    alive_odds = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return head * body / alive_odds


@tagged("post_install", "-at_install")
class TestLifetimeValueFormula(BaseCase):
    def test_three_months_by_hand(self):
        """Customer with 2 repeat purchases, the last in week 30.43, 38.86 weeks old; 3 months, 12% a
        year, margin 40%, spend 50.

        Month ends are 4.348, 8.696 and 13.045 weeks; the month's purchases E(k) - E(k-1) are
        discounted by 1.12 ** (k / 12)."""
        x, t_x, T = np.array([2.0]), np.array([30.43]), np.array([38.86])
        weeks = 365.25 / 12 / 7
        cumulative = [0.0] + [_expected_by_hand(k * weeks, 2.0, 30.43, 38.86) for k in (1, 2, 3)]
        by_hand = sum((cumulative[k] - cumulative[k - 1]) / 1.12 ** (k / 12) for k in (1, 2, 3)) * 50 * 0.4
        value = clv.lifetime_value(CDNOW, 3, 0.12, 0.4, x, t_x, T, np.array([50.0]))
        self.assertAlmostEqual(float(value[0]), by_hand, places=9)
        # The figures themselves: 0.1599, 0.3125 and 0.4587 purchases by the month ends.
        self.assertAlmostEqual(cumulative[1], 0.1599, places=4)
        self.assertAlmostEqual(cumulative[3], 0.4587, places=4)
        self.assertAlmostEqual(by_hand, 9.00, places=2)

    def test_undiscounted_value_is_the_forecast_times_spend_and_margin(self):
        """At 0% the months add up to the cumulative expected purchases of the whole horizon."""
        x, t_x, T = np.array([0.0, 1.0, 7.0]), np.array([0.0, 10.0, 35.0]), np.array([20.0, 30.0, 38.0])
        spend = np.array([10.0, 20.0, 30.0])
        value = clv.lifetime_value(CDNOW, 12, 0.0, 0.25, x, t_x, T, spend)
        forecast = bgnbd.expected_purchases(CDNOW, 12 * 365.25 / 12 / 7, x, t_x, T)
        np.testing.assert_allclose(value, forecast * spend * 0.25, rtol=1e-12)
        # Discounting only lowers it; a longer horizon only raises it.
        self.assertTrue(np.all(clv.lifetime_value(CDNOW, 12, 0.1, 0.25, x, t_x, T, spend) < value))
        self.assertTrue(np.all(clv.lifetime_value(CDNOW, 24, 0.0, 0.25, x, t_x, T, spend) > value))


@tagged("post_install", "-at_install")
class TestLifetimeValueSettings(RolesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        product = cls.env["product.product"].create({"name": "Coffee beans", "list_price": 20.0})
        cls.customers = cls.env["res.partner"].create([{"name": f"Valued {i}"} for i in range(6)])
        for i, customer in enumerate(cls.customers):
            for days_ago in (330 - 30 * i, 200 - 20 * i, 90 - 10 * i, 15 + i):
                order = cls.env["sale.order"].create(
                    {
                        "partner_id": customer.id,
                        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1 + i})],
                    }
                )
                order.action_confirm()
                order.date_order = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=days_ago, hours=-10)

    def setUp(self):
        super().setUp()
        self.registry_enter_test_mode()

    def _params(self):
        get = self.env["ir.config_parameter"].sudo().get_param
        return [get(f"crm_relationship.value_{name}") for name in ("horizon_months", "discount_rate", "margin")]

    def test_manager_sets_the_value_and_runs_the_analysis(self):
        settings = self.env["res.config.settings"].with_user(self.settings_admin)
        settings.create(
            {"rel_value_horizon_months": 24, "rel_value_discount_rate": 8.0, "rel_value_margin": 40.0}
        ).execute()
        self.assertEqual(self._params(), ["24", "8.0", "40.0"])
        run = self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create({"date_as_of": AS_OF})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual((run.value_horizon_months, run.value_discount_rate, run.value_margin), (24, 8.0, 40.0))
        # Read back as the Relationship User who looks at them. Six customers are too few for the models: the
        # shrunk estimates stand in, and the lifetime value is still their discounted purchases times the
        # spend and the margin of Settings.
        self.assertEqual(run.model_status, "small")
        partners = self.customers.with_user(self.relationship_user)
        for partner in partners:
            self.assertGreater(partner.rel_lifetime_value, 0)
            self.assertGreater(partner.rel_clv_value, 0)
            self.assertTrue(partner.rel_figures_rough)
            self.assertAlmostEqual(
                partner.rel_lifetime_value,
                partner.rel_clv_discounted_purchases * partner.rel_clv_spend * 0.4,
                delta=0.02,
            )
            self.assertAlmostEqual(
                partner.rel_clv_value, partner.rel_clv_expected_purchases * partner.rel_clv_spend, delta=0.02
            )
        # The value rank follows the lifetime value; Key Customers are the top fifth.
        ranked = partners.sorted("rel_lifetime_value")
        self.assertEqual(ranked.mapped("rel_value_rank"), sorted(ranked.mapped("rel_value_rank")))
        self.assertEqual(ranked[-1].rel_value_rank, 1.0)
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_relationship.res_partner_action_key_customers")
        keys = self.env["res.partner"].with_user(self.relationship_user).search(ast.literal_eval(action["domain"]))
        self.assertIn(ranked[-1], keys)
        self.assertNotIn(ranked[0], keys)

    def test_salesperson_and_non_admin_manager_cannot_change_the_value_settings(self):
        before = self._params()
        values = {"rel_value_horizon_months": 6, "rel_value_discount_rate": 50.0, "rel_value_margin": 90.0}
        for user in (self.salesperson, self.relationship_user, self.relationship_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["res.config.settings"].with_user(user).create(values).execute()
        self.assertEqual(self._params(), before)

    def test_settings_refuse_values_out_of_range(self):
        before = self._params()
        settings = self.env["res.config.settings"].with_user(self.settings_admin)
        for values in ({"rel_value_horizon_months": 0}, {"rel_value_discount_rate": -1}, {"rel_value_margin": 101}):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                settings.create(values).execute()
        self.assertEqual(self._params(), before)

    def test_a_small_base_is_explained_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        run = self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create({"date_as_of": AS_OF})
        run.action_run()
        english = run.with_context(lang="en_US").reliability_note
        self.assertTrue(english.startswith("Only 6 customers were analysed"), english)
        self.assertNotIn("Fewer than 50", run.message or "")
        partner = self.customers[0].with_user(self.relationship_user)
        self.assertEqual(partner.with_context(lang="en_US").rel_reliability_note, english)
        chinese = partner.with_context(lang="zh_CN").rel_reliability_note
        self.assertIn("6", chinese)
        self.assertNotIn("Only", chinese)
