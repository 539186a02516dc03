"""Point metrics for imbalanced regression: GM and the balanced errors."""

import numpy as np

from .._validation import check_same_length, check_sample_weight_1d, check_target
from ..bins import MAX_OUTPUTS, fit_label_space

__all__ = [
    "geometric_mean_absolute_error",
    "balanced_mean_absolute_error",
    "balanced_mean_squared_error",
]

#: Named ways of combining the errors of several target columns.
MULTIOUTPUT = ("raw_values", "uniform_average")


def _check_pair(y_true, y_pred, sample_weight=None):
    y_true = check_target(y_true, name="y_true", max_outputs=MAX_OUTPUTS)
    y_pred = check_target(y_pred, name="y_pred", max_outputs=MAX_OUTPUTS)
    check_same_length(y_true, y_pred, names=("y_true", "y_pred"))
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred have different numbers of outputs "
            f"({_n_outputs(y_true)} and {_n_outputs(y_pred)})."
        )
    sample_weight = check_sample_weight_1d(sample_weight, y_true)
    return y_true, y_pred, sample_weight


def _n_outputs(y):
    return 1 if y.ndim == 1 else y.shape[1]


def _check_multioutput(multioutput, n_outputs):
    """``multioutput`` as a name or as validated weights of the outputs."""
    if isinstance(multioutput, str):
        if multioutput not in MULTIOUTPUT:
            raise ValueError(
                f"multioutput must be one of {MULTIOUTPUT} or an array of "
                f"{n_outputs} weights, got {multioutput!r}."
            )
        return multioutput
    try:
        weights = np.asarray(multioutput, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"multioutput must be one of {MULTIOUTPUT} or an array of weights, got "
            f"{multioutput!r}."
        ) from None
    if weights.shape != (n_outputs,):
        raise ValueError(
            f"multioutput must hold one weight per output ({n_outputs}), got shape "
            f"{weights.shape}."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError(
            "multioutput weights must be finite, non-negative and not all zero, got "
            f"{weights}."
        )
    return weights


def _aggregate(values, multioutput):
    """Combine per-output values as ``multioutput`` (checked) says."""
    values = np.asarray(values, dtype=float)
    if isinstance(multioutput, str):
        return values if multioutput == "raw_values" else float(np.mean(values))
    return float(np.average(values, weights=multioutput))


def _columns(y):
    """``y`` as a 2-D array of its output columns."""
    return y[:, None] if y.ndim == 1 else y


def _check_space_outputs(space, y, name="y_true"):
    n_outputs = _n_outputs(y)
    if space.n_outputs_ != n_outputs:
        raise ValueError(
            f"{name} has {n_outputs} column(s) but the label space was fitted on "
            f"{space.n_outputs_}."
        )


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


def geometric_mean_absolute_error(
    y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"
):
    """Geometric mean of the absolute errors (GM).

    ``exp(mean(log|y_true - y_pred|))``, the "GM" column of the DIR
    benchmarks. It rewards predictions that are uniformly good: one exact
    prediction makes it 0, as ``scipy.stats.gmean`` of the errors does in the
    reference evaluation code.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True targets.
    y_pred : array-like of the shape of ``y_true``
        Predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the log-errors.
    multioutput : {"raw_values", "uniform_average"} or array-like of shape \
            (n_outputs,), default="uniform_average"
        How the GM of each output column combine, as in scikit-learn's
        regression metrics: their array, their mean, or their average with
        these weights.

    Returns
    -------
    gm : float or ndarray of shape (n_outputs,)
        Non-negative; lower is better. An array with
        ``multioutput="raw_values"``.

    Examples
    --------
    >>> from skdir.metrics import geometric_mean_absolute_error
    >>> geometric_mean_absolute_error([0, 0, 0], [1, 2, 4])
    2.0
    >>> geometric_mean_absolute_error([[0, 0], [0, 0]], [[1, 2], [4, 8]],
    ...                               multioutput="raw_values")
    array([2., 4.])
    """
    y_true, y_pred, sample_weight = _check_pair(y_true, y_pred, sample_weight)
    multioutput = _check_multioutput(multioutput, _n_outputs(y_true))
    err = _columns(np.abs(y_true - y_pred))
    values = [_geometric_mean(err[:, k], sample_weight) for k in range(err.shape[1])]
    return _aggregate(values, multioutput)


def _balanced_error(y_true, y_pred, label_space, sample_weight, power,
                    multioutput="uniform_average"):
    y_true, y_pred, sample_weight = _check_pair(y_true, y_pred, sample_weight)
    multioutput = _check_multioutput(multioutput, _n_outputs(y_true))
    space = fit_label_space(label_space, y_true)
    _check_space_outputs(space, y_true)
    # The bins that hold a target, numbered in increasing order (a joint
    # grid may be too large, or sparse, for one slot per cell).
    bins, index = np.unique(space._index(y_true), return_inverse=True)
    err = _columns(np.abs(y_true - y_pred) ** power)
    if sample_weight is not None:
        err = err * sample_weight[:, None]
    mass = np.bincount(index, weights=sample_weight, minlength=bins.size).astype(float)
    present = mass > 0
    values = []
    for k in range(err.shape[1]):
        total = np.bincount(index, weights=err[:, k], minlength=bins.size)
        values.append(float(np.mean(total[present] / mass[present])))
    return _aggregate(values, multioutput)


def balanced_mean_absolute_error(
    y_true,
    y_pred,
    *,
    label_space=None,
    sample_weight=None,
    multioutput="uniform_average",
):
    """Mean over target bins of each bin's mean absolute error (bMAE).

    Every bin that holds at least one ``y_true`` counts once, however many
    samples it holds, so rare target ranges weigh as much as common ones, as
    the balanced metrics of Ren et al. (*Balanced MSE*, CVPR 2022).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True targets; with 2 or 3 columns the bins are the cells of the label
        space's joint grid.
    y_pred : array-like of the shape of ``y_true``
        Predicted targets.
    label_space : LabelSpace, default=None
        Bins of the target: a fitted :class:`~skdir.LabelSpace` is used as
        given (test values outside its range count in its edge bins); an
        unfitted one is fitted on ``y_true``. None means ``LabelSpace()``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights within each bin.
    multioutput : {"raw_values", "uniform_average"} or array-like of shape \
            (n_outputs,), default="uniform_average"
        How the balanced errors of the output columns (each averaged over the
        same joint bins) combine: their array, their mean, or their average
        with these weights.

    Returns
    -------
    bmae : float or ndarray of shape (n_outputs,)
        Non-negative; lower is better. An array with
        ``multioutput="raw_values"``.

    Examples
    --------
    >>> from skdir import LabelSpace
    >>> from skdir.metrics import balanced_mean_absolute_error
    >>> y_true = [1, 1, 1, 5]
    >>> y_pred = [1, 1, 1, 1]
    >>> balanced_mean_absolute_error(y_true, y_pred,
    ...                              label_space=LabelSpace(edges=[0, 2, 6]))
    2.0

    Two outputs, binned jointly (one cell holds three samples, one holds one):

    >>> y_true = [[1, 0], [1, 0], [1, 0], [5, 5]]
    >>> y_pred = [[1, 1], [1, 1], [1, 1], [1, 5]]
    >>> balanced_mean_absolute_error(y_true, y_pred, label_space=LabelSpace(
    ...     edges=[0, 2, 6]), multioutput="raw_values")
    array([2. , 0.5])
    """
    return _balanced_error(y_true, y_pred, label_space, sample_weight, 1, multioutput)


def balanced_mean_squared_error(
    y_true,
    y_pred,
    *,
    label_space=None,
    sample_weight=None,
    multioutput="uniform_average",
):
    """Mean over target bins of each bin's mean squared error (bMSE).

    See :func:`balanced_mean_absolute_error`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True targets; with 2 or 3 columns the bins are the cells of the label
        space's joint grid.
    y_pred : array-like of the shape of ``y_true``
        Predicted targets.
    label_space : LabelSpace, default=None
        Bins of the target: a fitted :class:`~skdir.LabelSpace` is used as
        given; an unfitted one is fitted on ``y_true``. None means
        ``LabelSpace()``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights within each bin.
    multioutput : {"raw_values", "uniform_average"} or array-like of shape \
            (n_outputs,), default="uniform_average"
        As in :func:`balanced_mean_absolute_error`.

    Returns
    -------
    bmse : float or ndarray of shape (n_outputs,)
        Non-negative; lower is better. An array with
        ``multioutput="raw_values"``.

    Examples
    --------
    >>> from skdir import LabelSpace
    >>> from skdir.metrics import balanced_mean_squared_error
    >>> balanced_mean_squared_error([1, 1, 1, 5], [1, 1, 1, 1],
    ...                             label_space=LabelSpace(edges=[0, 2, 6]))
    8.0
    """
    return _balanced_error(y_true, y_pred, label_space, sample_weight, 2, multioutput)
