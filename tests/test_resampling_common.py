"""imbalanced-learn's and scikit-learn's common checks for skdir's samplers,
and their use in pipelines, grid searches and cross-validation."""

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from imblearn.utils.estimator_checks import check_param_validation
from imblearn.utils.estimator_checks import estimator_checks_generator
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_checks

from skdir.metrics import find_training_targets
from skdir.relevance import LDSRelevance, PhiRelevance
from skdir.resampling import (
    SMOGN,
    SMOTER,
    WERCS,
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
