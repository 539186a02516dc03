import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_validate
from sklearn.neighbors import KNeighborsRegressor

from skdir import LabelSpace, LDSWeighter, RandomUnderSampler, ReweightedRegressor
from skdir.metrics import shot_scorers
from skdir.model_selection import (
    BinnedStratifiedKFold,
    balanced_refit,
    make_recipe_search,
)
from skdir.metrics import make_shot_scorer
from skdir.model_selection import _merge_sparse_bins


def test_merge_sparse_bins_by_hand():
    np.testing.assert_array_equal(_merge_sparse_bins(np.array([9, 1, 5]), 5), [0, 1, 1])
    np.testing.assert_array_equal(_merge_sparse_bins(np.array([1, 1, 1, 10, 0, 2]), 3), [0, 0, 0, 1, 1, 1])
    # A short last group joins the previous one.
    np.testing.assert_array_equal(_merge_sparse_bins(np.array([5, 5, 1]), 5), [0, 1, 1])


def test_every_fold_gets_a_rare_sample():
    rng = np.random.RandomState(0)
    y = np.r_[rng.normal(size=200), [8.0, 8.5, 9.0, 9.5, 10.0]]
    X = np.zeros((y.size, 1))
    cv = BinnedStratifiedKFold(5, label_space=LabelSpace(n_bins=20), shuffle=True, random_state=0)
    tests = [test for _, test in cv.split(X, y)]
    assert [int((y[t] > 7).sum()) for t in tests] == [1] * 5
    np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(y.size))
    assert cv.get_n_splits() == 5


@settings(max_examples=30, deadline=None)
@given(st.integers(10, 120), st.integers(2, 6), st.integers(1, 30), st.integers(0, 2**31 - 1))
def test_strata_have_at_least_n_splits_members(n, k, n_bins, seed):
    y = np.random.RandomState(seed).exponential(size=n)
    strata = BinnedStratifiedKFold(k, label_space=LabelSpace(n_bins=n_bins)).strata(y)
    counts = np.bincount(strata)
    assert counts.min() >= min(k, n)
    # Strata are ordered along the target.
    order = np.argsort(y, kind="stable")
    assert np.all(np.diff(strata[order]) >= 0)


def test_deterministic_with_random_state_and_in_grid_search():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(120, 2))
    y = np.exp(X[:, 0])
    cv = BinnedStratifiedKFold(3, shuffle=True, random_state=3)
    a = [t.tolist() for _, t in cv.split(X, y)]
    b = [t.tolist() for _, t in cv.split(X, y)]
    assert a == b
    res = cross_validate(Ridge(), X, y, cv=cv)
    assert res["test_score"].shape == (3,)
    GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=cv).fit(X, y)


def test_too_few_samples():
    with pytest.raises(ValueError, match="n_splits=5"):
        list(BinnedStratifiedKFold(5).split(np.zeros((3, 1)), [1.0, 2.0, 3.0]))


def test_strata_by_hand_with_an_unfitted_label_space():
    y = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 1.5, 2.5, 3.5, 3.6, 3.7])
    space = LabelSpace(edges=[0, 1, 2, 3, 4])
    # Bins hold 5, 1, 1, 3 samples; with n_splits=2 the groups are
    # {bin 0}, {bins 1, 2}, {bin 3}.
    strata = BinnedStratifiedKFold(2, label_space=space).strata(y)
    np.testing.assert_array_equal(strata, [0, 0, 0, 0, 0, 1, 1, 2, 2, 2])
    assert not hasattr(space, "edges_")


def test_fitted_label_space_keeps_its_edges():
    # Edges fitted elsewhere bin y as given; values beyond them go to the edge
    # bins, and the bins are merged on the counts of y itself.
    space = LabelSpace(edges=[0, 1, 2, 3]).fit([0.5, 1.5, 2.5])
    y = np.array([-3.0, 0.5, 0.6, 1.5, 1.6, 2.5, 2.6, 9.0])
    strata = BinnedStratifiedKFold(2, label_space=space).strata(y)
    np.testing.assert_array_equal(strata, [0, 0, 0, 1, 1, 2, 2, 2])
    np.testing.assert_array_equal(space.counts_, [1, 1, 1])


def test_label_space_type_is_checked():
    with pytest.raises(TypeError, match="label_space"):
        BinnedStratifiedKFold(3, label_space=10).strata(np.arange(10.0))


# ---------------------------------------------------------------------------
# balanced_refit and make_recipe_search
# ---------------------------------------------------------------------------

