"""Tests of skdir.datasets: generators, the DIR split and the bundled data."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from skdir import LabelSpace
from skdir.datasets import (
    AGEDB_DIR_AGES,
    agedb_dir_counts,
    dir_split,
    load_abalone,
    load_bikeshare,
    load_concrete,
    load_diamonds,
    make_agedb_dir,
    make_imbalanced_regression,
)
from skdir.datasets._split import _per_bin_for_fraction
from skdir.datasets._table import encode_table, parse_table

AGEDB_LABELS = os.path.join(
    os.path.dirname(__file__), "..", "..", "shared", "data", "agedb_dir_labels.csv"
)


def _w(n_features, n_informative):
    w = np.zeros(n_features)
    for j in range(n_informative):
        w[j] = 1.0 / (j + 1)
    return w / np.sqrt(np.sum(w**2))


# --------------------------------------------------------------------------
# bundled data


@pytest.mark.parametrize(
    "loader, shape, target, y_min, y_max",
    [
        (load_abalone, (4177, 10), "rings", 1, 29),
        (load_concrete, (1030, 8), "compressive_strength", 2.33, 82.6),
        (load_bikeshare, (8645, 12), "bikers", 1, 651),
    ],
)
def test_loaders_shapes_and_ranges(loader, shape, target, y_min, y_max):
    data = loader()
    assert data.data.shape == shape
    assert data.data.dtype == np.float64 and np.isfinite(data.data).all()
    assert data.target.shape == (shape[0],)
    assert data.target_names == [target]
    assert len(data.feature_names) == shape[1]
    assert data.target.min() == pytest.approx(y_min)
    assert data.target.max() == pytest.approx(y_max)
    assert data.frame is None and data.DESCR
    X, y = loader(return_X_y=True)
    np.testing.assert_array_equal(X, data.data)
    np.testing.assert_array_equal(y, data.target)


def test_abalone_first_row_and_skew():
    data = load_abalone()
    # First line of the UCI file: M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15
    np.testing.assert_allclose(
        data.data[0], [0, 0, 1, 0.455, 0.365, 0.095, 0.514, 0.2245, 0.101, 0.15]
    )
    assert data.target[0] == 15
    assert data.feature_names[:3] == ["sex=F", "sex=I", "sex=M"]
    assert np.all(data.data[:, :3].sum(axis=1) == 1)
    counts = np.bincount(data.target.astype(int))
    assert counts.argmax() == 9 and counts[9] == 689
    assert stats.skew(data.target) > 0.5


def test_bikeshare_drops_the_components_of_the_target():
    data = load_bikeshare()
    assert "casual" not in data.feature_names and "registered" not in data.feature_names
    mnth = data.data[:, data.feature_names.index("mnth")]
    weather = data.data[:, data.feature_names.index("weathersit")]
    assert set(np.unique(mnth)) == set(range(12))
    assert set(np.unique(weather)) <= {0, 1, 2, 3} and weather[0] == 0


def test_diamonds_ordinal_codes():
    data = load_diamonds()
    assert data.data.shape == (53940, 9)
    # First row: 0.23, Ideal, E, SI2, 61.5, 55, (price 326), 3.95, 3.98, 2.43
    np.testing.assert_allclose(data.data[0],
                               [0.23, 4, 1, 1, 61.5, 55, 3.95, 3.98, 2.43])
    assert data.target[0] == 326


def test_as_frame():
    pd = pytest.importorskip("pandas")
    data = load_abalone(as_frame=True)
    assert isinstance(data.frame, pd.DataFrame) and data.frame.shape == (4177, 9)
    assert list(data.data.columns) == data.feature_names
    assert "rings" not in data.data.columns
    assert isinstance(data.data["sex"].dtype, pd.CategoricalDtype)
    np.testing.assert_array_equal(data.target.to_numpy(), load_abalone().target)
    X, y = load_bikeshare(as_frame=True, return_X_y=True)
    assert X["mnth"].cat.ordered and X["mnth"].cat.categories[0] == "Jan"
    assert y.name == "bikers"


# --------------------------------------------------------------------------
# the CSV table reader


def test_parse_and_encode_table():
    header, cells = parse_table("a,b,c,y\n1,red,x,2.5\n,blue,y,3\n3,red,x,4\n")
    X, y, names = encode_table(header, cells, "y", ordinal={"c": ["y", "x"]})
    assert names == ["a", "b=blue", "b=red", "c"]
    np.testing.assert_array_equal(y, [2.5, 3.0, 4.0])
    expected = np.array([[1, 0, 1, 1], [np.nan, 1, 0, 0], [3, 0, 1, 1]])
    np.testing.assert_array_equal(X, expected)


@pytest.mark.parametrize(
    "text, target, match",
    [
        ("", "y", "is empty"),
        ("  \n\n", "y", "is empty"),
        ("a,y\n", "y", "no data rows"),
        ("a,y\n1,2\n3\n", "y", "line 3 has 1 fields"),
        ("a,b\n1,2\n", "y", "no target column 'y'"),
        ("a,y\n1,x\n", "y", "not numeric"),
        ("a,y\n1,\n2,3\n", "y", "1 missing"),
        ("a,a\n1,2\n", "a", "repeats"),
    ],
)
def test_table_errors(text, target, match):
    with pytest.raises(ValueError, match=match):
        header, cells = parse_table(text)
        encode_table(header, cells, target)


# --------------------------------------------------------------------------
# make_imbalanced_regression


def test_generator_target_function_is_known():
    X, y, f = make_imbalanced_regression(
        300, 6, n_informative=3, noise=0.5, label_distribution="skewed",
        return_noise_free=True, random_state=1,
    )
    expected = stats.gamma(a=2.0, scale=8.0).ppf(stats.norm.cdf(X @ _w(6, 3)))
    np.testing.assert_allclose(f, expected, rtol=1e-9)
    resid = y - f
    assert abs(resid.std() - 0.5) < 0.1 and abs(resid.mean()) < 0.1


@pytest.mark.parametrize(
    "name, dist",
    [
        ("long_tail", stats.expon(scale=10.0)),
        ("skewed", stats.gamma(a=2.0, scale=8.0)),
        ("normal", stats.norm(50, 10)),
        ("uniform", stats.uniform(0, 100)),
        (stats.lognorm(0.5), stats.lognorm(0.5)),
    ],
)
def test_generator_label_distribution(name, dist):
    _, y = make_imbalanced_regression(
        4000, 3, label_distribution=name, noise=0.0, random_state=0
    )
    assert stats.kstest(y, dist.cdf).pvalue > 1e-3


def test_generator_multimodal_mass():
    _, y = make_imbalanced_regression(
        20000, 2, label_distribution="multimodal", noise=0.0, random_state=0
    )
    # Modes at 20, 50, 80 (sd 4, 6, 5) with 60 %, 30 %, 10 % of the mass.
    shares = [np.mean(y < 35), np.mean((y >= 35) & (y < 67)), np.mean(y >= 67)]
    np.testing.assert_allclose(shares, [0.6, 0.3, 0.1], atol=0.015)


def test_generator_gaps_and_reproducibility():
    gaps = [(10, 15), (40, np.inf)]
    X, y = make_imbalanced_regression(3000, gaps=gaps, random_state=3)
    assert X.shape == (3000, 10) and y.shape == (3000,)
    assert not np.any((y >= 10) & (y < 15)) and y.max() < 40
    X2, y2 = make_imbalanced_regression(3000, gaps=gaps, random_state=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    _, y3 = make_imbalanced_regression(3000, gaps=gaps, random_state=4)
    assert not np.array_equal(y, y3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_informative": 0}, "n_informative"),
        ({"noise": -1.0}, "noise"),
        ({"noise": np.nan}, "noise"),
        ({"label_distribution": "zipf"}, "label_distribution"),
        ({"gaps": [(3, 1)]}, "low < high"),
        ({"gaps": [1, 2, 3]}, "pairs"),
        ({"gaps": [(-np.inf, np.inf)]}, "cover"),
    ],
)
def test_generator_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_imbalanced_regression(**kwargs)


# --------------------------------------------------------------------------
# dir_split


def _reference_sizes(y, edges, per_bin):
    """Per-bin evaluation sizes by brute force, one bin at a time."""
    sizes = []
    for lo, hi, last in zip(edges[:-1], edges[1:], range(len(edges) - 1)):
        upper = (y <= hi) if last == len(edges) - 2 else (y < hi)
        count = int(np.sum((y >= lo) & upper))
        sizes.append(min(per_bin, count // 3))
    return np.array(sizes)


def test_dir_split_reproduces_agedb_dir_from_the_embedded_profile():
    total = sum(agedb_dir_counts(s) for s in ("train", "val", "test"))
    y = np.repeat(AGEDB_DIR_AGES, total).astype(float)
    parts = dir_split(None, y, label_space=LabelSpace(bin_width=1), per_bin=30,
                      return_indices=True, random_state=0)
    for idx, split in zip(parts, ("train", "val", "test")):
        counts = np.bincount(y[idx].astype(int), minlength=102)[1:]
        np.testing.assert_array_equal(counts, agedb_dir_counts(split))


@pytest.mark.skipif(not os.path.exists(AGEDB_LABELS), reason="AgeDB-DIR labels absent")
def test_embedded_profile_matches_the_published_labels():
    ages, splits = np.loadtxt(AGEDB_LABELS, delimiter=",", skiprows=1, dtype=str).T
    for split in ("train", "val", "test"):
        counts = np.bincount(ages[splits == split].astype(int), minlength=102)[1:]
        np.testing.assert_array_equal(counts, agedb_dir_counts(split))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=200),
    st.integers(1, 12),
    st.integers(1, 40),
    st.booleans(),
    st.integers(0, 2**16),
)
def test_dir_split_partition_and_sizes(values, n_bins, per_bin, validation, seed):
    y = np.array(values)
    y_copy = y.copy()
    space = LabelSpace(n_bins=n_bins, strategy="uniform")
    parts = dir_split(None, y, label_space=space, per_bin=per_bin,
                      validation=validation, return_indices=True, random_state=seed)
    np.testing.assert_array_equal(y, y_copy)
    assert len(parts) == (3 if validation else 2)
    joined = np.concatenate(parts)
    np.testing.assert_array_equal(np.sort(joined), np.arange(y.size))
    # Equal-width bins by hand (a constant target: bins centred on it).
    lo, hi = (y.min(), y.max()) if np.ptp(y) > 0 else (y[0] - 0.5, y[0] + 0.5)
    edges = np.linspace(lo, hi, n_bins + 1)
    expected = _reference_sizes(y, edges, per_bin)
    for idx in parts[1:]:
        np.testing.assert_array_equal(np.histogram(y[idx], bins=edges)[0], expected)
        assert np.all(np.diff(idx) > 0)


def test_dir_split_arrays_frames_and_seeds():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(500, 3))
    y = rng.exponential(size=500)
    X_tr, X_va, X_te, y_tr, y_va, y_te = dir_split(X, y, label_space=LabelSpace(n_bins=10), per_bin=8,
                                                   random_state=5)
    assert X_tr.shape[0] == y_tr.size and X_te.shape[0] == y_te.size
    again = dir_split(X, y, label_space=LabelSpace(n_bins=10), per_bin=8, random_state=5)
    np.testing.assert_array_equal(again[2], X_te)
    other = dir_split(X, y, label_space=LabelSpace(n_bins=10), per_bin=8, random_state=6)
    assert not np.array_equal(other[2], X_te)
    # Every test row is a row of X with its own target.
    rows = {tuple(r): t for r, t in zip(X, y)}
    assert all(rows[tuple(r)] == t for r, t in zip(X_te, y_te))
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    series = pd.Series(y, name="t")
    f_tr, f_te, s_tr, s_te = dir_split(frame, series, label_space=LabelSpace(n_bins=10), per_bin=8,
                                       validation=False, random_state=5)
    assert isinstance(f_tr, pd.DataFrame) and isinstance(s_te, pd.Series)
    assert len(f_tr) + len(f_te) == 500
    only_y = dir_split(None, y, label_space=LabelSpace(n_bins=10), per_bin=8, random_state=5)
    np.testing.assert_array_equal(only_y[2], y_te)


def test_dir_split_fraction():
    y = np.repeat(np.arange(6.0), [300, 200, 90, 30, 9, 3])
    counts = np.array([300, 200, 90, 30, 9, 3])
    for fraction in (0.05, 0.1, 0.2):
        cap = _per_bin_for_fraction(counts, fraction)
        size = lambda c: np.minimum(c, counts // 3).sum()  # noqa: E731
        assert size(cap) >= fraction * counts.sum()
        assert cap == 1 or size(cap - 1) < fraction * counts.sum()
        space = LabelSpace(edges=[-0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
        test = dir_split(None, y, label_space=space, per_bin=fraction,
                         return_indices=True, random_state=0)[2]
        assert test.size == size(cap)


def test_dir_split_with_a_fitted_label_space():
    # Edges fitted elsewhere are used as given: values beyond them count in
    # the edge bins, and the caps come from the counts of y itself.
    space = LabelSpace(edges=[0, 1, 2, 3]).fit([0.5, 1.5, 2.5])
    y = np.r_[np.full(6, 0.5), [-4.0] * 3, np.full(3, 1.5), np.full(9, 2.5), [7.0] * 3]
    train, val, test = dir_split(None, y, label_space=space, per_bin=2,
                                 return_indices=True, random_state=0)
    # Bins hold 9, 3, 12 samples: min(2, c // 3) = 2, 1, 2 per evaluation set.
    for idx in (val, test):
        np.testing.assert_array_equal(np.histogram(np.clip(y[idx], 0, 3), [0, 1, 2, 3])[0],
                                      [2, 1, 2])
    assert train.size == y.size - 10
    np.testing.assert_array_equal(space.counts_, [1, 1, 1])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"per_bin": 0}, ValueError, "per_bin"),
        ({"per_bin": 1.5}, ValueError, "per_bin"),
        ({"per_bin": "30"}, TypeError, "per_bin"),
        ({"per_bin": True}, TypeError, "per_bin"),
        ({"label_space": 10}, TypeError, "label_space"),
        ({"label_space": [0, 1, 2]}, TypeError, "label_space"),
    ],
)
def test_dir_split_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        dir_split(None, np.arange(10.0), **kwargs)


def test_dir_split_input_errors():
    with pytest.raises(ValueError, match="Inconsistent"):
        dir_split(np.zeros((3, 2)), np.arange(4.0))
    with pytest.raises(ValueError, match="NaN"):
        dir_split(None, [1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="empty"):
        dir_split(None, [])


# --------------------------------------------------------------------------
# make_agedb_dir


def test_make_agedb_dir_profile_and_function():
    X, y, split = make_agedb_dir(n_features=4, n_informative=2, noise=0.0,
                                 random_state=0)
    for name in ("train", "val", "test"):
        counts = np.bincount(y[split == name].astype(int), minlength=102)[1:]
        np.testing.assert_array_equal(counts, agedb_dir_counts(name))
    # Without noise, the age is floor(102 * Phi(x @ w)).
    np.testing.assert_array_equal(np.floor(102 * stats.norm.cdf(X @ _w(4, 2))), y)


def test_make_agedb_dir_scale_and_noise():
    _, y, split = make_agedb_dir(scale=0.5, random_state=0)
    counts = np.bincount(y[split == "train"].astype(int), minlength=102)[1:]
    full = agedb_dir_counts("train")
    expected = np.where(full > 0, np.maximum(np.round(full * 0.5), 1), 0)
    np.testing.assert_array_equal(counts, expected)
    X, y, _ = make_agedb_dir(n_features=3, noise=0.3, random_state=0, n_informative=3)
    resid = X @ _w(3, 3) - stats.norm.ppf((y + 0.5) / 102)
    assert 0.2 < resid.std() < 0.5
    with pytest.raises(ValueError, match="scale"):
        make_agedb_dir(scale=0)
    with pytest.raises(ValueError, match="split"):
        agedb_dir_counts("dev")


def test_load_csv_matches_the_bundled_reader(tmp_path):
    import gzip

    from skdir.datasets import load_concrete, load_csv

    bundled = load_concrete()
    header = ",".join(bundled.feature_names + ["strength"])
    rows = "\n".join(
        ",".join(repr(float(v)) for v in row) + f",{float(t)!r}"
        for row, t in zip(bundled.data[:50], bundled.target[:50])
    )
    path = tmp_path / "concrete.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write(header + "\n" + rows + "\n")
    X, y = load_csv(path, "strength", return_X_y=True)
    np.testing.assert_array_equal(X, bundled.data[:50])
    np.testing.assert_array_equal(y, bundled.target[:50])
    with pytest.raises(ValueError, match="no target column 'price'"):
        load_csv(path, "price")
