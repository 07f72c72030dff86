"""Can the paper's numbers be right? Data-free checks of the numbers Dong & Ding report.

Every check is a small pure function that takes reported numbers (or quotes) and returns a
:class:`Verdict`. :func:`run_audit` applies them to every row of ``data/paper/`` and returns one
tidy frame. Nothing here reads data; the paper's numbers and words come only from
``data/paper/reported_table2.csv``, ``reported_coefficients.csv`` and ``reported_notes.csv``.

Verdicts:

- ``ok``: the number passes the check.
- ``impossible``: no data set and no reading of the paper's stated design can produce it.
- ``inconsistent``: it contradicts another statement of the paper (text, legend, definition,
  sample); one of the two must be wrong, but we cannot tell which.
- ``doubtful``: the verdict hinges on a choice the paper does not state (reference distribution,
  rounding) or on outside knowledge rather than on arithmetic.

Reported numbers are rounded (4 decimals for statistics and coefficients, 2 for t-values). Every
check gives the paper the benefit of that rounding: a number is called impossible only if it
fails for every unrounded value that prints as the reported one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from scipy import stats

from helpers.paper.reported import reported_coefficients, reported_table2
from helpers.paths import PAPER

VERDICTS: tuple[str, ...] = ("ok", "impossible", "inconsistent", "doubtful")
COLUMNS: list[str] = ["check", "table", "row", "column", "reported", "expected", "verdict", "note"]

# Printed precision in the paper (Tables 2-5); tests assert the transcription has exactly these.
STAT_DECIMALS = 4
T_DECIMALS = 2

NOTES_FILE = PAPER / "reported_notes.csv"


@dataclass(frozen=True)
class Verdict:
    """Outcome of one check: the verdict, what the check expected (rendered), and why."""

    verdict: str
    expected: str
    note: str

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} not in {VERDICTS}")


def half_unit(decimals: int) -> float:
    """Half a unit in the last printed place: the rounding slack of a number shown with ``decimals``."""
    return 0.5 * 10.0 ** (-decimals)


def fmt(x: float, decimals: int = STAT_DECIMALS) -> str:
    """Render a number the same way everywhere in the audit (fixed decimals, ``nan`` for missing)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    return f"{x:.{decimals}f}"


def _interval(lo: float, hi: float, decimals: int = STAT_DECIMALS) -> str:
    return f"[{fmt(lo, decimals)}, {fmt(hi, decimals)}]"


# ---------------------------------------------------------------------------------------------
# Table 2: means and standard deviations
# ---------------------------------------------------------------------------------------------


def mean_bounds(n: int, lo: float, hi: float) -> tuple[float, float]:
    """Range of the mean of ``n`` numbers whose minimum ``lo`` and maximum ``hi`` are both observed.

    One value sits at each extreme and the other ``n - 2`` anywhere in between, so the mean lies in
    ``[((n-1) lo + hi) / n, (lo + (n-1) hi) / n]``, slightly inside ``[lo, hi]``.
    Source: elementary; the same extremal configuration as in Bhatia & Davis (2000).
    """
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    return ((n - 1) * lo + hi) / n, (lo + (n - 1) * hi) / n


def check_mean(n: int, mean: float, lo: float, hi: float, slack: float = 0.0) -> Verdict:
    """A reported mean must lie within [min, max], indeed within :func:`mean_bounds`.

    ``slack`` widens the interval by the rounding of the three printed numbers.
    Source: elementary (a mean is a convex combination of the observations).
    """
    a, b = mean_bounds(n, lo - slack, hi + slack)
    expected = f"mean in {_interval(a, b)}"
    if a - slack <= mean <= b + slack:
        return Verdict("ok", expected, "mean lies between min and max")
    side = "below the minimum" if mean < a else "above the maximum"
    return Verdict("impossible", expected, f"a mean cannot lie {side}")


def bhatia_davis_sd_max(n: int, mean: float, lo: float, hi: float, ddof: int = 1) -> float:
    """Largest possible standard deviation of ``n`` numbers in ``[lo, hi]`` with the given mean.

    Bhatia & Davis (2000), "A better bound on the variance", Amer. Math. Monthly 107(4), 353-357:
    the population variance satisfies ``sigma^2 <= (hi - mean)(mean - lo)``. The sample variance
    (divisor ``n - ddof``) is ``n / (n - ddof)`` times the population variance. With ``ddof=1``
    (Stata's ``summarize``) the bound is the more lenient one. It implies Popoviciu's
    ``sigma <= (hi - lo) / 2``. Returns NaN when the mean is outside ``[lo, hi]``.
    """
    prod = (hi - mean) * (mean - lo)
    if prod < 0:
        return math.nan
    return math.sqrt(n / (n - ddof) * prod)


def popoviciu_sd_max(n: int, lo: float, hi: float, slack: float = 0.0, ddof: int = 0) -> float:
    """Popoviciu's bound on a standard deviation of ``n`` numbers in ``[lo, hi]``: half the range.

    Popoviciu (1935): the population SD (``ddof=0``) is at most ``(hi - lo) / 2``; the sample SD
    (``ddof=1``) at most ``sqrt(n / (n - 1))`` times that. ``slack`` widens the range by the
    rounding of the printed extremes. Bhatia & Davis (2000) is sharper; this is the cruder check.
    """
    return (hi - lo + 2 * slack) / 2 * math.sqrt(n / (n - ddof))


