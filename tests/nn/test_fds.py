"""FDS against hand-computed statistics, its schedule, bins and edge cases."""

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from skdir import LabelSpace, kernel_window  # noqa: E402
from skdir.nn import FDS  # noqa: E402
from skdir.nn._fds import _reflect_neighbours  # noqa: E402

EDGES = [0.0, 1.0, 2.0, 3.0, 4.0]


def _space(edges=EDGES, **kwargs):
    """A LabelSpace with these edges, fitted (FDS takes a fitted one)."""
    edges = np.asarray(edges, dtype=float)
    return LabelSpace(edges=edges, **kwargs).fit(edges[[0, -1]])


def _batch():
    # 4 bins of width 1; bin 3 gets one sample, every bin at least one.
    z = torch.tensor(
        [[1.0, 2.0], [3.0, 2.0], [2.0, 5.0],   # bin 0
         [0.0, 1.0], [4.0, 1.0],               # bin 1
         [2.0, 0.0], [2.0, 4.0], [5.0, 8.0],   # bin 2
         [7.0, 7.0]]                           # bin 3
    )
    y = torch.tensor([0.2, 0.5, 0.9, 1.0, 1.7, 2.1, 2.5, 2.99, 3.5])
    return z, y


def _hand_stats(z, index, n_bins):
    z = np.asarray(z, dtype=float)
    mean = np.zeros((n_bins, z.shape[1]))
    var = np.ones((n_bins, z.shape[1]))
    seen = np.zeros(n_bins, dtype=bool)
    for b in range(n_bins):
        rows = z[index == b]
        if len(rows):
            seen[b] = True
            mean[b] = rows.mean(0)
            var[b] = rows.var(0, ddof=1) if len(rows) > 1 else 0.0
    return mean, var, seen


def _hand_smooth(stat, seen, window):
    # Reflect-padded window restricted to populated bins, renormalised.
    n, half = len(stat), len(window) // 2
    out = stat.copy()
    for b in range(n):
        if not seen[b]:
            continue
        num, den = 0.0, 0.0
        for k, w in enumerate(window):
            j = b + k - half
            j = -j if j < 0 else j
            j = 2 * (n - 1) - j if j >= n else j
            if seen[j]:
                num, den = num + w * stat[j], den + w
        out[b] = num / den
    return out


def test_epoch_statistics_smoothing_and_calibration_match_hand_computation():
    z, y = _batch()
    fds = FDS(2, _space(kernel="triang", ks=3)).train()
    out0 = fds(z, y)
    assert torch.equal(out0, z)  # epoch 0 < start_smooth
    fds.end_epoch()

    index = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3])
    mean, var, seen = _hand_stats(z, index, 4)
    np.testing.assert_allclose(fds.running_mean, mean, rtol=1e-6)
    np.testing.assert_allclose(fds.running_var, var, rtol=1e-6, atol=1e-6)
    window = kernel_window("triang", ks=3, normalize="sum")
    smean, svar = _hand_smooth(mean, seen, window), _hand_smooth(var, seen, window)
    np.testing.assert_allclose(fds.smoothed_mean, smean, rtol=1e-6)
    np.testing.assert_allclose(fds.smoothed_var, svar, rtol=1e-6)

    # Epoch 1 recalibrates with those statistics (bin 3 has variance 0: it
    # passes through).
    expected = z.numpy().astype(float).copy()
    for i, b in enumerate(index):
        for d in range(2):
            if var[b, d] > 0:
                ratio = np.clip(svar[b, d] / var[b, d], 0.1, 10.0)
                expected[i, d] = (expected[i, d] - mean[b, d]) * np.sqrt(ratio) + smean[b, d]
    np.testing.assert_allclose(fds(z, y).detach(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(fds(z, y)[8], z[8])


def test_ema_schedule_epoch_by_epoch():
    z, y = _batch()
    fds = FDS(2, _space(), start_update=1, start_smooth=2, momentum=0.9).train()
    fds(z, y)
    fds.end_epoch()  # epoch 0 < start_update: nothing collected
    assert not fds.populated.any()
    assert int(fds.epoch) == 1
    index = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3])
    mean1, var1, _ = _hand_stats(z, index, 4)
    assert torch.equal(fds(z, y), z)  # epoch 1 < start_smooth
    fds.end_epoch()  # epoch 1 == start_update: hard copy
    np.testing.assert_allclose(fds.running_mean, mean1, rtol=1e-6)

    z2 = 2.0 * z + 1.0
    mean2, var2, _ = _hand_stats(z2, index, 4)
    calibrated = fds(z2, y)  # epoch 2: collects raw z2 and recalibrates
    assert not torch.equal(calibrated, z2)
    fds.end_epoch()
    np.testing.assert_allclose(fds.running_mean, 0.9 * mean1 + 0.1 * mean2, rtol=1e-6)
    np.testing.assert_allclose(
        fds.running_var, 0.9 * var1 + 0.1 * var2, rtol=1e-6, atol=1e-6
    )


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=5),
    st.integers(0, 2**31 - 1),
)
def test_batched_statistics_equal_one_pass(sizes, seed):
    gen = np.random.RandomState(seed)
    n = sum(sizes)
    z = gen.normal(size=(n, 3)).astype(np.float32) * 10 + 100
    y = gen.uniform(-3, 3, size=n)
    fds = FDS(3, _space([-3.0, -1.0, 1.0, 3.0])).train()
    start = 0
    for size in sizes:
        fds.update(torch.tensor(z[start:start + size]), torch.tensor(y[start:start + size]))
        start += size
    fds.end_epoch()
    index = _space([-3.0, -1.0, 1.0, 3.0]).transform(y)
    mean, var, seen = _hand_stats(z, index, 3)
    np.testing.assert_array_equal(fds.populated.numpy(), seen)
    np.testing.assert_allclose(fds.running_mean[seen], mean[seen], rtol=1e-5)
    np.testing.assert_allclose(fds.running_var[seen], var[seen], rtol=2e-3, atol=1e-3)


