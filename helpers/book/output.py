"""Write tables and figures so that the same inputs give the same bytes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib
import pandas as pd

from helpers.paths import BUILD_VARIABLE, FIGURES, RESULTS, ROOT, SCRATCH

# SVG ids are random unless salted; a fixed salt makes the files diffable between runs.
matplotlib.rcParams["svg.hashsalt"] = "dong-ding-replication"
matplotlib.rcParams["svg.fonttype"] = "none"


_told_where = False


def in_build() -> bool:
    """Whether this process is a chapter executed by the book build (the pipeline sets ``BOOK_BUILD=1``)."""
    return os.environ.get(BUILD_VARIABLE) == "1"


def output_dirs() -> tuple[Path, Path]:
    """(results folder, figures folder) this process writes to.

    The build writes the tracked ``book/results/`` and ``book/figures/``; a chapter run anywhere
    else (Jupyter, Binder, a script) writes ``scratch/results/`` and ``scratch/figures/``
    (git-ignored), so that trying a parameter never rewrites the book's results. The first
    write outside the build says so in one line.
    """
    global _told_where
    if in_build():
        return RESULTS, FIGURES
    results, figures = SCRATCH / "results", SCRATCH / "figures"
    if not _told_where:
        _told_where = True
        print(f"Not the book build: tables go to {_shown(results)}/ and figures to {_shown(figures)}/ "
              "(book/results/ is written only by `make book`).", file=sys.stderr)
    return results, figures


def _shown(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def result_file(name: str) -> Path:
    """The results CSV ``name`` (with its ``.csv``) a chapter should read.

    In the build, ``book/results/<name>``. Elsewhere the copy in ``scratch/results/`` when an
    earlier chapter run there wrote one, else the book's: a reader who re-ran Table 3 with other
    parameters sees them in the verdict, and one who did not sees the book's numbers.
    """
    if not in_build():
        scratch = SCRATCH / "results" / name
        if scratch.is_file():
            return scratch
    return RESULTS / name


def write_table(df: pd.DataFrame, name: str, *, float_format: str = "%.10g") -> Path:
    """Write ``df`` to ``<name>.csv`` in the results folder deterministically and return the path.

    The folder is ``book/results/`` in the build and ``scratch/results/`` elsewhere
    (:func:`output_dirs`). Floats are rounded to ten significant digits so that last-bit noise
    from linear algebra cannot change the bytes between runs.
    """
    results, _ = output_dirs()
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{name}.csv"
    df.to_csv(path, index=False, float_format=float_format, lineterminator="\n")
    return path


def save_figure(fig: matplotlib.figure.Figure, name: str) -> tuple[Path, Path]:
    """Save ``fig`` as ``<name>.png`` and ``.svg`` without timestamps in the figures folder.

    The folder is ``book/figures/`` in the build and ``scratch/figures/`` elsewhere (:func:`output_dirs`).
    """
    _, figures = output_dirs()
    figures.mkdir(parents=True, exist_ok=True)
    png, svg = figures / f"{name}.png", figures / f"{name}.svg"
    fig.savefig(png, dpi=150, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(svg, bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return png, svg


def glue(name: str, value: object) -> None:
    """Glue ``value`` for ``{glue:text}`name:fmt``` in the chapter's prose, without displaying it.

    NumPy scalars are turned into Python numbers first: numpy 2 prints them as
    ``np.float64(...)``, which myst-nb cannot format with a format spec.
    """
    from myst_nb import glue as _glue

    _glue(name, value.item() if hasattr(value, "item") else value, display=False)


def _format_float(x: float) -> str:
    if x != x:  # NaN
        return ""
    if x == 0 or 1e-3 <= abs(x) < 1e6:
        return f"{x:,.4f}"
    return f"{x:.2e}"


def use_book_display() -> None:
    """Show floats in every displayed table with four decimals (tiny or huge ones in e-notation).

    Only the display changes; CSV files keep ten significant digits.
    """
    pd.set_option("display.float_format", _format_float)
    pd.set_option("display.max_colwidth", 120)
