"""Random over- and under-sampling of the bumps of a continuous target."""

from ._base import BaseBumpSampler
from ._bumps import spread_seeds
from ._smoter import _ATTR_DOC, _RANDOM_STATE_DOC, _SHARED_DOC

__all__ = ["RandomOverSampler", "RandomUnderSampler"]


class _RandomBumpSampler(BaseBumpSampler):
    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="lds",
        threshold=0.5,
        label_space=None,
        random_state=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.relevance = relevance
        self.threshold = threshold
        self.label_space = label_space
        self.random_state = random_state

    def _grow(self, data, y, bump, n_new, rng):
        return bump[spread_seeds(bump.size, n_new, rng)]


class RandomOverSampler(_RandomBumpSampler):
    __doc__ = f"""Random over-sampling of the rare bumps of a continuous target.

    Rare bumps (maximal runs of targets with relevance ``>= threshold``) grow
    by duplicating their members: each member ``n_new // n_bump`` times and a
    random subset of them once more. Normal bumps keep all their samples.
    The counts follow ``sampling_strategy`` rescaled so that the normal bumps
    keep their size (the rare-to-normal ratio is that of :class:`SMOTER`).
    Rows are only copied, so X may be sparse or hold NaN, strings or any
    object. A target of 2 or 3 columns has the bumps of :class:`SMOTER`.

    Parameters
    ----------{_SHARED_DOC}{_RANDOM_STATE_DOC}

    Attributes
    ----------{_ATTR_DOC}

    See Also
    --------
    RandomUnderSampler : Shrink the normal bumps instead.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.resampling import RandomOverSampler
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.exponential(size=300)
    >>> sampler = RandomOverSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> [len(b) for b in sampler.bumps_], sampler.sampling_strategy_
    ([287, 13], {{0: 287, 1: 287}})
    >>> np.array_equal(X_res, X[sampler.sample_indices_])
    True
    """

    _kind = "over"


class RandomUnderSampler(_RandomBumpSampler):
    __doc__ = f"""Random under-sampling of the normal bumps of a continuous target.

    Normal bumps shrink by keeping a random subset of their members (without
    replacement); rare bumps keep all their samples. The counts follow
    ``sampling_strategy`` rescaled so that the rare bumps keep their size.
    Rows are only selected, so X may be sparse or hold NaN, strings or any
    object. A target of 2 or 3 columns has the bumps of :class:`SMOTER`.

    Parameters
    ----------{_SHARED_DOC}{_RANDOM_STATE_DOC}

    Attributes
    ----------{_ATTR_DOC}

    See Also
    --------
    RandomOverSampler : Grow the rare bumps instead.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.resampling import RandomUnderSampler
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.exponential(size=300)
    >>> sampler = RandomUnderSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sampler.sampling_strategy_
    {{0: 13, 1: 13}}
    >>> np.array_equal(y_res, y[sampler.sample_indices_])
    True
    """

    _kind = "under"
