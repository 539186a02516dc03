"""Tests of the ``skdir`` command line and the benchmark behind it."""

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skdir.cli
from skdir import LabelSpace
from skdir.__main__ import main
from skdir.cli import (
    DATASETS,
    METHODS,
    Context,
    DatasetSpec,
    available,
    best_vs_vanilla,
    format_markdown,
    load_dataset,
    parse_args,
    select_methods,
    summarize,
    thread_limits,
)
from skdir.datasets import dir_split

ROOT = Path(__file__).resolve().parents[1]


def _run(argv, capsys):
    out = io.StringIO()
    status = main(argv, out=out)
    captured = capsys.readouterr()
    return status, out.getvalue() + captured.out, captured.err


@pytest.fixture
def csv_path(tmp_path):
    rng = np.random.RandomState(0)
    n = 400
    X = rng.normal(size=(n, 3))
    y = np.exp(0.8 * X[:, 0]) * 10 + rng.normal(size=n)
    colour = np.where(X[:, 1] > 0, "red", "blue")
    path = tmp_path / "data.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b", "c", "colour", "price"])
        for row, col, target in zip(X, colour, y):
            writer.writerow([*row, col, target])
    return path, X, colour, y


# --------------------------------------------------------------------------
# help and listings


def test_help_documents_the_benchmark(capsys):
    status, text, _ = _run(["--help"], capsys)
    assert status == 0
    assert "benchmark" in text and "python -m skdir" in text
    status, text, _ = _run(["benchmark", "--help"], capsys)
    assert status == 0
    for flag in ("--dataset", "--methods", "--seeds", "--out", "--plot", "--target"):
        assert flag in text


def test_listings(capsys):
    status, out, _ = _run(["datasets"], capsys)
    assert status == 0
    for name in ("abalone", "concrete", "bikeshare", "diamonds", "agedb"):
        assert name in out
    status, out, _ = _run(["methods"], capsys)
    assert status == 0
    for key in METHODS:
        assert key in out


def test_select_methods_groups():
    quick = {m.key for m in select_methods("quick")}
    assert quick == {k for k, m in METHODS.items() if m.quick}
    assert {"vanilla", "smoter", "smogn-lds", "sqinv-lds"} <= quick
    both = [m.key for m in select_methods("tabular, neural")]
    assert both == list(METHODS)  # table order, no duplicates
    assert [m.key for m in select_methods("sqinv-lds,VANILLA,vanilla")] == [
        "vanilla", "sqinv-lds"]
    with pytest.raises(ValueError, match="unknown method.*bogus"):
        select_methods("vanilla,bogus")


# --------------------------------------------------------------------------
# bad input: one line on stderr, exit status 2, no traceback


