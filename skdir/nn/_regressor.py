"""DIRRegressor: a scikit-learn regressor that trains a torch network with skorch."""

import copy
import inspect
import math
import sys
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
from skorch.callbacks import Callback, EarlyStopping, PrintLog
from skorch.dataset import ValidSplit
from skorch.utils import Ansi

from .._targets import TrainingTargets
from .._validation import check_sample_weight_1d
from ..bins import LabelSpace, fit_label_space
from ..weighting import LDSWeighter
from ._fds import FDS
from ._modules import ACTIVATIONS, MLP, DIRNetwork, infer_feature_dim, reset_parameters
from ._net import BatchLoader, FDSEpochEnd, place_data
from ._objective import _LOG_VAR_RANGE, ObjectiveNet
from ._options import (
    CMixupOptions,
    ConROptions,
    FDSOptions,
    RankSimOptions,
    RnCOptions,
    RRTOptions,
)
from ._rrt import retrain_head
from .losses import (
    BALANCED,
    LOSSES,
    GAILoss,
    _bni_from_space,
    _is_auto,
    _loss_name,
    _noise_sigma,
    bin_noise_sigma,
    make_loss,
)

__all__ = ["DIRRegressor"]

_OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
#: Callback names DIRRegressor sets itself.
_RESERVED_CALLBACKS = ("fds_epoch_end", "early_stopping")
#: Largest magnitude the float32 network can hold.
_FLOAT32_MAX = float(np.finfo(np.float32).max)
#: Default learning rate of the Balanced MSE noise scale (the reference's).
_NOISE_SIGMA_LR = 1e-2
#: ``batch_size="auto"`` is ``min(_AUTO_BATCH, n_samples)`` (MLPRegressor's rule).
_AUTO_BATCH = 200
#: Defaults of ``validation_fraction`` and ``tol`` (None in the signature).
_VALIDATION_FRACTION = 0.1
_TOL = 1e-4
#: ``amp`` as the autocast dtype of the net (None: full precision).
_AMP = {False: None, True: "float16", "float16": "float16", "bfloat16": "bfloat16"}


def _options(value, cls):
    """``value`` (bool or an options object) as validated options, or None when off."""
    if isinstance(value, (bool, np.bool_)):
        return cls()._validate() if value else None
    return value._validate()


