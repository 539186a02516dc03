"""The benchmark datasets: bundled ones by name, or a CSV file."""

import dataclasses
import os
from dataclasses import dataclass

import numpy as np

from skdir import LabelSpace

__all__ = ["DATASETS", "DatasetSpec", "load_dataset"]


@dataclass
class DatasetSpec:
    """A benchmark dataset and the label space it is evaluated in.

    The label space has equal-width bins (``bin_width``) and the shot
    thresholds ``many_threshold`` and ``few_threshold``. A dataset comes
    either as one table that :func:`skdir.datasets.dir_split` splits per seed
    (``loader``), or with its own training and test sets per seed
    (``splitter``).

    Parameters
    ----------
    name : str
        Name of the dataset in the tables.
    description : str
        One line describing it.
    bin_width : float
        Width of the target bins, in the target's units.
    many_threshold : float
        Training count above which a bin is many-shot.
    few_threshold : float
        Training count below which a bin is few-shot.
    per_bin : int or float, default=30
        Test samples per bin (int) or the test fraction (float in (0, 1)),
        as :func:`~skdir.datasets.dir_split` takes it; unused with
        ``splitter``.
    loader : callable, default=None
        ``loader() -> (X, y)``: the whole dataset, split by :meth:`split`.
    splitter : callable, default=None
        ``splitter(seed) -> (X_train, y_train, X_test, y_test)``; replaces
        ``loader``.

    See Also
    --------
    load_dataset : The spec of a bundled dataset or a CSV file.

    Examples
    --------
    >>> from skdir.cli import DatasetSpec
    >>> from skdir.datasets import make_imbalanced_regression
    >>> X, y = make_imbalanced_regression(600, 3, random_state=0)
    >>> spec = DatasetSpec("toy", "600 synthetic samples", bin_width=1,
    ...                    many_threshold=40, few_threshold=10, per_bin=5,
    ...                    loader=lambda: (X, y))
    >>> X_train, y_train, X_test, y_test = spec.split(seed=0)
    >>> X_train.shape[0] + X_test.shape[0] == 600
    True
    >>> spec.label_space()
    LabelSpace(bin_width=1, few_threshold=10, many_threshold=40)
    """

    name: str
    description: str
    bin_width: float
    many_threshold: float
    few_threshold: float
    per_bin: object = 30
    loader: object = None
    splitter: object = None

    def label_space(self):
        """The unfitted label space of this dataset.

        Returns
        -------
        label_space : LabelSpace
            ``LabelSpace(bin_width=bin_width, many_threshold=many_threshold,
            few_threshold=few_threshold)``; the benchmark fits it on the
            training targets of each seed.
        """
        return LabelSpace(bin_width=self.bin_width, many_threshold=self.many_threshold,
                          few_threshold=self.few_threshold)

    def split(self, seed):
        """Training and test sets for one seed.

        Parameters
        ----------
        seed : int
            Random state of the split.

        Returns
        -------
        X_train, y_train, X_test, y_test : ndarray
            The imbalanced training set and the balanced test set.
        """
        if self.splitter is not None:
            return self.splitter(seed)
        from skdir.datasets import dir_split

        X, y = self.loader()
        X_tr, X_te, y_tr, y_te = dir_split(
            X, y, label_space=LabelSpace(bin_width=self.bin_width),
            per_bin=self.per_bin, validation=False, random_state=seed,
        )
        return X_tr, y_tr, X_te, y_te


def _loader(name):
    def load():
        from skdir import datasets

        return getattr(datasets, f"load_{name}")(return_X_y=True)

    return load


def _agedb(seed, scale=1.0):
    from skdir.datasets import make_agedb_dir

    X, y, split = make_agedb_dir(noise=0.1, scale=scale, random_state=seed)
    train, test = split == "train", split == "test"
    return X[train], y[train], X[test], y[test]


def _agedb_small(seed):
    return _agedb(seed, 0.25)


def _synthetic():
    from skdir.datasets import make_imbalanced_regression

    return make_imbalanced_regression(5000, 10, label_distribution="long_tail",
                                      noise=1.0, random_state=0)


#: The bundled benchmark datasets by name (see :class:`DatasetSpec`).
DATASETS = {
    "abalone": DatasetSpec(
        "abalone", "rings of 4,177 abalones (bundled, UCI)", 1, 100, 20, 30,
        loader=_loader("abalone")),
    "concrete": DatasetSpec(
        "concrete", "compressive strength of 1,030 concrete samples (bundled, UCI)",
        5, 80, 20, 10, loader=_loader("concrete")),
    "bikeshare": DatasetSpec(
        "bikeshare", "hourly bikers, 8,645 hours (bundled, UCI)", 25, 300, 50, 30,
        loader=_loader("bikeshare")),
    "diamonds": DatasetSpec(
        "diamonds", "price of 53,940 diamonds (bundled, ggplot2)", 500, 1000, 100, 100,
        loader=_loader("diamonds")),
    "agedb": DatasetSpec(
        "agedb", "semi-synthetic, the AgeDB-DIR label profile (12,208 train, "
        "2,140 balanced test)", 1, 100, 20, splitter=_agedb),
    "agedb-small": DatasetSpec(
        "agedb-small", "semi-synthetic, the AgeDB-DIR profile at a quarter of "
        "its size", 1, 25, 5, splitter=_agedb_small),
    "synthetic": DatasetSpec(
        "synthetic", "make_imbalanced_regression, long-tailed target, 5,000 "
        "samples", 2, 100, 20, 30, loader=_synthetic),
}


