"""DIRRegressor: options, determinism, pickling, RRT, search, devices."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from skorch.callbacks import LRScheduler  # noqa: E402

from skdir import LabelSpace  # noqa: E402
from skdir.metrics import find_training_targets  # noqa: E402
from skdir.nn import (  # noqa: E402
    DIRRegressor,
    FDSOptions,
    RankSimOptions,
    RRTOptions,
    losses,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0] + rng.exponential(2.0, size=90) - 3.0
    return X, y


def _model(**params):
    # A fixed number of epochs on all the data unless a test says otherwise.
    base = dict(hidden_layer_sizes=(8,), max_epochs=3, batch_size=32, random_state=0,
                early_stopping=False, n_iter_no_change=None)
    return DIRRegressor(**{**base, **params})


def test_random_state_determinism_and_no_global_rng_side_effect(data):
    X, y = data
    state = torch.get_rng_state()
    a = _model(fds=True, dropout=0.2, reweight="sqrt_inv", lds=True).fit(X, y).predict(X)
    assert torch.equal(torch.get_rng_state(), state)  # fit and predict
    b = _model(fds=True, dropout=0.2, reweight="sqrt_inv", lds=True).fit(X, y).predict(X)
    c = _model(fds=True, dropout=0.2, reweight="sqrt_inv", lds=True, random_state=1)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c.fit(X, y).predict(X))


def test_random_state_none_draws_from_numpys_global_rng(data):
    X, y = data
    np.random.seed(3)
    a = _model(random_state=None).fit(X, y).predict(X)
    np.random.seed(3)
    b = _model(random_state=None).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, b)
    rs = np.random.RandomState(3)
    c = _model(random_state=rs).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, c)  # the same seeds drawn from the same state


@pytest.mark.parametrize("loss", losses.LOSSES)
def test_every_named_loss_trains(data, loss):
    X, y = data
    # sMAPE is a relative error: it needs the target as it is.
    model = _model(loss=loss, reweight="inverse", scale_target=loss != "smape").fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    assert np.isfinite(model.net_.history[:, "train_loss"]).all()


def test_balanced_noise_sigma_is_learned_with_its_own_lr(data):
    X, y = data
    model = _model(loss="gai", label_space=LabelSpace(bin_width=0.5), noise_sigma_lr=0.5,
                   loss_params={"n_components": 2}).fit(X, y)
    groups = model.net_.optimizer_.param_groups
    assert [g["lr"] for g in groups] == [1e-3, 0.5]
    init = 0.5 / model.target_scale_  # "auto", one bin, in the network's units
    assert float(model.net_.criterion_.noise_sigma.detach()) != pytest.approx(init)
    assert model.net_.criterion_.gmm_means.numel() == 2
    # None means the reference's 1e-2 for the Balanced MSE losses.
    model = _model(loss="bmc").fit(X, y)
    assert [g["lr"] for g in model.net_.optimizer_.param_groups] == [1e-3, 1e-2]


@pytest.mark.parametrize("loss", ["gai", "bmc", "bni"])
@pytest.mark.parametrize("scale_target", [False, True])
def test_auto_noise_sigma_is_one_label_bin(data, loss, scale_target):
    X, y = data
    # Default bins: Rice's rule, ceil(2 * 90 ** (1/3)) = 9 equal bins.
    model = _model(loss=loss, loss_params={"fix_noise_sigma": True},
                   scale_target=scale_target).fit(X, y)
    assert model.label_space_.n_bins_ == 9
    # The noise scale lives in the network's units: one bin of y, divided by
    # the scale of the target.
    sigma = float(model.net_.criterion_.noise_sigma.detach()) * model.target_scale_
    assert sigma == pytest.approx(np.ptp(y) / 9, rel=1e-6)
    model = _model(loss=loss, label_space=LabelSpace(bin_width=0.25),
                   loss_params={"fix_noise_sigma": True}, scale_target=scale_target)
    sigma = float(model.fit(X, y).net_.criterion_.noise_sigma.detach())
    assert sigma * model.target_scale_ == pytest.approx(0.25, rel=1e-6)


@pytest.mark.parametrize(
    "loss_params, noise_sigma_lr, learned",
    [
        ({"fix_noise_sigma": True}, None, False),
        ({}, 0.0, False),
        ({"init_noise_sigma": 2.0, "fix_noise_sigma": True}, None, False),
        ({}, 0.5, True),
    ],
)
def test_frozen_noise_sigma_does_not_move(data, loss_params, noise_sigma_lr, learned):
    X, y = data
    init = loss_params.get("init_noise_sigma", 0.5)
    model = _model(loss="bmc", label_space=LabelSpace(bin_width=0.5),
                   loss_params=loss_params, noise_sigma_lr=noise_sigma_lr,
                   scale_target=False).fit(X, y)
    sigma = float(model.net_.criterion_.noise_sigma.detach())
    assert (sigma != init) is learned
    if loss_params.get("fix_noise_sigma"):
        # The constant is not in the optimiser at all.
        assert len(model.net_.optimizer_.param_groups) == 1
    assert np.isfinite(model.predict(X)).all()


def test_bmc_avoids_single_sample_batches_and_rejects_one_sample(data):
    X, y = data
    # 33 samples with batch 32 would leave a last batch of one.
    _model(loss="bmc").fit(X[:33], y[:33])
    _model(loss="bmc", early_stopping=True, validation_fraction=0.1,
           n_iter_no_change=10).fit(X[:45], y[:45])
    with pytest.raises(ValueError, match="at least 2"):
        _model(loss="bmc").fit(X[:1], y[:1])


def test_fds_schedule_in_the_net(data):
    X, y = data
    model = _model(fds=FDSOptions(start_smooth=2, momentum=0.5, clip=(0.2, 5)),
                   label_space=LabelSpace(n_bins=6, ks=3), max_epochs=4).fit(X, y)
    fds = model.net_.module_.fds
    assert int(fds.epoch) == 4 and fds.n_bins == 6 and fds.window.numel() == 3
    assert (fds.start_smooth, fds.momentum, fds.clip) == (2, 0.5, (0.2, 5.0))
    assert fds.label_space is model.label_space_
    np.testing.assert_array_equal(fds.edges, model.label_space_.edges_)
    np.testing.assert_allclose(fds.window, model.label_space_.window("sum"), rtol=1e-6)
    assert fds.populated.numpy().tolist() == (model.label_space_.counts_ > 0).tolist()


def test_one_label_space_serves_lds_fds_and_bni(data):
    X, y = data
    model = _model(reweight="sqrt_inv", lds=True, fds=True, loss="bni",
                   loss_params={"lds": True}).fit(X, y)
    space = model.label_space_
    assert model.weighter_.label_space_ is space
    assert model.net_.module_.fds.label_space is space
    np.testing.assert_array_equal(model.net_.module_.fds.edges, space.edges_)
    # BNI's bins are the label space's, in the network's units.
    criterion = model.net_.criterion_
    centers = criterion.bin_centers.numpy() * model.target_scale_ + model.target_mean_
    populated = space.effective_counts_ > 0
    np.testing.assert_allclose(centers, space.centers_[populated], rtol=1e-5, atol=1e-5)
    prior = space.effective_counts_[populated] / space.effective_counts_.sum()
    np.testing.assert_allclose(criterion.bin_log_probs.exp(), prior, rtol=1e-5)
    # The FDS bins of the samples come from y in its own units.
    np.testing.assert_array_equal(
        model.net_.module_.fds.bin_index(torch.tensor(y)).numpy(), space.transform(y)
    )


def test_fitted_label_space_is_used_as_given(data):
    X, y = data
    space = LabelSpace(bin_width=1.0).fit(np.r_[y, 100.0])  # counts of other data
    model = _model(label_space=space, reweight="inverse", fds=True).fit(X, y)
    assert model.label_space_ is space
    assert model.weighter_.label_space_ is space
    assert clone(model).label_space is space  # frozen through clone
    unfitted = LabelSpace(bin_width=1.0)
    model = _model(label_space=unfitted).fit(X, y)
    assert model.label_space_ is not unfitted and not hasattr(unfitted, "edges_")
    np.testing.assert_array_equal(model.label_space_.counts_,
                                  LabelSpace(bin_width=1.0).fit(y).counts_)


def test_label_space_counts_use_sample_weight(data):
    X, y = data
    w = np.linspace(0.5, 2.0, len(y))
    model = _model().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(model.label_space_.counts_,
                               LabelSpace().fit(y, sample_weight=w).counts_)


# ------------------------------------------------------------ scale_target
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"reweight": "sqrt_inv", "lds": True, "fds": True},
        {"loss": "bni", "loss_params": {"lds": True}},
        {"loss": "gai", "loss_params": {"n_components": 2}},
        {"loss": "bmc", "rrt": RRTOptions(max_epochs=1)},
    ],
    ids=["mse", "lds-fds", "bni", "gai", "bmc-rrt"],
)
def test_scale_target_makes_predictions_follow_the_units(data, params):
    X, y = data
    a = _model(**params).fit(X, y).predict(X)
    b = _model(**params).fit(X, 1000.0 * y + 5.0).predict(X)
    np.testing.assert_allclose(b, 1000.0 * a + 5.0, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize(
    "params",
    [
        {"reweight": "sqrt_inv", "lds": True, "fds": True},
        {"loss": "bni", "loss_params": {"fix_noise_sigma": True}},
        {"loss": "gai", "loss_params": {"n_components": 2}},
    ],
    ids=["lds-fds", "bni", "gai"],
)
def test_scale_target_equals_training_on_the_standardised_target(data, params):
    # Fitting on y with scale_target=True is fitting on the weighted
    # standardised target z without it: the same bins (in z's units), the
    # same weights, the same BNI prior and noise scale, the same GMM.
    X, y = data
    w = np.linspace(0.5, 2.0, len(y))
    mean = np.average(y, weights=w)
    std = np.sqrt(np.average((y - mean) ** 2, weights=w))
    scaled = _model(**params).fit(X, y, sample_weight=w)
    assert scaled.target_mean_ == pytest.approx(mean, rel=1e-12)
    assert scaled.target_scale_ == pytest.approx(std, rel=1e-12)
    plain = _model(scale_target=False, **params).fit(X, (y - mean) / std, sample_weight=w)
    assert (plain.target_mean_, plain.target_scale_) == (0.0, 1.0)
    np.testing.assert_allclose(scaled.predict(X), plain.predict(X) * std + mean,
                               rtol=1e-5, atol=1e-4)
    # The label space and the shot groups stay in the units of y.
    np.testing.assert_allclose(scaled.label_space_.edges_ - mean,
                               plain.label_space_.edges_ * std, atol=1e-9)
    np.testing.assert_array_equal(scaled.training_targets_.to_y(), np.sort(y))


def test_scale_target_false_trains_on_y_itself(data):
    X, y = data
    model = _model(scale_target=False).fit(X, y)
    assert (model.target_mean_, model.target_scale_) == (0.0, 1.0)
    raw = model.net_.predict(X.astype(np.float32)).ravel().astype(np.float64)
    np.testing.assert_allclose(model.predict(X), raw, rtol=1e-6, atol=1e-6)


def test_predictions_do_not_depend_on_the_batch(data):
    X, y = data
    model = _model(scale_target=True).fit(X, 1e4 * y)
    full = model.predict(X)
    one_by_one = np.concatenate([model.predict(X[i:i + 1]) for i in range(len(X))])
    np.testing.assert_array_equal(full, one_by_one)


def test_constant_target_has_scale_one(data):
    X, _ = data
    model = _model(reweight="sqrt_inv").fit(X[:10], np.full(10, 7.0))
    assert (model.target_mean_, model.target_scale_) == (7.0, 1.0)
    np.testing.assert_allclose(model.predict(X[:3]), 7.0, atol=1.0)


def test_weights_reach_the_loss(data):
    X, y = data
    model = _model(reweight="inverse", lds=True, max_epochs=1).fit(X, y)
    expected = model.weighter_.transform(y)
    np.testing.assert_allclose(expected.mean(), 1.0)
    weights = []
    original = model.net_.criterion_.forward

    def spy(pred, target, weight=None):
        weights.append(weight.detach().numpy().ravel())
        return original(pred, target, weight)

    net = model.net_
    net.criterion_.forward = spy
    net.max_epochs = 1
    net.iterator_train__shuffle = False
    net.partial_fit({"X": X.astype(np.float32), "labels": y.astype(np.float32),
                     "sample_weight": expected.astype(np.float32)},
                    y.astype(np.float32)[:, None])
    np.testing.assert_allclose(np.concatenate(weights), expected, rtol=1e-6)


def test_sample_weight_multiplies_and_zero_weight_drops(data):
    X, y = data
    w = np.ones_like(y)
    np.testing.assert_array_equal(
        _model().fit(X, y, sample_weight=w).predict(X), _model().fit(X, y).predict(X)
    )
    with pytest.raises(ValueError, match="sample_weight"):
        _model().fit(X, y, sample_weight=-w)


def test_values_beyond_float32_are_rejected(data):
    X, y = data
    big = 2.0 * float(np.finfo(np.float32).max)
    with pytest.raises(ValueError, match="y has 1 value"):
        _model().fit(X, np.r_[y[:-1], big])
    with pytest.raises(ValueError, match="sample_weight has 1 value"):
        _model().fit(X, y, sample_weight=np.r_[np.ones(len(y) - 1), big])
    # Valid float64 weights that all round to 0 in float32.
    with pytest.raises(ValueError, match="rounds to 0"):
        _model().fit(X, y, sample_weight=np.full(len(y), 1e-50))


def test_rrt_freezes_encoder_and_batchnorm_and_retrains_head(data):
    X, y = data
    plain = _model(batch_norm=True, dropout=0.1).fit(X, y)
    rrt = _model(batch_norm=True, dropout=0.1, reweight="inverse", lds=True,
                 rrt=RRTOptions(max_epochs=2, lr=0.01)).fit(X, y)
    # Stage one is the plain, unweighted fit with the same seed.
    enc_plain = plain.net_.module_.encoder.state_dict()
    enc_rrt = rrt.net_.module_.encoder.state_dict()
    assert enc_plain.keys() == enc_rrt.keys()
    for key in enc_plain:  # weights and batch-norm running statistics
        torch.testing.assert_close(enc_rrt[key], enc_plain[key])
    assert not torch.allclose(rrt.net_.module_.head.weight, plain.net_.module_.head.weight)
    assert rrt.n_iter_ == 5
    assert rrt.net_.lr == 0.01
    assert all(not p.requires_grad for p in rrt.net_.module_.encoder.parameters())
    # None: the second stage takes the max_epochs and lr of the first.
    rrt = _model(reweight="inverse", rrt=True).fit(X, y)
    assert rrt.n_iter_ == 6 and rrt.net_.lr == 1e-3


def test_ranksim_changes_training(data):
    X, y = data
    a = _model(ranksim=RankSimOptions(gamma=10.0)).fit(X, y).predict(X)
    b = _model().fit(X, y).predict(X)
    assert not np.allclose(a, b)
    c = _model(ranksim=RankSimOptions(gamma=0.0)).fit(X, y).predict(X)
    np.testing.assert_array_equal(b, c)


def test_user_modules(data):
    X, y = data
    encoder = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh())
    model = _model(module=encoder, fds=True).fit(X, y)
    assert model.net_.module_.head.in_features == 6
    assert model.net_.module_.encoder is not encoder  # a re-initialised copy
    assert model.predict(X).shape == (90,)

    class TwoPart(torch.nn.Module):
        def __init__(self, n_features):
            super().__init__()
            self.encoder = torch.nn.Linear(n_features, 3)
            self.head = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(3, 1))

    model = _model(module=TwoPart).fit(X, y)
    assert isinstance(model.net_.module_.head, torch.nn.Sequential)
    with pytest.raises(TypeError, match="module"):
        _model(module=lambda n: "nope").fit(X, y)


def test_callable_loss(data):
    X, y = data
    loss = torch.nn.L1Loss(reduction="none")
    model = _model(loss=loss, reweight="sqrt_inv").fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    assert model.net_.criterion_.fn is not loss  # fit trains a copy
    with pytest.raises(ValueError, match="per-sample"):
        _model(loss=torch.nn.L1Loss(), reweight="sqrt_inv").fit(X, y)


def test_early_stopping_and_verbose(data, capsys):
    X, y = data
    model = _model(early_stopping=True, n_iter_no_change=1, max_epochs=50, lr=0.1,
                   verbose=1).fit(X, y)
    assert model.n_iter_ < 50
    out = capsys.readouterr().out
    assert "valid_loss" in out
    # Standard output is captured here, not a terminal: no colour codes.
    assert "\x1b" not in out


class _Terminal:
    """A stream that says it is a terminal."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return True


