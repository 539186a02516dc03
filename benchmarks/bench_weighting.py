"""Speed of density-based sample weights: skdir's LDSWeighter against denseweight.

Both compute one weight per training target from an estimate of the label
density: ``LDSWeighter`` from binned counts smoothed by a kernel window (LDS),
``denseweight.DenseWeight`` (Steininger et al., 2021) from an FFT kernel
density estimate. The reference runs in its own interpreter (its pins may
clash with skdir's), timed within the same run on the same targets, and the
table reports the ratio.

    python -m venv /tmp/venv-dw && /tmp/venv-dw/bin/pip install denseweight
    OMP_NUM_THREADS=1 python benchmarks/bench_weighting.py \\
        --reference-python /tmp/venv-dw/bin/python

Writes ``benchmarks/results/weighting.md`` (``--out``).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from run_dir import machine  # noqa: E402

from skdir import LabelSpace, LDSWeighter  # noqa: E402

# Same targets in both interpreters: numpy's Generator is stable across
# versions for the exponential distribution.
_TARGETS = "np.random.default_rng(0).exponential(10.0, size={n})"


def _targets(n):
    return np.random.default_rng(0).exponential(10.0, size=n)

_REFERENCE = """
import json, sys, time
import numpy as np
from denseweight import DenseWeight
n, repeat = int(sys.argv[1]), int(sys.argv[2])
y = {targets}
best = float("inf")
for _ in range(repeat):
    start = time.perf_counter()
    w = DenseWeight(alpha=1.0).fit(y)
    best = min(best, time.perf_counter() - start)
print(json.dumps({{"seconds": best, "mean": float(np.mean(w))}}))
"""


def time_skdir(n, repeat):
    y = _targets(n)
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        w = LDSWeighter(label_space=LabelSpace(n_bins=100)).fit_transform(y)
        best = min(best, time.perf_counter() - start)
    assert abs(w.mean() - 1) < 1e-9
    return best


def time_reference(python, n, repeat, timeout):
    code = _REFERENCE.format(targets=_TARGETS.format(n="n"))
    try:
        proc = subprocess.run([python, "-c", code, str(n), str(repeat)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"over {timeout} s"
    if proc.returncode != 0:
        return None, proc.stderr.strip().splitlines()[-1]
    return json.loads(proc.stdout)["seconds"], None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference-python", default="/tmp/venv-dw/bin/python")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__),
                                                      "results", "weighting.md"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    has_reference = os.path.exists(args.reference_python)
    rows = []
    for n in sizes:
        ours = time_skdir(n, args.repeat)
        ref, why = (time_reference(args.reference_python, n, args.repeat, args.timeout)
                    if has_reference else (None, "not installed"))
        ratio = f"{ref / ours:.0f}x" if ref else why
        rows.append(f"| {n:,} | {ours * 1e3:.2f} | "
                    f"{'' if ref is None else f'{ref * 1e3:.1f}'} | {ratio} |")
        print(rows[-1], flush=True)
    version = ""
    if has_reference:
        proc = subprocess.run(
            [args.reference_python, "-m", "pip", "show", "denseweight"],
            capture_output=True, text=True)
        version = next((line.split(":", 1)[1].strip()
                        for line in proc.stdout.splitlines()
                        if line.startswith("Version")), "")
    text = "\n".join([
        "### Density-based weights: LDSWeighter vs denseweight",
        "",
        f"Run {datetime.date.today().isoformat()} on {machine()}; denseweight "
        f"{version or '(not installed)'} in its own environment. Targets: "
        "exponential, scale 10. skdir: `LDSWeighter(label_space=LabelSpace(n_bins=100)).fit_transform(y)` "
        "(SQINV + LDS, gaussian kernel); denseweight: `DenseWeight(alpha=1.0).fit(y)` "
        "(FFT KDE on 4,096 grid points, Silverman bandwidth). Best of "
        f"{args.repeat}; milliseconds.",
        "",
        "| n | skdir (ms) | denseweight (ms) | denseweight / skdir |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
    ])
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
