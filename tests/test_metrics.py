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
from threadpoolctl import threadpool_limits

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
    # With the split targets, for a plain regressor: they travel along.
    plain = Ridge().fit(X[:300], y[:300])
    with_y = make_shot_scorer("mae", "few", y=y, label_space=LabelSpace(n_bins=5, few_threshold=50))
    expected = with_y(plain, X[300:], y[300:])
    assert np.isfinite(expected)
    for copy in (clone(with_y), pickle.loads(pickle.dumps(with_y))):
        assert copy(plain, X[300:], y[300:]) == expected
    # scikit-learn scorer objects, as its own scorers.
    from sklearn.metrics._scorer import _BaseScorer

    assert isinstance(with_y, _BaseScorer) and isinstance(clone(with_y), _BaseScorer)


def test_make_shot_scorer_checks_label_space_early():
    with pytest.raises(TypeError, match="label_space"):
        make_shot_scorer("mae", "few", label_space=10)
    with pytest.raises(TypeError, match="label_space"):
        shot_scorers(["mae"], label_space="auto")
    fitted = LabelSpace().fit([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="y has no effect with a fitted label_space"):
        make_shot_scorer("mae", "few", y=[1.0, 2.0], label_space=fitted)
    with pytest.raises(ValueError, match="y has no effect with a fitted label_space"):
        shot_scorers(["mae"], y=[1.0, 2.0], label_space=fitted)
    # The "all" scorer of a shot-wise metric needs no bins: label_space and y
    # would have no effect.
    with pytest.raises(ValueError, match="label_space has no effect with 'mae' on shot='all'"):
        make_shot_scorer("mae", "all", label_space=fitted)
    with pytest.raises(ValueError, match="y has no effect with 'mae' on shot='all'"):
        make_shot_scorer("mae", y=[1.0, 2.0])
    with pytest.raises(ValueError, match="label_space has no effect"):
        shot_scorers(["mae"], ["all"], label_space=fitted)
    with pytest.raises(ValueError, match="y has no effect"):
        shot_scorers(["mae", "gm"], ["all"], y=[1.0, 2.0])
    with pytest.raises(TypeError, match="bins"):
        shot_scorers(["mae"], bins=10)
    with pytest.raises(TypeError, match="y_train"):
        make_shot_scorer("mae", "few", y_train=[1.0, 2.0])
    with pytest.raises(ValueError, match="y contains NaN"):
        shot_scorers(["mae"], y=[1.0, np.nan])


def test_shot_scorers_give_the_all_scorer_no_label_space():
    X, y = _data()
    fitted = LabelSpace(n_bins=5).fit(y)
    scoring = shot_scorers(["mae"], label_space=fitted)
    assert scoring["neg_mae_all"].label_space is None
    assert all(scoring[f"neg_mae_{s}"].label_space is fitted for s in ("many", "medium", "few"))
    # The split targets are recorded once and shared by every group scorer.
    scoring = shot_scorers(["mae", "gm"], y=y, label_space=LabelSpace(n_bins=5))
    assert scoring["neg_mae_all"].targets is None
    records = {id(scoring[f"{m}_{s}"].targets) for m in ("neg_mae", "neg_gm") for s in ("many", "few")}
    assert len(records) == 1
    np.testing.assert_array_equal(scoring["neg_mae_few"].targets.to_y(), np.sort(y))


def _by_hand_shot_maes(model, X, y, cv, many=100, few=20):
    """Per fold MAE of all, many-, medium- and few-shot test samples, with
    the default ``LabelSpace()`` bins of the training fold computed by hand:
    Rice's rule, ``ceil(2 n^(1/3))`` equal-width bins over its range."""
    out = {shot: [] for shot in ("all", "many", "medium", "few")}
    for train, test in cv.split(X, y):
        pred = clone(model).fit(X[train], y[train]).predict(X[test])
        y_tr, y_te = y[train], y[test]
        # abalone's tail lies within Tukey's far-out fences: uniform bins.
        q1, q3 = np.percentile(y_tr, [25, 75])
        assert q3 + 3 * (q3 - q1) > 0.25 * (y_tr.max() - y_tr.min())
        n_bins = int(np.ceil(2 * len(y_tr) ** (1 / 3)))
        edges = np.linspace(y_tr.min(), y_tr.max(), n_bins + 1)
        counts = np.histogram(y_tr, bins=edges)[0]
        inside = (y_te >= edges[0]) & (y_te <= edges[-1])
        idx = np.clip(np.searchsorted(edges, y_te, side="right") - 1, 0, n_bins - 1)
        count = np.where(inside, counts[idx], 0)
        err = np.abs(pred - y_te)
        masks = {"all": np.ones(len(y_te), bool), "many": count > many,
                 "few": count < few}
        masks["medium"] = ~masks["many"] & ~masks["few"]
        for shot, mask in masks.items():
            assert mask.any(), shot
            out[shot].append(-err[mask].mean())
    return {shot: np.array(v) for shot, v in out.items()}


def test_shot_scorers_for_any_estimator_from_the_split_targets():
    # A plain scikit-learn regressor records nothing: the training fold is
    # the full y minus the test fold, exactly.
    from sklearn.ensemble import HistGradientBoostingRegressor

    from skdir.datasets import load_abalone

    X, y = load_abalone(return_X_y=True)
    model = HistGradientBoostingRegressor(max_iter=10, max_leaf_nodes=8, random_state=0)
    cv = KFold(5)
    # One OpenMP thread: fast and steady on a shared machine.
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("error")  # no "Scoring failed", no empty group
        res = cross_validate(model, X, y, cv=cv, scoring=shot_scorers(["mae"], y=y))
        expected = _by_hand_shot_maes(model, X, y, cv)
    for shot in ("all", "many", "medium", "few"):
        np.testing.assert_allclose(res[f"test_neg_mae_{shot}"], expected[shot], rtol=1e-12)
    # Without y the scorer says what to do instead of scoring NaN.
    with pytest.raises(ValueError, match="did not record its training targets.*Pass y="):
        cross_validate(model, X, y, cv=cv, scoring=shot_scorers(["mae"]), error_score="raise")


def test_split_targets_must_contain_the_test_fold():
    X, y = _data()
    model = LinearRegression().fit(X[:300], y[:300])
    scorer = make_shot_scorer("mae", "few", y=y[:300], label_space=LabelSpace(n_bins=5))
    with pytest.raises(ValueError, match="test targets are not all among the y"):
        scorer(model, X[300:], y[300:])
    # Repeated values count: a value twice in the test fold needs it twice in y.
    doubled = make_shot_scorer("mae", "few", y=[1.0, 2.0, 3.0], label_space=LabelSpace(n_bins=2))
    with pytest.raises(ValueError, match="not all among"):
        doubled(model, X[:2], [1.0, 1.0])


def test_split_targets_difference_is_a_multiset_difference():
    # y = 0 0 0 1 1 2 5; test fold 0 1 5 -> training fold 0 0 1 2. With
    # edges [0, 1, 2, 3, 6) its bins hold 2, 1, 1, 0: the test values 0, 1, 5
    # are many-, medium- and few-shot with thresholds many > 1, few < 1.
    y = np.array([0.0, 0, 0, 1, 1, 2, 5])
    space = LabelSpace(edges=[0, 1, 2, 3, 6], many_threshold=1, few_threshold=1)
    X_test, y_test = np.zeros((3, 1)), np.array([5.0, 0.0, 1.0])
    model = LinearRegression().fit(np.zeros((4, 1)), [0.0, 0.0, 0.0, 4.0])  # predicts 1
    expected = {"many": -1.0, "medium": 0.0, "few": -4.0}
    scoring = shot_scorers(["mae"], ["many", "medium", "few"], y=y, label_space=space)
    for shot, value in expected.items():
        assert scoring[f"neg_mae_{shot}"](model, X_test, y_test) == pytest.approx(value)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.integers(1, 6), st.integers(0, 2**31 - 1))
