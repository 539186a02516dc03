"""Utility-based evaluation for imbalanced regression.

Metrics that weigh each test sample by the relevance of its true target
(:mod:`skdir.relevance`): SERA (Ribeiro & Moniz, 2020), relevance-weighted
errors, and the utility-based precision, recall and F-score of Torgo and
Ribeiro (2009) as computed by the R package ``uba`` and used in the SMOGN
paper (Branco, Torgo & Ribeiro, 2017).
"""

import math
from numbers import Real

import numpy as np
from scipy.interpolate import PchipInterpolator
from sklearn.base import clone
from sklearn.exceptions import UndefinedMetricWarning

from .._validation import (
    check_relevance_values,
    check_same_length,
    check_target,
    warn_user,
)
from ..bins import check_label_space, is_fitted_space
from ..relevance import LDSRelevance, PhiRelevance

__all__ = [
    "sera",
    "ser_curve",
    "relevance_weighted_mean_absolute_error",
    "relevance_weighted_mean_squared_error",
    "utility_precision_score",
    "utility_recall_score",
    "utility_fbeta_score",
    "utility_f1_score",
]

#: Number of points on which a relevance without control points is sampled
#: to find its bumps (utility metrics only).
_GRID_POINTS = 1025


def _check_pair(y_true, y_pred):
    """Validated 1-D float64 ``y_true`` and ``y_pred`` of one length."""
    y_true = check_target(y_true, name="y_true")
    y_pred = check_target(y_pred, name="y_pred")
    check_same_length(y_true, y_pred, names=("y_true", "y_pred"))
    return y_true, y_pred


# --------------------------------------------------------------- relevance
class _Relevance:
    """A relevance fitted for one evaluation: values and, on demand, bumps.

    ``func`` maps a validated float64 array to relevance values; ``points``
    are the control points ``(y, relevance, slope)`` of a
    :class:`~skdir.relevance.PhiRelevance` (None for other relevances).
    """

    def __init__(self, func, points=None):
        self.func = func
        self.points = points

    def __call__(self, y):
        return check_relevance_values(self.func(y.copy()), y.shape[0])


def _check_relevance_args(relevance, label_space):
    """Validate ``relevance`` and ``label_space`` (before any fitting)."""
    if relevance is None or isinstance(relevance, str):
        if relevance not in (None, "phi", "lds"):
            raise ValueError(
                f"relevance must be 'phi', 'lds', None, a relevance estimator "
                f"(fit/transform) or a callable y -> relevance, got {relevance!r}."
            )
    elif not callable(relevance) and not (
        hasattr(relevance, "fit") and hasattr(relevance, "transform")
    ):
        raise TypeError(
            "relevance must be 'phi', 'lds', None, a relevance estimator "
            f"(fit/transform) or a callable y -> relevance, got "
            f"{type(relevance).__name__}."
        )
    check_label_space(label_space)
    is_lds = isinstance(relevance, str) and relevance == "lds"
    if label_space is not None and not is_lds:
        raise ValueError(
            f"label_space has no effect with relevance={relevance!r}: only "
            "relevance='lds' reads it. Leave label_space=None, or use "
            "relevance='lds'."
        )


def _needs_targets(relevance, label_space):
    """Whether ``relevance`` is fitted on targets (False: used as given).

    A callable, ``"lds"`` with a fitted label space, a ``PhiRelevance`` with
    control points and an ``LDSRelevance`` of a fitted label space do not
    depend on the targets they would be fitted on.
    """
    if isinstance(relevance, str) and relevance == "lds":
        return not is_fitted_space(label_space)
    if relevance is None or isinstance(relevance, str):
        return True
    if isinstance(relevance, PhiRelevance):
        return relevance.control_points is None
    if isinstance(relevance, LDSRelevance):
        return not is_fitted_space(relevance.label_space)
    return hasattr(relevance, "fit") and hasattr(relevance, "transform")


#: What ``fit`` gets when the relevance ignores its targets (see
#: :func:`_needs_targets`).
_IGNORED_TARGETS = np.zeros(1)


