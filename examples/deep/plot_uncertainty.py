"""
=========================================
Predictive intervals, per shot group
=========================================

``DIRRegressor(uncertainty="gaussian")`` adds a variance head to the
network: next to its prediction ``m`` it predicts a standard deviation
``s``, trained by the Gaussian likelihood of the target around the
(detached) prediction. ``predict(X, return_std=True)`` returns both in the
units of ``y``, and :func:`~skdir.nn.interval_coverage` tells how often the
target falls inside ``m +- 1.96 s``: about 95 % for a calibrated model, in
every shot group.

The data are long-tailed and heteroscedastic: the noise grows with one of
the features, and the rare large targets are harder to predict. The same
network is trained without and with LDS weights (``reweight="sqrt_inv",
lds=True``); the weights multiply the likelihood as they multiply the loss.
"""

# %%
# Data and models
# ---------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from skdir import LabelSpace
from skdir.nn import DIRRegressor, interval_coverage

rng = np.random.RandomState(0)
n = 2000
X = rng.normal(size=(n, 4))
noise = 0.3 + 0.4 * np.abs(X[:, 2])
y = 3 * np.exp(0.8 * X[:, 0]) + X[:, 1] + noise * rng.normal(size=n)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
space = LabelSpace(n_bins=25, many_threshold=60, few_threshold=15)

models = {
    "plain": DIRRegressor(uncertainty="gaussian", label_space=space, batch_size="auto",
                          random_state=0),
    "SQRT_INV + LDS": DIRRegressor(uncertainty="gaussian", label_space=space,
                                   reweight="sqrt_inv", lds=True, batch_size="auto",
                                   random_state=0),
}
results = {}
for name, model in models.items():
    mean, std = model.fit(X_train, y_train).predict(X_test, return_std=True)
    results[name] = mean, std
    coverage = interval_coverage(y_test, mean, std, label_space=model.label_space_)
    print(f"{name:15s}", {group: round(c, 3) for group, c in coverage.items()})

# %%
# Coverage and width per shot group
# ---------------------------------
# The intervals widen where the targets are rare (the few-shot bins): the
# variance head learns that the mean is less accurate there. Coverage that
# falls below 95 % in a group means the intervals there are too narrow.
groups = models["plain"].label_space_.shot_of(y_test)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
width = 0.38
for i, (name, (mean, std)) in enumerate(results.items()):
    coverage = interval_coverage(y_test, mean, std, label_space=models[name].label_space_)
    shots = ["many", "medium", "few"]
    ax1.bar(np.arange(3) + (i - 0.5) * width, [coverage[g] for g in shots], width,
            label=name)
    ax2.bar(np.arange(3) + (i - 0.5) * width,
            [np.median(2 * 1.96 * std[groups == g]) for g in shots], width, label=name)
for ax, title in ((ax1, "coverage of m ± 1.96 s"), (ax2, "median interval width")):
    ax.set_xticks(range(3), ["many", "medium", "few"])
    ax.set_title(title)
ax1.axhline(0.95, color="k", lw=0.8, ls="--")
ax1.set_ylim(0.5, 1.0)
ax2.legend(loc="upper left")
fig.tight_layout()
plt.show()
