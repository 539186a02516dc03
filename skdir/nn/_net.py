"""The skorch net behind DIRRegressor: the data path, weighted losses, RankSim,
FDS epochs and mixed precision.

The data path
-------------
:func:`place_data` puts the training arrays on the net's device once per fit
when they take at most :data:`RESIDENT_FRACTION` of the device's free memory
(on the CPU the host is the device, so always); :class:`BatchLoader` then
gathers every batch by index where the data are (a permutation drawn on that
device from the net's seeded generator, one ``index_select`` per array).
Data too large for the device stay on the host, and every batch is gathered
there into page-locked (pinned) memory and copied with ``non_blocking=True``.

Nothing in the per-batch path reads a value back from the device: the batch
losses stay on the device during the epoch and reach skorch's history in one
transfer at its end (see :meth:`DIRNet.run_single_epoch`), unless a callback
asks for every batch's loss as it happens.
"""

import contextlib
from collections.abc import Mapping

import numpy as np
import torch
from skorch import NeuralNet, NeuralNetRegressor
from skorch.callbacks import Callback
from skorch.dataset import Dataset, unpack_data
from skorch.utils import TeeGenerator, is_dataset, to_tensor
from torch.utils.data import DataLoader

from ._ranksim import ranksim_loss
from .losses import _checked_weights

__all__ = [
    "AMP_DTYPES",
    "RESIDENT_FRACTION",
    "BatchLoader",
    "DIRNet",
    "FDSEpochEnd",
    "fits_on_device",
    "place_data",
]

#: The training data stay on a CUDA device for the whole fit when they take at
#: most this share of its free memory (``torch.cuda.mem_get_info``) at the
#: start of the fit; the rest is left for the network, its activations and the
#: optimiser. Otherwise the batches are staged through pinned host memory.
RESIDENT_FRACTION = 0.5

#: Mixed-precision settings of :class:`DIRNet` (``amp``): the autocast dtype.
AMP_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16}


# ----------------------------------------------------------------- placement
def _unwrap(dataset):
    """(skorch Dataset, row indices or None) behind ``dataset``."""
    indices = None
    while isinstance(dataset, torch.utils.data.Subset):
        sub = np.asarray(dataset.indices)
        indices = sub if indices is None else indices[sub]
        dataset = dataset.dataset
    return dataset, indices


def _map(fn, data):
    if isinstance(data, Mapping):
        return {key: _map(fn, value) for key, value in data.items()}
    return None if data is None else fn(data)


def _leaves(data):
    if isinstance(data, Mapping):
        return [leaf for value in data.values() for leaf in _leaves(value)]
    return [] if data is None else [data]


def _numeric(data):
    if isinstance(data, torch.Tensor):
        return not (data.is_complex() or data.is_sparse) and data.ndim >= 1
    return isinstance(data, np.ndarray) and data.dtype.kind in "biuf" and data.ndim >= 1


def _as_tensor(data):
    """A numpy array as a CPU tensor, sharing memory with contiguous,
    writeable, native-order arrays and copying the others; tensors as they
    are."""
    if isinstance(data, torch.Tensor):
        return data
    data = np.ascontiguousarray(data, dtype=data.dtype.newbyteorder("="))
    if not data.flags.writeable:
        data = data.copy()
    return torch.from_numpy(data)


def _as_tensors(data):
    """numpy arrays (or a dict of them) as tensors (see :func:`_as_tensor`)."""
    return _map(_as_tensor, data)


def fits_on_device(nbytes, device):
    """Whether ``nbytes`` of training data stay on ``device`` for the whole fit.

    The rule: on the CPU always (the host is the device); on a CUDA device
    when ``nbytes <= RESIDENT_FRACTION * free``, with ``free`` the device's
    free memory now (:func:`torch.cuda.mem_get_info`); never on other
    devices.

    Parameters
    ----------
    nbytes : int
        Size of the data.
    device : str or torch.device
        The training device.

    Returns
    -------
    bool
    """
    device = torch.device(device)
    if device.type == "cpu":
        return True
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return nbytes <= RESIDENT_FRACTION * free
    return False


