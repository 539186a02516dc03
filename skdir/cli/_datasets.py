"""The benchmark datasets: bundled ones by name, or a CSV file."""

import dataclasses
import os
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from skdir import LabelSpace

__all__ = ["DATASETS", "DatasetSpec", "load_dataset"]


@dataclass
class DatasetSpec:
    """A benchmark dataset and the label space it is evaluated in.

    The label space (an unfitted :class:`~skdir.LabelSpace`: bins, LDS
    smoothing and shot thresholds) is fitted on the training targets of each
    seed. A dataset comes either as one table that
    :func:`skdir.datasets.dir_split` splits per seed (``loader``), or with
    its own training and test sets per seed (``splitter``).

    Parameters
    ----------
    name : str
        Name of the dataset in the tables.
    description : str
        One line describing it.
    label_space : LabelSpace
        Unfitted label space of the benchmark, e.g.
        ``LabelSpace(bin_width=5, many_threshold=80, few_threshold=20)``; it
        bins the targets of the split and, fitted on each seed's training
        targets, the shot groups of the evaluation.
    per_bin : int or float, default=30
        Test samples per bin (int) or the test fraction (float in (0, 1)),
        as :func:`~skdir.datasets.dir_split` takes it; unused with
        ``splitter``.
    loader : callable, default=None
        ``loader() -> (X, y)``: the whole dataset, split by :meth:`split`.
    splitter : callable, default=None
        ``splitter(seed) -> (X_train, y_train, X_test, y_test)``; replaces
        ``loader``.

    Raises
    ------
    TypeError
        If ``label_space`` is not a :class:`~skdir.LabelSpace`.
    ValueError
        If ``label_space`` is fitted.

    See Also
    --------
    load_dataset : The spec of a bundled dataset or a CSV file.

    Examples
    --------
    >>> from skdir import LabelSpace
    >>> from skdir.cli import DatasetSpec
    >>> from skdir.datasets import make_imbalanced_regression
    >>> X, y = make_imbalanced_regression(600, 3, random_state=0)
    >>> spec = DatasetSpec(
    ...     "toy", "600 synthetic samples",
    ...     LabelSpace(bin_width=1, many_threshold=40, few_threshold=10),
    ...     per_bin=5, loader=lambda: (X, y))
    >>> X_train, y_train, X_test, y_test = spec.split(seed=0)
    >>> X_train.shape[0] + X_test.shape[0] == 600
    True
    >>> space = spec.make_label_space()
    >>> space
    LabelSpace(bin_width=1, few_threshold=10, many_threshold=40)
    >>> space is spec.label_space
    False
    """

    name: str
    description: str
    label_space: LabelSpace
    per_bin: object = 30
    loader: object = None
    splitter: object = None

    def __post_init__(self):
        _check_unfitted_space(self.label_space)

    def make_label_space(self):
        """A fresh unfitted copy of the dataset's label space.

        Returns
        -------
        label_space : LabelSpace
            ``sklearn.base.clone(label_space)``; the benchmark fits one on
            the training targets of each seed.
        """
        _check_unfitted_space(self.label_space)
        return clone(self.label_space)

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
            X, y, label_space=self.make_label_space(), per_bin=self.per_bin,
            validation=False, random_state=seed,
        )
        return X_tr, y_tr, X_te, y_te


def _check_unfitted_space(label_space):
    """Reject anything but an unfitted :class:`LabelSpace`."""
    if not isinstance(label_space, LabelSpace):
        raise TypeError(
            "label_space must be an unfitted skdir.LabelSpace, got "
            f"{type(label_space).__name__}."
        )
    if hasattr(label_space, "edges_"):
        raise ValueError(
            "label_space must be unfitted: the benchmark fits it on the "
            "training targets of each seed."
        )


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


def _synthetic_multimodal():
    from skdir.datasets import make_imbalanced_regression

    return make_imbalanced_regression(6000, 10, label_distribution="multimodal",
                                      noise=1.0, random_state=0)


