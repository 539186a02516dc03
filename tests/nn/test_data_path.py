"""The data path of DIRRegressor's net: placement, batches gathered by index,
seeded shuffling, where the weights go, skorch's loop with deferred loss
read-back (and its fallback), no host synchronisation per batch, mixed
precision."""

import pickle
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from skorch.callbacks import Callback  # noqa: E402
from skorch.dataset import Dataset  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402

from skdir.nn import (  # noqa: E402
    MLP,
    DIRNetwork,
    DIRRegressor,
    FDSOptions,
    RankSimOptions,
)
from skdir.nn import _net  # noqa: E402
from skdir.nn._net import (  # noqa: E402
    RESIDENT_FRACTION,
    BatchLoader,
    DIRNet,
    fits_on_device,
    place_data,
)
from skdir.nn.losses import MSELoss  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4)).astype(np.float32)
    y = X @ [1.0, -2.0, 0.5, 0.0] + rng.exponential(2.0, size=150)
    return X, y


def _model(**params):
    base = dict(hidden_layer_sizes=(8,), max_epochs=2, batch_size=32, random_state=0,
                early_stopping=False, n_iter_no_change=None)
    return DIRRegressor(**{**base, **params})


# --------------------------------------------------------------- placement
def test_memory_rule(monkeypatch):
    assert fits_on_device(10**15, "cpu")  # the host is the device
    free = 1000
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (free, 4000))
    limit = int(RESIDENT_FRACTION * free)
    assert fits_on_device(limit, "cuda")
    assert not fits_on_device(limit + 1, "cuda")
    assert not fits_on_device(1, "meta")  # other devices: staged batches


def test_place_data_shares_memory_on_the_host():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    w = np.ones(4, dtype=np.float32)
    placed = place_data({"X": X, "sample_weight": w}, "cpu")
    assert np.shares_memory(placed["X"].numpy(), X)
    assert placed["sample_weight"].device.type == "cpu"
    tensor = torch.ones(3)
    assert place_data(tensor, "cpu") is tensor
    # Read-only or non-contiguous arrays are copied, not shared.
    ro = X.copy()
    ro.flags.writeable = False
    assert not np.shares_memory(place_data(ro, "cpu").numpy(), ro)
    np.testing.assert_array_equal(place_data(X[:, ::2], "cpu").numpy(), X[:, ::2])


# ----------------------------------------------------------------- batches
def _dataset(n=23):
    rng = np.random.RandomState(1)
    X = {
        "X": rng.normal(size=(n, 3)).astype(np.float32),
        "sample_weight": rng.uniform(0.5, 2, size=n).astype(np.float32),
        "bin_index": rng.randint(0, 5, size=n).astype(np.int64),
    }
    y = rng.normal(size=(n, 1)).astype(np.float32)
    return X, y


@pytest.mark.parametrize("resident", [True, False])
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("subset", [False, True])
def test_batches_gathered_by_index_equal_reference_indexing(
    resident, drop_last, subset
):
    X, y = _dataset()
    dataset = Dataset(X, y)
    rows = np.arange(len(y))
    if subset:  # a validation split hands the loader a Subset
        rows = np.array([20, 3, 7, 11, 0, 5, 9, 14, 16, 2, 22, 18, 1])
        dataset = torch.utils.data.Subset(dataset, rows)
    loader = BatchLoader(
        dataset, batch_size=4, shuffle=True, drop_last=drop_last, device="cpu",
        generator=torch.Generator().manual_seed(7), resident=resident,
    )
    batches = list(loader)
    # The reference: one permutation from the same seed, numpy fancy indexing.
    perm = torch.randperm(len(rows), generator=torch.Generator().manual_seed(7)).numpy()
    order = rows[perm]
    stop = len(order) - len(order) % 4 if drop_last else len(order)
    expected = [order[i:i + 4] for i in range(0, stop, 4)]
    assert len(batches) == len(expected) == len(loader)
    for (Xb, yb), idx in zip(batches, expected):
        assert set(Xb) == set(X)
        for key in X:
            np.testing.assert_array_equal(Xb[key].numpy(), X[key][idx])
            assert Xb[key].dtype == torch.from_numpy(X[key]).dtype
        np.testing.assert_array_equal(yb.numpy(), y[idx])
    # A batch is a copy: writing to it leaves the data as they were.
    before = X["X"].copy()
    batches[0][0]["X"].add_(1.0)
    np.testing.assert_array_equal(X["X"], before)


