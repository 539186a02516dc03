"""WERCS: relevance-weighted over- and under-sampling (Branco et al., 2019)."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import BaseRegressionSampler, _is_phi

__all__ = ["WERCS"]


def _weighted_choice_without_replacement(weights, size, rng):
    """``size`` distinct indices drawn with probability proportional to
    ``weights`` (Efraimidis & Spirakis keys); zero-weight items only when
    the positive ones run out, uniformly at random."""
    u = rng.uniform(size=weights.size)
    with np.errstate(divide="ignore"):
        keys = np.where(weights > 0, np.log(u) / np.where(weights > 0, weights, 1), 0)
    # Zero-weight items rank after every positive one, in random order.
    keys = np.where(weights > 0, keys, -np.inf)
    order = np.lexsort((-u, -keys))
    return np.sort(order[:size])


class WERCS(BaseRegressionSampler):
    """WEighted Relevance-based Combination Strategy (WERCS).

    Without bumps or a hard split: ``round(over * n)`` rows are drawn *with*
    replacement with probability proportional to their relevance and added
    as copies, and ``round(under * n)`` rows are drawn *without* replacement
    with probability proportional to ``1 - relevance`` and removed (both
    draws from the original rows, as in Branco et al., 2019). Rows are only
    copied, so X may be sparse or hold NaN, strings or any object. A target
    of 2 or 3 columns is rated row by row (by default, the rarity of its
    cell in the label space's joint grid).

    Parameters
    ----------
    over : float, default=0.5
        Number of copies to add, as a fraction of ``n_samples``; >= 0.
    under : float, default=0.5
        Number of rows to remove, as a fraction of ``n_samples``; in [0, 1).
    relevance : {"lds", "phi"}, callable or estimator, default="lds"
        Relevance of the targets (see :class:`SMOTER`).
    threshold : float, default=0.5
        Only used to detect a target without rare values: when no relevance
        reaches it, a warning is raised and the data are returned unchanged.
    label_space : LabelSpace or None, default=None
        Bins and kernel of ``relevance="lds"`` (see :class:`SMOTER`); only
        that relevance reads it.
    random_state : int, RandomState instance or None, default=None
        Seed of the sampling (see :class:`SMOTER`); None uses NumPy's global
        random state.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{"over": n_added, "under": n_removed}``.
    relevance_ : ndarray of shape (n_samples,)
        Relevance of each training target.
    label_space_ : LabelSpace
        The fitted label space of the LDS relevance; only with
        ``relevance="lds"``.
    sample_indices_ : ndarray of int
        Original row of every output row (copies included), sorted.
    training_targets_ : TrainingTargets
        The original training targets.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X is a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.resampling import WERCS
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.exponential(size=300)
    >>> sampler = WERCS(over=0.2, under=0.2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sampler.sampling_strategy_, X_res.shape
    ({'over': 60, 'under': 60}, (300, 2))
    >>> bool(y_res.mean() > y.mean())
    True
    """

    _parameter_constraints: dict = {
        **BaseRegressionSampler._parameter_constraints,
        "over": [Interval(Real, 0, None, closed="left")],
        "under": [Interval(Real, 0, 1, closed="left")],
    }

    _needs_normal = False

    def __init__(
        self,
        *,
        over=0.5,
        under=0.5,
        relevance="lds",
        threshold=0.5,
        label_space=None,
        random_state=None,
    ):
        self.over = over
        self.under = under
        self.relevance = relevance
        self.threshold = threshold
        self.label_space = label_space
        self.random_state = random_state


    def _check_multi_output_relevance(self, y):
        # Without bumps, any relevance that rates the rows of y will do.
        if _is_phi(self.relevance):
            super()._check_multi_output_relevance(y)

    def _resample(self, data, y, relevance, rare, rng):
        n = y.shape[0]
        n_over = int(round(self.over * n))
        n_under = int(round(self.under * n))
        self.sampling_strategy_ = {"over": n_over, "under": n_under}
        p = relevance / relevance.sum()
        added = rng.choice(n, size=n_over, replace=True, p=p)
        removed = _weighted_choice_without_replacement(1.0 - relevance, n_under, rng)
        keep = np.ones(n, dtype=bool)
        keep[removed] = False
        kept = np.sort(np.concatenate([np.flatnonzero(keep), added]))
        return kept, None