def _fit_relevance(relevance, label_space, y_fit):
    """The :class:`_Relevance` of the arguments, fitted on ``y_fit``.

    ``y_fit`` is a validated float64 array, or None when
    :func:`_needs_targets` is False.
    """
    y_fit = _IGNORED_TARGETS if y_fit is None else y_fit
    if relevance is None or (isinstance(relevance, str) and relevance == "phi"):
        model = PhiRelevance().fit(y_fit)
    elif isinstance(relevance, str):  # "lds"
        model = LDSRelevance(label_space=label_space).fit(y_fit)
    elif hasattr(relevance, "fit") and hasattr(relevance, "transform"):
        model = clone(relevance).fit(y_fit)
    else:
        owner = getattr(relevance, "__self__", None)
        points = None
        if (isinstance(owner, PhiRelevance) and hasattr(owner, "control_points_")
                and getattr(relevance, "__name__", "") == "transform"):
            points = owner.control_points_  # the transform of a fitted PhiRelevance
        return _Relevance(relevance, points)
    points = getattr(model, "control_points_", None) if isinstance(
        model, PhiRelevance
    ) else None
    return _Relevance(model.transform, points)


def _relevance_of(y_true, relevance, label_space):
    """The relevance of the arguments fitted on ``y_true`` (functions)."""
    _check_relevance_args(relevance, label_space)
    return _fit_relevance(relevance, label_space, y_true)


# -------------------------------------------------------------------- SERA
def _check_step(step, allow_none=True):
    if step is None and allow_none:
        return None
    if (
        isinstance(step, bool)
        or not isinstance(step, Real)
        or not np.isfinite(step)
        or not 0 < step <= 1
    ):
        raise ValueError(
            f"step must be a number in (0, 1]{' or None' if allow_none else ''}, "
            f"got {step!r}."
        )
    return float(step)


def _grid(step):
    """The thresholds ``0, step, 2 step, ...`` up to 1, as R's ``seq(0, 1, step)``."""
    n = int(1.0 / step + 1e-10)
    return np.arange(n + 1) * step


def _ser_on_grid(phi, sq_err, thresholds):
    """``SER_t`` at sorted ``thresholds``: the sum of ``sq_err`` where ``phi >= t``.

    ``c_i``, the number of thresholds ``<= phi_i``, is found by a sorted search
    of each ``phi_i`` among the thresholds; the squared errors summed per
    ``c_i`` and accumulated from the top give every ``SER_t`` at once, in
    ``O(n log K + K)`` for ``n`` samples and ``K`` thresholds.
    """
    count = np.searchsorted(thresholds, phi, side="right")
    per = np.bincount(count, weights=sq_err, minlength=thresholds.size + 1)
    # SER at threshold k (0-based) is the sum over samples with count >= k + 1.
    return np.cumsum(per[::-1])[::-1][1:]


def _sera(phi, sq_err, step):
    """SERA of validated relevance and squared errors (see :func:`sera`)."""
    if step is None:
        return float(np.dot(phi, sq_err))
    thresholds = _grid(step)
    ser = _ser_on_grid(phi, sq_err, thresholds)
    # Trapezoid rule with the constant step of the reference implementation.
    return float(step * (ser[:-1] + ser[1:]).sum() / 2), thresholds, ser


