"""Scorers for cross_validate and GridSearchCV that know the training fold."""

import numpy as np
from sklearn.base import clone

from .._targets import find_training_targets
from .._validation import check_target
from ..bins import check_label_space, fit_label_space, is_fitted_space
from ._shots import METRICS, SHOTS, _one_shot_metrics, _shot_space

__all__ = ["make_shot_scorer", "shot_scorers"]

# Metrics where lower is better; scorers negate them as scikit-learn's neg_*.
_ERRORS = {"mae", "mse", "rmse", "gm"}


class _ShotScorer:
    """Callable ``scorer(estimator, X, y)`` of one metric on one shot group.

    ``label_space`` is either fitted (used as given on every fold) or
    unfitted (fitted on the training targets each scored estimator
    recorded).
    """

    def __init__(self, metric, shot, label_space):
        self.metric = metric
        self.shot = shot
        self.label_space = label_space

    def __sklearn_clone__(self):
        # A fitted label space clones to itself (frozen), an unfitted one to
        # a fresh copy of its parameters.
        space = None if self.label_space is None else clone(self.label_space)
        return type(self)(self.metric, self.shot, space)

    def _space(self, estimator):
        """The fitted label space that decides the shots for ``estimator``."""
        if is_fitted_space(self.label_space):
            return self.label_space
        record = find_training_targets(estimator)
        if record is None:
            raise ValueError(
                f"Cannot tell the shot groups: {type(estimator).__name__} did not "
                "record its training targets (skdir estimators store "
                "`training_targets_`). Pass y_train= or a fitted label_space= to "
                "make_shot_scorer."
            )
        return fit_label_space(self.label_space, check_target(record.to_y()))

    def __call__(self, estimator, X, y_true, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("Shot scorers do not support sample_weight.")
        y_pred = np.asarray(estimator.predict(X), dtype=float).ravel()
        space = None if self.shot == "all" else self._space(estimator)
        value = _one_shot_metrics(y_true, y_pred, self.shot, space)[self.metric]
        return -value if self.metric in _ERRORS else value

    def __repr__(self):
        sign = "neg_" if self.metric in _ERRORS else ""
        return f"make_shot_scorer({sign}{self.metric!r}, shot={self.shot!r})"


def make_shot_scorer(metric="mae", shot="all", *, y_train=None, label_space=None):
    """Scorer of one metric on one shot group, for model selection.

    The shot groups come from a :class:`~skdir.LabelSpace`:

    - a **fitted** ``label_space`` is used as given on every fold (the same
      edges, counts and thresholds), like a fixed reference distribution;
    - otherwise the label space (None means ``LabelSpace()``) is fitted on
      the training targets of the fold the estimator was fitted on: skdir
      estimators record them (``training_targets_``) and the scorer finds
      them through pipelines, search objects and meta-estimators. For any
      other regressor pass a fixed reference ``y_train`` (the label space
      is then fitted on it once).

    Error metrics are negated (greater is better), as scikit-learn's
    ``neg_mean_absolute_error``; a fold without samples in the group scores
    NaN with a warning. The scorer can be cloned
    (:func:`sklearn.base.clone`) and pickled; a fitted label space stays the
    same through both.

    Parameters
    ----------
    metric : {"mae", "mse", "rmse", "gm", "pearson"}, default="mae"
        Metric of :func:`shot_metrics`.
    shot : {"all", "many", "medium", "few"}, default="all"
        Shot group.
    y_train : array-like of shape (n_train,), default=None
        Reference training targets on which ``label_space`` is fitted; None
        reads each fold's training targets from the estimator. Rejected
        with a fitted ``label_space`` and with ``shot="all"``.
    label_space : LabelSpace, default=None
        The bins and the shot thresholds (see :func:`shot_groups`). Rejected
        with ``shot="all"``, which needs no shot groups.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)`` returning a float.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import cross_validate
    >>> from skdir import LabelSpace, ReweightedRegressor
    >>> from skdir.metrics import make_shot_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=300)
    >>> space = LabelSpace(n_bins=10, many_threshold=40, few_threshold=10)
    >>> scoring = {
    ...     "mae": make_shot_scorer("mae"),
    ...     "few_mae": make_shot_scorer("mae", "few", label_space=space),
    ... }
    >>> cv = cross_validate(ReweightedRegressor(Ridge()), X, y, scoring=scoring)
    >>> bool(np.all(cv["test_mae"] < 0))
    True
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}.")
    if shot not in SHOTS:
        raise ValueError(f"shot must be one of {SHOTS}, got {shot!r}.")
    check_label_space(label_space)  # fails early on a label_space of the wrong type
    if shot == "all":
        for name, value in (("y_train", y_train), ("label_space", label_space)):
            if value is not None:
                raise ValueError(
                    f"{name} has no effect with shot='all': every test sample "
                    "is scored. Leave it None, or choose a shot group."
                )
    if y_train is not None:
        # Fitted once on the reference targets (a fitted space rejects them).
        label_space = _shot_space(label_space, y_train)
    return _ShotScorer(metric, shot, label_space)


def shot_scorers(metrics=("mae",), shots=SHOTS, **kwargs):
    """A dict of shot scorers for ``cross_validate(scoring=...)``.

    Parameters
    ----------
    metrics : sequence of str, default=("mae",)
        Metrics of :func:`shot_metrics`.
    shots : sequence of str, default=("all", "many", "medium", "few")
        Shot groups.
    **kwargs : dict
        Passed to :func:`make_shot_scorer` (``y_train``, ``label_space``);
        the ``"all"`` scorers need neither and get neither.

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
    unknown = sorted(set(kwargs) - {"y_train", "label_space"})
    if unknown:
        raise TypeError(f"shot_scorers got unexpected keyword arguments {unknown}.")
    given = [name for name, value in kwargs.items() if value is not None]
    if given and all(shot == "all" for shot in shots):
        raise ValueError(
            f"{given[0]} has no effect when shots are only 'all'; leave it None."
        )
    y_train, label_space = kwargs.get("y_train"), kwargs.get("label_space")
    if y_train is not None:
        # Fitted once for every group scorer (a fitted space rejects y_train).
        y_train, label_space = None, _shot_space(label_space, y_train)
    group = {"y_train": y_train, "label_space": label_space}
    scoring = {}
    for metric in metrics:
        for shot in shots:
            prefix = "neg_" if metric in _ERRORS else ""
            name = f"{prefix}{metric}_{shot}"
            kw = {} if shot == "all" else group
            scoring[name] = make_shot_scorer(metric, shot, **kw)
    return scoring