class _File(_Terminal):
    def isatty(self):
        return False


@pytest.mark.parametrize("stream, coloured", [(_Terminal, True), (_File, False)])
def test_verbose_colours_only_on_a_terminal(data, monkeypatch, stream, coloured):
    X, y = data
    out = stream()
    monkeypatch.setattr(sys, "stdout", out)
    _model(max_epochs=3, verbose=1).fit(X, y)
    text = "".join(out.parts)
    assert "train_loss" in text
    # skorch colours a column's best values; the first epoch is always best.
    assert ("\x1b[" in text) is coloured


def test_default_stopping_rules(data):
    X, y = data
    n = len(y)
    model = DIRRegressor(hidden_layer_sizes=(8,), max_epochs=3, random_state=0).fit(X, y)
    history = model.net_.history
    # Early stopping holds out ceil(0.1 n) samples, batches of 64.
    assert sum(b.get("train_batch_size", 0) for b in history[0]["batches"]) == n - 9
    assert [b["train_batch_size"] for b in history[0]["batches"]
            if "train_batch_size" in b] == [64, 17]
    assert sum(b.get("valid_batch_size", 0) for b in history[0]["batches"]) == 9
    stopping = dict(model.net_.callbacks_)["early_stopping"]
    assert (stopping.monitor, stopping.patience, stopping.threshold,
            stopping.load_best) == ("valid_loss", 20, 1e-4, True)
    assert model.net_.optimizer_.param_groups[0]["weight_decay"] == 1e-3
    # batch_size="auto" is min(200, n), as in MLPRegressor.
    assert _model(batch_size="auto", max_epochs=1).fit(X, y).net_.batch_size == n
    big = np.tile(X, (3, 1)), np.tile(y, 3)
    model = _model(batch_size="auto", max_epochs=1).fit(*big)
    assert model.net_.batch_size == 200
    assert [b["train_batch_size"] for b in model.net_.history[0]["batches"]] == [200, 70]