def sera(y_true, y_pred, *, relevance=None, label_space=None, step=0.001,
         return_curve=False):
    """Squared error-relevance area (SERA) of Ribeiro and Moniz (2020).

    For a relevance threshold ``t`` in [0, 1], ``SER_t`` is the sum of the
    squared errors of the samples whose true target has relevance
    ``phi(y_true) >= t``; SERA is the area under this curve,

    .. math::

        \\mathrm{SERA} = \\int_0^1 \\mathrm{SER}_t \\, dt
        = \\int_0^1 \\sum_{i:\\ \\phi(y_i) \\ge t} (\\hat y_i - y_i)^2 \\, dt .

    Every sample counts once at ``t = 0`` (``SER_0`` is the sum of squared
    errors) and the most relevant ones count the longest, so a model is
    rewarded for being accurate on relevant targets without ignoring the
    others. Lower is better; 0 for perfect predictions.

    With ``step`` (default), the integral is the trapezoid rule on the
    thresholds ``0, step, 2 step, ..., 1`` as the function ``sera`` of the
    authors' R package IRon (``th = seq(0, 1, step)``, ``SER_t`` with
    ``phi >= t``). As a sample is counted on the thresholds up to its
    relevance, this equals ``sum_i w_i e_i^2`` with ``c_i`` the number of
    thresholds ``<= phi_i`` and ``w_i = step (c_i - 1/2)``, or ``step K`` when
    ``phi_i`` reaches the last of the ``K + 1`` thresholds. With
    ``step=None`` the exact integral is returned: a sample is counted for all
    ``t <= phi_i``, so

    .. math::

        \\mathrm{SERA} = \\sum_i \\phi(y_i) \\, (\\hat y_i - y_i)^2 ,

    which the trapezoid value approaches within ``step / 2`` times the sum of
    squared errors when ``step`` divides 1 (otherwise within ``1 - K step``
    times it, if that is larger, as the thresholds stop at ``K step < 1``).

    The computation is vectorised: each relevance is located among the
    thresholds by a sorted search and the squared errors are accumulated from
    the highest threshold down (no loop over thresholds or samples).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    relevance : {"phi", "lds"}, estimator, callable or None, default=None
        Relevance of the true targets, in [0, 1]. None or ``"phi"``:
        :class:`~skdir.relevance.PhiRelevance()` fitted on ``y_true`` (the
        box-plot relevance of the reference code); ``"lds"``:
        :class:`~skdir.relevance.LDSRelevance` of ``label_space`` fitted on
        ``y_true``; a relevance estimator (``fit``/``transform``, such as
        ``PhiRelevance(extremes="high")``) is cloned and fitted on ``y_true``;
        a callable ``y -> relevance`` is used as it is (for instance the
        ``transform`` of a relevance fitted on training targets). To score
        a test set with the relevance of the training targets, pass such a
        callable, or use :func:`make_utility_scorer`, which fits it on the
        training fold.
    label_space : LabelSpace, default=None
        The bins of ``relevance="lds"`` (rejected otherwise); a fitted one is
        used as given.
    step : float in (0, 1] or None, default=0.001
        Spacing of the thresholds of the trapezoid rule; None for the exact
        integral.
    return_curve : bool, default=False
        Also return the thresholds and ``SER_t`` (requires a ``step``).

    Returns
    -------
    sera : float
        Non-negative; lower is better.
    thresholds : ndarray of shape (n_thresholds,)
        Only with ``return_curve=True``.
    ser : ndarray of shape (n_thresholds,)
        ``SER_t`` at each threshold, non-increasing; only with
        ``return_curve=True``.

    See Also
    --------
    ser_curve : ``SER_t`` at any thresholds.
    make_utility_scorer : SERA as a scorer, with the relevance of the
        training fold.

    References
    ----------
    R. P. Ribeiro and N. Moniz, "Imbalanced regression and extreme value
    prediction", *Machine Learning* 109, 2020 (SERA); the IRon package,
    https://github.com/nunompmoniz/IRon.

    Examples
    --------
    >>> from skdir.metrics import sera
    >>> phi = lambda y: y / 10  # relevance 0.0, 0.5 and 1.0 below
    >>> # squared errors 1, 4 and 1 -> exact SERA 0 * 1 + 0.5 * 4 + 1 * 1
    >>> sera([0, 5, 10], [1, 3, 9], relevance=phi, step=None)
    3.0
    >>> # thresholds 0, 0.5, 1: SER 6, 5, 1 -> 0.5 (6 + 5) / 2 + 0.5 (5 + 1) / 2
    >>> sera([0, 5, 10], [1, 3, 9], relevance=phi, step=0.5)
    4.25
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    step = _check_step(step)
    if not isinstance(return_curve, (bool, np.bool_)):
        raise TypeError(f"return_curve must be a bool, got {return_curve!r}.")
    if return_curve and step is None:
        raise ValueError(
            "return_curve=True needs the thresholds of a step; step=None gives "
            "the exact integral only. Use ser_curve for SER_t at any thresholds."
        )
    phi = _relevance_of(y_true, relevance, label_space)(y_true)
    result = _sera(phi, (y_true - y_pred) ** 2, step)
    if step is None:
        return result
    return result if return_curve else result[0]


def ser_curve(y_true, y_pred, *, relevance=None, label_space=None, thresholds=None):
    """``SER_t``: the squared errors of the samples with relevance ``>= t``.

    See :func:`sera`, the area under this curve.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    relevance : {"phi", "lds"}, estimator, callable or None, default=None
        As in :func:`sera`.
    label_space : LabelSpace, default=None
        As in :func:`sera`.
    thresholds : array-like of shape (n_thresholds,), default=None
        Relevance thresholds in [0, 1], in any order. None means
        ``0, 0.001, ..., 1``.

    Returns
    -------
    thresholds : ndarray of shape (n_thresholds,)
        The thresholds, as given.
    ser : ndarray of shape (n_thresholds,)
        ``SER_t`` at each threshold.

    Examples
    --------
    >>> from skdir.metrics import ser_curve
    >>> t, ser = ser_curve([0, 5, 10], [1, 3, 9], relevance=lambda y: y / 10,
    ...                    thresholds=[0, 0.5, 0.6, 1])
    >>> ser
    array([6., 5., 1., 1.])
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    if thresholds is None:
        thresholds = _grid(0.001)
    else:
        thresholds = check_target(thresholds, name="thresholds")
        if thresholds.min() < 0 or thresholds.max() > 1:
            raise ValueError("thresholds must lie in [0, 1].")
    phi = _relevance_of(y_true, relevance, label_space)(y_true)
    order = np.argsort(thresholds, kind="stable")
    ser = np.empty(thresholds.size)
    ser[order] = _ser_on_grid(phi, (y_true - y_pred) ** 2, thresholds[order])
    return thresholds, ser


