"""
===============================================
Geometric SMOTE and C-Mixup for a rare target
===============================================

Two ways to make rare samples that SMOTER's segments do not reach:
:class:`~skdir.resampling.GSMOTER` draws them inside a truncated, deformed
hyper-sphere around each rare seed, and :class:`~skdir.resampling.CMixup`
mixes each rare seed with a row whose *target* is close to its own. The
figures show where the synthetic points land in feature space, the target
histogram before and after, and the partners C-Mixup chooses; the table
gives the shot-wise errors of a regressor fitted after each sampler.
"""

# %%
# Data
# ----
# Two features, so that the geometry can be seen; the target grows
# exponentially with the first one, so its high values are rare.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.pipeline import Pipeline
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import train_test_split

from skdir import LabelSpace
from skdir.metrics import shot_metrics
from skdir.resampling import SMOTER, CMixup, GSMOTER

rng = np.random.RandomState(0)
n = 2000
X = rng.normal(size=(n, 2))
y = np.exp(0.8 * X[:, 0] + 0.2 * X[:, 1] + 0.2 * rng.normal(size=n))
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
space = LabelSpace(n_bins=30, strategy="uniform", many_threshold=50, few_threshold=10)
space.fit(y_train)

# %%
# Where G-SMOTER puts its points
# ------------------------------
# The same rare seeds, three geometries: the whole sphere through the
# surface point (truncation 0, deformation 0), the half facing the surface
# point (truncation 1, the default), and the segment to it (truncation 1,
# deformation 1, SMOTER's).
settings = {
    "sphere (0, 0)": dict(truncation_factor=0.0, deformation_factor=0.0),
    "half-sphere (1, 0)": dict(truncation_factor=1.0, deformation_factor=0.0),
    "segment (1, 1)": dict(truncation_factor=1.0, deformation_factor=1.0),
}
fig, axes = plt.subplots(1, 3, figsize=(9, 3.2), sharex=True, sharey=True)
for ax, (name, params) in zip(axes, settings.items()):
    sampler = GSMOTER(label_space=space, selection_strategy="minority",
                      random_state=0, **params)
    X_res, y_res = sampler.fit_resample(X_train, y_train)
    rare = sampler.relevance_ >= sampler.threshold
    new = X_res[len(sampler.sample_indices_):]
    ax.scatter(*X_train[~rare].T, s=3, color="0.8", label="normal")
    ax.scatter(*new.T, s=4, color="C1", label="synthetic")
    ax.scatter(*X_train[rare].T, s=8, color="C3", label="rare")
    ax.set_title(f"{name}: {len(new)} new", fontsize=9)
    ax.set_xlabel("feature 0")
axes[0].set_ylabel("feature 1")
axes[0].legend(loc="lower left", fontsize=8, markerscale=2)
fig.tight_layout()

# %%
# Before and after
# ----------------
# With ``sampling_strategy="balance"`` (the default) the rare bump grows to
# the size of the normal one, which shrinks to keep ``n`` rows.
samplers = {
    "SMOTER": SMOTER(label_space=space, random_state=0),
    "GSMOTER": GSMOTER(label_space=space, random_state=0),
    "CMixup": CMixup(label_space=space, random_state=0),
}
edges = np.linspace(y_train.min(), y_train.max(), 40)
fig, axes = plt.subplots(1, 3, figsize=(9, 2.8), sharey=True)
for ax, (name, sampler) in zip(axes, samplers.items()):
    X_res, y_res = sampler.fit_resample(X_train, y_train)
    ax.hist(y_train, bins=edges, color="0.8", label="before")
    ax.hist(y_res, bins=edges, histtype="step", color="C3", lw=1.5, label="after")
    ax.set_title(name, fontsize=9)
    ax.set_xlabel("target")
axes[0].legend()
fig.tight_layout()

# %%
# C-Mixup's partners
# ------------------
# A partner is drawn with probability proportional to
# ``exp(-(y_j - y_seed)^2 / (2 bandwidth^2))``; the bandwidth is one bin of
# the label space. The histogram of the target gaps
# between seed and partner follows the kernel weighted by how many targets
# lie at each gap (few above a rare seed, many below it). The spike at 0 is
# the seed itself, a partner as in the reference code: in the sparse tail few
# targets lie within a bandwidth of a seed, so many rows are copies; a
# larger ``bandwidth`` mixes more. The mixing weight ``lambda`` follows
# Beta(2, 2).
mix = samplers["CMixup"]
gap = y_train[mix.partner_indices_] - y_train[mix.seed_indices_]
fig, axes = plt.subplots(1, 2, figsize=(8, 2.8))
axes[0].hist(gap / mix.bandwidth_, bins=40, color="C0")
axes[0].set_xlabel("partner target - seed target (bandwidths)")
axes[0].set_title(f"bandwidth_ = {mix.bandwidth_:.3f}", fontsize=9)
axes[1].hist(mix.mixing_weights_, bins=30, color="C2")
axes[1].set_xlabel("lambda (the seed's weight)")
fig.tight_layout()

# %%
# In a pipeline
# -------------
# A gradient-boosting regressor after each sampler, scored once on the test
# split by shot group (bins and thresholds of the label space fitted on the
# training targets). This compares the samplers with their defaults on one
# split; choose a sampler and its settings on inner folds of the training
# data (:func:`~skdir.model_selection.make_recipe_search`).
rows = {}
for name, sampler in {"no resampling": None, **samplers}.items():
    steps = [("sampler", sampler)] if sampler is not None else []
    model = Pipeline(
        steps + [("model", HistGradientBoostingRegressor(max_iter=60, random_state=0))]
    )
    pred = model.fit(X_train, y_train).predict(X_test)
    res = shot_metrics(y_test, pred, label_space=space)
    rows[name] = {f"MAE {g}": res[g]["mae"] for g in ("all", "many", "medium", "few")}
print(pd.DataFrame(rows).T.round(3))
plt.show()
