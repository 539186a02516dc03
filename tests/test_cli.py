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
    format_markdown,
    format_terminal,
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
    assert {"vanilla", "smoter", "smogn", "inverse", "inverse-lds", "sqrt-inv",
            "sqrt-inv-lds", "nn-vanilla", "nn-sqrt-inv-lds", "alpha-0.25-lds",
            "smogn-10", "smoter-10", "nn-alpha-0.25-lds", "nn-inverse-lds",
            "nn-smoter", "nn-smogn"} <= quick
    assert not {"smoter-phi", "smogn-phi", "nn-smoter-10", "nn-smogn-10"} & quick
    # Each family's quick candidates: no change, each sampler at its default
    # and the weights of strength 0.25, 0.5 and 1 with LDS.
    for family in ("tabular", "neural"):
        rows = [m for m in select_methods("quick") if m.family == family]
        labels = {m.label for m in rows}
        assert {"Vanilla", "SMOTER", "SMOGN", "INVERSE + LDS", "SQRT_INV + LDS",
                "α=0.25 + LDS"} <= labels
    both = [m.key for m in select_methods("tabular, neural")]
    assert both == list(METHODS)  # table order, no duplicates
    assert [m.key for m in select_methods("sqrt-inv-lds,VANILLA,vanilla")] == [
        "vanilla", "sqrt-inv-lds"]
    # The library's names: no "inv"/"sqinv" key or label is left.
    for key, method in METHODS.items():
        assert not re.search(r"(?<!sqrt)(^|-)(sq)?inv(-|$)", key), key
        assert not re.search(r"\b(SQ)?INV\b", method.label), method.label
    assert METHODS["sqrt-inv-lds"].label == "SQRT_INV + LDS"
    assert METHODS["nn-inverse-lds"].label == "INVERSE + LDS"
    # Earlier keys name the renamed rows.
    assert [m.key for m in select_methods("sqinv-lds,inv,smogn-lds,nn-sqinv")] == [
        "smogn", "inverse", "sqrt-inv-lds", "nn-sqrt-inv"]
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
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--lr", "0"], "--lr must be positive"),
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
        (["--inner-cv", "1"], "--inner-cv must be 0"),
        (["--inner-cv", "0", "--inner-split", "stratified"], "has no effect"),
        (["--metrics", "rare"], "invalid choice: 'rare'"),
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
         "--methods", "vanilla,sqrt-inv-lds", "--seeds", "0,3", "--out",
         str(out_dir)],
        capsys,
    )
    assert status == 0, err
    assert "[  1/4] seed 0" in out and "Selected vs Vanilla (%)" in out
    assert "Ours (best)" not in out
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
    assert "| Vanilla |" in summary_md and "SQRT_INV + LDS" in summary_md
    assert "**Selected vs Vanilla (%)**" in summary_md
    assert "negative means lower error" in summary_md
    assert "training split only" in summary_md


def test_bundled_dataset_run_and_zero_shot_columns(capsys):
    status, out, err = _run(
        ["--dataset", "concrete", "--methods", "vanilla,inverse-lds", "--seeds", "1",
         "--model", "ridge", "--gaps", "40:50,75:", "-q"],
        capsys,
    )
    assert status == 0, err
    assert "[" not in out.splitlines()[0]  # quiet: no progress lines
    assert "MAE Interp." in out and "MAE Extrap." in out
    assert "INVERSE + LDS" in out and "Seeds 0;" in out
    header = next(line for line in out.splitlines() if "MAE All" in line)
    # Columns never run together: every header is its own word.
    for name in ("MAE Few", "MAE Interp.", "MAE Extrap.", "bMAE", "GM Few"):
        assert f" {name} " in header + " ", header


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