def test_unshuffled_batches_keep_the_order():
    X, y = _dataset(10)
    loader = BatchLoader(Dataset(X, y), batch_size=4, device="cpu")
    got = np.concatenate([Xb["X"].numpy() for Xb, _ in loader])
    np.testing.assert_array_equal(got, X["X"])


def test_generator_per_device_is_requested_for_the_data_device():
    X, y = _dataset(10)
    asked = []

    def generator(device):
        asked.append(torch.device(device))
        return torch.Generator().manual_seed(0)

    list(BatchLoader(Dataset(X, y), batch_size=4, shuffle=True, device="cpu",
                     generator=generator))
    assert asked == [torch.device("cpu")]


# ------------------------------------------------------------- shuffling
def test_shuffling_is_seeded_from_random_state(data):
    X, y = data
    a = _model().fit(X, y)
    b = _model().fit(X, y)
    c = _model(random_state=1).fit(X, y)
    # The fourth seed DIRRegressor draws from random_state seeds the shuffling.
    seeds = check_random_state(0).randint(np.iinfo(np.int32).max, size=4)
    assert a.net_.shuffle_seed_ == int(seeds[3])
    assert a.net_.history[:, "batches", :, "train_loss"] == (
        b.net_.history[:, "batches", :, "train_loss"]
    )
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    assert not np.allclose(a.predict(X), c.predict(X))


class _BatchSpy(Callback):
    """Keeps every training batch (on_batch_begin: no loss is read)."""

    def initialize(self):
        self.batches = []
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.batches.append(batch)


def _net_for(X, *, criterion=None, callbacks=(), seed=11, network=DIRNetwork,
             **kwargs):
    module = network(MLP(X.shape[1], (6,)), torch.nn.Linear(6, 1))
    settings = dict(
        optimizer=torch.optim.SGD, lr=0.01, max_epochs=1, batch_size=8,
        iterator_train=BatchLoader, iterator_valid=BatchLoader,
        iterator_train__shuffle=True, train_split=None, shuffle_seed=seed,
        callbacks=list(callbacks), callbacks__print_log=None,
    )
    return DIRNet(
        module, criterion=criterion if criterion is not None else MSELoss(),
        **{**settings, **kwargs},
    )


def test_training_batches_follow_the_seeded_permutation():
    X, y = _dataset(30)
    spy = _BatchSpy()
    net = _net_for(X["X"], callbacks=[("spy", spy)], seed=5)
    net.fit({"X": X["X"]}, y, epochs=2)
    gen = torch.Generator().manual_seed(5)
    for epoch in range(2):
        perm = torch.randperm(30, generator=gen).numpy()
        got = spy.batches[epoch * 4:(epoch + 1) * 4]
        for k, (Xb, yb) in enumerate(got):
            idx = perm[k * 8:(k + 1) * 8]
            np.testing.assert_array_equal(Xb["X"].numpy(), X["X"][idx])
            np.testing.assert_array_equal(yb.numpy(), y[idx])
    assert not net._batch_end_listened()  # on_batch_begin keeps the fast path


def test_shuffling_continues_after_pickling():
    X, y = _dataset(30)
    net = _net_for(X["X"]).fit({"X": X["X"]}, y)
    copy = pickle.loads(pickle.dumps(net))
    net.partial_fit({"X": X["X"]}, y)
    copy.partial_fit({"X": X["X"]}, y)
    for a, b in zip(net.module_.parameters(), copy.module_.parameters()):
        assert torch.equal(a, b)


