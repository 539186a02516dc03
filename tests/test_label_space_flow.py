"""One fitted label space flows unchanged into every consumer."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_validate

from skdir import LabelSpace, LDSWeighter, ReweightedRegressor
from skdir.metrics import make_shot_scorer, shot_groups
from skdir.relevance import LDSRelevance
from skdir.resampling import SMOGN


@pytest.fixture
def ages():
    rng = np.random.RandomState(0)
    y = np.clip(np.round(rng.gamma(4.0, 8.0, size=600)), 1, 100)
    X = np.c_[y / 10 + rng.normal(size=600), rng.normal(size=(600, 2))]
    return X, y


def test_same_bins_in_weights_rarity_sampler_and_scorer(ages):
    X, y = ages
    space = LabelSpace(bin_width=1, kernel="gaussian", ks=5, sigma=2,
                       many_threshold=15, few_threshold=5).fit(y)
    weighter = LDSWeighter(label_space=space).fit(y)
    assert weighter.label_space_ is space
    relevance = LDSRelevance(label_space=space).fit(y)
    np.testing.assert_array_equal(relevance.transform(y), space.rarity(y))

    sampler = SMOGN(label_space=space, random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.label_space_ is space
    np.testing.assert_array_equal(sampler.relevance_, space.rarity(y))

    # The scorer's few-shot MAE on every fold uses the frozen counts.
    scorer = make_shot_scorer("mae", "few", label_space=space)
    cv = KFold(3, shuffle=True, random_state=0)
    model = ReweightedRegressor(Ridge(), LDSWeighter(label_space=space))
    res = cross_validate(model, X, y, cv=cv, scoring={"few": scorer},
                         return_estimator=True)
    for est, (_, test), score in zip(res["estimator"], cv.split(X), res["test_few"]):
        assert est.weighter_.label_space_ is space
        few = shot_groups(y[test], label_space=space) == "few"
        expected = np.abs(est.predict(X[test][few]) - y[test][few]).mean()
        assert score == pytest.approx(-expected)


def test_same_bins_in_the_neural_regressor(ages):
    pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skdir.nn import DIRRegressor

    X, y = ages
    space = LabelSpace(bin_width=1, kernel="gaussian", ks=5, sigma=2).fit(y)
    model = DIRRegressor(
        hidden_layer_sizes=(8,), label_space=space, reweight="sqrt_inv", lds=True,
        fds=True, loss="bni", max_epochs=2, random_state=0,
    ).fit(X.astype(np.float32), y)
    assert model.label_space_ is space
    assert model.weighter_.label_space_ is space
    fds = model.net_.module_.fds
    np.testing.assert_array_equal(fds.edges, space.edges_)
    np.testing.assert_allclose(fds.window, space.window("sum"))
    # BNI's bins are the populated bins of the same space, in the scaled units
    # the network is trained in.
    centres = model.net_.criterion_.bin_centers.numpy()
    populated = space.centers_[space.counts_ > 0]
    np.testing.assert_allclose(
        centres, (populated - model.target_mean_) / model.target_scale_, rtol=1e-6
    )
