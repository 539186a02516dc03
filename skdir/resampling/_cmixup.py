"""C-Mixup as a sampler: mixed rows whose targets are close (Yao et al., 2022)."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..bins import fit_label_space
from ._base import BaseBumpSampler
from ._bumps import spread_seeds
from ._smoter import _ATTR_DOC, _RANDOM_STATE_DOC, _SHARED_DOC

__all__ = ["CMixup"]

#: The kernel is cut at this many bandwidths (its weight there is
#: exp(-12.5), about 4e-6 of the peak).
KERNEL_CUT = 5
#: Sub-intervals of the window per bandwidth, for the rejection step.
_PER_BANDWIDTH = 4


def kernel_partners(y_sorted, values, bandwidth, rng):
    """For each of ``values``, a position in ``y_sorted`` drawn with
    probability proportional to ``exp(-(y_sorted[j] - value)^2 / (2 h^2))``,
    the kernel cut at ``KERNEL_CUT`` bandwidths.

    Exact for the cut kernel, in ``O(len(values) * 40)`` memory: the window
    of each value is split into sub-intervals of a quarter bandwidth; one is
    drawn with probability proportional to its number of targets times the
    kernel's largest value on it, a target is drawn uniformly in it and
    accepted with probability kernel / largest value (else drawn again; in
    every sub-interval at least 29 % are accepted).
    """
    n_bins = 2 * KERNEL_CUT * _PER_BANDWIDTH
    offsets = np.arange(n_bins + 1) / _PER_BANDWIDTH - KERNEL_CUT
    # Largest kernel value on each sub-interval [offsets[k], offsets[k + 1]):
    # at its end nearest 0 (the value itself is the left edge of bin n_bins/2).
    nearest = np.where(offsets[:-1] < 0, offsets[1:], offsets[:-1])
    top = np.exp(-0.5 * nearest**2)
    edges = np.searchsorted(
        y_sorted, values[:, None] + bandwidth * offsets[None, :], side="left"
    )
    counts = np.diff(edges, axis=1)
    cum = np.cumsum(counts * top, axis=1)
    out = np.empty(values.size, dtype=np.intp)
    # A bandwidth below the floating-point spacing of the targets collapses
    # the window: the kernel is then 1 on the equal targets and 0 elsewhere.
    collapsed = cum[:, -1] == 0
    if collapsed.any():
        lo = np.searchsorted(y_sorted, values[collapsed], side="left")
        hi = np.searchsorted(y_sorted, values[collapsed], side="right")
        out[collapsed] = lo + (rng.uniform(size=lo.size) * (hi - lo)).astype(np.intp)
    pending = np.flatnonzero(~collapsed)
    while pending.size:
        c = cum[pending]
        u = rng.uniform(size=pending.size) * c[:, -1]
        k = np.minimum((c <= u[:, None]).sum(axis=1), n_bins - 1)
        lo = edges[pending, k]
        size = counts[pending, k]
        pick = lo + np.minimum((rng.uniform(size=pending.size) * size).astype(np.intp),
                               size - 1)
        z = (y_sorted[pick] - values[pending]) / bandwidth
        accept = rng.uniform(size=pending.size) * top[k] <= np.exp(-0.5 * z**2)
        out[pending[accept]] = pick[accept]
        pending = pending[~accept]
    return out


class CMixup(BaseBumpSampler):
    __doc__ = f"""C-Mixup as a sampler: rows mixed with rows of close targets.

    Mixup (Zhang et al., 2018) trains on convex combinations of pairs of
    samples; C-Mixup (Yao et al., 2022) draws the pair so that their
    *targets* are close, which keeps the mixed target plausible for the
    mixed features in regression. Here the mixed rows grow the rare bumps:
    the targets are cut into rare and normal *bumps* as for
    :class:`SMOTER`, rare bumps grow to the counts set by
    ``sampling_strategy`` and normal bumps are under-sampled at random.

    Each synthetic row takes

    - a *seed* from a rare bump (each member ``n_new // n_bump`` times, a
      random subset once more);
    - a *partner* among all the original rows (the seed included), row
      ``j`` with probability proportional to ``exp(-(y_j - y_seed)^2 /
      (2 bandwidth^2))``, the Gaussian kernel of the reference code's
      ``KernelDensity`` on the targets, cut at 5 bandwidths;
    - ``lambda ~ Beta(alpha, alpha)``, and the row ``lambda x_seed + (1 -
      lambda) x_partner`` with target ``lambda y_seed + (1 - lambda)
      y_partner`` (so between the two targets). Nominal features take the
      category of the heavier side (the seed's when ``lambda >= 1/2``);
      integer columns are rounded.

    Partners are drawn from the targets sorted once, in a window of 5
    bandwidths around each seed, by exact rejection sampling, so memory
    stays linear in the number of rows however large the data.

    Parameters
    ----------{_SHARED_DOC}
    bandwidth : "auto" or float, default="auto"
        Width of the kernel on the targets, in the target's units, > 0.
        ``"auto"`` is the width of one bin of the label space (the median
        width when the bins differ), as for
        :class:`~skdir.nn.CMixupOptions`: the fitted ``label_space_`` with
        ``relevance="lds"``, else a default :class:`~skdir.LabelSpace`
        fitted on the targets. In a sparse tail few targets lie within a
        bandwidth of a seed, and the seed is then often its own partner (the
        row is a copy of it). A bandwidth far below the spacing of the
        targets pairs each seed with itself; a very large one is plain mixup
        (any partner). The reference code sets it per data set, by
        validation; pass a float or search it.
    alpha : float, default=2.0
        Parameter of the Beta distribution of ``lambda``, > 0 (the
        reference code's ``mix_alpha``, 2 for its regression data sets).
        Below 1, ``lambda`` is mostly near 0 or 1 (rows close to one of
        the two); above 1, near 1/2.
    categorical_features : "auto", array-like or None, default="auto"
        Nominal features (see :class:`SMOTER`).{_RANDOM_STATE_DOC}

    Attributes
    ----------{_ATTR_DOC}
    bandwidth_ : float
        The kernel bandwidth used, in target units.
    seed_indices_ : ndarray of int
        For each synthetic row (in output order), the original row of its
        seed.
    partner_indices_ : ndarray of int
        For each synthetic row, the original row of its partner.
    mixing_weights_ : ndarray of float
        For each synthetic row, its ``lambda`` (the seed's weight).

    See Also
    --------
    SMOTER : Interpolation between neighbours in feature space.
    GSMOTER : Points in a region around the seed.

    Notes
    -----
    The reference code mixes pairs in every training batch of a neural
    network, with seeds from all the data and, optionally, in a hidden
    layer; a sampler mixes once, before any regressor, and draws the seeds
    from the rare bumps only. The partners' kernel, its inclusion of the
    seed and ``lambda``'s distribution are the reference's. The kernel
    lives on a scalar target: a target of several columns is refused with
    a ``ValueError``.

    References
    ----------
    .. [1] H. Yao, Y. Wang, L. Zhang, J. Zou and C. Finn, "C-Mixup:
       Improving Generalization in Regression", NeurIPS 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.resampling import CMixup
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.exponential(size=300)
    >>> sampler = CMixup(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, sampler.sampling_strategy_
    ((300, 2), {{0: 150, 1: 150}})
    >>> seeds, partners = sampler.seed_indices_, sampler.partner_indices_
    >>> lam = sampler.mixing_weights_
    >>> new = y_res[len(sampler.sample_indices_):]
    >>> bool(np.allclose(new, lam * y[seeds] + (1 - lam) * y[partners]))
    True
    """

    _parameter_constraints: dict = {
        **BaseBumpSampler._parameter_constraints,
        "bandwidth": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
    }

    _selects_rows = False
    _scalar_only = ("its partners are drawn by a kernel on the distance between "
                    "scalar targets, with a bandwidth in the target's units.")

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="lds",
        threshold=0.5,
        label_space=None,
        bandwidth="auto",
        alpha=2.0,
        categorical_features="auto",
        random_state=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.relevance = relevance
        self.threshold = threshold
        self.label_space = label_space
        self.bandwidth = bandwidth
        self.alpha = alpha
        self.categorical_features = categorical_features
        self.random_state = random_state

    def _set_bandwidth(self, y):
        if isinstance(self.bandwidth, str):  # "auto": one label bin
            space = getattr(self, "label_space_", None)
            if space is None:  # a relevance without a label space
                space = fit_label_space(None, y)
            self.bandwidth_ = space._median_bin_width()
        else:
            self.bandwidth_ = float(self.bandwidth)

    def _record_unchanged(self, y, rare):
        super()._record_unchanged(y, rare)
        self._set_bandwidth(y)
        self.seed_indices_ = np.empty(0, dtype=np.intp)
        self.partner_indices_ = np.empty(0, dtype=np.intp)
        self.mixing_weights_ = np.empty(0)

    def _resample(self, data, y, relevance, rare, rng):
        self._set_bandwidth(y)
        self._order = np.argsort(y, kind="stable")
        self._parts = []
        try:
            kept, synthetic = super()._resample(data, y, relevance, rare, rng)
            parts = self._parts
        finally:
            for name in ("_order", "_parts"):
                self.__dict__.pop(name, None)
        empty = (np.empty(0, dtype=np.intp),) * 2 + (np.empty(0),)
        self.seed_indices_, self.partner_indices_, self.mixing_weights_ = (
            np.concatenate([e, *(p[i] for p in parts)]) for i, e in enumerate(empty)
        )
        return kept, synthetic

    def _grow(self, data, y, bump, n_new, rng):
        seeds = bump[spread_seeds(bump.size, n_new, rng)]
        order = self._order
        partners = order[kernel_partners(y[order], y[seeds], self.bandwidth_, rng)]
        lam = rng.beta(self.alpha, self.alpha, size=n_new)
        self._parts.append((seeds, partners, lam))
        num = lam[:, None] * data.num[seeds] + (1 - lam[:, None]) * data.num[partners]
        y_new = lam * y[seeds] + (1 - lam) * y[partners]
        src = np.where(lam >= 0.5, seeds, partners)
        src = np.repeat(src[:, None], data.nom.shape[1], axis=1)
        return num, src, y_new
