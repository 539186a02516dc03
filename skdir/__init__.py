"""skdir: imbalanced regression for scikit-learn.

Label distribution smoothing, density-based sample weights, resampling for
continuous targets, deep imbalanced regression in torch, and shot-wise
evaluation, all built on one label-space model, :class:`LabelBins`.
"""

from . import metrics, model_selection
from .bins import KERNELS, LabelBins, kernel_window, smooth_counts
from .weighting import LDSWeighter, ReweightedRegressor

__version__ = "0.1.0.dev0"

__all__ = [
    "KERNELS",
    "LDSWeighter",
    "LabelBins",
    "ReweightedRegressor",
    "kernel_window",
    "metrics",
    "model_selection",
    "smooth_counts",
]
