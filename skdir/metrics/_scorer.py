"""Scorers for cross_validate and GridSearchCV that know the training fold."""

import numpy as np
from sklearn.base import clone
from sklearn.metrics._scorer import _BaseScorer

from .._targets import TrainingTargets, find_training_targets
from .._validation import check_target
from ..bins import MAX_OUTPUTS, check_label_space, fit_label_space, is_fitted_space
from ._regression import _balanced_error
from ._shots import METRICS, SHOTS, _one_shot_metrics
from ._utility import (
    UTILITY_METRICS,
    _check_relevance_args,
    _fit_relevance,
    _metric_params,
    _metric_value,
    _needs_targets,
)

__all__ = ["make_shot_scorer", "shot_scorers", "make_utility_scorer", "utility_scorers"]

# Metrics over all test samples whose bins come from the training fold.
_BALANCED = {"balanced_mae": 1, "balanced_mse": 2}
# Metrics where lower is better; scorers negate them as scikit-learn's neg_*.
_ERRORS = {"mae", "mse", "rmse", "gm", *_BALANCED}

# Other spellings of the metric and shot names (after lower-casing and
# turning "-" and " " into "_"). Error metrics also take scikit-learn's
# "neg_" prefix.
_METRIC_ALIASES = {
    "mean_absolute_error": "mae",
    "mean_squared_error": "mse",
    "root_mean_squared_error": "rmse",
    "geometric_mean_absolute_error": "gm",
    "pearsonr": "pearson",
    "pearson_r": "pearson",
    "bmae": "balanced_mae",
    "balanced_mean_absolute_error": "balanced_mae",
    "bmse": "balanced_mse",
    "balanced_mean_squared_error": "balanced_mse",
}
_SHOT_ALIASES = {f"{shot}_shot": shot for shot in SHOTS[1:]}


def _canonical(name, kind, known, aliases):
    """The canonical metric or shot name of ``name``, or a clear error."""
    if isinstance(name, str):
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        key = aliases.get(key, key)
        if kind == "metric" and key.startswith("neg_"):
            key = aliases.get(key[4:], key[4:])
            if key not in _ERRORS:  # "neg_" of a greater-is-better metric
                key = name
        if key in known:
            return key
    raise ValueError(
        f"{kind} must be one of {tuple(known)} (or an alias: "
        f"{sorted(aliases)}), got {name!r}."
    )


def _without(full, y_test):
    """The multiset ``full`` minus the values ``y_test``, or None.

    None when ``y_test`` is not a sub-multiset of ``full`` (the test fold
    was not split from these targets). For a multi-output target the values
    are rows, compared whole.
    """
    if full.values.ndim != y_test.ndim or (
        y_test.ndim == 2 and full.values.shape[1] != y_test.shape[1]
    ):
        return None
    if y_test.ndim == 2:
        values, counts = np.unique(y_test, axis=0, return_counts=True)
        # Rows of the record and of the test fold numbered together: a test
        # row is in the record when it shares a number with a record row.
        _, ids = np.unique(np.vstack([full.values, values]), axis=0,
                           return_inverse=True)
        ids = ids.ravel()
        m = full.values.shape[0]
        where = np.full(ids.max() + 1, -1)
        where[ids[:m]] = np.arange(m)
        pos = where[ids[m:]]
        if np.any(pos < 0) or np.any(full.counts[pos] < counts):
            return None
        left = full.counts.copy()
        left[pos] -= counts
        keep = left > 0
        return TrainingTargets(full.values[keep], left[keep])
    values, counts = np.unique(y_test, return_counts=True)
    pos = np.minimum(np.searchsorted(full.values, values), full.values.size - 1)
    if not np.all(full.values[pos] == values) or np.any(full.counts[pos] < counts):
        return None
    left = full.counts.copy()
    left[pos] -= counts
    keep = left > 0
    return TrainingTargets(full.values[keep], left[keep])