def place_data(data, device, resident=None):
    """Arrays (or a dict of them) as tensors where training reads them.

    numpy arrays become tensors (without a copy where possible). When the
    ones not yet on ``device`` fit there (:func:`fits_on_device`, or
    ``resident=True``), they are copied to ``device`` once; otherwise they
    stay on the host and :class:`BatchLoader` stages every batch through
    pinned memory. Tensors already on ``device`` are used as they are, and
    pull the others there (so that one batch never mixes devices).

    Parameters
    ----------
    data : ndarray, Tensor, dict of them, or None
    device : str or torch.device
    resident : bool, default=None
        Force (True) or forbid (False) copying to ``device``; None applies
        the memory rule.

    Returns
    -------
    data : Tensor or dict of Tensors
    """
    if data is None:
        return None
    data = _as_tensors(data)
    device = torch.device(device)
    away = [t for t in _leaves(data) if not _same_device(t.device, device)]
    if not away:
        return data
    if resident is None:
        # Data the caller already put on the device pull the rest there too.
        resident = len(away) < len(_leaves(data)) or fits_on_device(
            sum(t.nbytes for t in away), device
        )
    target = device if resident else torch.device("cpu")
    return _map(lambda t: t if _same_device(t.device, target) else t.to(target), data)


def _same_device(device, other):
    a, b = torch.device(device), torch.device(other)
    if a.type != b.type:
        return False
    if a.type == "cuda":
        current = torch.cuda.current_device()
        return (a.index if a.index is not None else current) == (
            b.index if b.index is not None else current
        )
    return True


