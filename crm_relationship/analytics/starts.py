"""Starting points of the maximum-likelihood fits."""

import numpy as np

# L-BFGS-B options, tight enough that every starting point, last night's estimates included, ends on
# the same optimum to more digits than are stored: a re-run on unchanged data then rewrites nothing.
TOLERANCE = {"ftol": 1e-14, "gtol": 1e-9, "maxiter": 500}


def usable_start(start, size):
    """A warm start (last run's estimates) is usable when it holds ``size`` finite, positive values."""
    if start is None:
        return False
    start = np.asarray(start, dtype=float)
    return start.shape == (size,) and bool(np.all(np.isfinite(start)) and np.all(start > 0))


def converged(result):
    """Whether a scipy OptimizeResult stands at a minimum.

    With tolerances this tight, a start already at the optimum (last night's estimates on unchanged
    data) can end in a failed line search: no step lowers the objective any further within rounding.
    That is a minimum too when the gradient is negligible next to the objective.
    """
    if result.success:
        return True
    gradient = np.max(np.abs(result.jac)) if result.jac is not None and len(result.jac) else np.inf
    return bool(np.isfinite(result.fun) and gradient <= 1e-6 * max(1.0, abs(result.fun)))


def best_minimum(minimize_from, starts, warm_start=None):
    """The best of ``minimize_from(start)`` (a scipy OptimizeResult): from ``warm_start`` alone when it is
    usable and converges, otherwise from every cold start in ``starts``, the lowest minimum kept."""
    best = minimize_from(warm_start) if usable_start(warm_start, len(starts[0])) else None
    if best is None or not converged(best):
        for start in starts:
            result = minimize_from(start)
            if best is None or result.fun < best.fun:
                best = result
    return best
