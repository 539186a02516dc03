"""The evaluation protocol of the SMOGN paper on skdir's bundled datasets.

Branco, Torgo and Ribeiro (2017), "SMOGN: a pre-processing approach for
imbalanced regression": the box-plot relevance (``PhiRelevance``) with a
relevance threshold of 0.8 marks the rare targets; each resampling strategy
is applied to the training data only, before the regressor; performance is
estimated by 2 x 5-fold cross-validation with the utility-based F1
(threshold 0.8). Here the regressor is a random forest (the paper also used
an SVM, MARS and a neural network), and SERA (Ribeiro & Moniz, 2020) and the
mean absolute error on all, many-, medium- and few-shot test samples (shot
groups of each dataset's ``LabelSpace`` fitted on the training fold) are
reported too.

Strategies: none (the plain forest), random under-sampling, random
over-sampling, SMOTER, Gaussian noise and SMOGN, all with
``relevance="phi", threshold=0.8`` and the default ``"balance"`` strategy.
The relevance of every metric is fitted on each training fold (the scorers
of :func:`skdir.metrics.utility_scorers`), never on the test fold.

    OMP_NUM_THREADS=1 python benchmarks/run_smogn_paper.py

Writes ``benchmarks/results/smogn_paper.md`` (``--out``).
"""

import argparse
import datetime
import os
import sys
import time
import warnings

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.model_selection import RepeatedKFold, cross_validate

sys.path.insert(0, os.path.dirname(__file__))
from run_dir import machine  # noqa: E402

from skdir.cli import DATASETS  # noqa: E402
from skdir.metrics import shot_scorers, utility_scorers  # noqa: E402
from skdir.relevance import PhiRelevance  # noqa: E402
from skdir.resampling import (  # noqa: E402
    SMOGN,
    SMOTER,
    GaussianNoise,
    RandomOverSampler,
    RandomUnderSampler,
)

THRESHOLD = 0.8
DEFAULT_DATASETS = ["abalone", "concrete", "bikeshare", "diamonds", "synthetic",
                    "synthetic-multimodal"]
#: Rows drawn (without replacement, seed 0) from the larger datasets.
MAX_ROWS = 5_000


def strategies(seed):
    kw = dict(relevance="phi", threshold=THRESHOLD, random_state=seed)
    return {
        "none": "passthrough",
        "RandomUnderSampler": RandomUnderSampler(**kw),
        "RandomOverSampler": RandomOverSampler(**kw),
        "SMOTER": SMOTER(**kw),
        "GaussianNoise": GaussianNoise(**kw),
        "SMOGN": SMOGN(**kw),
    }


def load(name):
    X, y = DATASETS[name].loader()
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    note = ""
    if y.size > MAX_ROWS:
        keep = np.sort(np.random.default_rng(0).choice(y.size, MAX_ROWS, replace=False))
        note = f"{MAX_ROWS:,} of {y.size:,} rows"
        X, y = X[keep], y[keep]
    rare = PhiRelevance().fit(y).transform(y) >= THRESHOLD
    note += ("; " if note else "") + (
        f"{rare.mean():.1%} of the targets rare" if rare.any() else
        "no target is rare under the box-plot relevance: every strategy returns "
        "the training data unchanged")
    return X, y, note


def run(name, n_estimators, seed):
    X, y, note = load(name)
    scoring = {
        # A fold without relevant targets or predictions has no F1u (n/a).
        **utility_scorers(["utility_f1", "sera"], y=y, threshold=THRESHOLD,
                          zero_division=np.nan),
        **shot_scorers(["mae"], label_space=DATASETS[name].make_label_space(), y=y),
    }
    cv = RepeatedKFold(n_splits=5, n_repeats=2, random_state=seed)
    rows = {}
    for label, sampler in strategies(seed).items():
        model = Pipeline([
            ("resample", sampler),
            ("forest", RandomForestRegressor(n_estimators=n_estimators,
                                             random_state=seed, n_jobs=1)),
        ])
        start = time.perf_counter()
        with warnings.catch_warnings():
            # A test fold without few-shot samples scores NaN (reported as n/a).
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            res = cross_validate(model, X, y, cv=cv, scoring=scoring)
        rows[label] = {
            "utility_f1": res["test_utility_f1"],
            "sera": -res["test_neg_sera"],
            **{f"mae_{shot}": -res[f"test_neg_mae_{shot}"]
               for shot in ("all", "many", "medium", "few")},
            "seconds": time.perf_counter() - start,
        }
        print(f"{name:22s} {label:20s} F1u {rows[label]['utility_f1'].mean():.3f} "
              f"SERA {rows[label]['sera'].mean():.4g} "
              f"({rows[label]['seconds']:.0f} s)", flush=True)
    return rows, note


