import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_validate

from skdir import LabelSpace, kernel_window, smooth_counts


def brute_reflect_gaussian(ks, sigma, truncate=4.0):
    """A unit impulse gaussian-filtered with 'reflect' boundaries, by brute force."""
    radius = int(truncate * sigma + 0.5)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    signal = np.zeros(ks)
    signal[ks // 2] = 1.0
    # 'reflect' extends d c b a | a b c d | d c b a; tile it far enough.
    period = np.concatenate([signal, signal[::-1]])
    reps = radius // ks + 3
    extended = np.tile(period, reps * 2 + 1)
    origin = (reps * 2) * ks  # index of signal[0] in `extended`
    out = np.empty(ks)
    for i in range(ks):
        window = extended[origin + i - radius : origin + i + radius + 1]
        out[i] = np.dot(window, taps[::-1])
    return out


@pytest.mark.parametrize("ks, sigma", [(5, 2.0), (3, 1.0), (9, 0.7), (1, 3.0)])
def test_gaussian_window_is_folded_gaussian(ks, sigma):
    expected = brute_reflect_gaussian(ks, sigma)
    np.testing.assert_allclose(kernel_window("gaussian", ks, sigma), expected / expected.max())
    np.testing.assert_allclose(
        kernel_window("gaussian", ks, sigma, normalize="sum"), expected / expected.sum()
    )


def test_triang_and_laplace_windows_by_hand():
    np.testing.assert_allclose(kernel_window("triang", 5), [1 / 3, 2 / 3, 1, 2 / 3, 1 / 3])
    e = np.exp
    np.testing.assert_allclose(
        kernel_window("laplace", 5, 2.0), [e(-1), e(-0.5), 1, e(-0.5), e(-1)]
    )
    lap = np.array([e(-1), e(-0.5), 1, e(-0.5), e(-1)])
    np.testing.assert_allclose(kernel_window("laplace", 5, 2.0, normalize="sum"), lap / lap.sum())


@pytest.mark.parametrize("kernel", ["gaussian", "triang", "laplace"])
@pytest.mark.parametrize("ks", [1, 3, 5, 7])
def test_windows_symmetric_and_normalised(kernel, ks):
    w = kernel_window(kernel, ks, 1.5)
    assert w.shape == (ks,)
    np.testing.assert_allclose(w, w[::-1])
    assert w.max() == pytest.approx(1.0)
    assert np.all(w > 0)


def test_smooth_counts_zero_pads_by_hand():
    counts = np.array([4.0, 0.0, 0.0, 2.0])
    # triang(3) = [0.5, 1, 0.5]
    np.testing.assert_allclose(
        smooth_counts(counts, "triang", ks=3), [4.0, 2.0 + 0.0, 1.0, 2.0]
    )
    # A window longer than the histogram still works (zero padding).
    np.testing.assert_allclose(
        smooth_counts(np.array([1.0]), "triang", ks=5), [1.0]
    )


def test_width_one_on_integers():
    y = np.array([3, 4, 4, 7])
    space = LabelSpace(bin_width=1).fit(y)
    np.testing.assert_array_equal(space.edges_, [3, 4, 5, 6, 7, 8])
    np.testing.assert_array_equal(space.counts_, [1, 2, 0, 0, 1])
    np.testing.assert_array_equal(space.centers_, [3.5, 4.5, 5.5, 6.5, 7.5])
    assert space.n_bins_ == 5
    np.testing.assert_array_equal(space.edges_[space.transform(y)], np.floor(y))


def test_float_negative_targets():
    y = np.array([-2.5, -2.4, -0.1, 0.0, 0.3, 1.99])
    space = LabelSpace(bin_width=0.5).fit(y)
    assert space.edges_[0] == -2.5 and space.edges_[-1] == 2.0
    idx = space.transform(y)
    lo, hi = space.edges_[idx], space.edges_[idx + 1]
    assert np.all((lo <= y) & (y < hi))


def test_out_of_range_go_to_edge_bins():
    space = LabelSpace(n_bins=4).fit(np.array([0.0, 1.0, 2.0, 4.0]))
    np.testing.assert_array_equal(space.edges_, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(space.transform([-10, 0, 3.99, 4, 4.01, 1e9]), [0, 0, 3, 3, 3, 3])
    np.testing.assert_array_equal(space.in_range([-10, 0, 4, 4.01]), [False, True, True, False])
    np.testing.assert_array_equal(space.count_of([-1, 0.5, 3.5, 5]), [0, 1, 1, 0])


def test_explicit_edges_and_weights():
    space = LabelSpace(edges=[0, 1, 10]).fit([0.5, 2, 3, 10], sample_weight=[1, 2, 0.5, 1])
    np.testing.assert_allclose(space.counts_, [1, 3.5])
    with pytest.raises(ValueError, match="do not cover the data"):
        LabelSpace(edges=[0, 1, 10]).fit([0.5, 11])


@pytest.mark.parametrize("strategy", ["auto", "uniform", "quantile"])
def test_bins_depend_on_total_weight_not_repetition(strategy):
    rng = np.random.RandomState(0)
    y = np.r_[rng.exponential(size=50), 400.0]
    w = rng.randint(0, 4, size=51)
    w[0] = w[-1] = 1
    weighted = LabelSpace(strategy=strategy).fit(y, sample_weight=w)
    repeated = LabelSpace(strategy=strategy).fit(np.repeat(y, w))
    np.testing.assert_allclose(weighted.edges_, repeated.edges_)
    np.testing.assert_allclose(weighted.counts_, repeated.counts_)
    np.testing.assert_allclose(weighted.effective_counts_, repeated.effective_counts_)


def test_auto_is_rice_rule_on_ordinary_data():
    rng = np.random.RandomState(0)
    y = rng.normal(size=1000)
    space = LabelSpace().fit(y)
    assert space.n_bins_ == 20  # ceil(2 * 1000 ** (1/3))
    np.testing.assert_allclose(space.edges_, np.linspace(y.min(), y.max(), 21))
    np.testing.assert_allclose(
        LabelSpace(strategy="uniform").fit(y).edges_, space.edges_
    )


def test_auto_survives_a_far_outlier():
    rng = np.random.RandomState(0)
    y = np.r_[rng.poisson(3.0, size=1000).astype(float), 1e6]
    uniform = LabelSpace(strategy="uniform").fit(y)
    # Equal-width bins over [0, 1e6] squeeze every Poisson count into bin 0.
    assert uniform.counts_[0] == 1000
    assert set(uniform.shot_of(y[:-1])) == {"many"}
    space = LabelSpace().fit(y)
    ys = np.sort(y)
    q1, q3 = ys[int(0.25 * y.size)], ys[int(0.75 * y.size)]
    fence = q3 + 3 * (q3 - q1)
    n_auto = int(np.ceil(2 * np.cbrt(y.size)))
    width = (fence - y.min()) / n_auto
    # Equal-width bins over the fenced bulk ...
    np.testing.assert_allclose(np.diff(space.edges_[: n_auto + 1]), width)
    assert space.edges_[n_auto] == fence
    # ... the same width on to 2 * n_auto more bins, then one overflow bin.
    np.testing.assert_allclose(np.diff(space.edges_[n_auto:-1]), width)
    assert space.n_bins_ == 3 * n_auto + 1
    assert space.edges_[-1] == 1e6 and space.counts_[-1] == 1
    # Distinct counts get distinct bins, and the outlier is few-shot.
    idx = space.transform(y[:-1])
    assert len(np.unique(idx)) == len(np.unique(y[:-1]))
    assert space.shot_of([1e6])[0] == "few"
    assert set(space.shot_of(y[:-1])) == {"many", "medium", "few"}


def test_quantile_bins_hold_equal_counts():
    y = np.arange(100.0)
    space = LabelSpace(n_bins=4, strategy="quantile").fit(y)
    np.testing.assert_array_equal(space.counts_, [25, 25, 25, 25])
    np.testing.assert_array_equal(space.edges_, [0, 25, 50, 75, 99])
    # Repeated quantiles merge instead of making empty bins.
    tied = LabelSpace(n_bins=4, strategy="quantile").fit(np.r_[np.zeros(90), np.arange(10.0)])
    assert np.all(np.diff(tied.edges_) > 0)
    assert tied.counts_.sum() == 100


def test_constant_target_gets_one_centered_range():
    space = LabelSpace(n_bins=2).fit([5.0, 5.0])
    np.testing.assert_allclose(space.edges_, [4.5, 5.0, 5.5])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"bin_width": 1, "n_bins": 3}, "n_bins=3 has no effect"),
        ({"edges": [0, 1, 2], "strategy": "quantile"}, "strategy='quantile' has no effect"),
        ({"bin_width": 1, "edges": [0, 1, 2]}, "at most one of bin_width and edges"),
        ({"kernel": "triang", "sigma": 1.0}, "sigma=1.0 has no effect"),
        ({"ks": 4}, "odd"),
        ({"few_threshold": 10, "many_threshold": 5}, "must not exceed"),
    ],
)
def test_settings_without_effect_or_contradictory_are_rejected(params, match):
    with pytest.raises(ValueError, match=match):
        LabelSpace(**params).fit([0.0, 1.0, 1.5])


