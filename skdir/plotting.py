"""Plots of label distributions, weights and shot-wise errors.

matplotlib is an optional dependency (``pip install "scikit-dir[plot]"``); each
function raises an :class:`ImportError` saying so when it is missing. Every
plotting function draws on ``ax`` when given (else on a new figure with
constrained layout), names what it draws with ``label`` and returns the axes,
so plots compose with the rest of a matplotlib figure; calling it again on
the same axes adds a series in the next style of :func:`method_style`.

Legends are placed outside the data area (to the right of the axes, or below
them for :func:`plot_label_distribution`, whose second y axis is on the
right). On a figure of your own, create it with ``layout="constrained"`` (or
save it with ``bbox_inches="tight"``) so that the legend is kept in the
figure.
"""

import math
import numbers

import numpy as np

from ._validation import check_same_length, check_target
from .bins import SHOTS, fit_label_space
from .metrics._shots import _shot_space

__all__ = [
    "method_style",
    "plot_error_by_target",
    "plot_label_distribution",
    "plot_resampling",
    "plot_shot_results",
]

#: Background colours of the shot regions (many, medium, few): pale blue,
#: pale yellow and salmon, which differ in lightness as well as in hue so
#: they stay apart in colour-blind vision and in greyscale.
SHOT_COLORS = {"many": "#c6dbef", "medium": "#fff2b3", "few": "#f7b79c"}

#: Style of the target ranges without training data (``gaps=``): grey hatching.
GAP_STYLE = {"facecolor": "white", "edgecolor": "#666666", "hatch": "///"}

# tab20: ten dark colours, then their light partners.
_TAB20 = (
    "#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728",
    "#ff9896", "#9467bd", "#c5b0d5", "#8c564b", "#c49c94", "#e377c2", "#f7b6d2",
    "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5",
)
_DARK, _LIGHT = _TAB20[0::2], _TAB20[1::2]
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "*")
_HATCHES = ("", "///", "...", "xxx")
_LINESTYLES = ("-", "--")
# Artists of the shaded regions carry these gids; the legend lists them last.
_REGION_ORDER = [f"skdir-shot-{name}" for name in SHOTS] + ["skdir-gap"]


def method_style(i):
    """The style of the ``i``-th method (series) of a plot.

    Colours are those of matplotlib's ``tab20``: the ten dark ones for the
    first ten methods, then their ten light partners, drawn with a hatch
    and a dark edge for bars and a different marker for lines, so a light
    colour is never confused with its dark partner. The first 20 methods
    get 20 different colours; methods 20 to 39 repeat the colours with
    another line style and hatch, so that up to 40 methods have distinct
    styles. Styles repeat after that.

    Parameters
    ----------
    i : int
        Index of the method, from 0.

    Returns
    -------
    style : dict
        ``color``, ``marker`` and ``linestyle`` for a line (e.g.
        ``ax.plot(x, y, color=..., marker=..., linestyle=...)``); ``color``,
        ``hatch`` and ``edgecolor`` for a bar.

    Examples
    --------
    >>> from skdir.plotting import method_style
    >>> sorted(method_style(0).items())  # doctest: +NORMALIZE_WHITESPACE
    [('color', '#1f77b4'), ('edgecolor', 'white'), ('hatch', ''),
     ('linestyle', '-'), ('marker', 'o')]
    >>> sorted(method_style(10).items())  # doctest: +NORMALIZE_WHITESPACE
    [('color', '#aec7e8'), ('edgecolor', '#1f77b4'), ('hatch', '///'),
     ('linestyle', '-'), ('marker', 'P')]
    >>> len({tuple(method_style(i).values()) for i in range(40)})
    40
    """
    if isinstance(i, bool) or not isinstance(i, numbers.Integral) or i < 0:
        raise ValueError(f"i must be a non-negative integer, got {i!r}.")
    i = int(i)
    k, rnd = i % 10, (i // 10) % 4
    light = rnd % 2 == 1
    return {
        "color": (_LIGHT if light else _DARK)[k],
        # Shift the markers by half a cycle in each further round.
        "marker": _MARKERS[(k + 5 * rnd) % 10],
        "linestyle": _LINESTYLES[(i // 20) % 2],
        "hatch": _HATCHES[rnd],
        "edgecolor": _DARK[k] if light else "white",
    }


def _line_kw(style):
    return {"color": style["color"], "marker": style["marker"],
            "linestyle": style["linestyle"]}


def _bar_kw(style):
    return {"color": style["color"], "hatch": style["hatch"],
            "edgecolor": style["edgecolor"], "linewidth": 0.5}


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "skdir.plotting needs matplotlib, which is not installed. Install it "
            'with: pip install "scikit-dir[plot]"'
        ) from exc
    return plt


def _axes(ax):
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    return ax


def _next_series(ax, n=1):
    """Index of the next series skdir draws on ``ax``; reserves ``n``."""
    start = getattr(ax, "_skdir_n_series", 0)
    ax._skdir_n_series = start + n
    return start


def _check_label(label):
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a str or None, got {type(label).__name__}.")
    return label


def _legend_outside(ax, *, axes=(), where="right"):
    """One legend for ``ax`` (and ``axes``) outside its data area.

    Entries with the same label are shown once; the series come first, the
    shaded regions after them (many, medium, few, gap).
    """
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import offset_copy

    entries = {}
    # The order in which skdir drew the series, where it recorded one.
    for text, handle in getattr(ax, "_skdir_entries", ()):
        entries.setdefault(text, handle)
    for one in (ax, *axes):
        for handle, text in zip(*one.get_legend_handles_labels()):
            entries.setdefault(text, handle)

    def order(item):
        gid = getattr(item[1], "get_gid", lambda: None)()
        return _REGION_ORDER.index(gid) + 1 if gid in _REGION_ORDER else 0

    items = sorted(entries.items(), key=order)  # stable: series keep their order
    labels = [text for text, _ in items]
    handles = [handle for _, handle in items]
    if where == "right":
        # Columns of at most 18 entries, so a long legend stays as high as
        # the axes.
        ncol = max(1, math.ceil(len(items) / 18))
        return ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1),
                         borderaxespad=0, frameon=False, fontsize="small", ncol=ncol)
    # Below the x tick labels and the x label, whose height is known from
    # the rc settings.
    def points(size):
        return FontProperties(size=size).get_size_in_points()

    drop = (rcParams["xtick.major.size"] + rcParams["xtick.major.pad"]
            + 1.4 * points(rcParams["xtick.labelsize"]) + rcParams["axes.labelpad"]
            + 1.4 * points(rcParams["axes.labelsize"]) + 2)
    anchor = offset_copy(ax.transAxes, fig=ax.figure, y=-drop, units="points")
    return ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0),
                     bbox_transform=anchor, borderaxespad=0, frameon=False,
                     fontsize="small", ncol=min(len(items), 3))


