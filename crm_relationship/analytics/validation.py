"""Holdout validation of the value models: predictions made on the calibration period against what the
customers did in the holdout period, column-wise over all customers."""

import numpy as np
import pandas as pd

from . import bgnbd

# Repeat purchases in calibration from which customers share one group in the comparison (7+).
TOP_BUCKET = 7


def compare(x, predicted, actual, expected_spend, holdout_amount):
    """Summary figures and per-bucket lines of a holdout comparison.

    ``x`` repeat purchases in calibration, ``predicted`` and ``actual`` purchases in the holdout,
    ``expected_spend`` the expected spend per purchase, ``holdout_amount`` what was spent in the
    holdout. Returns (summary dict, lines frame with kind, bucket, customer_count, and series
    ("predicted" or "actual") with its value: a row per series, which a chart sets side by side).
    """
    x, predicted, actual = (np.asarray(v, dtype=float) for v in (x, predicted, actual))
    expected_spend, holdout_amount = np.asarray(expected_spend, dtype=float), np.asarray(holdout_amount, dtype=float)
    total_predicted, total_actual = float(predicted.sum()), float(actual.sum())
    buyers = actual > 0
    actual_spend = np.divide(holdout_amount, actual, out=np.zeros_like(actual), where=buyers)
    summary = {
        "predicted_repeat": total_predicted,
        "actual_repeat": total_actual,
        "error_percent": (total_predicted - total_actual) / total_actual * 100 if total_actual else 0.0,
        "mae": float(np.abs(predicted - actual).mean()) if len(x) else 0.0,
        "predicted_spend": float(expected_spend[buyers].mean()) if buyers.any() else 0.0,
        "actual_spend": float(actual_spend[buyers].mean()) if buyers.any() else 0.0,
    }
    bucket = np.minimum(x, TOP_BUCKET).astype(int)
    frame = pd.DataFrame({"bucket": bucket, "predicted": predicted, "actual": actual})
    purchases = frame.groupby("bucket").agg(
        customer_count=("actual", "size"), predicted=("predicted", "mean"), actual=("actual", "mean")
    )
    spend_frame = pd.DataFrame({"bucket": bucket, "predicted": expected_spend, "actual": actual_spend})[buyers]
    spend = spend_frame.groupby("bucket").agg(
        customer_count=("actual", "size"), predicted=("predicted", "mean"), actual=("actual", "mean")
    )
    lines = pd.concat([purchases.assign(kind="purchases"), spend.assign(kind="spend")]).reset_index()
    lines = lines.melt(
        id_vars=["kind", "bucket", "customer_count"], value_vars=["predicted", "actual"], var_name="series"
    )
    return summary, lines.sort_values(["kind", "bucket", "series"], ascending=[True, True, False], ignore_index=True)


def weekly_cumulative(params, weeks, x, t_x, T, actual_by_week):
    """Cumulative repeat purchases of the calibration customers by the end of each holdout week,
    predicted (BG/NBD's conditional expectation, one vectorised evaluation per week over the distinct
    histories) and actual (``actual_by_week``: purchase occasions indexed by week 1..``weeks``).

    Returns a lines frame like ``compare``'s, of kind "weekly", with the week in ``week``."""
    (kx, kt, kT), counts, inverse = bgnbd.distinct_histories(x, t_x, T)
    pairs = bgnbd.purchase_age_pairs(kx, kT)
    predicted = [
        float(np.dot(bgnbd.expected_purchases(params, week, kx, kt, kT, pairs), counts)) for week in range(1, weeks + 1)
    ]
    actual = pd.Series(actual_by_week, dtype=float).reindex(range(1, weeks + 1), fill_value=0.0).cumsum()
    frame = pd.DataFrame({"week": range(1, weeks + 1), "predicted": predicted, "actual": actual.to_numpy()})
    lines = frame.melt(id_vars=["week"], value_vars=["predicted", "actual"], var_name="series")
    lines = lines.assign(kind="weekly", bucket=0, customer_count=len(inverse))
    return lines.sort_values(["week", "series"], ascending=[True, False], ignore_index=True)


def spend_frequency_correlation(x, m):
    """Pearson correlation of repeat purchases and mean repeat spend among repeat customers, which
    Gamma-Gamma assumes independent; 0 when it cannot be measured."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0)
    if keep.sum() < 3 or np.ptp(x[keep]) == 0 or np.ptp(m[keep]) == 0:
        return 0.0
    return float(np.corrcoef(x[keep], m[keep])[0, 1])