def _stop_epoch(losses, patience, tol):
    """The epoch at which the relative plateau rule stops, by hand."""
    threshold, misses = np.inf, 0
    for epoch, loss in enumerate(losses, start=1):
        if loss < threshold:  # improved on the best by more than tol (relative)
            threshold, misses = loss * (1 - tol), 0
        else:
            misses += 1
        if misses == patience:
            return epoch
    return len(losses)


@pytest.mark.parametrize("early_stopping, key", [(False, "train_loss"),
                                                 (True, "valid_loss")])
def test_plateau_rule(data, early_stopping, key):
    X, y = data
    # tol=0.2: stop once the monitored loss has not fallen by 20 % for two epochs.
    model = _model(early_stopping=early_stopping, n_iter_no_change=2, tol=0.2,
                   max_epochs=200, lr=0.05).fit(X, y)
    losses = model.net_.history[:, key]
    assert model.n_iter_ < 200
    assert model.n_iter_ == _stop_epoch(losses, 2, 0.2)
    # No rule: every epoch runs.
    assert _model(max_epochs=7, lr=0.05).fit(X, y).n_iter_ == 7


def test_early_stopping_restores_the_best_validation_epoch(data):
    X, y = data
    model = _model(early_stopping=True, n_iter_no_change=3, max_epochs=200, lr=0.05,
                   tol=0.0)
    model.fit(X, y)
    losses = np.asarray(model.net_.history[:, "valid_loss"])
    best = int(np.argmin(losses))
    assert best < len(losses) - 1  # stopped after a worse epoch
    # Scoring the restored weights on the held-out rows gives the best loss.
    split = model.net_.train_split
    _, valid = split(model.net_.get_dataset({"X": X.astype(np.float32)},
                                            np.zeros((len(y), 1), np.float32)))
    z = (y - model.target_mean_) / model.target_scale_
    idx = np.asarray(valid.indices)
    pred = (model.predict(X[idx]) - model.target_mean_) / model.target_scale_
    assert np.mean((pred - z[idx]) ** 2) == pytest.approx(losses[best], rel=1e-4)