def plot_label_distribution(y, *, weighter=None, sample_weight=None, label=None,
                            ax=None):
    """Empirical label counts, the LDS effective counts and the weights.

    The weighter is fitted on ``y`` and its fitted label space
    (``weighter.label_space_``) drawn: bars give the training count of each
    bin (``counts_``); a line gives the LDS effective counts
    (``effective_counts_``), rescaled to the same total so the two are
    comparable; the weighter's weight of each bin (``bin_weights_``) is
    drawn dashed on a second y axis. The legend is below the axes.

    A second call on the same axes draws its counts as an outline and its
    lines in the next two styles of :func:`method_style`, on the same second
    y axis; name each with ``label``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Training targets.
    weighter : LDSWeighter, default=None
        Unfitted or fitted weighter; it is cloned and fitted on ``y`` (a
        fitted ``label_space`` it holds stays as it is). None uses
        ``LDSWeighter()``.
    sample_weight : array-like of shape (n_samples,), default=None
        Passed to the weighter's ``fit``.
    label : str, default=None
        Name of this distribution: the legend entries become
        ``"<label>: empirical"``, ``"<label>: effective (LDS)"`` and
        ``"<label>: weight"``. None leaves them unprefixed.
    ax : matplotlib Axes, default=None
        Axes to draw on.

    Returns
    -------
    ax : matplotlib Axes
        The axes of the counts; the weights' axes is ``ax.weights_ax``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skdir import LabelSpace, LDSWeighter
    >>> from skdir.plotting import plot_label_distribution
    >>> y = np.random.RandomState(0).exponential(10, size=500)
    >>> weighter = LDSWeighter(label_space=LabelSpace(n_bins=30, strategy="uniform"))
    >>> ax = plot_label_distribution(y, weighter=weighter, label="train")
    >>> len(ax.patches)
    30
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['train: empirical', 'train: effective (LDS)', 'train: weight']
    """
    from sklearn.base import clone

    from .weighting import LDSWeighter

    label = _check_label(label)
    y = check_target(y, allow_constant=False)
    ax = _axes(ax)
    weighter = clone(LDSWeighter() if weighter is None else weighter)
    weighter.fit(y, sample_weight=sample_weight)
    space = weighter.label_space_
    counts = space.counts_
    first = _next_series(ax, 2)
    line, weight = method_style(first), method_style(first + 1)
    prefix = "" if label is None else f"{label}: "
    entries = ax.__dict__.setdefault("_skdir_entries", [])
    if first == 0:
        bars = ax.bar(space.centers_, counts, width=np.diff(space.edges_), color="0.8",
                      edgecolor="0.55", linewidth=0.5, label=f"{prefix}empirical")
    else:
        bars = ax.stairs(counts, space.edges_, color=line["color"], lw=1.5,
                         label=f"{prefix}empirical")
    entries.append((f"{prefix}empirical", bars))
    effective = space.effective_counts_
    if effective.sum() > 0:
        entries.append((f"{prefix}effective (LDS)", ax.plot(
            space.centers_, effective * counts.sum() / effective.sum(),
            color=line["color"], lw=2, label=f"{prefix}effective (LDS)")[0]))
    ax.set_xlabel("target value")
    ax.set_ylabel("training samples per bin")
    twin = getattr(ax, "weights_ax", None)
    if twin is None:
        twin = ax.twinx()
        twin.set_ylabel("sample weight (dashed)")
    entries.append((f"{prefix}weight", twin.plot(
        space.centers_, weighter.bin_weights_, color=weight["color"], lw=1.5, ls="--",
        label=f"{prefix}weight")[0]))
    ax.weights_ax = twin
    _legend_outside(ax, axes=(twin,), where="below")
    return ax


