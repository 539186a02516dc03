"""Plain ``DIRRegressor()`` against scikit-learn's ``MLPRegressor``, defaults.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_mlp_parity.py [--folds 5] [--n-jobs 1]
    OMP_NUM_THREADS=1 python benchmarks/bench_mlp_parity.py --select [--n-jobs 2]

Default mode (the parity table): on every dataset below, the same
``KFold(n_splits=5, shuffle=True, random_state=0)`` folds for both models;
the features are standardised per fold (``StandardScaler`` fitted on the
training part), the target is left as it is. The models are
``DIRRegressor(random_state=0)`` (every other parameter at its default:
plain MSE, no reweighting) and ``MLPRegressor(hidden_layer_sizes=<the
DIRRegressor default>, random_state=0)``. Reported per dataset: the mean
over folds of the test MSE of each, the ratio DIR / MLP of those means (and
the range of the per-fold ratios), the mean fit time of each and the mean
number of epochs. The target is a ratio <= 1.0 on every dataset. For
reference, the last two columns give ``MLPRegressor`` on the standardised
target (``TransformedTargetRegressor(..., transformer=StandardScaler())``),
the way ``DIRRegressor`` trains by default.

``--select`` mode (how the defaults were chosen, on training data only):
for every dataset, the training part of the first outer fold is split again
into 3 inner folds (``KFold(shuffle=True, random_state=1)``); every candidate
configuration of ``DIRRegressor`` and ``MLPRegressor`` is fitted on two and
scored on the third. The table gives, per dataset, the ratio of the mean
inner-validation MSE of each candidate to that of ``MLPRegressor``; the
outer test folds are not touched.

Datasets: the bundled ``abalone``, ``concrete``, ``bikeshare`` and
``diamonds`` (subsampled to 10,000 rows, ``random_state=0``, for time), the
AgeDB-DIR label profile ``make_agedb_dir(scale=0.5, random_state=0)`` (the
training, validation and test ages pooled, 8,254 rows, 10 features) and
``make_imbalanced_regression(n_samples=3000, random_state=0)``.
Writes Markdown to ``benchmarks/results/mlp_parity.md`` (``--out``).
"""

import argparse
import datetime
import os
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
import torch
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from skdir.datasets import (
    load_abalone,
    load_bikeshare,
    load_concrete,
    load_diamonds,
    make_agedb_dir,
    make_imbalanced_regression,
)
from skdir.nn import DIRRegressor

HIDDEN = DIRRegressor().hidden_layer_sizes
DIAMONDS_ROWS = 10_000


def _subsample(X, y, n, seed=0):
    if len(y) <= n:
        return X, y
    idx = np.sort(np.random.RandomState(seed).choice(len(y), n, replace=False))
    return X[idx], y[idx]


def datasets():
    """name -> (X, y, note)."""
    out = {}
    for name, load in (("abalone", load_abalone), ("concrete", load_concrete),
                       ("bikeshare", load_bikeshare)):
        X, y = load(return_X_y=True)
        out[name] = (X, y, "")
    X, y = load_diamonds(return_X_y=True)
    n_all = len(y)
    X, y = _subsample(X, y, DIAMONDS_ROWS)
    out["diamonds"] = (X, y, f"{DIAMONDS_ROWS:,} of {n_all:,} rows (random, seed 0)")
    X, y, _ = make_agedb_dir(scale=0.5, random_state=0)
    out["agedb (profile)"] = (X, y, "make_agedb_dir(scale=0.5), all splits pooled")
    X, y = make_imbalanced_regression(n_samples=3000, random_state=0)
    out["imbalanced (synthetic)"] = (X, y, "make_imbalanced_regression(n_samples=3000)")
    return out


def mlp():
    return MLPRegressor(hidden_layer_sizes=HIDDEN, random_state=0)