@pytest.mark.parametrize(
    "y, params",
    [
        ([-1e308, 1e308], {}),
        ([-1e308, 1e308], {"strategy": "uniform", "n_bins": 4}),
        ([-1e308, 1e308], {"bin_width": 1.0}),
        ([1e17, 1e17 + 1e3], {"bin_width": 1.0}),
        ([0.0, 1e-322], {"n_bins": 100}),
    ],
)
def test_extreme_magnitudes_are_clear_errors(y, params):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="bin"):
            LabelSpace(**params).fit(y)


def test_shots_by_hand():
    y_train = [1] * 5 + [2] * 3 + [3]
    space = LabelSpace(edges=[0.5, 1.5, 2.5, 3.5], many_threshold=4, few_threshold=2)
    space.fit(y_train)
    np.testing.assert_array_equal(
        space.shot_of([1, 2, 3, 0.0, 7]), ["many", "medium", "few", "few", "few"]
    )
    np.testing.assert_array_equal(space._shot_codes(np.array([1.0, 2.0, 3.0])), [0, 1, 2])


def test_effective_counts_and_rarity_by_hand():
    y = np.array([0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 9.0])
    space = LabelSpace(edges=np.arange(11.0), kernel="triang", ks=3).fit(y)
    counts = np.array([1, 6, 4, 1, 0, 0, 0, 0, 0, 1.0])
    np.testing.assert_array_equal(space.counts_, counts)
    # triang(3) = [0.5, 1, 0.5], zero padded.
    padded = np.r_[0, counts, 0]
    effective = 0.5 * padded[:-2] + padded[1:-1] + 0.5 * padded[2:]
    np.testing.assert_allclose(space.effective_counts_, effective)
    uniform = np.full(10, 1.3)
    padded_u = np.r_[0, uniform, 0]
    u = 0.5 * padded_u[:-2] + padded_u[1:-1] + 0.5 * padded_u[2:]
    np.testing.assert_allclose(space.bin_rarity_, np.clip(1 - effective / u, 0, 1))
    np.testing.assert_allclose(space.rarity([1.5, 100.0]), [np.clip(1 - effective[1] / u[1], 0, 1), 1.0])
    np.testing.assert_allclose(space.count_of([1.5, 4.5], smoothed=True), [effective[1], effective[4]])
    np.testing.assert_allclose(space.window("sum"), [0.25, 0.5, 0.25])


