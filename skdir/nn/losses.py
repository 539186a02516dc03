"""Regression losses for imbalanced targets, with per-sample weights.

Every loss here is a :class:`torch.nn.Module` called as
``loss(y_pred, y_true, weight=None)`` with tensors of shape ``(n,)`` or
``(n, 1)`` and returns the batch mean of ``weight * per_sample_loss``, as the
reference code of Yang et al. (2021) does (the weights average 1 over the
training set, so the batch mean is not renormalised by the batch's weights).
Samples with weight 0 contribute 0 even where their loss is infinite, so
extreme weights never produce NaN.

Weights must be finite and non-negative: a NaN, infinite or negative weight
raises a ValueError rather than being treated as 0. The check runs on every
direct call and costs one synchronisation with the device (a GPU) per call;
:class:`~skdir.nn.DIRRegressor` checks its weights once in ``fit`` and skips
the per-batch check while it trains.

- :class:`MSELoss`, :class:`L1Loss`, :class:`HuberLoss` (the reference's
  smooth-L1 form), :class:`LogCoshLoss`, :class:`SMAPELoss`;
- :class:`FocalL1Loss`, :class:`FocalMSELoss` (Focal-R);
- Balanced MSE (Ren et al., CVPR 2022) with a learnable (or fixed) noise
  scale: :class:`GAILoss`, :class:`BMCLoss`, :class:`BNILoss`;
- :func:`make_loss` builds any of them by name (``"bmse"`` is Balanced MSE
  in its default implementation, GAI, as in the reference code);
- :func:`bin_noise_sigma`, the noise scale ``init_noise_sigma="auto"``
  stands for: the width of one bin of a :class:`~skdir.LabelSpace`.
"""

import contextlib
import contextvars
import math
from numbers import Real

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._validation import check_target
from ..bins import _check_dense_grid, check_label_space, fit_label_space, is_fitted_space

__all__ = [
    "BMCLoss",
    "BNILoss",
    "CallableLoss",
    "FocalL1Loss",
    "FocalMSELoss",
    "GAILoss",
    "HuberLoss",
    "L1Loss",
    "LOSSES",
    "LogCoshLoss",
    "MSELoss",
    "SMAPELoss",
    "bin_noise_sigma",
    "make_loss",
]

# True while DIRRegressor trains on weights it validated in fit: the losses
# then skip the per-call weight check (a device synchronisation per batch).
_WEIGHTS_CHECKED = contextvars.ContextVar("skdir_nn_weights_checked", default=False)


@contextlib.contextmanager
def _checked_weights():
    """Within this context the losses trust their weights (already validated)."""
    token = _WEIGHTS_CHECKED.set(True)
    try:
        yield
    finally:
        _WEIGHTS_CHECKED.reset(token)


def _check_weight(weight, n, device):
    """``weight`` as a tensor of ``n`` values, checked finite and non-negative.

    The check (one vectorised reduction, read back on the host) is skipped
    inside :func:`_checked_weights`.
    """
    weight = torch.as_tensor(weight, device=device)
    if weight.ndim == 0 or weight.shape[0] != n or weight.numel() != n:
        raise ValueError(
            f"weight has {weight.numel()} values for a batch of {n}; give one "
            "per sample, of shape (n,) or (n, 1)."
        )
    if not _WEIGHTS_CHECKED.get():
        if weight.dtype == torch.bool or weight.is_complex():
            raise TypeError(f"weight must be real numbers, got {weight.dtype}.")
        if bool((~torch.isfinite(weight) | (weight < 0)).any()):
            raise ValueError(
                "weight must be finite and non-negative; got NaN, infinite or "
                "negative values."
            )
    return weight


def _flat(pred, target):
    pred = pred.reshape(pred.shape[0], -1) if pred.ndim > 1 else pred[:, None]
    target = target.reshape(target.shape[0], -1) if target.ndim > 1 else target[:, None]
    if pred.shape != target.shape:
        raise ValueError(
            f"y_pred and y_true have different shapes {tuple(pred.shape)} and "
            f"{tuple(target.shape)}."
        )
    return pred, target.to(pred.dtype)


def weighted_mean(loss, weight=None):
    """Batch mean of ``weight * loss``, with 0 wherever ``weight == 0``.

    Parameters
    ----------
    loss : Tensor of shape (n,) or (n, k)
        Per-sample (per-output) losses.
    weight : Tensor of shape (n,) or (n, 1), default=None
        Non-negative per-sample weights.

    Returns
    -------
    loss : Tensor of shape ()
        The weighted mean.

    Raises
    ------
    ValueError
        If a weight is NaN, infinite or negative (see the module's notes on
        the cost of this check).

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import weighted_mean
    >>> weighted_mean(torch.tensor([1.0, float("inf")]), torch.tensor([2.0, 0.0]))
    tensor(1.)
    """
    if weight is None:
        return loss.mean()
    weight = _check_weight(weight, loss.shape[0], loss.device).to(loss.dtype)
    weight = weight.reshape(weight.shape[0], *([1] * (loss.ndim - 1)))
    return torch.where(weight > 0, weight * loss, 0.0).mean()


