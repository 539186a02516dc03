"""The label space: bins over a continuous target, their smoothing and shots.

Everything in skdir that asks "how much training data lives near this target
value?" answers it with one fitted object, :class:`LabelSpace`: it learns bin
edges from training targets, counts them, smooths the counts (label
distribution smoothing, LDS) and tells the shot group and the LDS rarity of
any target value. Every consumer (weights, rarity for the samplers, FDS, the
Balanced MSE losses, shot-wise metrics and scorers, plots, splits) takes it as
``label_space=``.

Two functions serve it and stay public for direct use:

- :func:`kernel_window` builds the symmetric smoothing window shared by LDS
  and feature distribution smoothing (FDS);
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

__all__ = ["LabelSpace", "kernel_window", "smooth_counts", "KERNELS"]

#: Names of the kernels understood by :func:`kernel_window`.
KERNELS = ("gaussian", "triang", "laplace")
#: Shot groups of a target value, in the order of :meth:`LabelSpace.shot_of`'s codes.
SHOTS = ("many", "medium", "few")


def _check_kernel_args(kernel, ks, sigma):
    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}.")
    if isinstance(ks, bool) or not isinstance(ks, Integral):
        raise TypeError(f"ks must be an odd positive integer, got {ks!r}.")
    if ks < 1 or ks % 2 == 0:
        raise ValueError(f"ks must be an odd positive integer, got {ks}.")
    if isinstance(sigma, bool) or not isinstance(sigma, Real):
        raise TypeError(f"sigma must be a positive number, got {sigma!r}.")
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a positive finite number, got {sigma}.")


def kernel_window(kernel="gaussian", ks=5, sigma=2.0, *, normalize="max"):
    """Symmetric smoothing window over ``ks`` neighbouring bins.

    The window is the one of the reference implementation of *Delving into
    Deep Imbalanced Regression*:

    - ``"gaussian"``: :func:`scipy.ndimage.gaussian_filter1d` (with its default
      ``"reflect"`` boundary, which folds the tails back into the window)
      applied to a length-``ks`` unit impulse;
    - ``"triang"``: :func:`scipy.signal.windows.triang` of length ``ks``;
    - ``"laplace"``: ``exp(-|x| / sigma) / (2 sigma)`` at ``x = -(ks-1)/2 ...
      (ks-1)/2``.

    Parameters
    ----------
    kernel : {"gaussian", "triang", "laplace"}, default="gaussian"
        Shape of the window.
    ks : int, default=5
        Window length in bins; odd and positive.
    sigma : float, default=2.0
        Width of the gaussian and laplace kernels, in bins (ignored by
        ``"triang"``).
    normalize : {"max", "sum"}, default="max"
        ``"max"`` scales the peak to 1, as the reference code does for LDS;
        ``"sum"`` scales the window to sum to 1, as it does for FDS.

    Returns
    -------
    window : ndarray of shape (ks,)
        Non-negative, symmetric window.

    Examples
    --------
    >>> from skdir import kernel_window
    >>> kernel_window("triang", ks=5).round(3)
    array([0.333, 0.667, 1.   , 0.667, 0.333])
    >>> float(kernel_window("gaussian", ks=5, sigma=2, normalize="sum").sum())
    1.0
    """
    _check_kernel_args(kernel, ks, sigma)
    if normalize not in ("max", "sum"):
        raise ValueError(f"normalize must be 'max' or 'sum', got {normalize!r}.")
    half = (ks - 1) // 2
    if kernel == "gaussian":
        impulse = np.zeros(ks)
        impulse[half] = 1.0
        window = gaussian_filter1d(impulse, sigma=float(sigma))
    elif kernel == "triang":
        window = triang(ks)
    else:
        x = np.arange(-half, half + 1, dtype=float)
        window = np.exp(-np.abs(x) / sigma) / (2.0 * sigma)
    scale = window.max() if normalize == "max" else window.sum()
    return window / scale


def smooth_counts(counts, kernel="gaussian", ks=5, sigma=2.0, *, normalize="max"):
    """Convolve a per-bin histogram with a kernel window (LDS).

    The histogram is zero padded at both ends, as in the reference code
    (:func:`scipy.ndimage.convolve1d` with ``mode="constant"``), so mass near
    the edges of the label range is not reflected back into it.

    Parameters
    ----------
    counts : array-like of shape (n_bins,)
        Non-negative per-bin values (counts, or a transform of them such as
        their square root).
    kernel, ks, sigma, normalize
        Passed to :func:`kernel_window`.

    Returns
    -------
    density : ndarray of shape (n_bins,)
        The effective label density.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import smooth_counts
    >>> smooth_counts(np.array([0, 0, 4, 0, 0.]), kernel="triang", ks=3)
    array([0., 2., 4., 2., 0.])
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 1:
        raise ValueError(f"counts must be 1-D, got shape {counts.shape}.")
    window = kernel_window(kernel, ks, sigma, normalize=normalize)
    return convolve1d(counts, window, mode="constant", cval=0.0)


