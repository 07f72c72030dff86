"""Every chapter has at least three exercises whose solutions run; the student edition has none of them.

The chapters are executed by the default build (``test_book.py`` runs it first in the session; here
the chain is run again, a no-op when nothing changed) and the student edition is built beside the
book, into ``_build/student/html``.
"""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from helpers.build import pipeline
from helpers.paths import BOOK, NOTEBOOKS

MIN_EXERCISES = 3


def _solution_regions(cells: list[dict]) -> list[list[dict]]:
    """The cells between each ``{solution-start}`` and the next ``{solution-end}`` of a notebook."""
    regions, current = [], None
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "{solution-end}" in text and current is not None:
            regions.append(current)
            current = None
        if cell["cell_type"] == "markdown" and "{solution-start}" in text:
            current = []
        elif current is not None:
            current.append(cell)
    return regions


@pytest.fixture(scope="module")
def editions() -> tuple[dict, dict]:
    pipeline.run(student=True)

    def texts(root):
        return {p.relative_to(root).as_posix(): re.sub(r"\s+", " ", BeautifulSoup(
            p.read_text(encoding="utf-8"), "html.parser").get_text()) for p in root.rglob("*.html")}

    return texts(pipeline.HTML), texts(pipeline.STUDENT / "html")


def test_every_chapter_has_exercises_with_executed_solutions():
    for chapter in pipeline.chapters():
        name = chapter["name"]
        nb = json.loads((BOOK / f"{name}.ipynb").read_text(encoding="utf-8"))
        exercises = sum("".join(c["source"]).count("```{exercise}") for c in nb["cells"]
                        if c["cell_type"] == "markdown")
        regions = _solution_regions(nb["cells"])
        assert exercises >= MIN_EXERCISES, f"{name}: {exercises} exercises"
        assert len(regions) == exercises, f"{name}: {exercises} exercises but {len(regions)} solutions"
        for i, region in enumerate(regions, start=1):
            ran = [c for c in region if c["cell_type"] == "code" and "remove-cell" not in
                   c.get("metadata", {}).get("tags", []) and c.get("execution_count")]
            assert ran, f"{name}: solution {i} has no executed code cell"


def _solution_code_lines() -> dict[str, list[str]]:
    """Distinctive code lines of the solutions, per chapter, from the MyST sources."""
    out = {}
    for src in sorted(NOTEBOOKS.glob("[0-9]*.md")):
        lines, inside, in_code, removed = [], False, False, False
        for line in src.read_text(encoding="utf-8").splitlines():
            if line.startswith("```{solution-start}"):
                inside = True
            elif line.startswith("```{solution-end}"):
                inside = False
            elif inside and line.startswith("```{code-cell}"):
                in_code, removed = True, False
            elif in_code and line == "```":
                in_code = False
            elif in_code and line.startswith(":tags:"):
                removed = "remove-cell" in line  # the claims behind the solution's prose, never shown
            elif inside and in_code and not removed and len(line.strip()) > 30 and not line.startswith("#"):
                lines.append(re.sub(r"\s+", " ", line.strip()))
        out[src.stem] = lines
    return out


def test_the_student_edition_has_no_solutions(editions):
    full, student = editions
    assert set(student) <= set(full)  # the book's folder may keep pages of renamed chapters
    assert not list((pipeline.STUDENT / "html").rglob("*.ipynb")), "the student edition offers notebooks"
    assert not (pipeline.STUDENT / "html" / "_sources").exists(), "the student edition copies the sources"
    for name, lines in _solution_code_lines().items():
        page = f"book/{name}.html"
        assert lines, f"{name}: no solution code found in the source"
        assert full[page].count("Solution to Exercise") >= MIN_EXERCISES
        assert "Solution to" not in student[page], f"{name}: a solution title in the student edition"
        assert student[page].count("Exercise") >= MIN_EXERCISES, f"{name}: exercises missing"
        for line in lines:
            assert line in full[page], f"{name}: solution line not in the book: {line}"
            assert line not in student[page], f"{name}: solution line in the student edition: {line}"
