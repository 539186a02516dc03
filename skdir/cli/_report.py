"""Benchmark tables: the terminal table, Markdown and CSV."""

import csv
import math
import textwrap

from ._benchmark import (
    _SELECTED,
    _UTILITY_METRICS,
    SHOT_COLUMNS,
    TABLE_METRICS,
    ZERO_SHOT_COLUMNS,
)
from ._methods import _PLAIN_METHODS

__all__ = ["format_markdown", "format_terminal", "write_csv", "write_summary_csv"]

_SHOT_NAMES = {"all": "All", "many": "Many", "medium": "Med.", "few": "Few",
               "interp": "Interp.", "extrap": "Extrap."}
# Headers of the metrics that have one column, of the whole test set.
_WHOLE_TEST_SET = {"bmae": "bMAE", "sera": "SERA", "rw_mae": "rwMAE", "f1u": "F1u"}
_FAMILY_NAMES = {"tabular": "scikit-learn regressor", "neural": "neural network "
                 "(DIRRegressor)"}
_RECORD_FIELDS = ["dataset", "family", "method", "label", "seed", "shot", "metric",
                  "value", "fit_seconds", "chosen"]
# The headline line and the columns it compares.
_CHANGE_LABEL = "Selected vs Vanilla (%)"
_CHANGE_COLUMNS = (("all", "mae"), ("few", "mae"), ("all", "bmae"))
_SAMPLERS = ("SMOTER", "SMOGN", "RandomOverSampler", "RandomUnderSampler",
             "GaussianNoise", "WERCS", "G-SMOTER", "C-Mixup")
# What each part of a row label means, for the caption: (the label parts
# that call for it, the text). Only the parts in the table are explained.
_GLOSSARY = (
    (("Vanilla",), "Vanilla: the plain model, no resampling or weighting."),
    (_SAMPLERS, "SMOTER, SMOGN, RandomOverSampler, RandomUnderSampler, "
     "GaussianNoise, WERCS, G-SMOTER, C-Mixup: that sampler of skdir.resampling before the model "
     "(before the network: on the standardised features), "
     "with its default relevance (LDS rarity on the label space); \"(phi)\": "
     "with the box-plot relevance phi instead; \"(10 %)\": a mild strength, "
     "sampling_strategy=0.1 (the rare ranges resampled to a tenth of the rows, "
     "never fewer than they had, instead of an equal share per range)."),
    (("INVERSE", "SQRT_INV"), "INVERSE, SQRT_INV: sample weights 1 / count or "
     "1 / sqrt(count) of the target's bin (LDSWeighter reweight=\"inverse\" or "
     "\"sqrt_inv\")."),
    (("α=",), "α=0.25: sample weights 1 / count^0.25 of the target's bin "
     "(LDSWeighter reweight=0.25), milder than SQRT_INV (α=0.5) and INVERSE "
     "(α=1)."),
    (("+ LDS",), "+ LDS: the counts smoothed by label distribution smoothing (on "
     "the Focal-R and RRT rows: SQRT_INV weights of the smoothed counts)."),
    (("+ FDS",), "+ FDS: feature distribution smoothing."),
    (("Focal-R",), "Focal-R: focal L1 loss."),
    (("RRT",), "RRT: the last layer retrained with weights (regressor "
     "re-training)."),
    (("(batches)",), "C-Mixup (batches): the network trained on mixed pairs of "
     "samples, partners drawn by label distance (DIRRegressor cmixup)."),
    (("ConR",), "ConR: contrastive regularisation of the features by label "
     "distance (DIRRegressor conr)."),
    (("RnC",), "RnC: Rank-N-Contrast pre-training of the encoder, then the "
     "head on its frozen features (DIRRegressor rnc)."),
    (("Gaussian NLL",), "Gaussian NLL head: the network predicts a mean and a "
     "variance, trained by the Gaussian negative log-likelihood."),
    (("Balanced MSE",), "Balanced MSE (GAI, BMC, BNI): the Balanced MSE loss in "
     "that form, its noise scale learned from one label bin; \"fixed sigma\": "
     "kept at one bin."),
)


def _columns(summary, metrics):
    shots = list(SHOT_COLUMNS)
    if any(("interp", "mae") in row for row in summary.values()):
        shots += list(ZERO_SHOT_COLUMNS)
    columns = []
    for metric in metrics:
        if metric in _WHOLE_TEST_SET:  # of the whole test set only
            columns.append(("all", metric))
        else:
            columns += [(shot, metric) for shot in shots]
    return columns


def _header(column):
    shot, metric = column
    if metric in _WHOLE_TEST_SET:
        return _WHOLE_TEST_SET[metric]
    return f"{metric.upper()} {_SHOT_NAMES[shot]}"


