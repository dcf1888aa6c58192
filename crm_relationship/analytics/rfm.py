"""RFM quintile scores and the named segments built on them."""

import numpy as np
import pandas as pd

SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential_loyalist", "Potential Loyalist"),
    ("new", "New"),
    ("promising", "Promising"),
    ("needs_attention", "Needs Attention"),
    ("about_to_sleep", "About to Sleep"),
    ("at_risk", "At Risk"),
    ("cannot_lose", "Cannot Lose Them"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]


def quintile(values, ascending=True):
    """Scores 1..5 by rank (ties share their average rank); robust to few or equal values."""
    ranks = pd.Series(values).rank(method="average", pct=True, ascending=ascending)
    return np.clip(np.ceil(ranks.to_numpy() * 5), 1, 5).astype(int)


def scores(recency_days, frequency, monetary):
    """R (recent is high), F and M scores as three integer arrays."""
    return quintile(recency_days, ascending=False), quintile(frequency), quintile(monetary)


def segment(r_score, f_score, m_score):
    """Named segment from R and the rounded mean of F and M (the usual 5 by 5 segment grid)."""
    r = np.asarray(r_score)
    fm = np.floor((np.asarray(f_score) + np.asarray(m_score)) / 2 + 0.5).astype(int)
    conditions = [
        (r == 5) & (fm >= 4),
        (r >= 3) & (r <= 4) & (fm >= 4),
        (r <= 2) & (fm == 5),
        (r <= 2) & (fm >= 3),
        (r == 1) & (fm == 1),
        (r <= 2),
        (r == 3) & (fm <= 2),
        (r == 3),
        (r == 4) & (fm == 1),
        (r == 5) & (fm == 1),
    ]
    choices = [
        "champions",
        "loyal",
        "cannot_lose",
        "at_risk",
        "lost",
        "hibernating",
        "about_to_sleep",
        "needs_attention",
        "promising",
        "new",
    ]
    return np.select(conditions, choices, default="potential_loyalist")
