"""Speed of SERA and the utility-based F1: skdir against Python implementations.

skdir's :func:`~skdir.metrics.sera` locates each relevance among the
thresholds with one sorted search and accumulates the squared errors from
the top threshold down; :func:`~skdir.metrics.utility_f1_score` computes the
utility of every prediction at once. The peers, timed in the same run on the
same targets and the same relevance (``PhiRelevance`` control points fitted
on the test targets):

- ``imbalance-metrics`` (pip, version 0.0.6), ``regression_metrics.sera``:
  a pandas ``apply`` over the rows for every threshold. With NumPy 2 its
  automatic relevance (``smogn``'s box plot) no longer runs, and ``sera``
  computes one relevance with the defaults whatever it is given, so it is
  given the control points (``method="manual"``) and that one call is
  forwarded them too; its arithmetic is unchanged. It is timed with
  ``step=0.01`` (101 thresholds) at 10,000 rows only, skdir with the same
  step next to it; its time grows with rows times thresholds.
- "loop over thresholds": the algorithm of the IRon R package written
  straightforwardly with NumPy, ``SER_t = sum(e2[phi >= t])`` for each of
  the 1,001 thresholds, then the trapezoid rule (``step=0.001``).
- "per-sample loop": the utility of ``uba``'s C code (``util_value`` with
  ``benefcost_lin``), one prediction at a time in Python, then precision,
  recall and F1 (the reference of the tests).

    OMP_NUM_THREADS=1 python benchmarks/bench_utility_metrics.py

Writes ``benchmarks/results/utility_metrics.md`` (``--out``).
"""

import argparse
import datetime
import importlib.util
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from run_dir import machine  # noqa: E402

from skdir.metrics import sera, utility_f1_score  # noqa: E402
from skdir.relevance import PhiRelevance  # noqa: E402


def _data(n):
    rng = np.random.default_rng(0)
    y = rng.lognormal(size=n)
    return y, y + rng.normal(scale=0.5, size=n)


def _best(func, repeat):
    best, value = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - start)
    return best, value


# ------------------------------------------------------------------ peers
def sera_threshold_loop(y, y_pred, control_points, step=0.001):
    """IRon's algorithm with NumPy: one pass over the samples per threshold."""
    phi = PhiRelevance(control_points=control_points).fit(y).transform(y)
    sq = (y - y_pred) ** 2
    th = np.arange(int(1 / step + 1e-10) + 1) * step
    errors = [sq[phi >= t].sum() for t in th]
    return sum(step * (errors[k - 1] + errors[k]) / 2 for k in range(1, len(th)))


def _imbalance_metrics():
    spec = importlib.util.find_spec("imbalance_metrics")
    if spec is None or importlib.util.find_spec("smogn") is None:
        return None
    path = os.path.join(spec.submodule_search_locations[0], "regression_metrics.py")
    mod_spec = importlib.util.spec_from_file_location("_im_regression", path)
    module = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(module)
    return module


def sera_imbalance_metrics(module, y, y_pred, control_points, step):
    points = control_points.tolist()
    original = module.ser_process

    def forwarded(trues, preds, method="manual", xtrm_type="both", coef=1.5,
                  ctrl_pts=None):
        return original(trues, preds, "manual", xtrm_type, coef, points)

    module.ser_process = forwarded
    try:
        return module.sera(y, y_pred, step=step, method="manual", ctrl_pts=points)
    finally:
        module.ser_process = original


def _bumps(x, r):
    """uba's bumps_set for control points that rise somewhere."""
    left, peak, loss = [-math.inf], [-math.inf], [math.inf]
    bn, in_bump, total, count = 0, True, x[0], 1
    for i in range(len(x) - 1):
        d = r[i + 1] - r[i]
        if d == 0:
            total, count = total + x[i + 1], count + 1
            continue
        if d < 0 and in_bump:
            peak[bn] = total / count
            if math.isfinite(left[bn]):
                loss[bn] = abs(peak[bn] - left[bn])
            in_bump = False
        elif d > 0 and (not in_bump or not bn):
            bn += 1
            left.append(total / count)
            peak.append(0.0)
            loss.append(0.0)
            if math.isfinite(peak[bn - 1]):
                loss[bn - 1] = 2 * min(abs(peak[bn - 1] - left[bn]), loss[bn - 1])
            in_bump = True
        total, count = x[i + 1], 1
    if in_bump:
        peak[bn] = total / count
        loss[bn] = 2 * abs(peak[bn] - left[bn])
    else:
        bn += 1
        left.append(total / count)
        peak.append(math.inf)
        loss.append(2 * min(abs(peak[bn - 1] - left[bn]), loss[bn - 1]))
    if not math.isfinite(peak[0]):
        loss[0] = loss[1]
    if not math.isfinite(peak[bn]):
        loss[bn] = loss[bn - 1]
    return left, peak, loss


