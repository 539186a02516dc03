"""scikit-learn's common checks over skdir's core estimators.

The samplers get scikit-learn's and imbalanced-learn's checks in
``tests/test_resampling_common.py`` and the neural regressor in
``tests/nn/test_nn_estimator_checks.py``.

``LabelSpace`` and ``LDSWeighter`` are target transformers (``fit(y)``, like
:class:`sklearn.preprocessing.LabelEncoder`), which scikit-learn's
``check_estimator`` does not apply to; they get the same parameter-validation,
cloning and pickling checks here by hand.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdir import LabelSpace, LDSWeighter, ReweightedRegressor

# No expected failures: every check passes.
ESTIMATORS = [
    ReweightedRegressor(),
    ReweightedRegressor(
        Ridge(alpha=0.1),
        LDSWeighter(label_space=LabelSpace(n_bins=10, kernel="laplace"), reweight="inverse"),
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


TARGET_TRANSFORMERS = [
    (
        LabelSpace,
        {
            "bin_width": [0, -1.0, "1"],
            "n_bins": [0, 1.5, "many"],
            "edges": [3],
            "strategy": ["kmeans", None],
            "kernel": ["box", None],
            "ks": [0, 2.5],
            "sigma": [0, -1.0, "2"],
            "many_threshold": [-1, "x"],
            "few_threshold": [-1, None],
            "density": ["kernel", None],
            "bandwidth": [0, -1.0, "isj"],
        },
    ),
    (
        LDSWeighter,
        {
            "label_space": [3, "auto"],
            "reweight": ["log", None],
            "lds": ["yes", 1.0],
            "clip": ["always", 5],
        },
    ),
]


@pytest.mark.parametrize("cls, invalid", TARGET_TRANSFORMERS, ids=lambda v: getattr(v, "__name__", ""))
def test_target_transformer_parameter_validation(cls, invalid):
    y = np.array([0.0, 1.0, 1.5, 3.0])
    assert set(invalid) == set(cls._parameter_constraints)
    for name, values in invalid.items():
        for value in values:
            with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
                cls(**{name: value}).fit(y)


@pytest.mark.parametrize("cls", [LabelSpace, LDSWeighter])
def test_target_transformer_conventions(cls):
    y = np.array([0.0, 1.0, 1.5, 3.0, 3.1])
    est = cls()
    assert clone(est).get_params() == est.get_params()
    assert not [k for k in vars(est) if k.endswith("_")]  # __init__ stores params only
    fitted = est.fit(y)
    assert fitted is est
    out = est.transform(y)
    assert out.shape == y.shape
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(y), out)
    np.testing.assert_array_equal(clone(est).fit_transform(y), out)
    assert "reweight" in repr(LDSWeighter(reweight="inverse"))
    assert "n_bins" in repr(LabelSpace(n_bins=3))
