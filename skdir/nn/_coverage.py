"""Coverage of Gaussian predictive intervals, overall and per shot group."""

from numbers import Real

import numpy as np
from scipy.stats import norm

from .._validation import check_target
from ..bins import SHOTS, LabelSpace, is_fitted_space

__all__ = ["interval_coverage"]


def interval_coverage(y_true, y_pred, y_std, *, label_space=None, confidence=0.95):
    """Share of targets inside the central Gaussian interval, per shot group.

    The interval of a sample is ``y_pred +- q * y_std`` with ``q`` the
    ``(1 + confidence) / 2`` quantile of the standard normal (1.96 for 95 %);
    a calibrated model covers about ``confidence`` of the targets in every
    group. Pair it with ``DIRRegressor(uncertainty="gaussian")`` and
    ``predict(X, return_std=True)``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Targets.
    y_pred : array-like of shape (n_samples,)
        Predicted means.
    y_std : array-like of shape (n_samples,)
        Predicted standard deviations, >= 0.
    label_space : LabelSpace, default=None
        A fitted label space of the *training* targets (for example a
        regressor's ``label_space_``); it assigns every target its shot
        group. None gives the overall coverage only.
    confidence : float, default=0.95
        Nominal coverage of the interval, in (0, 1).

    Returns
    -------
    coverage : dict
        ``{"all": c}`` and, with a label space, ``"many"``, ``"medium"`` and
        ``"few"``; a group without a sample gets NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> from skdir.nn import interval_coverage
    >>> space = LabelSpace(edges=[0, 1, 2], many_threshold=2, few_threshold=2).fit(
    ...     [0.5, 0.5, 0.5, 1.5])
    >>> y_true, y_pred = [0.5, 0.5, 1.5, 1.5], [0.6, 0.5, 1.5, 3.0]
    >>> interval_coverage(y_true, y_pred, [0.1] * 4, label_space=space)
    {'all': 0.75, 'many': 1.0, 'medium': nan, 'few': 0.5}
    """
    y_true = check_target(y_true, name="y_true")
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(-1)
    y_std = np.asarray(y_std, dtype=np.float64).reshape(-1)
    if not (y_pred.shape == y_std.shape == y_true.shape):
        raise ValueError(
            f"y_true, y_pred and y_std have different lengths ({y_true.shape[0]}, "
            f"{y_pred.shape[0]} and {y_std.shape[0]})."
        )
    if not (np.isfinite(y_std).all() and (y_std >= 0).all()):
        raise ValueError("y_std must be finite and non-negative.")
    if (
        not isinstance(confidence, Real) or isinstance(confidence, bool)
        or not 0 < confidence < 1
    ):
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}.")
    if label_space is not None and not (
        isinstance(label_space, LabelSpace) and is_fitted_space(label_space)
    ):
        raise ValueError(
            "label_space must be a fitted LabelSpace (of the training targets), "
            f"got {label_space!r}."
        )
    q = norm.ppf(0.5 + confidence / 2)
    inside = np.abs(y_true - y_pred) <= q * y_std
    out = {"all": float(inside.mean()) if inside.size else float("nan")}
    if label_space is not None:
        groups = label_space.shot_of(y_true)
        for shot in SHOTS:
            mask = groups == shot
            out[shot] = float(inside[mask].mean()) if mask.any() else float("nan")
    return out
