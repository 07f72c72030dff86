"""The verdict every audit check returns, and how numbers are rendered in the audit's tables.

Verdicts:

- ``ok``: the number passes the check.
- ``impossible``: no data set and no reading of the paper's stated design can produce it.
- ``inconsistent``: it contradicts another statement of the paper (text, legend, definition,
  sample); one of the two must be wrong, but we cannot tell which.
- ``doubtful``: the verdict hinges on a choice the paper does not state (reference distribution,
  rounding) or on outside knowledge rather than on arithmetic.

Reported numbers are rounded. Every check gives the paper the benefit of that rounding: a number is
called impossible only if it fails for every unrounded value that prints as the reported one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

VERDICTS: tuple[str, ...] = ("ok", "impossible", "inconsistent", "doubtful")
COLUMNS: list[str] = ["check", "table", "row", "column", "reported", "expected", "verdict", "note"]

# Decimals the audit renders its computed bounds with (the paper prints statistics with 4, t with 2).
STAT_DECIMALS = 4
T_DECIMALS = 2


@dataclass(frozen=True)
class Verdict:
    """Outcome of one check: the verdict, what the check expected (rendered), and why."""

    verdict: str
    expected: str
    note: str

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} not in {VERDICTS}")

    def with_note(self, suffix: str) -> Verdict:
        """The same verdict with ``suffix`` appended to its note."""
        return Verdict(self.verdict, self.expected, self.note + suffix)


def half_unit(decimals: int) -> float:
    """Half a unit in the last printed place: the rounding slack of a number shown with ``decimals``."""
    return 0.5 * 10.0 ** (-decimals)


def decimals_of(printed: str) -> int:
    """Digits after the decimal point of a number as printed (``"0.3520"`` -> 4, ``"330"`` -> 0)."""
    text = str(printed).strip().lstrip("<>=").strip()
    mantissa = text.lower().split("e")[0]
    return len(mantissa.split(".")[1]) if "." in mantissa else 0


def fmt(x: float, decimals: int = STAT_DECIMALS) -> str:
    """Render a number the same way everywhere in the audit (fixed decimals, ``nan`` for missing)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    return f"{x:.{decimals}f}"


def interval(lo: float, hi: float, decimals: int = STAT_DECIMALS) -> str:
    """``[lo, hi]`` rendered with :func:`fmt`."""
    return f"[{fmt(lo, decimals)}, {fmt(hi, decimals)}]"


def verdict_row(check: str, table: str, row: str, column: str, reported: str, v: Verdict) -> dict[str, str]:
    """One row of the audit table (the columns of :data:`COLUMNS`)."""
    return {
        "check": check,
        "table": table,
        "row": row,
        "column": column,
        "reported": reported,
        "expected": v.expected,
        "verdict": v.verdict,
        "note": v.note,
    }
