"""Speed of skdir's samplers against resreg and ImbalancedLearningRegression.

SMOTER, random over-sampling, Gaussian noise and WERCS where each package
has them, on the same data, from 1k to 1M samples, measured in one run.
Each reference package runs in its own interpreter (``--resreg-python``,
``--ilr-python``); a call that does not finish within ``--timeout`` seconds
is reported as such and larger sizes of it are not tried. skdir's SMOGN
against ``smogn`` is in ``bench_resampling.py``.

    python -m venv /tmp/venv-resreg && /tmp/venv-resreg/bin/pip install resreg
    python -m venv /tmp/venv-ilr
    /tmp/venv-ilr/bin/pip install ImbalancedLearningRegression "numpy<2.3" "pandas<3"
    OMP_NUM_THREADS=1 python benchmarks/bench_resamplers_ref.py

Relevance: skdir uses the box-plot relevance ``phi`` of Ribeiro (as
ImbalancedLearningRegression's default, upper tail only here); resreg needs
an explicit relevance, given as its ``sigmoid_relevance`` centred at
the 90th percentile (upper tail). The numbers of rare samples therefore
differ; the table reports the output size of each call.

Writes ``benchmarks/results/resamplers_ref.md`` (``--out``).
"""

import argparse
import datetime
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from run_dir import machine  # noqa: E402

_DATA = """
import json, sys, time
import numpy as np
n, method = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(0)
X = rng.standard_normal((n, 8))
y = np.exp(X[:, 0] * 0.8 + 0.5 * rng.standard_normal(n))
"""

_SKDIR = _DATA + """
from skdir import resampling
cls = {"smoter": resampling.SMOTER, "ro": resampling.RandomOverSampler,
       "gn": resampling.GaussianNoise, "wercs": resampling.WERCS}[method]
sampler = cls(relevance="phi", random_state=0)
start = time.perf_counter()
Xr, yr = sampler.fit_resample(X, y)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": int(len(yr))}))
"""

_RESREG = _DATA + """
import resreg
rel = resreg.sigmoid_relevance(y, cl=None, ch=float(np.percentile(y, 90)))
start = time.perf_counter()
if method == "smoter":
    Xr, yr = resreg.smoter(X, y, rel, relevance_threshold=0.5, k=5, over="balance",
                           random_state=0)
elif method == "ro":
    Xr, yr = resreg.random_oversample(X, y, rel, relevance_threshold=0.5,
                                      over="balance", random_state=0)
elif method == "gn":
    Xr, yr = resreg.gaussian_noise(X, y, rel, relevance_threshold=0.5, over="balance",
                                   random_state=0)
else:
    Xr, yr = resreg.wercs(X, y, rel, over=0.5, under=0.5, random_state=0)
print(json.dumps({"seconds": time.perf_counter() - start, "rows": int(len(yr))}))
"""

_ILR = _DATA + """
import pandas as pd
import ImbalancedLearningRegression as ilr
df = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
df["y"] = y
fn = {"smoter": ilr.smote, "ro": ilr.ro, "gn": ilr.gn}[method]
start = time.perf_counter()
out = fn(df, "y", rel_xtrm_type="high")
print(json.dumps({"seconds": time.perf_counter() - start, "rows": int(len(out))}))
"""

METHODS = {"smoter": "SMOTER", "ro": "random over-sampling", "gn": "Gaussian noise",
           "wercs": "WERCS"}


def measure(python, code, n, method, timeout):
    try:
        proc = subprocess.run([python, "-c", code, str(n), method], capture_output=True,
                              text=True, timeout=timeout,
                              env={**os.environ, "PYTHONWARNINGS": "ignore"})
    except subprocess.TimeoutExpired:
        return None, f"> {timeout:g} s"
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return None, "error: " + last[:80]
    return json.loads(proc.stdout.strip().splitlines()[-1]), None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--resreg-python", default="/tmp/venv-resreg/bin/python")
    parser.add_argument("--ilr-python", default="/tmp/venv-ilr/bin/python")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__),
                                                      "results", "resamplers_ref.md"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    impls = [("skdir", sys.executable, _SKDIR, set(METHODS)),
             ("resreg", args.resreg_python, _RESREG, set(METHODS)),
             ("ImbalancedLearningRegression", args.ilr_python, _ILR,
              {"smoter", "ro", "gn"})]
    lines, stopped = [], set()
    for method, label in METHODS.items():
        for n in sizes:
            cells, base = [], None
            for name, python, code, supported in impls:
                if method not in supported:
                    cells.append("—")
                elif not os.path.exists(python):
                    cells.append("not installed")
                elif (name, method) in stopped:
                    cells.append("not run")
                else:
                    result, why = measure(python, code, n, method, args.timeout)
                    if result is None:
                        stopped.add((name, method))
                        cells.append(why)
                        continue
                    seconds = result["seconds"]
                    ratio = ""
                    if name == "skdir":
                        base = seconds
                    elif base:
                        r = seconds / base
                        ratio = f", {r:,.0f}x skdir" if r >= 10 else f", {r:.2g}x skdir"
                    cells.append(f"{seconds:.3f} ({result['rows']:,} rows{ratio})")
            lines.append(f"| {label} | {n:,} | " + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
    text = "\n".join([
        "### Samplers: skdir against resreg and ImbalancedLearningRegression",
        "",
        f"Run {datetime.date.today().isoformat()} on {machine()}. Data: 8 standard "
        "normal features, log-normal target. Seconds for one `fit_resample` (or the "
        "package's function), output rows, and the time as a multiple of skdir's "
        "(above 1x: skdir is faster). "
        f"Each reference in its own environment; calls over {args.timeout:g} s are "
        "stopped and larger sizes skipped (\"not run\"). Relevance differs between "
        "packages (see the script), so output sizes differ too.",
        "",
        "| sampler | n | skdir | resreg | ImbalancedLearningRegression |",
        "| --- | --- | --- | --- | --- |",
        *lines,
        "",
    ])
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
