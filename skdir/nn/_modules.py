"""Networks: an MLP encoder and the encoder -> FDS -> head assembly."""

from numbers import Integral

import torch
from torch import nn

__all__ = ["ACTIVATIONS", "DIRNetwork", "MLP"]

#: Activation names understood by :class:`MLP`.
ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
    "identity": nn.Identity,
}


class MLP(nn.Module):
    """Fully connected encoder: ``[Linear, BatchNorm?, activation, Dropout?] * k``.

    Parameters
    ----------
    n_features : int
        Input dimension.
    hidden_layer_sizes : sequence of int, default=(100,)
        Width of each hidden layer; empty gives the identity (features = input).
    activation : str, default="relu"
        One of :data:`ACTIVATIONS`.
    dropout : float, default=0.0
        Dropout probability after each activation.
    batch_norm : bool, default=False
        Batch normalisation before each activation.

    Attributes
    ----------
    out_features : int
        Dimension of the features.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn import MLP
    >>> MLP(3, (8, 4))(torch.zeros(5, 3)).shape
    torch.Size([5, 4])
    """

    def __init__(
        self, n_features, hidden_layer_sizes=(100,), activation="relu", dropout=0.0,
        batch_norm=False,
    ):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}."
            )
        sizes = list(hidden_layer_sizes)
        if any(isinstance(h, bool) or not isinstance(h, Integral) or h < 1 for h in sizes):
            raise ValueError(
                f"hidden_layer_sizes must be positive ints, got {hidden_layer_sizes!r}."
            )
        layers, width = [], int(n_features)
        for size in sizes:
            layers.append(nn.Linear(width, size))
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(ACTIVATIONS[activation]())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        self.layers = nn.Sequential(*layers)
        self.out_features = width

    def forward(self, X):
        """Features of a batch.

        Parameters
        ----------
        X : Tensor of shape (n, in_features)
            Inputs.

        Returns
        -------
        features : Tensor of shape (n, out_features)
            Output of the last hidden layer.
        """
        return self.layers(X)


class DIRNetwork(nn.Module):
    """An encoder, an optional :class:`FDS` layer and a regression head.

    ``forward(X, labels=None, sample_weight=None, bin_index=None)`` returns
    ``(prediction, features)`` where ``features`` are the raw encoder output
    (for regularisers such as RankSim); FDS recalibrates the features fed to
    the head in training mode when ``labels`` (or their FDS bin indices
    ``bin_index``, from :meth:`FDS.bin_index`) are given. ``sample_weight``
    is accepted and ignored (it is meant for the loss). With a
    ``variance_head``, the prediction has two columns: the head's output
    (the mean) and the variance head's (a log-variance), both computed from
    the same (FDS-recalibrated) features.

    Parameters
    ----------
    encoder : torch.nn.Module
        Maps a batch ``X`` to features of shape ``(n, d)`` (higher-rank
        outputs are flattened).
    head : torch.nn.Module
        Maps features to predictions of shape ``(n, 1)``.
    fds : FDS, default=None
        Feature distribution smoothing between encoder and head.
    variance_head : torch.nn.Module, default=None
        Maps features to log-variances of shape ``(n, 1)``.

    Examples
    --------
    >>> import torch
    >>> from skdir.nn import MLP, DIRNetwork
    >>> net = DIRNetwork(MLP(3, (4,)), torch.nn.Linear(4, 1))
    >>> pred, features = net(torch.zeros(2, 3))
    >>> pred.shape, features.shape
    (torch.Size([2, 1]), torch.Size([2, 4]))
    """

    def __init__(self, encoder, head, fds=None, variance_head=None):
        super().__init__()
        self.encoder = encoder
        self.head = head
        self.fds = fds
        self.variance_head = variance_head
        self.encoder_frozen = False

    def forward(self, X, labels=None, sample_weight=None, bin_index=None):
        """Prediction and raw features of a batch.

        Parameters
        ----------
        X : Tensor of shape (n, ...)
            Inputs of the encoder.
        labels : Tensor of shape (n,) or (n, 1), default=None
            Targets; with FDS in training mode they select the bins whose
            statistics recalibrate the features.
        sample_weight : Tensor of shape (n,), default=None
            Ignored here (the loss uses it); accepted so that skorch can pass
            it along with the batch.
        bin_index : Tensor of shape (n,), dtype=int64, default=None
            FDS bins of the labels (see :meth:`FDS.bin_index`), used instead
            of ``labels``.

        Returns
        -------
        prediction : Tensor of shape (n, 1), or (n, 2) with a variance head
            Output of the head (and of the variance head).
        features : Tensor of shape (n, feature_dim)
            Encoder output before any FDS recalibration.
        """
        features = self.encoder(X)
        if features.ndim != 2:
            features = features.reshape(features.shape[0], -1)
        hidden = features
        if self.fds is not None and (labels is not None or bin_index is not None):
            hidden = self.fds(features, labels, bin_index=bin_index)
        prediction = self.head(hidden)
        if self.variance_head is not None:
            prediction = torch.cat([prediction, self.variance_head(hidden)], dim=1)
        return prediction, features

    def freeze_encoder(self):
        """Stop training the encoder: no gradients, batch-norm statistics
        and dropout frozen (the encoder stays in evaluation mode)."""
        for param in self.encoder.parameters():
            param.requires_grad_(False)
        self.encoder_frozen = True
        self.encoder.eval()
        return self

    def train(self, mode=True):
        super().train(mode)
        if self.encoder_frozen:
            self.encoder.eval()
        return self


def reset_parameters(module):
    """Re-initialise every submodule that has ``reset_parameters``."""
    for sub in module.modules():
        reset = getattr(sub, "reset_parameters", None)
        if callable(reset):
            reset()
    return module


@torch.no_grad()
def infer_feature_dim(encoder, n_features, device="cpu"):
    """Output width of ``encoder`` from a forward pass on two zero rows."""
    was_training = encoder.training
    encoder.eval()
    try:
        out = encoder(torch.zeros(2, n_features, device=device))
    finally:
        encoder.train(was_training)
    if isinstance(out, (tuple, list)):
        raise TypeError(
            "module must return a single tensor of features, got a "
            f"{type(out).__name__}."
        )
    return int(out.reshape(out.shape[0], -1).shape[1])
