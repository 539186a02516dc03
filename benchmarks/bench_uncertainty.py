"""Coverage of DIRRegressor's Gaussian intervals per shot group (abalone).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_uncertainty.py [--seeds 3]
        [--out benchmarks/results/uncertainty.md]

For each seed, abalone (rings) is split by :func:`skdir.datasets.dir_split`
(bins of one ring, at most 30 test samples per bin; the validation part is
not used), features standardised on the training part. Three networks with
``uncertainty="gaussian"`` are trained on the training part, with
DIRRegressor's defaults otherwise: plain (MSE), SQRT_INV + LDS weights, and
Balanced MSE (BMC, noise scale fixed at one bin). On the balanced test set,
:func:`skdir.nn.interval_coverage` gives the share of targets inside
``m +- 1.96 s`` overall and per shot group of the training label space
(many > 100, few < 20 training samples in the bin), next to the median
interval width ``2 * 1.96 * s`` and the MAE of the mean. Mean over seeds.
"""

import argparse
import platform
import time
from datetime import date

import numpy as np
from sklearn.preprocessing import StandardScaler

from skdir import LabelSpace
from skdir.datasets import dir_split, load_abalone
from skdir.nn import DIRRegressor, interval_coverage

GROUPS = ("all", "many", "medium", "few")
MODELS = {
    "MSE": {},
    "SQRT_INV + LDS": {"reweight": "sqrt_inv", "lds": True},
    "BMC (fixed sigma)": {"loss": "bmc", "loss_params": {"fix_noise_sigma": True}},
}


def run(seed):
    X, y = load_abalone(return_X_y=True)
    space = LabelSpace(bin_width=1, many_threshold=100, few_threshold=20)
    X_train, _, X_test, y_train, _, y_test = dir_split(
        np.asarray(X, dtype=np.float64), y, label_space=space, per_bin=30,
        random_state=seed,
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    rows = {}
    for name, params in MODELS.items():
        start = time.perf_counter()
        model = DIRRegressor(uncertainty="gaussian", label_space=space,
                             random_state=seed, **params).fit(X_train, y_train)
        mean, std = model.predict(X_test, return_std=True)
        groups = model.label_space_.shot_of(y_test)
        cover = interval_coverage(y_test, mean, std, label_space=model.label_space_)
        width = {g: float(np.median(2 * 1.96 * (std if g == "all" else std[groups == g])))
                 for g in GROUPS}
        err = np.abs(mean - y_test)
        mae = {g: float(np.mean(err if g == "all" else err[groups == g])) for g in GROUPS}
        rows[name] = dict(cover=cover, width=width, mae=mae,
                          seconds=time.perf_counter() - start)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    results = [run(seed) for seed in range(args.seeds)]
    lines = [
        "# Gaussian intervals of DIRRegressor per shot group (abalone)",
        "",
        f"`OMP_NUM_THREADS=1 python benchmarks/bench_uncertainty.py --seeds {args.seeds}`, "
        f"{date.today().isoformat()}, {platform.machine()}, one thread; "
        "DIR split of abalone (bins of one ring, at most 30 test samples per bin), "
        "many > 100, few < 20 training samples; mean over seeds "
        f"0..{args.seeds - 1}. Coverage of m ± 1.96 s (nominal 0.95), median "
        "interval width 2 · 1.96 · s (rings) and MAE of the mean.",
        "",
        "| model | coverage all | many | medium | few | width all | many | medium | few "
        "| MAE all | MAE few | fit s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in MODELS:
        def avg(key, group):
            return np.nanmean([r[name][key][group] for r in results])

        cells = [f"{avg('cover', g):.3f}" for g in GROUPS]
        cells += [f"{avg('width', g):.2f}" for g in GROUPS]
        cells += [f"{avg('mae', 'all'):.2f}", f"{avg('mae', 'few'):.2f}"]
        cells.append(f"{np.mean([r[name]['seconds'] for r in results]):.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
