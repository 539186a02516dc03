"""Tests of skdir.plotting (Agg backend)."""

import sys

import numpy as np
import pytest

from skdir import LabelBins, LDSWeighter

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
    with pytest.raises(ImportError, match=r'pip install "skdir\[plot\]"'):
        plot_label_distribution(y_train)
    with pytest.raises(ImportError, match="needs matplotlib"):
        plot_shot_results({"a": {"all": {"mae": 1.0}}})


def test_label_distribution_draws_counts_density_and_weights(y_train):
    y_copy = y_train.copy()
    fig, ax = plt.subplots()
    out = plot_label_distribution(y_train, weighter=LDSWeighter(bin_width=1.0), ax=ax)
    assert out is ax
    np.testing.assert_array_equal(y_train, y_copy)
    edges = np.arange(0, np.floor(y_train.max()) + 2)
    expected_counts, _ = np.histogram(y_train, bins=edges)
    heights = np.array([p.get_height() for p in ax.patches])
    np.testing.assert_array_equal(heights, expected_counts)
    np.testing.assert_allclose([p.get_x() + p.get_width() / 2 for p in ax.patches],
                               edges[:-1] + 0.5)
    density = ax.get_lines()[0].get_ydata()
    assert density.sum() == pytest.approx(y_train.size)
    weights = ax.weights_ax.get_lines()[0].get_ydata()
    fitted = LDSWeighter(bin_width=1.0).fit(y_train)
    np.testing.assert_allclose(weights, fitted.bin_weights_)
    # sqrt_inv smooths sqrt(counts); the drawn density is its square, rescaled.
    squared = fitted.effective_density_**2
    np.testing.assert_allclose(density, squared * y_train.size / squared.sum())
    labels = (ax.get_legend_handles_labels()[1]
              + ax.weights_ax.get_legend_handles_labels()[1])
    assert set(labels) == {"empirical", "effective (LDS)", "weight"}


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
    ax = plot_error_by_target(y_test, {"a": pred_a, "b": pred_b}, y_train=y_train,
                              bins=LabelBins(n_bins=8), many_threshold=60,
                              few_threshold=10)
    bins = LabelBins(n_bins=8).fit(y_train)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"a", "b"}
    for name, pred in (("a", pred_a), ("b", pred_b)):
        xs, ys = [], []
        for i in range(bins.n_bins_):
            lo, hi = bins.edges_[i], bins.edges_[i + 1]
            member = (y_test >= lo) & (y_test < hi)
            if i == 0:
                member |= y_test < lo
            if i == bins.n_bins_ - 1:
                member |= y_test >= hi
            if member.any():
                xs.append((lo + hi) / 2)
                ys.append(np.mean(np.abs(y_test[member] - pred[member])))
        np.testing.assert_allclose(lines[name].get_xdata(), xs)
        np.testing.assert_allclose(lines[name].get_ydata(), ys)
    # One shaded span per run of equal shot groups.
    shots = np.where(bins.counts_ > 60, "many",
                     np.where(bins.counts_ < 10, "few", "medium"))
    runs = 1 + int(np.sum(shots[1:] != shots[:-1]))
    spans = [p for p in ax.patches if p.get_alpha() == pytest.approx(0.12)]
    assert len(spans) == runs
    legend = ax.get_legend_handles_labels()[1]
    assert {f"{s}-shot" for s in set(shots)} <= set(legend)


def test_error_by_target_single_prediction_and_errors(y_train):
    y_test = np.linspace(0, 10, 50)
    ax = plot_error_by_target(y_test, y_test + 1, y_train=y_train, bins=5)
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), 1.0)
    with pytest.raises(ValueError, match="Inconsistent"):
        plot_error_by_target(y_test, y_test[:-1], y_train=y_train)
    with pytest.raises(ValueError, match="few_threshold"):
        plot_error_by_target(y_test, y_test, y_train=y_train, many_threshold=1,
                             few_threshold=5)


def test_resampling_histograms():
    before = np.array([0.5, 0.5, 1.5, 2.5, 2.5, 2.5])
    after = np.r_[before, 1.5, 1.5, 1.5]
    ax = plot_resampling(before, after, bins=[0, 1, 2, 3])
    labels = [p.get_label() for p in ax.patches]
    assert labels == ["before (6)", "after (9)"]
    # The top of each step outline is the bin count.
    for patch, expected in zip(ax.patches, ([2, 1, 3], [2, 4, 3])):
        xy = patch.get_xy()
        for left, count in zip([0, 1, 2], expected):
            tops = xy[np.isclose(xy[:, 0], left + 0.5) | np.isclose(xy[:, 0], left), 1]
            assert count in tops


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
