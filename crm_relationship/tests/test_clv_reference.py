"""The value and churn models reproduce the published results on the CDNOW sample."""

import csv
from pathlib import Path
from unittest.mock import patch

import numpy as np
from scipy.optimize import approx_fprime
from scipy.special import hyp2f1

from odoo.addons.crm_relationship.analytics import bgnbd, gamma_gamma, rfm
from odoo.tests import BaseCase, tagged

DATA = Path(__file__).parent / "data" / "cdnow_summary.csv"


def _cdnow():
    with DATA.open() as handle:
        rows = [[float(row[c]) for c in ("x", "t_x", "T", "zbar")] for row in csv.DictReader(handle)]
    return np.array(rows)


@tagged("post_install", "-at_install")
class TestClvReference(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = _cdnow()

    def test_bgnbd_matches_fader_hardie_lee_2005(self):
        """r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4 (2,357 customers, weeks)."""
        x, t_x, T = self.data[:, 0], self.data[:, 1], self.data[:, 2]
        self.assertEqual(len(x), 2357)
        params = bgnbd.fit(x, t_x, T)
        self.assertTrue(params.converged)
        self.assertAlmostEqual(params.r, 0.243, places=3)
        self.assertAlmostEqual(params.alpha, 4.414, places=2)
        self.assertAlmostEqual(params.a, 0.793, places=3)
        self.assertAlmostEqual(params.b, 2.426, places=2)
        self.assertAlmostEqual(params.log_likelihood, -9582.4, places=0)

    def test_bgnbd_gradient_matches_finite_differences(self):
        """The analytic gradient the fit uses agrees with the likelihood it differentiates."""
        x, t_x, T = self.data[:, 0], self.data[:, 1], self.data[:, 2]
        weights = np.ones(len(x))
        for params in ([0.243, 4.414, 0.793, 2.426], [1.0, 1.0, 1.0, 1.0], [3.0, 20.0, 0.2, 8.0]):
            log_params = np.log(params)
            _value, gradient = bgnbd._negative_log_likelihood_and_gradient(np.exp(log_params), x, t_x, T, weights)
            numeric = approx_fprime(
                log_params,
                lambda lp: -bgnbd.log_likelihood(np.exp(lp), x, t_x, T).sum(),
                1e-6,
            )
            np.testing.assert_allclose(gradient, numeric, rtol=1e-4, atol=1e-2)

    def test_gamma_gamma_gradient_matches_finite_differences(self):
        x, m = self.data[:, 0], self.data[:, 3]
        keep = (x > 0) & (m > 0)
        x, m = x[keep], m[keep]
        for params in ([6.25, 3.74, 15.44], [1.0, 1.0, 1.0], [20.0, 2.0, 100.0]):
            log_params = np.log(params)
            _value, gradient = gamma_gamma._negative_log_likelihood_and_gradient(np.exp(log_params), x, m)
            numeric = approx_fprime(
                log_params,
                lambda lp: -gamma_gamma.log_likelihood(np.exp(lp), x, m).sum(),
                1e-6,
            )
            np.testing.assert_allclose(gradient, numeric, rtol=1e-4, atol=1e-2)

    def test_gamma_gamma_per_repeat_count_is_the_same_computation(self):
        """The fit computes the gamma functions once per distinct repeat count: the same value and gradient,
        to the last bit, as computing them for each customer."""
        x, m = self.data[:, 0], self.data[:, 3]
        keep = (x > 0) & (m > 0)
        x, m = x[keep], m[keep]
        repeats = np.unique(x, return_inverse=True)
        self.assertLess(len(repeats[0]), len(x) / 10)
        for params in ([6.25, 3.74, 15.44], [1.0, 1.0, 1.0]):
            each = gamma_gamma._negative_log_likelihood_and_gradient(np.array(params), x, m)
            once = gamma_gamma._negative_log_likelihood_and_gradient(np.array(params), x, m, repeats=repeats)
            self.assertEqual(each[0], once[0])
            np.testing.assert_array_equal(each[1], once[1])

    def test_bgnbd_conditional_expectation_of_the_papers_example(self):
        """The paper's customer (x = 2, t_x = 30.43, T = 38.86) buys 1.226 times in the next 39 weeks."""
        params = bgnbd.fit(self.data[:, 0], self.data[:, 1], self.data[:, 2])
        expected = bgnbd.expected_purchases(params, 39, np.array([2.0]), np.array([30.43]), np.array([38.86]))
        self.assertAlmostEqual(float(expected[0]), 1.226, places=2)
        alive = bgnbd.probability_alive(params, np.array([0.0, 2.0]), np.array([0.0, 30.43]), np.array([38.86] * 2))
        self.assertEqual(float(alive[0]), 1.0)
        self.assertTrue(0 < alive[1] < 1)

    def test_gamma_gamma_matches_fader_hardie_lee_2005(self):
        """p = 6.25, q = 3.74, v = 15.44 on the 946 repeat buyers."""
        x, m = self.data[:, 0], self.data[:, 3]
        self.assertEqual(int(((x > 0) & (m > 0)).sum()), 946)
        params = gamma_gamma.fit(x, m)
        self.assertTrue(params.converged)
        self.assertAlmostEqual(params.p, 6.25, places=1)
        self.assertAlmostEqual(params.q, 3.74, places=1)
        self.assertAlmostEqual(params.v, 15.44, delta=0.1)

    def test_warm_start_gives_the_cold_fit(self):
        """Last night's estimates as the starting point: the same optimum, from one start instead of three.

        The same to a millionth, well beyond the four digits the run stores: a re-run from its own
        estimates must not move the customers' figures."""
        x, t_x, T, m = self.data[:, 0], self.data[:, 1], self.data[:, 2], self.data[:, 3]
        cold_bg, cold_gg = bgnbd.fit(x, t_x, T), gamma_gamma.fit(x, m)
        # Rounded as the run record stores them, and a little off, as the next night's data would be.
        warm_bg = bgnbd.fit(x, t_x, T, warm_start=(0.25, 4.3, 0.8, 2.5))
        warm_gg = gamma_gamma.fit(x, m, warm_start=(6.0, 3.9, 15.0))
        for cold, warm, names in ((cold_bg, warm_bg, "r alpha a b"), (cold_gg, warm_gg, "p q v")):
            self.assertTrue(warm.converged)
            for name in names.split():
                self.assertAlmostEqual(getattr(warm, name), getattr(cold, name), delta=1e-6 * getattr(cold, name))
            self.assertAlmostEqual(warm.log_likelihood, cold.log_likelihood, places=6)
        with patch.object(bgnbd, "minimize", wraps=bgnbd.minimize) as minimize:
            bgnbd.fit(x, t_x, T, warm_start=(0.25, 4.3, 0.8, 2.5))
        self.assertEqual(minimize.call_count, 1)
        # Started on its own optimum (a re-run on unchanged data), the line search finds no lower point;
        # that is a minimum, not a failure sending the fit back to the cold starts.
        with patch.object(gamma_gamma, "minimize", wraps=gamma_gamma.minimize) as minimize:
            again = gamma_gamma.fit(x, m, warm_start=(cold_gg.p, cold_gg.q, cold_gg.v))
        self.assertEqual(minimize.call_count, 1)
        self.assertTrue(again.converged)
        self.assertAlmostEqual(again.v, cold_gg.v, delta=1e-6 * cold_gg.v)
        # An unusable warm start (none yet, or a failed run's zeros) falls back to the usual starts.
        with patch.object(bgnbd, "minimize", wraps=bgnbd.minimize) as minimize:
            self.assertAlmostEqual(bgnbd.fit(x, t_x, T, warm_start=(0.0, 0.0, 0.0, 0.0)).r, cold_bg.r, places=6)
        self.assertEqual(minimize.call_count, 3)

    def test_a_tiny_customer_base_still_converges(self):
        """Seven customers (the demo database): the likelihood is flat and drives alpha and b to their
        bounds. A minimum against a bound is still a minimum, from a cold start or from a warm one; on
        so flat a likelihood the two end within a thousandth of a unit of log-likelihood."""
        x = np.array([3.0, 6.0, 8.0, 0.0, 2.0, 3.0, 0.0])
        t_x = np.array([52.714, 100.0, 85.714, 0.0, 34.286, 98.571, 0.0])
        T = np.array([57.143, 100.0, 85.714, 6.429, 42.857, 98.571, 0.0])
        cold = bgnbd.fit(x, t_x, T)
        warm = bgnbd.fit(x, t_x, T, warm_start=(1440.3019, 22026.4658, 0.4098, 4.5762))
        self.assertTrue(cold.converged)
        self.assertTrue(warm.converged)
        self.assertAlmostEqual(warm.log_likelihood, cold.log_likelihood, delta=1e-3)

    def test_distinct_histories_are_those_of_numpy_unique(self):
        """The fits and the lifetime value sum over the same distinct histories, in the same order, as
        ``np.unique`` over the rows would give: the figures do not move by a rounding."""
        x, t_x, T = self.data[:, 0], self.data[:, 1], self.data[:, 2]
        (kx, kt, kT), counts, inverse = bgnbd.distinct_histories(x, t_x, T)
        keys, expected_inverse, expected_counts = np.unique(
            np.column_stack([x, t_x, T]), axis=0, return_inverse=True, return_counts=True
        )
        self.assertLess(len(keys), len(x))
        np.testing.assert_array_equal(np.column_stack([kx, kt, kT]), keys)
        np.testing.assert_array_equal(counts, expected_counts)
        np.testing.assert_array_equal(inverse, expected_inverse.reshape(-1))
        (kx, _kt, _kT), counts, inverse = bgnbd.distinct_histories([], [], [])
        self.assertEqual((len(kx), len(counts), len(inverse)), (0, 0, 0))

    def test_expected_purchases_over_distinct_pairs_are_those_of_each_customer(self):
        """The hypergeometric part evaluated once per distinct (x, T) gives each customer the very value
        of the formula evaluated on their own history."""
        x, t_x, T = self.data[:, 0], self.data[:, 1], self.data[:, 2]
        params = bgnbd.BgNbdParams(0.243, 4.414, 0.793, 2.426, 0.0, True)
        r, alpha, a, b = params.r, params.alpha, params.a, params.b
        t = 39.0
        body = 1 - np.exp((r + x) * np.log((alpha + T) / (alpha + T + t))) * hyp2f1(
            r + x, b + x, a + b + x - 1, t / (alpha + T + t)
        )
        ratio = (a / np.maximum(b + x - 1, 1e-300)) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
        direct = (a + b + x - 1) / (a - 1) * body / (1 + np.where(x > 0, ratio, 0.0))
        np.testing.assert_array_equal(bgnbd.expected_purchases(params, t, x, t_x, T), direct)
        pairs = bgnbd.purchase_age_pairs(x, T)
        self.assertLess(len(pairs[0]), len(x))
        np.testing.assert_array_equal(bgnbd.expected_purchases(params, t, x, t_x, T, pairs), direct)

    def test_fit_refuses_data_without_repeat_purchases(self):
        with self.assertRaises(ValueError):
            bgnbd.fit([0, 0, 0], [0, 0, 0], [5, 6, 7])
        with self.assertRaises(ValueError):
            gamma_gamma.fit([0, 1], [0, 10])

    def test_rfm_scores_and_segments(self):
        r, f, m = rfm.scores([1, 400, 30, 200, 5], [20, 1, 5, 2, 3], [5000, 10, 800, 50, 20])
        self.assertEqual(list(r), [5, 1, 3, 2, 4])
        segments = rfm.segment(r, f, m)
        self.assertEqual(segments[0], "champions")
        self.assertEqual(segments[1], "lost")
        self.assertEqual(rfm.segment([5], [1], [1])[0], "new")
        self.assertEqual(rfm.segment([1], [5], [5])[0], "cannot_lose")
        # one customer alone still gets scores
        self.assertEqual(list(rfm.quintile([42])), [5])
