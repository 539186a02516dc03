"""Resamplers on multi-output targets (2 or 3 columns): the rare set, the
bumps of the joint grid, the synthetic targets and the containers."""

import warnings

import numpy as np
import pandas as pd
import pytest

from skdir import LabelSpace
from skdir.relevance import PhiRelevance
from skdir.resampling import (
    GSMOTER,
    SMOGN,
    SMOTER,
    WERCS,
    CMixup,
    GaussianNoise,
    RandomOverSampler,
    RandomUnderSampler,
)
from skdir.resampling._generate import _noise, distance_weighted_target

BUMP_SAMPLERS = [SMOTER, SMOGN, GaussianNoise, RandomOverSampler, RandomUnderSampler,
                 GSMOTER]
MULTI = BUMP_SAMPLERS + [WERCS]
BIN = 0.5


def space():
    return LabelSpace(bin_width=BIN, kernel="triang", ks=3)


def make_data(seed=0, n=1200, m=15, scale=(1.0, 1.0)):
    """A 2-D Gaussian bulk of targets and a small far cluster at (4, 4);
    features that follow the targets, plus a noise feature."""
    rng = np.random.RandomState(seed)
    y = np.r_[rng.normal(size=(n, 2)), rng.normal(4.0, 0.6, size=(m, 2))]
    X = np.c_[y @ np.array([[1.0, 0.4], [-0.3, 1.0]]), rng.normal(size=n + m)]
    X[:, :2] += 0.05 * rng.normal(size=(n + m, 2))
    return X, y * np.asarray(scale)


def brute_force_rarity(y):
    """LDS rarity by hand: the joint histogram on the label space's edges,
    smoothed by an explicit loop with the triangular window (0.5, 1, 0.5)
    along each axis (zero outside the grid), against the same smoothing of
    a uniform histogram."""
    # Edges on the multiples of the bin width, from the bin of the minimum
    # to that of the maximum.
    ex, ey = (np.arange(np.floor(c.min() / BIN), np.floor(c.max() / BIN) + 2) * BIN
              for c in y.T)
    counts = np.histogramdd(y, bins=[ex, ey])[0]
    w = {-1: 0.5, 0: 1.0, 1: 0.5}

    def smooth(c):
        out = np.zeros_like(c)
        for i in range(c.shape[0]):
            for j in range(c.shape[1]):
                for a, wa in w.items():
                    for b, wb in w.items():
                        if 0 <= i + a < c.shape[0] and 0 <= j + b < c.shape[1]:
                            out[i, j] += wa * wb * c[i + a, j + b]
        return out

    eff = smooth(counts)
    uniform = smooth(np.full(counts.shape, counts.sum() / counts.size))
    cell_rarity = np.clip(1 - eff / uniform, 0, 1)
    i = np.clip(np.searchsorted(ex, y[:, 0], side="right") - 1, 0, ex.size - 2)
    j = np.clip(np.searchsorted(ey, y[:, 1], side="right") - 1, 0, ey.size - 2)
    return cell_rarity[i, j], (ex, ey)


def test_the_data_have_the_intended_rare_region():
    X, y = make_data()
    rarity, (ex, ey) = brute_force_rarity(y)
    fitted = space().fit(y)
    # The label space learns the same edges as the hand-built ones.
    np.testing.assert_allclose(fitted.edges_[0], ex)
    np.testing.assert_allclose(fitted.edges_[1], ey)
    rare = rarity >= 0.5
    assert rare[1200:].all()  # the whole far cluster
    assert 0 < rare[:1200].sum() < 60  # and a thin fringe of the bulk


