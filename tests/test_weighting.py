import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import config_context
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdir import LabelSpace, LDSWeighter, ReweightedRegressor, smooth_counts
from skdir.metrics import TrainingTargets


def test_inverse_weights_by_hand():
    y = np.array([1.0, 1, 1, 1, 2, 3, 3, 9])
    w = LDSWeighter(label_space=LabelSpace(bin_width=1), reweight="inverse", lds=False, clip=None).fit(y)
    # counts per bin [4, 1, 2, 0, 0, 0, 0, 0, 1]; raw 1/count, mean 1.
    raw = np.array([1 / 4] * 4 + [1, 1 / 2, 1 / 2, 1])
    np.testing.assert_allclose(w.transform(y), raw * 8 / raw.sum())
    np.testing.assert_array_equal(w.counts_, [4, 1, 2, 0, 0, 0, 0, 0, 1])


def test_sqrt_inv_lds_by_formula():
    y = np.array([0.0, 0, 0, 0, 1, 2, 2, 5, 5.5])
    w = LDSWeighter(label_space=LabelSpace(edges=[0, 1, 2, 3, 4, 5, 6], kernel="triang", ks=3), reweight="sqrt_inv").fit(y)
    counts = np.array([4, 1, 2, 0, 0, 2.0])
    density = smooth_counts(np.sqrt(counts), "triang", 3)
    np.testing.assert_allclose(w.effective_density_, density)
    raw = 1 / density[[0, 0, 0, 0, 1, 2, 2, 5, 5]]
    np.testing.assert_allclose(w.transform(y), raw * y.size / raw.sum())


def test_clip_auto_for_inverse_only_non_empty_bins():
    y = np.r_[np.zeros(2000), np.ones(3), [3.0]]
    w = LDSWeighter(label_space=LabelSpace(bin_width=1), reweight="inverse", lds=False).fit(y)
    np.testing.assert_allclose(w.effective_density_, [1000, 5, 0, 5])
    assert w.bin_weights_[2] == w.bin_weights_[1]  # empty bin takes the largest weight
    w_none = LDSWeighter(label_space=LabelSpace(bin_width=1), reweight="inverse", lds=False, clip=None).fit(y)
    np.testing.assert_allclose(w_none.effective_density_, [2000, 3, 0, 1])
    w_sqrt = LDSWeighter(label_space=LabelSpace(bin_width=1), lds=False).fit(y)
    np.testing.assert_allclose(w_sqrt.effective_density_, np.sqrt([2000, 3, 0, 1]))


def test_reweight_none_gives_ones():
    y = np.array([0.0, 0.1, 5.0])
    np.testing.assert_array_equal(LDSWeighter(reweight="none", lds=False).fit_transform(y), np.ones(3))


def test_rare_targets_get_larger_weights():
    rng = np.random.RandomState(0)
    y = rng.exponential(size=2000)
    w = LDSWeighter(label_space=LabelSpace(n_bins=30)).fit_transform(y)
    assert w[y > 3].mean() > 3 * w[y < 0.5].mean()
    inverse = LDSWeighter(label_space=LabelSpace(n_bins=30), reweight="inverse", clip=None).fit_transform(y)
    assert inverse[y > 3].mean() / inverse[y < 0.5].mean() > w[y > 3].mean() / w[y < 0.5].mean()


def test_sample_weight_equals_repetition_and_out_of_range():
    y = np.array([0.0, 0.5, 1.0, 2.0, 2.2, 4.0])
    sw = np.array([1, 3, 0, 2, 1, 1])
    a = LDSWeighter(label_space=LabelSpace(n_bins=4)).fit(y, sample_weight=sw)
    b = LDSWeighter(label_space=LabelSpace(n_bins=4)).fit(np.repeat(y, sw))
    np.testing.assert_allclose(a.transform(y), b.transform(y))
    assert np.average(a.transform(y), weights=sw) == pytest.approx(1.0)
    # Outside the fitted range: the weight of the edge bin.
    assert a.transform([-5.0])[0] == a.transform([0.0])[0]


finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=80, deadline=None)
@given(
    # A range of a few subnormal numbers cannot be divided into bins in float64
    # (a clear ValueError, tested in test_bad_inputs); keep ranges that can.
    arrays(np.float64, st.integers(2, 80), elements=finite).filter(lambda a: np.ptp(a) > 1e-6),
    st.sampled_from(["sqrt_inv", "inverse", "none"]),
    st.booleans(),
    st.sampled_from(["gaussian", "triang", "laplace"]),
    st.sampled_from([1, 3, 5, 9]),
    st.one_of(st.just("auto"), st.integers(1, 40)),
    st.sampled_from(["auto", "uniform", "quantile"]),
)
def test_weights_finite_positive_mean_one(y, reweight, lds, kernel, ks, n_bins, strategy):
    lds = lds and reweight != "none"
    space = LabelSpace(n_bins=n_bins, strategy=strategy, kernel=kernel, ks=ks)
    w = LDSWeighter(label_space=space, reweight=reweight, lds=lds)
    weights = w.fit_transform(y)
    assert weights.shape == y.shape
    assert np.all(np.isfinite(weights)) and np.all(weights > 0)
    assert weights.mean() == pytest.approx(1.0)
    assert np.all(np.isfinite(w.transform(np.linspace(y.min() - 1, y.max() + 1, 7))))


def test_weighter_does_not_modify_inputs_and_pickles():
    y = np.array([3.0, 1.0, 2.0, 2.0])
    sw = np.array([1.0, 2.0, 1.0, 1.0])
    y0, sw0 = y.copy(), sw.copy()
    w = LDSWeighter(label_space=LabelSpace(n_bins=3)).fit(y, sample_weight=sw)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(sw, sw0)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(w)).transform(y), w.transform(y))


def test_prefitted_label_space_is_used_as_given():
    space = LabelSpace(edges=[0, 5, 10]).fit([0, 0, 0, 10])
    w = LDSWeighter(label_space=space, reweight="inverse", lds=False, clip=None)
    w.fit([1.0, 2.0, 6.0])
    assert w.label_space_ is space
    # Frozen: the label space's own counts, not those of the fitted targets.
    np.testing.assert_array_equal(w.counts_, [3, 1])
    # Raw weights 1/3 and 1, scaled to mean 1 over y = (bin 0, bin 0, bin 1).
    scale = 3 / (1 / 3 + 1 / 3 + 1)
    np.testing.assert_allclose(w.bin_weights_, [scale / 3, scale])
    # Unfitted with fixed edges: the fitted targets' own counts.
    w2 = LDSWeighter(label_space=LabelSpace(edges=[0, 5, 10]), lds=False).fit([1.0, 2.0, 6.0])
    np.testing.assert_array_equal(w2.counts_, [2, 1])
    assert not hasattr(LabelSpace(edges=[0, 5, 10]), "edges_")


def test_settings_without_effect_are_rejected():
    y = np.array([0.0, 1.0, 1.0, 3.0])
    with pytest.raises(ValueError, match="lds=True has no effect"):
        LDSWeighter(reweight="none").fit(y)
    with pytest.raises(ValueError, match="clip=.*no effect"):
        LDSWeighter(reweight="none", lds=False, clip=(1, 2)).fit(y)
    np.testing.assert_array_equal(
        LDSWeighter(reweight="none", lds=False).fit_transform(y), np.ones(4)
    )


@pytest.mark.parametrize("clip", [(0, 0), (0, 5), (3, 2), (1, np.inf), (np.nan, 2)])
def test_bad_clip_is_a_clear_error(clip):
    with pytest.raises(ValueError, match="0 < low <= high < inf"):
        LDSWeighter(reweight="inverse", clip=clip).fit([0.0, 1.0, 1.0, 3.0])


# ---------------------------------------------------------------------------
# ReweightedRegressor


