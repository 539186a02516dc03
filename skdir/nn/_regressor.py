"""DIRRegressor: a scikit-learn regressor that trains a torch network with skorch."""

import copy
import math
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import EarlyStopping
from skorch.dataset import ValidSplit

from .._targets import TrainingTargets
from .._validation import check_sample_weight_1d
from ..bins import KERNELS, LabelBins, fitted_bins, resolve_bins
from ..weighting import LDSWeighter
from ._fds import FDS
from ._modules import ACTIVATIONS, MLP, DIRNetwork, infer_feature_dim, reset_parameters
from ._net import BatchLoader, DIRNet, FDSEpochEnd
from ._rrt import retrain_head
from .losses import BALANCED, LOSSES, make_loss

__all__ = ["DIRRegressor"]

_OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
_FDS_KEYS = {"kernel", "ks", "sigma", "momentum", "start_update", "start_smooth", "clip"}
_RRT_KEYS = {"max_epochs", "lr"}
_RANKSIM_KEYS = {"gamma", "interpolation_lambda"}


def _options(name, value, allowed, defaults):
    """``value`` (bool or dict) as a dict of options, or None when off."""
    if value is False or value is None:
        return None
    if value is True:
        return dict(defaults)
    unknown = set(value) - allowed
    if unknown:
        raise ValueError(
            f"{name} got unknown option(s) {sorted(unknown)}; allowed: {sorted(allowed)}."
        )
    return {**defaults, **value}