def _check_float32_range(values, name):
    """Raise if ``values`` (finite float64) would overflow the float32 network."""
    big = np.abs(values) > _FLOAT32_MAX
    if big.any():
        raise ValueError(
            f"{name} has {int(big.sum())} value(s) beyond the float32 range "
            f"(|{name}| > {_FLOAT32_MAX:.4g}) in which the network computes; "
            f"rescale {name}."
        )


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
      (GAI, BMC, BNI; ``"bmse"`` is GAI), or any callable;
    - ``ranksim``: the RankSim regulariser;
    - ``conr``: the ConR contrastive regulariser (Keramati et al., 2024);
    - ``rrt``: two-stage training; the first stage ignores ``reweight`` /
      ``lds``, the second freezes the encoder (batch-norm statistics too),
      re-initialises the head and trains it with those weights;
    - ``rnc``: Rank-N-Contrast (Zha et al., 2023): the first stage trains
      the encoder with the RnC loss alone, the second is that of ``rrt``;
    - ``cmixup``: C-Mixup batches (Yao et al., 2022);
    - ``uncertainty="gaussian"``: a second head predicts a log-variance,
      trained by the Gaussian likelihood, and ``predict(X,
      return_std=True)`` returns a standard deviation.

    One :class:`~skdir.LabelSpace`, fitted on the training targets (and
    ``sample_weight``), serves all of them: ``label_space_`` is the label
    space of the LDS weights, the bins of FDS (with its kernel window
    normalised to sum 1), the bins of BNI and the unit of
    ``init_noise_sigma="auto"``, and gives the shot groups of the shot-wise
    scorers.

    With ``scale_target=True`` (the default) the network learns the
    standardised target ``(y - target_mean_) / target_scale_`` (mean and
    standard deviation weighted by ``sample_weight``; a zero standard
    deviation counts as 1) and ``predict`` returns the original units. The
    label space, the LDS weights, the FDS bins and the shot groups stay in
    the units of ``y``; BNI's bin centres and the Balanced MSE noise scale
    are converted to the standardised units, GAI's mixture is fitted on the
    standardised target, and the other losses (with their parameters, such
    as Huber's ``beta``) apply to the standardised target as they are.
    Rescaling ``y`` by ``a * y + b`` (``a > 0``) then rescales the
    predictions the same way.

    A target of 2 or 3 columns (``y`` of shape ``(n_samples, n_outputs)``)
    trains a head with one output per column, each column standardised on
    its own, on a multi-output label space (a joint grid of bins: LDS
    weights, shot groups and BNI's bins are those of the grid). The Balanced
    MSE losses then use an isotropic noise ``sigma^2 I`` in the standardised
    units (``init_noise_sigma="auto"``: the median bin width over the
    columns, each divided by its column's scale); ``rnc`` uses the L1 label
    distance over the columns, ``cmixup`` the Euclidean one, and the
    variance head predicts one variance per column; ``fds`` keeps its
    statistics per cell of the joint grid and smooths them with the separable
    N-d window. ``ranksim`` and ``conr`` need a single column.

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
        "smape", "gai", "bmc", "bni", "bmse"``, or ``fn(y_pred, y_true)``
        returning per-sample losses (see :func:`skdir.nn.losses.make_loss`);
        a module is deep-copied in ``fit``. ``"bmse"`` is an alias of
        ``"gai"``, Balanced MSE in the default implementation of the
        reference code. ``"smape"``, a relative error, needs
        ``scale_target=False`` (centring the target would change it).
    loss_params : dict, default=None
        Options of the named loss (``beta``, ``gamma``, ``n_components``,
        ``lds``, ...). For the Balanced MSE losses (``"gai"``, ``"bmc"``,
        ``"bni"``, ``"bmse"``):

        - ``init_noise_sigma`` (default ``"auto"``): the initial noise scale
          in the units of ``y``; ``"auto"`` is the width of one bin of
          ``label_space_`` (:func:`skdir.nn.losses.bin_noise_sigma`), which
          is the reference's 1.0 for ages in bins of one year; a float is
          used as given;
        - ``fix_noise_sigma`` (default False): keep the noise scale fixed
          (a constant, outside the optimiser), as the reference's
          ``--fix_noise_sigma``;
        - for ``"bni"``, ``lds`` (default False): use the LDS-smoothed
          counts of ``label_space_`` as the prior.
    noise_sigma_lr : float, default=None
        Learning rate of the Balanced MSE noise scale, which is learned
        jointly with the network; None means 1e-2 (the reference's) for
        ``"gai"``, ``"bmc"``, ``"bni"`` and ``"bmse"``; 0 leaves it at its
        initial value. Only for those losses, and not with
        ``fix_noise_sigma``.
    reweight : {"none", "inverse", "sqrt_inv"} or float, default="none"
        Weight samples by the inverse (square-root) label density; a float
        ``alpha >= 0`` is the strength of the reweighting (weights follow
        the density to the power ``-alpha``: 1 is ``"inverse"`` without its
        clipping, 0.5 is ``"sqrt_inv"``, 0 is ``"none"``), passed on to
        :class:`~skdir.LDSWeighter`.
    lds : bool, default=False
        Smooth the label density first (LDS), with the kernel of the label
        space; needs ``reweight`` other than ``"none"`` or 0.
    label_space : LabelSpace, default=None
        The label space shared by LDS, FDS, BNI and the shot groups. None
        means ``LabelSpace()``; an unfitted one is cloned and fitted on the
        training targets of each fit, a fitted one is used as it is (the
        same bins and counts on every fold).
    fds : bool or FDSOptions, default=False
        Feature distribution smoothing; ``True`` means ``FDSOptions()``.
        Its options are searchable as ``fds__momentum``, ...
    rrt : bool or RRTOptions, default=False
        Regressor re-training; ``True`` means ``RRTOptions()`` (the second
        stage with the ``max_epochs`` and ``lr`` of the first).
    ranksim : bool or RankSimOptions, default=False
        RankSim regulariser; ``True`` means ``RankSimOptions()`` (weight
        ``gamma=100``, ``interpolation_lambda=2``).
    conr : bool or ConROptions, default=False
        ConR regulariser of the encoder features; ``True`` means
        ``ConROptions()`` (the reference's weight 4, window of one label
        bin, temperature 0.07, eta 0.01). Its anchors are weighted by
        ``reweight`` / ``lds`` as in the reference.
    rnc : bool or RnCOptions, default=False
        Rank-N-Contrast pre-training of the encoder; ``True`` means
        ``RnCOptions()``. The head is then trained on the frozen features
        as the second stage of ``rrt`` (``rrt=False`` means
        ``RRTOptions()``). Not with ``ranksim`` or ``conr``.
    cmixup : bool or CMixupOptions, default=False
        C-Mixup of the training batches; ``True`` means ``CMixupOptions()``
        (``alpha=2``, bandwidth of one label bin). The weights of mixed
        samples are mixed with the same proportions. Not with ``fds``,
        whose bins are those of the unmixed labels.
    uncertainty : {"none", "gaussian"}, default="none"
        ``"gaussian"`` adds a variance head: a linear map of the same
        features to a log-variance, trained by the Gaussian negative
        log-likelihood ``0.5 * (log s^2 + (y - m)^2 / s^2)`` of the
        target around the *detached* mean ``m``, weighted by the batch's
        weights and added to ``loss``. The mean is trained by ``loss``
        alone (any loss, Balanced MSE included), so every imbalance option
        acts on it as without the head; the variance head learns the
        expected squared error of that mean. ``predict(X,
        return_std=True)`` returns the standard deviation in the units of
        ``y``.
    scale_target : bool, default=True
        Train the network on the standardised target (see above).
    optimizer : {"adam", "adamw", "sgd"} or torch optimizer class, default="adam"
        The optimiser.
    optimizer_params : dict, default=None
        Further keyword arguments of the optimiser, e.g. ``{"momentum":
        0.9}`` for SGD or ``{"betas": (0.9, 0.99)}`` for Adam; ``lr`` and
        ``weight_decay`` are parameters of their own.
    lr : float, default=1e-3
        Learning rate.
    weight_decay : float, default=1e-3
        Weight decay (L2 penalty, added to the gradient) of the network's
        parameters.
    batch_size : int or "auto", default=64
        Mini-batch size; ``"auto"`` is ``min(200, n_samples)``, as in
        :class:`~sklearn.neural_network.MLPRegressor`.
    max_epochs : int, default=200
        Largest number of training epochs (of the first stage with ``rrt``);
        the stopping rule usually ends training sooner.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the training data, stop when the
        loss on it (without the density weights, which make a small
        held-out set too noisy to stop on) has not improved by more than
        ``tol`` (relative) for ``n_iter_no_change`` epochs and restore the
        weights of the best epoch. With False, training uses every sample, and stops when the
        training loss has not improved by ``tol`` (relative) for
        ``n_iter_no_change`` epochs (or runs ``max_epochs`` epochs with
        ``n_iter_no_change=None``). See :ref:`dir_defaults` for how these
        defaults were measured.
    validation_fraction : float, default=None
        Share of the training data held out by ``early_stopping``, in
        (0, 1); None means 0.1. Only with ``early_stopping=True``.
    n_iter_no_change : int or None, default=20
        Patience of the stopping rule, in epochs; None (only with
        ``early_stopping=False``) trains ``max_epochs`` epochs.
    tol : float, default=None
        Relative improvement the stopping rule waits for, >= 0; None means
        1e-4. Not with ``n_iter_no_change=None``.
    callbacks : list, default=None
        skorch callbacks (instances, or ``(name, callback)`` pairs) added to
        the net, for example ``skorch.callbacks.LRScheduler``; deep-copied
        in ``fit``. The names ``"fds_epoch_end"`` and ``"early_stopping"``
        are taken.
    device : {"cpu", "cuda", "auto"} or "cuda:N", default="cpu"
        ``"auto"`` uses CUDA when available. The training data stay on the
        device for the whole fit when they take at most half of its free
        memory; larger data are staged batch by batch through pinned host
        memory (see :ref:`scale_out`).
    amp : bool or {"float16", "bfloat16"}, default=False
        Mixed precision on a CUDA device: the forward pass runs under
        :func:`torch.autocast` with the given dtype (``True`` means
        ``"float16"``, whose loss is scaled by a
        :class:`torch.amp.GradScaler`), the losses in float32. Needs a
        CUDA ``device``.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, shuffling, dropout, the validation split
        and the GAI mixture, through seeds drawn from
        :func:`sklearn.utils.check_random_state` (None: numpy's global
        random state). Training runs inside :func:`torch.random.fork_rng`,
        so torch's global RNG is left as it was.
    verbose : int, default=0
        Print skorch's per-epoch table when > 0 (its best values coloured
        only when standard output is a terminal).

    Attributes
    ----------
    net_ : skorch.NeuralNetRegressor
        The fitted skorch net; ``net_.module_`` is the :class:`DIRNetwork`
        and ``net_.criterion_`` the loss (in the standardised units with
        ``scale_target``: its ``noise_sigma`` times ``target_scale_`` is the
        noise scale in the units of ``y``).
    label_space_ : LabelSpace
        The fitted label space, shared by ``weighter_``, FDS and BNI.
    weighter_ : LDSWeighter or None
        The fitted weighter, on ``label_space_`` (None when
        ``reweight="none"``, or when the target is constant and every
        weight is 1).
    target_mean_ : float or ndarray of shape (n_outputs_,)
        Mean subtracted from ``y`` (0 without ``scale_target``); one per
        column of a multi-output target.
    target_scale_ : float or ndarray of shape (n_outputs_,)
        Scale ``y`` is divided by (1 without ``scale_target``).
    n_outputs_ : int
        Number of target columns (1 for a 1-d ``y``).
    training_targets_ : TrainingTargets
        Training targets and counts, for shot-wise scorers.
    n_iter_ : int
        Number of epochs run (both stages with ``rrt``); with
        ``early_stopping`` the weights are those of the best epoch, which
        may be earlier.
    device_ : str
        Device the net was trained on.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen in ``fit`` (when ``X`` has string column
        names).

    See Also
    --------
    FDSOptions, RRTOptions, RankSimOptions, ConROptions, RnCOptions, CMixupOptions :
        The options of ``fds``, ``rrt``, ``ranksim``, ``conr``, ``rnc`` and
        ``cmixup``.
    skdir.LabelSpace : The label space.

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
    >>> model.weighter_.label_space_ is model.label_space_
    True
    """

    _parameter_constraints = {
        "module": "no_validation",
        "hidden_layer_sizes": [tuple, list],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "batch_norm": ["boolean"],
        "loss": [StrOptions(set(LOSSES)), callable],
        "loss_params": [dict, None],
        "noise_sigma_lr": [Interval(Real, 0, None, closed="left"), None],
        "reweight": [
            StrOptions({"none", "inverse", "sqrt_inv"}),
            Interval(Real, 0, None, closed="left"),
        ],
        "lds": ["boolean"],
        "label_space": [LabelSpace, None],
        "fds": ["boolean", FDSOptions],
        "rrt": ["boolean", RRTOptions],
        "ranksim": ["boolean", RankSimOptions],
        "conr": ["boolean", ConROptions],
        "rnc": ["boolean", RnCOptions],
        "cmixup": ["boolean", CMixupOptions],
        "uncertainty": [StrOptions({"none", "gaussian"})],
        "scale_target": ["boolean"],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "optimizer_params": [dict, None],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "callbacks": [list, None],
        "device": [str],
        "amp": ["boolean", StrOptions({"float16", "bfloat16"})],
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
        noise_sigma_lr=None,
        reweight="none",
        lds=False,
        label_space=None,
        fds=False,
        rrt=False,
        ranksim=False,
        conr=False,
        rnc=False,
        cmixup=False,
        uncertainty="none",
        scale_target=True,
        optimizer="adam",
        optimizer_params=None,
        lr=1e-3,
        weight_decay=1e-3,
        batch_size=64,
        max_epochs=200,
        early_stopping=True,
        validation_fraction=None,
        n_iter_no_change=20,
        tol=None,
        callbacks=None,
        device="cpu",
        amp=False,
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
        self.noise_sigma_lr = noise_sigma_lr
        self.reweight = reweight
        self.lds = lds
        self.label_space = label_space
        self.fds = fds
        self.rrt = rrt
        self.ranksim = ranksim
        self.conr = conr
        self.rnc = rnc
        self.cmixup = cmixup
        self.uncertainty = uncertainty
        self.scale_target = scale_target
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.device = device
        self.amp = amp
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

    def _check_settings(self, loss_params):
        """Cross-parameter rules: reject settings that would have no effect."""
        if self.lds and self._reweight_off():
            raise ValueError(
                f"lds=True has no effect with reweight={self.reweight!r}; choose "
                "reweight='inverse', 'sqrt_inv' or a strength > 0, or leave lds=False."
            )
        if not self.early_stopping and self.validation_fraction is not None:
            raise ValueError(
                f"validation_fraction={self.validation_fraction!r} has no effect with "
                "early_stopping=False; leave it None, or set early_stopping=True."
            )
        if self.n_iter_no_change is None:
            if self.early_stopping:
                raise ValueError(
                    "early_stopping=True needs n_iter_no_change (its patience); set "
                    "it, or set early_stopping=False to train max_epochs epochs."
                )
            if self.tol is not None:
                raise ValueError(
                    f"tol={self.tol!r} has no effect with n_iter_no_change=None (no "
                    "stopping rule); leave it None."
                )
        balanced = isinstance(self.loss, str) and self.loss in BALANCED
        if self.noise_sigma_lr is not None:
            if not balanced:
                raise ValueError(
                    f"noise_sigma_lr={self.noise_sigma_lr!r} has no effect with "
                    f"loss={self.loss!r}; it is the learning rate of the noise "
                    "scale of the Balanced MSE losses 'gai', 'bmc', 'bni' and "
                    "'bmse'. Leave it None."
                )
            if loss_params.get("fix_noise_sigma") is True:
                raise ValueError(
                    f"noise_sigma_lr={self.noise_sigma_lr!r} has no effect with "
                    "loss_params['fix_noise_sigma']=True; leave it None."
                )
            if not np.isfinite(self.noise_sigma_lr):
                raise ValueError(
                    f"noise_sigma_lr must be finite, got {self.noise_sigma_lr!r}."
                )
        rnc = not (isinstance(self.rnc, (bool, np.bool_)) and not self.rnc)
        for name in ("ranksim", "conr"):
            value = getattr(self, name)
            if rnc and not (isinstance(value, (bool, np.bool_)) and not value):
                raise ValueError(
                    f"{name} has no effect with rnc: the encoder is pre-trained "
                    "with the RnC loss alone and then frozen; use one of them."
                )
        cmixup = not (isinstance(self.cmixup, (bool, np.bool_)) and not self.cmixup)
        fds = not (isinstance(self.fds, (bool, np.bool_)) and not self.fds)
        if cmixup and fds:
            raise ValueError(
                "cmixup cannot be combined with fds: FDS recalibrates features by "
                "the bins of the labels, which C-Mixup mixes; use one of them."
            )
        if self.scale_target and isinstance(self.loss, str) and self.loss == "smape":
            raise ValueError(
                "loss='smape' is a relative error, which centring the target "
                "changes; use scale_target=False with it."
            )

    def _reweight_off(self):
        """True when ``reweight`` leaves every density weight at 1."""
        if isinstance(self.reweight, str):
            return self.reweight == "none"
        return float(self.reweight) == 0

    def _resolved_batch_size(self, n):
        """``batch_size`` as a number (``"auto"``: ``min(200, n)``)."""
        if self.batch_size == "auto":
            return min(_AUTO_BATCH, n)
        return int(self.batch_size)

    def _stopping_callback(self):
        """The ``early_stopping`` callback: the validation loss with
        ``early_stopping``, else the training loss; None without a rule."""
        if self.n_iter_no_change is None:
            return None
        tol = _TOL if self.tol is None else self.tol
        sink = print if self.verbose else _silent
        if self.early_stopping:
            return EarlyStopping(
                monitor="valid_loss", patience=self.n_iter_no_change, threshold=tol,
                threshold_mode="rel", load_best=True, sink=sink,
            )
        return EarlyStopping(
            monitor="train_loss", patience=self.n_iter_no_change, threshold=tol,
            threshold_mode="rel", load_best=False, sink=sink,
        )

    def _optimizer_kwargs(self, optimizer):
        """``optimizer_params`` as skorch's ``optimizer__*`` arguments."""
        params = self.optimizer_params or {}
        bad = [k for k in params if not isinstance(k, str)]
        if bad:
            raise TypeError(f"optimizer_params keys must be strings, got {bad!r}.")
        own = sorted({"lr", "weight_decay", "params"} & set(params))
        if own:
            raise ValueError(
                f"optimizer_params must not set {own}: lr and weight_decay are "
                "parameters of DIRRegressor."
            )
        try:
            signature = inspect.signature(optimizer)
        except (TypeError, ValueError):  # pragma: no cover - builtin signatures
            signature = None
        var_keyword = signature is not None and any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
        )
        if signature is not None and not var_keyword:
            unknown = sorted(set(params) - set(signature.parameters))
            if unknown:
                raise ValueError(
                    f"optimizer_params has option(s) {unknown} that "
                    f"{optimizer.__name__} does not take."
                )
        return {f"optimizer__{key}": value for key, value in params.items()}

    def _user_callbacks(self):
        """Deep copies of ``callbacks``, checked."""
        out = []
        for item in self.callbacks or []:
            if isinstance(item, tuple) and len(item) == 2:
                name, callback = item
                if not isinstance(name, str):
                    raise TypeError(
                        f"callbacks: a (name, callback) pair needs a str name, got "
                        f"{name!r}."
                    )
                if name in _RESERVED_CALLBACKS:
                    raise ValueError(
                        f"callbacks: the name {name!r} is taken by DIRRegressor; "
                        "choose another."
                    )
            else:
                callback = item
            if not isinstance(callback, Callback):
                raise TypeError(
                    "callbacks must be skorch.callbacks.Callback instances or "
                    f"(name, callback) pairs, got {type(callback).__name__}."
                )
            out.append(item)
        return copy.deepcopy(out)

    def _density_weights(self, y, sample_weight):
        # A constant target has one populated bin: every weight is 1.
        if self._reweight_off() or np.ptp(y, axis=0).max() == 0:
            self.weighter_ = None
            return np.ones(y.shape[0])
        self.weighter_ = LDSWeighter(
            label_space=self.label_space_, reweight=self.reweight, lds=self.lds
        )
        # y and sample_weight are validated in fit.
        return self.weighter_._fit_transform_validated(y, sample_weight)

    def _criterion(self, z, loss_params, random_state):
        """The loss on the network's target ``z = (y - mean) / scale``."""
        loss = self.loss
        if not isinstance(loss, str):
            if isinstance(loss, torch.nn.Module):
                loss = copy.deepcopy(loss)  # fit trains it; keep the parameter as given
            return make_loss(loss, **loss_params)
        if loss not in BALANCED:
            return make_loss(loss, **loss_params)
        loss = _loss_name(loss)
        params = dict(loss_params)
        init = params.pop("init_noise_sigma", "auto")
        if loss == "bni":
            if self.n_outputs_ > 1:
                return _bni_from_space(
                    self.label_space_, init_noise_sigma=self._network_sigma(init),
                    offset=self.target_mean_, scale=self.target_scale_,
                    sigma_scale=1.0, **params,
                )
            return _bni_from_space(
                self.label_space_, init_noise_sigma=init, offset=self.target_mean_,
                scale=self.target_scale_, **params,
            )
        params["init_noise_sigma"] = self._network_sigma(init)
        if loss == "gai":
            return GAILoss.from_targets(z, random_state=random_state, **params)
        return make_loss(loss, **params)

    def _build_network(self, n_features, fds_options, device):
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
            head = torch.nn.Linear(dim, self.n_outputs_)
        fds = None
        if fds_options is not None:
            fds = FDS(dim, self.label_space_, **fds_options._kwargs())
        variance_head = None
        if self.uncertainty == "gaussian":
            variance_head = torch.nn.Linear(dim, self.n_outputs_).to(device)
        return DIRNetwork(encoder, head, fds, variance_head)

    def _network_sigma(self, value):
        """A distance in the units of ``y`` (``"auto"``: one label bin) in the
        network's standardised units.

        For a multi-output target, whose columns are standardised separately,
        it is one isotropic scale: ``"auto"`` is the median of the bin widths
        of every column, each divided by its column's scale; a number is
        divided by the geometric mean of the column scales.
        """
        scale = np.atleast_1d(self.target_scale_)
        if _is_auto(value):
            if self.n_outputs_ == 1:
                return bin_noise_sigma(self.label_space_) / float(scale[0])
            edges = self.label_space_.edges_
            return float(np.median(np.concatenate(
                [np.diff(e) / s for e, s in zip(edges, scale)]
            )))
        if self.n_outputs_ == 1:
            return _noise_sigma(value) / float(scale[0])
        return _noise_sigma(value) / float(np.exp(np.mean(np.log(scale))))

    def _check_multi_output(self):
        """Reject the options that need a single target column."""
        if self.n_outputs_ == 1:
            return
        off = (bool, np.bool_)
        unsupported = [
            name for name in ("ranksim", "conr")
            if not (isinstance(getattr(self, name), off) and not getattr(self, name))
        ]
        if unsupported:
            raise ValueError(
                f"The option(s) {', '.join(unsupported)} need a single target "
                f"column, but y has {self.n_outputs_}; multi-output targets "
                "support the losses, reweight / lds, fds, rrt, rnc, cmixup and "
                "uncertainty."
            )

    def _objective(self, conr_options, rnc_options, cmixup_options):
        """ConR, RnC and C-Mixup settings in the network's target units."""
        conr = rnc = cmixup = None
        if conr_options is not None:
            unit = self._network_sigma("auto")  # one label bin
            window = conr_options.window
            conr = dict(
                weight=float(conr_options.weight),
                window=unit if window == "auto" else self._network_sigma(window),
                temperature=float(conr_options.temperature),
                eta=float(conr_options.eta), distance_unit=unit,
            )
        if rnc_options is not None:
            rnc = dict(
                temperature=float(rnc_options.temperature),
                feature_similarity=rnc_options.feature_similarity,
            )
        if cmixup_options is not None:
            cmixup = dict(alpha=float(cmixup_options.alpha),
                          bandwidth=self._network_sigma(cmixup_options.bandwidth))
        return dict(conr=conr, rnc=rnc, cmixup=cmixup,
                    gaussian=self.uncertainty == "gaussian")

    def _batch_sizes(self, n, needs_pairs):
        """Training batch size, ``drop_last`` and validation batch size; the
        last two avoid a final batch of one sample where BMC or batch norm
        cannot take it."""
        batch_size = self._resolved_batch_size(n)
        if self.early_stopping:
            fraction = (
                _VALIDATION_FRACTION if self.validation_fraction is None
                else self.validation_fraction
            )
            n_valid = math.ceil(fraction * n)
            n_train = n - n_valid
            if n_train < 1:
                raise ValueError(
                    f"early_stopping=True holds out {n_valid} of n_samples={n}, "
                    "leaving no sample to train on; set early_stopping=False."
                )
        else:
            n_valid, n_train = 0, n
        if not needs_pairs:
            return batch_size, False, batch_size
        if n_train < 2 or (self.early_stopping and n_valid < 2 and self.loss == "bmc"):
            raise ValueError(
                f"{'loss=bmc' if self.loss == 'bmc' else 'batch_norm=True'} needs "
                f"at least 2 training (and validation) samples, got {n_train} "
                f"(and {n_valid})."
            )
        drop_last = n_train > batch_size and n_train % batch_size == 1
        valid_bs = batch_size
        while n_valid > 1 and n_valid % valid_bs == 1:
            valid_bs += 1
        return batch_size, drop_last, valid_bs

    # ----------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets; within the float32 range. A single column is a 1-d
            target (with a ``DataConversionWarning``).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, multiplied into the density weights; they
            also weight the label space's counts and the target's mean and
            standard deviation.

        Returns
        -------
        self : DIRRegressor
            Fitted estimator.
        """
        X, y = validate_data(self, X, y, dtype=np.float32, y_numeric=True,
                             multi_output=True)
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        _check_float32_range(y, "y")
        sample_weight = check_sample_weight_1d(sample_weight, y)
        if sample_weight is not None:
            _check_float32_range(sample_weight, "sample_weight")
        # Every option is checked before anything is trained.
        fds_options = _options(self.fds, FDSOptions)
        rrt_options = _options(self.rrt, RRTOptions)
        ranksim_options = _options(self.ranksim, RankSimOptions)
        conr_options = _options(self.conr, ConROptions)
        rnc_options = _options(self.rnc, RnCOptions)
        cmixup_options = _options(self.cmixup, CMixupOptions)
        if rnc_options is not None and rrt_options is None:
            rrt_options = RRTOptions()._validate()  # the head's stage
        loss_params = dict(self.loss_params or {})
        self._check_settings(loss_params)
        self._check_multi_output()
        optimizer = _OPTIMIZERS.get(self.optimizer, self.optimizer)
        optimizer_kwargs = self._optimizer_kwargs(optimizer)
        user_callbacks = self._user_callbacks()
        device = self._resolve_device()
        if _AMP[self.amp] is not None and not device.startswith("cuda"):
            raise ValueError(
                f"amp={self.amp!r} is mixed precision on a CUDA device, but training "
                f"runs on {device!r}; leave amp=False or train on CUDA."
            )
        batch_size, drop_last, valid_bs = self._batch_sizes(
            y.shape[0], self.loss == "bmc" or (self.batch_norm and self.module is None)
        )

        rng = check_random_state(self.random_state)
        torch_seed, split_seed, loss_seed, shuffle_seed = (
            int(s) for s in rng.randint(np.iinfo(np.int32).max, size=4)
        )
        # The label space, the weights, the FDS bins and the shot groups are
        # in the units of y; the network learns z = (y - mean) / scale.
        self.label_space_ = fit_label_space(self.label_space, y, sample_weight)
        if self.scale_target:
            # One mean and scale per column of a multi-output target.
            mean = np.average(y, axis=0, weights=sample_weight)
            scale = np.sqrt(np.average((y - mean) ** 2, axis=0, weights=sample_weight))
            scale = np.where(scale > 0, scale, 1.0)
        else:
            mean, scale = np.zeros(self.n_outputs_), np.ones(self.n_outputs_)
        if y.ndim == 1:
            mean, scale = float(np.squeeze(mean)), float(np.squeeze(scale))
        self.target_mean_, self.target_scale_ = mean, scale
        z = (y - self.target_mean_) / self.target_scale_

        density = self._density_weights(y, sample_weight)
        user = np.ones(y.shape[0]) if sample_weight is None else sample_weight
        final = user * density
        stage1 = user if rrt_options is not None else final
        # The weights are checked here once, so the losses need not check
        # them batch by batch.
        for weights in (stage1, final):
            w32 = weights.astype(np.float32)
            if not (np.isfinite(w32).all() and (w32 > 0).any()):
                raise ValueError(
                    "sample_weight times the density weights leaves the float32 "
                    "range the network computes in (overflow, or every weight "
                    "rounds to 0); rescale sample_weight."
                )

        z32 = z.astype(np.float32)
        # Only what the network and the loss use rides with the batches: the
        # FDS bin of every sample (binned once here, from y, not per batch),
        # the weights unless they are all 1 (the loss is then the plain mean,
        # the same number).
        data = {"X": X}
        if np.any(stage1 != 1):
            data["sample_weight"] = stage1.astype(np.float32)
        callbacks = [("fds_epoch_end", FDSEpochEnd()), *user_callbacks]
        # skorch formats its per-epoch table even when it does not print it.
        log = {"callbacks__print_log": _PrintLog() if self.verbose else None}
        stopping = self._stopping_callback()
        if stopping is not None:
            callbacks.append(("early_stopping", stopping))
        balanced = isinstance(self.loss, str) and self.loss in BALANCED
        noise_sigma_lr = None
        if balanced:
            noise_sigma_lr = (
                _NOISE_SIGMA_LR if self.noise_sigma_lr is None else self.noise_sigma_lr
            )
        with torch.random.fork_rng(devices=_cuda_devices(device)):
            torch.manual_seed(torch_seed)
            criterion = self._criterion(z, loss_params, loss_seed)
            network = self._build_network(X.shape[1], fds_options, device)
            if network.fds is not None:
                data["bin_index"] = self.label_space_._index(y).astype(np.int64)
            # With rnc, the first stage is the encoder's pre-training.
            first_epochs, first_lr = self.max_epochs, self.lr
            if rnc_options is not None:
                if rnc_options.max_epochs is not None:
                    first_epochs = rnc_options.max_epochs
                if rnc_options.lr is not None:
                    first_lr = rnc_options.lr
            net = ObjectiveNet(
                network,
                **self._objective(conr_options, rnc_options, cmixup_options),
                pretraining=rnc_options is not None,
                criterion=criterion,
                optimizer=optimizer,
                optimizer__weight_decay=self.weight_decay,
                **optimizer_kwargs,
                lr=first_lr,
                noise_sigma_lr=noise_sigma_lr,
                shuffle_seed=shuffle_seed,
                amp=_AMP[self.amp],
                ranksim_gamma=0.0 if ranksim_options is None else ranksim_options.gamma,
                ranksim_lambda=(
                    2.0 if ranksim_options is None
                    else ranksim_options.interpolation_lambda
                ),
                max_epochs=first_epochs,
                batch_size=batch_size,
                iterator_train=BatchLoader,
                iterator_valid=BatchLoader,
                iterator_train__shuffle=True,
                iterator_train__drop_last=drop_last,
                iterator_valid__batch_size=valid_bs,
                train_split=(
                    ValidSplit(
                        _VALIDATION_FRACTION if self.validation_fraction is None
                        else self.validation_fraction,
                        random_state=split_seed,
                    )
                    if self.early_stopping else None
                ),
                callbacks=callbacks,
                device=device,
                verbose=int(self.verbose),
                **log,
            )
            # The training data go to the device once for the whole fit
            # when they fit there (see skdir.nn._net.place_data).
            target = z32 if z32.ndim == 2 else z32[:, None]
            data, target = place_data(data, device), place_data(target, device)
            net.fit(data, target)
            net.pretraining = False
            if rrt_options is not None:
                data2 = dict(
                    data, sample_weight=place_data(final.astype(np.float32), device)
                )
                retrain_head(
                    net, data2, target,
                    max_epochs=int(
                        self.max_epochs if rrt_options.max_epochs is None
                        else rrt_options.max_epochs
                    ),
                    lr=float(self.lr if rrt_options.lr is None else rrt_options.lr),
                )
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.device_ = device
        self.training_targets_ = TrainingTargets.from_y(y)
        return self

    def predict(self, X, return_std=False):
        """Predict targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        return_std : bool, default=False
            Also return the predicted standard deviation (needs
            ``uncertainty="gaussian"``).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs_)
            Predictions (float64), in the units of ``y``.
        y_std : ndarray of shape (n_samples,) or (n_samples, n_outputs_)
            Standard deviation of the predictive Gaussian, in the units of
            ``y``; only with ``return_std=True``.
        """
        check_is_fitted(self)
        if return_std and self.uncertainty != "gaussian":
            raise ValueError(
                f"return_std=True needs uncertainty='gaussian', got "
                f"uncertainty={self.uncertainty!r}."
            )
        X = validate_data(self, X, dtype=np.float32, reset=False)
        out = _predict_fixed_batches(
            self.net_.module_, X, self.net_.batch_size, self.device_
        ).astype(np.float64)
        d = self.n_outputs_
        y_pred = out[:, :d] * self.target_scale_ + self.target_mean_
        if d == 1:
            y_pred = y_pred[:, 0]
        if not return_std:
            return y_pred
        log_var = np.clip(out[:, d:], *_LOG_VAR_RANGE)
        y_std = np.exp(0.5 * log_var) * self.target_scale_
        return y_pred, (y_std[:, 0] if d == 1 else y_std)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = True
        tags.non_deterministic = self.random_state is None
        return tags


@torch.no_grad()
def _predict_fixed_batches(module, X, batch_size, device):
    """Predictions of ``module`` in evaluation mode, in batches of one shape.

    A float32 matrix product may round differently for different numbers of
    rows, so the same sample could get a prediction that differs in the last
    bit with the batch it is predicted in. Every batch is therefore padded to
    ``batch_size`` rows (zeros, dropped afterwards): a sample's prediction
    does not depend on the rest of ``X``.
    """
    module.eval()
    # On the device when X fits there; shares memory with X on the CPU
    # unless X is read-only or not contiguous. The predictions stay on the
    # device until one transfer at the end.
    X = place_data(X, device)
    n = X.shape[0]
    size = int(batch_size)
    preds = []  # X has at least one row (validate_data)
    for start in range(0, n, size):
        batch = X[start:start + size]
        rows = batch.shape[0]
        if rows < size:
            batch = torch.cat([batch, batch.new_zeros((size - rows, *batch.shape[1:]))])
        pred, _ = module(batch.to(device))
        preds.append(pred[:rows].reshape(rows, -1).float())
    return torch.cat(preds).cpu().numpy()


def _cuda_devices(device):
    return [torch.device(device).index or 0] if device != "cpu" else []


def _silent(*args, **kwargs):
    pass


class _PrintLog(PrintLog):
    """skorch's per-epoch table, with colour codes only on a terminal.

    The best values of a column are coloured with ANSI escape codes; they
    are left out when standard output is not a terminal (a file, a pipe, a
    notebook's captured stream), where they would show as stray characters.
    """

    def format_row(self, row, key, color):
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not _stdout_is_terminal():
            text = text.replace(color, "").replace(Ansi.ENDC.value, "")
        return text


def _stdout_is_terminal():
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False
