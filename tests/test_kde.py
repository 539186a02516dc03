"""The KDE density of the label space (DenseWeight) against exact sums and denseweight."""

import pickle

import numpy as np
import pytest
from scipy.special import ndtr
from sklearn.base import clone
from sklearn.linear_model import Ridge

from skdir import LabelSpace, LDSWeighter, ReweightedRegressor


def exact_kde(points, y, h, weight=None):
    """Gaussian KDE by direct summation."""
    weight = np.ones_like(y) if weight is None else weight
    z = (points[:, None] - y[None, :]) / h
    return (np.exp(-0.5 * z**2) * weight).sum(axis=1) / (weight.sum() * h * np.sqrt(2 * np.pi))


def sample(seed=0):
    rng = np.random.RandomState(seed)
    return np.r_[rng.normal(size=1500), rng.normal(6.0, 0.4, size=40)]


def test_kde_matches_direct_sum_to_2e7_of_peak():
    y = sample()
    space = LabelSpace(density="kde", bandwidth=0.3).fit(y)
    width = np.median(np.diff(space.edges_))
    q = np.r_[y[::7], np.linspace(y.min() - 2, y.max() + 2, 301)]
    exact = exact_kde(q, y, 0.3)
    got = space.count_of(q, smoothed=True) / (y.size * width)
    np.testing.assert_allclose(got, exact, rtol=0, atol=2e-7 * exact.max())
    # effective_counts_ is the same estimate at the bin centres, in counts per bin.
    np.testing.assert_allclose(
        space.effective_counts_,
        y.size * width * exact_kde(space.centers_, y, 0.3),
        rtol=0,
        atol=2e-7 * y.size * width * exact.max(),
    )


def test_weighted_kde_is_repeated_samples():
    rng = np.random.RandomState(1)
    y = rng.gamma(2.0, 3.0, size=300)
    reps = rng.randint(0, 4, size=300)
    a = LabelSpace(density="kde", bandwidth=0.7, bin_width=1.0).fit(y, sample_weight=reps)
    b = LabelSpace(density="kde", bandwidth=0.7, bin_width=1.0).fit(np.repeat(y, reps))
    q = np.linspace(-1, 30, 97)
    exact = exact_kde(q, y, 0.7, reps.astype(float))
    np.testing.assert_allclose(a.count_of(q, smoothed=True) / reps.sum(), exact, atol=2e-7)
    np.testing.assert_allclose(a.count_of(q, smoothed=True), b.count_of(q, smoothed=True),
                               atol=1e-6)


def test_bandwidth_rules_by_formula():
    y = sample(2)
    n = y.size
    q1, q3 = np.sort(y)[[int(0.25 * n), int(0.75 * n)]]  # order statistics floor(q n)
    spread = min(np.std(y), (q3 - q1) / 1.3489795003921634)
    scott = LabelSpace(density="kde").fit(y)  # None means Scott
    assert scott.bandwidth_ == pytest.approx(spread * n ** (-1 / 5), rel=1e-12)
    silver = LabelSpace(density="kde", bandwidth="silverman").fit(y)
    assert silver.bandwidth_ == pytest.approx(spread * (3 * n / 4) ** (-1 / 5), rel=1e-12)
    assert LabelSpace(density="kde", bandwidth=0.25).fit(y).bandwidth_ == 0.25
    assert LabelSpace().fit(y).bandwidth_ is None


def test_kde_rarity_against_smoothed_uniform():
    y = sample(3)
    space = LabelSpace(density="kde", bandwidth=0.4).fit(y)
    lo, hi = space.edges_[0], space.edges_[-1]
    q = np.linspace(lo, hi, 50)
    uniform = (ndtr((hi - q) / 0.4) - ndtr((lo - q) / 0.4)) / (hi - lo)
    expected = np.clip(1 - exact_kde(q, y, 0.4) / uniform, 0, 1)
    np.testing.assert_allclose(space.rarity(q), expected, atol=1e-5)
    assert np.all(space.rarity([lo - 1, hi + 1]) == 1)
    np.testing.assert_allclose(space.bin_rarity_, space.rarity(space.centers_))
    # The bulk is not rare, the small far cluster is, the gap between is empty.
    assert space.rarity([0.0])[0] == 0 and space.rarity([6.0])[0] > 0.5
    assert space.rarity([4.0])[0] > 0.95


def test_shots_and_counts_do_not_depend_on_density():
    y = sample(4)
    lds = LabelSpace(bin_width=0.5).fit(y)
    kde = LabelSpace(bin_width=0.5, density="kde").fit(y)
    np.testing.assert_array_equal(lds.edges_, kde.edges_)
    np.testing.assert_array_equal(lds.counts_, kde.counts_)
    np.testing.assert_array_equal(lds.shot_of(y), kde.shot_of(y))


@pytest.mark.parametrize("alpha", [0.5, 1.0, 1.7])
def test_weights_follow_density_power(alpha):
    y = sample(5)
    weighter = LDSWeighter(
        label_space=LabelSpace(density="kde", bandwidth=0.3), reweight=alpha
    ).fit(y)
    w = weighter.transform(y)
    assert w.mean() == pytest.approx(1.0)
    f = exact_kde(y, y, 0.3)
    product = w * f**alpha  # constant when w is proportional to f ** -alpha
    np.testing.assert_allclose(product, product.mean(), rtol=1e-5)
    # fit_transform through the meta-estimator gives the same weights.
    model = ReweightedRegressor(Ridge(), weighter).fit(y[:, None], y)
    np.testing.assert_allclose(model.weighter_.transform(y), w)


