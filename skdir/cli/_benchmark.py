"""Running the DIR benchmark: the fit/evaluate loop and the summary over seeds."""

import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from skdir.metrics import (
    balanced_mean_absolute_error,
    relevance_weighted_mean_absolute_error,
    sera,
    shot_metrics,
    utility_f1_score,
)
from skdir.relevance import PhiRelevance

from ._methods import _PLAIN_METHODS, Context, available

__all__ = ["Outcome", "SHOT_COLUMNS", "TABLE_METRICS", "ZERO_SHOT_COLUMNS",
           "run_benchmark", "summarize"]

#: Metrics reported in the tables: MAE, MSE and GM per test group, and the
#: balanced MAE (``bmae``, the mean over the label space's bins of each
#: bin's MAE) of the whole test set only (test group ``all``).
TABLE_METRICS = ("mae", "bmae", "mse", "gm")
# Method key and label of the row chosen per seed on inner folds of the
# training data (one such row per family).
_SELECTED = ("selected", "Selected (inner CV)")
#: Test groups of every table: all samples and the three shot groups.
SHOT_COLUMNS = ("all", "many", "medium", "few")
#: Test groups added when the training set has gaps: test targets in a
#: removed range inside (``interp``) or beyond (``extrap``) the training range.
ZERO_SHOT_COLUMNS = ("interp", "extrap")
# Utility-based metrics of the whole test set (group "all"), with the
# box-plot relevance fitted on the training targets: SERA, the
# relevance-weighted MAE and the utility-based F1 (threshold 0.8).
_UTILITY_METRICS = ("sera", "rw_mae", "f1u")


@dataclass
class Outcome:
    """The predictions of one method on one seed.

    Parameters
    ----------
    method : Method
        The row.
    seed : int
        The seed of the split and the estimator.
    X_train : ndarray of shape (n_train, n_features)
        Training features (shared by every method of the seed).
    y_train : ndarray of shape (n_train,)
        Training targets.
    y_test : ndarray of shape (n_test,)
        Test targets.
    y_pred : ndarray of shape (n_test,)
        Predictions for the test set.
    seconds : float
        Time taken by ``fit`` and ``predict``.

    Examples
    --------
    >>> from skdir.cli import load_dataset, run_benchmark, select_methods
    >>> records, skipped, outcomes = run_benchmark(
    ...     load_dataset("concrete"), select_methods("vanilla"), seeds=[0],
    ...     context={"model": "ridge"}, progress=None, keep_predictions=True)
    >>> outcome = outcomes[0]
    >>> outcome.method.key, outcome.y_pred.shape == outcome.y_test.shape
    ('vanilla', True)
    """

    method: object
    seed: int
    X_train: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    y_pred: np.ndarray
    seconds: float


def _evaluate(y_test, y_pred, space, gaps, relevance=None):
    """Table values of one fit; ``space`` is the seed's label space, fitted
    on the training targets; ``gaps`` adds the zero-shot columns;
    ``relevance`` (the box-plot relevance fitted on the training targets)
    adds the utility-based metrics (:data:`_UTILITY_METRICS`)."""
    columns = ("n", "mae", "mse", "gm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = shot_metrics(y_test, y_pred, label_space=space)
        out = {(shot, m): res[shot][m] for shot in SHOT_COLUMNS for m in columns}
        out[("all", "bmae")] = balanced_mean_absolute_error(
            y_test, y_pred, label_space=space)
        if gaps:
            zero = space.count_of(y_test) == 0
            inside = space.in_range(y_test)
            for shot, mask in (("interp", zero & inside), ("extrap", zero & ~inside)):
                sub = None
                if mask.any():
                    sub = shot_metrics(y_test[mask], y_pred[mask], label_space=space)
                for m in columns:
                    out[(shot, m)] = (sub["all"][m] if sub else
                                      (0 if m == "n" else np.nan))
        if relevance is not None:
            phi = relevance
            out[("all", "sera")] = sera(y_test, y_pred, relevance=phi)
            out[("all", "rw_mae")] = relevance_weighted_mean_absolute_error(
                y_test, y_pred, relevance=phi)
            out[("all", "f1u")] = utility_f1_score(y_test, y_pred, relevance=phi,
                                                   zero_division=np.nan)
    return out


def _drop_gaps(X, y, gaps):
    keep = ~np.any((y[:, None] >= gaps[:, 0]) & (y[:, None] < gaps[:, 1]), axis=1)
    return X[keep], y[keep]


def _silent(line):
    pass


def _first_line(exc):
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}"[:200]


