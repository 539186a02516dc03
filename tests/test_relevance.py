import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skdir import LabelSpace
from skdir.bins import kernel_window
from skdir.datasets import load_abalone
from skdir.relevance import (
    LDSRelevance,
    PhiRelevance,
    adjusted_boxplot_stats,
    lds_relevance,
    medcouple,
    phi_relevance,
)
from skdir.relevance import _fivenum


def tukey_hinges(x):
    """Tukey's hinges by hand: the medians of the lower and upper halves of
    the sorted data, each half holding the median when n is odd."""
    x = np.sort(np.asarray(x, dtype=float))
    half = (x.size + 1) // 2
    return np.median(x[:half]), np.median(x[x.size - half:])


def smoothstep(t):
    """The cubic Hermite piece with slope 0 at both ends, from 0 to 1."""
    return 3 * t**2 - 2 * t**3


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
    y = rng.exponential(size=402)  # n = 2 mod 4: hinges differ from quartiles
    q1, q3 = tukey_hinges(y)
    assert (q1, q3) != tuple(np.quantile(y, [0.25, 0.75], method="midpoint"))
    med = np.median(y)
    mc = brute_medcouple(y)
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


def test_fivenum_is_tukeys_by_hand():
    # R: fivenum(c(1:9, 100)) is 1, 3, 5.5, 8, 100 (numpy's midpoint
    # quartiles would be 3.5 and 7.5)
    np.testing.assert_array_equal(
        _fivenum(np.r_[np.arange(1.0, 10.0), 100.0]), [1, 3, 5.5, 8, 100]
    )
    np.testing.assert_array_equal(_fivenum(np.array([4.0])), [4, 4, 4, 4, 4])
    np.testing.assert_array_equal(_fivenum(np.array([1.0, 3.0])), [1, 1, 2, 3, 3])
    rng = np.random.RandomState(0)
    for n in range(1, 40):
        x = np.sort(rng.normal(size=n))
        q1, q3 = tukey_hinges(x)
        np.testing.assert_allclose(
            _fivenum(x), [x[0], q1, np.median(x), q3, x[-1]], rtol=0, atol=1e-15
        )


def test_abalone_phi_marks_the_published_679_rare_rows():
    y = np.asarray(load_abalone().target, dtype=float)
    assert y.size == 4177
    rel = PhiRelevance().fit(y)
    assert int((rel.transform(y) >= 0.8).sum()) == 679
    # hinges 8 and 11 (IQR 3): outliers below 3.5 and above 15.5
    np.testing.assert_array_equal(rel.boxplot_stats_, [4, 8, 9, 11, 15])
    np.testing.assert_array_equal(rel.control_points_, [[4, 1, 0], [9, 0, 0], [15, 1, 0]])


def test_phi_hand_worked_tukey_hinges_decide_the_outliers():
    # n = 10: hinges 2 and 7 (IQR 5), fences -5.5 and 14.5. NumPy's midpoint
    # quartiles 2.5 and 6.5 would put the fence at 12.5 and make 13 an outlier.
    y = np.r_[np.arange(9.0), 13.0]
    rel = PhiRelevance().fit(y)
    np.testing.assert_array_equal(rel.boxplot_stats_, [0, 2, 4.5, 7, 13])
    # no outlier: (min, 0), (median, 0), (max, 0): nothing is relevant
    np.testing.assert_array_equal(rel.control_points_, [[0, 0, 0], [4.5, 0, 0], [13, 0, 0]])
    np.testing.assert_array_equal(rel.transform(y), np.zeros(10))
    # 15 is beyond the fence: the upper whisker 8 gets relevance 1
    y = np.r_[np.arange(9.0), 15.0]
    rel = PhiRelevance().fit(y)
    np.testing.assert_array_equal(rel.control_points_, [[0, 0, 0], [4.5, 0, 0], [8, 1, 0]])
    grid = np.array([-3.0, 0.0, 2.0, 4.5, 5.375, 6.25, 7.0, 8.0, 15.0, 99.0])
    t = np.clip((grid - 4.5) / 3.5, 0, 1)
    expected = np.where(grid > 4.5, smoothstep(t), 0.0)
    np.testing.assert_allclose(rel.transform(grid), expected, atol=1e-15)
    assert rel.transform([6.25])[0] == pytest.approx(0.5)
    assert rel.transform([7.0])[0] == pytest.approx(3 * (5 / 7) ** 2 - 2 * (5 / 7) ** 3)