def _family_rows(summary, family):
    """The keys of a family's rows: the selected row first, then table order."""
    keys = [key for key in summary if key[0] == family]
    return sorted(keys, key=lambda key: key[1] != _SELECTED[0])


def _relative_change(summary, family):
    """``{column: percent}`` of the selected row's means against Vanilla's."""
    selected = summary.get((family, _SELECTED[0]))
    plain = summary.get((family, _PLAIN_METHODS.get(family)))
    if selected is None or plain is None:
        return {}
    out = {}
    for col in _CHANGE_COLUMNS:
        new, old = selected.get(col, (math.nan,))[0], plain.get(col, (math.nan,))[0]
        if math.isfinite(new) and math.isfinite(old) and old != 0:
            out[col] = 100.0 * (new - old) / abs(old)
    return out


def _caption(summary, seconds, columns):
    """Paragraphs explaining the rows and ``columns`` of a table
    (``seconds``: the table has the "fit s" column)."""
    parts = []
    selected = [(fam, row) for (fam, key), row in summary.items()
                if key == _SELECTED[0] and "chosen" in row]
    if selected:
        row = selected[0][1]
        chosen = "; ".join(
            f"{fam}: " + ", ".join(f"seed {seed} {label}"
                                   for seed, label in r["chosen"].items())
            for fam, r in selected)
        parts.append(
            f"{_SELECTED[1]}: per seed, the row of its family chosen on "
            f"{_inner_text(row)} of that seed's "
            "training split only (the test set plays no part): the lowest "
            "balanced MAE among the rows whose overall MAE is at most "
            f"{100 * row['max_loss']:g} % above Vanilla's "
            "(skdir.model_selection.balanced_refit); its numbers are the "
            f"chosen row's test numbers. Chosen: {chosen}.")
    if selected and any(col in columns for col in _CHANGE_COLUMNS):
        parts.append(
            f"{_CHANGE_LABEL}: 100 x (Selected - Vanilla) / Vanilla of the mean "
            "MAE All, MAE Few and bMAE; negative means lower error, i.e. better "
            "than Vanilla.")
    labels = [row["label"] for row in summary.values()]
    for terms, text in _GLOSSARY:
        if any(term in label for term in terms for label in labels):
            parts.append(text)
    shown = {metric for _, metric in columns}
    utility = [m for m in _UTILITY_METRICS if m in shown]
    text = ("bMAE: balanced MAE, the mean over the target bins of each bin's "
            "MAE. " if "bmae" in shown or not utility else "")
    if utility:
        text += ("SERA: squared error-relevance area; rwMAE: MAE weighted by the "
                 "relevance of the test targets; F1u: utility-based F1 (relevance "
                 "threshold 0.8; n/a when no test target or no prediction is "
                 "rare); their relevance is the box-plot relevance (PhiRelevance) "
                 "fitted on the training split. ")
    text += "Lower is better in every column" + (
        " but F1u, where greater is better." if "f1u" in shown else ".")
    parts.append(text + (" fit s: mean seconds per fit (Selected: its inner "
                         "cross-validation plus the chosen fit)." if seconds else ""))
    return parts


def _inner_text(row):
    """How the selected row's inner validation sets were drawn."""
    n = row["inner_cv"]
    if row.get("inner_split", "stratified") == "balanced":
        return (f"{n} balanced validation sets (drawn as the test set is: at "
                "most per-bin samples of each target bin, "
                "skdir.model_selection.BalancedShuffleSplit)")
    return f"{n} inner cross-validation folds"


def _fmt(mean, std=None, digits=2):
    if not math.isfinite(mean):
        return "n/a"
    text = f"{mean:.{digits}f}"
    if std is not None and math.isfinite(std):
        text += f" ± {std:.{digits}f}"
    return text


def _digits(summary, metric):
    values = [abs(row[col][0]) for row in summary.values() for col in row
              if isinstance(col, tuple) and col[1] == metric
              and math.isfinite(row[col][0])]
    top = max(values, default=1.0)
    return 3 if top < 10 else 2 if top < 1000 else 0


