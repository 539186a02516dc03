"""Every bad input gets a clear error naming what was wrong."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from skdir import LabelSpace, LDSWeighter, ReweightedRegressor, kernel_window, smooth_counts
from skdir.metrics import balanced_mean_absolute_error, shot_metrics
from skdir.model_selection import BinnedStratifiedKFold

X = np.arange(20.0).reshape(10, 2)
Y = np.linspace(0, 9, 10)


def _fit_weighter(y, **params):
    return lambda: LDSWeighter(**params).fit(y)


def _fit_space(y, **params):
    return lambda: LabelSpace(**params).fit(y)


def _fit_regressor(X_, y_, **fit):
    return lambda: ReweightedRegressor(Ridge()).fit(X_, y_, **fit)


BAD_INPUTS = [
    # (id, call, exception, message pattern)
    ("nan-y", _fit_weighter(np.r_[Y[:-1], np.nan]), ValueError, "y contains NaN"),
    ("inf-y", _fit_weighter(np.r_[Y[:-1], np.inf]), ValueError, "y contains infinity"),
    ("nan-X", _fit_regressor(np.r_[X[:-1], [[np.nan, 1]]], Y), ValueError, "NaN"),
    ("inf-X", _fit_regressor(np.r_[X[:-1], [[np.inf, 1]]], Y), ValueError, "infinity"),
    ("empty-y", _fit_weighter(np.array([])), ValueError, "y is empty"),
    ("2d-y", _fit_weighter(np.ones((5, 4))), ValueError, "at most 3 target columns"),
    ("string-y", _fit_weighter(np.array(["a", "b"])), TypeError, "y must be numeric"),
    ("object-string-y", _fit_weighter(np.array([1.0, "b"], dtype=object)), TypeError, "y must be numeric"),
    ("constant-y", _fit_weighter(np.full(5, 3.0)), ValueError, "y is constant"),
    ("none-y", _fit_weighter(None), ValueError, "y is required"),
    ("length-mismatch", _fit_regressor(X, Y[:-1]), ValueError, r"Inconsistent numbers of samples \(X: 10, y: 9\)"),
    ("negative-weight", _fit_regressor(X, Y, sample_weight=np.r_[-1.0, np.ones(9)]), ValueError, "sample_weight must be non-negative"),
    ("zero-weights", _fit_regressor(X, Y, sample_weight=np.zeros(10)), ValueError, "sample_weight is zero everywhere"),
    ("weight-length", _fit_regressor(X, Y, sample_weight=np.ones(3)), ValueError, r"y: 10, sample_weight: 3"),
    ("nan-weight", lambda: LDSWeighter().fit(Y, sample_weight=np.r_[np.nan, np.ones(9)]), ValueError, "sample_weight contains NaN"),
    ("bin-width-zero", _fit_space(Y, bin_width=0), ValueError, "bin_width"),
    ("bin-width-negative", _fit_space(Y, bin_width=-1.0), ValueError, "bin_width"),
    ("n-bins-zero", _fit_space(Y, n_bins=0), ValueError, "n_bins"),
    ("edges-not-increasing", _fit_space(Y, edges=[0, 5, 5, 10]), ValueError, "edges must be strictly increasing"),
    ("edges-too-short", _fit_space(Y, edges=[0]), ValueError, "edges must be a 1-D array of at least 2"),
    ("edges-not-covering", _fit_space(Y, edges=[0, 5]), ValueError, "do not cover the data"),
    ("two-bin-specs", _fit_space(Y, n_bins=3, bin_width=1), ValueError, "n_bins=3 has no effect"),
    ("width-and-edges", _fit_space(Y, edges=[0, 9], bin_width=1), ValueError, "at most one of"),
    ("unknown-strategy", _fit_space(Y, strategy="kmeans"), ValueError, "strategy"),
    ("huge-range", _fit_space(np.array([-1e308, 1e308]), bin_width=1.0), ValueError, "bin_width"),
    ("too-fine-bins", _fit_space(np.array([1e17, 1e17 + 1e3]), bin_width=1.0), ValueError, "bin edges are not finite and strictly increasing"),
    ("label-space-type", _fit_weighter(Y, label_space=5), ValueError, "label_space"),
    ("clip-zero", _fit_weighter(Y, reweight="inverse", clip=(0, 0)), ValueError, "clip must satisfy"),
    ("even-ks", _fit_space(Y, ks=4), ValueError, "ks must be an odd positive integer"),
    ("even-ks-window", lambda: kernel_window("gaussian", 6, 1.0), ValueError, "ks must be an odd"),
    ("sigma-zero", _fit_space(Y, sigma=0.0), ValueError, "sigma"),
    ("sigma-negative-window", lambda: kernel_window("laplace", 5, -1.0), ValueError, "sigma must be a positive"),
    ("unknown-reweight", _fit_weighter(Y, reweight="log"), ValueError, "reweight"),
    ("unknown-kernel", _fit_space(Y, kernel="box"), ValueError, "kernel"),
    ("unknown-kernel-window", lambda: kernel_window("box"), ValueError, "kernel must be one of"),
    ("bad-clip", _fit_weighter(Y, reweight="inverse", clip=(10, 1)), ValueError, "clip must satisfy"),
    ("2d-counts", lambda: smooth_counts(np.ones((2, 2))), ValueError, "counts must be 1-D"),
    ("metric-length", lambda: shot_metrics([1.0, 2.0], [1.0], y_train=Y), ValueError, r"y_true: 2, y_pred: 1"),
    ("metric-nan-pred", lambda: balanced_mean_absolute_error([1.0, 2.0], [np.nan, 1.0]), ValueError, "y_pred contains NaN"),
    ("cv-too-few", lambda: list(BinnedStratifiedKFold(5).split(X[:3], Y[:3])), ValueError, "n_splits=5"),
]


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_rejected_clearly(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_transform_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LDSWeighter().transform(Y)
    with pytest.raises(NotFittedError):
        LabelSpace().transform(Y)
    with pytest.raises(NotFittedError):
        LabelSpace().shot_of(Y)
    with pytest.raises(NotFittedError):
        ReweightedRegressor().predict(X)


def test_inputs_not_modified_in_place():
    rng = np.random.RandomState(0)
    Xa, ya = rng.normal(size=(50, 3)), rng.exponential(size=50)
    sw = rng.uniform(0.1, 1, size=50)
    copies = [a.copy() for a in (Xa, ya, sw)]
    ReweightedRegressor(Ridge()).fit(Xa, ya, sample_weight=sw).predict(Xa)
    LDSWeighter(label_space=LabelSpace(n_bins=5)).fit(ya, sample_weight=sw).transform(ya)
    space = LabelSpace(bin_width=0.3, many_threshold=5, few_threshold=2)
    space.fit(ya, sample_weight=sw).transform(ya)
    shot_metrics(ya, ya[::-1].copy(), y_train=ya, label_space=LabelSpace(many_threshold=5, few_threshold=2))
    list(BinnedStratifiedKFold(3).split(Xa, ya))
    for original, copy in zip((Xa, ya, sw), copies):
        np.testing.assert_array_equal(original, copy)
