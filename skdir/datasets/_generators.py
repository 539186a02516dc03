"""A synthetic regression problem with a chosen label distribution."""

from numbers import Integral, Real

import numpy as np
from scipy import stats
from sklearn.utils import check_random_state

__all__ = ["make_imbalanced_regression", "LABEL_DISTRIBUTIONS"]

#: Named label distributions of :func:`make_imbalanced_regression`.
LABEL_DISTRIBUTIONS = ("long_tail", "skewed", "multimodal", "normal", "uniform")


class _Mixture:
    """Gaussian mixture with a ``ppf`` by interpolation of its CDF on a grid."""

    def __init__(self, means, sds, weights):
        self.means = np.asarray(means, dtype=float)
        self.sds = np.asarray(sds, dtype=float)
        self.weights = np.asarray(weights, dtype=float) / np.sum(weights)
        lo = np.min(self.means - 8 * self.sds)
        hi = np.max(self.means + 8 * self.sds)
        self._grid = np.linspace(lo, hi, 20001)
        self._cdf = stats.norm.cdf(
            (self._grid[:, None] - self.means) / self.sds
        ) @ self.weights

    def cdf(self, x):
        return np.interp(x, self._grid, self._cdf)

    def ppf(self, q):
        return np.interp(q, self._cdf, self._grid)


def _label_distribution(label_distribution):
    if hasattr(label_distribution, "ppf") and hasattr(label_distribution, "cdf"):
        return label_distribution
    named = {
        # Exponential decay from a mode at 0: a long, sparse upper tail.
        "long_tail": lambda: stats.expon(scale=10.0),
        # Gamma(2): a mode at 8, skewed to the right.
        "skewed": lambda: stats.gamma(a=2.0, scale=8.0),
        # Three modes of decreasing mass (60 %, 30 %, 10 %).
        "multimodal": lambda: _Mixture([20.0, 50.0, 80.0], [4.0, 6.0, 5.0],
                                       [0.6, 0.3, 0.1]),
        "normal": lambda: stats.norm(loc=50.0, scale=10.0),
        "uniform": lambda: stats.uniform(loc=0.0, scale=100.0),
    }
    if not isinstance(label_distribution, str) or label_distribution not in named:
        raise ValueError(
            f"label_distribution must be one of {LABEL_DISTRIBUTIONS} or a frozen "
            f"scipy.stats distribution, got {label_distribution!r}."
        )
    return named[label_distribution]()


def _check_gaps(gaps):
    if gaps is None:
        return np.empty((0, 2))
    arr = np.asarray(gaps, dtype=float)
    if arr.ndim == 1 and arr.size == 2:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"gaps must be a sequence of (low, high) pairs, got shape {arr.shape}."
        )
    if np.isnan(arr).any() or np.any(arr[:, 0] >= arr[:, 1]):
        raise ValueError("each gap (low, high) must have low < high (no NaN).")
    return arr


def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")


