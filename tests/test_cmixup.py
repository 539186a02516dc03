"""CMixup: partners drawn with the label kernel (checked against the
brute-force probabilities), rows and targets mixed linearly, and the sampler
conventions."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.utils._param_validation import InvalidParameterError

from skdir import LabelSpace
from skdir.resampling import CMixup
from skdir.resampling._cmixup import KERNEL_CUT, kernel_partners


def _data(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    y = rng.exponential(size=n)
    return X, y


def _kernel_probabilities(y, value, h):
    """Brute force: exp(-d^2 / 2h^2) over every target within the cut."""
    d = (y - value) / h
    w = np.where(np.abs(d) < KERNEL_CUT, np.exp(-0.5 * d**2), 0.0)
    return w / w.sum()


@pytest.mark.parametrize("h", [0.3, 1.0, 4.0])
def test_partner_frequencies_match_the_kernel(h):
    # Targets with ties, a gap and a far outlier (beyond the cut for small h).
    y = np.sort(np.array([0.0, 0.1, 0.1, 0.5, 1.0, 1.2, 2.0, 3.5, 9.0]))
    rng = np.random.RandomState(0)
    n_draws = 60_000
    for value in (0.1, 1.2, 9.0):
        picks = kernel_partners(y, np.full(n_draws, value), h, rng)
        freq = np.bincount(picks, minlength=y.size) / n_draws
        expected = _kernel_probabilities(y, value, h)
        # every frequency within 4 standard errors of its probability (and a
        # few draws, for the probabilities too small for the normal law)
        se = np.sqrt(expected * (1 - expected) / n_draws)
        assert np.all(np.abs(freq - expected) <= 4 * se + 5 / n_draws)
        assert np.all(freq[expected == 0] == 0)
        if (expected > 0).sum() > 1:
            chi2 = stats.chisquare(freq[expected > 0] * n_draws,
                                   expected[expected > 0] * n_draws)
            assert chi2.pvalue > 1e-3


def test_partners_for_many_values_at_once_and_memory_free_of_n_squared():
    # 200,000 targets and 5,000 seeds: the window arrays are 5,000 x 41,
    # never 5,000 x 200,000.
    rng = np.random.RandomState(1)
    y = np.sort(rng.normal(size=200_000))
    values = y[rng.choice(y.size, 5000)]
    picks = kernel_partners(y, values, 0.05, rng)
    d = (y[picks] - values) / 0.05
    assert np.all(np.abs(d) < KERNEL_CUT)
    # the offsets follow the kernel: about N(0, 1) in bandwidths (the
    # density of y is nearly flat over 0.05)
    assert abs(d.std() - 1) < 0.05 and abs(d.mean()) < 0.05


def test_auto_bandwidth_is_one_label_bin():
    X, y = _data()
    # a label space of 0.25-wide bins: the kernel is a quarter of a target unit
    fine = CMixup(label_space=LabelSpace(bin_width=0.25), random_state=0).fit(X, y)
    assert fine.bandwidth_ == pytest.approx(0.25)
    # unequal bins: the median width (widths 1, 1, 2, 16 -> 1.5)
    edges = [0.0, 1.0, 2.0, 4.0, 20.0]
    uneven = CMixup(label_space=LabelSpace(edges=edges), random_state=0).fit(X, y)
    assert uneven.bandwidth_ == pytest.approx(1.5)
    # without a label space (phi relevance): the default one's bin width
    phi = CMixup(relevance="phi", random_state=0).fit(X, y)
    default = LabelSpace().fit(y)
    assert phi.bandwidth_ == pytest.approx(np.median(np.diff(default.edges_)))
    assert CMixup(bandwidth=0.3, random_state=0).fit(X, y).bandwidth_ == 0.3


def test_rows_and_targets_are_mixed_linearly():
    X, y = _data()
    sampler = CMixup(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    kept = sampler.sample_indices_.size
    s, p, lam = sampler.seed_indices_, sampler.partner_indices_, sampler.mixing_weights_
    assert s.size == p.size == lam.size == y_res.size - kept
    np.testing.assert_allclose(X_res[kept:],
                               lam[:, None] * X[s] + (1 - lam[:, None]) * X[p])
    np.testing.assert_allclose(y_res[kept:], lam * y[s] + (1 - lam) * y[p])
    assert np.all(y_res[kept:] >= np.minimum(y[s], y[p]) - 1e-12)
    assert np.all(y_res[kept:] <= np.maximum(y[s], y[p]) + 1e-12)
    # seeds come from the rare bump, spread evenly over its members
    rare = sampler.bumps_[1]
    assert sampler.bump_is_rare_[1] and np.isin(s, rare).all()
    counts = np.bincount(s, minlength=y.size)[rare]
    assert counts.max() - counts.min() <= 1
    assert sampler.bandwidth_ == pytest.approx(
        np.median(np.diff(sampler.label_space_.edges_)))


def test_lambda_follows_beta_alpha_alpha():
    X, y = _data(2000)
    for alpha in (0.5, 2.0):
        sampler = CMixup(alpha=alpha, sampling_strategy="balance_over",
                         random_state=0).fit(X, y)
        lam = sampler.mixing_weights_
        assert lam.size > 1000
        assert stats.kstest(lam, stats.beta(alpha, alpha).cdf).pvalue > 1e-3


def test_partners_in_the_sampler_follow_the_kernel():
    # One rare seed (a far target) gets many synthetic rows; its partners
    # follow the kernel over all original rows, the seed itself included.
    rng = np.random.RandomState(0)
    y = np.r_[rng.uniform(0, 1, 60), [3.0, 3.2, 3.5]]
    X = rng.normal(size=(y.size, 2))
    space = LabelSpace(edges=np.linspace(0, 4, 9))
    sampler = CMixup(label_space=space, bandwidth=0.5,
                     sampling_strategy={1: 3 + 30_000}, random_state=0)
    sampler.fit(X, y)
    assert sampler.bump_is_rare_.tolist() == [False, True]
    s, p = sampler.seed_indices_, sampler.partner_indices_
    expected = sum(_kernel_probabilities(y, y[i], 0.5) for i in (60, 61, 62)) / 3
    freq = np.bincount(p, minlength=y.size) / p.size
    se = np.sqrt(expected * (1 - expected) / p.size)
    assert np.all(np.abs(freq - expected) <= 4 * se + 5 / p.size)
    assert np.bincount(s, minlength=y.size)[60:].tolist() == [10_000] * 3


def test_bandwidth_extremes():
    X, y = _data()
    tiny = CMixup(bandwidth=1e-9, random_state=0).fit(X, y)
    # a kernel far narrower than the spacing: each seed is its own partner
    np.testing.assert_array_equal(tiny.partner_indices_, tiny.seed_indices_)
    wide = CMixup(bandwidth=1e6, sampling_strategy="balance_over",
                  random_state=0).fit(X, y)
    # a kernel far wider than the data: plain mixup, partners uniform
    freq = np.bincount(wide.partner_indices_, minlength=y.size)
    assert stats.chisquare(freq).pvalue > 1e-3
    # a bandwidth below the floating-point spacing of the targets: the
    # partners are the equal targets, uniformly
    y_big = np.sort(np.r_[1e8, 1e8, 1e8 + 1, 5.0])
    picks = kernel_partners(y_big, np.full(4000, 1e8), 1e-12, np.random.RandomState(0))
    counts = np.bincount(picks, minlength=4)
    assert counts[0] == counts[3] == 0 and abs(counts[1] - 2000) < 200


def test_dataframe_in_and_out_with_nominal_and_integer_columns():
    rng = np.random.RandomState(0)
    n = 200
    X = pd.DataFrame({
        "a": rng.normal(size=n),
        "count": rng.randint(0, 50, size=n),
        "colour": pd.Categorical(rng.choice(["red", "green", "blue"], size=n)),
    })
    y = pd.Series(rng.exponential(size=n), name="target")
    sampler = CMixup(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert (X_res.dtypes == X.dtypes).all() and y_res.name == "target"
    kept = sampler.sample_indices_.size
    s, p, lam = sampler.seed_indices_, sampler.partner_indices_, sampler.mixing_weights_
    heavier = np.where(lam >= 0.5, s, p)
    np.testing.assert_array_equal(X_res["colour"].to_numpy()[kept:],
                                  X["colour"].to_numpy()[heavier])
    mixed = lam * X["count"].to_numpy()[s] + (1 - lam) * X["count"].to_numpy()[p]
    np.testing.assert_array_equal(X_res["count"].to_numpy()[kept:], np.rint(mixed))


def test_deterministic_and_global_rng():
    X, y = _data()
    a = CMixup(random_state=3).fit_resample(X, y)
    b = CMixup(random_state=3).fit_resample(X, y)
    c = CMixup(random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    np.random.seed(0)
    d = CMixup().fit_resample(X, y)
    np.random.seed(0)
    e = CMixup().fit_resample(X, y)
    np.testing.assert_array_equal(d[1], e[1])


def test_no_rare_target_returns_the_data_with_empty_attributes():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0)
    with pytest.warns(UserWarning, match="no rare samples"):
        sampler = CMixup(relevance=lambda v: np.zeros_like(v), bandwidth=0.5)
        X_res, _ = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    assert sampler.partner_indices_.size == 0 and sampler.bandwidth_ == 0.5


@pytest.mark.parametrize("params, error, match", [
    ({"alpha": 0}, InvalidParameterError, "alpha"),
    ({"bandwidth": -1.0}, InvalidParameterError, "bandwidth"),
    ({"bandwidth": "scott"}, InvalidParameterError, "bandwidth"),
    ({"sampling_strategy": 1.5}, InvalidParameterError, "sampling_strategy"),
    ({"relevance": "phi", "label_space": LabelSpace()}, ValueError, "label_space"),
])
def test_bad_parameters(params, error, match):
    X, y = _data(50)
    with pytest.raises(error, match=match):
        CMixup(**params).fit_resample(X, y)


def test_bad_inputs():
    X, y = _data(50)
    with pytest.raises(TypeError, match="sample_weight"):
        CMixup().fit_resample(X, y, sample_weight=np.ones(50))
    with pytest.raises(TypeError, match="unexpected keyword"):
        CMixup().fit(X, y, foo=1)
    with pytest.raises(ValueError, match="Inconsistent"):
        CMixup().fit_resample(X[:-1], y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CMixup(random_state=0).fit_resample(X, y)  # no stray warning