def test_split_targets_minus_any_test_fold_is_the_training_fold(n, n_distinct, seed):
    from skdir.metrics._scorer import _without

    rng = np.random.RandomState(seed)
    y = rng.randint(n_distinct, size=n) * 0.1  # many repeated values
    test = rng.rand(n) < 0.3
    test[0], test[-1] = True, False
    rest = _without(TrainingTargets.from_y(y), y[test])
    np.testing.assert_array_equal(rest.to_y(), np.sort(y[~test]))
    assert np.all(rest.counts > 0)


def test_record_wins_over_the_split_targets():
    # The estimator was fitted on y[:200], not on y minus the test fold: its
    # record decides (as in the inner folds of a nested search).
    X, y = _data()
    model = ReweightedRegressor(Ridge()).fit(X[:200], y[:200])
    scorer = make_shot_scorer("mae", "few", y=y, **SCORE_KW)
    few = shot_groups(y[300:], y_train=y[:200], **SCORE_KW) == "few"
    assert 0 < few.sum() < few.size
    expected = -np.abs(model.predict(X[300:]) - y[300:])[few].mean()
    assert scorer(model, X[300:], y[300:]) == pytest.approx(expected)


def test_transformed_target_regressor_groups_in_original_units():
    from sklearn.compose import TransformedTargetRegressor

    from skdir.datasets import load_abalone

    X, y = load_abalone(return_X_y=True)
    train, test = np.arange(500, len(y)), np.arange(500)
    space = LabelSpace(bin_width=1)  # one bin per ring count
    plain = ReweightedRegressor(Ridge()).fit(X[train], y[train])
    logged = TransformedTargetRegressor(
        ReweightedRegressor(Ridge()), func=np.log1p, inverse_func=np.expm1
    ).fit(X[train], y[train])
    # The record below the transformer is on the log scale: not used.
    assert find_training_targets(logged) is None
    assert find_training_targets(plain) is not None
    groups = shot_groups(y[test], y_train=y[train], label_space=space)
    assert set(groups) == {"many", "medium", "few"}
    scoring = shot_scorers(["mae"], ["many", "medium", "few"], y=y, label_space=space)
    for model in (plain, logged):
        err = np.abs(model.predict(X[test]) - y[test])
        for shot in ("many", "medium", "few"):
            scorer = scoring[f"neg_mae_{shot}"]
            assert scorer(model, X[test], y[test]) == pytest.approx(-err[groups == shot].mean())
    with pytest.raises(ValueError, match="TransformedTargetRegressor.*Pass y="):
        shot_scorers(["mae"], ["few"], label_space=space)["neg_mae_few"](logged, X[test], y[test])


