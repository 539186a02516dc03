"""The ``skdir`` command line and the DIR benchmark behind it.

``skdir`` (or ``python -m skdir``) runs :func:`main`. The same benchmark is
available from Python, one step per function:

- :func:`load_dataset` gives the :class:`DatasetSpec` of a bundled dataset
  or a CSV file: its loader or splitter and its unfitted
  :class:`~skdir.LabelSpace` (bins and shot thresholds; :data:`DATASETS`
  lists the bundled ones);
- :func:`select_methods` picks rows of the :data:`METHODS` registry (each a
  :class:`Method` that builds an unfitted estimator from a
  :class:`Context`) by name or group (:data:`METHOD_GROUPS`);
- :func:`run_benchmark` fits every method on the imbalanced training set of
  each seed and evaluates it shot by shot on the balanced test set; per
  family it also picks a "Selected (inner CV)" row on inner folds of the
  training set (:func:`skdir.model_selection.balanced_refit`);
- :func:`summarize` gives the mean and standard deviation over seeds, and
  :func:`format_markdown`, :func:`format_terminal`, :func:`write_csv`,
  :func:`write_summary_csv` and :func:`write_plots` write the results.

Examples
--------
>>> from skdir.cli import load_dataset, run_benchmark, select_methods, summarize
>>> from skdir.cli import format_markdown
>>> spec = load_dataset("concrete")
>>> records, skipped = run_benchmark(
...     spec, select_methods("vanilla,sqrt-inv-lds"), seeds=[0],
...     context={"model": "ridge"}, progress=None)
>>> table = format_markdown(summarize(records), title=spec.name)
>>> table.splitlines()[0]
'### concrete'
"""

from ._benchmark import (
    SHOT_COLUMNS,
    TABLE_METRICS,
    ZERO_SHOT_COLUMNS,
    Outcome,
    run_benchmark,
    summarize,
)
from ._datasets import DATASETS, DatasetSpec, load_dataset
from ._main import main, parse_args, thread_limits
from ._methods import (
    METHOD_GROUPS,
    METHODS,
    Context,
    Method,
    available,
    select_methods,
)
from ._plots import write_plots
from ._report import (
    format_markdown,
    format_terminal,
    write_csv,
    write_summary_csv,
)

__all__ = [
    "DATASETS",
    "METHODS",
    "METHOD_GROUPS",
    "SHOT_COLUMNS",
    "TABLE_METRICS",
    "ZERO_SHOT_COLUMNS",
    "Context",
    "DatasetSpec",
    "Method",
    "Outcome",
    "available",
    "format_markdown",
    "format_terminal",
    "load_dataset",
    "main",
    "parse_args",
    "run_benchmark",
    "select_methods",
    "summarize",
    "thread_limits",
    "write_csv",
    "write_plots",
    "write_summary_csv",
]
