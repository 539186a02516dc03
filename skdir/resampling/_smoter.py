"""SMOTER: SMOTE for regression (Torgo et al., 2013)."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseBumpSampler
from ._generate import interpolate_bump

__all__ = ["SMOTER"]

_SHARED_DOC = """
    sampling_strategy : {"balance", "balance_over", "extreme"}, float or dict, default="balance"
        How many samples each bump gets. ``"balance"``: every bump gets
        ``n / n_bumps``, so the output keeps ``n`` samples and the common
        range is *under-sampled*: with a normal bump of 287 samples and a
        rare one of 13, both end with 150, and 137 normal rows are dropped.
        ``"balance_over"``: every original row is kept and only rare samples
        are added, each rare bump growing to the mean size of the normal
        bumps (287 and 287 above); not for :class:`RandomUnderSampler`.
        ``"extreme"``: bump ``i`` gets ``b^2 / n_i`` (``b = n / n_bumps``)
        scaled to a total of ``n``, so rarer bumps end up larger. A float
        ``p`` in (0, 1): ``n`` samples of which a share ``p`` rare, shared
        among the rare (normal) bumps in proportion to their sizes. Under
        these, rare bumps never shrink and normal bumps never grow (a small
        normal bump keeps its size; the SMOGN reference code over-samples
        it). A dict ``{bump index: count}`` (bumps numbered by increasing y,
        or by their smallest target row for a multi-output y, see
        ``bumps_``) sets counts as given; unnamed bumps are unchanged.
        :class:`RandomOverSampler` and :class:`RandomUnderSampler` rescale
        the counts so that they only add, or only remove, rows.
    relevance : {"lds", "phi"}, callable or estimator, default="lds"
        Relevance of the targets, in [0, 1]: ``"lds"`` is the LDS rarity of
        ``label_space`` (:class:`~skdir.relevance.LDSRelevance`); ``"phi"``
        is :class:`~skdir.relevance.PhiRelevance` with its defaults (the
        box plot of the SMOTER and SMOGN papers); an
        object with ``fit(y)`` and ``transform(y)`` (such as
        ``PhiRelevance(extremes="high")``) is cloned and fitted on ``y``; a
        callable is called on ``y`` and must return one value in [0, 1] per
        sample. A target of 2 or 3 columns needs ``"lds"`` (the rarity of
        its cell in the label space's joint grid; see Notes of
        :class:`SMOTER`), except for :class:`WERCS`, which takes any
        relevance but ``"phi"``.
    threshold : float, default=0.5
        Targets with relevance ``>= threshold`` are rare.
    label_space : LabelSpace or None, default=None
        Bins and smoothing kernel of ``relevance="lds"``
        (:class:`~skdir.LabelSpace`). None fits ``LabelSpace()`` on the
        targets of each fit; an unfitted one is cloned and fitted on them; a
        fitted one is used as it is (the same edges and counts on every
        fold). Only ``relevance="lds"`` reads it: given with another
        relevance, ``fit_resample`` raises a ``ValueError``."""

_RANDOM_STATE_DOC = """
    random_state : int, RandomState instance or None, default=None
        Seed of the sampling, as in scikit-learn
        (:func:`sklearn.utils.check_random_state`): an int gives the same
        output on every call; a ``RandomState`` is used, and advanced, as
        given; None uses NumPy's global random state, so
        ``np.random.seed(...)`` before ``fit_resample`` makes a run
        repeatable (and each call advances that state)."""

_ATTR_DOC = """
    sampling_strategy_ : dict
        Number of samples of each bump after resampling.
    bumps_ : list of ndarray
        Indices of the samples of each bump (sorted by target), bumps in
        increasing target order; for a multi-output target, rows and bumps
        in lexicographic order of the target rows (first column first).
    bump_is_rare_ : ndarray of bool
        Whether each bump is rare.
    relevance_ : ndarray of shape (n_samples,)
        Relevance of each training target.
    label_space_ : LabelSpace
        The fitted label space of the LDS relevance; only with
        ``relevance="lds"``.
    sample_indices_ : ndarray of int
        Original rows kept, as they appear first in the output; synthetic
        rows follow.
    training_targets_ : TrainingTargets
        The original training targets, for shot-wise scorers.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X is a DataFrame with string column names."""


class SMOTER(BaseBumpSampler):
    __doc__ = f"""SMOTE for regression (SMOTER, Torgo et al., 2013).

    The training targets are ranked and cut into *bumps*: maximal runs of
    rare (relevance ``>= threshold``) or normal targets. Rare bumps are
    over-sampled with synthetic samples, normal bumps are under-sampled at
    random, to the counts set by ``sampling_strategy``.

    A synthetic sample takes a seed from a rare bump and one of its
    ``k_neighbors`` nearest neighbours from the same bump, under the HEOM
    distance (numeric features divided by their range, nominal features 0 if
    equal and 1 otherwise). Its numeric features lie on the segment between
    them, ``x_s + u (x_n - x_s)`` with ``u ~ U(0, 1)``, its nominal features
    take the seed's or the neighbour's category, and its target is the
    average of their targets weighted by the inverse distances of the new
    sample to each (so it lies between the two targets). Integer columns are
    rounded. Each bump member serves as seed ``n_new // n_bump`` times, and a
    random subset of them once more, as in the reference code. Neighbours come
    from :class:`~sklearn.neighbors.NearestNeighbors`; generation is
    vectorised per bump.

    Parameters
    ----------{_SHARED_DOC}
    k_neighbors : int, default=5
        Number of neighbours to interpolate with; shrunk with a warning for a
        bump of ``k_neighbors`` samples or fewer (a bump of one sample is
        copied).
    categorical_features : "auto", array-like or None, default="auto"
        Nominal features: ``"auto"`` takes the categorical, object, string
        and bool columns of a DataFrame (and the non-numeric columns of an
        object array); else column indices, names or a boolean mask.
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.{_RANDOM_STATE_DOC}

    Attributes
    ----------{_ATTR_DOC}
    seed_indices_ : ndarray of int
        For each synthetic row (in output order), the original row of its
        seed.
    neighbor_indices_ : ndarray of int
        For each synthetic row, the original row of the neighbour drawn for
        it (the seed itself for a rare bump of one sample).

    See Also
    --------
    SMOGN : SMOTER with Gaussian noise for distant neighbours.
    skdir.relevance.LDSRelevance : The default relevance.

    Notes
    -----
    **Multi-output targets.** ``y`` of 2 or 3 columns (a 2-D array or a
    DataFrame, returned as such) is rated by the rarity of its cell in the
    joint grid of the label space (``relevance="lds"``). Its bumps are the
    connected regions of rare (normal) cells of that grid, cells sharing a
    face being connected, empty cells included: in one dimension a bump is
    a run of targets with no target of the other kind between them, here a
    region of the target space that a path can cross without passing a
    cell of the other kind. Neighbours are searched among the members of
    the seed's bump in feature space, as for one column, and the synthetic
    target is the same inverse-distance weighted average, taken of the two
    target vectors, so it lies on the segment between them.

    No rare target (or every target rare, or a single sample): a warning,
    and the data are returned unchanged. Numeric features must be finite;
    sparse X is refused with a ``TypeError``. The output index of a
    DataFrame is a fresh ``RangeIndex``; ``sample_indices_`` are positions.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.resampling import SMOTER
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.exponential(size=300)
    >>> X_res, y_res = SMOTER(random_state=0).fit_resample(X, y)
    >>> X_res.shape
    (300, 2)
    >>> sampler = SMOTER(random_state=0).fit(X, y)
    >>> sampler.bump_is_rare_
    array([False,  True])
    >>> rare_from = y[sampler.bumps_[1]].min()
    >>> int((y >= rare_from).sum()), int((y_res >= rare_from).sum())
    (13, 150)
    """

    _parameter_constraints: dict = {
        **BaseBumpSampler._parameter_constraints,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "n_jobs": [Integral, None],
    }

    _selects_rows = False
    _safe = False

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="lds",
        threshold=0.5,
        label_space=None,
        k_neighbors=5,
        categorical_features="auto",
        n_jobs=None,
        random_state=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.relevance = relevance
        self.threshold = threshold
        self.label_space = label_space
        self.k_neighbors = k_neighbors
        self.categorical_features = categorical_features
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _record_unchanged(self, y, rare):
        super()._record_unchanged(y, rare)
        self.seed_indices_ = np.empty(0, dtype=np.intp)
        self.neighbor_indices_ = np.empty(0, dtype=np.intp)

    def _resample(self, data, y, relevance, rare, rng):
        self._pairs = []
        try:
            kept, synthetic = super()._resample(data, y, relevance, rare, rng)
            pairs = self._pairs
        finally:
            self.__dict__.pop("_pairs", None)
        empty = np.empty(0, dtype=np.intp)
        self.seed_indices_ = np.concatenate([empty, *(p[0] for p in pairs)])
        self.neighbor_indices_ = np.concatenate([empty, *(p[1] for p in pairs)])
        return kept, synthetic

    def _grow(self, data, y, bump, n_new, rng):
        num, src, y_new, n_interpolated, seeds, neighbors = interpolate_bump(
            data, y, bump, n_new, rng, k=self.k_neighbors, n_jobs=self.n_jobs,
            safe=self._safe, perturbation=getattr(self, "perturbation", 0.0),
            name=type(self).__name__,
        )
        self._pairs.append((seeds, neighbors))
        self._count_synthetic(n_interpolated, n_new - n_interpolated)
        return num, src, y_new

    def _count_synthetic(self, n_interpolated, n_other):
        """Record how the rows of a bump were made (SMOGN keeps the counts)."""