class _CountingRidge(Ridge):
    """Ridge that counts its predict calls (clones share the count)."""

    n_predict = 0

    def predict(self, X):
        type(self).n_predict += 1
        return super().predict(X)


def test_shot_scorers_share_one_prediction_per_fold():
    X, y = _data()
    scoring = shot_scorers(["mae", "gm"], ["all", "many", "few"], y=y, **SCORE_KW)
    assert len(scoring) == 6
    _CountingRidge.n_predict = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        res = cross_validate(_CountingRidge(), X, y, cv=3, scoring=scoring, error_score="raise")
    assert _CountingRidge.n_predict == 3
    assert np.all(np.isfinite(res["test_neg_mae_all"]))
    # A lone scorer predicts once per call too.
    _CountingRidge.n_predict = 0
    model = _CountingRidge().fit(X[:300], y[:300])
    scoring["neg_mae_few"](model, X[300:], y[300:])
    assert _CountingRidge.n_predict == 1


def test_plain_regressor_in_grid_search_with_refit():
    X, y = _data()
    cv = KFold(3, shuffle=True, random_state=0)
    grid = GridSearchCV(
        Ridge(), {"alpha": [0.01, 100.0]}, cv=cv, refit="neg_mae_few",
        scoring=shot_scorers(["mae"], y=y, **SCORE_KW), error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        grid.fit(X, y)
        for i, alpha in enumerate([0.01, 100.0]):
            expected = _expected_fold_scores(Ridge(alpha=alpha), X, y, cv, "few", "mae")
            got = [grid.cv_results_[f"split{k}_test_neg_mae_few"][i] for k in range(3)]
            np.testing.assert_allclose(got, expected)
    best = np.argmax(grid.cv_results_["mean_test_neg_mae_few"])
    assert grid.best_index_ == best
    # The refitted Ridge, scored on data it was fitted on (all of y): its
    # training fold is y minus y, nothing, and the scorer says so.
    with pytest.raises(ValueError, match="training fold is empty"):
        grid.score(X, y)


def test_balanced_scorers_use_the_bins_of_the_training_fold():
    X, y = _data()
    cv = KFold(4, shuffle=True, random_state=0)
    space = LabelSpace(n_bins=6, strategy="uniform")
    scoring = shot_scorers(["balanced_mae", "bMSE"], y=y, label_space=space)
    assert sorted(scoring) == ["neg_balanced_mae", "neg_balanced_mse"]
    res = cross_validate(Ridge(), X, y, cv=cv, scoring=scoring, error_score="raise")
    for key, power in (("neg_balanced_mae", 1), ("neg_balanced_mse", 2)):
        expected = []
        for train, test in cv.split(X, y):
            pred = Ridge().fit(X[train], y[train]).predict(X[test])
            # 6 equal-width bins over the training fold; test values outside
            # go to the edge bins; each bin holding test values counts once.
            edges = np.linspace(y[train].min(), y[train].max(), 7)
            idx = np.clip(np.searchsorted(edges, y[test], side="right") - 1, 0, 5)
            err = np.abs(pred - y[test]) ** power
            expected.append(-np.mean([err[idx == b].mean() for b in np.unique(idx)]))
        np.testing.assert_allclose(res[f"test_{key}"], expected)
    # A fitted label space gives its own bins on every fold.
    fitted = LabelSpace(edges=[-10, 1, 50]).fit(y)
    scorer = make_shot_scorer("balanced_mae", label_space=fitted)
    model = Ridge().fit(X, y)
    err, low = np.abs(model.predict(X) - y), y < 1
    assert scorer(model, X, y) == pytest.approx(-(err[low].mean() + err[~low].mean()) / 2)


def test_balanced_metrics_are_scored_over_all_samples_only():
    with pytest.raises(ValueError, match="balanced_mae is scored over all test samples only"):
        make_shot_scorer("balanced_mae", "few")
    with pytest.raises(ValueError, match="add 'all' to shots"):
        shot_scorers(["balanced_mae"], ["few"])
    with pytest.raises(ValueError, match=r"shots \['few'\] have no effect"):
        shot_scorers(["balanced_mae"], ["all", "few"])
    # By default the balanced errors get their "all" scorer, the others every group.
    assert sorted(shot_scorers(["bmae", "gm"], y=[1.0, 2.0])) == [
        "neg_balanced_mae", "neg_gm_all", "neg_gm_few", "neg_gm_many", "neg_gm_medium",
    ]
    assert sorted(shot_scorers(["bmae", "mae"], ["all", "few"])) == [
        "neg_balanced_mae", "neg_mae_all", "neg_mae_few",
    ]


def test_metric_and_shot_aliases():
    aliases = {
        "mean_absolute_error": "mae", "neg_mean_absolute_error": "mae", "NEG_MAE": "mae",
        "Mean-Squared-Error": "mse", "root_mean_squared_error": "rmse",
        "geometric_mean_absolute_error": "gm", "pearsonr": "pearson", "pearson_r": "pearson",
        "bmae": "balanced_mae", "balanced_mean_absolute_error": "balanced_mae",
        "neg_balanced_mae": "balanced_mae", "bmse": "balanced_mse",
        "balanced_mean_squared_error": "balanced_mse",
    }
    for alias, metric in aliases.items():
        assert make_shot_scorer(alias).metric == metric
    for alias, shot in {"few_shot": "few", "Many-Shot": "many", "medium shot": "medium"}.items():
        assert make_shot_scorer("mae", alias).shot == shot
    with pytest.raises(ValueError, match="metric must be one of"):
        make_shot_scorer("neg_pearson")  # Pearson's r is not negated
    with pytest.raises(ValueError, match="metric must be one of"):
        make_shot_scorer("r2")
    with pytest.raises(TypeError, match="not a str"):
        shot_scorers("mae")


def test_shot_scorer_rejects_sample_weight():
    X, y = _data()
    model = Ridge().fit(X, y)
    with pytest.raises(ValueError, match="sample_weight"):
        make_shot_scorer("mae")(model, X, y, sample_weight=np.ones(len(y)))
    # cross_validate does not pass it to scorers that cannot use it.
    res = cross_validate(Ridge(), X, y, cv=2, scoring=shot_scorers(["mae"], ["all"]),
                         params={"sample_weight": np.ones(len(y))}, error_score="raise")
    assert np.all(res["test_neg_mae_all"] < 0)


def test_empty_group_warning_points_at_the_callers_line():
    X, y = _data()
    model = Ridge().fit(X[:300], y[:300])
    space = LabelSpace(edges=[y.min() - 1, y.max() + 1], few_threshold=5, many_threshold=10)
    scorer = make_shot_scorer("mae", "few", y=y, label_space=space)
    with pytest.warns(UndefinedMetricWarning, match="few-shot") as record:
        assert np.isnan(scorer(model, X[300:], y[300:]))
    assert len(record) == 1 and record[0].filename == __file__
    with pytest.warns(UndefinedMetricWarning, match="few-shot") as record:
        res = cross_validate(Ridge(), X, y, cv=2, scoring={"few": scorer}, error_score="raise")
    assert np.all(np.isnan(res["test_few"]))
    assert len(record) == 2 and {w.filename for w in record} == {__file__}


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


def test_shot_scorer_for_plain_regressor_needs_y():
    X, y = _data()
    model = LinearRegression().fit(X[:300], y[:300])
    with pytest.raises(ValueError, match="Pass y="):
        make_shot_scorer("mae", "few")(model, X[300:], y[300:])
    scorer = make_shot_scorer("pearson", "all")
    assert scorer(model, X, y) == pytest.approx(np.corrcoef(y, model.predict(X))[0, 1])
    # With the split targets the training fold is y minus the test fold.
    scorer = make_shot_scorer("mae", "many", y=y, **SCORE_KW)
    groups = shot_groups(y[300:], y_train=y[:300], **SCORE_KW)
    assert 0 < (groups == "many").sum() < groups.size
    pred = model.predict(X[300:])
    expected = -np.abs(pred - y[300:])[groups == "many"].mean()
    assert scorer(model, X[300:], y[300:]) == pytest.approx(expected)


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
