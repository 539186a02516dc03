"""SERA, relevance-weighted errors, utility-based precision/recall/F and their scorers."""

import importlib.util
import math
import os
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.pipeline import Pipeline
from sklearn.base import clone
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_validate

from skdir import LabelSpace
from skdir.metrics import (
    make_utility_scorer,
    relevance_weighted_mean_absolute_error,
    relevance_weighted_mean_squared_error,
    ser_curve,
    sera,
    shot_scorers,
    utility_f1_score,
    utility_fbeta_score,
    utility_precision_score,
    utility_recall_score,
    utility_scorers,
)
from skdir.relevance import LDSRelevance, PhiRelevance
from skdir.resampling import RandomOverSampler

def linear(y):
    """Relevance y / 10 on [0, 10]."""
    return np.clip(np.asarray(y) / 10.0, 0, 1)


def smooth(t):
    """The zero-slope cubic Hermite step from 0 to 1 on t in [0, 1]."""
    return 3 * t**2 - 2 * t**3


# --------------------------------------------------------------------- SERA
def test_sera_by_hand():
    y_true, y_pred = [0, 5, 10], [1, 3, 9]
    # relevance 0, 0.5, 1; squared errors 1, 4, 1.
    # Exact: 0 * 1 + 0.5 * 4 + 1 * 1 = 3.
    assert sera(y_true, y_pred, relevance=linear, step=None) == pytest.approx(3.0)
    # step 0.5: SER at t = 0, 0.5, 1 is 6, 5, 1 -> 0.25 (6 + 5) + 0.25 (5 + 1) = 4.25.
    value, t, ser = sera(y_true, y_pred, relevance=linear, step=0.5, return_curve=True)
    assert value == pytest.approx(4.25)
    np.testing.assert_allclose(t, [0, 0.5, 1])
    np.testing.assert_allclose(ser, [6, 5, 1])
    # step 0.25: SER at 0, .25, .5, .75, 1 = 6, 5, 5, 1, 1
    # -> 0.125 (11 + 10 + 6 + 2) = 3.625.
    assert sera(y_true, y_pred, relevance=linear, step=0.25) == pytest.approx(3.625)
    # A step that does not divide 1: thresholds 0, 0.3, 0.6, 0.9 (as R's seq):
    # SER 6, 5, 1, 1 -> 0.15 (11 + 6 + 2) = 2.85.
    assert sera(y_true, y_pred, relevance=linear, step=0.3) == pytest.approx(2.85)


def test_ser_curve_any_thresholds_in_any_order():
    t, ser = ser_curve([0, 5, 10], [1, 3, 9], relevance=linear, thresholds=[1, 0, 0.6, 0.5])
    np.testing.assert_allclose(t, [1, 0, 0.6, 0.5])
    np.testing.assert_allclose(ser, [1, 6, 1, 5])
    t, ser = ser_curve([0, 5, 10], [1, 3, 9], relevance=linear)
    assert t.size == 1001 and ser[0] == 6 and ser[-1] == 1


def _sera_loop(phi, sq, step):
    """The loop of IRon's sera: SER_t for each threshold, then trapezoids."""
    n = int(1 / step + 1e-10)
    th = [k * step for k in range(n + 1)]
    errors = [sum(e for p, e in zip(phi, sq) if p >= t) for t in th]
    return sum(step * (errors[k - 1] + errors[k]) / 2 for k in range(1, len(th)))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("step", [0.001, 0.01, 0.07])
def test_sera_matches_a_loop_over_thresholds(seed, step):
    rng = np.random.RandomState(seed)
    y = rng.standard_t(3, size=200)
    y_pred = y + rng.normal(size=200)
    rel = PhiRelevance().fit(y)
    phi = rel.transform(y)
    expected = _sera_loop(phi.tolist(), ((y - y_pred) ** 2).tolist(), step)
    assert sera(y, y_pred, step=step) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # The exact integral: sum of phi times the squared errors.
    exact = float(np.sum(phi * (y - y_pred) ** 2))
    assert sera(y, y_pred, step=None) == pytest.approx(exact, rel=1e-12)