# --------------------------------------------------------------- weights
class _RecordingLoss(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = []

    def forward(self, pred, target, weight=None):
        self.weights.append(weight)
        w = torch.ones_like(target[:, 0]) if weight is None else weight
        return (w * (pred[:, 0] - target[:, 0]) ** 2).mean()


class _RecordingNetwork(DIRNetwork):
    def forward(self, X, **kwargs):
        self.seen = getattr(self, "seen", []) + [sorted(kwargs)]
        return super().forward(X, **kwargs)


def test_sample_weight_reaches_the_loss_once_and_unchanged():
    X, y = _dataset(30)
    loss = _RecordingLoss()
    spy = _BatchSpy()
    net = _net_for(X["X"], criterion=loss, callbacks=[("spy", spy)],
                   network=_RecordingNetwork)
    net.fit({"X": X["X"], "sample_weight": X["sample_weight"]}, y)
    assert len(loss.weights) == len(spy.batches) == 4  # once per batch
    perm = torch.randperm(30, generator=torch.Generator().manual_seed(11)).numpy()
    for k, (weight, (Xb, _)) in enumerate(zip(loss.weights, spy.batches)):
        # The very tensor the batch gathered (no copy on the way), with the
        # values of the caller's weights.
        assert weight is Xb["sample_weight"]
        np.testing.assert_array_equal(
            weight.numpy(), X["sample_weight"][perm[k * 8:(k + 1) * 8]]
        )
    # The module never sees the weights.
    assert net.module_.seen == [[]] * 4


# ------------------------------------------------- skorch's loop, fallback
class _BatchEndListener(Callback):
    def initialize(self):
        self.losses = []
        return self

    def on_batch_end(self, net, batch=None, training=False, loss=None, **kwargs):
        self.losses.append((training, loss.item()))


@pytest.mark.parametrize("early_stopping", [False, True])
def test_fallback_loop_records_the_same_history(data, early_stopping):
    X, y = data
    params = dict(early_stopping=early_stopping,
                  n_iter_no_change=5 if early_stopping else None,
                  reweight="sqrt_inv", fds=True)
    fast = _model(**params).fit(X, y)
    listener = _BatchEndListener()
    slow = _model(callbacks=[("listener", listener)], **params).fit(X, y)
    assert not fast.net_._batch_end_listened()
    assert slow.net_._batch_end_listened()
    prefixes = ["train", "valid"] if early_stopping else ["train"]
    for prefix in prefixes:
        for key in (prefix + "_loss", prefix + "_batch_count"):
            assert fast.net_.history[:, key] == slow.net_.history[:, key]
        for key in (prefix + "_loss", prefix + "_batch_size"):
            assert fast.net_.history[:, "batches", :, key] == (
                slow.net_.history[:, "batches", :, key]
            )
    # The listener (DIRRegressor's copy) saw every batch's loss as skorch's
    # loop reads it.
    listener = dict(slow.net_.callbacks_)["listener"]
    train = [value for training, value in listener.losses if training]
    per_epoch = fast.net_.history[:, "batches", :, "train_loss"]
    flat = [v for epoch in per_epoch for v in epoch]
    assert train == flat
    assert all(np.isfinite(flat)) and not any(v is _net._PENDING for v in flat)
    np.testing.assert_array_equal(fast.predict(X), slow.predict(X))


class _Interrupt(Callback):
    """Stops training (as Ctrl-C does) before the third training batch."""

    def initialize(self):
        self.seen = 0
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.seen += 1
            if self.seen == 3:
                raise KeyboardInterrupt


def test_interrupted_epoch_keeps_the_losses_of_its_batches(data):
    X, y = data
    # skorch's fit ends quietly on KeyboardInterrupt; the two batches done
    # have their losses in the history, no stand-in is left behind.
    model = _model(callbacks=[("stop", _Interrupt())]).fit(X, y)
    batches = model.net_.history[-1]["batches"]
    losses = [b.get("train_loss") for b in batches]
    assert len(batches) == 3 and losses[2] is None
    assert all(np.isfinite(losses[:2])) and not any(v is _net._PENDING for v in losses)


def test_gradient_callbacks_get_skorchs_step(data, monkeypatch):
    from skorch import NeuralNet
    from skorch.callbacks import GradientNormClipping

    X, y = data
    calls = []
    original = NeuralNet.train_step

    def counted(self, batch, **fit_params):
        calls.append(1)
        return original(self, batch, **fit_params)

    monkeypatch.setattr(NeuralNet, "train_step", counted)
    fast = _model(max_epochs=2).fit(X, y)
    assert calls == []  # the step without the unused event
    clip = GradientNormClipping(gradient_clip_value=1e9)  # never clips
    slow = _model(max_epochs=2, callbacks=[("clip", clip)]).fit(X, y)
    assert len(calls) == 2 * 5  # skorch's step, with on_grad_computed
    assert fast.net_.history[:, "batches", :, "train_loss"] == (
        slow.net_.history[:, "batches", :, "train_loss"]
    )
    np.testing.assert_array_equal(fast.predict(X), slow.predict(X))


def test_epoch_loss_is_the_size_weighted_mean_of_the_batch_losses(data):
    X, y = data
    history = _model(batch_size=64).fit(X, y).net_.history
    for epoch in history:
        losses = [b["train_loss"] for b in epoch["batches"]]
        sizes = [b["train_batch_size"] for b in epoch["batches"]]
        assert sizes == [64, 64, 22]
        assert epoch["train_loss"] == pytest.approx(np.average(losses, weights=sizes))


# --------------------------------------------------- no per-batch syncs
_READ_BACKS = ("item", "tolist", "cpu", "numpy", "__bool__", "__int__", "__float__",
               "__index__", "__array__", "nonzero", "unique")
_FUNCTIONS = ("unique", "nonzero", "masked_select", "argwhere")


def _from_optimiser():
    # torch's optimisers keep their step counts in host tensors (on CUDA
    # too, unless fused or capturable) and read them with item(): no device
    # synchronisation, so not counted.
    frame = sys._getframe(2)
    return frame.f_globals.get("__name__", "").startswith("torch.optim")


def _count_read_backs(monkeypatch, calls):
    """Count, while ``calls["on"]``, every Python-level way of reading a
    tensor's values back to the host (or of asking for a shape that depends
    on them, as boolean-mask indexing does)."""

    def wrap(owner, name):
        original = getattr(owner, name)

        def counting(*args, **kwargs):
            if calls["on"] and not _from_optimiser():
                calls[name] = calls.get(name, 0) + 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)

    for name in _READ_BACKS:
        wrap(torch.Tensor, name)
    for name in _FUNCTIONS:
        wrap(torch, name)
    getitem = torch.Tensor.__getitem__

    def masked_getitem(self, key):
        keys = key if isinstance(key, tuple) else (key,)
        if calls["on"] and any(
            isinstance(k, torch.Tensor) and k.dtype == torch.bool for k in keys
        ):
            calls["mask"] = calls.get("mask", 0) + 1
        return getitem(self, key)

    monkeypatch.setattr(torch.Tensor, "__getitem__", masked_getitem)