class _WeightedLoss(nn.Module):
    """Base class: ``forward`` = weighted mean of :meth:`per_sample`."""

    def per_sample(self, pred, target):  # pragma: no cover - abstract
        """Loss of each sample.

        Parameters
        ----------
        pred : Tensor of shape (n,)
            Predictions.
        target : Tensor of shape (n,)
            Targets.

        Returns
        -------
        loss : Tensor of shape (n,)
            Unweighted per-sample loss.
        """
        raise NotImplementedError

    def forward(self, pred, target, weight=None):
        """Weighted batch mean of the loss.

        Parameters
        ----------
        pred, target : Tensor of shape (n,) or (n, 1)
            Predictions and targets.
        weight : Tensor of shape (n,) or (n, 1), default=None
            Per-sample weights.

        Returns
        -------
        loss : Tensor of shape ()
        """
        pred, target = _flat(pred, target)
        return weighted_mean(self.per_sample(pred, target), weight)


class MSELoss(_WeightedLoss):
    """Weighted squared error ``(p - y)^2``.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import MSELoss
    >>> MSELoss()(torch.tensor([1.0, 3.0]), torch.tensor([0.0, 0.0]),
    ...           torch.tensor([1.0, 0.5]))
    tensor(2.7500)
    """

    def per_sample(self, pred, target):
        return (pred - target) ** 2


class L1Loss(_WeightedLoss):
    """Weighted absolute error ``|p - y|``.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import L1Loss
    >>> L1Loss()(torch.tensor([1.0, -3.0]), torch.tensor([0.0, 0.0]))
    tensor(2.)
    """

    def per_sample(self, pred, target):
        return (pred - target).abs()


class HuberLoss(_WeightedLoss):
    """Weighted Huber loss in the reference's smooth-L1 form.

    ``0.5 e^2 / beta`` for ``|e| < beta``, ``|e| - 0.5 beta`` otherwise
    (:func:`torch.nn.functional.smooth_l1_loss`; torch's ``huber_loss`` is
    ``beta`` times this).

    Parameters
    ----------
    beta : float, default=1.0
        Where the loss turns from quadratic to linear; > 0.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import HuberLoss
    >>> HuberLoss(beta=1.0)(torch.tensor([0.5, 3.0]), torch.tensor([0.0, 0.0]))
    tensor(1.3125)
    """

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = _positive("beta", beta)

    def per_sample(self, pred, target):
        err = (pred - target).abs()
        return torch.where(err < self.beta, 0.5 * err**2 / self.beta, err - 0.5 * self.beta)


class LogCoshLoss(_WeightedLoss):
    """Weighted ``log(cosh(p - y))``, computed without overflow.

    Uses ``|e| + softplus(-2 |e|) - log 2``, exact for every finite error.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import LogCoshLoss
    >>> LogCoshLoss()(torch.tensor([1.0, 1000.0]), torch.tensor([0.0, 0.0]))
    tensor(499.8703)
    """

    def per_sample(self, pred, target):
        err = (pred - target).abs()
        return err + F.softplus(-2.0 * err) - math.log(2.0)


class SMAPELoss(_WeightedLoss):
    """Weighted symmetric absolute percentage error.

    ``2 |p - y| / (|p| + |y| + eps)``, between 0 and 2.

    Parameters
    ----------
    eps : float, default=1e-8
        Guards the denominator when both ``p`` and ``y`` are 0.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import SMAPELoss
    >>> SMAPELoss()(torch.tensor([1.0, 3.0]), torch.tensor([1.0, 1.0]))
    tensor(0.5000)
    """

    def __init__(self, eps=1e-8):
        super().__init__()
        self.eps = _positive("eps", eps)

    def per_sample(self, pred, target):
        return 2.0 * (pred - target).abs() / (pred.abs() + target.abs() + self.eps)


class _Focal(_WeightedLoss):
    def __init__(self, beta=0.2, gamma=1.0, activate="sigmoid"):
        super().__init__()
        self.beta = _positive("beta", beta)
        if not isinstance(gamma, Real) or not np.isfinite(gamma) or gamma < 0:
            raise ValueError(f"gamma must be a non-negative number, got {gamma!r}.")
        if activate not in ("sigmoid", "tanh"):
            raise ValueError(f"activate must be 'sigmoid' or 'tanh', got {activate!r}.")
        self.gamma, self.activate = float(gamma), activate

    def _scale(self, err):
        if self.activate == "tanh":
            return torch.tanh(self.beta * err) ** self.gamma
        return (2.0 * torch.sigmoid(self.beta * err) - 1.0) ** self.gamma


