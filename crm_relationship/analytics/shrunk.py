"""Estimates for a customer base too small, or a fit too degenerate, for BG/NBD and Gamma-Gamma.

The same story as BG/NBD with its heterogeneity fixed instead of fitted: while active, a customer
buys at a steady daily rate; after each purchase they may stop for good. The rate is the customer's
own, shrunk towards the whole base's (a gamma prior worth ``RATE_PRIOR_WEIGHT`` repeat purchases);
the chance to stop after a purchase has a Beta(1, 2) prior (one in three), lower for those who came
back often. The spend per purchase is the customer's own mean. All column-wise.

A fit is degenerate when a parameter sits at a bound of its search, or when it calls customers
certainly active who have been silent for longer than their usual gap.
"""

import numpy as np

from . import clv

DROPOUT_PRIOR = (1.0, 2.0)
RATE_PRIOR_WEIGHT = 1.0
# Log-parameters this close to a bound of the search count as at the bound.
BOUND_MARGIN = 0.5
# A probability still active that rounds to 100%.
CERTAIN = 0.995


def at_bounds(values, bounds):
    """Whether any of the positive parameters ``values`` lies at a bound of its log-parameter search."""
    logs = np.log(np.maximum(np.asarray(values, dtype=float), 1e-300))
    low, high = np.asarray(bounds, dtype=float).T[:, : len(logs)]
    return bool(np.any((logs - low < BOUND_MARGIN) | (high - logs < BOUND_MARGIN)))


def usual_gap_days(customers):
    """Mean days between purchase occasions (0 for one-time buyers)."""
    repeats = (customers["occasions"] - 1).to_numpy(dtype=float)
    span = customers["span_days"].to_numpy(dtype=float)
    return np.where(repeats > 0, span / np.maximum(repeats, 1), 0.0)


def silent_but_certain(customers, alive):
    """Customers called (almost) certainly active although silent for longer than their usual gap."""
    gap = usual_gap_days(customers)
    return (gap > 0) & (customers["recency_days"].to_numpy(dtype=float) > gap) & (np.asarray(alive) >= CERTAIN)


def estimate(customers, horizon_days, months, annual_rate, lost_within_days=90):
    """Set the columns ``alive``, ``expected`` (purchases in ``horizon_days``), ``discounted`` (the
    purchases of the next ``months`` months, each discounted at ``annual_rate``), ``lost`` (active today
    and stopped within ``lost_within_days``: an active customer stays so with ``exp(-dropout * rate * t)``)
    and ``spend``."""
    repeats = (customers["occasions"] - 1).to_numpy(dtype=float)
    span = customers["span_days"].to_numpy(dtype=float)
    recency = customers["recency_days"].to_numpy(dtype=float)
    base_rate = repeats.sum() / span.sum() if span.sum() > 0 else 1.0 / 365.0
    rate = (repeats + RATE_PRIOR_WEIGHT) / (span + RATE_PRIOR_WEIGHT / base_rate)
    a, b = DROPOUT_PRIOR
    dropout = a / (a + b + repeats)
    stays = (1.0 - dropout) * np.exp(-rate * recency)
    alive = stays / (stays + dropout)

    def cumulative(days):
        # Expected purchases in ``days`` when each purchase is followed by stopping with ``dropout``.
        return alive * (1.0 - np.exp(-dropout * rate * days)) / dropout

    factor = 1.0 / (1.0 + clv.monthly_rate(annual_rate))
    discounted = np.zeros(len(customers))
    previous = np.zeros(len(customers))
    for month in range(1, months + 1):
        current = cumulative(month * clv.WEEKS_PER_MONTH * 7)
        discounted += (current - previous) * factor**month
        previous = current
    customers["alive"] = alive
    customers["expected"] = cumulative(horizon_days)
    customers["discounted"] = discounted
    customers["lost"] = alive * (1.0 - np.exp(-dropout * rate * lost_within_days))
    customers["spend"] = np.where(
        customers["total"] > 0, customers["total"] / customers["occasions"].clip(lower=1), 0.0
    )