def format_markdown(summary, *, title=None, notes=(), caption=True,
                    metrics=TABLE_METRICS):
    """A paper-style Markdown table, one block per model family.

    Each cell is ``mean ± std`` over seeds. The first row of each family is
    its "Selected (inner CV)" row, when :func:`run_benchmark` made one,
    followed by the headline line "Selected vs Vanilla (%)": the relative
    change of the selected row's mean MAE All, MAE Few and bMAE against
    Vanilla's (negative: lower error, better). Then every method row.

    Parameters
    ----------
    summary : dict
        As :func:`summarize` returns it.
    title : str, default=None
        Heading (``### title``) above the table.
    notes : sequence of str, default=()
        Paragraphs below the table (after the caption).
    caption : bool, default=True
        Explain below the table every row name, the selection, the sign of
        the headline and the columns.
    metrics : sequence of str, default=TABLE_METRICS
        Metrics shown: ``"mae"``, ``"mse"`` and ``"gm"`` per test group;
        ``"bmae"`` and the utility-based ``"sera"``, ``"rw_mae"`` and
        ``"f1u"`` (see :func:`run_benchmark`) in one column each, of the
        whole test set.

    Returns
    -------
    table : str
        Markdown text, ending with a newline.

    Examples
    --------
    >>> summary = {  # as summarize returns it
    ...     ("tabular", "selected"): {
    ...         "label": "Selected (inner CV)", "n_seeds": 1, "seconds": 2.0,
    ...         "chosen": {0: "INVERSE"}, "inner_cv": 3, "max_loss": 0.03,
    ...         ("all", "mae"): (2.5, 0.0), ("few", "mae"): (5.0, 0.0)},
    ...     ("tabular", "vanilla"): {
    ...         "label": "Vanilla", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.0, 0.0), ("few", "mae"): (9.0, 0.0)},
    ...     ("tabular", "inverse"): {
    ...         "label": "INVERSE", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.5, 0.0), ("few", "mae"): (5.0, 0.0)}}
    >>> print(format_markdown(summary, title="d").splitlines()[0])
    ### d
    >>> lines = format_markdown(summary, caption=False).splitlines()
    >>> print(lines[0][:42])
    | Method | MAE All | MAE Many | MAE Med. |
    >>> print(lines[3][:49])
    | Selected (inner CV) | 2.500 ± 0.000 | n/a | n/a
    >>> [cell.strip() for cell in lines[4].split("|")[1:6]]
    ['**Selected vs Vanilla (%)**', '**+25.0 %**', '', '', '**-44.4 %**']
    >>> print(lines[5][:39])
    | Vanilla | 2.000 ± 0.000 | n/a | n/a |
    """
    columns = _columns(summary, metrics)
    digits = {m: _digits(summary, m) for m in metrics}
    lines = [f"### {title}", ""] if title else []
    header = ["Method"] + [_header(col) for col in columns] + ["fit s"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| --- " * len(header) + "|")
    families = [f for f in ("tabular", "neural") if any(k[0] == f for k in summary)]
    for family in families:
        lines.append(f"| *{_FAMILY_NAMES[family]}* |" + " |" * (len(header) - 1))
        for key in _family_rows(summary, family):
            row = summary[key]
            cells = [row["label"]] + [
                _fmt(*row.get(col, (math.nan, math.nan)), digits=digits[col[1]])
                for col in columns
            ]
            cells.append(f"{row['seconds']:.1f}")
            lines.append("| " + " | ".join(cells) + " |")
            if key[1] == _SELECTED[0]:
                change = _relative_change(summary, family)
                if any(col in change for col in columns):
                    cells = [f"**{_CHANGE_LABEL}**"] + [
                        f"**{change[col]:+.1f} %**" if col in change else ""
                        for col in columns] + [""]
                    lines.append("| " + " | ".join(cells) + " |")
    paragraphs = (_caption(summary, True, columns) if caption else []) + list(notes)
    for paragraph in paragraphs:
        lines.append("")
        lines.append(paragraph)
    return "\n".join(lines) + "\n"


def format_terminal(summary, *, metrics=("mae", "bmae", "gm"), caption=True):
    """A compact table for the terminal.

    Rows as in :func:`format_markdown`: per family the "Selected (inner
    CV)" row first, its "Selected vs Vanilla (%)" line (negative: lower
    error than Vanilla, better), then every method row. Each column is as
    wide as its widest cell or header, columns one space apart.

    Parameters
    ----------
    summary : dict
        As :func:`summarize` returns it.
    metrics : sequence of str, default=("mae", "bmae", "gm")
        Metrics shown, as ``mean±std`` per test group (``bmae`` and the
        utility-based ``sera``, ``rw_mae`` and ``f1u``: one column each, the
        whole test set).
    caption : bool, default=True
        Explain below the table every row name, the selection, the sign of
        the headline and the columns.

    Returns
    -------
    table : str
        Plain text (no colour codes), without a final newline.

    Examples
    --------
    >>> summary = {  # as summarize returns it
    ...     ("tabular", "selected"): {
    ...         "label": "Selected (inner CV)", "n_seeds": 1, "seconds": 2.0,
    ...         "chosen": {0: "INVERSE"}, "inner_cv": 3, "max_loss": 0.03,
    ...         ("all", "mae"): (2.5, 0.0), ("few", "mae"): (5.0, 0.0)},
    ...     ("tabular", "vanilla"): {
    ...         "label": "Vanilla", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.0, 0.0), ("few", "mae"): (9.0, 0.0)},
    ...     ("tabular", "inverse"): {
    ...         "label": "INVERSE", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.5, 0.0), ("few", "mae"): (5.0, 0.0)}}
    >>> print(format_terminal(summary, metrics=("mae",), caption=False))
                               MAE All MAE Many MAE Med.   MAE Few
    -- scikit-learn regressor
    Selected (inner CV)      2.50±0.00      n/a      n/a 5.00±0.00
    Selected vs Vanilla (%)     +25.0%                      -44.4%
    Vanilla                  2.00±0.00      n/a      n/a 9.00±0.00
    INVERSE                  2.50±0.00      n/a      n/a 5.00±0.00
    """
    columns = _columns(summary, metrics)
    digits = {m: min(_digits(summary, m), 2) for m in metrics}
    cells = {key: [_fmt(*row.get(col, (math.nan, math.nan)), digits=digits[col[1]])
                   .replace(" ± ", "±") for col in columns]
             for key, row in summary.items()}
    families = [f for f in ("tabular", "neural") if any(k[0] == f for k in summary)]
    changes = {f: _relative_change(summary, f) for f in families}
    change_cells = {f: [f"{changes[f][col]:+.1f}%" if col in changes[f] else ""
                        for col in columns] for f in families}
    headers = [_header(col) for col in columns]
    widths = [max([len(headers[i])] + [len(row[i]) for row in cells.values()]
                  + [len(row[i]) for row in change_cells.values()])
              for i in range(len(columns))]
    labels = [row["label"] for row in summary.values()] + [_CHANGE_LABEL]
    name_width = max(len(label) for label in labels) + 1

    def line(name, row):
        return (f"{name:<{name_width}}"
                + "".join(f" {cell:>{width}}" for cell, width in zip(row, widths)))

    lines = [line("", headers)]
    for family in families:
        lines.append(f"-- {_FAMILY_NAMES[family]}")
        for key in _family_rows(summary, family):
            lines.append(line(summary[key]["label"], cells[key]))
            if key[1] == _SELECTED[0] and any(change_cells[family]):
                lines.append(line(_CHANGE_LABEL, change_cells[family]))
    lines = [text.rstrip() for text in lines]
    if caption:
        lines.append("")
        for paragraph in _caption(summary, False, columns):
            lines += textwrap.wrap(paragraph, width=88, subsequent_indent="  ")
    return "\n".join(lines)


def write_csv(records, path):
    """Write every benchmark record to a CSV file.

    Parameters
    ----------
    records : list of dict
        As :func:`run_benchmark` returns them.
    path : str or path-like
        The file; overwritten.

    Examples
    --------
    >>> import csv, os, tempfile
    >>> from skdir.cli import write_csv
    >>> records = [{"dataset": "d", "family": "tabular", "method": "vanilla",
    ...             "label": "Vanilla", "seed": 0, "shot": "all", "metric": "mae",
    ...             "value": 2.0, "fit_seconds": 0.5}]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "results.csv")
    ...     write_csv(records, path)
    ...     with open(path) as handle:
    ...         rows = list(csv.DictReader(handle))
    >>> rows[0]["method"], rows[0]["value"]
    ('vanilla', '2.0')
    """
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=_RECORD_FIELDS)
        writer.writeheader()
        for rec in records:
            writer.writerow({k: rec.get(k, "") for k in _RECORD_FIELDS})


