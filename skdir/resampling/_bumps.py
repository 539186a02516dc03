"""Bumps of rare and normal targets, and how many samples each should get."""

from numbers import Integral, Real

import numpy as np

__all__ = ["find_bumps", "bump_targets", "spread_seeds"]


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
