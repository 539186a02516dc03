"""Feature distribution smoothing (FDS), vectorised over label bins."""

from numbers import Integral, Real

import numpy as np
import torch
from torch import nn

from ..bins import LabelBins, _check_kernel_args, kernel_window

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


def _edges_of(bins):
    if isinstance(bins, LabelBins):
        if not hasattr(bins, "edges_"):
            raise ValueError("bins must be a fitted LabelBins; call bins.fit(y) first.")
        return np.asarray(bins.edges_, dtype=np.float64)
    edges = np.asarray(bins, dtype=np.float64)
    if edges.ndim != 1 or edges.size < 2:
        raise ValueError(
            "bins must be a fitted LabelBins or a 1-D array of at least 2 edges, "
            f"got shape {edges.shape}."
        )
    if not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
        raise ValueError("bin edges must be finite and strictly increasing.")
    return edges.copy()


class FDS(nn.Module):
    """Feature distribution smoothing (Yang et al., ICML 2021).

    Keeps, for every label bin, the running mean and diagonal variance of the
    features, smooths them over neighbouring bins with a kernel window, and
    recalibrates training features towards the smoothed statistics:

    .. code-block:: text

        z' = (z - mu_b) * sqrt(clamp(var~_b / var_b, 0.1, 10)) + mu~_b

    where ``b`` is the bin of the sample's label, ``mu_b, var_b`` the running
    statistics of that bin and ``mu~_b, var~_b`` their smoothed versions.

    Schedule, as in the paper, with an epoch counter that :meth:`end_epoch`
    advances:

    - during an epoch ``e >= start_update`` the raw (not yet calibrated)
      training features that pass through :meth:`forward` (or are given to
      :meth:`update`) are summarised per bin (count, mean and variance,
      merged batch by batch with Chan's parallel formula, so there is no loop
      over bins and no precision loss from sums of squares);
    - :meth:`end_epoch` folds them into the running statistics with
      ``momentum`` (``running = momentum * running + (1 - momentum) *
      epoch``), copying them outright at ``start_update`` and for bins seen
      for the first time, then smooths them;
    - from epoch ``start_smooth`` on, :meth:`forward` recalibrates training
      features with the statistics of the previous epochs.

    In evaluation mode :meth:`forward` is the identity. It never modifies its
    input in place, so it can follow ReLU or sigmoid features in any model.

    Departures from the reference code, on purpose:

    - labels are binned with :class:`~skdir.LabelBins` edges (float and
      negative targets work; out-of-range labels go to the edge bins), not by
      exact equality with integer bucket ids;
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

    Parameters
    ----------
    feature_dim : int
        Number of feature dimensions.
    bins : LabelBins or array-like of shape (n_bins + 1,)
        A fitted :class:`~skdir.LabelBins` or its bin edges.
    kernel : {"gaussian", "triang", "laplace"}, default="gaussian"
        Smoothing kernel, from :func:`~skdir.kernel_window` normalised to sum 1.
    ks : int, default=5
        Kernel size in bins; odd.
    sigma : float, default=2.0
        Kernel width in bins.
    momentum : float, default=0.9
        Weight of the previous running statistics at each update, in [0, 1).
    start_update : int, default=0
        First epoch whose features are collected.
    start_smooth : int, default=1
        First epoch whose training features are recalibrated.
    clip : (float, float), default=(0.1, 10.0)
        Bounds of the variance ratio ``var~_b / var_b``.

    Attributes
    ----------
    n_bins : int
        Number of label bins.
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
    >>> from skdir.nn import FDS
    >>> fds = FDS(feature_dim=3, bins=[0.0, 1.0, 2.0, 3.0], ks=3, sigma=1.0)
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
        bins,
        *,
        kernel="gaussian",
        ks=5,
        sigma=2.0,
        momentum=0.9,
        start_update=0,
        start_smooth=1,
        clip=(0.1, 10.0),
    ):
        super().__init__()
        if isinstance(feature_dim, bool) or not isinstance(feature_dim, Integral):
            raise TypeError(f"feature_dim must be a positive int, got {feature_dim!r}.")
        if feature_dim < 1:
            raise ValueError(f"feature_dim must be >= 1, got {feature_dim}.")
        _check_kernel_args(kernel, ks, sigma)
        if not isinstance(momentum, Real) or not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}.")
        for name, value in (("start_update", start_update), ("start_smooth", start_smooth)):
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
                raise ValueError(f"{name} must be a non-negative int, got {value!r}.")
        try:
            low, high = (float(v) for v in clip)
        except (TypeError, ValueError):
            raise ValueError(f"clip must be a pair (low, high), got {clip!r}.") from None
        if not (0 < low <= high < np.inf):
            raise ValueError(f"clip must satisfy 0 < low <= high < inf, got {clip!r}.")

        self.feature_dim = int(feature_dim)
        self.kernel, self.ks, self.sigma = kernel, int(ks), float(sigma)
        self.momentum = float(momentum)
        self.start_update, self.start_smooth = int(start_update), int(start_smooth)
        self.clip = (low, high)
        # Edges stay float64 whatever dtype the module is cast to.
        self._edges = _edges_of(bins)
        self._edges_cache = {}
        self._schedule = None  # (epoch, any bin populated), cached host-side
        self._affine_cache = None  # per-bin (scale, shift) of the calibration
        self.n_bins = self._edges.size - 1
        n, d = self.n_bins, self.feature_dim

        window = kernel_window(kernel, ks, sigma, normalize="sum")
        self.register_buffer("window", torch.as_tensor(window, dtype=torch.float32))
        self.register_buffer(
            "neighbours", torch.as_tensor(_reflect_neighbours(n, ks), dtype=torch.long)
        )
        self.register_buffer("epoch", torch.zeros((), dtype=torch.long))
        self.register_buffer("populated", torch.zeros(n, dtype=torch.bool))
        for name in ("running_mean", "smoothed_mean"):
            self.register_buffer(name, torch.zeros(n, d))
        for name in ("running_var", "smoothed_var"):
            self.register_buffer(name, torch.ones(n, d))
        # Statistics of the current epoch (count, mean, sum of squared
        # deviations); transient, so left out of the state dict.
        self.register_buffer("_epoch_count", torch.zeros(n), persistent=False)
        self.register_buffer("_epoch_mean", torch.zeros(n, d), persistent=False)
        self.register_buffer("_epoch_m2", torch.zeros(n, d), persistent=False)

    @property
    def edges(self):
        """Bin edges, float64 (a copy)."""
        return self._edges.copy()

    def extra_repr(self):
        return (
            f"feature_dim={self.feature_dim}, n_bins={self.n_bins}, "
            f"kernel={self.kernel!r}, ks={self.ks}, sigma={self.sigma:g}, "
            f"momentum={self.momentum:g}, start_update={self.start_update}, "
            f"start_smooth={self.start_smooth}"
        )

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_edges_cache"] = {}
        state["_schedule"] = None
        state["_affine_cache"] = None
        return state

    def _apply(self, fn, *args, **kwargs):
        self._affine_cache = None
        return super()._apply(fn, *args, **kwargs)

    def _load_from_state_dict(self, *args, **kwargs):
        self._schedule = None
        self._affine_cache = None
        super()._load_from_state_dict(*args, **kwargs)

    def _current(self):
        # Host-side copy of (epoch, any populated) so that forward does not
        # synchronise with the device at every batch.
        if self._schedule is None:
            self._schedule = (int(self.epoch), bool(self.populated.any()))
        return self._schedule

    # ------------------------------------------------------------------ bins
    def bin_index(self, labels):
        """Bin of each label, as :meth:`LabelBins.transform` gives it.

        Parameters
        ----------
        labels : Tensor of shape (n,) or (n, 1)
            Target values.

        Returns
        -------
        index : Tensor of shape (n,), dtype=int64
        """
        labels = torch.as_tensor(labels)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if labels.ndim != 1:
            raise ValueError(
                f"labels must have shape (n,) or (n, 1), got {tuple(labels.shape)}."
            )
        device = labels.device
        edges = self._edges_cache.get(device)
        if edges is None:
            edges = torch.as_tensor(self._edges, dtype=torch.float64, device=device)
            self._edges_cache[device] = edges
        index = torch.bucketize(labels.to(torch.float64), edges, right=True) - 1
        return index.clamp_(0, self.n_bins - 1)

    def _check(self, features, labels):
        if features.ndim != 2 or features.shape[1] != self.feature_dim:
            raise ValueError(
                f"features must have shape (n, {self.feature_dim}), got "
                f"{tuple(features.shape)}."
            )
        index = self.bin_index(labels)
        if index.shape[0] != features.shape[0]:
            raise ValueError(
                f"features and labels have different lengths ({features.shape[0]} "
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
        labels : Tensor of shape (n,) or (n, 1)
            Their targets.
        """
        self._update(features, self._check(features, labels))

    @torch.no_grad()
    def _update(self, features, index):
        if self._current()[0] < self.start_update or features.shape[0] == 0:
            return
        z = features.detach().to(self._epoch_mean.dtype)
        count = torch.bincount(index, minlength=self.n_bins).to(z.dtype)
        total = torch.zeros_like(self._epoch_mean).index_add_(0, index, z)
        mean = total / count.clamp(min=1)[:, None]
        dev = z - mean[index]
        m2 = torch.zeros_like(self._epoch_m2).index_add_(0, index, dev * dev)
        # Chan et al.: merge (count, mean, m2) of the batch into the epoch's.
        n_a = self._epoch_count
        n = n_a + count
        safe_n = n.clamp(min=1)
        delta = mean - self._epoch_mean
        self._epoch_mean += delta * (count / safe_n)[:, None]
        self._epoch_m2 += m2 + delta * delta * (n_a * count / safe_n)[:, None]
        self._epoch_count.copy_(n)

    @torch.no_grad()
    def end_epoch(self):
        """Fold this epoch's statistics into the running ones and smooth them.

        Call once at the end of every training epoch; it advances ``epoch``.
        """
        seen = self._epoch_count > 0
        if int(self.epoch) >= self.start_update and bool(seen.any()):
            count = self._epoch_count[:, None]
            mean = self._epoch_mean
            # Unbiased variance; a bin with one sample gets variance 0.
            var = torch.where(count > 1, self._epoch_m2 / (count - 1).clamp(min=1), 0.0)
            first = ~self.populated | (int(self.epoch) == self.start_update)
            keep = torch.where(first, 0.0, self.momentum).to(mean.dtype)[:, None]
            new_mean = keep * self.running_mean + (1 - keep) * mean
            new_var = keep * self.running_var + (1 - keep) * var
            self.running_mean.copy_(torch.where(seen[:, None], new_mean, self.running_mean))
            self.running_var.copy_(torch.where(seen[:, None], new_var, self.running_var))
            self.populated |= seen
            self._smooth()
        self._epoch_count.zero_()
        self._epoch_mean.zero_()
        self._epoch_m2.zero_()
        self.epoch += 1
        self._schedule = None
        self._affine_cache = None

    def _smooth(self):
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
        for name in ("running_mean", "smoothed_mean", "_epoch_count", "_epoch_mean",
                     "_epoch_m2"):
            getattr(self, name).zero_()
        self.running_var.fill_(1.0)
        self.smoothed_var.fill_(1.0)
        self._schedule = None
        self._affine_cache = None

    # ----------------------------------------------------------- calibration
    def calibrate(self, features, labels):
        """Recalibrate features with the current statistics (out of place).

        Parameters
        ----------
        features : Tensor of shape (n, feature_dim)
        labels : Tensor of shape (n,) or (n, 1)

        Returns
        -------
        features : Tensor of shape (n, feature_dim)
            ``(z - mu_b) * sqrt(clamp(var~_b / var_b, *clip)) + mu~_b`` where
            bin ``b`` has statistics and ``var_b > 0``; ``z`` elsewhere.
        """
        return self._calibrate(features, self._check(features, labels))

    def _calibrate(self, features, index):
        scale, shift = self._affine()
        return features * scale[index].to(features.dtype) + shift[index].to(features.dtype)

    def _affine(self):
        # z' = (z - mu) * f + mu~ = z * f + (mu~ - mu * f), per bin and
        # dimension; f = 1, shift = 0 where the bin has no statistics or
        # zero variance. Cached until the statistics change.
        if self._affine_cache is None:
            var = self.running_var
            valid = (var > 0) & self.populated[:, None]
            ratio = torch.where(valid, self.smoothed_var / torch.where(valid, var, 1.0), 1.0)
            factor = torch.where(valid, ratio.clamp(*self.clip).sqrt(), 1.0)
            shift = torch.where(valid, self.smoothed_mean - self.running_mean * factor, 0.0)
            self._affine_cache = (factor, shift)
        return self._affine_cache

    def forward(self, features, labels=None):
        """Collect statistics and recalibrate features (training mode only).

        Parameters
        ----------
        features : Tensor of shape (n, feature_dim)
            Encoder output.
        labels : Tensor of shape (n,) or (n, 1), default=None
            Targets of the batch. Without them, or in evaluation mode, the
            features are returned as they are.

        Returns
        -------
        features : Tensor of shape (n, feature_dim)
            A new tensor; the input is never modified.
        """
        if not self.training or labels is None:
            return features
        index = self._check(features, labels)
        self._update(features, index)
        epoch, ready = self._current()
        if epoch >= self.start_smooth and ready:
            return self._calibrate(features, index)
        return features
