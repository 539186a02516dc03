"""Tests of skdir.plotting (Agg backend)."""

import sys

import numpy as np
import pytest
from scipy.ndimage import convolve1d, gaussian_filter1d

from skdir import LabelSpace, LDSWeighter
from skdir.bins import SHOTS

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skdir.plotting import (  # noqa: E402
    SHOT_COLORS,
    method_style,
    plot_error_by_target,
    plot_label_distribution,
    plot_resampling,
    plot_shot_results,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _shot_spans(ax):
    return [p for p in ax.patches if str(p.get_gid()).startswith("skdir-shot-")]


def _assert_outside(ax, legend=None):
    """The legend's box does not overlap the axes' box (display coordinates)."""
    fig = ax.figure
    fig.draw_without_rendering()  # also for a Figure made without pyplot
    legend = ax.get_legend() if legend is None else legend
    assert legend is not None
    box = legend.get_window_extent()
    frame = ax.get_window_extent()
    assert not box.overlaps(frame), (box, frame)
    # And it stays inside the figure.
    assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)
    return box


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
    spans = _shot_spans(ax)
    assert len(spans) == runs
    colors = [matplotlib.colors.to_hex(p.get_facecolor()) for p in spans]
    run_starts = np.r_[0, np.flatnonzero(shots[1:] != shots[:-1]) + 1]
    assert colors == [SHOT_COLORS[shots[i]] for i in run_starts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    keys = {"many": "many-shot (> 60 per bin)", "medium": "medium-shot (10–60)",
            "few": "few-shot (< 10 per bin)"}
    assert legend == ["a", "b"] + [keys[s] for s in SHOTS if s in set(shots)]


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
    spans = _shot_spans(ax)
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


# --- styles -----------------------------------------------------------------


def test_twenty_methods_get_twenty_distinct_styles():
    styles = [method_style(i) for i in range(20)]
    assert len({(s["color"], s["marker"]) for s in styles}) == 20
    # The colours alone already differ, and are the 20 of tab20.
    tab20 = {matplotlib.colors.to_hex(c) for c in matplotlib.colormaps["tab20"].colors}
    assert {s["color"] for s in styles} == tab20
    # A light colour never shares the marker or the (empty) hatch of its
    # dark partner, ten places before it.
    for i in range(10):
        dark, light = styles[i], styles[i + 10]
        assert dark["marker"] != light["marker"]
        assert dark["hatch"] == "" and light["hatch"] != ""
        assert light["edgecolor"] == dark["color"]
    # Up to 40 methods the full styles differ; then they repeat.
    full = [tuple(method_style(i).values()) for i in range(40)]
    assert len(set(full)) == 40
    assert method_style(40) == method_style(0)


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True, None])
def test_method_style_rejects_bad_indices(bad):
    with pytest.raises(ValueError, match="i must be a non-negative integer"):
        method_style(bad)


def _lightness(color):
    """CIE L* of an sRGB colour, by the textbook formula."""
    rgb = np.array(matplotlib.colors.to_rgb(color))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ [0.2126, 0.7152, 0.0722]
    return 116 * np.cbrt(luminance) - 16


def test_shot_colors_are_distinct_in_hue_and_lightness():
    assert set(SHOT_COLORS) == {"many", "medium", "few"}
    colors = [SHOT_COLORS[s] for s in SHOTS]
    assert len({matplotlib.colors.to_hex(c) for c in colors}) == 3
    # Apart in lightness too (readable in greyscale and by colour-blind
    # readers): at least 5 L* units between any two.
    lightness = sorted(_lightness(c) for c in colors)
    assert np.min(np.diff(lightness)) >= 5
    # Pale enough for lines drawn on top to stay readable.
    assert min(lightness) >= 75


# --- legends outside the data area ------------------------------------------


def test_every_legend_is_outside_the_axes(y_train):
    rng = np.random.RandomState(2)
    y_test = rng.uniform(0, 20, size=100)
    space = LabelSpace(n_bins=8)
    ax = plot_label_distribution(y_train, label="train")
    box = _assert_outside(ax)
    # Below the axes, and below the x label too.
    assert box.y1 < ax.xaxis.label.get_window_extent().y0
    assert box.y1 < ax.get_window_extent().y0
    ax = plot_error_by_target(y_test, y_test + 1, y_train=y_train, label_space=space,
                              gaps=[(5, 8)])
    box = _assert_outside(ax)
    assert box.x0 > ax.get_window_extent().x1  # to the right
    ax = plot_resampling(y_train, y_train[::2])
    _assert_outside(ax)
    results = {f"m{i}": {"all": {"mae": 1.0 + i}, "few": {"mae": 2.0}}
               for i in range(20)}
    ax = plot_shot_results(results, shots=("all", "few"))
    _assert_outside(ax)
    assert len(ax.get_legend().get_texts()) == 20


