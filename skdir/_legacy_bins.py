"""The label space: bins over a continuous target, kernel windows and LDS.

Everything in skdir that asks "how much training data lives near this target
value?" answers it with the objects in this module:

- :class:`LabelBins` learns bin edges from training targets, counts them and
  maps any target value to a bin index;
- :func:`kernel_window` builds the symmetric smoothing window shared by label
  distribution smoothing (LDS) and feature distribution smoothing (FDS);
- :func:`smooth_counts` convolves a per-bin histogram with such a window to
  give the *effective* label density of Yang et al. (ICML 2021).
"""

from numbers import Integral, Real

import numpy as np
from scipy.ndimage import convolve1d, gaussian_filter1d
from scipy.signal.windows import triang
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._validation import check_sample_weight_1d, check_target
from .base import TargetTransformerMixin

__all__ = []

#: Names of the kernels understood by :func:`kernel_window`.
KERNELS = ("gaussian", "triang", "laplace")


from .bins import _check_kernel_args, kernel_window, smooth_counts, KERNELS  # noqa


class LabelBins(TargetTransformerMixin, BaseEstimator):
    """Bins over a continuous target, learned from training targets.

    One of ``edges``, ``bin_width`` or ``n_bins`` chooses the bins; with none
    of them, ``n_bins="auto"`` is used.

    - ``edges``: the bin edges themselves. The fitted targets must lie within
      ``[edges[0], edges[-1]]``.
    - ``bin_width``: bins of this width on the grid ``k * bin_width`` for
      integer ``k``, from the bin holding ``min(y)`` to the bin holding
      ``max(y)``. With ``bin_width=1`` a target ``y`` falls in the bin
      ``[floor(y), floor(y) + 1)``, so integer ages get one bin per age as in
      the reference code of Yang et al. (2021).
    - ``n_bins``: that many equal-width bins spanning ``[min(y), max(y)]``.
      ``"auto"`` takes Rice's rule, ``ceil(2 * n ** (1/3))`` bins capped to
      100, with ``n`` the number of samples (the sum of ``sample_weight`` when
      given), so 1,000 samples get 20 bins and 125,000 or more get 100. A
      constant target gets bins centred on its value.

    Bin ``i`` is the half-open interval ``[edges_[i], edges_[i + 1])``; the
    last bin also holds ``edges_[-1]``. Values outside the fitted range are
    mapped to the nearest edge bin by :meth:`transform` (the rule the
    reference code applies to ages above its maximum), and
    :meth:`in_range` tells which values are outside it.

    Parameters
    ----------
    bin_width : float, default=None
        Width of each bin, > 0.
    n_bins : int or "auto", default=None
        Number of equal-width bins, >= 1.
    edges : array-like of shape (n_bins + 1,), default=None
        Strictly increasing, finite bin edges.

    Attributes
    ----------
    edges_ : ndarray of shape (n_bins_ + 1,)
        Fitted bin edges.
    centers_ : ndarray of shape (n_bins_,)
        Bin mid-points.
    counts_ : ndarray of shape (n_bins_,)
        Number of fitted targets in each bin (sum of ``sample_weight`` when
        given).
    n_bins_ : int
        Number of bins.

    See Also
    --------
    LDSWeighter : Per-sample weights from the smoothed bin counts.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelBins
    >>> bins = LabelBins(bin_width=1).fit(np.array([3, 4, 4, 7]))
    >>> bins.edges_
    array([3., 4., 5., 6., 7., 8.])
    >>> bins.counts_
    array([1., 2., 0., 0., 1.])
    >>> bins.transform(np.array([3.5, 7, 100, -2]))
    array([0, 4, 4, 0])
    """

    _parameter_constraints = {
        "bin_width": [Interval(Real, 0, None, closed="neither"), None],
        "n_bins": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "edges": ["array-like", None],
    }

    def __init__(self, *, bin_width=None, n_bins=None, edges=None):
        self.bin_width = bin_width
        self.n_bins = n_bins
        self.edges = edges

    def _learn_edges(self, y, sample_weight):
        given = [
            name
            for name in ("bin_width", "n_bins", "edges")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(
                f"Give at most one of bin_width, n_bins and edges; got {given}."
            )
        if self.edges is not None:
            edges = np.asarray(self.edges, dtype=float)
            if edges.ndim != 1 or edges.size < 2:
                raise ValueError(
                    "edges must be a 1-D array of at least 2 values, got shape "
                    f"{edges.shape}."
                )
            if not np.all(np.isfinite(edges)):
                raise ValueError("edges must be finite.")
            if np.any(np.diff(edges) <= 0):
                raise ValueError("edges must be strictly increasing.")
            outside = (y < edges[0]) | (y > edges[-1])
            if np.any(outside):
                raise ValueError(
                    f"edges [{edges[0]:g}, {edges[-1]:g}] do not cover the data: "
                    f"{int(outside.sum())} target value(s) lie outside, e.g. "
                    f"{y[outside][0]:g}."
                )
            return edges.copy()
        # The range and the "auto" bin count come from the samples that carry
        # weight, so that integer weights and repeated samples give the same
        # bins.
        support = y if sample_weight is None else y[sample_weight > 0]
        lo, hi = float(support.min()), float(support.max())
        if self.bin_width is not None:
            width = float(self.bin_width)
            first, last = np.floor(lo / width), np.floor(hi / width)
            n = int(last - first) + 1
            if n > 10_000_000:
                raise ValueError(
                    f"bin_width={width:g} gives {n} bins over [{lo:g}, {hi:g}]; "
                    "use a larger bin_width."
                )
            return (first + np.arange(n + 1)) * width
        if self.n_bins is None or self.n_bins == "auto":
            n_eff = y.size if sample_weight is None else float(sample_weight.sum())
            n_bins = _auto_n_bins(n_eff)
        else:
            n_bins = self.n_bins
        if lo == hi:
            return np.linspace(lo - 0.5, lo + 0.5, n_bins + 1)
        return np.linspace(lo, hi, n_bins + 1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y, sample_weight=None):
        """Learn the bin edges and the per-bin counts of ``y``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Training targets; finite.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; ``counts_`` then sums them per bin.

        Returns
        -------
        self : LabelBins
            Fitted bins.
        """
        y = check_target(y)
        sample_weight = check_sample_weight_1d(sample_weight, y)
        self.edges_ = self._learn_edges(y, sample_weight)
        self.n_bins_ = self.edges_.size - 1
        self.centers_ = (self.edges_[:-1] + self.edges_[1:]) / 2.0
        self.counts_ = self._histogram(y, sample_weight)
        return self

    def _histogram(self, y, sample_weight=None):
        return np.bincount(
            self._index(y), weights=sample_weight, minlength=self.n_bins_
        ).astype(float)

    def histogram(self, y, sample_weight=None):
        """Count (or sum the weights of) ``y`` in each fitted bin.

        Values outside the fitted range count in the edge bins, as
        :meth:`transform` maps them.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Target values; finite.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        counts : ndarray of shape (n_bins_,)
            Per-bin count or weight sum.

        Examples
        --------
        >>> from skdir import LabelBins
        >>> LabelBins(edges=[0, 1, 2]).fit([0.5]).histogram([0.2, 1.5, 1.7, 9.0])
        array([1., 3.])
        """
        check_is_fitted(self)
        y = check_target(y, allow_constant=True)
        return self._histogram(y, check_sample_weight_1d(sample_weight, y))

    def _index(self, y):
        idx = np.searchsorted(self.edges_, y, side="right") - 1
        return np.clip(idx, 0, self.n_bins_ - 1)

    def transform(self, y):
        """Bin index of each target value.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Target values; finite. Values below ``edges_[0]`` go to bin 0 and
            values above ``edges_[-1]`` to bin ``n_bins_ - 1``.

        Returns
        -------
        index : ndarray of shape (n_samples,), dtype=intp
            Bin of each value.
        """
        check_is_fitted(self)
        return self._index(check_target(y, allow_constant=True))

    def in_range(self, y):
        """Whether each value lies within ``[edges_[0], edges_[-1]]``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        mask : ndarray of shape (n_samples,), dtype=bool
            True where the value is inside the fitted range.
        """
        check_is_fitted(self)
        y = check_target(y, allow_constant=True)
        return (y >= self.edges_[0]) & (y <= self.edges_[-1])

    def count_of(self, y):
        """Training count of the bin of each value (0 outside the range).

        Unlike ``counts_[transform(y)]``, a value outside the fitted range
        gets a count of 0 rather than that of the edge bin: no training data
        lives there.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        counts : ndarray of shape (n_samples,)
            Per-value training count.
        """
        check_is_fitted(self)
        y = check_target(y, allow_constant=True)
        counts = self.counts_[self._index(y)]
        return np.where((y >= self.edges_[0]) & (y <= self.edges_[-1]), counts, 0.0)


def _auto_n_bins(n_samples):
    """Rice's rule, ``ceil(2 n^(1/3))``, capped to [1, 100] bins."""
    return int(np.clip(np.ceil(2.0 * np.cbrt(n_samples)), 1, 100))


def resolve_bins(bins=None, *, bin_width=None, n_bins=None):
    """An unfitted :class:`LabelBins` from the ``bins`` shorthand.

    Parameters
    ----------
    bins : LabelBins, int, "auto", array-like or None
        A :class:`LabelBins` (cloned when unfitted, used as is when fitted), a
        number of bins, ``"auto"``, or an array of bin edges.
    bin_width, n_bins : float or int, default=None
        Alternative ways to ask for bins; at most one of ``bins``,
        ``bin_width`` and ``n_bins`` may be given.

    Returns
    -------
    bins : LabelBins
    """
    given = [
        name
        for name, value in (("bins", bins), ("bin_width", bin_width), ("n_bins", n_bins))
        if value is not None
    ]
    if len(given) > 1:
        raise ValueError(f"Give at most one of bins, bin_width and n_bins; got {given}.")
    if isinstance(bins, LabelBins):
        return bins
    if bin_width is not None:
        return LabelBins(bin_width=bin_width)
    if n_bins is not None:
        return LabelBins(n_bins=n_bins)
    if bins is None:
        return LabelBins()
    if isinstance(bins, str) or (
        isinstance(bins, Integral) and not isinstance(bins, bool)
    ):
        return LabelBins(n_bins=bins)
    if isinstance(bins, (list, tuple, np.ndarray)):
        return LabelBins(edges=bins)
    raise TypeError(
        "bins must be a LabelBins, an int, 'auto', an array of edges or None; "
        f"got {type(bins).__name__}."
    )


def is_fitted_bins(bins):
    """Whether ``bins`` is a fitted :class:`LabelBins`."""
    return isinstance(bins, LabelBins) and hasattr(bins, "edges_")


def fitted_bins(bins, y, sample_weight=None):
    """``bins`` fitted on ``y`` unless it is an already fitted LabelBins."""
    if is_fitted_bins(bins):
        return bins
    return clone(bins).fit(y, sample_weight=sample_weight)
