"""Gaussian-noise over-sampling for regression (Branco et al., 2016)."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseBumpSampler
from ._generate import noise_bump
from ._smoter import _ATTR_DOC, _RANDOM_STATE_DOC, _SHARED_DOC

__all__ = ["GaussianNoise"]


class GaussianNoise(BaseBumpSampler):
    __doc__ = f"""Introduction of Gaussian noise (GN) for regression.

    Rare bumps are over-sampled with copies of their members perturbed by
    Gaussian noise: each numeric feature and the target get noise of
    standard deviation ``perturbation`` times their standard deviation
    within the bump; nominal features keep the seed's category. Normal bumps
    are under-sampled at random. Each bump member serves as seed
    ``n_new // n_bump`` times, and a random subset of them once more. Each
    column of a multi-output target (2 or 3 columns, bumps as in
    :class:`SMOTER`) gets noise on its own scale.

    Parameters
    ----------{_SHARED_DOC}
    perturbation : float, default=0.1
        Noise level, > 0 (the default of the UBL reference).
    categorical_features : "auto", array-like or None, default="auto"
        Nominal features (see :class:`SMOTER`).{_RANDOM_STATE_DOC}

    Attributes
    ----------{_ATTR_DOC}

    See Also
    --------
    SMOGN : Interpolation where safe, noise elsewhere.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.resampling import GaussianNoise
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.exponential(size=300)
    >>> X_res, y_res = GaussianNoise(random_state=0).fit_resample(X, y)
    >>> X_res.shape
    (300, 2)
    """

    _parameter_constraints: dict = {
        **BaseBumpSampler._parameter_constraints,
        "perturbation": [Interval(Real, 0, None, closed="neither")],
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
    }

    _selects_rows = False

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="lds",
        threshold=0.5,
        label_space=None,
        perturbation=0.1,
        categorical_features="auto",
        random_state=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.relevance = relevance
        self.threshold = threshold
        self.label_space = label_space
        self.perturbation = perturbation
        self.categorical_features = categorical_features
        self.random_state = random_state


    def _grow(self, data, y, bump, n_new, rng):
        return noise_bump(data, y, bump, n_new, rng, perturbation=self.perturbation)
