"""Shot-wise, balanced and utility-based metrics and scorers for imbalanced regression."""

from .._targets import TrainingTargets, find_training_targets
from ._regression import (
    balanced_mean_absolute_error,
    balanced_mean_squared_error,
    geometric_mean_absolute_error,
)
from ._scorer import (
    make_shot_scorer,
    make_utility_scorer,
    shot_scorers,
    utility_scorers,
)
from ._shots import METRICS, SHOTS, shot_groups, shot_metrics
from ._utility import (
    relevance_weighted_mean_absolute_error,
    relevance_weighted_mean_squared_error,
    ser_curve,
    sera,
    utility_f1_score,
    utility_fbeta_score,
    utility_precision_score,
    utility_recall_score,
)

__all__ = [
    "METRICS",
    "SHOTS",
    "TrainingTargets",
    "balanced_mean_absolute_error",
    "balanced_mean_squared_error",
    "find_training_targets",
    "geometric_mean_absolute_error",
    "make_shot_scorer",
    "make_utility_scorer",
    "relevance_weighted_mean_absolute_error",
    "relevance_weighted_mean_squared_error",
    "ser_curve",
    "sera",
    "shot_groups",
    "shot_metrics",
    "shot_scorers",
    "utility_f1_score",
    "utility_fbeta_score",
    "utility_precision_score",
    "utility_recall_score",
    "utility_scorers",
]
