"""Checks of a paper's words against its own tables: legends, stated levels, quoted numbers, names.

These checks take quotations (or numbers read from them) and the tables' numbers; they apply to any
paper. Checks that match one paper's particular wording live apart (:mod:`helpers.audit.dongding`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from helpers.audit.verdict import Verdict, fmt


def parse_levels(value: str) -> tuple[float, ...]:
    """``"10%;5%;1%"`` -> ``(0.10, 0.05, 0.01)``: significance levels as a quotation states them."""
    try:
        return tuple(float(v.strip().rstrip("%")) / 100 for v in value.split(";"))
    except ValueError as err:
        raise ValueError(f"cannot read levels from {value!r}") from err


def legend_text(levels: Sequence[float]) -> str:
    """``(0.1, 0.05, 0.01)`` -> ``"*=10%, **=5%, ***=1%"``."""
    return ", ".join(f"{'*' * k}={lv:.0%}" for k, lv in enumerate(levels, start=1))


def check_legend_agreement(levels: Sequence[float], reference: Sequence[float], name: str) -> Verdict:
    """Two tables' star legends should attach the same levels to the same marks.

    ``name`` names the tables whose legend is the reference (e.g. "Tables 3-4").
    """
    expected = legend_text(reference)
    if tuple(levels) == tuple(reference):
        return Verdict("ok", expected, f"same legend as {name}")
    if tuple(levels) == tuple(reference)[::-1]:
        return Verdict("inconsistent", expected, f"legend reverses the levels of {name}")
    return Verdict("inconsistent", expected, f"legend attaches other levels than {name}")


BRACKET_WORDS = ("t-value", "t-statistic", "t statistic", "standard error", "p-value", "z-value")


def check_legend_brackets(quote: str) -> Verdict:
    """A legend should say what the bracketed numbers are (t-values, standard errors, p-values)."""
    if any(word in quote.lower() for word in BRACKET_WORDS):
        return Verdict("ok", "says what is in brackets", "bracket content stated")
    return Verdict("doubtful", "says what is in brackets", "legend silent on brackets; read as t-values")


def check_text_level(claim: float, stars: int, levels: Sequence[float], at_least: bool = False) -> Verdict:
    """A level claimed in the text against the level the legend attaches to the printed stars.

    ``at_least=True`` reads the claim as "significant at ``claim`` or better".
    """
    shown = levels[stars - 1] if stars > 0 else None
    rel = "<=" if at_least else "="
    expected = f"stars' level {rel} {claim:.0%}"
    if shown is not None and (shown <= claim if at_least else math.isclose(shown, claim)):
        return Verdict("ok", expected, f"{'*' * stars} means {shown:.0%} under this legend")
    means = f"{shown:.0%}" if shown is not None else "not significant"
    return Verdict("inconsistent", expected, f"{'*' * stars or 'no star'} means {means} under this legend")


def check_text_numbers(
    text_values: Sequence[float], table_values: Sequence[float], slack: float = 0.0
) -> Verdict:
    """Numbers quoted in the text must equal those printed in the table."""
    expected = "; ".join(fmt(v) for v in table_values)
    if len(text_values) == len(table_values) and all(
        abs(a - b) <= slack for a, b in zip(text_values, table_values, strict=True)
    ):
        return Verdict("ok", expected, "text and table agree")
    return Verdict("inconsistent", expected, "text and table disagree")


def check_table_reference(ref: int, tables: set[int]) -> Verdict:
    """A table the text cites must exist."""
    expected = "one of Tables " + ", ".join(str(t) for t in sorted(tables))
    if ref in tables:
        return Verdict("ok", expected, "cited table exists")
    return Verdict("inconsistent", expected, f"the paper has no Table {ref}")


def check_names_match(text_names: Sequence[str], table_names: Sequence[str]) -> Verdict:
    """Abbreviations used in the text should be those of the tables."""
    missing = [n for n in text_names if n not in table_names]
    expected = ", ".join(table_names)
    if not missing:
        return Verdict("ok", expected, "text uses the table's names")
    return Verdict("inconsistent", expected, f"text names {', '.join(missing)} appear in no table")