def load_dataset(name, *, target=None, bin_width=None, many_threshold=None,
                 few_threshold=None, per_bin=None):
    """The benchmark spec of a bundled dataset or of a CSV file.

    A CSV file (a name ending in ``.csv`` or ``.csv.gz``, or any path) is
    read without pandas: numeric columns become features, the others are
    one-hot encoded. Its target range is cut into 50 equal-width bins, the
    test set takes about 15 % of the rows, and the shot thresholds are the
    quartiles of the populated bins' counts. The keyword arguments override
    the spec's settings.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS` or the path of a CSV file.
    target : str, default=None
        Target column of a CSV file; required for one, rejected otherwise.
    bin_width : float, default=None
        Width of the target bins.
    many_threshold : float, default=None
        Training count above which a bin is many-shot.
    few_threshold : float, default=None
        Training count below which a bin is few-shot.
    per_bin : int or float, default=None
        Test samples per bin, or the test fraction.

    Returns
    -------
    spec : DatasetSpec
        A copy, free to modify.

    Raises
    ------
    ValueError
        For an unknown name, an unreadable or unsuitable file, or a few-shot
        threshold above the many-shot one.

    Examples
    --------
    >>> from skdir.cli import load_dataset
    >>> spec = load_dataset("concrete", bin_width=10)
    >>> spec.name, spec.bin_width, spec.many_threshold, spec.few_threshold
    ('concrete', 10, 80, 20)
    >>> X_train, y_train, X_test, y_test = spec.split(seed=0)
    >>> X_train.shape[1]
    8
    """
    if name in DATASETS:
        if target is not None:
            raise ValueError(f"--target applies to CSV files, not to {name!r}.")
        spec = dataclasses.replace(DATASETS[name])
    elif name.lower().endswith((".csv", ".csv.gz")) or os.path.sep in name:
        spec = _csv_spec(name, target)
    else:
        raise ValueError(
            f"unknown dataset {name!r}; choose from {', '.join(DATASETS)} or give "
            "a path to a .csv file with --target."
        )
    if bin_width is not None:
        spec.bin_width = bin_width
    if many_threshold is not None:
        spec.many_threshold = many_threshold
    if few_threshold is not None:
        spec.few_threshold = few_threshold
    if per_bin is not None:
        spec.per_bin = per_bin
    if spec.few_threshold > spec.many_threshold:
        raise ValueError(
            f"the few-shot threshold ({spec.few_threshold:g}) exceeds the many-shot "
            f"threshold ({spec.many_threshold:g})."
        )
    return spec


def _read_csv(path, target):
    """X, y and feature names of a CSV file."""
    from skdir.datasets import load_csv

    data = load_csv(path, target)
    return data.data, data.target, data.feature_names


def _csv_spec(path, target):
    if target is None:
        raise ValueError(f"give the target column of {path} with --target.")
    if not os.path.isfile(path):
        raise ValueError(f"no such file: {path}.")
    try:
        X, y, names = _read_csv(path, target)
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a UTF-8 text CSV file.") from None
    missing = np.isnan(X).any(axis=0)
    if missing.any():
        columns = ", ".join(np.asarray(names)[missing][:5])
        raise ValueError(
            f"{path} has {int(np.isnan(X).sum())} missing value(s) in feature "
            f"column(s) {columns}; fill or drop them first."
        )
    if X.shape[1] == 0:
        raise ValueError(f"{path} has no feature columns besides {target!r}.")
    if y.size < 30:
        raise ValueError(f"{path} has {y.size} rows; the benchmark needs at least 30.")
    if np.ptp(y) == 0:
        raise ValueError(f"target column {target!r} of {path} is constant.")
    # 50 bins over the target range; the test set takes about 15 % of the
    # rows; shot thresholds at the quartiles of the populated bins' counts.
    width = float(np.ptp(y)) / 50
    counts = LabelSpace(bin_width=width).fit(y).counts_
    populated = counts[counts > 0]
    many = float(np.quantile(populated, 0.75))
    few = float(np.quantile(populated, 0.25))
    return DatasetSpec(
        os.path.basename(path), f"{y.size} rows of {path}, target {target!r}",
        width, max(many, few), few, 0.15, loader=lambda: (X, y))