class FocalL1Loss(_Focal):
    """Focal-R with an L1 base: ``|e| * (2 sigmoid(beta |e|) - 1)^gamma``.

    As the reference code defines it; ``activate="tanh"`` uses
    ``tanh(beta |e|)^gamma`` instead.

    Parameters
    ----------
    beta : float, default=0.2
    gamma : float, default=1.0
    activate : {"sigmoid", "tanh"}, default="sigmoid"

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import FocalL1Loss
    >>> err = torch.tensor([2.0])
    >>> FocalL1Loss()(err, torch.zeros(1))
    tensor(0.3948)
    >>> 2.0 * (2 * torch.sigmoid(torch.tensor(0.4)) - 1)
    tensor(0.3948)
    """

    def per_sample(self, pred, target):
        err = (pred - target).abs()
        return err * self._scale(err)


class FocalMSELoss(_Focal):
    """Focal-R with an MSE base: ``e^2 * (2 sigmoid(beta |e|) - 1)^gamma``.

    Parameters
    ----------
    beta : float, default=0.2
    gamma : float, default=1.0
    activate : {"sigmoid", "tanh"}, default="sigmoid"

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import FocalMSELoss
    >>> FocalMSELoss()(torch.tensor([2.0]), torch.zeros(1))
    tensor(0.7895)
    """

    def per_sample(self, pred, target):
        err = (pred - target).abs()
        return err**2 * self._scale(err)


class CallableLoss(nn.Module):
    """Wrap a user loss ``fn(y_pred, y_true)`` so that it takes weights.

    ``fn`` should return per-sample losses (e.g. ``torch.nn.MSELoss(
    reduction="none")``); the wrapper applies the weights and averages. A
    scalar result is accepted only when the weights are absent or all equal.

    Parameters
    ----------
    fn : callable or torch.nn.Module
        The loss. A module is registered as a submodule, so its parameters
        are trained too.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import CallableLoss
    >>> loss = CallableLoss(torch.nn.L1Loss(reduction="none"))
    >>> loss(torch.tensor([1.0, 3.0]), torch.zeros(2), torch.tensor([1.0, 0.0]))
    tensor(0.5000)
    """

    def __init__(self, fn):
        super().__init__()
        if not callable(fn):
            raise TypeError(f"loss must be callable, got {type(fn).__name__}.")
        self.fn = fn

    def forward(self, pred, target, weight=None):
        """Weighted batch mean of the wrapped loss.

        Parameters
        ----------
        pred : Tensor of shape (n,) or (n, 1)
            Predictions.
        target : Tensor of shape (n,) or (n, 1)
            Targets.
        weight : Tensor of shape (n,) or (n, 1), default=None
            Per-sample weights.

        Returns
        -------
        loss : Tensor of shape ()
            The loss.
        """
        pred, target = _flat(pred, target)
        out = self.fn(pred, target)
        if not torch.is_tensor(out):
            raise TypeError(f"the loss returned {type(out).__name__}, not a tensor.")
        if out.ndim == 0:
            if weight is not None:
                w = _check_weight(weight, pred.shape[0], out.device).reshape(-1)
                if w.numel() and not bool((w == w[0]).all()):
                    raise ValueError(
                        "the loss returned a scalar, so it cannot apply per-sample "
                        "weights (reweight, lds or sample_weight); make it return "
                        "one loss per sample, e.g. reduction='none'."
                    )
                return out * w.reshape(-1)[0].to(out.dtype) if w.numel() else out
            return out
        if out.shape[0] != pred.shape[0]:
            raise ValueError(
                f"the loss returned shape {tuple(out.shape)} for a batch of "
                f"{pred.shape[0]}; expected one value per sample."
            )
        return weighted_mean(out.reshape(out.shape[0], -1), weight)


