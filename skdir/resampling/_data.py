"""Input containers of the samplers: split X into numeric and nominal parts,
and rebuild the same container (array, list, DataFrame) for the output."""

import sys
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array

__all__ = ["Features", "split_features", "index_rows", "rebuild", "restore_y"]


def _is_dataframe(X):
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(X, pd.DataFrame)


def _is_series(y):
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(y, pd.Series)


def _is_nominal_dtype(dtype):
    import pandas as pd

    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or not pd.api.types.is_numeric_dtype(dtype)
    )


@dataclass
class Features:
    """Numeric and nominal views of X for the interpolating samplers.

    Attributes
    ----------
    X : ndarray or DataFrame
        The validated input (a DataFrame is kept as given).
    num : ndarray of shape (n_samples, n_numeric), dtype=float64
        Numeric columns.
    nom : ndarray of shape (n_samples, n_nominal), dtype=intp
        Integer codes of the nominal columns (missing values form a code of
        their own).
    num_pos, nom_pos : ndarray of int
        Column positions of the numeric and nominal columns.
    integer : ndarray of bool, shape (n_numeric,)
        Which numeric columns have an integer dtype (rounded on output).
    """

    X: object
    num: np.ndarray
    nom: np.ndarray
    num_pos: np.ndarray
    nom_pos: np.ndarray
    integer: np.ndarray


def _resolve_categorical(categorical_features, n_features, columns):
    """Positions of the user-declared nominal columns, or None for "auto"."""
    if categorical_features is None or (
        isinstance(categorical_features, str) and categorical_features == "auto"
    ):
        return None
    cats = np.asarray(categorical_features)
    if cats.ndim != 1:
        raise ValueError(
            f"categorical_features must be 1-D, got shape {cats.shape}."
        )
    if cats.size == 0:
        return np.array([], dtype=np.intp)
    if cats.dtype.kind == "b":
        if cats.size != n_features:
            raise ValueError(
                f"categorical_features as a boolean mask must have {n_features} "
                f"entries (one per feature), got {cats.size}."
            )
        return np.flatnonzero(cats)
    if cats.dtype.kind in "iu":
        if cats.min() < -n_features or cats.max() >= n_features:
            raise ValueError(
                f"categorical_features holds column indices out of range for "
                f"{n_features} features: {cats.tolist()}."
            )
        return np.unique(np.where(cats < 0, cats + n_features, cats))
    if columns is None:
        raise ValueError(
            "categorical_features given as names needs X to be a DataFrame with "
            "column names."
        )
    names = list(columns)
    missing = [c for c in cats.tolist() if c not in names]
    if missing:
        raise ValueError(f"categorical_features names not found in X: {missing}.")
    return np.unique([names.index(c) for c in cats.tolist()])


def split_features(X, categorical_features=None, *, allow_nominal=True):
    """Validate X for interpolation and split numeric from nominal columns.

    Numeric columns must be finite. Nominal columns are pandas categorical,
    object, string and bool columns (``categorical_features="auto"``) or the
    declared ones; their values are never interpolated, only copied.
    """
    if sparse.issparse(X):
        raise TypeError(
            "X is a sparse matrix; this sampler interpolates features and needs "
            "dense data. Use X.toarray(), or RandomOverSampler, "
            "RandomUnderSampler or WERCS, which accept sparse X."
        )
    if _is_dataframe(X):
        n, p = X.shape
        declared = _resolve_categorical(categorical_features, p, X.columns)
        if declared is None:
            nominal = np.array([_is_nominal_dtype(dt) for dt in X.dtypes])
        else:
            nominal = np.zeros(p, dtype=bool)
            nominal[declared] = True
        if n == 0:
            raise ValueError("X is empty: 0 samples.")
        if p == 0:
            raise ValueError("X has 0 features; at least one is needed.")
        num_pos, nom_pos = np.flatnonzero(~nominal), np.flatnonzero(nominal)
        num = np.empty((n, num_pos.size), dtype=np.float64)
        integer = np.zeros(num_pos.size, dtype=bool)
        import pandas as pd

        for j, pos in enumerate(num_pos):
            col = X.iloc[:, pos]
            try:
                num[:, j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError):
                raise TypeError(
                    f"X column {X.columns[pos]!r} (dtype {col.dtype}) is not "
                    "numeric; list it in categorical_features."
                ) from None
            integer[j] = pd.api.types.is_integer_dtype(col.dtype)
            if not np.all(np.isfinite(num[:, j])):
                raise ValueError(
                    f"X contains NaN or infinity in column {X.columns[pos]!r}; "
                    "impute missing values before resampling."
                )
        nom = np.empty((n, nom_pos.size), dtype=np.intp)
        for j, pos in enumerate(nom_pos):
            nom[:, j] = pd.factorize(X.iloc[:, pos], use_na_sentinel=False)[0]
        if nom_pos.size and not allow_nominal:
            raise ValueError("This sampler does not support nominal features.")
        return Features(X, num, nom, num_pos, nom_pos, integer)

    arr = X if hasattr(X, "dtype") else np.asarray(X)
    is_object = arr.dtype.kind in "OUS"
    n_features = arr.shape[1] if arr.ndim == 2 else 0
    declared = _resolve_categorical(categorical_features, n_features, None)
    if not is_object and (declared is None or declared.size == 0):
        X = check_array(X, dtype="numeric", ensure_all_finite=True, input_name="X")
        p = X.shape[1]
        num = X.astype(np.float64, copy=False)
        return Features(
            X, num, np.empty((X.shape[0], 0), dtype=np.intp), np.arange(p),
            np.array([], dtype=np.intp), np.full(p, X.dtype.kind in "iu"),
        )
    X = check_array(X, dtype=None, ensure_all_finite=False, input_name="X")
    n, p = X.shape
    nominal = np.zeros(p, dtype=bool)
    if declared is not None:
        nominal[declared] = True
    for pos in np.flatnonzero(~nominal):
        try:
            X[:, pos].astype(np.float64)
        except (TypeError, ValueError):
            if declared is not None:
                raise TypeError(
                    f"X column {pos} is not numeric; list it in categorical_features."
                ) from None
            nominal[pos] = True
    num_pos = np.flatnonzero(~nominal)
    nom_pos = np.flatnonzero(nominal)
    if num_pos.size:
        num = np.column_stack([X[:, pos].astype(np.float64) for pos in num_pos])
    else:
        num = np.empty((n, 0))
    if not np.all(np.isfinite(num)):
        raise ValueError("X contains NaN or infinity in a numeric column.")
    nom = np.empty((n, nom_pos.size), dtype=np.intp)
    for j, pos in enumerate(nom_pos):
        nom[:, j] = _codes(X[:, pos], pos)
    if nom_pos.size and not allow_nominal:
        raise ValueError("This sampler does not support nominal features.")
    integer = np.zeros(num_pos.size, dtype=bool)
    return Features(X, num, nom, num_pos, nom_pos, integer)


