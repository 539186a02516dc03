"""Semi-synthetic data with the label imbalance of the AgeDB-DIR benchmark."""

from numbers import Integral, Real

import numpy as np
from scipy import stats
from sklearn.utils import check_random_state

__all__ = ["AGEDB_DIR_AGES", "agedb_dir_counts", "make_agedb_dir"]

#: Ages (years) of the AgeDB-DIR label profile, one bin per year.
AGEDB_DIR_AGES = np.arange(1, 102)

# Number of AgeDB-DIR images per age (1 to 101) in the training set and in
# each of the validation and test sets (which hold the same counts), counted
# from the split files published with the benchmark of Yang et al. (ICML
# 2021; code under the MIT licence): 12,208 training, 2,140 validation and
# 2,140 test images.
_TRAIN = np.array([
    1, 0, 4, 2, 2, 4, 5, 4, 2, 5, 8, 6, 8, 9, 15, 18, 28, 60, 50, 101, 103, 123,
    152, 199, 224, 215, 244, 287, 253, 325, 256, 318, 278, 302, 353, 287, 310, 322,
    261, 326, 260, 296, 265, 221, 282, 227, 229, 251, 207, 257, 227, 250, 190, 198,
    234, 167, 183, 186, 153, 185, 147, 178, 158, 133, 171, 117, 117, 155, 90, 156,
    85, 115, 96, 78, 98, 49, 44, 46, 26, 31, 26, 24, 19, 15, 20, 13, 10, 7, 7, 7, 7,
    5, 5, 3, 3, 2, 1, 2, 1, 2, 1
])
_EVAL = np.array([
    0, 0, 2, 0, 1, 2, 3, 2, 2, 4, 6, 4, 7, 7, 14, 17, 27, 30, 30, 30, 30, 30, 30,
    30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
    30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 25, 30, 25, 22, 19,
    14, 19, 11, 10, 7, 6, 6, 5, 3, 5, 2, 3, 0, 0, 0, 0, 0, 0
])


def agedb_dir_counts(split="train"):
    """Number of AgeDB-DIR images per age in a split.

    Parameters
    ----------
    split : {"train", "val", "test"}, default="train"
        The split; validation and test sets hold the same counts
        (``min(30, n // 3)`` of the ``n`` images of each age, see
        :func:`dir_split`).

    Returns
    -------
    counts : ndarray of shape (101,)
        Counts for the ages ``AGEDB_DIR_AGES`` (1 to 101 years).

    Examples
    --------
    >>> from skdir.datasets import agedb_dir_counts
    >>> [int(agedb_dir_counts(s).sum()) for s in ("train", "val", "test")]
    [12208, 2140, 2140]
    >>> int(agedb_dir_counts("train").max())
    353
    """
    if split == "train":
        return _TRAIN.copy()
    if split in ("val", "test"):
        return _EVAL.copy()
    raise ValueError(f"split must be 'train', 'val' or 'test', got {split!r}.")


def make_agedb_dir(
    n_features=10,
    *,
    n_informative=5,
    noise=0.1,
    scale=1.0,
    random_state=None,
):
    """Semi-synthetic regression with the exact label profile of AgeDB-DIR.

    The targets are the ages of the AgeDB-DIR training, validation and test
    sets, with the published number of images per age in each (see
    :func:`agedb_dir_counts`); only the features are synthetic. An age ``a``
    is drawn a continuous position ``t = (a + u) / 102`` with ``u`` uniform
    on [0, 1), and the features are standard normal conditioned on their
    index ``x @ w = Phi^{-1}(t) + noise * e`` (``w`` as in
    :func:`make_imbalanced_regression`, ``e`` standard normal). The age is
    thus a smooth increasing function of ``x @ w``, blurred by ``noise``;
    the training set is long-tailed and the validation and test sets are
    balanced, as in the benchmark.

    Parameters
    ----------
    n_features : int, default=10
        Number of features, >= 1.
    n_informative : int, default=5
        Number of features the index depends on (at most ``n_features``).
    noise : float, default=0.1
        Standard deviation of the noise on the index, >= 0 (in units of the
        index, whose spread is 1).
    scale : float, default=1.0
        Multiplies every count (rounded; an age with images keeps at least
        one), for smaller or larger versions of the benchmark, > 0.
    random_state : int, RandomState instance or None, default=None
        Seed of the features and the noise (the ages are fixed).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Features.
    y : ndarray of shape (n_samples,)
        Ages, integers 1 to 101 stored as floats.
    split : ndarray of shape (n_samples,), dtype=str
        ``"train"``, ``"val"`` or ``"test"``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.datasets import make_agedb_dir
    >>> X, y, split = make_agedb_dir(random_state=0)
    >>> X.shape, [int((split == s).sum()) for s in ("train", "val", "test")]
    ((16488, 10), [12208, 2140, 2140])
    >>> X, y, split = make_agedb_dir(scale=0.1, random_state=0)
    >>> int((split == "train").sum()), int(y[split == "train"].max())
    (1240, 101)
    """
    for name, value, low in (("n_features", n_features, 1),
                             ("n_informative", n_informative, 1)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    n_informative = min(n_informative, n_features)
    if (isinstance(noise, bool) or not isinstance(noise, Real)
            or not 0 <= noise < np.inf):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}.")
    if isinstance(scale, bool) or not isinstance(scale, Real) or not 0 < scale < np.inf:
        raise ValueError(f"scale must be a finite number > 0, got {scale!r}.")
    rng = check_random_state(random_state)

    names = np.array(["train", "val", "test"])
    counts = np.stack([_TRAIN, _EVAL, _EVAL]).astype(float)
    counts = np.where(counts > 0, np.maximum(np.round(counts * scale), 1), 0)
    counts = counts.astype(np.intp)
    split = np.repeat(np.tile(names, AGEDB_DIR_AGES.size),
                      counts.T.ravel())
    y = np.repeat(np.repeat(AGEDB_DIR_AGES, 3), counts.T.ravel()).astype(float)

    w = np.zeros(n_features)
    w[:n_informative] = 1.0 / np.arange(1, n_informative + 1)
    w /= np.linalg.norm(w)
    position = (y + rng.uniform(size=y.size)) / (AGEDB_DIR_AGES[-1] + 1.0)
    index = stats.norm.ppf(position) + noise * rng.standard_normal(y.size)
    Z = rng.standard_normal((y.size, n_features))
    X = Z - np.outer(Z @ w, w) + np.outer(index, w)
    return X, y, split