def _fit_score(model, X_train, y_train, X_test, y_test):
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    model = clone(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    mse = float(np.mean((model.predict(X_test) - y_test) ** 2))
    fitted = getattr(model, "regressor_", model)
    return mse, seconds, int(fitted.n_iter_)


def parity(data, folds, n_jobs):
    models = {
        "DIR": DIRRegressor(random_state=0),
        "MLP": mlp(),
        # For reference: MLPRegressor on the standardised target, as DIRRegressor
        # trains by default (scale_target=True).
        "MLP-z": TransformedTargetRegressor(mlp(), transformer=StandardScaler()),
    }
    jobs, keys = [], []
    for name, (X, y, _) in data.items():
        cv = KFold(n_splits=folds, shuffle=True, random_state=0)
        for k, (train, test) in enumerate(cv.split(X)):
            for label, model in models.items():
                keys.append((name, k, label))
                jobs.append(delayed(_fit_score)(model, X[train], y[train], X[test],
                                                y[test]))
    results = dict(zip(keys, Parallel(n_jobs=n_jobs)(jobs)))
    rows = []
    for name, (X, y, note) in data.items():
        get = {label: np.array([results[(name, k, label)] for k in range(folds)])
               for label in models}
        ratios = get["DIR"][:, 0] / get["MLP"][:, 0]
        ratio = get["DIR"][:, 0].mean() / get["MLP"][:, 0].mean()
        ratio_z = get["DIR"][:, 0].mean() / get["MLP-z"][:, 0].mean()
        rows.append(
            f"| {name} | {len(y):,} x {X.shape[1]} | {get['DIR'][:, 0].mean():.4g} | "
            f"{get['MLP'][:, 0].mean():.4g} | {'**' if ratio <= 1 else ''}{ratio:.3f}"
            f"{'**' if ratio <= 1 else ''} ({ratios.min():.2f}-{ratios.max():.2f}) | "
            f"{'met' if ratio <= 1 else 'missed'} | {get['DIR'][:, 1].mean():.1f} | "
            f"{get['MLP'][:, 1].mean():.1f} | {get['DIR'][:, 2].mean():.0f} | "
            f"{get['MLP'][:, 2].mean():.0f} | {get['MLP-z'][:, 0].mean():.4g} | "
            f"{ratio_z:.3f} |"
        )
    header = (
        "| dataset | n x p | MSE DIRRegressor() | MSE MLPRegressor | ratio DIR / MLP "
        "(per-fold range) | ratio <= 1 | fit s DIR | fit s MLP | epochs DIR | "
        "epochs MLP | MSE MLPRegressor, standardised y | ratio DIR / that |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    notes = [f"- {name}: {note}." for name, (_, _, note) in data.items() if note]
    return "\n".join([header, *rows]), notes


#: Candidates of --select: name -> DIRRegressor parameters (random_state=0).
_FIXED = dict(early_stopping=False, n_iter_no_change=None)
CANDIDATES = {
    # The previous defaults.
    "previous (bs 64, 100 ep, fixed)": dict(batch_size=64, max_epochs=100, **_FIXED),
    "plateau on training loss": dict(early_stopping=False),
    "plateau, bs 64": dict(early_stopping=False, batch_size=64),
    "plateau, wd 1e-3": dict(early_stopping=False, weight_decay=1e-3),
    "early stopping": dict(early_stopping=True),
    "early stopping, wd 1e-3": dict(early_stopping=True, weight_decay=1e-3),
    "early stopping, bs 64": dict(early_stopping=True, batch_size=64),
    "early stopping, bs 32": dict(early_stopping=True, batch_size=32),
    "early stopping, bs 64, n_iter_no_change 20": dict(
        early_stopping=True, batch_size=64, n_iter_no_change=20),
    "early stopping, lr 3e-4": dict(early_stopping=True, lr=3e-4),
    # Second round: weight decay 1e-3 with the better settings of the first.
    "plateau, wd 1e-3, bs 64": dict(early_stopping=False, weight_decay=1e-3,
                                    batch_size=64),
    "early stopping, wd 1e-3, bs 64, n_iter_no_change 20": dict(
        early_stopping=True, weight_decay=1e-3, batch_size=64, n_iter_no_change=20),
    "early stopping, wd 1e-3, n_iter_no_change 20": dict(
        early_stopping=True, weight_decay=1e-3, n_iter_no_change=20),
}
INNER_FOLDS = 3


def select(data, n_jobs, names=None):
    unknown = sorted(set(names or ()) - set(CANDIDATES))
    if unknown:
        raise SystemExit(f"unknown candidate(s) {unknown}; known: {list(CANDIDATES)}")
    models = {"MLP": mlp()}
    models.update({name: DIRRegressor(random_state=0, **params)
                   for name, params in CANDIDATES.items()
                   if names is None or name in names})
    jobs, keys = [], []
    for name, (X, y, _) in data.items():
        train, _test = next(KFold(n_splits=5, shuffle=True, random_state=0).split(X))
        X_tr, y_tr = X[train], y[train]
        inner = KFold(n_splits=INNER_FOLDS, shuffle=True, random_state=1)
        for k, (fit, val) in enumerate(inner.split(X_tr)):
            for label, model in models.items():
                keys.append((name, label, k))
                jobs.append(delayed(_fit_score)(model, X_tr[fit], y_tr[fit], X_tr[val],
                                                y_tr[val]))
    scores = dict(zip(keys, Parallel(n_jobs=n_jobs)(jobs)))
    # Mean inner-validation MSE over the inner folds.
    results = {
        (name, label): (np.mean([scores[(name, label, k)][0]
                                 for k in range(INNER_FOLDS)]),)
        for name in data for label in models
    }
    names = list(data)
    header = ("| candidate | " + " | ".join(names) + " | worst | mean |\n|---|"
              + "---|" * (len(names) + 2))
    rows = []
    for label in models:
        if label == "MLP":
            continue
        ratios = [results[(n, label)][0] / results[(n, "MLP")][0] for n in names]
        rows.append(f"| {label} | " + " | ".join(f"{r:.3f}" for r in ratios)
                    + f" | {max(ratios):.3f} | {np.mean(ratios):.3f} |")
    fit = [f"{results[(n, 'MLP')][0]:.4g}" for n in names]
    rows.append("| (MLPRegressor inner-validation MSE) | " + " | ".join(fit) + " | | |")
    return "\n".join([header, *rows])


def _machine():
    return (f"{platform.machine()}, {os.cpu_count()} CPU cores "
            f"({platform.processor() or 'unknown processor'}), "
            f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
            f"torch {torch.__version__} (threads: {torch.get_num_threads()}), "
            f"scikit-learn {sklearn.__version__}, Python {platform.python_version()}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--select", action="store_true",
                        help="compare candidate defaults on inner validation splits")
    parser.add_argument("--candidates", default=None,
                        help="with --select: the candidates to compare, separated "
                        "by ';' (default: all of CANDIDATES)")
    parser.add_argument("--out", default=None,
                        help="Markdown output (default: results/mlp_parity.md; "
                        "with --select, print only)")
    args = parser.parse_args(argv)
    data = datasets()
    command = "python benchmarks/bench_mlp_parity.py " + " ".join(
        argv if argv is not None else sys.argv[1:])
    start = time.perf_counter()
    if args.select:
        names = None if args.candidates is None else args.candidates.split(";")
        table = select(data, args.n_jobs, names)
        print(table)
        print(f"\n{time.perf_counter() - start:.0f} s; {_machine()}")
        return
    table, notes = parity(data, args.folds, args.n_jobs)
    total = time.perf_counter() - start
    text = "\n".join([
        "# DIRRegressor() against MLPRegressor (benchmarks/bench_mlp_parity.py)",
        "",
        f"Command: `OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')} "
        f"{command.strip()}`, {datetime.date.today().isoformat()}, "
        f"{total:.0f} s in all.",
        f"Machine: {_machine()}.",
        "",
        f"{args.folds}-fold `KFold(shuffle=True, random_state=0)`, the same folds for "
        "both models; features standardised per fold (StandardScaler fitted on the "
        "training part), target as it is. `DIRRegressor(random_state=0)` with every "
        "other parameter at its default, against `MLPRegressor(hidden_layer_sizes="
        f"{HIDDEN}, random_state=0)`. MSE is the mean over folds of the test MSE; "
        "the ratio is of those means (lower: DIRRegressor better), the range is over "
        f"folds. Fit times are means over folds (n_jobs={args.n_jobs}). The last "
        "two columns, for reference only: MLPRegressor (same settings) on the "
        "standardised target, `TransformedTargetRegressor(transformer="
        "StandardScaler())`, as DIRRegressor trains by default.",
        "",
        table,
        "",
        *notes,
        "",
    ])
    print(text)
    out = args.out or os.path.join(os.path.dirname(__file__), "results",
                                   "mlp_parity.md")
    with open(out, "w") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