def f1_sample_loop(y, y_pred, control_points, threshold=0.8, p=0.5):
    """uba's utility one prediction at a time, then precision, recall, F1."""
    rel = PhiRelevance(control_points=control_points).fit(y)
    left, peak, loss = _bumps(control_points[:, 0].tolist(), control_points[:, 1].tolist())
    n = len(left)
    num_p = den_p = num_r = den_r = 0.0
    for yi, pi, fy, fp in zip(y.tolist(), y_pred.tolist(),
                              rel.transform(y).tolist(), rel.transform(y_pred).tolist()):
        i = max(sum(1 for b in left if b <= yi) - 1, 0)
        if pi <= yi:
            to_edge = abs(yi - left[i]) if i > 0 else math.inf
            to_peak = abs(yi - peak[i - 1]) if i > 0 and math.isfinite(peak[i - 1]) else math.inf
        else:
            to_edge = abs(yi - left[i + 1]) if i + 1 < n else math.inf
            to_peak = (abs(yi - peak[i + 1]) if i + 1 < n and math.isfinite(peak[i + 1])
                       else math.inf)
        lb, lc = min(to_edge, loss[i]), min(to_peak, loss[i])
        err = abs(yi - pi)
        benefit = 0.0 if lb == 0 or err > lb else 1 - err / lb
        cost = 1.0 if lc == 0 or err > lc else err / lc
        u = fy * benefit - (p * fy + (1 - p) * fp) * cost
        if fp >= threshold:
            num_p += 1 + u
            den_p += 1 + fp
        if fy >= threshold:
            num_r += 1 + u
            den_r += 1 + fy
    prec, rec = num_p / den_p, num_r / den_r
    return 2 * prec * rec / (prec + rec)


# ------------------------------------------------------------------- run
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__),
                                                      "results", "utility_metrics.md"))
    args = parser.parse_args()
    module = _imbalance_metrics()
    load = os.getloadavg()[0]
    rows = []
    for n in args.sizes:
        y, y_pred = _data(n)
        cp = PhiRelevance().fit(y).control_points_
        t_sera, v_sera = _best(lambda: sera(y, y_pred), args.repeat)
        t_exact, _ = _best(lambda: sera(y, y_pred, step=None), args.repeat)
        t_loop, v_loop = _best(lambda: sera_threshold_loop(y, y_pred, cp), 1)
        assert abs(v_loop - v_sera) <= 1e-9 * abs(v_sera), (v_loop, v_sera)
        rows.append(("SERA, step 0.001", n, t_sera, "loop over thresholds (NumPy)", t_loop))
        rows.append(("SERA, exact (step=None)", n, t_exact, "", None))
        if module is not None and n <= 10_000:
            t_sk01, v_sk01 = _best(lambda: sera(y, y_pred, step=0.01), args.repeat)
            t_im, v_im = _best(
                lambda: sera_imbalance_metrics(module, y, y_pred, cp, 0.01), 1)
            assert abs(v_im - v_sk01) <= 1e-9 * abs(v_sk01), (v_im, v_sk01)
            rows.append(("SERA, step 0.01", n, t_sk01, "imbalance-metrics 0.0.6", t_im))
        t_f1, v_f1 = _best(lambda: utility_f1_score(y, y_pred), args.repeat)
        t_f1_loop, v_f1_loop = _best(lambda: f1_sample_loop(y, y_pred, cp), 1)
        assert abs(v_f1_loop - v_f1) <= 1e-9, (v_f1_loop, v_f1)
        rows.append(("utility F1, threshold 0.8", n, t_f1, "per-sample loop (Python)",
                     t_f1_loop))
        print(rows[-1], flush=True)
    lines = [
        "### Utility-based metrics: SERA and utility F1",
        "",
        f"Run {datetime.date.today().isoformat()} on {machine()}; 1-minute load "
        f"average {load:.1f} at the start (other jobs shared the CPUs, so "
        "single timings are noisy; the ratios compare runs made side by side). "
        "Command: "
        "`OMP_NUM_THREADS=1 python benchmarks/bench_utility_metrics.py`. "
        "Targets lognormal, predictions with Gaussian noise (scale 0.5); the "
        "relevance is `PhiRelevance()` of the test targets (skdir fits it "
        "inside each call, included in its time; the peers get its control "
        "points). skdir: best of "
        f"{args.repeat}; peers: one run. Every peer's value equals skdir's "
        "to 1e-9 (checked in the run). Milliseconds. The peer package: "
        "`pip install imbalance-metrics` (0.0.6, with smogn 0.1.2); its "
        "`sera` is given the control points as the module docstring explains.",
        "",
        "| metric | rows | skdir (ms) | peer | peer (ms) | peer / skdir |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, n, t_sk, peer, t_peer in rows:
        if t_peer is None:
            lines.append(f"| {name} | {n:,} | {1e3 * t_sk:.1f} | | | |")
        else:
            lines.append(f"| {name} | {n:,} | {1e3 * t_sk:.1f} | {peer} | "
                         f"{1e3 * t_peer:.0f} | {t_peer / t_sk:.0f}x |")
    lines += [
        "",
        "At 1,000,000 rows most of skdir's time is the relevance itself "
        "(fitting `PhiRelevance`, which sorts the targets, and evaluating it "
        "for every target, and for every prediction in the F1); SERA's own "
        "accumulation is one sorted search and one `bincount`. The loop over "
        "thresholds makes 1,001 passes over the rows; imbalance-metrics "
        "calls a Python function per row and threshold.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.out, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
