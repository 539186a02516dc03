"""FDS over the joint grid of a multi-output label space, against brute force."""

import itertools
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from sklearn.base import clone  # noqa: E402

from skdir import LabelSpace  # noqa: E402
from skdir.nn import FDS, DIRRegressor, FDSOptions  # noqa: E402
from skdir.nn._fds import _smooth_grid  # noqa: E402


def _space(columns, **kwargs):
    """A fitted multi-output LabelSpace with unit bins: ``columns`` bins each."""
    edges = [np.arange(n + 1, dtype=float) for n in columns]
    y = np.array([[e[0] for e in edges], [e[-1] for e in edges]])
    return LabelSpace(edges=edges, **kwargs).fit(y)


def _mirror(p, n):
    """Reflect coordinate ``p`` into ``[0, n)`` (``d c b | a b c d``), by
    repeated mirroring at the ends."""
    if n == 1:
        return 0
    while p < 0 or p >= n:
        p = -p if p < 0 else 2 * (n - 1) - p
    return p


def _brute_smooth(stats, populated, window, shape):
    """Smoothing by its definition: for every populated cell, the product
    window over all offsets, reflected per axis, restricted to populated
    cells and renormalised; one cell and one offset at a time."""
    stats = np.asarray(stats, dtype=float).reshape(*shape, -1)
    populated = np.asarray(populated).reshape(shape)
    half = len(window) // 2
    out = stats.copy()
    for cell in np.ndindex(*shape):
        if not populated[cell]:
            continue
        num, den = 0.0, 0.0
        for offset in itertools.product(range(-half, half + 1), repeat=len(shape)):
            other = tuple(_mirror(c + o, n) for c, o, n in zip(cell, offset, shape))
            if populated[other]:
                w = np.prod([window[o + half] for o in offset])
                num = num + w * stats[other]
                den += w
        out[cell] = num / den
    return out.reshape(-1, stats.shape[-1])


def _hand_stats(z, cells, n_cells):
    mean = np.zeros((n_cells, z.shape[1]))
    var = np.ones((n_cells, z.shape[1]))
    seen = np.zeros(n_cells, dtype=bool)
    for c in range(n_cells):
        rows = z[cells == c]
        if len(rows):
            seen[c] = True
            mean[c] = rows.mean(0)
            var[c] = rows.var(0, ddof=1) if len(rows) > 1 else 0.0
    return mean, var, seen


@pytest.mark.parametrize(
    "columns, kwargs",
    [
        ((4, 3), dict(ks=3, sigma=1.0)),
        ((5, 2), dict(ks=5, sigma=2.0)),  # window wider than an axis
        ((3, 2, 4), dict(ks=3, sigma=1.5)),
        ((2, 1, 3), dict(kernel="triang", ks=5)),  # an axis of one bin
    ],
)
def test_joint_smoothing_equals_brute_force(columns, kwargs):
    space = _space(columns, **kwargs)
    fds = FDS(feature_dim=2, label_space=space).double()
    assert fds.bin_shape == space.bin_shape_ and fds.n_bins == space.n_bins_
    rng = np.random.RandomState(sum(columns))
    # Samples in about two thirds of the cells: empty cells must not leak.
    centres = np.array(list(np.ndindex(*columns)), dtype=float) + 0.5
    keep = rng.rand(len(centres)) < 0.65
    keep[0] = True
    y = np.repeat(centres[keep], rng.randint(1, 4, size=keep.sum()), axis=0)
    y = y + rng.uniform(-0.4, 0.4, size=y.shape)
    z = rng.normal(size=(len(y), 2)) * rng.uniform(0.5, 3, size=(len(y), 1)) + 2
    fds.train()
    fds(torch.as_tensor(z), torch.as_tensor(y))
    fds.end_epoch()

    cells = space.transform(y)
    mean, var, seen = _hand_stats(z, cells, space.n_bins_)
    np.testing.assert_array_equal(fds.populated.numpy(), seen)
    np.testing.assert_allclose(fds.running_mean.numpy(), mean, rtol=1e-12, atol=1e-12)
    # The variance from the float64 sums of z and z**2: exact to ~1e-9 here.
    np.testing.assert_allclose(fds.running_var.numpy(), var, rtol=1e-7, atol=1e-7)
    # The label space's window, as the module stores it (float32, then cast).
    window = fds.window.numpy()
    np.testing.assert_allclose(window, space.window(normalize="sum"), rtol=1e-7)
    np.testing.assert_allclose(
        fds.smoothed_mean.numpy(), _brute_smooth(mean, seen, window, columns),
        rtol=1e-12, atol=1e-12,
    )
    np.testing.assert_allclose(
        fds.smoothed_var.numpy(),
        _brute_smooth(fds.running_var.numpy(), seen, window, columns),
        rtol=1e-12, atol=1e-12,
    )
    # The smoothing did something (a test that could not fail would not).
    assert not np.allclose(fds.smoothed_mean.numpy()[seen], mean[seen])