#: The bundled benchmark datasets by name (see :class:`DatasetSpec`).
DATASETS = {
    "abalone": DatasetSpec(
        "abalone", "rings of 4,177 abalones (bundled, UCI)",
        LabelSpace(bin_width=1, many_threshold=100, few_threshold=20),
        per_bin=30, loader=_loader("abalone")),
    "concrete": DatasetSpec(
        "concrete", "compressive strength of 1,030 concrete samples (bundled, UCI)",
        LabelSpace(bin_width=5, many_threshold=80, few_threshold=20),
        per_bin=10, loader=_loader("concrete")),
    "bikeshare": DatasetSpec(
        "bikeshare", "hourly bikers, 8,645 hours (bundled, UCI)",
        LabelSpace(bin_width=25, many_threshold=300, few_threshold=50),
        per_bin=30, loader=_loader("bikeshare")),
    "diamonds": DatasetSpec(
        "diamonds", "price of 53,940 diamonds (bundled, ggplot2)",
        LabelSpace(bin_width=500, many_threshold=1000, few_threshold=100),
        per_bin=100, loader=_loader("diamonds")),
    "agedb": DatasetSpec(
        "agedb", "semi-synthetic, the AgeDB-DIR label profile (12,208 train, "
        "2,140 balanced test)",
        LabelSpace(bin_width=1, many_threshold=100, few_threshold=20),
        splitter=_agedb),
    "agedb-small": DatasetSpec(
        "agedb-small", "semi-synthetic, the AgeDB-DIR profile at a quarter of "
        "its size",
        LabelSpace(bin_width=1, many_threshold=25, few_threshold=5),
        splitter=_agedb_small),
    "synthetic": DatasetSpec(
        "synthetic", "make_imbalanced_regression, long-tailed target, 5,000 "
        "samples",
        LabelSpace(bin_width=2, many_threshold=100, few_threshold=20),
        per_bin=30, loader=_synthetic),
    # Modes at 20, 50 and 80 (standard deviations 4, 6 and 5) hold 60 %,
    # 30 % and 10 % of the samples: with bins of 2 the troughs near 35 and
    # 65 and both tails are few-shot, the third mode medium-shot.
    "synthetic-multimodal": DatasetSpec(
        "synthetic-multimodal", "make_imbalanced_regression, multimodal target, "
        "6,000 samples: modes at 20, 50, 80 (60/30/10 %), few-shot troughs near "
        "35 and 65 and tails",
        LabelSpace(bin_width=2, many_threshold=150, few_threshold=30),
        per_bin=30, loader=_synthetic_multimodal),
}


def load_dataset(name, *, target=None, label_space=None, per_bin=None):
    """The benchmark spec of a bundled dataset or of a CSV file.

    A CSV file (a name ending in ``.csv`` or ``.csv.gz``, or any path) is
    read without pandas: numeric columns become features, the others are
    one-hot encoded. Its label space cuts the target range into 50
    equal-width bins with the shot thresholds at the quartiles of the
    populated bins' counts, and the test set takes about 15 % of the rows.
    The keyword arguments override the spec's settings.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS` or the path of a CSV file.
    target : str, default=None
        Target column of a CSV file; required for one, rejected otherwise.
    label_space : LabelSpace, default=None
        Unfitted label space replacing the dataset's own as a whole (a copy
        is stored). To change one setting, start from the default one:
        ``label_space=load_dataset(name).label_space.set_params(...)``.
        None keeps the dataset's label space.
    per_bin : int or float, default=None
        Test samples per bin, or the test fraction; None keeps the
        dataset's.

    Returns
    -------
    spec : DatasetSpec
        A copy, free to modify: its ``label_space`` is its own.

    Raises
    ------
    TypeError
        If ``label_space`` is not a :class:`~skdir.LabelSpace` or None.
    ValueError
        For an unknown name, an unreadable or unsuitable file, or a fitted
        ``label_space``.

    Examples
    --------
    >>> from skdir.cli import load_dataset
    >>> spec = load_dataset("concrete")
    >>> spec.label_space
    LabelSpace(bin_width=5, many_threshold=80)
    >>> wider = load_dataset("concrete",
    ...                      label_space=spec.label_space.set_params(bin_width=10))
    >>> wider.name, wider.label_space.bin_width, wider.label_space.many_threshold
    ('concrete', 10, 80)
    >>> X_train, y_train, X_test, y_test = wider.split(seed=0)
    >>> X_train.shape[1]
    8
    """
    if label_space is not None:
        _check_unfitted_space(label_space)
    if name in DATASETS:
        if target is not None:
            raise ValueError(f"--target applies to CSV files, not to {name!r}.")
        spec = DATASETS[name]
    elif name.lower().endswith((".csv", ".csv.gz")) or os.path.sep in name:
        spec = _csv_spec(name, target)
    else:
        raise ValueError(
            f"unknown dataset {name!r}; choose from {', '.join(DATASETS)} or give "
            "a path to a .csv file with --target."
        )
    return dataclasses.replace(
        spec,
        label_space=clone(spec.label_space if label_space is None else label_space),
        per_bin=spec.per_bin if per_bin is None else per_bin,
    )


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
    space = LabelSpace(bin_width=width, many_threshold=max(many, few),
                       few_threshold=few)
    return DatasetSpec(
        os.path.basename(path), f"{y.size} rows of {path}, target {target!r}",
        space, per_bin=0.15, loader=lambda: (X, y))
