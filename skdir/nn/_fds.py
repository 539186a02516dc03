"""Feature distribution smoothing (FDS), vectorised over label bins."""

from numbers import Integral, Real

import numpy as np
import torch
from torch import nn

from ..bins import _check_dense_grid, check_label_space, is_fitted_space
from ._options import _check_clip

__all__ = ["FDS"]


def _reflect_neighbours(n_bins, ks):
    """Index of the ``ks`` neighbours of every bin, reflected at the ends.

    Reflection mirrors without repeating the edge bin (``d c b | a b c d``),
    as :func:`torch.nn.functional.pad` with ``mode="reflect"`` does, but for
    any number of bins (a single bin is its own neighbourhood).
    """
    half = (ks - 1) // 2
    pos = np.arange(n_bins)[:, None] + np.arange(-half, half + 1)[None, :]
    if n_bins == 1:
        return np.zeros_like(pos)
    period = 2 * (n_bins - 1)
    pos = np.abs(pos) % period
    return np.where(pos >= n_bins, period - pos, pos)


def _smooth_grid(stats, populated, window, neighbours, bin_shape):
    """Normalised, separable smoothing of per-cell statistics on a grid.

    Each cell's smoothed value is the average of the populated cells around
    it weighted by the outer product of ``window`` along the axes, each axis
    reflected at its ends as :func:`_reflect_neighbours` gives it (the 1-D
    rule applied per axis); numerator and normaliser are both separable, so
    the window is applied along one axis after the other, one gather and
    multiply-add per kernel offset (no loop over cells).

    Parameters
    ----------
    stats : Tensor of shape (n_cells, k)
        Per-cell statistics, cells flat in C order over ``bin_shape``.
    populated : Tensor of shape (n_cells,), dtype=bool
        Cells that have statistics.
    window : Tensor of shape (ks,)
        The 1-D window.
    neighbours : Tensor of shape (sum(bin_shape), ks), dtype=int64
        The reflected neighbours of every bin of each axis, axis after axis.
    bin_shape : tuple of int
        The grid.

    Returns
    -------
    smoothed : Tensor of shape (n_cells, k)
        Smoothed statistics on populated cells, ``stats`` elsewhere.
    """
    dtype = stats.dtype
    mask = populated.to(dtype)[:, None]
    # [1 | stats] masked by the populated cells, on the grid: the
    # normaliser and the numerator smoothed together.
    grid = torch.cat([mask, torch.where(populated[:, None], stats, 0.0)], 1)
    grid = grid.reshape(*bin_shape, grid.shape[1])
    window = window.to(dtype)
    start = 0
    for axis, size in enumerate(bin_shape):
        table = neighbours[start:start + size]
        start += size
        moved = grid.movedim(axis, 0)
        out = window[0] * moved.index_select(0, table[:, 0])
        for k in range(1, table.shape[1]):
            out = out + window[k] * moved.index_select(0, table[:, k])
        grid = out.movedim(0, axis)
    grid = grid.reshape(-1, grid.shape[-1])
    norm, total = grid[:, :1], grid[:, 1:]
    smoothed = total / torch.where(norm > 0, norm, 1.0)
    return torch.where(populated[:, None] & (norm > 0), smoothed, stats)


def _fitted_space(label_space):
    """``label_space`` if a fitted :class:`~skdir.LabelSpace`, else a clear error."""
    check_label_space(label_space)
    if label_space is None or not is_fitted_space(label_space):
        raise ValueError(
            "label_space must be a fitted skdir.LabelSpace; call "
            "label_space.fit(y) on the training targets first."
        )
    return label_space


