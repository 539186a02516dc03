"""Running the DIR benchmark: the fit/evaluate loop and the summary over seeds."""

import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from skdir.metrics import shot_metrics

from ._methods import Context, available

__all__ = ["Outcome", "SHOT_COLUMNS", "TABLE_METRICS", "ZERO_SHOT_COLUMNS",
           "run_benchmark", "summarize"]

#: Metrics reported in the tables.
TABLE_METRICS = ("mae", "mse", "gm")
#: Test groups of every table: all samples and the three shot groups.
SHOT_COLUMNS = ("all", "many", "medium", "few")
#: Test groups added when the training set has gaps: test targets in a
#: removed range inside (``interp``) or beyond (``extrap``) the training range.
ZERO_SHOT_COLUMNS = ("interp", "extrap")


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


def _evaluate(spec, y_train, y_test, y_pred, space):
    """Table values of one fit; ``space`` is fitted on ``y_train``, or None
    when the training set has no gaps (no zero-shot columns)."""
    columns = ("n",) + TABLE_METRICS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = shot_metrics(y_test, y_pred, y_train=y_train,
                           label_space=spec.make_label_space())
        out = {(shot, m): res[shot][m] for shot in SHOT_COLUMNS for m in columns}
        if space is not None:
            zero = space.count_of(y_test) == 0
            inside = space.in_range(y_test)
            for shot, mask in (("interp", zero & inside), ("extrap", zero & ~inside)):
                sub = None
                if mask.any():
                    sub = shot_metrics(y_test[mask], y_pred[mask], y_train=y_train,
                                       label_space=spec.make_label_space())
                for m in columns:
                    out[(shot, m)] = (sub["all"][m] if sub else
                                      (0 if m == "n" else np.nan))
    return out


def _drop_gaps(X, y, gaps):
    keep = ~np.any((y[:, None] >= gaps[:, 0]) & (y[:, None] < gaps[:, 1]), axis=1)
    return X[keep], y[keep]


def _silent(line):
    pass


def run_benchmark(spec, methods, seeds, *, context=None, gaps=None, progress=print,
                  keep_predictions=False):
    """Fit and evaluate benchmark methods on a dataset, seed by seed.

    For each seed the dataset is split (:meth:`DatasetSpec.split`), the label
    space of the spec is fitted once on the training targets, and every
    method is built from a :class:`Context` holding that fitted (hence
    frozen) label space, so all methods of a seed see the same bins and
    counts. Each fitted model is evaluated with
    :func:`skdir.metrics.shot_metrics` on the balanced test set. A method
    that fails is reported in ``skipped`` and does not stop the others.

    Parameters
    ----------
    spec : DatasetSpec
        The dataset, e.g. from :func:`load_dataset`.
    methods : list of Method
        The rows, e.g. from :func:`select_methods`.
    seeds : list of int
        Seeds of the splits and the estimators.
    context : dict, default=None
        Fields of :class:`Context` other than ``label_space``,
        ``random_state`` and ``n_samples`` (``model``, ``max_epochs``,
        ``min_steps``, ``batch_size``, ``lr``, ``device``).
    gaps : ndarray of shape (n_gaps, 2), default=None
        Target ranges ``[low, high)`` removed from the training sets
        (zero-shot regions); adds the ``interp`` and ``extrap`` columns.
    progress : callable or None, default=print
        Called with one line of text per step; None is silent.
    keep_predictions : bool, default=False
        Also return the :class:`Outcome` of every fit.

    Returns
    -------
    records : list of dict
        One per method, seed, test group and metric, with the keys
        ``dataset, family, method, label, seed, shot, metric, value,
        fit_seconds``; ``metric`` is ``"n"`` (the group's size) or one of
        :data:`TABLE_METRICS`.
    skipped : dict
        Method key to the reason, for the rows that could not run.
    outcomes : list of Outcome
        Only with ``keep_predictions``.

    See Also
    --------
    summarize : Mean and spread over seeds of the records.

    Examples
    --------
    >>> from skdir.cli import load_dataset, run_benchmark, select_methods
    >>> records, skipped = run_benchmark(
    ...     load_dataset("concrete"), select_methods("vanilla,inv-lds"),
    ...     seeds=[0, 1], context={"model": "ridge"}, progress=None)
    >>> len(records), skipped  # 2 methods x 2 seeds x 4 groups x 4 metrics
    (64, {})
    >>> sorted({r["shot"] for r in records})
    ['all', 'few', 'many', 'medium']
    """
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
    records, outcomes = [], []
    total, step = len(runnable) * len(seeds), 0
    for seed in seeds:
        X_tr, y_tr, X_te, y_te = spec.split(seed)
        if gaps is not None:
            X_tr, y_tr = _drop_gaps(X_tr, np.asarray(y_tr, dtype=float), gaps)
        X_tr, y_tr = np.asarray(X_tr, dtype=float), np.asarray(y_tr, dtype=float)
        y_te = np.asarray(y_te, dtype=float)
        space = spec.make_label_space().fit(y_tr)
        ctx = Context(label_space=space, random_state=seed, n_samples=y_tr.size,
                      **context)
        for method in runnable:
            step += 1
            start = time.perf_counter()
            try:
                estimator = clone(method.build(ctx))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    estimator.fit(X_tr, y_tr)
                    y_pred = np.asarray(estimator.predict(X_te), dtype=float).ravel()
            except Exception as exc:  # a failing row must not stop the table
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                reason = f"failed: {type(exc).__name__}: {first}"[:200]
                skipped.setdefault(method.key, reason)
                progress(f"[{step:>3}/{total}] seed {seed}  {method.label:<24} "
                         f"{reason}")
                continue
            seconds = time.perf_counter() - start
            scores = _evaluate(spec, y_tr, y_te, y_pred,
                               space if gaps is not None else None)
            progress(
                f"[{step:>3}/{total}] seed {seed}  {method.family[:3]} "
                f"{method.label:<24} {seconds:6.1f}s  "
                f"MAE all {scores[('all', 'mae')]:.3f}"
                f"  few {scores[('few', 'mae')]:.3f}"
            )
            for (shot, metric), value in scores.items():
                records.append({
                    "dataset": spec.name, "family": method.family,
                    "method": method.key, "label": method.label, "seed": seed,
                    "shot": shot, "metric": metric, "value": float(value),
                    "fit_seconds": seconds,
                })
            if keep_predictions:
                outcomes.append(Outcome(method, seed, X_tr, y_tr, y_te, y_pred,
                                        seconds))
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
        fit time.

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
                                        "_seconds": {}})
        column = (rec["shot"], rec["metric"])
        entry["_values"].setdefault(column, []).append(rec["value"])
        entry["_seconds"][rec["seed"]] = rec["fit_seconds"]
    summary = {}
    for key, entry in groups.items():
        out = {"label": entry["label"], "n_seeds": len(entry["_seconds"]),
               "seconds": float(np.mean(list(entry["_seconds"].values())))}
        for col, values in entry["_values"].items():
            arr = np.asarray(values, dtype=float)
            finite = arr[np.isfinite(arr)]
            mean = float(finite.mean()) if finite.size else np.nan
            std = float(finite.std(ddof=1)) if finite.size > 1 else (
                0.0 if finite.size else np.nan)
            out[col] = (mean, std)
        summary[key] = out
    return summary
