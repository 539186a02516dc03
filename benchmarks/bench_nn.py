"""Speed of skdir.nn: DIRRegressor epochs with and without FDS, against a plain
torch loop, and the vectorised FDS layer against a per-label Python loop.

Usage::

    python benchmarks/bench_nn.py [--device cpu|cuda] [--n 20000] [--rounds 20]
        [--baseline DIR] [--fused] [--amp float16|bfloat16] [--fit N]

1. Time per epoch of ``DIRRegressor(hidden_layer_sizes=(128, 128),
   batch_size=256)`` with ``fds=False`` and ``fds=True`` (100 bins, smoothing
   from epoch 1), and of a hand-written torch loop training the same MLP (same
   encoder and head modules, Adam, MSE, random mini-batches by index
   permutation). The three train in turn, one epoch each, for ``--rounds``
   rounds (the order rotates), so that a shared machine's load falls on all
   three alike; a regressor epoch is timed from the start of the epoch to the
   end of its last callback (FDS's end-of-epoch update included). Reported:
   median wall-clock and CPU (process) time per epoch, and the median over
   rounds of the per-round ratios. The plain loop keeps its tensors on the
   device and draws its permutation there, as DIRRegressor does with data
   that fit on the device.
   With ``--baseline DIR``, ``DIR`` holds another version of the package
   (a ``skdir`` folder, e.g. ``git archive <commit> skdir | tar -x -C DIR``),
   loaded under another name; its DIRRegressor (without and with FDS) trains
   in the same interleaved rounds. ``--fused`` adds DIRRegressor with
   ``optimizer_params={"fused": True}``, ``--amp`` (CUDA) DIRRegressor with
   mixed precision and the fused Adam.
2. With ``--breakdown``: the extra time per batch, inside the plain loop,
   of FDS's statistics alone, its calibration alone, the whole layer, and
   one elementwise multiplication of the features (what a single pass over
   them costs there), interleaved in the same way.
3. One FDS epoch at 100 bins: collecting statistics over the batches of an
   epoch, the end-of-epoch update and smoothing, and recalibrating the
   batches; the :class:`skdir.nn.FDS` layer against a version that loops over
   the labels in Python as the reference code does (both given each batch's
   bins, computed once, as :class:`~skdir.nn.DIRRegressor` does).
4. With ``--fit N``: one ``DIRRegressor.fit`` of ``--fit-epochs`` epochs on
   N rows (no early stopping), wall-clock seconds per epoch and rows per
   second, next to the plain loop's epoch on the same rows.

Targets (GitHub issue): FDS adds at most 10 % per epoch; DIRRegressor within
1.2x of the plain loop; the vectorised FDS at least 10x faster than the loop
at 100 bins on GPU. Prints a Markdown table.
"""

import argparse
import importlib.util
import platform
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from skorch.callbacks import Callback

import skdir
import skdir.nn
from skdir import kernel_window
from skdir.nn import FDS, MLP

CURRENT = SimpleNamespace(skdir=skdir, nn=skdir.nn)


def load_package(folder, name="skdir_baseline"):
    """The ``skdir`` package in ``folder`` (another version), imported as
    ``name``; its modules import each other relatively."""
    init = Path(folder) / "skdir" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(init.parent)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    nn = importlib.import_module(name + ".nn")
    return SimpleNamespace(skdir=module, nn=nn)


def _space(n_bins, package=CURRENT):
    """An unfitted label space of ``n_bins`` equal-width bins."""
    return package.skdir.LabelSpace(n_bins=n_bins, strategy="uniform")