def test_phi_low_tail_and_median_at_the_minimum():
    # low outlier -40: hinges 1.5 and 6.5 (n = 11), lower whisker 0
    # (relevance 1), median 4, no high outlier (max 9, relevance 0)
    y = np.r_[-40.0, np.arange(10.0)]
    rel = PhiRelevance().fit(y)
    np.testing.assert_array_equal(rel.boxplot_stats_, [0, 1.5, 4, 6.5, 9])
    np.testing.assert_array_equal(rel.control_points_, [[0, 1, 0], [4, 0, 0], [9, 0, 0]])
    assert rel.transform([-40.0])[0] == 1 and rel.transform([9.0])[0] == 0
    # median equal to the minimum: UBL leaves that point out. Hinges 0 and 1
    # (n = 9), upper fence 2.5: 3 is an outlier, the upper whisker 2
    y = np.r_[np.zeros(6), 1.0, 2.0, 3.0]
    rel = PhiRelevance().fit(y)
    np.testing.assert_array_equal(rel.control_points_, [[0, 0, 0], [2, 1, 0]])
    # and without an outlier (n = 8: hinges 0 and 1.5, fence 3.75), the
    # maximum with relevance 0
    rel = PhiRelevance().fit(np.r_[np.zeros(5), 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(rel.boxplot_stats_, [0, 0, 0, 1.5, 3])
    np.testing.assert_array_equal(rel.control_points_, [[0, 0, 0], [3, 0, 0]])


def test_phi_whisker_at_the_median_is_a_step():
    # 8 zeros: hinges and median 0 (IQR 0), so 1 and 5 are outliers and the
    # upper whisker is 0 itself. The zeros keep relevance 0, the outliers 1.
    y = np.r_[np.zeros(8), 1.0, 5.0]
    rel = PhiRelevance().fit(y)
    np.testing.assert_array_equal(rel.control_points_, [[0, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(rel.transform(y), np.r_[np.zeros(8), 1, 1])
    np.testing.assert_array_equal(rel.transform([-1.0, 0.0, 1e-9]), [0, 0, 1])
    # both tails degenerate: 1 below, 0 at, 1 above the median
    y = np.r_[-3.0, np.zeros(9), 4.0]
    np.testing.assert_array_equal(phi_relevance(y), np.r_[1, np.zeros(9), 1])


def test_phi_matches_the_smogn_package(monkeypatch):
    """The ``smogn`` package's relevance on random data. It takes NumPy's
    midpoint quartiles where R takes Tukey's hinges: the same numbers unless
    n = 2 mod 4, where its control points are checked against ours only for
    the interpolation."""
    smogn = pytest.importorskip("smogn")
    import importlib
    import types

    pd = pytest.importorskip("pandas")
    # smogn calls np.quantile(..., interpolation=...), a keyword NumPy 2 removed
    bps = importlib.import_module("smogn.box_plot_stats")
    shim = types.SimpleNamespace(
        array=np.array, compress=np.compress, min=np.min, max=np.max,
        quantile=lambda a, q, interpolation: np.quantile(a, q, method=interpolation),
    )
    monkeypatch.setattr(bps, "np", shim)
    rng = np.random.RandomState(0)
    for trial in range(40):
        n = int(rng.randint(5, 400))
        y = np.round(rng.lognormal(size=n) * 10, 1) * rng.choice([-1, 1])
        extremes = ["both", "high", "low"][trial % 3]
        ours = PhiRelevance(extremes=extremes).fit(y)
        pts = ours.control_points_
        theirs_pts = smogn.phi_ctrl_pts(y=pd.Series(y), method="auto",
                                        xtrm_type=extremes)
        if n % 4 != 2:
            np.testing.assert_allclose(
                np.asarray(theirs_pts["ctrl_pts"], float).reshape(-1, 3), pts
            )
        given = {"method": "manual", "num_pts": len(pts),
                 "ctrl_pts": pts.ravel().tolist()}
        theirs = np.asarray(smogn.phi(y=pd.Series(y), ctrl_pts=given), float)
        np.testing.assert_allclose(ours.transform(y), theirs, atol=1e-12)


def test_phi_adjusted_boxplot_method_and_setting_checks():
    rng = np.random.RandomState(3)
    y = rng.lognormal(size=301)
    lo_w, _, med, _, hi_w = adjusted_boxplot_stats(y)
    rel = PhiRelevance(method="adjusted_boxplot").fit(y)
    expected = [[y.min(), 0, 0], [med, 0, 0]]
    expected += [[hi_w, 1, 0]] if np.any(y > hi_w) else [[y.max(), 0, 0]]
    if np.any(y < lo_w):
        expected[0] = [lo_w, 1, 0]
    np.testing.assert_allclose(rel.control_points_, expected)
    # the medcouple moves the upper fence out on this right-skewed sample
    assert hi_w > PhiRelevance().fit(y).boxplot_stats_[4]
    with pytest.raises(ValueError, match="method='adjusted_boxplot' has no effect"):
        PhiRelevance(method="adjusted_boxplot", control_points=[[0, 0], [1, 1]]).fit(y)
    with pytest.raises(ValueError, match="coef=3.0"):
        PhiRelevance(coef=3.0, control_points=[[0, 0], [1, 1]]).fit(y)
    with pytest.raises(ValueError, match="method"):
        PhiRelevance(method="quartiles").fit(y)


def test_phi_auto_control_points_and_hermite_values():
    y = np.r_[np.arange(20.0), 60.0]
    for method in ("boxplot", "adjusted_boxplot"):
        rel = PhiRelevance(method=method).fit(y)
        pts = rel.control_points_
        # n = 21: hinges 5 and 15, fence 30; the same whiskers either way
        np.testing.assert_allclose(rel.boxplot_stats_, [0, 5, 10, 15, 19])
        # no low outlier: (min, 0); median 0; high outlier 60: (whisker 19, 1)
        np.testing.assert_allclose(pts, [[0, 0, 0], [10, 0, 0], [19, 1, 0]])
        t = np.linspace(0, 1, 7)
        np.testing.assert_allclose(rel.transform(10 + 9 * t), smoothstep(t), atol=1e-12)
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
        phi_relevance(np.ones((3, 2)))
    with pytest.raises(ValueError, match="at most 3 target columns"):
        lds_relevance(np.ones((3, 4)))
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