def _cell(values, fixed):
    """Mean ± standard deviation of the finite values (3 decimals if ``fixed``)."""
    values = np.asarray(values, dtype=float)
    ok = values[np.isfinite(values)]
    if ok.size == 0:
        return "n/a"
    fmt = (lambda v: f"{v:.3f}") if fixed else (lambda v: f"{v:.4g}")
    spread = fmt if fixed else (lambda v: f"{v:.2g}")
    text = fmt(ok.mean()) + (f" ± {spread(ok.std(ddof=1))}" if ok.size > 1 else "")
    return text + ("" if ok.size == values.size else f" ({ok.size}/{values.size})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=DEFAULT_DATASETS)
    parser.add_argument("--n-estimators", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__),
                                                      "results", "smogn_paper.md"))
    args = parser.parse_args()
    start = time.perf_counter()
    lines = [
        "### The SMOGN paper's protocol on the bundled datasets",
        "",
        f"Run {datetime.date.today().isoformat()} on {machine()}. Command: "
        "`OMP_NUM_THREADS=1 python benchmarks/run_smogn_paper.py`"
        + (f" `--datasets {' '.join(args.datasets)}`"
           if args.datasets != DEFAULT_DATASETS else "")
        + (f" `--n-estimators {args.n_estimators}`" if args.n_estimators != 30 else "")
        + ".",
        "",
        f"2 x 5-fold cross-validation (`RepeatedKFold`, seed {args.seed}); "
        f"`RandomForestRegressor(n_estimators={args.n_estimators})` after each "
        "strategy (all with `relevance=\"phi\", threshold=0.8`, "
        "`sampling_strategy=\"balance\"`). Mean ± standard deviation over the "
        "10 test folds. F1u: utility-based F1 (threshold 0.8, greater is "
        "better); SERA and the MAEs: lower is better. The relevance of F1u and "
        "SERA is `PhiRelevance()` fitted on each training fold; the shot groups "
        "come from the dataset's `LabelSpace` (the command line's) fitted on it. "
        "\"(k/10)\": the folds that held samples of that group; n/a: none did "
        "(for F1u: no test target and no prediction was rare). The best mean "
        "of each column is in bold. The share of rare targets (relevance >= "
        "0.8 under `PhiRelevance()` of the whole dataset) follows each name.",
    ]
    for name in args.datasets:
        rows, note = run(name, args.n_estimators, args.seed)
        lines += ["", f"#### {name}" + (f" ({note})" if note else ""), "",
                  "| strategy | F1u | SERA | MAE | MAE many | MAE medium | MAE few | s |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        columns = ["utility_f1", "sera", "mae_all", "mae_many", "mae_medium", "mae_few"]
        best = {}
        for col in columns:
            means = {k: np.nanmean(v[col]) if np.isfinite(v[col]).any() else np.nan
                     for k, v in rows.items()}
            pick = max if col == "utility_f1" else min
            finite = {k: m for k, m in means.items() if np.isfinite(m)}
            tied = len(set(finite.values())) < 2  # no best among equals
            best[col] = None if tied else pick(finite, key=finite.get)
        for label, row in rows.items():
            cells = []
            for col in columns:
                cell = _cell(row[col], col == "utility_f1")
                cells.append(f"**{cell}**" if best[col] == label else cell)
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {row['seconds']:.0f} |")
    lines += ["", f"Total time: {time.perf_counter() - start:.0f} s."]
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.out, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
