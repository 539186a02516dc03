"""The quick start of README.md and docs/index.rst runs and prints what they show.

Each page shows the code once and its output right below it. The test takes
both blocks from the page, runs the code in a fresh interpreter from an empty
working directory (so that it depends on nothing but the installed package
and its bundled data) and compares the printed lines with the shown ones.
"""

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
INDEX = ROOT / "docs" / "index.rst"
# Ridge on abalone, twice 5 folds: about 2 s, most of it imports.
TIMEOUT_S = 120


def _readme_blocks():
    """The python block of the Quick start section and the text block after it."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"^```python\n(.*?)^```$", section, re.S | re.M)
    shown = re.search(r"^```text\n(.*?)^```$", section, re.S | re.M)
    assert code and shown and code.end() < shown.start(), (
        "README.md's Quick start needs a ```python block followed by a ```text block"
    )
    return code.group(1), shown.group(1)


def _rst_block(text, language):
    """The body of the first ``.. code-block:: language`` of ``text``, dedented,
    and the text after it."""
    match = re.search(rf"^\.\. code-block:: {language}\n\n", text, re.M)
    assert match, f"docs/index.rst has no '.. code-block:: {language}'"
    rest = text[match.end():]
    # The body: indented lines and blank lines, up to the first unindented line.
    body = re.match(r"((?:[ \t]+\S.*\n|[ \t]*\n)*)", rest).group(1)
    return textwrap.dedent(body).strip("\n") + "\n", rest[len(body):]


def _index_blocks():
    text = INDEX.read_text(encoding="utf-8")
    code, rest = _rst_block(text, "python")
    # The shown output is the code block that directly follows the code.
    following = re.search(r"^\.\. code-block:: (\w+)", rest, re.M)
    assert following and following.group(1) == "text", (
        "docs/index.rst shows the output of its code in the next block, a text block"
    )
    shown, _ = _rst_block(rest, "text")
    return code, shown


PAGES = {"README.md": _readme_blocks, "docs/index.rst": _index_blocks}


def _lines(text):
    """Non-empty lines without trailing blanks."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def test_both_pages_show_the_same_code_and_output():
    readme_code, readme_shown = _readme_blocks()
    index_code, index_shown = _index_blocks()
    assert readme_code == index_code
    assert _lines(readme_shown) == _lines(index_shown)
    # Not empty: a table header and at least one row.
    assert len(_lines(readme_shown)) >= 2


@pytest.mark.parametrize("page", sorted(PAGES))
def test_quick_start_prints_what_it_shows(page, tmp_path):
    code, shown = PAGES[page]()
    script = tmp_path / "quick_start.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True,
        text=True, timeout=TIMEOUT_S,
    )
    assert result.returncode == 0, f"the quick start of {page} failed:\n{result.stderr}"
    assert _lines(result.stdout) == _lines(shown), (
        f"the quick start of {page} prints\n{result.stdout}\nbut the page shows\n{shown}"
    )
    # Nothing else goes to the terminal: no warnings under the shown output.
    assert result.stderr == ""
