"""The distribution is scikit-dir; ``pip install skdir`` is somebody else's."""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked_text_files():
    try:
        out = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    suffixes = {".py", ".rst", ".md", ".toml", ".cfg", ".txt", ""}
    return [ROOT / f for f in out if Path(f).suffix in suffixes and (ROOT / f).is_file()]


def test_project_name_in_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^name = "scikit-dir"$', text, flags=re.M)


def test_no_install_instruction_names_the_wrong_distribution():
    # "pip install skdir", "pip install -U skdir", 'pip install "skdir[torch]"', ...
    wrong = re.compile(r"""pip install[^\n`&;|]*?(?<![\w.-])["']?skdir(\[|["'\s`]|$)""", re.M)
    extra = re.compile(r"""(?<![\w-])skdir\[(torch|plot|dask|docs|test|bench|all)""")
    offenders = []
    for path in _tracked_text_files():
        if path.resolve() == Path(__file__).resolve():
            continue  # the patterns above
        text = path.read_text(errors="ignore")
        for pattern in (wrong, extra):
            for match in pattern.finditer(text):
                line = text[: match.start()].count("\n") + 1
                context = text.splitlines()[line - 1]
                if "unrelated" in context or "somebody else" in context:
                    continue  # the sentence that warns about the other project
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {context.strip()}")
    assert not offenders, "\n".join(offenders)