def _training_fold(name, estimator, y_true, targets,
                   advice="shot_scorers / make_shot_scorer",
                   fixed="a fitted label_space="):
    """The training targets of the fold ``estimator`` was fitted on.

    From the record of skdir estimators, else ``targets`` (the targets
    that cross-validation splits) minus the test fold ``y_true``.
    """
    record = find_training_targets(estimator)
    if record is None and targets is not None:
        record = _without(targets, y_true)
        if record is None:
            raise ValueError(
                f"{name}: the test targets are not all among the y "
                "given to the scorer, so the training fold cannot be "
                "derived. Pass y= the very targets that cross-validation "
                "splits (those given to cross_validate or to the search's "
                "fit)."
            )
    if record is None:
        raise ValueError(
            f"{name} cannot tell the training fold of "
            f"{type(estimator).__name__}: it did not record its training "
            "targets (skdir estimators store `training_targets_`; "
            "below a TransformedTargetRegressor the record is on the "
            "transformed scale). Pass y= the targets that cross-validation "
            f"splits to {advice} (the training fold "
            f"is then y minus the test fold), or {fixed}."
        )
    if record.values.size == 0:
        raise ValueError(f"{name}: the training fold is empty.")
    return record.to_y()


def _metric_signature(y_true, y_pred):
    """What a shot scorer computes from the true and predicted targets.

    A shot scorer overrides ``_score``; this stands for its score function
    where scikit-learn inspects one (metadata routing: the scorers request
    no metadata).
    """
    raise NotImplementedError  # pragma: no cover


class _ShotScorer(_BaseScorer):
    """Scorer of one metric on one shot group (see :func:`make_shot_scorer`).

    A scikit-learn scorer object: ``_score`` gets the predictions through
    ``method_caller``, so that :class:`~sklearn.metrics._scorer._MultimetricScorer`
    (``cross_validate``, ``GridSearchCV`` with several scorers) predicts once
    per fold for all of them.

    Parameters
    ----------
    metric, shot : str
        Canonical names.
    label_space : LabelSpace or None
        Fitted: used as given. Unfitted (None: ``LabelSpace()``): fitted on
        the training targets of each fold. Always None when the metric on
        ``shot`` needs no bins.
    targets : TrainingTargets or None
        The targets that cross-validation splits (``y=``), from which the
        training fold is the test fold's complement.
    """

    def __init__(self, metric, shot, label_space=None, targets=None):
        super().__init__(
            score_func=_metric_signature,
            sign=-1 if metric in _ERRORS else 1,
            kwargs={},
            response_method="predict",
        )
        self.metric = metric
        self.shot = shot
        self.label_space = label_space
        self.targets = targets

    def __sklearn_clone__(self):
        # A fitted label space clones to itself (frozen), an unfitted one to
        # a fresh copy of its parameters; the split targets are shared.
        space = None if self.label_space is None else clone(self.label_space)
        return type(self)(self.metric, self.shot, space, self.targets)

    def _name(self):
        prefix = "neg_" if self.metric in _ERRORS else ""
        suffix = "" if self.metric in _BALANCED else f"_{self.shot}"
        return f"{prefix}{self.metric}{suffix}"

    def __repr__(self):
        return f"make_shot_scorer({self.metric!r}, shot={self.shot!r})"

    def _training_targets(self, estimator, y_true):
        """The training targets of the fold ``estimator`` was fitted on."""
        return _training_fold(self._name(), estimator, y_true, self.targets)

    def _space(self, estimator, y_true):
        """The fitted label space of the fold ``estimator`` was fitted on."""
        if is_fitted_space(self.label_space):
            return self.label_space
        y_train = self._training_targets(estimator, y_true)
        return fit_label_space(self.label_space, y_train)

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        if kwargs:
            raise ValueError(
                f"Shot scorers take no metadata such as sample_weight, got "
                f"{sorted(kwargs)}."
            )
        y_true = check_target(y_true, name="y_true", max_outputs=MAX_OUTPUTS)
        y_pred = np.asarray(method_caller(estimator, "predict", X), dtype=float)
        if self.metric in _BALANCED:
            space = self._space(estimator, y_true)
            value = _balanced_error(y_true, y_pred, space, None, _BALANCED[self.metric])
        else:
            space = None if self.shot == "all" else self._space(estimator, y_true)
            value = _one_shot_metrics(y_true, y_pred, self.shot, space)[self.metric]
        return self._sign * value


def _needs_space(metric, shot):
    return metric in _BALANCED or shot != "all"


def _split_targets(y, label_space):
    """The record of ``y=`` (None if not given), checked against ``label_space``."""
    if y is None:
        return None
    if is_fitted_space(label_space):
        raise ValueError(
            "y has no effect with a fitted label_space: its counts decide the "
            "shot groups and its edges the bins on every fold. Pass y=None, or "
            "an unfitted label_space to fit it on each training fold."
        )
    return TrainingTargets.from_y(check_target(y, name="y", max_outputs=MAX_OUTPUTS))


