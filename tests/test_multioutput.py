"""Multi-output targets (2 or 3 columns) in the label space and its consumers,
checked against brute force: np.histogramdd and explicit loops."""

import itertools
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression

from skdir import LabelSpace, LDSWeighter, ReweightedRegressor, kernel_window
from skdir.bins import MAX_JOINT_CELLS
from skdir.metrics import (
    TrainingTargets,
    balanced_mean_absolute_error,
    balanced_mean_squared_error,
    geometric_mean_absolute_error,
    shot_groups,
    shot_metrics,
)
from skdir.relevance import LDSRelevance


def bulk_and_cluster(seed=0, n=3000, n_rare=40, dims=2):
    """A Gaussian bulk around 0 and a small far cluster around 6 (the rare region)."""
    rng = np.random.RandomState(seed)
    return np.r_[rng.normal(size=(n, dims)), rng.normal(6.0, 0.3, size=(n_rare, dims))]


def loop_smooth(grid, window):
    """Zero-padded separable smoothing by explicit loops over cells and taps."""
    half = window.size // 2
    out = np.zeros_like(grid)
    for cell in itertools.product(*[range(s) for s in grid.shape]):
        total = 0.0
        for taps in itertools.product(range(window.size), repeat=grid.ndim):
            src = tuple(c + t - half for c, t in zip(cell, taps))
            if all(0 <= s < n for s, n in zip(src, grid.shape)):
                total += np.prod([window[t] for t in taps]) * grid[src]
        out[cell] = total
    return out


def loop_cells(y, edges):
    """Cell (tuple) of every row, by explicit loops; edge bins take the outside."""
    cells = []
    for row in y:
        cell = []
        for value, e in zip(row, edges):
            k = 0
            while k < e.size - 2 and value >= e[k + 1]:
                k += 1
            cell.append(k)
        cells.append(tuple(cell))
    return cells


def test_joint_bins_counts_and_index_by_brute_force():
    y = bulk_and_cluster()
    space = LabelSpace(bin_width=0.5).fit(y)
    assert space.n_outputs_ == 2
    for k in range(2):  # each column binned as a scalar target would be
        np.testing.assert_array_equal(space.edges_[k],
                                      LabelSpace(bin_width=0.5).fit(y[:, k]).edges_)
    expected, _ = np.histogramdd(y, bins=space.edges_)
    assert space.bin_shape_ == expected.shape and space.n_bins_ == expected.size
    np.testing.assert_array_equal(space.counts_.reshape(space.bin_shape_), expected)
    q = np.r_[y[:50], [[-100.0, 100.0], [3.1, -7.0]]]
    flat = [np.ravel_multi_index(c, space.bin_shape_) for c in loop_cells(q, space.edges_)]
    np.testing.assert_array_equal(space.transform(q), flat)
    centers = space.centers_.reshape(space.bin_shape_ + (2,))
    i, j = 3, 5
    assert centers[i, j].tolist() == [
        (space.edges_[0][i] + space.edges_[0][i + 1]) / 2,
        (space.edges_[1][j] + space.edges_[1][j + 1]) / 2,
    ]


def test_joint_smoothing_rarity_and_shots_by_loops():
    y = bulk_and_cluster(1, n=600, n_rare=15)
    space = LabelSpace(n_bins=8, kernel="triang", ks=3, many_threshold=30,
                       few_threshold=5).fit(y)
    grid = space.counts_.reshape(space.bin_shape_)
    window = kernel_window("triang", 3)
    effective = loop_smooth(grid, window)
    np.testing.assert_allclose(space.effective_counts_.reshape(grid.shape), effective)
    uniform = loop_smooth(np.full(grid.shape, grid.sum() / grid.size), window)
    np.testing.assert_allclose(space.bin_rarity_.reshape(grid.shape),
                               np.clip(1 - effective / uniform, 0, 1))
    # Shots: the training count of each sample's own cell.
    cells = loop_cells(y, space.edges_)
    counts = np.array([grid[c] for c in cells])
    expected = np.where(counts > 30, "many", np.where(counts < 5, "few", "medium"))
    np.testing.assert_array_equal(space.shot_of(y), expected)
    np.testing.assert_array_equal(shot_groups(y, label_space=space), expected)
    # Out of range in one column: no training data, rarity 1, few-shot.
    assert space.count_of([[0.0, 50.0]]).tolist() == [0.0]
    assert space.rarity([[0.0, 50.0]]).tolist() == [1.0]
    # The far cluster is rarer than the bulk's centre, the empty gap rarest.
    r_bulk, r_cluster, r_gap = space.rarity([[0.0, 0.0], [6.0, 6.0], [4.0, -2.0]])
    assert r_bulk == 0 < r_cluster < r_gap and r_gap > 0.9