# ------------------------------------------------- relevance-weighted errors
def _weighted_error(phi, err):
    total = phi.sum()
    if total == 0:
        warn_user(
            "Every true target has relevance 0; the relevance-weighted error "
            "is NaN.",
            UndefinedMetricWarning,
        )
        return np.nan
    return float(np.dot(phi, err) / total)


def relevance_weighted_mean_absolute_error(y_true, y_pred, *, relevance=None,
                                           label_space=None):
    """Mean absolute error weighted by the relevance of the true targets.

    ``sum_i phi(y_i) |y_i - yhat_i| / sum_i phi(y_i)``: the errors on
    relevant (rare) targets count, those on targets of relevance 0 do not.
    This is scikit-learn's ``mean_absolute_error`` with
    ``sample_weight=phi(y_true)``, as ``phi_weighted_mae`` of the Python
    package ``imbalance-metrics``. NaN, with an
    :class:`~sklearn.exceptions.UndefinedMetricWarning`, when every true
    target has relevance 0.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    relevance : {"phi", "lds"}, estimator, callable or None, default=None
        As in :func:`sera` (None: ``PhiRelevance()`` fitted on ``y_true``).
    label_space : LabelSpace, default=None
        The bins of ``relevance="lds"``.

    Returns
    -------
    error : float
        Non-negative; lower is better.

    Examples
    --------
    >>> from skdir.metrics import relevance_weighted_mean_absolute_error
    >>> # relevance 0, 0.5 and 1; absolute errors 1, 2 and 1 -> (1 + 1) / 1.5
    >>> relevance_weighted_mean_absolute_error(
    ...     [0, 5, 10], [1, 3, 9], relevance=lambda y: y / 10)
    1.3333333333333333
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    phi = _relevance_of(y_true, relevance, label_space)(y_true)
    return _weighted_error(phi, np.abs(y_true - y_pred))


def relevance_weighted_mean_squared_error(y_true, y_pred, *, relevance=None,
                                          label_space=None):
    """Mean squared error weighted by the relevance of the true targets.

    ``sum_i phi(y_i) (y_i - yhat_i)^2 / sum_i phi(y_i)``; see
    :func:`relevance_weighted_mean_absolute_error`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    relevance : {"phi", "lds"}, estimator, callable or None, default=None
        As in :func:`sera`.
    label_space : LabelSpace, default=None
        The bins of ``relevance="lds"``.

    Returns
    -------
    error : float
        Non-negative; lower is better.

    Examples
    --------
    >>> from skdir.metrics import relevance_weighted_mean_squared_error
    >>> # relevance 0, 0.5 and 1; squared errors 1, 4 and 1 -> (2 + 1) / 1.5
    >>> relevance_weighted_mean_squared_error(
    ...     [0, 5, 10], [1, 3, 9], relevance=lambda y: y / 10)
    2.0
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    phi = _relevance_of(y_true, relevance, label_space)(y_true)
    return _weighted_error(phi, (y_true - y_pred) ** 2)


# ------------------------------------------------------- utility surface
def _turning_points(x, r):
    """Positions and values where a sampled relevance is flat or turns.

    Runs of equal consecutive values become one point at their mean
    position, but for a run at either end of the range, taken at its inner
    end; of the remaining sequence, the ends and the local extrema are kept
    (the points where the relevance has slope 0).
    """
    starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
    ends = np.r_[starts[1:], x.size] - 1
    position = np.add.reduceat(x, starts) / (ends - starts + 1)
    # A run at an end of the range goes on beyond it (the relevance is
    # constant past the outermost points): it starts where the run begins.
    position[0], position[-1] = x[ends[0]], x[starts[-1]]
    x, r = position, r[starts]
    if r.size <= 2:
        return x, r
    d = np.diff(r)
    turn = np.r_[True, np.sign(d[1:]) != np.sign(d[:-1]), True]
    return x[turn], r[turn]