def test_legend_on_a_user_axes_is_outside_with_constrained_layout(y_train):
    fig, axes = plt.subplots(1, 2, figsize=(10, 3), layout="constrained")
    plot_resampling(y_train, y_train[::3], ax=axes[0])
    plot_resampling(y_train, y_train[::2], ax=axes[1])
    box = _assert_outside(axes[0])
    # Not over the neighbouring axes either.
    assert not box.overlaps(axes[1].get_window_extent())


# --- label= -------------------------------------------------------------------


def test_labels_name_the_series(y_train):
    y_test = np.linspace(0, 10, 40)
    space = LabelSpace(n_bins=5)
    ax = plot_error_by_target(y_test, y_test + 1, y_train=y_train, label_space=space,
                              label="ridge")
    plot_error_by_target(y_test, y_test + 2, y_train=y_train, label_space=space,
                         label="tree", ax=ax)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["ridge", "tree"]
    np.testing.assert_allclose(lines[1].get_ydata(), 2.0)
    # The second call gets the second style; the shot regions are shaded once.
    for line, style in zip(lines, (method_style(0), method_style(1))):
        assert matplotlib.colors.to_hex(line.get_color()) == style["color"]
        assert line.get_marker() == style["marker"]
    codes = space.fit(y_train)._shot_codes(space.centers_)
    assert len(_shot_spans(ax)) == 1 + int(np.sum(codes[1:] != codes[:-1]))
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["ridge", "tree"] and len(texts) == len(set(texts))
    with pytest.raises(ValueError, match="y_pred is a dict"):
        plot_error_by_target(y_test, {"a": y_test}, y_train=y_train, label="b")
    with pytest.raises(TypeError, match="label must be a str"):
        plot_error_by_target(y_test, y_test, y_train=y_train, label=3)


def test_label_distribution_labels_and_a_second_distribution(y_train):
    space = LabelSpace(bin_width=1.0)
    ax = plot_label_distribution(y_train, weighter=LDSWeighter(label_space=space),
                                 label="all")
    tail = y_train[y_train > 3]
    plot_label_distribution(tail, weighter=LDSWeighter(label_space=space),
                            label="tail", ax=ax)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == [f"{name}: {part}" for name in ("all", "tail")
                     for part in ("empirical", "effective (LDS)", "weight")]
    # One weights axes for both; the second counts are an outline whose
    # values are the histogram of the tail.
    assert len(ax.weights_ax.get_lines()) == 2
    step = [p for p in ax.patches if isinstance(p, matplotlib.patches.StepPatch)]
    assert len(step) == 1
    edges = np.arange(np.floor(tail.min()), np.floor(tail.max()) + 2)
    np.testing.assert_array_equal(step[0].get_data().values,
                                  np.histogram(tail, bins=edges)[0])
    assert (matplotlib.colors.to_hex(ax.get_lines()[1].get_color())
            == method_style(2)["color"])


def test_resampling_label_names_the_resampled_targets():
    before = np.array([0.5, 0.5, 1.5, 2.5])
    space = LabelSpace(edges=[0, 1, 2, 3]).fit(before)
    ax = plot_resampling(before, np.r_[before, 1.5], label_space=space, label="ros")
    plot_resampling(before, before[:2], label_space=space, label="rus", ax=ax)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["before (4)", "ros (5)", "rus (2)"]
    after = [p for p in ax.patches if p.get_label() in ("ros (5)", "rus (2)")]
    assert [matplotlib.colors.to_hex(p.get_edgecolor()) for p in after] == [
        method_style(0)["color"], method_style(1)["color"]]


def test_shot_results_label_adds_one_method_and_lays_out_again():
    ax = plot_shot_results({"A": {"all": {"mae": 1.0}, "few": {"mae": 2.0}}},
                           shots=("all", "few"))
    plot_shot_results({"all": {"mae": 3.0}, "few": {"mae": (4.0, 0.5)}},
                      shots=("all", "few"), label="B", ax=ax)
    plot_shot_results({"all": {"mae": 5.0}, "few": {"mae": 6.0}}, shots=("all", "few"),
                      label="C", ax=ax)
    # Three methods: bars of width 0.8 / 3 centred at -0.8/3, 0, +0.8/3
    # around each group, in the order added; the earlier bars are redrawn.
    assert len(ax.patches) == 6
    heights = [float(p.get_height()) for p in ax.patches]
    assert heights == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    w = 0.8 / 3
    centers = [p.get_x() + p.get_width() / 2 for p in ax.patches]
    np.testing.assert_allclose(centers, [-w, 1 - w, 0, 1, w, 1 + w])
    np.testing.assert_allclose([p.get_width() for p in ax.patches], w)
    # One error bar (B's), at the redrawn position.
    errorbars = [c for c in ax.containers
                 if isinstance(c, matplotlib.container.ErrorbarContainer)]
    assert len(errorbars) == 1
    segments = errorbars[0].lines[2][0].get_segments()
    np.testing.assert_allclose([seg[:, 0].mean() for seg in segments], [0, 1])
    np.testing.assert_allclose(segments[1][:, 1], [3.5, 4.5])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A", "B", "C"]
    colors = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches[::2]]
    assert colors == [method_style(i)["color"] for i in range(3)]
    with pytest.raises(ValueError, match="already shows"):
        plot_shot_results({"all": {"mse": 1.0}}, metric="mse", label="D", ax=ax)
    with pytest.raises(ValueError, match="one method; got a dict of methods"):
        plot_shot_results({"A": {"all": {"mae": 1.0}}}, label="B")
    with pytest.raises(ValueError, match="name it with label="):
        plot_shot_results({"all": {"mae": 1.0}})


