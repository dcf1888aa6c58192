"""Validation runs: fitted on the orders up to a calibration date, compared with the weeks after it."""

from datetime import date, datetime, timedelta

import pandas as pd

from odoo.addons.crm_relationship.analytics import bgnbd, validation
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import BaseCase, TransactionCase, tagged

from .common_roles import RolesMixin

AS_OF = date(2026, 6, 30)
FIGURES = ["rel_rfm_segment", "rel_clv_value", "rel_lifetime_value", "rel_health", "rel_value_rank"]


@tagged("post_install", "-at_install")
class TestValidationCompare(BaseCase):
    def test_comparison_by_hand(self):
        summary, lines = validation.compare(
            x=[0, 0, 1, 9],
            predicted=[0.5, 0.5, 1.0, 4.0],
            actual=[0, 1, 2, 3],
            expected_spend=[10.0, 10.0, 20.0, 30.0],
            holdout_amount=[0.0, 12.0, 50.0, 60.0],
        )
        self.assertEqual(summary["predicted_repeat"], 6.0)
        self.assertEqual(summary["actual_repeat"], 6.0)
        self.assertEqual(summary["error_percent"], 0.0)
        self.assertEqual(summary["mae"], (0.5 + 0.5 + 1.0 + 1.0) / 4)
        # Spend: of those who bought in the holdout, 12, 25 and 20 a purchase against 10, 20 and 30.
        self.assertAlmostEqual(summary["actual_spend"], 19.0)
        self.assertAlmostEqual(summary["predicted_spend"], 20.0)
        rows = {(row.kind, row.bucket, row.series): row for row in lines.itertuples()}
        self.assertEqual(len(rows), len(lines))
        self.assertEqual(sorted({b for k, b, _s in rows if k == "purchases"}), [0, 1, 7])
        self.assertEqual(rows["purchases", 0, "predicted"].customer_count, 2)
        self.assertEqual((rows["purchases", 0, "predicted"].value, rows["purchases", 0, "actual"].value), (0.5, 0.5))
        self.assertEqual(rows["purchases", 7, "predicted"].value, 4.0)
        self.assertEqual(rows["spend", 0, "actual"].customer_count, 1)
        self.assertEqual(rows["spend", 7, "actual"].value, 20.0)
        self.assertEqual(rows["spend", 7, "predicted"].value, 30.0)

    def test_weekly_cumulative_by_hand(self):
        """Three customers; 1 purchase in week 1 and 2 in week 3 of a 4-week holdout."""
        params = bgnbd.BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=0.0, converged=True)
        x, t_x, T = [0, 1, 1], [0, 3, 3], [6, 6, 6]
        lines = validation.weekly_cumulative(params, 4, x, t_x, T, pd.Series({1: 1.0, 3: 2.0}))
        self.assertEqual(len(lines), 8)
        self.assertEqual(set(lines["kind"]), {"weekly"})
        self.assertEqual(set(lines["customer_count"]), {3})
        actual = lines[lines["series"] == "actual"].set_index("week")["value"]
        self.assertEqual(actual.to_dict(), {1: 1.0, 2: 1.0, 3: 3.0, 4: 3.0})
        predicted = lines[lines["series"] == "predicted"].set_index("week")["value"]
        for week in (1, 2, 3, 4):
            by_hand = sum(float(bgnbd.expected_purchases(params, week, *h)) for h in zip(x, t_x, T, strict=True))
            self.assertAlmostEqual(predicted[week], by_hand, places=10)

    def test_spend_frequency_correlation(self):
        self.assertAlmostEqual(validation.spend_frequency_correlation([1, 2, 3, 0], [10, 20, 30, 99]), 1.0)
        self.assertEqual(validation.spend_frequency_correlation([1, 1, 1], [10, 20, 30]), 0.0)


