"""Bumps of rare and normal targets, and how many samples each should get."""

from numbers import Integral, Real

import numpy as np

from ..bins import _check_dense_grid

__all__ = ["find_bumps", "find_joint_bumps", "bump_targets", "spread_seeds"]


def find_bumps(y, rare):
    """Split the samples into maximal runs of rare or normal targets along y.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    rare : ndarray of bool, shape (n_samples,)

    Returns
    -------
    bumps : list of ndarray of int
        Sample indices of each bump, sorted by y; bumps in increasing y.
    is_rare : ndarray of bool, shape (n_bumps,)
    """
    order = np.argsort(y, kind="stable")
    flags = rare[order]
    starts = np.flatnonzero(np.r_[True, flags[1:] != flags[:-1]])
    bumps = np.split(order, starts[1:])
    return bumps, flags[starts]


def find_joint_bumps(y, rare, label_space, threshold):
    """Bumps of a multi-output target: connected rare or normal regions of
    the joint grid of ``label_space``.

    A cell of the grid is rare when its rarity (``bin_rarity_``) is at least
    ``threshold``, normal otherwise; a cell that holds a rare (normal) sample
    also counts as rare (normal), which only matters when a sample's
    relevance differs from its cell's (``density="kde"``, or a sample outside
    a frozen label space's range, placed in the nearest cell). A rare bump is
    the set of rare samples whose cells lie in one connected region of rare
    cells, cells being connected when they share a face (empty cells
    included, as an empty stretch of targets does not split a run of rare
    targets in one dimension); normal bumps likewise. On one column these
    would be the runs of :func:`find_bumps`, except that an empty cell of
    the other kind between two targets would separate them.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_outputs)
    rare : ndarray of bool, shape (n_samples,)
    label_space : LabelSpace
        Fitted on ``n_outputs`` columns.
    threshold : float

    Returns
    -------
    bumps : list of ndarray of int
        Sample indices of each bump, in lexicographic order of their target
        rows (first column first); bumps in the lexicographic order of their
        smallest target row.
    is_rare : ndarray of bool, shape (n_bumps,)
    """
    from scipy import ndimage

    _check_dense_grid(label_space, "The rare regions of a multi-output sampler")
    shape = label_space.bin_shape_
    cell = label_space._index(y)
    cell_rare = label_space.bin_rarity_ >= threshold
    rare_mask, normal_mask = cell_rare.copy(), ~cell_rare
    rare_mask[cell[rare]] = True
    normal_mask[cell[~rare]] = True
    rare_label = ndimage.label(rare_mask.reshape(shape))[0].ravel()
    normal_label = ndimage.label(normal_mask.reshape(shape))[0].ravel()
    # Rare regions get labels 1, 2, ...; normal ones 0, -1, -2, ...
    region = np.where(rare, rare_label[cell], 1 - normal_label[cell])
    order = np.lexsort(y.T[::-1])
    region_sorted = region[order]
    labels, first = np.unique(region_sorted, return_index=True)
    rank = np.empty(labels.size, dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(labels.size)
    bump_of = rank[np.searchsorted(labels, region_sorted)]
    grouped = np.argsort(bump_of, kind="stable")
    sizes = np.bincount(bump_of, minlength=labels.size)
    bumps = np.split(order[grouped], np.cumsum(sizes)[:-1])
    is_rare = np.array([bool(rare[b[0]]) for b in bumps])
    return bumps, is_rare


def bump_targets(strategy, sizes, is_rare, kind="both"):
    """Number of samples each bump should have after resampling.

    Parameters
    ----------
    strategy : {"balance", "balance_over", "extreme"}, float in (0, 1) or dict
        ``"balance"``: every bump gets ``n / n_bumps`` samples.
        ``"balance_over"``: every rare bump grows to the mean size of the
        normal bumps and every normal bump keeps its size, whatever ``kind``
        (an error for ``kind="under"``). ``"extreme"``:
        bump ``i`` gets ``b^2 / n_i`` scaled to total ``n`` (``b = n /
        n_bumps``), so that small bumps end up larger than large ones, as in
        the SMOGN reference code. A float ``p``: the output has ``n`` samples,
        a share ``p`` of them rare; rare (normal) bumps share the rare
        (normal) samples in proportion to their sizes. Rare bumps never
        shrink and normal bumps never grow under these three. A dict
        ``{bump: count}`` sets the counts of the bumps it names, as given; the
        others are unchanged.
    sizes : ndarray of int, shape (n_bumps,)
    is_rare : ndarray of bool, shape (n_bumps,)
    kind : {"both", "over", "under"}
        ``"both"`` never shrinks a rare bump nor grows a normal one (the
        SMOGN reference code also over-samples normal bumps smaller than
        ``n / n_bumps``); ``"over"`` scales the targets so that the normal bumps keep their size
        and only rare bumps grow; ``"under"`` so that the rare bumps keep
        their size and only normal bumps shrink. The rare-to-normal ratio is
        that of ``"both"``.

    Returns
    -------
    targets : ndarray of int, shape (n_bumps,)
    """
    sizes = np.asarray(sizes, dtype=float)
    have = sizes.astype(int).tolist()
    n, n_bumps = sizes.sum(), sizes.size
    if isinstance(strategy, dict):
        targets = sizes.copy()
        for key, value in strategy.items():
            if isinstance(key, bool) or not isinstance(key, Integral) or not (
                0 <= key < n_bumps
            ):
                raise ValueError(
                    f"sampling_strategy keys must be bump indices in [0, {n_bumps}), "
                    f"got {key!r}; see the fitted bumps_ attribute."
                )
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
                raise ValueError(
                    f"sampling_strategy values must be non-negative integers, got "
                    f"{value!r} for bump {key}."
                )
            targets[key] = value
        targets = targets.astype(np.intp)
        if kind == "over" and np.any(targets < sizes):
            raise ValueError(
                "An over-sampler cannot shrink bumps: sampling_strategy asks for "
                f"{targets.tolist()} samples, the bumps have {have}."
            )
        if kind == "under" and np.any(targets > sizes):
            raise ValueError(
                "An under-sampler cannot grow bumps: sampling_strategy asks for "
                f"{targets.tolist()} samples, the bumps have {have}."
            )
        return targets
    if isinstance(strategy, str) and strategy == "balance_over":
        if kind == "under":
            raise ValueError(
                "sampling_strategy='balance_over' only grows the rare bumps, and an "
                "under-sampler cannot grow bumps; use 'balance' or a float."
            )
        strategy, kind = "balance", "over"
    if isinstance(strategy, str) and strategy == "balance":
        targets = np.full(n_bumps, n / n_bumps)
    elif isinstance(strategy, str) and strategy == "extreme":
        b = n / n_bumps
        obj = b * b / sizes
        targets = obj * (n / obj.sum())
    elif isinstance(strategy, Real):
        targets = np.empty(n_bumps)
        targets[is_rare] = strategy * n * sizes[is_rare] / sizes[is_rare].sum()
        targets[~is_rare] = (1 - strategy) * n * sizes[~is_rare] / sizes[~is_rare].sum()
    else:
        raise ValueError(f"Unknown sampling_strategy {strategy!r}.")
    if kind == "both":
        grown, shrunk = np.maximum(targets, sizes), np.minimum(targets, sizes)
        targets = np.where(is_rare, grown, shrunk)
    elif kind == "over":
        targets = targets * (sizes[~is_rare].sum() / targets[~is_rare].sum())
        targets = np.where(is_rare, np.maximum(targets, sizes), sizes)
    elif kind == "under":
        targets = targets * (sizes[is_rare].sum() / targets[is_rare].sum())
        targets = np.where(is_rare, sizes, np.minimum(targets, sizes))
    return np.rint(targets).astype(np.intp)


def spread_seeds(m, n_new, rng):
    """Seeds for ``n_new`` new samples from a bump of ``m``: every member
    ``n_new // m`` times, plus ``n_new % m`` distinct members at random."""
    full, rest = divmod(int(n_new), int(m))
    extra = rng.choice(m, size=rest, replace=False) if rest else np.empty(0, np.intp)
    return np.concatenate([np.tile(np.arange(m), full), extra]).astype(np.intp)
