"""Relevance of target values: how rare, in [0, 1], each target value is.

Resampling for regression (SMOTER, SMOGN, ...) needs to tell *rare* target
values, which it over-samples, from *normal* ones, which it under-samples. It
does so with a relevance function ``phi: y -> [0, 1]`` and a threshold. Two
relevance functions are offered:

- :class:`LDSRelevance` (the default of every skdir sampler) is the LDS
  rarity of a :class:`~skdir.LabelSpace`: the effective label density of
  each bin compared with the density a *uniform* label distribution of the
  same size would have on the same bins;
- :class:`PhiRelevance` is the box-plot relevance of Ribeiro (2011), as used by
  SMOTER and SMOGN: a cubic Hermite interpolation over control points placed
  at the median (relevance 0) and at the whiskers of R's box plot (Tukey's
  hinges; relevance 1), as ``phi.control(y, method="extremes")`` of the
  authors' UBL package; the adjusted (medcouple) box plot is available as
  ``method="adjusted_boxplot"``.

Both are small estimators fitted on training targets; :func:`lds_relevance`
and :func:`phi_relevance` fit and evaluate them in one call.
"""

from numbers import Real

import numpy as np
from scipy.interpolate import CubicHermiteSpline, PchipInterpolator
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._validation import check_target
from .base import TargetTransformerMixin
from .bins import MAX_OUTPUTS, LabelSpace, fit_label_space

__all__ = [
    "LDSRelevance",
    "PhiRelevance",
    "lds_relevance",
    "phi_relevance",
    "adjusted_boxplot_stats",
    "medcouple",
]


class LDSRelevance(TargetTransformerMixin, BaseEstimator):
    """Relevance from the LDS effective label density.

    The relevance is the LDS rarity of a :class:`~skdir.LabelSpace`
    (:meth:`~skdir.LabelSpace.rarity`): the per-bin training counts smoothed
    with the label space's kernel (the effective density ``d`` of label
    distribution smoothing) are compared with the same smoothing of a
    *uniform* histogram of the same total over the same bins, ``u``. The
    relevance of a target in bin ``b`` is

    .. math::

        \\phi(y) = \\operatorname{clip}\\left(1 - \\frac{d_b}{u_b}, 0, 1\\right),

    so a target is as relevant as its neighbourhood is under-populated
    compared with a balanced (uniform) label distribution: 0 where the
    effective density is at least the uniform one, 0.5 where it is half of
    it, 1 where no training data lives (and for any value outside the fitted
    range). With the default threshold 0.5 of the samplers, the *rare*
    targets are those whose effective density is below half that of a
    uniform label distribution. The reference ``u`` is smoothed with the same
    zero-padded window, so the edge bins are not made rare merely by the
    padding. A label space with ``density="kde"`` compares its kernel density
    estimate with a smoothed uniform density instead (see
    :meth:`~skdir.LabelSpace.rarity`); multi-output targets (2 or 3 columns)
    get the rarity of their cell in the joint grid.

    Parameters
    ----------
    label_space : LabelSpace or None, default=None
        The bins and the smoothing kernel. None fits ``LabelSpace()`` on the
        training targets; an unfitted one is cloned and fitted on them; a
        fitted one is used as it is (its edges and counts, whatever ``y``
        :meth:`fit` gets).

    Attributes
    ----------
    label_space_ : LabelSpace
        The fitted label space; its ``effective_counts_`` is the effective
        density ``d``.
    bin_relevance_ : ndarray of shape (n_bins,)
        Relevance of each bin (``label_space_.bin_rarity_``).

    See Also
    --------
    lds_relevance : Fit and evaluate in one call.
    PhiRelevance : The box-plot relevance of SMOGN.
    skdir.LabelSpace.rarity : The same numbers from the label space itself.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> from skdir.relevance import LDSRelevance
    >>> y = np.array([0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 9.0])
    >>> space = LabelSpace(edges=np.arange(11.0), kernel="triang", ks=1)
    >>> rel = LDSRelevance(label_space=space).fit(y)
    >>> rel.transform([1, 3, 6, 9, 100]).round(3)
    array([0.   , 0.231, 1.   , 0.231, 1.   ])
    """

    _parameter_constraints = {
        "label_space": [LabelSpace, None],
    }

    def __init__(self, *, label_space=None):
        self.label_space = label_space

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y):
        """Learn the label space and the relevance of each bin.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Training targets; finite; at most 3 columns.

        Returns
        -------
        self : LDSRelevance
            Fitted relevance.
        """
        return self._fit(check_target(y, max_outputs=MAX_OUTPUTS))

    def _fit(self, y):
        """``fit`` on a validated float64 ``y``."""
        self.label_space_ = fit_label_space(self.label_space, y)
        self.bin_relevance_ = self.label_space_.bin_rarity_
        return self

    def transform(self, y):
        """Relevance of each target value.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values; values outside the fitted bin range get relevance 1.

        Returns
        -------
        relevance : ndarray of shape (n_samples,)
            Values in [0, 1].
        """
        check_is_fitted(self)
        return self._transform(self.label_space_._check_y(y))

    def _transform(self, y):
        """``transform`` on a validated float64 ``y``."""
        return self.label_space_._rarity(y)


