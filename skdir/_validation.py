"""Input validation shared by skdir's estimators and functions."""

import functools
import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import _num_samples

__all__ = [
    "check_relevance_values",
    "check_target",
    "check_sample_weight_1d",
    "check_same_length",
    "warn_user",
]


@functools.cache
def _library_dirs():
    """Folders whose frames are library code, not the user's."""
    import imblearn
    import joblib
    import sklearn

    # skdir's own folder, then the packages it is called through (imblearn's
    # Pipeline calls samplers through joblib.Memory).
    return (os.path.dirname(os.path.abspath(__file__)) + os.sep,) + tuple(
        os.path.dirname(os.path.abspath(module.__file__)) + os.sep
        for module in (sklearn, imblearn, joblib)
    )


def warn_user(message, category=UserWarning):
    """Warn with a stack level that points at the first frame outside skdir.

    Frames of skdir itself and of scikit-learn, imbalanced-learn and joblib
    (whose wrappers, such as ``_fit_context``, a Pipeline or a memory cache,
    sit between the user's call and skdir's code) are skipped, so the warning names the user's line
    whatever the depth of the call.

    Parameters
    ----------
    message : str
        The warning text.
    category : type, default=UserWarning
        The warning class.
    """
    prefixes = _library_dirs()
    frame = sys._getframe(1)  # warn_user's caller is stack level 2
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(prefixes):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


def check_target(
    y,
    *,
    name="y",
    allow_constant=True,
    min_samples=1,
    copy=False,
    warn_column=False,
    max_outputs=1,
):
    """Validate a continuous target and return it as a float64 array.

    Parameters
    ----------
    y : array-like of shape (n_samples,), (n_samples, 1) or (n_samples, n_outputs)
        Target values. A single column is a scalar target.
    name : str, default="y"
        Name used in error messages.
    allow_constant : bool, default=True
        If False, a target with a single distinct value raises.
    min_samples : int, default=1
        Minimum number of values.
    copy : bool, default=False
        Force a copy even when ``y`` already is a float64 array.
    warn_column : bool, default=False
        Warn with a :class:`~sklearn.exceptions.DataConversionWarning` when a
        column vector is given, as scikit-learn's regressors do.
    max_outputs : int, default=1
        Most target columns accepted; with more than 1, a target of 2 to
        ``max_outputs`` columns is returned as a 2-D array.

    Returns
    -------
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs), dtype=float64
        Never a view that the caller's array could be modified through when
        ``copy=True``.

    Raises
    ------
    TypeError
        If ``y`` is not numeric (strings, objects).
    ValueError
        If ``y`` is None, empty, has more than ``max_outputs`` columns, holds
        NaN or infinity, or is constant while ``allow_constant`` is False.
    """
    if y is None:
        raise ValueError(f"{name} is required, got None.")
    arr = np.asarray(y)
    kind = arr.dtype.kind
    if kind == "c":
        raise ValueError(f"Complex data not supported: {name} must be real-valued.")
    has_str = kind in "US" or (
        kind == "O" and any(isinstance(v, (str, bytes)) for v in arr.ravel()[:1000])
    )
    if has_str:
        raise TypeError(
            f"{name} must be numeric (a continuous target), got strings "
            f"(dtype {arr.dtype}); encode string or categorical targets first."
        )
    if kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must be numeric (a continuous target), got dtype "
                f"{arr.dtype}."
            ) from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        if warn_column:
            warn_user(
                "A column-vector y was passed when a 1d array was expected. Please "
                "change the shape of y to (n_samples, ), for example using ravel().",
                DataConversionWarning,
            )
        arr = arr[:, 0]
    elif arr.ndim == 2 and max_outputs > 1 and arr.shape[1] > 1:
        if arr.shape[1] > max_outputs:
            raise ValueError(
                f"{name} has {arr.shape[1]} columns; at most {max_outputs} target "
                "columns are supported (their bins form a joint grid whose size "
                "is the product of the columns' bin counts)."
            )
    elif arr.ndim != 1:
        if max_outputs > 1:
            raise ValueError(
                f"{name} must be 1-D (n_samples,) or 2-D (n_samples, n_outputs) "
                f"with at most {max_outputs} columns, got shape {arr.shape}."
            )
        raise ValueError(
            f"{name} must be 1-D (n_samples,) or a single column (n_samples, 1), "
            f"got shape {arr.shape}."
        )
    arr = np.array(arr, dtype=np.float64, copy=copy or None)
    if arr.size == 0:
        raise ValueError(f"{name} is empty: at least {min_samples} value(s) needed.")
    if arr.shape[0] < min_samples:
        raise ValueError(
            f"{name} has {arr.shape[0]} sample(s); at least {min_samples} are needed."
        )
    finite = np.isfinite(arr)
    if not finite.all():
        what = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(
            f"{name} contains {what} ({int((~finite).sum())} non-finite value(s))."
        )
    if not allow_constant and arr.shape[0] > 1 and np.all(arr == arr[0]):
        first = f"{arr[0]:g}" if arr.ndim == 1 else f"{arr[0].tolist()}"
        raise ValueError(
            f"{name} is constant (every value is {first}); there is no label "
            "distribution to balance."
        )
    return arr


def check_same_length(*arrays, names):
    """Raise a ValueError naming the arrays whose lengths differ."""
    lengths = [_num_samples(a) for a in arrays]
    if len(set(lengths)) > 1:
        detail = ", ".join(f"{n}: {length}" for n, length in zip(names, lengths))
        raise ValueError(f"Inconsistent numbers of samples ({detail}).")


def check_sample_weight_1d(sample_weight, y, *, name="sample_weight"):
    """Validate per-sample weights for a target ``y``.

    Weights must be finite and non-negative, not all zero, with one weight
    per sample. A single zero weight is allowed (it drops that sample), as in
    scikit-learn.

    Returns
    -------
    sample_weight : ndarray of shape (n_samples,) or None
    """
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight)
    if w.ndim == 0:
        w = np.full(len(y), float(w))
    if w.dtype.kind not in "biuf":
        try:
            w = w.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be numeric, got dtype {w.dtype}.") from None
    w = np.array(w, dtype=np.float64)
    if w.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {w.shape}.")
    check_same_length(y, w, names=("y", name))
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} contains NaN or infinity.")
    if np.any(w < 0):
        raise ValueError(
            f"{name} must be non-negative, got {int((w < 0).sum())} negative value(s)."
        )
    if not np.any(w > 0):
        raise ValueError(f"{name} is zero everywhere; at least one weight must be > 0.")
    return w


def check_relevance_values(values, n_samples):
    """The values a relevance returned, as float64 of shape ``(n_samples,)``:
    one per sample, finite, in [0, 1]; a clear error otherwise."""
    values = np.asarray(values, dtype=float)
    if values.shape != (n_samples,):
        raise ValueError(
            f"relevance must return one value per sample, shape ({n_samples},); "
            f"got shape {values.shape}."
        )
    if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
        raise ValueError("relevance must return finite values in [0, 1].")
    return values
