"""RankSim: a regulariser that aligns feature similarity with label similarity."""

import torch
import torch.nn.functional as F

__all__ = ["ranksim_loss"]


def _rank_normalised(scores):
    """Row-wise ranks in (0, 1], the largest score of a row ranked ``1/m``."""
    order = torch.argsort(scores, dim=1, stable=True).flip(1)
    rank = torch.argsort(order, dim=1)
    return (rank + 1).to(scores.dtype) / scores.shape[1]


class _TrueRanker(torch.autograd.Function):
    """Ranking with the blackbox-differentiation gradient of Vlastelica et al."""

    @staticmethod
    def forward(ctx, scores, interpolation_lambda):
        rank = _rank_normalised(scores)
        ctx.interpolation_lambda = interpolation_lambda
        ctx.save_for_backward(scores, rank)
        return rank

    @staticmethod
    def backward(ctx, grad_output):
        scores, rank = ctx.saved_tensors
        lam = ctx.interpolation_lambda
        rank_prime = _rank_normalised(scores + lam * grad_output)
        return -(rank - rank_prime) / (lam + 1e-8), None


def _one_per_label(targets, generator=None):
    """Index of one randomly chosen sample for every distinct target."""
    n = targets.shape[0]
    perm = torch.randperm(n, generator=generator).to(targets.device)
    _, inverse = torch.unique(targets[perm], return_inverse=True)
    n_unique = int(inverse.max()) + 1
    if n_unique == n:
        return None
    first = torch.full((n_unique,), n, dtype=torch.long, device=targets.device)
    first = first.scatter_reduce(
        0, inverse, torch.arange(n, device=targets.device), reduce="amin"
    )
    return perm[first]


def ranksim_loss(features, targets, *, interpolation_lambda=2.0, generator=None):
    """The RankSim regulariser of Gong et al. (ICML 2022), vectorised.

    The batch is reduced to one randomly chosen sample per distinct target
    (fewer ties, more weight on rare labels), then for every sample ``i`` the
    ranking of the cosine similarities of its features to the others is
    compared (squared error) with the ranking of ``-|y_i - y_j|``; ranks are
    made differentiable by blackbox differentiation with
    ``interpolation_lambda``. The result is summed over ``i``, as in the
    reference code; multiply it by the weight ``gamma`` and add it to the loss.

    Parameters
    ----------
    features : Tensor of shape (n, ...)
        Encoder features (flattened per sample).
    targets : Tensor of shape (n,) or (n, 1)
        Targets.
    interpolation_lambda : float, default=2.0
        Interpolation strength of the ranking gradient.
    generator : torch.Generator, default=None
        CPU generator for the choice of one sample per label.

    Returns
    -------
    loss : Tensor of shape ()

    Examples
    --------
    >>> import torch
    >>> from skdir.nn import ranksim_loss
    >>> y = torch.tensor([0.0, 1.0, 5.0])
    >>> z = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> ranksim_loss(z, y)  # feature similarity ranks match label ranks
    tensor(0.)
    """
    targets = targets.reshape(targets.shape[0], -1)[:, 0]
    if features.shape[0] != targets.shape[0]:
        raise ValueError(
            f"features and targets have different lengths ({features.shape[0]} and "
            f"{targets.shape[0]})."
        )
    if features.shape[0] < 2:
        return features.sum() * 0.0
    keep = _one_per_label(targets, generator)
    if keep is not None:
        features, targets = features[keep], targets[keep]
    x = F.normalize(features.reshape(features.shape[0], -1), dim=1)
    similarity = x @ x.T
    label_ranks = _rank_normalised(-(targets[:, None] - targets[None, :]).abs().to(x.dtype))
    feature_ranks = _TrueRanker.apply(similarity, float(interpolation_lambda))
    return ((feature_ranks - label_ranks) ** 2).mean(dim=1).sum()
