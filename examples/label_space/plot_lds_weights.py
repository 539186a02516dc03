"""
=============================================
Empirical vs effective label density and LDS
=============================================

A long-tailed integer target ("ages"), its empirical label density, the
effective density after label distribution smoothing (LDS) with three kernels,
and the per-sample weights that :class:`~skdir.LDSWeighter` derives from it,
all read from one fitted :class:`~skdir.LabelSpace`.
"""

# %%
# Data: integer targets with a long upper tail
# --------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from skdir import LabelSpace, LDSWeighter, kernel_window

rng = np.random.RandomState(0)
y = np.round(rng.gamma(shape=2.0, scale=7.0, size=3000))

space = LabelSpace(bin_width=1).fit(y)
print(f"{space.n_bins_} bins, {int((space.counts_ == 0).sum())} of them empty")

# %%
# The kernel windows
# ------------------
# The same windows serve LDS (normalised to a peak of 1) and FDS (normalised
# to sum to 1).
fig, ax = plt.subplots(figsize=(6, 3), layout="constrained")
offsets = np.arange(-4, 5)
for kernel in ("gaussian", "triang", "laplace"):
    ax.plot(offsets, kernel_window(kernel, ks=9, sigma=2), "o-", label=kernel)
ax.set_xlabel("offset in bins")
ax.set_ylabel("window")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)  # outside the data

# %%
# Empirical vs effective density
# ------------------------------
# A fitted label space convolves its counts with its window
# (``effective_counts_``); the empty bins in the tail get a positive effective
# density from their neighbours.
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
ax.bar(space.centers_, space.counts_, width=1, color="0.8", label="empirical")
for kernel in ("gaussian", "triang", "laplace"):
    sigma = None if kernel == "triang" else 2  # the triangle has no width
    smoothed = LabelSpace(bin_width=1, kernel=kernel, ks=5, sigma=sigma).fit(y)
    effective = smoothed.effective_counts_
    ax.plot(space.centers_, effective / effective.sum() * space.counts_.sum(),
            label=f"effective ({kernel})")
ax.set_xlabel("target")
ax.set_ylabel("samples per bin")
ax.set_yscale("symlog", linthresh=1)
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)  # outside the data

# %%
# The weights
# -----------
# Inverse and square-root inverse weighting, with and without LDS, for the
# bins that hold training samples. The weights average 1 over the training
# targets. Without LDS they jump with the sampling noise of the counts; with
# LDS they follow the smoothed density. Isolated samples far in the tail
# have no neighbours to share density with, so relative to the (now denser)
# bulk their weight grows: compare the largest per-sample weights printed
# below. The fitted label space is used by every weighter as given.
filled = space.counts_ > 0
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for reweight, lds, style in [
    ("sqrt_inv", False, ":"),
    ("sqrt_inv", True, "-"),
    ("inverse", False, ":"),
    ("inverse", True, "-"),
]:
    weighter = LDSWeighter(label_space=space, reweight=reweight, lds=lds).fit(y)
    ax.plot(space.centers_[filled], weighter.bin_weights_[filled], style,
            label=f"{reweight}, lds={lds}")
    weights = weighter.transform(y)
    print(f"{reweight:>8}, lds={lds!s:<5}: largest sample weight "
          f"{weights.max():6.2f}, median {np.median(weights):.2f}, "
          f"mean {weights.mean():.3f}")
ax.set_yscale("log")
ax.set_xlabel("target")
ax.set_ylabel("weight per sample")
ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)  # outside the data
plt.show()