def medcouple(x):
    """The medcouple, a robust measure of skewness (Brys et al., 2004).

    For the median ``m`` of ``x`` it is the median of the kernel
    ``h(a, b) = ((b - m) - (m - a)) / (b - a)`` over all pairs ``a <= m <= b``,
    with the usual special kernel for pairs of values equal to ``m``. The
    median is found by bisection on the kernel value, counting the pairs below
    a candidate with a sorted search (``h`` increases in ``b``), so the cost
    is ``O(n log n)`` per step and ``O(n)`` memory.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Finite values.

    Returns
    -------
    mc : float
        The medcouple, in [-1, 1]; 0 for a symmetric sample.

    Examples
    --------
    >>> from skdir.relevance import medcouple
    >>> round(medcouple([1, 2, 3, 5, 10, 20]), 6)
    0.5
    >>> medcouple([1, 2, 3, 4, 5])
    0.0
    """
    x = np.sort(check_target(x, name="x"))
    m = float(np.median(x))
    lower = x[x < m]  # increasing
    upper = x[x > m]  # increasing
    k = int(x.size - lower.size - upper.size)
    a, b = lower.size, upper.size
    n_pairs = (a + k) * (b + k)
    if n_pairs == 0:
        return 0.0
    # Counts of the kernel values that do not depend on the data: pairs with
    # one member at the median give -1 or +1, pairs of two median values give
    # -1, 0 or +1 (k(k-1)/2, k and k(k-1)/2 of them).
    n_minus = a * k + k * (k - 1) // 2
    n_zero = k
    n_plus = b * k + k * (k - 1) // 2
    lo_rel = m - lower  # > 0
    up_rel = upper - m  # > 0, increasing

    def count_le(t):
        """Number of pairs with kernel value <= t."""
        count = n_minus + (n_zero if t >= 0 else 0) + (n_plus if t >= 1 else 0)
        if a and b and t > -1:
            if t >= 1:
                return count + a * b
            # h <= t  <=>  up - lo <= t (up + lo)  <=>  up <= lo (1 + t) / (1 - t)
            bound = lo_rel * ((1.0 + t) / (1.0 - t))
            count += int(np.searchsorted(up_rel, bound, side="right").sum())
        return count

    def order_stat(r):
        """The r-th smallest kernel value (1-based)."""
        if count_le(-1.0) >= r:
            return -1.0
        lo, hi = -1.0, 1.0
        for _ in range(64):
            mid = 0.5 * (lo + hi)
            if mid in (lo, hi):
                break
            if count_le(mid) >= r:
                hi = mid
            else:
                lo = mid
        return hi

    if n_pairs % 2:
        mc = order_stat(n_pairs // 2 + 1)
    else:
        mc = 0.5 * (order_stat(n_pairs // 2) + order_stat(n_pairs // 2 + 1))
    return float(np.clip(mc, -1.0, 1.0)) if abs(mc) > 1e-12 else 0.0


def _fivenum(x):
    """Tukey's five-number summary of a sorted array, as R's ``fivenum``.

    Minimum, lower hinge, median, upper hinge, maximum: the hinges are the
    medians of the lower and upper halves of the data, each half including
    the median when ``n`` is odd (``d = floor((n + 3) / 2) / 2`` in 1-based
    positions, the mean of the values at ``floor(d)`` and ``ceil(d)``). They
    differ from NumPy's quartiles, whatever their method, for some ``n``.
    """
    n = x.size
    n4 = np.floor((n + 3) / 2) / 2
    d = np.array([1.0, n4, (n + 1) / 2, n + 1 - n4, n]) - 1.0
    return 0.5 * (x[np.floor(d).astype(np.intp)] + x[np.ceil(d).astype(np.intp)])


def _boxplot_stats(y, coef):
    """R's ``boxplot.stats(y, coef)$stats`` of a finite 1-D float array.

    Tukey's hinges (:func:`_fivenum`); the values below ``hinge_low - coef
    IQR`` or above ``hinge_high + coef IQR`` (strictly) are the outliers; the
    whiskers are the smallest and largest values that are not outliers.
    """
    stats = _fivenum(np.sort(y))
    iqr = stats[3] - stats[1]
    inside = y[(y >= stats[1] - coef * iqr) & (y <= stats[3] + coef * iqr)]
    stats[0], stats[4] = inside.min(), inside.max()
    return stats


def adjusted_boxplot_stats(y, coef=1.5):
    """Five-number summary of the adjusted box plot (Hubert & Vandervieren).

    The fences of the box plot are moved with the medcouple ``MC`` to account
    for skewness: for ``MC >= 0`` they are ``Q1 - coef e^{-4 MC} IQR`` and
    ``Q3 + coef e^{3 MC} IQR``; for ``MC < 0``, ``Q1 - coef e^{-3 MC} IQR``
    and ``Q3 + coef e^{4 MC} IQR``. The whiskers are the most extreme values
    within the fences. The quartiles are Tukey's hinges (R's ``fivenum``), as
    in ``robustbase::adjboxStats``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Finite values.
    coef : float, default=1.5
        Fence multiplier, > 0.

    Returns
    -------
    stats : ndarray of shape (5,)
        Lower whisker, first quartile, median, third quartile, upper whisker.

    Examples
    --------
    >>> from skdir.relevance import adjusted_boxplot_stats
    >>> adjusted_boxplot_stats([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])
    array([1. , 3. , 5.5, 8. , 9. ])
    """
    y = check_target(y)
    if not (isinstance(coef, Real) and np.isfinite(coef) and coef > 0):
        raise ValueError(f"coef must be a positive finite number, got {coef!r}.")
    _, q1, med, q3, _ = _fivenum(np.sort(y))
    iqr = q3 - q1
    mc = medcouple(y)
    if mc >= 0:
        a, b = -4.0, 3.0
    else:
        a, b = -3.0, 4.0
    low = q1 - coef * np.exp(a * mc) * iqr
    high = q3 + coef * np.exp(b * mc) * iqr
    # The whiskers never cross the box (possible when the IQR is 0).
    lo_w = min(y[y >= low].min(initial=np.inf), q1)
    hi_w = max(y[y <= high].max(initial=-np.inf), q3)
    return np.array([lo_w, q1, med, q3, hi_w])


class PhiRelevance(TargetTransformerMixin, BaseEstimator):
    """Box-plot relevance of Ribeiro (2011), as in SMOTER and SMOGN.

    With ``control_points=None`` the control points are those of
    ``phi.control(y, method="extremes", extr.type=extremes, coef=coef)`` in
    the authors' R package UBL (and of the Python package ``smogn``):

    - ``method="boxplot"`` (default) takes R's ``boxplot.stats(y, coef)``:
      Tukey's hinges (R's ``fivenum``: the medians of the lower and upper
      halves of the data, not NumPy's quartiles), the outliers strictly
      beyond ``coef`` times the interquartile range from the hinges, and
      the whiskers at the most extreme values that are not outliers;
    - ``method="adjusted_boxplot"`` takes the adjusted box plot of Hubert
      and Vandervieren (:func:`adjusted_boxplot_stats`), whose fences move
      with the medcouple for skewed data (as the ``asym=TRUE`` variant of
      the reference code).

    The control points are the lower whisker with relevance 1 when some
    target lies below it and ``extremes`` asks for the low tail, else the
    minimum with relevance 0; the median with relevance 0 (left out when it
    equals the minimum); the upper whisker with relevance 1 when some target
    lies above it and ``extremes`` asks for the high tail, else the maximum
    with relevance 0 (left out when it equals the median). Every control
    point has slope 0, and the relevance is the cubic Hermite interpolation
    between them (the monotone PCHIP of the reference, whose Fritsch-Carlson
    slope correction leaves zero slopes unchanged: between a point of
    relevance ``a`` and one of relevance ``b`` it is ``a + (b - a)(3 t^2 -
    2 t^3)`` for the relative position ``t``). Beyond the first (last)
    control point the relevance is constant, that of the point, as the
    reference's extrapolation with slope 0.

    One deliberate departure: when a whisker coincides with the median (an
    interquartile range of zero on that side, as in a target whose most
    values are equal), the relevance steps from 0 at the median to 1 beyond
    it. The reference evaluates its spline with a zero-width segment there
    and gives relevance 1 to the median value itself on the high side,
    which makes most samples rare.

    User ``control_points`` are rows ``(y, relevance)``, interpolated with
    :class:`scipy.interpolate.PchipInterpolator`, or rows ``(y, relevance,
    slope)``, interpolated with :class:`scipy.interpolate.CubicHermiteSpline`;
    ``method``, ``extremes`` and ``coef`` must then keep their defaults.

    Parameters
    ----------
    method : {"boxplot", "adjusted_boxplot"}, default="boxplot"
        Box plot whose whiskers place the control points.
    extremes : {"both", "high", "low"}, default="both"
        Tails that may be relevant.
    coef : float, default=1.5
        Box-plot fence multiplier, > 0.
    control_points : array-like of shape (n_points, 2) or (n_points, 3), default=None
        User control points; their target values must strictly increase and
        their relevance lie in [0, 1].

    Attributes
    ----------
    control_points_ : ndarray of shape (n_points, 3)
        Control points ``(y, relevance, slope)`` (the slope column is NaN for
        PCHIP points). Derived ones may share a target value (the step
        described above).
    boxplot_stats_ : ndarray of shape (5,) or None
        Lower whisker, lower hinge (or first quartile), median, upper hinge
        (or third quartile) and upper whisker of the training targets; None
        with user ``control_points``.

    See Also
    --------
    phi_relevance : Fit and evaluate in one call.
    LDSRelevance : The default relevance of skdir's samplers.
    adjusted_boxplot_stats : The box plot of ``method="adjusted_boxplot"``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.relevance import PhiRelevance
    >>> y = np.r_[np.arange(20.0), 60.0]
    >>> rel = PhiRelevance().fit(y)
    >>> rel.boxplot_stats_
    array([ 0.,  5., 10., 15., 19.])
    >>> rel.control_points_
    array([[ 0.,  0.,  0.],
           [10.,  0.,  0.],
           [19.,  1.,  0.]])
    >>> rel.transform([0, 10, 14.5, 19, 100])
    array([0. , 0. , 0.5, 1. , 1. ])
    >>> rel = PhiRelevance(control_points=[[0, 0, 0], [10, 1, 0]]).fit([1.0, 2.0])
    >>> rel.transform([-5, 0, 5, 10, 20])
    array([0. , 0. , 0.5, 1. , 1. ])
    """

    _parameter_constraints = {
        "method": [StrOptions({"boxplot", "adjusted_boxplot"})],
        "extremes": [StrOptions({"both", "high", "low"})],
        "coef": [Interval(Real, 0, None, closed="neither")],
        "control_points": ["array-like", None],
    }

    def __init__(self, *, method="boxplot", extremes="both", coef=1.5,
                 control_points=None):
        self.method = method
        self.extremes = extremes
        self.coef = coef
        self.control_points = control_points

    def _user_points(self):
        changed = [
            f"{name}={getattr(self, name)!r}"
            for name, default in (("method", "boxplot"), ("extremes", "both"),
                                  ("coef", 1.5))
            if getattr(self, name) != default
        ]
        if changed:
            raise ValueError(
                f"{', '.join(changed)} has no effect with control_points: the "
                "control points then set the relevance. Leave method, extremes "
                "and coef at their defaults, or control_points=None."
            )
        pts = np.asarray(self.control_points, dtype=float)
        if pts.ndim != 2 or pts.shape[1] not in (2, 3) or pts.shape[0] < 2:
            raise ValueError(
                "control_points must be an array of shape (n_points, 2) or "
                f"(n_points, 3) with n_points >= 2, got shape {pts.shape}."
            )
        if not np.all(np.isfinite(pts)):
            raise ValueError("control_points must be finite.")
        if np.any(np.diff(pts[:, 0]) <= 0):
            raise ValueError("control_points: target values must strictly increase.")
        if np.any((pts[:, 1] < 0) | (pts[:, 1] > 1)):
            raise ValueError("control_points: relevance values must lie in [0, 1].")
        if pts.shape[1] == 2:
            pts = np.column_stack([pts, np.full(pts.shape[0], np.nan)])
        return pts

    def _auto_points(self, y):
        """Control points of UBL's ``phi.extremes`` (see the class docstring)."""
        if self.method == "boxplot":
            stats = _boxplot_stats(y, self.coef)
        else:
            stats = adjusted_boxplot_stats(y, self.coef)
        lo_w, _, med, _, hi_w = stats
        lo, hi = y.min(), y.max()
        pts = []
        if self.extremes in ("both", "low") and np.any(y < lo_w):
            pts.append((lo_w, 1.0))
        else:
            pts.append((lo, 0.0))
        if med != lo:
            pts.append((med, 0.0))
        if self.extremes in ("both", "high") and np.any(y > hi_w):
            pts.append((hi_w, 1.0))
        elif med != hi:
            pts.append((hi, 0.0))
        pts = np.array(pts, dtype=float)
        return stats, np.column_stack([pts, np.zeros(len(pts))])

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y):
        """Derive the control points (from ``y`` unless given).

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Training targets; finite.

        Returns
        -------
        self : PhiRelevance
            Fitted relevance.
        """
        y = check_target(y)
        if self.control_points is None:
            self.boxplot_stats_, pts = self._auto_points(y)
            self._spline = None
        else:
            pts = self._user_points()
            self.boxplot_stats_ = None
            if np.isnan(pts[0, 2]):
                self._spline = PchipInterpolator(pts[:, 0], pts[:, 1], extrapolate=False)
            else:
                self._spline = CubicHermiteSpline(
                    pts[:, 0], pts[:, 1], pts[:, 2], extrapolate=False
                )
        self.control_points_ = pts
        return self

    def transform(self, y):
        """Relevance of each target value.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        relevance : ndarray of shape (n_samples,)
            Values in [0, 1].
        """
        check_is_fitted(self)
        y = check_target(y)
        pts = self.control_points_
        if self._spline is not None:
            inside = np.clip(y, pts[0, 0], pts[-1, 0])
            return np.clip(self._spline(inside), 0.0, 1.0)
        return _zero_slope_hermite(pts[:, 0], pts[:, 1], y)


def _zero_slope_hermite(xs, rs, y):
    """Cubic Hermite interpolation with slope 0 at every control point.

    ``xs`` is non-decreasing; where several points share a position, the
    segment on its left ends at the first one's relevance, the segment on its
    right starts at the last one's, and the value at the position itself is
    the smallest of theirs. Constant beyond the ends.
    """
    positions, first = np.unique(xs, return_index=True)
    last = np.r_[first[1:] - 1, xs.size - 1]
    at = np.minimum.reduceat(rs, first)
    values = np.where(y < positions[0], rs[0], rs[-1])
    if positions.size > 1:
        seg = np.clip(np.searchsorted(positions, y, side="right") - 1, 0,
                      positions.size - 2)
        x0, x1 = positions[seg], positions[seg + 1]
        t = np.clip((y - x0) / (x1 - x0), 0.0, 1.0)
        r0, r1 = rs[last[seg]], rs[first[seg + 1]]
        inner = (y > positions[0]) & (y < positions[-1])
        values = np.where(inner, r0 + (r1 - r0) * t * t * (3 - 2 * t), values)
    k = np.searchsorted(positions, y)
    hit = (k < positions.size) & (positions[np.minimum(k, positions.size - 1)] == y)
    values = np.where(hit, at[np.minimum(k, positions.size - 1)], values)
    return np.clip(values, 0.0, 1.0)


def lds_relevance(y, *, label_space=None):
    """LDS relevance of the targets ``y`` (see :class:`LDSRelevance`).

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets; finite; at most 3 columns.
    label_space : LabelSpace or None, default=None
        As in :class:`LDSRelevance`.

    Returns
    -------
    relevance : ndarray of shape (n_samples,)
        ``clip(1 - d / u, 0, 1)`` for the effective density ``d`` of each
        target's bin and the uniform reference ``u``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> from skdir.relevance import lds_relevance
    >>> y = np.r_[np.zeros(8), np.ones(8), 5.0]
    >>> space = LabelSpace(edges=[0, 1, 2, 3, 4, 5, 6], ks=1)
    >>> lds_relevance(y, label_space=space).round(3)
    array([0.   , 0.   , 0.   , 0.   , 0.   , 0.   , 0.   , 0.   , 0.   ,
           0.   , 0.   , 0.   , 0.   , 0.   , 0.   , 0.   , 0.647])
    """
    return LDSRelevance(label_space=label_space).fit_transform(y)


def phi_relevance(y, *, method="boxplot", extremes="both", coef=1.5,
                  control_points=None):
    """Box-plot relevance of the targets ``y`` (see :class:`PhiRelevance`).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Targets; finite.
    method, extremes, coef, control_points
        As in :class:`PhiRelevance`.

    Returns
    -------
    relevance : ndarray of shape (n_samples,)
        Values in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.relevance import phi_relevance
    >>> y = np.r_[np.arange(20.0), 60.0]
    >>> phi_relevance(y)[[0, 10, 19, 20]].round(3)
    array([0., 0., 1., 1.])
    """
    return PhiRelevance(
        method=method, extremes=extremes, coef=coef, control_points=control_points
    ).fit_transform(y)