def test_sigma_none_means_two():
    y = np.arange(20.0)
    a = LabelSpace(bin_width=1).fit(y)
    b = LabelSpace(bin_width=1, sigma=2.0).fit(y)
    np.testing.assert_array_equal(a.effective_counts_, b.effective_counts_)
    assert a.sigma_ == 2.0 and LabelSpace(kernel="triang").fit(y).sigma_ is None


def test_fitted_label_space_is_frozen_under_clone_and_pickle():
    space = LabelSpace(bin_width=1).fit(np.arange(100.0))
    assert clone(space) is space
    restored = pickle.loads(pickle.dumps(space))
    np.testing.assert_array_equal(restored.edges_, space.edges_)
    assert clone(restored) is restored
    unfitted = LabelSpace(bin_width=1)
    cloned = clone(unfitted)
    assert cloned is not unfitted and cloned.get_params() == unfitted.get_params()



def test_frozen_and_unfitted_label_spaces_across_folds():
    from skdir import LDSWeighter, ReweightedRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 2))
    y = np.r_[np.linspace(0, 100, 20), rng.uniform(0, 40, size=100)]
    frozen = LabelSpace(n_bins=10).fit(y)
    cv = KFold(3, shuffle=True, random_state=0)

    res = cross_validate(
        ReweightedRegressor(Ridge(), LDSWeighter(label_space=frozen)), X, y, cv=cv,
        return_estimator=True,
    )
    for est in res["estimator"]:
        assert est.weighter_.label_space_ is frozen
        np.testing.assert_array_equal(est.weighter_.label_space_.edges_, np.linspace(0, 100, 11))

    res = cross_validate(
        ReweightedRegressor(Ridge(), LDSWeighter(label_space=LabelSpace(n_bins=10))), X, y,
        cv=cv, return_estimator=True,
    )
    for est, (train, _) in zip(res["estimator"], cv.split(X)):
        y_tr = y[train]
        np.testing.assert_allclose(
            est.weighter_.label_space_.edges_, np.linspace(y_tr.min(), y_tr.max(), 11)
        )

    grid = GridSearchCV(
        ReweightedRegressor(Ridge(), LDSWeighter(label_space=frozen)),
        {"regressor__alpha": [0.1, 1.0]}, cv=cv,
    ).fit(X, y)
    assert grid.best_estimator_.weighter_.label_space_ is frozen
    restored = pickle.loads(pickle.dumps(grid))
    np.testing.assert_array_equal(
        restored.best_estimator_.weighter_.label_space_.edges_, frozen.edges_
    )