@tagged("post_install", "-at_install")
class TestValidationRun(RolesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        product = cls.env["product.product"].create({"name": "Coffee beans", "list_price": 20.0})
        cls.customers = cls.env["res.partner"].create([{"name": f"Validated {i}"} for i in range(16)])
        for i, customer in enumerate(cls.customers):
            # Every 35 to 110 days from 400 days back; every fourth customer stops a year ago.
            gap, last = 35 + 5 * i, 360 if i % 4 == 0 else 0
            for days_ago in range(400 - 7 * i, last - 1, -gap):
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

    def _figures(self):
        self.customers.invalidate_recordset()
        return self.customers.sudo().read(FIGURES)

    def _validate(self, weeks, as_of=AS_OF):
        run = (
            self.env["crm.relationship.analysis"]
            .with_user(self.relationship_manager)
            .create({"date_as_of": as_of, "holdout_weeks": weeks})
        )
        run.action_run()
        return run

    def test_manager_runs_a_validation(self):
        self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create(
            {"date_as_of": AS_OF}
        ).action_run()
        before = self._figures()
        run = self._validate(12)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.date_calibration, AS_OF - timedelta(weeks=12))
        self.assertGreater(run.bgnbd_r, 0)
        self.assertGreater(run.validation_actual_repeat, 0)
        self.assertGreater(run.validation_predicted_repeat, 0)
        expected_error = (run.validation_predicted_repeat - run.validation_actual_repeat) / run.validation_actual_repeat
        self.assertAlmostEqual(run.validation_error_percent, expected_error * 100, delta=0.5)
        self.assertGreaterEqual(run.validation_mae, 0)
        lines = run.validation_line_ids
        self.assertEqual(set(lines.mapped("kind")), {"purchases", "spend"})
        self.assertEqual(set(lines.mapped("series")), {"predicted", "actual"})
        actual = lines.filtered(lambda line: line.kind == "purchases" and line.series == "actual")
        self.assertEqual(sum(actual.mapped("customer_count")), run.customer_count)
        self.assertAlmostEqual(
            sum(line.value * line.customer_count for line in actual), run.validation_actual_repeat, delta=0.1
        )
        if abs(run.validation_error_percent) > 20:
            self.assertIn("not reliable", run.message)
        # Cumulative repeat purchases at the end of each of the 12 weeks, predicted and actual.
        weekly = run.validation_weekly_line_ids
        self.assertEqual(len(weekly), 24)
        self.assertEqual(sorted(set(weekly.mapped("week"))), list(range(1, 13)))
        for series in ("predicted", "actual"):
            values = weekly.filtered(lambda line, series=series: line.series == series).sorted("week").mapped("value")
            self.assertEqual(values, sorted(values))
            total = run.validation_actual_repeat if series == "actual" else run.validation_predicted_repeat
            self.assertAlmostEqual(values[-1], total, delta=max(0.05 * total, 0.1))
        # No customer's figures moved, and their date is still that of the normal run.
        self.assertEqual(self._figures(), before)
        self.assertEqual(self.customers[0].with_user(self.relationship_user).rel_analysed_on, AS_OF)
        # A Relationship User reads the comparison and opens its chart.
        as_user = run.with_user(self.relationship_user)
        self.assertEqual(len(as_user.validation_line_ids), len(lines))
        action = as_user.action_open_validation_chart()
        self.assertEqual(action["res_model"], "crm.relationship.analysis.validation.line")
        self.assertEqual(
            self.env[action["res_model"]].with_user(self.relationship_user).search_count(action["domain"]), len(lines)
        )
        weekly_action = as_user.action_open_validation_weekly_chart()
        self.assertEqual(
            self.env[weekly_action["res_model"]]
            .with_user(self.relationship_user)
            .search_count(weekly_action["domain"]),
            24,
        )
        self.assertEqual(weekly_action["views"][0][1], "graph")

    def test_validation_without_history_or_without_holdout_purchases(self):
        before = self._figures()
        too_early = self._validate(60)
        self.assertEqual(too_early.state, "done")
        self.assertIn("Too little history", too_early.message)
        nothing_after = self._validate(8, as_of=AS_OF + timedelta(weeks=8))
        self.assertIn("None of the customers bought after", nothing_after.message)
        # One sentence each, and no retention planned from a run that changes no figures.
        self.assertEqual(
            too_early.message,
            f"Too little history before {too_early.date_calibration} to fit the models: hold out fewer weeks.",
        )
        self.assertEqual(nothing_after.message.count("\n"), 0)
        for run in too_early | nothing_after:
            self.assertFalse(run.validation_line_ids)
            self.assertFalse(run.validation_weekly_line_ids)
            self.assertFalse(run.bgnbd_r)
            self.assertFalse(run.validation_actual_repeat)
            self.assertFalse(run.validation_predicted_repeat)
        self.assertEqual(self._figures(), before)

    def test_holdout_out_of_range_is_refused(self):
        Analysis = self.env["crm.relationship.analysis"].with_user(self.relationship_manager)
        with self.assertRaises(ValidationError):
            Analysis.create({"date_as_of": AS_OF, "holdout_weeks": -1})
        self.assertFalse(Analysis.search([("holdout_weeks", "!=", 0)]))

    def test_others_cannot_run_or_change_a_validation(self):
        run = self.env["crm.relationship.analysis"].create({"date_as_of": AS_OF, "holdout_weeks": 12})
        for user in (self.relationship_user, self.salesperson):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                run.with_user(user).action_run()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["crm.relationship.analysis.validation.line"].with_user(user).create(
                    {"analysis_id": run.id, "kind": "purchases", "bucket": 0, "series": "actual"}
                )
        with self.assertRaises(AccessError):
            self.env["crm.relationship.analysis.validation.line"].with_user(self.salesperson).search([])
        self.assertEqual(run.state, "draft")
        self.assertFalse(run.validation_line_ids)
