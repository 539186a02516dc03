"""SMOGN: SMOTER with Gaussian noise (Branco et al., 2017)."""

from numbers import Real

from sklearn.utils._param_validation import Interval

from ._smoter import _ATTR_DOC, _RANDOM_STATE_DOC, _SHARED_DOC, SMOTER

__all__ = ["SMOGN"]


class SMOGN(SMOTER):
    __doc__ = f"""SMOGN: SMOTER and Gaussian noise (Branco et al., 2017).

    As :class:`SMOTER`, but a synthetic sample is interpolated only when the
    drawn neighbour lies within a *safe distance* of the seed: half the
    median HEOM distance of the seed to its ``k_neighbors`` neighbours.
    Otherwise the new sample is the seed plus Gaussian noise: each numeric
    feature and the target get noise of standard deviation ``p`` times their
    standard deviation within the bump, with ``p = min(perturbation, safe
    distance)`` as in the paper, and nominal features keep the seed's
    category. Normal bumps are under-sampled at random.

    The reference package ``smogn`` takes the median over the distances to
    *all* members of the bump (so that most neighbours count as safe) and
    computes distances on unscaled data including the target; skdir follows
    the paper.

    Parameters
    ----------{_SHARED_DOC}
    k_neighbors : int, default=5
        Number of neighbours; shrunk with a warning for small bumps.
    perturbation : float, default=0.02
        Noise level of the Gaussian-noise samples, > 0.
    categorical_features : "auto", array-like or None, default="auto"
        Nominal features (see :class:`SMOTER`).
    n_jobs : int, default=None
        Parallel jobs of the neighbour search.{_RANDOM_STATE_DOC}

    Attributes
    ----------{_ATTR_DOC}

    See Also
    --------
    SMOTER : Interpolation only.
    GaussianNoise : Noise only.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.resampling import SMOGN
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.exponential(size=300)
    >>> X_res, y_res = SMOGN(random_state=0).fit_resample(X, y)
    >>> X_res.shape, y_res.shape
    ((300, 2), (300,))
    """

    _parameter_constraints: dict = {
        **SMOTER._parameter_constraints,
        "perturbation": [Interval(Real, 0, None, closed="neither")],
    }

    _safe = True

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="lds",
        threshold=0.5,
        label_space=None,
        k_neighbors=5,
        perturbation=0.02,
        categorical_features="auto",
        n_jobs=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, relevance=relevance,
            threshold=threshold, label_space=label_space,
            k_neighbors=k_neighbors, categorical_features=categorical_features,
            n_jobs=n_jobs, random_state=random_state,
        )
        self.perturbation = perturbation
