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


def converged(result, bounds):
    """Whether a scipy OptimizeResult of a minimization within ``bounds`` stands at a minimum.

    With tolerances this tight, a start already at the optimum (last night's estimates on unchanged
    data) can end in a failed line search: no step lowers the objective any further within rounding.
    That is a minimum too when the gradient is negligible next to the objective, leaving out the
    components that push against a bound (a tiny customer base drives some parameters there).
    """
    if result.success:
        return True
    if result.jac is None or not np.isfinite(result.fun):
        return False
    low, high = np.asarray(bounds, dtype=float).T
    gradient = np.where(
        ((result.x <= low + 1e-8) & (result.jac > 0)) | ((result.x >= high - 1e-8) & (result.jac < 0)), 0.0, result.jac
    )
    return bool(np.max(np.abs(gradient)) <= 1e-6 * max(1.0, abs(result.fun)))


def best_minimum(minimize_from, starts, bounds, warm_start=None):
    """The best of ``minimize_from(start)`` (a scipy OptimizeResult): from ``warm_start`` alone when it is
    usable and converges, otherwise from every cold start in ``starts``: the lowest of the minima that
    converged, or the lowest of all when none did."""
    best = minimize_from(warm_start) if usable_start(warm_start, len(starts[0])) else None
    best_converged = best is not None and converged(best, bounds)
    if not best_converged:
        for start in starts:
            result = minimize_from(start)
            result_converged = converged(result, bounds)
            if best is None or (result_converged, -result.fun) > (best_converged, -best.fun):
                best, best_converged = result, result_converged
    return best