def extremes_sd_min(n: int, mean: float, lo: float, hi: float, ddof: int = 0) -> float:
    """Smallest possible standard deviation of ``n`` numbers whose min ``lo`` and max ``hi`` are observed.

    One value at ``lo``, one at ``hi``, and (variance being convex) the other ``n - 2`` all at
    ``c = (n mean - lo - hi) / (n - 2)``, which must itself lie in ``[lo, hi]``. The sum of squares
    is ``(mean-lo)^2 + (hi-mean)^2 + (2 mean - lo - hi)^2 / (n - 2)``. With ``ddof=0`` (divisor
    ``n``) the bound is the more lenient one. Returns NaN when no such configuration exists.
    Source: elementary convexity; the companion lower bound to Bhatia & Davis (2000).
    """
    if n < 3:
        raise ValueError(f"n must be at least 3, got {n}")
    a, b = mean_bounds(n, lo, hi)
    if not a <= mean <= b:
        return math.nan
    ss = (mean - lo) ** 2 + (hi - mean) ** 2 + (2 * mean - lo - hi) ** 2 / (n - 2)
    return math.sqrt(ss / (n - ddof))


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def sd_bounds(n: int, mean: float, lo: float, hi: float, slack: float = 0.0) -> tuple[float, float]:
    """The feasible interval ``(sd_min, sd_max)`` of a standard deviation, generous to rounding.

    ``sd_max`` is the Bhatia-Davis bound with divisor ``n - 1`` and ``sd_min`` the extremes bound with
    divisor ``n`` (each the more lenient convention). With ``slack = 0`` both are taken at the printed
    (mean, min, max). With ``slack`` (half a unit in the last printed place) each is the most lenient
    value over all unrounded numbers that print as reported: for ``sd_max`` the min down, the max up
    and the mean toward the midpoint; for ``sd_min`` the min up, the max down and the mean toward
    the midpoint. These are the bounds the audit's verdicts use. NaN where no configuration exists.
    Source: Bhatia & Davis (2000), Amer. Math. Monthly 107(4); convexity of the variance.
    """
    lo_u, hi_u = lo - slack, hi + slack
    mean_u = _clamp((lo_u + hi_u) / 2, mean - slack, mean + slack)
    upper = bhatia_davis_sd_max(n, mean_u, lo_u, hi_u, ddof=1)
    lo_l, hi_l = lo + slack, max(hi - slack, lo + slack)
    mean_l = _clamp((lo_l + hi_l) / 2, mean - slack, mean + slack)
    lower = extremes_sd_min(n, mean_l, lo_l, hi_l, ddof=0)
    return lower, upper


def _bound_label(slack: float) -> str:
    return " (allowing for rounding)" if slack > 0 else ""


def check_sd_upper(n: int, mean: float, sd: float, lo: float, hi: float, slack: float = 0.0) -> Verdict:
    """Reported SD against the Bhatia-Davis upper bound (sample-SD version, the lenient one).

    The bound is :func:`sd_bounds`' ``sd_max``: with rounding ``slack`` it is maximised over all
    unrounded (mean, min, max) that print as reported. Source: Bhatia & Davis (2000), Amer. Math.
    Monthly 107(4).
    """
    bound = sd_bounds(n, mean, lo, hi, slack)[1]
    # "even exceeds" is judged against the lenient form (sample SD, widened range); the note also
    # prints the plain half range so that the reader can recognise the number
    popoviciu = popoviciu_sd_max(n, lo, hi, slack, ddof=1)
    expected = f"sd <= {fmt(bound)}{_bound_label(slack)}"
    if math.isnan(bound):
        return Verdict("impossible", expected, "mean outside [min, max]: no SD is feasible")
    if sd - slack <= bound:
        return Verdict("ok", expected, "within the Bhatia-Davis bound (sample SD, divisor n-1)")
    rounding = ", allowing for rounding" if slack > 0 else ""
    extra = (f"; even exceeds half the range, (max-min)/2 = {fmt((hi - lo) / 2)}, Popoviciu's bound on a "
             f"population SD ({fmt(popoviciu)} for a sample SD{rounding})"
             if sd - slack > popoviciu else "")
    return Verdict(
        "impossible",
        expected,
        f"SD exceeds the Bhatia-Davis maximum sqrt(n/(n-1)(max-mean)(mean-min)){extra}",
    )


def check_sd_lower(n: int, mean: float, sd: float, lo: float, hi: float, slack: float = 0.0) -> Verdict:
    """Reported SD against the smallest SD possible when both the min and the max are observed.

    The bound is :func:`sd_bounds`' ``sd_min``: lenient with rounding (min up, max down, mean toward
    the midpoint) and with the divisor (population, ``n``). Source: convexity of the variance; see
    :func:`extremes_sd_min`.
    """
    bound = sd_bounds(n, mean, lo, hi, slack)[0]
    expected = f"sd >= {fmt(bound)}{_bound_label(slack)}"
    if math.isnan(bound):
        return Verdict("impossible", expected, "no n values with this min, max and mean exist")
    if sd + slack >= bound:
        return Verdict("ok", expected, "at least the spread forced by observing both extremes")
    return Verdict(
        "impossible",
        expected,
        "SD smaller than the spread forced by one value at the min and one at the max",
    )


# ---------------------------------------------------------------------------------------------
# Ranges implied by the stated constructions
# ---------------------------------------------------------------------------------------------


def check_unit_interval(
    lo: float, hi: float, slack: float = 0.0, on_fail: str = "impossible", what: str = "a share"
) -> Verdict:
    """Values of a share (part over whole) or of an entropy-weighted composite must lie in [0, 1].

    Entropy method: indicators are min-max normalised to [0, 1] and weighted by entropy weights
    summing to 1, so the composite is a convex combination of numbers in [0, 1]
    (e.g. Zou, Yun & Sun 2006, J. Environ. Sci. 18(5)). ``on_fail`` lets a caller soften the
    verdict where an unstated rescaling could explain the violation.
    """
    expected = f"{what} in [0, 1]"
    if lo >= -slack and hi <= 1 + slack:
        return Verdict("ok", expected, f"range {_interval(lo, hi)} inside [0, 1]")
    return Verdict(on_fail, expected, f"range {_interval(lo, hi)} leaves [0, 1]")