def test_sera_relevance_grid_values_are_included():
    # Relevance exactly on the thresholds: phi >= t includes them (IRon).
    phi = lambda y: np.asarray(y, dtype=float)  # noqa: E731
    # y = 0.5 with squared error 1: counted at t = 0 and 0.5 of (0, 0.5, 1)
    # -> 0.25 (1 + 1) + 0.25 (1 + 0) = 0.75.
    assert sera([0.5], [1.5], relevance=phi, step=0.5) == pytest.approx(0.75)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-100, 100), min_size=2, max_size=30),
    st.floats(0.001, 1),
    st.integers(0, 2**31 - 1),
)
def test_sera_properties(values, step, seed):
    y = np.asarray(values)
    y_pred = y + np.random.RandomState(seed).normal(size=y.size)
    rel = lambda v: np.clip(np.abs(np.asarray(v)) / 100, 0, 1)  # noqa: E731
    value, t, ser = sera(y, y_pred, relevance=rel, step=step, return_curve=True)
    sse = float(np.sum((y - y_pred) ** 2))
    assert value >= 0
    assert np.all(np.diff(ser) <= 1e-9 * max(sse, 1))
    assert ser[0] == pytest.approx(sse)
    exact = sera(y, y_pred, relevance=rel, step=None)
    # Each weight is within step / 2 of the relevance, or within 1 - K step
    # where the thresholds stop short of 1 (K step < 1).
    bound = max(step / 2, 1 - t[-1])
    assert abs(value - exact) <= bound * sse + 1e-9 * max(sse, 1)
    assert sera(y, y, relevance=rel, step=step) == 0
    assert relevance_weighted_mean_squared_error(
        y, y_pred, relevance=lambda v: np.full(len(v), 0.3)
    ) == pytest.approx(sse / y.size)


# ------------------------------------------------- relevance-weighted errors
def test_relevance_weighted_errors_by_hand():
    # relevance 0, 0.5, 1; absolute errors 1, 2, 1 -> (0.5 * 2 + 1) / 1.5
    assert relevance_weighted_mean_absolute_error(
        [0, 5, 10], [1, 3, 9], relevance=linear
    ) == pytest.approx(2 / 1.5)
    # squared errors 1, 4, 1 -> (0.5 * 4 + 1) / 1.5 = 2
    assert relevance_weighted_mean_squared_error(
        [0, 5, 10], [1, 3, 9], relevance=linear
    ) == pytest.approx(2.0)


def test_relevance_weighted_error_all_zero_relevance_is_nan_with_warning():
    with pytest.warns(UndefinedMetricWarning, match="relevance 0"):
        value = relevance_weighted_mean_absolute_error([1, 2], [2, 2], relevance=lambda y: 0 * y)
    assert np.isnan(value)


def test_default_relevance_is_phi_fitted_on_y_true():
    rng = np.random.RandomState(1)
    y = rng.lognormal(size=100)
    y_pred = y + rng.normal(size=100)
    fitted = PhiRelevance().fit(y).transform
    for func in (sera, relevance_weighted_mean_absolute_error, utility_f1_score):
        assert func(y, y_pred) == func(y, y_pred, relevance=fitted)
        assert func(y, y_pred, relevance="phi") == func(y, y_pred, relevance=fitted)
    # An estimator is cloned and fitted on y_true, not modified.
    est = PhiRelevance(extremes="high")
    assert sera(y, y_pred, relevance=est) == sera(
        y, y_pred, relevance=PhiRelevance(extremes="high").fit(y).transform
    )
    assert not hasattr(est, "control_points_")


def test_lds_relevance_and_label_space():
    rng = np.random.RandomState(2)
    y = rng.gamma(2, size=300)
    y_pred = y + rng.normal(size=300)
    space = LabelSpace(n_bins=10)
    expected = LDSRelevance(label_space=space).fit(y).transform
    assert sera(y, y_pred, relevance="lds", label_space=space) == sera(
        y, y_pred, relevance=expected
    )
    with pytest.raises(ValueError, match="label_space has no effect"):
        sera(y, y_pred, label_space=space)


