import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skdir import LabelSpace
from skdir.bins import kernel_window
from skdir.relevance import (
    LDSRelevance,
    PhiRelevance,
    adjusted_boxplot_stats,
    lds_relevance,
    medcouple,
    phi_relevance,
)


def brute_medcouple(x):
    """O(n^2) medcouple straight from the definition of Brys et al. (2004)."""
    x = np.asarray(x, dtype=float)
    m = np.median(x)
    values = []
    upper, lower = x[x > m], x[x < m]
    k = int(np.sum(x == m))
    for xi in upper:
        for xj in lower:
            values.append(((xi - m) - (m - xj)) / (xi - xj))
    values += [-1.0] * (lower.size * k) + [1.0] * (upper.size * k)
    # pairs of two values tied with the median, indexed 1..k each
    for a in range(1, k + 1):
        for b in range(1, k + 1):
            values.append(-1.0 if a + b - 1 < k else 0.0 if a + b - 1 == k else 1.0)
    return float(np.median(values))


def test_medcouple_symmetric_and_known_values():
    assert medcouple([1, 2, 3, 4, 5]) == 0.0
    assert medcouple(np.r_[-np.arange(10.0), np.arange(10.0)]) == 0.0
    # m = 4 (even count: (3 + 5) / 2); pairs (a <= 4 <= b) of {1,2,3} x {5,10,20}
    x = [1, 2, 3, 5, 10, 20]
    pairs = [((b - 4) - (4 - a)) / (b - a) for a in (1, 2, 3) for b in (5, 10, 20)]
    assert medcouple(x) == pytest.approx(np.median(pairs), abs=1e-12)
    assert medcouple([7.0]) == 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=1, max_size=25))
def test_medcouple_matches_brute_force_with_ties(values):
    assert medcouple(values) == pytest.approx(brute_medcouple(values), abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=30))
def test_medcouple_matches_brute_force_floats(values):
    assert medcouple(values) == pytest.approx(brute_medcouple(values), abs=1e-7)
    assert -1 <= medcouple(values) <= 1


def test_adjusted_boxplot_fences_by_hand():
    rng = np.random.RandomState(0)
    y = rng.exponential(size=400)
    q1, med, q3 = np.quantile(y, [0.25, 0.5, 0.75], method="midpoint")
    mc = brute_medcouple(y[:400])
    assert mc > 0
    low = q1 - 1.5 * np.exp(-4 * mc) * (q3 - q1)
    high = q3 + 1.5 * np.exp(3 * mc) * (q3 - q1)
    stats = adjusted_boxplot_stats(y)
    np.testing.assert_allclose(
        stats, [y[y >= low].min(), q1, med, q3, y[y <= high].max()]
    )
    # a mirrored sample mirrors the fences (MC < 0 branch)
    np.testing.assert_allclose(adjusted_boxplot_stats(-y), -stats[::-1])
    with pytest.raises(ValueError, match="coef"):
        adjusted_boxplot_stats(y, coef=0)


def test_phi_auto_control_points_and_hermite_values():
    y = np.r_[np.arange(20.0), 60.0]
    rel = PhiRelevance().fit(y)
    pts = rel.control_points_
    stats = adjusted_boxplot_stats(y)
    # no low outlier: (min, 0); median 0; high outlier 60: (upper whisker, 1)
    np.testing.assert_allclose(pts, [[0, 0, 0], [stats[2], 0, 0], [stats[4], 1, 0]])
    # zero-slope cubic Hermite between (med, 0) and (whisker, 1): smoothstep
    t = np.linspace(0, 1, 7)
    values = stats[2] + t * (stats[4] - stats[2])
    np.testing.assert_allclose(rel.transform(values), 3 * t**2 - 2 * t**3, atol=1e-12)
    assert rel.transform([1000.0])[0] == 1.0
    assert rel.transform([-1000.0])[0] == 0.0


@pytest.mark.parametrize("extremes, low, high", [("both", 1, 1), ("high", 0, 1),
                                                 ("low", 1, 0)])
def test_phi_extremes(extremes, low, high):
    y = np.r_[-50.0, np.arange(20.0), 70.0]
    rel = phi_relevance(y, extremes=extremes)
    assert rel[0] == low and rel[-1] == high
    assert np.all(rel[8:14] < 0.5)  # y = 7 ... 12, around the median 9.5


def test_phi_user_control_points():
    y = np.arange(10.0)
    # two points, no slopes: PCHIP is the straight line
    rel = PhiRelevance(control_points=[[0, 0], [10, 1]]).fit(y)
    np.testing.assert_allclose(rel.transform([2.5, 5, 7.5]), [0.25, 0.5, 0.75])
    assert rel.transform([100.0])[0] == 1
    # with slopes: cubic Hermite with the given slopes
    rel = PhiRelevance(control_points=[[0, 0, 0.1], [10, 1, 0.1]]).fit(y)
    t = 0.5
    h00, h10, h01, h11 = 2 * t**3 - 3 * t**2 + 1, t**3 - 2 * t**2 + t, -2 * t**3 + 3 * t**2, t**3 - t**2
    expected = h00 * 0 + h10 * 10 * 0.1 + h01 * 1 + h11 * 10 * 0.1
    assert rel.transform([5.0])[0] == pytest.approx(expected)