def check_location_quotient(hi: float, slack: float = 0.0) -> Verdict:
    """A location quotient's maximum over provinces must be at least 1 in every year.

    ``LQ_i = (Y2_i / Y_i) / (Y2 / Y)``; weighting by GDP shares ``Y_i / Y`` gives
    ``sum_i (Y_i / Y) LQ_i = (sum_i Y2_i / Y) / (Y2 / Y) = 1`` exactly when the national benchmark is
    the sum of the provinces (and very nearly so with the official national total). A weighted mean
    of 1 needs some province at or above 1. Source: definition of the location quotient
    (Isard 1960, Methods of Regional Analysis).
    """
    expected = "max >= 1 (GDP-weighted mean of LQs = 1)"
    if hi + slack >= 1:
        return Verdict("ok", expected, "some province at or above the national share")
    return Verdict(
        "impossible",
        expected,
        "no province-year above 1: no province ever has more than the national secondary share",
    )


def check_positive(lo: float, slack: float = 0.0, what: str = "a ratio of positive totals") -> Verdict:
    """A ratio of two positive totals (population/GDP, foreign investment/expenditure) is positive."""
    expected = f"{what} > 0"
    if lo + slack > 0:
        return Verdict("ok", expected, f"minimum {fmt(lo)} is positive")
    return Verdict("impossible", expected, f"minimum {fmt(lo)} is not positive")


# ---------------------------------------------------------------------------------------------
# Sample sizes
# ---------------------------------------------------------------------------------------------


def panel_size(units: int, first_year: int, last_year: int, lags: int = 0, excluded_units: int = 0) -> int:
    """Observations in a balanced panel after dropping ``excluded_units`` and losing ``lags`` years.

    Source: arithmetic of a balanced panel; a one-period lag within the sample drops its first year.
    """
    years = last_year - first_year + 1 - lags
    return (units - excluded_units) * years


def check_sample_size(reported: int, expected: int, on_fail: str = "inconsistent", why: str = "") -> Verdict:
    """Reported N against the size implied by the stated sample, lags and exclusions."""
    if int(reported) == int(expected):
        return Verdict("ok", f"N = {expected}", why or "matches the stated sample")
    return Verdict(on_fail, f"N = {expected}", why or "differs from the stated sample")


# ---------------------------------------------------------------------------------------------
# Significance stars
# ---------------------------------------------------------------------------------------------


def p_value(t: float, df: int | None = None) -> float:
    """Two-sided p-value of ``t`` under N(0, 1) (``df=None``) or Student t with ``df`` degrees."""
    dist = stats.norm if df is None else stats.t(df)
    return float(2 * dist.sf(abs(t)))


def critical_t(level: float, df: int | None = None) -> float:
    """Two-sided critical value: |t| above it is significant at ``level`` under N(0,1) or t(df)."""
    dist = stats.norm if df is None else stats.t(df)
    return float(dist.isf(level / 2))


def critical_value_table(clusters: int, levels: Sequence[float] = (0.10, 0.05, 0.01)) -> pd.DataFrame:
    """Critical |t| for one, two and three stars under N(0,1) and t(G-1), one row per level."""
    return pd.DataFrame(
        {
            "level": [f"{lv:.0%}" for lv in levels],
            "stars": ["*" * k for k in range(1, len(levels) + 1)],
            "normal": [critical_t(lv) for lv in levels],
            f"t({clusters - 1})": [critical_t(lv, clusters - 1) for lv in levels],
        }
    )


def stars_for_p(p: float, levels: Sequence[float]) -> int:
    """Number of stars a legend assigns to ``p``.

    ``levels[k-1]`` is the level the legend attaches to k stars, e.g. (0.10, 0.05, 0.01) for
    Tables 3-4 and (0.01, 0.05, 0.10) for Table 5's own legend. The mark shown is the one of the
    most stringent level passed (``p < level``); 0 when none is passed.
    """
    passed = [(level, k) for k, level in enumerate(levels, start=1) if p < level]
    return min(passed)[1] if passed else 0


def possible_stars(t: float, levels: Sequence[float], df: int | None = None, slack: float = 0.0) -> set[int]:
    """All star counts reachable by an unrounded t in ``[|t| - slack, |t| + slack]``."""
    p_lo = p_value(abs(t) + slack, df)
    p_hi = p_value(max(abs(t) - slack, 0.0), df)
    probes = [p_lo, p_hi]
    for level in levels:
        if p_lo < level <= p_hi:
            probes += [level * (1 - 1e-12), level]
    return {stars_for_p(p, levels) for p in probes}


def _render_stars(ks: set[int]) -> str:
    return "|".join("*" * k if k else "none" for k in sorted(ks))


def check_stars(t: float, stars: int, levels: Sequence[float], clusters: int, slack: float = 0.0) -> Verdict:
    """Printed stars against the printed t under N(0,1) and under t(G-1), two-sided.

    t(G-1) is the usual reference for standard errors clustered by province (G clusters; Cameron &
    Miller 2015, J. Human Resources 50(2), sec. VI.C); the paper states neither its standard errors
    nor its reference distribution. Verdicts: ok under both; doubtful if only one fits;
    impossible if the stars claim a level that even the normal (the most liberal t-family reference)
    cannot reach; inconsistent otherwise (too few stars: a heavier reference might explain it).
    """
    df = clusters - 1
    ok_sets = {
        "normal": possible_stars(t, levels, None, slack),
        f"t({df})": possible_stars(t, levels, df, slack),
    }
    expected = "; ".join(f"{name}: {_render_stars(s)}" for name, s in ok_sets.items())
    fits = [name for name, s in ok_sets.items() if stars in s]
    if len(fits) == 2:
        open_ = [name for name, s in ok_sets.items() if len(s) > 1]
        why = f"; the rounding of t leaves {' and '.join(open_)} open" if open_ else ""
        return Verdict("ok", expected, "stars match the t-value under both references" + why)
    if len(fits) == 1:
        return Verdict("doubtful", expected, f"stars match only under {fits[0]}")
    claimed = levels[stars - 1] if stars > 0 else None
    if claimed is not None and p_value(abs(t) + slack) >= claimed:
        return Verdict(
            "impossible",
            expected,
            f"|t| cannot reach the {claimed:.0%} level even under the normal",
        )
    return Verdict("inconsistent", expected, "stars match neither reference")