@pytest.mark.parametrize("strength, name", [(0.5, "sqrt_inv"), (0, "none")])
def test_reweight_accepts_a_strength(data, strength, name):
    X, y = data
    a = _model(reweight=strength).fit(X, y)
    b = _model(reweight=name).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    if strength:
        np.testing.assert_allclose(a.weighter_.transform(y), b.weighter_.transform(y))
    else:
        assert a.weighter_ is None


def test_pickle_clone_and_training_targets(data):
    X, y = data
    model = _model(fds=True, reweight="sqrt_inv").fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    record = find_training_targets(model)
    np.testing.assert_array_equal(record.to_y(), np.sort(y))
    assert clone(model).get_params() == model.get_params()


def test_grid_search(data):
    X, y = data
    search = GridSearchCV(_model(max_epochs=2), {"reweight": ["none", "sqrt_inv"]}, cv=2)
    search.fit(X, y)
    assert search.best_params_["reweight"] in ("none", "sqrt_inv")
    assert find_training_targets(search) is not None


@pytest.mark.parametrize(
    "params, grid, check",
    [
        ({"fds": FDSOptions()}, {"fds__momentum": [0.5, 0.8]},
         lambda m, v: m.net_.module_.fds.momentum == v),
        ({"rrt": RRTOptions(max_epochs=1)}, {"rrt__lr": [0.01, 0.02]},
         lambda m, v: m.net_.lr == v),
        ({"ranksim": RankSimOptions()}, {"ranksim__gamma": [1.0, 2.0]},
         lambda m, v: m.net_.ranksim_gamma == v),
    ],
    ids=["fds", "rrt", "ranksim"],
)
def test_grid_search_over_options(data, params, grid, check):
    X, y = data
    (name, values), = grid.items()
    search = GridSearchCV(_model(max_epochs=1, **params), grid, cv=2).fit(X[:40], y[:40])
    assert [p[name] for p in search.cv_results_["params"]] == values
    assert check(search.best_estimator_, search.best_params_[name])
    assert getattr(params[name.split("__")[0]], name.split("__")[1]) not in values


