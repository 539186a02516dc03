"""The base of skdir's samplers: imbalanced-learn's sampler API for a
continuous target, the relevance of the targets and the bumps."""

import warnings
from numbers import Integral, Real

import numpy as np
from imblearn.base import BaseSampler
from sklearn.base import _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import validate_data

from .._targets import TrainingTargets
from .._validation import check_target
from ..bins import KERNELS, LabelBins
from ..relevance import LDSRelevance, PhiRelevance
from ._bumps import bump_targets, find_bumps
from ._data import _is_dataframe, rebuild, restore_y, take_rows

__all__ = ["BaseRegressionSampler", "BaseBumpSampler"]


def _n_samples(X):
    if hasattr(X, "shape") and len(X.shape) >= 1:
        return X.shape[0]
    return len(X)


class BaseRegressionSampler(BaseSampler):
    """Base class of the samplers for a continuous target.

    imbalanced-learn's :class:`~imblearn.base.BaseSampler` checks that the
    target is a classification target; this class keeps its API (``fit``,
    ``fit_resample``, tags, ``get_feature_names_out``) and replaces the target
    handling. Subclasses implement ``_resample(y, relevance, rng)``.

    Warning: this class should not be used directly.
    """

    _parameter_constraints: dict = {
        "relevance": [StrOptions({"lds", "phi"}), HasMethods(["fit", "transform"]),
                      callable],
        "threshold": [Interval(Real, 0, 1, closed="right")],
        "bins": [LabelBins, Interval(Integral, 1, None, closed="left"),
                 StrOptions({"auto"}), "array-like", None],
        "kernel": [StrOptions(set(KERNELS))],
        "ks": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
    }

    #: Whether the sampler only selects original rows (True) or also creates
    #: synthetic ones by interpolation or noise (False).
    _selects_rows = True

    def _compute_relevance(self, y):
        rel = self.relevance
        if isinstance(rel, str) and rel == "lds":
            values = LDSRelevance(
                bins=self.bins, kernel=self.kernel, ks=self.ks, sigma=self.sigma
            ).fit_transform(y)
        elif isinstance(rel, str) and rel == "phi":
            values = PhiRelevance().fit_transform(y)
        elif hasattr(rel, "fit") and hasattr(rel, "transform"):
            values = clone(rel).fit(y).transform(y)
        else:
            values = rel(y.copy())
        values = np.asarray(values, dtype=float)
        if values.shape != y.shape:
            raise ValueError(
                f"relevance must return one value per sample, shape {y.shape}; got "
                f"shape {values.shape}."
            )
        if not np.all(np.isfinite(values)) or values.min() < 0 or values.max() > 1:
            raise ValueError("relevance must return finite values in [0, 1].")
        return values

    def _validate_X(self, X):
        """Validated X for this sampler (a Features object or an array)."""
        raise NotImplementedError

    def fit(self, X, y, **params):
        """Resample ``X, y`` and keep the fitted statistics.

        You should use ``fit_resample`` in all cases.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Data.
        y : array-like of shape (n_samples,)
            Continuous target.
        **params : dict
            Unused; accepted for API compatibility.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        self.fit_resample(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_resample(self, X, y, **params):
        """Resample the data set.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Data; a DataFrame keeps its column names and dtypes, and the
            output gets a fresh ``RangeIndex``.
        y : array-like of shape (n_samples,)
            Continuous, finite target (a Series or one-column DataFrame is
            returned as such).
        **params : dict
            Unused; accepted for API compatibility.

        Returns
        -------
        X_resampled : {ndarray, dataframe, list} of shape (n_samples_new, n_features)
            The kept original rows (``X[sample_indices_]``), then the
            synthetic rows, in the container of ``X``.
        y_resampled : {ndarray, series, dataframe, list} of shape (n_samples_new,)
            The corresponding targets, in the container of ``y``.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y_orig = y
        y = check_target(y)
        data = self._validate_X(X)
        n_x = _n_samples(data.X if hasattr(data, "num") else data)
        if n_x != y.size:
            raise ValueError(
                f"Inconsistent numbers of samples (X: {n_x}, y: {y.size})."
            )
        validate_data(self, X=X, skip_check_array=True, reset=True)
        self.training_targets_ = TrainingTargets.from_y(y)
        # None draws fresh entropy rather than the global RandomState, which
        # is neither used nor advanced.
        rng = (
            np.random.RandomState()
            if self.random_state is None
            else check_random_state(self.random_state)
        )

        relevance = self._compute_relevance(y)
        self.relevance_ = relevance
        rare = relevance >= self.threshold
        reason = None
        if y.size < 2:
            reason = "a single sample"
        elif not rare.any():
            reason = (
                f"no target has relevance >= threshold={self.threshold} (no rare "
                "samples)"
            )
        elif rare.all() and self._needs_normal:
            reason = (
                f"every target has relevance >= threshold={self.threshold} (every "
                "sample is rare)"
            )
        if reason is not None:
            warnings.warn(
                f"{type(self).__name__}: {reason}; returning the data unchanged.",
                UserWarning,
                stacklevel=2,
            )
            kept = np.arange(y.size)
            self._record_unchanged(y, rare)
            synthetic = None
        else:
            kept, synthetic = self._resample(data, y, relevance, rare, rng)
        self.sample_indices_ = kept
        return self._output(data, y_orig, y, kept, synthetic, isinstance(X, list))

    _needs_normal = True

    def _fit_resample(self, X, y):
        # imbalanced-learn's abstract hook; fit_resample does the work here.
        return self.fit_resample(X, y)

    def _record_unchanged(self, y, rare):
        self.sampling_strategy_ = {}

    def _output(self, data, y_orig, y, kept, synthetic, as_list):
        y_arr = np.asarray(y_orig)
        if y_arr.ndim == 2:
            y_arr = y_arr[:, 0]
        if hasattr(data, "num"):
            X_src = data.X
            if synthetic is None:
                syn_num = np.empty((0, data.num.shape[1]))
                syn_src = np.empty((0, data.nom.shape[1]), dtype=np.intp)
                syn_y = np.empty(0)
            else:
                syn_num, syn_src, syn_y = synthetic
            X_out = rebuild(data, kept, syn_num, syn_src)
            y_dtype = y_arr.dtype if y_arr.dtype.kind == "f" else np.float64
            y_out = np.concatenate([y[kept], syn_y]).astype(y_dtype, copy=False)
        else:
            X_src = data
            X_out = take_rows(data, kept)
            y_out = y_arr[kept]
        if as_list and not _is_dataframe(X_src):
            X_out = X_out.tolist()
        return X_out, restore_y(y_orig, y_out, X_out)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        tags.target_tags.required = True
        tags.target_tags.one_d_labels = True
        tags.input_tags.sparse = self._selects_rows
        tags.input_tags.allow_nan = self._selects_rows
        tags.input_tags.string = self._selects_rows
        tags.input_tags.categorical = True
        return tags


