"""The plots of ``skdir benchmark --plot``, written as PNG files."""

import os

import numpy as np

__all__ = ["write_plots"]


def _figure(width=7.0, height=4.0):
    # A Figure without pyplot: no GUI backend is touched.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots()


def _best(summary, family, shot="few"):
    rows = [(row[(shot, "mae")][0], key) for (fam, key), row in summary.items()
            if fam == family and np.isfinite(row.get((shot, "mae"), (np.nan,))[0])
            and not key.endswith("vanilla")]
    return min(rows)[1] if rows else None


def write_plots(folder, spec, summary, outcomes):
    """Write the label distribution, error-by-target, per-shot and resampling plots.

    Returns the paths written.
    """
    from .plotting import (
        plot_error_by_target,
        plot_label_distribution,
        plot_resampling,
        plot_shot_results,
    )
    from .weighting import LDSWeighter

    paths = []
    seed = outcomes[0].seed
    first = [o for o in outcomes if o.seed == seed]
    y_train, y_test = first[0].y_train, first[0].y_test

    def save(fig, name):
        path = os.path.join(folder, name)
        fig.savefig(path, dpi=120)
        paths.append(path)

    fig, ax = _figure()
    plot_label_distribution(y_train, weighter=LDSWeighter(bins=spec.bins()), ax=ax)
    ax.set_title(f"{spec.name}: training labels, LDS density and SQINV weights")
    save(fig, "label_distribution.png")

    fig, ax = _figure()
    preds = {}
    for family in ("tabular", "neural"):
        wanted = {"vanilla" if family == "tabular" else "nn-vanilla",
                  _best(summary, family)}
        for o in first:
            if o.method.family == family and o.method.key in wanted:
                preds[f"{o.method.label} ({family})"] = o.y_pred
    plot_error_by_target(y_test, preds, y_train=y_train, bins=spec.bins(),
                         many_threshold=spec.many_threshold,
                         few_threshold=spec.few_threshold, ax=ax)
    ax.set_title(f"{spec.name}: test error by target value (seed {seed})")
    save(fig, "error_by_target.png")

    fig, ax = _figure(max(7.0, 0.45 * len(summary) + 3), 4.0)
    results = {f"{row['label']}{' (nn)' if fam == 'neural' else ''}":
               {shot: {"mae": row[(shot, "mae")]} for shot in ("all", "many", "medium",
                                                               "few")}
               for (fam, _), row in summary.items()}
    plot_shot_results(results, metric="mae", ax=ax)
    ax.set_title(f"{spec.name}: MAE per shot group (mean ± std over seeds)")
    save(fig, "shot_mae.png")

    sampled = [o for o in first if o.method.key in ("smogn-lds", "smoter-lds", "smogn",
                                                    "smoter")]
    if sampled:
        from sklearn.base import clone

        from ._cli_methods import Context

        method = sampled[0].method
        pipe = method.build(Context(bins=spec.bins(), random_state=seed))
        sampler = clone(pipe.steps[0][1])
        X_tr, y_tr, _, _ = spec.split(seed)
        _, y_res = sampler.fit_resample(np.asarray(X_tr, dtype=float),
                                        np.asarray(y_tr, dtype=float))
        fig, ax = _figure()
        plot_resampling(y_tr, y_res, bins=spec.bins(), ax=ax)
        ax.set_title(f"{spec.name}: training targets before and after {method.label}")
        save(fig, "resampling.png")
    return paths