@pytest.mark.parametrize(
    "argv, match",
    [
        (["benchmark", "--dataset", "nope"], "unknown dataset 'nope'"),
        (["--dataset", "abalone", "--methods", "vanilla,magic"], "unknown method"),
        (["--methods", ","], "--methods is empty"),
        (["--seeds", "two"], "--seeds"),
        (["--seeds", "0"], "at least 1"),
        (["--epochs", "0"], "--epochs"),
        (["--per-bin", "0"], "--per-bin"),
        (["--gaps", "5"], "LOW:HIGH"),
        (["--gaps", "9:3"], "empty"),
        (["--model", "forest"], "invalid choice"),
        (["--frobnicate"], "unrecognized arguments"),
        (["--dataset", "abalone", "--target", "rings"], "--target applies to CSV"),
        (["--dataset", "abalone", "--many", "5", "--few", "10"], "exceeds"),
        # concrete's many-shot threshold is 80: --few alone can exceed it.
        (["--dataset", "concrete", "--few", "90"], "(90) exceeds the many-shot "
         "threshold (80)"),
        (["--bin-width", "0"], "--bin-width must be positive"),
        (["--many", "-1"], "--many must be non-negative"),
        (["--dataset", "missing/file.csv", "--target", "y"], "no such file"),
        (["--threads", "0"], "--threads must be at least 1"),
    ],
)
def test_bad_arguments(argv, match, capsys):
    status, out, err = _run(argv, capsys)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("skdir: error: ")
    assert match in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    "content, argv, match",
    [
        ("", ["--target", "y"], "is empty"),
        ("a,y\n", ["--target", "y"], "no data rows"),
        ("a,b\n1,2\n", ["--target", "y"], "no target column 'y'"),
        ("a,y\n1,2\n", [], "--target"),
        ("a,y\n" + "1,x\n" * 40, ["--target", "y"], "not numeric"),
        ("a,y\n" + "1,\n" * 40, ["--target", "y"], "missing"),
        ("a,y\n" + "1,2\n" * 40, ["--target", "y"], "constant"),
        ("a,y\n1,2\n2,3\n", ["--target", "y"], "at least 30"),
        ("y\n" + "1\n2\n" * 20, ["--target", "y"], "no feature columns"),
        ("a,b,y\n" + "1,,2\n3,4,5\n" * 20, ["--target", "y"], "20 missing value(s)"),
        ("a,y\n1,2,3\n", ["--target", "y"], "line 2 has 3 fields"),
    ],
)
def test_bad_csv_files(tmp_path, content, argv, match, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    status, out, err = _run(["benchmark", "--dataset", str(path), *argv], capsys)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("skdir: error: ")
    assert match in err
    assert "Traceback" not in err + out


def test_binary_file_is_rejected(tmp_path, capsys):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    status, _, err = _run(["--dataset", str(path), "--target", "y"], capsys)
    assert status == 2 and err.count("\n") == 1 and "UTF-8" in err


def test_entry_point_reports_errors_without_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "skdir", "benchmark", "--dataset", "nope"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "unknown dataset" in proc.stderr
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------
# running


def test_csv_run_matches_an_independent_computation(csv_path, tmp_path, capsys):
    path, X, colour, y = csv_path
    out_dir = tmp_path / "res"
    status, out, err = _run(
        ["benchmark", "--dataset", str(path), "--target", "price", "--model", "ridge",
         "--methods", "vanilla,sqinv-lds", "--seeds", "0,3", "--out", str(out_dir)],
        capsys,
    )
    assert status == 0, err
    assert "[  1/4] seed 0" in out and "Ours (best) vs Vanilla" in out
    assert {"results.md", "results.csv", "summary.csv"} <= set(os.listdir(out_dir))
    with open(out_dir / "results.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["seed"] for r in rows} == {"0", "3"}
    got = {(r["method"], r["seed"], r["shot"], r["metric"]): float(r["value"])
           for r in rows}
    # The same split and model, built by hand: colour one-hot (blue, red).
    features = np.column_stack([X, colour == "blue", colour == "red"]).astype(float)
    space = LabelSpace(bin_width=np.ptp(y) / 50)
    X_tr, X_te, y_tr, y_te = dir_split(features, y, label_space=space, per_bin=0.15,
                                       validation=False, random_state=3)
    model = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(X_tr, y_tr)
    mae = np.mean(np.abs(model.predict(X_te) - y_te))
    assert got[("vanilla", "3", "all", "mae")] == pytest.approx(mae, rel=1e-9)
    assert got[("vanilla", "3", "all", "n")] == y_te.size
    shots = sum(got[("vanilla", "3", s, "n")] for s in ("many", "medium", "few"))
    assert shots == y_te.size
    summary_md = (out_dir / "results.md").read_text()
    assert "| Vanilla |" in summary_md and "SQINV + LDS" in summary_md


def test_bundled_dataset_run_and_zero_shot_columns(capsys):
    status, out, err = _run(
        ["--dataset", "concrete", "--methods", "vanilla,inv-lds", "--seeds", "1",
         "--model", "ridge", "--gaps", "40:50,75:", "-q"],
        capsys,
    )
    assert status == 0, err
    assert "[" not in out.splitlines()[0]  # quiet: no progress lines
    assert "MAE Interp." in out and "MAE Extrap." in out
    assert "INV + LDS" in out and "Seeds 0;" in out


def test_unavailable_rows_are_skipped_with_a_note(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "skdir.resampling", None)
    status, out, err = _run(
        ["--dataset", "concrete", "--methods", "vanilla,smoter", "--seeds", "1",
         "--model", "ridge"],
        capsys,
    )
    assert status == 0, err
    assert "skip SMOTER (tabular): skdir.resampling is not importable" in out
    assert "Skipped smoter: skdir.resampling is not importable" in out
    assert "Vanilla" in out


def test_no_runnable_method_is_an_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "skdir.resampling", None)
    status, _, err = _run(["--dataset", "concrete", "--methods", "smoter",
                           "--seeds", "1"], capsys)
    assert status == 2 and "no method could run" in err and err.count("\n") == 1


def test_plots_are_written(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    status, out, err = _run(
        ["--dataset", "concrete", "--methods", "vanilla,sqinv-lds,smoter-lds",
         "--seeds", "1", "--model", "ridge", "--plot", "--out", str(tmp_path), "-q"],
        capsys,
    )
    assert status == 0, err
    for name in ("label_distribution.png", "error_by_target.png", "shot_mae.png",
                 "resampling.png"):
        with open(tmp_path / name, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_is_a_one_line_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    status, _, err = _run(["--plot", "--methods", "vanilla"], capsys)
    assert status == 2 and "scikit-dir[plot]" in err and err.count("\n") == 1


# --------------------------------------------------------------------------
# summaries and tables


def _records(values):
    return [
        {"dataset": "d", "family": "tabular", "method": key, "label": key.upper(),
         "seed": seed, "shot": shot, "metric": "mae", "value": value,
         "fit_seconds": 1.0}
        for (key, seed, shot), value in values.items()
    ]


def test_summarize_and_best_vs_vanilla():
    values = {("vanilla", 0, "all"): 2.0, ("vanilla", 1, "all"): 4.0,
              ("vanilla", 0, "few"): 9.0, ("vanilla", 1, "few"): 7.0,
              ("inv", 0, "all"): 3.0, ("inv", 1, "all"): 3.5,
              ("inv", 0, "few"): 5.0, ("inv", 1, "few"): np.nan,
              ("sqinv", 0, "all"): 2.5, ("sqinv", 1, "all"): 3.5,
              ("sqinv", 0, "few"): 6.0, ("sqinv", 1, "few"): 6.0}
    summary = summarize(_records(values))
    assert list(summary) == [("tabular", "vanilla"), ("tabular", "inv"),
                             ("tabular", "sqinv")]
    mean, std = summary[("tabular", "vanilla")][("all", "mae")]
    assert mean == 3.0 and std == pytest.approx(np.std([2.0, 4.0], ddof=1))
    # NaN seeds are left out of the mean.
    assert summary[("tabular", "inv")][("few", "mae")] == (5.0, 0.0)
    best = best_vs_vanilla(summary, "tabular", [("all", "mae"), ("few", "mae")])
    assert best[("all", "mae")] == (3.0, 0.0, "SQINV")
    assert best[("few", "mae")] == (5.0, 3.0, "INV")
    table = format_markdown(summary, title="d")
    rows = [line for line in table.splitlines() if line.startswith("|")]
    assert len({row.count("|") for row in rows}) == 1
    assert "**+3.000**" in table


def test_quick_rows_build_from_the_public_api():
    # The registry builds every row (no fitting here: that is the
    # benchmark's job); unknown parameters would raise.
    space = LabelSpace(bin_width=1).fit(np.arange(10.0))
    for method in select_methods("all"):
        if available(method) is None:
            estimator = method.build(Context(label_space=space))
            assert hasattr(estimator, "fit") and hasattr(estimator, "predict")


def test_no_arguments_run_the_default_benchmark():
    args = parse_args([])
    assert args.command == "benchmark" and args.dataset == "abalone"
    assert args.methods == "quick" and args.seeds == "3" and not args.plot
    args = parse_args(["--dataset", "concrete"])
    assert args.command == "benchmark" and args.dataset == "concrete"
    assert parse_args(["methods"]).command == "methods"
    with pytest.raises(ValueError, match="unrecognized arguments"):
        parse_args(["--frobnicate"])


def test_thread_limits_are_restored():
    from threadpoolctl import threadpool_info

    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    before_pools = [pool["num_threads"] for pool in threadpool_info()]
    with thread_limits(1):
        assert torch.get_num_threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    assert torch.get_num_threads() == before
    assert [pool["num_threads"] for pool in threadpool_info()] == before_pools


# --------------------------------------------------------------------------
# the public Python API of the command line


def test_public_names_exist():
    names = skdir.cli.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(skdir.cli, name), name
    for name in ("main", "load_dataset", "select_methods", "run_benchmark",
                 "summarize", "format_markdown", "write_csv", "METHODS"):
        assert name in names
    assert skdir.cli.main is main


# --------------------------------------------------------------------------
# the label space of a dataset


def test_dataset_spec_holds_one_unfitted_label_space():
    space = LabelSpace(bin_width=2, many_threshold=30, few_threshold=5)
    spec = DatasetSpec("toy", "toy", space, loader=lambda: (None, None))
    assert spec.label_space is space and spec.per_bin == 30
    fresh = spec.make_label_space()
    assert fresh is not space and not hasattr(fresh, "edges_")
    assert fresh.get_params() == space.get_params()
    fresh.fit(np.arange(10.0))
    assert not hasattr(space, "edges_")  # the spec's own stays unfitted
    with pytest.raises(TypeError, match="label_space must be an unfitted"):
        DatasetSpec("toy", "toy", {"bin_width": 2})
    with pytest.raises(ValueError, match="label_space must be unfitted"):
        DatasetSpec("toy", "toy", LabelSpace(bin_width=1).fit(np.arange(5.0)))
    with pytest.raises(ValueError, match="label_space must be unfitted"):
        load_dataset("concrete", label_space=LabelSpace().fit(np.arange(5.0)))
    with pytest.raises(TypeError, match="label_space must be an unfitted"):
        load_dataset("concrete", label_space=5)


def test_bundled_label_spaces():
    expected = {"abalone": (1, 100, 20), "concrete": (5, 80, 20),
                "bikeshare": (25, 300, 50), "diamonds": (500, 1000, 100),
                "agedb": (1, 100, 20), "agedb-small": (1, 25, 5),
                "synthetic": (2, 100, 20)}
    assert set(DATASETS) == set(expected)
    for name, (width, many, few) in expected.items():
        space = load_dataset(name).label_space
        assert space.get_params() == LabelSpace(
            bin_width=width, many_threshold=many, few_threshold=few).get_params()


def test_load_dataset_label_space_replaces_the_default_as_a_whole():
    spec = load_dataset("concrete")
    # A copy of its own: changing it leaves the registry alone.
    assert spec.label_space is not DATASETS["concrete"].label_space
    spec.label_space.set_params(bin_width=10)
    assert DATASETS["concrete"].label_space.bin_width == 5
    wider = load_dataset("concrete", label_space=spec.label_space)
    assert wider.label_space is not spec.label_space
    assert (wider.label_space.bin_width, wider.label_space.many_threshold,
            wider.label_space.few_threshold) == (10, 80, 20)
    # A new label space replaces every setting: unset ones take
    # LabelSpace's defaults, not the dataset's.
    other = load_dataset("concrete", label_space=LabelSpace(n_bins=7), per_bin=4)
    assert other.label_space.get_params() == LabelSpace(n_bins=7).get_params()
    assert other.per_bin == 4 and load_dataset("concrete").per_bin == 10
    # The split bins the targets with it: 7 bins of at most 4 test samples.
    _, y_train, _, y_test = other.split(0)
    y = np.concatenate([y_train, y_test])
    bins = LabelSpace(n_bins=7).fit(y)
    assert np.all(bins.histogram(y_test) <= 4) and y_test.size == 7 * 4


def test_csv_label_space_uses_quartiles_of_50_bins(csv_path):
    path, _, _, y = csv_path
    spec = load_dataset(str(path), target="price")
    width = np.ptp(y) / 50
    # The counts of the populated bins [k w, (k + 1) w), by hand.
    _, counts = np.unique(np.floor(y / width), return_counts=True)
    space = spec.label_space
    assert not hasattr(space, "edges_")
    assert space.bin_width == pytest.approx(width)
    assert space.many_threshold == pytest.approx(np.quantile(counts, 0.75))
    assert space.few_threshold == pytest.approx(np.quantile(counts, 0.25))
    assert spec.per_bin == 0.15
    custom = load_dataset(str(path), target="price",
                          label_space=LabelSpace(bin_width=1.0))
    assert custom.label_space.get_params() == LabelSpace(bin_width=1.0).get_params()


def test_flags_override_single_settings_of_the_label_space(csv_path, capsys):
    status, out, err = _run(["--dataset", "concrete", "--methods", "vanilla",
                             "--model", "ridge", "--seeds", "1", "--bin-width",
                             "10", "--few", "3"], capsys)
    assert status == 0, err
    assert "bins of width 10, many > 80, few < 3 training" in out
    # On a CSV file the flags keep the file's other settings.
    path, _, _, y = csv_path
    few = load_dataset(str(path), target="price").label_space.few_threshold
    status, out, err = _run(["--dataset", str(path), "--target", "price",
                             "--methods", "vanilla", "--model", "ridge",
                             "--seeds", "1", "--many", "500"], capsys)
    assert status == 0, err
    assert (f"bins of width {np.ptp(y) / 50:g}, many > 500, few < {few:g} "
            "training") in out


@pytest.mark.parametrize("label_space, width", [(None, 5),
                                                (LabelSpace(bin_width=10), 10)])
def test_run_benchmark_shares_one_label_space_per_seed(label_space, width):
    # Every method of a seed is built from the same label space, fitted once
    # on that seed's training targets.
    seen = []

    def build(ctx):
        from sklearn.dummy import DummyRegressor

        seen.append((ctx.random_state, ctx.label_space, ctx.n_samples))
        return DummyRegressor()

    methods = [skdir.cli.Method(key, key, "tabular", build) for key in ("a", "b")]
    spec = skdir.cli.load_dataset("concrete", label_space=label_space)
    records, skipped = skdir.cli.run_benchmark(spec, methods, [0, 1], progress=None)
    assert skipped == {} and len(seen) == 4
    for seed in (0, 1):
        spaces = [space for s, space, _ in seen if s == seed]
        assert spaces[0] is spaces[1]
        _, y_train, _, _ = spec.split(seed)
        np.testing.assert_array_equal(
            spaces[0].counts_, LabelSpace(bin_width=width).fit(y_train).counts_)
        assert spaces[0] is not spec.label_space
        assert {n for s, _, n in seen if s == seed} == {y_train.size}
    assert seen[0][1] is not seen[2][1]


def test_context_epochs_reach_min_steps():
    ctx = Context(label_space=None, max_epochs=20, min_steps=600, batch_size=128,
                  n_samples=1000)
    # 1000 samples are 8 batches: 600 steps need 75 epochs.
    assert ctx.epochs() == 75
    assert Context(label_space=None, max_epochs=100, n_samples=1000).epochs() == 100
    assert Context(label_space=None, max_epochs=20).epochs() == 20


def test_samplers_get_a_label_space_only_with_lds():
    pytest.importorskip("imblearn")
    space = LabelSpace(bin_width=1).fit(np.arange(10.0))
    ctx = Context(label_space=space, random_state=3)
    phi = METHODS["smoter"].build(ctx).steps[0][1]
    lds = METHODS["smoter-lds"].build(ctx).steps[0][1]
    assert phi.relevance == "phi" and phi.label_space is None
    assert lds.relevance == "lds" and lds.label_space is space
    assert phi.random_state == lds.random_state == 3


def test_benchmark_scripts_import_only_public_names():
    # No private module of skdir (or of skdir.cli) in the script or here.
    private = re.compile(r"\bskdir(\.[A-Za-z]\w*)*\._(?!_)\w+")
    for path in (ROOT / "benchmarks" / "run_dir.py", Path(__file__)):
        text = path.read_text(encoding="utf-8")
        assert not private.search(text), (path, private.search(text))
    text = (ROOT / "benchmarks" / "run_dir.py").read_text(encoding="utf-8")
    assert "from skdir.cli import" in text