def _fit_predict(method, ctx, X_train, y_train, X_test):
    estimator = clone(method.build(ctx))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X_train, y_train)
        return np.asarray(estimator.predict(X_test), dtype=float).ravel()


def _inner_scores(method, ctx, X, y, folds, space):
    """Mean inner-CV MAE, balanced MAE and few-shot MAE of one method."""
    few = space.shot_of(y) == "few"
    mae, bmae, mae_few = [], [], []
    for train, test in folds:
        y_pred = _fit_predict(method, ctx, X[train], y[train], X[test])
        err = np.abs(y_pred - y[test])
        mae.append(err.mean())
        bmae.append(balanced_mean_absolute_error(y[test], y_pred, label_space=space))
        mae_few.append(err[few[test]].mean() if few[test].any() else np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no few-shot fold target
        return np.mean(mae), np.mean(bmae), np.nanmean(mae_few)


def _inner_cv(inner_split, n_folds, space, per_bin, seed):
    """The splitter of the selection's inner validation."""
    from skdir.model_selection import BalancedShuffleSplit, BinnedStratifiedKFold

    if inner_split == "balanced":
        return BalancedShuffleSplit(n_folds, label_space=space, per_bin=per_bin,
                                    random_state=seed)
    return BinnedStratifiedKFold(n_folds, label_space=space, shuffle=True,
                                 random_state=seed)


def _select(methods, ctx, X, y, space, cv, max_loss):
    """The method chosen by :func:`~skdir.model_selection.balanced_refit` on
    inner folds ``cv`` of the training set ``(X, y)``: ``(method,
    cv_results, failed)``; ``method`` is None when the family's plain row
    cannot be scored."""
    from skdir.model_selection import balanced_refit

    folds = list(cv.split(X, y))
    plain = _PLAIN_METHODS[methods[0].family]
    scored, rows, failed = [], [], {}
    for method in methods:
        try:
            rows.append(_inner_scores(method, ctx, X, y, folds, space))
        except Exception as exc:  # a failing method is no candidate
            failed[method.key] = _first_line(exc)
            continue
        scored.append(method)
    rows = np.asarray(rows, dtype=float).reshape(-1, 3)
    cv_results = {
        "params": [{"method": m.key} for m in scored],
        "mean_test_neg_mae": -rows[:, 0],
        "mean_test_neg_bmae": -rows[:, 1],
        "mean_test_neg_mae_few": -rows[:, 2],
    }
    if plain not in [m.key for m in scored]:
        return None, cv_results, failed
    rule = balanced_refit(balanced="neg_bmae", overall="neg_mae",
                          baseline={"method": plain}, max_loss=max_loss)
    return scored[rule(cv_results)], cv_results, failed


def run_benchmark(spec, methods, seeds, *, context=None, gaps=None, progress=print,
                  keep_predictions=False, inner_cv=3, inner_split="balanced",
                  max_loss=0.03):
    """Fit and evaluate benchmark methods on a dataset, seed by seed.

    For each seed the dataset is split (:meth:`DatasetSpec.split`), the label
    space of the spec is fitted once on the training targets, and every
    method is built from a :class:`Context` holding that fitted (hence
    frozen) label space, so all methods of a seed see the same bins and
    counts. Each fitted model is evaluated with
    :func:`skdir.metrics.shot_metrics` and
    :func:`skdir.metrics.balanced_mean_absolute_error` on the balanced test
    set. A method that fails is reported in ``skipped`` and does not stop
    the others.

    With ``inner_cv`` folds, each family (tabular, neural) also gets a
    "Selected (inner CV)" row (method key ``"selected"``), chosen per seed
    on the TRAINING split alone: every method of the family that ran is
    validated on ``inner_cv`` splits of that seed's training set (the seed's
    label space, ``random_state=seed``; see ``inner_split``), scored by
    overall MAE and balanced MAE (the mean over the label space's bins of
    each bin's MAE), and :func:`~skdir.model_selection.balanced_refit` picks the lowest
    balanced MAE among the methods whose overall MAE is at most
    ``max_loss`` (relative) above the plain row's (``"vanilla"`` or
    ``"nn-vanilla"``). The chosen method's test metrics of that seed,
    computed once by its own fit, are the selected row's records; the test
    set plays no part in the choice. Methods that fail in the inner folds
    are no candidates; without the plain row among the methods the family
    gets no selected row (a note in ``skipped``).

    Parameters
    ----------
    spec : DatasetSpec
        The dataset, e.g. from :func:`load_dataset`.
    methods : list of Method
        The rows, e.g. from :func:`select_methods`.
    seeds : list of int
        Seeds of the splits and the estimators.
    context : dict, default=None
        Fields of :class:`Context` other than ``label_space`` and
        ``random_state``: ``model``, ``max_epochs``, ``batch_size``, ``lr``
        and ``device``. ``max_epochs``, ``batch_size`` and ``lr`` left out
        (or None) keep :class:`~skdir.nn.DIRRegressor`'s defaults.
    gaps : ndarray of shape (n_gaps, 2), default=None
        Target ranges ``[low, high)`` removed from the training sets
        (zero-shot regions); adds the ``interp`` and ``extrap`` columns.
    progress : callable or None, default=print
        Called with one line of text per step; None is silent.
    keep_predictions : bool, default=False
        Also return the :class:`Outcome` of every fit.
    inner_cv : int, default=3
        Inner splits of the selection, >= 2; 0 adds no selected row. A
        family with a single method that ran gets none either (nothing to
        choose).
    inner_split : {"balanced", "stratified"}, default="balanced"
        How the inner validation sets are drawn from the training split
        ("stratified" is rejected with ``inner_cv=0``, where nothing is
        drawn). "balanced": the way the test set is drawn
        (:class:`~skdir.model_selection.BalancedShuffleSplit` with the
        spec's ``per_bin``), so the inner overall MAE estimates the overall
        MAE on a balanced test set. "stratified":
        :class:`~skdir.model_selection.BinnedStratifiedKFold` folds
        (``shuffle=True``), which follow the imbalanced training
        distribution; use it when the test data are drawn like the training
        data.
    max_loss : float, default=0.03
        Largest relative loss in inner-CV overall MAE against the plain row
        that the selection accepts, >= 0.

    Returns
    -------
    records : list of dict
        One per method, seed, test group and metric, with the keys
        ``dataset, family, method, label, seed, shot, metric, value,
        fit_seconds``; ``metric`` is ``"n"`` (the group's size), one of
        :data:`TABLE_METRICS` (``"bmae"`` for the group ``"all"`` only), or,
        for the group ``"all"``, ``"sera"``, ``"rw_mae"`` or ``"f1u"``: SERA,
        the relevance-weighted MAE and the utility-based F1 (threshold 0.8;
        NaN when no test target or no prediction is rare) with
        :class:`~skdir.relevance.PhiRelevance` fitted on the training
        targets (:mod:`skdir.metrics`).
        The records of a selected row also hold ``chosen`` and
        ``chosen_label`` (the chosen method), ``inner_cv``, ``inner_split``,
        ``max_loss`` and
        ``cv_scores`` (method key to its inner-CV mean MAE, balanced MAE and
        few-shot MAE); their ``fit_seconds`` is the time of the inner
        cross-validation of the family plus the chosen method's fit.
    skipped : dict
        Method key to the reason, for the rows that could not run; the key
        ``"selected"`` says why a family or seed has no selected row.
    outcomes : list of Outcome
        Only with ``keep_predictions``.

    See Also
    --------
    summarize : Mean and spread over seeds of the records.
    skdir.model_selection.balanced_refit : The selection rule.

    Examples
    --------
    >>> from skdir.cli import load_dataset, run_benchmark, select_methods
    >>> records, skipped = run_benchmark(
    ...     load_dataset("concrete"), select_methods("vanilla,inverse-lds"),
    ...     seeds=[0, 1], context={"model": "ridge"}, progress=None)
    >>> skipped
    {}
    >>> sorted({r["method"] for r in records})
    ['inverse-lds', 'selected', 'vanilla']
    >>> sorted({r["shot"] for r in records})
    ['all', 'few', 'many', 'medium']
    >>> chosen = {r["seed"]: r["chosen"] for r in records
    ...           if r["method"] == "selected"}
    >>> sorted(chosen) == [0, 1] and set(chosen.values()) <= {"vanilla", "inverse-lds"}
    True
    """
    if isinstance(inner_cv, bool) or not isinstance(inner_cv, (int, np.integer)) or (
            inner_cv < 0 or inner_cv == 1):
        raise ValueError(f"inner_cv must be 0 (no selection) or an integer >= 2, got "
                         f"{inner_cv!r}.")
    if inner_split not in ("balanced", "stratified"):
        raise ValueError("inner_split must be 'balanced' or 'stratified', got "
                         f"{inner_split!r}.")
    if inner_split != "balanced" and not inner_cv:
        raise ValueError(f"inner_split={inner_split!r} has no effect with inner_cv=0 "
                         "(no selection); leave it out or set inner_cv >= 2.")
    if isinstance(max_loss, bool) or not isinstance(max_loss, (int, float)) or not (
            np.isfinite(max_loss) and max_loss >= 0):
        raise ValueError(f"max_loss must be a finite number >= 0, got {max_loss!r}.")
    context = dict(context or {})
    progress = _silent if progress is None else progress
    runnable, skipped = [], {}
    for method in methods:
        reason = available(method)
        if reason is None:
            runnable.append(method)
        else:
            skipped[method.key] = reason
            progress(f"skip {method.label} ({method.family}): {reason}")
    families = list(dict.fromkeys(m.family for m in runnable))
    notes = []
    if inner_cv:
        for family in families:
            plain = _PLAIN_METHODS.get(family)
            members = [m for m in runnable if m.family == family]
            if plain not in [m.key for m in members] and len(members) > 1:
                notes.append(f"{family}: the plain row {plain!r} is not among the "
                             "methods, so nothing is selected")
    records, outcomes = [], []
    total, step = len(runnable) * len(seeds), 0
    for seed in seeds:
        X_tr, y_tr, X_te, y_te = spec.split(seed)
        if gaps is not None:
            X_tr, y_tr = _drop_gaps(X_tr, np.asarray(y_tr, dtype=float), gaps)
        X_tr, y_tr = np.asarray(X_tr, dtype=float), np.asarray(y_tr, dtype=float)
        y_te = np.asarray(y_te, dtype=float)
        space = spec.make_label_space().fit(y_tr)
        ctx = Context(label_space=space, random_state=seed, **context)
        phi = PhiRelevance().fit(y_tr).transform  # one per seed, for every row
        fitted = {}  # key -> (records of the seed, fit seconds)
        for method in runnable:
            step += 1
            start = time.perf_counter()
            try:
                y_pred = _fit_predict(method, ctx, X_tr, y_tr, X_te)
            except Exception as exc:  # a failing row must not stop the table
                reason = f"failed: {_first_line(exc)}"
                skipped.setdefault(method.key, reason)
                progress(f"[{step:>3}/{total}] seed {seed}  {method.label:<24} "
                         f"{reason}")
                continue
            seconds = time.perf_counter() - start
            scores = _evaluate(y_te, y_pred, space, gaps is not None, phi)
            progress(
                f"[{step:>3}/{total}] seed {seed}  {method.family[:3]} "
                f"{method.label:<24} {seconds:6.1f}s  "
                f"MAE all {scores[('all', 'mae')]:.3f}"
                f"  few {scores[('few', 'mae')]:.3f}"
            )
            mine = [{
                "dataset": spec.name, "family": method.family,
                "method": method.key, "label": method.label, "seed": seed,
                "shot": shot, "metric": metric, "value": float(value),
                "fit_seconds": seconds,
            } for (shot, metric), value in scores.items()]
            records.extend(mine)
            fitted[method.key] = (mine, seconds)
            if keep_predictions:
                outcomes.append(Outcome(method, seed, X_tr, y_tr, y_te, y_pred,
                                        seconds))
        if not inner_cv:
            continue
        for family in families:
            members = [m for m in runnable if m.family == family and m.key in fitted]
            plain = _PLAIN_METHODS.get(family)
            if plain not in [m.key for m in runnable] or len(members) < 2:
                continue
            if plain not in fitted:
                notes.append(f"{family} seed {seed}: the plain row failed, so "
                             "nothing is selected")
                continue
            start = time.perf_counter()
            cv = _inner_cv(inner_split, inner_cv, space, spec.per_bin, seed)
            chosen, cv_results, failed = _select(
                members, ctx, X_tr, y_tr, space, cv, max_loss)
            seconds = time.perf_counter() - start
            labels = {m.key: m.label for m in members}
            for key, reason in failed.items():
                progress(f"{' ' * len(f'[{step:>3}/{total}]')} seed {seed}  "
                         f"{family[:3]} {labels[key]:<24} "
                         f"failed in the inner folds (no candidate): {reason}")
            if chosen is None:
                notes.append(f"{family} seed {seed}: the plain row failed in the "
                             "inner folds, so nothing is selected")
                continue
            keys = [p["method"] for p in cv_results["params"]]
            cv_scores = {key: tuple(float(-cv_results[f"mean_test_{name}"][i])
                                    for name in ("neg_mae", "neg_bmae",
                                                 "neg_mae_few"))
                         for i, key in enumerate(keys)}
            pad = " " * len(f"[{step:>3}/{total}]")
            progress(f"{pad} seed {seed}  {family[:3]} {_SELECTED[1]:<24} "
                     f"{seconds:6.1f}s  {chosen.label} ({inner_cv} inner "
                     f"{'balanced sets' if inner_split == 'balanced' else 'folds'}, "
                     f"{len(keys)} candidates)")
            own, fit_seconds = fitted[chosen.key]
            for rec in own:
                records.append({
                    **rec, "method": _SELECTED[0], "label": _SELECTED[1],
                    "fit_seconds": seconds + fit_seconds, "chosen": chosen.key,
                    "chosen_label": chosen.label, "inner_cv": inner_cv,
                    "inner_split": inner_split,
                    "max_loss": max_loss, "cv_scores": cv_scores,
                })
    if notes:
        skipped["selected"] = "; ".join(notes)
    if keep_predictions:
        return records, skipped, outcomes
    return records, skipped


def summarize(records):
    """Mean and standard deviation over seeds of benchmark records.

    Non-finite values (a shot group without test samples on some seed) are
    left out of the mean; the standard deviation has one degree of freedom
    removed, and is 0 for a single finite value.

    Parameters
    ----------
    records : list of dict
        As :func:`run_benchmark` returns them.

    Returns
    -------
    summary : dict
        ``(family, method) -> {"label", "n_seeds", "seconds", (shot, metric):
        (mean, std)}``, in the order of the records; ``seconds`` is the mean
        fit time. A selected row (see :func:`run_benchmark`) also has
        ``"chosen"`` (seed to the chosen method's label), ``"inner_cv"``,
        ``"inner_split"`` and ``"max_loss"``.

    Examples
    --------
    >>> from skdir.cli import summarize
    >>> records = [{"family": "tabular", "method": "vanilla", "label": "Vanilla",
    ...             "seed": seed, "shot": "all", "metric": "mae", "value": value,
    ...             "fit_seconds": 1.0} for seed, value in [(0, 2.0), (1, 4.0)]]
    >>> row = summarize(records)[("tabular", "vanilla")]
    >>> row["n_seeds"], row[("all", "mae")]
    (2, (3.0, 1.4142135623730951))
    """
    groups = {}
    for rec in records:
        key = (rec["family"], rec["method"])
        entry = groups.setdefault(key, {"label": rec["label"], "_values": {},
                                        "_seconds": {}, "_chosen": {}})
        column = (rec["shot"], rec["metric"])
        entry["_values"].setdefault(column, []).append(rec["value"])
        entry["_seconds"][rec["seed"]] = rec["fit_seconds"]
        if "chosen" in rec:
            entry["_chosen"][rec["seed"]] = rec["chosen_label"]
            entry["inner_cv"], entry["max_loss"] = rec["inner_cv"], rec["max_loss"]
            entry["inner_split"] = rec.get("inner_split", "stratified")
    summary = {}
    for key, entry in groups.items():
        out = {"label": entry["label"], "n_seeds": len(entry["_seconds"]),
               "seconds": float(np.mean(list(entry["_seconds"].values())))}
        if entry["_chosen"]:
            out["chosen"] = dict(sorted(entry["_chosen"].items()))
            out["inner_cv"], out["max_loss"] = entry["inner_cv"], entry["max_loss"]
            out["inner_split"] = entry["inner_split"]
        for col, values in entry["_values"].items():
            arr = np.asarray(values, dtype=float)
            finite = arr[np.isfinite(arr)]
            mean = float(finite.mean()) if finite.size else np.nan
            std = float(finite.std(ddof=1)) if finite.size > 1 else (
                0.0 if finite.size else np.nan)
            out[col] = (mean, std)
        summary[key] = out
    return summary
