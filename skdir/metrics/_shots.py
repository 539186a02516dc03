"""Shot-wise evaluation: errors on many-, medium- and few-shot targets."""

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

from .._validation import check_target, warn_user
from ..bins import MAX_OUTPUTS, check_label_space, fit_label_space, is_fitted_space
from ..bins import SHOTS as _SPACE_SHOTS
from ._regression import (
    _aggregate,
    _check_multioutput,
    _check_pair,
    _check_space_outputs,
    _columns,
    _geometric_mean,
    _n_outputs,
)

__all__ = ["SHOTS", "METRICS", "shot_groups", "shot_metrics"]

#: Shot groups, in the order :func:`shot_metrics` reports them.
SHOTS = ("all",) + _SPACE_SHOTS
#: Metrics computed by :func:`shot_metrics` for each group.
METRICS = ("mae", "mse", "rmse", "gm", "pearson")


def _shot_space(label_space, y_train):
    """The fitted label space that decides the shot groups.

    A fitted ``label_space`` is used as given (then ``y_train`` must be
    None); otherwise it (None: ``LabelSpace()``) is fitted on ``y_train``.
    """
    label_space = check_label_space(label_space)
    if is_fitted_space(label_space):
        if y_train is not None:
            raise ValueError(
                "y_train has no effect with a fitted label_space: its training "
                "counts decide the shot groups. Pass y_train=None, or an unfitted "
                "label_space to fit it on y_train."
            )
        return label_space
    if y_train is None:
        raise ValueError(
            "y_train is required unless label_space is a fitted LabelSpace: the "
            "shot groups come from the training label counts."
        )
    return fit_label_space(
        label_space, check_target(y_train, name="y_train", max_outputs=MAX_OUTPUTS)
    )


def shot_groups(y, *, y_train=None, label_space=None):
    """The shot group of each target value, from the training label counts.

    A value is *many-shot* when its bin holds more than
    ``label_space.many_threshold`` training samples, *few-shot* when it holds
    fewer than ``label_space.few_threshold``, and *medium-shot* otherwise, as
    in Yang et al. (ICML 2021); see :meth:`skdir.LabelSpace.shot_of`. A value
    outside the range of the training targets has a training count of 0.

    Multi-output targets (2 or 3 columns) are grouped by the training count
    of their cell in the label space's joint grid.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Target values to classify (usually the test targets).
    y_train : array-like of shape (n_train,) or (n_train, n_outputs), default=None
        Training targets, on which ``label_space`` is fitted. Required unless
        ``label_space`` is fitted, and then rejected.
    label_space : LabelSpace, default=None
        The bins and the shot thresholds. A fitted one is used as given (its
        counts decide the shots); an unfitted one is fitted on ``y_train``.
        None means ``LabelSpace()``. Use ``LabelSpace(bin_width=1)`` for one
        bin per integer label as the DIR benchmarks do.

    Returns
    -------
    groups : ndarray of shape (n_samples,), dtype=object
        ``"many"``, ``"medium"`` or ``"few"`` for each value.

    Examples
    --------
    >>> from skdir import LabelSpace
    >>> from skdir.metrics import shot_groups
    >>> y_train = [1] * 5 + [2] * 3 + [3]
    >>> space = LabelSpace(edges=[0.5, 1.5, 2.5, 3.5], many_threshold=4,
    ...                    few_threshold=2)
    >>> shot_groups([1, 2, 3, 7], y_train=y_train, label_space=space)
    array(['many', 'medium', 'few', 'few'], dtype=object)
    """
    space = _shot_space(label_space, y_train)
    codes = space._shot_codes(space._check_y(y))
    return np.asarray(_SPACE_SHOTS, dtype=object)[codes]


def _pearson(y_true, y_pred):
    if y_true.size < 2 or np.ptp(y_true) == 0 or np.ptp(y_pred) == 0:
        return np.nan
    return float(np.corrcoef(y_true, y_pred)[0, 1])


def _group_metrics(y_true, y_pred, multioutput="uniform_average"):
    """The metrics of one group; per output column, then combined."""
    uniform = isinstance(multioutput, str) and multioutput == "uniform_average"
    if y_true.ndim == 1 and uniform:
        return _column_metrics(y_true, y_pred)
    t, p = _columns(y_true), _columns(y_pred)
    columns = [_column_metrics(t[:, k], p[:, k]) for k in range(t.shape[1])]
    out = {"n": int(t.shape[0])}
    for name in METRICS:
        out[name] = _aggregate([c[name] for c in columns], multioutput)
    return out