def _sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def make_data(n, d, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = np.exp(X[:, :4] @ np.full(4, 0.4) + 0.3 * rng.normal(size=n))  # long tail
    return X, y


def _clocks():
    return np.array([time.perf_counter(), time.process_time()])


class _EpochClock(Callback):
    """Wall-clock and CPU time from the start of an epoch to the end of the
    last callback (this one is added last)."""

    def __init__(self, device):
        self.device = device

    def on_epoch_begin(self, net, **kwargs):
        _sync(self.device)
        self.start = _clocks()

    def on_epoch_end(self, net, **kwargs):
        _sync(self.device)
        self.last = _clocks() - self.start


def regressor_epoch(X, y, device, fds, hidden=(128, 128), package=CURRENT, **params):
    """A fitted (one epoch) DIRRegressor and a function that trains it one
    more epoch and returns that epoch's (wall, CPU) seconds."""
    nn = package.nn
    model = nn.DIRRegressor(
        hidden_layer_sizes=hidden, batch_size=256, max_epochs=1, lr=1e-3,
        fds=nn.FDSOptions(start_smooth=1) if fds else False,
        label_space=_space(100, package), device=device, random_state=0, **params,
    ).fit(X, y)
    net = model.net_
    clock = _EpochClock(device)
    net.callbacks_.append(("epoch_clock", clock))
    # The training data exactly as DIRRegressor.fit gives it to the net: the
    # FDS bins from y, the standardised target.
    data = {"X": X}
    if fds:
        data["bin_index"] = model.label_space_.transform(y).astype(np.int64)
    target = ((y - model.target_mean_) / model.target_scale_).astype(np.float32)[:, None]
    place = getattr(importlib.import_module(nn.__name__ + "._net"), "place_data", None)
    if place is not None:  # on the device once, as DIRRegressor.fit does
        data, target = place(data, device), place(target, device)

    def epoch():
        net.partial_fit(data, target, epochs=1)
        return clock.last

    return epoch


def plain_loop_epoch(X, y, device, hidden=(128, 128), between=None, bin_index=None):
    """A function that trains the same MLP one epoch in a plain torch loop
    and returns the epoch's (wall, CPU) seconds.

    ``between(features, bin_index)``, when given, maps the encoder's features
    to the head's input, with ``bin_index`` (int64 tensor, one bin per
    sample) sliced like the batch, and ``between.end_epoch()`` runs after
    each epoch when it exists.
    """
    torch.manual_seed(0)
    encoder = MLP(X.shape[1], hidden).to(device)
    head = torch.nn.Linear(hidden[-1], 1).to(device)
    params = list(encoder.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    Xt = torch.as_tensor(X).to(device)
    yt = torch.as_tensor(y, dtype=torch.float32)[:, None].to(device)
    if bin_index is not None:
        bin_index = bin_index.to(device)
    end_epoch = getattr(between, "end_epoch", None)

    def epoch():
        _sync(device)
        start = _clocks()
        perm = torch.randperm(len(Xt), device=device)
        for i in range(0, len(Xt), 256):
            idx = perm[i:i + 256]
            xb, yb = Xt[idx], yt[idx]
            opt.zero_grad()
            features = encoder(xb)
            if between is not None:
                features = between(features, bin_index[idx])
            loss = F.mse_loss(head(features), yb)
            loss.backward()
            opt.step()
        if end_epoch is not None:
            end_epoch()
        _sync(device)
        return _clocks() - start

    return epoch


class _FDSPart:
    """One part of an FDS layer's training forward pass, for the breakdown:
    ``"statistics"`` (collect only), ``"calibration"`` (recalibrate with
    fixed statistics) or ``"both"`` (the layer's forward)."""

    def __init__(self, part, dim, space, y, device):
        self.fds = FDS(dim, space, start_smooth=1).to(device).train()
        gen = torch.Generator().manual_seed(0)
        self.fds.update(torch.randn(len(y), dim, generator=gen).to(device),
                        torch.as_tensor(y).to(device))
        self.fds.end_epoch()  # statistics to calibrate with
        self.part = part

    def __call__(self, features, bin_index):
        if self.part == "statistics":
            self.fds._update(features, bin_index)
            return features
        if self.part == "calibration":
            return self.fds._calibrate(features, bin_index)
        return self.fds(features, bin_index=bin_index)

    def end_epoch(self):
        if self.part != "calibration":
            self.fds.end_epoch()


def _scale(features, bin_index):
    return features * 1.5


def fds_breakdown(X, y, device, rounds, hidden=(128, 128)):
    """Per-batch cost of the parts of FDS inside the plain training loop, and
    of one elementwise multiplication of the features (the price of a single
    pass over them there): {name: median extra seconds per batch}."""
    dim = hidden[-1]
    space = _space(100).fit(y)
    bin_index = torch.as_tensor(space.transform(y), dtype=torch.long)
    setups = {
        "none": None,
        "one multiplication": _scale,
        "FDS statistics": _FDSPart("statistics", dim, space, y, device),
        "FDS calibration": _FDSPart("calibration", dim, space, y, device),
        "FDS layer (both)": _FDSPart("both", dim, space, y, device),
    }
    times = _interleaved({
        name: plain_loop_epoch(X, y, device, hidden, part, bin_index)
        for name, part in setups.items()
    }, rounds)
    n_batches = -(-len(X) // 256)
    base = np.median(times["none"][:, 0])
    return {name: (np.median(t[:, 0]) - base) / n_batches
            for name, t in times.items() if name != "none"}


def _interleaved(runners, rounds):
    """Run each epoch function once to warm up, then once per round, the
    order rotating (and reversed every other cycle) so that a shared
    machine's load falls on all alike: {name: (rounds, 2) array of (wall,
    CPU) seconds}."""
    names = list(runners)
    for name in names:
        runners[name]()
    times = {name: [] for name in names}
    for r in range(rounds):
        k = r % len(names)
        order = names[k:] + names[:k]
        if (r // len(names)) % 2:
            order = order[::-1]
        for name in order:
            times[name].append(runners[name]())
    return {name: np.array(value) for name, value in times.items()}


def interleaved_epoch_times(X, y, device, rounds, hidden=(128, 128), baseline=None,
                            fused=False, amp=None):
    """(rounds, 2) arrays of (wall, CPU) seconds per epoch for each setup."""
    runners = {
        "plain": plain_loop_epoch(X, y, device, hidden),
        "dir": regressor_epoch(X, y, device, fds=False, hidden=hidden),
        "dir_fds": regressor_epoch(X, y, device, fds=True, hidden=hidden),
    }
    if fused:
        runners["dir_fused"] = regressor_epoch(
            X, y, device, False, hidden, optimizer_params={"fused": True}
        )
    if amp:
        runners["dir_amp"] = regressor_epoch(
            X, y, device, False, hidden, amp=amp, optimizer_params={"fused": True}
        )
    if baseline is not None:
        runners["base"] = regressor_epoch(X, y, device, False, hidden, baseline)
        runners["base_fds"] = regressor_epoch(X, y, device, True, hidden, baseline)
    return _interleaved(runners, rounds)


def fit_run(n, features, device, epochs, hidden=(128, 128)):
    """Seconds per epoch of one DIRRegressor.fit on ``n`` rows, and of the
    plain loop on the same rows (median of ``epochs`` epochs)."""
    X, y = make_data(n, features, seed=1)
    model = skdir.nn.DIRRegressor(
        hidden_layer_sizes=hidden, batch_size=256, max_epochs=epochs,
        early_stopping=False, n_iter_no_change=None, device=device, random_state=0,
    )
    _sync(device)
    start = time.perf_counter()
    model.fit(X, y)
    _sync(device)
    fit_seconds = time.perf_counter() - start
    per_epoch = float(np.median(model.net_.history[:, "dur"]))
    plain = plain_loop_epoch(X, y, device, hidden)
    plain()
    plain_epoch = float(np.median([plain()[0] for _ in range(epochs)]))
    return fit_seconds, per_epoch, plain_epoch


class LoopFDS:
    """FDS with Python loops over the labels, as the reference code does
    (statistics per distinct bin of the batch; the smoothing is the
    reference's reflect-padded convolution)."""

    def __init__(self, dim, n_bins, device):
        self.n_bins = n_bins
        self.mean = torch.zeros(n_bins, dim, device=device)
        self.var = torch.ones(n_bins, dim, device=device)
        self.count = torch.zeros(n_bins, device=device)
        self.sum = torch.zeros(n_bins, dim, device=device)
        self.sumsq = torch.zeros(n_bins, dim, device=device)
        self.window = torch.as_tensor(
            kernel_window("gaussian", 5, 2.0, normalize="sum"), dtype=torch.float32,
            device=device,
        )

    def update(self, z, b):
        for label in torch.unique(b):
            rows = z[b == label]
            i = int(label)
            self.count[i] += rows.shape[0]
            self.sum[i] += rows.sum(0)
            self.sumsq[i] += (rows * rows).sum(0)

    def end_epoch(self):
        for i in range(self.n_bins):
            n = float(self.count[i])
            if n == 0:
                continue
            mean = self.sum[i] / n
            var = (self.sumsq[i] - n * mean * mean) / max(n - 1, 1)
            self.mean[i] = 0.9 * self.mean[i] + 0.1 * mean
            self.var[i] = 0.9 * self.var[i] + 0.1 * var
        pad = lambda s: F.pad(s.T[:, None, :], (2, 2), mode="reflect")  # noqa: E731
        self.smean = F.conv1d(pad(self.mean), self.window.view(1, 1, -1))[:, 0].T
        self.svar = F.conv1d(pad(self.var), self.window.view(1, 1, -1))[:, 0].T
        self.count.zero_()
        self.sum.zero_()
        self.sumsq.zero_()

    def calibrate(self, z, b):
        out = z.clone()
        for label in torch.unique(b):
            mask = b == label
            i = int(label)
            factor = torch.clamp(self.svar[i] / self.var[i], 0.1, 10).sqrt()
            out[mask] = (z[mask] - self.mean[i]) * factor + self.smean[i]
        return out


def fds_epoch_times(device, n_batches, batch, dim, n_bins, repeats):
    gen = torch.Generator().manual_seed(0)
    feats = [torch.randn(batch, dim, generator=gen).to(device) for _ in range(n_batches)]
    labels = [(torch.rand(batch, generator=gen) * n_bins).to(device) for _ in range(n_batches)]
    space = _space(n_bins).fit(np.array([0.0, float(n_bins)]))

    fds = FDS(dim, space).to(device).train()
    fds.start_smooth = 0
    for z, y in zip(feats, labels):
        fds.update(z, y)
    fds.end_epoch()  # statistics to calibrate with
    index = [fds.bin_index(y) for y in labels]

    def vectorised():
        for z, b in zip(feats, index):
            fds(z, bin_index=b)
        fds.end_epoch()

    loop = LoopFDS(dim, n_bins, device)
    for z, b in zip(feats, index):
        loop.update(z, b)
    loop.end_epoch()

    def looped():
        for z, b in zip(feats, index):
            loop.update(z, b)
            loop.calibrate(z, b)
        loop.end_epoch()

    out = {}
    for name, fn in (("vectorised", vectorised), ("loop", looped)):
        fn()
        best = np.inf
        for _ in range(repeats):
            _sync(device)
            start = time.perf_counter()
            fn()
            _sync(device)
            best = min(best, time.perf_counter() - start)
        out[name] = best
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--features", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--hidden", default="128,128",
        help="hidden layer sizes of the MLP, comma separated (FDS acts on the last)",
    )
    parser.add_argument(
        "--skip-layer", action="store_true",
        help="only the epoch timings, not the FDS layer against the Python loop",
    )
    parser.add_argument(
        "--baseline", metavar="DIR",
        help="a folder holding another version's skdir package, timed alongside",
    )
    parser.add_argument(
        "--fit", type=int, metavar="N",
        help="also time one DIRRegressor.fit on N rows (--fit-epochs epochs)",
    )
    parser.add_argument("--fit-epochs", type=int, default=3)
    parser.add_argument(
        "--fused", action="store_true",
        help="also time DIRRegressor with optimizer_params={'fused': True}",
    )
    parser.add_argument(
        "--amp", choices=["float16", "bfloat16"],
        help="also time DIRRegressor(amp=AMP) with the fused Adam (CUDA only)",
    )
    parser.add_argument(
        "--breakdown", action="store_true",
        help="also time FDS's statistics and calibration apart inside the plain "
             "loop, against one elementwise multiplication of the features",
    )
    args = parser.parse_args()
    hidden = tuple(int(h) for h in args.hidden.split(","))
    device = args.device

    X, y = make_data(args.n, args.features)
    rows = []
    baseline = load_package(args.baseline) if args.baseline else None
    t = interleaved_epoch_times(
        X, y, device, args.rounds, hidden, baseline, args.fused, args.amp
    )

    def cell(name):
        wall, cpu = np.median(t[name], axis=0)
        return f"{wall:.4f} / {cpu:.4f}"

    def ratio(a, b):
        r = t[a] / t[b]
        wall, cpu = np.median(r, axis=0)
        low, high = np.percentile(r[:, 0], [25, 75])
        return f"{wall:.3f} / {cpu:.3f} (wall IQR {low:.3f}-{high:.3f})"

    rows.append(("plain torch loop, s/epoch (wall / CPU)", cell("plain"), ""))
    rows.append((
        "DIRRegressor, s/epoch (wall / CPU)", cell("dir"),
        f"x plain: {ratio('dir', 'plain')}; target <= 1.2",
    ))
    rows.append((
        "DIRRegressor + FDS (100 bins), s/epoch (wall / CPU)", cell("dir_fds"),
        f"x no FDS: {ratio('dir_fds', 'dir')}; target <= 1.10",
    ))
    if args.fused:
        rows.append((
            "DIRRegressor, Adam fused=True, s/epoch (wall / CPU)", cell("dir_fused"),
            f"x default Adam: {ratio('dir_fused', 'dir')}",
        ))
    if args.amp:
        rows.append((
            f"DIRRegressor, amp={args.amp!r}, fused Adam, s/epoch (wall / CPU)",
            cell("dir_amp"), f"x default: {ratio('dir_amp', 'dir')}",
        ))
    if baseline is not None:
        rows.append(("baseline DIRRegressor, s/epoch (wall / CPU)", cell("base"),
                     f"this version x baseline: {ratio('dir', 'base')}; target <= 1"))
        rows.append(("baseline DIRRegressor + FDS, s/epoch (wall / CPU)",
                      cell("base_fds"),
                      f"this version x baseline: {ratio('dir_fds', 'base_fds')}; "
                      "target <= 1"))
        rows.append(("baseline DIRRegressor x plain loop", "",
                     ratio("base", "plain")))
    if args.fit:
        fit_seconds, per_epoch, plain_epoch = fit_run(
            args.fit, args.features, device, args.fit_epochs, hidden
        )
        rows.append((
            f"DIRRegressor.fit, {args.fit:,} rows, {args.fit_epochs} epochs: s "
            "(median s/epoch; rows/s)",
            f"{fit_seconds:.2f} ({per_epoch:.3f}; {args.fit / per_epoch:,.0f})",
            f"plain loop {plain_epoch:.3f} s/epoch; x plain "
            f"{per_epoch / plain_epoch:.3f}",
        ))
    if args.breakdown:
        parts = fds_breakdown(X, y, device, args.rounds, hidden)
        for name, seconds in parts.items():
            rows.append((f"in the plain loop: {name}, extra us/batch",
                         f"{seconds * 1e6:.0f}", ""))
    if not args.skip_layer:
        fds = fds_epoch_times(device, n_batches=80, batch=256, dim=128, n_bins=100,
                              repeats=args.repeats)
        rows.append(("FDS epoch, per-label Python loop, s", f"{fds['loop']:.4f}", ""))
        rows.append((
            "FDS epoch, skdir.nn.FDS (vectorised), s", f"{fds['vectorised']:.4f}",
            f"{fds['loop'] / fds['vectorised']:.1f}x faster (target >= 10x on GPU)",
        ))

    name = torch.cuda.get_device_name() if device.startswith("cuda") else platform.processor()
    print(f"device: {device} ({name or platform.machine()}), torch {torch.__version__}, "
          f"threads {torch.get_num_threads()}, n={args.n}, features={args.features}, "
          f"MLP {hidden}, batch 256, {args.rounds} interleaved rounds (medians)")
    print()
    print("| measurement | value | comparison |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
