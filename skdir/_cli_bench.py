"""Running the DIR benchmark: datasets, the fit/evaluate loop and the results.

``run_benchmark`` fits every chosen method on the training set of every seed
and evaluates it shot by shot on the balanced test set; ``summarize`` turns
the records into mean and spread over seeds; :mod:`skdir._cli_report` writes
the tables.
"""

import time
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from ._cli_methods import Context, available
from .bins import LabelBins
from .metrics import shot_metrics

__all__ = ["DatasetSpec", "DATASETS", "load_dataset", "run_benchmark", "summarize"]

#: Metrics reported in the tables, and shot groups (zero-shot columns are
#: added when the training set has gaps).
TABLE_METRICS = ("mae", "mse", "gm")
SHOT_COLUMNS = ("all", "many", "medium", "few")
ZERO_SHOT_COLUMNS = ("interp", "extrap")


@dataclass
class DatasetSpec:
    """A benchmark dataset and the label space it is evaluated in."""

    name: str
    description: str
    bin_width: float
    many_threshold: float
    few_threshold: float
    per_bin: object = 30
    loader: object = None  # () -> (X, y), split by dir_split
    splitter: object = None  # (seed) -> (X_tr, y_tr, X_te, y_te)

    def bins(self):
        return LabelBins(bin_width=self.bin_width)

    def split(self, seed):
        """Training and test sets for one seed."""
        if self.splitter is not None:
            return self.splitter(seed)
        from .datasets import dir_split

        X, y = self.loader()
        X_tr, X_te, y_tr, y_te = dir_split(
            X, y, bins=self.bins(), per_bin=self.per_bin, validation=False,
            random_state=seed,
        )
        return X_tr, y_tr, X_te, y_te


def _loader(name):
    def load():
        from . import datasets

        return getattr(datasets, f"load_{name}")(return_X_y=True)

    return load


def _agedb(seed, scale=1.0):
    from .datasets import make_agedb_dir

    X, y, split = make_agedb_dir(noise=0.1, scale=scale, random_state=seed)
    train, test = split == "train", split == "test"
    return X[train], y[train], X[test], y[test]


def _synthetic():
    from .datasets import make_imbalanced_regression

    return make_imbalanced_regression(5000, 10, label_distribution="long_tail",
                                      noise=1.0, random_state=0)


DATASETS = {
    "abalone": DatasetSpec(
        "abalone", "rings of 4,177 abalones (bundled, UCI)", 1, 100, 20, 30,
        loader=_loader("abalone")),
    "concrete": DatasetSpec(
        "concrete", "compressive strength of 1,030 concrete samples (bundled, UCI)",
        5, 80, 20, 10, loader=_loader("concrete")),
    "bikeshare": DatasetSpec(
        "bikeshare", "hourly bikers, 8,645 hours (bundled, UCI)", 25, 300, 50, 30,
        loader=_loader("bikeshare")),
    "diamonds": DatasetSpec(
        "diamonds", "price of 53,940 diamonds (bundled, ggplot2)", 500, 1000, 100, 100,
        loader=_loader("diamonds")),
    "agedb": DatasetSpec(
        "agedb", "semi-synthetic, the AgeDB-DIR label profile (12,208 train, "
        "2,140 balanced test)", 1, 100, 20, splitter=_agedb),
    "agedb-small": DatasetSpec(
        "agedb-small", "semi-synthetic, the AgeDB-DIR profile at a quarter of "
        "its size", 1, 25, 5, splitter=lambda seed: _agedb(seed, 0.25)),
    "synthetic": DatasetSpec(
        "synthetic", "make_imbalanced_regression, long-tailed target, 5,000 "
        "samples", 2, 100, 20, 30, loader=_synthetic),
}


def load_dataset(name, *, target=None, bin_width=None, many_threshold=None,
                 few_threshold=None, per_bin=None):
    """The :class:`DatasetSpec` of a bundled dataset name or a CSV path.

    Raises ValueError (unknown name, unreadable or unsuitable file).
    """
    import dataclasses
    import os

    if name in DATASETS:
        if target is not None:
            raise ValueError(f"--target applies to CSV files, not to {name!r}.")
        spec = dataclasses.replace(DATASETS[name])
    elif name.lower().endswith((".csv", ".csv.gz")) or os.path.sep in name:
        spec = _csv_spec(name, target)
    else:
        raise ValueError(
            f"unknown dataset {name!r}; choose from {', '.join(DATASETS)} or give "
            "a path to a .csv file with --target."
        )
    if bin_width is not None:
        spec.bin_width = bin_width
    if many_threshold is not None:
        spec.many_threshold = many_threshold
    if few_threshold is not None:
        spec.few_threshold = few_threshold
    if per_bin is not None:
        spec.per_bin = per_bin
    if spec.few_threshold > spec.many_threshold:
        raise ValueError(
            f"the few-shot threshold ({spec.few_threshold:g}) exceeds the many-shot "
            f"threshold ({spec.many_threshold:g})."
        )
    return spec