def _results(overall, balanced, params=None):
    n = len(overall)
    if params is None:
        params = [{"reweight": "none"}] + [{"reweight": f"r{i}"} for i in range(1, n)]
    return {
        "params": params,
        "mean_test_all": np.asarray(overall, dtype=float),
        "mean_test_bal": np.asarray(balanced, dtype=float),
        "mean_test_other": np.zeros(n),
    }


def _rule(**kwargs):
    kwargs.setdefault("baseline", {"reweight": "none"})
    return balanced_refit(balanced="bal", overall="all", **kwargs)


def test_tolerance_excludes_the_best_balanced_candidate():
    # Baseline MAE 2.0; with 25 % the MAE may reach 2.5 (exact in binary).
    res = _results([-2.0, -2.25, -2.75, -2.5], [-4.0, -3.6, -3.0, -3.5])
    # 2: best balanced but 37.5 % worse; 3: exactly at the bound, better than 1.
    assert _rule(max_loss=0.25)(res) == 3
    assert _rule(max_loss=0.375)(res) == 2
    assert _rule(max_loss=0.0)(res) == 0
    # The default tolerance is 3 %: only 1 % worse is eligible.
    res = _results([-2.0, -2.02, -2.07], [-4.0, -3.6, -3.0])
    assert _rule()(res) == 1
    # A candidate better than the baseline overall is eligible at any tolerance.
    res = _results([-2.0, -1.9, -2.5], [-4.0, -3.9, -1.0])
    assert _rule(max_loss=0.0)(res) == 1


def test_relative_tolerance_for_positive_scores():
    # Greater-is-better scores above 0 (r2): threshold 0.8 - 0.1 * 0.8 = 0.72.
    res = _results([0.8, 0.71, 0.73], [0.1, 0.9, 0.5])
    assert _rule(max_loss=0.1)(res) == 2
    decision = _rule(max_loss=0.1).explain(res)
    assert decision["threshold"] == pytest.approx(0.72)
    np.testing.assert_array_equal(decision["eligible"], [True, False, True])


def test_baseline_is_chosen_when_it_is_the_best_or_nothing_is_eligible():
    res = _results([-1.0, -1.5, -2.0], [-3.0, -1.0, -0.5])
    assert _rule()(res) == 0
    # The baseline's balanced score is NaN and nothing else is within the
    # tolerance: nothing is eligible, the baseline is the fallback.
    res = _results([-1.0, -1.5, -2.0], [np.nan, -1.0, -0.5])
    decision = _rule().explain(res)
    assert not decision["eligible"].any()
    assert decision["best_index"] == 0
    # ... but an eligible candidate with a finite score wins over it.
    res = _results([-1.0, -1.01, -2.0], [np.nan, -1.0, -0.5])
    assert _rule()(res) == 1


def test_nan_scores_are_never_chosen():
    res = _results(
        [-1.0, np.nan, -1.0, -1.01, -1.0],
        [-3.0, -0.1, np.nan, -2.0, -2.5],
    )
    assert _rule()(res) == 3
    np.testing.assert_array_equal(
        _rule().explain(res)["eligible"], [True, False, False, True, True]
    )


def test_ties_go_to_the_better_overall_score_then_the_lower_index():
    res = _results([-1.0, -1.02, -1.01, -1.01], [-3.0, -2.0, -2.0, -2.0])
    assert _rule()(res) == 2
    res = _results([-1.0, -1.01, -1.01], [-3.0, -2.0, -2.0])
    assert _rule()(res) == 1


def test_baseline_as_dict_callable_or_index():
    params = [
        {"reweight": "none", "alpha": 1.0},
        {"reweight": "none", "alpha": 10.0},
        {"reweight": "inverse", "alpha": 1.0},
        {"reweight": "inverse", "alpha": 10.0},
    ]
    res = _results([-1.0, -2.0, -1.9, -2.05], [-5.0, -4.0, -1.0, -2.0], params)
    # Two plain candidates: the better one overall (index 0) is the baseline,
    # so only candidates with overall >= -1.03 are eligible.
    decision = _rule().explain(res)
    assert decision["baseline_index"] == 0
    assert decision["best_index"] == 0
    # An explicit baseline: the plain model with alpha=10 (overall -2.0,
    # threshold -2.06) admits 2 and 3; 2 is better balanced.
    assert _rule(baseline={"reweight": "none", "alpha": 10})(res) == 2

    def plain_10(params):
        return params["alpha"] == 10 and params["reweight"] == "none"

    assert _rule(baseline=plain_10)(res) == 2
    assert _rule(baseline=1)(res) == 2
    assert _rule(baseline=np.int64(1))(res) == 2
    # The parameter missing from some candidates' params does not match them.
    params = [{"reweight": "none"}, {"resample": "smoter"}, {"reweight": "inverse"}]
    res = _results([-1.0, -1.0, -1.0], [-3.0, -1.0, -2.0], params)
    assert _rule()(res) == 1


