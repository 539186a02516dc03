"""Datasets for imbalanced regression.

- :func:`make_imbalanced_regression`: synthetic data with a known target
  function and a chosen label distribution, with optional empty ranges;
- :func:`make_agedb_dir`: semi-synthetic data with the label profile of
  the AgeDB-DIR benchmark (:func:`agedb_dir_counts`);
- :func:`dir_split`: the benchmark protocol, balanced validation and test
  sets and an imbalanced training set;
- :func:`load_abalone`, :func:`load_concrete`, :func:`load_bikeshare`,
  :func:`load_diamonds`: small real datasets with skewed targets, bundled
  with the package; :func:`load_csv` reads your own CSV file the same way.
"""

from ._agedb import AGEDB_DIR_AGES, agedb_dir_counts, make_agedb_dir
from ._generators import LABEL_DISTRIBUTIONS, make_imbalanced_regression
from ._real import load_abalone, load_bikeshare, load_concrete, load_csv, load_diamonds
from ._split import dir_split

__all__ = [
    "AGEDB_DIR_AGES",
    "LABEL_DISTRIBUTIONS",
    "agedb_dir_counts",
    "dir_split",
    "load_abalone",
    "load_bikeshare",
    "load_concrete",
    "load_csv",
    "load_diamonds",
    "make_agedb_dir",
    "make_imbalanced_regression",
]
