"""Shot-wise evaluation: errors on many-, medium- and few-shot targets."""

import warnings
from numbers import Real

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

from .._validation import check_target
from ..bins import fitted_bins, resolve_bins
from ._regression import _check_pair, _geometric_mean

__all__ = ["SHOTS", "METRICS", "shot_groups", "shot_metrics"]

#: Shot groups, in the order :func:`shot_metrics` reports them.
SHOTS = ("all", "many", "medium", "few")
#: Metrics computed by :func:`shot_metrics` for each group.
METRICS = ("mae", "mse", "rmse", "gm", "pearson")


def _check_thresholds(many_threshold, few_threshold):
    for name, value in (("many_threshold", many_threshold), ("few_threshold", few_threshold)):
        if isinstance(value, bool) or not isinstance(value, Real) or not value >= 0:
            raise ValueError(f"{name} must be a non-negative number, got {value!r}.")
    if few_threshold > many_threshold:
        raise ValueError(
            f"few_threshold ({few_threshold}) must not exceed many_threshold "
            f"({many_threshold})."
        )


def shot_groups(y, *, y_train, bins=None, many_threshold=100, few_threshold=20):
    """The shot group of each target value, from the training label counts.

    A value is *many-shot* when its bin holds more than ``many_threshold``
    training samples, *few-shot* when it holds fewer than ``few_threshold``,
    and *medium-shot* otherwise, as in Yang et al. (ICML 2021). A value
    outside the range of ``y_train`` has a training count of 0.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Target values to classify (usually the test targets).
    y_train : array-like of shape (n_train,)
        Training targets.
    bins : LabelBins, int, "auto", array-like or None, default=None
        Bins fitted on ``y_train`` (unless already fitted); None means
        ``LabelBins()``. Use ``LabelBins(bin_width=1)`` for one bin per
        integer label as the DIR benchmarks do.
    many_threshold : float, default=100
        Training count above which a bin is many-shot.
    few_threshold : float, default=20
        Training count below which a bin is few-shot.

    Returns
    -------
    groups : ndarray of shape (n_samples,), dtype=object
        ``"many"``, ``"medium"`` or ``"few"`` for each value.

    Examples
    --------
    >>> from skdir.metrics import shot_groups
    >>> y_train = [1] * 5 + [2] * 3 + [3]
    >>> shot_groups([1, 2, 3, 7], y_train=y_train, bins=[0.5, 1.5, 2.5, 3.5],
    ...             many_threshold=4, few_threshold=2)
    array(['many', 'medium', 'few', 'few'], dtype=object)
    """
    codes = _shot_codes(y, y_train, bins, many_threshold, few_threshold)
    return np.asarray(SHOTS[1:], dtype=object)[codes]


def _shot_codes(y, y_train, bins, many_threshold, few_threshold):
    """Index into ``SHOTS[1:]`` (0 many, 1 medium, 2 few) of each value."""
    _check_thresholds(many_threshold, few_threshold)
    y = check_target(y)
    y_train = check_target(y_train, name="y_train")
    counts = fitted_bins(resolve_bins(bins), y_train).count_of(y)
    codes = np.ones(y.shape, dtype=np.intp)
    codes[counts > many_threshold] = 0
    codes[counts < few_threshold] = 2
    return codes


def _pearson(y_true, y_pred):
    if y_true.size < 2 or np.ptp(y_true) == 0 or np.ptp(y_pred) == 0:
        return np.nan
    return float(np.corrcoef(y_true, y_pred)[0, 1])


def _group_metrics(y_true, y_pred):
    if y_true.size == 0:
        return {"n": 0, **{name: np.nan for name in METRICS}}
    err = y_true - y_pred
    abs_err = np.abs(err)
    mse = float(np.mean(err**2))
    return {
        "n": int(y_true.size),
        "mae": float(np.mean(abs_err)),
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "gm": _geometric_mean(abs_err),
        "pearson": _pearson(y_true, y_pred),
    }


def shot_metrics(
    y_true, y_pred, *, y_train, bins=None, many_threshold=100, few_threshold=20
):
    """Errors on all, many-, medium- and few-shot test samples.

    For each group of :func:`shot_groups` (and for all samples) this gives the
    number of samples, the MAE, MSE, RMSE, GM (geometric mean of absolute
    errors, see :func:`geometric_mean_absolute_error`) and Pearson's r. A group
    without samples gets NaN values and an
    :class:`~sklearn.exceptions.UndefinedMetricWarning`; Pearson's r is NaN
    for groups of fewer than 2 samples or constant values.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True test targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    y_train : array-like of shape (n_train,)
        Training targets, which decide the shot groups.
    bins : LabelBins, int, "auto", array-like or None, default=None
        Bins fitted on ``y_train`` (see :func:`shot_groups`).
    many_threshold : float, default=100
        Training count above which a bin is many-shot.
    few_threshold : float, default=20
        Training count below which a bin is few-shot.

    Returns
    -------
    results : dict
        ``results[group][metric]`` for group in ``("all", "many", "medium",
        "few")`` and metric in ``("n", "mae", "mse", "rmse", "gm",
        "pearson")``. ``pandas.DataFrame(results).T`` gives a table.

    Examples
    --------
    >>> from skdir.metrics import shot_metrics
    >>> y_train = [1] * 5 + [2] * 3 + [3]
    >>> res = shot_metrics([1, 2, 3], [1.5, 2.0, 1.0], y_train=y_train,
    ...                    bins=[0.5, 1.5, 2.5, 3.5], many_threshold=4,
    ...                    few_threshold=2)
    >>> res["all"]["mae"], res["few"]["mae"], res["many"]["n"]
    (0.8333333333333334, 2.0, 1)
    """
    y_true, y_pred, _ = _check_pair(y_true, y_pred)
    codes = _shot_codes(y_true, y_train, bins, many_threshold, few_threshold)
    results = {"all": _group_metrics(y_true, y_pred)}
    for code, shot in enumerate(SHOTS[1:]):
        results[shot] = _masked_group_metrics(y_true, y_pred, codes == code, shot)
    return results


def _masked_group_metrics(y_true, y_pred, mask, shot):
    if not mask.any():
        warnings.warn(
            f"No test sample is {shot}-shot; its metrics are NaN.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    return _group_metrics(y_true[mask], y_pred[mask])


def _one_shot_metrics(y_true, y_pred, shot, *, y_train, bins, many_threshold, few_threshold):
    """The metrics of :func:`shot_metrics` for one group only."""
    y_true, y_pred, _ = _check_pair(y_true, y_pred)
    if shot == "all":
        return _group_metrics(y_true, y_pred)
    codes = _shot_codes(y_true, y_train, bins, many_threshold, few_threshold)
    return _masked_group_metrics(y_true, y_pred, codes == SHOTS.index(shot) - 1, shot)
