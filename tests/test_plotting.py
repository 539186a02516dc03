"""Tests of skdir.plotting (Agg backend)."""

import sys

import numpy as np
import pytest
from scipy.ndimage import convolve1d, gaussian_filter1d

from skdir import LabelSpace, LDSWeighter

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skdir.plotting import (  # noqa: E402
    SHOT_COLORS,
    plot_error_by_target,
    plot_label_distribution,
    plot_resampling,
    plot_shot_results,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def y_train():
    return np.random.RandomState(0).exponential(5.0, size=400)


def test_missing_matplotlib_raises_a_clear_import_error(monkeypatch, y_train):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "scikit-dir\[plot\]"'):
        plot_label_distribution(y_train)
    with pytest.raises(ImportError, match="needs matplotlib"):
        plot_shot_results({"a": {"all": {"mae": 1.0}}})


def _lds_by_hand(counts, ks=5, sigma=2.0):
    """Reference LDS: folded gaussian window, max-normalised, zero padding."""
    impulse = np.zeros(ks)
    impulse[ks // 2] = 1.0
    window = gaussian_filter1d(impulse, sigma=sigma)
    return convolve1d(counts.astype(float), window / window.max(), mode="constant")


def test_label_distribution_draws_counts_density_and_weights(y_train):
    y_copy = y_train.copy()
    fig, ax = plt.subplots()
    weighter = LDSWeighter(label_space=LabelSpace(bin_width=1.0))
    out = plot_label_distribution(y_train, weighter=weighter, ax=ax)
    assert out is ax
    np.testing.assert_array_equal(y_train, y_copy)
    edges = np.arange(0, np.floor(y_train.max()) + 2)
    expected_counts, _ = np.histogram(y_train, bins=edges)
    heights = np.array([p.get_height() for p in ax.patches])
    np.testing.assert_array_equal(heights, expected_counts)
    np.testing.assert_allclose([p.get_x() + p.get_width() / 2 for p in ax.patches],
                               edges[:-1] + 0.5)
    # The line is the LDS effective count of the label space, rescaled to the
    # same total as the bars.
    density = ax.get_lines()[0].get_ydata()
    effective = _lds_by_hand(expected_counts)
    np.testing.assert_allclose(density, effective * y_train.size / effective.sum())
    weights = ax.weights_ax.get_lines()[0].get_ydata()
    fitted = LDSWeighter(label_space=LabelSpace(bin_width=1.0)).fit(y_train)
    np.testing.assert_allclose(weights, fitted.bin_weights_)
    labels = (ax.get_legend_handles_labels()[1]
              + ax.weights_ax.get_legend_handles_labels()[1])
    assert set(labels) == {"empirical", "effective (LDS)", "weight"}


def test_label_distribution_keeps_a_fitted_label_space(y_train):
    # A fitted label space in the weighter is used as given (frozen).
    space = LabelSpace(edges=[0.0, 5.0, 10.0, 40.0], kernel="triang", ks=3).fit(
        np.r_[y_train[y_train < 40], 39.0]
    )
    ax = plot_label_distribution(y_train, weighter=LDSWeighter(label_space=space))
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_array_equal(heights, space.counts_)
    np.testing.assert_allclose([p.get_width() for p in ax.patches], [5, 5, 30])


def test_label_distribution_errors():
    with pytest.raises(ValueError, match="constant"):
        plot_label_distribution(np.ones(10))
    with pytest.raises(ValueError, match="NaN"):
        plot_label_distribution([1.0, np.nan, 3.0])


def test_error_by_target_matches_a_per_bin_loop(y_train):
    rng = np.random.RandomState(1)
    y_test = rng.uniform(0, 20, size=150)
    pred_a = y_test + rng.normal(size=150)
    pred_b = y_test + 2 * rng.normal(size=150)
    space = LabelSpace(n_bins=8, strategy="uniform", many_threshold=60, few_threshold=10)
    ax = plot_error_by_target(y_test, {"a": pred_a, "b": pred_b}, y_train=y_train,
                              label_space=space)
    edges = np.linspace(y_train.min(), y_train.max(), 9)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"a", "b"}
    for name, pred in (("a", pred_a), ("b", pred_b)):
        xs, ys = [], []
        for i in range(8):
            lo, hi = edges[i], edges[i + 1]
            member = (y_test >= lo) & (y_test < hi)
            if i == 0:
                member |= y_test < lo
            if i == 7:
                member |= y_test >= hi
            if member.any():
                xs.append((lo + hi) / 2)
                ys.append(np.mean(np.abs(y_test[member] - pred[member])))
        np.testing.assert_allclose(lines[name].get_xdata(), xs)
        np.testing.assert_allclose(lines[name].get_ydata(), ys)
    # One shaded span per run of equal shot groups.
    counts, _ = np.histogram(y_train, bins=edges)
    shots = np.where(counts > 60, "many", np.where(counts < 10, "few", "medium"))
    runs = 1 + int(np.sum(shots[1:] != shots[:-1]))
    spans = [p for p in ax.patches if p.get_alpha() == pytest.approx(0.12)]
    assert len(spans) == runs
    colors = [matplotlib.colors.to_hex(p.get_facecolor()) for p in spans]
    run_starts = np.r_[0, np.flatnonzero(shots[1:] != shots[:-1]) + 1]
    assert colors == [SHOT_COLORS[shots[i]] for i in run_starts]
    legend = ax.get_legend_handles_labels()[1]
    assert {f"{s}-shot" for s in set(shots)} <= set(legend)


def test_error_by_target_with_a_fitted_label_space():
    # The shots and bins come from the fitted space alone, even for test
    # values far outside its range (counted in its edge bins).
    space = LabelSpace(edges=[0, 1, 2, 3], many_threshold=2, few_threshold=2).fit(
        [0.5, 0.5, 0.5, 1.5, 1.5, 2.5]
    )
    y_test = np.array([-5.0, 0.5, 1.5, 2.5, 9.0])
    ax = plot_error_by_target(y_test, y_test + np.array([1, 3, 2, 4, 6.0]),
                              label_space=space)
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [0.5, 1.5, 2.5])
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [2.0, 2.0, 5.0])
    spans = [p for p in ax.patches if p.get_alpha() == pytest.approx(0.12)]
    assert [matplotlib.colors.to_hex(p.get_facecolor()) for p in spans] == [
        SHOT_COLORS["many"], SHOT_COLORS["medium"], SHOT_COLORS["few"]
    ]
    with pytest.raises(ValueError, match="y_train has no effect"):
        plot_error_by_target(y_test, y_test, y_train=y_test, label_space=space)


