"""The plots of ``skdir benchmark --plot``, written as PNG files."""

import os
import warnings

import numpy as np
from sklearn.base import clone

from ._benchmark import _SELECTED
from ._methods import _PLAIN_METHODS, Context

__all__ = ["write_plots"]


def _figure(width=7.0, height=4.0, nrows=1):
    # A Figure without pyplot: no GUI backend is touched.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    if nrows == 1:
        return fig, fig.subplots()
    return fig, fig.subplots(nrows, 1, squeeze=False)[:, 0]


def _shown_rows(summary, family, seed):
    """``[(method label, legend label)]`` of a family's rows drawn on the
    error-by-target plot: Vanilla and the row chosen on inner folds for
    ``seed`` (the selected row has no predictions of its own); without a
    selected row, the row with the lowest mean few-shot test MAE, named so."""
    plain = _PLAIN_METHODS[family]
    labels = {key: row["label"] for (fam, key), row in summary.items()
              if fam == family}
    shown = []
    if plain in labels:
        shown.append((labels[plain], f"{labels[plain]} ({family})"))
    chosen = summary.get((family, _SELECTED[0]), {}).get("chosen", {}).get(seed)
    if chosen is not None:
        name = f"{_SELECTED[1]}: {chosen} ({family})"
        if shown and chosen == shown[0][0]:  # the same predictions: one line
            return [(chosen, name)]
        return shown + [(chosen, name)]
    rows = [(row[("few", "mae")][0], row["label"])
            for (fam, key), row in summary.items()
            if fam == family and key not in (plain, _SELECTED[0])
            and np.isfinite(row.get(("few", "mae"), (np.nan,))[0])]
    if rows:
        label = min(rows)[1]
        shown.append((label, f"{label} ({family}; lowest few-shot test MAE)"))
    return shown


def _family_order(summary, family):
    """A family's rows as the tables show them: the selected row first."""
    keys = [key for (fam, key) in summary if fam == family]
    return sorted(keys, key=lambda key: key != _SELECTED[0])


def write_plots(folder, spec, summary, outcomes, *, gaps=None):
    """Write the plots of a benchmark run as PNG files (needs matplotlib).

    The plots are those of :mod:`skdir.plotting`, for the first seed:

    - ``label_distribution.png``: training labels, LDS density and SQRT_INV
      weights;
    - ``error_by_target.png``: test error by target value of each family's
      Vanilla row and of the row its "Selected (inner CV)" row chose for
      that seed, labelled ``"Selected (inner CV): <method>"`` (one line
      when it chose Vanilla); a family without a selected row shows its
      row with the lowest mean few-shot test MAE instead, labelled so. The
      shot regions and the ``gaps`` are shaded;
    - ``shot_mae.png``: MAE per shot group of every row, the selected row
      first (mean ± std over seeds), one panel per family;
    - ``resampling.png``: training targets before and after the sampler of
      the first SMOTER or SMOGN row that ran, when one did.

    Parameters
    ----------
    folder : str or path-like
        Existing directory the files are written to.
    spec : DatasetSpec
        The dataset of the run.
    summary : dict
        As :func:`summarize` returns it.
    outcomes : list of Outcome
        As :func:`run_benchmark` returns them with ``keep_predictions=True``;
        not empty.
    gaps : array-like of shape (n_gaps, 2), default=None
        The target ranges removed from the training set (as given to
        :func:`run_benchmark`), drawn on ``error_by_target.png``.

    Returns
    -------
    paths : list of str
        The files written.

    Examples
    --------
    >>> import os, tempfile
    >>> from skdir.cli import (load_dataset, run_benchmark, select_methods,
    ...                        summarize, write_plots)
    >>> spec = load_dataset("concrete")
    >>> records, skipped, outcomes = run_benchmark(
    ...     spec, select_methods("vanilla,sqrt-inv-lds"), seeds=[0],
    ...     context={"model": "ridge"}, progress=None, keep_predictions=True)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_plots(folder, spec, summarize(records), outcomes)
    ...     names = sorted(os.path.basename(path) for path in paths)
    >>> names
    ['error_by_target.png', 'label_distribution.png', 'shot_mae.png']
    """
    from skdir import LDSWeighter
    from skdir.plotting import (
        plot_error_by_target,
        plot_label_distribution,
        plot_resampling,
        plot_shot_results,
    )

    paths = []
    seed = outcomes[0].seed
    first = [o for o in outcomes if o.seed == seed]
    X_train, y_train, y_test = first[0].X_train, first[0].y_train, first[0].y_test

    def save(fig, name):
        path = os.path.join(folder, name)
        fig.savefig(path, dpi=120)
        paths.append(path)

    fig, ax = _figure(8.0, 4.6)
    plot_label_distribution(
        y_train, weighter=LDSWeighter(label_space=spec.make_label_space()), ax=ax)
    ax.set_title(f"{spec.name}: training labels, LDS density and SQRT_INV weights")
    save(fig, "label_distribution.png")

    fig, ax = _figure(9.0, 4.2)
    preds = {}
    for family in ("tabular", "neural"):
        by_label = {o.method.label: o.y_pred for o in first
                    if o.method.family == family}
        for label, name in _shown_rows(summary, family, seed):
            if label in by_label:
                preds[name] = by_label[label]
    plot_error_by_target(y_test, preds, y_train=y_train,
                         label_space=spec.make_label_space(), gaps=gaps, ax=ax)
    ax.set_title(f"{spec.name}: test error by target value (seed {seed})")
    save(fig, "error_by_target.png")

    # One panel per family, each with its legend to the right.
    families = list(dict.fromkeys(fam for fam, _ in summary))
    n_most = max(sum(fam == family for fam, _ in summary) for family in families)
    fig, axes = _figure(max(9.0, 0.35 * n_most + 5), 3.8 * len(families),
                        nrows=len(families))
    for ax, family in zip(np.atleast_1d(axes), families):
        results = {summary[(family, key)]["label"]: {
            shot: {"mae": summary[(family, key)][(shot, "mae")]}
            for shot in ("all", "many", "medium", "few")}
            for key in _family_order(summary, family)}
        plot_shot_results(results, metric="mae", ax=ax)
        ax.set_title(f"{family} methods", fontsize="medium")
    fig.suptitle(f"{spec.name}: MAE per shot group (mean ± std over seeds)")
    save(fig, "shot_mae.png")

    sampled = [o for o in first
               if o.method.key in ("smoter", "smogn", "smoter-10", "smogn-10")]
    if sampled:
        method = sampled[0].method
        space = spec.make_label_space().fit(y_train)
        pipe = method.build(Context(label_space=space, random_state=seed))
        sampler = clone(pipe.steps[0][1])
        with warnings.catch_warnings():  # as in the benchmark's own fit
            warnings.simplefilter("ignore")
            _, y_res = sampler.fit_resample(X_train, y_train)
        fig, ax = _figure(8.0, 4.0)
        plot_resampling(y_train, y_res, label_space=spec.make_label_space(),
                        label=method.label, ax=ax)
        ax.set_title(f"{spec.name}: training targets before and after {method.label}")
        save(fig, "resampling.png")
    return paths