def test_empty_bins_do_not_leak_into_neighbours():
    # Bins 1 and 3 of 5 are empty; features far from 0 and variance far from 1.
    z = torch.tensor([[10.0], [12.0], [50.0], [54.0], [90.0], [96.0]])
    y = torch.tensor([0.5, 0.5, 2.5, 2.5, 4.5, 4.5])
    fds = FDS(1, _space([0, 1, 2, 3, 4, 5], kernel="triang", ks=3)).train()
    fds(z, y)
    fds.end_epoch()
    assert fds.populated.tolist() == [True, False, True, False, True]
    # Every populated bin's neighbours are empty: smoothing leaves it as is.
    np.testing.assert_allclose(fds.smoothed_mean[:, 0], [11.0, 0.0, 52.0, 0.0, 93.0])
    np.testing.assert_allclose(fds.smoothed_var[:, 0], [2.0, 1.0, 8.0, 1.0, 18.0])
    # A sample in an empty bin passes through unchanged.
    out = fds(torch.tensor([[7.0], [30.0]]), torch.tensor([1.5, 2.5]))
    assert out[0, 0] == 7.0
    assert out[1, 0] == pytest.approx(30.0)  # own bin only: identity calibration


def test_all_populated_smoothing_equals_reflect_padded_convolution():
    gen = torch.Generator().manual_seed(0)
    n_bins, d = 7, 3
    z = torch.randn(70, d, generator=gen)
    y = torch.arange(70) % n_bins + 0.5
    fds = FDS(d, _space(np.arange(n_bins + 1.0), ks=5, sigma=2.0)).train()
    fds(z, y)
    fds.end_epoch()
    window = torch.as_tensor(kernel_window("gaussian", 5, 2.0, normalize="sum"),
                             dtype=torch.float32)
    padded = torch.nn.functional.pad(
        fds.running_mean.T[:, None, :], (2, 2), mode="reflect"
    )
    reference = torch.nn.functional.conv1d(padded, window.view(1, 1, -1))[:, 0, :].T
    torch.testing.assert_close(fds.smoothed_mean, reference)


@pytest.mark.parametrize("n_bins, ks", [(1, 5), (2, 5), (3, 5), (6, 3), (10, 9)])
def test_reflect_neighbours(n_bins, ks):
    idx = _reflect_neighbours(n_bins, ks)
    assert idx.shape == (n_bins, ks)
    assert idx.min() >= 0 and idx.max() < n_bins
    half = ks // 2
    if n_bins > half:
        padded = np.pad(np.arange(n_bins), half, mode="reflect")
        expected = np.lib.stride_tricks.sliding_window_view(padded, ks)
        np.testing.assert_array_equal(idx, expected)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=40))
def test_bin_index_matches_label_space_for_float_and_negative_targets(values):
    space = LabelSpace(n_bins=7).fit(np.array([-12.5, 3.25, 40.0]))
    fds = FDS(1, space)
    y = np.asarray(values)
    np.testing.assert_array_equal(fds.bin_index(torch.tensor(y)).numpy(), space.transform(y))


def test_nan_labels_are_rejected():
    fds = FDS(2, _space()).train()
    with pytest.raises(ValueError, match="NaN"):
        fds.bin_index(torch.tensor([0.5, float("nan")]))
    with pytest.raises(ValueError, match="NaN"):
        fds(torch.zeros(2, 2), torch.tensor([float("nan"), 1.0]))