def test_the_label_space_is_the_only_place_of_bins_and_kernels():
    import inspect

    from skdir.nn import FDS

    spine = {"bins", "bin_width", "n_bins", "kernel", "ks", "sigma",
             "many_threshold", "few_threshold"}
    for obj in (DIRRegressor, FDS, FDSOptions, losses.make_loss, losses.bin_noise_sigma,
                losses.BNILoss, losses.BNILoss.from_label_space):
        assert not spine & set(inspect.signature(obj).parameters), obj


def test_options_are_parameter_holders():
    opts = FDSOptions(momentum=0.5)
    assert clone(opts).get_params() == opts.get_params()
    model = DIRRegressor(fds=opts, rrt=RRTOptions(), ranksim=RankSimOptions())
    params = model.get_params()
    assert params["fds__momentum"] == 0.5 and params["rrt__lr"] is None
    assert params["ranksim__interpolation_lambda"] == 2.0
    model.set_params(fds__clip=(0.5, 2.0), rrt__max_epochs=3)
    assert opts.clip == (0.5, 2.0) and model.rrt.max_epochs == 3


# ------------------------------------------------- optimizer and callbacks
def test_optimizer_params_reach_the_optimizer(data):
    X, y = data
    model = _model(optimizer="sgd", optimizer_params={"momentum": 0.9, "nesterov": True},
                   loss="bmc").fit(X, y)
    groups = model.net_.optimizer_.param_groups
    assert all(g["momentum"] == 0.9 and g["nesterov"] for g in groups)
    model = _model(optimizer_params={"betas": (0.8, 0.99)}).fit(X, y)
    assert model.net_.optimizer_.param_groups[0]["betas"] == (0.8, 0.99)


