"""The documentation: its code samples run, and the site builds without warnings.

``test_user_guide_doctests`` runs every ``>>>`` sample of the pages under
``docs/`` with :mod:`doctest`; it needs nothing beyond the test extra.
``test_sphinx_build`` builds the whole site, gallery included, with
``sphinx-build -W`` (every warning an error) into a temporary directory, so
that the source tree gets no build output; it needs the ``docs`` extra and is
skipped without it.
"""

import doctest
import importlib.util
import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
BUILD_OUTPUTS = ("_build", "auto_examples", "generated")
# The site documents every module and runs every example, skdir.nn included.
DOCS_REQUIREMENTS = (
    "sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme", "matplotlib",
    "torch", "skorch", "pandas",
)
# Public modules whose ``__all__`` the API reference must cover.
PUBLIC_MODULES = (
    "skdir", "skdir.metrics", "skdir.model_selection", "skdir.relevance",
    "skdir.resampling", "skdir.datasets", "skdir.plotting", "skdir.nn",
    "skdir.nn.losses", "skdir.base", "skdir.cli",
)
# The gallery runs a few seconds per example; the whole build takes about a
# minute on two cores. The limit leaves room for slow machines.
BUILD_TIMEOUT_S = 300


def _pages_with_samples():
    return sorted(
        path for path in DOCS.rglob("*.rst")
        if not set(path.relative_to(DOCS).parts) & set(BUILD_OUTPUTS)
        and ">>>" in path.read_text(encoding="utf-8")
    )


def test_pages_with_samples_found():
    names = {path.name for path in _pages_with_samples()}
    assert {"label_space.rst", "evaluation.rst"} <= names


@pytest.mark.parametrize(
    "page", _pages_with_samples(), ids=lambda path: str(path.relative_to(DOCS))
)
def test_user_guide_doctests(page):
    text = page.read_text(encoding="utf-8")
    for module in ("torch", "skorch", "imblearn"):
        if f"import {module}" in text or f"from {module}" in text or (
            module != "imblearn" and "skdir.nn" in text
        ):
            pytest.importorskip(module)
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
        report=True,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} failing sample(s) in {page.name}"


def test_api_reference_lists_every_public_name():
    import importlib

    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    listed, current = set(), None
    for line in text.splitlines():
        if line.startswith(".. currentmodule::"):
            current = line.split("::", 1)[1].strip()
        elif line.startswith("   ") and current and line.strip() and not line.strip().startswith(":"):
            listed.add(f"{current}.{line.strip()}")
    modules = {}
    for name in PUBLIC_MODULES:
        try:
            modules[name] = importlib.import_module(name)
        except ImportError:
            continue  # an optional part that is not installed
    # A name re-exported elsewhere (skdir.SMOGN is skdir.resampling.SMOGN) is
    # documented once: what counts is that the object has a page.
    documented = set()
    for entry in listed:
        module_name, _, obj_name = entry.rpartition(".")
        if module_name in modules:
            documented.add(id(getattr(modules[module_name], obj_name, None)))
    missing = [
        f"{name}.{obj_name}"
        for name, module in modules.items()
        for obj_name in getattr(module, "__all__", ())
        if not inspect.ismodule(getattr(module, obj_name))
        and id(getattr(module, obj_name)) not in documented
    ]
    assert not missing, f"not in docs/api.rst: {missing}"
    # Every entry names a real object.
    for entry in listed:
        module_name, _, obj_name = entry.rpartition(".")
        if module_name in modules:
            assert hasattr(modules[module_name], obj_name), f"docs/api.rst: {entry}"


def test_every_example_folder_has_a_readme():
    folders = [EXAMPLES] + [p for p in EXAMPLES.iterdir() if p.is_dir()]
    for folder in folders:
        if folder.name.startswith((".", "_")):
            continue
        assert (folder / "README.txt").exists() or (folder / "README.rst").exists(), folder
    scripts = list(EXAMPLES.glob("*/plot_*.py"))
    assert len(scripts) >= 3
    for script in scripts:
        source = script.read_text(encoding="utf-8")
        # sphinx-gallery needs a docstring with a title first.
        assert source.startswith('"""'), script
        assert "\n===" in source.split('"""')[1], script