# ------------------------------------------------------------------ batches
class BatchLoader:
    """Mini-batches gathered by index from in-memory arrays.

    Replaces :class:`torch.utils.data.DataLoader` for skorch datasets that
    hold numpy arrays or tensors (or dicts of them): the DataLoader fetches
    and collates every row separately, which costs more than the forward and
    backward pass of a small network. The arrays are placed once per loader
    with :func:`place_data` (on ``device`` when they fit there) and every
    batch is one ``index_select`` per array, so a batch is always a copy and
    a module that writes to its input cannot reach the caller's arrays.

    - Data on ``device``: the permutation is drawn on that device
      (``torch.randperm`` with the generator of that device) and the batches
      are gathered there; nothing crosses between host and device.
    - Data on the host and a CUDA ``device``: the batch is gathered on the
      host into page-locked memory and copied with ``non_blocking=True``.
    - ``device=None``: batches stay where the data are.

    Other datasets fall back to a DataLoader.

    Parameters
    ----------
    dataset : Dataset or Subset of one
    batch_size : int, default=128
    shuffle : bool, default=False
    drop_last : bool, default=False
    device : str or torch.device, default=None
        Where the batches are used.
    generator : torch.Generator or callable, default=None
        Source of the shuffling permutation: a generator, or
        ``generator(device)`` returning one for the device the permutation
        is drawn on; None draws from torch's default generator of that
        device.
    resident : bool, default=None
        Passed to :func:`place_data` (None: the memory rule).
    **kwargs
        Passed to the DataLoader of the fallback.
    """

    def __init__(
        self, dataset, batch_size=128, shuffle=False, drop_last=False, *, device=None,
        generator=None, resident=None, **kwargs,
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.device = device
        self.generator = generator
        self.resident = resident
        self.kwargs = kwargs
        base, _ = _unwrap(dataset)
        X = getattr(base, "X", None)
        arrays = list(X.values()) if isinstance(X, Mapping) else [X]
        self._fast = (
            isinstance(base, Dataset) and bool(arrays)
            and all(_numeric(a) for a in arrays)
            and (base.y is None or _numeric(base.y))
        )
        self._placed = None  # (X, y, row indices) as tensors, on first iteration

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _place(self):
        base, indices = _unwrap(self.dataset)
        X, y = _as_tensors(base.X), _as_tensors(base.y)
        if self.device is not None:
            placed = place_data({"X": X, "y": y}, self.device, self.resident)
            X, y = placed["X"], placed["y"]
        home = _leaves(X)[0].device
        if indices is not None:
            indices = torch.as_tensor(indices, dtype=torch.long)
            if home.type == "cuda":  # a copy the device need not wait for
                indices = indices.pin_memory().to(home, non_blocking=True)
            else:
                indices = indices.to(home)
        return X, y, indices

    def _permutation(self, n, device):
        generator = self.generator
        if callable(generator):
            generator = generator(device)
        if generator is not None and not _same_device(generator.device, device):
            perm = torch.randperm(n, generator=generator, device=generator.device)
            return perm.to(device, non_blocking=True)
        return torch.randperm(n, generator=generator, device=device)

    def __iter__(self):
        if not self._fast:
            yield from DataLoader(
                self.dataset, batch_size=self.batch_size, shuffle=self.shuffle,
                drop_last=self.drop_last, **self.kwargs,
            )
            return
        if self._placed is None:
            self._placed = self._place()
        X, y, indices = self._placed
        home = _leaves(X)[0].device
        device = home if self.device is None else torch.device(self.device)
        staged = not _same_device(home, device)
        pin = staged and device.type == "cuda"
        n = len(self.dataset)
        order = (
            self._permutation(n, home) if self.shuffle
            else torch.arange(n, device=home)
        )
        if indices is not None:
            order = indices[order]
        stop = n - n % self.batch_size if self.drop_last else n

        def take(t, idx):
            if not staged:
                return t.index_select(0, idx)
            if pin:
                out = torch.empty(
                    (idx.shape[0], *t.shape[1:]), dtype=t.dtype, pin_memory=True
                )
                torch.index_select(t, 0, idx, out=out)
                return out.to(device, non_blocking=True)
            return t.index_select(0, idx).to(device)

        # A dict of arrays (the usual case) without a recursion per batch.
        flat = (
            self.device is not None and isinstance(X, dict)
            and not any(isinstance(v, dict) for v in X.values())
        )
        items = list(X.items()) if flat else None
        for start in range(0, stop, self.batch_size):
            idx = order[start:start + self.batch_size]
            if flat:
                Xb = _OnDevice({key: take(t, idx) for key, t in items})
            else:
                Xb = _map(lambda t: take(t, idx), X)
            yield Xb, (None if y is None else take(y, idx) if torch.is_tensor(y)
                       else _map(lambda t: take(t, idx), y))


class _OnDevice(dict):
    """A batch's inputs as :class:`BatchLoader` gives them: tensors already
    on the device the loader was given."""

    __slots__ = ()


class FDSEpochEnd(Callback):
    """Advance the FDS layer of ``net.module_.fds`` at the end of every epoch."""

    def on_epoch_end(self, net, **kwargs):
        fds = getattr(net.module_, "fds", None)
        if fds is not None:
            fds.end_epoch()


# --------------------------------------------------------- deferred losses
class _PendingLoss(float):
    """What skorch records for a batch loss that is still on the device."""


class _DeferredLoss:
    """Stands in for a batch's loss tensor in the step skorch's loop records:
    ``item()`` gives a :class:`_PendingLoss` (NaN) instead of reading the
    value back from the device."""

    __slots__ = ()

    def item(self):
        return _PENDING


_PENDING = _PendingLoss("nan")
_DEFERRED = _DeferredLoss()


_BATCH_EVENTS = ("on_batch_begin", "on_batch_end", "on_grad_computed")


def _overrides(obj, name, base):
    return getattr(type(obj), name, None) is not getattr(base, name)


class DIRNet(NeuralNetRegressor):
    """A :class:`skorch.NeuralNetRegressor` for :class:`DIRNetwork` modules.

    The training data is a dict ``{"X": ..., "labels": ..., "sample_weight":
    ...}`` (``"bin_index"`` may replace ``"labels"``): the module receives
    ``X`` and the labels or bin indices (for FDS), the criterion the
    weights, called as ``criterion(y_pred, y_true, weight)``; the weights are
    trusted (checked once by the caller, not per batch) and reach the loss
    as the batch gathered them, with no further copy. Learnable parameters
    of the criterion (the noise scale of Balanced MSE) get their own
    learning rate ``noise_sigma_lr``. With ``ranksim_gamma > 0`` the RankSim
    regulariser of the encoder features is added to the training loss.

    The net extends skorch through its public methods:
    :meth:`get_dataset` places the data (:func:`place_data`),
    :meth:`get_iterator` gives the :class:`BatchLoader` the device and the
    seeded generators, :meth:`infer` and :meth:`get_loss` route the inputs,
    and :meth:`run_single_epoch` runs skorch's own epoch loop with the batch
    losses kept on the device until the epoch ends (one transfer per epoch
    instead of one per batch); when a callback handles ``on_batch_end`` (it
    receives the loss of every batch) the loop runs unchanged.
    :meth:`notify` sends batch events only to the callbacks that handle
    them, and :meth:`train_step` leaves out the ``on_grad_computed`` event
    (and the objects skorch builds for it every batch) when nothing handles
    it, else it is skorch's.

    Parameters (besides skorch's)
    -----------------------------
    noise_sigma_lr : float, default=None
        Learning rate of the criterion's own parameters (None: ``lr``).
    ranksim_gamma, ranksim_lambda : float
        Weight and interpolation strength of RankSim.
    shuffle_seed : int, default=None
        Seed of the generators that shuffle the training batches (one per
        device, created at :meth:`initialize`); None draws it from torch's
        global generator at :meth:`initialize`.
    amp : {None, "float16", "bfloat16"}, default=None
        Mixed precision: the forward pass runs under :func:`torch.autocast`
        with that dtype, the loss in float32; ``"float16"`` scales the loss
        with a :class:`torch.amp.GradScaler`. (The GradScaler reads one flag
        back from the device per step to skip steps with overflowing
        gradients, unless the optimiser supports fused scaling, e.g. Adam
        with ``fused=True``.)
    """

    def __init__(
        self, module, *, criterion, noise_sigma_lr=None, ranksim_gamma=0.0,
        ranksim_lambda=2.0, shuffle_seed=None, amp=None, **kwargs,
    ):
        super().__init__(module, criterion=criterion, **kwargs)
        self.noise_sigma_lr = noise_sigma_lr
        self.ranksim_gamma = ranksim_gamma
        self.ranksim_lambda = ranksim_lambda
        self.shuffle_seed = shuffle_seed
        self.amp = amp

    # ------------------------------------------------------- initialisation
    def initialize(self):
        if self.amp is not None and self.amp not in AMP_DTYPES:
            raise ValueError(
                f"amp must be None or one of {sorted(AMP_DTYPES)}, got {self.amp!r}."
            )
        seed = self.shuffle_seed
        if seed is None:
            seed = int(torch.randint(0, 2**62, (), dtype=torch.int64))
        self.shuffle_seed_ = int(seed)
        self._generators = {}
        self._generator_states = {}
        return super().initialize()

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
        self.grad_scaler_ = (
            torch.amp.GradScaler(torch.device(self.device).type)
            if self.amp == "float16" else None
        )
        return self

    def _generator(self, device):
        """The shuffling generator of ``device``, seeded with ``shuffle_seed_``
        the first time (or restored after unpickling)."""
        device = torch.device(device)
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        key = str(device)
        generator = self._generators.get(key)
        if generator is None:
            generator = torch.Generator(device=device)
            generator.manual_seed(self.shuffle_seed_)
            state = self._generator_states.pop(key, None)
            if state is not None:
                generator.set_state(state)
            self._generators[key] = generator
        return generator

    def __getstate__(self):
        state = super().__getstate__()
        # Generators as CPU states, restored where they were on first use.
        generators = state.pop("_generators", None)
        if generators is not None:
            state["_generator_states"] = {
                **state.get("_generator_states", {}),
                **{key: g.get_state() for key, g in generators.items()},
            }
            state["_generators"] = {}
        return state

    # ------------------------------------------------------------ data path
    def get_dataset(self, X, y=None):
        if not is_dataset(X):
            X = place_data(X, self.device) if _all_numeric(X) else X
            y = place_data(y, self.device) if _all_numeric(y) else y
        return super().get_dataset(X, y)

    def get_iterator(self, dataset, training=False):
        iterator = super().get_iterator(dataset, training=training)
        if isinstance(iterator, BatchLoader):
            if iterator.device is None:
                iterator.device = self.device
            if iterator.generator is None:
                iterator.generator = self._generator
        return iterator

    def _autocast(self):
        if self.amp is None:
            return contextlib.nullcontext()
        return torch.autocast(
            device_type=torch.device(self.device).type, dtype=AMP_DTYPES[self.amp]
        )

    def infer(self, x, **fit_params):
        # The weights are for the loss (get_loss reads them from the batch);
        # the module gets only its own inputs.
        if type(x) is _OnDevice:
            if "sample_weight" in x:
                x = _OnDevice({k: v for k, v in x.items() if k != "sample_weight"})
        elif isinstance(x, Mapping) and "sample_weight" in x:
            x = {key: value for key, value in x.items() if key != "sample_weight"}
        if self.amp is None:
            return self._infer(x, **fit_params)
        with self._autocast():
            out = self._infer(x, **fit_params)
        # Mixed precision covers the forward pass; losses run in float32.
        if isinstance(out, tuple):
            return tuple(_float32(o) for o in out)
        return _float32(out)

    def _infer(self, x, **fit_params):
        if fit_params:
            return super().infer(x, **fit_params)
        if type(x) is _OnDevice:  # nothing to move
            return self.module_(**x)
        if type(x) is dict:
            # skorch's infer without merging fit_params into a copy of x.
            return self.module_(**to_tensor(x, device=self.device))
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        pred, features = y_pred if isinstance(y_pred, tuple) else (y_pred, None)
        y_true = to_tensor(y_true, device=self.device)
        weight = None
        if training and (type(X) is dict or isinstance(X, Mapping)):
            weight = X.get("sample_weight")
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

    # ------------------------------------------------------------ per batch
    def train_step_single(self, batch, **fit_params):
        if getattr(self, "grad_scaler_", None) is None:
            return super().train_step_single(batch, **fit_params)
        # float16: backward through the scaled loss (skorch's step, scaled).
        self._set_training(True)
        Xi, yi = unpack_data(batch)
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        self.grad_scaler_.scale(loss).backward()
        return {"loss": loss, "y_pred": y_pred}

    def train_step(self, batch, **fit_params):
        if getattr(self, "grad_scaler_", None) is not None:
            return self._scaled_train_step(batch, **fit_params)
        listeners = getattr(self, "_batch_listeners", None)
        if listeners is None or listeners["on_grad_computed"] or _overrides(
            self, "on_grad_computed", NeuralNet
        ):
            return super().train_step(batch, **fit_params)
        # skorch's step (the optimiser evaluates the closure, the first
        # evaluation is returned) without the on_grad_computed event, which
        # nothing handles; fewer objects per batch, less garbage collection.
        step = None

        def closure():
            nonlocal step
            self.optimizer_.zero_grad()
            result = self.train_step_single(batch, **fit_params)
            if step is None:
                step = result
            return result["loss"]

        self.optimizer_.step(closure)
        return step

    def _scaled_train_step(self, batch, **fit_params):
        # float16: GradScaler.step takes no closure, so one evaluation, then
        # the step (skipped by the scaler if the gradients overflowed).
        scaler = self.grad_scaler_
        self.optimizer_.zero_grad()
        step = self.train_step_single(batch, **fit_params)
        scaler.unscale_(self.optimizer_)  # callbacks see the true gradients
        self.notify(
            "on_grad_computed",
            named_parameters=TeeGenerator(self.get_all_learnable_params()),
            batch=batch,
            training=True,
        )
        scaler.step(self.optimizer_)
        scaler.update()
        return step

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        super().on_train_begin(net, X=X, y=y, **kwargs)
        # The callbacks that handle each batch event, found once per call
        # of fit / partial_fit (see notify).
        self._batch_listeners = {
            event: [cb for _, cb in self.callbacks_ if _overrides(cb, event, Callback)]
            for event in _BATCH_EVENTS
        }
        # The net's own handlers: skorch's on_batch_begin opens the history
        # entry of the batch; the other two do nothing unless overridden.
        self._own_batch_handlers = {
            event: event == "on_batch_begin" or _overrides(self, event, NeuralNet)
            for event in _BATCH_EVENTS
        }

    def notify(self, method_name, **cb_kwargs):
        """skorch's notify; batch events reach only the callbacks that
        handle them (the others' methods are the base class's no-ops)."""
        listeners = getattr(self, "_batch_listeners", None)
        if listeners is None or method_name not in listeners:
            return super().notify(method_name, **cb_kwargs)
        if self._own_batch_handlers[method_name]:
            getattr(self, method_name)(self, **cb_kwargs)
        for callback in listeners[method_name]:
            getattr(callback, method_name)(self, **cb_kwargs)

    def _batch_end_listened(self):
        """True when the net or a callback handles ``on_batch_end``, which
        receives every batch's loss as it happens."""
        if _overrides(self, "on_batch_end", NeuralNet):
            return True
        return any(
            _overrides(cb, "on_batch_end", Callback) for _, cb in self.callbacks_
        )

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch loop, with the batch losses read back once per epoch.

        skorch records every batch's loss with ``loss.item()``, which waits
        for the device to finish the batch. Unless a callback handles
        ``on_batch_end``, the loop runs with a stand-in for the loss; the
        losses stay on the device and are written to the same history
        entries in one transfer when the loop ends.
        """
        if iterator is None or self._batch_end_listened():
            return super().run_single_epoch(
                iterator, training, prefix, step_fn, **fit_params
            )
        losses = []

        def deferred_step(batch, **params):
            step = step_fn(batch, **params)
            loss = step["loss"].detach()
            losses.append(loss if loss.ndim == 0 else loss.reshape(()))
            step["loss"] = _DEFERRED  # what skorch's loop reads, not the loss
            return step

        completed = False
        try:
            super().run_single_epoch(
                iterator, training, prefix, deferred_step, **fit_params
            )
            completed = True
        finally:
            # Also when the loop stops early (skorch's fit catches a
            # KeyboardInterrupt): the batches done get their losses.
            self._record_losses(prefix + "_loss", losses, strict=completed)

    def _record_losses(self, key, losses, strict):
        if not losses:
            return
        values = torch.stack(losses).float().tolist()  # one transfer per epoch
        entries = [
            batch for batch in self.history[-1]["batches"] if batch.get(key) is _PENDING
        ]
        if strict and len(entries) != len(values):  # pragma: no cover - a skorch change
            raise RuntimeError(
                f"skorch recorded {len(entries)} {key} entries for {len(values)} "
                "batches; this skorch version records batch losses differently "
                "than skdir expects."
            )
        for entry, value in zip(entries, values):
            entry[key] = value

    def _set_training(self, training=True):
        # skorch calls this before every batch, and ``Module.train`` walks
        # every submodule; skip it when the modules are already in that mode.
        for module_name in self._modules + self._criteria:
            module = getattr(self, module_name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)


def _float32(out):
    if isinstance(out, torch.Tensor) and out.is_floating_point():
        return out.float()
    return out


def _all_numeric(data):
    leaves = _leaves(data)
    return bool(leaves) and all(_numeric(leaf) for leaf in leaves)
