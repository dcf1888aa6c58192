"""Customers expected to be lost soon, from BG/NBD.

A customer alive today keeps buying at rate ``lambda`` and drops out after each purchase with
probability ``p``; given their history (``x`` repeat purchases, ``T`` weeks since the first) and that
they are alive, ``lambda`` follows Gamma(r + x, alpha + T) and ``p`` Beta(a, b + x). The chance that
no drop-out happens in the next ``t`` weeks is E[exp(-lambda p t)], which integrates to
2F1(r + x, a; a + b + x; -t / (alpha + T)), evaluated here through Pfaff's transformation so that
its argument stays in [0, 1).
"""

import numpy as np
from scipy.special import hyp2f1

WEEKS_90_DAYS = 90 / 7


def still_alive_after(params, t, x, T):
    """Probability that a customer alive today is still alive in ``t`` weeks, given ``x`` and ``T``."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
    u = t / (alpha + T)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        survival = (1 + u) ** -a * hyp2f1(a + b - r, a, a + b + x, u / (1 + u))
    return np.clip(np.nan_to_num(survival, nan=1.0), 0.0, 1.0)


def probability_lost(params, t, alive, x, T):
    """Each customer's probability of being alive today and no longer in ``t`` weeks."""
    return np.asarray(alive, dtype=float) * (1.0 - still_alive_after(params, t, x, T))


def losses(lost, alive, revenue):
    """Expected number of customers lost and the revenue at stake, from each customer's probability of
    being ``lost`` and their forecast ``revenue`` (which BG/NBD weighs by the probability of being
    ``alive``): the forecast over that probability, times the probability of losing them."""
    lost, alive = np.asarray(lost, dtype=float), np.asarray(alive, dtype=float)
    at_stake = np.divide(lost * np.asarray(revenue, dtype=float), alive, out=np.zeros_like(lost), where=alive > 0)
    return float(lost.sum()), float(at_stake.sum())


def expected_losses(params, t, alive, x, T, revenue):
    """``losses`` of the customers with histories ``x``, ``T`` over the next ``t`` weeks."""
    return losses(probability_lost(params, t, alive, x, T), alive, revenue)