class BaseBumpSampler(BaseRegressionSampler):
    """Base of the samplers that resample the rare and normal bumps of y.

    Subclasses implement ``_grow(data, y, bump, n_new, rng)`` returning the
    synthetic part ``(num, src, y)`` of one rare bump (or ``None`` to
    duplicate rows), and set ``_kind`` to ``"both"``, ``"over"`` or
    ``"under"``.

    Warning: this class should not be used directly.
    """

    _parameter_constraints: dict = {
        **BaseRegressionSampler._parameter_constraints,
        "sampling_strategy": [StrOptions({"balance", "extreme"}),
                              Interval(Real, 0, 1, closed="neither"), dict],
    }

    _kind = "both"

    def _record_unchanged(self, y, rare):
        self.bumps_, self.bump_is_rare_ = find_bumps(y, rare)
        self.sampling_strategy_ = {
            i: int(b.size) for i, b in enumerate(self.bumps_)
        }

    def _resample(self, data, y, relevance, rare, rng):
        bumps, is_rare = find_bumps(y, rare)
        self.bumps_, self.bump_is_rare_ = bumps, is_rare
        sizes = np.array([b.size for b in bumps])
        targets = bump_targets(self.sampling_strategy, sizes, is_rare, self._kind)
        self.sampling_strategy_ = {i: int(t) for i, t in enumerate(targets)}
        kept, parts = [], []
        for bump, size, target in zip(bumps, sizes, targets):
            if target <= size:
                chosen = rng.choice(size, size=target, replace=False)
                kept.append(bump[np.sort(chosen)])
                continue
            kept.append(bump)
            part = self._grow(data, y, bump, int(target - size), rng)
            if isinstance(part, np.ndarray):  # duplicated original rows
                kept.append(part)
            else:
                parts.append(part)
        kept = np.sort(np.concatenate(kept)) if kept else np.empty(0, np.intp)
        if not parts:
            return kept, None
        return kept, tuple(np.concatenate([p[i] for p in parts]) for i in range(3))
