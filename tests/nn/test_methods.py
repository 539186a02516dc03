"""ConR, Rank-N-Contrast, the Gaussian variance head and C-Mixup."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from skdir import LabelSpace  # noqa: E402
from skdir.nn import (  # noqa: E402
    CMixupOptions,
    ConROptions,
    DIRRegressor,
    RnCOptions,
    RRTOptions,
    conr_loss,
    interval_coverage,
    rnc_loss,
)
from skdir.nn._objective import cmixup, partner_probabilities  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0] + rng.exponential(2.0, size=90) - 3.0
    return X, y


def _model(**params):
    base = dict(hidden_layer_sizes=(8,), max_epochs=3, batch_size=32, random_state=0,
                early_stopping=False, n_iter_no_change=None)
    return DIRRegressor(**{**base, **params})


# ---------------------------------------------------------------------- ConR
def _conr_loop(z, y, p, window, t, eta, w, unit=1.0):
    """ConR by its definition, one anchor and one pair at a time."""
    n = len(y)
    z = torch.nn.functional.normalize(z, dim=1)
    total = 0.0
    for i in range(n):
        pos = [j for j in range(n) if j != i and abs(y[i] - y[j]) <= window]
        neg = [k for k in range(n)
               if abs(y[i] - y[k]) > window and abs(p[i] - p[k]) <= window]
        if not pos or not neg:
            continue
        s = [float(z[i] @ z[k]) / t for k in range(n)]
        den = sum(math.exp(s[k]) for k in pos) + sum(
            w[i] * math.exp(eta * abs(y[i] - y[k]) / unit) * math.exp(s[k]) for k in neg
        )
        total += w[i] * sum(-math.log(math.exp(s[j]) / den) for j in pos) / len(pos)
    return total / n


def test_conr_hand_computed():
    # Features: 0 and 1 identical (cosine 1), 2 orthogonal to both (cosine 0).
    z = torch.tensor([[1.0, 0.0], [2.0, 0.0], [0.0, 3.0]])
    y = torch.tensor([0.0, 0.5, 5.0])
    p = torch.tensor([0.0, 0.5, 0.8])  # 2 is predicted within 1 of 0 and 1
    # Anchors 0 and 1: one positive (the other, similarity 1), one negative
    # (2, similarity 0): -log(e / (e + 1)) = log(1 + 1/e). Anchor 2: no
    # positive, 0.
    expected = 2 * math.log(1 + math.exp(-1)) / 3
    got = conr_loss(z, y, p, window=1.0, temperature=1.0, eta=0.0)
    assert float(got) == pytest.approx(expected, rel=1e-6)
    # Pushing weights w_i * exp(eta * d): anchor 0 (w=2, d=5): 2 e^0.5,
    # anchor 1 (w=1, d=4.5): e^0.45; the anchors' losses are weighted by w_i.
    w = torch.tensor([2.0, 1.0, 1.0])
    loss0 = -math.log(math.e / (math.e + 2 * math.exp(0.5)))
    loss1 = -math.log(math.e / (math.e + math.exp(0.45)))
    expected = (2 * loss0 + 1 * loss1) / 3
    got = conr_loss(z, y, p, window=1.0, temperature=1.0, eta=0.1, weight=w)
    assert float(got) == pytest.approx(expected, rel=1e-6)
    # The distance unit divides the label distance: eta 0.2 per unit 2 = eta 0.1.
    got2 = conr_loss(z, y, p, window=1.0, temperature=1.0, eta=0.2, weight=w,
                     distance_unit=2.0)
    assert float(got2) == pytest.approx(expected, rel=1e-6)


def test_conr_no_negative_is_zero():
    z = torch.randn(4, 3)
    y = torch.tensor([0.0, 0.5, 5.0, 5.5])
    # Predictions far apart: no sample is confused with a far label.
    p = torch.tensor([0.0, 0.5, 5.0, 5.5])
    assert float(conr_loss(z, y, p)) == 0.0
    assert float(conr_loss(z[:1], y[:1], p[:1])) == 0.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_conr_matches_loop_with_gradient(seed):
    g = torch.Generator().manual_seed(seed)
    n = 12
    z = torch.randn(n, 5, generator=g, requires_grad=True)
    y = torch.randint(0, 6, (n,), generator=g).float()
    p = y + 2 * torch.randn(n, generator=g)
    w = torch.rand(n, generator=g) + 0.5
    ours = conr_loss(z, y, p, window=1.0, temperature=0.5, eta=0.3, weight=w,
                     distance_unit=1.5)
    ref = _conr_loop(z.detach(), y.tolist(), p.tolist(), 1.0, 0.5, 0.3, w.tolist(), 1.5)
    assert float(ours.detach()) == pytest.approx(ref, rel=1e-5)
    assert ref > 0
    (grad,) = torch.autograd.grad(ours, z)
    assert torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_conr_small_temperature_stays_finite():
    z = torch.randn(8, 3, requires_grad=True)
    y = torch.arange(8.0)
    p = torch.zeros(8)
    loss = conr_loss(z, y, p, window=1.0, temperature=1e-3)
    (grad,) = torch.autograd.grad(loss, z)
    assert torch.isfinite(loss) and torch.isfinite(grad).all()


# ----------------------------------------------------------------------- RnC
def _rnc_loop(f, y, t, similarity="l2"):
    n = len(y)
    if similarity == "l2":
        s = -(f[:, None] - f[None]).norm(dim=-1) / t
    else:
        x = torch.nn.functional.normalize(f, dim=1)
        s = x @ x.T / t
    total = 0.0
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            cand = [k for k in range(n) if k != i and abs(y[i] - y[k]) >= abs(y[i] - y[j])]
            total = total - (s[i, j] - torch.logsumexp(s[i, cand], 0))
    return total / (n * (n - 1))


def test_rnc_hand_computed():
    f = torch.tensor([[0.0], [1.0], [3.0]])
    y = torch.tensor([0.0, 1.0, 3.0])
    # s_ij = -|f_i - f_j| (t = 1). Anchor 0: j=1 against {1, 2}:
    # log(1 + e^-2); j=2 against {2}: 0. Anchor 1: j=0 against {0, 2}:
    # log(1 + e^-1); j=2: 0. Anchor 2: j=1 against {0, 1}: log(1 + e^-1); j=0: 0.
    expected = (math.log(1 + math.exp(-2)) + 2 * math.log(1 + math.exp(-1))) / 6
    assert float(rnc_loss(f, y, temperature=1.0)) == pytest.approx(expected, rel=1e-6)
    # Ties are candidates of each other: y = [0, 1, 1], anchor 0 compares
    # j=1 with {1, 2} and j=2 with {1, 2}.
    y = torch.tensor([0.0, 1.0, 1.0])
    a0 = 2 * math.log(math.exp(-1) + math.exp(-3)) + 1 + 3
    # anchor 1: j=0 (d=1) against {0}; j=2 (d=0) against {0, 2}
    a1 = 0 + (math.log(math.exp(-1) + math.exp(-2)) + 2)
    # anchor 2: j=0 (d=1) against {0}; j=1 (d=0) against {0, 1}
    a2 = 0 + (math.log(math.exp(-3) + math.exp(-2)) + 2)
    expected = (a0 + a1 + a2) / 6
    assert float(rnc_loss(f, y, temperature=1.0)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("similarity", ["l2", "cosine"])
@pytest.mark.parametrize("seed", [0, 1])
def test_rnc_matches_loop_with_gradient(similarity, seed):
    g = torch.Generator().manual_seed(seed)
    n = 10
    f1 = torch.randn(n, 3, generator=g, requires_grad=True)
    f2 = f1.detach().clone().requires_grad_()
    y = torch.randint(0, 4, (n,), generator=g).float()  # with ties
    ours = rnc_loss(f1, y, temperature=2.0, feature_similarity=similarity)
    ref = _rnc_loop(f2, y.tolist(), 2.0, similarity)
    assert float(ours.detach()) == pytest.approx(float(ref.detach()), rel=1e-5)
    (g1,) = torch.autograd.grad(ours, f1)
    (g2,) = torch.autograd.grad(ref, f2)
    torch.testing.assert_close(g1, g2, rtol=1e-4, atol=1e-6)


def test_rnc_duplicate_features_have_finite_gradient():
    f = torch.zeros(4, 2, requires_grad=True)
    (grad,) = torch.autograd.grad(rnc_loss(f, torch.arange(4.0)), f)
    assert torch.isfinite(grad).all()
    assert float(rnc_loss(f[:1], torch.zeros(1)).detach()) == 0.0


def test_rnc_pretraining_orders_features(data):
    X, y = data
    # RnC pre-training with a negligible learning rate keeps the initial
    # encoder (the same seed); 30 epochs lower the RnC loss of the features.
    def encoder_loss(model):
        enc = model.net_.module_.encoder
        with torch.no_grad():
            feats = enc(torch.as_tensor(X, dtype=torch.float32))
        z = (y - model.target_mean_) / model.target_scale_
        return float(rnc_loss(feats, torch.as_tensor(z)))

    rrt = RRTOptions(max_epochs=1)
    trained = _model(hidden_layer_sizes=(16,), rnc=RnCOptions(max_epochs=30, lr=1e-2),
                     rrt=rrt).fit(X, y)
    untrained = _model(hidden_layer_sizes=(16,), rnc=RnCOptions(max_epochs=1, lr=1e-12),
                       rrt=rrt).fit(X, y)
    assert encoder_loss(trained) < encoder_loss(untrained) - 0.05
    assert trained.n_iter_ == 31  # 30 pre-training + 1 head epoch
    assert trained.net_.module_.encoder_frozen
    assert trained.net_.pretraining is False


def test_rnc_head_stage_uses_rrt_options_and_weights(data):
    X, y = data
    model = _model(rnc=RnCOptions(max_epochs=2, lr=0.01), reweight="inverse").fit(X, y)
    assert model.n_iter_ == 2 + 3  # the head stage: the regressor's max_epochs
    assert model.net_.lr == 1e-3
    model = _model(rnc=RnCOptions(max_epochs=2), rrt=RRTOptions(max_epochs=4, lr=0.02))
    model.fit(X, y)
    assert model.n_iter_ == 6 and model.net_.lr == 0.02


# ---------------------------------------------------------- Gaussian head
def _heteroscedastic(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 2))
    std = 0.2 + 0.8 * np.abs(X[:, 1])
    y = np.sin(X[:, 0]) + 2 * X[:, 0] + std * rng.normal(size=n)
    return X, y, std


def test_gaussian_head_coverage_near_nominal():
    X, y, _ = _heteroscedastic(600, 0)
    Xt, yt, std_true = _heteroscedastic(1000, 1)
    model = DIRRegressor(hidden_layer_sizes=(32,), uncertainty="gaussian", lr=1e-2,
                         batch_size=100, max_epochs=60, random_state=0).fit(X, y)
    mean, std = model.predict(Xt, return_std=True)
    np.testing.assert_array_equal(mean, model.predict(Xt))
    cover = interval_coverage(yt, mean, std, label_space=model.label_space_)
    assert 0.88 <= cover["all"] <= 0.99  # 0.92 to 0.94 over four seeds
    # The head follows the noise: larger predicted spread where it is larger.
    assert np.corrcoef(std, std_true)[0, 1] > 0.8


def test_gaussian_std_in_the_units_of_y(data):
    X, y = data
    model = _model(uncertainty="gaussian")
    m1, s1 = model.fit(X, y).predict(X[:5], return_std=True)
    m2, s2 = model.fit(X, 1000 * y + 5).predict(X[:5], return_std=True)
    np.testing.assert_allclose(m2, 1000 * m1 + 5, rtol=1e-4)
    np.testing.assert_allclose(s2, 1000 * s1, rtol=1e-4)
    assert (s1 > 0).all()


def test_gaussian_loss_is_weighted_nll_plus_loss(data):
    X, y = data
    model = _model(uncertainty="gaussian", reweight="inverse").fit(X, y)
    net = model.net_
    Xb = torch.as_tensor(X[:6], dtype=torch.float32)
    zb = torch.as_tensor((y[:6] - model.target_mean_) / model.target_scale_,
                         dtype=torch.float32)[:, None]
    w = torch.tensor([1.0, 2.0, 0.5, 0.0, 3.0, 1.0])
    net.module_.eval()
    with torch.no_grad():
        pred, feats = net.module_(Xb)
        got = net.get_loss((pred, feats), zb, X={"X": Xb, "sample_weight": w},
                           training=True)
    m, lv = pred[:, :1], pred[:, 1:]
    mse = (w[:, None] * (m - zb) ** 2).mean()
    nll = (w[:, None] * 0.5 * (lv + (zb - m) ** 2 * torch.exp(-lv))).mean()
    assert float(got) == pytest.approx(float(mse + nll), rel=1e-5)
    # The mean gets no gradient from the likelihood: it is detached.
    pred = pred.clone().requires_grad_()
    loss = net.get_loss((pred, feats), zb, X={"X": Xb}, training=False)
    (grad,) = torch.autograd.grad(loss, pred)
    torch.testing.assert_close(grad[:, 0], 2 * (pred[:, 0] - zb[:, 0]).detach() / 6)


@pytest.mark.parametrize(
    "params",
    [{"loss": "bmc"}, {"loss": "gai"}, {"fds": True, "reweight": "sqrt_inv", "lds": True},
     {"rrt": True, "reweight": "inverse"}, {"rnc": RnCOptions(max_epochs=1)},
     {"conr": True}, {"cmixup": True}],
    ids=["bmc", "gai", "lds-fds", "rrt", "rnc", "conr", "cmixup"],
)
def test_gaussian_head_with_every_option(data, params):
    X, y = data
    mean, std = _model(uncertainty="gaussian", **params).fit(X, y).predict(
        X, return_std=True)
    assert np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()


def test_return_std_needs_the_gaussian_head(data):
    X, y = data
    model = _model().fit(X, y)
    with pytest.raises(ValueError, match="return_std=True needs uncertainty='gaussian'"):
        model.predict(X, return_std=True)


def test_interval_coverage_by_hand_and_errors():
    space = LabelSpace(edges=[0, 1, 2, 3], many_threshold=2, few_threshold=2).fit(
        [0.5, 0.5, 0.5, 1.5, 1.5, 2.5])
    # bins: 3 (many), 2 (medium), 1 (few); 1.96 * 0.5 = 0.98
    y = [0.5, 0.5, 1.5, 2.5]
    cover = interval_coverage(y, [0.5, 1.5, 2.0, 2.5], [0.5] * 4, label_space=space)
    assert cover == {"all": 0.75, "many": 0.5, "medium": 1.0, "few": 1.0}
    assert interval_coverage(y, y, [0.0] * 4) == {"all": 1.0}
    assert interval_coverage([0.0], [1.0], [1.0], confidence=0.5)["all"] == 0.0
    with pytest.raises(ValueError, match="y_std must be finite"):
        interval_coverage(y, y, [-1.0] * 4)
    with pytest.raises(ValueError, match="confidence must be in"):
        interval_coverage(y, y, [1.0] * 4, confidence=1.0)
    with pytest.raises(ValueError, match="different lengths"):
        interval_coverage(y, y[:3], [1.0] * 4)
    with pytest.raises(ValueError, match="fitted LabelSpace"):
        interval_coverage(y, y, [1.0] * 4, label_space=LabelSpace())


# ------------------------------------------------------------------ C-Mixup
def test_partner_probabilities_are_the_gaussian_kernel():
    y = torch.tensor([0.0, 1.0, 3.0])
    probs = partner_probabilities(y, 1.0)
    k = np.exp(-0.5 * np.array([[0, 1, 9], [1, 0, 4], [9, 4, 0]], dtype=float))
    np.testing.assert_allclose(probs.numpy(), k / k.sum(1, keepdims=True), rtol=1e-6)


def test_cmixup_mixes_inputs_targets_and_weights_with_one_partner():
    torch.manual_seed(0)
    X = torch.randn(6, 3)
    y = torch.tensor([[0.0], [0.1], [5.0], [5.2], [9.0], [20.0]])
    w = torch.arange(1.0, 7.0)
    Xm, ym, wm, lam, partner = cmixup(X, y, w, alpha=2.0, bandwidth=0.5)
    torch.testing.assert_close(Xm, lam * X + (1 - lam) * X[partner])
    torch.testing.assert_close(ym, lam * y + (1 - lam) * y[partner])
    torch.testing.assert_close(wm, lam * w + (1 - lam) * w[partner])
    # Labels 9 and 20 have no neighbour within many bandwidths: their partner
    # is themselves (probability 1 - 1e-70 or so).
    assert partner[4] == 4 and partner[5] == 5
    assert cmixup(X, y, None, alpha=2.0, bandwidth=0.5)[2] is None


def test_cmixup_partner_frequencies_and_beta_lambdas():
    torch.manual_seed(0)
    y = torch.tensor([0.0, 1.0, 3.0])
    X = torch.zeros(3, 1)
    draws = [cmixup(X, y, None, alpha=2.0, bandwidth=1.0) for _ in range(3000)]
    partners = torch.stack([d[4] for d in draws])
    lams = torch.stack([d[3] for d in draws])
    freq = np.array([(partners[:, 0] == j).float().mean().item() for j in range(3)])
    np.testing.assert_allclose(freq, partner_probabilities(y, 1.0)[0].numpy(), atol=0.03)
    # Beta(2, 2): mean 1/2, variance 1/20
    assert float(lams.mean()) == pytest.approx(0.5, abs=0.02)
    assert float(lams.var()) == pytest.approx(0.05, abs=0.008)


def test_cmixup_trains_and_changes_the_fit(data):
    X, y = data
    a = _model(cmixup=CMixupOptions(alpha=0.5, bandwidth=1.0)).fit(X, y).predict(X)
    b = _model().fit(X, y).predict(X)
    assert np.isfinite(a).all() and not np.allclose(a, b)
    c = _model(cmixup=CMixupOptions(alpha=0.5, bandwidth=1.0)).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, c)
    model = _model(cmixup=True, label_space=LabelSpace(bin_width=0.5)).fit(X, y)
    assert model.net_.cmixup["bandwidth"] == pytest.approx(0.5 / model.target_scale_)


# ------------------------------------------------------- regressor options
def test_conr_changes_training_and_is_scaled(data):
    X, y = data
    a = _model(conr=ConROptions(weight=4.0)).fit(X, y)
    b = _model(conr=ConROptions(weight=0.0)).fit(X, y)
    c = _model().fit(X, y)
    np.testing.assert_array_equal(b.predict(X), c.predict(X))
    assert not np.allclose(a.predict(X), c.predict(X))
    space = LabelSpace(bin_width=0.5)
    m = _model(conr=ConROptions(window="auto", eta=0.1), label_space=space).fit(X, y)
    unit = 0.5 / m.target_scale_
    assert m.net_.conr == pytest.approx(dict(weight=4.0, window=unit, temperature=0.07,
                                             eta=0.1, distance_unit=unit))
    m = _model(conr=ConROptions(window=2.0), label_space=space).fit(X, y)
    assert m.net_.conr["window"] == pytest.approx(2.0 / m.target_scale_)


@pytest.mark.parametrize(
    "params, grid, check",
    [
        ({"conr": ConROptions()}, {"conr__weight": [1.0, 2.0]},
         lambda m, v: m.net_.conr["weight"] == v),
        ({"rnc": RnCOptions(max_epochs=1)}, {"rnc__temperature": [1.0, 2.0]},
         lambda m, v: m.net_.rnc["temperature"] == v),
        ({"cmixup": CMixupOptions()}, {"cmixup__alpha": [0.5, 1.0]},
         lambda m, v: m.net_.cmixup["alpha"] == v),
    ],
    ids=["conr", "rnc", "cmixup"],
)
def test_grid_search_over_new_options(data, params, grid, check):
    X, y = data
    (name, values), = grid.items()
    search = GridSearchCV(_model(max_epochs=1, **params), grid, cv=2).fit(X[:40], y[:40])
    assert [p[name] for p in search.cv_results_["params"]] == values
    assert check(search.best_estimator_, search.best_params_[name])
    assert clone(search.best_estimator_).get_params()[name] == search.best_params_[name]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"conr": ConROptions(weight=-1.0)}, "'weight' parameter"),
        ({"conr": ConROptions(window=0.0)}, "'window' parameter"),
        ({"conr": ConROptions(window=float("inf"))}, "'window' parameter"),
        ({"conr": ConROptions(temperature=0.0)}, "'temperature' parameter"),
        ({"conr": ConROptions(eta=float("nan"))}, "'eta' parameter"),
        ({"rnc": RnCOptions(temperature=-1.0)}, "'temperature' parameter"),
        ({"rnc": RnCOptions(feature_similarity="dot")}, "'feature_similarity' parameter"),
        ({"rnc": RnCOptions(max_epochs=0)}, "'max_epochs' parameter"),
        ({"rnc": RnCOptions(lr=float("inf"))}, "'lr' parameter"),
        ({"cmixup": CMixupOptions(alpha=0.0)}, "'alpha' parameter"),
        ({"cmixup": CMixupOptions(bandwidth="scott")}, "'bandwidth' parameter"),
        ({"uncertainty": "poisson"}, "'uncertainty' parameter"),
        ({"conr": {"weight": 1.0}}, "'conr' parameter"),
        ({"rnc": True, "ranksim": True}, "ranksim has no effect with rnc"),
        ({"rnc": True, "conr": ConROptions()}, "conr has no effect with rnc"),
        ({"cmixup": True, "fds": True}, "cmixup cannot be combined with fds"),
    ],
)
def test_invalid_options_raise_before_training(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        _model(**params).fit(X, y)


# ------------------------------------------------------- multi-output targets
def test_balanced_mse_in_d_dimensions_by_hand():
    from skdir.nn.losses import BMCLoss, BNILoss, GAILoss

    p = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    # BMC: logits -||p_i - y_j||^2 / 2 are 0 on the diagonal, -1 off it:
    # cross entropy log(1 + e^-1) per sample, times 2 sigma^2 = 2.
    bmc = BMCLoss(init_noise_sigma=1.0, fix_noise_sigma=True)
    assert float(bmc(p, p)) == pytest.approx(2 * math.log(1 + math.exp(-1)), rel=1e-6)
    # GAI, one component N(0, I), sigma 1, p = y = 0: -log N(0; 0, I)
    # + log N(0; 0, 2I) = -log(2) (the 2 pi terms cancel), times 2.
    gai = GAILoss([[0.0, 0.0]], [np.eye(2)], [1.0], fix_noise_sigma=True)
    assert float(gai(p[:1], p[:1])) == pytest.approx(-2 * math.log(2), rel=1e-6)
    # BNI, one bin at (1, 1), p = y = 0: 0 + log(1) - 2 / 2 = -1, times 2.
    bni = BNILoss([[1.0, 1.0]], [1.0], fix_noise_sigma=True)
    assert float(bni(p[:1], p[:1])) == pytest.approx(-2.0, rel=1e-6)


def test_gai_and_bni_in_d_dimensions_match_scipy():
    from scipy.stats import multivariate_normal as mvn

    from skdir.nn.losses import BNILoss, GAILoss

    rng = np.random.RandomState(0)
    means = rng.normal(size=(3, 2))
    a = rng.normal(size=(3, 2, 2))
    covs = a @ a.transpose(0, 2, 1) + 0.5 * np.eye(2)
    weights = np.array([0.2, 0.5, 0.3])
    pred, target = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    s = 0.7**2
    gai = GAILoss(means, covs, weights, init_noise_sigma=0.7, fix_noise_sigma=True)
    expected = np.mean([
        -mvn.logpdf(target[i], pred[i], s * np.eye(2))
        + np.log(sum(w * mvn.pdf(pred[i], m, c + s * np.eye(2))
                     for w, m, c in zip(weights, means, covs)))
        for i in range(5)
    ]) * 2 * s
    got = gai(torch.tensor(pred, dtype=torch.float32), torch.tensor(target, dtype=torch.float32))
    assert float(got) == pytest.approx(expected, rel=1e-4)
    centers, probs = rng.normal(size=(4, 2)), np.array([1.0, 2.0, 0.0, 1.0])
    bni = BNILoss(centers, probs, init_noise_sigma=0.7, fix_noise_sigma=True)
    q = probs / probs.sum()
    expected = np.mean([
        -mvn.logpdf(target[i], pred[i], s * np.eye(2))
        + np.log(sum(qb * mvn.pdf(pred[i], c, s * np.eye(2)) for qb, c in zip(q, centers)))
        for i in range(5)
    ]) * 2 * s
    got = bni(torch.tensor(pred, dtype=torch.float32), torch.tensor(target, dtype=torch.float32))
    assert float(got) == pytest.approx(expected, rel=1e-4)
    with pytest.raises(ValueError, match="prior has 2 output"):
        bni(torch.zeros(3, 3), torch.zeros(3, 3))


def test_rnc_and_cmixup_use_every_label_column():
    g = torch.Generator().manual_seed(0)
    f = torch.randn(8, 3, generator=g)
    y = torch.randint(0, 3, (8, 2), generator=g).float()
    # The reference's L1 label distance over the columns, by a loop.
    n = 8
    s = -(f[:, None] - f[None]).norm(dim=-1) / 2.0
    d = (y[:, None] - y[None]).abs().sum(-1)
    total = 0.0
    for i in range(n):
        for j in range(n):
            if i != j:
                cand = [k for k in range(n) if k != i and d[i, k] >= d[i, j]]
                total -= float(s[i, j] - torch.logsumexp(s[i, cand], 0))
    assert float(rnc_loss(f, y)) == pytest.approx(total / (n * (n - 1)), rel=1e-5)
    probs = partner_probabilities(torch.tensor([[0.0, 0.0], [1.0, 1.0]]), 1.0)
    k = math.exp(-1.0)  # exp(-||(1, 1)||^2 / 2)
    np.testing.assert_allclose(
        probs.numpy(), [[1 / (1 + k), k / (1 + k)], [k / (1 + k), 1 / (1 + k)]], rtol=1e-6
    )


@pytest.fixture(scope="module")
def data2d():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    Y = np.c_[X @ [1.0, -2.0, 0.5, 0.0] + rng.exponential(2.0, size=120),
              X[:, 2] - X[:, 3] + 0.1 * rng.normal(size=120)]
    return X, Y


@pytest.mark.parametrize(
    "params",
    [{}, {"reweight": "sqrt_inv", "lds": True}, {"loss": "bmc"}, {"loss": "gai"},
     {"loss": "bni", "loss_params": {"lds": True}}, {"rrt": True, "reweight": "inverse"},
     {"rnc": RnCOptions(max_epochs=1)}, {"cmixup": True}, {"loss": "focal_l1"},
     {"uncertainty": "gaussian"}],
    ids=["plain", "lds", "bmc", "gai", "bni", "rrt", "rnc", "cmixup", "focal", "gauss"],
)
def test_multi_output_columns_are_standardised_separately(data2d, params):
    X, Y = data2d
    a = _model(**params).fit(X, Y)
    pa = a.predict(X[:7])
    assert pa.shape == (7, 2) and a.n_outputs_ == 2
    np.testing.assert_allclose(a.target_scale_, Y.std(axis=0))
    # Rescaling one column rescales its predictions and leaves the other's:
    # the network sees the same standardised target.
    Y2 = Y * [1.0, 1000.0] + [0.0, 5.0]
    pb = _model(**params).fit(X, Y2).predict(X[:7])
    np.testing.assert_allclose(pb[:, 0], pa[:, 0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(pb[:, 1], 1000 * pa[:, 1] + 5, rtol=1e-4, atol=0.1)


def test_multi_output_label_space_weights_and_noise_scale(data2d):
    X, Y = data2d
    space = LabelSpace(bin_width=[0.5, 0.2])
    model = _model(reweight="inverse", label_space=space, loss="bmc",
                   loss_params={"fix_noise_sigma": True}).fit(X, Y)
    assert model.label_space_.n_outputs_ == 2
    assert model.weighter_.label_space_ is model.label_space_
    # "auto": the median over both columns' bins of width / column scale.
    widths = np.concatenate([np.diff(e) / s for e, s in
                             zip(model.label_space_.edges_, Y.std(axis=0))])
    sigma = float(model.net_.criterion_.noise_sigma)
    assert sigma == pytest.approx(np.median(widths), rel=1e-6)


@pytest.mark.parametrize("params", [{"ranksim": True}, {"conr": True}])
def test_multi_output_rejects_single_column_options(data2d, params):
    X, Y = data2d
    with pytest.raises(ValueError, match="need a single target column, but y has 2"):
        _model(**params).fit(X, Y)


def test_one_column_target_is_one_dimensional(data2d):
    from sklearn.exceptions import DataConversionWarning

    X, Y = data2d
    with pytest.warns(DataConversionWarning):
        model = _model().fit(X, Y[:, :1])
    assert model.n_outputs_ == 1 and model.predict(X).shape == (len(X),)
    np.testing.assert_array_equal(model.predict(X), _model().fit(X, Y[:, 0]).predict(X))


def test_multi_output_variance_head(data2d):
    X, Y = data2d
    model = _model(uncertainty="gaussian").fit(X, Y)
    mean, std = model.predict(X[:5], return_std=True)
    assert mean.shape == std.shape == (5, 2) and (std > 0).all()
    np.testing.assert_array_equal(mean, model.predict(X[:5]))
    Y2 = Y * [1.0, 1000.0]
    mean2, std2 = _model(uncertainty="gaussian").fit(X, Y2).predict(X[:5], return_std=True)
    np.testing.assert_allclose(std2, std * [1.0, 1000.0], rtol=1e-4)
    # The likelihood is that of independent columns: the batch mean over
    # samples and columns of 0.5 * (log s^2 + (y - m)^2 / s^2).
    net = model.net_
    Xb = torch.as_tensor(X[:6], dtype=torch.float32)
    zb = torch.as_tensor((Y[:6] - model.target_mean_) / model.target_scale_,
                         dtype=torch.float32)
    with torch.no_grad():
        net.module_.eval()
        pred, feats = net.module_(Xb)
        got = net.get_loss((pred, feats), zb, X={"X": Xb}, training=False)
    m, lv = pred[:, :2], pred[:, 2:]
    expected = ((m - zb) ** 2).mean() + (0.5 * (lv + (zb - m) ** 2 * torch.exp(-lv))).mean()
    assert float(got) == pytest.approx(float(expected), rel=1e-5)


def test_new_options_pickle_and_predict_the_same(data):
    import pickle

    X, y = data
    for params in ({"conr": True, "uncertainty": "gaussian"},
                   {"rnc": RnCOptions(max_epochs=1), "cmixup": True}):
        model = _model(**params).fit(X, y)
        again = pickle.loads(pickle.dumps(model))
        np.testing.assert_array_equal(again.predict(X), model.predict(X))