def test_lr_scheduler_callback_changes_the_lr(data):
    X, y = data
    scheduler = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    model = _model(callbacks=[scheduler], max_epochs=3).fit(X, y)
    assert model.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.5**3)
    assert not hasattr(scheduler, "lr_scheduler_")  # fit used a copy
    named = _model(callbacks=[("halve", scheduler)], max_epochs=2).fit(X, y)
    assert named.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(1e-3 * 0.25)
    assert "halve" in dict(named.net_.callbacks_)
    plain = _model(max_epochs=3).fit(X, y)
    assert plain.net_.optimizer_.param_groups[0]["lr"] == 1e-3


def test_inputs_not_modified(data):
    X, y = data
    X32, y_copy, w = X.astype(np.float32), y.copy(), np.linspace(0.5, 2.0, len(y))
    X32_copy, w_copy = X32.copy(), w.copy()
    _model(fds=True, reweight="inverse").fit(X32, y, sample_weight=w)
    np.testing.assert_array_equal(X32, X32_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(w, w_copy)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"fds": {"momentum": 0.5}}, ValueError, "'fds' parameter"),
        ({"rrt": {"lr": 0.1}}, ValueError, "'rrt' parameter"),
        ({"ranksim": None}, ValueError, "'ranksim' parameter"),
        ({"label_space": 10}, ValueError, "'label_space' parameter"),
        ({"fds": FDSOptions(momentum=1.5)}, ValueError, "'momentum' parameter"),
        ({"fds": FDSOptions(clip=(0.0, 1.0))}, ValueError, "clip"),
        ({"fds": FDSOptions(clip=(2.0, 1.0))}, ValueError, "clip"),
        ({"fds": FDSOptions(start_smooth=-1)}, ValueError, "'start_smooth' parameter"),
        ({"rrt": RRTOptions(max_epochs=0)}, ValueError, "'max_epochs' parameter"),
        ({"rrt": RRTOptions(lr=-1)}, ValueError, "'lr' parameter"),
        ({"ranksim": RankSimOptions(gamma=-1.0)}, ValueError, "'gamma' parameter"),
        ({"ranksim": RankSimOptions(interpolation_lambda=0.0)}, ValueError,
         "'interpolation_lambda' parameter"),
        ({"lds": True}, ValueError, "lds=True has no effect with reweight='none'"),
        ({"lds": True, "reweight": 0.0}, ValueError, "lds=True has no effect"),
        ({"reweight": -0.5}, ValueError, "'reweight' parameter"),
        ({"reweight": float("inf")}, ValueError, "'reweight' parameter"),
        ({"reweight": float("nan")}, ValueError, "'reweight' parameter"),
        ({"validation_fraction": 0.2}, ValueError,
         "validation_fraction=0.2 has no effect with early_stopping=False"),
        ({"tol": 1e-3}, ValueError, "tol=0.001 has no effect with n_iter_no_change"),
        ({"early_stopping": True}, ValueError, "early_stopping=True needs n_iter_no"),
        ({"batch_size": "max"}, ValueError, "'batch_size' parameter"),
        ({"n_iter_no_change": 0}, ValueError, "'n_iter_no_change' parameter"),
        ({"noise_sigma_lr": 0.1}, ValueError, "noise_sigma_lr=0.1 has no effect"),
        ({"loss": "bmc", "noise_sigma_lr": 0.1, "loss_params": {"fix_noise_sigma": True}},
         ValueError, "no effect with loss_params"),
        ({"loss": "bmc", "noise_sigma_lr": -1.0}, ValueError, "'noise_sigma_lr' parameter"),
        ({"loss": "bmc", "loss_params": {"sigma_lr": 0.1}}, TypeError, "sigma_lr"),
        ({"loss": "smape"}, ValueError, "scale_target=False"),
        ({"optimizer_params": {"lr": 0.1}}, ValueError, "must not set"),
        ({"optimizer_params": {"momentum": 0.9}}, ValueError, "Adam does not take"),
        ({"optimizer_params": {1: 0.9}}, TypeError, "keys must be strings"),
        ({"optimizer_params": [("momentum", 0.9)]}, ValueError,
         "'optimizer_params' parameter"),
        ({"callbacks": [object()]}, TypeError, "Callback instances"),
        ({"callbacks": [("early_stopping", LRScheduler())]}, ValueError, "taken"),
        ({"callbacks": LRScheduler()}, ValueError, "'callbacks' parameter"),
        ({"device": "tpu"}, ValueError, "device"),
        ({"loss_params": {"beta": 1.0}}, TypeError, "beta"),
        ({"hidden_layer_sizes": (0,)}, ValueError, "hidden_layer_sizes"),
        ({"loss": "bni", "loss_params": {"init_noise_sigma": "one bin"}}, ValueError,
         "init_noise_sigma"),
        ({"loss": "gai", "loss_params": {"fix_noise_sigma": 1}}, TypeError,
         "fix_noise_sigma"),
    ],
)
def test_invalid_parameters(data, params, error, match):
    X, y = data
    model = _model(**params)
    with pytest.raises(error, match=match):
        model.fit(X, y)
    assert not hasattr(model, "net_")  # rejected before training


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_requested_without_cuda(data):
    X, y = data
    with pytest.raises(ValueError, match="CUDA is not available"):
        _model(device="cuda").fit(X, y)
    assert _model(device="auto").fit(X, y).device_ == "cpu"