@pytest.mark.parametrize("params", [
    {},
    {"reweight": "sqrt_inv", "lds": True, "fds": FDSOptions(start_smooth=1)},
    {"ranksim": RankSimOptions(gamma=1.0), "loss": "gai"},
    {"loss": "bni", "reweight": "inverse", "early_stopping": True,
     "n_iter_no_change": 10},
    {"loss": "bmc", "dropout": 0.1},
])
def test_no_host_synchronisation_per_batch(data, monkeypatch, params):
    X, y = data
    y = np.round(y)  # repeated targets: RankSim keeps one sample per label
    calls = {"on": False}
    loops = []
    original = DIRNet.run_single_epoch

    def counted_loop(self, iterator, training, prefix, step_fn, **fit_params):
        calls["on"] = True
        try:
            return original(self, iterator, training, prefix, step_fn, **fit_params)
        finally:
            calls["on"] = False
            if iterator is not None:
                loops.append(prefix)

    monkeypatch.setattr(DIRNet, "run_single_epoch", counted_loop)
    _count_read_backs(monkeypatch, calls)
    found = []
    for batch_size in (16, 48):  # 10 and 4 batches per epoch (9 and 3 held out)
        calls.clear()
        calls["on"] = False
        loops.clear()
        _model(batch_size=batch_size, max_epochs=3, **params).fit(X, y)
        found.append({k: v for k, v in calls.items() if k != "on"})
        # One read-back of the batch losses per loop, at its end.
        assert found[-1].pop("tolist") == len(loops)
    # Nothing else, whatever the number of batches (FDS reads its epoch
    # counter in end_epoch, after the loop).
    assert found == [{}, {}]


def test_losses_are_read_back_per_batch_with_a_listener(data, monkeypatch):
    # The fallback (skorch's loop as it is) reads every batch's loss.
    X, y = data
    calls = {"on": True}
    _count_read_backs(monkeypatch, calls)
    calls["on"] = False
    model = _model(callbacks=[("listener", _BatchEndListener())], max_epochs=1)
    original = DIRNet.run_single_epoch

    def counted(self, *args, **kwargs):
        calls["on"] = True
        try:
            return original(self, *args, **kwargs)
        finally:
            calls["on"] = False

    monkeypatch.setattr(DIRNet, "run_single_epoch", counted)
    model.fit(X, y)
    # skorch's item() and the listener's: two per batch (150 rows, batch 32).
    assert calls["item"] == 2 * 5


