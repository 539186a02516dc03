"""skdir: imbalanced regression for scikit-learn.

Label distribution smoothing, density-based sample weights, resampling for
continuous targets, deep imbalanced regression in torch, and shot-wise
evaluation, all built on one fitted label-space model, :class:`LabelSpace`,
that every consumer takes as ``label_space=``.
"""

from . import datasets, metrics, model_selection, relevance, resampling
from .bins import KERNELS, LabelSpace, kernel_window, smooth_counts
from .relevance import LDSRelevance, PhiRelevance, lds_relevance, phi_relevance
from .resampling import (
    GSMOTER,
    SMOGN,
    SMOTER,
    WERCS,
    CMixup,
    GaussianNoise,
    RandomOverSampler,
    RandomUnderSampler,
)
from .weighting import LDSWeighter, ReweightedRegressor

__version__ = "0.1.0.dev0"

__all__ = [
    "CMixup",
    "GSMOTER",
    "KERNELS",
    "GaussianNoise",
    "LDSRelevance",
    "LDSWeighter",
    "LabelSpace",
    "PhiRelevance",
    "RandomOverSampler",
    "RandomUnderSampler",
    "ReweightedRegressor",
    "SMOGN",
    "SMOTER",
    "WERCS",
    "datasets",
    "kernel_window",
    "lds_relevance",
    "metrics",
    "model_selection",
    "phi_relevance",
    "relevance",
    "resampling",
    "smooth_counts",
]
