"""Speed of skdir's SMOGN against the ``smogn`` package, and its growth with n.

Usage::

    python benchmarks/bench_resampling.py --smogn-python /tmp/smogn-venv/bin/python

Quick form (a head-to-head on 2,000 rows, a few minutes)::

    python benchmarks/bench_resampling.py --smogn-python /tmp/smogn-venv/bin/python \
        --compare-n 2000

``smogn`` 0.1.2 needs numpy < 2.4 and pandas < 3, so it runs in its own
virtual environment, given with ``--smogn-python`` (left out: only skdir is
measured). Both run in this one invocation on the same data: ``X`` standard
normal, ``y = exp(X @ w + 0.5 e)`` with ``|w| = sqrt(0.75)`` (a log-normal
target with a long upper tail). Each skdir size runs in a fresh process, so
that its peak resident memory (``ru_maxrss``) is its own. The table goes to
``benchmarks/results/resampling.md`` (``--out``).
"""

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def make_data(n, p, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n, p))
    w = np.full(p, np.sqrt(0.75 / p))
    y = np.exp(X @ w + 0.5 * rng.standard_normal(n))
    return X, y


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_skdir(n, p, relevance, repeats):
    """Time skdir's SMOGN in this process; print one JSON line."""
    from skdir.relevance import PhiRelevance
    from skdir.resampling import SMOGN

    if relevance == "phi":
        # R's box plot, as the smogn package (whose quartiles are the same
        # here: n is a multiple of 4); this target has outliers only above.
        relevance = PhiRelevance()
    X, y = make_data(n, p)
    before = _rss_mb()
    times = []
    for r in range(repeats):
        sampler = SMOGN(relevance=relevance, random_state=r)
        start = time.perf_counter()
        X_res, y_res = sampler.fit_resample(X, y)
        times.append(time.perf_counter() - start)
        n_out = len(y_res)
        del X_res, y_res
    n_rare = int(sum(b.size for b, r in zip(sampler.bumps_, sampler.bump_is_rare_) if r))
    print(json.dumps({
        "n": n, "p": p, "seconds": min(times),
        "rss_before_mb": before, "peak_rss_mb": _rss_mb(), "n_rare": n_rare,
        "n_out": n_out,
    }))


SMOGN_SCRIPT = r"""
import json, sys, time
import numpy as np, pandas as pd
import smogn
n, p = int(sys.argv[1]), int(sys.argv[2])
data = np.load(sys.argv[3])
df = pd.DataFrame(data["X"], columns=[f"x{j}" for j in range(p)])
df["y"] = data["y"]
np.random.seed(0)
import random; random.seed(0)
start = time.perf_counter()
out = smogn.smoter(data=df, y="y")
print(json.dumps({"seconds": time.perf_counter() - start, "n_out": len(out),
                  "smogn": smogn.__version__ if hasattr(smogn, "__version__") else "0.1.2",
                  "numpy": np.__version__, "pandas": pd.__version__}))
"""


def _child(args):
    out = subprocess.run(args, check=True, capture_output=True, text=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smogn-python", default=None)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--out", default=os.path.join(HERE, "results", "resampling.md"))
    parser.add_argument("--compare-n", type=int, default=10_000,
                        help="rows of the head-to-head with smogn (quick form: 2000)")
    parser.add_argument("--one", nargs=3, metavar=("N", "P", "RELEVANCE"))
    args = parser.parse_args()
    if args.one:
        n, p = int(args.one[0]), int(args.one[1])
        run_skdir(n, p, args.one[2], repeats=5 if n <= 10_000 else 1)
        return

    me = [sys.executable, os.path.abspath(__file__), "--one"]
    rows = []
    # 1. the head-to-head on 10,000 x 8
    cmp_n, cmp_p = args.compare_n, 8
    ours = {rel: _child(me + [str(cmp_n), str(cmp_p), rel]) for rel in ("phi", "lds")}
    theirs = None
    if args.smogn_python:
        import tempfile

        X, y = make_data(cmp_n, cmp_p)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "data.npz")
            np.savez(path, X=X, y=y)
            theirs = _child([args.smogn_python, "-c", SMOGN_SCRIPT, str(cmp_n),
                             str(cmp_p), path])
    # 2. growth with n
    for n in [int(s) for s in args.sizes.split(",")]:
        rows.append(_child(me + [str(n), str(args.features), "lds"]))
        print(rows[-1], flush=True)

    import sklearn

    lines = [
        "# Resampling speed",
        "",
        f"Date: {datetime.date.today().isoformat()}. Machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Linux {platform.release()}, Python "
        f"{platform.python_version()}, numpy {np.__version__}, scikit-learn "
        f"{sklearn.__version__}; OMP_NUM_THREADS=1, `n_jobs=None`.",
        "",
        "Data: `X` standard normal, `y = exp(X @ w + 0.5 e)` (log-normal, long upper "
        "tail). `SMOGN` with its defaults (`sampling_strategy=\"balance\"`, "
        "`k_neighbors=5`, `perturbation=0.02`). Produced by "
        f"`python benchmarks/bench_resampling.py --smogn-python PATH --compare-n {cmp_n}"
        f" --sizes {args.sizes}`.",
        "",
        f"## SMOGN on {cmp_n:,} x {cmp_p}",
        "",
        "| implementation | relevance | rare samples | seconds | speed-up |",
        "|---|---|---:|---:|---:|",
    ]
    if theirs is not None:
        lines.append(
            f"| smogn {theirs['smogn']} (numpy {theirs['numpy']}, pandas "
            f"{theirs['pandas']}) | box plot | | {theirs['seconds']:.1f} | 1 |"
        )
    for rel, res in ours.items():
        speedup = f"{theirs['seconds'] / res['seconds']:,.0f}" if theirs else "n/a"
        name = "box plot (`\"phi\"`)" if rel == "phi" else "LDS (`\"lds\"`, default)"
        lines.append(
            f"| skdir SMOGN | {name} | {res['n_rare']:,} | {res['seconds']:.4f} | "
            f"{speedup} |"
        )
    lines += [
        "",
        f"## skdir SMOGN, growth with n ({args.features} features, LDS relevance)",
        "",
        "| n | rare samples | output rows | seconds | RSS before (MB) | peak RSS (MB) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['n_rare']:,} | {r['n_out']:,} | {r['seconds']:.3f} | "
            f"{r['rss_before_mb']:.0f} | {r['peak_rss_mb']:.0f} |"
        )
    if len(rows) > 1:
        ns = np.array([r["n"] for r in rows], dtype=float)
        ts = np.array([r["seconds"] for r in rows])
        slope = np.polyfit(np.log(ns[1:]), np.log(ts[1:]), 1)[0] if len(rows) > 2 else np.nan
        lines += ["", f"Growth exponent (log-log fit from 10k up): {slope:.2f}."]
    lines.append("")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as fh:
        fh.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