def test_three_columns_by_brute_force():
    y = bulk_and_cluster(2, n=400, n_rare=10, dims=3)
    space = LabelSpace(n_bins=5, kernel="gaussian", ks=3, sigma=1.0).fit(y)
    expected, _ = np.histogramdd(y, bins=space.edges_)
    np.testing.assert_array_equal(space.counts_.reshape(space.bin_shape_), expected)
    effective = loop_smooth(expected, kernel_window("gaussian", 3, 1.0))
    np.testing.assert_allclose(space.effective_counts_.reshape(expected.shape), effective)
    assert space.centers_.shape == (125, 3)


def test_joint_weights_by_brute_force():
    y = bulk_and_cluster(3, n=500, n_rare=12)
    space = LabelSpace(n_bins=6, kernel="triang", ks=3).fit(y)
    weights = LDSWeighter(label_space=space, reweight="sqrt_inv").fit_transform(y)
    density = loop_smooth(np.sqrt(space.counts_.reshape(space.bin_shape_)),
                          kernel_window("triang", 3))
    raw = np.array([1 / density[c] for c in loop_cells(y, space.edges_)])
    np.testing.assert_allclose(weights, raw / raw.mean())
    rare = np.arange(y.shape[0]) >= 500
    assert weights[rare].min() > weights[~rare].mean()


def test_joint_kde_against_direct_sum():
    y = bulk_and_cluster(4, n=800, n_rare=20)
    space = LabelSpace(density="kde", bandwidth=[0.3, 0.4]).fit(y)
    np.testing.assert_array_equal(space.bandwidth_, [0.3, 0.4])
    h = np.array([0.3, 0.4])
    q = np.r_[y[::10], y[:20] + 0.17]
    z = (q[:, None, :] - y[None, :, :]) / h
    exact = np.exp(-0.5 * (z**2).sum(-1)).sum(1) / (y.shape[0] * np.prod(h) * 2 * np.pi)
    widths = [np.median(np.diff(e)) for e in space.edges_]
    got = space.count_of(q, smoothed=True) / (y.shape[0] * np.prod(widths))
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-4 * exact.max())
    w = LDSWeighter(label_space=space, reweight=1.0).fit(y).transform(q)
    np.testing.assert_allclose(w * got, (w * got).mean(), rtol=1e-9)


def test_metrics_per_output_by_brute_force():
    rng = np.random.RandomState(5)
    y_train = bulk_and_cluster(5, n=400, n_rare=8)
    space = LabelSpace(n_bins=6, many_threshold=20, few_threshold=5).fit(y_train)
    y_true = bulk_and_cluster(6, n=150, n_rare=6)
    y_pred = y_true + rng.normal(scale=[0.5, 2.0], size=y_true.shape)
    res = shot_metrics(y_true, y_pred, label_space=space, multioutput="raw_values")
    groups = shot_groups(y_true, label_space=space)
    for group in ("all", "many", "medium", "few"):
        mask = np.ones(len(y_true), bool) if group == "all" else groups == group
        err = y_true[mask] - y_pred[mask]
        assert res[group]["n"] == mask.sum()
        np.testing.assert_allclose(res[group]["mae"], np.abs(err).mean(axis=0))
        np.testing.assert_allclose(res[group]["rmse"], np.sqrt((err**2).mean(axis=0)))
    mean = shot_metrics(y_true, y_pred, label_space=space)
    assert mean["all"]["mae"] == pytest.approx(res["all"]["mae"].mean())
    weighted = shot_metrics(y_true, y_pred, label_space=space, multioutput=[3, 1])
    assert weighted["all"]["mse"] == pytest.approx(
        np.average(res["all"]["mse"], weights=[3, 1]))
    np.testing.assert_allclose(
        geometric_mean_absolute_error(y_true, y_pred, multioutput="raw_values"),
        np.exp(np.log(np.abs(y_true - y_pred)).mean(axis=0)))
    # Balanced errors: mean over occupied joint cells of each cell's mean error.
    cells = loop_cells(y_true, space.edges_)
    for func, power in ((balanced_mean_absolute_error, 1), (balanced_mean_squared_error, 2)):
        got = func(y_true, y_pred, label_space=space, multioutput="raw_values")
        per_cell = {}
        for c, e in zip(cells, np.abs(y_true - y_pred) ** power):
            per_cell.setdefault(c, []).append(e)
        expected = np.mean([np.mean(v, axis=0) for v in per_cell.values()], axis=0)
        np.testing.assert_allclose(got, expected)


