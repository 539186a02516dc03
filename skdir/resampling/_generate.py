"""Vectorised generation of synthetic samples inside one rare bump."""

import numpy as np
from sklearn.neighbors import NearestNeighbors

from .._validation import warn_user
from ._bumps import spread_seeds

__all__ = ["interpolate_bump", "noise_bump", "heom_embedding",
           "half_median_distances", "distance_weighted_target"]


def _ranges(num):
    ranges = np.ptp(num, axis=0) if num.shape[0] else np.ones(num.shape[1])
    return np.where(ranges > 0, ranges, 1.0)


def heom_embedding(features, rows, ranges):
    """Points whose Euclidean distances are the HEOM distances of ``rows``.

    Numeric features are divided by their range over the whole data; each
    nominal feature is one-hot encoded and scaled by ``1 / sqrt(2)``, so that
    two different categories are at distance 1, as in the heterogeneous
    Euclidean-overlap metric (HEOM) of Wilson & Martinez.
    """
    parts = [features.num[rows] / ranges]
    for j in range(features.nom.shape[1]):
        codes, inverse = np.unique(features.nom[rows, j], return_inverse=True)
        onehot = np.zeros((rows.size, codes.size))
        onehot[np.arange(rows.size), inverse] = np.sqrt(0.5)
        parts.append(onehot)
    return np.hstack(parts) if len(parts) > 1 else parts[0]


def _neighbours(Z, k, n_jobs, name):
    m = Z.shape[0]
    k_eff = min(k, m - 1)
    if k_eff < k:
        warn_user(
            f"{name}: a rare bump has {m} samples, fewer than k_neighbors + 1 = "
            f"{k + 1}; using k_neighbors={k_eff} for it."
        )
    nn = NearestNeighbors(n_neighbors=k_eff + 1, n_jobs=n_jobs).fit(Z)
    dist, ind = nn.kneighbors(Z)
    return dist[:, 1:], ind[:, 1:]


#: Bumps up to this many members get the exact median of the distances from
#: each seed to all of them (SMOGN's safe distance).
MEDIAN_EXACT_MAX = 5000
#: Larger bumps estimate it from this many members drawn without replacement.
MEDIAN_SAMPLE_SIZE = 2000
#: Entries of a block of the seed-by-member distance matrix.
_BLOCK = 1 << 21


