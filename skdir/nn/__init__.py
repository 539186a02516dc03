"""Deep imbalanced regression in PyTorch.

- :class:`FDS`: feature distribution smoothing, a torch module that
  recalibrates features with statistics smoothed over neighbouring label bins;
- :mod:`skdir.nn.losses`: weighted MSE/L1/Huber, Focal-R, log-cosh, sMAPE and
  the Balanced MSE family (GAI, BMC, BNI);
- :func:`ranksim_loss`: the RankSim regulariser; :func:`conr_loss`: the
  ConR contrastive regulariser; :func:`rnc_loss`: the Rank-N-Contrast loss;
- :class:`MLP` and :class:`DIRNetwork`: an encoder, an optional FDS layer and a
  linear head;
- :class:`DIRRegressor`: a scikit-learn regressor that trains such a network
  with skorch, with LDS weights, FDS, any of the losses, RankSim, ConR,
  two-stage regressor re-training (RRT), Rank-N-Contrast pre-training,
  C-Mixup and a Gaussian variance head, all on one :class:`~skdir.LabelSpace`;
- :class:`FDSOptions`, :class:`RRTOptions`, :class:`RankSimOptions`,
  :class:`ConROptions`, :class:`RnCOptions`, :class:`CMixupOptions`: the
  searchable options of its ``fds``, ``rrt``, ``ranksim``, ``conr``, ``rnc``
  and ``cmixup``;
- :func:`interval_coverage`: coverage of predictive intervals, overall and
  per shot group.

This subpackage needs PyTorch and skorch: ``pip install "scikit-dir[torch]"``.
"""

try:
    import skorch  # noqa: F401
    import torch  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without torch
    raise ImportError(
        "skdir.nn needs PyTorch and skorch, which are not installed. Install "
        'them with: pip install "scikit-dir[torch]"'
    ) from exc

from . import losses
from ._conr import conr_loss
from ._coverage import interval_coverage
from ._fds import FDS
from ._modules import MLP, DIRNetwork
from ._options import (
    CMixupOptions,
    ConROptions,
    FDSOptions,
    RankSimOptions,
    RnCOptions,
    RRTOptions,
)
from ._ranksim import ranksim_loss
from ._regressor import DIRRegressor
from ._rnc import rnc_loss

__all__ = [
    "CMixupOptions",
    "ConROptions",
    "DIRNetwork",
    "DIRRegressor",
    "FDS",
    "FDSOptions",
    "MLP",
    "RRTOptions",
    "RankSimOptions",
    "RnCOptions",
    "conr_loss",
    "interval_coverage",
    "losses",
    "ranksim_loss",
    "rnc_loss",
]
