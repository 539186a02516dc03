"""Benchmark tables: the terminal table, Markdown and CSV."""

import csv
import math

from ._benchmark import SHOT_COLUMNS, TABLE_METRICS, ZERO_SHOT_COLUMNS

__all__ = ["best_vs_vanilla", "format_markdown", "format_terminal", "write_csv",
           "write_summary_csv"]

_SHOT_NAMES = {"all": "All", "many": "Many", "medium": "Med.", "few": "Few",
               "interp": "Interp.", "extrap": "Extrap."}
_FAMILY_NAMES = {"tabular": "scikit-learn regressor", "neural": "neural network "
                 "(DIRRegressor)"}
_RECORD_FIELDS = ["dataset", "family", "method", "label", "seed", "shot", "metric",
                  "value", "fit_seconds"]

def _columns(summary, metrics):
    shots = list(SHOT_COLUMNS)
    if any(("interp", "mae") in row for row in summary.values()):
        shots += list(ZERO_SHOT_COLUMNS)
    return [(shot, metric) for metric in metrics for shot in shots]


def _vanilla_key(family):
    return "vanilla" if family == "tabular" else "nn-vanilla"


def best_vs_vanilla(summary, family, columns):
    """Best non-vanilla mean per column and its gain over Vanilla.

    Parameters
    ----------
    summary : dict
        As :func:`summarize` returns it.
    family : {"tabular", "neural"}
        The model family; its Vanilla row is ``"vanilla"`` or
        ``"nn-vanilla"``.
    columns : list of tuple
        ``(shot, metric)`` columns to compare.

    Returns
    -------
    best : dict
        ``{column: (best_mean, gain, label)}`` with ``gain = vanilla -
        best_mean`` (positive when a method beats Vanilla; every metric here
        is an error); empty when the family has no Vanilla row or nothing
        else.

    Examples
    --------
    >>> summary = {  # as summarize returns it
    ...     ("tabular", "vanilla"): {
    ...         "label": "Vanilla", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.0, 0.0), ("few", "mae"): (9.0, 0.0)},
    ...     ("tabular", "inv"): {
    ...         "label": "INV", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.5, 0.0), ("few", "mae"): (5.0, 0.0)}}
    >>> best_vs_vanilla(summary, "tabular", [("all", "mae"), ("few", "mae")])
    {('all', 'mae'): (2.5, -0.5, 'INV'), ('few', 'mae'): (5.0, 4.0, 'INV')}
    """
    vanilla = summary.get((family, _vanilla_key(family)))
    others = [row for (fam, key), row in summary.items()
              if fam == family and key != _vanilla_key(family)]
    if vanilla is None or not others:
        return {}
    out = {}
    for col in columns:
        candidates = [(row[col][0], row["label"]) for row in others
                      if col in row and math.isfinite(row[col][0])]
        if not candidates or not math.isfinite(vanilla.get(col, (math.nan,))[0]):
            continue
        best, label = min(candidates)
        out[col] = (best, vanilla[col][0] - best, label)
    return out


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


def format_markdown(summary, *, title=None, notes=()):
    """A paper-style Markdown table, one block per model family.

    Each cell is ``mean ± std`` over seeds; each family ends with the
    "Ours (best) vs Vanilla" row of Yang et al. (ICML 2021): the gain of the
    best other row over Vanilla per column.

    Parameters
    ----------
    summary : dict
        As :func:`summarize` returns it.
    title : str, default=None
        Heading (``### title``) above the table.
    notes : sequence of str, default=()
        Paragraphs below the table.

    Returns
    -------
    table : str
        Markdown text, ending with a newline.

    Examples
    --------
    >>> summary = {  # as summarize returns it
    ...     ("tabular", "vanilla"): {
    ...         "label": "Vanilla", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.0, 0.0), ("few", "mae"): (9.0, 0.0)},
    ...     ("tabular", "inv"): {
    ...         "label": "INV", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.5, 0.0), ("few", "mae"): (5.0, 0.0)}}
    >>> print(format_markdown(summary, title="d").splitlines()[0])
    ### d
    >>> table = format_markdown(summary)
    >>> print(table.splitlines()[0][:42])
    | Method | MAE All | MAE Many | MAE Med. |
    >>> print(table.splitlines()[3][:39])
    | Vanilla | 2.000 ± 0.000 | n/a | n/a |
    """
    columns = _columns(summary, TABLE_METRICS)
    digits = {m: _digits(summary, m) for m in TABLE_METRICS}
    lines = [f"### {title}", ""] if title else []
    header = ["Method"] + [f"{m.upper()} {_SHOT_NAMES[s]}" for s, m in columns]
    header.append("fit s")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| --- " * len(header) + "|")
    families = [f for f in ("tabular", "neural") if any(k[0] == f for k in summary)]
    for family in families:
        lines.append(f"| *{_FAMILY_NAMES[family]}* |" + " |" * (len(header) - 1))
        for (fam, _), row in summary.items():
            if fam != family:
                continue
            cells = [row["label"]] + [
                _fmt(*row.get(col, (math.nan, math.nan)), digits=digits[col[1]])
                for col in columns
            ]
            cells.append(f"{row['seconds']:.1f}")
            lines.append("| " + " | ".join(cells) + " |")
        best = best_vs_vanilla(summary, family, columns)
        if best:
            cells = ["**Ours (best) vs Vanilla**"]
            for col in columns:
                if col in best:
                    gain = best[col][1]
                    cells.append(f"**{gain:+.{digits[col[1]]}f}**")
                else:
                    cells.append("")
            cells.append("")
            lines.append("| " + " | ".join(cells) + " |")
    for note in notes:
        lines.append("")
        lines.append(note)
    return "\n".join(lines) + "\n"