def test_bad_arguments_are_rejected_clearly():
    with pytest.raises(ValueError, match="max_loss"):
        _rule(max_loss=-0.1)
    with pytest.raises(ValueError, match="max_loss"):
        _rule(max_loss=float("nan"))
    with pytest.raises(TypeError, match="max_loss"):
        _rule(max_loss="3%")
    with pytest.raises(TypeError, match="max_loss"):
        _rule(max_loss=True)
    with pytest.raises(TypeError, match="balanced"):
        balanced_refit(balanced=["bal"], overall="all", baseline=0)
    with pytest.raises(TypeError, match="baseline"):
        _rule(baseline="none")
    with pytest.raises(TypeError, match="baseline"):
        _rule(baseline=True)
    with pytest.raises(ValueError, match="baseline"):
        _rule(baseline={})
    with pytest.raises(ValueError, match="baseline"):
        _rule(baseline=-1)


def test_errors_on_cv_results_name_what_is_available():
    res = _results([-1.0, -1.1], [-2.0, -1.0])
    available = r"\['all', 'bal', 'other'\]"
    with pytest.raises(ValueError, match=r"balanced='neg_bmae'.*" + available):
        balanced_refit(balanced="neg_bmae", overall="all", baseline=0)(res)
    with pytest.raises(ValueError, match=r"overall='mae'.*" + available):
        balanced_refit(balanced="bal", overall="mae", baseline=0)(res)
    with pytest.raises(ValueError, match=r"no candidate has.*\['reweight'\]"):
        _rule(baseline={"weighter__reweight": "none"})(res)
    with pytest.raises(ValueError, match=r"matches no candidate.*'r1'"):
        _rule(baseline={"reweight": "None"})(res)
    with pytest.raises(ValueError, match="returned False for every candidate"):
        _rule(baseline=lambda p: False)(res)
    with pytest.raises(ValueError, match="2 candidates"):
        _rule(baseline=2)(res)
    with pytest.raises(ValueError, match="no finite mean 'all'"):
        _rule()(_results([np.nan, -1.0], [-2.0, -1.0]))
    with pytest.raises(TypeError, match="cv_results"):
        _rule()([1, 2])


def _by_hand(results, balanced, overall, base, max_loss):
    """The rule written out with a loop, from the search's results."""
    b_score = results[f"mean_test_{balanced}"]
    o_score = results[f"mean_test_{overall}"]
    floor = o_score[base] - max_loss * abs(o_score[base])
    best = base
    for i in range(len(o_score)):
        if np.isnan(b_score[i]) or np.isnan(o_score[i]) or o_score[i] < floor:
            continue
        if np.isnan(b_score[best]) or b_score[i] > b_score[best] or (
            b_score[i] == b_score[best] and o_score[i] > o_score[best]
        ):
            best = i
    return best