def make_shot_scorer(metric="mae", shot="all", *, label_space=None, y=None):
    """Scorer of one metric on one shot group, for model selection.

    A scikit-learn scorer object, ``scorer(estimator, X, y_test)``: several
    of them in ``cross_validate(scoring=...)`` or ``GridSearchCV`` share one
    prediction per fold. Error metrics are negated (greater is better), as
    scikit-learn's ``neg_mean_absolute_error``.

    The shot groups, and the bins of the balanced errors, come from a
    :class:`~skdir.LabelSpace`:

    - a **fitted** ``label_space`` is used as given on every fold (the same
      edges, counts and thresholds), like a fixed reference distribution; if
      it was fitted on all the data, its counts include each test fold;
    - otherwise the label space (None means ``LabelSpace()``) is fitted on
      the **training targets of the fold** the estimator was fitted on,
      exactly as a skdir estimator fitted on that fold would fit it. They
      are found, in this order:

      1. in the record skdir estimators keep (``training_targets_``),
         through pipelines, search objects and meta-estimators (see
         :func:`find_training_targets`);
      2. from ``y``, the targets that cross-validation splits: the training
         fold is ``y`` minus the test fold, value by value (a multiset
         difference). This is exact for any estimator, as long as the
         estimator was fitted on all of ``y`` but the scored fold: pass the
         ``y`` given to ``cross_validate`` or to the search's ``fit``. In a
         *nested* search (a ``GridSearchCV`` inside ``cross_validate``) the
         inner folds split only the outer training fold, so there ``y``
         would be wrong: use skdir estimators or a fitted label space;
      3. else the scorer raises a ``ValueError`` that says so.

    A test fold without samples in the group scores NaN with an
    :class:`~sklearn.exceptions.UndefinedMetricWarning`. The scorer can be
    cloned (:func:`sklearn.base.clone`) and pickled; a fitted label space
    stays the same object through cloning.

    A target of 2 or 3 columns, with a regressor that predicts as many, is
    scored on the joint cells of a multi-output label space (see
    :ref:`label_space`): the samples are grouped by their cell, the metric
    is computed on each column and the columns are averaged with equal
    weights (``multioutput="uniform_average"`` of :func:`shot_metrics`), so
    the score stays one number. For a weighted average or one score per
    column, call :func:`shot_metrics` on the predictions.

    Parameters
    ----------
    metric : str, default="mae"
        ``"mae"``, ``"mse"``, ``"rmse"``, ``"gm"`` or ``"pearson"``, the
        metrics of :func:`shot_metrics` on the group; or ``"balanced_mae"``
        or ``"balanced_mse"``, :func:`balanced_mean_absolute_error` and
        :func:`balanced_mean_squared_error` over all test samples with the
        bins of the label space (test values outside them count in the edge
        bins). Aliases: ``"mean_absolute_error"``, ``"mean_squared_error"``,
        ``"root_mean_squared_error"``, ``"geometric_mean_absolute_error"``,
        ``"pearsonr"``, ``"pearson_r"``, ``"bmae"``,
        ``"balanced_mean_absolute_error"``, ``"bmse"``,
        ``"balanced_mean_squared_error"``, any of the error metrics with
        scikit-learn's ``"neg_"`` prefix; case, ``"-"`` and spaces do not
        matter.
    shot : {"all", "many", "medium", "few"}, default="all"
        Shot group (``"many_shot"``, ``"few-shot"`` and so on also work).
        The balanced errors take only ``"all"``: they already weigh every
        bin alike.
    label_space : LabelSpace, default=None
        The bins and the shot thresholds (see :func:`shot_groups`). Rejected
        when the metric on ``shot`` needs no bins (``shot="all"`` but for
        the balanced errors).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        The targets that cross-validation splits, from which the training
        fold of an estimator that keeps no record is derived. Rejected with
        a fitted ``label_space`` and when the metric needs no bins.

    Returns
    -------
    scorer : scorer object
        ``scorer(estimator, X, y_test)`` returns a float.

    See Also
    --------
    shot_scorers : A dict of these scorers for ``scoring=``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> from sklearn.model_selection import cross_validate
    >>> from skdir import LabelSpace
    >>> from skdir.metrics import make_shot_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=300)
    >>> space = LabelSpace(n_bins=10, many_threshold=40, few_threshold=10)
    >>> scoring = {
    ...     "mae": make_shot_scorer("mae"),
    ...     "few_mae": make_shot_scorer("mae", "few", label_space=space, y=y),
    ...     "bmae": make_shot_scorer("balanced_mae", y=y),
    ... }
    >>> model = HistGradientBoostingRegressor(max_iter=20)
    >>> cv = cross_validate(model, X, y, scoring=scoring)
    >>> bool(np.all(cv["test_few_mae"] < cv["test_mae"]))
    True
    """
    metric = _canonical(metric, "metric", METRICS + tuple(_BALANCED), _METRIC_ALIASES)
    shot = _canonical(shot, "shot", SHOTS, _SHOT_ALIASES)
    if metric in _BALANCED and shot != "all":
        raise ValueError(
            f"{metric} is scored over all test samples only (shot='all'): it "
            f"is already the mean over bins of each bin's error; got "
            f"shot={shot!r}. Use shot='all', or a shot-wise metric such as "
            f"{metric.split('_')[1]!r}."
        )
    check_label_space(label_space)  # fails early on a label_space of the wrong type
    if not _needs_space(metric, shot):
        for name, value in (("y", y), ("label_space", label_space)):
            if value is not None:
                raise ValueError(
                    f"{name} has no effect with {metric!r} on shot='all': every "
                    "test sample is scored and no bins are needed. Leave it "
                    "None, or choose a shot group."
                )
    return _ShotScorer(metric, shot, label_space, _split_targets(y, label_space))


