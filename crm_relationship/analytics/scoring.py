"""The relationship scores of the analysed customers, column-wise on pandas frames.

A frame holds one row per customer entity, indexed by partner id, with the columns that
``store.read_customers`` reads; the functions here add or derive columns from it. The figures that
need the whole customer base (quintiles, value ranks) come first, those of a chunk of customers
(attitude, segment, stage, quadrant, health) afterwards.
"""

import numpy as np
import pandas as pd

from . import rfm, shrunk

# Weeks ahead of the expected purchases and the customer value.
HORIZON_WEEKS = 52
# The loyalty quadrant's cut-offs: attitude is high from here, patronage needs this probability still active.
ATTITUDE_HIGH = 0.6
PATRONAGE_ALIVE = 0.5


def purchase_history(customers):
    """Repeat purchases, the week of the last purchase and the customer's age in weeks: the inputs of
    BG/NBD (and of Gamma-Gamma, the repeat purchases)."""
    x = (customers["occasions"] - 1).to_numpy(dtype=float)
    t_x = customers["span_days"].to_numpy(dtype=float) / 7.0
    T = customers["age_days"].to_numpy(dtype=float) / 7.0
    return x, t_x, T


def assume_recent_alive(customers):
    """Without a BG/NBD fit: customers who bought within a year are alive, and nobody is expected back."""
    customers["alive"] = np.where(customers["recency_days"] <= 365, 1.0, 0.0)
    customers["expected"] = 0.0
    customers["discounted"] = 0.0


def mean_spend(customers):
    """The mean spend per purchase occasion of the customers who spent something."""
    return float(customers.loc[customers["total"] > 0, "total"].sum()) / max(
        int(customers.loc[customers["total"] > 0, "occasions"].sum()), 1
    )


def score_customer_base(customers, margin):
    """Customer value, quintile scores and the rank of each customer's value, which need every customer
    at once. Returns the frame without the columns no longer needed, and the purchase occasions from
    which a customer counts as frequent.

    ``clv`` is the revenue of the next 52 weeks; ``lifetime`` the discounted margin of the horizon
    (``discounted`` purchases times spend times the gross ``margin``), which ranks the customers."""
    # Customers who took back at least what they paid (refunds larger than purchases) are worth nothing.
    customers.loc[customers["total"] <= 0, "spend"] = 0.0
    customers["clv"] = customers["expected"] * customers["spend"]
    customers["lifetime"] = customers["discounted"] * customers["spend"] * margin
    r, f, m = rfm.scores(customers["recency_days"], customers["occasions"], customers["total"])
    customers["r"], customers["f"], customers["m"] = r.astype(np.int8), f.astype(np.int8), m.astype(np.int8)
    customers["value_rank"] = customers["lifetime"].rank(pct=True, method="average").fillna(0)
    repeat_occasions = customers.loc[customers["occasions"] >= 2, "occasions"]
    frequent_from = max(2.0, float(repeat_occasions.median() if len(repeat_occasions) else 2))
    customers["gap"] = shrunk.usual_gap_days(customers)
    return customers.drop(columns=["repeat_mean", "orders", "span_days"]), frequent_from


def health_weights(weights):
    """The four health weights scaled to sum to 1 (equal when none is positive)."""
    weights = np.array(weights)
    return weights / weights.sum() if weights.sum() > 0 else np.full(4, 0.25)


def score_relationship(customers, frequent_from, weights):
    """Segment, lifecycle stage, attitude, loyalty quadrant and the weighted health score of a chunk of
    customers, column-wise. ``frequent_from`` (purchase occasions that count as frequent) and the
    customers' ``value_rank`` come from the whole customer base."""
    customers["segment"] = rfm.segment(customers["r"], customers["f"], customers["m"])
    recency = customers["recency_days"]
    age_days = customers["age_days"]
    alive = customers["alive"]
    customers["stage"] = np.select(
        [
            age_days <= 90,
            (recency <= 180) & (customers["max_gap_days"] > 365),
            (recency <= 180) & (alive >= 0.5),
            (recency > 365) | (alive < 0.2),
        ],
        ["new", "won_back", "active", "lapsed"],
        default="at_risk",
    )

    # Attitude 0..1: the latest NPS answer and the mean complaint rating, neutral without data.
    nps_part = customers["nps"].astype(float) / 10.0
    rating_part = (customers["rating"].astype(float) - 1.0) / 4.0
    attitude = pd.concat([nps_part, rating_part], axis=1).mean(axis=1, skipna=True).fillna(0.5)
    attitude = attitude - 0.1 * customers["open_complaints"].clip(upper=3)
    customers["attitude"] = attitude.clip(0, 1)

    high_patronage = (customers["occasions"] >= frequent_from) & (alive >= PATRONAGE_ALIVE)
    high_attitude = customers["attitude"] >= ATTITUDE_HIGH
    customers["quadrant"] = np.select(
        [high_attitude & high_patronage, high_attitude, high_patronage], ["true", "latent", "spurious"], "none"
    )

    complaints = 1 - (0.5 * customers["open_complaints"] + 0.1 * customers["complaints"]).clip(upper=1)
    parts = np.column_stack([customers["value_rank"], alive, customers["attitude"], complaints]) * weights * 100
    customers["health_value"], customers["health_retention"] = parts[:, 0], parts[:, 1]
    customers["health_satisfaction"], customers["health_complaints"] = parts[:, 2], parts[:, 3]
    customers["health"] = parts.sum(axis=1)


def metric_rows(customers, company_id):
    """The figures (``store.METRIC_COLUMNS``) of a slice of scored customers, by partner id, rounded as
    stored, marked with the analysing company."""
    return pd.DataFrame(
        {
            "partner_id": customers.index.astype(int),
            "rfm_recency": customers["recency_days"].astype(int),
            "rfm_frequency": customers["occasions"].astype(int),
            "rfm_monetary": customers["total"].round(2),
            "rfm_r_score": customers["r"].astype(int),
            "rfm_f_score": customers["f"].astype(int),
            "rfm_m_score": customers["m"].astype(int),
            "rfm_segment": customers["segment"],
            "clv_expected_purchases": customers["expected"].round(4),
            "clv_value": customers["clv"].round(2),
            "lifetime_value": customers["lifetime"].round(2),
            "value_rank": customers["value_rank"].round(4),
            "clv_probability_alive": customers["alive"].round(4),
            "lifecycle_stage": customers["stage"],
            "loyalty_quadrant": customers["quadrant"],
            "attitude": customers["attitude"].round(4),
            "health": customers["health"].round(1),
            "health_value_points": customers["health_value"].round(1),
            "health_retention_points": customers["health_retention"].round(1),
            "health_satisfaction_points": customers["health_satisfaction"].round(1),
            "health_complaint_points": customers["health_complaints"].round(1),
            "company_id": company_id,
            "age_days": customers["age_days"].astype(int),
            "usual_gap_days": customers["gap"].round(1),
            "longest_gap_days": customers["max_gap_days"].astype(int),
            "clv_spend": customers["spend"].round(2),
            "clv_discounted_purchases": customers["discounted"].round(4),
            "figures_rough": customers.get("rough", False),
        }
    )