def _column_metrics(y_true, y_pred):
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


def shot_metrics(y_true, y_pred, *, y_train=None, label_space=None,
                 multioutput="uniform_average"):
    """Errors on all, many-, medium- and few-shot test samples.

    For each group of :func:`shot_groups` (and for all samples) this gives the
    number of samples, the MAE, MSE, RMSE, GM (geometric mean of absolute
    errors, see :func:`geometric_mean_absolute_error`) and Pearson's r. A group
    without samples gets NaN values and an
    :class:`~sklearn.exceptions.UndefinedMetricWarning`; Pearson's r is NaN
    for groups of fewer than 2 samples or constant values.

    For multi-output targets (2 or 3 columns) the groups come from the
    joint cells of the label space, and every metric is computed on each
    output column and combined by ``multioutput`` (the RMSE of several
    outputs is thus the mean of their RMSEs, as in scikit-learn).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True test targets.
    y_pred : array-like of the shape of ``y_true``
        Predicted targets.
    y_train : array-like of shape (n_train,) or (n_train, n_outputs), default=None
        Training targets, on which ``label_space`` is fitted. Required unless
        ``label_space`` is fitted, and then rejected.
    label_space : LabelSpace, default=None
        The bins and the shot thresholds (see :func:`shot_groups`). A fitted
        one is used as given; an unfitted one is fitted on ``y_train``. None
        means ``LabelSpace()``.
    multioutput : {"raw_values", "uniform_average"} or array-like of shape \
            (n_outputs,), default="uniform_average"
        How the metrics of the output columns combine: an array per metric,
        their mean, or their average with these weights.

    Returns
    -------
    results : dict
        ``results[group][metric]`` for group in ``("all", "many", "medium",
        "few")`` and metric in ``("n", "mae", "mse", "rmse", "gm",
        "pearson")``; each metric an array of shape ``(n_outputs,)`` with
        ``multioutput="raw_values"``. ``pandas.DataFrame(results).T`` gives a
        table.

    Examples
    --------
    >>> from skdir import LabelSpace
    >>> from skdir.metrics import shot_metrics
    >>> space = LabelSpace(edges=[0.5, 1.5, 2.5, 3.5], many_threshold=4,
    ...                    few_threshold=2).fit([1] * 5 + [2] * 3 + [3])
    >>> res = shot_metrics([1, 2, 3], [1.5, 2.0, 1.0], label_space=space)
    >>> res["all"]["mae"], res["few"]["mae"], res["many"]["n"]
    (0.8333333333333334, 2.0, 1)
    """
    y_true, y_pred, _ = _check_pair(y_true, y_pred)
    multioutput = _check_multioutput(multioutput, _n_outputs(y_true))
    space = _shot_space(label_space, y_train)
    _check_space_outputs(space, y_true)
    codes = space._shot_codes(y_true)
    results = {"all": _group_metrics(y_true, y_pred, multioutput)}
    for code, shot in enumerate(_SPACE_SHOTS):
        results[shot] = _masked_group_metrics(y_true, y_pred, codes == code, shot,
                                              multioutput)
    return results


def _masked_group_metrics(y_true, y_pred, mask, shot, multioutput="uniform_average"):
    if not mask.any():
        warn_user(f"No test sample is {shot}-shot; its metrics are NaN.",
                  UndefinedMetricWarning)
    return _group_metrics(y_true[mask], y_pred[mask], multioutput)


def _one_shot_metrics(y_true, y_pred, shot, space, multioutput="uniform_average"):
    """The metrics of :func:`shot_metrics` for one group only.

    ``space`` is the fitted label space (unused for ``shot="all"``).
    """
    y_true, y_pred, _ = _check_pair(y_true, y_pred)
    multioutput = _check_multioutput(multioutput, _n_outputs(y_true))
    if shot == "all":
        return _group_metrics(y_true, y_pred, multioutput)
    _check_space_outputs(space, y_true)
    codes = space._shot_codes(y_true)
    mask = codes == _SPACE_SHOTS.index(shot)
    return _masked_group_metrics(y_true, y_pred, mask, shot, multioutput)