@pytest.mark.parametrize("points, match", [
    ([[0, 0]], "shape"),
    ([[0, 0], [0, 1]], "strictly increase"),
    ([[0, 0], [1, 2]], r"\[0, 1\]"),
    ([[0, np.nan], [1, 1]], "finite"),
    ([0, 1, 2], "shape"),
])
def test_phi_bad_control_points(points, match):
    with pytest.raises(ValueError, match=match):
        PhiRelevance(control_points=points).fit([1.0, 2.0])


def test_phi_constant_target_has_no_relevance():
    np.testing.assert_array_equal(phi_relevance(np.ones(10)), np.zeros(10))


def test_lds_relevance_without_smoothing_is_count_ratio():
    y = np.array([0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 9.0])
    edges = np.arange(11.0)
    rel = lds_relevance(y, label_space=LabelSpace(edges=edges, kernel="triang", ks=1))
    counts = np.histogram(y, bins=edges)[0]
    uniform = y.size / 10
    expected = np.clip(1 - counts / uniform, 0, 1)[np.minimum(y.astype(int), 9)]
    np.testing.assert_allclose(rel, expected)


def test_lds_relevance_matches_hand_convolution():
    rng = np.random.RandomState(1)
    y = rng.gamma(2.0, size=300)
    n_bins = 12
    edges = np.linspace(y.min(), y.max(), n_bins + 1)
    counts = np.histogram(y, bins=edges)[0].astype(float)
    window = kernel_window("gaussian", 5, 2.0)
    padded = np.convolve(np.r_[np.zeros(2), counts, np.zeros(2)], window, "valid")
    uniform = np.convolve(
        np.r_[np.zeros(2), np.full(n_bins, y.size / n_bins), np.zeros(2)], window, "valid"
    )
    bin_rel = np.clip(1 - padded / uniform, 0, 1)
    index = np.clip(np.searchsorted(edges, y, side="right") - 1, 0, n_bins - 1)
    model = LDSRelevance(label_space=LabelSpace(n_bins=n_bins, strategy="uniform")).fit(y)
    np.testing.assert_allclose(model.label_space_.edges_, edges)
    np.testing.assert_allclose(model.label_space_.effective_counts_, padded)
    np.testing.assert_allclose(model.bin_relevance_, bin_rel)
    np.testing.assert_allclose(model.transform(y), bin_rel[index])
    # outside the fitted range there is no data: relevance 1
    np.testing.assert_array_equal(model.transform([y.min() - 1, y.max() + 1]), [1, 1])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=2, max_size=60))
def test_relevances_are_in_unit_interval(values):
    y = np.asarray(values)
    for rel in (lds_relevance(y), phi_relevance(y)):
        assert rel.shape == y.shape
        assert np.all((rel >= 0) & (rel <= 1))


def test_relevance_does_not_modify_input_and_rejects_bad_y():
    y = np.array([3.0, 1.0, 2.0, 10.0])
    copy = y.copy()
    lds_relevance(y)
    phi_relevance(y)
    np.testing.assert_array_equal(y, copy)
    for func in (lds_relevance, phi_relevance):
        with pytest.raises(ValueError, match="NaN"):
            func([1.0, np.nan])
        with pytest.raises(TypeError, match="strings"):
            func(["a", "b"])
        with pytest.raises(ValueError, match="1-D"):
            func(np.ones((3, 2)))
    with pytest.raises(ValueError, match="kernel"):
        LDSRelevance(label_space=LabelSpace(kernel="box")).fit(y)
    with pytest.raises((TypeError, ValueError), match="label_space"):
        LDSRelevance(label_space="auto").fit(y)


def test_lds_relevance_label_space_default_fitted_and_unfitted():
    rng = np.random.RandomState(2)
    y = rng.exponential(size=200)
    # None: a default LabelSpace fitted on y; the same numbers as its rarity
    model = LDSRelevance().fit(y)
    assert isinstance(model.label_space_, LabelSpace)
    reference = LabelSpace().fit(y)
    np.testing.assert_array_equal(model.label_space_.edges_, reference.edges_)
    grid = np.linspace(y.min() - 1, y.max() + 1, 50)
    np.testing.assert_array_equal(model.transform(grid), reference.rarity(grid))
    # unfitted: cloned and fitted, the parameter left untouched
    space = LabelSpace(bin_width=0.25, kernel="laplace", ks=3, sigma=1.0)
    model = LDSRelevance(label_space=space).fit(y)
    assert model.label_space_ is not space and not hasattr(space, "edges_")
    np.testing.assert_allclose(np.diff(model.label_space_.edges_), 0.25)
    # fitted: used as it is, whatever y fit gets (frozen counts)
    other = rng.uniform(0, y.max(), 500)
    frozen = LabelSpace(edges=np.linspace(0, y.max(), 8), ks=1, kernel="triang").fit(other)
    model = LDSRelevance(label_space=frozen).fit(y)
    assert model.label_space_ is frozen
    counts = np.histogram(other, frozen.edges_)[0]
    by_hand = np.clip(1 - counts / (counts.sum() / counts.size), 0, 1)
    np.testing.assert_allclose(model.bin_relevance_, by_hand)
    index = np.clip(np.searchsorted(frozen.edges_, y, side="right") - 1, 0, 6)
    np.testing.assert_allclose(model.transform(y), by_hand[index])
    np.testing.assert_allclose(lds_relevance(y, label_space=frozen), by_hand[index])