@pytest.mark.slow
def test_sphinx_build(tmp_path):
    missing = [name for name in DOCS_REQUIREMENTS if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"the docs extra is not installed (missing: {', '.join(missing)})")
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns(*BUILD_OUTPUTS, "__pycache__")
    shutil.copytree(DOCS, src / "docs", ignore=ignore)
    shutil.copytree(EXAMPLES, src / "examples", ignore=ignore)
    if (ROOT / "benchmarks" / "results").is_dir():
        shutil.copytree(ROOT / "benchmarks" / "results", src / "benchmarks" / "results")
    out = tmp_path / "html"
    env = dict(
        os.environ,
        MPLBACKEND="Agg",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         str(src / "docs"), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=BUILD_TIMEOUT_S,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-20000:]
    # The pages users land on exist.
    for page in ("index.html", "api.html", "auto_examples/index.html",
                 "user_guide/differences.html", "user_guide/label_space.html"):
        assert (out / page).exists(), page
    # Every public name has an API page, and every example ran to an HTML page.
    import skdir

    for name in ("LabelSpace", "LDSWeighter", "ReweightedRegressor"):
        assert getattr(skdir, name)
        assert (out / "generated" / f"skdir.{name}.html").exists(), name
    for script in EXAMPLES.glob("*/plot_*.py"):
        html = out / "auto_examples" / script.parent.name / f"{script.stem}.html"
        assert html.exists(), html
        assert "sphx-glr-single-img" in html.read_text(encoding="utf-8") or (
            "sphx-glr-multi-img" in html.read_text(encoding="utf-8")
        ), f"{script.name} produced no figure"


def _benchmark_results_module():
    spec = importlib.util.spec_from_file_location(
        "benchmark_results", DOCS / "_ext" / "benchmark_results.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MARKDOWN_SAMPLE = """# Speed (benchmarks/bench_x.py)

Run `OMP_NUM_THREADS=1 python x.py`; n_bins_ is *not* emphasis, a|b.

| measurement | value | note |
|---|---:|---|
| LDSWeighter, s | 0.09 | **fast**, `n=1e6` |
| SMOGN, s | 2.8 | |

Notes
- first point
  continues here
- second point

```
raw <text> with `ticks`
```
"""


def test_benchmark_markdown_is_rendered_as_safe_rst():
    convert = _benchmark_results_module().markdown_to_rst
    rst = convert(MARKDOWN_SAMPLE)
    assert ".. rubric:: Speed (benchmarks/bench\\_x.py)" in rst
    assert "``OMP_NUM_THREADS=1 python x.py``" in rst
    assert "n\\_bins\\_ is \\*not\\* emphasis, a\\|b." in rst
    assert ".. list-table::" in rst
    assert "   * - LDSWeighter, s\n     - 0.09\n     - **fast**, ``n=1e6``" in rst
    assert "   * - SMOGN, s\n     - 2.8\n     - \\" in rst
    assert "- first point\n  continues here" in rst
    assert "   raw <text> with `ticks`" in rst
    docutils_core = pytest.importorskip("docutils.core")
    # Any warning of the parser (level 2) is an error.
    doctree = docutils_core.publish_doctree(
        rst, settings_overrides={"halt_level": 2, "report_level": 2}
    )
    tables = [n for n in doctree.findall() if n.tagname == "table"]
    assert len(tables) == 1
    rows = [n for n in tables[0].findall() if n.tagname == "row"]
    assert len(rows) == 3


def test_benchmark_results_include_file(tmp_path):
    write_results = _benchmark_results_module().write_results
    target = tmp_path / "out" / "results.rst.inc"
    assert write_results(tmp_path / "missing", target) == []
    assert "No benchmark results" in target.read_text()
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "b.md").write_text("| a |\n|---|\n| 1 |\n")
    (tmp_path / "res" / "a.md").write_text("text\n")
    files = write_results(tmp_path / "res", target)
    assert [f.name for f in files] == ["a.md", "b.md"]
    text = target.read_text()
    assert text.index("results/a.md") < text.index("results/b.md")


def test_inline_code_with_edge_spaces_is_valid_rst():
    inline = _benchmark_results_module().inline
    assert inline("run `python x.py `; done") == "run ``python x.py``; done"


def test_committed_benchmark_results_render_without_warnings(tmp_path):
    docutils_core = pytest.importorskip("docutils.core")
    target = tmp_path / "results.rst.inc"
    _benchmark_results_module().write_results(ROOT / "benchmarks" / "results", target)
    docutils_core.publish_doctree(
        target.read_text(), settings_overrides={"halt_level": 2, "report_level": 2}
    )
