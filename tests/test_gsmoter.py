"""GSMOTER: the geometry of its synthetic points, checked against the
definition of the truncated and deformed hyper-sphere, its surface points
against brute-force neighbours, and its targets against the paper's rule."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse, stats
from sklearn.utils._param_validation import InvalidParameterError

from skdir import LabelSpace
from skdir.resampling import GSMOTER, SMOTER
from skdir.resampling._gsmoter import geometric_points


def _data(n=300, seed=0):
    rng = np.random.RandomState(seed)
    # features of very different scales: the sphere lives in X / range
    X = rng.normal(size=(n, 3)) * [1.0, 50.0, 0.01]
    y = rng.exponential(size=n)
    return X, y


def _fit(X, y, **params):
    sampler = GSMOTER(random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        X_res, y_res = sampler.fit_resample(X, y)
    n_kept = sampler.sample_indices_.size
    return sampler, np.asarray(X_res)[n_kept:], np.asarray(y_res)[n_kept:]


def _frame(X, sampler, X_new):
    """Each synthetic point in the coordinates of its sphere: the component
    ``t`` along the centre-to-surface axis and the perpendicular length
    ``q``, both in radii, in the space of X divided by its ranges."""
    ranges = np.ptp(X, axis=0)
    ranges[ranges == 0] = 1.0
    c = X[sampler.seed_indices_] / ranges
    s = X[sampler.surface_indices_] / ranges
    p = X_new / ranges
    radius = np.linalg.norm(s - c, axis=1)
    assert np.all(radius > 0)
    e = (s - c) / radius[:, None]
    u = (p - c) / radius[:, None]
    t = np.sum(u * e, axis=1)
    q = np.linalg.norm(u - t[:, None] * e, axis=1)
    return t, q, c, s, p


@pytest.mark.parametrize("truncation", [-1.0, -0.4, 0.0, 0.5, 1.0])
@pytest.mark.parametrize("deformation", [0.0, 0.3, 0.8])
@pytest.mark.parametrize("selection", ["minority", "majority", "combined"])
def test_points_lie_in_the_truncated_deformed_sphere(truncation, deformation,
                                                     selection):
    X, y = _data()
    sampler, X_new, _ = _fit(X, y, truncation_factor=truncation,
                             deformation_factor=deformation,
                             selection_strategy=selection)
    assert X_new.shape[0] == 150 - 32  # the rare bump of 32 grows to 150
    t, q, *_ = _frame(X, sampler, X_new)
    # inside the spheroid of semi-axes 1 (along e) and 1 - deformation
    assert np.all(t**2 + (q / (1 - deformation)) ** 2 <= 1 + 1e-9)
    # on the kept side of the truncation plane
    if truncation > 0:
        assert np.all(t >= truncation - 1 - 1e-9)
    elif truncation < 0:
        assert np.all(t <= truncation + 1 + 1e-9)


def test_truncation_0_deformation_0_fills_the_ball_uniformly():
    # 4,000 points in one 3-D ball around the seed: |u|^3 is uniform on
    # [0, 1] for a uniform point in the ball, and the directions are
    # symmetric.
    rng = np.random.RandomState(1)
    c = np.zeros((4000, 3))
    s = np.tile([2.0, 0.0, 0.0], (4000, 1))
    p = geometric_points(c, s, 0.0, 0.0, rng) / 2.0
    r = np.linalg.norm(p, axis=1)
    assert r.max() <= 1 + 1e-12
    assert stats.kstest(r**3, "uniform").pvalue > 1e-3
    np.testing.assert_allclose(p.mean(axis=0), 0, atol=0.05)
    # half of the points on each side of the plane through the centre
    assert abs((p[:, 0] > 0).mean() - 0.5) < 0.03


def test_truncation_in_one_dimension_by_hand():
    # In 1-D the unit ball is [-1, 1]. truncation 0.5 reflects t < -0.5 to
    # -t: t is uniform on [-0.5, 0.5] with mass 1/2 and on (0.5, 1] with mass
    # 1/2 (density doubled). truncation 1 keeps [0, 1]; -1 keeps [-1, 0].
    rng = np.random.RandomState(0)
    c, s = np.zeros((20000, 1)), np.full((20000, 1), 2.0)
    t = geometric_points(c, s, 0.5, 0.0, rng)[:, 0] / 2.0
    assert t.min() >= -0.5 - 1e-12 and t.max() <= 1.0
    assert abs((t > 0.5).mean() - 0.5) < 0.015
    assert abs(((t > 0) & (t <= 0.5)).mean() - 0.25) < 0.015
    t1 = geometric_points(c, s, 1.0, 0.0, rng)[:, 0] / 2.0
    assert t1.min() >= 0 and abs(t1.mean() - 0.5) < 0.01
    t2 = geometric_points(c, s, -1.0, 0.0, rng)[:, 0] / 2.0
    assert t2.max() <= 0 and abs(t2.mean() + 0.5) < 0.01
    # a surface point equal to the centre: the centre itself
    same = geometric_points(np.ones((3, 2)), np.ones((3, 2)), 0.3, 0.2, rng)
    np.testing.assert_array_equal(same, np.ones((3, 2)))


def test_deformation_1_and_truncation_1_is_smoter_segment():
    X, y = _data()
    sampler, X_new, _ = _fit(X, y, truncation_factor=1.0, deformation_factor=1.0,
                             selection_strategy="minority")
    t, q, *_ = _frame(X, sampler, X_new)
    np.testing.assert_allclose(q, 0, atol=1e-9)
    assert np.all((t >= -1e-12) & (t <= 1 + 1e-12))


def test_truncation_reaches_its_plane():
    # The kept region is filled up to the truncation plane (the check above
    # would also pass for a smaller region).
    X, y = _data(600)
    sampler, X_new, _ = _fit(X, y, truncation_factor=0.5, deformation_factor=0.0,
                             sampling_strategy="balance_over")
    t, q, *_ = _frame(X, sampler, X_new)
    assert t.min() < -0.4
    # In 3-D a cap of height h holds h^2 (3 - h) / 4 of the ball: 5/32 for
    # h = 0.5. The cap beyond t = 0.5 gets its own points and the reflected
    # ones of the cut cap, 10/32 in all.
    n = t.size
    assert n > 400
    assert abs(np.mean(t > 0.5) - 10 / 32) < 4 * np.sqrt(10 / 32 * 22 / 32 / n)


def test_targets_follow_the_inverse_distance_rule():
    X, y = _data()
    for selection in ("minority", "majority", "combined"):
        sampler, X_new, y_new = _fit(X, y, selection_strategy=selection,
                                     truncation_factor=0.0)
        _, _, c, s, p = _frame(X, sampler, X_new)
        d_c = np.linalg.norm(p - c, axis=1)
        d_s = np.linalg.norm(p - s, axis=1)
        y_c, y_s = y[sampler.seed_indices_], y[sampler.surface_indices_]
        np.testing.assert_allclose(y_new, (d_s * y_c + d_c * y_s) / (d_c + d_s))
        assert np.all(y_new >= np.minimum(y_c, y_s) - 1e-12)
        assert np.all(y_new <= np.maximum(y_c, y_s) + 1e-12)


def _heom(X):
    ranges = np.ptp(X, axis=0)
    return X / np.where(ranges > 0, ranges, 1.0)


def test_surface_points_by_brute_force():
    X, y = _data()
    Z = _heom(X)
    k = 4
    minority, *_ = _fit(X, y, selection_strategy="minority", k_neighbors=k)
    bump = minority.bumps_[1]
    assert minority.bump_is_rare_[1]
    normal = np.flatnonzero(minority.relevance_ < minority.threshold)
    D = np.linalg.norm(Z[:, None] - Z[None], axis=2)
    for seed, surf in zip(minority.seed_indices_, minority.surface_indices_):
        others = bump[bump != seed]
        nearest = others[np.argsort(D[seed, others], kind="stable")[:k]]
        assert surf in nearest
    # 118 new rows from a bump of 32: each member is a seed 3 or 4 times
    counts = np.bincount(minority.seed_indices_, minlength=y.size)[bump]
    assert bump.size == 32 and counts.min() == 3 and counts.max() == 4

    majority, *_ = _fit(X, y, selection_strategy="majority")
    expected = normal[np.argmin(D[majority.seed_indices_][:, normal], axis=1)]
    np.testing.assert_array_equal(majority.surface_indices_, expected)

    combined, *_ = _fit(X, y, selection_strategy="combined", k_neighbors=k)
    for seed, surf in zip(combined.seed_indices_, combined.surface_indices_):
        nearest_normal = normal[np.argmin(D[seed, normal])]
        others = bump[bump != seed]
        kth = np.sort(D[seed, others])[k - 1]
        if surf == nearest_normal:
            assert D[seed, surf] < kth
        else:
            assert surf in bump and D[seed, surf] <= D[seed, nearest_normal]


def test_counts_match_smoter_and_balance_over_keeps_every_row():
    X, y = _data()
    g = GSMOTER(random_state=0).fit(X, y)
    s = SMOTER(random_state=0).fit(X, y)
    assert g.sampling_strategy_ == s.sampling_strategy_ == {0: 150, 1: 150}
    over = GSMOTER(sampling_strategy="balance_over", random_state=0)
    X_res, y_res = over.fit_resample(X, y)
    np.testing.assert_array_equal(over.sample_indices_, np.arange(300))
    assert X_res.shape == (300 + 268 - 32, 3)  # the rare bump grows to 268
    np.testing.assert_array_equal(X_res[:300], X)
    # a share of 0.1 asks for 30 rare and 270 normal rows: the rare bump does
    # not shrink below 32 nor the normal one grow beyond 268
    tenth = GSMOTER(sampling_strategy=0.1, random_state=0).fit(X, y)
    assert tenth.sampling_strategy_ == {0: 268, 1: 32}


def test_dataframe_in_and_out_with_nominal_and_integer_columns():
    rng = np.random.RandomState(0)
    n = 200
    X = pd.DataFrame({
        "a": rng.normal(size=n),
        "count": rng.randint(0, 50, size=n),
        "colour": pd.Categorical(rng.choice(["red", "green", "blue"], size=n)),
    })
    y = pd.Series(rng.exponential(size=n), name="target")
    sampler = GSMOTER(random_state=0, truncation_factor=0.0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == ["a", "count", "colour"]
    assert (X_res.dtypes == X.dtypes).all() and y_res.name == "target"
    kept = sampler.sample_indices_.size
    new = X_res.iloc[kept:]
    seeds, surfaces = sampler.seed_indices_, sampler.surface_indices_
    colours = new["colour"].to_numpy()
    from_seed = colours == X["colour"].to_numpy()[seeds]
    from_surface = colours == X["colour"].to_numpy()[surfaces]
    assert np.all(from_seed | from_surface)
    assert new["count"].dtype == X["count"].dtype
    # the input is untouched
    assert X.shape == (n, 3) and X.index.equals(pd.RangeIndex(n))


def test_deterministic_and_global_rng():
    X, y = _data()
    a = GSMOTER(random_state=3).fit_resample(X, y)
    b = GSMOTER(random_state=3).fit_resample(X, y)
    c = GSMOTER(random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    np.random.seed(0)
    d = GSMOTER().fit_resample(X, y)
    np.random.seed(0)
    e = GSMOTER().fit_resample(X, y)
    np.testing.assert_array_equal(d[0], e[0])


def test_single_sample_rare_bump():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 2))
    y = np.r_[rng.normal(size=99), 12.0]
    space = LabelSpace(n_bins=20)
    with pytest.warns(UserWarning, match="single sample"):
        sampler = GSMOTER(selection_strategy="minority", label_space=space,
                          sampling_strategy={1: 5}, random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res[-5:], np.tile(X[99], (5, 1)))
    combined = GSMOTER(label_space=space, sampling_strategy={1: 5}, random_state=0)
    combined.fit(X, y)
    normal = np.flatnonzero(combined.relevance_ < combined.threshold)
    d = np.linalg.norm(_heom(X)[99] - _heom(X)[normal], axis=1)
    assert np.all(combined.surface_indices_ == normal[np.argmin(d)])


def test_no_rare_target_returns_the_data_with_empty_attributes():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0)
    with pytest.warns(UserWarning, match="no rare samples"):
        sampler = GSMOTER(relevance=lambda v: np.zeros_like(v))
        X_res, _ = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    assert sampler.seed_indices_.size == sampler.surface_indices_.size == 0


@pytest.mark.parametrize("params, error, match", [
    ({"truncation_factor": 1.5}, InvalidParameterError, "truncation_factor"),
    ({"deformation_factor": -0.1}, InvalidParameterError, "deformation_factor"),
    ({"selection_strategy": "both"}, InvalidParameterError, "selection_strategy"),
    ({"k_neighbors": 0}, InvalidParameterError, "k_neighbors"),
    ({"relevance": "phi", "label_space": LabelSpace()}, ValueError, "label_space"),
])
def test_bad_parameters(params, error, match):
    X, y = _data(50)
    with pytest.raises(error, match=match):
        GSMOTER(**params).fit_resample(X, y)


def test_bad_inputs():
    X, y = _data(50)
    with pytest.raises(TypeError, match="sample_weight"):
        GSMOTER().fit_resample(X, y, sample_weight=np.ones(50))
    with pytest.raises(TypeError, match="unexpected keyword"):
        GSMOTER().fit_resample(X, y, foo=1)
    with pytest.raises(TypeError, match="sparse"):
        GSMOTER().fit_resample(sparse.csr_matrix(X), y)
    with pytest.raises(ValueError, match="NaN"):
        GSMOTER().fit_resample(np.r_[X[:-1], [[np.nan, 0, 0]]], y)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.floats(-1, 1), st.floats(0, 1),
       st.integers(0, 2**31 - 1))
def test_geometric_points_stay_in_their_region(p, truncation, deformation, seed):
    rng = np.random.RandomState(seed)
    c = rng.normal(size=(200, p))
    s = c + rng.normal(size=(200, p)) * rng.exponential(size=(200, 1))
    points = geometric_points(c, s, truncation, deformation, rng)
    radius = np.linalg.norm(s - c, axis=1)
    e = (s - c) / radius[:, None]
    u = (points - c) / radius[:, None]
    t = np.sum(u * e, axis=1)
    q = np.linalg.norm(u - t[:, None] * e, axis=1)
    assert np.all(np.abs(t) <= 1 + 1e-9)
    assert np.all(q <= (1 - deformation) * np.sqrt(np.clip(1 - t**2, 0, None)) + 1e-9)
    if truncation > 0:
        assert np.all(t >= truncation - 1 - 1e-9)
    if truncation < 0:
        assert np.all(t <= truncation + 1 + 1e-9)