def test_does_not_modify_input():
    y = np.array([3.0, 1.0, 2.0])
    w = np.array([1.0, 2.0, 1.0])
    before, w_before = y.copy(), w.copy()
    LabelSpace(bin_width=0.5).fit(y, sample_weight=w)
    np.testing.assert_array_equal(y, before)
    np.testing.assert_array_equal(w, w_before)


finite_floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(2, 60), elements=finite_floats),
    st.one_of(st.just("auto"), st.integers(1, 30)),
    st.sampled_from(["auto", "uniform", "quantile"]),
)
def test_bins_monotone_and_cover(y, n_bins, strategy):
    space = LabelSpace(n_bins=n_bins, strategy=strategy).fit(y)
    order = np.argsort(y, kind="stable")
    idx = space.transform(y[order])
    assert np.all(np.diff(idx) >= 0)
    assert np.all(np.diff(space.edges_) > 0)
    assert space.counts_.sum() == y.size
    assert np.all((idx >= 0) & (idx < space.n_bins_))
    assert np.all(space.in_range(y))
    assert np.all((space.bin_rarity_ >= 0) & (space.bin_rarity_ <= 1))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(12, 60),
    st.floats(0.1, 50),
    st.sampled_from(["gaussian", "triang", "laplace"]),
    st.sampled_from([1, 3, 5, 7]),
    st.floats(0.3, 5),
)
def test_lds_of_uniform_histogram_is_flat_inside(n_bins, height, kernel, ks, sigma):
    density = smooth_counts(np.full(n_bins, height), kernel, ks, sigma)
    half = ks // 2
    inner = density[half : n_bins - half]
    np.testing.assert_allclose(inner, height * kernel_window(kernel, ks, sigma).sum())
    # The edges lose the mass that zero padding cuts off.
    assert np.all(density <= inner[0] + 1e-9)
    space = LabelSpace(
        edges=np.arange(n_bins + 1.0), kernel=kernel, ks=ks,
        sigma=None if kernel == "triang" else sigma,
    ).fit(np.arange(n_bins) + 0.5)
    if kernel != "triang":
        np.testing.assert_allclose(space.smooth(np.full(n_bins, height)), density)
    # A uniform label distribution is nowhere rare.
    np.testing.assert_allclose(space.bin_rarity_, 0.0, atol=1e-12)


def test_histogram_counts_any_targets_in_the_fitted_bins():
    y = np.array([0.2, 0.4, 1.5, 2.9, 3.0])
    space = LabelSpace(edges=[0, 1, 2, 3]).fit(y, sample_weight=[1, 2, 1, 1, 1])
    np.testing.assert_allclose(space.histogram(y, sample_weight=[1, 2, 1, 1, 1]), space.counts_)
    # Out-of-range values count in the edge bins, like transform().
    np.testing.assert_allclose(space.histogram([-4.0, 0.5, 2.5, 7.0]), [2, 0, 2])
    np.testing.assert_allclose(space.histogram(y), [2, 1, 2])


@pytest.mark.parametrize("params", [{"strategy": "foo"}, {"bin_width": -1.0}, {"n_bins": 0}])
def test_consumers_validate_an_unfitted_label_space(params):
    from sklearn.utils._param_validation import InvalidParameterError

    from skdir.bins import fit_label_space

    with pytest.raises(InvalidParameterError, match="LabelSpace"):
        fit_label_space(LabelSpace(**params), np.array([0.0, 1.0, 2.0]))
