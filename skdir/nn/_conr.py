"""ConR: a contrastive regulariser of the encoder features for imbalanced regression."""

import torch
import torch.nn.functional as F

__all__ = ["conr_loss"]


def conr_loss(
    features, targets, predictions, *, window=1.0, temperature=0.07, eta=0.01,
    weight=None, distance_unit=1.0,
):
    """The ConR regulariser of Keramati, Meng & Evans (ICLR 2024), vectorised.

    Every sample ``i`` of the batch is an anchor. Its *positives* are the
    other samples whose label is within ``window`` of its own
    (``|y_i - y_j| <= window``); its *negatives* are the samples whose label
    is farther than ``window`` but whose prediction is within ``window`` of
    its prediction (``|p_i - p_j| <= window``): samples the model confuses
    with the anchor. With ``s_ij`` the cosine similarity of the features
    divided by ``temperature``, the anchor's loss is

    .. math::

        \\ell_i = -\\frac{1}{|P_i|} \\sum_{j \\in P_i}
        \\log \\frac{e^{s_{ij}}}{\\sum_{k \\in P_i} e^{s_{ik}}
        + \\sum_{k \\in N_i} w_i\\, e^{\\eta\\, d_{ik}}\\, e^{s_{ik}}},

    where ``w_i`` is the anchor's sample weight and ``d_ik = |y_i - y_k| /
    distance_unit`` the label distance: negatives are pushed harder for rare
    anchors (large LDS weights) and far labels. An anchor without a positive
    or without a negative contributes 0, and the result is the batch mean of
    ``w_i * l_i``, as in the reference code; multiply it by the weight of the
    regulariser and add it to the loss.

    The positive sum runs over the positives only, as in the paper; the
    reference implementation also adds 1 (``exp(0)``) for every other sample
    of the batch to the denominator.

    Parameters
    ----------
    features : Tensor of shape (n, ...)
        Encoder features (flattened per sample).
    targets : Tensor of shape (n,) or (n, 1)
        Labels.
    predictions : Tensor of shape (n,) or (n, 1)
        Predictions of the labels (detached: they only select negatives).
    window : float, default=1.0
        Label (and prediction) distance within which two samples are
        similar, in the units of ``targets``.
    temperature : float, default=0.07
        Temperature of the feature similarities.
    eta : float, default=0.01
        Growth of the pushing weight with the label distance.
    weight : Tensor of shape (n,) or (n, 1), default=None
        Sample weights (LDS weights); None means 1 for every sample.
    distance_unit : float, default=1.0
        Unit of the label distance in the pushing weight, in the units of
        ``targets``.

    Returns
    -------
    loss : Tensor of shape ()

    Examples
    --------
    >>> import torch
    >>> from skdir.nn import conr_loss
    >>> z = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> y = torch.tensor([0.0, 0.5, 5.0])
    >>> p = torch.tensor([0.0, 0.5, 0.8])   # sample 2 is predicted near 0 and 1
    >>> float(conr_loss(z, y, p, temperature=1.0, eta=0.0)) > 0
    True
    """
    n = features.shape[0]
    targets = targets.reshape(targets.shape[0], -1)[:, 0]
    predictions = predictions.reshape(predictions.shape[0], -1)[:, 0]
    if targets.shape[0] != n or predictions.shape[0] != n:
        raise ValueError(
            f"features, targets and predictions have different lengths ({n}, "
            f"{targets.shape[0]} and {predictions.shape[0]})."
        )
    if n < 2:
        return features.sum() * 0.0
    x = F.normalize(features.reshape(n, -1), dim=1)
    similarity = (x @ x.T) / temperature
    targets = targets.to(similarity.dtype)
    predictions = predictions.detach().to(similarity.dtype)
    label_dist = (targets[:, None] - targets[None, :]).abs()
    close = label_dist <= window
    eye = torch.eye(n, dtype=torch.bool, device=similarity.device)
    positive = close & ~eye
    negative = ~close & ((predictions[:, None] - predictions[None, :]).abs() <= window)
    if weight is None:
        weight = similarity.new_ones(n)
    else:
        weight = weight.reshape(n).to(similarity.dtype)
    # log of the factor of every term of the denominator: 0 for positives,
    # log(w_i) + eta * d_ik for negatives; -inf elsewhere.
    log_push = torch.log(weight)[:, None] + eta * label_dist / distance_unit
    log_factor = torch.where(positive, 0.0, torch.where(negative, log_push, -torch.inf))
    active = positive.any(1) & negative.any(1)
    # Rows that do not count get finite logits (their gradient is 0).
    logits = torch.where(active[:, None], similarity + log_factor, 0.0)
    log_denominator = torch.logsumexp(logits, dim=1)
    terms = torch.where(positive, similarity - log_denominator[:, None], 0.0)
    n_pos = positive.sum(1).clamp(min=1).to(similarity.dtype)
    per_anchor = torch.where(active, -terms.sum(1) / n_pos, 0.0)
    return (weight * per_anchor).mean()