def test_import_error_without_torch():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'skorch'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import skdir\n"
        "try:\n"
        "    import skdir.nn\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert 'pip install "scikit-dir[torch]"' in out.stdout


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_fit_matches_cpu(data):
    X, y = data
    params = dict(fds=True, reweight="sqrt_inv", lds=True, loss="bni")
    gpu = _model(device="cuda", **params).fit(X, y)
    cpu = _model(**params).fit(X, y)
    assert gpu.device_ == "cuda"
    assert next(gpu.net_.module_.parameters()).is_cuda
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-3, atol=1e-3)
    restored = pickle.loads(pickle.dumps(gpu))
    np.testing.assert_allclose(restored.predict(X), gpu.predict(X), rtol=1e-6)


def test_validation_loss_for_early_stopping_is_unweighted():
    import torch

    from skdir.nn import DIRRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3)).astype(np.float32)
    y = X[:, 0] + rng.exponential(size=80)
    model = DIRRegressor(hidden_layer_sizes=(4,), max_epochs=2, early_stopping=False,
                         n_iter_no_change=None, random_state=0).fit(X, y)
    pred = torch.tensor([[0.0], [1.0], [3.0]])
    target = torch.tensor([[1.0], [1.0], [1.0]])
    weight = torch.tensor([10.0, 1.0, 0.1])
    net = model.net_
    weighted = net.get_loss(pred, target, X={"sample_weight": weight}, training=True)
    valid = net.get_loss(pred, target, X={"sample_weight": weight}, training=False)
    plain = net.get_loss(pred, target, X={}, training=False)
    # MSE by hand: errors 1, 0, 2.
    assert float(plain) == pytest.approx((1 + 0 + 4) / 3)
    assert float(valid) == pytest.approx(float(plain))
    assert float(weighted) == pytest.approx((10 * 1 + 0 + 0.1 * 4) / 3)
