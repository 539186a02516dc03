"""Plots of label distributions, weights and shot-wise errors.

matplotlib is an optional dependency (``pip install "scikit-dir[plot]"``); each
function raises an :class:`ImportError` saying so when it is missing. Every
function draws on ``ax`` when given (else on a new figure) and returns the
axes, so plots compose with the rest of a matplotlib figure.
"""

import numpy as np

from ._validation import check_same_length, check_target
from .bins import SHOTS, fit_label_space
from .metrics._shots import _shot_space

__all__ = [
    "plot_error_by_target",
    "plot_label_distribution",
    "plot_resampling",
    "plot_shot_results",
]

#: Colours of the shot regions (many, medium, few), as in the DIR figures.
SHOT_COLORS = {"many": "#4c72b0", "medium": "#dd8452", "few": "#c44e52"}


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
        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def plot_label_distribution(y, *, weighter=None, sample_weight=None, ax=None):
    """Empirical label counts, the LDS effective counts and the weights.

    The weighter is fitted on ``y`` and its fitted label space
    (``weighter.label_space_``) drawn: bars give the training count of each
    bin (``counts_``); a line gives the LDS effective counts
    (``effective_counts_``), rescaled to the same total so the two are
    comparable; the weighter's weight of each bin (``bin_weights_``) is
    drawn on a second y axis.

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
    >>> ax = plot_label_distribution(y, weighter=weighter)
    >>> len(ax.patches)
    30
    """
    from sklearn.base import clone

    from .weighting import LDSWeighter

    ax = _axes(ax)
    y = check_target(y, allow_constant=False)
    weighter = clone(LDSWeighter() if weighter is None else weighter)
    weighter.fit(y, sample_weight=sample_weight)
    space = weighter.label_space_
    counts = space.counts_
    ax.bar(space.centers_, counts, width=np.diff(space.edges_), color="0.75",
           edgecolor="0.55", label="empirical")
    effective = space.effective_counts_
    if effective.sum() > 0:
        ax.plot(space.centers_, effective * counts.sum() / effective.sum(),
                color=SHOT_COLORS["many"], lw=2, label="effective (LDS)")
    ax.set_xlabel("target value")
    ax.set_ylabel("training samples per bin")
    twin = ax.twinx()
    twin.plot(space.centers_, weighter.bin_weights_, color=SHOT_COLORS["few"],
              lw=1.5, ls="--", label="weight")
    twin.set_ylabel("sample weight")
    handles = ax.get_legend_handles_labels()
    twin_handles = twin.get_legend_handles_labels()
    ax.legend(handles[0] + twin_handles[0], handles[1] + twin_handles[1],
              loc="upper right", frameon=False)
    ax.weights_ax = twin
    return ax


def _shade_shots(ax, space):
    """Shade consecutive runs of many-, medium- and few-shot bins.

    The shot of a bin is that of its centre, by the label space's own rule.
    """
    codes = space._shot_codes(space.centers_)
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [codes.size]))
    labelled = set()
    for start, stop in zip(starts, stops):  # one span per run, not per bin
        name = SHOTS[codes[start]]
        ax.axvspan(space.edges_[start], space.edges_[stop], color=SHOT_COLORS[name],
                   alpha=0.12, lw=0,
                   label=f"{name}-shot" if name not in labelled else None)
        labelled.add(name)