def test_consumers_accept_two_columns():
    X = np.random.RandomState(7).normal(size=(300, 3))
    y = np.column_stack([X[:, 0] + X[:, 1], np.exp(X[:, 2])])
    model = ReweightedRegressor(LinearRegression()).fit(X, y)
    assert model.predict(X).shape == (300, 2)
    assert model.weighter_.label_space_.n_outputs_ == 2
    record = model.training_targets_
    assert record.values.shape[1] == 2 and record.counts.sum() == 300
    np.testing.assert_array_equal(TrainingTargets.from_y(y).to_y(), y[np.lexsort(y.T[::-1])])
    rel = LDSRelevance().fit(y)
    np.testing.assert_array_equal(rel.transform(y), rel.label_space_.rarity(y))


def test_per_column_settings_and_limits():
    y = bulk_and_cluster(8, n=200, n_rare=5)
    space = LabelSpace(bin_width=[0.5, 2.0]).fit(y)
    assert np.allclose(np.diff(space.edges_[0]), 0.5)
    assert np.allclose(np.diff(space.edges_[1]), 2.0)
    edges = [np.linspace(-5, 8, 4), np.linspace(-5, 8, 6)]
    assert LabelSpace(edges=edges).fit(y).bin_shape_ == (3, 5)
    assert LabelSpace(edges=np.linspace(-5, 8, 4)).fit(y).bin_shape_ == (3, 3)
    with pytest.raises(ValueError, match="bin_width has 3 entries but y has 2 columns"):
        LabelSpace(bin_width=[1, 1, 1]).fit(y)
    with pytest.raises(ValueError, match="at most 3 target columns"):
        LabelSpace().fit(np.random.RandomState(0).normal(size=(20, 4)))
    with pytest.raises(ValueError, match="more than 64-bit cell indices"):
        LabelSpace(bin_width=1e-6).fit(np.c_[y, y[:, 0]])
    # Larger than MAX_JOINT_CELLS: stored sparsely rather than refused.
    assert LabelSpace(bin_width=0.001).fit(y).n_bins_ > MAX_JOINT_CELLS
    fitted = LabelSpace().fit(y)
    with pytest.raises(ValueError, match="1 column"):
        fitted.transform(y[:, 0])
    with pytest.raises(ValueError, match="different numbers of outputs"):
        shot_metrics(y, y[:, :1], label_space=fitted)
    with pytest.raises(ValueError, match="multioutput"):
        shot_metrics(y, y, label_space=fitted, multioutput="variance_weighted")


def test_column_vector_is_scalar_and_frozen_pickles():
    y = bulk_and_cluster(9, n=200, n_rare=5)[:, 0]
    a = LabelSpace().fit(y)
    b = LabelSpace().fit(y[:, None])
    assert b.n_outputs_ == 1 and b.bin_shape_ == (a.n_bins_,)
    np.testing.assert_array_equal(a.edges_, b.edges_)
    np.testing.assert_array_equal(a.effective_counts_, b.effective_counts_)
    joint = LabelSpace().fit(bulk_and_cluster(9, n=200, n_rare=5))
    assert clone(joint) is joint
    again = pickle.loads(pickle.dumps(joint))
    q = bulk_and_cluster(10, n=20, n_rare=2)
    np.testing.assert_array_equal(again.rarity(q), joint.rarity(q))


def test_fitted_space_must_match_the_number_of_columns():
    scalar = LabelSpace().fit(np.arange(10.0))
    y = bulk_and_cluster(11, n=50, n_rare=3)
    with pytest.raises(ValueError, match=r"2 column\(s\) but the fitted label space"):
        LDSWeighter(label_space=scalar).fit(y)
    with pytest.raises(ValueError, match="fitted on 1"):
        balanced_mean_absolute_error(y, y, label_space=scalar)