def shot_scorers(metrics=("mae",), shots=None, *, label_space=None, y=None):
    """A dict of shot scorers for ``cross_validate(scoring=...)``.

    One :func:`make_shot_scorer` for each metric and shot group; being
    scikit-learn scorer objects, they all share one prediction per fold.

    Parameters
    ----------
    metrics : sequence of str, default=("mae",)
        Metrics of :func:`make_shot_scorer` (aliases included).
    shots : sequence of str, default=None
        Shot groups. None means all of ``("all", "many", "medium", "few")``
        for the shot-wise metrics and ``"all"`` for the balanced errors,
        which are scored over all test samples only. Given explicitly, a
        group that no metric can use is rejected, and so are balanced
        errors without ``"all"``.
    label_space : LabelSpace, default=None
        The bins and shot thresholds of :func:`make_shot_scorer`, for the
        scorers that need bins (the ``"all"`` scorers of the shot-wise
        metrics get none).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        The targets that cross-validation splits (those given to
        ``cross_validate`` or to the search's ``fit``): the training fold of
        an estimator that records no training targets, such as any
        scikit-learn regressor, is ``y`` minus the test fold. See
        :func:`make_shot_scorer`.

    Returns
    -------
    scoring : dict
        ``"neg_mae_few"``-style names (``"pearson_many"`` for Pearson's r,
        ``"neg_balanced_mae"`` for the balanced errors) mapped to scorers.

    Examples
    --------
    >>> from sklearn.ensemble import HistGradientBoostingRegressor
    >>> from sklearn.model_selection import cross_validate
    >>> from skdir.datasets import load_abalone
    >>> from skdir.metrics import shot_scorers
    >>> sorted(shot_scorers(["mae", "pearson"], ["all", "few"]))
    ['neg_mae_all', 'neg_mae_few', 'pearson_all', 'pearson_few']
    >>> X, y = load_abalone(return_X_y=True)
    >>> scoring = shot_scorers(["mae", "balanced_mae"], y=y)
    >>> sorted(scoring)
    ['neg_balanced_mae', 'neg_mae_all', 'neg_mae_few', 'neg_mae_many', 'neg_mae_medium']
    >>> model = HistGradientBoostingRegressor(max_iter=20)
    >>> cv = cross_validate(model, X, y, cv=3, scoring=scoring)
    >>> bool(cv["test_neg_mae_few"].mean() < cv["test_neg_mae_many"].mean())
    True
    """
    if isinstance(metrics, str) or (shots is not None and isinstance(shots, str)):
        raise TypeError("metrics and shots must be sequences of names, not a str.")
    space_metrics = METRICS + tuple(_BALANCED)
    metrics = [_canonical(m, "metric", space_metrics, _METRIC_ALIASES) for m in metrics]
    explicit = shots is not None
    shots = SHOTS if shots is None else [
        _canonical(s, "shot", SHOTS, _SHOT_ALIASES) for s in shots
    ]
    pairs = [
        (metric, shot)
        for metric in dict.fromkeys(metrics)
        for shot in dict.fromkeys(shots)
        if shot == "all" or metric not in _BALANCED
    ]
    if explicit:
        missing = [m for m in metrics if m in _BALANCED and "all" not in shots]
        if missing:
            raise ValueError(
                f"{missing[0]} is scored over all test samples only: add 'all' "
                f"to shots, got {list(shots)}."
            )
        unused = set(shots) - {shot for _, shot in pairs}
        if unused:
            raise ValueError(
                f"shots {sorted(unused)} have no effect: the metrics {metrics} "
                "are not scored per shot group."
            )
    check_label_space(label_space)
    if not any(_needs_space(metric, shot) for metric, shot in pairs):
        named = (("label_space", label_space), ("y", y))
        given = [name for name, value in named if value is not None]
        if given:
            raise ValueError(
                f"{given[0]} has no effect when only 'all' scorers of shot-wise "
                "metrics are made; leave it None."
            )
    targets = _split_targets(y, label_space)  # recorded once for every scorer
    scoring = {}
    for metric, shot in pairs:
        if _needs_space(metric, shot):
            scorer = _ShotScorer(metric, shot, label_space, targets)
        else:
            scorer = _ShotScorer(metric, shot)
        scoring[scorer._name()] = scorer
    return scoring


