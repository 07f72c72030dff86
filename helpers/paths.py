"""Where things live, resolved from the repository root so that cwd never matters."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
RAW = Path(os.environ.get("DD_RAW_DIR", DATA / "raw"))
DERIVED = DATA / "derived"
PAPER = DATA / "paper"
EXAMPLES = DATA / "examples"
MANIFEST = DATA / "sources.csv"
BOOK = ROOT / "book"
RESULTS = BOOK / "results"
FIGURES = BOOK / "figures"
NOTEBOOKS = ROOT / "notebooks"
#: where a chapter run outside the book build (in Jupyter, by hand) writes its tables and figures,
#: so that the tracked book/results/ change only through the build (git-ignored)
SCRATCH = ROOT / "scratch"
#: set to 1 by the build for every chapter it executes: outputs then go to book/results, book/figures
BUILD_VARIABLE = "BOOK_BUILD"
