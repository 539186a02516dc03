"""imbalanced-learn's and scikit-learn's common checks for skdir's samplers,
and their use in pipelines, grid searches and cross-validation."""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from imblearn.utils.estimator_checks import check_param_validation
from imblearn.utils.estimator_checks import estimator_checks_generator
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_checks

from skdir import LabelSpace
from skdir.metrics import find_training_targets
from skdir.relevance import LDSRelevance, PhiRelevance
from skdir.resampling import (
    GSMOTER,
    SMOGN,
    SMOTER,
    WERCS,
    CMixup,
    GaussianNoise,
    RandomOverSampler,
    RandomUnderSampler,
)

SAMPLERS = [
    SMOTER(random_state=0),
    SMOGN(random_state=0),
    GaussianNoise(random_state=0),
    RandomOverSampler(random_state=0),
    RandomUnderSampler(random_state=0),
    WERCS(random_state=0),
    GSMOTER(random_state=0),
    GSMOTER(selection_strategy="majority", truncation_factor=-0.5,
            deformation_factor=0.5, random_state=0),
    CMixup(random_state=0),
]

# Checks written for classification targets. Each is an expected failure
# for a reason that holds for every continuous-target sampler.
_CLASSIFICATION_ONLY = {
    "check_target_type": "asks for an error on a continuous y, the target these "
    "samplers are made for",
    "check_samplers_one_label": "asks for an error naming a 'class' on a constant "
    "y; a constant continuous y has no rare values, so the data come back "
    "unchanged with a warning",
    "check_samplers_multiclass_ova": "compares with a one-vs-all encoded "
    "(multi-column) y, which is not a continuous target",
}


def _imblearn_expected(estimator):
    expected = dict(_CLASSIFICATION_ONLY)
    if estimator.__sklearn_tags__().target_tags.multi_output:
        # A one-vs-all encoded y is a valid 3-column target for these.
        del expected["check_samplers_multiclass_ova"]
    if not estimator._selects_rows:
        expected["check_samplers_preserve_dtype"] = (
            "an int32 y comes back as float64: synthetic targets are interpolated "
            "or perturbed, so they are not integers"
        )
    return expected


def _check_id(obj):
    if hasattr(obj, "get_params"):
        return type(obj).__name__
    func = getattr(obj, "func", obj)
    return getattr(func, "__name__", str(func))


# imbalanced-learn's own parametrize_with_checks hands pytest a generator,
# which pytest deprecates; the same cases as a list.
_IMBLEARN_CASES = [
    case
    for est in SAMPLERS
    for case in estimator_checks_generator(
        est, expected_failed_checks=_imblearn_expected(est), mark="xfail"
    )
]


@pytest.mark.parametrize("estimator, check", _IMBLEARN_CASES, ids=_check_id)
def test_imblearn_common_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)


# scikit-learn's checks all pass: no expected failures.
@sklearn_checks(SAMPLERS)
def test_sklearn_common_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)