# ---------------------------------------------------------------- Balanced MSE
class _BalancedMSE(nn.Module):
    """Noise scale shared by the Balanced MSE losses.

    A learnable :class:`~torch.nn.Parameter` ``noise_sigma``, or with
    ``fix_noise_sigma=True`` a constant buffer of the same name (the
    reference's ``--fix_noise_sigma``), which no optimiser sees.
    """

    def __init__(self, init_noise_sigma=1.0, fix_noise_sigma=False):
        super().__init__()
        init = _noise_sigma(init_noise_sigma)
        if not isinstance(fix_noise_sigma, (bool, np.bool_)):
            raise TypeError(
                f"fix_noise_sigma must be True or False, got {fix_noise_sigma!r}."
            )
        self.fix_noise_sigma = bool(fix_noise_sigma)
        value = torch.tensor(init, dtype=torch.float32)
        if self.fix_noise_sigma:
            self.register_buffer("noise_sigma", value)
        else:
            self.noise_sigma = nn.Parameter(value)

    def _noise_var(self, dtype):
        return (self.noise_sigma**2).to(dtype)

    def _check_outputs(self, d):
        """Raise unless the prior (if any) has ``d`` outputs."""
        expected = getattr(self, "n_outputs", None)
        if expected is not None and d != expected:
            raise ValueError(
                f"this loss's prior has {expected} output(s), the predictions {d}."
            )

    def forward(self, pred, target, weight=None):
        """Weighted batch mean of the Balanced MSE loss, times ``2 sigma^2``.

        Parameters
        ----------
        pred, target : Tensor of shape (n,), (n, 1) or (n, d)
            Predictions and targets; with ``d`` outputs the noise is
            isotropic (covariance ``sigma^2 I``), as in the multi-dimensional
            version of Ren et al. (2022).
        weight : Tensor of shape (n,) or (n, 1), default=None

        Returns
        -------
        loss : Tensor of shape ()
        """
        pred, target = _flat(pred, target)
        self._check_outputs(pred.shape[1])
        noise_var = self._noise_var(pred.dtype)
        per_sample = self._nll(pred, target, noise_var)
        # The scale 2 sigma^2 restores the MSE's magnitude; detached so that
        # it does not change the gradient for sigma (Ren et al., 2022).
        return weighted_mean(per_sample, weight) * (2.0 * noise_var).detach()