# ------------------------------------------------------------ utility scorers
_UTILITY_ALIASES = {
    "sera_score": "sera",
    "relevance_weighted_mae": "rw_mae",
    "relevance_weighted_mean_absolute_error": "rw_mae",
    "relevance_weighted_mse": "rw_mse",
    "relevance_weighted_mean_squared_error": "rw_mse",
    **{
        alias: f"utility_{kind}"
        for kind in ("precision", "recall", "f1", "fbeta")
        for alias in (f"{kind}_util", f"util_{kind}", f"utility_{kind}_score")
    },
}
_UTILITY_ERRORS = {m for m, (greater, _) in UTILITY_METRICS.items() if not greater}


def _utility_metric(name):
    """The canonical utility metric of ``name`` (also with a ``neg_`` prefix)."""
    if isinstance(name, str):
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        key = _UTILITY_ALIASES.get(key, key)
        if key.startswith("neg_"):
            inner = _UTILITY_ALIASES.get(key[4:], key[4:])
            if inner in _UTILITY_ERRORS:
                key = inner
        if key in UTILITY_METRICS:
            return key
    raise ValueError(
        f"metric must be one of {tuple(UTILITY_METRICS)} (or an alias: "
        f"{sorted(_UTILITY_ALIASES)}), got {name!r}."
    )


class _UtilityScorer(_BaseScorer):
    """Scorer of one relevance-based metric (see :func:`make_utility_scorer`).

    Parameters
    ----------
    metric : str
        Canonical name (a key of ``UTILITY_METRICS``).
    params : dict
        The metric's validated parameters.
    relevance, label_space
        As in :func:`make_utility_scorer`; fitted on each training fold
        unless :func:`_needs_targets` says otherwise.
    targets : TrainingTargets or None
        The targets that cross-validation splits (``y=``).
    """

    def __init__(self, metric, params, relevance=None, label_space=None, targets=None):
        super().__init__(
            score_func=_metric_signature,
            sign=1 if UTILITY_METRICS[metric][0] else -1,
            kwargs={},
            response_method="predict",
        )
        self.metric = metric
        self.params = params
        self.relevance = relevance
        self.label_space = label_space
        self.targets = targets

    def __sklearn_clone__(self):
        # An unfitted relevance or label space clones to a fresh copy of its
        # parameters, a fitted label space to itself; the split targets are
        # shared.
        relevance = self.relevance
        if hasattr(relevance, "get_params"):
            relevance = clone(relevance)
        space = None if self.label_space is None else clone(self.label_space)
        return type(self)(self.metric, dict(self.params), relevance, space,
                          self.targets)

    def _name(self):
        if self.metric == "utility_fbeta":
            return f"utility_f{self.params['beta']:g}"
        return self.metric if UTILITY_METRICS[self.metric][0] else f"neg_{self.metric}"

    def __repr__(self):
        return f"make_utility_scorer({self.metric!r})"

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        if kwargs:
            raise ValueError(
                f"Utility scorers take no metadata such as sample_weight, got "
                f"{sorted(kwargs)}."
            )
        y_true = check_target(y_true, name="y_true")
        y_pred = check_target(method_caller(estimator, "predict", X), name="y_pred")
        y_train = None
        if _needs_targets(self.relevance, self.label_space):
            y_train = _training_fold(
                self._name(), estimator, y_true, self.targets,
                advice="utility_scorers / make_utility_scorer",
                fixed="a callable relevance= (used as given)",
            )
        rel = _fit_relevance(self.relevance, self.label_space, y_train)
        value = _metric_value(self.metric, y_true, y_pred, rel, self.params)
        return self._sign * value