@pytest.mark.parametrize(
    "kwargs, window",
    [
        ({}, kernel_window("gaussian", 5, 2.0, normalize="sum")),
        ({"kernel": "triang", "ks": 3}, np.array([0.25, 0.5, 0.25])),
        ({"kernel": "laplace", "ks": 7, "sigma": 1.5},
         kernel_window("laplace", 7, 1.5, normalize="sum")),
    ],
)
def test_window_and_bins_come_from_the_label_space(kwargs, window):
    space = LabelSpace(bin_width=0.5, **kwargs).fit(np.array([-1.2, 0.3, 2.9]))
    fds = FDS(2, space)
    assert fds.label_space is space
    np.testing.assert_array_equal(fds.edges, space.edges_)
    assert fds.n_bins == space.n_bins_ == 9
    np.testing.assert_allclose(fds.window.numpy(), window, rtol=1e-6)
    assert float(fds.window.sum()) == pytest.approx(1.0)
    assert fds.neighbours.shape == (9, window.size)


def test_out_of_place_autograd_and_eval_identity():
    torch.manual_seed(0)
    layer = torch.nn.Linear(4, 3)
    x = torch.randn(16, 4)
    y = torch.rand(16) * 4 - 2  # negative and float targets
    fds = FDS(3, _space([-2.0, -1.0, 0.0, 1.0, 2.0]), start_smooth=1).train()
    for _ in range(3):
        feats = torch.relu(layer(x))
        before = feats.clone()
        out = fds(feats, y)
        assert torch.equal(feats, before)
        (out.sum() + feats.sum()).backward()  # no in-place autograd error
        fds.end_epoch()
    assert layer.weight.grad is not None
    fds.eval()
    feats = torch.relu(layer(x))
    assert fds(feats, y) is feats


def test_zero_variance_dimension_passes_through():
    z = torch.tensor([[1.0, 5.0], [3.0, 5.0], [2.0, 7.0], [6.0, 7.0]])
    y = torch.tensor([0.5, 0.5, 1.5, 1.5])
    fds = FDS(2, _space([0.0, 1.0, 2.0], ks=3)).train()
    fds(z, y)
    fds.end_epoch()
    out = fds(z, y)
    np.testing.assert_array_equal(out[:, 1], z[:, 1])
    assert not torch.equal(out[:, 0], z[:, 0])


def test_variance_ratio_is_clipped():
    # Bin 0 has variance 2, bin 1 variance 20000: the smoothed ratios exceed 10.
    z = torch.tensor([[0.0], [2.0], [0.0], [200.0]])
    y = torch.tensor([0.5, 0.5, 1.5, 1.5])
    fds = FDS(1, _space([0.0, 1.0, 2.0], kernel="triang", ks=3)).train()
    fds(z, y)
    fds.end_epoch()
    mean, svar, smean = 1.0, float(fds.smoothed_var[0, 0]), float(fds.smoothed_mean[0, 0])
    assert svar / 2.0 > 10
    out = fds(torch.tensor([[3.0]]), torch.tensor([0.5]))
    assert float(out) == pytest.approx((3.0 - mean) * np.sqrt(10.0) + smean, rel=1e-6)


def test_state_dict_and_pickle_round_trip():
    z, y = _batch()
    fds = FDS(2, _space()).train()
    for _ in range(2):
        fds(z * 1.5, y)
        fds.end_epoch()
    fresh = FDS(2, _space()).train()
    fresh.load_state_dict(fds.state_dict())
    assert int(fresh.epoch) == 2
    torch.testing.assert_close(fresh(z, y), fds(z, y))
    clone = pickle.loads(pickle.dumps(fds))
    torch.testing.assert_close(clone(z, y), fds(z, y))
    fresh.reset()
    assert int(fresh.epoch) == 0 and not fresh.populated.any()


def test_float_cast_keeps_float64_edges():
    fds = FDS(1, _space([0.0, 0.1, 0.2])).double()
    index = fds.bin_index(torch.tensor([0.1], dtype=torch.float64))
    assert int(index) == 1
    fds.float()
    assert fds.edges.dtype == np.float64


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"feature_dim": 0}, ValueError, "feature_dim"),
        ({"label_space": LabelSpace(edges=EDGES)}, ValueError, "fitted"),
        ({"label_space": None}, ValueError, "fitted"),
        ({"label_space": EDGES}, TypeError, "LabelSpace"),
        ({"momentum": 1.0}, ValueError, "momentum"),
        ({"momentum": -0.1}, ValueError, "momentum"),
        ({"clip": (0.0, 1.0)}, ValueError, "clip"),
        ({"clip": (2.0, 1.0)}, ValueError, "clip"),
        ({"clip": 3.0}, ValueError, "clip"),
        ({"start_smooth": -1}, ValueError, "start_smooth"),
        ({"start_update": 1.5}, ValueError, "start_update"),
    ],
)
def test_invalid_arguments(kwargs, error, match):
    params = {"feature_dim": 2, "label_space": _space(), **kwargs}
    with pytest.raises(error, match=match):
        FDS(params.pop("feature_dim"), params.pop("label_space"), **params)