def _csv_spec(path, target):
    import os

    from .datasets._table import encode_table, read_table

    if target is None:
        raise ValueError(f"give the target column of {path} with --target.")
    if not os.path.isfile(path):
        raise ValueError(f"no such file: {path}.")
    try:
        header, cells = read_table(path)
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a UTF-8 text CSV file.") from None
    X, y, names = encode_table(header, cells, target, source=path)
    missing = np.isnan(X).any(axis=0)
    if missing.any():
        columns = ", ".join(np.asarray(names)[missing][:5])
        raise ValueError(
            f"{path} has {int(np.isnan(X).sum())} missing value(s) in feature "
            f"column(s) {columns}; fill or drop them first."
        )
    if X.shape[1] == 0:
        raise ValueError(f"{path} has no feature columns besides {target!r}.")
    if y.size < 30:
        raise ValueError(f"{path} has {y.size} rows; the benchmark needs at least 30.")
    if np.ptp(y) == 0:
        raise ValueError(f"target column {target!r} of {path} is constant.")
    # 50 bins over the target range; the test set takes about 15 % of the
    # rows; shot thresholds at the quartiles of the training bin counts.
    width = float(np.ptp(y)) / 50
    counts = LabelBins(bin_width=width).fit(y).counts_
    populated = counts[counts > 0]
    many = float(np.quantile(populated, 0.75))
    few = float(np.quantile(populated, 0.25))
    return DatasetSpec(
        os.path.basename(path), f"{y.size} rows of {path}, target {target!r}",
        width, max(many, few), few, 0.15, loader=lambda: (X, y))


@dataclass
class Outcome:
    """Predictions of one method on one seed."""

    method: object
    seed: int
    y_train: np.ndarray
    y_test: np.ndarray
    y_pred: np.ndarray
    seconds: float


def _evaluate(spec, y_train, y_test, y_pred, gaps):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = shot_metrics(y_test, y_pred, y_train=y_train, bins=spec.bins(),
                           many_threshold=spec.many_threshold,
                           few_threshold=spec.few_threshold)
        out = {(shot, m): res[shot][m] for shot in SHOT_COLUMNS for m in ("n",)
               + TABLE_METRICS}
        if gaps is not None:
            bins = spec.bins().fit(y_train)
            zero = bins.count_of(y_test) == 0
            inside = bins.in_range(y_test)
            for shot, mask in (("interp", zero & inside), ("extrap", zero & ~inside)):
                sub = shot_metrics(y_test[mask], y_pred[mask], y_train=y_train,
                                   bins=spec.bins()) if mask.any() else None
                for m in ("n",) + TABLE_METRICS:
                    out[(shot, m)] = (sub["all"][m] if sub else
                                      (0 if m == "n" else np.nan))
    return out


def _drop_gaps(X, y, gaps):
    keep = ~np.any((y[:, None] >= gaps[:, 0]) & (y[:, None] < gaps[:, 1]), axis=1)
    return X[keep], y[keep]


def run_benchmark(spec, methods, seeds, *, context=None, gaps=None, progress=print,
                  keep_predictions=False):
    """Fit and evaluate ``methods`` on ``spec`` for each seed.

    Parameters
    ----------
    spec : DatasetSpec
    methods : list of Method
    seeds : list of int
    context : dict, default=None
        Fields of :class:`Context` besides ``bins`` and ``random_state``.
    gaps : ndarray of shape (n_gaps, 2), default=None
        Target ranges removed from the training sets (zero-shot regions);
        adds the ``interp`` and ``extrap`` columns.
    progress : callable
        Called with one line of text per step.
    keep_predictions : bool
        Also return the :class:`Outcome` of every fit.

    Returns
    -------
    records : list of dict
        One per method, seed, shot column and metric.
    skipped : dict
        Method key -> reason, for the rows that could not run.
    outcomes : list of Outcome
        Only with ``keep_predictions``.
    """
    context = dict(context or {})
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
            X_tr, y_tr = _drop_gaps(X_tr, y_tr, gaps)
        X_tr, y_tr = np.asarray(X_tr, dtype=float), np.asarray(y_tr, dtype=float)
        for method in runnable:
            step += 1
            ctx = Context(bins=spec.bins(), random_state=seed, **context)
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
            scores = _evaluate(spec, y_tr, y_te, y_pred, gaps)
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
                outcomes.append(Outcome(method, seed, y_tr, y_te, y_pred, seconds))
    if keep_predictions:
        return records, skipped, outcomes
    return records, skipped


def summarize(records):
    """Mean and standard deviation over seeds.

    Returns
    -------
    summary : dict
        ``(family, method) -> {"label", "n_seeds", "seconds",
        (shot, metric): (mean, std)}``, in the order of the records.
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