@pytest.mark.parametrize("estimator", SAMPLERS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_param_validation(type(estimator).__name__, estimator)


@pytest.mark.parametrize("relevance", [LDSRelevance(), PhiRelevance()],
                         ids=["lds", "phi"])
def test_relevance_estimators_pass_sklearn_param_checks(relevance):
    # the relevance objects are small estimators too
    from sklearn.base import clone

    y = np.random.RandomState(0).exponential(size=50)
    a = clone(relevance).fit(y).transform(y)
    b = clone(relevance).fit_transform(y)
    np.testing.assert_array_equal(a, b)


def _data(n=240, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = np.exp(X @ [0.5, 0.3, 0.1] + 0.3 * rng.normal(size=n))
    return X, y


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda e: type(e).__name__)
def test_pipeline_grid_search_and_cross_validate(sampler):
    X, y = _data()
    pipe = Pipeline([("resample", sampler), ("model", Ridge())])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        pipe.fit(X, y)
        # the sampler recorded the original training targets of the fit
        record = find_training_targets(pipe)
        np.testing.assert_array_equal(record.to_y(), np.sort(y))
        assert pipe.predict(X).shape == (len(y),)
        grid = GridSearchCV(
            pipe, {"resample__threshold": [0.3, 0.6], "model__alpha": [0.1, 1.0]},
            cv=KFold(3), scoring="neg_mean_absolute_error",
        )
        grid.fit(X, y)
        assert set(grid.best_params_) == {"resample__threshold", "model__alpha"}
        scores = cross_validate(pipe, pd.DataFrame(X, columns=list("abc")), y,
                                cv=KFold(3))
    assert np.all(np.isfinite(scores["test_score"]))


def test_grid_over_relevance_objects():
    X, y = _data()
    pipe = Pipeline([("resample", SMOGN(random_state=0)), ("model", Ridge())])
    grid = GridSearchCV(
        pipe,
        {"resample__relevance": ["lds", PhiRelevance(extremes="high")],
         "resample__sampling_strategy": ["balance", "extreme"]},
        cv=KFold(3),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4


class CappedSMOTER(SMOTER):
    """Post-processes SMOTER's output: targets capped at the 90th percentile
    of the training targets. Overrides only ``_fit_resample``."""

    def _fit_resample(self, X, y):
        self.seen_ = (type(X), y.dtype, y.ndim)
        X_res, y_res = super()._fit_resample(X, y)
        self.cap_ = float(np.quantile(y, 0.9))
        return X_res, np.minimum(y_res, self.cap_)


class LowerHalfSMOTER(SMOTER):
    """Returns a selection of its own: the rows with y at most the median."""

    def _fit_resample(self, X, y):
        rows = np.flatnonzero(y <= np.median(y))
        self.sample_indices_ = rows
        X_sel = X.iloc[rows].reset_index(drop=True) if hasattr(X, "iloc") else X[rows]
        return X_sel, y[rows]


@pytest.mark.parametrize("as_frame", [False, True], ids=["array", "dataframe"])
def test_smoter_subclass_overriding_only_fit_resample_works_in_a_pipeline(as_frame):
    X, y = _data()
    if as_frame:
        X = pd.DataFrame(X, columns=["a", "b", "c"])
    # post-processing super()._fit_resample: the regressor sees the capped
    # targets (a mean regressor predicts their mean)
    pipe = Pipeline([("resample", CappedSMOTER(random_state=0)),
                     ("model", DummyRegressor())])
    pipe.fit(X, y)
    sampler = pipe.named_steps["resample"]
    assert sampler.cap_ == pytest.approx(np.quantile(y, 0.9))
    assert sampler.seen_ == (pd.DataFrame if as_frame else np.ndarray, np.float64, 1)
    _, y_plain = SMOTER(random_state=0).fit_resample(X, y)
    expected = np.minimum(np.asarray(y_plain), np.quantile(y, 0.9)).mean()
    assert np.asarray(y_plain).max() > sampler.cap_  # the cap changes something
    np.testing.assert_allclose(pipe.predict(X), expected)
    # the public method returns the override's output, in the input's containers
    X_res, y_res = CappedSMOTER(random_state=0).fit_resample(X, pd.Series(y, name="t"))
    assert isinstance(y_res, pd.Series) and y_res.max() == pytest.approx(sampler.cap_)
    assert isinstance(X_res, pd.DataFrame) == as_frame
    # a selection of its own: the regressor is fitted on exactly those rows
    pipe = Pipeline([("resample", LowerHalfSMOTER()), ("model", LinearRegression())])
    pipe.fit(X, y)
    rows = np.flatnonzero(y <= np.median(y))
    X_arr = np.asarray(X)
    direct = LinearRegression().fit(X_arr[rows], y[rows])
    np.testing.assert_allclose(pipe.named_steps["model"].coef_, direct.coef_)
    np.testing.assert_allclose(pipe.predict(X), direct.predict(X_arr))
    np.testing.assert_array_equal(pipe.named_steps["resample"].sample_indices_, rows)


@pytest.mark.filterwarnings("ignore:.*fewer than k_neighbors")
def test_fit_resample_receives_validated_inputs_and_checks_the_override():
    X, y = _data(60)
    sampler = CappedSMOTER(random_state=0)
    sampler.fit_resample(X.tolist(), y.astype(np.int32).tolist())
    assert sampler.seen_ == (np.ndarray, np.float64, 1)

    class Mismatched(SMOTER):
        def _fit_resample(self, X, y):
            return X, y[:-1]

    with pytest.raises(ValueError, match="as many rows"):
        Mismatched().fit_resample(X, y)


def test_grid_over_label_space_settings():
    # an unfitted label space is cloned per fold, and its settings are
    # searchable through the sampler
    X, y = _data()
    pipe = Pipeline([("resample", RandomOverSampler(label_space=LabelSpace(strategy="uniform"),
                                                    random_state=0)),
                     ("model", Ridge())])
    grid = GridSearchCV(pipe, {"resample__label_space__n_bins": [5, 20]}, cv=KFold(3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        grid.fit(X, y)
    best = grid.best_estimator_.named_steps["resample"]
    assert best.label_space_.n_bins_ == grid.best_params_["resample__label_space__n_bins"]
    assert not hasattr(pipe.named_steps["resample"].label_space, "edges_")
