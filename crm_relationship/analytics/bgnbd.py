"""BG/NBD model of repeat buying (Fader, Hardie & Lee, 2005, "Counting your customers the easy way").

Inputs per customer, time in weeks: ``x`` repeat purchases, ``t_x`` time of the last purchase
since the first, ``T`` age (time from the first purchase to the end of the observation period).
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1


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


def fit(x, t_x, T, starts=((1.0, 1.0, 1.0, 1.0), (0.5, 5.0, 0.5, 2.0), (0.2, 10.0, 1.5, 5.0))):
    """Maximum-likelihood fit on log-parameters (L-BFGS-B, several starting points, best kept)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    if len(x) < 2 or not np.any(x > 0):
        raise ValueError("BG/NBD needs at least two customers and some repeat purchases")
    # Identical customers are summarised once and weighted, which keeps large fits fast.
    keys, weights = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    kx, kt, kT = keys.T

    def objective(log_params):
        ll = log_likelihood(np.exp(log_params), kx, kt, kT)
        value = -(weights * ll).sum()
        return value if np.isfinite(value) else 1e300

    best = None
    for start in starts:
        result = minimize(objective, np.log(start), method="L-BFGS-B", bounds=[(-10, 10)] * 4)
        if best is None or result.fun < best.fun:
            best = result
    r, alpha, a, b = np.exp(best.x)
    return BgNbdParams(r, alpha, a, b, -best.fun, bool(best.success))


def probability_alive(params, x, t_x, T):
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (a / np.maximum(b + x - 1, 1e-300)) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
    return np.where(x > 0, 1.0 / (1.0 + ratio), 1.0)


def expected_purchases(params, t, x, t_x, T):
    """Expected number of purchases in the next ``t`` weeks, given each customer's history."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    z = t / (alpha + T + t)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        head = (a + b + x - 1) / (a - 1)
        body = 1 - np.exp((r + x) * np.log((alpha + T) / (alpha + T + t))) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        ratio = (a / np.maximum(b + x - 1, 1e-300)) * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x)))
        denominator = 1 + np.where(x > 0, ratio, 0.0)
        result = head * body / denominator
    return np.clip(np.nan_to_num(result, nan=0.0, posinf=0.0, neginf=0.0), 0.0, None)