# ------------------------------------------------- utility-based scores
POINTS = [[0, 1, 0], [10, 0, 0], [20, 1, 0]]  # relevant below 0 and above 20


def test_utility_by_hand():
    rel = PhiRelevance(control_points=POINTS)
    # Bumps of these points: peaks at 0 and 20, the minimum 10 between them;
    # each bump's loss tolerance is 2 * 10 = 20.
    # y = 20, yhat = 17 (below): phi(y) = 1, phi(17) = smooth(0.7) = 0.784.
    #   benefit tolerance: to the bump's left edge 10 -> 10; cost tolerance:
    #   to the other peak 0 -> min(20, 20) = 20. Error 3:
    #   B = 1 - 3/10 = 0.7, C = 3/20 = 0.15, J = (1 + 0.784) / 2 = 0.892,
    #   u = 0.7 - 0.892 * 0.15 = 0.5662.
    # y = 10, yhat = 10: phi 0 -> u = 0.
    phi17 = smooth(0.7)
    u = 0.7 - (1 + phi17) / 2 * 0.15
    y_true, y_pred = [20, 10], [17, 10]
    kw = dict(relevance=rel, threshold=0.7)
    # Predicted relevant: yhat = 17 only -> (1 + u) / (1 + phi(17)).
    prec = (1 + u) / (1 + phi17)
    assert utility_precision_score(y_true, y_pred, **kw) == pytest.approx(prec)
    # Truly relevant: y = 20 only -> (1 + u) / (1 + 1).
    rec = (1 + u) / 2
    assert utility_recall_score(y_true, y_pred, **kw) == pytest.approx(rec)
    assert utility_f1_score(y_true, y_pred, **kw) == pytest.approx(2 * prec * rec / (prec + rec))
    assert utility_fbeta_score(y_true, y_pred, beta=2, **kw) == pytest.approx(
        5 * prec * rec / (4 * prec + rec)
    )
    # Over-prediction y = 20, yhat = 25: no bump beyond, both tolerances 20;
    # error 5: B = 0.75, C = 0.25, J = 1 -> u = 0.5; precision and recall
    # (1 + 0.5) / (1 + 1).
    assert utility_precision_score([20], [25], relevance=rel) == pytest.approx(0.75)
    assert utility_recall_score([20], [25], relevance=rel) == pytest.approx(0.75)
    # Past the benefit tolerance and at the cost tolerance: y = 20, yhat = 0
    # (error 20 > 10): B = 0, C = 1, J = 1 -> u = -1; the prediction is
    # relevant (phi(0) = 1) -> precision 0 / 2, recall 0 / 2, F1 0.
    assert utility_precision_score([20], [0], relevance=rel) == 0
    assert utility_f1_score([20], [0], relevance=rel) == 0


def test_utility_default_relevance_example():
    # PhiRelevance of 0..19 and 60: control points (0, 0), (10, 0), (19, 1)
    # (no low outlier). One bump from (0 + 10) / 2 = 5 to its peak 19; loss
    # tolerance 2 * (19 - 5) = 28.
    y_true = np.r_[np.arange(20.0), 60.0]
    y_pred = np.r_[np.arange(20.0), 30.0]
    # y = 60, yhat = 30: error 30 > 28 -> B = 0, C = 1, J = 1, u = -1.
    # Relevant (>= 0.8): 17, 18, 19 (perfect, 1 + u = 1 + phi) and 60 (true)
    # or 30 (predicted), both of relevance 1 -> the same precision and recall.
    phi17, phi18 = smooth(7 / 9), smooth(8 / 9)
    num = (1 + phi17) + (1 + phi18) + 2 + 0
    den = (1 + phi17) + (1 + phi18) + 2 + 2
    assert utility_precision_score(y_true, y_pred) == pytest.approx(num / den)
    assert utility_recall_score(y_true, y_pred) == pytest.approx(num / den)


