"""The skorch net behind DIRRegressor: weighted losses, RankSim, FDS epochs."""

from collections.abc import Mapping

import numpy as np
import torch
from skorch import NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.dataset import Dataset
from torch.utils.data import DataLoader
from skorch.utils import to_tensor

from ._ranksim import ranksim_loss

__all__ = ["BatchLoader", "FDSEpochEnd", "DIRNet"]


def _unwrap(dataset):
    """(skorch Dataset, row indices or None) behind ``dataset``."""
    indices = None
    while isinstance(dataset, torch.utils.data.Subset):
        sub = np.asarray(dataset.indices)
        indices = sub if indices is None else indices[sub]
        dataset = dataset.dataset
    return dataset, indices


def _take(data, idx):
    if isinstance(data, Mapping):
        return {key: _take(value, idx) for key, value in data.items()}
    return None if data is None else data[idx]


class BatchLoader:
    """Mini-batches sliced from in-memory arrays, one indexing per batch.

    Replaces :class:`torch.utils.data.DataLoader` for skorch datasets that
    hold numpy arrays (or dicts of them): the DataLoader fetches and collates
    every row separately, which costs more than the forward and backward
    pass of a small network. Other datasets fall back to a DataLoader.
    Shuffling draws from torch's RNG, as the DataLoader does.
    """

    def __init__(self, dataset, batch_size=128, shuffle=False, drop_last=False, **kwargs):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.kwargs = kwargs
        base, _ = _unwrap(dataset)
        arrays = list(base.X.values()) if isinstance(getattr(base, "X", None), Mapping) else [
            getattr(base, "X", None)
        ]
        self._fast = isinstance(base, Dataset) and all(
            isinstance(a, np.ndarray) for a in arrays
        ) and (base.y is None or isinstance(base.y, np.ndarray))

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        if not self._fast:
            yield from DataLoader(
                self.dataset, batch_size=self.batch_size, shuffle=self.shuffle,
                drop_last=self.drop_last, **self.kwargs,
            )
            return
        base, indices = _unwrap(self.dataset)
        n = len(self.dataset)
        order = torch.randperm(n).numpy() if self.shuffle else np.arange(n)
        if indices is not None:
            order = indices[order]
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            idx = order[start:start + self.batch_size]
            yield _take(base.X, idx), _take(base.y, idx)


class FDSEpochEnd(Callback):
    """Advance the FDS layer of ``net.module_.fds`` at the end of every epoch."""

    def on_epoch_end(self, net, **kwargs):
        fds = getattr(net.module_, "fds", None)
        if fds is not None:
            fds.end_epoch()


class DIRNet(NeuralNetRegressor):
    """A :class:`skorch.NeuralNetRegressor` for :class:`DIRNetwork` modules.

    The training data is a dict ``{"X": ..., "labels": ..., "sample_weight":
    ...}``: the module receives the labels (for FDS) and the criterion the
    weights, called as ``criterion(y_pred, y_true, weight)``. Learnable
    parameters of the criterion (the noise scale of Balanced MSE) get their
    own learning rate ``sigma_lr``. With ``ranksim_gamma > 0`` the RankSim
    regulariser of the encoder features is added to the training loss.
    """

    def __init__(
        self, module, *, criterion, sigma_lr=None, ranksim_gamma=0.0,
        ranksim_lambda=2.0, **kwargs,
    ):
        super().__init__(module, criterion=criterion, **kwargs)
        self.sigma_lr = sigma_lr
        self.ranksim_gamma = ranksim_gamma
        self.ranksim_lambda = ranksim_lambda

    def initialize_optimizer(self, triggered_directly=None):
        criterion = self.criterion_ if isinstance(self.criterion_, torch.nn.Module) else None
        own = list(criterion.parameters()) if criterion is not None else []
        own_ids = {id(p) for p in own}
        named = [
            (name, p)
            for name, p in self.get_all_learnable_params()
            if id(p) not in own_ids and p.requires_grad
        ]
        args, kwargs = self.get_params_for_optimizer("optimizer", named)
        groups = list(args[0])
        if own:
            lr = kwargs["lr"] if self.sigma_lr is None else self.sigma_lr
            groups.append({"params": own, "lr": lr, "weight_decay": 0.0})
        self.optimizer_ = self.optimizer(groups, **kwargs)
        return self

    def get_loss(self, y_pred, y_true, X=None, training=False):
        pred, features = y_pred if isinstance(y_pred, tuple) else (y_pred, None)
        y_true = to_tensor(y_true, device=self.device)
        weight = X.get("sample_weight") if isinstance(X, Mapping) else None
        if weight is not None:
            weight = to_tensor(weight, device=self.device)
        loss = self.criterion_(pred, y_true, weight)
        if training and self.ranksim_gamma > 0 and features is not None:
            loss = loss + self.ranksim_gamma * ranksim_loss(
                features, y_true, interpolation_lambda=self.ranksim_lambda
            )
        return loss
