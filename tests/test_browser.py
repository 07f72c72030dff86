"""The built book in a real browser (headless chromium, offline): see helpers/build/browser.py.

``make test`` runs this after the book is built (the ``built`` fixture builds it, or finds it
fresh); ``make check-browser`` runs the same check on its own.
"""

from __future__ import annotations

import pytest

from helpers.build import browser, pipeline

BROKEN_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>broken</title>
<script src="https://cdn.example.org/tracker.js"></script>
<script>console.error("something failed");</script>
</head><body><article class="bd-article" style="width: 600px">
<section id="results"><h2>Results</h2>
<p>Raw maths: $$x^2$$ and <span class="math">\\(y\\)</span>.</p>
<img src="missing.png" alt="no such image">
<a href="other.html">a missing page</a> <a href="#nowhere">a missing anchor</a> <a href="#results">fine</a>
<div class="cell"><div class="cell_output">
<table style="width: 900px"><tr><td>wide</td></tr></table></div></div>
<p>no CSV link under the table</p>
<h2 id="next">Next</h2>
<div class="cell"><div class="cell_output"><table><tr><td>1</td></tr></table></div></div>
<div class="cell"><div class="cell_output"><table><tr><td>2</td></tr></table></div></div>
<p><a class="download" href="gone.csv">CSV</a></p>
<div class="cell tag_no-csv"><div class="cell_output"><table><tr><td>legend</td></tr></table></div></div>
</section></article></body></html>
"""


@pytest.fixture(scope="module")
def report():
    pipeline.run()  # the book, built or found fresh
    return browser.check()


def test_every_page_of_the_book_passes_in_chromium(report):
    assert not report.problems, "\n".join(report.problems)


def test_the_check_saw_the_whole_book(report):
    html_pages = browser.pages(browser.HTML)
    assert report.pages == len(html_pages) >= 10
    assert report.links > 100 and report.images >= 10 and report.maths > 100 and report.csv > 30
    assert not report.blocked
    shots = sorted(browser.SCREENSHOTS.glob("*.png"))
    assert len(shots) == len(html_pages) - 1  # every page but the index redirect
    assert all(s.stat().st_size > 10_000 for s in shots)


def test_the_check_reports_each_kind_of_fault(tmp_path):
    (tmp_path / "index.html").write_text(BROKEN_PAGE, encoding="utf-8")
    got = "\n".join(browser.check(tmp_path, screenshots=None).problems)
    for expected in ["console error: something failed",
                     "formula not typeset",
                     "raw $$ left in the text",
                     "image does not load: missing.png",
                     "broken link to other.html",
                     "link to a missing anchor index.html#nowhere",
                     "table 900 px wide, wider than the 600 px content column",
                     "index.html#results: results table without a CSV link under it",
                     "CSV link does not download a CSV: gone.csv",
                     "request off the machine (blocked): https://cdn.example.org/tracker.js"]:
        assert expected in got, f"not reported: {expected}\n{got}"
    # the two tables displayed one after the other share the link; the no-csv legend needs none
    assert got.count("results table without a CSV link") == 1, got
