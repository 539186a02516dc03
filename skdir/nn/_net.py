"""The skorch net behind DIRRegressor: weighted losses, RankSim, FDS epochs."""

from collections.abc import Mapping

import numpy as np
import torch
from skorch import NeuralNet, NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.dataset import Dataset, get_len
from skorch.utils import to_tensor
from torch.utils.data import DataLoader

from ._ranksim import ranksim_loss
from .losses import _checked_weights

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
    return None if data is None else data.index_select(0, idx)


def _numeric_array(data):
    return isinstance(data, np.ndarray) and data.dtype.kind in "biufc"


def _as_tensors(data):
    """numpy arrays (or a dict of them) as CPU tensors, sharing memory with
    contiguous, writeable, native-order arrays and copying the others."""
    if isinstance(data, Mapping):
        return {key: _as_tensors(value) for key, value in data.items()}
    if data is None:
        return None
    data = np.ascontiguousarray(data, dtype=data.dtype.newbyteorder("="))
    if not data.flags.writeable:
        data = data.copy()
    return torch.from_numpy(data)


class BatchLoader:
    """Mini-batches sliced from in-memory arrays, one indexing per batch.

    Replaces :class:`torch.utils.data.DataLoader` for skorch datasets that
    hold numpy arrays (or dicts of them): the DataLoader fetches and collates
    every row separately, which costs more than the forward and backward
    pass of a small network. The arrays are wrapped as tensors once (without
    a copy) and every batch is one tensor indexing (a copy) per array. Other
    datasets fall back to a DataLoader. Shuffling draws from torch's RNG, as
    the DataLoader does.
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
            _numeric_array(a) for a in arrays
        ) and (base.y is None or _numeric_array(base.y))
        self._tensors = None  # (X, y) as tensors, built on first iteration

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
        if self._tensors is None:
            self._tensors = _as_tensors(base.X), _as_tensors(base.y)
        X, y = self._tensors
        n = len(self.dataset)
        # Index tensors, never slices: a batch is a copy, so a module that
        # writes to its input cannot reach the caller's arrays.
        order = torch.randperm(n) if self.shuffle else torch.arange(n)
        if indices is not None:
            order = torch.as_tensor(indices, dtype=torch.long)[order]
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            idx = order[start:start + self.batch_size]
            yield _take(X, idx), _take(y, idx)


class FDSEpochEnd(Callback):
    """Advance the FDS layer of ``net.module_.fds`` at the end of every epoch."""

    def on_epoch_end(self, net, **kwargs):
        fds = getattr(net.module_, "fds", None)
        if fds is not None:
            fds.end_epoch()


def _overrides(obj, name, base):
    return getattr(type(obj), name, None) is not getattr(base, name)


def _batch_len(batch):
    X = batch[0] if isinstance(batch, (tuple, list)) else batch
    if isinstance(X, Mapping) and X:
        X = next(iter(X.values()))
    return X.shape[0] if isinstance(X, torch.Tensor) else get_len(X)


class DIRNet(NeuralNetRegressor):
    """A :class:`skorch.NeuralNetRegressor` for :class:`DIRNetwork` modules.

    The training data is a dict ``{"X": ..., "labels": ..., "sample_weight":
    ...}`` (``"bin_index"`` may replace ``"labels"``): the module receives
    the labels or bin indices (for FDS) and the criterion the weights, called
    as ``criterion(y_pred, y_true, weight)``; the weights are trusted (checked
    once by the caller, not per batch). Learnable parameters of the
    criterion (the noise scale of Balanced MSE) get their own learning rate
    ``noise_sigma_lr``. With ``ranksim_gamma > 0`` the RankSim regulariser of the
    encoder features is added to the training loss.

    Per-batch bookkeeping is lighter than skorch's when no callback listens
    to batch events (``on_batch_begin``, ``on_batch_end``,
    ``on_grad_computed``): the batch losses stay on the device during the
    epoch and reach the history in one transfer at its end (the history has
    the same per-batch entries), and the modules' training mode is set only
    when it changes. With such a callback, skorch's own loop runs.
    """

    def __init__(
        self, module, *, criterion, noise_sigma_lr=None, ranksim_gamma=0.0,
        ranksim_lambda=2.0, **kwargs,
    ):
        super().__init__(module, criterion=criterion, **kwargs)
        self.noise_sigma_lr = noise_sigma_lr
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
            lr = kwargs["lr"] if self.noise_sigma_lr is None else self.noise_sigma_lr
            groups.append({"params": own, "lr": lr, "weight_decay": 0.0})
        self.optimizer_ = self.optimizer(groups, **kwargs)
        return self

    # ------------------------------------------------------ per-batch loop
    def _batch_events_unused(self):
        """True when neither the net nor a callback handles batch events."""
        events = ("on_batch_begin", "on_batch_end", "on_grad_computed")
        if any(_overrides(self, name, NeuralNet) for name in events):
            return False
        return not any(
            _overrides(cb, name, Callback)
            for _, cb in self.callbacks_
            for name in events
        )

    def _set_training(self, training=True):
        # skorch calls this before every batch, and ``Module.train`` walks
        # every submodule; skip it when the modules are already in that mode.
        for module_name in self._modules + self._criteria:
            module = getattr(self, module_name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def train_step(self, batch, **fit_params):
        if not getattr(self, "_quiet_batches", False):
            return super().train_step(batch, **fit_params)
        step = None

        def step_fn():
            nonlocal step
            self._zero_grad_optimizer()
            result = self.train_step_single(batch, **fit_params)
            if step is None:  # the first evaluation, as skorch's accumulator
                step = result
            return result["loss"]

        self._step_optimizer(step_fn)
        return step

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        if not self._batch_events_unused():
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        losses, sizes = [], []
        self._quiet_batches = True
        try:
            for batch in iterator:
                step = step_fn(batch, **fit_params)
                losses.append(step["loss"].detach().reshape(()))
                sizes.append(_batch_len(batch))
        finally:
            self._quiet_batches = False
        values = torch.stack(losses).tolist() if losses else []
        # The entries skorch's on_batch_begin / record_batch would have made.
        self.history[-1]["batches"].extend(
            {prefix + "_loss": value, prefix + "_batch_size": size}
            for value, size in zip(values, sizes)
        )
        self.history.record(prefix + "_batch_count", len(values))

    def get_loss(self, y_pred, y_true, X=None, training=False):
        pred, features = y_pred if isinstance(y_pred, tuple) else (y_pred, None)
        y_true = to_tensor(y_true, device=self.device)
        weight = X.get("sample_weight") if isinstance(X, Mapping) else None
        if not training:
            # The validation loss that early stopping watches is unweighted:
            # a few heavily weighted rare samples in a small held-out set make
            # a weighted loss too noisy to stop on (reweighted networks then
            # stopped after a handful of epochs, badly under-fitted).
            weight = None
        if weight is not None:
            weight = to_tensor(weight, device=self.device)
        with _checked_weights():
            loss = self.criterion_(pred, y_true, weight)
        if training and self.ranksim_gamma > 0 and features is not None:
            loss = loss + self.ranksim_gamma * ranksim_loss(
                features, y_true, interpolation_lambda=self.ranksim_lambda
            )
        return loss
