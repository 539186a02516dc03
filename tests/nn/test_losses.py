"""Losses against hand-computed values, Balanced MSE and RankSim."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from scipy.special import expit, logsumexp  # noqa: E402

from skdir import LabelSpace  # noqa: E402
from skdir.nn import losses, ranksim_loss  # noqa: E402

P = np.array([0.5, -2.0, 3.0, 10.0])
Y = np.array([0.0, 1.0, 3.5, -4.0])
W = np.array([1.0, 0.5, 2.0, 0.25])


def _t(a):
    return torch.tensor(a, dtype=torch.float64)


def _hand(name, e):
    a = np.abs(e)
    return {
        "mse": e**2,
        "l1": a,
        "huber": np.where(a < 1.0, 0.5 * e**2, a - 0.5),
        "focal_l1": a * (2 * expit(0.2 * a) - 1),
        "focal_mse": e**2 * (2 * expit(0.2 * a) - 1),
        "logcosh": np.log(np.cosh(e)),
        "smape": 2 * a / (np.abs(P) + np.abs(Y)),
    }[name]


@pytest.mark.parametrize(
    "name", ["mse", "l1", "huber", "focal_l1", "focal_mse", "logcosh", "smape"]
)
@pytest.mark.parametrize("shape", [(4,), (4, 1)])
def test_simple_losses_match_hand_values(name, shape):
    loss = losses.make_loss(name)
    per = _hand(name, P - Y)
    pred, target = _t(P).reshape(shape), _t(Y).reshape(shape)
    # rel=1e-7: sMAPE adds eps=1e-8 to its denominator.
    assert float(loss(pred, target)) == pytest.approx(per.mean(), rel=1e-7)
    assert float(loss(pred, target, _t(W))) == pytest.approx((W * per).mean(), rel=1e-7)


def test_focal_options():
    e = np.abs(P - Y)
    loss = losses.FocalL1Loss(beta=0.5, gamma=2.0, activate="tanh")
    expected = (e * np.tanh(0.5 * e) ** 2).mean()
    assert float(loss(_t(P), _t(Y))) == pytest.approx(expected, rel=1e-10)


def test_huber_beta():
    e = np.abs(P - Y)
    expected = np.where(e < 3.0, 0.5 * e**2 / 3.0, e - 1.5).mean()
    assert float(losses.HuberLoss(beta=3.0)(_t(P), _t(Y))) == pytest.approx(expected)


@pytest.mark.parametrize("name", losses.LOSSES)
@settings(max_examples=10, deadline=None)
@given(
    weights=st.lists(
        st.sampled_from([0.0, 1e-30, 1e-8, 1.0, 1e8, 1e30]), min_size=6, max_size=6
    ),
    scale=st.sampled_from([1e-3, 1.0, 1e3, 1e6]),
)
def test_extreme_weights_and_errors_never_give_nan(name, weights, scale):
    y = np.array([0.0, 1.0, 2.0, 2.5, 7.0, 30.0])
    space = LabelSpace(n_bins=4).fit(y) if name == "bni" else None
    loss = losses.make_loss(name, y, label_space=space, random_state=0)
    pred = torch.tensor([0.0, -1.0, 1.0, 4.0, 2.0, 3.0], dtype=torch.float32) * scale
    pred.requires_grad_(True)
    value = loss(pred, torch.tensor(y, dtype=torch.float32), torch.tensor(weights))
    assert not torch.isnan(value)
    if max(weights) <= 1e8:
        # weight * loss stays within float32 range: finite value and gradients.
        # (With weights of 1e30 on errors of 1e6 the true value exceeds it,
        # and the loss is inf rather than NaN.)
        assert torch.isfinite(value)
        value.backward()
        assert torch.isfinite(pred.grad).all()


def test_zero_weight_masks_infinite_loss():
    value = losses.weighted_mean(torch.tensor([1.0, float("inf")]), torch.tensor([3.0, 0.0]))
    assert float(value) == 1.5


@pytest.mark.parametrize("name", losses.LOSSES)
@pytest.mark.parametrize("bad", [float("nan"), -1.0, float("inf")])
def test_invalid_weights_raise_instead_of_counting_as_zero(name, bad):
    y = np.array([0.0, 1.0, 2.0, 2.5, 7.0, 30.0])
    space = LabelSpace(n_bins=4).fit(y) if name == "bni" else None
    loss = losses.make_loss(name, y, label_space=space, random_state=0)
    pred, target = torch.zeros(6), torch.tensor(y, dtype=torch.float32)
    weight = torch.ones(6)
    weight[2] = bad
    with pytest.raises(ValueError, match="finite and non-negative"):
        loss(pred, target, weight)
    # Inside DIRRegressor's training loop the weights were checked once in
    # fit, so the per-batch check (a device synchronisation) is skipped.
    with losses._checked_weights():
        loss(pred, target, torch.ones(6))
    assert not losses._WEIGHTS_CHECKED.get()


def test_callable_loss_checks_weights_too():
    scalar = losses.make_loss(torch.nn.MSELoss())
    with pytest.raises(ValueError, match="finite and non-negative"):
        scalar(_t(P), _t(Y), torch.tensor([-1.0, -1.0, -1.0, -1.0]))
    per_sample = losses.make_loss(torch.nn.MSELoss(reduction="none"))
    with pytest.raises(ValueError, match="finite and non-negative"):
        per_sample(_t(P), _t(Y), torch.tensor([1.0, float("nan"), 1.0, 1.0]))


def test_gai_matches_formula():
    means, variances, weights = np.array([0.0, 3.0]), np.array([1.0, 0.5]), np.array([0.3, 0.7])
    loss = losses.GAILoss(means, variances, weights, init_noise_sigma=0.8)
    s = 0.64
    balance = (
        np.log(weights)[None, :]
        - 0.5 * np.log(variances + s)[None, :]
        - 0.5 * (P[:, None] - means[None, :]) ** 2 / (variances + s)[None, :]
    )
    per = (P - Y) ** 2 / (2 * s) + 0.5 * np.log(s) + logsumexp(balance, axis=1)
    value = loss(_t(P).float(), _t(Y).float(), _t(W).float())
    assert float(value.detach()) == pytest.approx((W * per).mean() * 2 * s, rel=1e-5)



def test_bmse_is_an_alias_of_gai():
    y = np.array([0.2, 0.4, 1.5, 3.9, 3.1, 3.0, 2.2, 0.9, 5.5, 6.0])
    alias = losses.make_loss("bmse", y, n_components=3, init_noise_sigma=0.8,
                             random_state=0)
    gai = losses.make_loss("gai", y, n_components=3, init_noise_sigma=0.8,
                           random_state=0)
    assert type(alias) is losses.GAILoss
    for name in ("gmm_means", "gmm_variances", "gmm_log_weights", "noise_sigma"):
        torch.testing.assert_close(getattr(alias, name), getattr(gai, name), rtol=0, atol=0)
    assert alias.gmm_means.numel() == 3
    # The GAI formula on the alias's own mixture.
    means, variances = alias.gmm_means.double().numpy(), alias.gmm_variances.double().numpy()
    log_w, s = alias.gmm_log_weights.double().numpy(), 0.8**2
    balance = (
        log_w[None, :] - 0.5 * np.log(variances + s)[None, :]
        - 0.5 * (P[:, None] - means[None, :]) ** 2 / (variances + s)[None, :]
    )
    per = (P - Y) ** 2 / (2 * s) + 0.5 * np.log(s) + logsumexp(balance, axis=1)
    value = alias(_t(P).float(), _t(Y).float(), _t(W).float())
    assert float(value.detach()) == pytest.approx((W * per).mean() * 2 * s, rel=1e-5)
    # "auto" is one bin of the label space, as for "gai".
    auto = losses.make_loss("bmse", y, label_space=LabelSpace(bin_width=0.5),
                            init_noise_sigma="auto", n_components=2, random_state=0)
    assert float(auto.noise_sigma.detach()) == 0.5
    # Errors name the loss as given.
    with pytest.raises(ValueError, match="loss='bmse' needs the training targets"):
        losses.make_loss("bmse")
    with pytest.raises(ValueError, match="no effect with loss='bmse' unless"):
        losses.make_loss("bmse", y, label_space=LabelSpace())
    assert "bmse" in losses.LOSSES and "bmse" in losses.BALANCED


def test_dir_regressor_bmse_trains_as_gai():
    from skdir.nn import DIRRegressor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X @ [1.0, -2.0, 0.5] + rng.exponential(2.0, size=60)
    params = dict(hidden_layer_sizes=(8,), max_epochs=3, batch_size=32, random_state=0,
                  early_stopping=False, n_iter_no_change=None,
                  loss_params={"n_components": 2}, noise_sigma_lr=0.5)
    alias = DIRRegressor(loss="bmse", **params).fit(X, y)
    gai = DIRRegressor(loss="gai", **params).fit(X, y)
    assert alias.loss == "bmse"  # the parameter is kept as given
    assert type(alias.net_.criterion_) is losses.GAILoss
    np.testing.assert_array_equal(alias.predict(X), gai.predict(X))
    # The noise scale is learned with its own rate, from one bin ("auto").
    assert [g["lr"] for g in alias.net_.optimizer_.param_groups] == [1e-3, 0.5]
    sigma = float(alias.net_.criterion_.noise_sigma.detach())
    assert sigma == float(gai.net_.criterion_.noise_sigma.detach())
    assert sigma != pytest.approx(losses.bin_noise_sigma(alias.label_space_)
                                  / alias.target_scale_)

def test_bni_matches_formula_and_drops_empty_bins():
    centers, prob = np.array([-1.0, 0.0, 1.0, 4.0]), np.array([2.0, 0.0, 1.0, 1.0])
    loss = losses.BNILoss(centers, prob, init_noise_sigma=1.5)
    assert loss.bin_centers.numel() == 3
    s = 2.25
    q = prob[prob > 0] / prob.sum()
    c = centers[prob > 0]
    balance = np.log(q)[None, :] - 0.5 * (P[:, None] - c[None, :]) ** 2 / s
    per = (P - Y) ** 2 / (2 * s) + logsumexp(balance, axis=1)
    value = loss(_t(P).float(), _t(Y).float()).detach()
    assert float(value) == pytest.approx(per.mean() * 2 * s, rel=1e-5)


def test_bni_from_label_space_uses_its_counts_and_smoothing():
    y = np.array([0.2, 0.4, 1.5, 3.9, 3.1, 3.0])
    space = LabelSpace(bin_width=1, kernel="triang", ks=3).fit(y)
    loss = losses.BNILoss.from_label_space(space)
    np.testing.assert_allclose(loss.bin_centers, [0.5, 1.5, 3.5])
    np.testing.assert_allclose(loss.bin_log_probs.exp(), [2 / 6, 1 / 6, 3 / 6], rtol=1e-6)
    smoothed = losses.BNILoss.from_label_space(space, lds=True)
    assert smoothed.bin_centers.numel() == 4  # LDS gives the empty bin mass
    # Triangular window of 3 bins, max-normalised: [0.5, 1, 0.5].
    counts = np.array([2.0, 1.0, 0.0, 3.0])
    by_hand = counts + 0.5 * np.r_[0, counts[:-1]] + 0.5 * np.r_[counts[1:], 0]
    np.testing.assert_allclose(smoothed.bin_log_probs.exp(), by_hand / by_hand.sum(),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="fitted label_space"):
        losses.BNILoss.from_label_space(LabelSpace(bin_width=1))


def test_make_loss_bni_uses_a_fitted_space_as_given():
    y = np.array([0.2, 0.4, 1.5, 3.9, 3.1, 3.0])
    space = LabelSpace(bin_width=1).fit(np.array([0.5, 0.5, 0.5, 2.5]))
    loss = losses.make_loss("bni", y, label_space=space)
    np.testing.assert_allclose(loss.bin_centers, [0.5, 2.5])  # its counts, not y's
    np.testing.assert_allclose(loss.bin_log_probs.exp(), [0.75, 0.25], rtol=1e-6)
    # An unfitted one is fitted on y.
    loss = losses.make_loss("bni", y, label_space=LabelSpace(bin_width=1))
    np.testing.assert_allclose(loss.bin_centers, [0.5, 1.5, 3.5])


def test_bmc_matches_formula_and_needs_two_samples():
    loss = losses.BMCLoss(init_noise_sigma=2.0)
    s = 4.0
    logits = -((P[:, None] - Y[None, :]) ** 2) / (2 * s)
    per = -(np.diag(logits) - logsumexp(logits, axis=1))
    value = loss(_t(P).float(), _t(Y).float(), _t(W).float()).detach()
    assert float(value) == pytest.approx((W * per).mean() * 2 * s, rel=1e-5)
    with pytest.raises(ValueError, match="at least 2"):
        loss(torch.tensor([1.0]), torch.tensor([1.0]))


def test_gai_from_targets_caps_components():
    loss = losses.GAILoss.from_targets(np.array([1.0, 1.0, 2.0, 5.0]), random_state=0)
    assert loss.gmm_means.numel() == 3
    np.testing.assert_allclose(loss.gmm_log_weights.exp().sum(), 1.0, rtol=1e-6)


def test_balanced_scale_is_detached():
    # d/dsigma of (nll * detach(2 s)) is 2 s * d nll / d sigma.
    loss = losses.BMCLoss(init_noise_sigma=1.3)
    pred, y = torch.tensor([0.0, 1.0, 2.5]), torch.tensor([0.5, 1.0, 2.0])
    loss(pred, y).backward()
    sigma = torch.tensor(1.3, requires_grad=True)
    logits = -((pred[:, None] - y[None, :]) ** 2) / (2 * sigma**2)
    nll = torch.nn.functional.cross_entropy(logits, torch.arange(3))
    nll.backward()
    expected = 2 * 1.3**2 * sigma.grad
    torch.testing.assert_close(loss.noise_sigma.grad, expected)


# ------------------------------------------------- Balanced MSE noise scale
def test_bin_noise_sigma_is_the_width_of_one_bin():
    y = np.array([0.0, 1.0, 2.5, 9.0, 10.0])
    assert losses.bin_noise_sigma(LabelSpace(bin_width=2.5).fit(y)) == 2.5
    assert losses.bin_noise_sigma(LabelSpace(n_bins=4), y=y) == 2.5  # (10 - 0) / 4
    # Unequal bins: widths 1, 1, 2, 6, median 1.5.
    edges = LabelSpace(edges=[0.0, 1.0, 2.0, 4.0, 10.0])
    assert losses.bin_noise_sigma(edges, y=y) == 1.5
    with pytest.raises(ValueError, match="needs a fitted label_space"):
        losses.bin_noise_sigma(LabelSpace(bin_width=1.0))
    with pytest.raises(TypeError, match="LabelSpace"):
        losses.bin_noise_sigma(4, y=y)


@settings(max_examples=25, deadline=None)
@given(
    scale=st.floats(1e-3, 1e3),
    n_bins=st.integers(1, 30),
    seed=st.integers(0, 2**16),
)
def test_bin_noise_sigma_follows_the_units_of_the_target(scale, n_bins, seed):
    y = np.random.RandomState(seed).exponential(size=40)
    space = LabelSpace(n_bins=n_bins, strategy="uniform")
    base = losses.bin_noise_sigma(space, y=y)
    assert base == pytest.approx(np.ptp(y) / n_bins, rel=1e-9)
    scaled = losses.bin_noise_sigma(space, y=scale * y)
    assert scaled == pytest.approx(scale * base, rel=1e-9)


@pytest.mark.parametrize("name", ["gai", "bmc", "bni"])
def test_make_loss_auto_noise_sigma(name):
    y = np.array([0.2, 0.4, 1.5, 3.9, 3.1, 3.0, 2.2, 0.9])
    space = LabelSpace(bin_width=0.5).fit(y)
    loss = losses.make_loss(name, y, label_space=space, init_noise_sigma="auto",
                            random_state=0)
    assert float(loss.noise_sigma.detach()) == 0.5
    # An unfitted space is fitted on y: 3 equal bins over [0.2, 3.9].
    loss = losses.make_loss(name, y, label_space=LabelSpace(n_bins=3),
                            init_noise_sigma="auto", random_state=0)
    assert float(loss.noise_sigma.detach()) == pytest.approx(3.7 / 3)
    # An explicit float is used as given.
    space = space if name == "bni" else None  # no effect otherwise
    loss = losses.make_loss(name, y, label_space=space, init_noise_sigma=0.8,
                            random_state=0)
    assert float(loss.noise_sigma.detach()) == pytest.approx(0.8)


def test_bni_from_label_space_auto_noise_sigma():
    y = np.array([0.2, 0.4, 1.5, 3.9, 3.1, 3.0])
    space = LabelSpace(bin_width=2.0).fit(y)
    loss = losses.BNILoss.from_label_space(space, init_noise_sigma="auto")
    assert float(loss.noise_sigma.detach()) == 2.0


def test_auto_needs_a_space_or_targets_and_classes_need_a_number():
    with pytest.raises(ValueError, match="needs a fitted label_space"):
        losses.make_loss("bmc", init_noise_sigma="auto")
    with pytest.raises(ValueError, match="'auto'"):
        losses.BMCLoss(init_noise_sigma="auto")
    with pytest.raises(TypeError, match="fix_noise_sigma"):
        losses.BMCLoss(fix_noise_sigma="yes")


@pytest.mark.parametrize("name", ["gai", "bmc", "bni"])
def test_fixed_noise_sigma_is_a_constant_with_the_same_loss(name):
    y = np.array([0.2, 0.4, 1.5, 3.9, 3.1, 3.0, 2.2, 0.9])
    space = LabelSpace(bin_width=1.0).fit(y) if name == "bni" else None
    kw = dict(label_space=space, init_noise_sigma=0.7, random_state=0)
    free = losses.make_loss(name, y, **kw)
    fixed = losses.make_loss(name, y, fix_noise_sigma=True, **kw)
    assert [n for n, _ in free.named_parameters()] == ["noise_sigma"]
    assert list(fixed.parameters()) == []
    assert not fixed.noise_sigma.requires_grad
    assert "noise_sigma" in fixed.state_dict()
    pred = torch.tensor([0.5, 1.0, 2.0, 3.5], requires_grad=True)
    target = torch.tensor([0.4, 1.5, 2.2, 3.0])
    torch.testing.assert_close(fixed(pred, target), free(pred, target).detach())
    fixed(pred, target).backward()
    assert pred.grad is not None and fixed.noise_sigma.grad is None


def test_callable_loss():
    wrapped = losses.make_loss(torch.nn.MSELoss(reduction="none"))
    assert float(wrapped(_t(P), _t(Y), _t(W))) == pytest.approx((W * (P - Y) ** 2).mean())
    scalar = losses.make_loss(torch.nn.MSELoss())
    assert float(scalar(_t(P), _t(Y))) == pytest.approx(((P - Y) ** 2).mean())
    assert float(scalar(_t(P), _t(Y), torch.ones(4))) == pytest.approx(((P - Y) ** 2).mean())
    with pytest.raises(ValueError, match="per-sample"):
        scalar(_t(P), _t(Y), _t(W))


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (("nope",), {}, ValueError, "loss must be one of"),
        (("gai",), {}, ValueError, "needs the training targets"),
        (("bni",), {}, ValueError, "needs a fitted label_space or the training"),
        (("mse",), {"label_space": LabelSpace()}, ValueError, "no effect"),
        (("bmc",), {"label_space": LabelSpace()}, ValueError, "unless init_noise_sigma"),
        ((lambda p, t: p,), {"label_space": LabelSpace()}, ValueError, "named losses"),
        ((torch.nn.MSELoss,), {}, TypeError, "Pass an instance"),
        ((lambda p, t: p,), {"beta": 1.0}, ValueError, "named losses"),
        (("huber",), {"beta": -1.0}, ValueError, "beta"),
        (("focal_l1",), {"activate": "relu"}, ValueError, "activate"),
        (("bmc",), {"init_noise_sigma": 0.0}, ValueError, "init_noise_sigma"),
    ],
)
def test_make_loss_errors(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        losses.make_loss(*args, **kwargs)


def test_shape_mismatch():
    with pytest.raises(ValueError, match="different shapes"):
        losses.MSELoss()(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match="values for a batch"):
        losses.MSELoss()(torch.zeros(3), torch.zeros(3), torch.ones(2))
    with pytest.raises(ValueError, match="values for a batch"):
        losses.MSELoss()(torch.zeros(3), torch.zeros(3), torch.ones(3, 2))


# ----------------------------------------------------------------- RankSim
def _reference_rank(seq):
    return torch.argsort(torch.argsort(seq, stable=True).flip(1))


def _reference_rank_normalised(seq):
    return (_reference_rank(seq) + 1).float() / seq.size()[1]


class _ReferenceRanker(torch.autograd.Function):
    @staticmethod
    def forward(ctx, sequence, lambda_val):
        rank = _reference_rank_normalised(sequence)
        ctx.lambda_val = lambda_val
        ctx.save_for_backward(sequence, rank)
        return rank

    @staticmethod
    def backward(ctx, grad_output):
        sequence, rank = ctx.saved_tensors
        rank_prime = _reference_rank_normalised(sequence + ctx.lambda_val * grad_output)
        return -(rank - rank_prime) / (ctx.lambda_val + 1e-8), None


def _reference_ranksim(x, y, lam):
    # The per-row loop of Gong et al.'s code, for distinct targets.
    x = torch.nn.functional.normalize(x)
    xxt = x @ x.T
    loss = 0
    for i in range(len(y)):
        label_ranks = _reference_rank_normalised(-torch.abs(y[i] - y)[None, :])
        feature_ranks = _ReferenceRanker.apply(xxt[i][None, :], lam)
        loss = loss + torch.nn.functional.mse_loss(feature_ranks, label_ranks)
    return loss


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 12), st.integers(0, 2**31 - 1))
def test_ranksim_matches_loop_reference_with_gradient(n, seed):
    gen = torch.Generator().manual_seed(seed)
    y = torch.randperm(50, generator=gen)[:n].float()  # distinct targets
    x1 = torch.randn(n, 4, generator=gen, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_(True)
    ours = ranksim_loss(x1, y, interpolation_lambda=2.0)
    ref = _reference_ranksim(x2, y, 2.0)
    torch.testing.assert_close(ours, ref)
    ours.backward()
    ref.backward()
    torch.testing.assert_close(x1.grad, x2.grad)


def test_ranksim_keeps_one_sample_per_label():
    y = torch.tensor([1.0, 1.0, 1.0, 2.0, 2.0, 9.0])
    x = torch.randn(6, 3, generator=torch.Generator().manual_seed(1))
    values = {
        float(ranksim_loss(x, y, generator=torch.Generator().manual_seed(s)))
        for s in range(20)
    }
    # Three distinct labels: every choice has 3 rows, each row's mse is a
    # multiple of (1/3)^2 / 3.
    for v in values:
        assert round(v * 27, 6) == pytest.approx(round(v * 27))
    assert len(values) > 1  # the chosen representatives vary
    assert float(ranksim_loss(x[:1], y[:1])) == 0.0