#: Largest number of bins a label space may have.
MAX_BINS = 10_000_000
#: Tukey's far-out fence, in inter-quartile ranges, used by ``strategy="auto"``.
_FENCE = 3.0
#: ``strategy="auto"`` keeps equal-width bins over the whole range unless the
#: data inside the fences spans less than this share of it.
_BULK_SHARE = 0.25
#: Extra bins of the bulk's width allowed on each side of the fences.
_EXTRA_BINS = 2


class LabelSpace(TargetTransformerMixin, BaseEstimator):
    """The label space of a continuous target: bins, smoothing and shots.

    One fitted object answers the question every imbalanced-regression tool
    asks, *how much training data lives near this target value?*, and every
    consumer in skdir takes it as ``label_space=``: :class:`LDSWeighter`,
    :class:`~skdir.relevance.LDSRelevance`, the samplers,
    :class:`~skdir.nn.DIRRegressor` (LDS, FDS and BNI), the shot-wise metrics
    and scorers, the plots and the splits.

    Fitted on training targets it holds

    - the **bins**: ``edges_``; bin ``i`` is ``[edges_[i], edges_[i + 1])``,
      the last bin also holds ``edges_[-1]``; :meth:`transform` gives the bin
      of any value (values outside the fitted range go to the nearest edge
      bin, the rule the reference code applies to ages above its maximum);
    - the **counts** ``counts_`` (sums of ``sample_weight`` when given) and
      their LDS smoothing ``effective_counts_``, the *effective label
      density* of Yang et al. (ICML 2021);
    - the **shot group** of any value (:meth:`shot_of`): many-shot when its
      bin holds more than ``many_threshold`` training samples, few-shot when
      it holds fewer than ``few_threshold`` (a value outside the fitted range
      holds none), medium-shot otherwise;
    - the **LDS rarity** of any value (:meth:`rarity`), in [0, 1].

    The bins are chosen by one of ``edges``, ``bin_width`` or ``n_bins``:

    - ``edges``: the edges themselves; the fitted targets must lie within
      ``[edges[0], edges[-1]]``.
    - ``bin_width``: bins of this width on the grid ``k * bin_width`` (``k``
      an integer), from the bin holding ``min(y)`` to the bin holding
      ``max(y)``. With ``bin_width=1`` a target ``y`` falls in
      ``[floor(y), floor(y) + 1)``: integer ages get one bin per age, as in
      the reference code.
    - ``n_bins`` (``"auto"`` by default: Rice's rule ``ceil(2 n^(1/3))``
      capped to 100, with ``n`` the number of samples or the sum of
      ``sample_weight``), placed by ``strategy``:

      - ``"uniform"``: equal-width bins over ``[min(y), max(y)]``;
      - ``"quantile"``: edges at equally spaced quantiles of ``y`` (repeated
        quantiles merged), so the bins hold about equal counts. Use it for
        stratification or equally populated evaluation bins; densities over
        such bins are flat by construction, so weights and rarity need
        ``"uniform"`` or ``"auto"`` bins;
      - ``"auto"``: ``"uniform"``, unless the data inside Tukey's far-out
        fences (``Q1 - 3 IQR``, ``Q3 + 3 IQR``) spans less than a quarter of
        the range, as when a few outliers lie far away. The ``n_bins``
        equal-width bins then cover the data inside the fences, the grid
        goes on with the same width for up to ``2 n_bins`` more bins on each
        side, and whatever lies beyond falls into one overflow bin per side.
        One target of ``1e6`` among Poisson counts thus gets a bin of its own
        instead of squeezing every other target into the first bin.

    A constant target gets bins centred on its value.

    A fitted label space is frozen: :func:`sklearn.base.clone` returns it as
    it is, so the same edges and counts serve every fold of
    :func:`~sklearn.model_selection.cross_validate` or
    :class:`~sklearn.model_selection.GridSearchCV`, and consumers use it as
    given. An unfitted one is fitted by each consumer on the training targets
    of each fit. To keep the edges fixed but count each fold's own targets,
    pass unfitted ``LabelSpace(edges=...)`` or ``LabelSpace(bin_width=...)``.

    Parameters
    ----------
    bin_width : float, default=None
        Width of each bin, > 0.
    n_bins : int or "auto", default="auto"
        Number of bins for ``strategy``; must stay ``"auto"`` when
        ``bin_width`` or ``edges`` is given.
    edges : array-like of shape (n_bins + 1,), default=None
        Strictly increasing, finite bin edges.
    strategy : {"auto", "uniform", "quantile"}, default="auto"
        How ``n_bins`` bins are placed; must stay ``"auto"`` when
        ``bin_width`` or ``edges`` is given.
    kernel : {"gaussian", "triang", "laplace"}, default="gaussian"
        LDS kernel (see :func:`kernel_window`); FDS and BNI use it too.
    ks : int, default=5
        LDS window size in bins; odd.
    sigma : float, default=None
        Width of the gaussian and laplace kernels in bins; None means 2.0.
        Must stay None for ``kernel="triang"``, which has no width.
    many_threshold : float, default=100
        Training count above which a bin is many-shot.
    few_threshold : float, default=20
        Training count below which a bin is few-shot; at most
        ``many_threshold``.

    Attributes
    ----------
    edges_ : ndarray of shape (n_bins_ + 1,)
        Fitted bin edges.
    centers_ : ndarray of shape (n_bins_,)
        Bin mid-points.
    n_bins_ : int
        Number of bins.
    counts_ : ndarray of shape (n_bins_,)
        Training count (sum of ``sample_weight``) of each bin: the empirical
        label density in samples per bin.
    effective_counts_ : ndarray of shape (n_bins_,)
        ``counts_`` smoothed with the max-normalised kernel window (zero
        padding): the effective label density of LDS.
    bin_rarity_ : ndarray of shape (n_bins_,)
        LDS rarity of each bin (see :meth:`rarity`).
    sigma_ : float or None
        The kernel width used (None for ``"triang"``).

    See Also
    --------
    LDSWeighter : Per-sample weights from this label space.
    skdir.metrics.shot_metrics : Errors per shot group.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> space = LabelSpace(bin_width=1, many_threshold=1, few_threshold=1)
    >>> space.fit(np.array([3, 4, 4, 7]))
    LabelSpace(bin_width=1, few_threshold=1, many_threshold=1)
    >>> space.edges_
    array([3., 4., 5., 6., 7., 8.])
    >>> space.counts_
    array([1., 2., 0., 0., 1.])
    >>> space.transform(np.array([3.5, 7, 100, -2]))
    array([0, 4, 4, 0])
    >>> space.shot_of([4.5, 3.2, 5.5])
    array(['many', 'medium', 'few'], dtype=object)
    """

    _parameter_constraints = {
        "bin_width": [Interval(Real, 0, None, closed="neither"), None],
        "n_bins": [Interval(Integral, 1, MAX_BINS, closed="both"), StrOptions({"auto"})],
        "edges": ["array-like", None],
        "strategy": [StrOptions({"auto", "uniform", "quantile"})],
        "kernel": [StrOptions(set(KERNELS))],
        "ks": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
        "many_threshold": [Interval(Real, 0, None, closed="left")],
        "few_threshold": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        bin_width=None,
        n_bins="auto",
        edges=None,
        strategy="auto",
        kernel="gaussian",
        ks=5,
        sigma=None,
        many_threshold=100,
        few_threshold=20,
    ):
        self.bin_width = bin_width
        self.n_bins = n_bins
        self.edges = edges
        self.strategy = strategy
        self.kernel = kernel
        self.ks = ks
        self.sigma = sigma
        self.many_threshold = many_threshold
        self.few_threshold = few_threshold

    # ------------------------------------------------------------ cloning
    def __sklearn_clone__(self):
        # Fitted means frozen: the same edges and counts on every fold.
        if is_fitted_space(self):
            return self
        return super().__sklearn_clone__()

    # ------------------------------------------------------------- checks
    def _check_settings(self):
        """Reject combinations in which a parameter would have no effect."""
        if self.bin_width is not None and self.edges is not None:
            raise ValueError("Give at most one of bin_width and edges, not both.")
        fixed = "bin_width" if self.bin_width is not None else (
            "edges" if self.edges is not None else None
        )
        if fixed is not None and self.n_bins != "auto":
            raise ValueError(
                f"n_bins={self.n_bins!r} has no effect when {fixed} is given; "
                "leave n_bins='auto'."
            )
        if fixed is not None and self.strategy != "auto":
            raise ValueError(
                f"strategy={self.strategy!r} has no effect when {fixed} is given; "
                "leave strategy='auto'."
            )
        if self.ks % 2 == 0:
            raise ValueError(f"ks must be an odd positive integer, got {self.ks}.")
        if self.kernel == "triang" and self.sigma is not None:
            raise ValueError(
                f"sigma={self.sigma!r} has no effect with kernel='triang'; leave "
                "sigma=None."
            )
        if self.sigma is not None and not np.isfinite(self.sigma):
            raise ValueError(f"sigma must be finite, got {self.sigma}.")
        if self.few_threshold > self.many_threshold:
            raise ValueError(
                f"few_threshold ({self.few_threshold}) must not exceed "
                f"many_threshold ({self.many_threshold})."
            )

    def _window_args(self):
        sigma = 2.0 if self.sigma is None else float(self.sigma)
        return self.kernel, int(self.ks), sigma

    # -------------------------------------------------------------- edges
    def _learn_edges(self, y, sample_weight):
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
        # The range, the quantiles and the "auto" bin count come from the
        # samples that carry weight, so that integer weights and repeated
        # samples give the same bins.
        if sample_weight is None:
            support, weight = y, None
        else:
            keep = sample_weight > 0
            support, weight = y[keep], sample_weight[keep]
        lo, hi = float(support.min()), float(support.max())
        if self.bin_width is not None:
            return _width_edges(lo, hi, float(self.bin_width))
        if self.n_bins == "auto":
            n_eff = support.size if weight is None else float(weight.sum())
            n_bins = _auto_n_bins(n_eff)
        else:
            n_bins = int(self.n_bins)
        if lo == hi:
            return _checked_edges(np.linspace(lo - 0.5, lo + 0.5, n_bins + 1), "n_bins")
        if self.strategy == "quantile":
            q = _weighted_quantiles(support, weight, np.linspace(0, 1, n_bins + 1))
            q[0], q[-1] = lo, hi
            return _checked_edges(np.unique(q), "n_bins")
        if self.strategy == "auto":
            q1, q3 = _weighted_quantiles(support, weight, np.array([0.25, 0.75]))
            with np.errstate(over="ignore", invalid="ignore"):
                iqr = q3 - q1
                f_lo, f_hi = max(lo, q1 - _FENCE * iqr), min(hi, q3 + _FENCE * iqr)
            if f_hi > f_lo and (f_hi - f_lo) < _BULK_SHARE * (hi - lo):
                return _checked_edges(_robust_edges(lo, hi, f_lo, f_hi, n_bins), "n_bins")
        with np.errstate(over="ignore", invalid="ignore"):
            edges = np.linspace(lo, hi, n_bins + 1)
        return _checked_edges(edges, "n_bins")

    # ---------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y, sample_weight=None):
        """Learn the bins, their counts, smoothing and rarity from ``y``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Training targets; finite.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; ``counts_`` then sums them per bin.

        Returns
        -------
        self : LabelSpace
            The fitted label space.
        """
        y = check_target(y)
        return self._fit(y, check_sample_weight_1d(sample_weight, y))

    def _fit(self, y, sample_weight=None):
        """``fit`` on a validated float64 ``y`` and validated weights."""
        self._check_settings()
        self.edges_ = self._learn_edges(y, sample_weight)
        self.n_bins_ = self.edges_.size - 1
        self.centers_ = (self.edges_[:-1] + self.edges_[1:]) / 2.0
        self.sigma_ = None if self.kernel == "triang" else self._window_args()[2]
        self.counts_ = self._histogram(y, sample_weight)
        self.effective_counts_ = self.smooth(self.counts_)
        uniform = self.smooth(np.full(self.n_bins_, self.counts_.sum() / self.n_bins_))
        self.bin_rarity_ = np.clip(1.0 - self.effective_counts_ / uniform, 0.0, 1.0)
        return self

    # ------------------------------------------------------------ queries
    def _index(self, y):
        idx = np.searchsorted(self.edges_, y, side="right") - 1
        return np.clip(idx, 0, self.n_bins_ - 1)

    def _in_range(self, y):
        return (y >= self.edges_[0]) & (y <= self.edges_[-1])

    def _histogram(self, y, sample_weight=None):
        return np.bincount(
            self._index(y), weights=sample_weight, minlength=self.n_bins_
        ).astype(float)

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
        return self._index(check_target(y))

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
        >>> from skdir import LabelSpace
        >>> LabelSpace(edges=[0, 1, 2]).fit([0.5]).histogram([0.2, 1.5, 1.7, 9.0])
        array([1., 3.])
        """
        check_is_fitted(self)
        y = check_target(y)
        return self._histogram(y, check_sample_weight_1d(sample_weight, y))

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
        return self._in_range(check_target(y))

    def count_of(self, y, *, smoothed=False):
        """Training count of the bin of each value (0 outside the range).

        Unlike ``counts_[transform(y)]``, a value outside the fitted range
        gets a count of 0 rather than that of the edge bin: no training data
        lives there.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Target values.
        smoothed : bool, default=False
            Give the effective (LDS-smoothed) count instead of the raw one.

        Returns
        -------
        counts : ndarray of shape (n_samples,)
            Per-value training count.

        Examples
        --------
        >>> from skdir import LabelSpace
        >>> space = LabelSpace(edges=[0, 1, 2, 3]).fit([0.5, 1.5, 1.6, 2.5])
        >>> space.count_of([1.2, 7.0])
        array([2., 0.])
        """
        check_is_fitted(self)
        y = check_target(y)
        return self._count_of(y, smoothed=smoothed)

    def _count_of(self, y, *, smoothed=False):
        per_bin = self.effective_counts_ if smoothed else self.counts_
        return np.where(self._in_range(y), per_bin[self._index(y)], 0.0)

    def _shot_codes(self, y):
        """Index into :data:`SHOTS` (0 many, 1 medium, 2 few) of validated ``y``."""
        counts = self._count_of(y)
        codes = np.ones(y.shape, dtype=np.intp)
        codes[counts > self.many_threshold] = 0
        codes[counts < self.few_threshold] = 2
        return codes

    def shot_of(self, y):
        """Shot group of each value: ``"many"``, ``"medium"`` or ``"few"``.

        A value is many-shot when its bin holds more than ``many_threshold``
        training samples, few-shot when it holds fewer than
        ``few_threshold`` (a value outside the fitted range holds none), and
        medium-shot otherwise, as in Yang et al. (ICML 2021).

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Target values (usually test targets).

        Returns
        -------
        groups : ndarray of shape (n_samples,), dtype=object
            The shot group of each value.

        Examples
        --------
        >>> from skdir import LabelSpace
        >>> space = LabelSpace(edges=[0.5, 1.5, 2.5, 3.5], many_threshold=4,
        ...                    few_threshold=2).fit([1] * 5 + [2] * 3 + [3])
        >>> space.shot_of([1, 2, 3, 7])
        array(['many', 'medium', 'few', 'few'], dtype=object)
        """
        check_is_fitted(self)
        return np.asarray(SHOTS, dtype=object)[self._shot_codes(check_target(y))]

    def rarity(self, y):
        """LDS rarity of each value, in [0, 1].

        The effective counts ``d`` are compared with the same smoothing of a
        *uniform* histogram of the same total over the same bins, ``u``: a
        value in bin ``b`` has rarity ``clip(1 - d_b / u_b, 0, 1)``. It is 0
        where the neighbourhood is at least as populated as under a balanced
        (uniform) label distribution, 0.5 where it is half as populated, and
        1 where no training data lives, including any value outside the
        fitted range. Smoothing ``u`` with the same zero-padded window keeps
        the edge bins from looking rare merely because of the padding.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Target values.

        Returns
        -------
        rarity : ndarray of shape (n_samples,)
            Values in [0, 1].

        Examples
        --------
        >>> import numpy as np
        >>> from skdir import LabelSpace
        >>> y = np.array([0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 9.0])
        >>> space = LabelSpace(edges=np.arange(11.0), kernel="triang", ks=1).fit(y)
        >>> space.rarity([1, 3, 6, 9, 100]).round(3)
        array([0.   , 0.231, 1.   , 0.231, 1.   ])
        """
        check_is_fitted(self)
        return self._rarity(check_target(y))

    def _rarity(self, y):
        """:meth:`rarity` of a validated float64 ``y``."""
        return np.where(self._in_range(y), self.bin_rarity_[self._index(y)], 1.0)

    def window(self, normalize="max"):
        """The kernel window of this label space.

        Parameters
        ----------
        normalize : {"max", "sum"}, default="max"
            ``"max"`` (peak 1) as LDS uses it, ``"sum"`` (sums to 1) as FDS
            uses it.

        Returns
        -------
        window : ndarray of shape (ks,)
            See :func:`kernel_window`.

        Examples
        --------
        >>> from skdir import LabelSpace
        >>> LabelSpace(kernel="triang", ks=3).window(normalize="sum")
        array([0.25, 0.5 , 0.25])
        """
        self._check_settings()
        return kernel_window(*self._window_args(), normalize=normalize)

    def smooth(self, values):
        """Smooth per-bin values with the LDS window (zero padding).

        Parameters
        ----------
        values : array-like of shape (n_bins,)
            Per-bin values: counts, or a transform of them such as their
            square root.

        Returns
        -------
        smoothed : ndarray of shape (n_bins,)
            See :func:`smooth_counts`.

        Examples
        --------
        >>> import numpy as np
        >>> from skdir import LabelSpace
        >>> LabelSpace(kernel="triang", ks=3).smooth(np.array([0, 4.0, 0]))
        array([2., 4., 2.])
        """
        self._check_settings()
        return smooth_counts(values, *self._window_args(), normalize="max")


def _auto_n_bins(n_samples):
    """Rice's rule, ``ceil(2 n^(1/3))``, capped to [1, 100] bins."""
    return int(np.clip(np.ceil(2.0 * np.cbrt(n_samples)), 1, 100))


