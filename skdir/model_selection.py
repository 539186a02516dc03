"""Cross-validation and model selection for continuous targets."""

from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedGroupKFold,
    StratifiedKFold,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import has_fit_parameter

from ._validation import check_same_length, check_target
from .bins import check_label_space, fit_label_space

__all__ = [
    "BalancedShuffleSplit",
    "BinnedStratifiedGroupKFold",
    "BinnedStratifiedKFold",
    "RepeatedBinnedStratifiedKFold",
    "balanced_refit",
    "make_recipe_search",
]


def _merge_sparse_bins(counts, min_count):
    """Group consecutive bins so that every group holds >= ``min_count`` samples.

    Bins are taken in order of the target and closed into a group once the
    group holds ``min_count`` samples; a short last group joins the one
    before it. Returns the group of each bin.
    """
    groups = np.empty(counts.size, dtype=np.intp)
    group, filled = 0, 0
    # One pass over the (few) bins, not over the samples.
    for i, count in enumerate(counts):
        groups[i] = group
        filled += count
        if filled >= min_count:
            group, filled = group + 1, 0
    if 0 < filled < min_count and group > 0:
        groups[groups == group] = group - 1
    return groups


def _binned_strata(n_splits, label_space, y):
    """Merged bins of ``y`` holding at least ``n_splits`` samples each."""
    n_splits = _check_count("n_splits", n_splits, 1)
    check_label_space(label_space)
    y = check_target(y)
    if y.size < n_splits:
        raise ValueError(
            f"Cannot have n_splits={n_splits} greater than the number of "
            f"samples: n_samples={y.size}."
        )
    space = fit_label_space(label_space, y)
    groups = _merge_sparse_bins(space._histogram(y), n_splits)
    return groups[space._index(y)]


class _BinnedStrata:
    """The label-space parameter and the strata of the binned K-folds."""

    def __init__(
        self, n_splits=5, *, label_space=None, shuffle=False, random_state=None
    ):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        self.label_space = label_space

    def strata(self, y):
        """The stratum (merged bin) of each target value.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Continuous targets.

        Returns
        -------
        strata : ndarray of shape (n_samples,), dtype=intp
            Consecutive integers, in the order of the target.
        """
        return _binned_strata(self.n_splits, self.label_space, y)


class BinnedStratifiedKFold(_BinnedStrata, StratifiedKFold):
    """Stratified K-fold for a continuous target.

    The target is binned with a :class:`~skdir.LabelSpace`; consecutive bins
    are merged until each group holds at least ``n_splits`` samples, so every
    fold receives a share of every target range, rare tails included; the
    groups are then split as classes by
    :class:`~sklearn.model_selection.StratifiedKFold`. Use it as ``cv=`` in
    ``cross_validate`` or ``GridSearchCV``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, >= 2.
    label_space : LabelSpace, default=None
        Bins of the target. An unfitted one (None means ``LabelSpace()``) is
        fitted on the ``y`` given to :meth:`split`; a fitted one is used as
        given, its edges binning ``y`` (values outside its range go to its
        edge bins) and the bins merged on the counts of ``y``.
    shuffle : bool, default=False
        Shuffle each group before splitting it into folds.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling; used only when ``shuffle=True``.

    See Also
    --------
    sklearn.model_selection.StratifiedKFold : The splitter for classes.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> from skdir.model_selection import BinnedStratifiedKFold
    >>> y = np.r_[np.arange(90) / 90.0, [5.0, 6.0, 7.0, 8.0, 9.0]]
    >>> X = np.zeros((y.size, 1))
    >>> uniform = LabelSpace(n_bins=10, strategy="uniform")
    >>> cv = BinnedStratifiedKFold(n_splits=5, label_space=uniform)
    >>> [int((y[test] > 4).sum()) for _, test in cv.split(X, y)]
    [1, 1, 1, 1, 1]
    """

    def split(self, X, y, groups=None):
        """Generate indices to split data into training and test set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Continuous targets; they decide the strata.
        groups : object
            Always ignored, exists for compatibility.

        Yields
        ------
        train : ndarray
            The training set indices for that split.
        test : ndarray
            The testing set indices for that split.
        """
        return super().split(X, self.strata(y), groups)


def _check_count(name, value, low):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}.")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}.")
    return int(value)


