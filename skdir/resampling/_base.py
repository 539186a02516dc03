"""The base of skdir's samplers: imbalanced-learn's sampler API for a
continuous target, the relevance of the targets and the bumps."""

from numbers import Real

import numpy as np
from imblearn.base import BaseSampler
from sklearn.base import _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _num_samples, validate_data

from .._targets import TrainingTargets
from .._validation import check_relevance_values, check_target, warn_user
from ..bins import MAX_OUTPUTS, LabelSpace, _check_dense_grid
from ..relevance import LDSRelevance, PhiRelevance
from ._bumps import bump_targets, find_bumps, find_joint_bumps
from ._data import (
    Features,
    index_rows,
    rebuild,
    restore_y,
    split_features,
    take_rows,
)

__all__ = ["BaseRegressionSampler", "BaseBumpSampler"]


def _is_lds(relevance):
    return isinstance(relevance, str) and relevance == "lds"


def _is_phi(relevance):
    return (isinstance(relevance, str) and relevance == "phi") or isinstance(
        relevance, PhiRelevance
    )


class BaseRegressionSampler(BaseSampler):
    """Base class of the samplers for a continuous target.

    imbalanced-learn's :class:`~imblearn.base.BaseSampler` checks that the
    target is a classification target; this class keeps its API (``fit``,
    ``fit_resample``, tags, ``get_feature_names_out``) and its template, with
    a continuous target:

    - the public ``fit_resample(X, y)`` checks the parameters, validates
      ``y`` (once), ``X`` and their lengths, records ``n_features_in_``,
      ``feature_names_in_`` and ``training_targets_``, calls
      ``self._fit_resample(X, y)`` and puts the result back in the
      containers of the input (a list, a DataFrame, a Series or a column
      vector come back as such);
    - ``_fit_resample(X, y)`` resamples. It receives

      - ``X``: the validated features, a :class:`pandas.DataFrame` (as
        given, never copied or modified), a NumPy array (a list has become
        one) or, for the samplers that only select rows (``RandomOverSampler``,
        ``RandomUnderSampler``, ``WERCS``), a SciPy CSR or CSC matrix;
        numeric features of the interpolating samplers are finite;
      - ``y``: the target as a finite float64 ndarray of the same length,
        1-D, or 2-D for a target of 2 or 3 columns (where the sampler
        accepts one);

      and returns ``(X_resampled, y_resampled)``: ``X_resampled`` of the same
      kind as ``X`` (a DataFrame gets a fresh ``RangeIndex``) and
      ``y_resampled`` an array-like of as many rows (and ``y``'s columns).
      It sets the fitted attributes (``relevance_``, ``sample_indices_``,
      ...) as it goes; the skdir samplers implement it here, from the
      relevance of ``y`` and the sampler's own drawing step.

    A subclass that overrides only ``_fit_resample`` (to post-process
    ``super()._fit_resample(X, y)``, or to return a selection of its own)
    therefore works in ``fit_resample``, ``fit`` and
    :class:`imblearn.pipeline.Pipeline` unchanged.

    ``fit_resample`` and ``fit`` take no other keyword argument: an unknown
    one raises a ``TypeError`` naming it, and so does ``sample_weight``,
    which cannot follow rows that are added, removed and created (weight the
    regressor instead, for example with :class:`skdir.ReweightedRegressor`).

    Warning: this class should not be used directly.
    """

    _parameter_constraints: dict = {
        "relevance": [StrOptions({"lds", "phi"}), HasMethods(["fit", "transform"]),
                      callable],
        "threshold": [Interval(Real, 0, 1, closed="right")],
        "label_space": [LabelSpace, None],
        "random_state": ["random_state"],
    }

    #: Whether the sampler only selects original rows (True) or also creates
    #: synthetic ones by interpolation or noise (False).
    _selects_rows = True
    #: Whether a target whose every value is rare is returned unchanged.
    _needs_normal = True
    #: None when the sampler accepts a target of 2 or 3 columns, else why not.
    _scalar_only = None

    # ------------------------------------------------------------ checks
    def _check_params_kwargs(self, params, method):
        name = type(self).__name__
        if "sample_weight" in params:
            raise TypeError(
                f"{name}.{method} does not take sample_weight: resampling adds, "
                "removes and creates rows, so per-sample weights cannot follow "
                "them. Give the weights to the regressor after the sampler "
                "instead, for example with skdir.ReweightedRegressor, or use "
                "reweighting instead of resampling."
            )
        if params:
            raise TypeError(
                f"{name}.{method} got unexpected keyword argument(s) "
                f"{sorted(params)}; it takes only X and y."
            )

    def _check_settings(self):
        """Reject parameters that would have no effect."""
        if self.label_space is not None and not _is_lds(self.relevance):
            raise ValueError(
                f"label_space has no effect with relevance={self.relevance!r}: "
                "only relevance='lds' reads it. Leave label_space=None, or use "
                "relevance='lds'."
            )

    def _check_y_columns(self, y):
        """Refuse a multi-output ``y`` where the sampler cannot use one."""
        shape = np.shape(y)
        if self._scalar_only and len(shape) == 2 and shape[1] > 1:
            raise ValueError(
                f"{type(self).__name__} supports a scalar target only, got y with "
                f"{shape[1]} columns: {self._scalar_only} SMOTER, SMOGN, "
                "GaussianNoise, GSMOTER, RandomOverSampler, RandomUnderSampler "
                "and WERCS accept 2 or 3 target columns."
            )

    def _check_multi_output_relevance(self, y):
        """Refuse a relevance that cannot rate a multi-output ``y``."""
        n_outputs = y.shape[1]
        if _is_phi(self.relevance):
            raise ValueError(
                f"relevance={self.relevance!r} (the box plot of PhiRelevance) is "
                f"defined for a scalar target, and y has {n_outputs} columns. Use "
                "relevance='lds', the rarity of the target's cell in the joint "
                "grid of the label space."
            )
        if not _is_lds(self.relevance):
            raise ValueError(
                f"{type(self).__name__} needs relevance='lds' for a target of "
                f"{n_outputs} columns: its rare and normal bumps are regions of "
                "the joint grid of the label space. Pass the bins as "
                "label_space=LabelSpace(...)."
            )

    def _validate_X(self, X):
        """The validated container of X (see ``_fit_resample``)."""
        if self._selects_rows:
            return index_rows(X)
        features = split_features(X, self.categorical_features)
        self._split = features  # read back by _features, dropped after the fit
        return features.X

    def _features(self, X):
        """Numeric and nominal views of a validated X (interpolating samplers)."""
        split = getattr(self, "_split", None)
        if not isinstance(split, Features) or split.X is not X:
            split = split_features(X, self.categorical_features)
        return split

    # ---------------------------------------------------------- relevance
    def _compute_relevance(self, y):
        """Relevance of the validated float64 ``y``; sets ``label_space_``."""
        rel = self.relevance
        if _is_lds(rel):
            model = LDSRelevance(label_space=self.label_space)._fit(y)
            self.label_space_ = model.label_space_
            if y.ndim > 1:
                # Its rare regions are connected regions of the joint grid.
                _check_dense_grid(self.label_space_,
                                  f"{type(self).__name__} on a multi-output target")
            values = model._transform(y)
        else:
            self.__dict__.pop("label_space_", None)
            if isinstance(rel, str) and rel == "phi":
                values = PhiRelevance().fit_transform(y)
            elif hasattr(rel, "fit") and hasattr(rel, "transform"):
                values = clone(rel).fit(y).transform(y)
            else:
                values = rel(y.copy())
        return check_relevance_values(values, y.shape[0])

    # -------------------------------------------------------- public API
    def fit(self, X, y, **params):
        """Resample ``X, y`` and keep the fitted statistics.

        You should use ``fit_resample`` in all cases.

        Parameters
        ----------
        X : {array-like, dataframe} of shape (n_samples, n_features)
            Data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Continuous target; 2 or 3 columns for a multi-output target.
        **params : dict
            Not accepted: any keyword argument, ``sample_weight`` included,
            raises a ``TypeError`` (see ``fit_resample``).

        Returns
        -------
        self : object
            The fitted sampler.
        """
        self._check_params_kwargs(params, "fit")
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
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Continuous, finite target (a Series or DataFrame is returned as
            such). Two or three columns form a multi-output target, rated by
            the rarity of its cell in the joint grid of the label space
            (every sampler but ``CMixup``; ``relevance="phi"`` is refused).
        **params : dict
            Not accepted: an unknown keyword argument raises a ``TypeError``
            naming it, and so does ``sample_weight`` (the weights cannot
            follow resampled rows; give them to the regressor, for example
            with :class:`skdir.ReweightedRegressor`).

        Returns
        -------
        X_resampled : {array-like, sparse matrix, dataframe} of shape (n_samples_new, n_features)
            The kept original rows (``X[sample_indices_]``), then the
            synthetic rows, in the container of ``X``.
        y_resampled : {ndarray, series, dataframe, list} of shape (n_samples_new,) or (n_samples_new, n_outputs)
            The corresponding targets, in the container of ``y``.
        """
        self._check_params_kwargs(params, "fit_resample")
        self._check_settings()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y_orig = y
        self._check_y_columns(y)
        y = check_target(y, max_outputs=MAX_OUTPUTS)
        if y.ndim == 2:
            self._check_multi_output_relevance(y)
        try:
            X_valid = self._validate_X(X)
            if X_valid.shape[0] != y.shape[0]:
                raise ValueError(
                    f"Inconsistent numbers of samples (X: {X_valid.shape[0]}, y: "
                    f"{y.shape[0]})."
                )
            validate_data(self, X=X, skip_check_array=True, reset=True)
            self.training_targets_ = TrainingTargets.from_y(y)
            X_res, y_res = self._fit_resample(X_valid, y)
        finally:
            self.__dict__.pop("_split", None)
        y_res = self._restore_dtype(np.asarray(y_res), np.asarray(y_orig))
        if y_res.shape[1:] != y.shape[1:] or _num_samples(X_res) != y_res.shape[0]:
            what = "1-D y_resampled" if y.ndim == 1 else (
                f"y_resampled of {y.shape[1]} columns")
            raise ValueError(
                f"{type(self).__name__}._fit_resample must return X_resampled and a "
                f"{what} with as many rows; got "
                f"{_num_samples(X_res)} rows and y of shape {y_res.shape}."
            )
        if isinstance(X, (list, tuple)) and isinstance(X_res, np.ndarray):
            X_res = X_res.tolist()
        return X_res, restore_y(y_orig, y_res, X_res)

    def _restore_dtype(self, y_res, y_arr):
        """``y_res`` in the dtype of the given ``y`` where that loses nothing.

        A floating ``y`` keeps its dtype; another dtype comes back only from
        the samplers that select rows (their targets are original values),
        else the output is float64.
        """
        if y_res.ndim == 2 and y_res.shape[1] == 1:
            y_res = y_res[:, 0]
        dtype = y_arr.dtype
        if y_res.dtype == dtype:
            return y_res
        if dtype.kind == "f":
            return y_res.astype(dtype)
        if self._selects_rows and dtype.kind in "biuO":
            cast = y_res.astype(dtype)
            if np.array_equal(cast.astype(np.float64), y_res):
                return cast
        return y_res

    # -------------------------------------------------------- the template
    def _fit_resample(self, X, y):
        """Resample the validated ``X`` and float64 ``y``.

        Parameters
        ----------
        X : {DataFrame, ndarray, sparse matrix} of shape (n_samples, n_features)
            The validated features (see the class docstring).
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs), dtype=float64
            The validated, finite target.

        Returns
        -------
        X_resampled : {DataFrame, ndarray, sparse matrix}
            The kept original rows, then the synthetic ones, in the kind of
            ``X``.
        y_resampled : ndarray of shape (n_samples_new,) or (n_samples_new, n_outputs)
            Their targets.
        """
        rng = check_random_state(self.random_state)
        relevance = self._compute_relevance(y)
        self.relevance_ = relevance
        rare = relevance >= self.threshold
        reason = None
        if y.shape[0] < 2:
            reason = "a single sample; returning the data unchanged."
        elif not rare.any():
            reason = (
                f"no target has relevance >= threshold={self.threshold} (no rare "
                "samples); returning the data unchanged. "
                + self._no_rare_advice(relevance)
            )
        elif rare.all() and self._needs_normal:
            reason = (
                f"every target has relevance >= threshold={self.threshold} (every "
                "sample is rare); returning the data unchanged. Raise threshold, "
                "or use a relevance that leaves some targets normal."
            )
        data = X if self._selects_rows else self._features(X)
        if reason is not None:
            warn_user(f"{type(self).__name__}: {reason}")
            kept = np.arange(y.shape[0])
            self._record_unchanged(y, rare)
            synthetic = None
        else:
            kept, synthetic = self._resample(data, y, relevance, rare, rng)
        self.sample_indices_ = kept
        if not isinstance(data, Features):
            return take_rows(X, kept), y[kept]
        if synthetic is None:
            syn_num = np.empty((0, data.num.shape[1]))
            syn_src = np.empty((0, data.nom.shape[1]), dtype=np.intp)
            syn_y = np.empty((0,) + y.shape[1:])
        else:
            syn_num, syn_src, syn_y = synthetic
        X_out = rebuild(data, kept, syn_num, syn_src)
        return X_out, np.concatenate([y[kept], syn_y])

    def _no_rare_advice(self, relevance):
        """How to get rare samples when the relevance found none."""
        top = float(relevance.max())
        if _is_lds(self.relevance):
            other = ("pass a label_space with narrower bins or a smaller smoothing "
                     "kernel (ks, sigma)")
        else:
            other = ("use relevance='lds', which rates each target by the label "
                     "density around it rather than by its distance from the median")
        if top > 0:
            return (f"To resample, lower threshold to {top:.3g} or below (the "
                    f"highest relevance), or {other}.")
        return f"Every relevance is 0, so no threshold helps: {other}."

    def _resample(self, data, y, relevance, rare, rng):
        """Rows to keep and synthetic part ``(num, src, y)`` or None.

        ``data`` is the validated X for the samplers that select rows and its
        :class:`~skdir.resampling._data.Features` for the others.
        """
        raise NotImplementedError

    def _record_unchanged(self, y, rare):
        self.sampling_strategy_ = {}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        tags.target_tags.required = True
        tags.target_tags.one_d_labels = True
        tags.target_tags.multi_output = not self._scalar_only
        tags.input_tags.sparse = self._selects_rows
        tags.input_tags.allow_nan = self._selects_rows
        tags.input_tags.string = self._selects_rows
        tags.input_tags.categorical = True
        return tags


class BaseBumpSampler(BaseRegressionSampler):
    """Base of the samplers that resample the rare and normal bumps of y.

    Subclasses implement ``_grow(data, y, bump, n_new, rng)`` returning the
    synthetic part ``(num, src, y)`` of one rare bump (or an array of rows to
    duplicate), and set ``_kind`` to ``"both"``, ``"over"`` or ``"under"``.

    Warning: this class should not be used directly.
    """

    _parameter_constraints: dict = {
        **BaseRegressionSampler._parameter_constraints,
        "sampling_strategy": [StrOptions({"balance", "balance_over", "extreme"}),
                              Interval(Real, 0, 1, closed="neither"), dict],
    }

    _kind = "both"

    def _check_settings(self):
        super()._check_settings()
        if self._kind == "under" and isinstance(self.sampling_strategy, str) and (
            self.sampling_strategy == "balance_over"
        ):
            raise ValueError(
                f"{type(self).__name__} cannot use sampling_strategy='balance_over': "
                "it only grows the rare bumps, and an under-sampler cannot grow "
                "bumps. Use 'balance' or a float."
            )

    def _find_bumps(self, y, rare):
        """Bumps of a scalar target (runs along y) or of a multi-output one
        (connected regions of the label space's joint grid)."""
        if y.ndim == 1:
            return find_bumps(y, rare)
        return find_joint_bumps(y, rare, self.label_space_, self.threshold)

    def _record_unchanged(self, y, rare):
        self.bumps_, self.bump_is_rare_ = self._find_bumps(y, rare)
        self.sampling_strategy_ = {
            i: int(b.size) for i, b in enumerate(self.bumps_)
        }

    def _resample(self, data, y, relevance, rare, rng):
        bumps, is_rare = self._find_bumps(y, rare)
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