def _critical_points(rel, y_range):
    """The critical points ``(x, relevance)`` of a relevance, sorted by x.

    For a :class:`~skdir.relevance.PhiRelevance` these are its control points
    with slope 0, as in ``uba`` (with two-column user points, the ends and
    the interior points where the PCHIP slope is 0). Any other relevance is
    sampled on a uniform grid over ``y_range`` and its turning points are
    taken (:func:`_turning_points`).
    """
    pts = rel.points
    if pts is not None:
        x, r, slope = pts[:, 0], pts[:, 1], pts[:, 2]
        if np.isnan(slope[0]):  # PCHIP points: slopes of the interpolant
            slope = PchipInterpolator(x, r).derivative()(x)
            slope[[0, -1]] = 0.0
        flat = np.abs(slope) <= 1e-12
        return x[flat], r[flat]
    lo, hi = y_range
    grid = np.linspace(lo, hi, _GRID_POINTS) if hi > lo else np.array([lo])
    return _turning_points(grid, rel(grid))


def _loss_tolerance(y):
    """Cherkassky and Ma's loss tolerance, as ``uba::loss.control(y)``."""
    n = y.size
    if n < 2:
        return 0.0
    dev = np.abs(np.mean(y) - y)
    return float(3 * np.std(dev, ddof=1) * math.sqrt(math.log(n) / n))


def _bumps(x, r, tloss):
    """The bumps of ``uba`` (``bumps_set`` of its C code) from critical points.

    A bump runs from a minimum of the relevance (``left``) over a maximum
    (``peak``) to the next minimum; ``loss`` is its loss tolerance, twice the
    distance between its peak and the nearer neighbouring minimum. Critical
    points of equal relevance in a row count as one, at their mean position.
    Returns ``left``, ``peak`` and ``loss`` arrays, one entry per bump, the
    first bump starting at minus infinity.
    """
    size = x.size + 2
    left = np.zeros(size)
    peak = np.zeros(size)
    loss = np.zeros(size)
    left[0] = peak[0] = -np.inf
    loss[0] = np.inf
    n_bumps, in_bump = 0, True
    total, count = x[0], 1
    for k in range(x.size - 1):  # over critical points, a handful
        d = r[k + 1] - r[k]
        if d == 0:
            total += x[k + 1]
            count += 1
            continue
        if d < 0 and in_bump:
            peak[n_bumps] = total / count
            if np.isfinite(peak[n_bumps]) and np.isfinite(left[n_bumps]):
                loss[n_bumps] = abs(peak[n_bumps] - left[n_bumps])
            in_bump = False
        elif d > 0 and (not in_bump or not n_bumps):
            n_bumps += 1
            left[n_bumps] = total / count
            if np.isfinite(peak[n_bumps - 1]):
                gap = abs(peak[n_bumps - 1] - left[n_bumps])
                loss[n_bumps - 1] = 2 * min(gap, loss[n_bumps - 1])
            in_bump = True
        total, count = x[k + 1], 1
    if n_bumps > 0:
        if in_bump:
            peak[n_bumps] = total / count
            if np.isfinite(left[n_bumps]):
                loss[n_bumps] = 2 * abs(peak[n_bumps] - left[n_bumps])
        else:
            n_bumps += 1
            left[n_bumps] = total / count
            peak[n_bumps] = np.inf
            if np.isfinite(peak[n_bumps - 1]):
                gap = abs(peak[n_bumps - 1] - left[n_bumps])
                loss[n_bumps - 1] = 2 * min(gap, loss[n_bumps - 1])
        if not np.isfinite(peak[0]):
            loss[0] = loss[1]
        if not np.isfinite(peak[n_bumps]):
            loss[n_bumps] = loss[n_bumps - 1]
    else:  # no rising relevance: uba's standard-regression tolerance
        loss[0] = tloss
    n_bumps += 1
    return left[:n_bumps], peak[:n_bumps], loss[:n_bumps]


def _at(values, index, valid, y):
    """``|y - values[index]|`` where ``valid`` and finite, else infinity."""
    picked = values[np.clip(index, 0, values.size - 1)]
    ok = valid & np.isfinite(picked)
    return np.where(ok, np.abs(y - np.where(ok, picked, 0.0)), np.inf)


def _utility(y, y_hat, phi_y, phi_hat, bumps, p):
    """Utility of each prediction on uba's linear benefit/cost surface."""
    left, peak, loss = bumps
    n = left.size
    i = np.maximum(np.searchsorted(left, y, side="right") - 1, 0)
    under = y_hat <= y
    # Benefit tolerance: up to the edge of the bump holding y.
    to_edge = np.where(under, _at(left, i, i > 0, y),
                       _at(left, i + 1, i + 1 < n, y))
    lb = np.minimum(to_edge, loss[i])
    # Cost tolerance: up to the peak of the neighbouring bump.
    to_peak = np.where(under, _at(peak, i - 1, i > 0, y),
                       _at(peak, i + 1, i + 1 < n, y))
    lc = np.minimum(to_peak, loss[i])
    err = np.abs(y - y_hat)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        benefit = np.where((lb == 0) | (err > lb), 0.0, 1.0 - err / lb)
        cost = np.where((lc == 0) | (err > lc), 1.0, err / lc)
    joint = p * phi_y + (1 - p) * phi_hat
    return phi_y * benefit - joint * cost