def _bumps_ref(x, r, tloss):
    """bumps_set of uba's C code, transcribed statement by statement."""
    npts = len(x)
    bleft = [0.0] * (npts + 2)
    bmax = [0.0] * (npts + 2)
    bloss = [0.0] * (npts + 2)
    bleft[0] = bmax[0] = -math.inf
    bloss[0] = math.inf
    bn, in_bump, sum_b, nb = 0, 1, x[0], 1
    for i in range(npts - 1):
        d1 = r[i + 1] - r[i]
        if d1 == 0:
            sum_b += x[i + 1]
            nb += 1
        else:
            if d1 < 0 and in_bump:
                bmax[bn] = sum_b / nb
                if math.isfinite(bmax[bn]) and math.isfinite(bleft[bn]):
                    bloss[bn] = abs(bmax[bn] - bleft[bn])
                in_bump = 0
            elif d1 > 0 and (not in_bump or not bn):
                bn += 1
                bleft[bn] = sum_b / nb
                if math.isfinite(bmax[bn - 1]) and math.isfinite(bleft[bn]):
                    delta = abs(bmax[bn - 1] - bleft[bn])
                    bloss[bn - 1] = 2 * delta if delta < bloss[bn - 1] else 2 * bloss[bn - 1]
                in_bump = 1
            sum_b, nb = x[i + 1], 1
    if bn > 0:
        if in_bump:
            bmax[bn] = sum_b / nb
            if math.isfinite(bmax[bn]) and math.isfinite(bleft[bn]):
                bloss[bn] = 2 * abs(bmax[bn] - bleft[bn])
        else:
            bn += 1
            bleft[bn] = sum_b / nb
            bmax[bn] = math.inf
            if math.isfinite(bmax[bn - 1]) and math.isfinite(bleft[bn]):
                delta = abs(bmax[bn - 1] - bleft[bn])
                bloss[bn - 1] = 2 * delta if delta < bloss[bn - 1] else 2 * bloss[bn - 1]
        if not math.isfinite(bmax[0]):
            bloss[0] = bloss[1]
        if not math.isfinite(bmax[bn]):
            bloss[bn] = bloss[bn - 1]
    else:
        bloss[0] = tloss
    bn += 1
    return bleft[:bn], bmax[:bn], bloss[:bn]


def _utility_ref(y, yp, py, pp, bumps, p=0.5):
    """util_value / benefcost_lin of uba's C code for one prediction."""
    bleft, bmax, bloss = bumps
    n = len(bleft)
    i = sum(1 for b in bleft if b <= y) if n > 1 else 1
    i = i - 1 if i > 0 else i
    loss_a = math.inf
    if yp <= y:
        if i > 0 and math.isfinite(bleft[i]):
            loss_a = abs(y - bleft[i])
    elif i + 1 < n and math.isfinite(bleft[i + 1]):
        loss_a = abs(y - bleft[i + 1])
    lb = min(loss_a, bloss[i])
    loss_a = math.inf
    if yp <= y:
        if i > 0 and math.isfinite(bmax[i - 1]):
            loss_a = abs(y - bmax[i - 1])
    elif i + 1 < n and math.isfinite(bmax[i + 1]):
        loss_a = abs(y - bmax[i + 1])
    lc = min(loss_a, bloss[i])
    err = abs(y - yp)
    benefit = 0.0 if lb == 0 or err > lb else 1 - err / lb
    cost = 1.0 if lc == 0 or err > lc else err / lc
    return py * benefit - (p * py + (1 - p) * pp) * cost