def test_weights_off_the_data_are_capped():
    y = sample(6)
    weighter = LDSWeighter(label_space=LabelSpace(density="kde"), reweight=1.0).fit(y)
    train_max = weighter.transform(y).max()
    assert weighter.transform([1e6, -1e6]).tolist() == [train_max, train_max]


def test_sample_weight_mean_one():
    y = sample(7)
    sw = np.random.RandomState(0).uniform(0.5, 2, size=y.size)
    weighter = LDSWeighter(label_space=LabelSpace(density="kde")).fit(y, sample_weight=sw)
    assert np.average(weighter.transform(y), weights=sw) == pytest.approx(1.0)


def test_dense_weights_formula():
    y = sample(8)
    weighter = LDSWeighter(
        label_space=LabelSpace(density="kde", bandwidth=0.3), reweight=0.8
    ).fit(y)
    coarse = np.linspace(y.min(), y.max(), 401)
    top = coarse[np.argmax(exact_kde(coarse, y, 0.3))]
    peak = exact_kde(np.linspace(top - 0.05, top + 0.05, 1001), y, 0.3).max()
    raw = np.maximum(1 - 0.8 * exact_kde(y, y, 0.3) / peak, 1e-6)
    np.testing.assert_allclose(weighter.dense_weights(y), raw / raw.mean(), atol=1e-6)


@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0])
def test_matches_denseweight(alpha):
    dw_module = pytest.importorskip("denseweight")
    from denseweight.utils import bisection

    y = sample(9)
    h = 0.25
    dw = dw_module.DenseWeight(alpha=alpha, bandwidth=h)
    dw_weights = dw.fit(y)
    weighter = LDSWeighter(label_space=LabelSpace(density="kde", bandwidth=h),
                           reweight=alpha).fit(y)
    space = weighter.label_space_
    # The min-max normalised density on denseweight's own 4096-point grid: the
    # gap is its linear-binning error on that grid.
    ours = space.count_of(dw.x, smoothed=True)
    ours = (ours - ours.min()) / (ours.max() - ours.min())
    np.testing.assert_allclose(ours, dw.y_dens_grid, rtol=0, atol=1e-5)
    # Read at the grid point left of each target, as denseweight does, the
    # linear weights agree to the same accuracy.
    left = dw.x[[bisection(dw.x, v) for v in y]]
    nd = space.count_of(left, smoothed=True) / space.count_of(dw.x, smoothed=True).max()
    raw = np.maximum(1 - alpha * nd, 1e-6)
    np.testing.assert_allclose(raw / raw.mean(), dw_weights, rtol=0, atol=1e-4)
    # At the targets themselves (dense_weights) they differ by that lookup only.
    np.testing.assert_allclose(weighter.dense_weights(y), dw_weights, rtol=0,
                               atol=0.05 * alpha)


def test_rejected_settings():
    y = sample(10)
    with pytest.raises(ValueError, match="bandwidth=0.5 has no effect with density='lds'"):
        LabelSpace(bandwidth=0.5).fit(y)
    for kwargs in ({"kernel": "laplace"}, {"ks": 7}, {"sigma": 1.0}):
        with pytest.raises(ValueError, match="no effect with density='kde'"):
            LabelSpace(density="kde", **kwargs).fit(y)
    with pytest.raises(ValueError, match="bandwidth"):
        LabelSpace(density="kde", bandwidth=-1.0).fit(y)
    with pytest.raises(ValueError, match="bandwidth"):
        LabelSpace(density="kde", bandwidth="isj").fit(y)
    with pytest.raises(ValueError, match="single number for a 1-D target"):
        LabelSpace(density="kde", bandwidth=[0.5, 0.5]).fit(y)
    space = LabelSpace(density="kde").fit(y)
    with pytest.raises(ValueError, match="window"):
        space.window()
    with pytest.raises(ValueError, match="smooth"):
        space.smooth(space.counts_)
    with pytest.raises(ValueError, match="clip"):
        LDSWeighter(label_space=space, reweight="inverse", clip=(1, 10)).fit(y)
    # clip="auto" does not clip the density; lds=False uses the raw counts.
    auto = LDSWeighter(label_space=space, reweight="inverse").fit(y)
    raw = LDSWeighter(label_space=space, reweight=1.0, lds=False).fit(y)
    np.testing.assert_allclose(raw.transform(y) * space.count_of(y),
                               (raw.transform(y) * space.count_of(y)).mean())
    assert auto.effective_density_ is not None
    with pytest.raises(ValueError, match="density='kde'"):
        LDSWeighter(label_space=LabelSpace()).fit(y).dense_weights(y)


def test_fitted_kde_space_is_frozen_and_pickles():
    y = sample(11)
    space = LabelSpace(density="kde").fit(y)
    assert clone(space) is space
    again = pickle.loads(pickle.dumps(space))
    q = np.linspace(-3, 7, 11)
    np.testing.assert_array_equal(again.count_of(q, smoothed=True),
                                  space.count_of(q, smoothed=True))
    np.testing.assert_array_equal(again.rarity(q), space.rarity(q))


def test_wide_range_stays_bounded_and_mass_one(monkeypatch):
    import skdir.bins

    monkeypatch.setattr(skdir.bins, "_KDE_MAX_GRID", 1 << 16)
    rng = np.random.RandomState(12)
    y = np.r_[rng.normal(size=2000), 1e7]  # the grid is capped, coarser
    space = LabelSpace(density="kde", bandwidth=0.2).fit(y)
    assert space._kde.values.size <= 1 << 16
    kde = space._kde
    assert kde.values.sum() * kde.step[0] == pytest.approx(1.0, rel=1e-9)
