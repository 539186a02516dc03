"""Point metrics for imbalanced regression: GM and the balanced errors."""

import numpy as np

from .._validation import check_same_length, check_sample_weight_1d, check_target
from ..bins import fit_label_space

__all__ = [
    "geometric_mean_absolute_error",
    "balanced_mean_absolute_error",
    "balanced_mean_squared_error",
]


def _check_pair(y_true, y_pred, sample_weight=None):
    y_true = check_target(y_true, name="y_true")
    y_pred = check_target(y_pred, name="y_pred")
    check_same_length(y_true, y_pred, names=("y_true", "y_pred"))
    sample_weight = check_sample_weight_1d(sample_weight, y_true)
    return y_true, y_pred, sample_weight


def _geometric_mean(values, weights=None):
    """Geometric mean of non-negative values; 0 as soon as one value is 0."""
    if weights is None:
        if np.any(values == 0):
            return 0.0
        return float(np.exp(np.mean(np.log(values))))
    if np.any((values == 0) & (weights > 0)):
        return 0.0
    positive = weights > 0
    logs = np.log(values[positive])
    return float(np.exp(np.average(logs, weights=weights[positive])))


def geometric_mean_absolute_error(y_true, y_pred, *, sample_weight=None):
    """Geometric mean of the absolute errors (GM).

    ``exp(mean(log|y_true - y_pred|))``, the "GM" column of the DIR
    benchmarks. It rewards predictions that are uniformly good: one exact
    prediction makes it 0, as ``scipy.stats.gmean`` of the errors does in the
    reference evaluation code.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the log-errors.

    Returns
    -------
    gm : float
        Non-negative; lower is better.

    Examples
    --------
    >>> from skdir.metrics import geometric_mean_absolute_error
    >>> geometric_mean_absolute_error([0, 0, 0], [1, 2, 4])
    2.0
    """
    y_true, y_pred, sample_weight = _check_pair(y_true, y_pred, sample_weight)
    return _geometric_mean(np.abs(y_true - y_pred), sample_weight)


def _balanced_error(y_true, y_pred, label_space, sample_weight, power):
    y_true, y_pred, sample_weight = _check_pair(y_true, y_pred, sample_weight)
    space = fit_label_space(label_space, y_true)
    index = space._index(y_true)
    err = np.abs(y_true - y_pred) ** power
    if sample_weight is not None:
        err = err * sample_weight
    total = np.bincount(index, weights=err, minlength=space.n_bins_)
    mass = space._histogram(y_true, sample_weight)
    present = mass > 0
    return float(np.mean(total[present] / mass[present]))


def balanced_mean_absolute_error(
    y_true, y_pred, *, label_space=None, sample_weight=None
):
    """Mean over target bins of each bin's mean absolute error (bMAE).

    Every bin that holds at least one ``y_true`` counts once, however many
    samples it holds, so rare target ranges weigh as much as common ones, as
    the balanced metrics of Ren et al. (*Balanced MSE*, CVPR 2022).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    label_space : LabelSpace, default=None
        Bins of the target: a fitted :class:`~skdir.LabelSpace` is used as
        given (test values outside its range count in its edge bins); an
        unfitted one is fitted on ``y_true``. None means ``LabelSpace()``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights within each bin.

    Returns
    -------
    bmae : float
        Non-negative; lower is better.

    Examples
    --------
    >>> from skdir import LabelSpace
    >>> from skdir.metrics import balanced_mean_absolute_error
    >>> y_true = [1, 1, 1, 5]
    >>> y_pred = [1, 1, 1, 1]
    >>> balanced_mean_absolute_error(y_true, y_pred,
    ...                              label_space=LabelSpace(edges=[0, 2, 6]))
    2.0
    """
    return _balanced_error(y_true, y_pred, label_space, sample_weight, 1)


def balanced_mean_squared_error(
    y_true, y_pred, *, label_space=None, sample_weight=None
):
    """Mean over target bins of each bin's mean squared error (bMSE).

    See :func:`balanced_mean_absolute_error`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    label_space : LabelSpace, default=None
        Bins of the target: a fitted :class:`~skdir.LabelSpace` is used as
        given; an unfitted one is fitted on ``y_true``. None means
        ``LabelSpace()``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights within each bin.

    Returns
    -------
    bmse : float
        Non-negative; lower is better.

    Examples
    --------
    >>> from skdir import LabelSpace
    >>> from skdir.metrics import balanced_mean_squared_error
    >>> balanced_mean_squared_error([1, 1, 1, 5], [1, 1, 1, 1],
    ...                             label_space=LabelSpace(edges=[0, 2, 6]))
    8.0
    """
    return _balanced_error(y_true, y_pred, label_space, sample_weight, 2)