def test_plots_are_written(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    saved = {}
    original = Figure.savefig

    def record(fig, path, **kwargs):
        saved[os.path.basename(str(path))] = fig
        return original(fig, path, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    status, out, err = _run(
        ["--dataset", "concrete", "--methods", "vanilla,sqrt-inv-lds,smoter",
         "--seeds", "1", "--model", "ridge", "--plot", "--out", str(tmp_path), "-q",
         "--gaps", "40:50,75:"],
        capsys,
    )
    assert status == 0, err
    for name in ("label_distribution.png", "error_by_target.png", "shot_mae.png",
                 "resampling.png"):
        with open(tmp_path / name, "rb") as handle:
            assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    # --gaps reaches the error-by-target plot: one band per removed range.
    ax = saved["error_by_target.png"].axes[0]
    bands = [p for p in ax.patches if p.get_gid() == "skdir-gap"]
    assert [b.get_x() for b in bands] == pytest.approx([40, 75])
    assert bands[0].get_width() == pytest.approx(10)


def test_error_plot_without_a_selected_row_names_its_choice(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from skdir.cli import run_benchmark, write_plots

    saved = {}
    monkeypatch.setattr(Figure, "savefig",
                        lambda fig, path, **kw: saved.setdefault(
                            os.path.basename(str(path)), fig))
    spec = load_dataset("concrete")
    records, _, outcomes = run_benchmark(
        spec, select_methods("vanilla,inverse,sqrt-inv"), [0],
        context={"model": "ridge"}, progress=None, keep_predictions=True, inner_cv=0)
    write_plots(tmp_path, spec, summarize(records), outcomes)
    few = {r["label"]: r["value"] for r in records
           if r["shot"] == "few" and r["metric"] == "mae" and r["label"] != "Vanilla"}
    lowest = min(few, key=few.get)
    legend = [t.get_text() for t in
              saved["error_by_target.png"].axes[0].get_legend().get_texts()]
    lines = [t for t in legend if "(tabular" in t]
    assert lines == ["Vanilla (tabular)",
                     f"{lowest} (tabular; lowest few-shot test MAE)"]


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


def test_summarize_and_the_selected_vs_vanilla_line():
    values = {("vanilla", 0, "all"): 2.0, ("vanilla", 1, "all"): 4.0,
              ("vanilla", 0, "few"): 9.0, ("vanilla", 1, "few"): 7.0,
              ("inverse", 0, "all"): 3.0, ("inverse", 1, "all"): 3.5,
              ("inverse", 0, "few"): 5.0, ("inverse", 1, "few"): np.nan,
              ("sqrt-inv", 0, "all"): 2.5, ("sqrt-inv", 1, "all"): 3.5,
              ("sqrt-inv", 0, "few"): 6.0, ("sqrt-inv", 1, "few"): 6.0}
    records = _records(values)
    # The selected row: seed 0 took inverse, seed 1 sqrt-inv.
    for rec in list(records):
        pick = {0: "inverse", 1: "sqrt-inv"}[rec["seed"]]
        if rec["method"] == pick:
            records.append({**rec, "method": "selected",
                            "label": "Selected (inner CV)", "chosen": pick,
                            "chosen_label": rec["label"], "inner_cv": 3,
                            "max_loss": 0.03})
    summary = summarize(records)
    assert list(summary) == [("tabular", "vanilla"), ("tabular", "inverse"),
                             ("tabular", "sqrt-inv"), ("tabular", "selected")]
    mean, std = summary[("tabular", "vanilla")][("all", "mae")]
    assert mean == 3.0 and std == pytest.approx(np.std([2.0, 4.0], ddof=1))
    # NaN seeds are left out of the mean.
    assert summary[("tabular", "inverse")][("few", "mae")] == (5.0, 0.0)
    selected = summary[("tabular", "selected")]
    assert selected["chosen"] == {0: "INVERSE", 1: "SQRT-INV"}
    assert selected[("all", "mae")][0] == pytest.approx((3.0 + 3.5) / 2)
    table = format_markdown(summary, title="d")
    rows = [line for line in table.splitlines() if line.startswith("|")]
    assert len({row.count("|") for row in rows}) == 1
    # The selected row leads the family, then the headline line.
    assert rows[3].startswith("| Selected (inner CV) |")
    assert rows[4].startswith("| **Selected vs Vanilla (%)** |")
    assert rows[5].startswith("| VANILLA |")
    # 100 (selected - vanilla) / vanilla: all 3.25 vs 3.0, few 5.5 vs 8.0.
    cells = [c.strip() for c in rows[4].split("|")[1:-1]]
    header = [c.strip() for c in rows[0].split("|")[1:-1]]
    assert cells[header.index("MAE All")] == f"**{100 * (3.25 - 3) / 3:+.1f} %**"
    assert cells[header.index("MAE Few")] == f"**{100 * (5.5 - 8) / 8:+.1f} %**"
    assert "seed 0 INVERSE, seed 1 SQRT-INV" in table
    assert "negative means lower error" in table and "Ours" not in table
    text = format_terminal(summary, metrics=("mae",))
    line = next(t for t in text.splitlines() if t.startswith("Selected vs"))
    assert line.split()[-2:] == ["+8.3%", "-31.2%"]


def test_terminal_columns_are_as_wide_as_their_headers():
    row = {"label": "A", "n_seeds": 1, "seconds": 0.1}
    for shot in ("all", "many", "medium", "few", "interp", "extrap"):
        row[(shot, "mae")] = (1.0, 0.0)
        row[(shot, "gm")] = (1.0, 0.0)
    row[("all", "bmae")] = (1.0, 0.0)
    text = format_terminal({("tabular", "a"): row}, caption=False)
    header, _, line = text.splitlines()
    names = ["MAE All", "MAE Many", "MAE Med.", "MAE Few", "MAE Interp.",
             "MAE Extrap.", "bMAE", "GM All", "GM Many", "GM Med.", "GM Few",
             "GM Interp.", "GM Extrap."]
    # Every header ends where its column ends, one space at least before it.
    ends = [m.end() for m in re.finditer(r"\S+(?: \S+)?", header)]
    assert re.findall(r"\S+(?: \S+)?", header) == names
    assert ends == [m.end() for m in re.finditer(r"\S+", line)][1:]
    for name in names:
        start = header.index(name)
        assert header[start - 1] == " "


# --------------------------------------------------------------------------
# the selected row: chosen on inner folds of the training data


def _toy_spec(perturb_test=None):
    """A small dataset with a fixed split; ``perturb_test(X, y)`` changes the
    test set only."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(360, 3))
    y = np.exp(0.9 * X[:, 0]) + 0.3 * X[:, 1] + 0.2 * rng.normal(size=360)
    X_tr, y_tr, X_te, y_te = X[:300], y[:300], X[300:], y[300:]
    if perturb_test is not None:
        X_te, y_te = perturb_test(X_te.copy(), y_te.copy())
    space = LabelSpace(n_bins=8, many_threshold=60, few_threshold=15)
    return DatasetSpec("toy", "toy data", space,
                       splitter=lambda seed: (X_tr, y_tr, X_te, y_te))


def _inner_scores_by_hand(spec, method, seed, n_folds, inner_split="balanced"):
    """Inner-CV mean MAE and balanced MAE of one method, computed here."""
    from skdir.datasets import dir_split
    from skdir.model_selection import BinnedStratifiedKFold

    X, y, _, _ = spec.split(seed)
    space = spec.make_label_space().fit(y)
    if inner_split == "balanced":
        # Each validation set drawn as dir_split draws a test set, one
        # random state consumed in turn.
        rng = np.random.RandomState(seed)
        folds = [dir_split(None, y, label_space=space, per_bin=spec.per_bin,
                           validation=False, return_indices=True, random_state=rng)
                 for _ in range(n_folds)]
    else:
        folds = BinnedStratifiedKFold(n_folds, label_space=space, shuffle=True,
                                      random_state=seed).split(X, y)
    mae, bmae = [], []
    for train, test in folds:
        ctx = Context(label_space=space, random_state=seed, model="ridge")
        model = method.build(ctx).fit(X[train], y[train])
        err = np.abs(model.predict(X[test]) - y[test])
        bins = space.transform(y[test])
        mae.append(err.mean())
        bmae.append(np.mean([err[bins == b].mean() for b in np.unique(bins)]))
    return np.mean(mae), np.mean(bmae)


def _rule_by_hand(scores, plain, max_loss):
    """Lowest balanced MAE among the MAEs within max_loss of the plain one."""
    limit = scores[plain][0] * (1 + max_loss)
    eligible = [key for key, (mae, _) in scores.items() if mae <= limit]
    return min(eligible, key=lambda key: (scores[key][1], scores[key][0]))


def _selected(records):
    return {r["seed"]: r for r in records if r["method"] == "selected"}


@pytest.mark.parametrize("inner_split", ["balanced", "stratified"])
def test_selection_applies_the_rule_to_inner_cv_scores(inner_split):
    spec = _toy_spec()
    methods = select_methods("vanilla,inverse")
    seeds = [0, 1]
    by_hand = {seed: {m.key: _inner_scores_by_hand(spec, m, seed, 3, inner_split)
                      for m in methods} for seed in seeds}
    choices = set()
    for max_loss in (0.0, 0.5, 10.0):
        records, skipped = skdir.cli.run_benchmark(
            spec, methods, seeds, context={"model": "ridge"}, progress=None,
            inner_cv=3, inner_split=inner_split, max_loss=max_loss)
        assert skipped == {}
        selected = _selected(records)
        assert sorted(selected) == seeds
        for seed in seeds:
            rec = selected[seed]
            for key, (mae, bmae) in by_hand[seed].items():
                assert rec["cv_scores"][key][:2] == pytest.approx((mae, bmae))
            expected = _rule_by_hand(by_hand[seed], "vanilla", max_loss)
            assert rec["chosen"] == expected
            choices.add(expected)
            assert rec["label"] == "Selected (inner CV)"
            assert rec["inner_cv"] == 3 and rec["max_loss"] == max_loss
            assert rec["inner_split"] == inner_split
    # The data make the rule matter: both methods are chosen somewhere.
    assert choices == {"vanilla", "inverse"}


def test_selected_records_are_the_chosen_methods_test_records():
    records, _ = skdir.cli.run_benchmark(
        _toy_spec(), select_methods("vanilla,inverse,sqrt-inv-lds"), [0, 1],
        context={"model": "ridge"}, progress=None, max_loss=0.5)
    for seed, rec in _selected(records).items():
        mine = {(r["shot"], r["metric"]): r["value"] for r in records
                if r["method"] == "selected" and r["seed"] == seed}
        chosen = {(r["shot"], r["metric"]): r["value"] for r in records
                  if r["method"] == rec["chosen"] and r["seed"] == seed}
        # 4 groups x (n, mae, mse, gm), bmae, and sera, rw_mae, f1u of all.
        assert mine == chosen and len(mine) == 4 * 4 + 1 + 3


def test_the_test_set_plays_no_part_in_the_selection():
    methods = select_methods("vanilla,inverse,inverse-lds,sqrt-inv")
    rng = np.random.RandomState(1)

    def run(perturb):
        records, _ = skdir.cli.run_benchmark(
            _toy_spec(perturb), methods, [0, 1, 2], context={"model": "ridge"},
            progress=None, max_loss=0.2)
        return records

    base = run(None)
    for perturb in (lambda X, y: (X, y[::-1]),
                    lambda X, y: (X, y + rng.normal(scale=5.0, size=y.size)),
                    lambda X, y: (-X, y * 3)):
        other = run(perturb)
        before, after = _selected(base), _selected(other)
        assert {s: r["chosen"] for s, r in before.items()} == {
            s: r["chosen"] for s, r in after.items()}
        assert {s: r["cv_scores"] for s, r in before.items()} == {
            s: r["cv_scores"] for s, r in after.items()}
        # ... while the test numbers did change.
        assert [r["value"] for r in base if r["metric"] == "mae"] != [
            r["value"] for r in other if r["metric"] == "mae"]


def test_methods_failing_in_inner_folds_are_no_candidates():
    from sklearn.dummy import DummyRegressor

    full = _toy_spec().split(0)[1].size

    class Boom(DummyRegressor):
        def fit(self, X, y, sample_weight=None):
            if len(y) < full:  # an inner fold
                raise RuntimeError("too few samples")
            return super().fit(X, y)

    methods = select_methods("vanilla,inverse") + [
        skdir.cli.Method("boom", "Boom", "tabular", lambda ctx: Boom())]
    lines = []
    records, skipped = skdir.cli.run_benchmark(
        _toy_spec(), methods, [0], context={"model": "ridge"}, progress=lines.append,
        max_loss=10.0)
    rec = _selected(records)[0]
    assert set(rec["cv_scores"]) == {"vanilla", "inverse"}
    assert rec["chosen"] in {"vanilla", "inverse"} and skipped == {}
    assert any("Boom" in line and "no candidate" in line for line in lines)


def test_selection_needs_the_plain_row_and_can_be_turned_off():
    spec = _toy_spec()
    records, skipped = skdir.cli.run_benchmark(
        spec, select_methods("inverse,sqrt-inv"), [0],
        context={"model": "ridge"}, progress=None)
    assert not _selected(records)
    assert "'vanilla' is not among the methods" in skipped["selected"]
    records, skipped = skdir.cli.run_benchmark(
        spec, select_methods("vanilla,inverse"), [0], context={"model": "ridge"},
        progress=None, inner_cv=0)
    assert not _selected(records) and skipped == {}
    for bad in (1, -1, 2.5, True):
        with pytest.raises(ValueError, match="inner_cv"):
            skdir.cli.run_benchmark(spec, select_methods("vanilla"), [0],
                                    progress=None, inner_cv=bad)
    with pytest.raises(ValueError, match="inner_split must be 'balanced' or"):
        skdir.cli.run_benchmark(spec, select_methods("vanilla"), [0],
                                progress=None, inner_split="kfold")
    with pytest.raises(ValueError, match="has no effect with inner_cv=0"):
        skdir.cli.run_benchmark(spec, select_methods("vanilla"), [0], progress=None,
                                inner_cv=0, inner_split="stratified")


def test_output_written_to_a_file_has_no_colour_codes(tmp_path, capsys):
    path = tmp_path / "out.txt"
    with open(path, "w", encoding="utf-8") as handle:
        status = main(["--dataset", "concrete", "--methods", "vanilla,inverse",
                       "--model", "ridge", "--seeds", "1"], out=handle)
    assert status == 0
    text = path.read_text(encoding="utf-8")
    assert "Selected (inner CV)" in text and "\x1b" not in text


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
    assert args.inner_split == "balanced"
    assert parse_args(["--inner-split", "stratified"]).inner_split == "stratified"
    with pytest.raises(ValueError, match="invalid choice"):
        parse_args(["--inner-split", "kfold"])
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
                "synthetic": (2, 100, 20), "synthetic-multimodal": (2, 150, 30)}
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

        seen.append((ctx.random_state, ctx.label_space))
        return DummyRegressor()

    methods = [skdir.cli.Method(key, key, "tabular", build) for key in ("a", "b")]
    spec = skdir.cli.load_dataset("concrete", label_space=label_space)
    records, skipped = skdir.cli.run_benchmark(spec, methods, [0, 1], progress=None,
                                               inner_cv=0)
    assert skipped == {} and len(seen) == 4
    for seed in (0, 1):
        spaces = [space for s, space in seen if s == seed]
        assert spaces[0] is spaces[1]
        _, y_train, _, _ = spec.split(seed)
        np.testing.assert_array_equal(
            spaces[0].counts_, LabelSpace(bin_width=width).fit(y_train).counts_)
        assert spaces[0] is not spec.label_space
    assert seen[0][1] is not seen[2][1]


def test_neural_rows_keep_the_regressors_defaults():
    nn = pytest.importorskip("skdir.nn")
    space = LabelSpace(bin_width=1).fit(np.arange(10.0))
    defaults = nn.DIRRegressor().get_params()
    set_by_row = {"nn-vanilla": {}, "nn-focal-r": {"loss": "focal_l1"},
                  "nn-alpha-0.25-lds": {"reweight": 0.25, "lds": True},
                  "nn-sqrt-inv-lds-fds": {"reweight": "sqrt_inv", "lds": True,
                                          "fds": True}}
    for key, own in set_by_row.items():
        ctx = Context(label_space=space, random_state=7, device="cpu")
        params = METHODS[key].build(ctx).steps[-1][1].get_params()
        expected = {**defaults, "random_state": 7, "label_space": space, **own}
        assert {k: params[k] for k in expected} == expected, key
    # Given settings override the defaults; the row's own options stay.
    ctx = Context(label_space=space, max_epochs=5, batch_size=32, lr=0.01)
    params = METHODS["nn-focal-r"].build(ctx).steps[-1][1].get_params()
    assert (params["max_epochs"], params["batch_size"], params["lr"]) == (5, 32, 0.01)
    assert params["loss"] == "focal_l1"
    assert params["weight_decay"] == defaults["weight_decay"]
    assert params["early_stopping"] == defaults["early_stopping"]
    # The command line passes its flags through, None when not given.
    args = parse_args([])
    assert (args.epochs, args.batch_size, args.lr) == (None, None, None)
    args = parse_args(["--epochs", "5", "--batch-size", "32", "--lr", "0.01"])
    assert (args.epochs, args.batch_size, args.lr) == (5, 32, 0.01)


def test_the_notes_state_the_neural_settings(capsys):
    nn = pytest.importorskip("skdir.nn")
    argv = ["--dataset", "concrete", "--methods", "nn-vanilla", "--seeds", "1",
            "--inner-cv", "0", "-q"]
    status, out, err = _run(argv + ["--epochs", "3", "--lr", "0.01"], capsys)
    assert status == 0, err
    batch = nn.DIRRegressor().batch_size
    assert ("DIRRegressor's defaults but --epochs, --lr (max_epochs=3, "
            f"batch_size={batch!r}, lr=0.01,") in out
    status, out, err = _run(argv + ["--epochs", "2"], capsys)
    assert status == 0, err
    defaults = nn.DIRRegressor()
    assert ("DIRRegressor's defaults but --epochs (max_epochs=2, "
            f"batch_size={defaults.batch_size!r}, lr={defaults.lr!r}, "
            f"early_stopping={defaults.early_stopping!r}, "
            f"weight_decay={defaults.weight_decay!r}, loss={defaults.loss!r};") in out


def test_mild_rows_build_their_strength():
    pytest.importorskip("imblearn")
    space = LabelSpace(bin_width=1).fit(np.arange(10.0))
    ctx = Context(label_space=space, random_state=3)
    weighter = METHODS["alpha-0.25-lds"].build(ctx).weighter
    assert (weighter.reweight, weighter.lds) == (0.25, True)
    assert weighter.label_space is space
    for key, name in (("smogn-10", "SMOGN"), ("smoter-10", "SMOTER")):
        sampler = METHODS[key].build(ctx).steps[0][1]
        assert type(sampler).__name__ == name
        assert sampler.sampling_strategy == 0.1 and sampler.relevance == "lds"
        assert sampler.label_space is space and sampler.random_state == 3
        plain = METHODS[key[:-3]].build(ctx).steps[0][1]
        assert plain.sampling_strategy == "balance"
    assert METHODS["alpha-0.25-lds"].label == METHODS["nn-alpha-0.25-lds"].label


def test_multimodal_dataset_has_its_rare_ranges_where_documented():
    spec = load_dataset("synthetic-multimodal")
    X_train, y_train, X_test, y_test = spec.split(0)
    assert X_train.shape[0] + X_test.shape[0] == 6000
    space = spec.make_label_space().fit(y_train)
    shot = dict(zip(np.round(space.centers_), space.shot_of(space.centers_)))
    # The modes at 20 and 50 are many-shot, the one at 80 medium-shot; the
    # troughs between them and both tails are few-shot.
    assert shot[21] == shot[51] == "many" and shot[81] == "medium"
    assert shot[35] == shot[67] == "few"
    assert shot[min(shot)] == shot[max(shot)] == "few"
    # By the mixture's own density: the few-shot bins are the least likely.
    from scipy import stats

    density = (0.6 * stats.norm(20, 4).pdf(space.centers_)
               + 0.3 * stats.norm(50, 6).pdf(space.centers_)
               + 0.1 * stats.norm(80, 5).pdf(space.centers_))
    few = space.shot_of(space.centers_) == "few"
    assert density[few].max() < density[~few].min() * 1.5
    # The balanced test set covers the few-shot ranges.
    assert np.sum(space.shot_of(y_test) == "few") >= 50


def test_samplers_get_a_label_space_only_with_lds():
    pytest.importorskip("imblearn")
    space = LabelSpace(bin_width=1).fit(np.arange(10.0))
    ctx = Context(label_space=space, random_state=3)
    phi = METHODS["smoter-phi"].build(ctx).steps[0][1]
    lds = METHODS["smoter"].build(ctx).steps[0][1]
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


# --------------------------------------------------------------------------
# utility-based metrics


def test_utility_records_use_the_relevance_of_the_training_split():
    from skdir.metrics import (
        relevance_weighted_mean_absolute_error,
        sera,
        utility_f1_score,
    )
    from skdir.relevance import PhiRelevance

    records, _, outcomes = skdir.cli.run_benchmark(
        load_dataset("concrete"), select_methods("vanilla,inverse-lds"), seeds=[0, 2],
        context={"model": "ridge"}, progress=None, keep_predictions=True, inner_cv=0)
    got = {(r["method"], r["seed"], r["shot"], r["metric"]): r["value"]
           for r in records}
    assert len(outcomes) == 4
    for o in outcomes:
        phi = PhiRelevance().fit(o.y_train).transform  # training targets only
        key = (o.method.key, o.seed, "all")
        assert got[(*key, "sera")] == pytest.approx(sera(o.y_test, o.y_pred,
                                                         relevance=phi))
        assert got[(*key, "rw_mae")] == pytest.approx(
            relevance_weighted_mean_absolute_error(o.y_test, o.y_pred, relevance=phi))
        assert got[(*key, "f1u")] == pytest.approx(
            utility_f1_score(o.y_test, o.y_pred, relevance=phi))
        # Fitted on the test targets instead, the relevance would differ.
        assert got[(*key, "sera")] != pytest.approx(sera(o.y_test, o.y_pred))


@pytest.mark.parametrize("choice", ["shot", "utility", "both"])
def test_metrics_choice_sets_the_table_columns(choice, tmp_path, capsys):
    status, out, err = _run(
        ["--dataset", "concrete", "--methods", "vanilla,inverse-lds", "--seeds", "1",
         "--model", "ridge", "--metrics", choice, "-q", "--out", str(tmp_path)],
        capsys,
    )
    assert status == 0, err
    header = next(line for line in out.splitlines() if "Selected" not in line
                  and ("MAE All" in line or "SERA" in line))
    markdown = (tmp_path / "results.md").read_text()
    md_header = next(line for line in markdown.splitlines()
                     if line.startswith("| Method"))
    shot, utility = choice in ("shot", "both"), choice in ("utility", "both")
    for text in (header, md_header):
        assert ("MAE All" in text and "bMAE" in text) == shot
        assert all(f" {name} " in text + " " for name in ("SERA", "rwMAE", "F1u")) \
            == utility
    # The headline compares MAE columns: shown only with them.
    assert ("Selected vs Vanilla (%)" in out) == shot
    assert ("**Selected vs Vanilla (%)**" in markdown) == shot
    assert ("F1u: utility-based F1" in markdown) == utility
    assert ("lower is better (F1u: greater)" in out) == utility
    # The records hold every metric whatever the choice.
    with open(tmp_path / "results.csv") as handle:
        metrics = {row["metric"] for row in csv.DictReader(handle)}
    assert {"mae", "bmae", "sera", "rw_mae", "f1u"} <= metrics


@pytest.mark.parametrize("key, sampler", [("nn-smoter", "SMOTER"), ("nn-smogn-10", "SMOGN")])
def test_neural_sampler_rows_resample_the_standardised_features(key, sampler):
    pytest.importorskip("torch")
    from sklearn.preprocessing import StandardScaler

    from skdir import LabelSpace

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1.0, 100.0, 0.01] + [0.0, 50.0, 3.0]
    y = np.concatenate([rng.normal(0, 1, 180), rng.normal(6, 0.5, 20)])
    space = LabelSpace(bin_width=1).fit(y)
    model = METHODS[key].build(Context(label_space=space, random_state=0, max_epochs=2))
    assert [name for name, _ in model.steps] == ["scale", "sampler", "model"]
    assert type(model.named_steps["sampler"]).__name__ == sampler
    model.fit(X, y)
    # The sampler saw the standardised features: its output, restricted to
    # the original rows, is what the scaler made of X.
    Xs = StandardScaler().fit_transform(X)
    Xr, yr = model.named_steps["sampler"].fit_resample(Xs, y)
    # Interpolated and jittered rows stay in the standardised box, far from
    # the raw units of columns 1 (around 50) and 2 (around 3).
    assert np.all(Xr.min(axis=0) >= Xs.min(axis=0) - 0.5)
    assert np.all(Xr.max(axis=0) <= Xs.max(axis=0) + 0.5)
    assert (yr > 4).sum() >= (y > 4).sum()  # the rare high range never loses rows
    assert model.named_steps["model"].label_space is space
    assert model.predict(X).shape == (200,)