def check_sign(coef: float, t: float) -> Verdict:
    """A coefficient and its t-value share their sign (t = b / se with se > 0)."""
    if coef == 0 or t == 0 or (coef > 0) == (t > 0):
        return Verdict("ok", "sign(coef) = sign(t)", "implied standard error is positive")
    return Verdict("impossible", "sign(coef) = sign(t)", "opposite signs imply a negative standard error")


# ---------------------------------------------------------------------------------------------
# Mediation algebra
# ---------------------------------------------------------------------------------------------


def mediation_gap(c: float, c_prime: float, a: float, b: float) -> float:
    """``c - (c' + a b)``: zero by the algebra of OLS when both equations share sample, controls and FE.

    Baron & Kenny (1986), J. Pers. Soc. Psychol. 51(6); MacKinnon (2008), Introduction to
    Statistical Mediation Analysis, ch. 3: with ``Y = c X``, ``M = a X`` and ``Y = c' X + b M`` fitted
    by OLS on the same sample with the same controls and fixed effects, ``c = c' + a b`` holds
    exactly in-sample (the omitted-variable formula).
    """
    return c - (c_prime + a * b)


def _mediation_slack(a: float, b: float, slack: float) -> float:
    # Worst-case effect of rounding each of c, c', a, b by `slack` on c - c' - ab, plus float noise.
    return 2 * slack + slack * (abs(a) + abs(b)) + slack**2 + 1e-9


def check_mediation_identity(c: float, c_prime: float, a: float, b: float, slack: float = 0.0) -> Verdict:
    """Total effect = direct effect + a*b, up to the rounding of the four printed coefficients.

    Source: Baron & Kenny (1986); MacKinnon (2008): exact in-sample identity of linear mediation.
    """
    gap = mediation_gap(c, c_prime, a, b)
    expected = f"c = c' + ab = {fmt(c_prime + a * b)}"
    if abs(gap) <= _mediation_slack(a, b, slack):
        return Verdict("ok", expected, "total = direct + indirect within rounding")
    return Verdict(
        "impossible",
        expected,
        f"gap c - c' - ab = {fmt(gap)}; impossible if the equations share sample, controls and FE "
        "(as the tables' 'Yes' rows, N and models (1)-(3) state)",
    )


def check_mediation_sign(c: float, c_prime: float, a: float, b: float, slack: float = 0.0) -> Verdict:
    """With a*b > 0 the direct effect must be smaller than the total: c' = c - ab < c.

    Source: Baron & Kenny (1986); MacKinnon (2008).
    """
    ab = a * b
    tol = _mediation_slack(a, b, slack)
    expected = f"c' = c - ab = {fmt(c - ab)} (< c = {fmt(c)})" if ab > 0 else f"c' = c - ab = {fmt(c - ab)}"
    if ab > tol and c_prime > c + tol:
        return Verdict("impossible", expected, "c' > c while a*b > 0 contradicts c' = c - ab")
    if ab < -tol and c_prime < c - tol:
        return Verdict("impossible", expected, "c' < c while a*b < 0 contradicts c' = c - ab")
    return Verdict("ok", expected, "direction of c - c' agrees with the sign of a*b")


# ---------------------------------------------------------------------------------------------
# Notes, legends and text against the tables
# ---------------------------------------------------------------------------------------------


def parse_levels(value: str) -> tuple[float, ...]:
    """``"10%;5%;1%"`` -> ``(0.10, 0.05, 0.01)``: the levels a legend attaches to *, **, ***."""
    try:
        return tuple(float(v.strip().rstrip("%")) / 100 for v in value.split(";"))
    except ValueError as err:
        raise ValueError(f"{NOTES_FILE.name}: cannot read levels from {value!r}") from err


def check_legend_agreement(levels: Sequence[float], reference: Sequence[float]) -> Verdict:
    """Two tables' star legends should attach the same levels to the same marks."""
    expected = ", ".join(f"{'*' * k}={lv:.0%}" for k, lv in enumerate(reference, start=1))
    if tuple(levels) == tuple(reference):
        return Verdict("ok", expected, "same legend as Tables 3-4")
    return Verdict("inconsistent", expected, "legend reverses the levels of Tables 3-4")


def check_legend_brackets(quote: str) -> Verdict:
    """A legend should say what the bracketed numbers are (t-values, standard errors, p-values)."""
    if "t-value" in quote or "standard error" in quote:
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


def check_unit_of_analysis(sample_quote: str, other_quote: str) -> Verdict:
    """Statements about the unit of analysis (provinces vs cities) must agree."""
    says_prov = "province" in sample_quote.lower()
    says_city = bool(re.search(r"\b(cit(y|ies)|urban|prefecture)", other_quote.lower()))
    if says_prov and says_city:
        return Verdict(
            "inconsistent", "provinces throughout", "sample is provinces; this passage says cities"
        )
    return Verdict("ok", "provinces throughout", "unit of analysis agrees")