# --- gaps ---------------------------------------------------------------------


def test_gaps_are_drawn_as_hatched_bands():
    space = LabelSpace(edges=[0, 2, 4, 6, 8, 10], many_threshold=3,
                       few_threshold=1).fit([1, 1, 1, 1, 3, 3, 5, 9, 9])
    y_test = np.array([0.5, 3.0, 6.5, 9.0, 12.0])
    ax = plot_error_by_target(y_test, y_test + 1, label_space=space,
                              gaps=[(6, 8), (10, np.inf)])
    bands = [p for p in ax.patches if p.get_gid() == "skdir-gap"]
    assert len(bands) == 2
    # An infinite bound stops at the largest plotted value (12, a test value).
    spans = [(b.get_x(), b.get_x() + b.get_width()) for b in bands]
    np.testing.assert_allclose(spans, [(6, 8), (10, 12)])
    assert all(b.get_hatch() for b in bands)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts.count("no training data (gap)") == 1
    assert texts[-1] == "no training data (gap)"
    # Bands lie under the lines and over the shot shading.
    line = ax.get_lines()[0]
    assert _shot_spans(ax)[0].get_zorder() < bands[0].get_zorder() < line.get_zorder()
    # A gap outside the plotted range draws nothing.
    ax = plot_error_by_target(y_test, y_test, label_space=space, gaps=[(50, 60)])
    assert not [p for p in ax.patches if p.get_gid() == "skdir-gap"]


@pytest.mark.parametrize("gaps, match", [
    ([(3, 1)], "low < high"),
    ([(1, np.nan)], "low < high"),
    ([1, 2, 3], "ranges"),
    ("a:b", "ranges"),
])
def test_bad_gaps(gaps, match):
    y = np.linspace(0, 10, 30)
    with pytest.raises(ValueError, match=match):
        plot_error_by_target(y, y, y_train=y, gaps=gaps)


# --- the command line's figures -------------------------------------------------


def test_command_line_figures(monkeypatch, tmp_path):
    from matplotlib.figure import Figure

    from skdir.cli import load_dataset, run_benchmark, select_methods, summarize
    from skdir.cli import write_plots

    saved = {}
    original = Figure.savefig

    def record(fig, path, **kwargs):
        saved[str(path).rsplit("/", 1)[-1]] = fig
        return original(fig, path, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    spec = load_dataset("concrete")
    gaps = np.array([[20.0, 30.0], [70.0, np.inf]])
    records, _, outcomes = run_benchmark(
        spec, select_methods("vanilla,sqrt-inv-lds,inverse-lds,smoter"), seeds=[0],
        context={"model": "ridge"}, gaps=gaps, progress=None, keep_predictions=True,
        max_loss=10.0)
    summary = summarize(records)
    paths = write_plots(tmp_path, spec, summary, outcomes, gaps=gaps)
    assert sorted(saved) == sorted(p.rsplit("/", 1)[-1] for p in paths)
    for name, fig in saved.items():
        for ax in fig.axes:
            if ax.get_legend() is not None:
                _assert_outside(ax)
    ax = saved["error_by_target.png"].axes[0]
    bands = [p for p in ax.patches if p.get_gid() == "skdir-gap"]
    y_test = outcomes[0].y_test
    np.testing.assert_allclose(
        [(b.get_x(), b.get_x() + b.get_width()) for b in bands],
        [(20, 30), (70, max(y_test.max(), outcomes[0].y_train.max()))])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "no training data (gap)" in legend
    # Vanilla and the row chosen on inner folds (not on the test set), drawn
    # with that row's own test predictions.
    chosen = {r["chosen_label"] for r in records if r["method"] == "selected"}
    assert len(chosen) == 1
    chosen = chosen.pop()
    assert chosen != "Vanilla"  # max_loss=10 lets a weighted row win here
    name = f"Selected (inner CV): {chosen} (tabular)"
    assert {"Vanilla (tabular)", name} <= set(legend)
    assert not {label for label in legend if "few-shot test MAE" in label}
    lines = {line.get_label(): line for line in ax.get_lines()}
    own = next(o for o in outcomes if o.method.label == chosen)
    # The line is the chosen row's own error by target.
    alone = plot_error_by_target(y_test, own.y_pred, y_train=own.y_train,
                                 label_space=spec.make_label_space())
    np.testing.assert_allclose(lines[name].get_ydata(),
                               alone.get_lines()[0].get_ydata())
    bars = saved["shot_mae.png"].axes[0]
    assert [t.get_text() for t in bars.get_legend().get_texts()] == [
        "Selected (inner CV)", "Vanilla", "SMOTER", "INVERSE + LDS",
        "SQRT_INV + LDS"]