def test_bin_index_is_the_label_space_cell():
    space = LabelSpace(edges=[[-1.0, 0.0, 0.5, 2.0], [0.0, 1.0, 3.0]]).fit(
        [[-1.0, 0.0], [2.0, 3.0]]
    )
    fds = FDS(feature_dim=1, label_space=space)
    y = np.array([[-5.0, 0.5], [0.2, 2.0], [1.0, 9.0], [2.0, 3.0], [0.0, 1.0]])
    index = fds.bin_index(torch.as_tensor(y))
    assert index.dtype == torch.long
    # By hand: cells (0, 0), (1, 1), (2, 1), (2, 1), (1, 1) of a 3 x 2 grid.
    assert index.tolist() == [0, 3, 5, 5, 3]
    np.testing.assert_array_equal(index.numpy(), space.transform(y))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        fds.bin_index(torch.zeros(4))
    with pytest.raises(ValueError, match="NaN"):
        fds.bin_index(torch.tensor([[0.0, np.nan]]))
    edges = fds.edges
    assert isinstance(edges, tuple) and len(edges) == 2
    edges[0][0] = 99.0  # a copy
    assert fds.edges[0][0] == -1.0


@pytest.mark.parametrize("ks", [3, 5, 9])
def test_one_column_grid_path_equals_the_one_dimensional_smoothing(ks):
    edges = np.arange(8, dtype=float)
    space = LabelSpace(edges=edges, ks=ks, sigma=1.5).fit(edges[[0, -1]])
    fds = FDS(feature_dim=3, label_space=space)
    rng = np.random.RandomState(ks)
    y = rng.choice([0.5, 1.5, 2.5, 4.5, 6.5], size=40)  # bins 3 and 5 empty
    z = torch.as_tensor(rng.normal(size=(40, 3)), dtype=torch.float32)
    fds.train()
    fds(z, torch.as_tensor(y))
    fds.end_epoch()
    assert fds.n_outputs == 1 and fds.neighbours.shape == (7, ks)
    for source, target in ((fds.running_mean, fds.smoothed_mean),
                           (fds.running_var, fds.smoothed_var)):
        grid = _smooth_grid(source, fds.populated, fds.window, fds.neighbours, (7,))
        torch.testing.assert_close(grid, target, rtol=1e-6, atol=1e-6)
    # And both equal the brute force.
    np.testing.assert_allclose(
        fds.smoothed_mean.numpy(),
        _brute_smooth(fds.running_mean.numpy(), fds.populated.numpy(),
                      space.window(normalize="sum"), (7,)),
        rtol=1e-5, atol=1e-6,
    )


def test_calibration_uses_the_cell_statistics():
    space = _space((3, 3), ks=3, sigma=1.0)
    fds = FDS(feature_dim=2, label_space=space).double()
    rng = np.random.RandomState(0)
    y = rng.uniform(0, 3, size=(60, 2))
    z = torch.as_tensor(rng.normal(size=(60, 2)) * 2 + 1)
    fds.train()
    first = fds(z, torch.as_tensor(y))
    assert torch.equal(first, z)  # epoch 0 only collects statistics
    fds.end_epoch()
    out = fds(z, torch.as_tensor(y)).numpy()
    b = space.transform(y)
    mu, var = fds.running_mean.numpy()[b], fds.running_var.numpy()[b]
    mu_s, var_s = fds.smoothed_mean.numpy()[b], fds.smoothed_var.numpy()[b]
    expected = (z.numpy() - mu) * np.sqrt(np.clip(var_s / var, 0.1, 10)) + mu_s
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


