import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from skdir import LabelSpace
from skdir.relevance import PhiRelevance
from skdir.resampling import (
    SMOGN,
    SMOTER,
    WERCS,
    GaussianNoise,
    RandomOverSampler,
    RandomUnderSampler,
)

ALL = [SMOTER, SMOGN, GaussianNoise, RandomOverSampler, RandomUnderSampler, WERCS]
SYNTHETIC = [SMOTER, SMOGN, GaussianNoise]
BUMP = [SMOTER, SMOGN, GaussianNoise, RandomOverSampler, RandomUnderSampler]


def skewed(n=120, p=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p))
    y = rng.exponential(size=n) + 0.3 * X[:, 0]
    return X, y


def split_output(sampler, X_res, y_res):
    n_kept = sampler.sample_indices_.size
    return X_res[:n_kept], y_res[:n_kept], X_res[n_kept:], y_res[n_kept:]


def brute_pairs(X, bump, k):
    """Each member's k nearest neighbours in the bump (range-scaled Euclidean,
    ranges over the whole X), by brute force."""
    ranges = np.ptp(X, axis=0)
    Z = X[bump] / ranges
    d = np.sqrt(((Z[:, None, :] - Z[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    return {int(bump[i]): set(bump[np.argsort(d[i])[:k]].tolist()) for i in range(len(bump))}


def find_segment(X, x_new, members, k_pairs, tol=1e-9):
    """The (seed, neighbour, u) whose segment holds x_new, or None."""
    for s in members:
        for nb in k_pairs[int(s)]:
            diff = X[nb] - X[s]
            denom = diff @ diff
            u = 0.0 if denom == 0 else float((x_new - X[s]) @ diff / denom)
            if -tol <= u <= 1 + tol and np.allclose(X[s] + u * diff, x_new, atol=1e-9):
                return int(s), int(nb), u
    return None


def test_smoter_synthetic_samples_on_segments_between_bump_neighbours():
    X, y = skewed()
    sampler = SMOTER(k_neighbors=3, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    _, _, X_syn, y_syn = split_output(sampler, X_res, y_res)
    assert len(y_syn) > 0
    rare_bumps = [b for b, r in zip(sampler.bumps_, sampler.bump_is_rare_) if r]
    pairs = {}
    for b in rare_bumps:
        pairs.update(brute_pairs(X, b, 3))
    members = np.concatenate(rare_bumps)
    for x_new, y_new in zip(X_syn, y_syn):
        found = find_segment(X, x_new, members, pairs)
        assert found is not None
        s, nb, u = found
        # numeric only: HEOM distances are u*D and (1-u)*D, so y is linear in u
        assert y_new == pytest.approx((1 - u) * y[s] + u * y[nb], abs=1e-9)
        assert min(y[s], y[nb]) - 1e-12 <= y_new <= max(y[s], y[nb]) + 1e-12


@pytest.mark.filterwarnings("ignore:.*fewer than k_neighbors")
def test_counts_follow_balance_and_rare_bins_grow():
    X, y = skewed(200)
    for cls in [SMOTER, SMOGN, GaussianNoise]:
        sampler = cls(random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        sizes = [b.size for b in sampler.bumps_]
        n_bumps = len(sizes)
        expected = int(np.rint(200 / n_bumps))
        assert list(sampler.sampling_strategy_.values()) == [expected] * n_bumps
        assert len(y_res) == expected * n_bumps
        # rare bumps grow, normal bumps shrink
        for bump, rare in zip(sampler.bumps_, sampler.bump_is_rare_):
            kept = np.isin(sampler.sample_indices_, bump).sum()
            if rare:
                assert kept == bump.size
            else:
                assert kept == expected < bump.size


@pytest.mark.filterwarnings("ignore:.*fewer than k_neighbors")
def test_extreme_and_float_and_dict_strategies():
    X, y = skewed(200)
    base = SMOTER(random_state=0).fit(X, y)
    sizes = np.array([b.size for b in base.bumps_], dtype=float)
    n_b = sizes.size
    b = 200 / n_b
    obj = b * b / sizes
    expected = np.rint(obj * 200 / obj.sum()).astype(int)
    ext = SMOTER(sampling_strategy="extreme", random_state=0).fit(X, y)
    assert list(ext.sampling_strategy_.values()) == expected.tolist()

    frac = SMOTER(sampling_strategy=0.4, random_state=0)
    _, y_res = frac.fit_resample(X, y)
    rare_total = sum(t for t, r in zip(frac.sampling_strategy_.values(), frac.bump_is_rare_) if r)
    assert rare_total == pytest.approx(80, abs=1)

    asked = {i: int(s) for i, s in enumerate(sizes)}
    rare_i = int(np.flatnonzero(base.bump_is_rare_)[0])
    asked[rare_i] += 7
    sampler = SMOTER(sampling_strategy=asked, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert len(y_res) == 207
    with pytest.raises(ValueError, match="bump indices"):
        SMOTER(sampling_strategy={99: 3}).fit_resample(X, y)
    with pytest.raises(ValueError, match="cannot shrink"):
        RandomOverSampler(sampling_strategy={0: 1}).fit_resample(X, y)


def test_random_over_and_under_keep_the_ratio_of_the_combined_strategy():
    X, y = skewed(200)
    over = RandomOverSampler(random_state=0)
    X_o, y_o = over.fit_resample(X, y)
    under = RandomUnderSampler(random_state=0)
    X_u, y_u = under.fit_resample(X, y)
    for sampler, X_r, y_r in [(over, X_o, y_o), (under, X_u, y_u)]:
        np.testing.assert_array_equal(X_r, X[sampler.sample_indices_])
        np.testing.assert_array_equal(y_r, y[sampler.sample_indices_])
    sizes = np.array([b.size for b in over.bumps_])
    # over: normal bumps untouched, rare bumps at the largest normal size
    for bump, rare, target in zip(over.bumps_, over.bump_is_rare_,
                                  over.sampling_strategy_.values()):
        count = np.isin(over.sample_indices_, bump).sum()
        assert count == target
        assert (count >= bump.size) if rare else (count == bump.size)
        # each member appears n_new // size or that + 1 times more
        if rare:
            reps = np.bincount(over.sample_indices_, minlength=len(y))[bump]
            assert reps.max() - reps.min() <= 1
    for bump, rare in zip(under.bumps_, under.bump_is_rare_):
        count = np.isin(under.sample_indices_, bump).sum()
        assert (count == bump.size) if rare else (count <= bump.size)
    assert len(np.unique(under.sample_indices_)) == len(under.sample_indices_)
    assert sizes.sum() == 200


def test_gaussian_noise_samples_stay_near_their_seed():
    X, y = skewed(200)
    sampler = GaussianNoise(perturbation=0.05, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    _, _, X_syn, y_syn = split_output(sampler, X_res, y_res)
    rare = np.concatenate([b for b, r in zip(sampler.bumps_, sampler.bump_is_rare_) if r])
    # nearest rare original in (X, y): within a few noise standard deviations
    scale = np.r_[X[rare].std(0), y[rare].std()] * 0.05
    pts = np.column_stack([X[rare], y[rare]]) / scale
    new = np.column_stack([X_syn, y_syn]) / scale
    d = np.sqrt(((new[:, None, :] - pts[None]) ** 2).sum(-1)).min(1)
    assert np.all(d < 6 * np.sqrt(4))  # 4 dimensions of unit noise
    assert np.all(d > 0)


def test_smogn_mixes_interpolation_and_noise():
    X, y = skewed(300, p=2, seed=3)
    sampler = SMOGN(k_neighbors=5, perturbation=0.02, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    _, _, X_syn, y_syn = split_output(sampler, X_res, y_res)
    rare_bumps = [b for b, r in zip(sampler.bumps_, sampler.bump_is_rare_) if r]
    pairs = {}
    for b in rare_bumps:
        pairs.update(brute_pairs(X, b, 5))
    members = np.concatenate(rare_bumps)
    found = [find_segment(X, x, members, pairs) for x in X_syn]
    on_segment = np.array([f is not None for f in found])
    assert on_segment.any() and (~on_segment).any()
    assert sampler.n_interpolated_ == on_segment.sum()
    assert sampler.n_noise_ == (~on_segment).sum()
    # an interpolated target lies between its two parents' targets
    for (s, nb, _), y_new in zip([f for f in found if f is not None], y_syn[on_segment]):
        assert min(y[s], y[nb]) - 1e-12 <= y_new <= max(y[s], y[nb]) + 1e-12
    # the noise samples lie close to some rare member
    noisy = X_syn[~on_segment]
    d = np.sqrt(((noisy[:, None] - X[members][None]) ** 2).sum(-1)).min(1)
    assert np.all(d < 6 * 0.02 * X[members].std(0).max() * np.sqrt(2))


def test_nominal_features_take_the_pairs_categories():
    rng = np.random.RandomState(0)
    n = 150
    X = pd.DataFrame({
        "a": rng.normal(size=n),
        "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n),
                                 categories=["red", "green", "blue", "never"]),
        "flag": rng.rand(n) > 0.5,
        "count": rng.randint(0, 10, n),
        "b": rng.normal(size=n).astype(np.float32),
    }, index=np.arange(1000, 1000 + n))
    y = pd.Series(rng.exponential(size=n), name="target", index=X.index)
    X_before = X.copy()
    sampler = SMOTER(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    pd.testing.assert_frame_equal(X, X_before)  # input untouched
    assert list(X_res.columns) == list(X.columns)
    assert (X_res.dtypes == X.dtypes).all()
    assert list(X_res["colour"].cat.categories) == ["red", "green", "blue", "never"]
    assert "never" not in set(X_res["colour"])
    assert isinstance(y_res, pd.Series) and y_res.name == "target"
    assert X_res.index.equals(pd.RangeIndex(len(X_res)))
    assert y_res.index.equals(X_res.index)
    n_kept = sampler.sample_indices_.size
    pd.testing.assert_frame_equal(
        X_res.iloc[:n_kept], X.iloc[sampler.sample_indices_].reset_index(drop=True)
    )
    syn = X_res.iloc[n_kept:]
    assert len(syn) > 0
    rare = np.concatenate([b for b, r in zip(sampler.bumps_, sampler.bump_is_rare_) if r])
    # every synthetic row: find the pair by its numeric part; its categories
    # come from that pair and its integer column is an integer between theirs
    num = X[["a", "b"]].to_numpy(float)
    syn_num = syn[["a", "b"]].to_numpy(float)
    for i in range(len(syn)):
        found = False
        for s in rare:
            for nb in rare:
                diff = num[nb] - num[s]
                if diff @ diff == 0:
                    continue
                u = (syn_num[i] - num[s]) @ diff / (diff @ diff)
                if -1e-9 <= u <= 1 + 1e-9 and np.allclose(num[s] + u * diff, syn_num[i],
                                                          atol=1e-5):
                    row = syn.iloc[i]
                    if (row["colour"] in (X["colour"].iloc[s], X["colour"].iloc[nb])
                            and row["flag"] in (X["flag"].iloc[s], X["flag"].iloc[nb])
                            and min(X["count"].iloc[[s, nb]]) <= row["count"]
                            <= max(X["count"].iloc[[s, nb]])):
                        found = True
                        break
            if found:
                break
        assert found, i


def test_nominal_heom_target_weighting():
    # two rare points differing in one nominal value only: the synthetic
    # target is the seed's or the neighbour's target, whichever category it took
    X = pd.DataFrame({"x": [0.0] * 40 + [1.0, 1.0], "c": ["a"] * 40 + ["a", "b"]})
    y = np.r_[np.linspace(0, 1, 40), 50.0, 60.0]
    sampler = SMOTER(relevance=lambda t: (t > 10).astype(float), k_neighbors=1,
                     random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_kept = sampler.sample_indices_.size
    syn_c, syn_y = X_res["c"].iloc[n_kept:].to_numpy(), np.asarray(y_res)[n_kept:]
    assert len(syn_y) > 0
    for c, t in zip(syn_c, syn_y):
        # d(new, a-point) = 0 if c == "a" else 1, so the target is that point's
        assert t == (50.0 if c == "a" else 60.0)


def test_integer_numpy_features_are_rounded_and_dtypes_kept():
    X, y = skewed(150)
    Xi = np.rint(X * 10).astype(np.int64)
    X_res, y_res = SMOTER(random_state=0).fit_resample(Xi, y)
    assert X_res.dtype == np.int64
    X32 = X.astype(np.float32)
    X_res, y_res = SMOTER(random_state=0).fit_resample(X32, y.astype(np.float32))
    assert X_res.dtype == np.float32 and y_res.dtype == np.float32


@pytest.mark.parametrize("cls", ALL)
def test_same_random_state_same_output_and_input_unchanged(cls):
    X, y = skewed(150)
    X0, y0 = X.copy(), y.copy()
    a = cls(random_state=3).fit_resample(X, y)
    b = cls(random_state=3).fit_resample(X, y)
    c = cls(random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not (a[0].shape == c[0].shape and np.array_equal(a[0], c[0]))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


@pytest.mark.parametrize("cls", ALL)
def test_random_state_none_uses_the_global_numpy_state(cls):
    # check_random_state semantics: None is NumPy's global RandomState, so
    # seeding it makes a run with random_state=None repeatable ...
    X, y = skewed(150)
    np.random.seed(0)
    a = cls(random_state=None).fit_resample(X, y)
    np.random.seed(0)
    b = cls(random_state=None).fit_resample(X, y)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    # ... each call advances it ...
    np.random.seed(0)
    first_draw = np.random.uniform()
    np.random.seed(0)
    cls(random_state=None).fit_resample(X, y)
    assert np.random.uniform() != first_draw
    # ... and a RandomState instance is used as given: the same draws as the
    # global state seeded alike
    c = cls(random_state=np.random.RandomState(0)).fit_resample(X, y)
    np.testing.assert_array_equal(a[0], c[0])
    np.testing.assert_array_equal(a[1], c[1])


@pytest.mark.parametrize("cls", ALL)
def test_training_targets_and_containers(cls):
    X, y = skewed(100)
    sampler = cls(random_state=0)
    X_res, y_res = sampler.fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_res, list) and isinstance(y_res, list)
    np.testing.assert_array_equal(sampler.training_targets_.to_y(), np.sort(y))
    X_res, y_res = sampler.fit_resample(X, y.reshape(-1, 1))
    assert y_res.ndim == 2
    y_df = pd.DataFrame({"t": y})
    _, y_res = sampler.fit_resample(pd.DataFrame(X, columns=list("abc")), y_df)
    assert isinstance(y_res, pd.DataFrame) and list(y_res.columns) == ["t"]
    assert list(sampler.get_feature_names_out()) == list("abc")


@pytest.mark.parametrize("cls", ALL)
def test_no_rare_samples_warns_and_returns_input(cls):
    X, y = skewed(60)
    sampler = cls(relevance=lambda t: np.zeros_like(t))
    with pytest.warns(UserWarning, match="no rare") as record:
        X_res, y_res = sampler.fit_resample(X, y)
    # the warning names this line and says how to get rare samples
    assert record[0].filename == __file__
    assert "Every relevance is 0" in str(record[0].message)
    assert "relevance='lds'" in str(record[0].message)
    with pytest.warns(UserWarning, match="lower threshold to 0.3 or below") as record:
        cls(relevance=lambda t: np.full_like(t, 0.3)).fit_resample(X, y)
    assert "relevance='lds'" in str(record[0].message)
    assert record[0].filename == __file__
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)
    np.testing.assert_array_equal(sampler.sample_indices_, np.arange(60))
    with pytest.warns(UserWarning, match="single sample"):
        X_res, y_res = cls().fit_resample(X[:1], y[:1])
    np.testing.assert_array_equal(X_res, X[:1])


@pytest.mark.parametrize("cls", BUMP)
def test_every_sample_rare_warns(cls):
    X, y = skewed(60)
    with pytest.warns(UserWarning, match="every sample is rare"):
        X_res, _ = cls(relevance=lambda t: np.ones_like(t)).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)


def test_small_bump_shrinks_k_and_single_sample_bump_is_copied():
    X, y = skewed(60)
    y = y.copy()
    y[:3] = [100.0, 101.0, 102.0]
    rel = lambda t: (t >= 100).astype(float)  # noqa: E731
    sampler = SMOTER(relevance=rel, k_neighbors=5, random_state=0)
    with pytest.warns(UserWarning, match="using k_neighbors=2"):
        X_res, y_res = sampler.fit_resample(X, y)
    n_kept = sampler.sample_indices_.size
    assert np.all((y_res[n_kept:] >= 100) & (y_res[n_kept:] <= 102))
    y[1:3] = 0.5
    sampler = SMOGN(relevance=rel, random_state=0)
    with pytest.warns(UserWarning, match="single sample"):
        X_res, y_res = sampler.fit_resample(X, y)
    n_kept = sampler.sample_indices_.size
    np.testing.assert_array_equal(X_res[n_kept:], np.repeat(X[:1], len(X_res) - n_kept, 0))
    assert np.all(y_res[n_kept:] == 100.0)


def test_wercs_weights_by_relevance():
    X, y = skewed(400)
    sampler = WERCS(over=0.5, under=0.5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    rel = sampler.relevance_
    counts = np.bincount(sampler.sample_indices_, minlength=len(y))
    assert sampler.sampling_strategy_ == {"over": 200, "under": 200}
    assert len(y_res) == 400
    # relevance-0 rows are never copied; relevance-1 rows are never removed
    assert np.all(counts[rel == 0] <= 1)
    assert np.all(counts[rel == 1] >= 1)
    assert counts[rel > 0.5].mean() > 1 > counts[rel == 0].mean()
    np.testing.assert_array_equal(y_res, y[sampler.sample_indices_])


def test_relevance_options_and_bad_relevance():
    X, y = skewed(150)
    a = SMOTER(relevance="phi", random_state=0).fit(X, y)
    b = SMOTER(relevance=PhiRelevance(), random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.relevance_, b.relevance_)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        SMOTER(relevance=lambda t: t).fit_resample(X, y)
    with pytest.raises(ValueError, match="one value per sample"):
        SMOTER(relevance=lambda t: np.zeros(3)).fit_resample(X, y)
    with pytest.raises(ValueError, match="threshold"):
        SMOTER(threshold=1.5).fit_resample(X, y)


@pytest.mark.parametrize("cls", ALL)
def test_bad_input(cls):
    X, y = skewed(50)
    with pytest.raises(ValueError, match="NaN"):
        cls().fit_resample(X, np.r_[y[:-1], np.nan])
    with pytest.raises(ValueError, match="infinity"):
        cls().fit_resample(X, np.r_[y[:-1], np.inf])
    with pytest.raises(TypeError, match="strings"):
        cls().fit_resample(X, np.array(["a"] * 50))
    with pytest.raises(ValueError, match="at most 3 target columns"):
        cls().fit_resample(X, np.ones((50, 4)))
    with pytest.raises(ValueError, match="Inconsistent"):
        cls().fit_resample(X, y[:-1])
    with pytest.raises(ValueError, match="empty|0 sample"):
        cls().fit_resample(X[:0], y[:0])
    with pytest.raises(ValueError, match="required|requires"):
        cls().fit_resample(X, None)


@pytest.mark.parametrize("cls", SYNTHETIC)
def test_synthetic_samplers_reject_nan_inf_and_sparse_X(cls):
    X, y = skewed(50)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        cls().fit_resample(bad, y)
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        cls().fit_resample(bad, y)
    df = pd.DataFrame(X, columns=list("abc"))
    df.loc[2, "b"] = np.nan
    with pytest.raises(ValueError, match="'b'"):
        cls().fit_resample(df, y)
    with pytest.raises(TypeError, match="sparse"):
        cls().fit_resample(sparse.csr_matrix(X), y)
    with pytest.raises(ValueError, match="not found"):
        cls(categorical_features=["zz"]).fit_resample(df.fillna(0), y)
    with pytest.raises(ValueError, match="out of range"):
        cls(categorical_features=[7]).fit_resample(X, y)


@pytest.mark.parametrize("cls", [RandomOverSampler, RandomUnderSampler, WERCS])
def test_row_selecting_samplers_accept_sparse_nan_and_strings(cls):
    X, y = skewed(80)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    dense = cls(random_state=0).fit_resample(Xn, y)
    sp = cls(random_state=0).fit_resample(sparse.csr_matrix(Xn), y)
    assert sparse.issparse(sp[0])
    np.testing.assert_array_equal(sp[0].toarray(), dense[0])
    Xs = np.array([["u", "v"][i % 2] for i in range(80)], dtype=object).reshape(-1, 1)
    X_res, _ = cls(random_state=0).fit_resample(Xs, y)
    assert X_res.dtype == object


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(30, 80),
    seed=st.integers(0, 10_000),
    strategy=st.sampled_from(["balance", "extreme", 0.3, 0.6]),
    cls=st.sampled_from([SMOTER, SMOGN, GaussianNoise]),
)
def test_property_counts_targets_and_bounds(n, seed, strategy, cls):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    y = rng.lognormal(size=n)
    sampler = cls(sampling_strategy=strategy, random_state=seed, k_neighbors=3) \
        if cls is not GaussianNoise else cls(sampling_strategy=strategy, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape[0] == y_res.shape[0]
    if not hasattr(sampler, "bumps_") or not sampler.sampling_strategy_:
        return
    assert len(y_res) == sum(sampler.sampling_strategy_.values()) or \
        np.array_equal(X_res, X)
    kept = sampler.sample_indices_
    assert len(np.unique(kept)) == len(kept)
    np.testing.assert_array_equal(X_res[: len(kept)], X[kept])
    if cls is SMOTER:
        # every synthetic target within the range of its rare bump
        n_syn = len(y_res) - len(kept)
        if n_syn:
            lo = min(y[b].min() for b, r in zip(sampler.bumps_, sampler.bump_is_rare_) if r)
            hi = max(y[b].max() for b, r in zip(sampler.bumps_, sampler.bump_is_rare_) if r)
            assert np.all((y_res[len(kept):] >= lo) & (y_res[len(kept):] <= hi))


@pytest.mark.parametrize("cls", [SMOTER, SMOGN])
def test_declared_categorical_columns_of_a_numeric_array(cls):
    X, y = skewed(150)
    X = X.copy()
    X[:, 1] = np.arange(150) % 4 * 10.0  # codes 0, 10, 20, 30
    sampler = cls(categorical_features=[1], random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_kept = sampler.sample_indices_.size
    assert len(y_res) > n_kept
    # never interpolated: only the original codes appear
    assert set(np.unique(X_res[:, 1])) <= {0.0, 10.0, 20.0, 30.0}
    mask = np.array([False, True, False])
    X_res2, _ = cls(categorical_features=mask, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_res2)
    with pytest.raises(ValueError, match="boolean mask"):
        cls(categorical_features=[True, False]).fit_resample(X, y)
    with pytest.raises(ValueError, match="DataFrame"):
        cls(categorical_features=["a"]).fit_resample(X, y)


@pytest.mark.filterwarnings("ignore:.*fewer than k_neighbors")
def test_balance_never_grows_normal_nor_shrinks_rare_bumps():
    y = np.arange(30.0)
    X = np.column_stack([y, y % 7])
    rel = lambda t: ((t >= 3) & (t <= 19)).astype(float)  # noqa: E731
    sampler = SMOTER(relevance=rel, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert [b.size for b in sampler.bumps_] == [3, 17, 10]
    # balance asks 10 each: the normal bump of 3 and the rare bump of 17 keep
    # their sizes, the normal bump of 10 too
    assert sampler.sampling_strategy_ == {0: 3, 1: 17, 2: 10}
    np.testing.assert_array_equal(X_res, X)
    rel = lambda t: ((t >= 10) & (t <= 14)).astype(float)  # noqa: E731
    sampler = SMOTER(relevance=rel, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == {0: 10, 1: 10, 2: 10}
    assert np.sum((y_res >= 10) & (y_res <= 14)) == 10
    assert np.sum(y_res > 14) == 10 and np.sum(y_res < 10) == 10


def _hand_lds_rarity(y, edges, window, y_train=None):
    """LDS rarity of each y by hand: histogram of y_train (default y),
    zero-padded convolution with the max-normalised window, against the same
    smoothing of a uniform histogram of the same total; 1 outside
    [edges[0], edges[-1]]."""
    y_train = y if y_train is None else y_train
    counts = np.histogram(y_train, bins=edges)[0].astype(float)
    h = (len(window) - 1) // 2
    pad = np.zeros(h)
    d = np.convolve(np.r_[pad, counts, pad], window, "valid")
    u = np.convolve(np.r_[pad, np.full(counts.size, counts.sum() / counts.size), pad],
                    window, "valid")
    bin_rarity = np.clip(1 - d / u, 0, 1)
    index = np.clip(np.searchsorted(edges, y, side="right") - 1, 0, counts.size - 1)
    inside = (y >= edges[0]) & (y <= edges[-1])
    return np.where(inside, bin_rarity[index], 1.0)


@pytest.mark.parametrize("cls", ALL)
def test_label_space_is_honoured(cls):
    X, y = skewed(200)
    edges = np.linspace(y.min(), y.max(), 9)
    triang3 = np.array([0.5, 1.0, 0.5])
    expected = _hand_lds_rarity(y, edges, triang3)
    assert 0 < (expected >= 0.5).sum() < y.size
    # a fitted label space: used as it is
    space = LabelSpace(edges=edges, kernel="triang", ks=3).fit(y)
    sampler = cls(label_space=space, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sampler.fit_resample(X, y)
    assert sampler.label_space_ is space
    np.testing.assert_array_equal(sampler.label_space_.edges_, edges)
    np.testing.assert_allclose(sampler.relevance_, expected)
    if hasattr(sampler, "bumps_"):
        rare_rows = np.concatenate(
            [b for b, r in zip(sampler.bumps_, sampler.bump_is_rare_) if r]
        )
        assert set(rare_rows.tolist()) == set(np.flatnonzero(expected >= 0.5).tolist())
    # an unfitted one: cloned and fitted on y, the parameter left untouched
    unfitted = LabelSpace(edges=edges, kernel="triang", ks=3)
    sampler = cls(label_space=unfitted, random_state=0).fit(X, y)
    assert sampler.label_space_ is not unfitted and not hasattr(unfitted, "edges_")
    np.testing.assert_array_equal(sampler.label_space_.edges_, edges)
    np.testing.assert_allclose(sampler.relevance_, expected)


def test_fitted_label_space_is_frozen_across_targets():
    # fitted on other targets, the label space keeps its own counts: the
    # rarity is that of its training targets, not of the resampled ones
    X, y = skewed(200)
    y_other = np.random.RandomState(5).uniform(y.min(), y.max(), 500)
    edges = np.linspace(y.min(), y.max(), 11)
    space = LabelSpace(edges=edges, ks=1, kernel="triang").fit(y_other)
    sampler = RandomOverSampler(label_space=space, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sampler.fit_resample(X, y)
    np.testing.assert_allclose(sampler.relevance_,
                               _hand_lds_rarity(y, edges, [1.0], y_other))
    np.testing.assert_array_equal(sampler.label_space_.counts_,
                                  np.histogram(y_other, edges)[0])


@pytest.mark.parametrize("cls", ALL)
@pytest.mark.parametrize(
    "relevance", ["phi", PhiRelevance(extremes="high"), lambda t: (t > 2).astype(float)],
    ids=["phi", "estimator", "callable"],
)
def test_label_space_without_lds_relevance_raises(cls, relevance):
    X, y = skewed(60)
    for space in (LabelSpace(), LabelSpace(bin_width=0.5).fit(y)):
        sampler = cls(relevance=relevance, label_space=space)
        with pytest.raises(ValueError, match="label_space has no effect"):
            sampler.fit_resample(X, y)
        with pytest.raises(ValueError, match="label_space has no effect"):
            sampler.fit(X, y)
    # without label_space, the same relevance runs and keeps no label space
    sampler = cls(relevance=relevance, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sampler.fit_resample(X, y)
    assert not hasattr(sampler, "label_space_")


def test_smoter_phi_rejects_every_lds_only_setting():
    X, y = skewed(60)
    with pytest.raises(ValueError, match="label_space.*relevance='phi'"):
        SMOTER(relevance="phi", label_space=LabelSpace(bin_width=1)).fit_resample(X, y)
    # the former LDS settings are gone from the samplers
    for name in ("bins", "kernel", "ks", "sigma"):
        with pytest.raises(TypeError):
            SMOTER(relevance="phi", **{name: 5})


@pytest.mark.parametrize("cls", ALL)
def test_unknown_fit_params_and_sample_weight_are_rejected(cls):
    X, y = skewed(60)
    for method in ("fit_resample", "fit"):
        with pytest.raises(TypeError, match="foo"):
            getattr(cls(), method)(X, y, foo=1)
        with pytest.raises(TypeError, match="sample_weight.*ReweightedRegressor"):
            getattr(cls(), method)(X, y, sample_weight=np.ones(60))


@pytest.mark.parametrize("cls", ALL)
def test_dataframe_columns_named_like_attributes(cls):
    # columns named num, X or y are ordinary features
    X, y = skewed(150)
    df = pd.DataFrame(X, columns=["num", "X", "y"])
    sampler = cls(random_state=0)
    X_res, y_res = sampler.fit_resample(df, pd.Series(y, name="t"))
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["num", "X", "y"]
    assert isinstance(y_res, pd.Series) and len(y_res) == len(X_res)
    n_kept = sampler.sample_indices_.size
    pd.testing.assert_frame_equal(
        X_res.iloc[:n_kept], df.iloc[sampler.sample_indices_].reset_index(drop=True)
    )
    np.testing.assert_array_equal(y_res.to_numpy()[:n_kept], y[sampler.sample_indices_])
    # the same rows as with an array
    X_arr, _ = cls(random_state=0).fit_resample(X, y)
    np.testing.assert_allclose(X_res.to_numpy(), X_arr)


def test_y_series_indexed_by_a_columns_label_stays_a_series():
    X, y = skewed(60)
    y_s = pd.Series(y, index=["columns"] + [f"r{i}" for i in range(59)], name="t")
    X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y_s)
    assert isinstance(y_res, pd.Series) and y_res.name == "t"


def brute_smogn_expected_interpolations(X, sampler, k):
    """Expected number (and variance) of SMOGN's interpolated samples under
    the reference rule, by loops: in each rare bump, a seed's safe distance is
    half the median of its distances to all members of the bump (itself
    included); each of its k nearest neighbours drawn at random is safe when
    strictly closer. Seeds: every member n_new // m times, then n_new % m
    distinct members at random."""
    ranges = np.ptp(X, axis=0)
    mean = var = 0.0
    for i, (bump, rare) in enumerate(zip(sampler.bumps_, sampler.bump_is_rare_)):
        n_new = sampler.sampling_strategy_[i] - bump.size
        if not rare or n_new <= 0:
            continue
        m = bump.size
        Z = X[bump] / ranges
        p = np.empty(m)
        for a in range(m):
            dist = [float(np.sqrt(((Z[a] - Z[b]) ** 2).sum())) for b in range(m)]
            half = np.median(dist) / 2
            others = sorted((dist[b], b) for b in range(m) if b != a)[:min(k, m - 1)]
            p[a] = np.mean([d < half for d, _ in others])
        full, rest = divmod(n_new, m)
        mean += full * p.sum() + rest * p.mean()
        var += full * (p * (1 - p)).sum() + rest * (p.mean() * (1 - p.mean()) + p.var())
    return mean, var


@pytest.mark.parametrize("seed", [0, 1])
def test_smogn_interpolation_share_matches_brute_force_reference(seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(300, 2))
    y = np.exp(0.8 * X[:, 0] + 0.5 * rng.normal(size=300))
    runs = 8
    total = 0
    for rs in range(runs):
        sampler = SMOGN(k_neighbors=5, random_state=rs).fit(X, y)
        n_syn = sampler.n_interpolated_ + sampler.n_noise_
        assert n_syn == sum(
            sampler.sampling_strategy_[i] - b.size
            for i, (b, r) in enumerate(zip(sampler.bumps_, sampler.bump_is_rare_)) if r
        )
        total += sampler.n_interpolated_
    mean, var = brute_smogn_expected_interpolations(X, sampler, 5)
    # a share well inside (0, 1): the rule matters on this data
    assert 0.2 < mean / n_syn < 0.8
    assert abs(total / runs - mean) <= 4 * np.sqrt(var / runs) + 0.5


def test_smogn_noise_follows_the_reference_rule():
    """A rare bump of 10 rows with equal numeric features, 7 of category a and
    3 of b (HEOM distances 0 or 1). A seed of a is at distance 0 from 7 of
    the 10: median 0, safe distance 0, so all its samples are noise of scale
    min(0, perturbation) = 0: copies of the seed, whose category is drawn
    from the bump (a with frequency 0.7). A seed of b has median 1, safe
    distance 0.5: its 2 neighbours of b give interpolations, its 3 nearest of
    a (distance 1) noise of scale min(0.5, 0.02)."""
    rng = np.random.RandomState(0)
    n_norm = 400
    X = pd.DataFrame({
        "x": np.r_[rng.normal(size=n_norm), np.zeros(10)],
        "c": pd.Categorical(np.r_[rng.choice(["a", "b"], n_norm), ["a"] * 7, ["b"] * 3]),
    })
    y = np.r_[rng.uniform(0, 1, n_norm), 10 + np.arange(10.0)]
    rel = lambda t: (t >= 10).astype(float)  # noqa: E731
    sampler = SMOGN(relevance=rel, k_neighbors=5, sampling_strategy="balance_over",
                    random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_kept = sampler.sample_indices_.size
    syn_x = X_res["x"].to_numpy()[n_kept:]
    syn_c = X_res["c"].to_numpy()[n_kept:].astype(str)
    syn_y = np.asarray(y_res)[n_kept:]
    n_new = syn_y.size
    assert n_new == n_norm - 10 and np.all(syn_x == 0)
    from_a = np.isin(syn_y, 10 + np.arange(7.0))  # exact copies of a-seeds' targets
    # 7 of 10 seeds are a: about 0.7 n_new copies, all noise of scale 0
    assert abs(from_a.sum() - 0.7 * n_new) <= 3
    # their category comes from the bump, not from the seed (always a)
    share_b = np.mean(syn_c[from_a] == "b")
    assert abs(share_b - 0.3) < 4 * np.sqrt(0.21 / from_a.sum())
    # b-seeds: 2 of 5 neighbours safe; interpolated targets between 17 and 19
    from_b = ~from_a
    expected_interp = from_b.sum() * 2 / 5
    assert sampler.n_interpolated_ == pytest.approx(expected_interp, abs=4 * np.sqrt(
        from_b.sum() * 0.24) + 1)
    assert sampler.n_noise_ == n_new - sampler.n_interpolated_
    # b-seed noise: target sd within the bump (ddof=1) times 0.02
    sd = np.std(10 + np.arange(10.0), ddof=1) * 0.02
    noisy_b = from_b & ~((syn_y >= 17) & (syn_y <= 19) & (syn_c == "b"))
    assert np.all(np.abs(syn_y[noisy_b] - np.clip(syn_y[noisy_b], 17, 19)) < 6 * sd)


def test_smogn_large_bump_median_is_a_seeded_subsample_estimate(monkeypatch):
    from scipy.spatial.distance import cdist

    from skdir.resampling import _generate

    rng = np.random.RandomState(0)
    Z = rng.normal(size=(900, 3))
    rows = np.arange(0, 900, 7)
    exact = np.median(cdist(Z[rows], Z), axis=1) / 2
    # up to MEDIAN_EXACT_MAX members: exact (the seed itself included)
    np.testing.assert_allclose(
        _generate.half_median_distances(Z, rows, np.random.RandomState(1)), exact,
        rtol=1e-12,
    )
    monkeypatch.setattr(_generate, "MEDIAN_EXACT_MAX", 500)
    monkeypatch.setattr(_generate, "MEDIAN_SAMPLE_SIZE", 301)
    est = _generate.half_median_distances(Z, rows, np.random.RandomState(1))
    again = _generate.half_median_distances(Z, rows, np.random.RandomState(1))
    np.testing.assert_array_equal(est, again)
    assert not np.allclose(est, exact, rtol=1e-9)
    rel_err = np.abs(est / exact - 1)
    assert rel_err.mean() < 0.05 and rel_err.max() < 0.2
    # by hand: the median over the drawn members
    drawn = np.random.RandomState(1).choice(900, 301, replace=False)
    np.testing.assert_allclose(est, np.median(cdist(Z[rows], Z[drawn]), axis=1) / 2,
                               rtol=1e-10)


@pytest.mark.parametrize("cls", [SMOTER, SMOGN, GaussianNoise, RandomOverSampler])
def test_balance_over_keeps_every_row_and_only_adds_rare_ones(cls):
    X, y = skewed(300, p=2, seed=3)
    sampler = cls(sampling_strategy="balance_over", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n = y.size
    sizes = np.array([b.size for b in sampler.bumps_])
    rare = sampler.bump_is_rare_
    assert rare.any() and (~rare).any()
    # every original row, once and in order, then the added rows
    if cls is RandomOverSampler:
        assert set(sampler.sample_indices_) == set(range(n))
        np.testing.assert_array_equal(np.bincount(sampler.sample_indices_, minlength=n)[
            np.concatenate([b for b, r in zip(sampler.bumps_, rare) if not r])], 1)
    else:
        np.testing.assert_array_equal(sampler.sample_indices_, np.arange(n))
        np.testing.assert_array_equal(X_res[:n], X)
    # rare bumps grow to the mean normal bump size, normal bumps keep theirs
    goal = int(np.rint(sizes[~rare].mean()))
    expected = {i: (max(goal, int(m)) if r else int(m))
                for i, (m, r) in enumerate(zip(sizes, rare))}
    assert sampler.sampling_strategy_ == expected
    assert len(y_res) == sum(expected.values()) > n
    # "balance" under-samples the normal bump instead
    balanced = cls(sampling_strategy="balance", random_state=0).fit(X, y)
    if cls is not RandomOverSampler:
        assert balanced.sampling_strategy_[int(np.flatnonzero(~rare)[0])] < sizes[~rare][0]


def test_balance_over_is_refused_by_the_under_sampler():
    X, y = skewed(100)
    with pytest.raises(ValueError, match="balance_over"):
        RandomUnderSampler(sampling_strategy="balance_over").fit_resample(X, y)
    # refused before the relevance is looked at, rare samples or not
    with pytest.raises(ValueError, match="balance_over"):
        RandomUnderSampler(sampling_strategy="balance_over",
                           relevance=lambda t: np.zeros_like(t)).fit_resample(X, y)


def test_default_lds_relevance_finds_rare_samples_on_bundled_data():
    """Today's defaults resample concrete and diamonds: the LDS relevance
    finds rare targets (counts documented in the user guide), and so does the
    papers' box-plot relevance."""
    from skdir.datasets import load_concrete, load_diamonds
    from skdir.relevance import LDSRelevance

    expected = {load_concrete: (72, 113), load_diamonds: (7775, 9016)}
    for loader, (n_lds, n_phi) in expected.items():
        data = loader()
        y = np.asarray(data.target, dtype=float)
        assert int((LDSRelevance().fit_transform(y) >= 0.5).sum()) == n_lds
        assert int((PhiRelevance().fit_transform(y) >= 0.5).sum()) == n_phi
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sampler = RandomOverSampler(random_state=0).fit(data.data, y)
        assert sampler.bump_is_rare_.any()
        assert (sampler.relevance_ >= 0.5).sum() == n_lds


def test_phi_without_outliers_warns_with_the_fix_at_the_users_line():
    from imblearn.pipeline import Pipeline
    from sklearn.linear_model import Ridge

    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 2))
    y = rng.uniform(size=200)  # no box-plot outlier: phi is 0 below the maximum
    for run, direct in (
        (lambda: SMOTER(relevance="phi").fit_resample(X, y), True),
        (lambda: SMOGN(relevance="phi").fit(X, y), True),
        (lambda: Pipeline([("s", SMOGN(relevance="phi")), ("r", Ridge())]).fit(X, y),
         False),
    ):
        with pytest.warns(UserWarning, match="no rare") as record:
            run()
        message = str(record[0].message)
        assert "threshold=0.5" in message and "relevance='lds'" in message
        assert "no threshold helps" in message
        if direct:  # a Pipeline calls the sampler through joblib's Memory
            assert record[0].filename == __file__
    # with the LDS relevance, the advice is about the threshold and the bins
    with pytest.warns(UserWarning, match="lower threshold.*narrower bins") as record:
        SMOTER(threshold=1.0).fit_resample(X, y)
    assert record[0].filename == __file__
