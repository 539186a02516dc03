"""The paper-style DIR benchmark tables.

One command reproduces the tables of ``benchmarks/README.md``::

    python benchmarks/run_dir.py                      # every table, 3 seeds
    python benchmarks/run_dir.py --datasets abalone --methods quick --seeds 2

For each dataset it fits every method of the registry (``skdir methods``)
on the imbalanced training set of each seed and reports MAE, MSE and GM on
the balanced test set, for all, many-, medium- and few-shot targets, and the
balanced MAE, as mean ± standard deviation over seeds. The headline of each
model family is its "Selected (inner CV)" row: per seed, the method chosen
on validation sets drawn from that seed's training split alone (lowest
balanced MAE among the methods within 3 % of Vanilla's overall MAE,
``skdir.model_selection.balanced_refit``), reported with its test numbers
and as "Selected vs Vanilla (%)". A second table removes target ranges from
the training set of the semi-synthetic AgeDB-DIR data (zero-shot
interpolation and extrapolation). Rows whose module is missing are listed
as skipped.

Outputs (``--out``, default ``benchmarks/results``): ``dir.md`` and
``dir.csv`` (every record), ``dir_zero_shot.md`` and ``dir_zero_shot.csv``;
``--name NAME`` writes ``NAME.md`` and ``NAME.csv`` instead of ``dir.*``.
"""

import argparse
import datetime
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from skdir.cli import (
    format_markdown,
    load_dataset,
    run_benchmark,
    select_methods,
    summarize,
    write_csv,
)

#: Zero-shot regions of the AgeDB-DIR table: two interpolation gaps and the
#: extrapolation tail (ages in years).
ZERO_SHOT_GAPS = np.array([[15.0, 20.0], [60.0, 65.0], [90.0, np.inf]])