class DIRRegressor(RegressorMixin, BaseEstimator):
    """Deep imbalanced regression with a torch network trained by skorch.

    ``fit`` builds a :class:`DIRNetwork` (an encoder, optionally an
    :class:`FDS` layer, and a linear head), wraps it in a skorch net and
    trains it. The imbalance tools of Yang et al. (2021), Ren et al. (2022)
    and Gong et al. (2022) are options:

    - ``reweight`` / ``lds``: per-sample weights from
      :class:`~skdir.LDSWeighter` (inverse or inverse square-root density,
      optionally LDS-smoothed), multiplied into the loss;
    - ``fds``: feature distribution smoothing of the encoder features;
    - ``loss``: MSE, L1, Huber, Focal-R, log-cosh, sMAPE or Balanced MSE
      (GAI, BMC, BNI), or any callable;
    - ``ranksim``: the RankSim regulariser;
    - ``rrt``: two-stage training; the first stage ignores ``reweight`` /
      ``lds``, the second freezes the encoder (batch-norm statistics too),
      re-initialises the head and trains it with those weights.

    The label bins (``bins``, ``bin_width``, ``n_bins``) are shared by LDS,
    FDS and BNI, so one choice holds everywhere.

    Parameters
    ----------
    module : torch.nn.Module or callable, default=None
        Encoder. None builds an :class:`MLP` from ``hidden_layer_sizes``,
        ``activation``, ``dropout`` and ``batch_norm``. A module (deep-copied
        and re-initialised in ``fit``) or a callable ``module(n_features)``
        returning one, that maps ``X`` to features; a linear head is added.
        A module with ``encoder`` and ``head`` attributes is used with those
        two parts instead.
    hidden_layer_sizes : tuple of int, default=(100,)
        Hidden layers of the default MLP.
    activation : str, default="relu"
        Activation of the default MLP (see :data:`skdir.nn._modules.ACTIVATIONS`).
    dropout : float, default=0.0
        Dropout probability of the default MLP.
    batch_norm : bool, default=False
        Batch normalisation in the default MLP.
    loss : str, callable or torch.nn.Module, default="mse"
        One of ``"mse", "l1", "huber", "focal_l1", "focal_mse", "logcosh",
        "smape", "gai", "bmc", "bni"``, or ``fn(y_pred, y_true)`` returning
        per-sample losses (see :func:`skdir.nn.losses.make_loss`).
    loss_params : dict, default=None
        Options of the named loss (``beta``, ``gamma``, ``n_components``,
        ``lds``, ...). For the Balanced MSE losses (``"gai"``, ``"bmc"``,
        ``"bni"``):

        - ``init_noise_sigma`` (default ``"auto"``): the initial noise scale
          in the units of ``y``; ``"auto"`` is the width of one label bin of
          ``bins_`` (:func:`skdir.nn.losses.bin_noise_sigma`), which is the
          reference's 1.0 for ages in bins of one year and stays one bin
          wide on a rescaled target; a float is used as given;
        - ``sigma_lr`` (default 1e-2, as the reference): the learning rate
          of the noise scale, which is learned jointly with the network;
          0 leaves it at its initial value;
        - ``fix_noise_sigma`` (default False): keep the noise scale fixed
          (a constant, outside the optimiser), as the reference's
          ``--fix_noise_sigma``.
    reweight : {"none", "inverse", "sqrt_inv"}, default="none"
        Weight samples by the inverse (square-root) label density.
    lds : bool, default=False
        Smooth the label density first (LDS).
    bins : LabelBins, int, "auto", array-like or None, default=None
        Label bins for LDS, FDS and BNI (see :class:`~skdir.LabelBins`).
    bin_width : float, default=None
        Width of the label bins.
    n_bins : int or "auto", default=None
        Number of label bins.
    kernel : {"gaussian", "triang", "laplace"}, default="gaussian"
        LDS kernel (also FDS's unless ``fds`` overrides it).
    ks : int, default=5
        LDS kernel size in bins.
    sigma : float, default=2.0
        LDS kernel width in bins.
    fds : bool or dict, default=False
        Feature distribution smoothing; a dict sets :class:`FDS` options
        (``kernel, ks, sigma, momentum, start_update, start_smooth, clip``).
    rrt : bool or dict, default=False
        Regressor re-training; a dict sets ``max_epochs`` and ``lr`` of the
        second stage (default: those of the first).
    ranksim : bool, dict or None, default=None
        RankSim regulariser; a dict sets ``gamma`` (weight, default 100) and
        ``interpolation_lambda`` (default 2).
    optimizer : {"adam", "adamw", "sgd"} or torch optimizer class, default="adam"
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=0.0
        Weight decay of the network's parameters.
    batch_size : int, default=64
    max_epochs : int, default=100
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data and stop when
        the validation loss has not improved by ``tol`` (relative) for
        ``n_iter_no_change`` epochs; the best weights are restored.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
    device : {"cpu", "cuda", "auto"} or "cuda:N", default="cpu"
        ``"auto"`` uses CUDA when available.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, shuffling, dropout, the validation split
        and the GAI mixture. Training runs inside
        :func:`torch.random.fork_rng`, so torch's global RNG is left as it
        was.
    verbose : int, default=0
        Print skorch's per-epoch table when > 0.

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
        The fitted skorch net; ``net_.module_`` is the :class:`DIRNetwork`.
    bins_ : LabelBins
        The fitted label bins.
    weighter_ : LDSWeighter or None
        The fitted weighter (None when ``reweight="none"``).
    training_targets_ : TrainingTargets
        Training targets and counts, for shot-wise scorers.
    n_iter_ : int
        Number of epochs run (both stages with ``rrt``).
    device_ : str
        Device the net was trained on.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.nn import DIRRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 3)).astype(np.float32)
    >>> y = X @ [1.0, 2.0, 0.5] + rng.exponential(size=200)
    >>> model = DIRRegressor(hidden_layer_sizes=(16,), reweight="sqrt_inv", lds=True,
    ...                      fds=True, max_epochs=5, random_state=0)
    >>> model.fit(X, y).predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        "module": "no_validation",
        "hidden_layer_sizes": [tuple, list],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "loss": [StrOptions(set(LOSSES)), callable],
        "loss_params": [dict, None],
        "reweight": [StrOptions({"none", "inverse", "sqrt_inv"})],
        "lds": ["boolean"],
        "bins": [LabelBins, Interval(Integral, 1, None, closed="left"),
                 StrOptions({"auto"}), "array-like", None],
        "bin_width": [Interval(Real, 0, None, closed="neither"), None],
        "n_bins": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"}), None],
        "kernel": [StrOptions(set(KERNELS))],
        "ks": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "fds": ["boolean", dict],
        "rrt": ["boolean", dict],
        "ranksim": ["boolean", dict, None],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        module=None,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        loss="mse",
        loss_params=None,
        reweight="none",
        lds=False,
        bins=None,
        bin_width=None,
        n_bins=None,
        kernel="gaussian",
        ks=5,
        sigma=2.0,
        fds=False,
        rrt=False,
        ranksim=None,
        optimizer="adam",
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        max_epochs=100,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.module = module
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.loss = loss
        self.loss_params = loss_params
        self.reweight = reweight
        self.lds = lds
        self.bins = bins
        self.bin_width = bin_width
        self.n_bins = n_bins
        self.kernel = kernel
        self.ks = ks
        self.sigma = sigma
        self.fds = fds
        self.rrt = rrt
        self.ranksim = ranksim
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------- helpers
    def _resolve_device(self):
        device = self.device
        if device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if device == "cpu":
            return device
        if device == "cuda" or (device.startswith("cuda:") and device[5:].isdigit()):
            if not torch.cuda.is_available():
                raise ValueError(
                    f"device={device!r} was requested but CUDA is not available; "
                    "use device='cpu' or 'auto'."
                )
            return device
        raise ValueError(
            f"device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got {device!r}."
        )

    def _density_weights(self, y, sample_weight, bins):
        if self.reweight == "none" or np.ptp(y) == 0:
            self.weighter_ = None
            return np.ones_like(y)
        self.weighter_ = LDSWeighter(
            bins=bins, reweight=self.reweight, lds=self.lds, kernel=self.kernel,
            ks=self.ks, sigma=self.sigma,
        )
        return self.weighter_.fit_transform(y, sample_weight=sample_weight)

    def _build_network(self, n_features, bins, fds_options, device):
        module = self.module
        if module is None:
            encoder = MLP(
                n_features, self.hidden_layer_sizes, self.activation, self.dropout,
                self.batch_norm,
            )
            head = None
        else:
            if isinstance(module, torch.nn.Module):
                module = reset_parameters(copy.deepcopy(module))
            elif callable(module):
                module = module(n_features)
            if not isinstance(module, torch.nn.Module):
                raise TypeError(
                    "module must be a torch.nn.Module or a callable returning one, "
                    f"got {type(module).__name__}."
                )
            parts = (getattr(module, "encoder", None), getattr(module, "head", None))
            if all(isinstance(p, torch.nn.Module) for p in parts):
                encoder, head = parts
            else:
                encoder, head = module, None
        encoder = encoder.to(device)
        dim = infer_feature_dim(encoder, n_features, device)
        if head is None:
            head = torch.nn.Linear(dim, 1)
        fds = None
        if fds_options is not None:
            fds = FDS(dim, bins, **fds_options)
        return DIRNetwork(encoder, head, fds)

    def _batch_sizes(self, n, needs_pairs):
        """Training ``drop_last`` and validation batch size that avoid a
        final batch of one sample where BMC or batch norm cannot take it."""
        if not needs_pairs:
            return False, self.batch_size
        if self.early_stopping:
            n_valid = math.ceil(self.validation_fraction * n)
            n_train = n - n_valid
        else:
            n_valid, n_train = 0, n
        if n_train < 2 or (self.early_stopping and n_valid < 2 and self.loss == "bmc"):
            raise ValueError(
                f"{'loss=bmc' if self.loss == 'bmc' else 'batch_norm=True'} needs "
                f"at least 2 training (and validation) samples, got {n_train} "
                f"(and {n_valid})."
            )
        drop_last = n_train > self.batch_size and n_train % self.batch_size == 1
        valid_bs = self.batch_size
        while n_valid > 1 and n_valid % valid_bs == 1:
            valid_bs += 1
        return drop_last, valid_bs

    # ----------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, multiplied into the density weights.

        Returns
        -------
        self : DIRRegressor
            Fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float32, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        sample_weight = check_sample_weight_1d(sample_weight, y)
        fds_options = _options(
            "fds", self.fds, _FDS_KEYS,
            {"kernel": self.kernel, "ks": self.ks, "sigma": self.sigma},
        )
        rrt_options = _options(
            "rrt", self.rrt, _RRT_KEYS, {"max_epochs": self.max_epochs, "lr": self.lr}
        )
        ranksim_options = _options(
            "ranksim", self.ranksim, _RANKSIM_KEYS,
            {"gamma": 100.0, "interpolation_lambda": 2.0},
        )
        loss_params = dict(self.loss_params or {})
        sigma_lr = loss_params.pop("sigma_lr", 1e-2)
        if self.loss in BALANCED:
            if (isinstance(sigma_lr, bool) or not isinstance(sigma_lr, Real)
                    or not np.isfinite(sigma_lr) or sigma_lr < 0):
                raise ValueError(
                    "loss_params['sigma_lr'] must be a non-negative finite number, "
                    f"got {sigma_lr!r}."
                )
            # One label bin of bins_, resolved by make_loss.
            loss_params.setdefault("init_noise_sigma", "auto")
        if isinstance(self.loss, str) and self.loss == "bni":
            loss_params.setdefault("kernel", self.kernel)
            loss_params.setdefault("ks", self.ks)
            loss_params.setdefault("sigma", self.sigma)
        device = self._resolve_device()
        drop_last, valid_bs = self._batch_sizes(
            y.size, self.loss == "bmc" or (self.batch_norm and self.module is None)
        )

        rng = check_random_state(self.random_state)
        torch_seed, split_seed, loss_seed = (
            int(s) for s in rng.randint(np.iinfo(np.int32).max, size=3)
        )
        self.bins_ = fitted_bins(
            resolve_bins(self.bins, bin_width=self.bin_width, n_bins=self.n_bins),
            y, sample_weight,
        )
        density = self._density_weights(y, sample_weight, self.bins_)
        user = np.ones_like(y) if sample_weight is None else sample_weight
        stage1 = user if rrt_options is not None else user * density

        y32 = y.astype(np.float32)
        # Only what the network and the loss use rides with the batches: the
        # FDS bin of every sample (binned once here, not per batch), the
        # weights unless they are all 1 (the loss is then the plain mean, the
        # same number).
        data = {"X": X}
        if np.any(stage1 != 1):
            data["sample_weight"] = stage1.astype(np.float32)
        optimizer = _OPTIMIZERS.get(self.optimizer, self.optimizer)
        callbacks = [("fds_epoch_end", FDSEpochEnd())]
        # skorch formats its per-epoch table even when it does not print it.
        quiet = {} if self.verbose else {"callbacks__print_log": None}
        if self.early_stopping:
            callbacks.append((
                "early_stopping",
                EarlyStopping(
                    monitor="valid_loss", patience=self.n_iter_no_change,
                    threshold=self.tol, threshold_mode="rel", load_best=True,
                    sink=print if self.verbose else _silent,
                ),
            ))
        with torch.random.fork_rng(devices=_cuda_devices(device)):
            torch.manual_seed(torch_seed)
            criterion = make_loss(
                self.loss, y, bins=self.bins_, random_state=loss_seed, **loss_params
            )
            network = self._build_network(X.shape[1], self.bins_, fds_options, device)
            if network.fds is not None:
                data["bin_index"] = network.fds.bin_index(torch.tensor(y)).numpy()
            net = DIRNet(
                network,
                criterion=criterion,
                optimizer=optimizer,
                optimizer__weight_decay=self.weight_decay,
                lr=self.lr,
                sigma_lr=sigma_lr if self.loss in BALANCED else None,
                ranksim_gamma=0.0 if ranksim_options is None else ranksim_options["gamma"],
                ranksim_lambda=(
                    2.0 if ranksim_options is None
                    else ranksim_options["interpolation_lambda"]
                ),
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                iterator_train=BatchLoader,
                iterator_valid=BatchLoader,
                iterator_train__shuffle=True,
                iterator_train__drop_last=drop_last,
                iterator_valid__batch_size=valid_bs,
                train_split=(
                    ValidSplit(self.validation_fraction, random_state=split_seed)
                    if self.early_stopping else None
                ),
                callbacks=callbacks,
                device=device,
                verbose=int(self.verbose),
                **quiet,
            )
            net.fit(data, y32[:, None])
            if rrt_options is not None:
                data2 = dict(data, sample_weight=(user * density).astype(np.float32))
                retrain_head(
                    net, data2, y32[:, None], max_epochs=int(rrt_options["max_epochs"]),
                    lr=float(rrt_options["lr"]),
                )
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.device_ = device
        self.training_targets_ = TrainingTargets.from_y(y)
        return self

    def predict(self, X):
        """Predict targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions (float64).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, reset=False)
        # skorch's DataLoader draws a seed from torch's global RNG even without
        # shuffling; keep that draw away from the caller's RNG.
        with torch.random.fork_rng(devices=_cuda_devices(self.device_)):
            y_pred = self.net_.predict(X)
        return y_pred.reshape(-1).astype(np.float64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = False
        tags.non_deterministic = self.random_state is None
        return tags


def _cuda_devices(device):
    return [torch.device(device).index or 0] if device != "cpu" else []


def _silent(*args, **kwargs):
    pass
