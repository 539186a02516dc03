"""Resampling for a continuous target, as imbalanced-learn samplers.

Every sampler has ``fit_resample(X, y)`` for a continuous ``y``, works as a
step of :class:`imblearn.pipeline.Pipeline` before any regressor, keeps the
input container (a DataFrame comes back as a DataFrame) and rates the rarity
of the targets with a relevance function (:mod:`skdir.relevance`; by default
the LDS rarity of a :class:`~skdir.LabelSpace`, given as ``label_space=``).
They follow imbalanced-learn's template: the public ``fit_resample``
validates and calls ``_fit_resample(X, y)``, the one method a subclass needs
to override (see :ref:`resampling`).
"""

from ._cmixup import CMixup
from ._gsmoter import GSMOTER
from ._noise import GaussianNoise
from ._random import RandomOverSampler, RandomUnderSampler
from ._smogn import SMOGN
from ._smoter import SMOTER
from ._wercs import WERCS

__all__ = [
    "CMixup",
    "GSMOTER",
    "GaussianNoise",
    "RandomOverSampler",
    "RandomUnderSampler",
    "SMOGN",
    "SMOTER",
    "WERCS",
]