def _utility_targets(y, relevance, label_space):
    """The record of ``y=`` (None if not given), checked against the relevance."""
    if y is None:
        return None
    if not _needs_targets(relevance, label_space):
        raise ValueError(
            f"y has no effect with relevance={relevance!r}"
            + (" and a fitted label_space" if isinstance(relevance, str) else "")
            + ": it is used as given on every fold. Pass y=None, or a "
            "relevance that is fitted on each training fold."
        )
    return TrainingTargets.from_y(check_target(y, name="y"))


def make_utility_scorer(metric="sera", *, relevance=None, label_space=None, y=None,
                        **params):
    """Scorer of a relevance-based metric, relevance fitted on the training fold.

    A scikit-learn scorer object, ``scorer(estimator, X, y_test)``, for
    :func:`~skdir.metrics.sera`, the relevance-weighted errors and the
    utility-based precision, recall and F-scores. Several of them (and shot
    scorers) in ``cross_validate(scoring=...)`` or ``GridSearchCV`` share one
    prediction per fold. Error metrics are negated (greater is better), as
    scikit-learn's ``neg_mean_squared_error``.

    The relevance is fitted, on every fold, on the **training targets of the
    fold** the estimator was fitted on, as a sampler in a pipeline fitted on
    that fold fits its own: the test fold's extremes are judged by the
    training distribution, never by themselves. The training targets are
    found as in :func:`make_shot_scorer`: the record of skdir estimators
    (``training_targets_``, found through pipelines and search objects),
    else ``y`` minus the test fold. A relevance that does not depend on the
    targets is used as given on every fold and needs neither: a callable,
    ``relevance="lds"`` with a fitted ``label_space``, a ``PhiRelevance``
    with ``control_points`` and an ``LDSRelevance`` of a fitted label space.

    Parameters
    ----------
    metric : str, default="sera"
        ``"sera"`` (:func:`sera`), ``"rw_mae"`` and ``"rw_mse"``
        (:func:`relevance_weighted_mean_absolute_error` and
        :func:`relevance_weighted_mean_squared_error`),
        ``"utility_precision"``, ``"utility_recall"``, ``"utility_f1"`` and
        ``"utility_fbeta"`` (:func:`utility_precision_score` and so on).
        Aliases: the function names, ``"relevance_weighted_mae"``,
        ``"relevance_weighted_mse"``, ``"f1_util"``, ``"util_f1"`` (and so on
        for precision, recall and fbeta), the error metrics with a
        ``"neg_"`` prefix; case, ``"-"`` and spaces do not matter.
    relevance : {"phi", "lds"}, estimator, callable or None, default=None
        None or ``"phi"``: ``PhiRelevance()``; ``"lds"``:
        ``LDSRelevance(label_space=label_space)``; an estimator with
        ``fit``/``transform`` is cloned and fitted on each training fold; a
        callable ``y -> relevance`` is used as it is.
    label_space : LabelSpace, default=None
        The bins of ``relevance="lds"`` (rejected otherwise). A fitted one is
        used as given on every fold.
    y : array-like of shape (n_samples,), default=None
        The targets that cross-validation splits, from which the training
        fold of an estimator that keeps no record is derived (see
        :func:`make_shot_scorer`). Rejected when the relevance is used as
        given.
    **params
        The metric's own parameters: ``step`` for ``"sera"``; ``threshold``,
        ``p`` and ``zero_division`` for the utility-based scores; ``beta``
        (required) for ``"utility_fbeta"``. Others are rejected.

    Returns
    -------
    scorer : scorer object
        ``scorer(estimator, X, y_test)`` returns a float.

    See Also
    --------
    utility_scorers : A dict of these scorers for ``scoring=``.

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdir.datasets import load_abalone
    >>> from skdir.metrics import make_utility_scorer
    >>> from skdir.resampling import RandomOverSampler
    >>> X, y = load_abalone(return_X_y=True)
    >>> model = make_pipeline(RandomOverSampler(relevance="phi", random_state=0),
    ...                       RandomForestRegressor(n_estimators=10, random_state=0))
    >>> scoring = {"sera": make_utility_scorer("sera"),
    ...            "f1_util": make_utility_scorer("f1_util")}
    >>> search = GridSearchCV(model, {"randomforestregressor__max_depth": [3, 6]},
    ...                       scoring=scoring, refit="f1_util", cv=3).fit(X, y)
    >>> sorted(k for k in search.cv_results_ if k.startswith("mean_test"))
    ['mean_test_f1_util', 'mean_test_sera']
    >>> bool(np.all(search.cv_results_["mean_test_sera"] < 0))  # negated SERA
    True
    """
    metric = _utility_metric(metric)
    _check_relevance_args(relevance, label_space)
    checked = _metric_params(metric, params)
    targets = _utility_targets(y, relevance, label_space)
    return _UtilityScorer(metric, checked, relevance, label_space, targets)


