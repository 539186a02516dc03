"""DIRRegressor's training objective on top of DIRNet: ConR, RnC pre-training,
the Gaussian likelihood of the variance head and C-Mixup batches."""

from collections.abc import Mapping

import torch
from skorch.utils import to_tensor

from ._conr import conr_loss
from ._net import DIRNet
from ._rnc import rnc_loss
from .losses import _checked_weights, weighted_mean

__all__ = ["ObjectiveNet", "cmixup", "gaussian_nll", "partner_probabilities"]

#: log-variances are clamped to this range in the likelihood.
_LOG_VAR_RANGE = (-30.0, 30.0)


def gaussian_nll(mean, log_var, target):
    """Per-sample Gaussian negative log-likelihood, without its constant.

    ``0.5 * (log_var + (target - mean)^2 / exp(log_var))``, with ``log_var``
    clamped to [-30, 30].
    """
    log_var = log_var.clamp(*_LOG_VAR_RANGE)
    return 0.5 * (log_var + (target - mean) ** 2 * torch.exp(-log_var))


def partner_probabilities(targets, bandwidth):
    """C-Mixup's partner distribution within a batch: row ``i`` is
    proportional to ``exp(-||y_i - y_j||^2 / (2 bandwidth^2))``, itself included."""
    z = targets.reshape(targets.shape[0], -1).to(torch.float32)
    sq = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    kernel = torch.exp(-0.5 * sq / bandwidth**2)
    return kernel / kernel.sum(1, keepdim=True)


def cmixup(X, y, weight, *, alpha, bandwidth):
    """Mix a batch as C-Mixup does (Yao et al., NeurIPS 2022).

    Each sample draws one partner from :func:`partner_probabilities`, and one
    ``lam ~ Beta(alpha, alpha)`` mixes inputs, targets and weights of the
    whole batch: ``lam * a_i + (1 - lam) * a_partner``. Random numbers come
    from torch's RNG (on the device of ``X`` for the partners).

    Returns
    -------
    X, y, weight : the mixed batch (``weight`` None when given None).
    lam : Tensor of shape ()
    partner : Tensor of shape (n,), dtype=int64
    """
    probabilities = partner_probabilities(y, bandwidth)
    partner = torch.multinomial(probabilities, 1, replacement=True)[:, 0]
    # Drawn on the device of X, without argument checks: no host round-trip.
    a = torch.tensor(float(alpha), device=X.device)
    lam = torch.distributions.Beta(a, a, validate_args=False).sample()
    X = lam * X + (1 - lam) * X[partner]
    y = lam * y + (1 - lam) * y[partner]
    if weight is not None:
        weight = lam * weight + (1 - lam) * weight[partner]
    return X, y, weight, lam, partner


class ObjectiveNet(DIRNet):
    """A :class:`DIRNet` with the further terms of DIRRegressor's objective.

    Parameters (all in the network's standardised target units)
    ----------
    conr : dict or None
        ``weight``, ``window``, ``temperature``, ``eta``, ``distance_unit``
        of :func:`conr_loss`, added to the training loss.
    rnc : dict or None
        ``temperature`` and ``feature_similarity`` of :func:`rnc_loss`; the
        loss (training and validation) is the RnC loss of the features
        while ``pretraining`` is True.
    gaussian : bool
        The module returns ``d`` mean and ``d`` log-variance columns; the
        Gaussian
        likelihood of the log-variance, with the mean detached and the
        batch's weights, is added to the loss of the mean.
    cmixup : dict or None
        ``alpha`` and ``bandwidth``: every training batch is mixed (C-Mixup).
    """

    def __init__(
        self, module, *, conr=None, rnc=None, gaussian=False, cmixup=None,
        pretraining=False, **kwargs,
    ):
        super().__init__(module, **kwargs)
        self.conr = conr
        self.rnc = rnc
        self.gaussian = gaussian
        self.cmixup = cmixup
        self.pretraining = pretraining

    # --------------------------------------------------------------- mixup
    def _mix(self, batch):
        Xi, yi = batch
        X = Xi["X"].to(self.device)
        y = to_tensor(yi, device=self.device)
        weight = Xi.get("sample_weight")
        if weight is not None:
            weight = weight.to(self.device)
        X, y, weight, _, _ = cmixup(X, y, weight, **self.cmixup)
        mixed = dict(Xi, X=X)
        if weight is not None:
            mixed["sample_weight"] = weight
        return mixed, y

    def train_step_single(self, batch, **fit_params):
        if self.cmixup is not None:
            batch = self._mix(batch)
        return super().train_step_single(batch, **fit_params)

    # ---------------------------------------------------------------- loss
    def get_loss(self, y_pred, y_true, X=None, training=False):
        pred, features = y_pred if isinstance(y_pred, tuple) else (y_pred, None)
        if self.pretraining:
            return rnc_loss(features, to_tensor(y_true, device=self.device), **self.rnc)
        # With a variance head the prediction is [means, log-variances].
        mean = pred[:, :pred.shape[1] // 2] if self.gaussian else pred
        loss = super().get_loss((mean, features), y_true, X=X, training=training)
        conr = training and self.conr is not None and self.conr["weight"] > 0
        if not (self.gaussian or conr):
            return loss
        y_true = to_tensor(y_true, device=self.device).reshape(mean.shape)
        weight = X.get("sample_weight") if training and isinstance(X, Mapping) else None
        if weight is not None:
            weight = to_tensor(weight, device=self.device)
        if self.gaussian:
            nll = gaussian_nll(mean.detach(), pred[:, mean.shape[1]:], y_true)
            with _checked_weights():
                loss = loss + weighted_mean(nll, weight)
        if conr and features is not None:
            params = dict(self.conr)
            loss = loss + params.pop("weight") * conr_loss(
                features, y_true, mean.detach(), weight=weight, **params
            )
        return loss
