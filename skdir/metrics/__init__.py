"""Shot-wise and balanced metrics and scorers for imbalanced regression."""

from .._targets import TrainingTargets, find_training_targets
from ._regression import (
    balanced_mean_absolute_error,
    balanced_mean_squared_error,
    geometric_mean_absolute_error,
)
from ._scorer import make_shot_scorer, shot_scorers
from ._shots import METRICS, SHOTS, shot_groups, shot_metrics

__all__ = [
    "METRICS",
    "SHOTS",
    "TrainingTargets",
    "balanced_mean_absolute_error",
    "balanced_mean_squared_error",
    "find_training_targets",
    "geometric_mean_absolute_error",
    "make_shot_scorer",
    "shot_groups",
    "shot_metrics",
    "shot_scorers",
]