def check_per_capita_definition(quote: str) -> Verdict:
    """A variable called 'GDP per capita' must be GDP over population, not population over GDP."""
    m = re.search(r"ratio of (.+?) to (.+?)(?: at |$)", quote)
    if m is None:
        return Verdict("doubtful", "GDP / population", "definition not stated as a ratio")
    num, den = m.group(1).lower(), m.group(2).lower()
    if "population" in num and "gdp" in den:
        return Verdict(
            "inconsistent", "GDP / population", "defined as population / GDP: the inverse of GDP per capita"
        )
    return Verdict("ok", "GDP / population", "definition matches the label")


def check_variable_defined(var: str, definitions: dict[str, str]) -> Verdict:
    """Every variable in the tables needs a stated measurement in the text."""
    if var in definitions:
        return Verdict("ok", "a stated measure", "definition given in section 3.2")
    return Verdict(
        "inconsistent",
        "a stated measure",
        f"{var} is used in Table 2, models (2)-(3) and Table 5 but never defined "
        "(called TI in Table 2 and the models, IT in Table 5, IE in section 3.4)",
    )


def check_names_match(text_names: Sequence[str], table_names: Sequence[str]) -> Verdict:
    """Abbreviations used in the text should be those of the tables."""
    missing = [n for n in text_names if n not in table_names]
    expected = ", ".join(table_names)
    if not missing:
        return Verdict("ok", expected, "text uses the table's names")
    return Verdict("inconsistent", expected, f"text names {', '.join(missing)} appear in no table")


def check_claim_backed(claim: str, keyword: str, reported_labels: Sequence[str]) -> Verdict:
    """A test claimed in the text must be reported somewhere in the tables."""
    if keyword not in claim.lower():
        return Verdict("ok", f"a reported {keyword} test", "no such claim")
    if any(keyword in lab.lower() or "iv" in lab.lower().split() for lab in reported_labels):
        return Verdict("ok", f"a reported {keyword} test", "claim backed by a table")
    return Verdict("inconsistent", f"a reported {keyword} test", f"{keyword} tests claimed, none reported")


def check_lag_target(design_quote: str, result_quote: str) -> Verdict:
    """What is lagged in the robustness column must be stated once and consistently."""
    lags_outcome = "lag of industrial agglomeration" in design_quote
    result_on_de = "digital economy" in result_quote and "after a one-period lag" in result_quote
    if lags_outcome and result_on_de:
        return Verdict(
            "doubtful",
            "one stated lagged variable",
            "text lags IC as a regressor, header reads L.I.C, result is read as a lagged effect of DE",
        )
    return Verdict("ok", "one stated lagged variable", "lag stated consistently")


def check_estimator_label(quote: str, entity_fe: bool) -> Verdict:
    """The estimator named in the text against the table (fixed effects shown or not).

    In English a "mixed-effects model" is a random-effects model, not pooled OLS. Chinese papers
    call pooled OLS 混合回归 (hunhe huigui, literally "mixed regression"), so "mixed-effects model
    (OLS)" beside a table without fixed effects is most likely a translation of that term: the
    verdict is ``doubtful`` (it rests on that reading), not a contradiction.
    """
    if "mixed-effects" in quote and "OLS" in quote and not entity_fe:
        return Verdict(
            "doubtful",
            "one estimator",
            "'mixed-effects model (OLS)' most likely translates hunhe huigui (pooled regression), "
            "which the table shows",
        )
    return Verdict("ok", "one estimator", "estimator named consistently")


# ---------------------------------------------------------------------------------------------
# Running every check over data/paper/
# ---------------------------------------------------------------------------------------------


def reported_notes() -> pd.DataFrame:
    """Short quotations from the paper (key, table, quote, value) in ``data/paper/reported_notes.csv``."""
    notes = pd.read_csv(NOTES_FILE, dtype=str, keep_default_na=False)
    missing = {"key", "table", "quote", "value"} - set(notes.columns)
    if missing:
        raise ValueError(f"{NOTES_FILE.name}: missing columns {sorted(missing)}")
    dup = notes["key"][notes["key"].duplicated()]
    if len(dup):
        raise ValueError(f"{NOTES_FILE.name}: duplicate key {dup.iloc[0]!r}")
    return notes


def _note(notes: pd.DataFrame, key: str) -> pd.Series:
    hit = notes[notes["key"] == key]
    if hit.empty:
        raise KeyError(f"{NOTES_FILE.name}: no row with key {key!r}")
    return hit.iloc[0]


def _values(notes: pd.DataFrame, key: str) -> list[str]:
    return [v for v in _note(notes, key)["value"].split(";") if v]


def stated_sample(notes: pd.DataFrame | None = None) -> dict[str, int]:
    """The design the paper states: provinces, first and last year, municipalities excluded in Table 4.

    Read from the quotations in ``data/paper/reported_notes.csv`` (keys sample_units, sample_years,
    municipalities), so no design number is typed in code.
    """
    nt = reported_notes() if notes is None else notes
    first, last = (int(x) for x in _values(nt, "sample_years"))
    return {
        "units": int(_values(nt, "sample_units")[0]),
        "first_year": first,
        "last_year": last,
        "municipalities": len(_values(nt, "municipalities")),
    }


def _row(check: str, table: str, row: str, column: str, reported: str, v: Verdict) -> dict[str, str]:
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


def _stars_text(coef: float, t: float, stars: int) -> str:
    return f"{fmt(coef)}{'*' * int(stars)} (t={fmt(t, T_DECIMALS)})"


def _table2_rows(t2: pd.DataFrame, s: float) -> list[dict[str, str]]:
    rows = []
    for r in t2.itertuples(index=False):
        v, n = str(r.variable), int(r.n)
        rows.append(
            _row("mean_within_range", "2", v, "mean", fmt(r.mean), check_mean(n, r.mean, r.min, r.max, s))
        )
        rows.append(
            _row(
                "sd_upper_bhatia_davis",
                "2",
                v,
                "sd",
                fmt(r.sd),
                check_sd_upper(n, r.mean, r.sd, r.min, r.max, s),
            )
        )
        rows.append(
            _row(
                "sd_lower_extremes", "2", v, "sd", fmt(r.sd), check_sd_lower(n, r.mean, r.sd, r.min, r.max, s)
            )
        )
    return rows


