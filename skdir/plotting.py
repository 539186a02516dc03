"""Plots of label distributions, weights and shot-wise errors.

matplotlib is an optional dependency (``pip install "skdir[plot]"``); each
function raises an :class:`ImportError` saying so when it is missing. Every
function draws on ``ax`` when given (else on a new figure) and returns the
axes, so plots compose with the rest of a matplotlib figure.
"""

import numpy as np

from ._validation import check_same_length, check_target
from .bins import fitted_bins, resolve_bins
from .metrics._shots import _check_thresholds

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
            'with: pip install "skdir[plot]"'
        ) from exc
    return plt


def _axes(ax):
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    return ax


def plot_label_distribution(y, *, weighter=None, sample_weight=None, ax=None):
    """Empirical label counts, the LDS effective density and the weights.

    Bars give the training count of each bin; a line gives the weighter's
    effective density, rescaled to the same total so the two are comparable;
    the weight of each bin is drawn on a second y axis.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Training targets.
    weighter : LDSWeighter, default=None
        Unfitted or fitted weighter; it is cloned and fitted on ``y``. None
        uses ``LDSWeighter()``.
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
    >>> from skdir import LDSWeighter
    >>> from skdir.plotting import plot_label_distribution
    >>> y = np.random.RandomState(0).exponential(10, size=500)
    >>> ax = plot_label_distribution(y, weighter=LDSWeighter(n_bins=30))
    >>> len(ax.patches)
    30
    """
    from sklearn.base import clone

    from .weighting import LDSWeighter

    ax = _axes(ax)
    y = check_target(y, allow_constant=False)
    weighter = clone(LDSWeighter() if weighter is None else weighter)
    weighter.fit(y, sample_weight=sample_weight)
    bins = weighter.bins_
    width = np.diff(bins.edges_)
    counts = weighter.counts_
    ax.bar(bins.centers_, counts, width=width, color="0.75", edgecolor="0.55",
           label="empirical")
    density = weighter.effective_density_
    if weighter.reweight == "sqrt_inv":
        density = density**2
    if density.sum() > 0:
        density = density * counts.sum() / density.sum()
        ax.plot(bins.centers_, density, color=SHOT_COLORS["many"], lw=2,
                label="effective (LDS)" if weighter.lds else "transformed")
    ax.set_xlabel("target value")
    ax.set_ylabel("training samples per bin")
    twin = ax.twinx()
    twin.plot(bins.centers_, weighter.bin_weights_, color=SHOT_COLORS["few"],
              lw=1.5, ls="--", label="weight")
    twin.set_ylabel("sample weight")
    handles = ax.get_legend_handles_labels()
    twin_handles = twin.get_legend_handles_labels()
    ax.legend(handles[0] + twin_handles[0], handles[1] + twin_handles[1],
              loc="upper right", frameon=False)
    ax.weights_ax = twin
    return ax


def _shade_shots(ax, bins, many_threshold, few_threshold):
    """Shade consecutive runs of many-, medium- and few-shot bins."""
    counts = bins.counts_
    shot = np.where(counts > many_threshold, "many",
                    np.where(counts < few_threshold, "few", "medium"))
    change = np.flatnonzero(shot[1:] != shot[:-1]) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [shot.size]))
    labelled = set()
    for start, stop in zip(starts, stops):  # one span per run, not per bin
        name = shot[start]
        ax.axvspan(bins.edges_[start], bins.edges_[stop], color=SHOT_COLORS[name],
                   alpha=0.12, lw=0,
                   label=f"{name}-shot" if name not in labelled else None)
        labelled.add(name)


def plot_error_by_target(
    y_true,
    y_pred,
    *,
    y_train,
    bins=None,
    many_threshold=100,
    few_threshold=20,
    ax=None,
):
    """Mean absolute error per target bin, with the shot regions shaded.

    As the figures of Yang et al. (ICML 2021): the bins are fitted on the
    training targets, each test sample counts in the bin of its true value
    (values outside the training range in the edge bins), and the many-,
    medium- and few-shot regions of the training distribution are shaded.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True test targets.
    y_pred : array-like of shape (n_samples,) or dict
        Predictions, or a dict mapping a model name to its predictions to
        compare several models.
    y_train : array-like of shape (n_train,)
        Training targets; they define the bins and the shot regions.
    bins : LabelBins, int, "auto", array-like or None, default=None
        Bins (see :class:`~skdir.LabelBins`).
    many_threshold, few_threshold : float, default=100, 20
        Shot thresholds, as in :func:`skdir.metrics.shot_groups`.
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
    >>> from skdir.plotting import plot_error_by_target
    >>> rng = np.random.RandomState(0)
    >>> y_train = rng.exponential(10, size=1000)
    >>> y_test = rng.uniform(0, 40, size=200)
    >>> ax = plot_error_by_target(y_test, {"model": y_test + rng.normal(size=200)},
    ...                           y_train=y_train, bins=20)
    >>> [line.get_label() for line in ax.get_lines()]
    ['model']
    """
    _check_thresholds(many_threshold, few_threshold)
    ax = _axes(ax)
    y_true = check_target(y_true, name="y_true")
    y_train = check_target(y_train, name="y_train")
    preds = y_pred if isinstance(y_pred, dict) else {"prediction": y_pred}
    label_bins = fitted_bins(resolve_bins(bins), y_train)
    index = label_bins.transform(y_true)
    n_test = np.bincount(index, minlength=label_bins.n_bins_)
    present = n_test > 0
    _shade_shots(ax, label_bins, many_threshold, few_threshold)
    for name, pred in preds.items():
        pred = check_target(pred, name="y_pred")
        check_same_length(y_true, pred, names=("y_true", "y_pred"))
        err = np.bincount(index, weights=np.abs(y_true - pred),
                          minlength=label_bins.n_bins_)
        ax.plot(label_bins.centers_[present], err[present] / n_test[present],
                marker="o", ms=3, lw=1.5, label=name)
    ax.set_xlabel("target value")
    ax.set_ylabel("test MAE")
    ax.legend(frameon=False)
    return ax


def plot_resampling(y_before, y_after, *, bins=None, ax=None):
    """Histograms of the targets before and after resampling.

    Parameters
    ----------
    y_before : array-like of shape (n_samples,)
        Targets given to the sampler.
    y_after : array-like of shape (n_resampled,)
        Targets it returned.
    bins : LabelBins, int, "auto", array-like or None, default=None
        Bins, fitted on both sets of targets together.
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
    >>> from skdir.plotting import plot_resampling
    >>> y = np.random.RandomState(0).exponential(size=300)
    >>> ax = plot_resampling(y, np.r_[y, y[y > 2]], bins=15)
    >>> [p.get_label() for p in ax.patches][:1], len(ax.patches)
    (['before (300)'], 2)
    """
    ax = _axes(ax)
    y_before = check_target(y_before, name="y_before")
    y_after = check_target(y_after, name="y_after")
    label_bins = fitted_bins(resolve_bins(bins), np.concatenate([y_before, y_after]))
    edges = label_bins.edges_
    ax.hist(y_before, bins=edges, histtype="stepfilled", color="0.75",
            edgecolor="0.55", label=f"before ({y_before.size})")
    ax.hist(y_after, bins=edges, histtype="step", lw=2, color=SHOT_COLORS["many"],
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
