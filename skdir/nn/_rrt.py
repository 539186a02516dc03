"""Regressor re-training (RRT): the second stage of two-stage training."""

import torch

from ._modules import reset_parameters

__all__ = ["retrain_head"]


def retrain_head(net, X, y, *, max_epochs, lr):
    """Freeze the encoder of a trained net, re-initialise its head and train it.

    The encoder keeps its weights, batch-norm statistics and stays in
    evaluation mode (no dropout); the head (and a variance head) starts
    from a fresh initialisation (drawn from the current torch RNG) with a fresh
    optimizer. An FDS layer keeps collecting statistics: with a frozen
    encoder they settle on the final features.

    Parameters
    ----------
    net : DIRNet
        A fitted net whose ``module_`` is a :class:`DIRNetwork`.
    X : dict
        Training data with the second stage's ``sample_weight``.
    y : ndarray of shape (n_samples, 1)
        Targets.
    max_epochs : int
        Epochs of the second stage.
    lr : float
        Learning rate of the second stage.

    Returns
    -------
    net : DIRNet
    """
    module = net.module_
    module.freeze_encoder()
    with torch.no_grad():
        reset_parameters(module.head)
        if getattr(module, "variance_head", None) is not None:
            reset_parameters(module.variance_head)
    net.lr = lr
    net.initialize_optimizer()
    net.partial_fit(X, y, epochs=max_epochs)
    return net