def _construction_rows(t2: pd.DataFrame, notes: pd.DataFrame, s: float) -> list[dict[str, str]]:
    by = t2.set_index("variable")
    rows = []

    def rng(var: str) -> str:
        return _interval(by.loc[var, "min"], by.loc[var, "max"])

    # Which check applies follows the definitions quoted in reported_notes.csv.
    for var in by.index:
        lo, hi, mean = by.loc[var, "min"], by.loc[var, "max"], by.loc[var, "mean"]
        if var == "IC":
            v = check_location_quotient(hi, s)
            v = Verdict(v.verdict, v.expected, f"{v.note}; the mean {fmt(mean)} is far below 1 too")
        elif var == "DE":
            v = check_unit_interval(lo, hi, s, on_fail="inconsistent", what="entropy composite")
            v = Verdict(
                v.verdict,
                v.expected,
                v.note + ("; only an unstated rescaling could explain it" if v.verdict != "ok" else ""),
            )
        elif var in ("gov", "hum", "edu"):
            v = check_unit_interval(lo, hi, s, what="share")
        elif var in ("pgdp", "open"):
            v = check_positive(lo, s)
        else:
            # TI has no stated construction (see the "definitions" rows), so no range is implied.
            v = Verdict("doubtful", "a stated construction", "none stated; only the SD checks apply")
        rows.append(_row("construction_range", "2", var, "min,max", rng(var), v))
        if var == "hum":
            # Outside knowledge, hence "doubtful": no Chinese province comes near half its population
            # holding a bachelor's degree; the variable cannot be the stated share as printed.
            plaus = Verdict(
                "doubtful",
                "a small share (well under 0.5)",
                "mean and max far above any province's bachelor-or-higher share in the census",
            )
            rows.append(_row("construction_range", "2", var, "mean", fmt(mean), plaus))
    return rows


def _sample_rows(t2: pd.DataFrame, coefs: pd.DataFrame, notes: pd.DataFrame) -> list[dict[str, str]]:
    design = stated_sample(notes)
    units, first, last = design["units"], design["first_year"], design["last_year"]
    n_muni = design["municipalities"]
    full = panel_size(units, first, last)
    rows = []
    for r in t2.itertuples(index=False):
        rows.append(
            _row(
                "sample_size",
                "2",
                str(r.variable),
                "n",
                str(int(r.n)),
                check_sample_size(int(r.n), full, why=f"{units} provinces x {last - first + 1} years"),
            )
        )
    cols = coefs.drop_duplicates(["table", "column"])[["table", "column", "label", "n"]]
    for r in cols.itertuples(index=False):
        label = str(r.label)
        if "lag" in label:
            exp = panel_size(units, first, last, lags=1)
            v = check_sample_size(
                int(r.n),
                exp,
                why=(
                    f"a one-period lag inside {first}-{last} loses the first year; N = {int(r.n)} needs "
                    f"{first - 1} values the paper never mentions"
                ),
            )
            if v.verdict == "ok":
                v = Verdict("ok", v.expected, "first year lost to the lag")
        elif "municipal" in label:
            exp = panel_size(units, first, last, excluded_units=n_muni)
            v = check_sample_size(int(r.n), exp, why=f"{units - n_muni} provinces x {last - first + 1} years")
        else:
            v = check_sample_size(int(r.n), full, why=f"{units} provinces x {last - first + 1} years")
        rows.append(_row("sample_size", str(r.table), "N", f"({r.column})", str(int(r.n)), v))
    return rows


def _coef_rows(coefs: pd.DataFrame, notes: pd.DataFrame, clusters: int, st: float) -> list[dict[str, str]]:
    legend34 = parse_levels(_note(notes, "legend_t3")["value"])
    legend5 = parse_levels(_note(notes, "legend_t5")["value"])
    sign_rows, star_rows, own_rows = [], [], []
    for r in coefs.itertuples(index=False):
        tab, col, rep = str(r.table), f"({r.column})", _stars_text(r.coef, r.t, r.stars)
        sign_rows.append(_row("sign_coef_t", tab, str(r.term), col, rep, check_sign(r.coef, r.t)))
        v = check_stars(r.t, int(r.stars), legend34, clusters, st)
        if tab == "5":
            v = Verdict(v.verdict, v.expected, v.note + " (legend of Tables 3-4 applied)")
        star_rows.append(_row("stars", tab, str(r.term), col, rep, v))
        if tab == "5":
            own = check_stars(r.t, int(r.stars), legend5, clusters, st)
            own_rows.append(
                _row(
                    "stars_table5_own_legend",
                    tab,
                    str(r.term),
                    col,
                    rep,
                    Verdict(own.verdict, own.expected, own.note + " (Table 5's own legend)"),
                )
            )
    return sign_rows + star_rows + own_rows


def _mediation_rows(coefs: pd.DataFrame, s: float) -> list[dict[str, str]]:
    def get(table: int, column: int, term: str) -> float:
        hit = coefs[(coefs["table"] == table) & (coefs["column"] == column) & (coefs["term"] == term)]
        if hit.empty:
            raise KeyError(f"reported_coefficients.csv: no row table={table} column={column} term={term}")
        return float(hit["coef"].iloc[0])

    # Model (1) with all controls is Table 3 (6); models (2) and (3) are Table 5 (1) and (2).
    c, a = get(3, 6, "DE"), get(5, 1, "DE")
    c_prime, b = get(5, 2, "DE"), get(5, 2, "TI")
    rep = f"c={fmt(c)}; c'={fmt(c_prime)}; a={fmt(a)}; b={fmt(b)}"
    where = "3(6) & 5(1)-(2)"
    return [
        _row("mediation_identity", "3/5", "DE", where, rep, check_mediation_identity(c, c_prime, a, b, s)),
        _row("mediation_sign", "3/5", "DE", where, rep, check_mediation_sign(c, c_prime, a, b, s)),
    ]


