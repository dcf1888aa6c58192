import ast
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from odoo.addons.crm_relationship.analytics import bgnbd, shrunk
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common_roles import RolesMixin

AS_OF = date(2026, 6, 30)


@tagged("post_install", "-at_install")
class TestShrunkEstimates(TransactionCase):
    """The estimates that stand in for the models on a small base or a degenerate fit, and how a
    degenerate fit is recognised."""

    def test_estimates_by_hand(self):
        customers = pd.DataFrame(
            {"occasions": [3, 1], "span_days": [100, 0], "recency_days": [50, 30], "total": [300.0, 80.0]}
        )
        shrunk.estimate(customers, 364, 12, 0.10)
        # The base buys again every 50 days (2 repeat purchases in 100 days); both customers' rates shrink
        # to one purchase in 50 days. Chance to stop after a purchase: 1 / (3 + repeat purchases).
        # Alive: 0.8 e^-1 / (0.8 e^-1 + 0.2) and (2/3) e^-0.6 / ((2/3) e^-0.6 + 1/3).
        np.testing.assert_allclose(customers["alive"], [0.595390, 0.523270], atol=1e-6)
        # Expected purchases in 364 days: alive (1 - e^(-stop rate days)) / stop.
        np.testing.assert_allclose(customers["expected"], [2.282825, 1.431147], atol=1e-6)
        np.testing.assert_allclose(customers["discounted"], [2.196291, 1.384677], atol=1e-6)
        np.testing.assert_allclose(customers["spend"], [100.0, 80.0])
        # Active today and stopped within 90 days: alive (1 - e^(-stop rate 90)).
        np.testing.assert_allclose(customers["lost"], [0.595390 * 0.302324, 0.523270 * 0.451188], atol=1e-6)

    def test_refunds_larger_than_purchases_spend_nothing(self):
        customers = pd.DataFrame(
            {"occasions": [2, 2], "span_days": [30, 30], "recency_days": [5, 5], "total": [-5.0, 0.0]}
        )
        shrunk.estimate(customers, 364, 12, 0.10)
        self.assertEqual(list(customers["spend"]), [0.0, 0.0])

    def test_parameters_at_their_bounds(self):
        self.assertFalse(shrunk.at_bounds((0.243, 4.414, 0.793, 2.426), bgnbd.BOUNDS))
        self.assertTrue(shrunk.at_bounds((0.243, np.exp(9.9), 0.793, 2.426), bgnbd.BOUNDS))
        self.assertTrue(shrunk.at_bounds((0.243, 4.414, np.exp(-10), 2.426), bgnbd.BOUNDS))

    def test_certainly_active_although_silent(self):
        customers = pd.DataFrame(
            {"occasions": [4, 4, 4, 1], "span_days": [90, 90, 90, 0], "recency_days": [60, 60, 20, 400]}
        )
        # Usual gap 30 days: silent for 60 and called certain; silent for 60 and 70%; silent for 20; bought once.
        got = shrunk.silent_but_certain(customers, [1.0, 0.7, 1.0, 1.0])
        self.assertEqual(list(got), [True, False, False, False])


class _OrdersMixin:
    @classmethod
    def _order(cls, partner, days_ago, amount=20.0):
        order = cls.env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": cls.product.id, "price_unit": amount})]}
        )
        order.action_confirm()
        order.date_order = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=days_ago, hours=-10)
        return order

    def _run(self):
        run = self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create({"date_as_of": AS_OF})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        return run