def _shade_shots(ax, space):
    """Shade consecutive runs of many-, medium- and few-shot bins.

    The shot of a bin is that of its centre, by the label space's own rule.
    """
    codes = space._shot_codes(space.centers_)
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [codes.size]))
    many, few = space.many_threshold, space.few_threshold
    keys = {"many": f"many-shot (> {many:g} per bin)",
            "medium": f"medium-shot ({few:g}–{many:g})",
            "few": f"few-shot (< {few:g} per bin)"}
    for start, stop in zip(starts, stops):  # one span per run, not per bin
        name = SHOTS[codes[start]]
        ax.axvspan(space.edges_[start], space.edges_[stop], facecolor=SHOT_COLORS[name],
                   lw=0, zorder=0, gid=f"skdir-shot-{name}", label=keys[name])


def _check_gaps(gaps):
    try:
        arr = np.asarray(gaps, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"gaps must be a list of (low, high) ranges, got {gaps!r}.") from None
    if arr.size == 0:
        return arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"gaps must be a list of (low, high) ranges, got shape {arr.shape}.")
    if np.isnan(arr).any() or not np.all(arr[:, 0] < arr[:, 1]):
        raise ValueError(f"gaps must have low < high in every range, got {gaps!r}.")
    return arr


def plot_error_by_target(y_true, y_pred, *, y_train=None, label_space=None,
                         label=None, gaps=None, ax=None):
    """Mean absolute error per target bin, with the shot regions shaded.

    As the figures of Yang et al. (ICML 2021): the bins come from the label
    space of the training targets, each test sample counts in the bin of its
    true value (values outside the training range in the edge bins), and the
    many-, medium- and few-shot regions of the training distribution are
    shaded (pale blue, pale yellow and salmon; the legend names them with
    the thresholds). Target ranges removed from the training set can be
    marked with ``gaps``. The legend is to the right of the axes.

    A second call on the same axes adds its lines in the next styles of
    :func:`method_style` (the shot regions are shaded once).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True test targets.
    y_pred : array-like of shape (n_samples,) or dict
        Predictions, or a dict mapping a model name to its predictions to
        compare several models (the names label the lines).
    y_train : array-like of shape (n_train,), default=None
        Training targets, on which ``label_space`` is fitted. Required unless
        ``label_space`` is fitted, and then rejected.
    label_space : LabelSpace, default=None
        The bins and the shot thresholds, as in
        :func:`skdir.metrics.shot_groups`: a fitted one is used as given, an
        unfitted one (None means ``LabelSpace()``) is fitted on ``y_train``.
    label : str, default=None
        Name of the line of a single array ``y_pred`` (None:
        ``"prediction"``). Rejected when ``y_pred`` is a dict.
    gaps : sequence of (low, high), default=None
        Target ranges without training data (e.g. removed from the training
        set to study zero-shot regions), drawn as grey hatched bands with
        the legend entry "no training data (gap)". A bound may be infinite
        (``(85, np.inf)``: everything from 85 up); the band then reaches the
        end of the plotted range.
    ax : matplotlib Axes, default=None
        Axes to draw on.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> from skdir.plotting import plot_error_by_target
    >>> rng = np.random.RandomState(0)
    >>> y_train = rng.exponential(10, size=1000)
    >>> y_train = y_train[(y_train < 15) | (y_train >= 20)]  # a gap
    >>> y_test = rng.uniform(0, 40, size=200)
    >>> space = LabelSpace(n_bins=20)
    >>> ax = plot_error_by_target(y_test, y_test + rng.normal(size=200), label="ridge",
    ...                           y_train=y_train, label_space=space, gaps=[(15, 20)])
    >>> ax = plot_error_by_target(y_test, y_test + 2 * rng.normal(size=200),
    ...                           label="tree", y_train=y_train, label_space=space,
    ...                           ax=ax)
    >>> [line.get_label() for line in ax.get_lines()]
    ['ridge', 'tree']
    >>> [t.get_text() for t in ax.get_legend().get_texts()][-1]
    'no training data (gap)'
    """
    label = _check_label(label)
    if isinstance(y_pred, dict):
        if label is not None:
            raise ValueError(
                "label names a single prediction array; y_pred is a dict, whose "
                "keys name the lines. Pass label=None.")
        preds = y_pred
    else:
        preds = {"prediction" if label is None else label: y_pred}
    y_true = check_target(y_true, name="y_true")
    preds = {name: check_target(pred, name="y_pred") for name, pred in preds.items()}
    for pred in preds.values():
        check_same_length(y_true, pred, names=("y_true", "y_pred"))
    gaps = None if gaps is None else _check_gaps(gaps)
    space = _shot_space(label_space, y_train)
    ax = _axes(ax)
    index = space._index(y_true)
    n_test = space._histogram(y_true)
    present = n_test > 0
    if not getattr(ax, "_skdir_shaded", False):
        _shade_shots(ax, space)
        ax._skdir_shaded = True
    if gaps is not None and gaps.size:
        lo = min(space.edges_[0], y_true.min())
        hi = max(space.edges_[-1], y_true.max())
        for low, high in np.clip(gaps, lo, hi):
            if low < high:
                ax.axvspan(low, high, lw=0, zorder=0.5, gid="skdir-gap",
                           label="no training data (gap)", **GAP_STYLE)
    first = _next_series(ax, len(preds))
    for k, (name, pred) in enumerate(preds.items()):
        err = np.bincount(index, weights=np.abs(y_true - pred), minlength=space.n_bins_)
        ax.plot(space.centers_[present], err[present] / n_test[present], ms=4, lw=1.5,
                label=name, zorder=2, **_line_kw(method_style(first + k)))
    ax.set_xlabel("target value")
    ax.set_ylabel("test MAE")
    _legend_outside(ax)
    return ax


