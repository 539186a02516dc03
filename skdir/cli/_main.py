"""The ``skdir`` command line: argument parsing and the commands."""

import argparse
import contextlib
import dataclasses
import importlib.util
import os
import sys
import time

import numpy as np
from sklearn.base import clone

from ._benchmark import _UTILITY_METRICS, TABLE_METRICS, run_benchmark, summarize
from ._datasets import DATASETS, load_dataset
from ._methods import METHODS, available, select_methods
from ._plots import write_plots
from ._report import format_markdown, format_terminal, write_csv, write_summary_csv

__all__ = ["main", "parse_args", "thread_limits"]

# The metrics of the tables for each --metrics choice: (Markdown, terminal).
_TERMINAL_METRICS = ("mae", "bmae", "gm")
_METRIC_CHOICES = {
    "shot": (TABLE_METRICS, _TERMINAL_METRICS),
    "utility": (_UTILITY_METRICS, _UTILITY_METRICS),
    "both": (TABLE_METRICS + _UTILITY_METRICS, _TERMINAL_METRICS + _UTILITY_METRICS),
}

_DESCRIPTION = """\
Imbalanced regression benchmark. `skdir` (or `python -m skdir`) with no
arguments runs `skdir benchmark`: a quick comparison of plain, resampled and
density-reweighted models on the bundled abalone data, evaluated on a
balanced test set per target bin (the DIR protocol) and reported for all,
many-, medium- and few-shot targets. Per model family a "Selected (inner CV)"
row takes, per seed, the method chosen on inner folds of the training data
alone, and "Selected vs Vanilla (%)" is its change against the plain model.
"""

_BENCH_EPILOG = """\
examples:
  skdir benchmark                                   quick run on abalone
  skdir benchmark --dataset agedb --methods all --seeds 5 --out results
  skdir benchmark --dataset concrete --methods vanilla,sqrt-inv-lds,smogn
  skdir benchmark --dataset data.csv --target price --plot --out results
  skdir benchmark --dataset agedb --gaps 15:20,85: (zero-shot regions)
  skdir benchmark --dataset concrete --metrics both (shot-wise and utility)

--methods takes method names and the groups quick (default), all, tabular
and neural; `skdir methods` lists them. Rows that need an uninstalled part
(skdir.nn needs torch) are skipped with a note. --seeds 3 runs seeds 0, 1
and 2; --seeds 4,7 runs seeds 4 and 7. A CSV file is split by the same
protocol with 50 equal-width target bins, about 15 % of the rows in the
test set and shot thresholds at the quartiles of the bin counts (override
with --bin-width, --per-bin, --many, --few).

The "Selected (inner CV)" row of each family is, per seed, the method with
the lowest balanced MAE (mean over target bins of the per-bin MAE) among
those whose overall MAE is at most 3 % above Vanilla's, both measured on
--inner-cv validation sets drawn from that seed's training split (never the
test set); its numbers are the chosen method's test numbers. By default the
validation sets are balanced as the test set is (--inner-split balanced);
--inner-split stratified uses folds that follow the training distribution.
It needs the family's Vanilla row among the methods.

--metrics utility shows, instead of the shot-wise columns, SERA (squared
error-relevance area), the relevance-weighted MAE and the utility-based F1
(relevance threshold 0.8) of the whole test set, with the box-plot relevance
of SMOTER and SMOGN fitted on each training split; --metrics both shows all.
results.csv holds every metric whatever the choice.
"""