def _check_threshold(threshold):
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, Real)
        or not 0 < threshold <= 1
    ):
        raise ValueError(f"threshold must be a number in (0, 1], got {threshold!r}.")
    return float(threshold)


def _check_p(p):
    if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p <= 1:
        raise ValueError(f"p must be a number in [0, 1], got {p!r}.")
    return float(p)


def _check_beta(beta):
    if (
        isinstance(beta, bool)
        or not isinstance(beta, Real)
        or not np.isfinite(beta)
        or beta < 0
    ):
        raise ValueError(f"beta must be a finite number >= 0, got {beta!r}.")
    return float(beta)


def _check_zero_division(zero_division):
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return zero_division
    elif isinstance(zero_division, Real) and not isinstance(zero_division, bool) and (
        zero_division in (0, 1) or np.isnan(zero_division)
    ):
        return float(zero_division)
    raise ValueError(
        f"zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}."
    )


def _utility_parts(y_true, y_pred, rel, threshold, p):
    """Numerators and denominators of utility precision and recall."""
    phi_y, phi_hat = rel(y_true), rel(y_pred)
    both = np.r_[y_true, y_pred]
    x, r = _critical_points(rel, (both.min(), both.max()))
    if x.size == 0:
        raise ValueError(
            "the relevance has no point of slope 0, so its bumps (and the "
            "utility surface) are undefined; give control points with slope 0."
        )
    bumps = _bumps(x, r, _loss_tolerance(y_true))
    gain = 1.0 + _utility(y_true, y_pred, phi_y, phi_hat, bumps, p)
    pred_pos = phi_hat >= threshold
    true_pos = phi_y >= threshold
    return (
        (gain[pred_pos].sum(), (1.0 + phi_hat[pred_pos]).sum(), pred_pos.any()),
        (gain[true_pos].sum(), (1.0 + phi_y[true_pos]).sum(), true_pos.any()),
    )


def _ratio(part, zero_division, what):
    num, den, defined = part
    if defined:
        return float(num / den)
    if zero_division == "warn":
        warn_user(
            f"No {what} has relevance >= threshold; its utility-based score is "
            "set to 0.0. Use zero_division to choose another value.",
            UndefinedMetricWarning,
        )
        return 0.0
    return zero_division


def _fbeta(precision, recall, beta):
    if np.isnan(precision) or np.isnan(recall):
        return np.nan
    if precision == 0 or recall == 0:
        return 0.0
    b2 = beta * beta
    return float((1 + b2) * precision * recall / (b2 * precision + recall))


def _utility_scores(y_true, y_pred, rel, threshold, p, zero_division, which, beta=1.0):
    """Utility precision, recall or F-beta from validated inputs."""
    prec_part, rec_part = _utility_parts(y_true, y_pred, rel, threshold, p)
    if which == "precision":
        return _ratio(prec_part, zero_division, "prediction")
    if which == "recall":
        return _ratio(rec_part, zero_division, "true target")
    return _fbeta(_ratio(prec_part, zero_division, "prediction"),
                  _ratio(rec_part, zero_division, "true target"), beta)


