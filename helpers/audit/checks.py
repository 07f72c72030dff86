"""Checks on reported numbers alone: each takes numbers and returns a :class:`Verdict`.

Nothing here knows which paper it checks: the runner (:mod:`helpers.audit.runner`) reads a paper's
folder and applies these functions to its numbers. Each docstring names the source of its rule.
Every check gives the paper the benefit of rounding through ``slack`` (half a unit in the last
printed place), so that "impossible" means impossible for every unrounded value that prints the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from scipy import stats

from helpers.audit.verdict import Verdict, fmt
from helpers.audit.verdict import interval as _interval

# ---------------------------------------------------------------------------------------------
# Summary statistics: means and standard deviations
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
    extra = (
        f"; even exceeds half the range, (max-min)/2 = {fmt((hi - lo) / 2)}, Popoviciu's bound on a "
        f"population SD ({fmt(popoviciu)} for a sample SD{rounding})"
        if sd - slack > popoviciu
        else ""
    )
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


def check_location_quotient(
    hi: float, slack: float = 0.0, unit: str = "province", sector: str = "secondary"
) -> Verdict:
    """A location quotient's maximum over units must be at least 1 in every period.

    ``LQ_i = (Y2_i / Y_i) / (Y2 / Y)``; weighting by GDP shares ``Y_i / Y`` gives
    ``sum_i (Y_i / Y) LQ_i = (sum_i Y2_i / Y) / (Y2 / Y) = 1`` exactly when the national benchmark is
    the sum of the units (and very nearly so with the official national total). A weighted mean
    of 1 needs some unit at or above 1. ``unit`` and ``sector`` only word the note. Source:
    definition of the location quotient (Isard 1960, Methods of Regional Analysis).
    """
    expected = "max >= 1 (GDP-weighted mean of LQs = 1)"
    if hi + slack >= 1:
        return Verdict("ok", expected, f"some {unit} at or above the national share")
    share = f"national {sector} share" if sector else "national share"
    return Verdict(
        "impossible",
        expected,
        f"no {unit}-year above 1: no {unit} ever has more than the {share}",
    )


def check_positive(lo: float, slack: float = 0.0, what: str = "a ratio of positive totals") -> Verdict:
    """A ratio of two positive totals (population/GDP, foreign investment/expenditure) is positive."""
    expected = f"{what} > 0"
    if lo + slack > 0:
        return Verdict("ok", expected, f"minimum {fmt(lo)} is positive")
    return Verdict("impossible", expected, f"minimum {fmt(lo)} is not positive")


def check_log_floor(lo: float, floor: float | None, slack: float = 0.0) -> Verdict:
    """The natural log of a quantity that is at least ``floor`` is at least ``log(floor)``.

    ``log(1 + count)`` and the log of a count of at least 1 are never negative (``floor = 1``). With
    ``floor=None`` (a log of any positive quantity) no range is implied and the check passes.
    Source: monotonicity of the logarithm.
    """
    if floor is None:
        return Verdict("ok", "any real number", "a log of a positive quantity can take any value")
    bound = math.log(floor)
    expected = f"min >= log({floor:g}) = {fmt(bound)}"
    if lo + slack >= bound:
        return Verdict("ok", expected, f"minimum {fmt(lo)} is attainable")
    return Verdict("impossible", expected, f"minimum {fmt(lo)} is below the log of the smallest value")


def check_integer_extremes(lo: float, hi: float, items: int = 1, slack: float = 0.0) -> Verdict:
    """The extremes of integer data (or of means over ``items`` integer items) lie on the grid ``k / items``.

    A minimum or maximum is one observation, so for a count or a Likert score it is an integer, and
    for the mean of ``items`` integer answers a multiple of ``1 / items``. Source: definition.
    """
    expected = "min, max integers" if items == 1 else f"min, max multiples of 1/{items}"
    off = [x for x in (lo, hi) if abs(x * items - round(x * items)) > slack * items + 1e-9]
    if not off:
        return Verdict("ok", expected, "extremes lie on the grid of possible values")
    return Verdict("impossible", expected, f"{', '.join(fmt(x) for x in off)} cannot be one observation")


def grim_denominator(n: int, items: int = 1) -> int:
    """The number of integer answers summed into a mean of ``n`` units over ``items`` items."""
    return int(n) * int(items)


def check_grim(mean: float, n: int, decimals: int, items: int = 1) -> Verdict:
    """GRIM: a mean of ``n`` integers (times ``items`` items) must be ``k / (n items)`` for an integer ``k``.

    Brown & Heathers (2017), "The GRIM test", Social Psychological and Personality Science 8(4),
    363-369. The printed mean, shown with ``decimals`` places, must be the rounding of some
    ``k / N``, ``N = n * items``. Once ``N >= 10**decimals`` every printed value is reachable and the
    test cannot fail. Both rounding conventions at a tie are accepted.
    """
    big_n = grim_denominator(n, items)
    expected = f"k/{big_n} for an integer k, to {decimals} decimals"
    if big_n >= 10**decimals:
        return Verdict(
            "ok", expected, f"N = {big_n} >= 10^{decimals}: every mean at this precision is possible"
        )
    tol = 0.5 * 10.0 ** (-decimals) + 1e-12
    k = round(mean * big_n)
    hits = [j for j in (k - 1, k, k + 1) if abs(j / big_n - mean) <= tol]
    if hits:
        return Verdict("ok", expected, f"k = {hits[0]} gives {hits[0] / big_n:.{decimals + 2}f}")
    near = sorted((k - 1, k, k + 1), key=lambda j: abs(j / big_n - mean))[0]
    return Verdict(
        "impossible",
        expected,
        f"no k works: the nearest, k = {near}, gives {near / big_n:.{decimals + 2}f}, "
        f"which does not print as {mean:.{decimals}f}",
    )


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


def _dist(df: int | None):
    return stats.norm if df is None else stats.t(df)


def p_value(t: float, df: int | None = None, two_sided: bool = True) -> float:
    """p-value of ``t`` under N(0, 1) (``df=None``) or Student t with ``df`` degrees.

    Two-sided by default; one-sided is the test in the direction of the estimate (half of it).
    """
    p = float(_dist(df).sf(abs(t)))
    return 2 * p if two_sided else p


def critical_t(level: float, df: int | None = None, two_sided: bool = True) -> float:
    """Critical value: |t| above it is significant at ``level`` under N(0,1) or t(df)."""
    return float(_dist(df).isf(level / 2 if two_sided else level))


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

    ``levels[k-1]`` is the level the legend attaches to k stars, e.g. (0.10, 0.05, 0.01) for the
    usual legend and (0.01, 0.05, 0.10) for a reversed one. The mark shown is the one of the
    most stringent level passed (``p < level``); 0 when none is passed.
    """
    passed = [(level, k) for k, level in enumerate(levels, start=1) if p < level]
    return min(passed)[1] if passed else 0


