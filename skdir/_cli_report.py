"""Benchmark tables: the terminal table, Markdown and CSV."""

import csv
import math

from ._cli_bench import SHOT_COLUMNS, TABLE_METRICS, ZERO_SHOT_COLUMNS

__all__ = ["best_vs_vanilla", "format_markdown", "format_terminal", "write_csv"]

_SHOT_NAMES = {"all": "All", "many": "Many", "medium": "Med.", "few": "Few",
               "interp": "Interp.", "extrap": "Extrap."}
_FAMILY_NAMES = {"tabular": "scikit-learn regressor", "neural": "neural network "
                 "(DIRRegressor)"}


def _columns(summary, metrics):
    shots = list(SHOT_COLUMNS)
    if any(("interp", "mae") in row for row in summary.values()):
        shots += list(ZERO_SHOT_COLUMNS)
    return [(shot, metric) for metric in metrics for shot in shots]


def _vanilla_key(family):
    return "vanilla" if family == "tabular" else "nn-vanilla"


def best_vs_vanilla(summary, family, columns):
    """Best non-vanilla mean per column and its gain over Vanilla.

    Returns ``{column: (best_mean, gain, label)}`` with ``gain = vanilla -
    best`` (positive when a method beats Vanilla; every metric here is an
    error), or an empty dict when the family has no Vanilla row or nothing
    else.
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
    """A paper-style Markdown table (one block per model family)."""
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
    """A compact table for the terminal: mean ± std of two metrics."""
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
    """Every record (dataset, family, method, seed, shot, metric, value)."""
    fields = ["dataset", "family", "method", "label", "seed", "shot", "metric",
              "value", "fit_seconds"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for rec in records:
            writer.writerow({k: rec[k] for k in fields})


def write_summary_csv(summary, path, *, dataset):
    """Mean and std per method and column."""
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
