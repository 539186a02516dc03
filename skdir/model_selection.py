"""Cross-validation for continuous targets."""

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from ._validation import check_target
from .bins import resolve_bins

__all__ = ["BinnedStratifiedKFold"]


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


class BinnedStratifiedKFold(StratifiedKFold):
    """Stratified K-fold for a continuous target.

    The target is binned with :class:`~skdir.LabelBins`; consecutive bins
    are merged until each group holds at least ``n_splits`` samples, so every
    fold receives a share of every target range, rare tails included; the
    groups are then split as classes by
    :class:`~sklearn.model_selection.StratifiedKFold`. Use it as ``cv=`` in
    ``cross_validate`` or ``GridSearchCV``.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, >= 2.
    bins : LabelBins, int, "auto", array-like or None, default=None
        Bins of the target (see :class:`~skdir.LabelBins`); None means
        ``LabelBins()``.
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
    >>> from skdir.model_selection import BinnedStratifiedKFold
    >>> y = np.r_[np.arange(90) / 90.0, [5.0, 6.0, 7.0, 8.0, 9.0]]
    >>> X = np.zeros((y.size, 1))
    >>> cv = BinnedStratifiedKFold(n_splits=5, bins=10)
    >>> [int((y[test] > 4).sum()) for _, test in cv.split(X, y)]
    [1, 1, 1, 1, 1]
    """

    def __init__(self, n_splits=5, *, bins=None, shuffle=False, random_state=None):
        super().__init__(n_splits=n_splits, shuffle=shuffle, random_state=random_state)
        self.bins = bins

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
        if isinstance(self.n_splits, bool) or not isinstance(self.n_splits, Integral):
            raise TypeError(f"n_splits must be an integer, got {self.n_splits!r}.")
        y = check_target(y)
        if y.size < self.n_splits:
            raise ValueError(
                f"Cannot have n_splits={self.n_splits} greater than the number of "
                f"samples: n_samples={y.size}."
            )
        bins = clone(resolve_bins(self.bins)).fit(y)
        index = bins.transform(y)
        groups = _merge_sparse_bins(bins.counts_, self.n_splits)
        return groups[index]

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
