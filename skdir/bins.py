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
from scipy.signal import fftconvolve
from scipy.signal.windows import triang
from scipy.special import ndtr
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
#: Ways of estimating the effective label density (``LabelSpace(density=...)``).
DENSITIES = ("lds", "kde")
#: Bandwidth rules of the KDE density (``LabelSpace(bandwidth=...)``).
BANDWIDTH_RULES = ("scott", "silverman")
#: Most target columns a label space bins jointly.
MAX_OUTPUTS = 3
#: Most cells of a joint grid stored densely (one value per cell); a larger
#: grid of a multi-output label space is stored sparsely (see ``cells_``).
MAX_JOINT_CELLS = 1_000_000
#: Most cells of any joint grid: its flat cell indices are 64-bit integers.
_MAX_GRID_CELLS = 2**62
#: Rows of queries smoothed at once on a sparse grid (bounds the memory of
#: the ks ** d neighbour lookups).
_SPARSE_CHUNK = 8192


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
      the *effective label density* ``effective_counts_``: their LDS
      smoothing (Yang et al., ICML 2021) with ``density="lds"``, or a
      Gaussian kernel density estimate of the targets (DenseWeight,
      Steininger et al., 2021) with ``density="kde"``;
    - the **shot group** of any value (:meth:`shot_of`): many-shot when its
      bin holds more than ``many_threshold`` training samples, few-shot when
      it holds fewer than ``few_threshold`` (a value outside the fitted range
      holds none), medium-shot otherwise;
    - the **rarity** of any value (:meth:`rarity`), in [0, 1].

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

    **Density.** With ``density="lds"`` (the default) the effective density
    is the LDS smoothing of the per-bin counts with the ``kernel`` window.
    With ``density="kde"`` it is a Gaussian kernel density estimate ``f`` of
    the training targets (weighted by ``sample_weight``), with ``bandwidth``
    in target units, computed by linear binning onto a fine grid and an FFT
    convolution. It is expressed in the same unit as the counts: the
    effective count at ``y`` is ``n f(y) w``, the number of training samples
    a bin of the median bin width ``w`` centred on ``y`` would hold under the
    estimate (``n`` the number of samples or the sum of ``sample_weight``).
    ``effective_counts_`` holds it at the bin centres; :meth:`count_of`
    (``smoothed=True``), :class:`LDSWeighter` and :meth:`rarity` evaluate it
    at each value itself, so weights follow ``f(y) ** -alpha``. The bins,
    counts and shot groups do not depend on ``density``.

    **Multi-output targets.** Fitted on ``y`` of shape ``(n_samples, d)``
    with ``d`` = 2 or 3 columns, the label space bins each column with the
    same settings (``bin_width`` and ``edges`` may also be given per column)
    and works on the joint grid of ``n_bins_ = prod(bin_shape_)`` cells: a
    sample's bin is its cell, the counts are the joint histogram, LDS smooths
    it with the window along every axis, the KDE is a product-Gaussian one,
    and rarity and shots are per cell. Every per-bin array is flat over the
    cells in C order (``counts_.reshape(bin_shape_)`` is the joint
    histogram). A column vector ``(n_samples, 1)`` is a scalar target; more
    than 3 columns are refused.

    **Sparse joint grids.** A grid of more than :data:`MAX_JOINT_CELLS`
    cells (say 3 columns of 200 bins) is stored sparsely: ``cells_`` holds
    the flat indices of the cells that hold training targets, and
    ``counts_``, ``effective_counts_``, ``bin_rarity_`` and ``centers_`` hold
    one value per such cell, aligned with ``cells_``. The queries
    (:meth:`transform`, :meth:`count_of`, :meth:`shot_of`, :meth:`rarity`)
    answer for any target as on a dense grid, the LDS sum being taken over
    the ``ks ** d`` neighbours of the target's cell when asked for, in
    ``O(ks ** d log m)`` per target for ``m`` stored cells; the KDE density
    is unchanged. :meth:`histogram` and the consumers that need one value
    per cell of the grid (FDS, BNI with ``lds=True``, the rare regions of
    the multi-output samplers) refuse such a label space with an error that
    says so. ``cells_`` is None for a scalar target and a dense grid.

    A fitted label space is frozen: :func:`sklearn.base.clone` returns it as
    it is, so the same edges and counts serve every fold of
    :func:`~sklearn.model_selection.cross_validate` or
    :class:`~sklearn.model_selection.GridSearchCV`, and consumers use it as
    given. An unfitted one is fitted by each consumer on the training targets
    of each fit. To keep the edges fixed but count each fold's own targets,
    pass unfitted ``LabelSpace(edges=...)`` or ``LabelSpace(bin_width=...)``.

    Parameters
    ----------
    bin_width : float or sequence of float, default=None
        Width of each bin, > 0; for multi-output targets a number (every
        column) or one width per column.
    n_bins : int or "auto", default="auto"
        Number of bins (per column) for ``strategy``; must stay ``"auto"``
        when ``bin_width`` or ``edges`` is given.
    edges : array-like of shape (n_bins + 1,) or sequence of them, default=None
        Strictly increasing, finite bin edges; for multi-output targets one
        array (every column) or a sequence of one array per column.
    strategy : {"auto", "uniform", "quantile"}, default="auto"
        How ``n_bins`` bins are placed; must stay ``"auto"`` when
        ``bin_width`` or ``edges`` is given.
    kernel : {"gaussian", "triang", "laplace"}, default="gaussian"
        LDS kernel (see :func:`kernel_window`); FDS and BNI use it too. Must
        stay ``"gaussian"`` with ``density="kde"``.
    ks : int, default=5
        LDS window size in bins; odd. Must stay 5 with ``density="kde"``.
    sigma : float, default=None
        Width of the gaussian and laplace kernels in bins; None means 2.0.
        Must stay None for ``kernel="triang"``, which has no width, and with
        ``density="kde"``.
    many_threshold : float, default=100
        Training count above which a bin is many-shot.
    few_threshold : float, default=20
        Training count below which a bin is few-shot; at most
        ``many_threshold``.
    density : {"lds", "kde"}, default="lds"
        The effective label density: LDS smoothing of the bin counts, or a
        Gaussian kernel density estimate of the targets.
    bandwidth : {"scott", "silverman"} or float, default=None
        KDE bandwidth (the kernel's standard deviation) in target units, or a
        rule; None means ``"scott"``. Only with ``density="kde"``. The rules
        take ``s = min(std, IQR / 1.349)`` of each column (its standard
        deviation if that is 0, the median bin width if both are) and give
        ``s n^(-1/(d+4))`` (Scott) or ``s (n (d + 2) / 4)^(-1/(d+4))``
        (Silverman), for ``d`` columns and ``n`` samples (or the sum of
        ``sample_weight``). For multi-output targets a number (every column)
        or one per column.

    Attributes
    ----------
    edges_ : ndarray of shape (n_bins_ + 1,), or tuple of ndarray
        Fitted bin edges; for multi-output targets a tuple of the edges of
        each column.
    centers_ : ndarray of shape (n_bins_,) or (n_bins_, n_outputs_)
        Bin mid-points (for multi-output targets, those of each cell).
    n_bins_ : int
        Number of bins (for multi-output targets, of joint cells).
    bin_shape_ : tuple of int
        Number of bins of each column: ``(n_bins_,)`` for a scalar target.
    n_outputs_ : int
        Number of target columns (1 for a scalar target).
    counts_ : ndarray of shape (n_bins_,)
        Training count (sum of ``sample_weight``) of each bin: the empirical
        label density in samples per bin. On a sparse joint grid this and
        the next two attributes, and ``centers_``, hold one value per cell of
        ``cells_``.
    effective_counts_ : ndarray of shape (n_bins_,)
        The effective label density: ``counts_`` smoothed with the
        max-normalised kernel window (zero padding) with ``density="lds"``;
        the KDE at the bin centres in counts per bin with ``density="kde"``.
    bin_rarity_ : ndarray of shape (n_bins_,)
        Rarity of each bin (see :meth:`rarity`; at the bin centres with
        ``density="kde"``).
    sigma_ : float or None
        The kernel width used (None for ``"triang"`` and ``density="kde"``).
    bandwidth_ : float, ndarray of shape (n_outputs_,) or None
        The KDE bandwidth used, in target units (per column for multi-output
        targets); None with ``density="lds"``.
    cells_ : ndarray of shape (n_stored,), dtype=int64, or None
        On a sparse joint grid (more than :data:`MAX_JOINT_CELLS` cells), the
        sorted flat indices of the cells that hold training targets, with
        which ``counts_``, ``effective_counts_``, ``bin_rarity_`` and
        ``centers_`` are aligned; None otherwise.

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

    A KDE density and a two-column target:

    >>> kde = LabelSpace(bin_width=1, density="kde", bandwidth=0.5).fit([3, 4, 4, 7])
    >>> kde.count_of([4.0, 7.0], smoothed=True).round(3)
    array([1.704, 0.798])
    >>> joint = LabelSpace(bin_width=1).fit([[0, 0], [0, 0.5], [1, 2]])
    >>> joint.bin_shape_, joint.n_bins_
    ((2, 3), 6)
    >>> joint.counts_.reshape(joint.bin_shape_)
    array([[2., 0., 0.],
           [0., 0., 1.]])

    A grid too large to store densely keeps only the cells that hold targets:

    >>> rng = np.random.default_rng(0)
    >>> y3 = rng.normal(size=(1000, 3))
    >>> big = LabelSpace(n_bins=120, strategy="uniform").fit(y3)
    >>> big.n_bins_, big.cells_.size
    (1728000, 1000)
    >>> big.count_of(y3[:2], smoothed=True).round(3)
    array([1.   , 1.737])
    """

    _parameter_constraints = {
        "bin_width": [Interval(Real, 0, None, closed="neither"), "array-like", None],
        "n_bins": [Interval(Integral, 1, MAX_BINS, closed="both"), StrOptions({"auto"})],
        "edges": ["array-like", None],
        "strategy": [StrOptions({"auto", "uniform", "quantile"})],
        "kernel": [StrOptions(set(KERNELS))],
        "ks": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
        "many_threshold": [Interval(Real, 0, None, closed="left")],
        "few_threshold": [Interval(Real, 0, None, closed="left")],
        "density": [StrOptions(set(DENSITIES))],
        "bandwidth": [
            StrOptions(set(BANDWIDTH_RULES)),
            Interval(Real, 0, None, closed="neither"),
            "array-like",
            None,
        ],
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
        density="lds",
        bandwidth=None,
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
        self.density = density
        self.bandwidth = bandwidth

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
        self._check_density_settings()

    def _check_density_settings(self):
        if self.density == "lds":
            if self.bandwidth is not None:
                raise ValueError(
                    f"bandwidth={self.bandwidth!r} has no effect with density='lds' "
                    "(the LDS window sets the smoothing); leave bandwidth=None or "
                    "use density='kde'."
                )
            return
        changed = [
            f"{name}={value!r}"
            for name, value, default in (
                ("kernel", self.kernel, "gaussian"),
                ("ks", self.ks, 5),
                ("sigma", self.sigma, None),
            )
            if value != default
        ]
        if changed:
            raise ValueError(
                f"{', '.join(changed)} has no effect with density='kde': the "
                "Gaussian KDE and its bandwidth replace the LDS window. Leave "
                "kernel, ks and sigma at their defaults, or use density='lds'."
            )

    def _check_lds(self, what):
        if self.density == "kde":
            raise ValueError(
                f"{what} needs the LDS window, which a label space with "
                "density='kde' does not have; use density='lds'."
            )

    def _window_args(self):
        sigma = 2.0 if self.sigma is None else float(self.sigma)
        return self.kernel, int(self.ks), sigma

    def _per_output(self, value, name, n_outputs):
        """``value`` for each of ``n_outputs`` columns: a list."""
        if value is None or isinstance(value, (str, Real)):
            return [value] * n_outputs
        if name == "edges":
            items = list(value) if isinstance(value, (list, tuple)) else None
            if items is None or not all(np.ndim(e) == 1 for e in items):
                return [value] * n_outputs  # one set of edges for every column
        else:
            items = list(np.asarray(value, dtype=object).ravel())
        if n_outputs == 1:
            raise ValueError(
                f"{name} must be a single {'array of edges' if name == 'edges' else 'number'}"
                f" for a 1-D target, got a sequence of {len(items)}."
            )
        if len(items) != n_outputs:
            raise ValueError(
                f"{name} has {len(items)} entries but y has {n_outputs} columns; give "
                "one per column or a single value for all of them."
            )
        return items

    # -------------------------------------------------------------- edges
    def _learn_edges(self, y, sample_weight, bin_width=None, edges=None):
        if edges is not None:
            edges = np.asarray(edges, dtype=float)
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
        if bin_width is not None:
            if isinstance(bin_width, bool) or not isinstance(bin_width, Real):
                raise TypeError(
                    f"bin_width must be a positive number, got {bin_width!r}."
                )
            if not (np.isfinite(bin_width) and bin_width > 0):
                raise ValueError(
                    f"bin_width must be a positive finite number, got {bin_width!r}."
                )
            return _width_edges(lo, hi, float(bin_width))
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
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Training targets; finite. Two or three columns give a joint
            (multi-output) label space; a single column is a scalar target.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; ``counts_`` then sums them per bin.

        Returns
        -------
        self : LabelSpace
            The fitted label space.
        """
        y = check_target(y, max_outputs=MAX_OUTPUTS)
        return self._fit(y, check_sample_weight_1d(sample_weight, y))

    def _fit(self, y, sample_weight=None):
        """``fit`` on a validated float64 ``y`` and validated weights."""
        self._check_settings()
        if y.ndim == 1:
            width = self._per_output(self.bin_width, "bin_width", 1)[0]
            edges = self._per_output(self.edges, "edges", 1)[0]
            self.edges_ = self._learn_edges(y, sample_weight, width, edges)
            self.n_bins_ = self.edges_.size - 1
            self.bin_shape_ = (self.n_bins_,)
            self.n_outputs_ = 1
            self.centers_ = (self.edges_[:-1] + self.edges_[1:]) / 2.0
            self.cells_ = None
        else:
            self._fit_joint_bins(y, sample_weight)
        lds = self.density == "lds"
        no_width = self.kernel == "triang" or not lds
        self.sigma_ = None if no_width else self._window_args()[2]
        if self.cells_ is None:
            self.counts_ = self._histogram(y, sample_weight)
        else:
            position = np.searchsorted(self.cells_, self._index(y))
            self.counts_ = np.bincount(
                position, weights=sample_weight, minlength=self.cells_.size
            ).astype(float)
        if lds:
            self.bandwidth_ = None
            self._kde = None
            self.effective_counts_ = self.smooth(self.counts_)
            if self.cells_ is None:
                uniform = self.smooth(
                    np.full(self.n_bins_, self.counts_.sum() / self.n_bins_)
                )
            else:
                uniform = self._smoothed_uniform(self.cells_)
            self.bin_rarity_ = np.clip(1.0 - self.effective_counts_ / uniform, 0.0, 1.0)
        else:
            self._fit_kde(y, sample_weight)
        return self

    def _fit_joint_bins(self, y, sample_weight):
        n_outputs = y.shape[1]
        widths = self._per_output(self.bin_width, "bin_width", n_outputs)
        edges = self._per_output(self.edges, "edges", n_outputs)
        self.edges_ = tuple(
            self._learn_edges(y[:, k], sample_weight, widths[k], edges[k])
            for k in range(n_outputs)
        )
        self.bin_shape_ = tuple(int(e.size - 1) for e in self.edges_)
        cells = int(np.prod(self.bin_shape_, dtype=object))
        if cells >= _MAX_GRID_CELLS:
            raise ValueError(
                f"The joint grid of the {n_outputs} target columns has "
                f"{' x '.join(map(str, self.bin_shape_))} = {cells} cells, more "
                "than 64-bit cell indices can address. Use fewer bins per column "
                "(n_bins) or larger bin_width."
            )
        self.n_bins_ = cells
        self.n_outputs_ = n_outputs
        mids = [(e[:-1] + e[1:]) / 2.0 for e in self.edges_]
        if cells > MAX_JOINT_CELLS:
            # Sparse grid: only the cells that hold training targets are
            # stored; smoothed values elsewhere are computed when asked for.
            self.cells_ = np.unique(self._index(y))
            index = np.unravel_index(self.cells_, self.bin_shape_)
            self.centers_ = np.stack([m[i] for m, i in zip(mids, index)], axis=1)
        else:
            self.cells_ = None
            grids = np.meshgrid(*mids, indexing="ij")
            self.centers_ = np.stack([g.ravel() for g in grids], axis=1)

    def _axes_edges(self):
        return list(self.edges_) if self.n_outputs_ > 1 else [self.edges_]

    def _median_bin_width(self):
        """The width of one label bin: the median width of the bins (of every
        column's bins for a multi-output label space)."""
        return float(np.median(np.concatenate([np.diff(e) for e in self._axes_edges()])))

    def _learn_bandwidth(self, y, sample_weight, unit_widths):
        """Per-column KDE bandwidths of a 2-D ``y``."""
        n_outputs = y.shape[1]
        values = self._per_output(self.bandwidth, "bandwidth", n_outputs)
        if sample_weight is None:
            support, weight = y, None
            n_eff = float(y.shape[0])
        else:
            keep = sample_weight > 0
            support, weight = y[keep], sample_weight[keep]
            n_eff = float(weight.sum())
        out = np.empty(n_outputs)
        for k, value in enumerate(values):
            if value is None or isinstance(value, str):
                rule = "scott" if value is None else value
                if rule not in BANDWIDTH_RULES:
                    raise ValueError(
                        f"bandwidth must be a positive number or one of "
                        f"{BANDWIDTH_RULES}, got {value!r}."
                    )
                col = support[:, k]
                mean = np.average(col, weights=weight)
                std = float(np.sqrt(np.average((col - mean) ** 2, weights=weight)))
                q1, q3 = _weighted_quantiles(col, weight, np.array([0.25, 0.75]))
                spread = min(std, (q3 - q1) / _NORMAL_IQR)
                if not spread > 0:
                    spread = std if std > 0 else float(unit_widths[k])
                if rule == "scott":
                    factor = n_eff ** (-1.0 / (n_outputs + 4))
                else:
                    factor = (n_eff * (n_outputs + 2) / 4.0) ** (-1.0 / (n_outputs + 4))
                out[k] = spread * factor
            else:
                if isinstance(value, bool) or not isinstance(value, Real):
                    raise TypeError(
                        f"bandwidth must be a positive number or one of "
                        f"{BANDWIDTH_RULES}, got {value!r}."
                    )
                if not (np.isfinite(value) and value > 0):
                    raise ValueError(
                        f"bandwidth must be a positive finite number, got {value!r}."
                    )
                out[k] = float(value)
        return out

    def _fit_kde(self, y, sample_weight):
        y2 = _as_columns(y)
        unit_widths = np.array([np.median(np.diff(e)) for e in self._axes_edges()])
        bandwidth = self._learn_bandwidth(y2, sample_weight, unit_widths)
        self._kde = _BinnedKDE(y2, sample_weight, bandwidth)
        self._kde_unit = float(self.counts_.sum() * np.prod(unit_widths))
        self.bandwidth_ = float(bandwidth[0]) if y.ndim == 1 else bandwidth
        centers = _as_columns(self.centers_)
        density = self._kde(centers)
        self.effective_counts_ = self._kde_unit * density
        self.bin_rarity_ = self._kde_rarity(centers, density)

    def _kde_rarity(self, y2, density=None):
        """KDE rarity of a 2-D ``y``: ``1 - f / u`` against the uniform
        density over the fitted box smoothed with the same kernel."""
        if density is None:
            density = self._kde(y2)
        uniform = np.ones(y2.shape[0])
        inside = np.ones(y2.shape[0], dtype=bool)
        for k, edges in enumerate(self._axes_edges()):
            lo, hi = edges[0], edges[-1]
            h = self._kde.bandwidth[k]
            col = y2[:, k]
            uniform *= (ndtr((hi - col) / h) - ndtr((lo - col) / h)) / (hi - lo)
            inside &= (col >= lo) & (col <= hi)
        ratio = np.divide(
            density, uniform, out=np.zeros_like(density), where=uniform > 0
        )
        return np.where(inside, np.clip(1.0 - ratio, 0.0, 1.0), 1.0)

    # ------------------------------------------------------------ queries
    def _check_y(self, y, name="y"):
        """Validate query targets against the fitted number of columns."""
        n_outputs = getattr(self, "n_outputs_", 1)
        y = check_target(y, name=name, max_outputs=n_outputs if n_outputs > 1 else 1)
        got = 1 if y.ndim == 1 else y.shape[1]
        if got != n_outputs:
            raise ValueError(
                f"{name} has {got} column(s) but the label space was fitted on "
                f"{n_outputs}."
            )
        return y

    def _index(self, y):
        if y.ndim == 1:
            idx = np.searchsorted(self.edges_, y, side="right") - 1
            return np.clip(idx, 0, self.n_bins_ - 1)
        flat = np.zeros(y.shape[0], dtype=np.intp)
        for k, edges in enumerate(self.edges_):
            idx = np.searchsorted(edges, y[:, k], side="right") - 1
            idx = np.clip(idx, 0, edges.size - 2)
            flat = flat * (edges.size - 1) + idx
        return flat

    def _in_range(self, y):
        if y.ndim == 1:
            return (y >= self.edges_[0]) & (y <= self.edges_[-1])
        inside = np.ones(y.shape[0], dtype=bool)
        for k, edges in enumerate(self.edges_):
            inside &= (y[:, k] >= edges[0]) & (y[:, k] <= edges[-1])
        return inside

    # --------------------------------------------------------- sparse grid
    def _find_cells(self, flat):
        """Position in ``cells_`` of each flat cell index, and whether the
        cell is stored there (holds training targets)."""
        position = np.searchsorted(self.cells_, flat)
        np.minimum(position, self.cells_.size - 1, out=position)
        return position, self.cells_[position] == flat

    def _stored(self, values, flat):
        """Per-cell ``values`` (aligned with ``cells_``) at flat cells; 0 at
        the cells that hold no training target."""
        position, stored = self._find_cells(flat)
        return np.where(stored, values[position], 0.0)

    def _window_offsets(self):
        """Offsets of the N-d window (one row per cell of the ks ** d block)
        and the product of the 1-D window at each, the zero ones dropped."""
        window = kernel_window(*self._window_args(), normalize="max")
        half = window.size // 2
        d = self.n_outputs_
        grid = np.indices((window.size,) * d).reshape(d, -1).T
        taps = np.prod(window[grid], axis=1)
        keep = taps > 0
        return grid[keep] - half, taps[keep]

    def _smooth_sparse(self, values, flat):
        """LDS smoothing of per-cell ``values`` (aligned with ``cells_``,
        zero elsewhere) evaluated at the flat cells ``flat``: the N-d window
        summed over each cell's neighbours, with zero padding, as
        :meth:`smooth` does on a dense grid."""
        offsets, taps = self._window_offsets()
        shape = np.array(self.bin_shape_, dtype=np.int64)
        strides = np.cumprod(np.r_[1, shape[::-1]])[:-1][::-1]
        values = np.asarray(values, dtype=float)
        flat = np.asarray(flat, dtype=np.int64)
        out = np.empty(flat.size)
        for start in range(0, flat.size, _SPARSE_CHUNK):
            part = flat[start:start + _SPARSE_CHUNK]
            cell = np.stack(np.unravel_index(part, self.bin_shape_), axis=1)
            near = cell[:, None, :] + offsets[None, :, :]
            inside = np.all((near >= 0) & (near < shape), axis=2)
            neighbour = np.where(inside, near @ strides, 0)
            position, stored = self._find_cells(neighbour.ravel())
            stored = stored.reshape(neighbour.shape) & inside
            found = np.where(stored, values[position].reshape(neighbour.shape), 0.0)
            out[start:start + part.size] = found @ taps
        return out

    def _smoothed_uniform(self, flat):
        """The LDS smoothing of a uniform histogram of the training total at
        the flat cells ``flat``: separable, so a product over the axes of the
        window mass that falls inside the grid."""
        window = kernel_window(*self._window_args(), normalize="max")
        half = window.size // 2
        cell = np.unravel_index(np.asarray(flat, dtype=np.int64), self.bin_shape_)
        out = np.full(np.size(flat), self.counts_.sum() / self.n_bins_)
        for index, n in zip(cell, self.bin_shape_):
            # Window mass inside [0, n) around index i: a difference of the
            # window's cumulative sums.
            cumulative = np.r_[0.0, np.cumsum(window)]
            lo = np.clip(half - index, 0, window.size)
            hi = np.clip(half + (n - index), 0, window.size)
            out *= cumulative[hi] - cumulative[lo]
        return out

    def _histogram(self, y, sample_weight=None):
        if getattr(self, "cells_", None) is not None:
            raise ValueError(
                f"The joint grid of this label space has {self.n_bins_} cells, "
                f"more than MAX_JOINT_CELLS = {MAX_JOINT_CELLS}, and is stored "
                "sparsely: it has no per-cell histogram. Count transform(y) with "
                "numpy.unique instead, or use fewer bins per column."
            )
        return np.bincount(
            self._index(y), weights=sample_weight, minlength=self.n_bins_
        ).astype(float)

    def transform(self, y):
        """Bin index of each target value.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs_)
            Target values; finite. Values below ``edges_[0]`` go to bin 0 and
            values above ``edges_[-1]`` to bin ``n_bins_ - 1`` (for
            multi-output targets, column by column).

        Returns
        -------
        index : ndarray of shape (n_samples,), dtype=intp
            Bin of each value (for multi-output targets, the flat index of
            its cell in the C-ordered grid of shape ``bin_shape_``).
        """
        check_is_fitted(self)
        return self._index(self._check_y(y))

    def histogram(self, y, sample_weight=None):
        """Count (or sum the weights of) ``y`` in each fitted bin.

        Values outside the fitted range count in the edge bins, as
        :meth:`transform` maps them.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs_)
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
        y = self._check_y(y)
        return self._histogram(y, check_sample_weight_1d(sample_weight, y))

    def in_range(self, y):
        """Whether each value lies within ``[edges_[0], edges_[-1]]``.

        For multi-output targets: whether every column lies within its range.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs_)
            Target values.

        Returns
        -------
        mask : ndarray of shape (n_samples,), dtype=bool
            True where the value is inside the fitted range.
        """
        check_is_fitted(self)
        return self._in_range(self._check_y(y))

    def count_of(self, y, *, smoothed=False):
        """Training count of the bin of each value (0 outside the range).

        Unlike ``counts_[transform(y)]``, a value outside the fitted range
        gets a count of 0 rather than that of the edge bin: no training data
        lives there.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs_)
            Target values.
        smoothed : bool, default=False
            Give the effective count instead of the raw one: the LDS-smoothed
            count of the value's bin (``density="lds"``), or the KDE at the
            value itself in counts per bin, ``n f(y) w`` (``density="kde"``;
            positive up to 8 bandwidths beyond the training targets, also
            outside the fitted range).

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
        y = self._check_y(y)
        return self._count_of(y, smoothed=smoothed)

    def _count_of(self, y, *, smoothed=False):
        if smoothed and self._kde is not None:
            return self._kde_unit * self._kde(_as_columns(y))
        if self.cells_ is not None:
            flat = self._index(y)
            if smoothed:
                count = self._smooth_sparse(self.counts_, flat)
            else:
                count = self._stored(self.counts_, flat)
            return np.where(self._in_range(y), count, 0.0)
        per_bin = self.effective_counts_ if smoothed else self.counts_
        return np.where(self._in_range(y), per_bin[self._index(y)], 0.0)

    def _shot_codes(self, y):
        """Index into :data:`SHOTS` (0 many, 1 medium, 2 few) of validated ``y``."""
        counts = self._count_of(y)
        codes = np.ones(counts.shape, dtype=np.intp)
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
        y : array-like of shape (n_samples,) or (n_samples, n_outputs_)
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
        return np.asarray(SHOTS, dtype=object)[self._shot_codes(self._check_y(y))]

    def rarity(self, y):
        """Rarity of each value, in [0, 1].

        The effective counts ``d`` are compared with the same smoothing of a
        *uniform* histogram of the same total over the same bins, ``u``: a
        value in bin ``b`` has rarity ``clip(1 - d_b / u_b, 0, 1)``. It is 0
        where the neighbourhood is at least as populated as under a balanced
        (uniform) label distribution, 0.5 where it is half as populated, and
        1 where no training data lives, including any value outside the
        fitted range. Smoothing ``u`` with the same zero-padded window keeps
        the edge bins from looking rare merely because of the padding.

        With ``density="kde"`` the rarity of a value ``y`` inside the fitted
        range is ``clip(1 - f(y) / u(y), 0, 1)`` for the KDE ``f`` and the
        uniform density over ``[edges_[0], edges_[-1]]`` smoothed with the
        same Gaussian kernel, ``u(y) = (Phi((hi - y) / h) - Phi((lo - y) / h))
        / (hi - lo)`` (a product over the columns of a multi-output target);
        1 outside the range.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs_)
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
        return self._rarity(self._check_y(y))

    def _rarity(self, y):
        """:meth:`rarity` of a validated float64 ``y``."""
        if self._kde is not None:
            return self._kde_rarity(_as_columns(y))
        if self.cells_ is not None:
            flat = self._index(y)
            ratio = self._smooth_sparse(self.counts_, flat) / self._smoothed_uniform(flat)
            return np.where(self._in_range(y), np.clip(1.0 - ratio, 0.0, 1.0), 1.0)
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
        self._check_lds("window()")
        return kernel_window(*self._window_args(), normalize=normalize)

    def smooth(self, values):
        """Smooth per-bin values with the LDS window (zero padding).

        On a joint grid (a 2-D or 3-D array, or the flat per-cell values of a
        multi-output label space) the window is applied along every axis in
        turn, with the same zero padding: a separable N-d smoothing that is
        the 1-D one along each column.

        Parameters
        ----------
        values : array-like of shape (n_bins,) or bin_shape_
            Per-bin values: counts, or a transform of them such as their
            square root.

        Returns
        -------
        smoothed : ndarray of the shape of ``values``
            See :func:`smooth_counts`.

        Examples
        --------
        >>> import numpy as np
        >>> from skdir import LabelSpace
        >>> LabelSpace(kernel="triang", ks=3).smooth(np.array([0, 4.0, 0]))
        array([2., 4., 2.])
        >>> LabelSpace(kernel="triang", ks=3).smooth(np.array([[0, 0, 0], [0, 4.0, 0]]))
        array([[1., 2., 1.],
               [2., 4., 2.]])
        """
        self._check_settings()
        self._check_lds("smooth()")
        shape = getattr(self, "bin_shape_", ())
        if getattr(self, "cells_", None) is not None:
            values = np.asarray(values, dtype=float)
            if values.shape != self.cells_.shape:
                raise ValueError(
                    f"values must hold one value per stored cell of the sparse "
                    f"grid ({self.cells_.size}, aligned with cells_), got shape "
                    f"{values.shape}."
                )
            return self._smooth_sparse(values, self.cells_)
        if len(shape) > 1 and np.ndim(values) == 1:
            values = np.asarray(values, dtype=float)
            if values.size != self.n_bins_:
                raise ValueError(
                    f"values must hold one value per cell ({self.n_bins_}), got "
                    f"{values.size}."
                )
            return self.smooth(values.reshape(shape)).ravel()
        if np.ndim(values) in (2, MAX_OUTPUTS):
            out = np.asarray(values, dtype=float)
            window = kernel_window(*self._window_args(), normalize="max")
            for axis in range(out.ndim):
                out = convolve1d(out, window, axis=axis, mode="constant", cval=0.0)
            return out
        return smooth_counts(values, *self._window_args(), normalize="max")



def _as_columns(y):
    """``y`` as a 2-D array of its columns (a 1-D ``y`` is one column)."""
    return y[:, None] if y.ndim == 1 else y

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


#: Interquartile range of the standard normal distribution.
_NORMAL_IQR = 1.3489795003921634
#: The KDE's Gaussian kernel is cut at this many bandwidths (beyond, it is
#: below ``exp(-32)``, about 1e-14, of its peak).
_KDE_TRUNCATE = 8.0
#: Grid points per bandwidth of the binned KDE, by number of target columns.
#: Linear binning and interpolation err by about ``(step / bandwidth) ** 2``
#: times the density's peak: about 1e-7 of it for a scalar target, 1e-4 for
#: two columns and 1e-2 for three, whose grid the size cap makes coarser.
_KDE_RESOLUTION = {1: 512, 2: 32, 3: 16}
#: Most points of the binned KDE's grid, all columns together; wider data
#: gets a coarser grid.
_KDE_MAX_GRID = 1 << 21


class _BinnedKDE:
    """Product-Gaussian kernel density estimate on a regular grid.

    The (weighted) targets are linearly binned onto a grid that reaches
    ``_KDE_TRUNCATE`` bandwidths beyond them, the grid is convolved with the
    sampled Gaussian (normalised to unit mass) along each axis by FFT, and
    the density at any point is the multilinear interpolation of the grid
    (0 off the grid). The result integrates to 1.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_dims)
    weight : ndarray of shape (n_samples,) or None
    bandwidth : ndarray of shape (n_dims,)
        Kernel standard deviation along each axis, in target units.
    """

    def __init__(self, y, weight, bandwidth):
        if weight is not None:
            keep = weight > 0
            y, weight = y[keep], weight[keep]
        n_dims = y.shape[1]
        self.bandwidth = np.asarray(bandwidth, dtype=float)
        reach = _KDE_TRUNCATE * self.bandwidth
        lo, hi = y.min(axis=0) - reach, y.max(axis=0) + reach
        points = np.ceil((hi - lo) / self.bandwidth * _KDE_RESOLUTION[n_dims]) + 1
        total = np.prod(points)
        if total > _KDE_MAX_GRID:
            points = np.floor(points * (_KDE_MAX_GRID / total) ** (1.0 / n_dims))
        self.shape = tuple(int(p) for p in np.maximum(points, 2))
        self.lo = lo
        self.step = (hi - lo) / (np.array(self.shape) - 1.0)
        grid = np.zeros(int(np.prod(self.shape)))
        for flat, share in self._corners(y):
            if weight is not None:
                share = share * weight
            grid += np.bincount(flat, weights=share, minlength=grid.size)
        grid = grid.reshape(self.shape)
        for axis in range(n_dims):
            half = np.ceil(reach[axis] / self.step[axis])
            half = int(min(half, self.shape[axis] - 1))
            # Linear binning spreads each point over a triangle of variance
            # step**2 / 6: narrow the kernel by as much to cancel that bias.
            width = np.sqrt(max(self.bandwidth[axis] ** 2 - self.step[axis] ** 2 / 6.0,
                                0.5 * self.bandwidth[axis] ** 2))
            x = np.arange(-half, half + 1) * (self.step[axis] / width)
            taps = np.exp(-0.5 * x * x)
            taps /= taps.sum() * self.step[axis]
            taps = taps.reshape([-1 if k == axis else 1 for k in range(n_dims)])
            grid = fftconvolve(grid, taps, mode="same", axes=axis)
        mass = float(y.shape[0]) if weight is None else float(weight.sum())
        self.values = np.maximum(grid, 0.0).ravel() / mass

    def _corners(self, y):
        """Flat grid index and linear-interpolation share of each corner of
        the grid cell around each point (points off the grid get share 0)."""
        if y.shape[1] == 1:
            pos = (y[:, 0] - self.lo[0]) / self.step[0]
            left = pos.astype(np.intp)
            np.minimum(left, self.shape[0] - 2, out=left)
            np.maximum(left, 0, out=left)
            frac = pos - left
            outside = (pos < 0) | (pos > self.shape[0] - 1)
            if outside.any():
                frac[outside] = 0.0
                yield left, np.where(outside, 0.0, 1.0 - frac)
            else:
                yield left, 1.0 - frac
            yield left + 1, frac
            return
        shape = np.array(self.shape)
        pos = (y - self.lo) / self.step
        inside = np.all((pos >= 0) & (pos <= shape - 1), axis=1)
        strides = np.cumprod([1] + list(self.shape[::-1]))[:-1][::-1]
        base = np.zeros(y.shape[0], dtype=np.intp)
        shares = []
        for k in range(y.shape[1]):
            left = np.clip(pos[:, k].astype(np.intp), 0, self.shape[k] - 2)
            frac = np.where(inside, pos[:, k] - left, 0.0)
            base += left * int(strides[k])
            shares.append((np.where(inside, 1.0 - frac, 0.0), frac))
        for corner in np.ndindex(*([2] * y.shape[1])):
            share = shares[0][corner[0]]
            for k in range(1, y.shape[1]):
                share = share * shares[k][corner[k]]
            yield base + int(np.dot(corner, strides)), share

    def __call__(self, y):
        """Density at each row of ``y`` (n_points, n_dims)."""
        out = np.zeros(y.shape[0])
        for flat, share in self._corners(y):
            out += share * self.values[flat]
        return out

    @property
    def peak(self):
        """Largest density on the grid."""
        return float(self.values.max())


def _check_dense_grid(label_space, what):
    """Refuse a label space whose joint grid is stored sparsely (``cells_``)
    in ``what``, which needs one value per cell of the grid."""
    if getattr(label_space, "cells_", None) is not None:
        raise ValueError(
            f"{what} needs one value per cell of the joint grid, but this label "
            f"space's grid has {' x '.join(map(str, label_space.bin_shape_))} = "
            f"{label_space.n_bins_} cells, more than MAX_JOINT_CELLS = "
            f"{MAX_JOINT_CELLS}, and is stored sparsely. Use fewer bins per "
            "column (n_bins) or larger bin_width."
        )


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
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Validated float64 training targets; a fitted ``label_space`` must have
        been fitted on as many columns.
    sample_weight : ndarray of shape (n_samples,) or None
        Validated weights.

    Returns
    -------
    label_space : LabelSpace
        Fitted.
    """
    label_space = check_label_space(label_space)
    if is_fitted_space(label_space):
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if label_space.n_outputs_ != n_outputs:
            raise ValueError(
                f"y has {n_outputs} column(s) but the fitted label space was fitted "
                f"on {label_space.n_outputs_}."
            )
        return label_space
    label_space = clone(label_space)
    label_space._validate_params()
    return label_space._fit(y, sample_weight)

