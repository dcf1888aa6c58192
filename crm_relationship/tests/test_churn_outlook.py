"""Customers expected to be lost in the next 90 days and the revenue at stake: the formula against a
numerical integration, and the figures of a run against its own customers' figures."""

import ast
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from scipy import integrate, stats

from odoo.addons.crm_relationship.analytics import bgnbd, churn, shrunk
from odoo.exceptions import AccessError
from odoo.tests import BaseCase, TransactionCase, tagged

from .common_roles import RolesMixin

AS_OF = date(2026, 6, 30)
# The BG/NBD estimates on CDNOW (Fader, Hardie & Lee, 2005), weeks.
CDNOW = bgnbd.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, converged=True)


def _survival_by_integration(x, T, t, r=0.243, alpha=4.414, a=0.793, b=2.426):
    """E[exp(-lambda p t)] with lambda ~ Gamma(r + x, alpha + T): ((alpha + T) / (alpha + T + p t)) ** (r + x),
    integrated over p ~ Beta(a, b + x)."""
    return integrate.quad(
        lambda p: ((alpha + T) / (alpha + T + p * t)) ** (r + x) * stats.beta.pdf(p, a, b + x), 0, 1, limit=200
    )[0]


@tagged("post_install", "-at_install")
class TestChurnFormula(BaseCase):
    def test_survival_against_integration(self):
        t = 90 / 7
        for x, T in ((0, 10.0), (2, 38.86), (7, 50.0), (0, 0.5), (30, 70.0)):
            with self.subTest(x=x, T=T):
                got = churn.still_alive_after(CDNOW, t, np.array([x]), np.array([T]))[0]
                self.assertAlmostEqual(got, _survival_by_integration(x, T, t), places=8)

    def test_expected_losses_add_up(self):
        """Three customers alive with 0.9, 0.5 and 0.0, forecast 100, 40 and 70."""
        alive, x, T = np.array([0.9, 0.5, 0.0]), np.array([2, 0, 5]), np.array([38.86, 10.0, 60.0])
        revenue = np.array([100.0, 40.0, 70.0])
        survival = [_survival_by_integration(xi, Ti, 90 / 7) for xi, Ti in zip(x, T, strict=True)]
        lost, at_stake = churn.expected_losses(CDNOW, 90 / 7, alive, x, T, revenue)
        self.assertAlmostEqual(lost, 0.9 * (1 - survival[0]) + 0.5 * (1 - survival[1]), places=7)
        # Each forecast over the probability of being alive, times the probability of losing them.
        self.assertAlmostEqual(at_stake, 100 * (1 - survival[0]) + 40 * (1 - survival[1]), places=6)
        self.assertEqual(churn.expected_losses(CDNOW, 90 / 7, [], [], [], []), (0.0, 0.0))


@tagged("post_install", "-at_install")
class TestChurnOutlookRun(RolesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        product = cls.env["product.product"].create({"name": "Coffee beans", "list_price": 20.0})
        cls.customers = cls.env["res.partner"].create([{"name": f"Outlook {i}"} for i in range(24)])
        for i, customer in enumerate(cls.customers):
            # Every 25 to 64 days from about 400 days back; a quarter stop 150, 250 or 330 days ago.
            gap, first, last = 25 + (i * 7) % 40, 420 - (i * 13) % 60, (0, 150, 250, 330)[i % 4]
            for days_ago in range(first, last - 1, -gap):
                order = cls.env["sale.order"].create(
                    {
                        "partner_id": customer.id,
                        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1 + i % 3})],
                    }
                )
                order.action_confirm()
                order.date_order = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=days_ago, hours=-10)

    def setUp(self):
        super().setUp()
        self.registry_enter_test_mode()

    def test_run_expects_losses_from_its_customers_figures(self):
        """24 customers are too few for the models: the outlook comes from the same rough estimates as the
        customers' own figures (``analytics.shrunk``), computed here again from their orders."""
        run = self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create({"date_as_of": AS_OF})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.model_status, "small")
        self.assertTrue(run.churn_estimated)
        partners = self.customers.with_user(self.relationship_user)
        self.assertEqual(len(partners), run.customer_count)
        days = [self.env["sale.order"].search([("partner_id", "=", p.id)]).mapped("date_order") for p in partners]
        history = pd.DataFrame(
            {
                "occasions": [len(d) for d in days],
                "span_days": [(max(d).date() - min(d).date()).days for d in days],
                "recency_days": [(AS_OF - max(d).date()).days for d in days],
                "total": partners.mapped("rel_rfm_monetary"),
            }
        )
        shrunk.estimate(history, 364, run.value_horizon_months, run.value_discount_rate / 100)
        alive = np.array(partners.mapped("rel_clv_probability_alive"))
        np.testing.assert_allclose(alive, history["alive"], atol=0.005)
        revenue = np.array(partners.mapped("rel_clv_value"))
        lost, at_stake = churn.losses(history["lost"].to_numpy(), history["alive"].to_numpy(), revenue)
        # About one customer of the 24, most of it from those still buying: who stopped long ago is lost already.
        self.assertTrue(0.5 < run.churn_expected_lost < 2, run.churn_expected_lost)
        self.assertAlmostEqual(run.churn_expected_lost, lost, delta=0.01)
        self.assertAlmostEqual(run.churn_revenue_at_stake, at_stake, delta=0.5)
        # A Relationship User finds it under Reporting; a salesperson cannot read it.
        action = (
            self.env["ir.actions.act_window"]
            .with_user(self.relationship_user)
            ._for_xml_id("crm_relationship.crm_relationship_analysis_action_results")
        )
        Analysis = self.env["crm.relationship.analysis"].with_user(self.relationship_user)
        found = Analysis.search_read(
            [("id", "=", run.id), *ast.literal_eval(action["domain"])],
            ["churn_expected_lost", "churn_revenue_at_stake"],
        )
        self.assertEqual(found[0]["churn_expected_lost"], run.churn_expected_lost)
        with self.assertRaises(AccessError):
            run.with_user(self.salesperson).read(["churn_expected_lost"])
        with self.assertRaises(AccessError):
            run.with_user(self.relationship_user).write({"churn_expected_lost": 0.0})
        self.assertGreater(run.churn_expected_lost, 0)

    def test_without_a_fit_no_loss_is_claimed(self):
        # As of a date when nobody had bought twice: BG/NBD cannot be fitted.
        first_day = min(self.env["sale.order"].search([("partner_id", "in", self.customers.ids)]).mapped("date_order"))
        run = (
            self.env["crm.relationship.analysis"]
            .with_user(self.relationship_manager)
            .create({"date_as_of": first_day.date() + timedelta(days=3)})
        )
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        self.assertFalse(run.churn_estimated)
        self.assertEqual((run.churn_expected_lost, run.churn_revenue_at_stake), (0.0, 0.0))