def possible_stars(
    t: float, levels: Sequence[float], df: int | None = None, slack: float = 0.0, two_sided: bool = True
) -> set[int]:
    """All star counts reachable by an unrounded t in ``[|t| - slack, |t| + slack]``."""
    p_lo = p_value(abs(t) + slack, df, two_sided)
    p_hi = p_value(max(abs(t) - slack, 0.0), df, two_sided)
    probes = [p_lo, p_hi]
    for level in levels:
        if p_lo < level <= p_hi:
            probes += [level * (1 - 1e-12), level]
    return {stars_for_p(p, levels) for p in probes}


def _render_stars(ks: set[int]) -> str:
    return "|".join("*" * k if k else "none" for k in sorted(ks))


def references(clusters: int | None) -> dict[str, int | None]:
    """The reference distributions a t-value is read against: N(0,1) and, given G clusters, t(G-1).

    t(G-1) is the usual reference for standard errors clustered in G groups (Cameron & Miller 2015,
    J. Human Resources 50(2), sec. VI.C); the normal is the most liberal member of the t family.
    """
    return {"normal": None} if clusters is None else {"normal": None, f"t({clusters - 1})": clusters - 1}


def check_stars(
    t: float,
    stars: int,
    levels: Sequence[float],
    clusters: int | None,
    slack: float = 0.0,
    two_sided: bool = True,
) -> Verdict:
    """Printed stars against the printed t under N(0,1) and under t(G-1).

    Verdicts: ok under every reference; doubtful if only some fit; impossible if the stars claim a
    level that even the normal (the most liberal t-family reference) cannot reach; inconsistent
    otherwise (too few stars: a heavier reference might explain it). With ``clusters=None`` only the
    normal is used. Source: the legend's definition of the stars; Cameron & Miller (2015) for t(G-1).
    """
    ok_sets = {
        name: possible_stars(t, levels, df, slack, two_sided) for name, df in references(clusters).items()
    }
    expected = "; ".join(f"{name}: {_render_stars(s)}" for name, s in ok_sets.items())
    fits = [name for name, s in ok_sets.items() if stars in s]
    if len(fits) == len(ok_sets):
        open_ = [name for name, s in ok_sets.items() if len(s) > 1]
        why = f"; the rounding of t leaves {' and '.join(open_)} open" if open_ else ""
        what = "under both references" if len(ok_sets) == 2 else "under the normal"
        return Verdict("ok", expected, f"stars match the t-value {what}" + why)
    if fits:
        return Verdict("doubtful", expected, f"stars match only under {fits[0]}")
    claimed = levels[stars - 1] if stars > 0 else None
    if claimed is not None and p_value(abs(t) + slack, None, two_sided) >= claimed:
        return Verdict(
            "impossible",
            expected,
            f"|t| cannot reach the {claimed:.0%} level even under the normal",
        )
    return Verdict("inconsistent", expected, "stars match neither reference")