class GAILoss(_BalancedMSE):
    """Balanced MSE with GMM-based analytic integration (GAI).

    The training label distribution is a Gaussian mixture with means
    ``m_k``, variances ``v_k`` and weights ``pi_k``; the per-sample loss is

    .. code-block:: text

        (p - y)^2 / (2 s) + log(s) / 2
          + logsumexp_k [log pi_k - log(v_k + s) / 2 - (p - m_k)^2 / (2 (v_k + s))]

    with ``s = sigma^2`` the learnable noise variance. For ``d`` outputs the
    mixture has covariance matrices ``V_k`` and the noise is isotropic: the
    loss is ``-log N(y; p, s I) + log sum_k pi_k N(p; m_k, V_k + s I)``
    (without the ``2 pi`` constants, which cancel).

    Parameters
    ----------
    means : array-like of shape (n_components,) or (n_components, d)
        Means of the mixture.
    variances : array-like of shape (n_components,) or (n_components, d, d)
        Variances (covariance matrices for ``d`` outputs).
    weights : array-like of shape (n_components,)
        Weights of the components.
    init_noise_sigma : float, default=1.0
        Initial noise scale ``sigma``, in the units of the target (the
        reference's 1.0 suits ages in bins of one year; see
        :func:`bin_noise_sigma`).
    fix_noise_sigma : bool, default=False
        Keep ``sigma`` at ``init_noise_sigma`` (a buffer, not a parameter).

    See Also
    --------
    GAILoss.from_targets : Fit the mixture on training targets.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import GAILoss
    >>> loss = GAILoss(means=[0.0], variances=[1.0], weights=[1.0])
    >>> loss(torch.tensor([0.0]), torch.tensor([0.0]))  # -log(2)
    tensor(-0.6931, grad_fn=<MulBackward0>)
    """

    def __init__(self, means, variances, weights, init_noise_sigma=1.0,
                 fix_noise_sigma=False):
        super().__init__(init_noise_sigma, fix_noise_sigma)
        means = np.asarray(means, dtype=np.float64)
        if means.ndim == 2:
            self._init_multi(means, variances, weights)
            return
        self.n_outputs = 1
        means, variances, weights = (
            np.asarray(a, dtype=np.float64).ravel() for a in (means, variances, weights)
        )
        if not (means.size == variances.size == weights.size) or means.size == 0:
            raise ValueError("means, variances and weights must have the same, non-zero size.")
        if not np.all(np.isfinite(means)) or np.any(~(variances > 0)) or np.any(~(weights > 0)):
            raise ValueError("GMM means must be finite, variances and weights positive.")
        self.register_buffer("gmm_means", torch.as_tensor(means, dtype=torch.float32))
        self.register_buffer("gmm_variances", torch.as_tensor(variances, dtype=torch.float32))
        self.register_buffer(
            "gmm_log_weights", torch.as_tensor(np.log(weights / weights.sum()), dtype=torch.float32)
        )

    def _init_multi(self, means, covariances, weights):
        covariances = np.asarray(covariances, dtype=np.float64)
        weights = np.asarray(weights, dtype=np.float64).ravel()
        k, d = means.shape
        if covariances.shape != (k, d, d) or weights.shape != (k,) or k == 0:
            raise ValueError(
                "for d outputs, means must have shape (k, d), variances (k, d, d) and "
                f"weights (k,); got {means.shape}, {covariances.shape} and "
                f"{weights.shape}."
            )
        if not np.all(np.isfinite(means)) or np.any(~(weights > 0)):
            raise ValueError("GMM means must be finite, weights positive.")
        if not (
            np.all(np.isfinite(covariances))
            and np.all(np.linalg.eigvalsh(covariances) > 0)
        ):
            raise ValueError("GMM covariance matrices must be positive definite.")
        self.n_outputs = d
        self.register_buffer("gmm_means", torch.as_tensor(means, dtype=torch.float32))
        self.register_buffer(
            "gmm_variances", torch.as_tensor(covariances, dtype=torch.float32)
        )
        self.register_buffer(
            "gmm_log_weights",
            torch.as_tensor(np.log(weights / weights.sum()), dtype=torch.float32),
        )

    @classmethod
    def from_targets(cls, y, n_components=8, init_noise_sigma=1.0, random_state=None,
                     fix_noise_sigma=False):
        """Fit a :class:`~sklearn.mixture.GaussianMixture` on training targets.

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, d)
            Training targets; with ``d > 1`` columns the mixture has full
            covariance matrices.
        n_components : int, default=8
            Number of mixture components (at most the number of distinct
            targets).
        init_noise_sigma : float, default=1.0
            Initial noise scale.
        random_state : int, RandomState or None, default=None
            Seeds the mixture's initialisation.
        fix_noise_sigma : bool, default=False
            Keep the noise scale fixed.

        Returns
        -------
        loss : GAILoss
        """
        from sklearn.mixture import GaussianMixture

        y_arr = np.asarray(y, dtype=np.float64)
        if y_arr.ndim == 2 and y_arr.shape[1] > 1:
            if not np.isfinite(y_arr).all():
                raise ValueError("y contains NaN or infinity.")
            k = int(min(n_components, np.unique(y_arr, axis=0).shape[0]))
            gmm = GaussianMixture(n_components=k, random_state=random_state,
                                  reg_covar=1e-6, covariance_type="full")
            gmm.fit(y_arr)
            return cls(gmm.means_, gmm.covariances_, gmm.weights_, init_noise_sigma,
                       fix_noise_sigma)
        y = check_target(y)
        k = int(min(n_components, np.unique(y).size))
        gmm = GaussianMixture(n_components=k, random_state=random_state, reg_covar=1e-6)
        gmm.fit(y.reshape(-1, 1))
        return cls(gmm.means_.ravel(), gmm.covariances_.ravel(), gmm.weights_,
                   init_noise_sigma, fix_noise_sigma)

    def _nll(self, pred, target, noise_var):
        if self.n_outputs > 1:
            return self._nll_multi(pred, target, noise_var)
        mse = (pred - target) ** 2 / (2 * noise_var) + 0.5 * torch.log(noise_var)
        total_var = self.gmm_variances.to(pred.dtype) + noise_var
        balance = (
            self.gmm_log_weights.to(pred.dtype)
            - 0.5 * torch.log(total_var)
            - 0.5 * (pred - self.gmm_means.to(pred.dtype)) ** 2 / total_var
        )
        return mse + torch.logsumexp(balance, dim=1, keepdim=True)

    def _nll_multi(self, pred, target, noise_var):
        d = pred.shape[1]
        mse = (
            ((pred - target) ** 2).sum(1) / (2 * noise_var)
            + 0.5 * d * torch.log(noise_var)
        )
        eye = torch.eye(d, dtype=pred.dtype, device=pred.device)
        total = self.gmm_variances.to(pred.dtype) + noise_var * eye  # (k, d, d)
        chol = torch.linalg.cholesky(total)
        diff = pred[:, None, :] - self.gmm_means.to(pred.dtype)[None]  # (n, k, d)
        # Mahalanobis distances through the Cholesky factors, (n, k).
        solved = torch.linalg.solve_triangular(
            chol[None].expand(pred.shape[0], -1, -1, -1), diff[..., None], upper=False
        )[..., 0]
        maha = (solved**2).sum(-1)
        log_det = 2 * torch.log(torch.diagonal(chol, dim1=-2, dim2=-1)).sum(-1)
        balance = self.gmm_log_weights.to(pred.dtype) - 0.5 * log_det - 0.5 * maha
        return (mse + torch.logsumexp(balance, dim=1))[:, None]