def format_terminal(summary, *, metrics=("mae", "gm")):
    """A compact table for the terminal.

    Parameters
    ----------
    summary : dict
        As :func:`summarize` returns it.
    metrics : sequence of str, default=("mae", "gm")
        Metrics shown, as ``mean±std`` per test group.

    Returns
    -------
    table : str
        Plain text, without a final newline.

    Examples
    --------
    >>> summary = {  # as summarize returns it
    ...     ("tabular", "vanilla"): {
    ...         "label": "Vanilla", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.0, 0.0), ("few", "mae"): (9.0, 0.0)},
    ...     ("tabular", "inv"): {
    ...         "label": "INV", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.5, 0.0), ("few", "mae"): (5.0, 0.0)}}
    >>> print(format_terminal(summary, metrics=("mae",)))
                                 MAE All  MAE Many  MAE Med.   MAE Few
    -- scikit-learn regressor
    Vanilla                    2.00±0.00       n/a       n/a 9.00±0.00
    INV                        2.50±0.00       n/a       n/a 5.00±0.00
    Ours (best) vs Vanilla         -0.50                         +4.00
    """
    columns = _columns(summary, metrics)
    digits = {m: min(_digits(summary, m), 2) for m in metrics}
    cells = {key: [_fmt(*row.get(col, (math.nan, math.nan)), digits=digits[col[1]])
                   .replace(" ± ", "±") for col in columns]
             for key, row in summary.items()}
    width = max([len(c) for row in cells.values() for c in row] + [9])
    name_width = max([len(r["label"]) for r in summary.values()] + [24]) + 2
    head1 = " " * name_width + "".join(
        f"{m.upper() + ' ' + _SHOT_NAMES[s]:>{width + 1}}" for s, m in columns)
    lines = [head1]
    families = [f for f in ("tabular", "neural") if any(k[0] == f for k in summary)]
    for family in families:
        lines.append(f"-- {_FAMILY_NAMES[family]}")
        for key, row in summary.items():
            if key[0] == family:
                lines.append(f"{row['label']:<{name_width}}"
                             + "".join(f"{c:>{width + 1}}" for c in cells[key]))
        best = best_vs_vanilla(summary, family, columns)
        if best:
            gains = [f"{best[col][1]:+.{digits[col[1]]}f}" if col in best else ""
                     for col in columns]
            lines.append(f"{'Ours (best) vs Vanilla':<{name_width}}"
                         + "".join(f"{g:>{width + 1}}" for g in gains))
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
            writer.writerow({k: rec[k] for k in _RECORD_FIELDS})


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
    ...     ("tabular", "inv"): {
    ...         "label": "INV", "n_seeds": 1, "seconds": 0.5,
    ...         ("all", "mae"): (2.5, 0.0), ("few", "mae"): (5.0, 0.0)}}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "summary.csv")
    ...     write_summary_csv(summary, path, dataset="d")
    ...     with open(path) as handle:
    ...         rows = list(csv.DictReader(handle))
    >>> [(r["method"], r["shot"], r["mean"]) for r in rows[:3]]
    [('vanilla', 'all', '2.0'), ('vanilla', 'few', '9.0'), ('inv', 'all', '2.5')]
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
