"""Customer lifetime value: the discounted expected margin over a horizon (Fader, Hardie & Lee, 2005,
"RFM and CLV"; Fader & Hardie, "Discounted expected transactions").

Month ``k`` of the horizon holds ``E(k) - E(k - 1)`` expected purchases, ``E(t)`` being BG/NBD's
cumulative expected purchases in the next ``t`` weeks; each is worth the Gamma-Gamma expected spend
times the gross margin, and is discounted by ``(1 + d) ** k`` with ``d`` the monthly rate equivalent
to the annual one.
"""

import numpy as np

from . import bgnbd

WEEKS_PER_MONTH = 365.25 / 12 / 7


def monthly_rate(annual_rate):
    """The monthly discount rate that compounds to ``annual_rate`` over twelve months."""
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


def discounted_purchases(params, months, annual_rate, x, t_x, T):
    """Each customer's expected purchases of the next ``months`` months, each month discounted: one
    vectorised evaluation per month of the horizon, over the distinct histories (customers with the
    same days of first and last purchase and the same count share one)."""
    (kx, kt, kT), _counts, inverse = bgnbd.distinct_histories(x, t_x, T)
    if not len(inverse):
        return np.zeros(0)
    factor = 1.0 / (1.0 + monthly_rate(annual_rate))
    total = np.zeros(len(kx))
    previous = np.zeros_like(total)
    pairs = bgnbd.purchase_age_pairs(kx, kT)
    for month in range(1, months + 1):
        cumulative = bgnbd.expected_purchases(params, month * WEEKS_PER_MONTH, kx, kt, kT, pairs)
        total += (cumulative - previous) * factor**month
        previous = cumulative
    return total[inverse]


def lifetime_value(params, months, annual_rate, margin, x, t_x, T, spend):
    """Discounted expected margin of each customer over ``months`` months (``margin`` and
    ``annual_rate`` as fractions, ``spend`` the expected spend per purchase)."""
    return discounted_purchases(params, months, annual_rate, x, t_x, T) * np.asarray(spend) * margin