def test_predict_reads_back_once(data, monkeypatch):
    X, y = data
    model = _model(max_epochs=1).fit(X, y)
    calls = {"on": True}
    _count_read_backs(monkeypatch, calls)
    model.predict(np.tile(X, (3, 1)))  # 15 batches of 32
    counts = {k: v for k, v in calls.items() if k != "on"}
    assert counts == {"cpu": 1, "numpy": 1}


# -------------------------------------------------------- mixed precision
def test_amp_is_validated(data):
    X, y = data
    with pytest.raises(ValueError, match="amp=True is mixed precision on a CUDA"):
        _model(amp=True).fit(X, y)
    with pytest.raises(ValueError, match="amp='bfloat16' is mixed precision"):
        _model(amp="bfloat16", device="auto" if not torch.cuda.is_available()
               else "cpu").fit(X, y)
    with pytest.raises(ValueError, match="'amp' parameter"):
        _model(amp="float32").fit(X, y)
    with pytest.raises(ValueError, match="amp must be None or one of"):
        _net_for(np.zeros((4, 3), np.float32), amp="int8").initialize()


@pytest.mark.parametrize("amp", ["bfloat16", "float16"])
def test_mixed_precision_step_on_the_cpu(amp):
    # The CUDA code path, run on the CPU: autocast on the forward pass, the
    # loss in float32, and for float16 the GradScaler's scaled backward.
    X, _ = _dataset(64)
    y = (X["X"] @ np.array([1.0, -1.0, 0.5], np.float32))[:, None]
    seen = []

    class Spy(_RecordingLoss):
        def forward(self, pred, target, weight=None):
            seen.append(pred.dtype)
            return super().forward(pred, target, weight)

    def fit(amp):
        with torch.random.fork_rng():
            torch.manual_seed(0)
            net = _net_for(X["X"], criterion=Spy(), amp=amp, lr=0.05)
            data = {"X": X["X"], "sample_weight": X["sample_weight"]}
            return net.fit(data, y, epochs=8)

    net = fit(amp)
    assert set(seen) == {torch.float32}
    assert (net.grad_scaler_ is not None) == (amp == "float16")
    assert all(p.dtype == torch.float32 for p in net.module_.parameters())
    # The forward pass really ran in reduced precision.
    with net._autocast():
        out = net.module_.encoder(torch.from_numpy(X["X"]))
    assert out.dtype == _net.AMP_DTYPES[amp]
    # Training goes as in full precision, up to the reduced precision.
    full = fit(None)
    assert full.grad_scaler_ is None
    mixed_losses = np.array(net.history[:, "train_loss"])
    full_losses = np.array(full.history[:, "train_loss"])
    assert mixed_losses[0] == pytest.approx(full_losses[0], rel=0.1)
    assert mixed_losses[-1] < 0.3 * mixed_losses[0]
    assert full_losses[-1] < 0.3 * full_losses[0]


def test_float16_scaler_reads_back_nothing_with_a_fused_optimiser(monkeypatch):
    X, y = _dataset(64)
    net = _net_for(X["X"], amp="float16", optimizer__fused=True)
    net.optimizer = torch.optim.Adam
    net.initialize()
    calls = {"on": False}
    _count_read_backs(monkeypatch, calls)
    batch = ({"X": torch.from_numpy(X["X"][:8])}, torch.from_numpy(y[:8]))
    calls["on"] = True
    net.train_step(batch)
    calls["on"] = False
    assert {k: v for k, v in calls.items() if k != "on"} == {}


# ------------------------------------------------------------------- CUDA
def _cuda_no_sync(monkeypatch):
    """Raise on any synchronising CUDA call inside a step or a batch fetch."""
    def guarded(fn):
        def run(*args, **kwargs):
            torch.cuda.set_sync_debug_mode("error")
            try:
                return fn(*args, **kwargs)
            finally:
                torch.cuda.set_sync_debug_mode("default")
        return run

    for name in ("train_step", "validation_step"):
        monkeypatch.setattr(DIRNet, name, guarded(getattr(DIRNet, name)))
    iterate = BatchLoader.__iter__

    def guarded_iter(self):
        it = iterate(self)
        while True:
            try:
                batch = guarded(next)(it)
            except StopIteration:
                return
            yield batch

    monkeypatch.setattr(BatchLoader, "__iter__", guarded_iter)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("resident", [True, False])