def make_imbalanced_regression(
    n_samples=1000,
    n_features=10,
    *,
    n_informative=5,
    label_distribution="long_tail",
    noise=1.0,
    gaps=None,
    return_noise_free=False,
    random_state=None,
):
    """A regression problem with a known target function and label distribution.

    The features are standard normal. The noise-free target is the smooth,
    increasing function

    .. code-block:: text

        f(x) = Q(Phi(x @ w)),   w_j = 1 / (j + 1) for j < n_informative, else 0,
                                w normalised to unit length,

    of a linear index ``x @ w``, which is standard normal, so that
    ``Phi(x @ w)`` is uniform and ``f(X)`` follows exactly the distribution
    whose quantile function is ``Q``. The observed target adds gaussian noise
    of standard deviation ``noise``. ``w`` and ``Q`` do not depend on
    ``random_state``: two calls with different seeds sample the same problem,
    which makes separate training and test sets possible.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples, >= 1.
    n_features : int, default=10
        Number of features, >= 1; those beyond ``n_informative`` are noise.
    n_informative : int, default=5
        Number of features the target depends on (at most ``n_features``,
        as in :func:`sklearn.datasets.make_regression`).
    label_distribution : str or frozen scipy.stats distribution, default="long_tail"
        Distribution of the noise-free target:

        - ``"long_tail"``: exponential with scale 10 (mode at 0, a sparse
          upper tail);
        - ``"skewed"``: gamma with shape 2 and scale 8;
        - ``"multimodal"``: gaussian modes at 20, 50 and 80 with 60 %, 30 %
          and 10 % of the mass;
        - ``"normal"``: mean 50, standard deviation 10;
        - ``"uniform"``: on [0, 100] (a balanced reference);
        - any object with ``ppf`` and ``cdf`` methods, such as
          ``scipy.stats.lognorm(0.5)``.
    noise : float, default=1.0
        Standard deviation of the gaussian noise added to the target, >= 0.
    gaps : sequence of (low, high) pairs, default=None
        Target ranges left empty: samples whose observed target falls in
        ``[low, high)`` are replaced by fresh draws, so no target lies there.
        Gaps inside the range give zero-shot interpolation regions, a gap
        over a tail gives an extrapolation region.
    return_noise_free : bool, default=False
        Also return the noise-free target ``f(X)``.
    random_state : int, RandomState instance or None, default=None
        Seed of the features and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Features.
    y : ndarray of shape (n_samples,)
        Observed targets.
    y_noise_free : ndarray of shape (n_samples,)
        ``f(X)``; only when ``return_noise_free`` is True.

    See Also
    --------
    dir_split : A balanced test set and an imbalanced training set.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.datasets import make_imbalanced_regression
    >>> X, y = make_imbalanced_regression(2000, 4, n_informative=2, noise=0.0,
    ...                                   random_state=0)
    >>> X.shape, bool(np.median(y) < np.mean(y))
    ((2000, 4), True)
    >>> X, y = make_imbalanced_regression(500, gaps=[(20, 30)], random_state=0)
    >>> int(np.sum((y >= 20) & (y < 30)))
    0
    """
    _check_int(n_samples, "n_samples", 1)
    _check_int(n_features, "n_features", 1)
    _check_int(n_informative, "n_informative", 1)
    n_informative = min(n_informative, n_features)
    if (isinstance(noise, bool) or not isinstance(noise, Real)
            or not 0 <= noise < np.inf):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}.")
    dist = _label_distribution(label_distribution)
    gaps = _check_gaps(gaps)
    rng = check_random_state(random_state)

    w = np.zeros(n_features)
    w[:n_informative] = 1.0 / np.arange(1, n_informative + 1)
    w /= np.linalg.norm(w)

    if gaps.size:
        # Probability that a draw lands outside every gap (noise ignored),
        # to size the batches of the rejection loop below.
        inside = np.sum(np.clip(dist.cdf(gaps[:, 1]) - dist.cdf(gaps[:, 0]), 0, 1))
        if inside >= 0.999:
            raise ValueError("gaps cover (almost) all of the label distribution.")
    X_parts, y_parts, f_parts, kept = [], [], [], 0
    # Rejection sampling in vectorised batches; without gaps one batch does.
    for _ in range(1000):
        batch = n_samples if not gaps.size else int(1.2 * (n_samples - kept)
                                                      / (1 - inside)) + 16
        X = rng.standard_normal((batch, n_features))
        f = dist.ppf(np.clip(stats.norm.cdf(X @ w), 1e-12, 1 - 1e-12))
        y = f + noise * rng.standard_normal(batch) if noise > 0 else f.copy()
        keep = ~np.any((y[:, None] >= gaps[:, 0]) & (y[:, None] < gaps[:, 1]), axis=1)
        X_parts.append(X[keep])
        y_parts.append(y[keep])
        f_parts.append(f[keep])
        kept += int(keep.sum())
        if kept >= n_samples:
            break
    else:  # pragma: no cover - needs gaps of probability ~1, rejected above
        raise RuntimeError("could not draw enough samples outside the gaps.")
    X = np.concatenate(X_parts)[:n_samples]
    y = np.concatenate(y_parts)[:n_samples]
    f = np.concatenate(f_parts)[:n_samples]
    if return_noise_free:
        return X, y, f
    return X, y
