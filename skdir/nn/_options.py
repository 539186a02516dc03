"""Option holders for DIRRegressor's ``fds``, ``rrt``, ``ranksim``, ``conr``,
``rnc`` and ``cmixup``.

Each is a scikit-learn estimator used as a parameter holder: ``get_params`` /
``set_params`` make its options searchable as ``fds__momentum``,
``rrt__lr`` or ``conr__weight`` in :class:`~sklearn.model_selection.GridSearchCV`,
and :class:`DIRRegressor` validates them in ``fit`` before training starts.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions

from ._rnc import FEATURE_SIMILARITIES

__all__ = [
    "CMixupOptions", "ConROptions", "FDSOptions", "RRTOptions", "RankSimOptions",
    "RnCOptions",
]


class _Options(BaseEstimator):
    """Base class: ``_validate`` checks the options (in ``DIRRegressor.fit``)."""

    def _check(self):
        """Cross-parameter rules beyond ``_parameter_constraints``."""

    def _validate(self):
        """Check the options (DIRRegressor.fit calls it before training)."""
        self._validate_params()
        self._check()
        return self


def _check_clip(clip, name="clip"):
    """``clip`` as a float pair ``(low, high)`` with ``0 < low <= high < inf``."""
    try:
        low, high = (float(v) for v in clip)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (low, high), got {clip!r}.") from None
    if not (0 < low <= high < np.inf):
        raise ValueError(f"{name} must satisfy 0 < low <= high < inf, got {clip!r}.")
    return low, high


class FDSOptions(_Options):
    """Options of feature distribution smoothing in :class:`DIRRegressor`.

    ``DIRRegressor(fds=True)`` is ``DIRRegressor(fds=FDSOptions())``. The
    label bins and the smoothing window are not options here: they come from
    the regressor's label space (its window normalised to sum 1).

    Parameters
    ----------
    momentum : float, default=0.9
        Weight of the previous running statistics at each update, in [0, 1).
    start_update : int, default=0
        First epoch whose features are collected; >= 0.
    start_smooth : int, default=1
        First epoch whose training features are recalibrated; >= 0.
    clip : (float, float), default=(0.1, 10)
        Bounds ``(low, high)`` of the variance ratio, ``0 < low <= high``.

    See Also
    --------
    FDS : The layer these options configure.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdir.nn import DIRRegressor, FDSOptions
    >>> model = DIRRegressor(fds=FDSOptions(start_smooth=2))
    >>> model.get_params()["fds__start_smooth"]
    2
    >>> search = GridSearchCV(model, {"fds__momentum": [0.5, 0.9]})
    """

    _parameter_constraints = {
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "start_update": [Interval(Integral, 0, None, closed="left")],
        "start_smooth": [Interval(Integral, 0, None, closed="left")],
        "clip": [tuple, list],
    }

    def __init__(self, momentum=0.9, start_update=0, start_smooth=1, clip=(0.1, 10)):
        self.momentum = momentum
        self.start_update = start_update
        self.start_smooth = start_smooth
        self.clip = clip

    def _check(self):
        _check_clip(self.clip)

    def _kwargs(self):
        """Keyword arguments of :class:`FDS`."""
        return dict(
            momentum=self.momentum, start_update=self.start_update,
            start_smooth=self.start_smooth, clip=tuple(self.clip),
        )


class RRTOptions(_Options):
    """Options of regressor re-training (the second stage) in :class:`DIRRegressor`.

    ``DIRRegressor(rrt=True)`` is ``DIRRegressor(rrt=RRTOptions())``.

    Parameters
    ----------
    max_epochs : int, default=None
        Epochs of the second stage, >= 1; None uses the regressor's
        ``max_epochs``.
    lr : float, default=None
        Learning rate of the second stage, > 0; None uses the regressor's
        ``lr``.

    Examples
    --------
    >>> from skdir.nn import DIRRegressor, RRTOptions
    >>> model = DIRRegressor(rrt=RRTOptions(max_epochs=5))
    >>> model.set_params(rrt__lr=0.01).rrt
    RRTOptions(lr=0.01, max_epochs=5)
    """

    _parameter_constraints = {
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "lr": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(self, max_epochs=None, lr=None):
        self.max_epochs = max_epochs
        self.lr = lr

    def _check(self):
        if self.lr is not None and not np.isfinite(self.lr):
            raise ValueError(f"lr must be a positive finite number, got {self.lr!r}.")


class RankSimOptions(_Options):
    """Options of the RankSim regulariser in :class:`DIRRegressor`.

    ``DIRRegressor(ranksim=True)`` is ``DIRRegressor(ranksim=RankSimOptions())``.

    Parameters
    ----------
    gamma : float, default=100.0
        Weight of the regulariser in the training loss, >= 0.
    interpolation_lambda : float, default=2.0
        Interpolation strength of the ranking gradient (see
        :func:`ranksim_loss`), > 0.

    Examples
    --------
    >>> from skdir.nn import DIRRegressor, RankSimOptions
    >>> DIRRegressor(ranksim=RankSimOptions(gamma=10.0)).get_params()["ranksim__gamma"]
    10.0
    """

    _parameter_constraints = {
        "gamma": [Interval(Real, 0, None, closed="left")],
        "interpolation_lambda": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, gamma=100.0, interpolation_lambda=2.0):
        self.gamma = gamma
        self.interpolation_lambda = interpolation_lambda

    def _check(self):
        for name in ("gamma", "interpolation_lambda"):
            if not np.isfinite(getattr(self, name)):
                raise ValueError(
                    f"{name} must be a finite number, got {getattr(self, name)!r}."
                )


def _check_finite(options, names):
    for name in names:
        value = getattr(options, name)
        if not isinstance(value, str) and not np.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value!r}.")


class ConROptions(_Options):
    """Options of the ConR regulariser in :class:`DIRRegressor`.

    ``DIRRegressor(conr=True)`` is ``DIRRegressor(conr=ConROptions())``; the
    defaults are those of the reference code (see :func:`conr_loss`).

    Parameters
    ----------
    weight : float, default=4.0
        Weight of the regulariser in the training loss (the reference's
        ``beta``), >= 0.
    window : float or "auto", default="auto"
        Label distance within which two samples are positives (and
        prediction distance within which a farther sample is a negative),
        in the units of ``y``, > 0; ``"auto"`` is the width of one bin of
        the label space (the reference's ``w=1`` on ages in bins of one
        year).
    temperature : float, default=0.07
        Temperature of the feature similarities, > 0 (the value the
        reference's loss function uses).
    eta : float, default=0.01
        Growth of the pushing weight of a negative with its label distance,
        measured in label bins (``exp(eta * |y_i - y_k| / bin width)``),
        >= 0.

    Examples
    --------
    >>> from skdir.nn import ConROptions, DIRRegressor
    >>> DIRRegressor(conr=ConROptions(weight=1.0)).get_params()["conr__weight"]
    1.0
    """

    _parameter_constraints = {
        "weight": [Interval(Real, 0, None, closed="left")],
        "window": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "eta": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, weight=4.0, window="auto", temperature=0.07, eta=0.01):
        self.weight = weight
        self.window = window
        self.temperature = temperature
        self.eta = eta

    def _check(self):
        _check_finite(self, ("weight", "window", "temperature", "eta"))


class RnCOptions(_Options):
    """Options of Rank-N-Contrast pre-training in :class:`DIRRegressor`.

    ``DIRRegressor(rnc=True)`` is ``DIRRegressor(rnc=RnCOptions())``: the
    encoder is first trained with :func:`rnc_loss` alone, then frozen, and
    the head is trained on its features as the second stage of ``rrt``
    (with the options of ``rrt``, or :class:`RRTOptions` defaults).

    Parameters
    ----------
    temperature : float, default=2.0
        Temperature of the similarities, > 0 (the reference's default).
    feature_similarity : {"l2", "cosine"}, default="l2"
        Similarity of two feature vectors: the negative Euclidean distance
        (the reference's) or the cosine similarity.
    max_epochs : int, default=None
        Epochs of the pre-training stage, >= 1; None uses the regressor's
        ``max_epochs``. The regressor's stopping rule applies to it, on the
        RnC loss.
    lr : float, default=None
        Learning rate of the pre-training stage, > 0; None uses the
        regressor's ``lr``.

    Examples
    --------
    >>> from skdir.nn import DIRRegressor, RnCOptions
    >>> DIRRegressor(rnc=RnCOptions(max_epochs=50)).get_params()["rnc__temperature"]
    2.0
    """

    _parameter_constraints = {
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "feature_similarity": [StrOptions(set(FEATURE_SIMILARITIES))],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "lr": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self, temperature=2.0, feature_similarity="l2", max_epochs=None, lr=None
    ):
        self.temperature = temperature
        self.feature_similarity = feature_similarity
        self.max_epochs = max_epochs
        self.lr = lr

    def _check(self):
        _check_finite(self, ("temperature",))
        if self.lr is not None:
            _check_finite(self, ("lr",))


class CMixupOptions(_Options):
    """Options of C-Mixup in :class:`DIRRegressor`.

    ``DIRRegressor(cmixup=True)`` is ``DIRRegressor(cmixup=CMixupOptions())``.
    Every training batch is replaced by a mix of itself with partners drawn
    within the batch: sample ``i`` takes partner ``j`` with probability
    proportional to ``exp(-(y_i - y_j)^2 / (2 bandwidth^2))`` (itself
    included), and inputs and targets are mixed as
    ``lam * x_i + (1 - lam) * x_j`` with one ``lam ~ Beta(alpha, alpha)``
    per batch, as in the reference code (Yao et al., NeurIPS 2022).

    Parameters
    ----------
    alpha : float, default=2.0
        Parameter of the Beta distribution of the mixing weight, > 0 (the
        reference's default for tabular data).
    bandwidth : float or "auto", default="auto"
        Bandwidth of the Gaussian kernel on label distances, in the units
        of ``y``, > 0; ``"auto"`` is the width of one bin of the label
        space.

    Examples
    --------
    >>> from skdir.nn import CMixupOptions, DIRRegressor
    >>> DIRRegressor(cmixup=CMixupOptions(alpha=0.5)).get_params()["cmixup__alpha"]
    0.5
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "bandwidth": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
    }

    def __init__(self, alpha=2.0, bandwidth="auto"):
        self.alpha = alpha
        self.bandwidth = bandwidth

    def _check(self):
        _check_finite(self, ("alpha", "bandwidth"))