def _skewed(n=400, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = np.exp(0.8 * X[:, 0]) + 0.3 * X[:, 1] + 0.2 * rng.normal(size=n)
    return X, y


def test_inside_grid_search_the_rule_picks_the_by_hand_choice():
    X, y = _skewed()
    space = LabelSpace(n_bins=10, many_threshold=40, few_threshold=8)
    grid = [
        {"weighter__reweight": ["none"], "weighter__lds": [False]},
        {"weighter__reweight": ["sqrt_inv", "inverse"],
         "weighter__label_space__sigma": [1.0, 3.0]},
    ]
    model = ReweightedRegressor(Ridge(), LDSWeighter(label_space=space))
    scoring = shot_scorers(["mae"], ["all", "few"], label_space=space)
    cv = BinnedStratifiedKFold(3, label_space=space, shuffle=True, random_state=0)
    plain = GridSearchCV(model, grid, scoring=scoring, refit=False, cv=cv).fit(X, y)
    res = plain.cv_results_
    few, mae = res["mean_test_neg_mae_few"], res["mean_test_neg_mae_all"]
    # A tolerance just below the loss of the best few-shot candidate, so
    # that the rule must pass it over.
    top = int(np.nanargmax(few))
    loss = (mae[0] - mae[top]) / abs(mae[0])
    assert top != 0 and loss > 0
    max_loss = 0.99 * loss
    refit = balanced_refit(balanced="neg_mae_few", overall="neg_mae_all",
                           baseline={"weighter__reweight": "none"}, max_loss=max_loss)
    search = GridSearchCV(model, grid, scoring=scoring, refit=refit, cv=cv).fit(X, y)
    expected = _by_hand(search.cv_results_, "neg_mae_few", "neg_mae_all", 0, max_loss)
    assert search.best_index_ == expected != top
    assert search.best_params_ == search.cv_results_["params"][expected]
    assert hasattr(search, "best_estimator_")
    # The search pickles with its rule.
    again = pickle.loads(pickle.dumps(search))
    assert again.best_index_ == expected
    np.testing.assert_allclose(again.predict(X[:3]), search.predict(X[:3]))


def test_inside_randomized_search():
    X, y = _skewed(seed=1)
    space = LabelSpace(n_bins=10, many_threshold=40, few_threshold=8)
    refit = balanced_refit(balanced="neg_mae_few", overall="neg_mae_all",
                           baseline=lambda p: p["weighter__reweight"] == "none",
                           max_loss=0.1)
    search = RandomizedSearchCV(
        ReweightedRegressor(Ridge(), LDSWeighter(label_space=space)),
        [{"weighter__reweight": ["none"], "weighter__lds": [False]},
         {"weighter__reweight": ["sqrt_inv", "inverse"]}],
        n_iter=3, random_state=0,
        scoring=shot_scorers(["mae"], ["all", "few"], label_space=space),
        refit=refit, cv=3,
    ).fit(X, y)
    params = search.cv_results_["params"]
    base = [p["weighter__reweight"] for p in params].index("none")
    assert search.best_index_ == _by_hand(
        search.cv_results_, "neg_mae_few", "neg_mae_all", base, 0.1
    )


def test_balanced_scorer_bins_come_from_the_training_fold():
    y_train = np.array([0.0, 1.0, 2.0, 8.0, 10.0])
    model = ReweightedRegressor(
        DummyRegressor(), LDSWeighter(reweight="none", lds=False)
    ).fit(np.zeros((5, 1)), y_train)
    X_test, y_test = np.zeros((4, 1)), np.array([0.0, 1.0, 2.0, 4.9])
    # The model predicts the training mean, 4.2, everywhere: absolute errors
    # 4.2, 3.2, 2.2 and 0.7.
    np.testing.assert_allclose(model.predict(X_test), 4.2)
    scorer = make_recipe_search(Ridge(), label_space=LabelSpace(n_bins=2, strategy="uniform")).scoring["neg_balanced_mae"]
    # Training range [0, 10] in two bins [0, 5), [5, 10]: every test target
    # is in the first, so bMAE = MAE = 10.3 / 4. Bins fitted on the test
    # targets, [0, 2.45), [2.45, 4.9], would give (3.2 + 0.7) / 2 = 1.95.
    assert scorer(model, X_test, y_test) == pytest.approx(-10.3 / 4)
    # A fitted label space is used as given: bins {0} and {1, 2, 4.9}.
    fitted = LabelSpace(edges=[-1.0, 0.5, 20.0]).fit(y_train)
    expected = (4.2 + (3.2 + 2.2 + 0.7) / 3) / 2
    scorer = make_shot_scorer("balanced_mae", label_space=fitted)
    assert scorer(model, X_test, y_test) == pytest.approx(-expected)
    with pytest.raises(ValueError, match="y="):
        make_shot_scorer("balanced_mae")(DummyRegressor().fit(X_test, y_test), X_test, y_test)


def test_recipe_search_grid_and_choice():
    X, y = _skewed(300, seed=2)
    space = LabelSpace(n_bins=8, many_threshold=30, few_threshold=8)
    samplers = [RandomUnderSampler(random_state=0), "passthrough"]
    search = make_recipe_search(
        Ridge(), samplers=samplers[:1], label_space=space, cv=3, max_loss=0.5
    )
    assert isinstance(search.cv, BinnedStratifiedKFold) and search.cv.n_splits == 3
    assert search.cv.label_space is space
    search.fit(X, y)
    params = search.cv_results_["params"]
    assert [(p["resample"], p["model__weighter__reweight"], p["model__weighter__lds"])
            for p in params] == [
        ("passthrough", "none", False),
        ("passthrough", "sqrt_inv", True),
        ("passthrough", "inverse", True),
        (samplers[0], "none", False),
    ]
    assert search.best_index_ == _by_hand(
        search.cv_results_, "neg_balanced_mae", "neg_mae", 0, 0.5
    )
    # The overall score is the plain MAE of each fold.
    for k in range(3):
        assert np.all(search.cv_results_[f"split{k}_test_neg_mae"] < 0)
    few = make_recipe_search(Ridge(), samplers=[], reweights=["inverse"],
                             label_space=space, balanced="neg_mae_few", cv=3).fit(X, y)
    assert len(few.cv_results_["params"]) == 2
    assert few.best_index_ == _by_hand(
        few.cv_results_, "neg_mae_few", "neg_mae", 0, 0.03
    )


def test_recipe_search_default_samplers_share_the_label_space():
    space = LabelSpace(n_bins=8)
    search = make_recipe_search(Ridge(), label_space=space, random_state=3)
    samplers = search.param_grid[-1]["resample"]
    assert len(samplers) == 6
    assert all(s.label_space is space and s.random_state == 3 for s in samplers)
    assert search.cv.n_splits == 5


def test_recipe_search_rejects_bad_arguments():
    with pytest.raises(ValueError, match="reweights must not hold 'none'"):
        make_recipe_search(Ridge(), reweights=["sqrt_inv", "none"])
    with pytest.raises(ValueError, match="reweights must not hold 0"):
        make_recipe_search(Ridge(), reweights=[0.0, 1.0])
    with pytest.raises(TypeError, match="reweights must be a list"):
        make_recipe_search(Ridge(), reweights="inverse")
    with pytest.raises(TypeError, match="sample_weight"):
        make_recipe_search(KNeighborsRegressor())
    with pytest.raises(TypeError, match="fit_resample"):
        make_recipe_search(Ridge(), samplers=[Ridge()])
    with pytest.raises(ValueError, match="samplers"):
        make_recipe_search(Ridge(), samplers="all")
    with pytest.raises(ValueError, match="balanced"):
        make_recipe_search(Ridge(), balanced="neg_mae")
    with pytest.raises(ValueError, match="max_loss"):
        make_recipe_search(Ridge(), max_loss=-1)
    with pytest.raises(TypeError, match="label_space"):
        make_recipe_search(Ridge(), label_space=3)
    with pytest.raises(TypeError, match="regressor"):
        make_recipe_search("ridge")


def test_recipe_search_rejects_a_random_state_it_would_ignore():
    with pytest.raises(ValueError, match="random_state seeds the default samplers"):
        make_recipe_search(Ridge(), samplers=[RandomUnderSampler()], random_state=0)
    search = make_recipe_search(Ridge(), random_state=0)
    seeded = [s for grid in search.param_grid for s in grid.get("resample", [])
              if s != "passthrough"]
    assert seeded and all(s.random_state == 0 for s in seeded)


# ---------------------------------------------------------------------------
# BalancedShuffleSplit
# ---------------------------------------------------------------------------


def test_balanced_split_counts_by_hand():
    from skdir.model_selection import BalancedShuffleSplit

    # Bins of 100, 30, 6 and 2 samples: the validation set takes min(5, c // 3)
    # of each, i.e. 5, 5, 2 and 0; the training set the rest.
    y = np.repeat([1.0, 2.0, 3.0, 4.0], [100, 30, 6, 2])
    space = LabelSpace(edges=[0.5, 1.5, 2.5, 3.5, 4.5])
    cv = BalancedShuffleSplit(4, label_space=space, per_bin=5, random_state=0)
    splits = list(cv.split(None, y))
    assert len(splits) == cv.get_n_splits() == 4
    for train, val in splits:
        assert np.bincount(y[val].astype(int), minlength=5)[1:].tolist() == [5, 5, 2, 0]
        assert np.array_equal(np.sort(np.r_[train, val]), np.arange(y.size))
        assert np.all(np.diff(train) > 0) and np.all(np.diff(val) > 0)
    # Different draws per split, the same draws for the same seed.
    assert not np.array_equal(splits[0][1], splits[1][1])
    again = list(cv.split(None, y))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(splits, again))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 5), st.integers(0, 10_000), st.integers(1, 40))