def machine():
    """One line describing the machine, for the results' header."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = [f"Python {platform.python_version()}"]
    for name in ("numpy", "sklearn", "imblearn", "torch"):
        try:
            versions.append(f"{name} {__import__(name).__version__}")
        except ImportError:
            pass
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    return (f"{cpu}, {os.cpu_count()} logical CPUs (OMP_NUM_THREADS={threads}), "
            f"{platform.system()}; " + ", ".join(versions))


def neural_settings(context):
    """How the neural rows are trained, read from DIRRegressor itself."""
    try:
        from skdir.nn import DIRRegressor
    except ImportError:
        return "no neural rows (skdir.nn needs torch)"
    params = DIRRegressor().get_params()
    shown = {name: params[name] if context.get(name) is None else context[name]
             for name in ("max_epochs", "batch_size", "lr")}
    shown.update({name: params[name] for name in
                  ("hidden_layer_sizes", "early_stopping", "n_iter_no_change",
                   "weight_decay", "optimizer", "loss", "scale_target")})
    given = [name for name in ("max_epochs", "batch_size", "lr")
             if context.get(name) is not None]
    origin = "its defaults" + (f" but {', '.join(given)}" if given else "")
    text = ", ".join(f"{name}={value!r}" for name, value in shown.items())
    return (f"neural rows DIRRegressor with {origin} ({text}; a row's own loss "
            "replaces the default) on standardised features")


def _task(args):
    dataset, methods, seed, context, gaps, inner_cv, inner_split = args
    spec = load_dataset(dataset)
    methods = select_methods(methods)
    lines = []
    records, skipped = run_benchmark(spec, methods, [seed], context=context, gaps=gaps,
                                     progress=lines.append, inner_cv=inner_cv,
                                     inner_split=inner_split)
    return dataset, seed, records, skipped, lines


def run(datasets, methods, seeds, context, gaps, jobs, inner_cv=3,
        inner_split="balanced"):
    """Records and skipped rows per dataset, running (dataset, seed) in parallel."""
    tasks = [(d, methods, s, context, gaps, inner_cv, inner_split) for d in datasets
             for s in seeds]
    results = {d: ([], {}) for d in datasets}
    if jobs == 1:
        outputs = map(_task, tasks)
    else:
        pool = ProcessPoolExecutor(jobs)
        outputs = pool.map(_task, tasks)
    for dataset, seed, records, skipped, lines in outputs:
        for line in lines:
            print(f"{dataset} {line}", flush=True)
        results[dataset][0].extend(records)
        for key, reason in skipped.items():
            if key == "selected" and key in results[dataset][1]:
                # One note per (dataset, seed) task: keep each part once.
                parts = results[dataset][1][key].split("; ") + reason.split("; ")
                reason = "; ".join(dict.fromkeys(parts))
            results[dataset][1][key] = reason
    if jobs != 1:
        pool.shutdown()
    return results


def write_tables(results, path_md, path_csv, header, seeds, gaps=None):
    blocks, all_records = [header], []
    for dataset, (records, skipped) in results.items():
        if not records:
            continue
        # Keep the registry's row order whatever the order the tasks finished.
        records.sort(key=lambda r: (r["seed"],))
        spec = load_dataset(dataset)
        space = spec.label_space
        notes = [f"{spec.name}: {spec.description}; bins of width {space.bin_width:g}, "
                 f"many > {space.many_threshold:g} and few < {space.few_threshold:g} "
                 f"training samples per bin. Seeds {', '.join(map(str, seeds))}; "
                 "mean ± std over seeds."]
        if gaps is not None:
            notes.append("Training targets removed (zero-shot): " + ", ".join(
                f"[{lo:g}, {hi:g})" for lo, hi in gaps) + "; Interp./Extrap. are the "
                "test samples in the removed ranges inside / beyond the training "
                "range.")
        notes += [f"Skipped `{k}`: {v}." for k, v in skipped.items()]
        blocks.append(format_markdown(summarize(records), title=spec.name, notes=notes))
        all_records.extend(records)
    with open(path_md, "w", encoding="utf-8") as handle:
        handle.write("\n".join(blocks))
    write_csv(all_records, path_csv)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="abalone,concrete,bikeshare,agedb")
    parser.add_argument("--methods", default="all")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=None,
                        help="largest number of training epochs of the neural rows; "
                        "default: DIRRegressor's")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="batch size of the neural rows; default: DIRRegressor's")
    parser.add_argument("--lr", type=float, default=None,
                        help="learning rate of the neural rows; default: "
                        "DIRRegressor's")
    parser.add_argument("--jobs", type=int, default=1,
                        help="parallel processes, one (dataset, seed) each")
    parser.add_argument("--inner-cv", type=int, default=3,
                        help="inner folds of the selected row (0: none)")
    parser.add_argument("--name", default="dir",
                        help="file name (without extension) of the main table; "
                        "default: dir")
    parser.add_argument("--inner-split", choices=("balanced", "stratified"),
                        default="balanced",
                        help="inner validation sets: balanced as the test set "
                        "(default) or stratified folds")
    parser.add_argument("--no-zero-shot", action="store_true")
    parser.add_argument("--zero-shot-only", action="store_true",
                        help="write only the zero-shot table")
    parser.add_argument("--zero-shot-methods", default="quick")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__),
                                                      "results"))
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    seeds = list(range(args.seeds))
    context = {"max_epochs": args.epochs, "batch_size": args.batch_size,
               "lr": args.lr}
    start = time.perf_counter()
    header = (f"Run {datetime.date.today().isoformat()} on {machine()}. "
              "Command: `"
              f"{' '.join(['python benchmarks/run_dir.py', *(argv or sys.argv[1:])])}`"
              "; tabular rows use HistGradientBoostingRegressor(max_iter=100), "
              f"{neural_settings(context)}.\n")
    if args.no_zero_shot and args.zero_shot_only:
        parser.error("--no-zero-shot and --zero-shot-only exclude each other")
    datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    if not args.zero_shot_only:
        results = run(datasets, args.methods, seeds, context, None, args.jobs,
                      args.inner_cv, args.inner_split)
        write_tables(results, os.path.join(args.out, f"{args.name}.md"),
                     os.path.join(args.out, f"{args.name}.csv"), header, seeds)
    if not args.no_zero_shot:
        results = run(["agedb"], args.zero_shot_methods, seeds, context,
                      ZERO_SHOT_GAPS, args.jobs, args.inner_cv, args.inner_split)
        write_tables(results, os.path.join(args.out, "dir_zero_shot.md"),
                     os.path.join(args.out, "dir_zero_shot.csv"), header, seeds,
                     gaps=ZERO_SHOT_GAPS)
    print(f"done in {time.perf_counter() - start:.0f} s; tables in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