class BMCLoss(_BalancedMSE):
    """Balanced MSE by batch-based Monte Carlo (BMC).

    Within a batch of ``n >= 2`` samples, the per-sample loss is the cross
    entropy of the logits ``-(p_i - y_j)^2 / (2 sigma^2)`` over ``j`` with the
    true index ``i`` (``-||p_i - y_j||^2 / (2 sigma^2)`` for ``d`` outputs,
    isotropic noise).

    Parameters
    ----------
    init_noise_sigma : float, default=1.0
        Initial noise scale ``sigma``, in the units of the target (see
        :func:`bin_noise_sigma`).
    fix_noise_sigma : bool, default=False
        Keep ``sigma`` at ``init_noise_sigma`` (a buffer, not a parameter).

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import BMCLoss
    >>> loss = BMCLoss()
    >>> value = loss(torch.tensor([0.0, 1.0]), torch.tensor([0.0, 1.0]))
    >>> expected = 2 * torch.log(1 + torch.exp(torch.tensor(-0.5)))
    >>> bool(torch.isclose(value, expected))
    True
    """

    def _nll(self, pred, target, noise_var):
        n = pred.shape[0]
        if n < 2:
            raise ValueError(
                f"BMC needs a batch of at least 2 samples, got {n}; increase "
                "batch_size or drop the last incomplete batch."
            )
        sq = ((pred[:, None, :] - target[None, :, :]) ** 2).sum(-1)
        logits = -sq / (2 * noise_var)
        labels = torch.arange(n, device=pred.device)
        return F.cross_entropy(logits, labels, reduction="none")[:, None]


class BNILoss(_BalancedMSE):
    """Balanced MSE by bin-based numerical integration (BNI).

    The training label distribution is a histogram with bin centres ``c_k``
    and probabilities ``q_k`` (only bins with ``q_k > 0``), usually the
    counts of a fitted :class:`~skdir.LabelSpace`
    (:meth:`BNILoss.from_label_space`); the per-sample loss is

    .. code-block:: text

        (p - y)^2 / (2 s) + logsumexp_k [log q_k - (p - c_k)^2 / (2 s)]

    For ``d`` outputs the bins are the cells of a joint grid, the squares
    become squared Euclidean distances and the noise is isotropic.

    Parameters
    ----------
    centers : array-like of shape (n_bins,) or (n_bins, d)
        Bin centres.
    probabilities : array-like of shape (n_bins,)
        Non-negative bin masses (normalised here; empty bins are dropped).
    init_noise_sigma : float, default=1.0
        Initial noise scale ``sigma``, in the units of the target (see
        :func:`bin_noise_sigma`).
    fix_noise_sigma : bool, default=False
        Keep ``sigma`` at ``init_noise_sigma`` (a buffer, not a parameter).

    See Also
    --------
    BNILoss.from_label_space : The (optionally LDS-smoothed) counts of a label space.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn.losses import BNILoss
    >>> loss = BNILoss(centers=[0.0], probabilities=[1.0])
    >>> loss(torch.tensor([0.0]), torch.tensor([0.0]))
    tensor(0., grad_fn=<MulBackward0>)
    """

    def __init__(self, centers, probabilities, init_noise_sigma=1.0,
                 fix_noise_sigma=False):
        super().__init__(init_noise_sigma, fix_noise_sigma)
        centers = np.asarray(centers, dtype=np.float64)
        centers = centers.reshape(centers.shape[0], -1) if centers.ndim == 2 else (
            centers.reshape(-1, 1))
        self.n_outputs = centers.shape[1]
        prob = np.asarray(probabilities, dtype=np.float64).ravel()
        if centers.shape[0] != prob.size or centers.size == 0:
            raise ValueError("centers and probabilities must have the same, non-zero size.")
        if not np.all(np.isfinite(prob)) or np.any(prob < 0) or not prob.sum() > 0:
            raise ValueError("probabilities must be finite, non-negative, not all zero.")
        keep = prob > 0
        centers = centers[keep] if self.n_outputs > 1 else centers[keep, 0]
        self.register_buffer("bin_centers", torch.as_tensor(centers, dtype=torch.float32))
        self.register_buffer(
            "bin_log_probs",
            torch.as_tensor(np.log(prob[keep] / prob[keep].sum()), dtype=torch.float32),
        )

    @classmethod
    def from_label_space(
        cls, label_space, *, lds=False, init_noise_sigma=1.0, fix_noise_sigma=False
    ):
        """The histogram of a fitted :class:`~skdir.LabelSpace` as the prior.

        The bin centres are ``label_space.centers_`` and the masses its
        training counts ``counts_``, or with ``lds=True`` its LDS-smoothed
        ``effective_counts_`` (the label space's own kernel).

        Parameters
        ----------
        label_space : LabelSpace
            A fitted label space.
        lds : bool, default=False
            Use the LDS-smoothed counts.
        init_noise_sigma : float or "auto", default=1.0
            Initial noise scale; ``"auto"`` is the width of one bin
            (:func:`bin_noise_sigma`).
        fix_noise_sigma : bool, default=False
            Keep the noise scale fixed.

        Returns
        -------
        loss : BNILoss
            The loss.

        Examples
        --------
        >>> from skdir import LabelSpace
        >>> from skdir.nn.losses import BNILoss
        >>> space = LabelSpace(bin_width=1).fit([0.2, 0.4, 1.5, 3.9])
        >>> loss = BNILoss.from_label_space(space, init_noise_sigma="auto")
        >>> loss.bin_centers, loss.bin_log_probs.exp()
        (tensor([0.5000, 1.5000, 3.5000]), tensor([0.5000, 0.2500, 0.2500]))
        >>> float(loss.noise_sigma.detach())
        1.0
        """
        return _bni_from_space(
            label_space, lds=lds, init_noise_sigma=init_noise_sigma,
            fix_noise_sigma=fix_noise_sigma,
        )

    def _nll(self, pred, target, noise_var):
        centers = self.bin_centers.to(pred.dtype).reshape(self.bin_centers.shape[0], -1)
        mse = ((pred - target) ** 2).sum(1, keepdim=True) / (2 * noise_var)
        sq = ((pred[:, None, :] - centers[None]) ** 2).sum(-1)
        balance = self.bin_log_probs.to(pred.dtype) - 0.5 * sq / noise_var
        return mse + torch.logsumexp(balance, dim=1, keepdim=True)