_UTILITY_DOC = """
    The utility of predicting ``yhat`` for ``y`` is that of the linear
    benefit/cost surface of Ribeiro (2011) as the R package ``uba``
    (``util``) computes it:

    .. math::

        u(\\hat y, y) = \\phi(y) \\, B(\\hat y, y)
        - \\phi^p(\\hat y, y) \\, C(\\hat y, y), \\qquad
        \\phi^p = p \\, \\phi(y) + (1 - p) \\, \\phi(\\hat y),

    with ``B = max(0, 1 - |y - yhat| / l_B)`` and ``C = min(1, |y - yhat| /
    l_C)``, in [-1, 1]. The loss tolerances come from the *bumps* of the
    relevance (its rises and falls between minima): ``l_B`` reaches up to
    the edge of the bump holding ``y`` (towards the prediction) and ``l_C``
    to the peak of the neighbouring bump, both at most the bump's tolerance,
    twice the distance from its peak to the nearer minimum. A perfect
    prediction has utility ``phi(y)``.

    The relevance decides the bumps: for a
    :class:`~skdir.relevance.PhiRelevance` (the default), or the
    ``transform`` method of a fitted one, they come from its control points
    of slope 0, exactly as in ``uba``; any other relevance (``"lds"``, a
    callable) is sampled on 1025 evenly spaced points between the smallest
    and largest of ``y_true`` and ``y_pred``, and each flat run or turn of
    the samples is a control point of slope 0 (a flat run at its mean
    position, or at its inner end when it reaches an end of that range). A
    relevance that never rises has a single bump whose tolerance is
    Cherkassky and Ma's, ``3 sd(|y - mean(y)|) sqrt(log n / n)`` of
    ``y_true`` (``uba::loss.control``).

    With ``t = threshold``, the utility-based precision and recall are those
    of ``uba`` (its C code, ``umetric="P"``, ``"R"`` and ``"Fm"``; Torgo and
    Ribeiro, 2009; Branco, Torgo and Ribeiro, 2017):

    .. math::

        \\mathrm{prec} = \\frac{\\sum_{\\phi(\\hat y_i) \\ge t} (1 + u_i)}
                             {\\sum_{\\phi(\\hat y_i) \\ge t} (1 + \\phi(\\hat y_i))},
        \\qquad
        \\mathrm{rec} = \\frac{\\sum_{\\phi(y_i) \\ge t} (1 + u_i)}
                            {\\sum_{\\phi(y_i) \\ge t} (1 + \\phi(y_i))},

    and ``F_beta = (1 + beta^2) prec rec / (beta^2 prec + rec)`` (0 when
    either is 0). Both are 1 for perfect predictions. Definitional choices,
    where other implementations differ: the relevance threshold is inclusive
    (``>=``, as ``uba``; the ``UBL`` helpers use ``>``); the numerators run
    over all predicted (true) relevant samples, as ``uba`` does, whereas
    some later code sums only over samples that are relevant both in truth
    and prediction; and where no prediction (true target) is relevant the
    score follows ``zero_division``, as scikit-learn's precision and recall,
    where ``uba`` returns 1e-5.
"""


def _utility_function(which):
    """Shared argument handling of the four utility-based scores."""

    def compute(y_true, y_pred, relevance, label_space, threshold, p, zero_division,
                beta=1.0):
        y_true, y_pred = _check_pair(y_true, y_pred)
        threshold = _check_threshold(threshold)
        p = _check_p(p)
        zero_division = _check_zero_division(zero_division)
        beta = _check_beta(beta)
        rel = _relevance_of(y_true, relevance, label_space)
        return _utility_scores(y_true, y_pred, rel, threshold, p, zero_division,
                               which, beta)

    return compute


_precision = _utility_function("precision")
_recall = _utility_function("recall")
_fscore = _utility_function("fbeta")


def utility_precision_score(y_true, y_pred, *, relevance=None, label_space=None,
                            threshold=0.8, p=0.5, zero_division="warn"):
    return _precision(y_true, y_pred, relevance, label_space, threshold, p,
                      zero_division)


def utility_recall_score(y_true, y_pred, *, relevance=None, label_space=None,
                         threshold=0.8, p=0.5, zero_division="warn"):
    return _recall(y_true, y_pred, relevance, label_space, threshold, p,
                   zero_division)


def utility_fbeta_score(y_true, y_pred, *, beta, relevance=None, label_space=None,
                        threshold=0.8, p=0.5, zero_division="warn"):
    return _fscore(y_true, y_pred, relevance, label_space, threshold, p,
                   zero_division, beta)


def utility_f1_score(y_true, y_pred, *, relevance=None, label_space=None,
                     threshold=0.8, p=0.5, zero_division="warn"):
    return _fscore(y_true, y_pred, relevance, label_space, threshold, p,
                   zero_division, 1.0)


_PARAMS_DOC = """
    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.{beta}
    relevance : {{"phi", "lds"}}, estimator, callable or None, default=None
        Relevance of the targets, as in :func:`sera`; None or ``"phi"``:
        ``PhiRelevance()`` fitted on ``y_true``. It rates both the true and
        the predicted targets.
    label_space : LabelSpace, default=None
        The bins of ``relevance="lds"`` (rejected otherwise).
    threshold : float in (0, 1], default=0.8
        Relevance from which a target is relevant (rare), inclusive.
    p : float in [0, 1], default=0.5
        Weight of the true target's relevance in the cost of a prediction.
    zero_division : {{"warn", 0.0, 1.0, np.nan}}, default="warn"
        The score when no {what} is relevant; "warn" gives 0.0 with an
        :class:`~sklearn.exceptions.UndefinedMetricWarning`.

    Returns
    -------
    score : float
        Greater is better; 1 for perfect predictions.
"""