def _checked_edges(edges, name):
    """``edges`` if finite and strictly increasing, else a clear error."""
    if not np.all(np.isfinite(edges)) or not np.all(edges[1:] > edges[:-1]):
        raise ValueError(
            f"The target range is too wide or too finely divided for {name}: the "
            "bin edges are not finite and strictly increasing in float64 "
            f"(first edges {edges[:3]}). Rescale the target or choose fewer bins."
        )
    return edges


def _width_edges(lo, hi, width):
    """Edges on the grid ``k * width`` from the bin of ``lo`` to that of ``hi``."""
    with np.errstate(over="ignore", invalid="ignore"):
        first, last = np.floor(lo / width), np.floor(hi / width)
        n = last - first + 1
    if not np.isfinite(n) or n > MAX_BINS:
        raise ValueError(
            f"bin_width={width:g} gives {n:g} bins over [{lo:g}, {hi:g}]; at most "
            f"{MAX_BINS} are allowed: use a larger bin_width."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        edges = (first + np.arange(int(n) + 1)) * width
    return _checked_edges(edges, f"bin_width={width:g}")


def _robust_edges(lo, hi, f_lo, f_hi, n_bins):
    """Equal-width bins over ``[f_lo, f_hi]``, extended with the same width
    for up to ``_EXTRA_BINS * n_bins`` bins a side, then one overflow bin."""
    width = (f_hi - f_lo) / n_bins
    limit = _EXTRA_BINS * n_bins
    with np.errstate(over="ignore", invalid="ignore"):
        below = int(np.nan_to_num(min(np.ceil((f_lo - lo) / width), limit), nan=limit))
        above = int(np.nan_to_num(min(np.ceil((hi - f_hi) / width), limit), nan=limit))
    edges = f_lo + width * np.arange(-below, n_bins + above + 1)
    edges[n_bins + below] = f_hi  # exact upper fence
    if edges[0] > lo:
        edges = np.concatenate([[lo], edges])
    if edges[-1] < hi:
        edges = np.concatenate([edges, [hi]])
    return edges


def _weighted_quantiles(y, weight, q):
    """Inverted-CDF quantiles of ``y`` under ``weight`` (None: equal weights).

    Integer weights give the quantiles of the repeated samples.
    """
    if weight is None:
        # With unit weights the quantile q is the order statistic floor(q n):
        # a partial sort finds it in linear time.
        pos = np.clip(np.floor(q * y.size).astype(np.intp), 0, y.size - 1)
        return np.partition(y, np.unique(pos))[pos].astype(float)
    order = np.argsort(y, kind="stable")
    ys = y[order]
    cum = np.cumsum(weight[order])
    pos = np.searchsorted(cum, q * cum[-1], side="right")
    return ys[np.clip(pos, 0, ys.size - 1)].astype(float)


def is_fitted_space(label_space):
    """Whether ``label_space`` is a fitted :class:`LabelSpace`."""
    return isinstance(label_space, LabelSpace) and hasattr(label_space, "edges_")


def check_label_space(label_space, name="label_space"):
    """``label_space`` if a :class:`LabelSpace`; ``LabelSpace()`` for None."""
    if label_space is None:
        return LabelSpace()
    if not isinstance(label_space, LabelSpace):
        raise TypeError(
            f"{name} must be a skdir.LabelSpace or None, got "
            f"{type(label_space).__name__}."
        )
    return label_space


def fit_label_space(label_space, y, sample_weight=None):
    """The label space for a consumer's fit on validated ``y``.

    A fitted :class:`LabelSpace` is returned as it is (frozen); an unfitted
    one (None means ``LabelSpace()``) is cloned and fitted on ``y``.

    Parameters
    ----------
    label_space : LabelSpace or None
        The consumer's ``label_space`` parameter.
    y : ndarray of shape (n_samples,)
        Validated float64 training targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Validated weights.

    Returns
    -------
    label_space : LabelSpace
        Fitted.
    """
    label_space = check_label_space(label_space)
    if is_fitted_space(label_space):
        return label_space
    label_space = clone(label_space)
    label_space._validate_params()
    return label_space._fit(y, sample_weight)