def test_balanced_split_matches_dir_split_rule(n_splits, seed, per_bin):
    from skdir.model_selection import BalancedShuffleSplit

    rng = np.random.default_rng(seed)
    y = np.round(rng.gamma(2.0, 3.0, 400))
    space = LabelSpace(bin_width=1).fit(y)
    counts = np.bincount(space.transform(y), minlength=space.n_bins_)
    expected = np.minimum(per_bin, counts // 3)
    if expected.sum() == 0:
        return
    cv = BalancedShuffleSplit(n_splits, label_space=space, per_bin=per_bin,
                              random_state=seed)
    for train, val in cv.split(np.zeros((y.size, 2)), y):
        got = np.bincount(space.transform(y[val]), minlength=space.n_bins_)
        assert np.array_equal(got, expected)
        assert np.intersect1d(train, val).size == 0


def test_balanced_split_in_grid_search_and_global_rng():
    from skdir.model_selection import BalancedShuffleSplit

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = X[:, 0] + 0.1 * rng.normal(size=300)
    cv = BalancedShuffleSplit(3, random_state=0)
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=cv).fit(X, y)
    assert search.n_splits_ == 3
    np.random.seed(7)
    a = [v for _, v in BalancedShuffleSplit(2).split(X, y)]
    np.random.seed(7)
    b = [v for _, v in BalancedShuffleSplit(2).split(X, y)]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_balanced_split_rejects_bad_input():
    from skdir.model_selection import BalancedShuffleSplit

    y = np.arange(30.0)
    with pytest.raises(ValueError, match="n_splits must be >= 1"):
        list(BalancedShuffleSplit(0).split(None, y))
    with pytest.raises(TypeError, match="n_splits must be an integer"):
        BalancedShuffleSplit(2.5).get_n_splits()
    with pytest.raises(ValueError, match="per_bin must be >= 1"):
        list(BalancedShuffleSplit(2, per_bin=0).split(None, y))
    with pytest.raises(ValueError, match="X"):
        list(BalancedShuffleSplit(2).split(np.zeros((5, 1)), y))
    with pytest.raises(ValueError, match="No validation sample"):
        list(BalancedShuffleSplit(2, label_space=LabelSpace(n_bins=30)).split(None, y))
    with pytest.raises(ValueError, match="NaN|finite"):
        list(BalancedShuffleSplit(2).split(None, np.r_[y, np.nan]))


