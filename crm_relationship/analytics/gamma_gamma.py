"""Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee, 2005, "RFM and CLV").

Fitted on repeat customers only: ``x`` repeat purchases (> 0) and ``m`` their mean value.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln

from .starts import TOLERANCE, best_minimum, converged

# Of the log-parameters.
BOUNDS = [(-10, 12)] * 3


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    v: float
    log_likelihood: float
    converged: bool


def log_likelihood(params, x, m):
    return _log_likelihood_terms(params, x, m, np.log(x), np.log(m))[0]


def _per_repeat(function, x, repeats):
    """``function(x)`` for each customer. With ``repeats`` (the distinct repeat counts and each customer's
    index in them), computed once per distinct count: the gamma functions of the counts are most of a
    fit's time, and the counts take few values. The values are the same either way."""
    if repeats is None:
        return function(x)
    counts, index = repeats
    return function(counts)[index]


def _log_likelihood_terms(params, x, m, log_x, log_m, repeats=None):
    """Each customer's log-likelihood, with the intermediate terms its gradient reuses."""
    p, q, v = params
    px = p * x
    xm_v = x * m + v
    log_xm_v = np.log(xm_v)
    gamma_ratio = _per_repeat(lambda n: gammaln(p * n + q) - gammaln(p * n), x, repeats)
    value = gamma_ratio - gammaln(q) + q * np.log(v) + (px - 1) * log_m + px * log_x - (px + q) * log_xm_v
    return value, px, xm_v, log_xm_v


def fit(x, m, starts=((1.0, 1.0, 1.0), (5.0, 3.0, 10.0), (2.0, 5.0, 50.0)), warm_start=None):
    """Maximum-likelihood fit (L-BFGS-B on log-parameters, several starting points, best kept).

    ``warm_start`` (p, q, v), typically last night's estimates, is tried alone first: when it converges
    the other starting points are skipped.
    """
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    if len(x) < 2:
        raise ValueError("Gamma-Gamma needs at least two repeat customers with a positive spend")
    scale = float(np.median(m))
    m_scaled = m / scale
    # Constant over the iterations: computed once.
    log_x, log_m_scaled = np.log(x), np.log(m_scaled)
    repeats = np.unique(x, return_inverse=True)

    def objective(log_params):
        value, gradient = _negative_log_likelihood_and_gradient(
            np.exp(log_params), x, m_scaled, log_x, log_m_scaled, repeats
        )
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return 1e300, np.zeros(3)
        return value, gradient

    def minimize_from(start):
        p0, q0, v0 = start
        return minimize(
            objective,
            np.log([p0, q0, v0 / scale]),
            jac=True,
            method="L-BFGS-B",
            bounds=BOUNDS,
            options=TOLERANCE,
        )

    best = best_minimum(minimize_from, starts, BOUNDS, warm_start)
    p, q, v_scaled = np.exp(best.x)
    v = v_scaled * scale
    # The fit ran on spends divided by ``scale``; the log-likelihood in the original unit differs by a constant.
    ll = log_likelihood((p, q, v), x, m).sum()
    return GammaGammaParams(p, q, v, float(ll), converged(best, BOUNDS))


def _negative_log_likelihood_and_gradient(params, x, m, log_x=None, log_m=None, repeats=None):
    """Negative log-likelihood and its analytic gradient with respect to the log-parameters.

    ``log_x`` and ``log_m``, when given, are ``log(x)`` and ``log(m)``, and ``repeats`` the distinct
    repeat counts (see ``_per_repeat``), which the fit computes once."""
    log_x = np.log(x) if log_x is None else log_x
    log_m = np.log(m) if log_m is None else log_m
    p, q, v = params
    value, px, xm_v, log_xm_v = _log_likelihood_terms(params, x, m, log_x, log_m, repeats)
    digamma_pxq = _per_repeat(lambda n: digamma(p * n + q), x, repeats)
    d_p = x * (digamma_pxq - _per_repeat(lambda n: digamma(p * n), x, repeats) + log_m + log_x - log_xm_v)
    d_q = digamma_pxq - digamma(q) + np.log(v) - log_xm_v
    d_v = q / v - (px + q) / xm_v
    gradient = np.array([d_p.sum(), d_q.sum(), d_v.sum()]) * params
    return -value.sum(), -gradient


def expected_spend(params, x, m, fallback):
    """Conditional expected value per purchase; customers without repeat purchases get ``fallback``."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    p, q, v = params.p, params.q, params.v
    with np.errstate(divide="ignore", invalid="ignore"):
        value = p * (v + x * m) / (p * x + q - 1)
    return np.where((x > 0) & (m > 0) & np.isfinite(value), value, fallback)