def utility_scorers(metrics=("sera", "rw_mae", "utility_f1"), *, relevance=None,
                    label_space=None, y=None, **params):
    """A dict of utility scorers for ``cross_validate(scoring=...)``.

    One :func:`make_utility_scorer` for each metric, all with the same
    relevance fitted on each training fold (and sharing one prediction per
    fold).

    Parameters
    ----------
    metrics : sequence of str, default=("sera", "rw_mae", "utility_f1")
        Metrics of :func:`make_utility_scorer` (aliases included).
    relevance : {"phi", "lds"}, estimator, callable or None, default=None
        As in :func:`make_utility_scorer`.
    label_space : LabelSpace, default=None
        The bins of ``relevance="lds"``.
    y : array-like of shape (n_samples,), default=None
        The targets that cross-validation splits (see
        :func:`make_utility_scorer`).
    **params
        Metric parameters (``step``, ``threshold``, ``p``, ``zero_division``,
        ``beta``), each given to the metrics that take it; one that no
        metric takes is rejected.

    Returns
    -------
    scoring : dict
        ``"neg_sera"``, ``"neg_rw_mae"``, ``"neg_rw_mse"``,
        ``"utility_precision"``, ``"utility_recall"``, ``"utility_f1"`` and
        ``"utility_f<beta>"`` mapped to scorers.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import cross_validate
    >>> from skdir.datasets import load_abalone
    >>> from skdir.metrics import utility_scorers
    >>> X, y = load_abalone(return_X_y=True)
    >>> scoring = utility_scorers(["sera", "utility_f1"], y=y, threshold=0.9)
    >>> sorted(scoring)
    ['neg_sera', 'utility_f1']
    >>> cv = cross_validate(Ridge(), X, y, cv=3, scoring=scoring)
    >>> bool(0 < cv["test_utility_f1"].mean() < 1)
    True
    """
    if isinstance(metrics, str):
        raise TypeError("metrics must be a sequence of names, not a str.")
    metrics = list(dict.fromkeys(_utility_metric(m) for m in metrics))
    if not metrics:
        raise ValueError("metrics is empty: name at least one metric.")
    unused = sorted(
        name for name in params
        if not any(name in UTILITY_METRICS[m][1] for m in metrics)
    )
    if unused:
        raise ValueError(
            f"{unused} have no effect: none of the metrics {metrics} takes them."
        )
    _check_relevance_args(relevance, label_space)
    targets = _utility_targets(y, relevance, label_space)  # recorded once
    scoring = {}
    for metric in metrics:
        own = {k: v for k, v in params.items() if k in UTILITY_METRICS[metric][1]}
        scorer = _UtilityScorer(metric, _metric_params(metric, own), relevance,
                                label_space, targets)
        scoring[scorer._name()] = scorer
    return scoring