def _text_rows(t2: pd.DataFrame, coefs: pd.DataFrame, notes: pd.DataFrame, s: float) -> list[dict[str, str]]:
    q = {k: _note(notes, k)["quote"] for k in notes["key"]}
    legend34 = parse_levels(_note(notes, "legend_t3")["value"])
    rows = []
    for key, tab in (("legend_t3", "3"), ("legend_t4", "4"), ("legend_t5", "5")):
        levels = parse_levels(_note(notes, key)["value"])
        rows.append(_row("legend", tab, "note", "legend", q[key], check_legend_agreement(levels, legend34)))
        rows.append(_row("legend", tab, "note", "brackets", q[key], check_legend_brackets(q[key])))

    tc = coefs.set_index(["table", "column", "term"])
    claim3 = parse_levels(_note(notes, "t3_text_1pct")["value"])[0]
    for col in sorted(coefs.loc[coefs["table"] == 3, "column"].unique()):
        stars = int(tc.loc[(3, col, "DE"), "stars"])
        rows.append(
            _row(
                "text_vs_tables",
                "3",
                "DE",
                f"({col})",
                q["t3_text_1pct"],
                check_text_level(claim3, stars, legend34),
            )
        )
    for key, legend_name in (("legend_t3", "legend of Tables 3-4"), ("legend_t5", "Table 5's own legend")):
        levels = parse_levels(_note(notes, key)["value"])
        claim1 = parse_levels(_note(notes, "t5_col1_text")["value"])[0]
        v = check_text_level(claim1, int(tc.loc[(5, 1, "DE"), "stars"]), levels)
        rows.append(
            _row(
                "text_vs_tables",
                "5",
                "DE",
                "(1)",
                q["t5_col1_text"],
                Verdict(v.verdict, v.expected, f"{v.note} ({legend_name})"),
            )
        )
        claim2 = parse_levels(_note(notes, "t5_col2_text")["value"])[0]
        for term in ("DE", "TI"):
            v = check_text_level(claim2, int(tc.loc[(5, 2, term), "stars"]), levels, at_least=True)
            rows.append(
                _row(
                    "text_vs_tables",
                    "5",
                    term,
                    "(2)",
                    q["t5_col2_text"],
                    Verdict(v.verdict, v.expected, f"{v.note} ({legend_name})"),
                )
            )

    by = t2.set_index("variable")
    ic_text = [float(x) for x in _values(notes, "t2_ic_text")]
    rows.append(
        _row(
            "text_vs_tables",
            "2",
            "IC",
            "mean,min,max",
            q["t2_ic_text"],
            check_text_numbers(ic_text, [by.loc["IC", c] for c in ("mean", "min", "max")], s),
        )
    )
    names = re.findall(r"\((\w+)\)", q["t2_names"])
    rows.append(
        _row(
            "text_vs_tables",
            "2",
            ",".join(names),
            "names",
            q["t2_names"],
            check_names_match(names, list(by.index)),
        )
    )
    de_t4 = [float(x) for x in _values(notes, "t4_col2_text")]
    rows.append(
        _row(
            "text_vs_tables",
            "4",
            "DE",
            "(2)",
            q["t4_col2_text"],
            check_text_numbers(de_t4, [float(tc.loc[(4, 2, "DE"), "coef"])], s),
        )
    )
    ref = int(_values(notes, "table6_ref")[0])
    rows.append(
        _row(
            "text_vs_tables",
            "4",
            "text",
            "(2),(3)",
            q["table6_ref"],
            check_table_reference(ref, {2} | set(int(t) for t in coefs["table"].unique())),
        )
    )
    rows.append(
        _row(
            "text_vs_tables",
            "4",
            "L.IC",
            "(1)",
            q["lag_text"],
            check_lag_target(q["lag_text"], q["lag_result_text"]),
        )
    )
    fe3 = str(coefs.loc[(coefs["table"] == 4) & (coefs["column"] == 3), "entity_fe"].iloc[0]) == "yes"
    rows.append(
        _row(
            "text_vs_tables", "4", "text", "(3)", q["mixed_text"], check_estimator_label(q["mixed_text"], fe3)
        )
    )

    rows.append(
        _row(
            "definitions",
            "text",
            "pgdp",
            "definition",
            q["def_pgdp"],
            check_per_capita_definition(q["def_pgdp"]),
        )
    )
    defs = {k[4:]: v for k, v in q.items() if k.startswith("def_")}
    rows.append(
        _row("definitions", "text", "TI", "definition", q["ti_mechanism"], check_variable_defined("TI", defs))
    )
    for key in ("sample_cities", "hypothesis_urban"):
        rows.append(
            _row(
                "definitions",
                "text",
                "sample",
                key,
                q[key],
                check_unit_of_analysis(q["sample_units"], q[key]),
            )
        )
    labels = list(coefs["label"].unique())
    for key in ("endog_abstract", "endog_conclusion"):
        rows.append(
            _row(
                "definitions",
                "text",
                "claims",
                key,
                q[key],
                check_claim_backed(q[key], "endogeneity", labels),
            )
        )
    return rows