def test_no_kernel_or_bin_parameters_of_its_own():
    import inspect

    names = set(inspect.signature(FDS).parameters)
    assert names == {"feature_dim", "label_space", "momentum", "start_update",
                     "start_smooth", "clip"}


def test_shape_errors():
    fds = FDS(2, _space()).train()
    with pytest.raises(ValueError, match="features must have shape"):
        fds(torch.zeros(3, 4), torch.zeros(3))
    with pytest.raises(ValueError, match="different lengths"):
        fds(torch.zeros(3, 2), torch.zeros(4))


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(200, 8, generator=gen)
    y = torch.rand(200, generator=gen) * 10 - 5
    cpu = FDS(8, _space(np.linspace(-5, 5, 21))).train()
    gpu = FDS(8, _space(np.linspace(-5, 5, 21))).cuda().train()
    for _ in range(3):
        out_cpu = cpu(z, y)
        out_gpu = gpu(z.cuda(), y.cuda())
        torch.testing.assert_close(out_gpu.cpu(), out_cpu, rtol=1e-4, atol=1e-5)
        cpu.end_epoch()
        gpu.end_epoch()
    torch.testing.assert_close(gpu.smoothed_var.cpu(), cpu.smoothed_var, rtol=1e-4, atol=1e-5)


def test_precomputed_bin_index_equals_labels():
    gen = torch.Generator().manual_seed(1)
    z = torch.randn(40, 3, generator=gen)
    y = torch.rand(40, generator=gen) * 4 - 0.5  # some labels out of range
    by_label = FDS(3, _space(ks=3)).train()
    by_index = FDS(3, _space(ks=3)).train()
    index = by_index.bin_index(y)
    for _ in range(3):
        torch.testing.assert_close(by_index(z, bin_index=index), by_label(z, y))
        column = index[:, None]
        torch.testing.assert_close(by_index(z, bin_index=column), by_label(z, y))
        by_label.end_epoch()
        by_index.end_epoch()
    torch.testing.assert_close(by_index.running_var, by_label.running_var)
    assert by_index.eval()(z, bin_index=index) is z


@pytest.mark.parametrize(
    "bin_index, match",
    [
        (torch.zeros(5, dtype=torch.long), "different lengths"),
        (torch.zeros(4), "int64"),
        (torch.zeros(4, 2, dtype=torch.long), "shape"),
    ],
)
def test_invalid_bin_index(bin_index, match):
    fds = FDS(2, _space()).train()
    with pytest.raises(ValueError, match=match):
        fds(torch.zeros(4, 2), bin_index=bin_index)


def test_statistics_of_features_far_from_zero():
    # Mean 1e4, standard deviation about 1: float32 sums of squares would
    # lose the variance entirely; the float64 sums keep it.
    gen = np.random.RandomState(0)
    z = (1e4 + gen.normal(size=(600, 2))).astype(np.float32)
    y = gen.uniform(0, 4, size=600)
    fds = FDS(2, _space()).train()
    for start in range(0, 600, 64):
        fds.update(torch.tensor(z[start:start + 64]), torch.tensor(y[start:start + 64]))
    fds.end_epoch()
    index = _space().transform(y)
    mean, var, _ = _hand_stats(z.astype(np.float64), index, 4)
    np.testing.assert_allclose(fds.running_mean, mean, rtol=1e-7)
    np.testing.assert_allclose(fds.running_var, var, rtol=1e-5)


def test_dtype_casts_keep_float64_epoch_sums():
    z, y = _batch()
    fds = FDS(2, _space()).double().train()
    fds(z.double(), y)
    fds.half().float()  # mid-epoch casts do not touch the epoch's sums
    assert fds._epoch_sums.dtype == torch.float64
    fds.end_epoch()
    index = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3])
    mean, var, _ = _hand_stats(z, index, 4)
    np.testing.assert_allclose(fds.running_var, var, rtol=1e-6, atol=1e-6)
    assert fds.running_var.dtype == torch.float32


def test_network_passes_bin_index_or_labels_to_fds():
    from skdir.nn import DIRNetwork

    torch.manual_seed(0)
    X = torch.randn(12, 3)
    y = torch.rand(12) * 4
    nets = [
        DIRNetwork(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1), FDS(2, _space())).train()
        for _ in range(2)
    ]
    nets[1].load_state_dict(nets[0].state_dict())
    index = nets[1].fds.bin_index(y)
    for _ in range(2):
        pred_labels, feats = nets[0](X, labels=y)
        pred_index, _ = nets[1](X, bin_index=index)
        torch.testing.assert_close(pred_index, pred_labels)
        for net in nets:
            net.fds.end_epoch()
    assert not torch.equal(pred_labels, nets[0].head(feats))  # calibrated