class _Error(ValueError):
    """A bad command line or input: reported in one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _Error(f"{message} (see `{self.prog} --help`)")


def _build_parser():
    from skdir import __version__

    parser = _Parser(prog="skdir", description=_DESCRIPTION,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"skdir {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                parser_class=_Parser)
    bench = sub.add_parser(
        "benchmark", help="run the shot-wise benchmark (the default command)",
        description="Fit each method on an imbalanced training set and report\n"
        "MAE, MSE and GM on a balanced test set, for all, many-, medium- and\n"
        "few-shot targets, and the balanced MAE, as mean ± std over seeds; per\n"
        "family, select a method on inner folds of the training set.",
        epilog=_BENCH_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench.add_argument("--dataset", default="abalone",
                       help=f"bundled dataset ({', '.join(DATASETS)}) or a path to "
                       "a CSV file; default: abalone")
    bench.add_argument("--target", help="target column of a CSV dataset")
    bench.add_argument("--methods", default="quick",
                       help="comma-separated methods and groups; default: quick")
    bench.add_argument("--seeds", default="3",
                       help="number of seeds, or a comma-separated list; default: 3")
    bench.add_argument("--out", help="directory for results.md, results.csv, "
                       "summary.csv and the plots")
    bench.add_argument("--plot", action="store_true",
                       help="also write PNG plots (needs matplotlib); into --out, "
                       "default ./skdir-results")
    bench.add_argument("--model", choices=("hgb", "ridge"), default="hgb",
                       help="regressor of the tabular rows: histogram gradient "
                       "boosting or standardised ridge; default: hgb")
    bench.add_argument("--gaps", help="target ranges LOW:HIGH[,LOW:HIGH] removed from "
                       "training (zero-shot); adds interpolation and extrapolation "
                       "columns; an empty side is open, e.g. 85:")
    bench.add_argument("--inner-cv", type=int, default=3,
                       help="inner cross-validation folds of the selected row "
                       "(0: no selected row); default: 3")
    bench.add_argument("--inner-split", choices=("balanced", "stratified"),
                       default="balanced",
                       help="inner validation sets of the selected row: balanced "
                       "as the test set (default) or stratified folds that follow "
                       "the training distribution")
    bench.add_argument("--epochs", type=int, default=None,
                       help="largest number of training epochs of the neural rows; "
                       "default: DIRRegressor's")
    bench.add_argument("--batch-size", type=int, default=None,
                       help="batch size of the neural rows; default: DIRRegressor's")
    bench.add_argument("--lr", type=float, default=None,
                       help="learning rate of the neural rows; default: "
                       "DIRRegressor's")
    bench.add_argument("--device", default="cpu",
                       help="torch device of the neural rows; default: cpu")
    bench.add_argument("--bin-width", type=float, help="width of the target bins")
    bench.add_argument("--per-bin", type=_per_bin,
                       help="test samples per bin (int), or the test fraction (float "
                       "in (0, 1))")
    bench.add_argument("--many", type=float,
                       help="training count above which a bin is many-shot")
    bench.add_argument("--few", type=float,
                       help="training count below which a bin is few-shot")
    bench.add_argument("--threads", type=int, default=1,
                       help="threads of the numerical libraries (OpenMP, BLAS, "
                            "torch) while the benchmark runs (default: 1; the "
                            "models are small, and more threads than free cores "
                            "slow them down)")
    bench.add_argument("--metrics", choices=tuple(_METRIC_CHOICES), default="shot",
                       help="columns of the tables: the shot-wise MAE, MSE and GM "
                       "and the balanced MAE (shot, default), SERA, the "
                       "relevance-weighted MAE and the utility-based F1 (utility), "
                       "or both")
    bench.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    sub.add_parser("datasets", help="list the bundled datasets",
                   description="List the datasets `skdir benchmark` knows.")
    sub.add_parser("methods", help="list the benchmark methods and whether they "
                   "can run here", description="List the benchmark methods.")
    return parser


def _per_bin(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value >= 1 and value == int(value):
        return int(value)
    if 0 < value < 1:
        return value
    raise argparse.ArgumentTypeError(
        f"must be an integer >= 1 or a fraction in (0, 1), got {text!r}")


def _parse_seeds(text):
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise _Error(f"--seeds must be a count or a list of integers, got {text!r}")
    if not values or any(v < 0 for v in values):
        raise _Error(f"--seeds must be a positive count or non-negative seeds, got "
                     f"{text!r}")
    if len(parts) == 1 and "," not in text:
        if values[0] < 1:
            raise _Error("--seeds must be at least 1")
        return list(range(values[0]))
    return list(dict.fromkeys(values))


def _parse_gaps(text):
    if text is None:
        return None
    gaps = []
    for part in text.split(","):
        if ":" not in part:
            raise _Error(f"--gaps needs LOW:HIGH ranges, got {part!r}")
        lo, hi = part.split(":", 1)
        try:
            low = float(lo) if lo.strip() else -np.inf
            high = float(hi) if hi.strip() else np.inf
        except ValueError:
            raise _Error(f"--gaps needs numbers, got {part!r}") from None
        if not low < high:
            raise _Error(f"--gaps range {part!r} is empty (LOW must be < HIGH)")
        gaps.append((low, high))
    return np.array(gaps)


def _list_datasets(out):
    width = max(len(name) for name in DATASETS) + 1
    for name, spec in DATASETS.items():
        print(f"{name:<{width}} {spec.description}", file=out)
    print("or a path to a CSV file, with --target COLUMN", file=out)
    return 0


def _list_methods(out):
    for key, method in METHODS.items():
        reason = available(method)
        state = "" if reason is None else f"  [unavailable: {reason}]"
        quick = "*" if method.quick else " "
        print(f"{quick} {key:<20} {method.family:<8} {method.label}{state}", file=out)
    print("* in the default quick run; groups: quick, all, tabular, neural", file=out)
    print("each family also gets a 'Selected (inner CV)' row, chosen per seed on "
          "inner folds of the training set (--inner-cv)", file=out)
    return 0


def _check_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise _Error('--plot needs matplotlib: pip install "scikit-dir[plot]"') from None


def _benchmark(args, out):
    if args.threads < 1:
        raise _Error("--threads must be at least 1")
    with thread_limits(args.threads):
        return _run_benchmark(args, out)


@contextlib.contextmanager
def thread_limits(n_threads):
    """Limit the threads of the numerical libraries while the block runs.

    OpenMP and BLAS (through :mod:`threadpoolctl`) and, when it is
    installed, torch use at most ``n_threads`` threads inside the ``with``
    block; the previous settings are restored on leaving it. The benchmark's
    models are small, and more threads than free cores slow them down.

    Parameters
    ----------
    n_threads : int
        Largest number of threads, at least 1.

    Yields
    ------
    None
        The block runs under the limits.

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> from skdir.cli import thread_limits
    >>> with thread_limits(1):
    ...     print(all(pool["num_threads"] == 1 for pool in threadpool_info()))
    True
    """
    from threadpoolctl import threadpool_limits

    torch = None
    if importlib.util.find_spec("torch") is not None:
        import torch
    previous = torch.get_num_threads() if torch is not None else None
    try:
        with threadpool_limits(limits=n_threads):
            if torch is not None:
                torch.set_num_threads(n_threads)
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(previous)


def _run_benchmark(args, out):
    seeds = _parse_seeds(args.seeds)
    gaps = _parse_gaps(args.gaps)
    for name in ("epochs", "batch_size"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            raise _Error(f"--{name.replace('_', '-')} must be at least 1")
    if args.lr is not None and not args.lr > 0:
        raise _Error("--lr must be positive")
    if args.inner_cv < 0 or args.inner_cv == 1:
        raise _Error("--inner-cv must be 0 (no selection) or at least 2")
    if args.inner_split != "balanced" and args.inner_cv == 0:
        raise _Error("--inner-split stratified has no effect with --inner-cv 0")
    if args.bin_width is not None and not args.bin_width > 0:
        raise _Error("--bin-width must be positive")
    for flag in ("many", "few"):
        if getattr(args, flag) is not None and getattr(args, flag) < 0:
            raise _Error(f"--{flag} must be non-negative")
    if args.plot:
        _check_matplotlib()
    try:
        methods = select_methods(args.methods)
        spec = load_dataset(args.dataset, target=args.target, per_bin=args.per_bin)
        spec = _override_label_space(spec, args)
        # Read and split once up front, so bad data fails before any fit.
        spec.split(seeds[0])
    except (ValueError, OSError) as exc:
        raise _Error(str(exc).strip().splitlines()[0]) from None

    def progress(line):
        if not args.quiet:
            print(line, file=out, flush=True)

    space = spec.label_space
    progress(f"skdir benchmark: {spec.name} ({spec.description}); {len(methods)} "
             f"method(s) x {len(seeds)} seed(s); bins of width {space.bin_width:g}, "
             f"many > {space.many_threshold:g}, few < {space.few_threshold:g} training "
             "samples per bin")
    start = time.perf_counter()
    context = {"model": args.model, "max_epochs": args.epochs,
               "batch_size": args.batch_size, "lr": args.lr, "device": args.device}
    records, skipped, outcomes = run_benchmark(
        spec, methods, seeds, context=context, gaps=gaps, progress=progress,
        keep_predictions=True, inner_cv=args.inner_cv, inner_split=args.inner_split)
    elapsed = time.perf_counter() - start
    if not records:
        reasons = "; ".join(f"{k}: {v}" for k, v in skipped.items())
        raise _Error(f"no method could run ({reasons})")
    summary = summarize(records)
    markdown_metrics, terminal_metrics = _METRIC_CHOICES[args.metrics]
    print("", file=out)
    print(format_terminal(summary, metrics=terminal_metrics), file=out)
    better = ("lower is better (F1u: greater)" if "f1u" in terminal_metrics
              else "lower is better")
    notes = [f"{spec.name}: {spec.description}. Seeds {', '.join(map(str, seeds))}; "
             f"mean ± std over seeds; {better}; total {elapsed:.0f} s."]
    if any(rec["family"] == "neural" for rec in records):
        notes.append(_neural_note(args))
    notes += [f"Skipped {key}: {reason}." for key, reason in skipped.items()]
    print("", file=out)
    for note in notes:
        print(note, file=out)
    if args.out or args.plot:
        folder = args.out or "skdir-results"
        try:
            os.makedirs(folder, exist_ok=True)
            _write_outputs(folder, spec, records, summary, notes, args.plot, outcomes,
                           gaps, markdown_metrics)
        except OSError as exc:
            raise _Error(f"cannot write to {folder}: {exc.strerror or exc}") from None
        print(f"results written to {folder}/", file=out)
    return 0


def _neural_note(args):
    """The training settings of the neural rows, for the notes."""
    from skdir.nn import DIRRegressor

    params = DIRRegressor().get_params()
    given = {"max_epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr}
    shown = {name: params[name] if value is None else value
             for name, value in given.items()}
    shown.update({name: params[name] for name in
                  ("early_stopping", "weight_decay", "loss")})
    text = ", ".join(f"{name}={value!r}" for name, value in shown.items())
    changed = [f"--{name.replace('_', '-')}".replace("max-", "")
               for name, value in given.items() if value is not None]
    origin = ("DIRRegressor's defaults" if not changed else
              "DIRRegressor's defaults but " + ", ".join(changed))
    return (f"Neural rows: skdir.nn.DIRRegressor on standardised features, {origin} "
            f"({text}; a row's own loss replaces the default).")


def _override_label_space(spec, args):
    """``spec`` with its label space changed by --bin-width, --many and --few."""
    flags = {"bin_width": args.bin_width, "many_threshold": args.many,
             "few_threshold": args.few}
    changes = {key: value for key, value in flags.items() if value is not None}
    if not changes:
        return spec
    space = clone(spec.label_space).set_params(**changes)
    if space.few_threshold > space.many_threshold:
        raise _Error(
            f"the few-shot threshold ({space.few_threshold:g}) exceeds the many-shot "
            f"threshold ({space.many_threshold:g}); check --few and --many."
        )
    return dataclasses.replace(spec, label_space=space)


def _write_outputs(folder, spec, records, summary, notes, plot, outcomes, gaps,
                   metrics=TABLE_METRICS):
    with open(os.path.join(folder, "results.md"), "w", encoding="utf-8") as handle:
        handle.write(format_markdown(summary, title=spec.name, notes=notes,
                                     metrics=metrics))
    write_csv(records, os.path.join(folder, "results.csv"))
    write_summary_csv(summary, os.path.join(folder, "summary.csv"), dataset=spec.name)
    if plot:
        write_plots(folder, spec, summary, outcomes, gaps=gaps)


_COMMANDS = ("benchmark", "datasets", "methods")


def parse_args(argv=None):
    """Parse the arguments of the ``skdir`` command line.

    As on the command line, no arguments, or arguments that do not start
    with a command (``benchmark``, ``datasets``, ``methods``) or ``--help`` /
    ``--version``, are those of ``skdir benchmark``.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    args : argparse.Namespace
        The parsed arguments; ``args.command`` names the command.

    Raises
    ------
    ValueError
        On an unknown option or a malformed value, in one line.
    SystemExit
        For ``--help`` and ``--version``, after printing them.

    Examples
    --------
    >>> from skdir.cli import parse_args
    >>> args = parse_args([])
    >>> args.command, args.dataset, args.methods, args.seeds
    ('benchmark', 'abalone', 'quick', '3')
    >>> parse_args(["--dataset", "concrete", "--per-bin", "0.2"]).per_bin
    0.2
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in _COMMANDS
                    and argv[0] not in ("-h", "--help", "--version")):
        argv = ["benchmark"] + argv
    return _build_parser().parse_args(argv)