def run_audit(
    allow_rounding: bool = True,
    clusters: int | None = None,
    *,
    table2: pd.DataFrame | None = None,
    coefficients: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every verdict of every check on every reported number of Tables 2-5, in a fixed order.

    ``allow_rounding`` gives each printed number the benefit of its rounding (half a unit in the
    last printed place). ``clusters`` is G for the t(G-1) reference; by default the number of
    provinces the paper states. The frames default to ``data/paper/``; tests pass their own.
    Columns: check, table, row, column, reported, expected, verdict, note (all strings).
    """
    t2 = reported_table2() if table2 is None else table2
    coefs = reported_coefficients() if coefficients is None else coefficients
    nt = reported_notes() if notes is None else notes
    g = stated_sample(nt)["units"] if clusters is None else int(clusters)
    s = half_unit(STAT_DECIMALS) if allow_rounding else 0.0
    st = half_unit(T_DECIMALS) if allow_rounding else 0.0
    rows = (
        _table2_rows(t2, s)
        + _construction_rows(t2, nt, s)
        + _sample_rows(t2, coefs, nt)
        + _coef_rows(coefs, nt, g, st)
        + _mediation_rows(coefs, s)
        + _text_rows(t2, coefs, nt, s)
    )
    out = pd.DataFrame(rows, columns=COLUMNS).astype(str)
    bad = ~out["verdict"].isin(VERDICTS)
    if bad.any():
        raise ValueError(f"run_audit: unknown verdict {out.loc[bad, 'verdict'].iloc[0]!r}")
    return out


def sd_feasibility(table2: pd.DataFrame | None = None, allow_rounding: bool = True) -> pd.DataFrame:
    """Per Table 2 variable: the reported SD beside its feasible interval, exact and rounding-generous.

    ``sd_min`` / ``sd_max`` are the bounds at the printed (n, mean, min, max) (:func:`extremes_sd_min`
    with divisor n, :func:`bhatia_davis_sd_max` with divisor n - 1). ``sd_min_verdict`` /
    ``sd_max_verdict`` are the bounds the audit's verdicts use (:func:`sd_bounds` with half a unit of
    rounding slack when ``allow_rounding``; equal to the exact ones otherwise), and ``feasible`` says
    whether the reported SD, itself given the benefit of its rounding, lies inside them; it agrees
    with the ``sd_*`` rows of :func:`run_audit`.
    """
    t2 = reported_table2() if table2 is None else table2
    s = half_unit(STAT_DECIMALS) if allow_rounding else 0.0
    generous = [sd_bounds(int(r.n), r.mean, r.min, r.max, s) for r in t2.itertuples()]
    out = pd.DataFrame(
        {
            "variable": t2["variable"].astype(str),
            "sd": t2["sd"].astype(float),
            "sd_min": [extremes_sd_min(int(r.n), r.mean, r.min, r.max, ddof=0) for r in t2.itertuples()],
            "sd_max": [bhatia_davis_sd_max(int(r.n), r.mean, r.min, r.max, ddof=1) for r in t2.itertuples()],
            "sd_min_verdict": [g[0] for g in generous],
            "sd_max_verdict": [g[1] for g in generous],
        }
    )
    out["feasible"] = (out["sd"] + s >= out["sd_min_verdict"]) & (out["sd"] - s <= out["sd_max_verdict"])
    return out


def summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Counts of verdicts by check (rows in order of first appearance, one column per verdict)."""
    order = list(dict.fromkeys(audit["check"]))
    tab = pd.crosstab(audit["check"], audit["verdict"]).reindex(
        index=order, columns=list(VERDICTS), fill_value=0
    )
    tab["total"] = tab.sum(axis=1)
    return tab


def view(audit: pd.DataFrame, *checks: str) -> pd.DataFrame:
    """The rows of the given checks for display, indexed by what tells them apart.

    The index is (check, table, row, column), minus the levels that hold a single value for these
    rows (e.g. the check itself when only one is asked for, table "2" for the Table 2 checks); those
    constant columns are dropped, so the displayed frame carries only what distinguishes its rows.
    """
    rows = audit[audit["check"].isin(checks)]
    keys = ["check", "table", "row", "column"]
    varying = [k for k in keys if rows[k].nunique() > 1] or ["row"]
    return rows.drop(columns=[k for k in keys if k not in varying]).set_index(varying)


def split_quotes(rows: pd.DataFrame, column: str = "reported") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace the long quotations in ``column`` by short keys Q1, Q2, ... (in order of appearance).

    Returns the rows with the keys in a column ``quote`` (instead of ``column``) and a frame of the
    distinct quotations indexed by key, so that a table of checks stays narrow and each quotation
    is printed once, in full.
    """
    keys = {q: f"Q{i}" for i, q in enumerate(dict.fromkeys(rows[column]), start=1)}
    out = rows.assign(**{column: rows[column].map(keys)}).rename(columns={column: "quote"})
    quotes = pd.DataFrame({"quote": list(keys.values()), "text": list(keys)}).set_index("quote")
    return out, quotes


# --------------------------------------------------------------------------- prose from verdicts
# The chapter's summary names the failing numbers; building the names from the verdict table keeps
# the text true when a parameter (rounding, clusters) or the transcription changes.






def verdict_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Rows of two :func:`run_audit` results whose verdict differs, matched row by row.

    The rows are matched by position, not by (check, table, row, column): some checks hold several
    rows with the same key (a text claim read under each of Table 5's two legends), and a join on
    the key would pair them crosswise. Raises ``ValueError`` if the two runs are not row-aligned.
    Columns: check, table, row, column, before, after.
    """
    keys = ["check", "table", "row", "column"]
    b, a = before.reset_index(drop=True), after.reset_index(drop=True)
    if len(b) != len(a) or not b[keys].equals(a[keys]):
        raise ValueError("verdict_changes: the two audit runs do not have the same rows in the same order")
    changed = b["verdict"] != a["verdict"]
    return b.loc[changed, keys].assign(before=b.loc[changed, "verdict"], after=a.loc[changed, "verdict"])
