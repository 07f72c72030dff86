"""Small words for sentences built from computed numbers, so generated prose reads like prose.

Every chapter that glues a phrase rather than a bare number takes its wording from here, so that
"1 of 8 are" or "0 of the 3 pass" cannot appear in one chapter and not in another.
"""

from __future__ import annotations

from collections.abc import Sequence

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_word(n: int) -> str:
    """``3`` -> ``"three"`` for 0-10 (the usual style in running text), digits above."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def plural(n: int, singular: str = "is", many: str = "are") -> str:
    """The word that agrees with a count: ``plural(1)`` is "is", ``plural(3)`` is "are"."""
    return singular if n == 1 else many


def count_of(n: int, total: int, noun: str = "", *, plural_noun: str | None = None) -> str:
    """A count out of a total in words: "none of the 8 means", "one of the 3 tests", "both tests",
    "all 8 means", "5 of the 40 numbers". ``noun`` is singular; ``plural_noun`` defaults to noun + "s".
    """
    many = plural_noun if plural_noun is not None else (noun + "s" if noun else "")
    tail = f" {many}" if many else ""
    if n == total:
        if total == 1:
            return f"the only {noun}" if noun else "the only one"
        return f"both{tail}" if total == 2 else f"all {total}{tail}"
    if n == 0:
        return f"none of the {total}{tail}"
    return f"{number_word(n)} of the {total}{tail}"


def listing(items: Sequence[str], empty: str = "") -> str:
    """Items as English text: "a", "a and b", "a, b and c" (``empty`` for none)."""
    items = [str(i) for i in items]
    if not items:
        return empty
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def compared(ours: float, other: float) -> str:
    """How ``ours`` stands to ``other`` in words: "equals", "is below" or "is above"."""
    if ours == other:
        return "equals"
    return "is below" if ours < other else "is above"


def p_text(p: float, digits: int = 3) -> str:
    """A p-value for prose: ``"p = 0.123"``, or ``"p < 0.001"`` / ``"p > 0.999"`` when it would
    round to zero or one (a one-sided p of a strongly negative estimate)."""
    floor = 10.0**-digits
    if p < floor:
        return f"p < {floor:.{digits}f}"
    if p > 1 - floor:
        return f"p > {1 - floor:.{digits}f}"
    return f"p = {p:.{digits}f}"


def capitalise(text: str) -> str:
    """First letter upper-case, for a generated phrase that opens a sentence."""
    return text[:1].upper() + text[1:]


def stars_text(k: int) -> str:
    """A count of significance stars in words: "no star", "one star", "two stars"."""
    return "no star" if k == 0 else f"{number_word(k)} {plural(k, 'star', 'stars')}"