def plot_error_by_target(y_true, y_pred, *, y_train=None, label_space=None, ax=None):
    """Mean absolute error per target bin, with the shot regions shaded.

    As the figures of Yang et al. (ICML 2021): the bins come from the label
    space of the training targets, each test sample counts in the bin of its
    true value (values outside the training range in the edge bins), and the
    many-, medium- and few-shot regions of the training distribution are
    shaded.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True test targets.
    y_pred : array-like of shape (n_samples,) or dict
        Predictions, or a dict mapping a model name to its predictions to
        compare several models.
    y_train : array-like of shape (n_train,), default=None
        Training targets, on which ``label_space`` is fitted. Required unless
        ``label_space`` is fitted, and then rejected.
    label_space : LabelSpace, default=None
        The bins and the shot thresholds, as in
        :func:`skdir.metrics.shot_groups`: a fitted one is used as given, an
        unfitted one (None means ``LabelSpace()``) is fitted on ``y_train``.
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
    >>> y_test = rng.uniform(0, 40, size=200)
    >>> ax = plot_error_by_target(y_test, {"model": y_test + rng.normal(size=200)},
    ...                           y_train=y_train, label_space=LabelSpace(n_bins=20))
    >>> [line.get_label() for line in ax.get_lines()]
    ['model']
    """
    y_true = check_target(y_true, name="y_true")
    preds = y_pred if isinstance(y_pred, dict) else {"prediction": y_pred}
    preds = {name: check_target(pred, name="y_pred") for name, pred in preds.items()}
    for pred in preds.values():
        check_same_length(y_true, pred, names=("y_true", "y_pred"))
    space = _shot_space(label_space, y_train)
    ax = _axes(ax)
    index = space._index(y_true)
    n_test = space._histogram(y_true)
    present = n_test > 0
    _shade_shots(ax, space)
    for name, pred in preds.items():
        err = np.bincount(index, weights=np.abs(y_true - pred), minlength=space.n_bins_)
        ax.plot(space.centers_[present], err[present] / n_test[present],
                marker="o", ms=3, lw=1.5, label=name)
    ax.set_xlabel("target value")
    ax.set_ylabel("test MAE")
    ax.legend(frameon=False)
    return ax


def plot_resampling(y_before, y_after, *, label_space=None, ax=None):
    """Histograms of the targets before and after resampling.

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
    >>> ax = plot_resampling(y, np.r_[y, y[y > 2]], label_space=LabelSpace(n_bins=15))
    >>> [p.get_label() for p in ax.patches][:1], len(ax.patches)
    (['before (300)'], 2)
    """
    y_before = check_target(y_before, name="y_before")
    y_after = check_target(y_after, name="y_after")
    space = fit_label_space(label_space, np.concatenate([y_before, y_after]))
    ax = _axes(ax)
    edges = space.edges_
    # Counts from the label space, drawn as histograms of the bin centres.
    ax.hist(space.centers_, bins=edges, weights=space._histogram(y_before),
            histtype="stepfilled", color="0.75", edgecolor="0.55",
            label=f"before ({y_before.size})")
    ax.hist(space.centers_, bins=edges, weights=space._histogram(y_after),
            histtype="step", lw=2, color=SHOT_COLORS["many"],
            label=f"after ({y_after.size})")
    ax.set_xlabel("target value")
    ax.set_ylabel("samples per bin")
    ax.legend(frameon=False)
    return ax


def plot_shot_results(results, *, metric="mae", shots=("all", "many", "medium", "few"),
                      ax=None):
    """Grouped bars of one metric per shot group for several methods.

    Parameters
    ----------
    results : dict
        Maps a method name to ``{shot: {metric: value}}`` as returned by
        :func:`skdir.metrics.shot_metrics`. A value may be a ``(mean, std)``
        pair (a benchmark summary), drawn with an error bar.
    metric : str, default="mae"
        Metric to draw.
    shots : sequence of str, default=("all", "many", "medium", "few")
        Shot groups, one group of bars each.
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
    """
    if not isinstance(results, dict) or not results:
        raise ValueError("results must be a non-empty dict of method -> shot metrics.")
    ax = _axes(ax)
    x = np.arange(len(shots))
    width = 0.8 / len(results)
    for i, (name, by_shot) in enumerate(results.items()):
        means, errs = [], []
        for shot in shots:
            value = by_shot.get(shot, {}).get(metric, np.nan)
            mean, err = value if isinstance(value, (tuple, list)) else (value, np.nan)
            means.append(float(mean))
            errs.append(float(err))
        errs = np.asarray(errs)
        ax.bar(x + (i - (len(results) - 1) / 2) * width, means, width=width, label=name,
               yerr=None if np.all(np.isnan(errs)) else np.nan_to_num(errs), capsize=2)
    ax.set_xticks(x, [s.capitalize() for s in shots])
    ax.set_ylabel(metric.upper())
    ax.legend(frameon=False, fontsize="small")
    return ax