# ---------------------------------------------------------------- noise scale
def bin_noise_sigma(label_space, y=None):
    """The noise scale of one label bin: ``init_noise_sigma="auto"``.

    The Balanced MSE reference code starts its noise scale at
    ``sigma = 1.0`` for ages in bins of one year, i.e. at the width of one
    label bin. A fixed 1.0 is not scale-free: on a target in thousands it is
    negligible, on a standardised target it is the whole spread. ``"auto"``
    keeps the reference's choice in the target's own units: the width of one
    bin of the :class:`~skdir.LabelSpace` (the median width when the bins
    differ in width).

    Parameters
    ----------
    label_space : LabelSpace or None
        A fitted label space is used as it is; an unfitted one (None means
        ``LabelSpace()``) is fitted on ``y``.
    y : array-like of shape (n_samples,), default=None
        Training targets; needed unless ``label_space`` is fitted.

    Returns
    -------
    sigma : float
        The median of ``np.diff(label_space.edges_)`` (for a multi-output
        label space, over the bins of every column).

    Examples
    --------
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> from skdir.nn.losses import bin_noise_sigma
    >>> ages = np.array([21.0, 25.0, 30.0, 64.0])
    >>> bin_noise_sigma(LabelSpace(bin_width=1).fit(ages))  # one year
    1.0
    >>> bin_noise_sigma(LabelSpace(n_bins=4), y=ages)  # four equal bins over [21, 64]
    10.75
    """
    label_space = check_label_space(label_space)
    if not is_fitted_space(label_space):
        if y is None:
            raise ValueError(
                "init_noise_sigma='auto' needs a fitted label_space or the "
                "training targets y."
            )
        label_space = fit_label_space(label_space, check_target(y))
    return label_space._median_bin_width()


def _bni_from_space(label_space, *, lds=False, init_noise_sigma=1.0,
                    fix_noise_sigma=False, offset=0.0, scale=1.0, sigma_scale=None):
    """BNILoss on a fitted label space, for a network target ``(y - offset) / scale``.

    The bin centres and an ``"auto"`` or numeric noise scale (both in the
    units of ``y``) are converted to the network's units; ``sigma_scale``
    (default ``scale``) is what the noise scale is divided by (1 for a noise
    scale already in the network's units, as for multi-output targets, whose
    ``offset`` and ``scale`` have one entry per column).
    """
    if not is_fitted_space(check_label_space(label_space)):
        raise ValueError(
            "BNILoss needs a fitted label_space; call label_space.fit(y) first."
        )
    if not isinstance(lds, (bool, np.bool_)):
        raise TypeError(f"lds must be True or False, got {lds!r}.")
    if _is_auto(init_noise_sigma):
        init_noise_sigma = bin_noise_sigma(label_space)
    init_noise_sigma = _noise_sigma(init_noise_sigma) / (
        scale if sigma_scale is None else sigma_scale)
    if lds:
        # The smoothed mass spreads beyond the stored cells of a sparse grid.
        _check_dense_grid(label_space, "BNI with lds=True")
    counts = label_space.effective_counts_ if lds else label_space.counts_
    centers = (label_space.centers_ - offset) / scale
    return BNILoss(centers, counts, init_noise_sigma, fix_noise_sigma)


def _is_auto(value):
    return isinstance(value, str) and value == "auto"


def _noise_sigma(value):
    if isinstance(value, str):
        raise ValueError(
            f"init_noise_sigma must be a positive finite number, got {value!r}; "
            "'auto' (one label bin) is understood by make_loss, "
            "BNILoss.from_label_space and DIRRegressor, which know the label space."
        )
    return _positive("init_noise_sigma", value)


# ---------------------------------------------------------------- factory
def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}.")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}.")
    return float(value)


_SIMPLE = {
    "mse": MSELoss,
    "l1": L1Loss,
    "huber": HuberLoss,
    "focal_l1": FocalL1Loss,
    "focal_mse": FocalMSELoss,
    "logcosh": LogCoshLoss,
    "smape": SMAPELoss,
}