def test_state_dict_and_pickle_round_trip():
    space = _space((3, 2, 2))
    fds = FDS(feature_dim=2, label_space=space).train()
    rng = np.random.RandomState(1)
    y = torch.as_tensor(rng.uniform(0, 2, size=(30, 3)))
    z = torch.as_tensor(rng.normal(size=(30, 2)), dtype=torch.float32)
    fds(z, y)
    fds.end_epoch()
    other = FDS(feature_dim=2, label_space=space)
    other.load_state_dict(fds.state_dict())
    restored = pickle.loads(pickle.dumps(fds))
    expected = fds(z, y)
    torch.testing.assert_close(other.train()(z, y), expected)
    torch.testing.assert_close(restored(z, y), expected)
    assert restored.bin_shape == (3, 2, 2)


@pytest.fixture(scope="module")
def data2d():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 4))
    Y = np.c_[X @ [1.0, -2.0, 0.5, 0.0] + rng.exponential(2.0, size=150),
              X[:, 2] - X[:, 3] + 0.1 * rng.normal(size=150)]
    return X, Y


def _model(**params):
    base = dict(hidden_layer_sizes=(8,), max_epochs=3, batch_size=32, random_state=0,
                early_stopping=False, n_iter_no_change=None,
                fds=FDSOptions(start_smooth=1),
                label_space=LabelSpace(n_bins=6))
    return DIRRegressor(**{**base, **params})


def test_regressor_fits_and_predicts_with_fds_on_two_outputs(data2d):
    X, Y = data2d
    model = _model().fit(X, Y)
    pred = model.predict(X)
    assert pred.shape == Y.shape and np.isfinite(pred).all()
    fds = model.net_.module_.fds
    space = model.label_space_
    assert fds.bin_shape == space.bin_shape_ == (6, 6)
    # Every training sample went through FDS in its cell.
    np.testing.assert_array_equal(fds.populated.cpu().numpy(), space.counts_ > 0)
    assert int(fds.epoch) == 3
    # From epoch 1 on the features were recalibrated: a different fit.
    plain = _model(fds=False).fit(X, Y).predict(X)
    assert not np.allclose(pred, plain)


def test_regressor_round_trip(data2d):
    X, Y = data2d
    model = _model(reweight="sqrt_inv", lds=True)
    twin = clone(model)
    assert twin.get_params()["fds__start_smooth"] == 1
    fitted = model.fit(X, Y)
    np.testing.assert_array_equal(twin.fit(X, Y).predict(X), fitted.predict(X))
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    assert restored.net_.module_.fds.bin_shape == (6, 6)


def test_sparse_joint_grid_fds_and_bni(monkeypatch):
    from skdir.nn.losses import BNILoss

    rng = np.random.RandomState(0)
    y = rng.normal(size=(120, 2))
    X = rng.normal(size=(120, 3))
    dense = LabelSpace(n_bins=8).fit(y)
    with monkeypatch.context() as patch:
        patch.setattr("skdir.bins.MAX_JOINT_CELLS", 10)
        sparse = LabelSpace(n_bins=8).fit(y)
    assert sparse.cells_ is not None
    # BNI without LDS: the empty cells carry no mass, so the stored cells
    # give the same loss.
    a = BNILoss.from_label_space(sparse, init_noise_sigma=0.5)
    b = BNILoss.from_label_space(dense, init_noise_sigma=0.5)
    torch.testing.assert_close(a.bin_centers, b.bin_centers)
    torch.testing.assert_close(a.bin_log_probs, b.bin_log_probs)
    with pytest.raises(ValueError, match="BNI with lds=True needs one value per cell"):
        BNILoss.from_label_space(sparse, lds=True)
    with pytest.raises(ValueError, match="FDS needs one value per cell.*stored sparsely"):
        DIRRegressor(fds=True, label_space=sparse, max_epochs=1,
                     hidden_layer_sizes=(4,)).fit(X, y)
    # Weights from the sparse grid train the network.
    model = DIRRegressor(reweight="sqrt_inv", lds=True, label_space=sparse, max_epochs=2,
                         hidden_layer_sizes=(4,), random_state=0).fit(X, y)
    assert model.predict(X).shape == (120, 2)
