"""Scorers for cross_validate and GridSearchCV that know the training fold."""

import numpy as np

from .._targets import find_training_targets
from ..bins import resolve_bins
from ._shots import METRICS, SHOTS, _one_shot_metrics

__all__ = ["make_shot_scorer", "shot_scorers"]

# Metrics where lower is better; scorers negate them as scikit-learn's neg_*.
_ERRORS = {"mae", "mse", "rmse", "gm"}


class _ShotScorer:
    """Callable ``scorer(estimator, X, y)`` of one metric on one shot group."""

    def __init__(self, metric, shot, y_train, bins, many_threshold, few_threshold):
        self.metric = metric
        self.shot = shot
        self.y_train = y_train
        self.bins = bins
        self.many_threshold = many_threshold
        self.few_threshold = few_threshold

    def _training_targets(self, estimator):
        if self.y_train is not None:
            return self.y_train
        record = find_training_targets(estimator)
        if record is None:
            raise ValueError(
                f"Cannot tell the shot groups: {type(estimator).__name__} did not "
                "record its training targets (skdir estimators store "
                "`training_targets_`). Pass y_train= to make_shot_scorer."
            )
        return record.to_y()

    def __call__(self, estimator, X, y_true, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("Shot scorers do not support sample_weight.")
        y_pred = np.asarray(estimator.predict(X), dtype=float).ravel()
        y_train = None if self.shot == "all" else self._training_targets(estimator)
        results = _one_shot_metrics(
            y_true,
            y_pred,
            self.shot,
            y_train=y_train,
            bins=self.bins,
            many_threshold=self.many_threshold,
            few_threshold=self.few_threshold,
        )
        value = results[self.metric]
        return -value if self.metric in _ERRORS else value

    def __repr__(self):
        sign = "neg_" if self.metric in _ERRORS else ""
        return f"make_shot_scorer({sign}{self.metric!r}, shot={self.shot!r})"


def make_shot_scorer(
    metric="mae",
    shot="all",
    *,
    y_train=None,
    bins=None,
    many_threshold=100,
    few_threshold=20,
):
    """Scorer of one metric on one shot group, for model selection.

    The shot groups come from the training targets of the fold the estimator
    was fitted on: skdir estimators record them (``training_targets_``) and
    the scorer finds them through pipelines, search objects and
    meta-estimators. For any other regressor pass a fixed reference
    ``y_train``. Error metrics are negated (greater is better), as
    scikit-learn's ``neg_mean_absolute_error``; a fold without samples in the
    group scores NaN with a warning.

    Parameters
    ----------
    metric : {"mae", "mse", "rmse", "gm", "pearson"}, default="mae"
        Metric of :func:`shot_metrics`.
    shot : {"all", "many", "medium", "few"}, default="all"
        Shot group.
    y_train : array-like of shape (n_train,), default=None
        Reference training targets; None reads them from the estimator.
    bins : LabelBins, int, "auto", array-like or None, default=None
        Bins fitted on the training targets (see :func:`shot_groups`).
    many_threshold : float, default=100
        Training count above which a bin is many-shot.
    few_threshold : float, default=20
        Training count below which a bin is few-shot.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)`` returning a float.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import cross_validate
    >>> from skdir import LabelBins, ReweightedRegressor
    >>> from skdir.metrics import make_shot_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=300)
    >>> scoring = {
    ...     "mae": make_shot_scorer("mae"),
    ...     "few_mae": make_shot_scorer("mae", "few", bins=LabelBins(n_bins=10),
    ...                                 many_threshold=40, few_threshold=10),
    ... }
    >>> cv = cross_validate(ReweightedRegressor(Ridge()), X, y, scoring=scoring)
    >>> bool(np.all(cv["test_mae"] < 0))
    True
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")
    if shot not in SHOTS:
        raise ValueError(f"shot must be one of {SHOTS}, got {shot!r}.")
    resolve_bins(bins)  # fails early on a bins argument of the wrong type
    return _ShotScorer(metric, shot, y_train, bins, many_threshold, few_threshold)


def shot_scorers(metrics=("mae",), shots=SHOTS, **kwargs):
    """A dict of shot scorers for ``cross_validate(scoring=...)``.

    Parameters
    ----------
    metrics : sequence of str, default=("mae",)
        Metrics of :func:`shot_metrics`.
    shots : sequence of str, default=("all", "many", "medium", "few")
        Shot groups.
    **kwargs : dict
        Passed to :func:`make_shot_scorer` (``y_train``, ``bins``,
        thresholds).

    Returns
    -------
    scoring : dict
        ``"neg_mae_few"``-style names (``"pearson_many"`` for Pearson's r)
        mapped to scorers.

    Examples
    --------
    >>> from skdir.metrics import shot_scorers
    >>> sorted(shot_scorers(["mae", "pearson"], ["all", "few"]))
    ['neg_mae_all', 'neg_mae_few', 'pearson_all', 'pearson_few']
    """
    scoring = {}
    for metric in metrics:
        for shot in shots:
            prefix = "neg_" if metric in _ERRORS else ""
            scoring[f"{prefix}{metric}_{shot}"] = make_shot_scorer(metric, shot, **kwargs)
    return scoring
