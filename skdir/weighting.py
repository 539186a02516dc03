"""Sample weights from the (smoothed) label density, and a regressor that uses them."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.utils._metadata_requests import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._tags import get_tags
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from ._targets import TrainingTargets
from .base import TargetTransformerMixin
from ._validation import check_same_length, check_sample_weight_1d, check_target
from .bins import MAX_OUTPUTS, LabelSpace, fit_label_space

__all__ = ["LDSWeighter", "ReweightedRegressor"]


class LDSWeighter(TargetTransformerMixin, BaseEstimator):
    """Per-sample weights from the inverse (smoothed) label density.

    A target transformer in the style of
    :class:`~sklearn.preprocessing.LabelEncoder`: it is fitted on the training
    targets ``y`` alone and maps any ``y`` to a weight. Following Yang et al.,
    *Delving into Deep Imbalanced Regression* (ICML 2021):

    1. take the per-bin training counts of the :class:`~skdir.LabelSpace`
       (``counts_``);
    2. raise them to the power ``alpha`` of ``reweight`` (``"sqrt_inv"`` is
       ``alpha=0.5``, ``"inverse"`` is ``alpha=1``, ``"none"`` is
       ``alpha=0``); ``clip`` bounds the non-empty counts first;
    3. with ``lds=True``, smooth them with the label space's max-normalised
       kernel window (:meth:`LabelSpace.smooth`, zero padding) to get the
       *effective density*;
    4. weight each sample by ``1 / density`` of its bin, rescaled so that the
       weights average 1 over the fitted targets (weighted by
       ``sample_weight`` when given).

    With a label space of ``density="kde"`` and ``lds=True``, steps 1-3 are
    replaced by its kernel density estimate ``f`` evaluated at each target
    itself (:meth:`LabelSpace.count_of` with ``smoothed=True``, in counts per
    bin): a sample's weight is ``c f(y) ** -alpha``, with ``c`` making the
    weights average 1 (``clip`` must stay ``"auto"`` or None: there are no
    bin counts to clip before the estimate). This is DenseWeight (Steininger
    et al., 2021) in a multiplicative form; their linear form
    ``max(1 - alpha f(y) / max f, eps)`` rescaled to mean 1 is
    :meth:`dense_weights`.

    Multi-output targets (2 or 3 columns) are weighted by the effective
    density of their cell in the label space's joint grid (or by the joint
    KDE).

    Without LDS the weight of a sample is thus proportional to
    ``count ** -alpha`` of its bin: ``alpha`` trades accuracy on the common
    targets (0, plain training) against accuracy on the rare ones (1, every
    bin weighs the same in total), continuously, so a grid search over
    ``reweight=[0, 0.25, 0.5, 0.75, 1]`` can choose the trade-off (see
    :func:`~skdir.model_selection.balanced_refit`).

    With ``LabelSpace(bin_width=1, kernel="gaussian", ks=5, sigma=2)`` on
    integer targets and ``reweight="sqrt_inv", lds=True`` this reproduces the
    weights of the reference implementation.

    Parameters
    ----------
    label_space : LabelSpace, default=None
        The bins and the smoothing. A fitted one is used as given (its edges
        and counts); an unfitted one is fitted on ``y`` (and
        ``sample_weight``) in :meth:`fit`. None means ``LabelSpace()``.
    reweight : {"sqrt_inv", "inverse", "none"} or float, default="sqrt_inv"
        Strength ``alpha >= 0`` of the reweighting: weights follow the
        (smoothed) label density to the power ``-alpha``. ``"sqrt_inv"``
        means 0.5 and ``"inverse"`` 1 (the names of the reference code;
        ``"inverse"`` also clips, see ``clip``); ``"none"`` or 0 gives every
        sample the weight 1.
    lds : bool, default=True
        Use the label space's effective density: smooth the transformed
        counts with its kernel (``density="lds"``), or take its kernel
        density estimate (``density="kde"``). False uses the raw bin counts.
        Must be False with ``reweight="none"`` or 0, where it would have no
        effect.
    clip : "auto", None or (float, float), default="auto"
        Bounds ``0 < low <= high`` applied to the count of every non-empty
        bin before the transform. ``"auto"`` uses ``(5, 1000)`` for
        ``reweight="inverse"``, as the reference code, and no clipping
        otherwise. Empty bins stay empty (the reference code clips them to 5
        too, which invents training mass where there is none). Explicit
        bounds with ``reweight="none"`` or 0, or with the KDE density of a
        ``density="kde"`` label space, are rejected; ``"auto"`` does not clip
        that density.

    Attributes
    ----------
    label_space_ : LabelSpace
        The fitted label space (the given one when it was fitted).
    counts_ : ndarray of shape (n_bins,)
        Training count (sum of ``sample_weight``) per bin, from
        ``label_space_``. On a sparse joint grid (a label space with
        ``cells_``) this and the next two attributes hold one value per
        stored cell, aligned with ``label_space_.cells_``; :meth:`transform`
        smooths the counts at any other cell when asked.
    effective_density_ : ndarray of shape (n_bins,)
        The transformed, optionally smoothed counts whose inverse gives the
        weights (with the KDE: the estimate at the bin centres to the power
        ``alpha``).
    bin_weights_ : ndarray of shape (n_bins,)
        Weight given to a target in each bin (with the KDE: to a target at
        the bin's centre; :meth:`transform` evaluates the estimate at each
        target itself). A bin with zero effective density (possible only
        without LDS, or far from all data) gets the largest weight of any
        populated bin (with the KDE: of any training target).
    scale_ : float
        Factor that makes the fitted weights average 1.

    See Also
    --------
    ReweightedRegressor : Fit any regressor with these weights.
    LabelSpace : The bins and the smoothing.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelSpace, LDSWeighter
    >>> y = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 3.0, 9.0])
    >>> w = LDSWeighter(label_space=LabelSpace(bin_width=1), lds=False,
    ...                 reweight="inverse", clip=None)
    >>> w.fit_transform(y).round(3)
    array([0.5, 0.5, 0.5, 0.5, 2. , 1. , 1. , 2. ])
    >>> float(LDSWeighter().fit_transform(y).mean())
    1.0
    """

    _parameter_constraints = {
        "label_space": [LabelSpace, None],
        "reweight": [
            StrOptions({"sqrt_inv", "inverse", "none"}),
            Interval(Real, 0, None, closed="left"),
        ],
        "lds": ["boolean"],
        "clip": [StrOptions({"auto"}), tuple, list, None],
    }
    _per_value = False

    def __init__(self, *, label_space=None, reweight="sqrt_inv", lds=True, clip="auto"):
        self.label_space = label_space
        self.reweight = reweight
        self.lds = lds
        self.clip = clip

    def _clip_bounds(self):
        if isinstance(self.clip, str):
            return (5.0, 1000.0) if self.reweight == "inverse" else None
        if self.clip is None:
            return None
        if self._alpha() == 0:
            raise ValueError(
                f"clip={self.clip!r} has no effect with reweight={self.reweight!r}; use "
                "clip='auto' or None."
            )
        if len(self.clip) != 2:
            raise ValueError(f"clip must be a pair (low, high), got {self.clip!r}.")
        try:
            low, high = (float(v) for v in self.clip)
        except (TypeError, ValueError):
            raise TypeError(f"clip must hold two numbers, got {self.clip!r}.") from None
        if not (0 < low <= high) or not np.isfinite(high):
            raise ValueError(
                f"clip must satisfy 0 < low <= high < inf, got {self.clip!r}."
            )
        return low, high

    def _alpha(self):
        """The reweighting strength as a number."""
        named = {"none": 0.0, "sqrt_inv": 0.5, "inverse": 1.0}
        if isinstance(self.reweight, str):
            return named[self.reweight]
        if not np.isfinite(self.reweight):
            raise ValueError(f"reweight must be finite, got {self.reweight!r}.")
        return float(self.reweight)

    def _check_settings(self):
        if self.lds and self._alpha() == 0:
            raise ValueError(
                f"lds=True has no effect with reweight={self.reweight!r} (every "
                "weight is 1); set lds=False or choose a reweighting strength > 0 "
                "such as 'sqrt_inv' or 'inverse'."
            )
        return self._clip_bounds()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y, sample_weight=None):
        """Learn the effective label density and the weight scale.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Training targets; finite and not constant; at most 3 columns.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: each sample counts this much in its bin
            (unless the label space is given fitted), and the weights
            average 1 under this weighting.

        Returns
        -------
        self : LDSWeighter
            Fitted weighter.
        """
        y = check_target(y, allow_constant=False, max_outputs=MAX_OUTPUTS)
        return self._fit(y, check_sample_weight_1d(sample_weight, y))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, y, sample_weight=None):
        """Fit on ``y`` and return its weights.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Training targets; finite and not constant; at most 3 columns.
        sample_weight : array-like of shape (n_samples,), default=None
            As in :meth:`fit`.

        Returns
        -------
        weights : ndarray of shape (n_samples,)
            ``transform(y)`` of the fitted weighter.
        """
        y = check_target(y, allow_constant=False, max_outputs=MAX_OUTPUTS)
        sample_weight = check_sample_weight_1d(sample_weight, y)
        return self._fit_transform_validated(y, sample_weight)

    def _fit(self, y, sample_weight):
        """``fit`` on validated ``y`` and ``sample_weight``."""
        self._fit_weights(y, sample_weight)
        return self

    def _fit_weights(self, y, sample_weight):
        """Fit on validated arrays and return the training weights."""
        clip = self._check_settings()
        space = fit_label_space(self.label_space, y, sample_weight)
        self.label_space_ = space
        self.counts_ = space.counts_.copy()
        self._per_value = self.lds and self._alpha() > 0 and space._kde is not None
        if self._per_value:
            return self._fit_kde(space, y, sample_weight)

        alpha = self._alpha()
        mass = transformed = self._transformed_counts(self.counts_, clip)
        if self.lds and alpha > 0:
            mass = space.smooth(mass)
        self.effective_density_ = mass

        self._floor = None
        if alpha == 0:
            raw = np.ones(mass.size)
        else:
            positive = mass[mass > 0]
            if positive.size == 0:
                raise ValueError(
                    "The label space has no training mass in any bin; fit it on "
                    "targets with positive weight."
                )
            self._floor = float(positive.min())
            raw = 1.0 / np.maximum(mass, self._floor)
        if space.cells_ is None:
            per_sample = raw[space._index(y)]
        else:
            # Sparse grid: every training target lies in a stored cell; the
            # transformed counts are kept to smooth them at other cells.
            self._cell_mass = transformed
            per_sample = raw[space._find_cells(space._index(y))[0]]
        if sample_weight is None:
            self.scale_ = per_sample.size / per_sample.sum()
        else:
            self.scale_ = sample_weight.sum() / np.dot(sample_weight, per_sample)
        self.bin_weights_ = raw * self.scale_
        return per_sample * self.scale_

    def _transformed_counts(self, counts, clip):
        """Clipped counts to the power ``alpha``, before any smoothing."""
        mass = counts
        if clip is not None:
            mass = np.where(mass > 0, np.clip(mass, *clip), 0.0)
        alpha = self._alpha()
        if alpha == 0.5:
            mass = np.sqrt(mass)  # exactly the reference's sqrt_inv
        elif alpha != 1:
            mass = mass**alpha
        return mass

    def _sparse_weights(self, flat):
        """Weights at flat cells of a sparse grid, from the transformed
        counts (smoothed there when ``lds``), floored as in :meth:`fit`."""
        space = self.label_space_
        if self._floor is None:  # alpha == 0
            return np.full(flat.size, self.scale_)
        if self.lds:  # alpha > 0 here
            mass = space._smooth_sparse(self._cell_mass, flat)
        else:
            mass = space._stored(self._cell_mass, flat)
        return self.scale_ / np.maximum(mass, self._floor)

    def _fit_kde(self, space, y, sample_weight):
        """Per-value weights ``c f(y) ** -alpha`` from the label space's KDE."""
        if self.clip is not None and not isinstance(self.clip, str):
            raise ValueError(
                f"clip={self.clip!r} has no effect with a label space of "
                "density='kde': it bounds bin counts before LDS smoothing. Use "
                "clip='auto' or None."
            )
        alpha = self._alpha()
        train = _power(space._count_of(y, smoothed=True), alpha)
        positive = train[train > 0]
        if positive.size == 0:
            raise ValueError(
                "The label space's density is zero at every training target; fit "
                "it on targets with positive weight."
            )
        self._floor = float(positive.min())
        per_sample = 1.0 / np.maximum(train, self._floor)
        if sample_weight is None:
            self.scale_ = per_sample.size / per_sample.sum()
        else:
            self.scale_ = sample_weight.sum() / np.dot(sample_weight, per_sample)
        self.effective_density_ = _power(space.effective_counts_, alpha)
        floored = np.maximum(self.effective_density_, self._floor)
        self.bin_weights_ = self.scale_ / floored
        return self.scale_ / np.maximum(train, self._floor)

    def _weights_of(self, y):
        """Weights of validated ``y``."""
        space = self.label_space_
        if self._per_value:
            density = _power(space._count_of(y, smoothed=True), self._alpha())
            return self.scale_ / np.maximum(density, self._floor)
        if space.cells_ is not None:
            return self._sparse_weights(space._index(y))
        return self.bin_weights_[space._index(y)]

    def transform(self, y):
        """Weight of each target value.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values; values outside the fitted range get the weight of
            the nearest edge bin (with the KDE: of their own density, at most
            the largest weight of a training target).

        Returns
        -------
        weights : ndarray of shape (n_samples,)
            Finite, positive weights.
        """
        check_is_fitted(self)
        return self._weights_of(self.label_space_._check_y(y))

    def dense_weights(self, y, *, eps=1e-6):
        """DenseWeight's linear weights of ``y`` (Steininger et al., 2021).

        ``w = max(1 - alpha f(y) / max f, eps)``, rescaled to average 1 over
        ``y``, with ``f`` the kernel density estimate of the fitted label
        space (which must have ``density="kde"``), ``max f`` its largest value
        and ``alpha`` the strength of ``reweight``. This is the weighting of
        the ``denseweight`` package, ``DenseWeight(alpha, bandwidth,
        eps).fit(y)``, computed on a density exact to 1e-7 of its peak, read at each
        target itself (that package reads its 4096-point grid at the point
        left of each target) and normalised by ``f / max f`` (it subtracts
        the minimum over its grid, a value near 0, before dividing). Unlike
        :meth:`transform` the weights are clipped below at ``eps`` rather
        than positive by construction, and for ``alpha > 1`` the densest
        targets all get ``eps``.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, usually the training targets; the weights average 1
            over them.
        eps : float, default=1e-6
            Smallest weight before the rescaling, > 0.

        Returns
        -------
        weights : ndarray of shape (n_samples,)
            Positive weights averaging 1.

        Examples
        --------
        >>> import numpy as np
        >>> from skdir import LabelSpace, LDSWeighter
        >>> y = np.r_[np.zeros(9), 4.0]
        >>> space = LabelSpace(density="kde", bandwidth=1.0)
        >>> w = LDSWeighter(label_space=space, reweight=0.5).fit(y)
        >>> w.dense_weights(y).round(3)
        array([0.918, 0.918, 0.918, 0.918, 0.918, 0.918, 0.918, 0.918, 0.918,
               1.734])
        >>> w.transform(y).round(3)  # the multiplicative form, f(y) ** -0.5
        array([0.834, 0.834, 0.834, 0.834, 0.834, 0.834, 0.834, 0.834, 0.834,
               2.497])
        """
        check_is_fitted(self)
        space = self.label_space_
        if space._kde is None:
            raise ValueError(
                "dense_weights needs a label space with density='kde'; this one "
                f"has density={space.density!r}."
            )
        if not (isinstance(eps, Real) and np.isfinite(eps) and eps > 0):
            raise ValueError(f"eps must be a positive finite number, got {eps!r}.")
        y = space._check_y(y)
        density = space._kde(y[:, None] if y.ndim == 1 else y) / space._kde.peak
        raw = np.maximum(1.0 - self._alpha() * density, eps)
        return raw / raw.mean()

    def _fit_transform_validated(self, y, sample_weight):
        """``fit_transform`` for already validated arrays (one validation)."""
        return self._fit_weights(y, sample_weight)


