"""
==========================================
Choosing a recipe by cross-validation
==========================================

Reweighting and resampling help a regressor on rare targets and cost it
on common ones. Which recipe to use, and how strong, is a model-selection
question: :func:`~skdir.model_selection.make_recipe_search` builds a grid
search over the plain model, LDS weights and resamplers, and its refit rule,
:func:`~skdir.model_selection.balanced_refit`, picks the recipe with the
best balanced MAE among those whose overall MAE is at most 3 % above the
plain model's. Everything is chosen on inner folds of the training data;
the test set is used once, at the end.
"""

# %%
# Data and split
# --------------
# The abalone data: the number of rings (1 to 29) from shell measurements;
# half of the shells have 8 to 11 rings and 0.5 % more than 22. A plain
# random split keeps the natural distribution in the test set, so its MAE
# shows the cost on typical shells, while the balanced MAE (one vote per
# ring count) and the few-shot MAE show the gain on rare ones.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler

from skdir import SMOGN, SMOTER, LabelSpace, RandomOverSampler
from skdir.datasets import load_abalone
from skdir.metrics import balanced_mean_absolute_error, shot_metrics
from skdir.model_selection import make_recipe_search

X, y = load_abalone(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0
)
# One bin per ring count; fitted on the training targets of each fold.
space = LabelSpace(bin_width=1)

# %%
# The search
# ----------
# Any regressor that takes ``sample_weight`` will do; here a ridge
# regression on spline features. The candidates: the plain model, LDS
# weights (``reweight="sqrt_inv"`` and ``"inverse"``), and three resamplers
# at two strengths (after resampling 8 % or 15 % of the samples are rare,
# from about 5 %).
regressor = make_pipeline(StandardScaler(), SplineTransformer(n_knots=4), Ridge())
samplers = [
    sampler(sampling_strategy=share, label_space=space, random_state=0)
    for share in (0.08, 0.15)
    for sampler in (RandomOverSampler, SMOTER, SMOGN)
]
search = make_recipe_search(
    regressor, samplers=samplers, label_space=space, cv=5, max_loss=0.03
)
search.fit(X_train, y_train)


def describe(params):
    sampler = params["resample"]
    if sampler != "passthrough":
        return f"{type(sampler).__name__} {sampler.sampling_strategy:.0%}"
    reweight = params["model__weighter__reweight"]
    return "plain" if reweight == "none" else f"LDS {reweight}"


names = [describe(p) for p in search.cv_results_["params"]]
decision = search.refit.explain(search.cv_results_)
base, best = decision["baseline_index"], decision["best_index"]
cv_table = pd.DataFrame(
    {
        "MAE": -decision["overall"],
        "vs plain": -decision["overall"] / -decision["overall"][base] - 1,
        "balanced MAE": -decision["balanced"],
        "few-shot MAE": -search.cv_results_["mean_test_neg_mae_few"],
        "eligible": decision["eligible"],
    },
    index=names,
)
print(cv_table.round(3).to_string(formatters={"vs plain": "{:+.1%}".format}))
print(f"\nchosen: {names[best]}")

# %%
# Every LDS weighting and every resampler at 15 % lowers the balanced MAE
# the most, but costs 9 % to 55 % in overall MAE on the inner folds. At 8 %
# the resamplers cost about 2 %, within the tolerance; they are within 0.02
# of each other, and the rule keeps the best balanced of them.
#
# The trade-off
# -------------
# Left, each candidate's mean inner-fold scores; those right of the dashed
# line cost more than 3 % in MAE and are out (circled: the chosen one).
# Right, the cost of each candidate in MAE and its gain in balanced MAE,
# relative to the plain model.
bound = -decision["threshold"]
markers = "o*^sDvP<>X"
fig, (left, right) = plt.subplots(
    1, 2, figsize=(11, 5), gridspec_kw={"width_ratios": (1, 1.2)},
    layout="constrained",
)
for i, name in enumerate(names):
    left.scatter(
        cv_table["MAE"].iloc[i], cv_table["balanced MAE"].iloc[i],
        marker=markers[i % len(markers)], s=60, color=f"C{i}", label=name, zorder=3,
    )
left.scatter(
    cv_table["MAE"].iloc[best], cv_table["balanced MAE"].iloc[best], s=300,
    facecolors="none", edgecolors="k", linewidths=1.5, zorder=4,
)
left.axvline(bound, color="k", linestyle="--", linewidth=1)
left.axvspan(bound, left.get_xlim()[1], color="0.88", zorder=0)
left.set_xlabel("inner-fold MAE")
left.set_ylabel("inner-fold balanced MAE")
left.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3)

rows = np.arange(len(names))
gain = cv_table["balanced MAE"] / cv_table["balanced MAE"].iloc[base] - 1
right.barh(rows + 0.2, 100 * cv_table["vs plain"], height=0.4, color="C3",
           label="MAE")
right.barh(rows - 0.2, 100 * gain, height=0.4, color="C0", label="balanced MAE")
right.axvline(100 * search.refit.max_loss, color="k", linestyle="--", linewidth=1)
right.set_yticks(rows, [f"{n} (chosen)" if i == best else n
                        for i, n in enumerate(names)], fontsize=8)
right.invert_yaxis()
right.set_xlabel("change vs the plain model (%), inner folds")
right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
plt.show()

# %%
# Test numbers, once
# ------------------
# The chosen recipe, refitted on the whole training set by the search,
# against the plain model fitted on the same data. Shot groups and
# balanced-MAE bins come from the training targets.
plain = clone(search.estimator).set_params(**search.cv_results_["params"][base])
plain.fit(X_train, y_train)
train_space = clone(space).fit(y_train)
rows = {}
for label, model in (("plain", plain), (f"chosen: {names[best]}", search)):
    pred = model.predict(X_test)
    shots = shot_metrics(y_test, pred, label_space=train_space)
    rows[label] = {
        "MAE": mean_absolute_error(y_test, pred),
        "balanced MAE": balanced_mean_absolute_error(
            y_test, pred, label_space=train_space
        ),
        "few-shot MAE": shots["few"]["mae"],
    }
test_table = pd.DataFrame(rows).T
print(test_table.round(3))
print(f"few-shot test samples: {shots['few']['n']} of {y_test.size}")

change = test_table.iloc[1] / test_table.iloc[0] - 1
print("chosen vs plain:", ", ".join(f"{k} {v:+.1%}" for k, v in change.items()))

# %%
# On this split the rule chose SMOGN at 8 %. On the test set it costs
# about 1.6 % in MAE and lowers the balanced MAE by about 7 % and the
# few-shot MAE by about 9 %, in line with the inner folds. The few-shot
# group holds only some twenty test shells, so its number is noisy; the
# balanced MAE, over every ring count in the test set, is the steadier
# measure. A stronger recipe buys more on the rare shells only by giving up
# more on the common ones (LDS ``"inverse"`` halves the few-shot MAE on the
# inner folds at a 55 % higher MAE): raise ``max_loss`` if that trade is
# acceptable. Where :class:`~skdir.LDSWeighter` accepts a weighting strength
# ``alpha`` as ``reweight``, a few small values (``reweights=[0.1, 0.25]``)
# give milder weightings to choose from.
