"""The training-label record that shot-wise scorers read from a fitted model."""

from typing import NamedTuple

import numpy as np
from sklearn.compose import TransformedTargetRegressor

__all__ = ["TrainingTargets", "find_training_targets"]


class TrainingTargets(NamedTuple):
    """Distinct training target values and how often each occurred.

    skdir estimators store one as ``training_targets_`` when fitted, so that
    shot-wise scorers can tell many-, medium- and few-shot test samples apart
    with the training distribution of the very fold the model was fitted on.

    Parameters
    ----------
    values : ndarray of shape (n_distinct,) or (n_distinct, n_outputs)
        Sorted distinct training targets (rows of a multi-output target, in
        lexicographic order).
    counts : ndarray of shape (n_distinct,)
        Number of training samples with each value.

    Examples
    --------
    >>> from skdir.metrics import TrainingTargets
    >>> record = TrainingTargets.from_y([3.0, 1.0, 3.0])
    >>> record.values, record.counts
    (array([1., 3.]), array([1, 2]))
    >>> record.to_y()
    array([1., 3., 3.])
    """

    values: np.ndarray
    counts: np.ndarray

    @classmethod
    def from_y(cls, y):
        """Record the distribution of the targets ``y``.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Training targets; a single column is a scalar target.

        Returns
        -------
        record : TrainingTargets
            Their distinct values (rows) and counts.
        """
        y = np.asarray(y, dtype=float)
        if y.ndim == 2 and y.shape[1] > 1:
            values, counts = np.unique(y, axis=0, return_counts=True)
            return cls(values, counts)
        values, counts = np.unique(y.ravel(), return_counts=True)
        return cls(values, counts)

    def to_y(self):
        """The training targets, sorted.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Each value (row) repeated as often as it occurred.
        """
        return np.repeat(self.values, self.counts, axis=0)


# Attributes through which a fitted meta-estimator exposes what it wraps, in
# the order they are searched.
_WRAPPED = ("best_estimator_", "regressor_", "estimator_", "estimator")


def find_training_targets(estimator):
    """The :class:`TrainingTargets` recorded by ``estimator`` or what it wraps.

    Looks at ``estimator.training_targets_``, then through the steps of a
    (scikit-learn or imbalanced-learn) Pipeline in order, search objects
    (``best_estimator_``) and meta-estimators (``regressor_``,
    ``estimator_``). In a pipeline the *first* step that recorded targets
    wins, so a resampler's record of the original training labels takes
    precedence over the resampled labels its regressor saw.

    The record is always in the units of the targets ``estimator`` was
    fitted on. A :class:`~sklearn.compose.TransformedTargetRegressor` fits
    what it wraps on *transformed* targets, and mapping those back through
    the inverse transform is exact only up to rounding (``expm1(log1p(5))``
    is not 5 in floating point, which moves a value on a bin edge to the
    bin below), so nothing is searched below one: its record is not
    returned. The shot scorers then derive the training fold exactly from
    the targets cross-validation splits (``y=`` of
    :func:`~skdir.metrics.shot_scorers`).

    Parameters
    ----------
    estimator : estimator
        A fitted estimator, pipeline or search object.

    Returns
    -------
    record : TrainingTargets or None
        None when nothing recorded the training targets in the units
        ``estimator`` was fitted on.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdir import ReweightedRegressor
    >>> from skdir.metrics import find_training_targets
    >>> X, y = np.arange(20.0).reshape(10, 2), np.arange(10.0) ** 2
    >>> search = GridSearchCV(ReweightedRegressor(Ridge()), {"regressor__alpha": [1.0]}, cv=2)
    >>> find_training_targets(search.fit(X, y)).counts.sum()
    np.int64(10)
    >>> find_training_targets(Ridge().fit(X, y)) is None
    True
    >>> from sklearn.compose import TransformedTargetRegressor
    >>> logged = TransformedTargetRegressor(
    ...     ReweightedRegressor(Ridge()), func=np.log1p, inverse_func=np.expm1
    ... )
    >>> find_training_targets(logged.fit(X, y)) is None  # log scale: not returned
    True
    """
    seen = set()
    stack = [estimator]
    while stack:
        est = stack.pop(0)
        if est is None or id(est) in seen:
            continue
        seen.add(id(est))
        record = getattr(est, "training_targets_", None)
        if isinstance(record, TrainingTargets):
            return record
        if isinstance(est, TransformedTargetRegressor):
            continue  # what it wraps saw transformed targets
        steps = getattr(est, "steps", None)
        if isinstance(steps, list):
            stack.extend(step for _, step in steps if step not in (None, "passthrough"))
            continue
        for attr in _WRAPPED:
            inner = getattr(est, attr, None)
            if inner is not None and not isinstance(inner, (str, type)):
                stack.append(inner)
    return None
