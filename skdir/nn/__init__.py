"""Deep imbalanced regression in PyTorch.

- :class:`FDS`: feature distribution smoothing, a torch module that
  recalibrates features with statistics smoothed over neighbouring label bins;
- :mod:`skdir.nn.losses`: weighted MSE/L1/Huber, Focal-R, log-cosh, sMAPE and
  the Balanced MSE family (GAI, BMC, BNI);
- :func:`ranksim_loss`: the RankSim regulariser;
- :class:`MLP` and :class:`DIRNetwork`: an encoder, an optional FDS layer and a
  linear head;
- :class:`DIRRegressor`: a scikit-learn regressor that trains such a network
  with skorch, with LDS weights, FDS, any of the losses, RankSim and two-stage
  regressor re-training (RRT), all on one :class:`~skdir.LabelSpace`;
- :class:`FDSOptions`, :class:`RRTOptions`, :class:`RankSimOptions`: the
  searchable options of its ``fds``, ``rrt`` and ``ranksim``.

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
from ._fds import FDS
from ._modules import MLP, DIRNetwork
from ._options import FDSOptions, RankSimOptions, RRTOptions
from ._ranksim import ranksim_loss
from ._regressor import DIRRegressor

__all__ = [
    "DIRNetwork",
    "DIRRegressor",
    "FDS",
    "FDSOptions",
    "MLP",
    "RRTOptions",
    "RankSimOptions",
    "losses",
    "ranksim_loss",
]