def _codes(column, pos):
    """Integer codes of the values of a nominal array column."""
    try:
        return np.unique(column, return_inverse=True)[1].ravel()
    except TypeError:
        pass  # mixed types that do not sort, such as strings and None
    try:
        import pandas as pd

        return pd.factorize(column, use_na_sentinel=False)[0]
    except (ImportError, TypeError):
        raise TypeError(
            f"X column {pos}: argument must be a string or a number (a category "
            "or a numeric value); got values that cannot be compared or hashed."
        ) from None


def index_rows(X):
    """Validate X for the samplers that only select rows (any content)."""
    if _is_dataframe(X):
        if X.shape[0] == 0:
            raise ValueError("X is empty: 0 samples.")
        return X
    return check_array(
        X, accept_sparse=["csr", "csc"], dtype=None, ensure_all_finite=False,
        input_name="X",
    )


def take_rows(X, rows):
    """Rows of X (any container), with a fresh default index for DataFrames."""
    if _is_dataframe(X):
        return X.iloc[rows].reset_index(drop=True)
    return X[rows]


def _cast_numeric(values, dtype, integer):
    if integer:
        values = np.rint(values)
    return values.astype(dtype, copy=False)


def rebuild(features, kept, syn_num, syn_src):
    """The output X: the kept original rows, then the synthetic ones.

    Parameters
    ----------
    features : Features
    kept : ndarray of int
        Original rows kept, in output order.
    syn_num : ndarray of shape (n_new, n_numeric)
        Synthetic numeric values.
    syn_src : ndarray of shape (n_new, n_nominal)
        For each synthetic row and nominal column, the original row whose
        value it takes.
    """
    X = features.X
    if _is_dataframe(X):
        import pandas as pd

        cols = {}
        for j, pos in enumerate(features.num_pos):
            col = X.iloc[:, pos]
            values = np.concatenate([features.num[kept, j], syn_num[:, j]])
            if features.integer[j]:
                values = np.rint(values)
            cols[pos] = pd.Series(values).astype(col.dtype)
        for j, pos in enumerate(features.nom_pos):
            rows = np.concatenate([kept, syn_src[:, j]])
            cols[pos] = X.iloc[:, pos].take(rows).reset_index(drop=True)
        out = pd.concat([cols[pos] for pos in range(X.shape[1])], axis=1)
        out.columns = X.columns
        return out
    if features.nom_pos.size == 0:
        syn = _cast_numeric(syn_num, X.dtype, X.dtype.kind in "iu")
        return np.concatenate([X[kept], syn], axis=0)
    base_rows = np.concatenate([kept, syn_src[:, 0] if syn_src.size else kept[:0]])
    out = X[base_rows].copy()
    n_kept = kept.size
    for j, pos in enumerate(features.nom_pos):
        out[n_kept:, pos] = X[syn_src[:, j], pos]
    for j, pos in enumerate(features.num_pos):
        out[n_kept:, pos] = syn_num[:, j]
    return out


def restore_y(y_orig, values, X_out):
    """Put ``values`` in the container of the original ``y`` (a multi-output
    DataFrame keeps its columns, a 2-D array or list of rows stays 2-D)."""
    if _is_dataframe(y_orig) or _is_series(y_orig):
        import pandas as pd

        index = X_out.index if _is_dataframe(X_out) else None
        if _is_dataframe(y_orig):
            values = np.asarray(values)
            return pd.DataFrame(
                values.reshape(-1, 1) if values.ndim == 1 else values,
                columns=y_orig.columns, index=index,
            )
        return pd.Series(values, name=y_orig.name, index=index)
    if isinstance(y_orig, (list, tuple)):
        return np.asarray(values).tolist()
    values = np.asarray(values)
    if np.ndim(y_orig) == 2 and values.ndim == 1:
        return values.reshape(-1, 1)
    return values
