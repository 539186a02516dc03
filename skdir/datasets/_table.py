"""Reading small CSV tables into numeric arrays without pandas.

The bundled datasets and the command line's ``--dataset file.csv`` share this
reader: it reads text with :mod:`csv`, turns numeric columns into floats
(empty cells become NaN) and encodes the others, either as integer codes of
an ordered list of categories or one-hot.
"""

import csv
import gzip
import io
import os

import numpy as np

__all__ = []


def read_table(path):
    """Header and cells (2-D array of str) of a CSV file, gzipped or not.

    Raises
    ------
    ValueError
        If the file is empty, has no data rows, or rows of unequal length.
    OSError
        If the file cannot be read.
    """
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8-sig") as handle:
        text = handle.read()
    return parse_table(text, source=path)


def parse_table(text, *, source="<text>"):
    """Header and cells of CSV ``text``; see :func:`read_table`."""
    if not text.strip():
        raise ValueError(f"{source} is empty.")
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
    except csv.Error as exc:
        raise ValueError(f"{source} is not a readable CSV file: {exc}.") from None
    header = [name.strip() for name in rows[0]]
    if len(rows) < 2:
        raise ValueError(f"{source} has a header but no data rows.")
    lengths = np.fromiter((len(row) for row in rows), dtype=np.intp, count=len(rows))
    bad = np.flatnonzero(lengths != len(header))
    if bad.size:
        raise ValueError(
            f"{source}: line {int(bad[0]) + 1} has {int(lengths[bad[0]])} fields, "
            f"the header has {len(header)}."
        )
    if len(set(header)) != len(header):
        raise ValueError(f"{source}: the header repeats a column name.")
    return header, np.array(rows[1:], dtype=str)


def to_float(cells, name):
    """A column of str as floats (empty or 'NA' cells become NaN), or None."""
    stripped = np.char.strip(cells)
    missing = np.isin(stripped, ["", "NA", "NaN", "nan", "null", "None"])
    try:
        values = np.where(missing, "nan", stripped).astype(float)
    except ValueError:
        return None
    return values


def encode_table(header, cells, target, *, ordinal=None, source="<data>"):
    """Numeric X, y and feature names from a table of strings.

    Parameters
    ----------
    header : list of str
        Column names.
    cells : ndarray of shape (n_rows, n_columns), dtype=str
        The cells.
    target : str
        Name of the target column; it must be numeric and complete.
    ordinal : dict of str to list, default=None
        Columns encoded as the integer index of their value in the list.
        Other non-numeric columns are one-hot encoded (``name=value``
        columns, in sorted order of the values).
    source : str
        Name of the data in error messages.

    Returns
    -------
    X : ndarray of shape (n_rows, n_features), dtype=float64
    y : ndarray of shape (n_rows,), dtype=float64
    feature_names : list of str
    """
    ordinal = ordinal or {}
    if target not in header:
        raise ValueError(
            f"{source} has no target column {target!r}; its columns are "
            f"{', '.join(header)}."
        )
    columns, names = [], []
    y = None
    for j, name in enumerate(header):
        raw = cells[:, j]
        if name == target:
            y = to_float(raw, name)
            if y is None:
                raise ValueError(f"{source}: target column {target!r} is not numeric.")
            if not np.all(np.isfinite(y)):
                raise ValueError(
                    f"{source}: target column {target!r} has "
                    f"{int((~np.isfinite(y)).sum())} missing or non-finite value(s)."
                )
            continue
        if name in ordinal:
            levels = np.array(ordinal[name], dtype=str)
            order = np.argsort(levels)
            position = np.searchsorted(levels[order], raw)
            codes = order[np.clip(position, 0, levels.size - 1)]
            unknown = levels[codes] != raw
            if unknown.any():
                raise ValueError(
                    f"{source}: column {name!r} has the unexpected value "
                    f"{raw[unknown][0]!r}."
                )
            columns.append(codes.astype(float))
            names.append(name)
            continue
        values = to_float(raw, name)
        if values is not None:
            columns.append(values)
            names.append(name)
            continue
        levels, inverse = np.unique(np.char.strip(raw), return_inverse=True)
        if levels.size > 100:
            raise ValueError(
                f"{source}: column {name!r} is not numeric and has {levels.size} "
                "distinct values; encode it or drop it first."
            )
        onehot = np.zeros((raw.size, levels.size))
        onehot[np.arange(raw.size), inverse] = 1.0
        columns.extend(onehot.T)
        names.extend(f"{name}={level}" for level in levels)
    X = np.column_stack(columns) if columns else np.empty((cells.shape[0], 0))
    return X, y, names
