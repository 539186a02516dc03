"""Render the Markdown result files of ``benchmarks/results`` for Sphinx.

The benchmark scripts write their tables as Markdown (headings, paragraphs,
bullet lists, pipe tables, fenced code). This module turns such a file into
reStructuredText: pipe tables become ``list-table`` directives, headings
become rubrics, inline code stays literal and every other character that
reStructuredText would interpret is escaped, so that a result file can never
break the documentation build. ``write_results`` collects every file into
one include file that the benchmarks page pulls in.
"""

import re
from pathlib import Path

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_SPECIAL = re.compile(r"([\\*_`|\[\]<>:])")


def _escape(text):
    return _SPECIAL.sub(r"\\\1", text)


def inline(text):
    """Markdown inline markup (code, bold, links) as reStructuredText."""
    out, pos = [], 0
    pattern = re.compile(f"{_CODE.pattern}|{_BOLD.pattern}|{_LINK.pattern}")
    for match in pattern.finditer(text):
        before = text[pos:match.start()]
        out.append(_escape(before))
        code, bold, label, url = match.groups()
        if code is not None and code.strip() and "``" not in code:
            # reStructuredText literals may not start or end with a space.
            markup = f"``{code.strip()}``"
        elif code is not None:
            markup = _escape(code)
        elif bold is not None:
            markup = f"**{_escape(bold)}**"
        else:
            markup = f"`{_escape(label)} <{url}>`__"
        # Inline markup must be separated from adjacent word characters.
        if before and before[-1].isalnum():
            out.append("\\ ")
        out.append(markup)
        pos = match.end()
        if pos < len(text) and text[pos].isalnum():
            out.append("\\ ")
    out.append(_escape(text[pos:]))
    return "".join(out)


def _cells(line):
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", body)]


def _is_separator(line):
    return bool(re.fullmatch(r"\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*", line))


def _table(rows):
    header, body = rows[0], [r for r in rows[1:] if not _is_separator(r)]
    cells = [_cells(header)] + [_cells(r) for r in body]
    width = max(len(r) for r in cells)
    out = [".. list-table::", "   :header-rows: 1", ""]
    for row in cells:
        row = row + [""] * (width - len(row))
        for j, cell in enumerate(row):
            text = inline(cell) or "\\"
            out.append(("   * - " if j == 0 else "     - ") + text)
    return out + [""]


def markdown_to_rst(text):
    """reStructuredText for a Markdown result file."""
    lines = text.splitlines()
    out, i = [], 0

    def blank():
        if out and out[-1] != "":
            out.append("")

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            blank()
            out += [".. code:: text", ""]
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                out.append("   " + lines[i])
                i += 1
            out.append("")
            i += 1
            continue
        if stripped.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i])
                i += 1
            blank()
            out += _table(rows)
            continue
        heading = re.match(r"#{1,6}\s+(.*)", stripped)
        if heading:
            blank()
            out += [f".. rubric:: {inline(heading.group(1))}", ""]
        elif not stripped:
            blank()
        elif re.match(r"[-*+]\s+", stripped) and line == line.lstrip():
            if out and out[-1] and not re.match(r"- ", out[-1]):
                blank()
            out.append("- " + inline(re.sub(r"^[-*+]\s+", "", stripped)))
        elif line != line.lstrip() and out and out[-1].startswith(("- ", "  ")):
            out.append("  " + inline(stripped))  # continuation of a list item
        else:
            if out and out[-1].startswith(("- ", "  ")):
                blank()
            out.append(inline(stripped))
        i += 1
    return "\n".join(out).strip() + "\n"


def write_results(results_dir, target):
    """Write every ``*.md`` of ``results_dir`` into one include file."""
    results_dir, target = Path(results_dir), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(results_dir.glob("*.md")) if results_dir.is_dir() else []
    parts = []
    for path in files:
        title = f"``benchmarks/results/{path.name}``"
        parts += [title, "~" * len(title), "", markdown_to_rst(path.read_text("utf-8")), ""]
    if not files:
        parts = ["No benchmark results have been recorded yet.", ""]
    target.write_text("\n".join(parts), encoding="utf-8")
    return files