def half_median_distances(Z, rows, rng):
    """SMOGN's safe distance of the seeds ``Z[rows]``: half the median of
    their distances to every point of ``Z`` (the seed itself included, as in
    the reference code).

    With more than :data:`MEDIAN_EXACT_MAX` points the median is taken over
    :data:`MEDIAN_SAMPLE_SIZE` points drawn once without replacement with
    ``rng`` (the same sample for every seed). The distance matrix is computed
    in blocks of about ``2**21`` entries, so memory stays ``O(len(Z))``.
    """
    m = Z.shape[0]
    ref = Z if m <= MEDIAN_EXACT_MAX else Z[rng.choice(m, MEDIAN_SAMPLE_SIZE,
                                                      replace=False)]
    centre = ref.mean(axis=0)
    ref = ref - centre
    ref_sq = np.einsum("ij,ij->i", ref, ref)
    s = ref.shape[0]
    lo, hi = (s - 1) // 2, s // 2  # the two middle order statistics (equal if s odd)
    out = np.empty(rows.size)
    step = max(1, _BLOCK // s)
    for start in range(0, rows.size, step):
        block = Z[rows[start:start + step]] - centre
        block_sq = np.einsum("ij,ij->i", block, block)
        d2 = block @ ref.T
        d2 *= -2.0
        d2 += block_sq[:, None]
        d2 += ref_sq[None, :]
        part = np.partition(d2, hi, axis=1)
        mid = np.column_stack([part[:, :hi].max(axis=1) if lo < hi else part[:, hi],
                               part[:, hi]])
        # Rounding leaves tiny non-zero (or negative) squares for equal points:
        # make them 0 (a monotone map, so it commutes with the order statistic).
        tol = 1e-12 * max(block_sq.max(initial=0.0), ref_sq.max(initial=0.0))
        mid[mid <= tol] = 0.0
        out[start:start + step] = np.sqrt(mid).mean(axis=1)
    return out / 2.0


def interpolate_bump(features, y, bump, n_new, rng, *, k, n_jobs, safe, perturbation,
                     name):
    """SMOTER / SMOGN synthetic samples for one rare bump.

    Each new sample takes a seed (every member of the bump in turn, see
    :func:`spread_seeds`) and one of its ``k`` nearest neighbours in the bump
    (HEOM distance), drawn at random.

    - Interpolation: numeric features ``x_s + u (x_n - x_s)`` with ``u ~
      U(0, 1)``; each nominal feature takes the seed's or the neighbour's
      category with probability 1/2; the target is the average of the two
      targets weighted by the inverse HEOM distances of the new sample to
      the seed (``d_s``) and to the neighbour (``d_n``):
      ``(d_n y_s + d_s y_n) / (d_s + d_n)`` (the mean when both are 0).
    - With ``safe=True`` (SMOGN, as UBL's ``SMOGNRegress``), the safe
      distance of a seed is half the median of its distances to all members
      of the bump (:func:`half_median_distances`); a neighbour closer than
      that (strictly) gives an interpolation, any other the seed plus
      Gaussian noise: each numeric feature and the target get noise of
      standard deviation ``min(perturbation, safe distance)`` times their
      standard deviation within the bump (``ddof=1``, R's ``sd``), and each
      nominal feature takes the category of a member of the bump drawn at
      random (so with the frequencies of the bump).

    Returns
    -------
    num, src, y_new : the synthetic numeric features, the original row of
        each nominal value, and the synthetic targets.
    n_interpolated : int
        How many of them were interpolated (the others are noise, or copies
        for a bump of one sample).
    seed_rows, neighbor_rows : ndarray of int
        The original row of each new sample's seed and of its drawn
        neighbour (the seed itself for a bump of one sample).
    """
    m = bump.size
    n_nom = features.nom.shape[1]
    if m == 1:
        warn_user(
            f"{name}: a rare bump has a single sample and no neighbour; its new "
            "samples are copies of it."
        )
        seeds = np.zeros(n_new, dtype=np.intp)
        return (features.num[bump[seeds]], np.repeat(bump[seeds][:, None],
                n_nom, axis=1), y[bump[seeds]], 0, bump[seeds], bump[seeds])
    ranges = _ranges(features.num)
    Z = heom_embedding(features, bump, ranges)
    dist, ind = _neighbours(Z, k, n_jobs, name)
    seeds = spread_seeds(m, n_new, rng)
    pick = rng.randint(ind.shape[1], size=n_new)
    partners = ind[seeds, pick]
    steps = rng.uniform(size=n_new)
    take_partner = rng.uniform(size=(n_new, n_nom)) < 0.5

    g_seed, g_partner = bump[seeds], bump[partners]
    x_seed = features.num[g_seed]
    diff = features.num[g_partner] - x_seed
    num = x_seed + steps[:, None] * diff
    src = np.where(take_partner, g_partner[:, None], g_seed[:, None])

    differs = features.nom[g_seed] != features.nom[g_partner]
    d_num2 = np.einsum("ij,ij->i", diff / ranges, diff / ranges)
    d_seed = np.sqrt(steps**2 * d_num2 + (differs & take_partner).sum(axis=1))
    d_part = np.sqrt((1 - steps) ** 2 * d_num2 + (differs & ~take_partner).sum(axis=1))
    y_new = distance_weighted_target(d_seed, d_part, y[g_seed], y[g_partner])
    if not safe:
        return num, src, y_new, n_new, g_seed, g_partner
    used = np.unique(seeds)
    safe_dist = np.zeros(m)
    safe_dist[used] = half_median_distances(Z, used, rng)
    unsafe = ~(dist[seeds, pick] < safe_dist[seeds])
    n_unsafe = int(unsafe.sum())
    if n_unsafe:
        sigma = np.minimum(perturbation, safe_dist[seeds[unsafe]])
        n_num, n_y = _noise(features.num[bump], y[bump], seeds[unsafe], sigma, rng,
                            ddof=1)
        num[unsafe] = n_num
        y_new[unsafe] = n_y
        src[unsafe] = bump[rng.randint(m, size=(n_unsafe, n_nom))]
    return num, src, y_new, n_new - n_unsafe, g_seed, g_partner


def distance_weighted_target(d_seed, d_part, y_seed, y_part):
    """SMOTER's target of a synthetic sample at distances ``d_seed`` and
    ``d_part`` from the seed and the partner: the average of their targets
    weighted by the inverse distances, ``(d_part y_seed + d_seed y_part) /
    (d_seed + d_part)`` (the mean when both distances are 0). Targets of
    shape ``(n, n_outputs)`` are averaged row by row with the same weights,
    so each new target lies on the segment between the two target vectors."""
    if np.ndim(y_seed) == 2:
        d_seed, d_part = d_seed[:, None], d_part[:, None]
    total = d_seed + d_part
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            total > 0, (d_part * y_seed + d_seed * y_part) / total,
            0.5 * (y_seed + y_part),
        )


def _noise(num_b, y_b, seeds, pert, rng, ddof=0):
    """Seeds plus Gaussian noise of standard deviation ``pert`` times each
    feature's (and each target column's) standard deviation within the bump."""
    std = num_b.std(axis=0, ddof=ddof)
    pert = np.broadcast_to(np.asarray(pert, dtype=float), seeds.shape)
    num = num_b[seeds] + rng.standard_normal((seeds.size, num_b.shape[1])) * (
        pert[:, None] * std
    )
    if y_b.ndim == 1:
        y_new = y_b[seeds] + rng.standard_normal(seeds.size) * (
            pert * y_b.std(ddof=ddof)
        )
    else:
        y_new = y_b[seeds] + rng.standard_normal((seeds.size, y_b.shape[1])) * (
            pert[:, None] * y_b.std(axis=0, ddof=ddof)
        )
    return num, y_new


def noise_bump(features, y, bump, n_new, rng, *, perturbation):
    """Gaussian-noise synthetic samples for one rare bump (Branco et al.).

    Every member of the bump serves as seed in turn; numeric features and the
    target get Gaussian noise of standard deviation ``perturbation`` times
    their standard deviation within the bump; nominal features keep the
    seed's category.
    """
    seeds = spread_seeds(bump.size, n_new, rng)
    num, y_new = _noise(features.num[bump], y[bump], seeds, perturbation, rng)
    src = np.repeat(bump[seeds][:, None], features.nom.shape[1], axis=1)
    return num, src, y_new