# ---------------------------------------------------------------------------
# RepeatedBinnedStratifiedKFold and BinnedStratifiedGroupKFold
# ---------------------------------------------------------------------------


def _fold_of(splits, n):
    """The test fold of every sample, checking that each is tested once."""
    fold = np.full(n, -1)
    for i, (train, test) in enumerate(splits):
        assert np.intersect1d(train, test).size == 0
        assert np.array_equal(np.sort(np.r_[train, test]), np.arange(n))
        assert np.all(fold[test] == -1)
        fold[test] = i
    assert np.all(fold >= 0)
    return fold


def _strata_by_hand(y, edges, min_count):
    """Bins of ``edges`` merged left to right until each holds ``min_count``
    samples, a short last group joining the previous one."""
    counts = np.histogram(y, edges)[0].tolist()
    groups, group, filled = [], 0, 0
    for count in counts:
        groups.append(group)
        filled += count
        if filled >= min_count:
            group, filled = group + 1, 0
    if 0 < filled < min_count and group > 0:
        groups = [g - 1 if g == group else g for g in groups]
    index = np.clip(np.searchsorted(edges, y, side="right") - 1, 0, len(counts) - 1)
    return np.asarray(groups)[index]


def test_repeated_folds_by_hand():
    from skdir.model_selection import RepeatedBinnedStratifiedKFold

    # Bins of 12, 8 and 2 samples; with 3 folds the short last bin joins the
    # one before (a stratum of 10): every fold gets 4 of the first stratum and
    # 3 or 4 of the second.
    y = np.r_[np.linspace(0.05, 0.95, 12), np.linspace(1.1, 1.9, 8), [2.2, 2.5]]
    space = LabelSpace(edges=[0, 1, 2, 3])
    cv = RepeatedBinnedStratifiedKFold(3, n_repeats=4, label_space=space,
                                       random_state=0)
    splits = list(cv.split(np.zeros((y.size, 2)), y))
    assert len(splits) == cv.get_n_splits() == 12
    strata = _strata_by_hand(y, np.array([0.0, 1, 2, 3]), 3)
    np.testing.assert_array_equal(strata, np.repeat([0, 1], [12, 10]))
    folds = []
    for r in range(4):
        fold = _fold_of(splits[3 * r:3 * r + 3], y.size)
        counts = np.array([np.bincount(fold[strata == s], minlength=3) for s in (0, 1)])
        assert counts[0].tolist() == [4, 4, 4]
        assert sorted(counts[1].tolist()) == [3, 3, 4]
        folds.append(fold)
    # The repeats differ from each other, and the same seed repeats them.
    assert len({tuple(f) for f in folds}) == 4
    again = [t.tolist() for _, t in cv.split(None, y)]
    assert again == [t.tolist() for _, t in splits]
    assert not hasattr(space, "edges_")