def plot_resampling(y_before, y_after, *, label_space=None, label=None, ax=None):
    """Histograms of the targets before and after resampling.

    The targets before are a grey filled histogram, those after an outline
    in the next style of :func:`method_style`, so several samplers can be
    drawn on one axes (one call each, named with ``label``). The legend is
    to the right of the axes and gives the number of samples.

    Parameters
    ----------
    y_before : array-like of shape (n_samples,)
        Targets given to the sampler.
    y_after : array-like of shape (n_resampled,)
        Targets it returned.
    label_space : LabelSpace, default=None
        Bins of the histograms. An unfitted one (None means
        ``LabelSpace()``) is fitted on both sets of targets together; a
        fitted one is used as given (values outside its range count in its
        edge bins).
    label : str, default=None
        Name of the resampled targets, e.g. the sampler; the legend entry
        is ``"<label> (<n>)"`` (None: ``"after"``).
    ax : matplotlib Axes, default=None
        Axes to draw on.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> from skdir.plotting import plot_resampling
    >>> y = np.random.RandomState(0).exponential(size=300)
    >>> space = LabelSpace(n_bins=15).fit(y)
    >>> ax = plot_resampling(y, np.r_[y, y[y > 2]], label_space=space,
    ...                      label="copy tail")
    >>> ax = plot_resampling(y, y[::2], label_space=space, label="halve", ax=ax)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['before (300)', 'copy tail (344)', 'halve (150)']
    """
    label = _check_label(label)
    y_before = check_target(y_before, name="y_before")
    y_after = check_target(y_after, name="y_after")
    space = fit_label_space(label_space, np.concatenate([y_before, y_after]))
    ax = _axes(ax)
    edges = space.edges_
    style = method_style(_next_series(ax))
    # Counts from the label space, drawn as histograms of the bin centres.
    ax.hist(space.centers_, bins=edges, weights=space._histogram(y_before),
            histtype="stepfilled", color="0.8", edgecolor="0.55",
            label=f"before ({y_before.size})")
    ax.hist(space.centers_, bins=edges, weights=space._histogram(y_after),
            histtype="step", lw=2, color=style["color"], ls=style["linestyle"],
            label=f"{'after' if label is None else label} ({y_after.size})")
    ax.set_xlabel("target value")
    ax.set_ylabel("samples per bin")
    _legend_outside(ax)
    return ax


