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

from skdir.metrics import find_training_targets  # noqa: E402
from skdir.nn import DIRRegressor, losses  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0] + rng.exponential(2.0, size=90) - 3.0
    return X, y


def _model(**params):
    base = dict(hidden_layer_sizes=(8,), max_epochs=3, batch_size=32, random_state=0)
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


@pytest.mark.parametrize("loss", losses.LOSSES)
def test_every_named_loss_trains(data, loss):
    X, y = data
    model = _model(loss=loss, reweight="inverse").fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    assert np.isfinite(model.net_.history[:, "train_loss"]).all()


def test_balanced_noise_sigma_is_learned_with_its_own_lr(data):
    X, y = data
    model = _model(loss="gai", bin_width=0.5,
                   loss_params={"sigma_lr": 0.5, "n_components": 2}).fit(X, y)
    groups = model.net_.optimizer_.param_groups
    assert [g["lr"] for g in groups] == [1e-3, 0.5]
    assert float(model.net_.criterion_.noise_sigma.detach()) != 0.5  # moved from "auto"
    assert model.net_.criterion_.gmm_means.numel() == 2


@pytest.mark.parametrize("loss", ["gai", "bmc", "bni"])
def test_auto_noise_sigma_is_one_label_bin(data, loss):
    X, y = data
    # Default bins: Rice's rule, ceil(2 * 90 ** (1/3)) = 9 equal bins.
    model = _model(loss=loss, loss_params={"fix_noise_sigma": True}).fit(X, y)
    assert model.bins_.n_bins_ == 9
    sigma = model.net_.criterion_.noise_sigma
    assert float(sigma.detach()) == pytest.approx(np.ptp(y) / 9, rel=1e-6)
    model = _model(loss=loss, bin_width=0.25, loss_params={"fix_noise_sigma": True})
    assert float(model.fit(X, y).net_.criterion_.noise_sigma.detach()) == 0.25


@pytest.mark.parametrize(
    "loss_params, learned",
    [
        ({"fix_noise_sigma": True, "sigma_lr": 0.5}, False),
        ({"sigma_lr": 0.0}, False),
        ({"init_noise_sigma": 2.0, "fix_noise_sigma": True}, False),
        ({"sigma_lr": 0.5}, True),
    ],
)
def test_frozen_noise_sigma_does_not_move(data, loss_params, learned):
    X, y = data
    init = loss_params.get("init_noise_sigma", 0.5)
    model = _model(loss="bmc", bin_width=0.5, loss_params=loss_params).fit(X, y)
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
    _model(loss="bmc", early_stopping=True, validation_fraction=0.1).fit(X[:45], y[:45])
    with pytest.raises(ValueError, match="at least 2"):
        _model(loss="bmc").fit(X[:1], y[:1])


def test_fds_schedule_in_the_net(data):
    X, y = data
    model = _model(fds={"ks": 3, "start_smooth": 2}, n_bins=6, max_epochs=4).fit(X, y)
    fds = model.net_.module_.fds
    assert int(fds.epoch) == 4 and fds.n_bins == 6 and fds.ks == 3
    np.testing.assert_array_equal(fds.edges, model.bins_.edges_)
    assert fds.populated.numpy().tolist() == (model.bins_.counts_ > 0).tolist()


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


def test_rrt_freezes_encoder_and_batchnorm_and_retrains_head(data):
    X, y = data
    plain = _model(batch_norm=True, dropout=0.1).fit(X, y)
    rrt = _model(batch_norm=True, dropout=0.1, reweight="inverse", lds=True,
                 rrt={"max_epochs": 2, "lr": 0.01}).fit(X, y)
    # Stage one is the plain, unweighted fit with the same seed.
    enc_plain = plain.net_.module_.encoder.state_dict()
    enc_rrt = rrt.net_.module_.encoder.state_dict()
    assert enc_plain.keys() == enc_rrt.keys()
    for key in enc_plain:  # weights and batch-norm running statistics
        torch.testing.assert_close(enc_rrt[key], enc_plain[key])
    assert not torch.allclose(rrt.net_.module_.head.weight, plain.net_.module_.head.weight)
    assert rrt.n_iter_ == 5
    assert all(not p.requires_grad for p in rrt.net_.module_.encoder.parameters())


def test_ranksim_changes_training(data):
    X, y = data
    a = _model(ranksim={"gamma": 10.0}).fit(X, y).predict(X)
    b = _model().fit(X, y).predict(X)
    assert not np.allclose(a, b)


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
    model = _model(loss=torch.nn.L1Loss(reduction="none"), reweight="sqrt_inv").fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    with pytest.raises(ValueError, match="per-sample"):
        _model(loss=torch.nn.L1Loss(), reweight="sqrt_inv").fit(X, y)


def test_early_stopping_and_verbose(data, capsys):
    X, y = data
    model = _model(early_stopping=True, n_iter_no_change=1, max_epochs=50, lr=0.1,
                   verbose=1).fit(X, y)
    assert model.n_iter_ < 50
    assert "valid_loss" in capsys.readouterr().out


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
        ({"fds": {"bandwidth": 1}}, ValueError, "fds got unknown option"),
        ({"rrt": {"epochs": 1}}, ValueError, "rrt got unknown option"),
        ({"ranksim": {"lambda": 1}}, ValueError, "ranksim got unknown option"),
        ({"device": "tpu"}, ValueError, "device"),
        ({"loss_params": {"beta": 1.0}}, TypeError, "beta"),
        ({"hidden_layer_sizes": (0,)}, ValueError, "hidden_layer_sizes"),
        ({"loss": "bmc", "loss_params": {"sigma_lr": -1.0}}, ValueError, "sigma_lr"),
        ({"loss": "bni", "loss_params": {"init_noise_sigma": "one bin"}}, ValueError,
         "init_noise_sigma"),
        ({"loss": "gai", "loss_params": {"fix_noise_sigma": 1}}, TypeError,
         "fix_noise_sigma"),
    ],
)
def test_invalid_parameters(data, params, error, match):
    X, y = data
    with pytest.raises(error, match=match):
        _model(**params).fit(X, y)


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
    assert 'pip install "skdir[torch]"' in out.stdout


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