class RepeatedBinnedStratifiedKFold:
    """Repeated stratified K-fold for a continuous target.

    Runs :class:`BinnedStratifiedKFold` ``n_repeats`` times, each time with
    the groups (merged bins) shuffled differently, as
    :class:`~sklearn.model_selection.RepeatedStratifiedKFold` does for
    classes. The target is binned once per call of :meth:`split` (an
    unfitted ``label_space`` is fitted on that ``y``), so every repeat has
    the same strata; only the assignment of their samples to folds changes.
    Use it as ``cv=`` in ``cross_validate`` or ``GridSearchCV`` to average
    out the luck of one partition.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds of each repeat, >= 2.
    n_repeats : int, default=10
        Number of repeats, >= 1.
    label_space : LabelSpace, default=None
        Bins of the target, as in :class:`BinnedStratifiedKFold`.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling of every repeat; None uses the global NumPy
        random state. Pass an int for the same splits on every call of
        :meth:`split`.

    See Also
    --------
    BinnedStratifiedKFold : One repeat.
    sklearn.model_selection.RepeatedStratifiedKFold : The splitter for classes.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.model_selection import RepeatedBinnedStratifiedKFold
    >>> y = np.r_[np.linspace(0, 1, 40), [5.0, 6.0, 7.0]]
    >>> cv = RepeatedBinnedStratifiedKFold(3, n_repeats=2, random_state=0)
    >>> cv.get_n_splits()
    6
    >>> [int((y[test] > 4).sum()) for _, test in cv.split(None, y)]
    [1, 1, 1, 1, 1, 1]
    """

    def __init__(self, n_splits=5, n_repeats=10, *, label_space=None,
                 random_state=None):
        self.n_splits = n_splits
        self.n_repeats = n_repeats
        self.label_space = label_space
        self.random_state = random_state

    def __repr__(self):
        return (
            f"{type(self).__name__}(n_splits={self.n_splits!r}, "
            f"n_repeats={self.n_repeats!r}, label_space={self.label_space!r}, "
            f"random_state={self.random_state!r})"
        )

    def _check_counts(self):
        return (_check_count("n_splits", self.n_splits, 2),
                _check_count("n_repeats", self.n_repeats, 1))

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits, ``n_splits * n_repeats``.

        Parameters
        ----------
        X, y, groups : object
            Always ignored, exist for compatibility.

        Returns
        -------
        n_splits : int
            Total number of splits over all repeats.
        """
        n_splits, n_repeats = self._check_counts()
        return n_splits * n_repeats

    def split(self, X, y, groups=None):
        """Generate indices to split data into training and test set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or None
            Training data; only its length is checked against ``y``.
        y : array-like of shape (n_samples,)
            Continuous targets; they decide the strata.
        groups : object
            Always ignored, exists for compatibility.

        Yields
        ------
        train : ndarray
            The training set indices for that split.
        test : ndarray
            The testing set indices for that split.
        """
        n_splits, n_repeats = self._check_counts()
        # Bin once: every repeat stratifies on the same merged bins.
        strata = _binned_strata(n_splits, self.label_space, y)
        if X is not None:
            check_same_length(X, strata, names=("X", "y"))
        rng = check_random_state(self.random_state)
        for _ in range(n_repeats):
            folds = StratifiedKFold(n_splits, shuffle=True, random_state=rng)
            yield from folds.split(np.empty((strata.size, 0)), strata)


class BinnedStratifiedGroupKFold(_BinnedStrata, StratifiedGroupKFold):
    """Stratified K-fold for a continuous target with non-overlapping groups.

    The target is binned and sparse bins are merged as in
    :class:`BinnedStratifiedKFold` (each stratum holds at least
    ``n_splits`` samples); the strata are then split as classes by
    :class:`~sklearn.model_selection.StratifiedGroupKFold`: every group
    (a patient, a site, a subject with several rows) lies in exactly one
    test fold, and the groups are dealt to the folds greedily so that each
    fold's share of every stratum is as even as the groups allow.

    With one sample per group the folds are as balanced as
    :class:`BinnedStratifiedKFold`'s: every fold gets ``floor(c / n_splits)``
    or ``ceil(c / n_splits)`` of a stratum of ``c`` samples. Large groups
    limit what can be balanced: a group is never cut, so a stratum whose
    samples lie in fewer than ``n_splits`` groups (a rare tail measured on
    one or two subjects, say) reaches only that many folds, and a group
    larger than ``n_samples / n_splits`` makes its fold larger than the
    others. Check the folds' strata with :meth:`strata` when groups are
    large.

    The groups are dealt by scikit-learn's greedy loop, one group at a time,
    so its time grows with the number of groups times ``n_splits`` times the
    number of strata; with many small groups this dominates the split.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, >= 2; at most the number of groups.
    label_space : LabelSpace, default=None
        Bins of the target, as in :class:`BinnedStratifiedKFold`.
    shuffle : bool, default=False
        Shuffle the order in which groups of the same stratum make-up are
        dealt to the folds.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling; used only when ``shuffle=True``.

    See Also
    --------
    BinnedStratifiedKFold : Without groups.
    sklearn.model_selection.StratifiedGroupKFold : The splitter for classes.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.model_selection import BinnedStratifiedGroupKFold
    >>> y = np.r_[np.linspace(0, 1, 30), [5.0, 5.1, 6.0, 6.1, 7.0, 7.1]]
    >>> groups = np.arange(y.size) // 2  # two rows per subject
    >>> cv = BinnedStratifiedGroupKFold(3)
    >>> fold = np.empty(y.size, dtype=int)
    >>> for i, (_, test) in enumerate(cv.split(None, y, groups)):
    ...     fold[test] = i
    >>> bool(np.all(fold[0::2] == fold[1::2]))  # a subject's rows share a fold
    True
    >>> np.bincount(fold[y > 4]).tolist()  # the tail: one subject per fold
    [2, 2, 2]
    """

    def split(self, X, y, groups=None):
        """Generate indices to split data into training and test set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or None
            Training data; only its length is checked against ``y``.
        y : array-like of shape (n_samples,)
            Continuous targets; they decide the strata.
        groups : array-like of shape (n_samples,)
            Group labels; a group never lies in two test folds. Required.

        Yields
        ------
        train : ndarray
            The training set indices for that split.
        test : ndarray
            The testing set indices for that split.
        """
        if groups is None:
            raise ValueError(
                f"{type(self).__name__} needs groups: pass groups= to split (or "
                "to cross_validate / the search's fit), one label per sample."
            )
        strata = self.strata(y)
        if X is None:
            X = np.empty((strata.size, 0))
        else:
            check_same_length(X, strata, names=("X", "y"))
        check_same_length(groups, strata, names=("groups", "y"))
        return super().split(X, strata, groups)


class BalancedShuffleSplit:
    """Repeated splits into a training set and a balanced validation set.

    Each split draws its validation set as the deep imbalanced regression
    protocol draws its test set (:func:`~skdir.datasets.dir_split` with
    ``validation=False``): the targets are binned with a
    :class:`~skdir.LabelSpace`, each bin holding ``c`` samples gives
    ``min(per_bin, c // 3)`` randomly chosen samples to the validation set,
    and the rest is the training set. The validation set thus weighs every
    well-populated target range equally, as a balanced test set does, while
    the training set keeps the natural imbalance.

    Use it as ``cv=`` of ``GridSearchCV`` or ``cross_validate`` when the
    model will be judged on a balanced test set: scores on folds that follow
    the imbalanced training distribution (:class:`BinnedStratifiedKFold`)
    estimate the error on new data drawn like the training data, not on a
    balanced set, and so overstate what weighting or resampling costs there.

    Parameters
    ----------
    n_splits : int, default=5
        Number of splits, >= 1. The validation sets of different splits may
        overlap.
    label_space : LabelSpace, default=None
        Bins of the target. An unfitted one (None means ``LabelSpace()``) is
        fitted on the ``y`` given to :meth:`split`; a fitted one is used as
        given, its edges binning ``y`` and the caps counted on ``y``.
    per_bin : int or float, default=30
        Largest number of samples per bin in each validation set, >= 1. A
        float in (0, 1) picks the smallest cap for which the validation set
        holds at least that fraction of the samples.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws; None uses the global NumPy random state. Pass an
        int for the same splits on every call of :meth:`split`.

    See Also
    --------
    skdir.datasets.dir_split : One split into training, validation and test.
    BinnedStratifiedKFold : K-fold over the target's bins.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> from skdir.model_selection import BalancedShuffleSplit
    >>> y = np.repeat([1.0, 2.0, 3.0], [100, 30, 6])
    >>> space = LabelSpace(edges=[0.5, 1.5, 2.5, 3.5])
    >>> cv = BalancedShuffleSplit(2, label_space=space, per_bin=5, random_state=0)
    >>> [np.bincount(y[val].astype(int))[1:].tolist()
    ...  for _, val in cv.split(np.zeros((y.size, 1)), y)]
    [[5, 5, 2], [5, 5, 2]]
    """

    def __init__(self, n_splits=5, *, label_space=None, per_bin=30, random_state=None):
        self.n_splits = n_splits
        self.label_space = label_space
        self.per_bin = per_bin
        self.random_state = random_state

    def __repr__(self):
        return (
            f"{type(self).__name__}(n_splits={self.n_splits!r}, "
            f"label_space={self.label_space!r}, per_bin={self.per_bin!r}, "
            f"random_state={self.random_state!r})"
        )

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits.

        Parameters
        ----------
        X, y, groups : object
            Always ignored, exist for compatibility.

        Returns
        -------
        n_splits : int
            The ``n_splits`` parameter.
        """
        return _check_count("n_splits", self.n_splits, 1)

    def split(self, X, y, groups=None):
        """Generate indices to split data into training and validation set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or None
            Training data; only its length is checked against ``y``.
        y : array-like of shape (n_samples,)
            Continuous targets; they decide the bins.
        groups : object
            Always ignored, exists for compatibility.

        Yields
        ------
        train : ndarray
            The training set indices for that split, in increasing order.
        test : ndarray
            The validation set indices for that split, in increasing order.
        """
        from .datasets._split import _check_per_bin, _eval_limits, _random_ranks

        n_splits = _check_count("n_splits", self.n_splits, 1)
        _check_per_bin(self.per_bin)
        check_label_space(self.label_space)
        y = check_target(y)
        rng = check_random_state(self.random_state)
        if X is not None:
            check_same_length(X, y, names=("X", "y"))
        # Bins and caps once for all splits; each split draws its own ranks,
        # as dir_split(validation=False) draws its test set.
        space = fit_label_space(self.label_space, y)
        index, counts, limit = _eval_limits(space, y, self.per_bin)
        if not limit.any():
            raise ValueError(
                "No validation sample could be drawn: every bin holds fewer "
                "than 3 samples. Use wider bins (label_space) or more data."
            )
        for _ in range(n_splits):
            rank = _random_ranks(index, counts, rng)
            yield np.flatnonzero(rank >= limit), np.flatnonzero(rank < limit)


# ---------------------------------------------------------------------------
# Choosing a recipe: a refit rule and a ready search
# ---------------------------------------------------------------------------


def _same(a, b):
    """Whether two parameter values are equal (False when they cannot tell)."""
    if a is b:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays, objects without a boolean __eq__
        return False


def _short(value, width=60):
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


class _BalancedRefit:
    """The ``refit`` callable made by :func:`balanced_refit`.

    ``refit(cv_results)`` returns the index of the chosen candidate;
    :meth:`explain` returns the whole decision. A module-level class, so
    that a search holding it pickles.
    """

    def __init__(self, balanced, overall, baseline, max_loss):
        self.balanced = balanced
        self.overall = overall
        self.baseline = baseline
        self.max_loss = max_loss

    def __repr__(self):
        return (
            f"balanced_refit(balanced={self.balanced!r}, overall={self.overall!r}, "
            f"baseline={self.baseline!r}, max_loss={self.max_loss!r})"
        )

    def __call__(self, cv_results):
        return self.explain(cv_results)["best_index"]

    @staticmethod
    def _mean_scores(cv_results, name, key):
        scorers = sorted(
            k[len("mean_test_"):] for k in cv_results if k.startswith("mean_test_")
        )
        if f"mean_test_{key}" not in cv_results:
            raise ValueError(
                f"{name}={key!r} is not a scorer of this search; the scorers in "
                f"cv_results are {scorers}. Pass one of them (the keys of the "
                "search's scoring dict)."
            )
        return np.asarray(cv_results[f"mean_test_{key}"], dtype=float)

    def _baseline_candidates(self, cv_results, n_candidates):
        """Indices of the candidates that ``baseline`` designates."""
        baseline = self.baseline
        if isinstance(baseline, Integral):
            if not 0 <= baseline < n_candidates:
                raise ValueError(
                    f"baseline={baseline} is not a candidate index; the search has "
                    f"{n_candidates} candidates (0 to {n_candidates - 1})."
                )
            return np.array([int(baseline)])
        if "params" not in cv_results:
            raise ValueError(
                "cv_results has no 'params' entry, so baseline must be an index."
            )
        params = list(cv_results["params"])
        if callable(baseline):
            match = np.array([bool(baseline(p)) for p in params], dtype=bool)
            if not match.any():
                raise ValueError(
                    f"baseline={_short(baseline)} returned False for every candidate; "
                    "it must return True for the plain model's parameters."
                )
            return np.flatnonzero(match)
        known = sorted({key for p in params for key in p})
        unknown = sorted(set(baseline) - set(known))
        if unknown:
            raise ValueError(
                f"baseline names parameters {unknown} that no candidate has; the "
                f"searched parameters are {known}."
            )
        match = np.array(
            [all(key in p and _same(p[key], v) for key, v in baseline.items())
             for p in params],
            dtype=bool,
        )
        if not match.any():
            seen = {
                key: sorted({_short(p[key], 30) for p in params if key in p})
                for key in baseline
            }
            raise ValueError(
                f"baseline={_short(baseline)} matches no candidate; the values "
                f"searched are {seen}."
            )
        return np.flatnonzero(match)

    def explain(self, cv_results):
        """The decision of the rule on ``cv_results``.

        Parameters
        ----------
        cv_results : dict
            The ``cv_results_`` of a multi-metric search.

        Returns
        -------
        decision : dict
            ``best_index`` (int, the chosen candidate), ``baseline_index``
            (int), ``threshold`` (float, the lowest mean overall score
            accepted), ``eligible`` (bool array, the candidates within the
            tolerance with finite scores), ``balanced`` and ``overall``
            (float arrays, the mean scores of every candidate).
        """
        if not isinstance(cv_results, Mapping):
            raise TypeError(
                f"cv_results must be a dict (a search's cv_results_), got "
                f"{type(cv_results).__name__}."
            )
        balanced = self._mean_scores(cv_results, "balanced", self.balanced)
        overall = self._mean_scores(cv_results, "overall", self.overall)
        if balanced.ndim != 1 or balanced.shape != overall.shape:
            raise ValueError(
                "cv_results must hold one mean score per candidate for both "
                f"scorers; got shapes {balanced.shape} and {overall.shape}."
            )
        matches = self._baseline_candidates(cv_results, overall.size)
        finite = matches[np.isfinite(overall[matches])]
        if finite.size == 0:
            raise ValueError(
                f"The baseline candidate(s) {matches.tolist()} have no finite mean "
                f"{self.overall!r} score (a fit or a score failed on some fold), so "
                "the tolerance cannot be set. Check the search's warnings."
            )
        # Several matches (a tuned plain model): the best of them overall;
        # ties go to the lowest index (argmax returns the first).
        base = int(finite[np.argmax(overall[finite])])
        threshold = overall[base] - self.max_loss * abs(overall[base])
        with np.errstate(invalid="ignore"):
            eligible = (
                np.isfinite(balanced) & np.isfinite(overall) & (overall >= threshold)
            )
        candidates = np.flatnonzero(eligible)
        if candidates.size == 0:
            best = base
        else:
            # Best balanced score; ties: best overall score, then lowest index.
            order = np.lexsort(
                (candidates, -overall[candidates], -balanced[candidates])
            )
            best = int(candidates[order[0]])
        return {
            "best_index": best,
            "baseline_index": base,
            "threshold": float(threshold),
            "eligible": eligible,
            "balanced": balanced,
            "overall": overall,
        }


def balanced_refit(*, balanced, overall, baseline, max_loss=0.03):
    """Refit rule: best balanced score at a bounded cost in overall score.

    Makes a callable for the ``refit`` parameter of
    :class:`~sklearn.model_selection.GridSearchCV` and
    :class:`~sklearn.model_selection.RandomizedSearchCV` with multi-metric
    ``scoring``. From the search's ``cv_results_`` it picks, among the
    candidates whose mean ``overall`` score is at most ``max_loss``
    (relative) below the ``baseline`` candidate's, the one with the best
    mean ``balanced`` score:

    .. code-block:: text

        threshold = overall[baseline] - max_loss * |overall[baseline]|
        eligible  = overall >= threshold, both mean scores finite
        best      = argmax of balanced over eligible

    Scores follow scikit-learn's convention, greater is better (``neg_*``
    errors): with ``neg_mean_absolute_error`` and ``max_loss=0.03`` a
    candidate may have an MAE up to 3 % above the baseline's. A candidate
    whose mean score is NaN (a fold failed, or a shot group was empty) is
    never chosen. When no candidate is eligible (possible only when the
    baseline's own balanced score is NaN), the baseline is chosen. Ties in
    the balanced score go to the better overall score, then to the lower
    index.

    The scores are those of the search's inner folds, so the choice uses
    the training data alone; evaluate the refitted model once on held-out
    data.

    Parameters
    ----------
    balanced : str
        Key of the ``scoring`` dict to maximise: a score that weighs rare
        targets up, e.g. a negated balanced MAE or
        :func:`~skdir.metrics.shot_scorers`' ``"neg_mae_few"``.
    overall : str
        Key of the ``scoring`` dict whose loss is bounded, e.g.
        ``"neg_mean_absolute_error"`` or ``"neg_mae_all"``.
    baseline : dict, callable or int
        The plain model the others are compared with:

        - a dict of parameter values, e.g.
          ``{"weighter__reweight": "none"}``: the candidates whose
          ``params`` hold all of these values;
        - a callable ``baseline(params) -> bool`` on a candidate's
          ``params`` dict (a module-level function, for the search to
          pickle);
        - an int: the candidate's index in ``cv_results_``.

        When several candidates match (the plain model tuned over other
        parameters), the best of them on ``overall`` is the baseline. No
        match is an error.
    max_loss : float, default=0.03
        Largest relative loss in the mean ``overall`` score, >= 0; 0 admits
        no loss at all.

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> int``, the index of the chosen candidate. It
        pickles with the search, and ``refit.explain(cv_results)`` returns
        the whole decision as a dict: ``best_index``, ``baseline_index``,
        ``threshold`` (lowest overall score accepted), ``eligible`` (bool
        array), ``balanced`` and ``overall`` (mean scores).

    See Also
    --------
    make_recipe_search : A ready search over weighting and resampling that
        uses this rule.

    Notes
    -----
    With a callable ``refit`` scikit-learn sets ``best_index_``,
    ``best_params_`` and ``best_estimator_`` but not ``best_score_``; read
    the chosen scores from ``cv_results_`` at ``best_index_``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.model_selection import balanced_refit
    >>> refit = balanced_refit(balanced="neg_bmae", overall="neg_mae",
    ...                        baseline={"reweight": "none"}, max_loss=0.05)
    >>> cv_results = {
    ...     "params": [{"reweight": "none"}, {"reweight": "sqrt_inv"},
    ...                {"reweight": "inverse"}],
    ...     "mean_test_neg_mae": np.array([-2.0, -2.08, -2.3]),
    ...     "mean_test_neg_bmae": np.array([-4.0, -3.5, -3.0]),
    ... }
    >>> refit(cv_results)  # "inverse" loses 15 %, "sqrt_inv" 4 %
    1

    In a search:

    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdir import LabelSpace, LDSWeighter, ReweightedRegressor
    >>> from skdir.metrics import shot_scorers
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=300)
    >>> space = LabelSpace(n_bins=10, many_threshold=40, few_threshold=10)
    >>> search = GridSearchCV(
    ...     ReweightedRegressor(Ridge(), LDSWeighter(label_space=space)),
    ...     [{"weighter__reweight": ["none"], "weighter__lds": [False]},
    ...      {"weighter__reweight": ["sqrt_inv", "inverse"]}],
    ...     scoring=shot_scorers(["mae"], ["all", "few"], label_space=space),
    ...     refit=balanced_refit(balanced="neg_mae_few", overall="neg_mae_all",
    ...                          baseline={"weighter__reweight": "none"}),
    ...     cv=3,
    ... ).fit(X, y)
    >>> search.best_index_ == search.refit.explain(search.cv_results_)["best_index"]
    True
    """
    for name, value in (("balanced", balanced), ("overall", overall)):
        if not isinstance(value, str):
            raise TypeError(
                f"{name} must be a scorer name (a key of the search's scoring "
                f"dict), got {value!r}."
            )
    if isinstance(max_loss, bool) or not isinstance(max_loss, Real):
        raise TypeError(f"max_loss must be a number, got {max_loss!r}.")
    if not (np.isfinite(max_loss) and max_loss >= 0):
        raise ValueError(f"max_loss must be finite and >= 0, got {max_loss!r}.")
    if isinstance(baseline, bool) or not (
        isinstance(baseline, (Mapping, Integral)) or callable(baseline)
    ):
        raise TypeError(
            "baseline must be a dict of parameter values, a callable on a "
            f"candidate's params or a candidate index, got {baseline!r}."
        )
    if isinstance(baseline, Mapping):
        if not baseline:
            raise ValueError("baseline must name at least one parameter value.")
        baseline = dict(baseline)
    elif isinstance(baseline, Integral):
        if baseline < 0:
            raise ValueError(
                f"baseline must be a candidate index >= 0, got {baseline}."
            )
        baseline = int(baseline)
    return _BalancedRefit(balanced, overall, baseline, float(max_loss))


# Keys of the scoring dict of make_recipe_search.
_RECIPE_BALANCED = ("neg_balanced_mae", "neg_mae_few")


def _default_samplers(label_space, random_state):
    from .resampling import (
        SMOGN,
        SMOTER,
        WERCS,
        GaussianNoise,
        RandomOverSampler,
        RandomUnderSampler,
    )

    return [
        cls(label_space=label_space, random_state=random_state)
        for cls in (
            RandomUnderSampler, RandomOverSampler, SMOTER, SMOGN, GaussianNoise, WERCS
        )
    ]


def _accepts_sample_weight(regressor):
    steps = getattr(regressor, "steps", None)
    if isinstance(steps, list) and steps:
        regressor = steps[-1][1]
    return has_fit_parameter(regressor, "sample_weight")


def make_recipe_search(
    regressor,
    *,
    samplers="default",
    reweights=("sqrt_inv", "inverse"),
    label_space=None,
    balanced="neg_balanced_mae",
    max_loss=0.03,
    cv=None,
    n_jobs=None,
    random_state=None,
):
    """A grid search that chooses how to treat the imbalance, for any regressor.

    The candidates are the *recipes* for an imbalanced target, each applied
    to the same ``regressor``:

    - the plain model (the baseline);
    - LDS sample weights (:class:`~skdir.LDSWeighter` in a
      :class:`~skdir.ReweightedRegressor`), one candidate per entry of
      ``reweights``;
    - each resampler of ``samplers`` before the unweighted model.

    They are the steps of an :class:`imblearn.pipeline.Pipeline`
    ``[("resample", sampler or "passthrough"), ("model",
    ReweightedRegressor(regressor, LDSWeighter(label_space=label_space)))]``,
    scored on the inner folds by the overall MAE (``"neg_mae"``), a balanced
    MAE (``"neg_balanced_mae"``, the bins of ``label_space`` fitted on each
    training fold) and the few-shot MAE (``"neg_mae_few"``, see
    :func:`~skdir.metrics.make_shot_scorer`). The refit rule is
    :func:`balanced_refit`: the best ``balanced`` score among the recipes
    whose overall MAE is at most ``max_loss`` above the plain model's.

    Parameters
    ----------
    regressor : estimator
        Any regressor whose ``fit`` accepts ``sample_weight`` (for a
        Pipeline, its last step's). It is cloned.
    samplers : "default" or list of samplers, default="default"
        Resamplers to try, each a candidate. ``"default"`` means
        ``RandomUnderSampler``, ``RandomOverSampler``, ``SMOTER``, ``SMOGN``,
        ``GaussianNoise`` and ``WERCS`` of :mod:`skdir.resampling`, with their
        default settings, ``label_space`` and ``random_state``; pass a list
        to try others (``GSMOTER``, ``CMixup``); an empty list tries none.
    reweights : sequence, default=("sqrt_inv", "inverse")
        Values of :class:`~skdir.LDSWeighter`'s ``reweight`` to try with
        LDS, each a candidate; the unweighted model is always included
        (so ``"none"`` is rejected here). Where ``LDSWeighter`` accepts a
        strength ``alpha`` for ``reweight``, pass floats here alike.
    label_space : LabelSpace, default=None
        Bins, smoothing and shot thresholds for the weights, the default
        samplers and the scorers. An unfitted one (None means
        ``LabelSpace()``) is fitted on the training part of every fold; a
        fitted one is used as given (its counts then include the
        validation folds).
    balanced : {"neg_balanced_mae", "neg_mae_few"}, default="neg_balanced_mae"
        The score that the refit rule maximises.
    max_loss : float, default=0.03
        Largest relative increase of the overall MAE over the plain
        model's, >= 0 (see :func:`balanced_refit`).
    cv : int, cross-validation generator or None, default=None
        Inner folds. None and an int ``k`` mean
        ``BinnedStratifiedKFold(k, label_space=label_space)`` (``k=5`` for
        None), so that every fold holds rare targets.
    n_jobs : int, default=None
        Parallel jobs of the search.
    random_state : int, RandomState instance or None, default=None
        Seed of the default samplers; must stay None when ``samplers`` is a
        list (seed those samplers yourself).

    Returns
    -------
    search : GridSearchCV
        Unfitted. Its ``estimator``, ``param_grid``, ``scoring`` and
        ``refit`` are ordinary parameters: change them with ``set_params``,
        or reuse them in a :class:`~sklearn.model_selection.RandomizedSearchCV`.

    See Also
    --------
    balanced_refit : The refit rule.
    BinnedStratifiedKFold : The default folds.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from skdir import LabelSpace, RandomUnderSampler
    >>> from skdir.model_selection import make_recipe_search
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=300)
    >>> space = LabelSpace(n_bins=10, many_threshold=40, few_threshold=10)
    >>> search = make_recipe_search(
    ...     Ridge(), samplers=[RandomUnderSampler(random_state=0)],
    ...     label_space=space, cv=3, max_loss=0.05,
    ... ).fit(X, y)
    >>> len(search.cv_results_["params"])  # plain, 2 reweights, 1 sampler
    4
    >>> decision = search.refit.explain(search.cv_results_)
    >>> bool(decision["overall"][search.best_index_] >= decision["threshold"])
    True
    """
    from imblearn.pipeline import Pipeline

    from .metrics import make_shot_scorer
    from .weighting import LDSWeighter, ReweightedRegressor

    if not (hasattr(regressor, "fit") and hasattr(regressor, "predict")):
        raise TypeError(
            f"regressor must be an estimator with fit and predict, got {regressor!r}."
        )
    if not _accepts_sample_weight(regressor):
        raise TypeError(
            f"regressor {type(regressor).__name__} does not accept sample_weight in "
            "fit, so it cannot be reweighted; every recipe of this search fits it "
            "with weights."
        )
    check_label_space(label_space)
    if isinstance(samplers, str):
        if samplers != "default":
            raise ValueError(f"samplers must be 'default' or a list, got {samplers!r}.")
        samplers = _default_samplers(label_space, random_state)
    else:
        if random_state is not None:
            raise ValueError(
                "random_state seeds the default samplers only and has no effect "
                "with a list of samplers; set random_state on those samplers."
            )
        samplers = list(samplers)
        bad = [s for s in samplers if not hasattr(s, "fit_resample")]
        if bad:
            raise TypeError(
                f"samplers must have fit_resample (imbalanced-learn samplers), got "
                f"{_short(bad[0])}."
            )
    if isinstance(reweights, str):
        raise TypeError(
            f"reweights must be a list of values, e.g. [{reweights!r}], got "
            f"{reweights!r}."
        )
    reweights = list(reweights)
    plain = [r for r in reweights if _same(r, "none") or _same(r, 0)]
    if plain:
        raise ValueError(
            f"reweights must not hold {plain[0]!r}: the unweighted model is "
            "always a candidate (the baseline)."
        )
    if balanced not in _RECIPE_BALANCED:
        raise ValueError(
            f"balanced must be one of {_RECIPE_BALANCED}, got {balanced!r}."
        )
    refit = balanced_refit(
        balanced=balanced,
        overall="neg_mae",
        baseline={"resample": "passthrough", "model__weighter__reweight": "none"},
        max_loss=max_loss,
    )
    if cv is None or (isinstance(cv, Integral) and not isinstance(cv, bool)):
        cv = BinnedStratifiedKFold(5 if cv is None else cv, label_space=label_space)

    pipeline = Pipeline([
        ("resample", "passthrough"),
        ("model", ReweightedRegressor(regressor, LDSWeighter(label_space=label_space))),
    ])
    unweighted = {
        "model__weighter__reweight": ["none"],
        "model__weighter__lds": [False],
    }
    param_grid = [{"resample": ["passthrough"], **unweighted}]
    if reweights:
        param_grid.append({
            "resample": ["passthrough"],
            "model__weighter__reweight": reweights,
            "model__weighter__lds": [True],
        })
    if samplers:
        param_grid.append({"resample": samplers, **unweighted})
    scoring = {
        "neg_mae": make_shot_scorer("mae", "all"),
        "neg_balanced_mae": make_shot_scorer("balanced_mae", label_space=label_space),
        "neg_mae_few": make_shot_scorer("mae", "few", label_space=label_space),
    }
    return GridSearchCV(
        pipeline, param_grid, scoring=scoring, refit=refit, cv=cv, n_jobs=n_jobs
    )
