"""Rank-N-Contrast: a contrastive loss that orders features by label distance."""

import torch
import torch.nn.functional as F

__all__ = ["FEATURE_SIMILARITIES", "rnc_loss"]

#: Feature similarities understood by :func:`rnc_loss`.
FEATURE_SIMILARITIES = ("l2", "cosine")


def _similarity(x, kind):
    if kind == "l2":
        # Explicit differences: the gradient of the norm at a zero distance
        # (a sample with itself, or duplicates) is 0, not NaN.
        return -torch.linalg.vector_norm(x[:, None, :] - x[None, :, :], dim=-1)
    if kind == "cosine":
        x = F.normalize(x, dim=1)
        return x @ x.T
    raise ValueError(
        f"feature_similarity must be one of {FEATURE_SIMILARITIES}, got {kind!r}."
    )


def rnc_loss(features, targets, *, temperature=2.0, feature_similarity="l2"):
    """The Rank-N-Contrast loss of Zha et al. (NeurIPS 2023), vectorised.

    For an anchor ``i`` and another sample ``j`` of the batch, the samples
    at least as far from ``i`` in label as ``j`` is are the candidates
    ``S_ij = {k != i : |y_i - y_k| >= |y_i - y_j|}``; with ``s_ik`` the
    feature similarity divided by ``temperature``, the loss is

    .. math::

        \\mathcal L = -\\frac{1}{n(n-1)} \\sum_i \\sum_{j \\ne i}
        \\log \\frac{e^{s_{ij}}}{\\sum_{k \\in S_{ij}} e^{s_{ik}}},

    which is smallest when, seen from every anchor, the features are ordered
    as the labels are. The reference code compares two augmented views of
    every sample; here the batch is one view. The denominators are computed
    for all pairs at once by a sort and a cumulative log-sum-exp (``O(n^2
    log n)`` operations) instead of the reference's loop over the ``n``
    positives; the ``"l2"`` similarity holds the ``n x n x d`` feature
    differences (the gradient of a zero distance is then 0, not NaN).

    Parameters
    ----------
    features : Tensor of shape (n, ...)
        Encoder features (flattened per sample).
    targets : Tensor of shape (n,) or (n, d)
        Labels; only the ranking of their distances (L1 over the ``d``
        columns, as in the reference code) matters.
    temperature : float, default=2.0
        Temperature of the similarities (the reference's default).
    feature_similarity : {"l2", "cosine"}, default="l2"
        ``"l2"``: the negative Euclidean distance of the features (the
        reference's); ``"cosine"``: their cosine similarity.

    Returns
    -------
    loss : Tensor of shape ()

    Examples
    --------
    >>> import torch
    >>> from skdir.nn import rnc_loss
    >>> y = torch.tensor([0.0, 1.0, 3.0])
    >>> ordered = torch.tensor([[0.0], [1.0], [3.0]])
    >>> shuffled = torch.tensor([[0.0], [3.0], [1.0]])
    >>> bool(rnc_loss(ordered, y) < rnc_loss(shuffled, y))
    True
    """
    n = features.shape[0]
    targets = targets.reshape(targets.shape[0], -1)
    if targets.shape[0] != n:
        raise ValueError(
            f"features and targets have different lengths ({n} and {targets.shape[0]})."
        )
    if n < 2:
        return features.sum() * 0.0
    logits = _similarity(features.reshape(n, -1), feature_similarity) / temperature
    targets = targets.to(logits.dtype)
    # The reference's label distance: L1, summed over the label columns.
    dist = (targets[:, None, :] - targets[None, :, :]).abs().sum(-1)
    eye = torch.eye(n, dtype=torch.bool, device=logits.device)
    # The anchor itself sorts first (distance -1) and is in no candidate set.
    dist = dist.masked_fill(eye, -1.0)
    sorted_dist, order = torch.sort(dist, dim=1)
    sorted_logits = logits.gather(1, order)
    # tail[i, p]: log-sum-exp of the logits at positions p.. of row i.
    tail = torch.logcumsumexp(sorted_logits.flip(1), dim=1).flip(1)
    # Ties count as candidates: the denominator starts at the first
    # position of a run of equal distances.
    sorted_dist = sorted_dist.contiguous()
    first = torch.searchsorted(sorted_dist, sorted_dist, side="left")
    log_denominator = tail.gather(1, first)
    log_prob = (sorted_logits - log_denominator)[:, 1:]  # drop the anchor
    return -log_prob.sum() / (n * (n - 1))
