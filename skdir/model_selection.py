"""Cross-validation for continuous targets."""

from numbers import Integral

import numpy as np
from sklearn.model_selection import StratifiedKFold

from ._validation import check_target
from .bins import check_label_space, fit_label_space

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
        if isinstance(self.n_splits, bool) or not isinstance(self.n_splits, Integral):
            raise TypeError(f"n_splits must be an integer, got {self.n_splits!r}.")
        check_label_space(self.label_space)
        y = check_target(y)
        if y.size < self.n_splits:
            raise ValueError(
                f"Cannot have n_splits={self.n_splits} greater than the number of "
                f"samples: n_samples={y.size}."
            )
        space = fit_label_space(self.label_space, y)
        groups = _merge_sparse_bins(space._histogram(y), self.n_splits)
        return groups[space._index(y)]

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