def _scores_ref(y, yp, rel, thr, p=0.5):
    pts = rel.control_points_
    # uba::loss.control(y): Cherkassky and Ma's tolerance (used by a relevance
    # that never rises, as extremes="low").
    dev = [abs(sum(y) / len(y) - v) for v in y]
    mean_dev = sum(dev) / len(dev)
    sd = math.sqrt(sum((d - mean_dev) ** 2 for d in dev) / (len(dev) - 1))
    tloss = 3 * sd * math.sqrt(math.log(len(y)) / len(y))
    bumps = _bumps_ref(pts[:, 0].tolist(), pts[:, 1].tolist(), tloss)
    py, pp = rel.transform(y), rel.transform(yp)
    u = [_utility_ref(a, b, c, d, bumps, p) for a, b, c, d in zip(y, yp, py, pp)]
    num_p = sum(1 + ui for ui, q in zip(u, pp) if q >= thr)
    den_p = sum(1 + q for q in pp if q >= thr)
    num_r = sum(1 + ui for ui, q in zip(u, py) if q >= thr)
    den_r = sum(1 + q for q in py if q >= thr)
    return num_p / den_p, num_r / den_r


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("extremes", ["both", "high", "low"])
def test_utility_matches_a_loop_port_of_uba(seed, extremes):
    rng = np.random.RandomState(seed)
    y = rng.standard_t(3, size=300)
    y_pred = y + rng.normal(scale=0.7, size=300)
    rel = PhiRelevance(extremes=extremes).fit(y)
    kw = dict(relevance=PhiRelevance(extremes=extremes), threshold=0.6, p=0.3)
    prec, rec = _scores_ref(y, y_pred, rel, 0.6, p=0.3)
    assert utility_precision_score(y, y_pred, **kw) == pytest.approx(prec, rel=1e-9)
    assert utility_recall_score(y, y_pred, **kw) == pytest.approx(rec, rel=1e-9)
    assert utility_f1_score(y, y_pred, **kw) == pytest.approx(
        2 * prec * rec / (prec + rec), rel=1e-9
    )


def test_bumps_of_a_relevance_without_control_points():
    # LDS or callable relevance: sampled and its turning points taken. A
    # callable equal to the zero-slope Hermite of POINTS on [0, 20] gives the
    # same bumps, hence the same scores, as those control points.
    rel = PhiRelevance(control_points=POINTS).fit([0.0])
    rng = np.random.RandomState(3)
    y = rng.uniform(0, 20, size=200)
    y_pred = np.clip(y + rng.normal(size=200), 0, 20)
    y[[0, -1]] = 0.0, 20.0  # the sampled range reaches both peaks
    for func in (utility_precision_score, utility_recall_score):
        assert func(y, y_pred, relevance=rel.transform, threshold=0.5) == pytest.approx(
            func(y, y_pred, relevance=PhiRelevance(control_points=POINTS), threshold=0.5),
            rel=1e-9,
        )
    # LDS relevance works end to end.
    y = rng.gamma(1, size=300)
    assert 0 < utility_f1_score(y, y + rng.normal(scale=0.1, size=300), relevance="lds",
                                label_space=LabelSpace(n_bins=8), threshold=0.5) < 1


def test_utility_zero_division():
    # No relevant prediction or target: relevance 0 everywhere.
    zero = lambda y: 0 * np.asarray(y)  # noqa: E731
    with pytest.warns(UndefinedMetricWarning, match="No prediction"):
        assert utility_precision_score([1, 2], [1, 2], relevance=zero) == 0.0
    with pytest.warns(UndefinedMetricWarning, match="No true target"):
        assert utility_recall_score([1, 2], [1, 2], relevance=zero) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert utility_f1_score([1, 2], [1, 2], relevance=zero, zero_division=1.0) == 1.0
        assert np.isnan(utility_f1_score([1, 2], [1, 2], relevance=zero, zero_division=np.nan))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=5, max_size=40), st.floats(0.1, 1))
def test_utility_properties(values, threshold):
    y = np.asarray(values)
    rel = PhiRelevance(control_points=[[-50, 1, 0], [0, 0, 0], [50, 1, 0]])
    phi = rel.fit(y).transform(y)
    y_pred = y[::-1].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for func in (utility_precision_score, utility_recall_score, utility_f1_score):
            score = func(y, y_pred, relevance=rel, threshold=threshold)
            assert score >= 0
            if np.any(phi >= threshold):  # perfect predictions score 1
                assert func(y, y, relevance=rel, threshold=threshold) == pytest.approx(1.0)


