import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdir import LabelBins, LDSWeighter, ReweightedRegressor
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
    assert balanced_mean_absolute_error(y_true, y_pred, bins=[0, 2, 6]) == pytest.approx((1 / 3 + 2) / 2)
    assert balanced_mean_squared_error(y_true, y_pred, bins=[0, 2, 6]) == pytest.approx((1 / 3 + 8) / 2)
    # An empty bin is not averaged in.
    assert balanced_mean_absolute_error(y_true, y_pred, bins=[0, 2, 3, 6]) == pytest.approx((1 / 3 + 2) / 2)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 40), st.integers(1, 10), st.integers(0, 2**31 - 1))
def test_balanced_mae_is_mean_of_per_bin_maes(n, n_bins, seed):
    rng = np.random.RandomState(seed)
    y, pred = rng.normal(size=n), rng.normal(size=n)
    bins = LabelBins(n_bins=n_bins).fit(y)
    idx = bins.transform(y)
    expected = np.mean([np.abs(y - pred)[idx == b].mean() for b in np.unique(idx)])
    assert balanced_mean_absolute_error(y, pred, bins=bins) == pytest.approx(expected)


def test_shot_groups_and_metrics_by_hand():
    y_train = np.r_[np.full(5, 1.0), np.full(3, 2.0), [3.0]]
    edges = [0.5, 1.5, 2.5, 3.5]
    groups = shot_groups([1, 2, 3, 7, 0], y_train=y_train, bins=edges, many_threshold=4, few_threshold=2)
    np.testing.assert_array_equal(groups, ["many", "medium", "few", "few", "few"])

    y_true = np.array([1.0, 1.0, 2.0, 3.0, 3.2])
    y_pred = np.array([1.5, 0.0, 2.0, 1.0, 4.0])
    res = shot_metrics(y_true, y_pred, y_train=y_train, bins=edges, many_threshold=4, few_threshold=2)
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
        res = shot_metrics([0.0, 1.0], [0.0, 2.0], y_train=y_train, bins=[-0.5, 0.5, 1.5])
    assert res["few"]["n"] == 0
    assert all(np.isnan(res["few"][m]) for m in ("mae", "mse", "rmse", "gm", "pearson"))
    assert res["many"]["n"] == 1 and res["medium"]["n"] == 1


def test_thresholds_are_validated():
    with pytest.raises(ValueError, match="few_threshold"):
        shot_groups([1.0], y_train=[1.0, 2.0], few_threshold=10, many_threshold=5)
    with pytest.raises(ValueError, match="many_threshold"):
        shot_groups([1.0], y_train=[1.0, 2.0], many_threshold=-1)


def _data(n=400, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 2))
    y = np.exp(X[:, 0]) + 0.1 * rng.normal(size=n)
    return X, y


SCORE_KW = dict(bins=LabelBins(n_bins=10), many_threshold=40, few_threshold=10)


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
    model = ReweightedRegressor(Ridge(), LDSWeighter(n_bins=10))
    scoring = {"few": make_shot_scorer("mae", "few", **SCORE_KW), "all": make_shot_scorer("mse", **SCORE_KW)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        res = cross_validate(model, X, y, cv=cv, scoring=scoring)
        np.testing.assert_allclose(res["test_few"], _expected_fold_scores(model, X, y, cv, "few", "mae"))
        np.testing.assert_allclose(res["test_all"], _expected_fold_scores(model, X, y, cv, "all", "mse"))


def test_shot_scorer_through_pipeline_and_search():
    X, y = _data()
    model = make_pipeline(StandardScaler(), ReweightedRegressor(Ridge(), LDSWeighter(n_bins=10)))
    grid = GridSearchCV(
        model,
        {"reweightedregressor__weighter__sigma": [1.0, 2.0]},
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
    scorer = make_shot_scorer("mae", "all", **SCORE_KW)
    assert scorer(grid, X, y) == pytest.approx(-np.abs(grid.predict(X) - y).mean())


def test_shot_scorer_for_plain_regressor_needs_y_train():
    X, y = _data()
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="y_train"):
        make_shot_scorer("mae", "few")(model, X, y)
    scorer = make_shot_scorer("pearson", "all", y_train=y, **SCORE_KW)
    assert scorer(model, X, y) == pytest.approx(np.corrcoef(y, model.predict(X))[0, 1])


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
    kw = dict(bins=[y.min() - 1, y.max() + 1], many_threshold=10, few_threshold=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert make_shot_scorer("mae", "all", **kw)(model, X, y) < 0
        assert make_shot_scorer("mae", "many", **kw)(model, X, y) < 0
    with pytest.warns(UndefinedMetricWarning, match="few-shot"):
        assert np.isnan(make_shot_scorer("mae", "few", **kw)(model, X, y))
