"""Grid searches on a Dask cluster give the same results as sequential runs.

scikit-learn parallelises ``GridSearchCV`` through joblib, and joblib runs on
Dask with ``joblib.parallel_backend("dask")`` once a
``dask.distributed.Client`` is active. skdir's estimators, samplers and shot
scorers must survive that trip: they are pickled to the workers, fitted
there, and the shot scorers must still find the training targets of each
fold. These tests run a small in-process cluster.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler

distributed = pytest.importorskip("dask.distributed")
joblib = pytest.importorskip("joblib")
Pipeline = pytest.importorskip("imblearn.pipeline").Pipeline

from skdir import LabelSpace, LDSWeighter, ReweightedRegressor  # noqa: E402
from skdir.metrics import shot_scorers  # noqa: E402
from skdir.model_selection import BinnedStratifiedKFold  # noqa: E402


@pytest.fixture(scope="module")
def client():
    """An in-process cluster: one worker, two threads, no dashboard."""
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        dashboard_address=None,
        silence_logs=40,
    ) as cluster, distributed.Client(cluster) as dask_client:
        yield dask_client


def _data(n=240, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 3))
    y = np.exp(0.8 * X[:, 0]) + 0.3 * X[:, 1] + 0.1 * rng.normal(size=n)
    return X, y


def _space():
    """Unfitted: each consumer fits it on its own training targets."""
    return LabelSpace(n_bins=8, strategy="uniform", many_threshold=40, few_threshold=10)


def _cv():
    return BinnedStratifiedKFold(
        n_splits=3, label_space=_space(), shuffle=True, random_state=0
    )


def _search(pipeline, grid):
    return GridSearchCV(
        pipeline,
        grid,
        scoring=shot_scorers(["mae", "gm"], label_space=_space()),
        refit="neg_mae_few",
        cv=_cv(),
        error_score="raise",
    )


def _count_of(values, edges, counts):
    inside = (values >= edges[0]) & (values <= edges[-1])
    idx = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, counts.size - 1)
    return np.where(inside, counts[idx], 0)


def _assert_same_search(sequential, parallel, X):
    assert parallel.best_params_ == sequential.best_params_
    # Every shot group was present in every test fold: no NaN scores.
    for key in ("mean_test_neg_mae_many", "mean_test_neg_mae_medium",
                "mean_test_neg_mae_few"):
        assert np.all(np.isfinite(sequential.cv_results_[key])), key
    keys = sorted(k for k in sequential.cv_results_ if "_test_" in k)
    assert keys, "the searches recorded no test scores"
    for key in keys:
        np.testing.assert_allclose(
            parallel.cv_results_[key], sequential.cv_results_[key], rtol=1e-12,
            err_msg=key,
        )
    np.testing.assert_allclose(
        parallel.best_estimator_.predict(X), sequential.best_estimator_.predict(X),
        rtol=1e-12,
    )


def _run_both(search, X, y):
    sequential = clone(search).fit(X, y)
    with distributed.get_task_stream() as tasks, joblib.parallel_backend("dask"):
        parallel = clone(search).set_params(n_jobs=-1).fit(X, y)
    # The fits ran as tasks on the cluster, not in this thread.
    assert len(tasks.data) > 0
    return sequential, parallel


def test_reweighted_pipeline_on_dask_matches_sequential(client):
    X, y = _data()
    pipeline = Pipeline(
        [
            ("scale", StandardScaler()),
            ("model", ReweightedRegressor(Ridge(), LDSWeighter(label_space=_space()))),
        ]
    )
    alphas = [0.1, 10.0]
    grid = [
        {"model__weighter__reweight": ["sqrt_inv", "inverse"],
         "model__regressor__alpha": alphas},
        # Unweighted: LDS would have no effect and is switched off.
        {"model__weighter__reweight": ["none"], "model__weighter__lds": [False],
         "model__regressor__alpha": alphas},
    ]
    sequential, parallel = _run_both(_search(pipeline, grid), X, y)
    _assert_same_search(sequential, parallel, X)
    # The scores are real shot-wise errors: the few-shot MAE of the best
    # candidate, recomputed by hand on the first fold, matches the record.
    train, test = next(_cv().split(X, y))
    best = clone(pipeline).set_params(**parallel.best_params_).fit(X[train], y[train])
    # Training count of each test target's bin, by hand: 8 equal-width bins
    # over the training fold, 0 outside its range.
    edges = np.linspace(y[train].min(), y[train].max(), 9)
    counts = np.histogram(y[train], bins=edges)[0]
    few = _count_of(y[test], edges, counts) < 10
    assert 0 < few.sum() < few.size
    expected = -np.mean(np.abs(best.predict(X[test])[few] - y[test][few]))
    assert parallel.cv_results_["split0_test_neg_mae_few"][parallel.best_index_] == (
        pytest.approx(expected, rel=1e-12)
    )


# Small folds give small rare bumps, for which SMOGN shrinks k_neighbors.
@pytest.mark.filterwarnings("ignore:SMOGN.*rare bump:UserWarning")
def test_sampler_pipeline_on_dask_matches_sequential(client):
    resampling = pytest.importorskip("skdir.resampling")
    X, y = _data(n=300, seed=1)
    pipeline = Pipeline(
        [
            ("sampler", resampling.SMOGN(label_space=_space(), random_state=0)),
            ("scale", StandardScaler()),
            ("model", Ridge()),
        ]
    )
    grid = {
        "sampler__k_neighbors": [3, 5],
        "sampler__sampling_strategy": ["balance", "extreme"],
    }
    sequential, parallel = _run_both(_search(pipeline, grid), X, y)
    _assert_same_search(sequential, parallel, X)
    # The shot groups came from the original training targets recorded by the
    # sampler, not from the resampled ones: the many-shot score of a fold is
    # the MAE on the test targets whose bin held > 40 of the fold's original
    # training targets.
    train, test = next(_cv().split(X, y))
    fitted = clone(pipeline).set_params(**parallel.best_params_).fit(X[train], y[train])
    edges = np.linspace(y[train].min(), y[train].max(), 9)
    counts = np.histogram(y[train], bins=edges)[0]
    many = _count_of(y[test], edges, counts) > 40
    assert 0 < many.sum() < many.size
    expected = -np.mean(np.abs(fitted.predict(X[test])[many] - y[test][many]))
    assert parallel.cv_results_["split0_test_neg_mae_many"][parallel.best_index_] == (
        pytest.approx(expected, rel=1e-12)
    )
