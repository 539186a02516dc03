import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdir import LabelSpace, ReweightedRegressor
from skdir.metrics import (
    TrainingTargets,
    balanced_mean_absolute_error,
    balanced_mean_squared_error,
    find_training_targets,
    geometric_mean_absolute_error,
    make_shot_scorer,
    shot_groups,
    shot_metrics,
    shot_scorers,
)


def test_gm_by_hand_and_zero_error():
    assert geometric_mean_absolute_error([0, 0, 0], [1, 2, 4]) == pytest.approx(2.0)
    assert geometric_mean_absolute_error([1, 2], [1, 5]) == 0.0
    assert geometric_mean_absolute_error([0, 0], [1, 9], sample_weight=[1, 0]) == pytest.approx(1.0)
    assert geometric_mean_absolute_error(
        [0, 0], [2, 8], sample_weight=[3, 1]
    ) == pytest.approx(np.exp((3 * np.log(2) + np.log(8)) / 4))


def test_balanced_errors_by_hand():
    y_true = np.array([1.0, 1, 1, 5, 5.5])
    y_pred = np.array([1.0, 1, 2, 1, 5.5])
    # bin [0, 2): errors 0, 0, 1 -> 1/3 ; bin [2, 6]: errors 4, 0 -> 2
    two = LabelSpace(edges=[0, 2, 6])
    assert balanced_mean_absolute_error(y_true, y_pred, label_space=two) == pytest.approx((1 / 3 + 2) / 2)
    assert balanced_mean_squared_error(y_true, y_pred, label_space=two) == pytest.approx((1 / 3 + 8) / 2)
    # An empty bin is not averaged in.
    three = LabelSpace(edges=[0, 2, 3, 6])
    assert balanced_mean_absolute_error(y_true, y_pred, label_space=three) == pytest.approx((1 / 3 + 2) / 2)
    # Weights within a bin: bin [0, 2) has errors 0, 0, 1 weighted 1, 1, 2.
    w = np.array([1.0, 1, 2, 1, 1])
    assert balanced_mean_absolute_error(y_true, y_pred, label_space=two, sample_weight=w) == pytest.approx(
        (2 / 4 + 2) / 2
    )
    # A bin holding only zero-weight samples is not averaged in.
    w0 = np.array([1.0, 1, 1, 0, 0])
    assert balanced_mean_absolute_error(y_true, y_pred, label_space=two, sample_weight=w0) == pytest.approx(1 / 3)


def test_balanced_error_uses_a_fitted_label_space_as_given():
    # Fitted on other targets: its edges bin y_true; values outside its range
    # count in its edge bins.
    space = LabelSpace(edges=[0, 2, 4]).fit([0.5, 3.0])
    y_true = np.array([-5.0, 1.0, 3.0, 9.0])
    y_pred = np.array([-4.0, 1.0, 3.0, 12.0])
    # bin [0, 2): -5 and 1, errors 1 and 0; bin [2, 4]: 3 and 9, errors 0 and 3.
    assert balanced_mean_absolute_error(y_true, y_pred, label_space=space) == pytest.approx((0.5 + 1.5) / 2)
    np.testing.assert_array_equal(space.edges_, [0, 2, 4])
    with pytest.raises(TypeError, match="label_space"):
        balanced_mean_absolute_error(y_true, y_pred, label_space=[0, 2, 4])


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 40), st.integers(1, 10), st.integers(0, 2**31 - 1))
def test_balanced_mae_is_mean_of_per_bin_maes(n, n_bins, seed):
    rng = np.random.RandomState(seed)
    y, pred = rng.normal(size=n), rng.normal(size=n)
    # Equal-width bins by hand; the last bin holds the maximum.
    edges = np.linspace(y.min(), y.max(), n_bins + 1)
    idx = np.clip(np.searchsorted(edges, y, side="right") - 1, 0, n_bins - 1)
    expected = np.mean([np.abs(y - pred)[idx == b].mean() for b in np.unique(idx)])
    space = LabelSpace(n_bins=n_bins, strategy="uniform")
    assert balanced_mean_absolute_error(y, pred, label_space=space) == pytest.approx(expected)


