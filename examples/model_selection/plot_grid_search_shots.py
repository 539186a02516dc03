"""
==================================================
Grid search for the rare targets with shot scorers
==================================================

:func:`~skdir.metrics.shot_scorers` gives a scorer per shot group. A grid
search over the LDS parameters refits the candidate that is best on the
few-shot targets, with folds stratified on the binned target by
:class:`~skdir.model_selection.BinnedStratifiedKFold`.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV

from skdir import LabelSpace, LDSWeighter, ReweightedRegressor
from skdir.metrics import shot_scorers
from skdir.model_selection import BinnedStratifiedKFold

rng = np.random.RandomState(0)
n = 1500
X = rng.normal(size=(n, 4))
y = np.exp(0.7 * X[:, 0]) + 0.5 * X[:, 1] + 0.2 * rng.normal(size=n)

# One unfitted label space: the weighter, the scorers and the splitter each
# fit it on the training targets of every fold.
space = LabelSpace(n_bins=20, many_threshold=60, few_threshold=15)
scoring = shot_scorers(["mae"], label_space=space)
search = GridSearchCV(
    ReweightedRegressor(Ridge(), LDSWeighter(label_space=space)),
    [
        # Unweighted: LDS has no effect and is switched off.
        {"weighter__reweight": ["none"], "weighter__lds": [False]},
        {
            "weighter__reweight": ["sqrt_inv", "inverse"],
            "weighter__label_space__sigma": [1.0, 3.0],
        },
    ],
    scoring=scoring,
    refit="neg_mae_few",
    cv=BinnedStratifiedKFold(
        n_splits=4, label_space=space, shuffle=True, random_state=0
    ),
).fit(X, y)

print("best on the few-shot targets:", search.best_params_)
columns = [f"mean_test_neg_mae_{g}" for g in ("all", "many", "medium", "few")]
results = pd.DataFrame(search.cv_results_)
results.index = [
    f"{p['weighter__reweight']}, sigma={p['weighter__label_space__sigma']:g}"
    if "weighter__label_space__sigma" in p else p["weighter__reweight"]
    for p in results["params"]
]
table = -results[columns]
table.columns = ["MAE all", "MAE many", "MAE medium", "MAE few"]
print(table.round(3))

# %%
# The trade-off
# -------------
# Each candidate's MAE on the many-shot and on the few-shot targets: one
# colour per weighting, a filled dot for LDS ``sigma=1`` and an open square for
# ``sigma=3``, which lands almost on top of it (the smoothing width matters
# little here; the weighting decides the trade-off).
colors = {"none": "tab:gray", "sqrt_inv": "tab:blue", "inverse": "tab:orange"}
# Drawn (and listed in the legend) by weighting: none, sqrt_inv, inverse.
candidates = sorted(
    zip(results["params"], table.index),
    key=lambda c: (list(colors).index(c[0]["weighter__reweight"]), c[1]),
)
fig, ax = plt.subplots(figsize=(6, 4.5))
for params, label in candidates:
    color = colors[params["weighter__reweight"]]
    wide = params.get("weighter__label_space__sigma") == 3.0
    ax.scatter(
        table.loc[label, "MAE many"], table.loc[label, "MAE few"], label=label,
        marker="s" if wide else "o", s=130 if wide else 45,
        facecolors="none" if wide else color, edgecolors=color, linewidths=1.5,
    )
best = table.iloc[search.best_index_]
ax.annotate(
    "refit: lowest few-shot MAE", (best["MAE many"], best["MAE few"]),
    xytext=(-30, 75), textcoords="offset points", ha="center", fontsize=9,
    arrowprops={"arrowstyle": "->", "shrinkB": 6},
)
ax.legend(title="reweight, LDS sigma", loc="upper right", fontsize=9)
ax.set_xlabel("MAE, many-shot")
ax.set_ylabel("MAE, few-shot")
fig.tight_layout()
plt.show()
