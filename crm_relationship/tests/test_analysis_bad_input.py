import dataclasses
from datetime import date, datetime, timedelta
from unittest.mock import patch

import numpy as np

from odoo import Command
from odoo.addons.crm_relationship.analytics import bgnbd, store
from odoo.tests import TransactionCase, tagged

# In the past, so that orders committed by other tests (dated today) are not part of these runs.
AS_OF = date(2019, 6, 30)


@tagged("post_install", "-at_install")
class TestAnalysisBadInput(TransactionCase):
    """Each kind of awkward history gives a defined result and a finished run, never a crash."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create({"name": "Espresso cups", "list_price": 10.0, "taxes_id": []})
        cls.regulars = cls.env["res.partner"].create([{"name": f"Regular {i}"} for i in range(8)])
        for i, partner in enumerate(cls.regulars):
            for days_ago in (300 - i * 7, 150 - i * 5, 30 + i):
                cls._order(partner, days_ago, 10 + i)

    @classmethod
    def _order(cls, partner, days_ago, price, **values):
        order = (
            cls.env["sale.order"]
            .with_company(values.pop("company", cls.env.company))
            .create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": cls.product.id, "price_unit": price})],
                    **values,
                }
            )
        )
        order.action_confirm()
        order.date_order = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=days_ago, hours=-10)
        return order

    def setUp(self):
        super().setUp()
        # The analysis reads through registry.cursor(readonly=True): let it see this test's data.
        self.registry_enter_test_mode()

    def _run(self):
        run = self.env["crm.relationship.analysis"].create({"date_as_of": AS_OF})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        return run

    def test_refunds_larger_than_purchases(self):
        refunder = self.env["res.partner"].create({"name": "Refunding Rob"})
        self._order(refunder, 200, 100.0)
        self._order(refunder, 50, -150.0)
        self._run()
        self.assertAlmostEqual(refunder.rel_rfm_monetary, -50.0)
        self.assertEqual(refunder.rel_rfm_frequency, 2)
        self.assertEqual(refunder.rel_clv_value, 0.0)
        self.assertTrue(0 <= refunder.rel_health <= 100)

    def test_zero_amount_orders(self):
        """Free orders (samples, replacements) are purchase occasions worth nothing."""
        sampler = self.env["res.partner"].create({"name": "Sampling Sue"})
        self._order(sampler, 120, 0.0)
        self._order(sampler, 60, 0.0)
        mixed = self.env["res.partner"].create({"name": "Mixed Max"})
        self._order(mixed, 90, 0.0)
        self._order(mixed, 45, 40.0)
        run = self._run()
        self.assertEqual((sampler.rel_rfm_frequency, sampler.rel_rfm_monetary), (2, 0.0))
        self.assertEqual((sampler.rel_clv_value, sampler.rel_lifetime_value), (0.0, 0.0))
        self.assertEqual((mixed.rel_rfm_frequency, mixed.rel_rfm_monetary), (2, 40.0))
        self.assertGreaterEqual(mixed.rel_lifetime_value, 0.0)
        for partner in sampler | mixed:
            self.assertTrue(0 <= partner.rel_health <= 100)
            self.assertTrue(0 <= partner.rel_clv_probability_alive <= 1)
        self.assertTrue(run.churn_estimated)
        self.assertTrue(0 <= run.churn_expected_lost <= run.customer_count)
        self.assertGreaterEqual(run.churn_revenue_at_stake, 0.0)

    def test_only_negative_orders(self):
        """A customer whose only order is a return has spent less than nothing and is worth nothing."""
        returner = self.env["res.partner"].create({"name": "Returning Ray"})
        self._order(returner, 30, -40.0)
        self._run()
        self.assertEqual((returner.rel_rfm_frequency, returner.rel_rfm_monetary), (1, -40.0))
        self.assertEqual((returner.rel_clv_value, returner.rel_lifetime_value), (0.0, 0.0))
        self.assertLess(returner.rel_value_rank, min(self.regulars.mapped("rel_value_rank")))
        self.assertTrue(0 <= returner.rel_health <= 100)

    def test_customers_with_one_order_among_regulars(self):
        """One order gives no repeat purchase: the models still give defined, bounded figures."""
        newcomer, oldtimer = self.env["res.partner"].create([{"name": "New Nell"}, {"name": "Old Otto"}])
        self._order(newcomer, 20, 30.0)
        self._order(oldtimer, 600, 30.0)
        self._run()
        for partner in newcomer | oldtimer:
            with self.subTest(partner=partner.name):
                self.assertEqual(partner.rel_rfm_frequency, 1)
                self.assertTrue(0 <= partner.rel_clv_probability_alive <= 1)
                self.assertGreaterEqual(partner.rel_clv_expected_purchases, 0.0)
                self.assertGreaterEqual(partner.rel_lifetime_value, 0.0)
                self.assertTrue(0 <= partner.rel_health <= 100)
        self.assertEqual(newcomer.rel_lifecycle_stage, "new")
        self.assertEqual(oldtimer.rel_lifecycle_stage, "lapsed")
        # Who bought once long ago is expected to buy less than who bought once last month.
        self.assertLess(oldtimer.rel_clv_expected_purchases, newcomer.rel_clv_expected_purchases)

    def test_orders_in_another_currency_count_in_company_currency(self):
        company_currency = self.env.company.currency_id
        other = self.env["res.currency"].search(
            [("id", "!=", company_currency.id), ("active", "in", [True, False])], limit=1
        )
        other.active = True
        # One unit of company currency is worth two units of the other, since long before the orders.
        (other | company_currency).rate_ids.unlink()
        self.env["res.currency.rate"].create({"currency_id": other.id, "name": date(2010, 1, 1), "rate": 2.0})
        pricelist = self.env["product.pricelist"].create({"name": "Foreign prices", "currency_id": other.id})
        traveller = self.env["res.partner"].create({"name": "Travelling Tess"})
        order = self._order(traveller, 20, 300.0, pricelist_id=pricelist.id)
        self.assertEqual(order.currency_id, other)
        self.assertAlmostEqual(order.amount_untaxed, 300.0)
        self._run()
        self.assertAlmostEqual(traveller.rel_rfm_monetary, 150.0)

    def test_holdout_counts_another_currency_in_company_currency(self):
        """What a validation run compares its predictions with: occasions and spend after the calibration
        date, in company currency, and the week of the holdout each falls in."""
        other = self.env["res.currency"].search(
            [("id", "!=", self.env.company.currency_id.id), ("active", "in", [True, False])], limit=1
        )
        other.active = True
        (other | self.env.company.currency_id).rate_ids.unlink()
        self.env["res.currency.rate"].create({"currency_id": other.id, "name": date(2010, 1, 1), "rate": 2.0})
        pricelist = self.env["product.pricelist"].create({"name": "Foreign prices", "currency_id": other.id})
        traveller = self.env["res.partner"].create({"name": "Travelling Tess"})
        self._order(traveller, 100, 50.0)
        self._order(traveller, 20, 300.0, pricelist_id=pricelist.id)
        self._order(traveller, 10, 40.0)
        calibration = AS_OF - timedelta(days=30)
        self.env.flush_all()
        ids = np.array([traveller.id, self.regulars[0].id])
        holdout = store.read_holdout(self.env.cr, self.env.company.id, calibration, AS_OF, ids)
        self.assertEqual(holdout.loc[traveller.id, "purchases"], 2)
        self.assertAlmostEqual(holdout.loc[traveller.id, "amount"], 300.0 / 2 + 40.0)
        # 10 and 20 days after the calibration date: weeks 2 and 3; the regular's order 30 days before
        # the As Of date is on the calibration date itself, not after it.
        weeks = store.read_holdout_weeks(self.env.cr, self.env.company.id, calibration, AS_OF, ids)
        self.assertEqual(weeks.to_dict(), {2: 1.0, 3: 1.0})

    def test_orders_of_another_company_are_left_out(self):
        other_company = self.env["res.company"].create({"name": "Sister company"})
        elsewhere = self.env["res.partner"].create({"name": "Elsewhere Eve"})
        self._order(elsewhere, 20, 50.0, company=other_company)
        both = self.regulars[0]
        self._order(both, 10, 1000.0, company=other_company)
        run = self._run()
        self.assertEqual(run.customer_count, 8)
        self.assertFalse(elsewhere.rel_rfm_segment)
        self.assertEqual(both.rel_rfm_frequency, 3)

    def test_a_run_for_another_company_keeps_this_company_figures(self):
        """Figures and recommendations of shared partners belong to the company whose run counted them as
        customers: another company's run replaces them only for its own customers."""
        other_company = self.env["res.company"].create({"name": "Sister company"})
        self.env.user.company_ids |= other_company
        elsewhere = self.env["res.partner"].create({"name": "Elsewhere Eve"})
        for days_ago in (200, 20):
            self._order(elsewhere, days_ago, 50.0, company=other_company)
        self._run()
        regular = self.regulars[1]
        figures = (regular.rel_rfm_segment, regular.rel_rfm_monetary, regular.rel_company_id)
        self.assertEqual(figures[2], self.env.company)
        self.env.flush_all()
        self.env.cr.execute(
            "INSERT INTO crm_relationship_recommendation (partner_id, product_id, anchor_product_id, rank, lift)"
            " VALUES (%s, %s, %s, 1, 2.5)",
            [regular.id, self.product.id, self.product.id],
        )
        sister = self.env["crm.relationship.analysis"].create({"date_as_of": AS_OF, "company_id": other_company.id})
        sister.action_run()
        self.assertEqual(sister.state, "done", sister.message)
        self.assertEqual(sister.customer_count, 1)
        self.env.invalidate_all()
        self.assertEqual(elsewhere.rel_company_id, other_company)
        self.assertEqual(elsewhere.rel_rfm_frequency, 2)
        self.assertEqual((regular.rel_rfm_segment, regular.rel_rfm_monetary, regular.rel_company_id), figures)
        self.assertEqual(len(regular.rel_recommendation_ids), 1)
        # This company's next run leaves the sister company's customer alone too.
        self._run()
        self.env.invalidate_all()
        self.assertEqual(elsewhere.rel_company_id, other_company)
        self.assertEqual(elsewhere.rel_rfm_frequency, 2)

    def test_only_one_time_buyers_cannot_fit_the_models(self):
        one_timers = self.env["res.partner"].create([{"name": f"Once {i}"} for i in range(5)])
        for i, partner in enumerate(one_timers):
            self._order(partner, 2000 + i * 30, 20.0)
        # As of a date when nobody had bought twice yet.
        run = self.env["crm.relationship.analysis"].create({"date_as_of": AS_OF - timedelta(days=1500)})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.customer_count, 5)
        self.assertIn("too little repeat buying", run.message)
        self.assertTrue(all(partner.rel_rfm_segment for partner in one_timers))
        self.assertEqual(set(one_timers.mapped("rel_clv_expected_purchases")), {0.0})

    def test_a_fit_that_does_not_converge_is_reported(self):
        fit = bgnbd.fit

        def not_converged(*args, **kwargs):
            return dataclasses.replace(fit(*args, **kwargs), converged=False)

        with patch.object(bgnbd, "fit", not_converged):
            run = self._run()
        self.assertIn("did not fully converge", run.message)
        self.assertTrue(all(partner.rel_rfm_segment for partner in self.regulars))

    def test_a_failing_run_is_marked_failed_with_its_error(self):
        run = self.env["crm.relationship.analysis"].create({"date_as_of": AS_OF})
        with (
            patch.object(bgnbd, "probability_alive", side_effect=RuntimeError("boom")),
            self.assertLogs("odoo.addons.crm_relationship.models.crm_relationship_analysis", level="ERROR"),
        ):
            run.action_run()
        self.assertEqual(run.state, "failed")
        self.assertIn("boom", run.message)