def _skewed(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = np.exp(X[:, 0]) + 0.3 * X[:, 1] + 0.05 * rng.normal(size=n)
    return X, y


def test_reweighted_regressor_equals_manual_weighted_fit():
    X, y = _skewed()
    weighter = LDSWeighter(label_space=LabelSpace(n_bins=20))
    model = ReweightedRegressor(Ridge(alpha=0.5), weighter).fit(X, y)
    w = clone(weighter).fit_transform(y)
    manual = Ridge(alpha=0.5).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(model.predict(X), manual.predict(X))
    np.testing.assert_allclose(model.regressor_.coef_, manual.coef_)
    assert model.n_features_in_ == 3
    np.testing.assert_array_equal(model.training_targets_.to_y(), np.sort(y))


def test_user_sample_weight_weights_counts_and_multiplies():
    X, y = _skewed()
    sw = np.random.RandomState(1).uniform(0.5, 2, size=y.size)
    model = ReweightedRegressor(Ridge(), LDSWeighter(label_space=LabelSpace(n_bins=10))).fit(X, y, sample_weight=sw)
    w = LDSWeighter(label_space=LabelSpace(n_bins=10)).fit_transform(y, sample_weight=sw) * sw
    manual = Ridge().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(model.predict(X), manual.predict(X))


def test_reweighting_lowers_error_on_rare_targets():
    X, y = _skewed(2000)
    rare = y > np.quantile(y, 0.95)
    plain = LinearRegression().fit(X, y)
    model = ReweightedRegressor(weighter=LDSWeighter(label_space=LabelSpace(n_bins=30)))
    err_rew = np.abs(model.fit(X, y).predict(X[rare]) - y[rare]).mean()
    err_plain = np.abs(plain.predict(X[rare]) - y[rare]).mean()
    assert err_rew < 0.9 * err_plain


def test_grid_search_over_weighter_and_regressor_params():
    X, y = _skewed()
    grid = GridSearchCV(
        ReweightedRegressor(Ridge(), LDSWeighter(label_space=LabelSpace(n_bins=15))),
        {"weighter__label_space__sigma": [1.0, 3.0], "regressor__alpha": [0.1, 10.0]},
        cv=3,
    ).fit(X, y)
    assert set(grid.best_params_) == {"weighter__label_space__sigma", "regressor__alpha"}
    assert grid.best_estimator_.weighter_.label_space_.sigma_ in (1.0, 3.0)


def test_pipeline_regressor_gets_weights_on_last_step():
    X, y = _skewed()
    pipe = make_pipeline(StandardScaler(), Ridge())
    model = ReweightedRegressor(pipe, LDSWeighter(label_space=LabelSpace(n_bins=10))).fit(X, y)
    w = LDSWeighter(label_space=LabelSpace(n_bins=10)).fit_transform(y)
    manual = make_pipeline(StandardScaler(), Ridge()).fit(X, y, ridge__sample_weight=w)
    np.testing.assert_allclose(model.predict(X), manual.predict(X))


class _NoWeights(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.zeros(len(X))


def test_regressor_without_sample_weight_is_rejected():
    X, y = _skewed(30)
    with pytest.raises(TypeError, match="does not accept sample_weight"):
        ReweightedRegressor(_NoWeights()).fit(X, y)


class _WithMetadata(RegressorMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None, tag=None):
        self.tag_ = tag
        self.sample_weight_ = sample_weight
        return self

    def predict(self, X, tag=None):
        return np.full(len(X), 0.0 if tag is None else float(tag))


def test_metadata_routing():
    X, y = _skewed(50)
    with config_context(enable_metadata_routing=True):
        inner = _WithMetadata().set_fit_request(tag=True, sample_weight=True)
        inner.set_predict_request(tag=True)
        model = ReweightedRegressor(inner, LDSWeighter(label_space=LabelSpace(n_bins=5))).fit(X, y, tag="t")
        assert model.regressor_.tag_ == "t"
        np.testing.assert_allclose(
            model.regressor_.sample_weight_, LDSWeighter(label_space=LabelSpace(n_bins=5)).fit_transform(y)
        )
        np.testing.assert_array_equal(model.predict(X[:2], tag=3), [3.0, 3.0])


def test_fit_params_passed_without_routing():
    X, y = _skewed(50)
    model = ReweightedRegressor(_WithMetadata(), LDSWeighter(label_space=LabelSpace(n_bins=5))).fit(X, y, tag="x")
    assert model.regressor_.tag_ == "x"


def test_regressor_pickle_and_inputs_untouched():
    X, y = _skewed(80)
    X0, y0 = X.copy(), y.copy()
    model = ReweightedRegressor(Ridge()).fit(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(restored.predict(X), model.predict(X))
    assert isinstance(restored.training_targets_, TrainingTargets)


# ---------------------------------------------------------------------------
# Continuous reweighting strength


def test_alpha_without_lds_is_a_power_of_the_counts():
    y = np.array([0.0] * 8 + [1.0] * 2 + [2.0] * 1)
    space = LabelSpace(edges=[0, 1, 2, 3])
    for alpha in (0.0, 0.3, 0.5, 0.75, 1.0, 2.0):
        w = LDSWeighter(label_space=space, reweight=alpha, lds=False, clip=None).fit_transform(y)
        raw = np.array([8.0, 2.0, 1.0]) ** -alpha
        expected = raw[[0] * 8 + [1] * 2 + [2]]
        np.testing.assert_allclose(w, expected / expected.mean())


@pytest.mark.parametrize("lds", [True, False])
def test_named_strengths_are_numbers(lds):
    rng = np.random.RandomState(0)
    y = np.round(rng.gamma(2.0, 5.0, size=500))
    space = LabelSpace(bin_width=1)
    sqrt = LDSWeighter(label_space=space, reweight="sqrt_inv", lds=lds).fit_transform(y)
    half = LDSWeighter(label_space=space, reweight=0.5, lds=lds).fit_transform(y)
    np.testing.assert_array_equal(sqrt, half)
    inv = LDSWeighter(label_space=space, reweight="inverse", lds=lds, clip=None).fit_transform(y)
    one = LDSWeighter(label_space=space, reweight=1.0, lds=lds).fit_transform(y)
    np.testing.assert_allclose(inv, one)
    # "inverse" keeps the reference's clipping by default; a number does not.
    clipped = LDSWeighter(label_space=space, reweight="inverse", lds=lds).fit(y)
    assert clipped._clip_bounds() == (5.0, 1000.0)
    assert LDSWeighter(reweight=1.0)._clip_bounds() is None


def test_alpha_zero_and_spread_grows_with_alpha():
    rng = np.random.RandomState(1)
    y = rng.exponential(size=400)
    np.testing.assert_array_equal(
        LDSWeighter(reweight=0, lds=False).fit_transform(y), np.ones(400)
    )
    with pytest.raises(ValueError, match="lds=True has no effect with reweight=0"):
        LDSWeighter(reweight=0).fit(y)
    spreads = [
        np.ptp(np.log(LDSWeighter(reweight=a).fit_transform(y)))
        for a in (0.25, 0.5, 0.75, 1.0)
    ]
    assert np.all(np.diff(spreads) > 0)


def test_alpha_is_grid_searchable():
    X, y = _skewed(200)
    grid = GridSearchCV(
        ReweightedRegressor(Ridge(), LDSWeighter()),
        {"weighter__reweight": [0.25, 0.5, 1.0]},
        cv=3, scoring="neg_mean_absolute_error",
    ).fit(X, y)
    assert grid.best_params_["weighter__reweight"] in (0.25, 0.5, 1.0)


@pytest.mark.parametrize("bad", [-0.5, np.inf, np.nan, "half"])
def test_bad_alpha_is_rejected(bad):
    with pytest.raises(ValueError, match="reweight"):
        LDSWeighter(reweight=bad).fit([0.0, 1.0, 1.0, 3.0])