def write_summary_csv(summary, path, *, dataset):
    """Write the mean and standard deviation per method and column to CSV.

    Parameters
    ----------
    summary : dict
        As :func:`summarize` returns it.
    path : str or path-like
        The file; overwritten.
    dataset : str
        Value of the ``dataset`` column.

    Examples
    --------
    >>> import csv, os, tempfile
    >>> from skdir.cli import write_summary_csv
    >>> summary = {  # as summarize returns it
    ...     ("tabular", "vanilla"): {
    ...         "label": "Vanilla", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.0, 0.0), ("few", "mae"): (9.0, 0.0)},
    ...     ("tabular", "inverse"): {
    ...         "label": "INVERSE", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.5, 0.0), ("few", "mae"): (5.0, 0.0)}}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "summary.csv")
    ...     write_summary_csv(summary, path, dataset="d")
    ...     with open(path) as handle:
    ...         rows = list(csv.DictReader(handle))
    >>> [(r["method"], r["shot"], r["mean"]) for r in rows[:3]]
    [('vanilla', 'all', '2.0'), ('vanilla', 'few', '9.0'), ('inverse', 'all', '2.5')]
    """
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["dataset", "family", "method", "label", "n_seeds", "shot",
                         "metric", "mean", "std", "fit_seconds"])
        for (family, key), row in summary.items():
            for col, value in row.items():
                if isinstance(col, tuple):
                    writer.writerow([dataset, family, key, row["label"], row["n_seeds"],
                                     col[0], col[1], value[0], value[1],
                                     round(row["seconds"], 3)])