def test_repeated_folds_one_repeat_is_a_shuffled_binned_kfold():
    from skdir.model_selection import RepeatedBinnedStratifiedKFold

    rng = np.random.RandomState(2)
    y = rng.exponential(size=150)
    a = [t for _, t in RepeatedBinnedStratifiedKFold(
        5, n_repeats=1, random_state=np.random.RandomState(7)).split(None, y)]
    b = [t for _, t in BinnedStratifiedKFold(
        5, shuffle=True, random_state=np.random.RandomState(7)).split(
            np.zeros((y.size, 1)), y)]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_repeated_folds_global_rng_and_searches():
    from skdir.model_selection import RepeatedBinnedStratifiedKFold

    rng = np.random.RandomState(1)
    X = rng.normal(size=(120, 2))
    y = np.exp(X[:, 0])
    np.random.seed(3)
    a = [t.tolist() for _, t in RepeatedBinnedStratifiedKFold(3, 2).split(X, y)]
    np.random.seed(3)
    b = [t.tolist() for _, t in RepeatedBinnedStratifiedKFold(3, 2).split(X, y)]
    assert a == b
    cv = RepeatedBinnedStratifiedKFold(3, n_repeats=2, random_state=0)
    res = cross_validate(Ridge(), X, y, cv=cv)
    assert res["test_score"].shape == (6,)
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=cv).fit(X, y)
    assert search.n_splits_ == 6
    assert "n_repeats=2" in repr(cv)
    assert pickle.loads(pickle.dumps(cv)).n_repeats == 2


def test_repeated_folds_reject_bad_input():
    from skdir.model_selection import RepeatedBinnedStratifiedKFold

    y = np.arange(20.0)
    with pytest.raises(ValueError, match="n_repeats must be >= 1"):
        RepeatedBinnedStratifiedKFold(n_repeats=0).get_n_splits()
    with pytest.raises(TypeError, match="n_repeats must be an integer"):
        list(RepeatedBinnedStratifiedKFold(n_repeats=2.0).split(None, y))
    with pytest.raises(ValueError, match="n_splits must be >= 2"):
        list(RepeatedBinnedStratifiedKFold(1).split(None, y))
    with pytest.raises(ValueError,
                       match="n_splits=5 greater than the number of samples"):
        list(RepeatedBinnedStratifiedKFold(5).split(None, y[:3]))
    with pytest.raises(ValueError, match="Inconsistent numbers of samples"):
        list(RepeatedBinnedStratifiedKFold(2).split(np.zeros((5, 1)), y))
    with pytest.raises(TypeError, match="label_space"):
        list(RepeatedBinnedStratifiedKFold(2, label_space=3).split(None, y))
    with pytest.raises(ValueError, match="NaN|finite"):
        list(RepeatedBinnedStratifiedKFold(2).split(None, np.r_[y, np.nan]))


def test_group_folds_with_singleton_groups_balance_every_stratum():
    from skdir.model_selection import BinnedStratifiedGroupKFold

    rng = np.random.RandomState(0)
    y = np.r_[rng.normal(size=200), [8.0, 8.5, 9.0, 9.5, 10.0, 10.5, 11.0]]
    space = LabelSpace(n_bins=20)
    cv = BinnedStratifiedGroupKFold(5, label_space=space)
    fold = _fold_of(cv.split(None, y, np.arange(y.size)), y.size)
    strata = cv.strata(y)
    np.testing.assert_array_equal(
        strata, BinnedStratifiedKFold(5, label_space=space).strata(y))
    for s in np.unique(strata):
        c = int((strata == s).sum())
        per_fold = np.bincount(fold[strata == s], minlength=5)
        # floor(c / 5) or ceil(c / 5) in every fold
        assert per_fold.min() == c // 5 and per_fold.max() == -(-c // 5)
    assert np.bincount(fold[y > 7], minlength=5).min() >= 1


def test_group_folds_keep_groups_together_and_bound_the_imbalance():
    from skdir.model_selection import BinnedStratifiedGroupKFold

    # Subjects of 3 rows whose targets lie in one stratum: per stratum and
    # fold the counts differ by at most one subject (3 rows).
    rng = np.random.RandomState(1)
    centres = np.sort(rng.exponential(size=60))
    y = np.repeat(centres, 3) + 1e-6 * np.tile([0, 1, 2], 60)
    groups = np.repeat(np.arange(60), 3)
    space = LabelSpace(edges=np.r_[0, np.quantile(centres, [0.25, 0.5, 0.75]) + 1e-4,
                                   centres.max() + 1])
    cv = BinnedStratifiedGroupKFold(4, label_space=space, shuffle=True, random_state=0)
    fold = _fold_of(cv.split(np.zeros((y.size, 1)), y, groups), y.size)
    # every group in exactly one test fold
    assert all(np.unique(fold[groups == g]).size == 1 for g in range(60))
    strata = cv.strata(y)
    for s in np.unique(strata):
        per_fold = np.bincount(fold[strata == s], minlength=4)
        assert per_fold.max() - per_fold.min() <= 3
    # the shuffle is seeded: the same folds again, others with another seed
    again = _fold_of(cv.split(None, y, groups), y.size)
    np.testing.assert_array_equal(fold, again)
    other = BinnedStratifiedGroupKFold(4, label_space=space, shuffle=True,
                                       random_state=5)
    assert not np.array_equal(_fold_of(other.split(None, y, groups), y.size), fold)