def test_cuda_data_path_has_no_sync_per_batch(data, monkeypatch, resident):
    X, y = data
    if not resident:  # the pinned, non-blocking staging path
        monkeypatch.setattr(_net, "RESIDENT_FRACTION", 0.0)
    _cuda_no_sync(monkeypatch)
    params = dict(reweight="sqrt_inv", lds=True, fds=True, early_stopping=True,
                  n_iter_no_change=5, ranksim=RankSimOptions(gamma=1.0))
    gpu = _model(device="cuda", **params).fit(X, np.round(y))
    assert gpu.net_.history[:, "train_loss"]
    monkeypatch.undo()
    cpu = _model(**params).fit(X, np.round(y))
    # Different permutations (device generators), same kind of fit.
    assert np.corrcoef(gpu.predict(X), cpu.predict(X))[0, 1] > 0.9


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_batches_match_reference_indexing():
    X, y = _dataset()
    for resident in (True, False):
        loader = BatchLoader(
            Dataset(X, y), batch_size=4, shuffle=True, device="cuda",
            generator=lambda device: torch.Generator(device=device).manual_seed(3),
            resident=resident,
        )
        gen = torch.Generator(device="cuda" if resident else "cpu").manual_seed(3)
        perm = torch.randperm(len(y), generator=gen, device=gen.device).cpu().numpy()
        for k, (Xb, yb) in enumerate(loader):
            idx = perm[k * 4:(k + 1) * 4]
            assert Xb["X"].is_cuda and yb.is_cuda
            np.testing.assert_array_equal(Xb["X"].cpu().numpy(), X["X"][idx])
            np.testing.assert_array_equal(yb.cpu().numpy(), y[idx])


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("amp", [True, "bfloat16"])
def test_cuda_mixed_precision_fit(data, amp):
    X, y = data
    full = _model(device="cuda", max_epochs=20, lr=0.01).fit(X, y)
    mixed = _model(device="cuda", max_epochs=20, lr=0.01, amp=amp).fit(X, y)
    assert (mixed.net_.grad_scaler_ is not None) == (amp is True)
    assert np.isfinite(mixed.predict(X)).all()
    np.testing.assert_allclose(mixed.predict(X), full.predict(X), rtol=0.1, atol=0.2)


# ----------------------------------------------------------------- RankSim
def _rank_normalised(seq):
    # Stable ranks of each row, the largest ranked 1/m (the reference's rule).
    order = torch.argsort(seq, dim=1, stable=True).flip(1)
    return (torch.argsort(order, dim=1) + 1).float() / seq.shape[1]


@pytest.mark.parametrize("seed", range(6))
def test_ranksim_on_the_device_equals_the_subset_it_stands_for(seed):
    # RankSim keeps one random sample per distinct target with fixed-shape
    # masks (no read-back); the reference takes that subset explicitly, in
    # the order of the distinct targets (the batch's own order when no
    # target repeats), and loops over its rows as Gong et al.'s code does.
    from skdir.nn import ranksim_loss

    gen = torch.Generator().manual_seed(100 + seed)
    n = 24
    y = torch.randint(0, 3 + 4 * seed, (n,), generator=gen).float()
    if seed == 5:
        y = torch.randperm(n, generator=gen).float()  # distinct targets
    x = torch.randn(n, 5, generator=gen)
    ours = ranksim_loss(x, y, generator=torch.Generator().manual_seed(seed))

    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    first = {}
    for p in perm:
        first.setdefault(float(y[p]), p)
    keep = [first[v] for v in sorted(first)]
    if len(keep) == n:
        keep = list(range(n))
    xs = torch.nn.functional.normalize(x[keep])
    ys = y[keep]
    similarity = xs @ xs.T
    expected = sum(
        torch.mean((_rank_normalised(similarity[i][None, :])
                    - _rank_normalised(-(ys[i] - ys).abs()[None, :])) ** 2)
        for i in range(len(keep))
    )
    assert float(ours) == pytest.approx(float(expected), rel=1e-6, abs=1e-7)