@pytest.mark.parametrize("cls", [SMOTER, SMOGN, GSMOTER])
def test_seeds_are_the_brute_force_rare_set(cls):
    X, y = make_data()
    rarity, _ = brute_force_rarity(y)
    rare = np.flatnonzero(rarity >= 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rare bumps of one sample
        sampler = cls(label_space=space(), random_state=0).fit(X, y)
    np.testing.assert_allclose(sampler.relevance_, rarity, atol=1e-12)
    in_rare_bumps = np.concatenate(
        [b for b, r in zip(sampler.bumps_, sampler.bump_is_rare_) if r])
    np.testing.assert_array_equal(np.sort(in_rare_bumps), rare)
    np.testing.assert_array_equal(np.unique(sampler.seed_indices_), rare)
    # Every bump is of one kind, and the bumps partition the samples.
    for bump, is_rare in zip(sampler.bumps_, sampler.bump_is_rare_):
        assert np.all((rarity[bump] >= 0.5) == is_rare)
    np.testing.assert_array_equal(np.sort(np.concatenate(sampler.bumps_)),
                                  np.arange(y.shape[0]))


def test_smoter_targets_lie_on_the_segment_between_seed_and_neighbour():
    X, y = make_data()
    sampler = SMOTER(label_space=space(), random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n_kept = sampler.sample_indices_.size
    new_X, new_y = X_res[n_kept:], y_res[n_kept:]
    s, t = sampler.seed_indices_, sampler.neighbor_indices_
    assert new_y.shape == (s.size, 2) and s.size > 0
    # The position u of the new row on the feature segment, by least squares.
    dx = X[t] - X[s]
    u = np.einsum("ij,ij->i", new_X - X[s], dx) / np.einsum("ij,ij->i", dx, dx)
    np.testing.assert_allclose(new_X, X[s] + u[:, None] * dx, atol=1e-9)
    assert np.all((u >= 0) & (u <= 1))
    # All features numeric: the inverse-distance weights are (1 - u, u), so
    # the target sits at the same position on the target segment.
    np.testing.assert_allclose(new_y, y[s] + u[:, None] * (y[t] - y[s]), atol=1e-9)
    # The neighbour comes from the seed's bump, and is not the seed.
    bump_of = np.empty(y.shape[0], dtype=int)
    for i, b in enumerate(sampler.bumps_):
        bump_of[b] = i
    np.testing.assert_array_equal(bump_of[s], bump_of[t])
    assert np.all(s != t)


def test_gsmoter_targets_lie_on_the_segment_between_centre_and_surface():
    X, y = make_data()
    sampler = GSMOTER(label_space=space(), random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    new = y_res[sampler.sample_indices_.size:]
    c, s = y[sampler.seed_indices_], y[sampler.surface_indices_]
    d = s - c
    t = np.einsum("ij,ij->i", new - c, d) / np.einsum("ij,ij->i", d, d)
    np.testing.assert_allclose(new, c + t[:, None] * d, atol=1e-9)
    assert np.all((t >= -1e-12) & (t <= 1 + 1e-12))


def test_distance_weighted_target_of_vectors_is_per_column():
    rng = np.random.RandomState(0)
    d_s, d_p = rng.uniform(size=7), rng.uniform(size=7)
    d_s[0] = d_p[0] = 0.0
    ys, yp = rng.normal(size=(7, 3)), rng.normal(size=(7, 3))
    out = distance_weighted_target(d_s, d_p, ys, yp)
    expected = np.empty((7, 3))
    expected[0] = (ys[0] + yp[0]) / 2
    expected[1:] = (d_p[1:, None] * ys[1:] + d_s[1:, None] * yp[1:]) / (
        d_s + d_p)[1:, None]
    np.testing.assert_allclose(out, expected)


def test_noise_perturbs_each_target_column_by_its_own_scale():
    rng = np.random.RandomState(0)
    num_b = rng.normal(size=(20, 2))
    y_b = rng.normal(size=(20, 2)) * [1.0, 1000.0]
    seeds = np.arange(20).repeat(3)
    pert = np.linspace(0.01, 0.2, seeds.size)
    num, y_new = _noise(num_b, y_b, seeds, pert, np.random.RandomState(5), ddof=1)
    draws = np.random.RandomState(5)
    z_num = draws.standard_normal((seeds.size, 2))
    z_y = draws.standard_normal((seeds.size, 2))
    sd = np.array([np.std(y_b[:, k], ddof=1) for k in range(2)])
    np.testing.assert_allclose(y_new, y_b[seeds] + z_y * pert[:, None] * sd)
    np.testing.assert_allclose(
        num, num_b[seeds] + z_num * pert[:, None] * num_b.std(axis=0, ddof=1))


def test_smogn_noise_rows_follow_each_column_scale():
    X, y = make_data(scale=(1.0, 1000.0))
    sampler = SMOGN(label_space=LabelSpace(bin_width=[BIN, 1000 * BIN],
                                           kernel="triang", ks=3),
                    k_neighbors=10, perturbation=0.1, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.n_noise_ > 20
    new = y_res[sampler.sample_indices_.size:]
    seeds = sampler.seed_indices_
    # A noise row moves off the segment between seed and neighbour (the
    # cross product of the two displacements, relative to the column scales).
    a = (new - y[seeds]) / [1.0, 1000.0]
    b = (y[sampler.neighbor_indices_] - y[seeds]) / [1.0, 1000.0]
    off = np.abs(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]) > 1e-9
    assert off.sum() == sampler.n_noise_
    shift = (new - y[seeds])[off]
    ratio = np.abs(shift[:, 1]).mean() / np.abs(shift[:, 0]).mean()
    assert 300 < ratio < 3000  # the 1000-fold scale of the second column


@pytest.mark.parametrize("cls", MULTI)
def test_containers_are_kept(cls):
    X, y = make_data()
    sampler = cls(label_space=space(), random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(y_res, np.ndarray) and y_res.ndim == 2
    assert y_res.shape == (X_res.shape[0], 2)
    Xd = pd.DataFrame(X, columns=["a", "b", "c"])
    yd = pd.DataFrame(y, columns=["u", "v"])
    Xd_res, yd_res = cls(label_space=space(), random_state=0).fit_resample(Xd, yd)
    assert isinstance(yd_res, pd.DataFrame) and list(yd_res.columns) == ["u", "v"]
    assert yd_res.index.equals(Xd_res.index)
    np.testing.assert_allclose(yd_res.to_numpy(), y_res)
    np.testing.assert_allclose(Xd_res.to_numpy(), X_res)
    _, yl_res = cls(label_space=space(), random_state=0).fit_resample(
        X.tolist(), y.tolist())
    assert isinstance(yl_res, list) and len(yl_res[0]) == 2
    np.testing.assert_allclose(np.array(yl_res), y_res)
    # The input is not modified.
    np.testing.assert_array_equal(yd.to_numpy(), y)


@pytest.mark.parametrize("cls", [RandomOverSampler, RandomUnderSampler, WERCS])
def test_row_selecting_samplers_copy_target_rows(cls):
    X, y = make_data()
    y_int = np.rint(y * 10).astype(np.int32)
    ls = LabelSpace(bin_width=10 * BIN, kernel="triang", ks=3)
    sampler = cls(label_space=ls, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y_int)
    assert y_res.dtype == np.int32
    np.testing.assert_array_equal(y_res, y_int[sampler.sample_indices_])
    np.testing.assert_array_equal(X_res, X[sampler.sample_indices_])


@pytest.mark.parametrize("cls", MULTI)
def test_random_state_makes_it_deterministic(cls):
    X, y = make_data()
    a = cls(label_space=space(), random_state=3).fit_resample(X, y)
    b = cls(label_space=space(), random_state=3).fit_resample(X, y)
    c = cls(label_space=space(), random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[1].shape != c[1].shape or not np.array_equal(a[1], c[1])


@pytest.mark.parametrize("cls", [SMOTER, SMOGN, GaussianNoise, RandomOverSampler])
def test_shot_counts_move_toward_balance(cls):
    X, y = make_data()
    # Shot groups by the joint cell counts of the original targets.
    frozen = LabelSpace(bin_width=BIN, kernel="triang", ks=3, many_threshold=20,
                        few_threshold=5).fit(y)
    _, y_res = cls(label_space=frozen, random_state=0).fit_resample(X, y)

    def shares(values):
        groups = frozen.shot_of(values)
        return np.array([np.mean(groups == g) for g in ("many", "medium", "few")])

    before, after = shares(y), shares(y_res)
    assert after[0] < before[0] and after[2] > before[2]
    assert np.abs(after - 1 / 3).sum() < np.abs(before - 1 / 3).sum()
    rare_before = np.mean(frozen.rarity(y) >= 0.5)
    rare_after = np.mean(frozen.rarity(y_res) >= 0.5)
    assert rare_after > 5 * rare_before


def test_sampling_strategy_semantics_carry_over():
    X, y = make_data()
    sampler = SMOTER(label_space=space(), sampling_strategy=0.3, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    is_rare = sampler.bump_is_rare_
    counts = np.array(list(sampler.sampling_strategy_.values()))
    assert abs(counts[is_rare].sum() / counts.sum() - 0.3) < 0.01
    assert y_res.shape[0] == counts.sum()
    over = SMOTER(label_space=space(), sampling_strategy="balance_over",
                  random_state=0).fit(X, y)
    sizes = np.array([b.size for b in over.bumps_])
    targets = np.array(list(over.sampling_strategy_.values()))
    np.testing.assert_array_equal(targets[~over.bump_is_rare_],
                                  sizes[~over.bump_is_rare_])
    mean_normal = sizes[~over.bump_is_rare_].mean()
    np.testing.assert_allclose(targets[over.bump_is_rare_], np.rint(mean_normal))
    # A dict names bumps in the order of bumps_.
    rare_bump = int(np.flatnonzero(over.bump_is_rare_)[0])
    grown = SMOTER(label_space=space(), sampling_strategy={rare_bump: 100},
                   random_state=0).fit(X, y)
    assert grown.sampling_strategy_[rare_bump] == 100


def test_joint_bumps_are_connected_regions_of_the_grid():
    # A 7 x 7 grid of unit cells: a dense wall along the middle row (first
    # column in [3, 4)) makes rows 2 to 4 normal (rows 2 and 4 by smoothing)
    # and splits the rare cells into rows 0-1 and rows 5-6; three samples
    # lie in the lower rare region, one in the upper.
    wall = np.array([[3.5, j + 0.5] for j in range(7)]).repeat(20, axis=0)
    y = np.r_[wall, [[0.5, 0.5], [1.5, 5.5], [0.5, 6.5], [6.5, 6.5]]]
    X = np.c_[y, np.arange(y.shape[0]) % 3]
    ls = LabelSpace(edges=[np.arange(8.0), np.arange(8.0)], kernel="triang", ks=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler = RandomOverSampler(label_space=ls, random_state=0).fit(X, y)
    rel = sampler.relevance_
    assert np.all(rel[:140] < 0.5) and np.all(rel[140:] >= 0.5)
    cell_rare = sampler.label_space_.bin_rarity_.reshape(7, 7) >= 0.5
    np.testing.assert_array_equal(cell_rare.all(axis=1), [1, 1, 0, 0, 0, 1, 1])
    np.testing.assert_array_equal(cell_rare.any(axis=1), [1, 1, 0, 0, 0, 1, 1])
    # Bumps in lexicographic order of their smallest target row: the lower
    # rare region (rows 0 and 1 of the grid), the wall, the upper region;
    # members in lexicographic order of their targets.
    assert sampler.bump_is_rare_.tolist() == [True, False, True]
    np.testing.assert_array_equal(sampler.bumps_[0], [140, 142, 141])
    assert sorted(sampler.bumps_[1].tolist()) == list(range(140))
    np.testing.assert_array_equal(sampler.bumps_[2], [143])


def test_unsupported_settings_are_refused_clearly():
    X, y = make_data()
    with pytest.raises(ValueError, match="CMixup supports a scalar target only"):
        CMixup().fit_resample(X, y)
    for relevance in ("phi", PhiRelevance()):
        for cls in (SMOTER, WERCS):
            with pytest.raises(ValueError, match="defined for a scalar target"):
                cls(relevance=relevance).fit_resample(X, y)
    with pytest.raises(ValueError, match="needs relevance='lds'"):
        SMOTER(relevance=lambda t: np.zeros(t.shape[0])).fit_resample(X, y)
    with pytest.raises(ValueError, match="at most 3 target columns"):
        SMOTER().fit_resample(X, np.c_[y, y])
    with pytest.raises(ValueError, match="fitted on 1"):
        SMOTER(label_space=LabelSpace().fit(y[:, 0])).fit_resample(X, y)
    with pytest.raises(ValueError, match="Inconsistent"):
        SMOTER().fit_resample(X[:-1], y)


def test_wercs_takes_any_row_relevance():
    X, y = make_data()
    rel = np.linspace(0.0, 1.0, y.shape[0])
    sampler = WERCS(relevance=lambda t: rel, random_state=0).fit(X, y)
    np.testing.assert_array_equal(sampler.relevance_, rel)


def test_three_columns():
    rng = np.random.RandomState(0)
    y = np.r_[rng.normal(size=(1000, 3)), rng.normal(3.5, 0.3, size=(6, 3))]
    X = y + 0.1 * rng.normal(size=y.shape)
    sampler = SMOTER(label_space=LabelSpace(n_bins=6, kernel="triang", ks=3),
                     random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert y_res.shape == (X_res.shape[0], 3)
    assert np.all(sampler.relevance_[1000:] >= 0.5)
    s, t = sampler.seed_indices_, sampler.neighbor_indices_
    new = y_res[sampler.sample_indices_.size:]
    d = y[t] - y[s]
    u = np.einsum("ij,ij->i", new - y[s], d) / np.einsum("ij,ij->i", d, d)
    np.testing.assert_allclose(new, y[s] + u[:, None] * d, atol=1e-9)