_EXAMPLE = """
    Examples
    --------
    >>> import numpy as np
    >>> from skdir.metrics import {name}
    >>> y_true = np.r_[np.arange(20.0), 60.0]   # relevance >= 0.8 from 16.5 up
    >>> {name}(y_true, y_true{extra})
    1.0
    >>> # The extreme predicted at 30, beyond the loss tolerance: utility -1.
    >>> y_pred = np.r_[np.arange(20.0), 30.0]
    >>> round({name}(y_true, y_pred{extra}), 4)
    {value}
"""

_SUMMARIES = {
    "utility_precision_score": (
        "Utility-based precision for regression (Torgo & Ribeiro, 2009).",
        "prediction", "", "", "0.7449"),
    "utility_recall_score": (
        "Utility-based recall for regression (Torgo & Ribeiro, 2009).",
        "true target", "", "", "0.7449"),
    "utility_fbeta_score": (
        "Utility-based F-beta score for regression (Torgo & Ribeiro, 2009).",
        "prediction nor true target",
        "\n    beta : float\n        Weight of recall against precision (>= 0).",
        ", beta=2", "0.7449"),
    "utility_f1_score": (
        "Utility-based F1 score for regression, as in the SMOGN paper.",
        "prediction nor true target", "", "", "0.7449"),
}

for _func in (utility_precision_score, utility_recall_score, utility_fbeta_score,
              utility_f1_score):
    _summary, _what, _beta, _extra, _value = _SUMMARIES[_func.__name__]
    _func.__doc__ = (
        f"{_summary}\n{_UTILITY_DOC}"
        + _PARAMS_DOC.format(beta=_beta, what=_what)
        + "\n    See Also\n    --------\n"
        "    make_utility_scorer : These scores as scorers, with the relevance of\n"
        "        the training fold.\n"
        + _EXAMPLE.format(name=_func.__name__, extra=_extra, value=_value)
    )


# ------------------------------------------------------- scorer registry
def _sera_value(y_true, y_pred, rel, step):
    result = _sera(rel(y_true), (y_true - y_pred) ** 2, step)
    return result if step is None else result[0]


#: Metrics of :func:`~skdir.metrics.make_utility_scorer`: whether greater is
#: better, their parameters with defaults (a default of ``_REQUIRED`` must be
#: given) and the checks of those parameters.
_REQUIRED = object()
_UTILITY_PARAMS = {"threshold": 0.8, "p": 0.5, "zero_division": "warn"}
UTILITY_METRICS = {
    "sera": (False, {"step": 0.001}),
    "rw_mae": (False, {}),
    "rw_mse": (False, {}),
    "utility_precision": (True, dict(_UTILITY_PARAMS)),
    "utility_recall": (True, dict(_UTILITY_PARAMS)),
    "utility_f1": (True, dict(_UTILITY_PARAMS)),
    "utility_fbeta": (True, {"beta": _REQUIRED, **_UTILITY_PARAMS}),
}
_PARAM_CHECKS = {
    "step": _check_step,
    "threshold": _check_threshold,
    "p": _check_p,
    "zero_division": _check_zero_division,
    "beta": _check_beta,
}


def _metric_params(metric, params):
    """The validated parameters of ``metric``, defaults filled in."""
    _, defaults = UTILITY_METRICS[metric]
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise ValueError(
            f"{metric} takes no parameter {unknown}; its parameters are "
            f"{sorted(defaults) or 'none'}."
        )
    values = {**defaults, **params}
    missing = [name for name, value in values.items() if value is _REQUIRED]
    if missing:
        raise ValueError(f"{metric} needs the parameter(s) {missing}.")
    return {name: _PARAM_CHECKS[name](value) for name, value in values.items()}


def _metric_value(metric, y_true, y_pred, rel, params):
    """The value of ``metric`` on validated targets with the relevance ``rel``."""
    if metric == "sera":
        return _sera_value(y_true, y_pred, rel, params["step"])
    if metric in ("rw_mae", "rw_mse"):
        err = np.abs(y_true - y_pred)
        return _weighted_error(rel(y_true), err if metric == "rw_mae" else err**2)
    which = metric.split("_")[1]
    beta = params.get("beta", 1.0)
    return _utility_scores(y_true, y_pred, rel, params["threshold"], params["p"],
                           params["zero_division"],
                           "fbeta" if which in ("f1", "fbeta") else which, beta)
