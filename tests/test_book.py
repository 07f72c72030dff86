"""End to end: the chapters execute, the HTML book builds offline, and a rebuild is a no-op.

The first test to use the ``built`` fixture runs the whole chain (about a minute from
scratch, seconds when nothing changed), exactly as ``make book`` does.
"""

import re

import pytest
import yaml
from repo_copy import build_copy, copy_repository

from helpers.build import pipeline
from helpers.paths import RESULTS, ROOT


@pytest.fixture(scope="module")
def built():
    return pipeline.run()


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def test_every_toc_page_is_built(built):
    for f in toc_files():
        assert (pipeline.HTML / f"{f}.html").is_file(), f"{f} was not built"


def test_every_listed_chapter_is_in_the_toc(built):
    in_toc = set(toc_files())
    for c in pipeline.chapters():
        assert f"book/{c['name']}" in in_toc


def test_math_renders_from_the_vendored_copy(built):
    page = (pipeline.HTML / "book" / "intro.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page)
    assert scripts and all(s.startswith("../_static/mathjax/") for s in scripts), scripts
    assert (pipeline.HTML / "_static" / "mathjax" / "tex-chtml-full.js").is_file()
    assert (pipeline.HTML / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    assert "cdn.jsdelivr.net/npm/mathjax" not in page


def test_rebuild_with_nothing_changed_runs_nothing(built):
    again = pipeline.run()
    ran = {step: secs for step, secs in again.items() if step not in ("total", "data") and secs}
    assert not ran, f"steps re-ran although nothing changed: {ran}"


def test_chapter_results_are_byte_identical_when_re_executed(built):
    chapter = next(c for c in pipeline.chapters() if c["name"] == "01_audit")
    before = (RESULTS / "audit.csv").read_bytes()
    notebook_before = (pipeline.BOOK / "01_audit.ipynb").read_bytes()
    pipeline.run_chapter(chapter)
    assert (RESULTS / "audit.csv").read_bytes() == before
    assert (pipeline.BOOK / "01_audit.ipynb").read_bytes() == notebook_before


def test_a_fresh_copy_elsewhere_gives_the_same_bytes(built, tmp_path):
    """The audit chapter (the cheapest) built in a copy at another path: same notebook, same CSV."""
    copy_repository(tmp_path)
    proc = build_copy(tmp_path, "--no-html", "--only", "01_audit")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for rel in ["book/01_audit.ipynb", "book/results/audit.csv"]:
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
