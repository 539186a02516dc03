"""LDS weights and shot groups on the real AgeDB-DIR label distribution.

The expected values are computed here from the formulas of the reference
implementation (one bin per integer age, ``range(121)``), with plain numpy and
scipy, independently of skdir, or are the published numbers of the AgeDB-DIR
split (1530 many-, 448 medium- and 162 few-shot test images).
"""

import numpy as np
import pytest
from scipy.ndimage import convolve1d, gaussian_filter1d

from skdir import LabelSpace, LDSWeighter
from skdir.metrics import shot_groups, shot_metrics

MAX_TARGET = 121


def agedb_space():
    """The label space of the reference code: one bin per age, LDS (5, 2)."""
    return LabelSpace(bin_width=1, kernel="gaussian", ks=5, sigma=2)


def reference_weights(labels, reweight, lds, ks=5, sigma=2.0, clip_empty=False):
    label_idx = np.minimum(labels.astype(int), MAX_TARGET - 1)
    value = np.zeros(MAX_TARGET)
    for lab in label_idx:  # deliberately the reference's per-sample loop
        value[lab] += 1
    if reweight == "sqrt_inv":
        value = np.sqrt(value)
    elif reweight == "inverse":
        clipped = np.clip(value, 5, 1000)
        value = clipped if clip_empty else np.where(value > 0, clipped, 0)
    num_per_label = value[label_idx]
    if lds:
        delta = np.zeros(ks)
        delta[ks // 2] = 1.0
        window = gaussian_filter1d(delta, sigma=sigma)
        window = window / window.max()
        smoothed = convolve1d(value, weights=window, mode="constant")
        num_per_label = smoothed[label_idx]
    weights = np.array([np.float32(1 / x) for x in num_per_label], dtype=float)
    return weights * (len(weights) / weights.sum())


@pytest.mark.parametrize("lds", [False, True])
def test_sqrt_inv_weights_match_reference(agedb_labels, lds):
    y = agedb_labels["train"]
    expected = reference_weights(y, "sqrt_inv", lds)
    got = LDSWeighter(label_space=agedb_space(), reweight="sqrt_inv", lds=lds).fit_transform(y)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got.mean() == pytest.approx(1.0)


def test_inverse_weights_match_reference_formula(agedb_labels):
    # The reference clips empty bins to 5 as well; skdir leaves them empty.
    # Without LDS the two agree exactly (every training label's bin is
    # populated); with LDS they agree away from the empty age 2 and the ages
    # above the data that the reference pads with 5.
    y = agedb_labels["train"]
    weighter = LDSWeighter(label_space=agedb_space(), reweight="inverse", lds=False)
    np.testing.assert_allclose(
        weighter.fit_transform(y), reference_weights(y, "inverse", lds=False), rtol=1e-6
    )
    got = LDSWeighter(label_space=agedb_space(), reweight="inverse", lds=True).fit_transform(y)
    np.testing.assert_allclose(got, reference_weights(y, "inverse", True), rtol=1e-6)
    faithful = reference_weights(y, "inverse", True, clip_empty=True)
    far = (y >= 5) & (y <= 98)
    ratio = got[far] / faithful[far]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)


def test_width_one_bins_are_integer_ages(agedb_labels):
    y = agedb_labels["train"]
    space = agedb_space().fit(y)
    np.testing.assert_array_equal(space.edges_[space.transform(y)], np.floor(y))
    np.testing.assert_array_equal(space.counts_, np.bincount(y.astype(int))[1:])


def test_shot_counts_match_independent_count(agedb_labels):
    train, test = agedb_labels["train"], agedb_labels["test"]
    assert np.unique(test).size == 92
    train_count = {}
    for age in train:
        train_count[age] = train_count.get(age, 0) + 1
    per_test = np.array([train_count.get(age, 0) for age in test])
    expected = {
        "many": int((per_test > 100).sum()),
        "medium": int(((per_test >= 20) & (per_test <= 100)).sum()),
        "few": int((per_test < 20).sum()),
    }
    res = shot_metrics(test, test + 1.0, y_train=train, label_space=agedb_space())
    assert {k: res[k]["n"] for k in expected} == expected
    assert res["all"]["n"] == test.size == sum(expected.values())
    assert res["few"]["mae"] == pytest.approx(1.0)


def test_published_shot_counts_with_a_fitted_label_space(agedb_labels):
    # The published AgeDB-DIR test set: 1530 many-, 448 medium-, 162 few-shot.
    space = agedb_space().fit(agedb_labels["train"])
    test = agedb_labels["test"]
    groups = shot_groups(test, label_space=space)
    counts = {shot: int(np.sum(groups == shot)) for shot in ("many", "medium", "few")}
    assert counts == {"many": 1530, "medium": 448, "few": 162}
    res = shot_metrics(test, test + 2.0, label_space=space)
    assert {shot: res[shot]["n"] for shot in counts} == counts
    assert res["many"]["mae"] == pytest.approx(2.0)


@pytest.mark.parametrize("lds, ratio", [(True, 30.07), (False, 18.79)])
def test_weight_ratio_with_a_fitted_label_space(agedb_labels, lds, ratio):
    # Largest over smallest training weight of sqrt_inv (+ LDS) on AgeDB-DIR,
    # the weighter using the fitted label space as given.
    y = agedb_labels["train"]
    space = agedb_space().fit(y)
    weighter = LDSWeighter(label_space=space, reweight="sqrt_inv", lds=lds).fit(y)
    assert weighter.label_space_ is space
    weights = weighter.transform(y)
    assert weights.max() / weights.min() == pytest.approx(ratio, abs=0.005)
    expected = reference_weights(y, "sqrt_inv", lds)
    assert weights.max() / weights.min() == pytest.approx(expected.max() / expected.min(), rel=1e-6)
