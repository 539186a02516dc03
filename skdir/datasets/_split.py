"""The DIR benchmark split: balanced validation and test sets."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._indexing import _safe_indexing

from .._validation import check_same_length, check_target
from ..bins import check_label_space, fit_label_space

__all__ = ["dir_split"]


def _eval_counts(counts, per_bin):
    """Samples per bin for each of the validation and test sets."""
    return np.minimum(per_bin, counts // 3)


def _per_bin_for_fraction(counts, fraction):
    """Smallest per-bin cap whose test set holds >= ``fraction`` of the data."""
    counts = counts.astype(np.int64)
    caps = np.arange(1, max(int(counts.max()) // 3, 1) + 1)
    # Test-set size for every candidate cap, without a loop over bins:
    # sum_b min(cap, c_b // 3), as a cumulative count over the sorted c_b // 3.
    thirds = np.sort(counts // 3)
    below = np.searchsorted(thirds, caps, side="left")
    cum = np.concatenate(([0], np.cumsum(thirds)))
    sizes = cum[below] + caps * (thirds.size - below)
    reached = np.flatnonzero(sizes >= fraction * counts.sum())
    return int(caps[reached[0]] if reached.size else caps[-1])


def _check_per_bin(per_bin):
    if isinstance(per_bin, bool) or not isinstance(per_bin, Real):
        raise TypeError(f"per_bin must be an int or a float, got {per_bin!r}.")
    if isinstance(per_bin, Integral):
        if per_bin < 1:
            raise ValueError(f"per_bin must be >= 1, got {per_bin}.")
    elif not 0 < per_bin < 1:
        raise ValueError(f"a float per_bin must lie in (0, 1), got {per_bin}.")


def _eval_limits(space, y, per_bin):
    """Bin of each sample, samples per bin, and the evaluation cap of each
    sample's bin (a validated ``per_bin``)."""
    index = space._index(y)
    counts = space._histogram(y).astype(np.intp)
    if not isinstance(per_bin, Integral):
        per_bin = _per_bin_for_fraction(counts, per_bin)
    return index, counts, _eval_counts(counts, per_bin)[index]


def _random_ranks(index, counts, rng):
    """Rank of each sample among those of its bin, in a random order."""
    order = rng.permutation(index.size)
    order = order[np.argsort(index[order], kind="stable")]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.empty(index.size, dtype=np.intp)
    rank[order] = np.arange(index.size) - starts[index[order]]
    return rank


def dir_split(
    X,
    y,
    *,
    label_space=None,
    per_bin=30,
    validation=True,
    return_indices=False,
    random_state=None,
):
    """Split into an imbalanced training set and balanced validation/test sets.

    The protocol of the deep imbalanced regression benchmarks (Yang et al.,
    ICML 2021): the targets are binned, and each bin holding ``c`` samples
    gives ``min(per_bin, c // 3)`` randomly chosen samples to the validation
    set, as many to the test set, and the rest to the training set. Bins
    with enough data are thus equally represented in the evaluation sets,
    the training set keeps the natural imbalance, and rare bins still keep at
    least a third of their samples for training. With
    ``LabelSpace(bin_width=1)`` and ``per_bin=30`` this rule reproduces the
    per-age counts of the published AgeDB-DIR split exactly.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or None
        Features (arrays, sparse matrices and DataFrames are indexed as by
        :func:`~sklearn.model_selection.train_test_split`). None splits
        ``y`` alone.
    y : array-like of shape (n_samples,)
        Continuous targets; finite.
    label_space : LabelSpace, default=None
        Bins of the target (see :class:`~skdir.LabelSpace`). An unfitted one
        (None means ``LabelSpace()``) is fitted on ``y``; a fitted one is
        used as given, its edges binning ``y`` (values outside its range go
        to its edge bins) and the caps counted on ``y``.
    per_bin : int or float, default=30
        Largest number of samples per bin in each evaluation set, >= 1. A
        float in (0, 1) picks the smallest cap for which the test set holds
        at least that fraction of the samples.
    validation : bool, default=True
        Also build a validation set. If False, only the test set is drawn.
    return_indices : bool, default=False
        Return the index arrays instead of the data.
    random_state : int, RandomState instance or None, default=None
        Seed of the choice of samples within each bin.

    Returns
    -------
    splitting : list
        ``[X_train, X_val, X_test, y_train, y_val, y_test]``; without
        ``validation``, ``[X_train, X_test, y_train, y_test]``; with ``X``
        None, the entries for X are left out. With ``return_indices``, the
        index arrays ``[train, val, test]`` (or ``[train, test]``), each in
        increasing order.

    See Also
    --------
    make_imbalanced_regression : Synthetic data with a chosen imbalance.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> from skdir.datasets import dir_split
    >>> y = np.repeat([1.0, 2.0, 3.0], [100, 30, 6])
    >>> space = LabelSpace(edges=[0.5, 1.5, 2.5, 3.5])
    >>> train, val, test = dir_split(None, y, label_space=space, per_bin=5,
    ...                              return_indices=True, random_state=0)
    >>> [np.bincount(y[idx].astype(int))[1:].tolist() for idx in (train, val, test)]
    [[90, 20, 2], [5, 5, 2], [5, 5, 2]]
    """
    y_in = y
    y = check_target(y)
    if X is not None:
        check_same_length(X, y, names=("X", "y"))
    _check_per_bin(per_bin)
    check_label_space(label_space)
    rng = check_random_state(random_state)

    space = fit_label_space(label_space, y)
    index, counts, limit = _eval_limits(space, y, per_bin)
    rank = _random_ranks(index, counts, rng)
    if validation:
        val = np.flatnonzero(rank < limit)
        test = np.flatnonzero((rank >= limit) & (rank < 2 * limit))
        train = np.flatnonzero(rank >= 2 * limit)
        parts = [train, val, test]
    else:
        test = np.flatnonzero(rank < limit)
        train = np.flatnonzero(rank >= limit)
        parts = [train, test]
    if return_indices:
        return parts
    out = [] if X is None else [_safe_indexing(X, idx) for idx in parts]
    return out + [_safe_indexing(y_in, idx) for idx in parts]