# ------------------------------------------------------------- validation
@pytest.mark.parametrize("func", [
    sera, relevance_weighted_mean_absolute_error, relevance_weighted_mean_squared_error,
    utility_precision_score, utility_recall_score, utility_f1_score,
])
def test_bad_inputs_name_the_argument(func):
    with pytest.raises(ValueError, match="y_true contains NaN"):
        func([1, np.nan], [1, 2])
    with pytest.raises(ValueError, match="y_pred contains infinity"):
        func([1, 2], [1, np.inf])
    with pytest.raises(ValueError, match="Inconsistent numbers of samples"):
        func([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="y_true is empty"):
        func([], [])
    with pytest.raises(ValueError, match="relevance must be"):
        func([1, 2], [1, 2], relevance="rare")
    with pytest.raises(TypeError, match="relevance must be"):
        func([1, 2], [1, 2], relevance=3)
    with pytest.raises(ValueError, match="finite values in \\[0, 1\\]"):
        func([1, 2], [1, 2], relevance=lambda y: 2 * np.ones(len(y)))
    with pytest.raises(ValueError, match="one value per sample"):
        func([1, 2], [1, 2], relevance=lambda y: np.ones(3))


def test_bad_parameters():
    y = [1.0, 2, 3, 10]
    with pytest.raises(ValueError, match="step must be"):
        sera(y, y, step=0)
    with pytest.raises(ValueError, match="step must be"):
        sera(y, y, step=True)
    with pytest.raises(ValueError, match="return_curve=True needs"):
        sera(y, y, step=None, return_curve=True)
    with pytest.raises(ValueError, match="thresholds must lie"):
        ser_curve(y, y, thresholds=[0.5, 2])
    with pytest.raises(ValueError, match="threshold must be"):
        utility_f1_score(y, y, threshold=0)
    with pytest.raises(ValueError, match="p must be"):
        utility_f1_score(y, y, p=2)
    with pytest.raises(ValueError, match="beta must be"):
        utility_fbeta_score(y, y, beta=-1)
    with pytest.raises(ValueError, match="zero_division must be"):
        utility_f1_score(y, y, zero_division="ignore")


def test_inputs_are_not_modified():
    y = np.array([1.0, 2, 3, 10])
    y_pred = np.array([1.5, 2, 3, 8])
    before = y.copy(), y_pred.copy()
    sera(y, y_pred, relevance=lambda v: v.__imul__(0) + 0.5)  # a callable that writes
    utility_f1_score(y, y_pred, zero_division=0.0)
    np.testing.assert_array_equal(y, before[0])
    np.testing.assert_array_equal(y_pred, before[1])


# ---------------------------------------------------- cross-check (pip)
def _imbalance_metrics():
    """The regression module of the package imbalance-metrics, if installed.

    Its package ``__init__`` imports a classification module that no longer
    imports with recent scikit-learn, so the regression module is loaded by
    file; its automatic relevance (``smogn``'s box plot) fails with NumPy 2,
    so it is given control points.
    """
    pytest.importorskip("smogn")
    spec = importlib.util.find_spec("imbalance_metrics")
    if spec is None:
        pytest.skip("imbalance-metrics is not installed")
    path = os.path.join(spec.submodule_search_locations[0], "regression_metrics.py")
    mod_spec = importlib.util.spec_from_file_location("_im_regression", path)
    module = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(module)
    return module


def test_cross_check_with_imbalance_metrics():
    ref = _imbalance_metrics()
    rng = np.random.RandomState(0)
    y = rng.lognormal(size=150)
    y_pred = y + rng.normal(size=150)
    rel = PhiRelevance().fit(y)
    kw = dict(method="manual", ctrl_pts=rel.control_points_.tolist())
    thresholds = [0.0, 0.2, 0.5, 0.8, 1.0]
    expected = [ref.ser_t(y, y_pred, t, **kw) for t in thresholds]
    _, ser = ser_curve(y, y_pred, thresholds=thresholds)
    np.testing.assert_allclose(ser, expected, rtol=1e-12)
    assert relevance_weighted_mean_absolute_error(y, y_pred) == pytest.approx(
        ref.phi_weighted_mae(y, y_pred, **kw), rel=1e-12
    )
    assert relevance_weighted_mean_squared_error(y, y_pred) == pytest.approx(
        ref.phi_weighted_mse(y, y_pred, **kw), rel=1e-12
    )


# ----------------------------------------------------------------- scorers
FITTED_ON = []


class RecordingRelevance(PhiRelevance):
    """PhiRelevance that records the targets it is fitted on."""

    def fit(self, y):
        FITTED_ON.append(np.sort(np.asarray(y, dtype=float)))
        return super().fit(y)


def _data(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=n)
    return X, y


def test_grid_search_scores_with_the_relevance_of_the_training_fold():
    X, y = _data()
    cv = KFold(3, shuffle=True, random_state=0)
    model = Pipeline([("over", RandomOverSampler(relevance="phi", random_state=0)),
                      ("ridge", Ridge())])
    scoring = {
        "sera": make_utility_scorer("sera", relevance=RecordingRelevance()),
        "f1_util": make_utility_scorer("f1_util", relevance=RecordingRelevance()),
    }
    FITTED_ON.clear()
    search = GridSearchCV(model, {"ridge__alpha": [0.1, 10.0]}, scoring=scoring,
                          refit="f1_util", cv=cv).fit(X, y)
    folds = [np.sort(y[train]) for train, _ in cv.split(X)]
    # 2 scorers x 2 candidates x 3 folds, each fitted on a training fold.
    assert len(FITTED_ON) == 12
    for seen in FITTED_ON:
        assert any(seen.shape == f.shape and np.array_equal(seen, f) for f in folds)
    # The scores are those of the metrics with that relevance.
    for k, (train, test) in enumerate(cv.split(X)):
        for c, alpha in enumerate([0.1, 10.0]):
            fitted = clone(model).set_params(ridge__alpha=alpha).fit(X[train], y[train])
            phi = PhiRelevance().fit(y[train]).transform
            pred = fitted.predict(X[test])
            assert search.cv_results_[f"split{k}_test_sera"][c] == pytest.approx(
                -sera(y[test], pred, relevance=phi))
            assert search.cv_results_[f"split{k}_test_f1_util"][c] == pytest.approx(
                utility_f1_score(y[test], pred, relevance=phi))
    assert search.best_params_["ridge__alpha"] in (0.1, 10.0)


def test_scorers_derive_the_training_fold_from_y():
    X, y = _data(seed=1)
    cv = KFold(4, shuffle=True, random_state=1)
    scoring = utility_scorers(["sera", "rw_mae", "rw_mse", "utility_precision",
                               "utility_recall", "utility_f1", "utility_fbeta"],
                              y=y, beta=2, threshold=0.7, step=0.01)
    assert sorted(scoring) == ["neg_rw_mae", "neg_rw_mse", "neg_sera", "utility_f1",
                               "utility_f2", "utility_precision", "utility_recall"]
    res = cross_validate(Ridge(), X, y, cv=cv, scoring=scoring)
    for k, (train, test) in enumerate(cv.split(X)):
        phi = PhiRelevance().fit(y[train]).transform
        pred = Ridge().fit(X[train], y[train]).predict(X[test])
        kw = dict(relevance=phi)
        u = dict(kw, threshold=0.7, zero_division=0.0)
        expected = {
            "neg_sera": -sera(y[test], pred, step=0.01, **kw),
            "neg_rw_mae": -relevance_weighted_mean_absolute_error(y[test], pred, **kw),
            "neg_rw_mse": -relevance_weighted_mean_squared_error(y[test], pred, **kw),
            "utility_precision": utility_precision_score(y[test], pred, **u),
            "utility_recall": utility_recall_score(y[test], pred, **u),
            "utility_f1": utility_f1_score(y[test], pred, **u),
            "utility_f2": utility_fbeta_score(y[test], pred, beta=2, **u),
        }
        for name, value in expected.items():
            assert res[f"test_{name}"][k] == pytest.approx(value), name


def test_scorers_mix_with_shot_scorers_and_fixed_relevance():
    X, y = _data(seed=2)
    phi = PhiRelevance().fit(y).transform  # used as given on every fold
    scoring = {**shot_scorers(["mae"], ["all"]),
               "sera": make_utility_scorer("neg_sera", relevance=phi)}
    res = cross_validate(Ridge(), X, y, cv=3, scoring=scoring)
    train, test = next(KFold(3).split(X))
    pred = Ridge().fit(X[train], y[train]).predict(X[test])
    assert res["test_sera"][0] == pytest.approx(-sera(y[test], pred, relevance=phi))
    # LDS with a fitted label space is also used as given.
    space = LabelSpace(n_bins=10).fit(y)
    scorer = make_utility_scorer("rw_mae", relevance="lds", label_space=space)
    model = Ridge().fit(X, y)
    assert scorer(model, X, y) == pytest.approx(-relevance_weighted_mean_absolute_error(
        y, model.predict(X), relevance="lds", label_space=space))


def test_scorer_errors():
    X, y = _data()
    with pytest.raises(ValueError, match="cannot tell the training fold.*make_utility_scorer"):
        make_utility_scorer("sera")(Ridge().fit(X, y), X, y)
    with pytest.raises(ValueError, match="metric must be one of"):
        make_utility_scorer("accuracy")
    with pytest.raises(ValueError, match="metric must be one of"):
        make_utility_scorer("neg_utility_f1")  # greater is better: no neg_
    with pytest.raises(ValueError, match="takes no parameter \\['step'\\]"):
        make_utility_scorer("utility_f1", step=0.01)
    with pytest.raises(ValueError, match="needs the parameter"):
        make_utility_scorer("utility_fbeta")
    with pytest.raises(ValueError, match="threshold must be"):
        make_utility_scorer("utility_f1", threshold=2)
    with pytest.raises(ValueError, match="y has no effect"):
        make_utility_scorer("sera", relevance=linear, y=y)
    with pytest.raises(ValueError, match="have no effect"):
        utility_scorers(["sera"], threshold=0.5)
    with pytest.raises(TypeError, match="not a str"):
        utility_scorers("sera")
    with pytest.raises(ValueError, match="label_space has no effect"):
        utility_scorers(label_space=LabelSpace())
    with pytest.raises(ValueError, match="no metadata"):
        make_utility_scorer("sera", relevance=linear)(Ridge().fit(X, y), X, y,
                                                     sample_weight=np.ones(len(y)))


def test_scorer_clone_and_pickle():
    X, y = _data()
    scorer = make_utility_scorer("utility_f1", y=y, threshold=0.7)
    again = pickle.loads(pickle.dumps(scorer))
    copied = clone(scorer)
    model = Ridge().fit(X[:80], y[:80])
    assert again(model, X[80:], y[80:]) == scorer(model, X[80:], y[80:])
    assert copied(model, X[80:], y[80:]) == scorer(model, X[80:], y[80:])
    assert repr(scorer) == "make_utility_scorer('utility_f1')"


def test_relevance_independent_of_the_targets_needs_no_training_fold():
    X, y = _data(seed=3)
    model = Ridge().fit(X, y)  # records no training targets; no y= given
    fixed = PhiRelevance(control_points=[[0, 0, 0], [3, 1, 0]])
    space = LabelSpace(n_bins=10).fit(y)
    for relevance in (fixed, LDSRelevance(label_space=space)):
        scorer = make_utility_scorer("rw_mse", relevance=relevance)
        expected = relevance_weighted_mean_squared_error(
            y, model.predict(X), relevance=clone(relevance).fit(y).transform)
        assert scorer(model, X, y) == pytest.approx(-expected)
        with pytest.raises(ValueError, match="y has no effect"):
            make_utility_scorer("rw_mse", relevance=relevance, y=y)


def test_warnings_point_at_the_callers_line():
    with pytest.warns(UndefinedMetricWarning) as record:
        utility_recall_score([1, 2], [1, 2], relevance=lambda y: 0 * y)
    assert record[0].filename == __file__


class _CountingRidge(Ridge):
    """Ridge that counts its predict calls (clones share the count)."""

    n_predict = 0

    def predict(self, X):
        type(self).n_predict += 1
        return super().predict(X)


def test_utility_and_shot_scorers_share_one_prediction_per_fold():
    X, y = _data(seed=4)
    scoring = {**utility_scorers(["sera", "rw_mae", "utility_f1"], y=y,
                                 zero_division=0.0),
               **shot_scorers(["mae"], ["all", "few"], y=y)}
    _CountingRidge.n_predict = 0
    cross_validate(_CountingRidge(), X, y, cv=3, scoring=scoring)
    assert _CountingRidge.n_predict == 3
