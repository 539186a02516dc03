"""The methods of the DIR benchmark: a registry of rows built from the public API.

Each row of the benchmark table is a :class:`Method` whose ``build`` makes an
unfitted estimator from a :class:`Context` (bins, seed, base model and
training budget). Rows whose module cannot be imported (``skdir.resampling``
before it exists, ``skdir.nn`` without torch) are reported as unavailable
with the reason, never silently dropped.
"""

import importlib
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

__all__ = ["Context", "Method", "METHODS", "available", "select_methods"]


@dataclass
class Context:
    """What a method needs to build its estimator."""

    bins: object
    random_state: int = 0
    model: str = "hgb"
    max_epochs: int = 20
    min_steps: int = 600
    batch_size: int = 128
    lr: float = 1e-3
    device: str = "cpu"
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Method:
    """One row of the benchmark table.

    Attributes
    ----------
    key : str
        Name on the command line (``--methods``).
    label : str
        Name in the table.
    family : str
        ``"tabular"`` (a scikit-learn regressor) or ``"neural"``
        (:class:`skdir.nn.DIRRegressor`); each family has its own Vanilla row.
    build : callable
        ``build(context) -> estimator``.
    requires : str or None
        Module that must be importable.
    quick : bool
        Part of the default quick run.
    """

    key: str
    label: str
    family: str
    build: object
    requires: str = None
    quick: bool = False


def _set_supported(estimator, **params):
    """Set the parameters the estimator has; ignore the others."""
    names = estimator.get_params(deep=False)
    estimator.set_params(**{k: v for k, v in params.items() if k in names})
    return estimator


def _base_regressor(ctx):
    if ctx.model == "ridge":
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), Ridge(alpha=1.0))
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(max_iter=100, random_state=ctx.random_state)


def _vanilla(ctx):
    return _base_regressor(ctx)


def _reweighted(reweight, lds):
    def build(ctx):
        from .weighting import LDSWeighter, ReweightedRegressor

        weighter = LDSWeighter(bins=ctx.bins, reweight=reweight, lds=lds)
        return ReweightedRegressor(_base_regressor(ctx), weighter)

    return build


def _resampled(sampler_name, relevance):
    def build(ctx):
        from imblearn.pipeline import Pipeline

        resampling = importlib.import_module("skdir.resampling")
        sampler = getattr(resampling, sampler_name)()
        params = {"random_state": ctx.random_state, "bins": ctx.bins}
        if relevance is not None:
            params["relevance"] = relevance
        _set_supported(sampler, **params)
        return Pipeline([("sampler", sampler), ("model", _base_regressor(ctx))])

    return build