def t_from_coef_se(
    coef: float, se: float, coef_slack: float = 0.0, se_slack: float = 0.0
) -> tuple[float, float]:
    """``(t, slack)``: the t-value implied by a coefficient and its standard error, with its rounding range.

    ``|t|`` lies in ``[(|b| - s_b) / (se + s_se), (|b| + s_b) / (se - s_se)]``; the function returns the
    midpoint (signed like ``coef``) and half the width, so that ``t +- slack`` covers every unrounded
    pair that prints as reported.
    """
    if se - se_slack <= 0:
        raise ValueError(f"standard error {se} is not positive")
    lo = max(abs(coef) - coef_slack, 0.0) / (se + se_slack)
    hi = (abs(coef) + coef_slack) / (se - se_slack)
    mid = (lo + hi) / 2
    return math.copysign(mid, coef), (hi - lo) / 2


def _p_text(lo: float, hi: float) -> str:
    return f"[{lo:.4f}, {hi:.4f}]"


def check_p_from_t(
    t: float,
    p: float,
    clusters: int | None = None,
    t_slack: float = 0.0,
    p_slack: float = 0.0,
    relation: str = "=",
    two_sided: bool = True,
) -> Verdict:
    """A reported p-value against the p-value its t (or coefficient and SE) implies, as statcheck does.

    Nuijten et al. (2016), "The prevalence of statistical reporting errors in psychology",
    Behavior Research Methods 48(4), 1205-1226 (the statcheck rules): recompute p from the test
    statistic and its degrees of freedom, allow for the rounding of both, and flag a mismatch; a
    mismatch that moves p across 0.05 is a "gross" inconsistency. ``relation`` is ``"="`` for a
    printed ``p = 0.012`` and ``"<"`` / ``">"`` for ``p < 0.01``. References as in :func:`check_stars`:
    ok if the p fits every reference, doubtful if only some, impossible if the printed p is smaller
    than even the normal allows (no t-family reference gives a smaller p), inconsistent otherwise.
    """
    if relation not in ("=", "<", ">"):
        raise ValueError(f"relation {relation!r} not one of =, <, >")
    lo_rep, hi_rep = {"=": (p - p_slack, p + p_slack), "<": (0.0, p), ">": (p, 1.0)}[relation]
    implied = {
        name: (p_value(abs(t) + t_slack, df, two_sided), p_value(max(abs(t) - t_slack, 0.0), df, two_sided))
        for name, df in references(clusters).items()
    }
    expected = "; ".join(f"{name}: p in {_p_text(*iv)}" for name, iv in implied.items())
    fits = [name for name, (lo, hi) in implied.items() if lo <= hi_rep and lo_rep <= hi]
    if len(fits) == len(implied):
        return Verdict("ok", expected, "the printed p fits the t-value")
    if fits:
        return Verdict("doubtful", expected, f"the printed p fits only under {fits[0]}")
    normal_lo, normal_hi = implied["normal"]
    gross = (hi_rep < 0.05) != (normal_hi < 0.05) or (lo_rep < 0.05) != (normal_lo < 0.05)
    flip = "; it moves p across 0.05 (a gross inconsistency in statcheck's terms)" if gross else ""
    if hi_rep < normal_lo:
        return Verdict("impossible", expected, "the printed p is smaller than even the normal allows" + flip)
    if lo_rep > max(hi for _, hi in implied.values()):
        return Verdict("inconsistent", expected, "the printed p is larger than every reference gives" + flip)
    between = "the printed p lies between what the references give and fits none of them"
    return Verdict("inconsistent", expected, between + flip)


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


def check_mediation_identity(
    c: float, c_prime: float, a: float, b: float, slack: float = 0.0, same_design: str = ""
) -> Verdict:
    """Total effect = direct effect + a*b, up to the rounding of the four printed coefficients.

    ``same_design`` says where the paper states that the equations share sample, controls and fixed
    effects (it is quoted in the note). Source: Baron & Kenny (1986); MacKinnon (2008): exact
    in-sample identity of linear mediation.
    """
    gap = mediation_gap(c, c_prime, a, b)
    expected = f"c = c' + ab = {fmt(c_prime + a * b)}"
    if abs(gap) <= _mediation_slack(a, b, slack):
        return Verdict("ok", expected, "total = direct + indirect within rounding")
    return Verdict(
        "impossible",
        expected,
        f"gap c - c' - ab = {fmt(gap)}; impossible if the equations share sample, controls and FE"
        + (f" ({same_design})" if same_design else ""),
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
