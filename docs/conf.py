"""Sphinx configuration of the skdir documentation.

The build is offline: no intersphinx inventories are fetched and every
example of the gallery runs on the CPU with small data.
"""

import os
import re
import sys
import warnings
from pathlib import Path

import skdir
from numpydoc.xref import DEFAULT_LINKS
from sphinx.pycode import ModuleAnalyzer

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
os.environ.setdefault("MPLBACKEND", "Agg")

# -- Project ---------------------------------------------------------------
project = "skdir"
author = "The skdir developers"
copyright = "The skdir developers"
release = skdir.__version__
version = ".".join(release.split(".")[:2])

# -- General ---------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "matplotlib.sphinxext.plot_directive",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
root_doc = "index"
default_role = "literal"
pygments_style = "sphinx"

# autosummary writes one page per public object into generated/ (git-ignored).
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"

# numpydoc renders the docstrings; the member tables come from the templates.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Types become cross-references where they name a documented object; words
# such as "of" and "shape" stay plain text. numpydoc's default aliases point
# into the Python and NumPy inventories, which an offline build does not
# have, so they are replaced by plain object references.
numpydoc_xref_param_type = True
numpydoc_xref_ignore = {
    "of", "or", "and", "shape", "default", "optional", "instance", "compatible",
    "the", "a", "an", "with", "to", "in", "for", "any", "same", "as",
}
numpydoc_xref_aliases = {name: name for name in DEFAULT_LINKS}
numpydoc_xref_aliases.update(
    {
        "LabelSpace": "skdir.LabelSpace",
        "LDSWeighter": "skdir.LDSWeighter",
        "TrainingTargets": "skdir.metrics.TrainingTargets",
    }
)

# -- Figures of the user guide (.. plot::) -----------------------------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]
plot_rcparams = {"savefig.bbox": "tight"}

# -- Gallery ---------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("skdir",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skdir": None},
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    # No sg_execution_times.rst in the source tree after a build.
    "write_computation_times": False,
}

# The examples run with one thread each so that the build fits small machines.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

warnings.filterwarnings(
    "ignore",
    message="Matplotlib is currently using agg, which is a non-GUI backend",
    category=UserWarning,
)

# -- HTML ------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skdir {release}"
html_static_path = ["_static"]
html_css_files = ["skdir.css"]
html_theme_options = {
    "navbar_end": ["navbar-icon-links"],
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
    "navigation_with_keys": False,
}
html_sidebars = {"index": []}
html_show_sourcelink = False
html_copy_source = False


# -- Docstring pre-processing ------------------------------------------------
# A type such as "ndarray of shape (n_bins_,)" names a fitted attribute; in
# reStructuredText a word ending in "_" is a link, so escape the underscore
# on type lines before numpydoc renders them.
_TYPE_LINE = re.compile(r"^\s*\*{0,2}\w+(, \w+)* : ")
_TRAILING_UNDERSCORE = re.compile(r"(?<=\w)_(?=[,)\s])")


def _escape_attribute_shapes(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        if _TYPE_LINE.match(line):
            head, _, types = line.partition(" : ")
            lines[i] = head + " : " + _TRAILING_UNDERSCORE.sub(r"\\_", types)


def _constant_docs(app, what, name, obj, options, lines):
    """The ``#:`` comment of a constant re-exported from a private module.

    autodoc finds the comment only in the module that defines the constant;
    a re-export (``skdir.datasets.AGEDB_DIR_AGES`` from ``_agedb.py``) would
    otherwise show the docstring of the value's type (``numpy.ndarray``).
    """
    if what != "data":
        return
    short = name.rsplit(".", 1)[-1]
    for modname, module in sorted(sys.modules.items()):
        if not modname.startswith("skdir") or getattr(module, short, None) is not obj:
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # noqa: BLE001 - no source to analyse
            continue
        comment = docs.get(("", short))
        if comment:
            lines[:] = list(comment)
            return
    if "\n".join(lines).strip() == (type(obj).__doc__ or "").strip() or (
        type(obj).__module__ not in ("builtins", "skdir")
    ):
        lines[:] = []


def _benchmark_results(app):
    """Render benchmarks/results/*.md for the benchmarks page."""
    from benchmark_results import write_results

    write_results(
        HERE.parent / "benchmarks" / "results",
        HERE / "generated" / "benchmark_results.rst.inc",
    )


def _command_line_help(app):
    """The live ``--help`` of the command line, for the command-line page."""
    import subprocess

    sections = []
    for args in (["--help"], ["benchmark", "--help"], ["methods"], ["datasets"]):
        title = "skdir " + " ".join(args)
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "skdir", *args],
                capture_output=True, text=True, timeout=120,
                env=dict(os.environ, COLUMNS="80"),
            )
            text = proc.stdout if proc.returncode == 0 else proc.stderr
        except (OSError, subprocess.SubprocessError) as exc:
            text = f"(not available: {exc})"
        body = "\n".join("   " + line for line in text.rstrip().splitlines())
        sections += [f".. rubric:: ``{title}``", "", ".. code-block:: text",
                     "", body or "   (no output)", ""]
    target = HERE / "generated" / "command_line_help.rst.inc"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(sections), encoding="utf-8")


def setup(app):
    app.connect("builder-inited", _benchmark_results)
    app.connect("builder-inited", _command_line_help)
    app.connect("autodoc-process-docstring", _escape_attribute_shapes, priority=400)
    app.connect("autodoc-process-docstring", _constant_docs, priority=300)
