"""BG/NBD model of repeat buying (Fader, Hardie & Lee, 2005, "Counting your customers the easy way").

Inputs per customer, time in weeks: ``x`` repeat purchases, ``t_x`` time of the last purchase
since the first, ``T`` age (time from the first purchase to the end of the observation period).
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, hyp2f1

from .starts import TOLERANCE, best_minimum, converged

# Of the log-parameters.
BOUNDS = [(-10, 10)] * 4


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    converged: bool


def log_likelihood(params, x, t_x, T):
    """Per-customer log-likelihood of (x, t_x, T) under BG/NBD with params (r, alpha, a, b)."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return a1 + a2 + np.logaddexp(a3, a4)


def distinct_histories(*columns):
    """The distinct rows of ``columns`` (such as the histories ``x, t_x, T``) in ascending order (by the
    first column, then the next), as one array per column, with how many customers share each row and,
    per customer, the index of theirs.

    What ``np.unique(..., axis=0)`` returns, from one lexicographic sort of the columns rather than a
    sort of the rows as records, which is several times slower on a large customer base."""
    columns = [np.asarray(v, dtype=float) for v in columns]
    order = np.lexsort(columns[::-1])
    ordered = [column[order] for column in columns]
    first = np.zeros(len(order), dtype=bool)
    first[:1] = True
    for column in ordered:
        first[1:] |= column[1:] != column[:-1]
    starts = np.flatnonzero(first)
    inverse = np.empty(len(order), dtype=np.intp)
    inverse[order] = np.cumsum(first) - 1
    counts = np.diff(np.append(starts, len(order)))
    return [column[starts] for column in ordered], counts, inverse


def fit(x, t_x, T, starts=((1.0, 1.0, 1.0, 1.0), (0.5, 5.0, 0.5, 2.0), (0.2, 10.0, 1.5, 5.0)), warm_start=None):
    """Maximum-likelihood fit on log-parameters (L-BFGS-B, several starting points, best kept).

    ``warm_start`` (r, alpha, a, b), typically last night's estimates, is tried alone first: when it
    converges the other starting points are skipped.
    """
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) < 2 or not np.any(x > 0):
        raise ValueError("BG/NBD needs at least two customers and some repeat purchases")
    # Identical customers are summarised once and weighted, which keeps large fits fast.
    (kx, kt, kT), weights, _inverse = distinct_histories(x, t_x, T)

    def objective(log_params):
        value, gradient = _negative_log_likelihood_and_gradient(np.exp(log_params), kx, kt, kT, weights)
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return 1e300, np.zeros(4)
        return value, gradient

    def minimize_from(start):
        return minimize(objective, np.log(start), jac=True, method="L-BFGS-B", bounds=BOUNDS, options=TOLERANCE)

    best = best_minimum(minimize_from, starts, BOUNDS, warm_start)
    r, alpha, a, b = np.exp(best.x)
    return BgNbdParams(r, alpha, a, b, -best.fun, converged(best, BOUNDS))


def _negative_log_likelihood_and_gradient(params, x, t_x, T, weights):
    """Weighted negative log-likelihood and its analytic gradient with respect to the log-parameters.

    The gradient spares the optimizer four extra likelihood evaluations per step, which is most of
    the time of a fit on a large customer base.
    """
    r, alpha, a, b = params
    repeat = x > 0
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            repeat,
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    log_mix = np.logaddexp(a3, a4)
    ll = a1 + a2 + log_mix
    # Shares of the two terms of the mixture: still alive at T, or dropped out after the last purchase.
    w3 = np.exp(a3 - log_mix)
    w4 = np.where(repeat, np.exp(a4 - log_mix), 0.0)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + t_x)
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    d_a = digamma(a + b) - digamma(a + b + x) + w4 / a
    d_b = (
        digamma(a + b)
        + digamma(b + x)
        - digamma(b)
        - digamma(a + b + x)
        - np.where(repeat, w4 / np.maximum(b + x - 1, 1e-300), 0.0)
    )
    gradient = np.array([(weights * d).sum() for d in (d_r, d_alpha, d_a, d_b)]) * params
    return -(weights * ll).sum(), -gradient


def probability_alive(params, x, t_x, T):
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (a / np.maximum(b + x - 1, 1e-300)) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    return np.where(x > 0, 1.0 / (1.0 + ratio), 1.0)


def purchase_age_pairs(x, T):
    """The distinct ``(x, T)`` of the histories and, per history, the index of theirs: the part of
    ``expected_purchases`` with the hypergeometric function depends on these two alone, and far fewer
    customers differ in them than in the whole history."""
    (px, pT), _counts, pair = distinct_histories(x, T)
    return px, pT, pair


def expected_purchases(params, t, x, t_x, T, pairs=None):
    """Expected number of purchases in the next ``t`` weeks, given each customer's history.

    ``pairs``, when given, is ``purchase_age_pairs(x, T)``, for a caller evaluating several ``t``."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if pairs is None:
        # Scalars and broadcast arrays too: the pairs of the flattened histories, put back in their shape.
        x_full, T_full = np.broadcast_arrays(x, T)
        px, pT, pair = purchase_age_pairs(x_full.ravel(), T_full.ravel())
        shape = x_full.shape
    else:
        px, pT, pair = pairs
        shape = pair.shape
    z = t / (alpha + pT + t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        head = (a + b + x - 1) / (a - 1)
        body = 1 - np.exp((r + px) * np.log((alpha + pT) / (alpha + pT + t))) * hyp2f1(
            r + px, b + px, a + b + px - 1, z
        )
        body = body[pair].reshape(shape)
        ratio = (a / np.maximum(b + x - 1, 1e-300)) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
        denominator = 1 + np.where(x > 0, ratio, 0.0)
        result = head * body / denominator
    return np.clip(np.nan_to_num(result, nan=0.0, posinf=0.0, neginf=0.0), 0.0, None)