class FDS(nn.Module):
    """Feature distribution smoothing (Yang et al., ICML 2021).

    Keeps, for every bin of a fitted :class:`~skdir.LabelSpace`, the running
    mean and diagonal variance of the features, smooths them over neighbouring
    bins with the label space's kernel window normalised to sum 1
    (``label_space.window(normalize="sum")``, as the reference code
    normalises its FDS window), and recalibrates training features towards
    the smoothed statistics:

    .. code-block:: text

        z' = (z - mu_b) * sqrt(clamp(var~_b / var_b, 0.1, 10)) + mu~_b

    where ``b`` is the bin of the sample's label, ``mu_b, var_b`` the running
    statistics of that bin and ``mu~_b, var~_b`` their smoothed versions.

    Schedule, as in the paper, with an epoch counter that :meth:`end_epoch`
    advances:

    - during an epoch ``e >= start_update`` the raw (not yet calibrated)
      training features that pass through :meth:`forward` (or are given to
      :meth:`update`) are summarised per bin: count, sum and sum of squares,
      accumulated in float64 with one scatter-add per batch (no loop over
      bins; float64 keeps the variance exact to about 1e-16 relative to the
      squared mean, far below float32 feature precision);
    - :meth:`end_epoch` folds them into the running statistics with
      ``momentum`` (``running = momentum * running + (1 - momentum) *
      epoch``), copying them outright at ``start_update`` and for bins seen
      for the first time, then smooths them;
    - from epoch ``start_smooth`` on, :meth:`forward` recalibrates training
      features with the statistics of the previous epochs.

    The calibration is an affine map per bin and dimension, ``z' = z * s_b +
    t_b`` with ``s_b = sqrt(clamp(var~_b / var_b))`` and ``t_b = mu~_b - mu_b
    * s_b``; the table of ``(s_b, t_b)`` is computed once per epoch, so a batch
    costs two row gathers and one fused multiply-add. The bin of each sample
    can be given precomputed (``bin_index``, from :meth:`bin_index`), which
    saves binning the labels of every batch again.

    In evaluation mode :meth:`forward` is the identity. It never modifies its
    input in place, so it can follow ReLU or sigmoid features in any model.

    Departures from the reference code, on purpose:

    - labels are binned with the label space's edges (float and negative
      targets work; out-of-range labels go to the edge bins, NaN labels are
      an error), not by exact equality with integer bucket ids;
    - the statistics come from the features before calibration, collected
      during the epoch's own forward passes (the reference runs an extra pass
      over the training set with calibration switched on); call
      :meth:`update` on features of a separate pass to do that instead;
    - bins never seen keep no statistics: their samples pass through
      unchanged, and smoothing averages over populated neighbours only
      (normalised convolution), so no mean 0 / variance 1 leaks from empty
      bins. With every bin populated this equals the reference's
      reflect-padded convolution;
    - the calibration uses the statistics as of the last :meth:`end_epoch`
      (the reference mixes the current running and last-epoch smoothed
      statistics through aliased buffers).

    Dimensions whose running variance in the bin is 0 pass through unchanged.

    A multi-output label space (2 or 3 target columns, see
    :ref:`label_space`) makes the cells of its joint grid FDS's bins: the
    statistics are kept per cell (flat, C order, the index
    :meth:`LabelSpace.transform` gives), and they are smoothed with the
    separable N-d window, the same 1-D window along every axis with the same
    reflection at each axis's ends and the same restriction to populated
    cells, applied one axis after the other on the grid.

    Parameters
    ----------
    feature_dim : int
        Number of feature dimensions.
    label_space : LabelSpace
        A fitted :class:`~skdir.LabelSpace`: its bins are FDS's bins and its
        kernel (``kernel``, ``ks``, ``sigma``) FDS's smoothing window.
    momentum : float, default=0.9
        Weight of the previous running statistics at each update, in [0, 1).
    start_update : int, default=0
        First epoch whose features are collected.
    start_smooth : int, default=1
        First epoch whose training features are recalibrated.
    clip : (float, float), default=(0.1, 10)
        Bounds of the variance ratio ``var~_b / var_b``, ``0 < low <= high``.

    Attributes
    ----------
    label_space : LabelSpace
        The label space given.
    n_bins : int
        Number of label bins (cells of the joint grid for several outputs).
    bin_shape : tuple of int
        The label space's ``bin_shape_``: ``(n_bins,)``, or the number of
        bins of each column.
    n_outputs : int
        Number of target columns.
    window : Tensor of shape (ks,)
        The smoothing window, summing to 1 (buffer).
    neighbours : Tensor of shape (sum(bin_shape), ks), dtype=int64
        The reflected neighbours of every bin along its axis, axis after
        axis (buffer).
    running_mean, running_var : Tensor of shape (n_bins, feature_dim)
        Running per-bin statistics (buffers).
    smoothed_mean, smoothed_var : Tensor of shape (n_bins, feature_dim)
        Their smoothed versions (buffers).
    populated : Tensor of shape (n_bins,), dtype=bool
        Bins that have statistics (buffer).
    epoch : Tensor, dtype=int64
        Epoch counter (buffer).

    Examples
    --------
    >>> import torch
    >>> from skdir import LabelSpace
    >>> from skdir.nn import FDS
    >>> space = LabelSpace(edges=[0.0, 1.0, 2.0, 3.0], ks=3, sigma=1.0).fit([0.5, 2.5])
    >>> fds = FDS(feature_dim=3, label_space=space)
    >>> z = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
    >>> y = torch.tensor([0.5, 0.5, 1.5, 1.5, 2.5, 2.5])
    >>> _ = fds.train()
    >>> torch.equal(fds(z, y), z)  # epoch 0 only collects statistics
    True
    >>> fds.end_epoch()
    >>> fds.populated.tolist()
    [True, True, True]
    >>> fds(z, y).shape
    torch.Size([6, 3])
    >>> torch.equal(fds.eval()(z, y), z)
    True
    """

    def __init__(
        self,
        feature_dim,
        label_space,
        *,
        momentum=0.9,
        start_update=0,
        start_smooth=1,
        clip=(0.1, 10),
    ):
        super().__init__()
        if isinstance(feature_dim, bool) or not isinstance(feature_dim, Integral):
            raise TypeError(f"feature_dim must be a positive int, got {feature_dim!r}.")
        if feature_dim < 1:
            raise ValueError(f"feature_dim must be >= 1, got {feature_dim}.")
        label_space = _fitted_space(label_space)
        if isinstance(momentum, bool) or not isinstance(momentum, Real) or not (
            0 <= momentum < 1
        ):
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}.")
        for name, value in (("start_update", start_update), ("start_smooth", start_smooth)):
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
                raise ValueError(f"{name} must be a non-negative int, got {value!r}.")
        low, high = _check_clip(clip)

        self.feature_dim = int(feature_dim)
        self.label_space = label_space
        self.momentum = float(momentum)
        self.start_update, self.start_smooth = int(start_update), int(start_smooth)
        self.clip = (low, high)
        # Edges stay float64 whatever dtype the module is cast to.
        # Multi-output: a tuple of the columns' edges, the bins being the
        # cells of their joint grid (flat, C order).
        _check_dense_grid(label_space, "FDS")
        self.bin_shape = tuple(int(n) for n in label_space.bin_shape_)
        self.n_outputs = len(self.bin_shape)
        if self.n_outputs > 1:
            self._edges = tuple(
                np.array(e, dtype=np.float64) for e in label_space.edges_
            )
        else:
            self._edges = np.array(label_space.edges_, dtype=np.float64)
        self._edges_cache = {}
        # (epoch, any bin populated), kept on the host so that no training
        # step reads them from the device: the buffers' initial values here,
        # refreshed by end_epoch (once per epoch) and reset.
        self._schedule = (0, False)
        self._affine_cache = {}  # dtype -> per-bin (scale, shift) of the calibration
        self._buffers_cache = {}  # (batch size, device) -> statistics scratch
        self.n_bins = int(np.prod(self.bin_shape))
        n, d = self.n_bins, self.feature_dim

        window = label_space.window(normalize="sum")
        self.register_buffer("window", torch.as_tensor(window, dtype=torch.float32))
        neighbours = np.concatenate(
            [_reflect_neighbours(size, window.size) for size in self.bin_shape]
        )
        self.register_buffer(
            "neighbours", torch.as_tensor(neighbours, dtype=torch.long)
        )
        self.register_buffer("epoch", torch.zeros((), dtype=torch.long))
        self.register_buffer("populated", torch.zeros(n, dtype=torch.bool))
        for name in ("running_mean", "smoothed_mean"):
            self.register_buffer(name, torch.zeros(n, d))
        for name in ("running_var", "smoothed_var"):
            self.register_buffer(name, torch.ones(n, d))
        # Statistics of the current epoch: per bin, the sums of z and z**2
        # and the count, side by side. Float64 whatever the module's dtype
        # (so not a buffer: ``module.float()`` would cast it; ``_apply``
        # moves it between devices) and transient, so not in the state dict.
        self._epoch_sums = torch.zeros(n, 2 * d + 1, dtype=torch.float64)

    @property
    def edges(self):
        """Bin edges, float64 (a copy); a tuple of one array per column for a
        multi-output label space."""
        if self.n_outputs > 1:
            return tuple(e.copy() for e in self._edges)
        return self._edges.copy()

    def extra_repr(self):
        shape = (
            f", bin_shape={self.bin_shape}" if self.n_outputs > 1 else ""
        )
        return (
            f"feature_dim={self.feature_dim}, n_bins={self.n_bins}{shape}, "
            f"window={self.window.numel()}, momentum={self.momentum:g}, "
            f"start_update={self.start_update}, start_smooth={self.start_smooth}"
        )

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_edges_cache"] = {}
        state["_schedule"] = None
        state["_affine_cache"] = {}
        state["_buffers_cache"] = {}
        return state

    def _apply(self, fn, *args, **kwargs):
        self._affine_cache = {}
        self._buffers_cache = {}
        out = super()._apply(fn, *args, **kwargs)
        # Follow the module to its device, keeping float64.
        device = fn(self.epoch.new_zeros(())).device
        self._epoch_sums = self._epoch_sums.to(device)
        return out

    def _load_from_state_dict(self, *args, **kwargs):
        self._schedule = None
        self._affine_cache = {}
        super()._load_from_state_dict(*args, **kwargs)

    def _current(self):
        # Host-side copy of (epoch, any populated) so that forward does not
        # synchronise with the device (read again only after a state dict
        # was loaded or the module unpickled).
        if self._schedule is None:
            self._schedule = (int(self.epoch), bool(self.populated.any()))
        return self._schedule

    # ------------------------------------------------------------------ bins
    def bin_index(self, labels):
        """Bin of each label, as :meth:`LabelSpace.transform` gives it.

        NaN labels raise a ValueError; checking for them costs one
        synchronisation with the device per call, so a training loop on a
        GPU should compute the bins once and pass ``bin_index`` to
        :meth:`forward` (as :class:`DIRRegressor` does).

        Parameters
        ----------
        labels : Tensor of shape (n,) or (n, n_outputs)
            Target values; one column per output of a multi-output label
            space.

        Returns
        -------
        index : Tensor of shape (n,), dtype=int64
            Bin of each label (for a multi-output label space the flat index
            of its cell in the C-ordered grid of shape ``bin_shape``); labels
            outside the range go to the edge bins, column by column.
        """
        labels = torch.as_tensor(labels)
        if self.n_outputs == 1 and labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if self.n_outputs == 1 and labels.ndim != 1:
            raise ValueError(
                f"labels must have shape (n,) or (n, 1), got {tuple(labels.shape)}."
            )
        if self.n_outputs > 1 and (
            labels.ndim != 2 or labels.shape[1] != self.n_outputs
        ):
            raise ValueError(
                f"labels must have shape (n, {self.n_outputs}) for a label space "
                f"of {self.n_outputs} outputs, got {tuple(labels.shape)}."
            )
        device = labels.device
        edges = self._edges_cache.get(device)
        if edges is None:
            columns = self._edges if self.n_outputs > 1 else (self._edges,)
            edges = tuple(
                torch.as_tensor(e, dtype=torch.float64, device=device) for e in columns
            )
            self._edges_cache[device] = edges
        labels = labels.to(torch.float64)
        if bool(torch.isnan(labels).any()):
            raise ValueError("labels contain NaN; FDS cannot bin them.")
        if self.n_outputs == 1:
            index = torch.bucketize(labels, edges[0], right=True) - 1
            return index.clamp_(0, self.n_bins - 1)
        index = torch.zeros(labels.shape[0], dtype=torch.long, device=device)
        for values, column, size in zip(labels.t().contiguous(), edges, self.bin_shape):
            idx = (torch.bucketize(values, column, right=True) - 1).clamp_(0, size - 1)
            index = index * size + idx
        return index

    def _check(self, features, labels=None, bin_index=None):
        if features.ndim != 2 or features.shape[1] != self.feature_dim:
            raise ValueError(
                f"features must have shape (n, {self.feature_dim}), got "
                f"{tuple(features.shape)}."
            )
        if bin_index is None:
            index, name = self.bin_index(labels), "labels"
        else:
            index, name = bin_index, "bin_index"
            if index.ndim == 2 and index.shape[1] == 1:
                index = index[:, 0]
            if index.ndim != 1 or index.dtype != torch.long:
                raise ValueError(
                    "bin_index must be an int64 tensor of shape (n,) or (n, 1), got "
                    f"{index.dtype} of shape {tuple(bin_index.shape)}."
                )
        if index.shape[0] != features.shape[0]:
            raise ValueError(
                f"features and {name} have different lengths ({features.shape[0]} "
                f"and {index.shape[0]})."
            )
        return index

    # ------------------------------------------------------------ statistics
    @torch.no_grad()
    def update(self, features, labels):
        """Add raw features of one batch to the statistics of this epoch.

        :meth:`forward` calls it in training mode; call it directly to collect
        statistics from a separate pass over the training set.

        Parameters
        ----------
        features : Tensor of shape (n, feature_dim)
            Features before calibration.
        labels : Tensor of shape (n,) or (n, n_outputs)
            Their targets.
        """
        self._update(features, self._check(features, labels))

    def _update(self, features, index):
        # Runs on detached tensors: autograd records nothing.
        n = features.shape[0]
        if self._current()[0] < self.start_update or n == 0:
            return
        sums = self._epoch_sums
        if sums.device != features.device:
            raise ValueError(
                f"features are on {features.device} but FDS is on {sums.device}; "
                "move the module with .to(device)."
            )
        # One (n, 2d + 1) float64 scratch per batch size: [z | z**2 | 1], the
        # ones column counting the samples of every bin.
        key = (n, features.device)
        scratch = self._buffers_cache.get(key)
        if scratch is None:
            d = self.feature_dim
            block = torch.ones(
                n, 2 * d + 1, dtype=torch.float64, device=features.device
            )
            scratch = block, block[:, :d], block[:, d:2 * d]
            self._buffers_cache[key] = scratch
        block, z, z2 = scratch
        z.copy_(features.detach())
        torch.mul(z, z, out=z2)
        sums.index_add_(0, index, block)

    @torch.no_grad()
    def end_epoch(self):
        """Fold this epoch's statistics into the running ones and smooth them.

        Call once at the end of every training epoch; it advances ``epoch``.
        """
        d = self.feature_dim
        sums = self._epoch_sums
        seen = sums[:, -1] > 0
        epoch = int(self.epoch)
        if epoch >= self.start_update and bool(seen.any()):
            count = sums[:, -1:]
            mean64 = sums[:, :d] / count.clamp(min=1)
            # Unbiased variance; a bin with one sample gets variance 0.
            m2 = (sums[:, d:2 * d] - mean64 * sums[:, :d]).clamp(min=0)
            var64 = torch.where(count > 1, m2 / (count - 1).clamp(min=1), 0.0)
            dtype = self.running_mean.dtype
            mean, var = mean64.to(dtype), var64.to(dtype)
            first = ~self.populated | (epoch == self.start_update)
            keep = torch.where(first, 0.0, self.momentum).to(mean.dtype)[:, None]
            new_mean = keep * self.running_mean + (1 - keep) * mean
            new_var = keep * self.running_var + (1 - keep) * var
            self.running_mean.copy_(torch.where(seen[:, None], new_mean, self.running_mean))
            self.running_var.copy_(torch.where(seen[:, None], new_var, self.running_var))
            self.populated |= seen
            self._smooth()
        sums.zero_()
        self.epoch += 1
        # Read here, once per epoch, rather than in the next training step.
        self._schedule = (epoch + 1, bool(self.populated.any()))
        self._affine_cache = {}

    def _smooth(self):
        if self.n_outputs > 1:
            stats = torch.cat([self.running_mean, self.running_var], 1)
            smoothed = _smooth_grid(
                stats, self.populated, self.window, self.neighbours, self.bin_shape
            )
            d = self.feature_dim
            self.smoothed_mean.copy_(smoothed[:, :d])
            self.smoothed_var.copy_(smoothed[:, d:])
            return
        # Normalised convolution over populated neighbours: every bin's window
        # is the kernel restricted to neighbours with statistics, renormalised.
        weight = self.window.to(self.running_mean.dtype)[None, :] * self.populated[
            self.neighbours
        ].to(self.running_mean.dtype)
        norm = weight.sum(dim=1, keepdim=True)
        weight = torch.where(norm > 0, weight / norm.clamp(min=1e-30), 0.0)
        for source, target in (
            (self.running_mean, self.smoothed_mean),
            (self.running_var, self.smoothed_var),
        ):
            smoothed = torch.einsum("bk,bkd->bd", weight, source[self.neighbours])
            target.copy_(torch.where(self.populated[:, None], smoothed, source))

    def reset(self):
        """Forget all statistics and restart the epoch counter at 0."""
        self.epoch.zero_()
        self.populated.zero_()
        for name in ("running_mean", "smoothed_mean", "_epoch_sums"):
            getattr(self, name).zero_()
        self.running_var.fill_(1.0)
        self.smoothed_var.fill_(1.0)
        self._schedule = (0, False)
        self._affine_cache = {}

    # ----------------------------------------------------------- calibration
    def calibrate(self, features, labels):
        """Recalibrate features with the current statistics (out of place).

        Parameters
        ----------
        features : Tensor of shape (n, feature_dim)
        labels : Tensor of shape (n,) or (n, n_outputs)

        Returns
        -------
        features : Tensor of shape (n, feature_dim)
            ``(z - mu_b) * sqrt(clamp(var~_b / var_b, *clip)) + mu~_b`` where
            bin ``b`` has statistics and ``var_b > 0``; ``z`` elsewhere.
        """
        return self._calibrate(features, self._check(features, labels))

    def _calibrate(self, features, index):
        scale, shift = self._affine(features.dtype)
        return torch.addcmul(
            shift.index_select(0, index), features, scale.index_select(0, index)
        )

    def _affine(self, dtype):
        # z' = (z - mu) * f + mu~ = z * f + (mu~ - mu * f), per bin and
        # dimension; f = 1, shift = 0 where the bin has no statistics or
        # zero variance. Cached (per dtype) until the statistics change.
        table = self._affine_cache.get(dtype)
        if table is None:
            with torch.no_grad():
                var = self.running_var
                valid = (var > 0) & self.populated[:, None]
                ratio = torch.where(
                    valid, self.smoothed_var / torch.where(valid, var, 1.0), 1.0
                )
                factor = torch.where(valid, ratio.clamp(*self.clip).sqrt(), 1.0)
                shift = torch.where(
                    valid, self.smoothed_mean - self.running_mean * factor, 0.0
                )
            table = factor.to(dtype).contiguous(), shift.to(dtype).contiguous()
            self._affine_cache[dtype] = table
        return table

    def forward(self, features, labels=None, *, bin_index=None):
        """Collect statistics and recalibrate features (training mode only).

        Parameters
        ----------
        features : Tensor of shape (n, feature_dim)
            Encoder output.
        labels : Tensor of shape (n,) or (n, n_outputs), default=None
            Targets of the batch. Without them (and without ``bin_index``),
            or in evaluation mode, the features are returned as they are.
            They are binned with :meth:`bin_index` (NaN raises a ValueError,
            at the cost of one device synchronisation per batch).
        bin_index : Tensor of shape (n,) or (n, 1), dtype=int64, default=None
            The bins of the batch's labels, as :meth:`bin_index` gives them,
            on the features' device; used instead of ``labels`` when given
            (its values are not checked, so no synchronisation is needed).

        Returns
        -------
        features : Tensor of shape (n, feature_dim)
            A new tensor; the input is never modified.
        """
        if not self.training or (labels is None and bin_index is None):
            return features
        index = self._check(features, labels, bin_index)
        self._update(features, index)
        epoch, ready = self._current()
        if epoch >= self.start_smooth and ready:
            return self._calibrate(features, index)
        return features