#: Names understood by :func:`make_loss`; ``"bmse"`` is Balanced MSE in its
#: default implementation, ``"gai"``.
LOSSES = (*_SIMPLE, "gai", "bmc", "bni", "bmse")

#: Balanced MSE losses, whose noise scale has its own learning rate.
BALANCED = ("gai", "bmc", "bni", "bmse")

# Alias -> implementation. "bmse" is GAI, the default implementation of the
# reference code of Ren et al. (2022) (its ``--imp``).
_ALIASES = {"bmse": "gai"}


def _loss_name(loss):
    """The implementation a loss name stands for (an alias resolved)."""
    return _ALIASES.get(loss, loss)


def make_loss(loss="mse", y=None, *, label_space=None, random_state=None, **params):
    """Build a loss module from its name.

    Parameters
    ----------
    loss : str, callable or torch.nn.Module, default="mse"
        One of :data:`LOSSES`, an instance of a loss in this module (used as
        is), or a callable ``fn(y_pred, y_true)`` wrapped in
        :class:`CallableLoss`. ``"bmse"`` is an alias of ``"gai"``: Balanced
        MSE in the default implementation of the reference code
        (:class:`GAILoss`); ``"bmc"`` and ``"bni"`` are the other two.
    y : array-like of shape (n_samples,), default=None
        Training targets; required by ``"gai"`` / ``"bmse"`` (its mixture is
        fitted on them), and by ``"bni"`` and ``init_noise_sigma="auto"``
        unless ``label_space`` is fitted.
    label_space : LabelSpace, default=None
        The label space of ``"bni"`` (its bins, counts and smoothing) and of
        ``init_noise_sigma="auto"`` (one of its bins). A fitted one is used
        as it is; an unfitted one (None means ``LabelSpace()``) is fitted on
        ``y``. Giving one to a loss that does not use it is an error.
    random_state : int, RandomState or None, default=None
        Seeds the mixture of ``"gai"`` / ``"bmse"``.
    **params
        Passed to the loss's constructor (``beta``, ``gamma``,
        ``init_noise_sigma``, ``fix_noise_sigma``, ``n_components``, ``lds``,
        ...). For the Balanced MSE losses ``init_noise_sigma="auto"`` is the
        width of one label bin (:func:`bin_noise_sigma`).

    Returns
    -------
    loss : torch.nn.Module
        Called as ``loss(y_pred, y_true, weight=None)``.

    Examples
    --------
    >>> from skdir.nn.losses import make_loss
    >>> make_loss("focal_l1", beta=0.5)
    FocalL1Loss()
    >>> import numpy as np
    >>> from skdir import LabelSpace
    >>> space = LabelSpace(bin_width=0.5).fit(np.array([0.0, 1.2, 3.9]))
    >>> make_loss("bmc", label_space=space, init_noise_sigma="auto").noise_sigma
    Parameter containing:
    tensor(0.5000, requires_grad=True)
    >>> type(make_loss("bmse", [0.0, 1.2, 3.9], n_components=2)).__name__
    'GAILoss'
    """
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES} or a callable, got {loss!r}.")
        given, loss = loss, _loss_name(loss)
        auto = loss in BALANCED and _is_auto(params.get("init_noise_sigma"))
        if label_space is not None and not (auto or loss == "bni"):
            raise ValueError(
                f"label_space has no effect with loss={given!r}"
                + (" unless init_noise_sigma='auto'" if loss in BALANCED else "")
                + "; leave it None."
            )
        if loss == "bni" or auto:
            label_space = check_label_space(label_space)
            if not is_fitted_space(label_space):
                if y is None:
                    raise ValueError(
                        f"loss={given!r} needs a fitted label_space or the training "
                        "targets y."
                    )
                label_space = fit_label_space(label_space, check_target(y))
        if loss in _SIMPLE:
            return _SIMPLE[loss](**params)
        if loss == "bni":
            return _bni_from_space(label_space, **params)
        if auto:
            params["init_noise_sigma"] = bin_noise_sigma(label_space)
        if loss == "bmc":
            return BMCLoss(**params)
        if y is None:
            raise ValueError(f"loss={given!r} needs the training targets y.")
        return GAILoss.from_targets(y, random_state=random_state, **params)
    if params or label_space is not None:
        names = sorted(params) + (["label_space"] if label_space is not None else [])
        raise ValueError(f"loss parameters {names} apply to named losses only.")
    if isinstance(loss, (_WeightedLoss, _BalancedMSE, CallableLoss)):
        return loss
    if isinstance(loss, type):
        raise TypeError(
            "loss must be a name, a loss instance or a callable fn(y_pred, y_true); "
            f"got the class {loss.__name__}. Pass an instance."
        )
    return CallableLoss(loss)