def _power(values, alpha):
    """``values ** alpha``, with the reference's exact square root for 0.5."""
    if alpha == 0.5:
        return np.sqrt(values)
    return values if alpha == 1 else values**alpha


class ReweightedRegressor(RegressorMixin, BaseEstimator):
    """Fit any regressor with sample weights from the label density.

    A meta-estimator in the style of
    :class:`~sklearn.compose.TransformedTargetRegressor`. Its ``fit`` computes

    .. code-block:: text

        w = weighter.fit_transform(y, sample_weight=sample_weight) * sample_weight
        regressor.fit(X, y, sample_weight=w)

    which a pipeline step cannot do, since steps cannot hand weights to the
    next step. Grid-search it over ``weighter__reweight``,
    ``weighter__label_space__sigma``, ``regressor__alpha`` and so on. It records the training targets in ``training_targets_`` so
    that shot-wise scorers (:func:`skdir.metrics.make_shot_scorer`) can find
    them.

    Parameters
    ----------
    regressor : estimator, default=None
        Regressor whose ``fit`` accepts ``sample_weight`` (for a
        :class:`~sklearn.pipeline.Pipeline`, its last step's). None uses
        :class:`~sklearn.linear_model.LinearRegression`. It is cloned.
    weighter : LDSWeighter or compatible, default=None
        Object with ``fit_transform(y, sample_weight=None)`` returning one
        weight per sample. None uses ``LDSWeighter()``. It is cloned.

    Attributes
    ----------
    regressor_ : estimator
        The fitted clone of ``regressor``.
    weighter_ : LDSWeighter
        The fitted clone of ``weighter``.
    training_targets_ : TrainingTargets
        Distinct training targets and their counts.
    n_features_in_ : int
        Number of features seen during fit (when the regressor records it).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during fit (when the regressor records them).

    See Also
    --------
    LDSWeighter : The default weighter.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from skdir import LDSWeighter, ReweightedRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = X @ [1.0, 2.0, 0.5] + rng.exponential(size=200)
    >>> model = ReweightedRegressor(Ridge(alpha=1.0), LDSWeighter())
    >>> model.fit(X, y).predict(X[:2]).shape
    (2,)
    >>> round(float(model.weighter_.transform(y).mean()), 6)
    1.0
    """

    _parameter_constraints = {
        "regressor": [HasMethods(["fit", "predict"]), None],
        "weighter": [HasMethods(["fit_transform"]), None],
    }

    def __init__(self, regressor=None, weighter=None):
        self.regressor = regressor
        self.weighter = weighter

    def _get_regressor(self):
        if self.regressor is None:
            regressor = LinearRegression()
            if _routing_enabled():
                regressor.set_fit_request(sample_weight=True)
            return regressor
        return self.regressor

    def _fit_with_weights(self, regressor, X, y, weights, fit_params):
        from sklearn.pipeline import Pipeline

        if isinstance(regressor, Pipeline) and not _routing_enabled():
            last = regressor.steps[-1][0]
            return regressor.fit(X, y, **{f"{last}__sample_weight": weights}, **fit_params)
        if not has_fit_parameter(regressor, "sample_weight"):
            raise TypeError(
                f"regressor {type(regressor).__name__} does not accept sample_weight "
                "in fit, so it cannot be reweighted."
            )
        return regressor.fit(X, y, sample_weight=weights, **fit_params)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the weighter on ``y`` and the regressor with its weights.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, as the regressor accepts it.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            User weights: they weight the label counts and multiply the
            density weights.
        **fit_params : dict
            Passed to the regressor's ``fit`` (routed to it when metadata
            routing is enabled).

        Returns
        -------
        self : ReweightedRegressor
            Fitted estimator.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = check_target(y, warn_column=True, max_outputs=MAX_OUTPUTS)
        check_same_length(X, y, names=("X", "y"))
        sample_weight = check_sample_weight_1d(sample_weight, y)

        if _routing_enabled():
            routed = process_routing(self, "fit", **fit_params).regressor.fit
        else:
            routed = fit_params

        weighter = LDSWeighter() if self.weighter is None else self.weighter
        self.weighter_ = clone(weighter)
        if np.all(y == y[0]):
            # One distinct target: there is no imbalance to correct.
            weights = np.ones(y.shape[0])
        else:
            weights = np.asarray(
                self.weighter_._fit_transform_validated(y, sample_weight)
                if isinstance(self.weighter_, LDSWeighter)
                else self.weighter_.fit_transform(y, sample_weight=sample_weight),
                dtype=float,
            )
        if sample_weight is not None:
            weights = weights * sample_weight

        self.regressor_ = clone(self._get_regressor())
        self._fit_with_weights(self.regressor_, X, y, weights, routed)
        self.training_targets_ = TrainingTargets.from_y(y)
        if hasattr(self.regressor_, "feature_names_in_"):
            self.feature_names_in_ = self.regressor_.feature_names_in_
        return self

    def predict(self, X, **predict_params):
        """Predict with the fitted regressor.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        **predict_params : dict
            Passed (or routed) to the regressor's ``predict``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted targets.
        """
        check_is_fitted(self)
        if _routing_enabled():
            predict_params = process_routing(
                self, "predict", **predict_params
            ).regressor.predict
        return self.regressor_.predict(X, **predict_params)

    @property
    def n_features_in_(self):
        """Number of features seen during :term:`fit`."""
        try:
            check_is_fitted(self)
        except NotFittedError as exc:
            raise AttributeError(
                f"{type(self).__name__} object has no n_features_in_ attribute."
            ) from exc
        return self.regressor_.n_features_in_

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        ``sample_weight`` is consumed by this estimator (it weights the label
        counts and is multiplied into the weights passed to the regressor);
        other fit and predict metadata go to the regressor.

        Returns
        -------
        routing : MetadataRouter
            Routing information.
        """
        router = MetadataRouter(owner=self).add_self_request(self)
        router.add(
            regressor=self._get_regressor(),
            method_mapping=MethodMapping()
            .add(caller="fit", callee="fit")
            .add(caller="predict", callee="predict"),
        )
        return router

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._get_regressor())
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        return tags