def test_shot_groups_and_metrics_by_hand():
    y_train = np.r_[np.full(5, 1.0), np.full(3, 2.0), [3.0]]
    space = LabelSpace(edges=[0.5, 1.5, 2.5, 3.5], many_threshold=4, few_threshold=2)
    groups = shot_groups([1, 2, 3, 7, 0], y_train=y_train, label_space=space)
    np.testing.assert_array_equal(groups, ["many", "medium", "few", "few", "few"])
    # The same groups from the label space fitted beforehand.
    fitted = clone(space).fit(y_train)
    np.testing.assert_array_equal(shot_groups([1, 2, 3, 7, 0], label_space=fitted), groups)

    y_true = np.array([1.0, 1.0, 2.0, 3.0, 3.2])
    y_pred = np.array([1.5, 0.0, 2.0, 1.0, 4.0])
    res = shot_metrics(y_true, y_pred, y_train=y_train, label_space=space)
    again = shot_metrics(y_true, y_pred, label_space=fitted)
    for group in ("all", "many", "medium", "few"):
        np.testing.assert_equal(again[group], res[group])
    err = y_true - y_pred
    assert res["all"]["n"] == 5
    assert res["all"]["mae"] == pytest.approx(np.abs(err).mean())
    assert res["all"]["mse"] == pytest.approx((err**2).mean())
    assert res["all"]["rmse"] == pytest.approx(np.sqrt((err**2).mean()))
    assert res["all"]["gm"] == 0.0  # one exact prediction
    assert res["all"]["pearson"] == pytest.approx(np.corrcoef(y_true, y_pred)[0, 1])
    assert res["many"]["n"] == 2 and res["many"]["mae"] == pytest.approx(0.75)
    assert res["many"]["gm"] == pytest.approx(np.sqrt(0.5 * 1.0))
    assert res["medium"]["n"] == 1 and np.isnan(res["medium"]["pearson"])
    assert res["few"]["n"] == 2 and res["few"]["mse"] == pytest.approx((4 + 0.64) / 2)


def test_empty_shot_group_gives_nan_and_warning():
    y_train = np.r_[np.zeros(200), np.ones(50)]
    with pytest.warns(UndefinedMetricWarning, match="few-shot"):
        res = shot_metrics([0.0, 1.0], [0.0, 2.0], y_train=y_train,
                           label_space=LabelSpace(edges=[-0.5, 0.5, 1.5]))
    assert res["few"]["n"] == 0
    assert all(np.isnan(res["few"][m]) for m in ("mae", "mse", "rmse", "gm", "pearson"))
    assert res["many"]["n"] == 1 and res["medium"]["n"] == 1


def test_thresholds_are_validated():
    with pytest.raises(ValueError, match="few_threshold"):
        shot_groups([1.0], y_train=[1.0, 2.0], label_space=LabelSpace(few_threshold=10, many_threshold=5))
    with pytest.raises(ValueError, match="many_threshold"):
        shot_groups([1.0], y_train=[1.0, 2.0], label_space=LabelSpace(many_threshold=-1))


def test_shot_groups_label_space_and_y_train_rules():
    y_train = np.r_[np.zeros(150), np.ones(50), [2.0]]
    fitted = LabelSpace(bin_width=1).fit(y_train)
    # A fitted label space decides alone: y_train would have no effect.
    with pytest.raises(ValueError, match="y_train has no effect"):
        shot_groups([0.0], y_train=y_train, label_space=fitted)
    with pytest.raises(ValueError, match="y_train has no effect"):
        shot_metrics([0.0], [0.0], y_train=y_train, label_space=fitted)
    # Without a fitted label space the training targets are required.
    with pytest.raises(ValueError, match="y_train is required"):
        shot_groups([0.0])
    with pytest.raises(ValueError, match="y_train is required"):
        shot_metrics([0.0], [0.0], label_space=LabelSpace(bin_width=1))
    with pytest.raises(TypeError, match="label_space"):
        shot_groups([0.0], y_train=y_train, label_space=[0, 1, 2])
    # Default thresholds 100 / 20, by hand: bins 0, 1, 2 hold 150, 50, 1.
    np.testing.assert_array_equal(
        shot_groups([0.0, 1.5, 2.0, 5.0], label_space=fitted), ["many", "medium", "few", "few"]
    )
    # The default LabelSpace() is fitted on y_train (an unfitted one is not modified).
    unfitted = LabelSpace(bin_width=1)
    np.testing.assert_array_equal(
        shot_groups([0.0, 1.5, 2.0], y_train=y_train, label_space=unfitted), ["many", "medium", "few"]
    )
    assert not hasattr(unfitted, "edges_")


def _data(n=400, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=n)
    return X, y


SPACE = LabelSpace(n_bins=10, strategy="uniform", many_threshold=40, few_threshold=10)
SCORE_KW = dict(label_space=SPACE)


