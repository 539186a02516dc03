"""Speed of the KDE label density: skdir's binned FFT KDE against denseweight.

Both weight every training target by a Gaussian kernel density estimate of
the targets (DenseWeight, Steininger et al., 2021), with the same bandwidth
(denseweight's default, ``1.06 std n^(-1/5)``) and ``alpha=1``:

- skdir, multiplicative form: ``LDSWeighter(label_space=LabelSpace(
  density="kde", bandwidth=h), reweight=1.0).fit_transform(y)``
  (weights ``c f(y) ** -1``);
- skdir, DenseWeight's linear form: the same weighter's ``fit(y)`` then
  ``dense_weights(y)`` (``max(1 - f / max f, 1e-6)`` rescaled to mean 1);
- denseweight: ``DenseWeight(alpha=1.0, bandwidth=h).fit(y)``.

Each is timed in the same process on the same targets (best of ``--repeat``
runs); the table reports the ratios and how far skdir's linear weights are
from denseweight's (which reads its 4,096-point grid at the point left of
each target).

    pip install denseweight
    OMP_NUM_THREADS=1 python benchmarks/bench_kde.py

Writes ``benchmarks/results/kde.md`` (``--out``).
"""

import argparse
import datetime
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from run_dir import machine  # noqa: E402

from skdir import LabelSpace, LDSWeighter  # noqa: E402


def _targets(n):
    return np.random.default_rng(0).exponential(10.0, size=n)


def _best(func, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def run(n, repeat):
    from denseweight import DenseWeight

    y = _targets(n)
    h = 1.06 * np.std(y) * n ** (-1.0 / 5.0)

    def power():
        space = LabelSpace(density="kde", bandwidth=h)
        return LDSWeighter(label_space=space, reweight=1.0).fit_transform(y)

    def linear():
        space = LabelSpace(density="kde", bandwidth=h)
        return LDSWeighter(label_space=space, reweight=1.0).fit(y).dense_weights(y)

    t_power, w_power = _best(power, repeat)
    t_linear, w_linear = _best(linear, repeat)
    t_ref, w_ref = _best(lambda: DenseWeight(alpha=1.0, bandwidth=h).fit(y), repeat)
    assert abs(w_power.mean() - 1) < 1e-9 and abs(w_linear.mean() - 1) < 1e-9
    return {
        "n": n,
        "power": t_power,
        "linear": t_linear,
        "ref": t_ref,
        "gap": float(np.max(np.abs(w_linear - w_ref))),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--out", default=os.path.join(os.path.dirname(__file__), "results", "kde.md")
    )
    parser.add_argument("--date", default=datetime.date.today().isoformat())
    args = parser.parse_args(argv)
    from importlib.metadata import version

    version("denseweight")  # fail early when it is missing

    rows = [run(n, args.repeat) for n in args.sizes]
    lines = [
        "### KDE label density: skdir's binned FFT KDE vs denseweight",
        "",
        f"Run {args.date} on {machine()}; denseweight {version('denseweight')} in the "
        "same process. Command: `OMP_NUM_THREADS=1 python benchmarks/bench_kde.py`. "
        "Targets: exponential, scale 10; bandwidth `1.06 std n^(-1/5)` (denseweight's "
        "default) given to both; alpha 1. skdir (power): `LDSWeighter(label_space="
        "LabelSpace(density='kde', bandwidth=h), reweight=1.0).fit_transform(y)`; "
        "skdir (linear): the same weighter's `fit(y).dense_weights(y)`, DenseWeight's "
        "form; denseweight: `DenseWeight(alpha=1.0, bandwidth=h).fit(y)`. All times "
        "include fitting the label space (bins, counts, KDE). Best of "
        f"{args.repeat}; milliseconds; load average {os.getloadavg()[0]:.1f} at the end "
        "(the machine was shared, so compare the ratios, measured in the same run, "
        "rather than the absolute times). Max gap: largest absolute difference between "
        "skdir's linear weights and denseweight's (mean-1 weights; denseweight reads "
        "its 4,096-point grid at the point left of each target, skdir evaluates at "
        "the target).",
        "",
        "| n | skdir power (ms) | skdir linear (ms) | denseweight (ms) "
        "| denseweight / skdir power | denseweight / skdir linear | max gap |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {1e3 * r['power']:.1f} | {1e3 * r['linear']:.1f} | "
            f"{1e3 * r['ref']:.1f} | {r['ref'] / r['power']:.1f}x | "
            f"{r['ref'] / r['linear']:.1f}x | {r['gap']:.2g} |"
        )
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as fh:
        fh.write(text)
    print(text)


if __name__ == "__main__":
    main()