def test_empty_shot_group_gives_nan_per_output():
    from sklearn.exceptions import UndefinedMetricWarning

    y = bulk_and_cluster(12, n=100, n_rare=3)
    space = LabelSpace(n_bins=3, many_threshold=1000, few_threshold=0).fit(y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = shot_metrics(y, y + 1.0, label_space=space, multioutput="raw_values")
    messages = {str(w.message) for w in caught if w.category is UndefinedMetricWarning}
    assert messages == {"No test sample is many-shot; its metrics are NaN.",
                        "No test sample is few-shot; its metrics are NaN."}
    assert res["many"]["n"] == 0 and np.isnan(res["many"]["mae"]).all()
    assert res["many"]["mae"].shape == (2,)
    np.testing.assert_allclose(res["medium"]["mae"], [1.0, 1.0])


def _fold_scores_by_hand(model, X, y, cv, space_params):
    """Each fold's few/all shot MAE and balanced MAE of a two-column target,
    computed directly: the label space fitted on the training fold, the
    test rows grouped by their joint cell's training count, the MAE of
    each column and their plain mean (a uniform average)."""
    from sklearn.base import clone as clone_est

    out = {"few": [], "all": [], "bmae": []}
    for train, test in cv.split(X, y):
        fitted = clone_est(model).fit(X[train], y[train])
        err = np.abs(y[test] - fitted.predict(X[test]))
        space = LabelSpace(**space_params).fit(y[train])
        cells = loop_cells(y[test], space.edges_)
        grid = space.counts_.reshape(space.bin_shape_)
        # A test row outside the fitted range in any column holds no training
        # samples (few-shot); the balanced error counts it in the edge cell.
        inside = np.all([(y[test, k] >= e[0]) & (y[test, k] <= e[-1])
                         for k, e in enumerate(space.edges_)], axis=0)
        count = np.where(inside, [grid[c] for c in cells], 0.0)
        few = count < space_params["few_threshold"]
        out["few"].append(-err[few].mean(axis=0).mean())
        out["all"].append(-err.mean(axis=0).mean())
        per_cell = {}
        for c, e in zip(cells, err):
            per_cell.setdefault(c, []).append(e)
        out["bmae"].append(-np.mean([np.mean(v, axis=0) for v in per_cell.values()],
                                    axis=0).mean())
    return out


@pytest.mark.parametrize("record", [True, False])
def test_shot_scorers_cross_validate_a_two_column_target(record):
    from sklearn.model_selection import KFold, cross_validate

    from skdir.metrics import shot_scorers

    rng = np.random.RandomState(13)
    y = bulk_and_cluster(13, n=400, n_rare=30)
    X = np.c_[y + rng.normal(scale=0.5, size=y.shape), rng.normal(size=len(y))]
    params = dict(n_bins=5, many_threshold=60, few_threshold=15)
    # ReweightedRegressor records its training targets; LinearRegression
    # does not, and the training fold is then y minus the test fold.
    model = ReweightedRegressor(LinearRegression()) if record else LinearRegression()
    cv = KFold(4, shuffle=True, random_state=0)
    scoring = shot_scorers(["mae", "balanced_mae"], ["all", "few"],
                           label_space=LabelSpace(**params), y=None if record else y)
    res = cross_validate(model, X, y, cv=cv, scoring=scoring)
    expected = _fold_scores_by_hand(model, X, y, cv, params)
    np.testing.assert_allclose(res["test_neg_mae_few"], expected["few"])
    np.testing.assert_allclose(res["test_neg_mae_all"], expected["all"])
    np.testing.assert_allclose(res["test_neg_balanced_mae"], expected["bmae"])
    # The rare cluster is few-shot and predicted worse than the bulk.
    assert np.all(res["test_neg_mae_few"] < res["test_neg_mae_all"])


def test_shot_scorer_multi_output_derivation_and_limits():
    from skdir.metrics import make_shot_scorer, make_utility_scorer

    rng = np.random.RandomState(14)
    y = bulk_and_cluster(14, n=200, n_rare=10)
    X = y + rng.normal(scale=0.3, size=y.shape)
    model = LinearRegression().fit(X[:150], y[:150])
    params = dict(n_bins=4, many_threshold=20, few_threshold=5)
    scorer = make_shot_scorer("mae", "many", label_space=LabelSpace(**params), y=y)
    space = LabelSpace(**params).fit(y[:150])
    many = space.shot_of(y[150:]) == "many"
    assert 0 < many.sum() < 60
    err = np.abs(y[150:] - model.predict(X[150:]))[many]
    assert scorer(model, X[150:], y[150:]) == pytest.approx(-err.mean())
    # Rows of the test fold that y does not hold (here: columns swapped).
    with pytest.raises(ValueError, match="not all among the y"):
        scorer(model, X[150:], y[150:, ::-1] + 100.0)
    # A fitted label space of another number of columns is refused.
    scalar = make_shot_scorer("mae", "few", label_space=LabelSpace().fit(y[:, 0]))
    with pytest.raises(ValueError, match="fitted on 1"):
        scalar(model, X[150:], y[150:])
    # Four columns are too many; the utility metrics stay one-dimensional.
    with pytest.raises(ValueError, match="y"):
        make_shot_scorer("mae", "few", y=np.zeros((10, 4)))
    with pytest.raises(ValueError, match="y"):
        make_utility_scorer("sera", y=y)


# ------------------------------------------------------------ sparse grids
def _dense_and_sparse(monkeypatch, y, **params):
    """The same label space fitted with a dense grid and, with the limit
    lowered below its cell count, with a sparse one."""
    dense = LabelSpace(**params).fit(y)
    with monkeypatch.context() as patch:
        patch.setattr("skdir.bins.MAX_JOINT_CELLS", 10)
        sparse = LabelSpace(**params).fit(y)
    assert dense.cells_ is None and sparse.cells_ is not None
    return dense, sparse


@pytest.mark.parametrize("dims, params", [
    (2, {"n_bins": 12}),
    (2, {"n_bins": 9, "kernel": "laplace", "ks": 3, "sigma": 1.0}),
    (3, {"n_bins": 7, "kernel": "triang", "ks": 5}),
    (3, {"bin_width": [0.7, 1.0, 1.3]}),
])
def test_sparse_grid_answers_as_the_dense_one(monkeypatch, dims, params):
    y = bulk_and_cluster(3, n=400, n_rare=12, dims=dims)
    dense, sparse = _dense_and_sparse(monkeypatch, y, **params)
    # Stored cells: exactly the cells that hold training targets.
    np.testing.assert_array_equal(sparse.cells_, np.flatnonzero(dense.counts_))
    assert sparse.n_bins_ == dense.n_bins_ and sparse.bin_shape_ == dense.bin_shape_
    np.testing.assert_array_equal(sparse.counts_, dense.counts_[sparse.cells_])
    np.testing.assert_allclose(sparse.centers_, dense.centers_[sparse.cells_])
    # Against the loop definition of the N-d smoothing, not only the dense grid.
    grid = dense.counts_.reshape(dense.bin_shape_)
    looped = loop_smooth(grid, dense.window()).ravel() if dims == 2 else (
        dense.effective_counts_)
    np.testing.assert_allclose(sparse.effective_counts_, looped[sparse.cells_],
                               rtol=1e-12)
    np.testing.assert_allclose(sparse.bin_rarity_, dense.bin_rarity_[sparse.cells_],
                               rtol=1e-12, atol=1e-15)
    rng = np.random.RandomState(0)
    query = np.r_[y[::7], rng.uniform(-5, 9, size=(500, dims))]
    np.testing.assert_array_equal(sparse.transform(query), dense.transform(query))
    for smoothed in (False, True):
        np.testing.assert_allclose(sparse.count_of(query, smoothed=smoothed),
                                   dense.count_of(query, smoothed=smoothed),
                                   rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sparse.rarity(query), dense.rarity(query),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(sparse.shot_of(query), dense.shot_of(query))
    np.testing.assert_allclose(LDSRelevance(label_space=sparse).fit(y).transform(query),
                               LDSRelevance(label_space=dense).fit(y).transform(query),
                               rtol=1e-12, atol=1e-12)
    pred = query + rng.normal(size=query.shape)
    for metric in (balanced_mean_absolute_error, balanced_mean_squared_error):
        assert metric(query, pred, label_space=sparse) == metric(
            query, pred, label_space=dense)
    a = shot_metrics(query, pred, label_space=sparse, multioutput="raw_values")
    b = shot_metrics(query, pred, label_space=dense, multioutput="raw_values")
    assert a.keys() == b.keys()
    for group in a:
        assert a[group].keys() == b[group].keys()
        for name in a[group]:
            np.testing.assert_allclose(a[group][name], b[group][name])


@pytest.mark.parametrize("reweight, lds", [("sqrt_inv", True), ("inverse", True),
                                           (0.25, False), ("inverse", False),
                                           ("none", False)])
def test_sparse_grid_weights(monkeypatch, reweight, lds):
    y = bulk_and_cluster(4, n=500, n_rare=15)
    dense, sparse = _dense_and_sparse(monkeypatch, y, n_bins=14)
    wd = LDSWeighter(label_space=dense, reweight=reweight, lds=lds)
    ws = LDSWeighter(label_space=sparse, reweight=reweight, lds=lds)
    # Training targets: the same weights.
    np.testing.assert_allclose(ws.fit_transform(y), wd.fit_transform(y), rtol=1e-12)
    np.testing.assert_allclose(ws.bin_weights_, wd.bin_weights_[sparse.cells_],
                               rtol=1e-12)
    # Other targets: the dense weight, capped at the largest training weight
    # (the dense grid floors at its smallest smoothed mass anywhere).
    query = np.random.RandomState(1).uniform(-5, 9, size=(800, 2))
    cap = ws.transform(y).max()
    np.testing.assert_allclose(ws.transform(query),
                               np.minimum(wd.transform(query), cap), rtol=1e-12)


def test_sparse_grid_of_millions_of_cells_by_brute_force():
    rng = np.random.RandomState(5)
    # A tight bulk of 600 targets and 6 scattered ones.
    y = np.r_[rng.normal(0, 0.05, size=(600, 3)), rng.normal(0, 1.5, size=(6, 3))]
    space = LabelSpace(n_bins=150, strategy="uniform").fit(y)
    assert space.n_bins_ == 150**3 > MAX_JOINT_CELLS
    assert space.cells_.size <= y.shape[0] and space.counts_.sum() == y.shape[0]
    assert space.effective_counts_.shape == space.cells_.shape
    # The smoothed count at a target, summed over the training targets by the
    # definition: the product window of their cell offsets.
    window = space.window()
    half = window.size // 2
    cell = np.stack(np.unravel_index(space.transform(y), space.bin_shape_), axis=1)
    for i in (0, 17, 600, 605):
        offset = cell - cell[i] + half
        near = np.all((offset >= 0) & (offset < window.size), axis=1)
        expected = np.prod(window[offset[near]], axis=1).sum()
        np.testing.assert_allclose(space.count_of(y[i:i + 1], smoothed=True),
                                   [expected], rtol=1e-12)
    # The scattered targets are alone: count 1, few-shot, the largest weights.
    np.testing.assert_array_equal(space.count_of(y[600:]), np.ones(6))
    assert set(space.shot_of(y[600:])) == {"few"}
    weights = LDSWeighter(label_space=space).fit_transform(y)
    assert weights[600:].min() > weights[:600].max()
    model = ReweightedRegressor(LinearRegression(), LDSWeighter(label_space=space))
    model.fit(rng.normal(size=(606, 2)), y)
    assert model.predict(np.zeros((1, 2))).shape == (1, 3)
    assert clone(space) is space
    again = pickle.loads(pickle.dumps(space))
    np.testing.assert_array_equal(again.rarity(y), space.rarity(y))


def test_sparse_grid_refuses_what_needs_every_cell():
    y = bulk_and_cluster(6, n=300, n_rare=10, dims=3)
    space = LabelSpace(n_bins=120, strategy="uniform").fit(y)
    assert space.cells_ is not None
    with pytest.raises(ValueError, match="stored sparsely"):
        space.histogram(y)
    with pytest.raises(ValueError, match="values must hold one value per stored cell"):
        space.smooth(np.ones(5))
    np.testing.assert_allclose(space.smooth(space.counts_), space.effective_counts_)
    from skdir.resampling import SMOTER

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="SMOTER on a multi-output target needs "
                                             "one value per cell.*stored sparsely"):
            SMOTER(label_space=space).fit_resample(np.zeros((y.shape[0], 2)), y)