def main(argv=None, *, out=None):
    """Run the ``skdir`` command line and return its exit status.

    ``skdir`` and ``python -m skdir`` call it. The commands are

    - ``benchmark`` (the default, also with no arguments): fit each chosen
      method on an imbalanced training set and report MAE, MSE and GM on a
      balanced test set for all, many-, medium- and few-shot targets, as
      mean ± std over seeds; ``skdir benchmark --help`` lists its options;
    - ``datasets``: list the bundled datasets;
    - ``methods``: list the benchmark methods and whether they can run here.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name; None reads ``sys.argv[1:]``.
    out : file-like, default=None
        Where results and progress go; None is ``sys.stdout``. Errors go to
        ``sys.stderr`` as one line.

    Returns
    -------
    status : int
        0 on success, 2 on bad input, 130 when interrupted.

    See Also
    --------
    run_benchmark : The benchmark from Python.

    Examples
    --------
    >>> import io
    >>> from skdir.cli import main
    >>> buffer = io.StringIO()
    >>> main(["datasets"], out=buffer)
    0
    >>> buffer.getvalue().splitlines()[1].split(maxsplit=1)
    ['concrete', 'compressive strength of 1,030 concrete samples (bundled, UCI)']
    >>> main(["benchmark", "--dataset", "concrete", "--methods", "vanilla",
    ...       "--model", "ridge", "--seeds", "1", "--quiet"], out=buffer)
    0
    """
    out = sys.stdout if out is None else out
    try:
        args = parse_args(argv)
        if args.command == "datasets":
            return _list_datasets(out)
        if args.command == "methods":
            return _list_methods(out)
        return _benchmark(args, out)
    except _Error as exc:
        print(f"skdir: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print("skdir: interrupted", file=sys.stderr)
        return 130
