"""Warnings name the user's line, not a line inside skdir or scikit-learn."""

import warnings

import numpy as np
from sklearn.linear_model import Ridge

from skdir import ReweightedRegressor
from skdir._validation import warn_user


def test_column_vector_warning_points_here():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10.0)[:, None]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ReweightedRegressor(Ridge()).fit(X, y)
    mine = [w for w in caught if "column-vector" in str(w.message)]
    assert mine, [str(w.message) for w in caught]
    assert mine[0].filename == __file__


def test_warn_user_skips_library_frames():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_user("hello")
    assert caught[0].filename == __file__
