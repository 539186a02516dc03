"""Vectorised generation of synthetic samples inside one rare bump."""

import warnings

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ._bumps import spread_seeds

__all__ = ["interpolate_bump", "noise_bump", "heom_embedding"]


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
        warnings.warn(
            f"{name}: a rare bump has {m} samples, fewer than k_neighbors + 1 = "
            f"{k + 1}; using k_neighbors={k_eff} for it.",
            UserWarning,
            stacklevel=5,
        )
    nn = NearestNeighbors(n_neighbors=k_eff + 1, n_jobs=n_jobs).fit(Z)
    dist, ind = nn.kneighbors(Z)
    return dist[:, 1:], ind[:, 1:]


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
    - With ``safe=True`` (SMOGN), when the neighbour lies farther than half
      the median distance of the seed to its ``k`` neighbours, the new sample
      is the seed plus Gaussian noise instead (:func:`noise_bump`) with
      ``min(perturbation, safe distance)``, as in Branco et al. (2017).

    Returns
    -------
    num, src, y_new : the synthetic numeric features, the original row of
        each nominal value, and the synthetic targets.
    """
    m = bump.size
    if m == 1:
        warnings.warn(
            f"{name}: a rare bump has a single sample and no neighbour; its new "
            "samples are copies of it.",
            UserWarning,
            stacklevel=4,
        )
        seeds = np.zeros(n_new, dtype=np.intp)
        return (features.num[bump[seeds]], np.repeat(bump[seeds][:, None],
                features.nom.shape[1], axis=1), y[bump[seeds]])
    ranges = _ranges(features.num)
    Z = heom_embedding(features, bump, ranges)
    dist, ind = _neighbours(Z, k, n_jobs, name)
    seeds = spread_seeds(m, n_new, rng)
    pick = rng.randint(ind.shape[1], size=n_new)
    partners = ind[seeds, pick]
    steps = rng.uniform(size=n_new)
    take_partner = rng.uniform(size=(n_new, features.nom.shape[1])) < 0.5

    g_seed, g_partner = bump[seeds], bump[partners]
    x_seed = features.num[g_seed]
    diff = features.num[g_partner] - x_seed
    num = x_seed + steps[:, None] * diff
    src = np.where(take_partner, g_partner[:, None], g_seed[:, None])

    differs = features.nom[g_seed] != features.nom[g_partner]
    d_num2 = np.einsum("ij,ij->i", diff / ranges, diff / ranges)
    d_seed = np.sqrt(steps**2 * d_num2 + (differs & take_partner).sum(axis=1))
    d_part = np.sqrt((1 - steps) ** 2 * d_num2 + (differs & ~take_partner).sum(axis=1))
    total = d_seed + d_part
    y_s, y_p = y[g_seed], y[g_partner]
    with np.errstate(invalid="ignore", divide="ignore"):
        y_new = np.where(
            total > 0, (d_part * y_s + d_seed * y_p) / total, 0.5 * (y_s + y_p)
        )
    if safe:
        safe_dist = np.median(dist, axis=1) / 2.0
        unsafe = dist[seeds, pick] > safe_dist[seeds]
        if unsafe.any():
            sigma = np.minimum(perturbation, safe_dist[seeds[unsafe]])
            n_num, n_y = _noise(features.num[bump], y[bump], seeds[unsafe], sigma, rng)
            num[unsafe] = n_num
            y_new[unsafe] = n_y
            src[unsafe] = g_seed[unsafe][:, None]
    return num, src, y_new


def _noise(num_b, y_b, seeds, pert, rng):
    """Seeds plus Gaussian noise of standard deviation ``pert`` times each
    feature's (and the target's) standard deviation within the bump."""
    std = num_b.std(axis=0)
    pert = np.broadcast_to(np.asarray(pert, dtype=float), seeds.shape)
    num = num_b[seeds] + rng.standard_normal((seeds.size, num_b.shape[1])) * (
        pert[:, None] * std
    )
    y_new = y_b[seeds] + rng.standard_normal(seeds.size) * (pert * y_b.std())
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