def _one_method(results):
    """Whether ``results`` is ``{shot: {metric: value}}`` (one method)."""
    return all(isinstance(v, dict) and not any(isinstance(m, dict) for m in v.values())
               for v in results.values())


def plot_shot_results(results, *, metric="mae", shots=("all", "many", "medium", "few"),
                      label=None, ax=None):
    """Grouped bars of one metric per shot group for several methods.

    Each method's bars get its style of :func:`method_style` (colour and
    hatch, distinct for up to 40 methods); the legend is to the right of the
    axes. A second call on the same axes (same ``metric`` and ``shots``)
    adds its methods to the groups, and all bars are laid out again.

    Parameters
    ----------
    results : dict
        Maps a method name to ``{shot: {metric: value}}`` as returned by
        :func:`skdir.metrics.shot_metrics`; with ``label``, the
        ``{shot: {metric: value}}`` of one method. A value may be a
        ``(mean, std)`` pair (a benchmark summary), drawn with an error bar.
    metric : str, default="mae"
        Metric to draw.
    shots : sequence of str, default=("all", "many", "medium", "few")
        Shot groups, one group of bars each.
    label : str, default=None
        Name of the one method whose results are given. None when
        ``results`` maps names to results.
    ax : matplotlib Axes, default=None
        Axes to draw on.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdir.plotting import plot_shot_results
    >>> results = {"Vanilla": {"all": {"mae": 1.0}, "few": {"mae": 3.0}},
    ...            "SQINV + LDS": {"all": {"mae": 1.1}, "few": {"mae": (2.0, 0.2)}}}
    >>> ax = plot_shot_results(results, shots=("all", "few"))
    >>> [round(float(p.get_height()), 1) for p in ax.patches]
    [1.0, 3.0, 1.1, 2.0]
    >>> ax = plot_shot_results({"all": {"mae": 0.9}, "few": {"mae": 2.5}},
    ...                        shots=("all", "few"), label="RRT", ax=ax)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Vanilla', 'SQINV + LDS', 'RRT']
    """
    label = _check_label(label)
    if not isinstance(results, dict) or not results:
        raise ValueError("results must be a non-empty dict of method -> shot metrics.")
    if label is not None:
        if not _one_method(results):
            raise ValueError(
                "with label, results must be the {shot: {metric: value}} of one "
                "method; got a dict of methods. Pass label=None.")
        results = {label: results}
    elif _one_method(results) and not all(
            isinstance(v, dict) and not v for v in results.values()):
        raise ValueError(
            "results looks like the {shot: {metric: value}} of one method; name it "
            "with label=, or pass a dict of method -> shot metrics.")
    shots = tuple(shots)
    ax = _axes(ax)
    state = getattr(ax, "_skdir_shot_results", None)
    if state is not None:
        if (state["metric"], state["shots"]) != (metric, shots):
            raise ValueError(
                f"ax already shows {state['metric']!r} for shots {state['shots']}; "
                f"got metric={metric!r}, shots={shots}. Use another axes.")
        for container in state["containers"]:
            if container.errorbar is not None:
                container.errorbar.remove()
            container.remove()
        results = {**state["results"], **results}
    x = np.arange(len(shots))
    width = 0.8 / len(results)
    containers = []
    for i, (name, by_shot) in enumerate(results.items()):
        means, errs = [], []
        for shot in shots:
            value = by_shot.get(shot, {}).get(metric, np.nan)
            mean, err = value if isinstance(value, (tuple, list)) else (value, np.nan)
            means.append(float(mean))
            errs.append(float(err))
        errs = np.asarray(errs)
        containers.append(ax.bar(
            x + (i - (len(results) - 1) / 2) * width, means, width=width, label=name,
            yerr=None if np.all(np.isnan(errs)) else np.nan_to_num(errs),
            error_kw={"elinewidth": 0.8, "capsize": 1.5, "ecolor": "0.2"},
            **_bar_kw(method_style(i))))
    ax._skdir_shot_results = {"metric": metric, "shots": shots, "results": results,
                              "containers": containers}
    ax._skdir_n_series = len(results)
    ax.set_xticks(x, [s.capitalize() for s in shots])
    ax.set_ylabel(metric.upper())
    _legend_outside(ax)
    return ax