def test_group_folds_with_a_large_group():
    from skdir.model_selection import BinnedStratifiedGroupKFold

    # One subject holds the whole tail: it reaches one fold only, and that
    # fold is not cut.
    y = np.r_[np.linspace(0, 1, 40), np.linspace(5, 6, 8)]
    groups = np.r_[np.arange(40), np.full(8, 99)]
    cv = BinnedStratifiedGroupKFold(4, label_space=LabelSpace(edges=[-1, 2, 7]))
    fold = _fold_of(cv.split(None, y, groups), y.size)
    assert np.unique(fold[y > 4]).size == 1
    sizes = np.bincount(fold)
    assert sizes.sum() == y.size and sizes.max() >= 8


@settings(max_examples=25, deadline=None)
@given(st.integers(20, 150), st.integers(2, 5), st.integers(1, 6),
       st.booleans(), st.integers(0, 2**31 - 1))
def test_group_folds_properties(n, k, max_group, shuffle, seed):
    from skdir.model_selection import BinnedStratifiedGroupKFold

    rng = np.random.RandomState(seed)
    y = rng.lognormal(size=n)
    groups = rng.randint(0, max(k, n // max_group), size=n)
    if np.unique(groups).size < k:
        groups = np.arange(n)
    cv = BinnedStratifiedGroupKFold(k, shuffle=shuffle,
                                    random_state=seed if shuffle else None)
    fold = _fold_of(cv.split(None, y, groups), n)
    for g in np.unique(groups):
        assert np.unique(fold[groups == g]).size == 1
    assert cv.get_n_splits() == k


def test_group_folds_in_cross_validate_and_search():
    from skdir.model_selection import BinnedStratifiedGroupKFold

    rng = np.random.RandomState(0)
    X = rng.normal(size=(90, 2))
    y = np.exp(X[:, 0])
    groups = np.arange(90) // 3
    cv = BinnedStratifiedGroupKFold(3)
    res = cross_validate(Ridge(), X, y, cv=cv, groups=groups,
                         return_indices=True)
    for test in res["indices"]["test"]:
        tested = set(groups[test])
        assert not tested & set(groups[np.setdiff1d(np.arange(90), test)])
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=cv)
    search.fit(X, y, groups=groups)
    assert search.n_splits_ == 3


def test_group_folds_reject_bad_input():
    from skdir.model_selection import BinnedStratifiedGroupKFold

    y = np.arange(20.0)
    with pytest.raises(ValueError, match="needs groups"):
        list(BinnedStratifiedGroupKFold(2).split(None, y))
    with pytest.raises(ValueError, match="number of groups: 2"):
        list(BinnedStratifiedGroupKFold(3).split(None, y, np.arange(20) % 2))
    with pytest.raises(ValueError, match=r"groups: 19, y: 20"):
        list(BinnedStratifiedGroupKFold(2).split(None, y, np.arange(19)))
    with pytest.raises(ValueError, match=r"X: 5, y: 20"):
        list(BinnedStratifiedGroupKFold(2).split(np.zeros((5, 1)), y, np.arange(20)))
    with pytest.raises(ValueError, match="n_splits"):
        BinnedStratifiedGroupKFold(1)
    with pytest.raises(TypeError, match="label_space"):
        list(BinnedStratifiedGroupKFold(2, label_space="x").split(
            None, y, np.arange(20)))


@settings(max_examples=25, deadline=None)
@given(st.integers(12, 150), st.integers(2, 5), st.integers(1, 4), st.integers(2, 12),
       st.integers(0, 2**31 - 1))
def test_repeated_folds_properties(n, k, repeats, n_bins, seed):
    from skdir.model_selection import RepeatedBinnedStratifiedKFold

    rng = np.random.RandomState(seed)
    y = rng.gamma(1.5, size=n)
    edges = np.linspace(0, y.max() + 1e-9, n_bins + 1)
    cv = RepeatedBinnedStratifiedKFold(k, n_repeats=repeats,
                                       label_space=LabelSpace(edges=edges),
                                       random_state=seed)
    splits = list(cv.split(None, y))
    assert len(splits) == cv.get_n_splits() == k * repeats
    strata = _strata_by_hand(y, edges, k)
    for r in range(repeats):
        fold = _fold_of(splits[k * r:k * (r + 1)], n)
        for s in np.unique(strata):
            per_fold = np.bincount(fold[strata == s], minlength=k)
            assert per_fold.max() - per_fold.min() <= 1
