import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone

from skdir import LabelBins, kernel_window, smooth_counts
from skdir.bins import resolve_bins


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


def test_label_bins_width_one_on_integers():
    y = np.array([3, 4, 4, 7])
    bins = LabelBins(bin_width=1).fit(y)
    np.testing.assert_array_equal(bins.edges_, [3, 4, 5, 6, 7, 8])
    np.testing.assert_array_equal(bins.counts_, [1, 2, 0, 0, 1])
    np.testing.assert_array_equal(bins.centers_, [3.5, 4.5, 5.5, 6.5, 7.5])
    assert bins.n_bins_ == 5
    np.testing.assert_array_equal(bins.edges_[bins.transform(y)], np.floor(y))


def test_label_bins_float_negative_targets():
    y = np.array([-2.5, -2.4, -0.1, 0.0, 0.3, 1.99])
    bins = LabelBins(bin_width=0.5).fit(y)
    assert bins.edges_[0] == -2.5 and bins.edges_[-1] == 2.0
    idx = bins.transform(y)
    lo, hi = bins.edges_[idx], bins.edges_[idx + 1]
    assert np.all((lo <= y) & (y < hi))


def test_label_bins_out_of_range_go_to_edge_bins():
    bins = LabelBins(n_bins=4).fit(np.array([0.0, 1.0, 2.0, 4.0]))
    np.testing.assert_array_equal(bins.edges_, [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(bins.transform([-10, 0, 3.99, 4, 4.01, 1e9]), [0, 0, 3, 3, 3, 3])
    np.testing.assert_array_equal(bins.in_range([-10, 0, 4, 4.01]), [False, True, True, False])
    np.testing.assert_array_equal(bins.count_of([-1, 0.5, 3.5, 5]), [0, 1, 1, 0])


def test_label_bins_explicit_edges_and_weights():
    bins = LabelBins(edges=[0, 1, 10]).fit([0.5, 2, 3, 10], sample_weight=[1, 2, 0.5, 1])
    np.testing.assert_allclose(bins.counts_, [1, 3.5])
    with pytest.raises(ValueError, match="do not cover the data"):
        LabelBins(edges=[0, 1, 10]).fit([0.5, 11])


def test_auto_bins_depend_on_total_weight_not_repetition():
    rng = np.random.RandomState(0)
    y = rng.exponential(size=50)
    w = rng.randint(0, 4, size=50)
    w[0] = 1
    weighted = LabelBins().fit(y, sample_weight=w)
    repeated = LabelBins().fit(np.repeat(y, w))
    np.testing.assert_allclose(weighted.edges_, repeated.edges_)
    np.testing.assert_allclose(weighted.counts_, repeated.counts_)
    assert LabelBins().fit(rng.normal(size=1000)).n_bins_ == 20


def test_constant_target_gets_one_centered_range():
    bins = LabelBins(n_bins=2).fit([5.0, 5.0])
    np.testing.assert_allclose(bins.edges_, [4.5, 5.0, 5.5])


def test_resolve_bins_shorthands():
    assert resolve_bins(7).n_bins == 7
    assert resolve_bins([0, 1, 2]).edges == [0, 1, 2]
    assert resolve_bins(bin_width=2).bin_width == 2
    assert resolve_bins(None).get_params() == LabelBins().get_params()
    fitted = LabelBins(n_bins=3).fit([0, 1, 2])
    assert resolve_bins(fitted) is fitted
    with pytest.raises(ValueError, match="at most one"):
        resolve_bins(3, bin_width=1)
    with pytest.raises(TypeError, match="bins must be"):
        resolve_bins(2.5)


def test_label_bins_clone_pickle_does_not_modify_input():
    y = np.array([3.0, 1.0, 2.0])
    before = y.copy()
    bins = LabelBins(bin_width=0.5).fit(y)
    np.testing.assert_array_equal(y, before)
    restored = pickle.loads(pickle.dumps(bins))
    np.testing.assert_array_equal(restored.transform(y), bins.transform(y))
    assert clone(bins).get_params() == bins.get_params()


finite_floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(2, 60), elements=finite_floats), st.integers(1, 30))
def test_bins_monotone_and_cover(y, n_bins):
    bins = LabelBins(n_bins=n_bins).fit(y)
    order = np.argsort(y, kind="stable")
    idx = bins.transform(y[order])
    assert np.all(np.diff(idx) >= 0)
    assert bins.counts_.sum() == y.size
    assert np.all((idx >= 0) & (idx < bins.n_bins_))


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


def test_histogram_counts_any_targets_in_the_fitted_bins():
    y = np.array([0.2, 0.4, 1.5, 2.9, 3.0])
    bins = LabelBins(edges=[0, 1, 2, 3]).fit(y, sample_weight=[1, 2, 1, 1, 1])
    np.testing.assert_allclose(bins.histogram(y, sample_weight=[1, 2, 1, 1, 1]), bins.counts_)
    # Out-of-range values count in the edge bins, like transform().
    np.testing.assert_allclose(bins.histogram([-4.0, 0.5, 2.5, 7.0]), [2, 0, 2])
    np.testing.assert_allclose(bins.histogram(y), [2, 1, 2])
