"""Starting points of the maximum-likelihood fits."""

import numpy as np


def usable_start(start, size):
    """A warm start (last run's estimates) is usable when it holds ``size`` finite, positive values."""
    if start is None:
        return False
    start = np.asarray(start, dtype=float)
    return start.shape == (size,) and bool(np.all(np.isfinite(start)) and np.all(start > 0))