@tagged("post_install", "-at_install")
class TestSmallBase(RolesMixin, _OrdersMixin, TransactionCase):
    """On a base too small for the models, the customers get shrunk estimates, and every reader is told."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.product = cls.env["product.product"].create({"name": "Coffee beans", "list_price": 20.0})
        cls.regular = cls.env["res.partner"].create({"name": "Regular Rob"})
        cls.once = cls.env["res.partner"].create({"name": "Once Olga"})
        cls.silent = cls.env["res.partner"].create({"name": "Silent Sid"})
        for days_ago in (200, 150, 100, 50, 5):
            cls._order(cls.regular, days_ago, 40.0)
        cls._order(cls.once, 45, 336.0)
        for days_ago in (400, 380, 360, 340):
            cls._order(cls.silent, days_ago, 30.0)

    def setUp(self):
        super().setUp()
        self.registry_enter_test_mode()

    def test_small_base_gets_labelled_shrunk_estimates(self):
        run = self._run()
        self.assertEqual(run.model_status, "small")
        customers = (self.regular | self.once | self.silent).with_user(self.relationship_user)
        self.assertEqual(customers.mapped("rel_figures_rough"), [True] * 3)
        # Believable: nobody certainly active, the one who stopped a year ago unlikely to come back, the
        # one-time buyer worth less than they spent.
        self.assertTrue(all(alive < 0.95 for alive in customers.mapped("rel_clv_probability_alive")))
        self.assertLess(self.silent.with_user(self.relationship_user).rel_clv_probability_alive, 0.1)
        once = self.once.with_user(self.relationship_user)
        self.assertLess(once.rel_lifetime_value, 336.0)
        self.assertGreater(once.rel_lifetime_value, 0)
        self.assertAlmostEqual(
            once.rel_lifetime_value, once.rel_clv_discounted_purchases * once.rel_clv_spend * 0.3, delta=0.02
        )
        # The run and each customer say so, in the reader's language.
        self.assertIn("rough estimates", run.with_context(lang="en_US").reliability_note)
        self.assertEqual(
            once.with_context(lang="en_US").rel_reliability_note, run.with_context(lang="en_US").reliability_note
        )
        self.assertTrue(once.with_context(lang="en_US").rel_value_explanation.startswith("Lifetime value about"))
        # The customer lists show the rounded figures in place of the exact ones.
        english = once.with_context(lang="en_US")
        self.assertEqual(
            english.rel_rough_estimate,
            f"≈ {english._rel_money(once.rel_lifetime_value, rough=True)} · "
            f"{english._rel_percent(once.rel_clv_probability_alive, rough=True)}",
        )
        self.assertRegex(english.rel_rough_estimate, r"^≈ \$\xa0\d+ · \d+[05]%$")
        self.env["res.lang"]._activate_lang("zh_CN")
        chinese = once.with_context(lang="zh_CN")
        chinese.invalidate_recordset()
        self.assertNotIn("rough", chinese.rel_reliability_note)
        self.assertNotIn("rough", chinese.rel_value_explanation)


@tagged("post_install", "-at_install")
class TestDegenerateFit(RolesMixin, _OrdersMixin, TransactionCase):
    """A base large enough, whose buying leaves the model no dropout to estimate: its fit is degenerate
    and the customers get the shrunk estimates, not 100% probability still active."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.product = cls.env["product.product"].create({"name": "Coffee beans", "list_price": 20.0})
        cls.customers = cls.env["res.partner"].create([{"name": f"Clockwork {i}"} for i in range(60)])
        for i, customer in enumerate(cls.customers):
            for days_ago in range(5 + i % 7, 300, 30):
                cls._order(customer, days_ago, 20.0 + i)

    def setUp(self):
        super().setUp()
        self.registry_enter_test_mode()

    def test_degenerate_fit_is_reported_and_replaced(self):
        run = self._run()
        self.assertEqual(run.model_status, "degenerate", (run.bgnbd_r, run.bgnbd_alpha, run.bgnbd_a, run.bgnbd_b))
        self.assertTrue(run.bgnbd_at_bounds or run.silent_certain_count)
        note = run.with_context(lang="en_US").reliability_note
        self.assertIn("degenerate" if run.bgnbd_at_bounds else "certainly still active", note)
        partners = self.customers.with_user(self.relationship_user)
        self.assertEqual(set(partners.mapped("rel_figures_rough")), {True})
        self.assertTrue(all(alive < CERTAIN for alive in partners.mapped("rel_clv_probability_alive")))


CERTAIN = shrunk.CERTAIN


@tagged("post_install", "-at_install")
class TestRisingFalling(RolesMixin, _OrdersMixin, TransactionCase):
    """Key-customer discovery: who moved most in value rank between the last two runs, and why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.product = cls.env["product.product"].create({"name": "Coffee beans", "list_price": 20.0})
        cls.customers = cls.env["res.partner"].create([{"name": f"Mover {i}"} for i in range(5)])
        for i, customer in enumerate(cls.customers):
            for days_ago in (300 - 20 * i, 150 - 10 * i, 40):
                cls._order(customer, days_ago, 50.0 + 30 * i)

    def setUp(self):
        super().setUp()
        self.registry_enter_test_mode()

    def _listed(self, xmlid):
        action = self.env["ir.actions.act_window"]._for_xml_id(f"crm_relationship.{xmlid}")
        return self.env["res.partner"].with_user(self.relationship_user).search(ast.literal_eval(action["domain"]))

    def test_rising_and_falling_between_two_runs(self):
        self._run()
        # After the first run nobody moved.
        self.assertFalse(self._listed("res_partner_action_rising_customers") & self.customers)
        low = self.customers[0]
        before = low.rel_value_rank
        for days_ago in (30, 20, 10):
            self._order(low, days_ago, 400.0)
        self._run()
        rising = self._listed("res_partner_action_rising_customers")
        falling = self._listed("res_partner_action_falling_customers")
        self.assertIn(low, rising)
        self.assertTrue(falling & self.customers)
        # Partners the analysis never scored have no rank to move.
        self.assertFalse((rising | falling) - self.customers)
        low = low.with_user(self.relationship_user).with_context(lang="en_US")
        self.assertAlmostEqual(low.rel_previous_value_rank, before, places=4)
        self.assertAlmostEqual(low.rel_value_rank_change, low.rel_value_rank - before, places=4)
        self.assertIn("new purchase occasions 3", low.rel_rank_move_reason)
        self.assertTrue(low.rel_rank_move_reason.startswith("Value rank up from"))
        fallen = falling[0].with_user(self.relationship_user).with_context(lang="en_US")
        self.assertTrue(fallen.rel_rank_move_reason.startswith("Value rank down from"), fallen.rel_rank_move_reason)
        # A third run on the same data: nothing moved between the last two.
        self._run()
        self.assertFalse(
            (self._listed("res_partner_action_rising_customers") | self._listed("res_partner_action_falling_customers"))
            & self.customers
        )

    def test_salesperson_reads_the_reason_portal_does_not(self):
        self._run()
        self._order(self.customers[0], 10, 900.0)
        self._run()
        reason = self.customers[0].with_user(self.salesperson).rel_rank_move_reason
        self.assertTrue(reason)
        with self.assertRaises(AccessError):
            self.customers[0].with_user(self.portal_user).read(["rel_rank_move_reason"])
