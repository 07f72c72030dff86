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
