"""RankSim: a regulariser that aligns feature similarity with label similarity."""

import torch
import torch.nn.functional as F

__all__ = ["ranksim_loss"]


def _rank_normalised(scores, m=None):
    """Row-wise ranks in (0, 1], the largest score of a row ranked ``1/m``.

    ``m`` (a tensor or number, default the row length) is the number of
    columns that take part: masked columns, set to ``-inf``, rank after all
    others, so the others get the ranks they would have on their own.
    """
    order = torch.argsort(scores, dim=1, stable=True).flip(1)
    rank = torch.argsort(order, dim=1)
    m = scores.shape[1] if m is None else m
    return (rank + 1).to(scores.dtype) / m


class _TrueRanker(torch.autograd.Function):
    """Ranking with the blackbox-differentiation gradient of Vlastelica et al."""

    @staticmethod
    def forward(ctx, scores, m, interpolation_lambda):
        rank = _rank_normalised(scores, m)
        ctx.interpolation_lambda = interpolation_lambda
        ctx.save_for_backward(scores, rank, m)
        return rank

    @staticmethod
    def backward(ctx, grad_output):
        scores, rank, m = ctx.saved_tensors
        lam = ctx.interpolation_lambda
        rank_prime = _rank_normalised(scores + lam * grad_output, m)
        return -(rank - rank_prime) / (lam + 1e-8), None, None


def _one_per_label(targets, generator=None):
    """The batch sorted by target, and which of its rows to keep: one
    randomly chosen sample for every distinct target.

    Returns ``(order, keep)``: ``order`` sorts the batch by target (samples
    with equal targets in random order) and ``keep[k]`` is True for the
    first sample of every distinct target in that order; when every target
    is distinct, ``order`` is the batch's own order and ``keep`` all True.
    Fixed shapes, so no value is read back from the device.
    """
    n = targets.shape[0]
    device = targets.device
    if generator is not None and generator.device != device:
        perm = torch.randperm(n, generator=generator, device=generator.device)
        perm = perm.to(device, non_blocking=True)
    else:
        perm = torch.randperm(n, generator=generator, device=device)
    order = perm[torch.argsort(targets[perm], stable=True)]
    sorted_targets = targets[order]
    keep = torch.ones(n, dtype=torch.bool, device=device)
    keep[1:] = sorted_targets[1:] != sorted_targets[:-1]
    # Distinct targets: the batch in its own order (as the reference code,
    # which subsets only when a target repeats); chosen on the device.
    distinct = keep.all()
    order = torch.where(distinct, torch.arange(n, device=device), order)
    return order, keep


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
        Generator for the choice of one sample per label, best on the
        device of ``targets`` (the choice is then drawn there; a generator
        elsewhere draws it there and copies it over). None uses torch's
        default generator of that device.

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
    order, keep = _one_per_label(targets, generator)
    features, targets = features[order], targets[order]
    m = keep.sum().to(features.dtype)  # the number of distinct targets, on the device
    x = F.normalize(features.reshape(features.shape[0], -1), dim=1)
    # Rows and columns of the samples left out are masked: their columns
    # rank last (-inf), and their rows and columns add 0 to the loss.
    # (A Python scalar, not a tensor made on the host and copied over.)
    hidden = float("-inf")
    similarity = torch.where(keep[None, :], x @ x.T, hidden)
    closeness = torch.where(
        keep[None, :], -(targets[:, None] - targets[None, :]).abs().to(x.dtype), hidden
    )
    label_ranks = _rank_normalised(closeness, m)
    feature_ranks = _TrueRanker.apply(similarity, m, float(interpolation_lambda))
    mask = (keep[:, None] & keep[None, :]).to(x.dtype)
    return (((feature_ranks - label_ranks) ** 2) * mask).sum() / m