def test_error_by_target_single_prediction_and_errors(y_train):
    y_test = np.linspace(0, 10, 50)
    ax = plot_error_by_target(y_test, y_test + 1, y_train=y_train,
                              label_space=LabelSpace(n_bins=5))
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), 1.0)
    with pytest.raises(ValueError, match="Inconsistent"):
        plot_error_by_target(y_test, y_test[:-1], y_train=y_train)
    with pytest.raises(ValueError, match="few_threshold"):
        plot_error_by_target(y_test, y_test, y_train=y_train,
                             label_space=LabelSpace(many_threshold=1, few_threshold=5))
    with pytest.raises(ValueError, match="y_train is required"):
        plot_error_by_target(y_test, y_test)
    with pytest.raises(TypeError, match="label_space"):
        plot_error_by_target(y_test, y_test, y_train=y_train, label_space=5)


def test_resampling_histograms():
    before = np.array([0.5, 0.5, 1.5, 2.5, 2.5, 2.5])
    after = np.r_[before, 1.5, 1.5, 1.5]
    ax = plot_resampling(before, after, label_space=LabelSpace(edges=[0, 1, 2, 3]))
    labels = [p.get_label() for p in ax.patches]
    assert labels == ["before (6)", "after (9)"]
    # The top of each step outline is the bin count.
    for patch, expected in zip(ax.patches, ([2, 1, 3], [2, 4, 3])):
        xy = patch.get_xy()
        for left, count in zip([0, 1, 2], expected):
            tops = xy[np.isclose(xy[:, 0], left + 0.5) | np.isclose(xy[:, 0], left), 1]
            assert count in tops


def test_resampling_with_a_fitted_label_space():
    # Values outside a fitted space's range count in its edge bins.
    space = LabelSpace(edges=[0, 1, 2]).fit([0.5, 1.5])
    ax = plot_resampling([-3.0, 0.5, 1.5], [0.5, 1.5, 1.5, 8.0], label_space=space)
    for patch, expected in zip(ax.patches, ([2, 1], [1, 3])):
        xy = patch.get_xy()
        for left, count in zip([0, 1], expected):
            tops = xy[np.isclose(xy[:, 0], left + 0.5) | np.isclose(xy[:, 0], left), 1]
            assert count in tops
    with pytest.raises(TypeError, match="label_space"):
        plot_resampling([1.0, 2.0], [1.0], label_space=[0, 1, 2])


def test_shot_results_bars_and_error_bars():
    results = {
        "Vanilla": {"all": {"mae": 1.0}, "many": {"mae": 0.5}, "few": {"mae": 3.0}},
        "LDS": {"all": {"mae": (1.2, 0.1)}, "many": {"mae": (0.7, 0.2)},
                "few": {"mae": (2.0, 0.3)}},
    }
    ax = plot_shot_results(results, shots=("all", "many", "few"))
    heights = [float(p.get_height()) for p in ax.patches]
    assert heights == [1.0, 0.5, 3.0, 1.2, 0.7, 2.0]
    centers = [p.get_x() + p.get_width() / 2 for p in ax.patches]
    np.testing.assert_allclose(centers, [-0.2, 0.8, 1.8, 0.2, 1.2, 2.2])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["All", "Many", "Few"]
    # Error bars only for the method that has a spread.
    bar_type = matplotlib.container.BarContainer
    bars = [c for c in ax.containers if isinstance(c, bar_type)]
    assert len(bars) == 2
    assert bars[0].errorbar is None
    assert bars[1].errorbar is not None
    with pytest.raises(ValueError, match="non-empty dict"):
        plot_shot_results({})


def test_shot_colors_cover_the_groups():
    assert set(SHOT_COLORS) == {"many", "medium", "few"}
