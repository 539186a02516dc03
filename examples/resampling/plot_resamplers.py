"""
=====================================================
Resampling a continuous target: before and after
=====================================================

The samplers of :mod:`skdir.resampling` on a long-tailed target: the
relevance that decides which targets are rare, the target histogram before
and after each sampler, and the shot-wise errors of a regressor fitted after
each of them in an :class:`imblearn.pipeline.Pipeline`.
"""

# %%
# Data and relevance
# ------------------
# The LDS relevance (the default) compares the smoothed label density with a
# uniform one; the box-plot relevance of the SMOGN paper and code rises from
# the median to the whiskers of R's box plot (Tukey's hinges) on a side with
# outliers. Targets with relevance >= 0.5 are rare.
# The LDS relevance reads its bins and kernel from a label space: one with
# 30 equal-width bins serves the relevance, every sampler and the shot groups.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.pipeline import Pipeline
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import train_test_split

from skdir import LabelSpace
from skdir.metrics import shot_metrics
from skdir.relevance import LDSRelevance, PhiRelevance
from skdir.resampling import (
    SMOGN,
    SMOTER,
    WERCS,
    GaussianNoise,
    RandomOverSampler,
    RandomUnderSampler,
)

rng = np.random.RandomState(0)
n = 2000
X = rng.normal(size=(n, 4))
y = np.exp(0.6 * X[:, 0] + 0.3 * X[:, 1] + 0.3 * rng.normal(size=n))
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

grid = np.linspace(y_train.min(), y_train.max(), 400)
space = LabelSpace(n_bins=30, strategy="uniform", many_threshold=50, few_threshold=10)
space.fit(y_train)
lds = LDSRelevance(label_space=space).fit(y_train)
phi = PhiRelevance().fit(y_train)
fig, ax = plt.subplots(figsize=(7, 3))
ax.hist(y_train, bins=60, color="0.85", density=True)
ax2 = ax.twinx()
ax2.plot(grid, lds.transform(grid), label="LDS relevance")
ax2.plot(grid, phi.transform(grid), label="box-plot relevance (phi)")
ax2.axhline(0.5, color="0.4", ls=":", lw=1)
ax2.set_ylabel("relevance")
ax.set_xlabel("target")
ax2.legend(loc="center right")
fig.tight_layout()

# %%
# Before and after
# ----------------
samplers = {
    "RandomOverSampler": RandomOverSampler(label_space=space, random_state=0),
    "RandomUnderSampler": RandomUnderSampler(label_space=space, random_state=0),
    "SMOTER": SMOTER(label_space=space, random_state=0),
    "SMOGN": SMOGN(label_space=space, random_state=0),
    "GaussianNoise": GaussianNoise(label_space=space, random_state=0),
    "WERCS": WERCS(label_space=space, random_state=0),
}
edges = np.linspace(y_train.min(), y_train.max(), 40)
fig, axes = plt.subplots(2, 3, figsize=(9, 5), sharex=True)
for ax, (name, sampler) in zip(axes.ravel(), samplers.items()):
    X_res, y_res = sampler.fit_resample(X_train, y_train)
    ax.hist(y_train, bins=edges, color="0.8", label="before")
    ax.hist(y_res, bins=edges, histtype="step", color="C3", lw=1.5, label="after")
    ax.set_title(f"{name} ({len(y_res)} rows)", fontsize=9)
axes[0, 0].legend()
fig.supxlabel("target")
fig.tight_layout()

# %%
# In a pipeline
# -------------
# A sampler acts only while the pipeline is fitted; predictions use the
# test data as they are. The shot groups come from the original training
# targets: the fitted label space, used as it is.
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
