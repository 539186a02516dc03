"""G-SMOTER: geometric SMOTE for regression (Camacho, Douzas & Bacao, 2022)."""

from numbers import Integral, Real

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import Interval, StrOptions

from .._validation import warn_user
from ._base import BaseBumpSampler
from ._bumps import spread_seeds
from ._generate import (
    _neighbours,
    _ranges,
    distance_weighted_target,
    heom_embedding,
)
from ._smoter import _ATTR_DOC, _RANDOM_STATE_DOC, _SHARED_DOC

__all__ = ["GSMOTER"]


def geometric_points(centre, surface, truncation, deformation, rng):
    """Points drawn in the truncated, deformed hyper-spheres of G-SMOTE.

    Row ``i`` is drawn in the ball centred at ``centre[i]`` whose surface
    passes through ``surface[i]``: a point uniform in the unit ball
    (a Gaussian direction and a radius ``U^(1/p)``) whose component ``t``
    along the unit vector ``e`` from the centre to the surface point is
    reflected (``t -> -t``) when ``t < truncation - 1`` (``truncation > 0``)
    or ``t > truncation + 1`` (``truncation < 0``); its component
    perpendicular to ``e`` is then scaled by ``1 - deformation``; the result
    is scaled by the radius and moved to the centre. A centre equal to its
    surface point is returned as it is.

    Parameters
    ----------
    centre, surface : ndarray of shape (n, p)
    truncation : float in [-1, 1]
    deformation : float in [0, 1]
    rng : RandomState

    Returns
    -------
    points : ndarray of shape (n, p)
    """
    n, p = centre.shape
    if p == 0:
        return centre.copy()
    direction = rng.standard_normal((n, p))
    length = np.linalg.norm(direction, axis=1)
    length[length == 0] = 1.0  # probability 0; the point is then the centre
    unit = direction * (rng.uniform(size=n) ** (1.0 / p) / length)[:, None]
    diff = surface - centre
    radius = np.linalg.norm(diff, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        axis = np.where(radius[:, None] > 0, diff / radius[:, None], 0.0)
    along = np.einsum("ij,ij->i", unit, axis)
    if truncation > 0:
        flip = along < truncation - 1
    elif truncation < 0:
        flip = along > truncation + 1
    else:
        flip = np.zeros(n, dtype=bool)
    along = np.where(flip, -along, along)
    parallel = along[:, None] * axis
    perpendicular = unit - np.einsum("ij,ij->i", unit, axis)[:, None] * axis
    point = parallel + (1.0 - deformation) * perpendicular
    return centre + radius[:, None] * point


class GSMOTER(BaseBumpSampler):
    __doc__ = f"""Geometric SMOTE for regression (G-SMOTER, Camacho et al., 2022).

    As :class:`SMOTER`, the training targets are cut into rare and normal
    *bumps*; rare bumps grow with synthetic samples and normal bumps are
    under-sampled at random, to the counts set by ``sampling_strategy``.
    A synthetic sample is drawn, as in Geometric SMOTE (Douzas & Bacao,
    2019), inside a *geometric region* around its seed instead of on a
    segment:

    1. The seed (the *centre*) is a member of a rare bump (each member
       ``n_new // n_bump`` times, a random subset once more).
    2. The *surface point*, by ``selection_strategy``: ``"minority"``, one
       of the seed's ``k_neighbors`` nearest neighbours in its bump, drawn
       at random; ``"majority"``, the nearest normal sample (relevance
       below ``threshold``); ``"combined"``, both, keeping the closer one
       (the rare neighbour on a tie).
    3. A point uniform in the hyper-sphere centred at the seed whose surface
       passes through the surface point; with ``e`` the unit vector from the
       centre to the surface point and ``t`` the point's component along it
       (in radii), the sphere is *truncated*: for ``truncation_factor > 0``
       a point with ``t < truncation_factor - 1`` is reflected to ``-t``, so
       the half-sphere facing away from the surface point loses a cap (all
       of it at 1); for ``truncation_factor < 0`` a point with ``t >
       truncation_factor + 1`` is reflected, cutting the side facing the
       surface point. Then it is *deformed*: the component perpendicular to
       ``e`` is scaled by ``1 - deformation_factor``, from the sphere (0) to
       the segment along ``e`` (1). With ``truncation_factor=1`` and
       ``deformation_factor=1`` the points lie on the segment from the seed
       to the surface point, as in SMOTER.

    The sphere lives in the numeric features divided by their range over
    the data (the numeric part of the HEOM distance that also picks the
    neighbours), so the unit of a feature does not change its shape. Nominal
    features take the seed's or the surface point's category with
    probability 1/2. The target is the paper's (and SMOTER's) rule: the
    average of the seed's and the surface point's targets weighted by the
    inverse HEOM distances of the new sample to each, so it lies between the
    two targets (the mean when the new sample is both). Integer columns are
    rounded. A target of 2 or 3 columns has the bumps of :class:`SMOTER`
    and the same rule on the target vectors.

    Parameters
    ----------{_SHARED_DOC}
    k_neighbors : int, default=5
        Number of rare neighbours the surface point is drawn from
        (``"minority"`` and ``"combined"``); shrunk with a warning for a bump
        of ``k_neighbors`` samples or fewer. In a bump of one sample,
        ``"combined"`` uses the nearest normal sample and ``"minority"``
        copies the sample, with a warning.
    truncation_factor : float, default=1.0
        Truncation of the sphere, in [-1, 1]: 0 keeps the whole sphere, 1
        keeps the half-sphere facing the surface point, -1 the half facing
        away from it.
    deformation_factor : float, default=0.0
        Deformation, in [0, 1]: 0 keeps the sphere, 1 flattens it to the
        segment through the centre along the surface point's direction.
    selection_strategy : {{"combined", "minority", "majority"}}, default="combined"
        Where the surface point comes from (see above).
    categorical_features : "auto", array-like or None, default="auto"
        Nominal features (see :class:`SMOTER`).
    n_jobs : int, default=None
        Parallel jobs of the neighbour searches.{_RANDOM_STATE_DOC}

    Attributes
    ----------{_ATTR_DOC}
    seed_indices_ : ndarray of int
        For each synthetic row (in output order), the original row of its
        centre.
    surface_indices_ : ndarray of int
        For each synthetic row, the original row of its surface point (a
        rare neighbour or a normal sample; the centre itself for a copy).

    See Also
    --------
    SMOTER : Synthetic samples on segments (``truncation_factor=1``,
        ``deformation_factor=1``, ``selection_strategy="minority"`` here).
    CMixup : Mixing rows whose targets are close.

    Notes
    -----
    The defaults are those of the authors' ``geometric-smote`` package
    (truncation 1, deformation 0, combined selection, 5 neighbours); the
    paper tunes them by cross-validation, which a grid search over
    ``truncation_factor``, ``deformation_factor`` and
    ``selection_strategy`` does here. The paper publishes no code for the
    regression variant; the geometry follows ``geometric-smote``, the target
    rule the paper. A rare bump (a maximal run of rare targets) plays the
    role of the paper's rare set, as in :class:`SMOTER`. Departures from
    ``geometric-smote``: seeds take every rare member in turn (it draws them
    at random), the sphere is drawn in range-scaled features (it uses the
    raw ones), and a nominal feature takes the seed's or the surface point's
    category (its categorical variant takes the most frequent category of
    the seed's neighbours).

    References
    ----------
    .. [1] L. Camacho, G. Douzas and F. Bacao, "Geometric SMOTE for
       regression", Expert Systems with Applications 193, 116387, 2022.
    .. [2] G. Douzas and F. Bacao, "Geometric SMOTE a geometrically enhanced
       drop-in replacement for SMOTE", Information Sciences 501, 118-135,
       2019.

    Examples
    --------
    >>> import numpy as np
    >>> from skdir.resampling import GSMOTER
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = rng.exponential(size=300)
    >>> sampler = GSMOTER(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, sampler.sampling_strategy_
    ((300, 2), {{0: 150, 1: 150}})
    >>> seeds, surfaces = sampler.seed_indices_, sampler.surface_indices_
    >>> new = y_res[len(sampler.sample_indices_):]
    >>> bool(np.all((new >= np.minimum(y[seeds], y[surfaces]) - 1e-12)
    ...             & (new <= np.maximum(y[seeds], y[surfaces]) + 1e-12)))
    True
    """

    _parameter_constraints: dict = {
        **BaseBumpSampler._parameter_constraints,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "truncation_factor": [Interval(Real, -1, 1, closed="both")],
        "deformation_factor": [Interval(Real, 0, 1, closed="both")],
        "selection_strategy": [StrOptions({"combined", "minority", "majority"})],
        "categorical_features": [StrOptions({"auto"}), "array-like", None],
        "n_jobs": [Integral, None],
    }

    _selects_rows = False

    def __init__(
        self,
        *,
        sampling_strategy="balance",
        relevance="lds",
        threshold=0.5,
        label_space=None,
        k_neighbors=5,
        truncation_factor=1.0,
        deformation_factor=0.0,
        selection_strategy="combined",
        categorical_features="auto",
        n_jobs=None,
        random_state=None,
    ):
        self.sampling_strategy = sampling_strategy
        self.relevance = relevance
        self.threshold = threshold
        self.label_space = label_space
        self.k_neighbors = k_neighbors
        self.truncation_factor = truncation_factor
        self.deformation_factor = deformation_factor
        self.selection_strategy = selection_strategy
        self.categorical_features = categorical_features
        self.n_jobs = n_jobs
        self.random_state = random_state

    # ------------------------------------------------------------------
    def _record_unchanged(self, y, rare):
        super()._record_unchanged(y, rare)
        self.seed_indices_ = np.empty(0, dtype=np.intp)
        self.surface_indices_ = np.empty(0, dtype=np.intp)

    def _resample(self, data, y, relevance, rare, rng):
        self._seeds, self._surfaces = [], []
        # One embedding of every row, so that rare and normal rows share the
        # one-hot columns of the nominal features.
        self._ranges = _ranges(data.num)
        self._Z = heom_embedding(data, np.arange(y.shape[0]), self._ranges)
        self._normal = np.flatnonzero(~rare)
        self._normal_nn = None
        try:
            kept, synthetic = super()._resample(data, y, relevance, rare, rng)
            empty = np.empty(0, dtype=np.intp)
            self.seed_indices_ = np.concatenate([empty, *self._seeds])
            self.surface_indices_ = np.concatenate([empty, *self._surfaces])
        finally:
            for name in ("_seeds", "_surfaces", "_ranges", "_Z", "_normal",
                         "_normal_nn"):
                self.__dict__.pop(name, None)
        return kept, synthetic

    def _nearest_normal(self, rows):
        """Nearest normal sample of each row (HEOM) and its distance."""
        if self._normal_nn is None:
            self._normal_nn = NearestNeighbors(n_neighbors=1, n_jobs=self.n_jobs).fit(
                self._Z[self._normal]
            )
        dist, ind = self._normal_nn.kneighbors(self._Z[rows])
        return self._normal[ind[:, 0]], dist[:, 0]

    def _grow(self, data, y, bump, n_new, rng):
        name = type(self).__name__
        m = bump.size
        strategy = self.selection_strategy
        seeds = spread_seeds(m, n_new, rng)
        centre = bump[seeds]
        if m == 1 and strategy == "minority":
            warn_user(
                f"{name}: a rare bump has a single sample and no rare neighbour; "
                "its new samples are copies of it. Use selection_strategy="
                "'combined' or 'majority' to draw towards normal samples."
            )
            surface = centre.copy()
        else:
            if strategy != "majority" and m > 1:
                dist, ind = _neighbours(self._Z[bump], self.k_neighbors, self.n_jobs,
                                        name)
                pick = rng.randint(ind.shape[1], size=n_new)
                rare_surface = bump[ind[seeds, pick]]
                rare_dist = dist[seeds, pick]
            if strategy != "minority":
                used, inverse = np.unique(seeds, return_inverse=True)
                nearest, nearest_dist = self._nearest_normal(bump[used])
                normal_surface = nearest[inverse]
                normal_dist = nearest_dist[inverse]
            if strategy == "minority":
                surface = rare_surface
            elif strategy == "majority" or m == 1:
                surface = normal_surface
            else:  # the closer of the two; the rare one on a tie
                surface = np.where(rare_dist > normal_dist, normal_surface,
                                   rare_surface)
        self._seeds.append(centre)
        self._surfaces.append(surface)

        ranges = self._ranges
        x_centre = data.num[centre] / ranges
        x_surface = data.num[surface] / ranges
        point = geometric_points(x_centre, x_surface, float(self.truncation_factor),
                                 float(self.deformation_factor), rng)
        n_nom = data.nom.shape[1]
        take_surface = rng.uniform(size=(n_new, n_nom)) < 0.5
        src = np.where(take_surface, surface[:, None], centre[:, None])
        differs = data.nom[centre] != data.nom[surface]
        d_centre = np.sqrt(np.sum((point - x_centre) ** 2, axis=1)
                           + (differs & take_surface).sum(axis=1))
        d_surface = np.sqrt(np.sum((point - x_surface) ** 2, axis=1)
                            + (differs & ~take_surface).sum(axis=1))
        y_new = distance_weighted_target(d_centre, d_surface, y[centre], y[surface])
        return point * ranges, src, y_new
