import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, cross_validate

from skdir import LabelSpace
from skdir.model_selection import BinnedStratifiedKFold
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