def _expected_fold_scores(model, X, y, cv, shot, metric):
    out = []
    for train, test in cv.split(X, y):
        pred = model.fit(X[train], y[train]).predict(X[test])
        res = shot_metrics(y[test], pred, y_train=y[train], **SCORE_KW)
        out.append(-res[shot][metric])
    return np.array(out)


def test_shot_scorer_in_cross_validate_uses_training_fold():
    X, y = _data()
    cv = KFold(4, shuffle=True, random_state=0)
    model = ReweightedRegressor(Ridge())
    scoring = {"few": make_shot_scorer("mae", "few", **SCORE_KW), "all": make_shot_scorer("mse")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        res = cross_validate(model, X, y, cv=cv, scoring=scoring)
        np.testing.assert_allclose(res["test_few"], _expected_fold_scores(model, X, y, cv, "few", "mae"))
        np.testing.assert_allclose(res["test_all"], _expected_fold_scores(model, X, y, cv, "all", "mse"))
    assert not hasattr(SPACE, "edges_")  # the scorers' label space stays unfitted


def _by_hand_few_mae(model, X, y, cv, edges, reference, few_threshold):
    """Few-shot MAE per fold with fixed edges and counts of ``reference``."""
    counts, _ = np.histogram(reference, bins=edges)  # last bin closed, as LabelSpace
    out = []
    for train, test in cv.split(X, y):
        pred = model.fit(X[train], y[train]).predict(X[test])
        yt = y[test]
        inside = (yt >= edges[0]) & (yt <= edges[-1])
        idx = np.clip(np.searchsorted(edges, yt, side="right") - 1, 0, len(edges) - 2)
        count = np.where(inside, counts[idx], 0)
        few = count < few_threshold
        out.append(-np.abs(yt[few] - pred[few]).mean())
    return np.array(out)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_fitted_label_space_is_used_as_given_on_every_fold(n_jobs):
    X, y = _data()
    # Fitted on a fixed reference distribution, not on any training fold;
    # test targets above 8 lie outside its edges (training count 0).
    reference = np.r_[np.linspace(0.0, 2.0, 300), np.linspace(2.0, 8.0, 20)]
    edges = np.linspace(0.0, 8.0, 9)
    space = LabelSpace(edges=edges, many_threshold=100, few_threshold=30).fit(reference)
    cv = KFold(4, shuffle=True, random_state=0)
    model = ReweightedRegressor(Ridge())
    scoring = {"few": make_shot_scorer("mae", "few", label_space=space)}
    res = cross_validate(model, X, y, cv=cv, scoring=scoring, n_jobs=n_jobs, error_score="raise")
    expected = _by_hand_few_mae(model, X, y, cv, edges, reference, 30)
    np.testing.assert_allclose(res["test_few"], expected)
    np.testing.assert_array_equal(space.edges_, edges)
    # Unfitted, the counts come from each training fold instead.
    wide = np.r_[edges, 16.0]
    unfitted = {"few": make_shot_scorer("mae", "few", label_space=LabelSpace(edges=wide, few_threshold=30))}
    per_fold = cross_validate(model, X, y, cv=cv, scoring=unfitted, error_score="raise")["test_few"]
    assert np.all(np.isfinite(per_fold)) and not np.allclose(per_fold, expected)


def test_shot_scorer_clones_and_pickles():
    X, y = _data()
    model = ReweightedRegressor(Ridge()).fit(X, y)
    fitted = LabelSpace(n_bins=5, many_threshold=100, few_threshold=50).fit(y[:200])
    scorer = make_shot_scorer("mae", "few", label_space=fitted)
    assert clone(scorer).label_space is fitted  # frozen: the same object
    again = pickle.loads(pickle.dumps(scorer))
    np.testing.assert_array_equal(again.label_space.counts_, fitted.counts_)
    assert again(model, X, y) == scorer(model, X, y) == clone(scorer)(model, X, y)
    unfitted = make_shot_scorer("mae", "few", label_space=LabelSpace(n_bins=5, few_threshold=50))
    copy = clone(unfitted)
    assert copy.label_space is not unfitted.label_space
    assert copy.label_space.get_params() == unfitted.label_space.get_params()
    assert pickle.loads(pickle.dumps(unfitted))(model, X, y) == unfitted(model, X, y)
    assert clone(make_shot_scorer("gm")).label_space is None


def test_make_shot_scorer_checks_label_space_early():
    with pytest.raises(TypeError, match="label_space"):
        make_shot_scorer("mae", "few", label_space=10)
    with pytest.raises(TypeError, match="label_space"):
        shot_scorers(["mae"], label_space="auto")
    fitted = LabelSpace().fit([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="y_train has no effect"):
        make_shot_scorer("mae", "few", y_train=[1.0, 2.0], label_space=fitted)
    # The "all" scorer needs no shot groups: label_space and y_train would
    # have no effect.
    with pytest.raises(ValueError, match="label_space has no effect with shot='all'"):
        make_shot_scorer("mae", "all", label_space=fitted)
    with pytest.raises(ValueError, match="y_train has no effect with shot='all'"):
        make_shot_scorer("mae", y_train=[1.0, 2.0])
    with pytest.raises(ValueError, match="label_space has no effect"):
        shot_scorers(["mae"], ["all"], label_space=fitted)
    with pytest.raises(TypeError, match="bins"):
        shot_scorers(["mae"], bins=10)


def test_shot_scorers_give_the_all_scorer_no_label_space():
    X, y = _data()
    fitted = LabelSpace(n_bins=5).fit(y)
    scoring = shot_scorers(["mae"], label_space=fitted)
    assert scoring["neg_mae_all"].label_space is None
    assert all(scoring[f"neg_mae_{s}"].label_space is fitted for s in ("many", "medium", "few"))
    # With a reference y_train the label space is fitted once, for every group.
    scoring = shot_scorers(["mae", "gm"], y_train=y, label_space=LabelSpace(n_bins=5))
    spaces = {id(scoring[f"{m}_{s}"].label_space) for m in ("neg_mae", "neg_gm") for s in ("many", "few")}
    assert len(spaces) == 1
    np.testing.assert_array_equal(scoring["neg_mae_few"].label_space.counts_, fitted.counts_)


def test_shot_scorer_through_pipeline_and_search():
    X, y = _data()
    model = make_pipeline(StandardScaler(), ReweightedRegressor(Ridge()))
    grid = GridSearchCV(
        model,
        {"reweightedregressor__regressor__alpha": [0.1, 1.0]},
        scoring=shot_scorers(["mae", "gm"], **SCORE_KW),
        refit="neg_mae_few",
        cv=3,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        grid.fit(X, y)
    assert "mean_test_neg_gm_many" in grid.cv_results_
    record = find_training_targets(grid)
    np.testing.assert_array_equal(record.to_y(), np.sort(y))
    scorer = make_shot_scorer("mae", "all")
    assert scorer(grid, X, y) == pytest.approx(-np.abs(grid.predict(X) - y).mean())


def test_shot_scorer_for_plain_regressor_needs_y_train():
    X, y = _data()
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="y_train"):
        make_shot_scorer("mae", "few")(model, X, y)
    scorer = make_shot_scorer("pearson", "all")
    assert scorer(model, X, y) == pytest.approx(np.corrcoef(y, model.predict(X))[0, 1])
    # A fixed reference y_train decides the groups for a plain regressor.
    scorer = make_shot_scorer("mae", "many", y_train=y, **SCORE_KW)
    groups = shot_groups(y, y_train=y, **SCORE_KW)
    pred = model.predict(X)
    expected = -np.abs(pred - y)[groups == "many"].mean()
    assert scorer(model, X, y) == pytest.approx(expected)


def test_make_shot_scorer_rejects_unknown_names():
    with pytest.raises(ValueError, match="metric"):
        make_shot_scorer("r2")
    with pytest.raises(ValueError, match="shot"):
        make_shot_scorer("mae", "rare")


def test_training_targets_record_roundtrip():
    rec = TrainingTargets.from_y([2.0, 1.0, 2.0, 5.0])
    np.testing.assert_array_equal(rec.values, [1, 2, 5])
    np.testing.assert_array_equal(rec.counts, [1, 2, 1])
    np.testing.assert_array_equal(rec.to_y(), [1, 2, 2, 5])
    assert find_training_targets(LinearRegression()) is None


def test_scorer_warns_only_about_its_own_group():
    X, y = _data()
    model = ReweightedRegressor(Ridge()).fit(X, y)
    kw = dict(label_space=LabelSpace(edges=[y.min() - 1, y.max() + 1], many_threshold=10, few_threshold=5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert make_shot_scorer("mae", "all")(model, X, y) < 0
        assert make_shot_scorer("mae", "many", **kw)(model, X, y) < 0
    with pytest.warns(UndefinedMetricWarning, match="few-shot"):
        assert np.isnan(make_shot_scorer("mae", "few", **kw)(model, X, y))