class _StandardizedTarget(RegressorMixin, BaseEstimator):
    """Fit a DIRRegressor on the standardised target, in the same label bins.

    The bins are fitted on the original target and handed to the network as
    standardised edges, so LDS, FDS and BNI see exactly the bins of the shot
    metrics while the network trains on a unit-scale target. Small training
    sets get more epochs, up to ``min_steps`` optimiser steps in all.
    """

    def __init__(self, regressor=None, bins=None, min_steps=0):
        self.regressor = regressor
        self.bins = bins
        self.min_steps = min_steps

    def fit(self, X, y):
        from ._targets import TrainingTargets
        from ._validation import check_target
        from .bins import fitted_bins, resolve_bins

        y = check_target(y)
        edges = fitted_bins(resolve_bins(self.bins), y).edges_
        self.mean_, self.scale_ = float(y.mean()), float(y.std()) or 1.0
        self.regressor_ = clone(self.regressor).set_params(
            bins=(edges - self.mean_) / self.scale_)
        params = self.regressor_.get_params()
        batches = -(-y.size // params["batch_size"])
        epochs = max(params["max_epochs"], -(-self.min_steps // batches))
        self.regressor_.set_params(max_epochs=epochs)
        self.regressor_.fit(X, (y - self.mean_) / self.scale_)
        self.training_targets_ = TrainingTargets.from_y(y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        return np.asarray(self.regressor_.predict(X)).ravel() * self.scale_ + self.mean_


def _neural(**params):
    def build(ctx):
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        nn = importlib.import_module("skdir.nn")
        model = nn.DIRRegressor()
        settings = {
            "max_epochs": ctx.max_epochs,
            "batch_size": ctx.batch_size,
            "lr": ctx.lr,
            "device": ctx.device,
            "random_state": ctx.random_state,
            "loss": "l1",
            **params,
        }
        unknown = [k for k in params if k not in model.get_params(deep=False)]
        if unknown:
            raise ValueError(f"DIRRegressor has no parameter(s) {unknown}.")
        _set_supported(model, **settings)
        return Pipeline([("scale", StandardScaler()),
                         ("model", _StandardizedTarget(model, bins=ctx.bins,
                                                       min_steps=ctx.min_steps))])

    return build


def _registry():
    rows = [
        Method("vanilla", "Vanilla", "tabular", _vanilla, quick=True),
        Method("smoter", "SMOTER", "tabular",
               _resampled("SMOTER", "phi"), "skdir.resampling", quick=True),
        Method("smoter-lds", "SMOTER + LDS", "tabular",
               _resampled("SMOTER", "lds"), "skdir.resampling", quick=True),
        Method("smogn", "SMOGN", "tabular",
               _resampled("SMOGN", "phi"), "skdir.resampling", quick=True),
        Method("smogn-lds", "SMOGN + LDS", "tabular",
               _resampled("SMOGN", "lds"), "skdir.resampling", quick=True),
        Method("ros-lds", "RandomOverSampler + LDS", "tabular",
               _resampled("RandomOverSampler", "lds"), "skdir.resampling"),
        Method("rus-lds", "RandomUnderSampler + LDS", "tabular",
               _resampled("RandomUnderSampler", "lds"), "skdir.resampling"),
        Method("gn-lds", "GaussianNoise + LDS", "tabular",
               _resampled("GaussianNoise", "lds"), "skdir.resampling"),
        Method("wercs-lds", "WERCS + LDS", "tabular",
               _resampled("WERCS", "lds"), "skdir.resampling"),
        Method("inv", "INV", "tabular", _reweighted("inverse", False), quick=True),
        Method("inv-lds", "INV + LDS", "tabular", _reweighted("inverse", True),
               quick=True),
        Method("sqinv", "SQINV", "tabular", _reweighted("sqrt_inv", False), quick=True),
        Method("sqinv-lds", "SQINV + LDS", "tabular", _reweighted("sqrt_inv", True),
               quick=True),
    ]
    nn = "skdir.nn"
    neural = [
        ("nn-vanilla", "Vanilla", {}, True),
        ("nn-focal-r", "Focal-R", {"loss": "focal_l1"}, True),
        ("nn-focal-r-lds", "Focal-R + LDS",
         {"loss": "focal_l1", "reweight": "sqrt_inv", "lds": True}, False),
        ("nn-focal-r-fds", "Focal-R + FDS", {"loss": "focal_l1", "fds": True}, False),
        ("nn-focal-r-lds-fds", "Focal-R + LDS + FDS",
         {"loss": "focal_l1", "reweight": "sqrt_inv", "lds": True, "fds": True}, False),
        ("nn-rrt", "RRT", {"rrt": True}, False),
        ("nn-rrt-lds", "RRT + LDS",
         {"rrt": True, "reweight": "sqrt_inv", "lds": True}, False),
        ("nn-rrt-fds", "RRT + FDS", {"rrt": True, "fds": True}, False),
        ("nn-rrt-lds-fds", "RRT + LDS + FDS",
         {"rrt": True, "reweight": "sqrt_inv", "lds": True, "fds": True}, False),
        ("nn-inv", "INV", {"reweight": "inverse"}, False),
        ("nn-inv-lds", "INV + LDS", {"reweight": "inverse", "lds": True}, False),
        ("nn-sqinv", "SQINV", {"reweight": "sqrt_inv"}, False),
        ("nn-sqinv-lds", "SQINV + LDS", {"reweight": "sqrt_inv", "lds": True}, True),
        ("nn-sqinv-fds", "SQINV + FDS", {"reweight": "sqrt_inv", "fds": True}, False),
        ("nn-sqinv-lds-fds", "SQINV + LDS + FDS",
         {"reweight": "sqrt_inv", "lds": True, "fds": True}, True),
    ]
    # Balanced MSE with the reference's defaults in the target's own units:
    # the noise scale starts at one label bin (the reference's 1.0 on
    # one-year age bins) and is learned at sigma_lr=1e-2; the "fixed sigma"
    # rows keep it at one bin (the reference's --fix_noise_sigma).
    for imp, quick in (("gai", False), ("bmc", False), ("bni", True)):
        learned = {"init_noise_sigma": "auto", "sigma_lr": 1e-2}
        fixed = {"init_noise_sigma": "auto", "fix_noise_sigma": True}
        neural += [
            (f"nn-bmse-{imp}", f"Balanced MSE ({imp.upper()})",
             {"loss": imp, "loss_params": learned}, quick),
            (f"nn-bmse-{imp}-fixed", f"Balanced MSE ({imp.upper()}, fixed sigma)",
             {"loss": imp, "loss_params": fixed}, False),
        ]
    for key, label, params, quick in neural:
        rows.append(Method(key, label, "neural", _neural(**params), nn, quick))
    return {m.key: m for m in rows}


#: All benchmark rows by key, in table order.
METHODS = _registry()

_GROUPS = {
    "quick": lambda m: m.quick,
    "all": lambda m: True,
    "tabular": lambda m: m.family == "tabular",
    "neural": lambda m: m.family == "neural",
}


def available(method):
    """None when the method can run here, else the reason it cannot."""
    if method.requires is None:
        return None
    try:
        importlib.import_module(method.requires)
    except ImportError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        return f"{method.requires} is not importable ({first})"
    return None


def select_methods(spec):
    """Methods named by a comma-separated list of keys and group names.

    Groups: ``quick`` (the default run), ``all``, ``tabular``, ``neural``.
    Raises ValueError naming the unknown names.
    """
    names = [name.strip().lower() for name in spec.split(",") if name.strip()]
    if not names:
        raise ValueError("--methods is empty; give method names or a group.")
    unknown = [n for n in names if n not in METHODS and n not in _GROUPS]
    if unknown:
        raise ValueError(
            f"unknown method(s) {', '.join(unknown)}; choose from groups "
            f"{', '.join(_GROUPS)} or methods {', '.join(METHODS)} "
            "(see `skdir methods`)."
        )
    chosen = set()
    for name in names:
        if name in _GROUPS:
            chosen.update(k for k, m in METHODS.items() if _GROUPS[name](m))
        else:
            chosen.add(name)
    return [m for k, m in METHODS.items() if k in chosen]
