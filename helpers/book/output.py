"""Write tables and figures so that the same inputs give the same bytes."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd

from helpers.paths import FIGURES, RESULTS

# SVG ids are random unless salted; a fixed salt makes the files diffable between runs.
matplotlib.rcParams["svg.hashsalt"] = "dong-ding-replication"
matplotlib.rcParams["svg.fonttype"] = "none"


def write_table(df: pd.DataFrame, name: str, *, float_format: str = "%.10g") -> Path:
    """Write ``df`` to ``book/results/<name>.csv`` deterministically and return the path.

    Floats are rounded to ten significant digits so that last-bit noise from
    linear algebra cannot change the bytes between runs.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.csv"
    df.to_csv(path, index=False, float_format=float_format, lineterminator="\n")
    return path


def save_figure(fig: matplotlib.figure.Figure, name: str) -> tuple[Path, Path]:
    """Save ``fig`` as ``book/figures/<name>.png`` and ``.svg`` without timestamps."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    png, svg = FIGURES / f"{name}.png", FIGURES / f"{name}.svg"
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
