"""Glue values and generated sentences for the audit, data and beyond chapters (01, 02, 06).

Each function takes results the chapter has already computed and returns a dict of glue keys to
values (numbers or phrases), so a chapter cell only glues them: ``for k, v in d.items(): glue(k, v)``.
The wording depends on the data (counts, directions, which side of a threshold), which is why it is
computed rather than typed; the words themselves come from :mod:`helpers.wording`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from helpers.audit import checks as audit
from helpers.book.wording import capitalise, count_of, listing, number_word, plural, stars_text
from helpers.paper.reported import star_count

Glue = dict[str, object]


# ----------------------------------------------------------------------------------------------
# Chapter 01: the audit


def reported(coefs: pd.DataFrame, table: int, column: int, term: str, field: str = "coef") -> float:
    """One reported number from Tables 3-5 (``coefs`` as from ``reported_coefficients()``)."""
    hit = coefs[(coefs["table"] == table) & (coefs["column"] == column) & (coefs["term"] == term)]
    return float(hit[field].iloc[0])


def audit_design_values(design: Mapping[str, int], t2: pd.DataFrame, coefs: pd.DataFrame, G: int) -> Glue:
    """Table 2's printed statistics, the stated panel's sizes and the t-values the prose quotes.

    ``t2`` is Table 2 indexed by variable; keys ``<stat>_<variable>`` hold its numbers.
    """
    out: Glue = {f"{stat}_{var}": float(r[stat]) for var, r in t2.iterrows()
                 for stat in ("n", "mean", "sd", "min", "max")}
    first, last, units = design["first_year"], design["last_year"], design["units"]
    n_years = last - first + 1
    out |= {
        "units": units,
        "n_years": n_years,
        "n_full": audit.panel_size(units, first, last),
        "n_lag": audit.panel_size(units, first, last, lags=1),
        "n_years_lag": n_years - 1,
        "n_muni": design["municipalities"],
        "units_excl": units - design["municipalities"],
        "n_excl": audit.panel_size(units, first, last, excluded_units=design["municipalities"]),
        "first_year": first,
        "year_before": first - 1,
        "G": G,
        "df_t": G - 1,
        "t_hum5": abs(reported(coefs, 3, 5, "hum", "t")),
        "t_pgdp5": abs(reported(coefs, 3, 5, "pgdp", "t")),
        "t_const51": reported(coefs, 5, 1, "const", "t"),
        "t_const52": reported(coefs, 5, 2, "const", "t"),
        "n_lag_reported": int(reported(coefs, 4, 1, "DE", "n")),
        "n_med": int(reported(coefs, 5, 2, "DE", "n")),
    }
    return out


def _count(result: pd.DataFrame, check: str, verdict: str) -> int:
    return int(((result["check"] == check) & (result["verdict"] == verdict)).sum())


def table2_bound_sentences(result: pd.DataFrame) -> Glue:
    """How many of Table 2's means fit their range, and whether any SD is too large or too small."""
    n_mean = int((result["check"] == "mean_within_range").sum())
    n_mean_ok = _count(result, "mean_within_range", "ok")
    n_out = n_mean - n_mean_ok
    mean = capitalise(f"{count_of(n_mean_ok, n_mean, 'mean')} {plural(n_mean_ok, 'passes', 'pass')}") + (
        ": none lies outside its range." if n_out == 0 else
        f"; {number_word(n_out)} {plural(n_out, 'lies', 'lie')} outside "
        f"{plural(n_out, 'its', 'their')} range.")
    n_bad = _count(result, "sd_upper_bhatia_davis", "impossible")
    sdmax = ("No standard deviation is too large to exist." if n_bad == 0 else
             f"{capitalise(number_word(n_bad))} standard {plural(n_bad, 'deviation is', 'deviations are')} "
             "too large to exist.")
    return {"mean_sentence": mean, "sdmax_bad_sentence": sdmax,
            "n_sdmin_bad": _count(result, "sd_lower_extremes", "impossible")}


def sd_bound_values(feas: pd.DataFrame, t2: pd.DataFrame, allow_rounding: bool) -> Glue:
    """The SD bounds of every variable and the two versions of Popoviciu's bound for DE.

    ``feas`` is :func:`helpers.audit.sd_feasibility` and ``t2`` Table 2, both indexed by variable.
    Raises ``ValueError`` if DE's printed SD no longer exceeds the lenient Popoviciu bound, which
    the chapter's prose states.
    """
    out: Glue = {}
    for var, r in feas.iterrows():
        out |= {f"sdmax_{var}": float(r["sd_max"]), f"sdmin_{var}": float(r["sd_min"]),
                f"sdmaxv_{var}": float(r["sd_max_verdict"]), f"sdminv_{var}": float(r["sd_min_verdict"])}
    de = t2.loc["DE"]
    # Popoviciu's bound in the lenient form the table's note uses: sample SD, extremes widened by rounding
    slack = audit.half_unit(audit.STAT_DECIMALS) if allow_rounding else 0.0
    lenient = audit.popoviciu_sd_max(int(de["n"]), de["min"], de["max"], slack, ddof=1)
    if not de["sd"] - slack > lenient:
        raise ValueError("sd_bound_values: Table 2's SD of DE no longer exceeds the lenient half-range bound")
    out |= {
        "halfrange_DE": float((de["max"] - de["min"]) / 2),
        "halfrange_DE_lenient": float(lenient),
        "halfrange_lenient_what": "for a sample standard deviation allowing for rounding" if allow_rounding
        else "for a sample standard deviation",
    }
    return out


def critical_values(crit: pd.DataFrame, G: int) -> Glue:
    """Critical |t| the prose quotes, from :func:`helpers.audit.critical_values`, plus t(9) for Exercise 2."""
    out: Glue = {
        "crit_n10": float(crit["normal"].iloc[0]),
        "crit_t10": float(crit[f"t({G - 1})"].iloc[0]),
        "crit_n1": float(crit["normal"].iloc[2]),
        "crit_t1": float(crit[f"t({G - 1})"].iloc[2]),
    }
    for lv, name in ((0.10, "10"), (0.05, "5"), (0.01, "1")):
        out[f"crit9_{name}"] = audit.critical_t(lv, 9)  # for Exercise 2 (G = 10)
    return out


def stars_phrases(stars: pd.DataFrame) -> Glue:
    """Counts of the star verdicts in words, and what the doubtful ones have in common."""
    n_ok, n_imp, n_doubt = (int((stars["verdict"] == v).sum()) for v in ("ok", "impossible", "doubtful"))
    doubt = stars[stars["verdict"] == "doubtful"]
    only_t = doubt["note"].str.contains(r"only under t\(", regex=True)
    return {
        "n_stars": len(stars),
        "stars_counts": f"{number_word(n_ok)} {plural(n_ok, 'passes', 'pass')}, {number_word(n_imp)} "
        f"{plural(n_imp, 'is', 'are')} impossible and {number_word(n_doubt)} "
        f"{plural(n_doubt, 'depends', 'depend')} on the reference",
        "stars_doubt_phrase": "all cases where the normal would give one star more than printed: the "
        "authors' stars are consistent with a t reference with G - 1 degrees of freedom but not with the "
        "normal"
        if len(doubt) and only_t.all() else
        "cases where the printed stars match one reference distribution but not the other",
    }


def mediation_values(coefs: pd.DataFrame) -> Glue:
    """The four coefficients of the mediation identity (Table 3 col. 6, Table 5) and what they imply."""
    c, a = reported(coefs, 3, 6, "DE"), reported(coefs, 5, 1, "DE")
    c_prime, b = reported(coefs, 5, 2, "DE"), reported(coefs, 5, 2, "TI")
    return {"med_c": c, "med_a": a, "med_b": b, "med_cprime": c_prime, "med_ab": a * b,
            "med_cprime_implied": c - a * b, "med_gap": audit.mediation_gap(c, c_prime, a, b)}


def impossible_phrases(bad: pd.DataFrame) -> Glue:
    """The summary's list of impossible numbers, named from the verdicts (``bad``: impossible rows)."""
    sd_hi = bad.loc[bad["check"] == "sd_upper_bhatia_davis", "row"].tolist()
    sd_lo = bad.loc[bad["check"] == "sd_lower_extremes", "row"].tolist()
    bad_stars = bad[bad["check"] == "stars"]
    return {
        "n_impossible_numbers": len(bad),
        "sdmax_bad_phrase": f"{number_word(len(sd_hi))} ({audit.english_list(sd_hi)}) "
        + ("exceeds the largest spread its" if len(sd_hi) == 1 else "exceed the largest spread their")
        + " own minimum, maximum and mean allow",
        "sdmin_bad_phrase": f"{number_word(len(sd_lo))} ({audit.english_list(sd_lo)}) "
        + ("is smaller than the spread its" if len(sd_lo) == 1 else "are smaller than the spread their")
        + " own extremes force",
        "stars_bad_verb": f"{number_word(len(bad_stars))} "
        + plural(len(bad_stars), "coefficient claims", "coefficients claim"),
        "stars_bad_list": audit.describe_coefficients(bad_stars),
    }


def cluster_change_phrases(changes: pd.DataFrame) -> Glue:
    """Exercise 2's answer: which verdicts move when G changes (``changes`` from ``verdict_changes``)."""
    labels = {"stars": "star verdict", "stars_table5_own_legend": "star verdict under Table 5's own legend"}
    moves = []
    for (check, before, after), g in changes.groupby(["check", "before", "after"], sort=False):
        what = labels.get(check, f"{check} verdict")
        moves.append(f"{number_word(len(g))} {what}{plural(len(g), '', 's')} "
                     f"({audit.describe_coefficients(g)}) "
                     f"{plural(len(g), 'moves', 'move')} from \"{before}\" to \"{after}\"")
    n_text = int((changes["check"] == "text_vs_tables").sum())
    n_imp = int(((changes["before"] == "impossible") | (changes["after"] == "impossible")).sum())
    return {
        "ex2_moves": "; ".join(moves) if moves else "no verdict changes",
        "ex2_text": "none of the text_vs_tables verdicts changes: they compare the level the text states "
        "with the level the legend attaches to the printed stars, which no reference distribution enters"
        if n_text == 0 else
        f"{number_word(n_text)} text_vs_tables "
        f"{plural(n_text, 'verdict changes', 'verdicts change')} as well",
        "ex2_impossible": "No verdict moves into or out of impossible." if n_imp == 0 else
        f"{capitalise(number_word(n_imp))} {plural(n_imp, 'verdict moves', 'verdicts move')} into or out of "
        "impossible.",
    }


# ----------------------------------------------------------------------------------------------
# Chapter 02: data and measurement


def coverage_phrases(panel: pd.DataFrame, model_vars: Sequence[str]) -> Glue:
    """Observation counts per model variable, the complete-case sample and what is interpolated."""
    n = {v: int(panel[v].notna().sum()) for v in model_vars}
    complete = panel.dropna(subset=list(model_vars))
    n_interp = int(panel["pop_interpolated"].sum())
    short = [v for v in ("gov", "hum", "pgdp", "open", "edu") if n[v] < len(panel)]
    return {
        **{f"n_{v}": k for v, k in n.items()},
        "n_rows": len(panel),
        "n_complete": len(complete),
        "complete_years": ", ".join(str(y) for y in sorted(complete["year"].unique())),
        "pop_interp_phrase": "no population value" if n_interp == 0 else
        f"{number_word(n_interp)} population {plural(n_interp, 'value', 'values')}",
        "partial_controls": "Every control covers all province-years." if not short else
        f"The public files only partly cover {listing(short)}.",
    }


def match_phrase(cmp: pd.DataFrame) -> str:
    """How many of Table 2's comparisons match, and whether they are observation counts:
    "five of the 40 are matches, all of them observation counts"."""
    n_match = int((cmp["verdict"] == "match").sum())
    n_match_n = int(((cmp["verdict"] == "match") & (cmp["statistic"] == "n")).sum())
    if n_match == 0:
        return f"none of the {len(cmp)} is a match"
    which = ("an observation count" if n_match == 1 and n_match_n == 1 else
             "not an observation count" if n_match == 1 else
             "all of them observation counts" if n_match_n == n_match else
             "none of them an observation count" if n_match_n == 0 else
             f"{number_word(n_match_n)} of them "
             f"{plural(n_match_n, 'an observation count', 'observation counts')}")
    return f"{count_of(n_match, len(cmp))} {plural(n_match, 'is a match', 'are matches')}, {which}"


def table2_comparison_phrases(cmp: pd.DataFrame) -> Glue:
    """The paper's IC, DE and TI statistics and how much of Table 2 we match (``cmp``: table2_vs_paper)."""
    c = cmp.set_index(["variable", "statistic"])
    n_match = int((cmp["verdict"] == "match").sum())
    ours_ic, paper_ic = c.loc[("IC", "mean"), "ours"], c.loc[("IC", "mean"), "paper"]
    out: Glue = {
        "ic_mean": c.loc[("IC", "mean"), "ours"],
        "ic_mean_paper": c.loc[("IC", "mean"), "paper"],
        "de_max_paper": c.loc[("DE", "max"), "paper"],
        "match_phrase": match_phrase(cmp),
        "agree_lead": "Few numbers agree" if n_match < len(cmp) / 4 else
        "Some numbers agree" if n_match < len(cmp) / 2 else "Most numbers agree",
        "ic_mean_cmp": "far below ours" if paper_ic < 0.75 * ours_ic else "against ours",
        "ic_max_paper": c.loc[("IC", "max"), "paper"],
        "n_stats": len(cmp),
    }
    for stat in ("mean", "min", "max"):
        out[f"ti_{stat}_paper"] = c.loc[("TI", stat), "paper"]
    return out


def ti_fit_values(fit: pd.DataFrame) -> Glue:
    """How the two TI candidates compare with the paper's (``fit`` from ``helpers.data.ti_fit``).

    Raises ``ValueError`` if the table no longer reads as the chapter's prose says (R&D intensity
    closest and below the paper on all three statistics, patents above it on mean and maximum).
    """
    f = fit.set_index("ti")
    best = fit.sort_values("log_distance").iloc[0]
    ratios = ["ratio_mean", "ratio_min", "ratio_max"]
    if not (best["ti"] == "rd_intensity" and (f.loc["rd_intensity", ratios] < 1).all()
            and (f.loc["patents_per_10k", ["ratio_mean", "ratio_max"]] > 1).all()):
        raise ValueError("ti_fit_values: the TI fit no longer reads as the data chapter describes it")
    out: Glue = {"ti_best": best["ti"], "ti_n_patents": int(f.loc["patents_per_10k", "n"])}
    for name, key in (("rd", "rd_intensity"), ("pat", "patents_per_10k")):
        for stat in ("mean", "min", "max"):
            out[f"ti_{name}_ratio_{stat}"] = f.loc[key, f"ratio_{stat}"]
    return out


def provinces_fell(falls: pd.DataFrame) -> list[str]:
    """Provinces whose DE fell from one year to the next at least once (``falls``: ``de_declines``)."""
    return sorted({p for names in falls["provinces_fell"] for p in names.split(", ") if p})


def de_path_phrases(panel: pd.DataFrame, falls: pd.DataFrame) -> Glue:
    """How DE rose over the years: provinces that rose, average yearly change early and late, falls."""
    down = falls[falls["n_fell"] > 0]
    fell_any = provinces_fell(falls)
    by_year = "; ".join(f"{r.n_fell} in {r.year}" for r in down.itertuples())
    de_w = panel.pivot(index="province", columns="year", values="DE").dropna(axis=1, how="all")
    y0, y1 = int(de_w.columns.min()), int(de_w.columns.max())
    ymid = (y0 + y1) // 2
    early = float(((de_w[ymid] - de_w[y0]) / (ymid - y0)).mean())
    late = float(((de_w[y1] - de_w[ymid]) / (y1 - ymid)).mean())
    return {
        "n_de_fell_any": len(fell_any),
        "de_fall_years": by_year or "none",
        "de_y0": y0, "de_ymid": ymid, "de_y1": y1,
        "de_rose_phrase": count_of(int((de_w[y1] > de_w[y0]).sum()), len(de_w), "province"),
        "de_rise_early": early, "de_rise_late": late,
        "de_dir_early": "rising" if early > 0 else "falling",
        "de_dir_late": "rising" if late > 0 else "falling",
        "de_abs_early": abs(early), "de_abs_late": abs(late),
        "de_fell_clause": "but not every year: it fell from the year before in "
        f"{len(fell_any)} {'province' if len(fell_any) == 1 else 'provinces'} at least once (number of "
        f"provinces by year: {by_year})"
        if fell_any else "and it never fell from one year to the next in any province",
    }


def variation_phrases(var: pd.DataFrame, panel: pd.DataFrame) -> Glue:
    """Where IC and DE vary (``var`` from ``helpers.data.variation``) and IC's maxima in Beijing, Hainan."""
    v = var.set_index("variable")
    out: Glue = {f"{col}_{name}": v.loc[name, col] for name in ("IC", "DE")
                 for col in ("sd", "sd_between", "sd_within", "sd_within_two_way")}
    # share of DE's within-province variance that the year means remove
    common = 1 - (v.loc["DE", "sd_within_two_way"] / v.loc["DE", "sd_within"]) ** 2
    ic_max = panel.groupby("province")["IC"].max()
    out |= {
        "de_common": 100 * common,
        "de_common_lead": "Most of DE's movement over time is common to all provinces" if common >= 0.5
        else "Less than half of DE's movement over time is common to all provinces",
        "de_remainder": "but only" if common >= 0.5 else "and",
        "de_remainder_adj": "that small remainder" if common >= 0.5 else "that remainder",
        "ic_where": "IC's variation, by contrast, is mostly between provinces"
        if v.loc["IC", "sd_between"] > v.loc["IC", "sd_within"]
        else "IC's variation is mostly within provinces",
        "ic_max_beijing": ic_max["Beijing"],
        "ic_max_hainan": ic_max["Hainan"],
    }
    return out


def fork_sensitivity_values(sens: pd.DataFrame) -> Glue:
    """The fork comparisons the data chapter quotes (``sens`` from ``helpers.data.fork_sensitivity``)."""
    s = sens.set_index(["fork", "value", "variable"])
    ic = s.loc[("gdp_vintage", "revised", "IC")]
    t1 = s.loc[("de_composition", "table1", "DE")]
    t13 = s.loc[("de_composition", "table1_2013", "DE")]
    return {
        "ic_vintage_r": ic["pearson"],
        "ic_vintage_mad": ic["mean_abs_diff"],
        "ic_vintage_n": int(ic["n_overlap"]),
        "ic_vintage_rw": ic["within_r"],
        "ic_vintage_sdw_base": ic["sd_within_base"],
        "ic_vintage_sdw_rev": ic["sd_within_variant"],
        "ic_vintage_madw_share": ic["within_mean_abs_diff"] / ic["sd_within_base"],
        "gov_vintage_rw": s.loc[("gdp_vintage", "revised", "gov"), "within_r"],
        "de_t1_r": t1["pearson"], "de_t1_rw": t1["within_r"], "de_t1_mad": t1["mean_abs_diff"],
        "de_t13_r": t13["pearson"], "de_t13_rw": t13["within_r"], "de_t13_mad": t13["mean_abs_diff"],
        "de_shift_mad": s.loc[("shift", "0.01", "DE"), "mean_abs_diff"],
        "ti_r": s.loc[("ti", "patents_per_10k", "TI"), "pearson"],
        "ti_rw": s.loc[("ti", "patents_per_10k", "TI"), "within_r"],
        "hum_staff_rw": s.loc[("hum_proxy", "tech_staff", "hum"), "within_r"],
        "hum_fte_rw": s.loc[("hum_proxy", "rd_fte", "hum"), "within_r"],
    }


# ----------------------------------------------------------------------------------------------
# Chapter 06: beyond the paper

#: short names of the inference methods for prose
METHOD_NAMES = {"CR1 (Stata factor)": "CR1", "CV3 jackknife": "CV3",
                "WCR bootstrap, rademacher weights": "WCR with Rademacher weights",
                "WCR bootstrap, webb weights": "WCR with Webb weights",
                "Randomization (DE paths permuted)": "randomization"}


def pick(inference: pd.DataFrame, column: str, method: str, field: str) -> float:
    """One number of ``inference_table`` output: the first row of ``column`` whose method starts with
    ``method``."""
    row = inference[(inference["column"] == column) & (inference["method"].str.startswith(method))]
    return float(row[field].iloc[0])


def _p_list(items: list[tuple[str, float]]) -> str:
    return listing([f"{p:.4f} ({w})" for w, p in items])


def h1_sentence(named: Sequence[tuple[str, float]]) -> str:
    """H1 under every method: the one-sided p-values (method, p) sorted by the side of 5% they fall on."""
    below = [(w, p) for w, p in named if p < 0.05]
    above = [(w, p) for w, p in named if p >= 0.05]
    if below and above:
        return (f"For H1 the verdict flips with the method: the one-sided p-value is {_p_list(below)}, "
                f"below 5%, but {_p_list(above)}, above it. Whether the regression without controls "
                "supports H1 at 5% thus rests on an inference choice the paper does not report.")
    if below:
        return f"For H1 every method puts the one-sided p-value below 5%: {_p_list(below)}."
    return f"For H1 no method puts the one-sided p-value below 5%: {_p_list(above)}."


def inference_phrases(inference: pd.DataFrame, draws: int, permutations: int) -> Glue:
    """The p-values, intervals and stars of columns 6 and 1 and the sentences read off them."""
    out: Glue = {}
    for col in ("6", "1"):
        row_t = inference[(inference["column"] == col) & (inference["reference"].str.startswith("t("))]
        p_col = inference.loc[inference["column"] == col, "p_two_sided"]
        out |= {
            f"b6_coef{col}": pick(inference, col, "CR1", "coef"),
            f"b6_p_normal{col}": pick(inference, col, "CR1", "p_two_sided"),
            f"b6_p_t{col}": float(row_t["p_two_sided"].iloc[0]),
            f"b6_p_cv3_{col}": pick(inference, col, "CV3", "p_two_sided"),
            f"b6_p_rad{col}": pick(inference, col, "WCR bootstrap, rademacher", "p_two_sided"),
            f"b6_p_webb{col}": pick(inference, col, "WCR bootstrap, webb", "p_two_sided"),
            f"b6_p_perm{col}": pick(inference, col, "Randomization", "p_two_sided"),
            f"b6_p1_webb{col}": pick(inference, col, "WCR bootstrap, webb", "p_one_sided"),
            f"b6_ci_webb_lo{col}": pick(inference, col, "WCR bootstrap, webb", "ci_lo"),
            f"b6_ci_webb_hi{col}": pick(inference, col, "WCR bootstrap, webb", "ci_hi"),
            f"b6_p_min{col}": float(p_col.min()),
            f"b6_p_max{col}": float(p_col.max()),
            f"b6_stars_normal{col}": stars_text(star_count(pick(inference, col, "CR1", "p_two_sided"))),
            f"b6_stars_t{col}": stars_text(star_count(float(row_t["p_two_sided"].iloc[0]))),
            f"b6_stars_webb{col}": stars_text(star_count(pick(inference, col, "WCR bootstrap, webb",
                                                               "p_two_sided"))),
            f"b6_stars_cv3_{col}": stars_text(star_count(pick(inference, col, "CV3", "p_two_sided"))),
        }
    out |= {"b6_draws": draws, "b6_perms": permutations}

    # The sentences around column 1 are read off these numbers, not typed.
    p1 = inference.loc[inference["column"] == "1", "p_two_sided"]
    near = len({star_count(float(p)) for p in p1}) > 1  # the methods disagree on the paper's star scale
    out["b6_col1_lead"] = ("Column 1 is where the choice can matter, because its p-values straddle a "
                           "conventional threshold." if near else "In column 1 the choice of method does "
                           "not change the conclusion: its p-values all fall on the same side of the "
                           "conventional thresholds.")
    small = [pick(inference, "1", m, "p_two_sided") for m in ("CV3", "WCR bootstrap, rademacher",
                                                               "WCR bootstrap, webb")]
    cr1 = pick(inference, "1", "CR1", "p_two_sided")
    out["b6_conservative"] = ("The methods built for few clusters are the more conservative ones, as the "
                              "literature leads one to expect." if min(small) >= cr1 else "Not every method "
                              "built for few clusters is more conservative than CR1 here, although the "
                              "literature leads one to expect it.")
    gap_w = max(abs(pick(inference, c, "WCR bootstrap, rademacher", "p_two_sided")
                    - pick(inference, c, "WCR bootstrap, webb", "p_two_sided")) for c in ("6", "1"))
    out["b6_wcr_gap"] = gap_w
    out["b6_weights_agree"] = ("so both weight families agree closely" if gap_w < 0.02
                               else "yet the two weight families differ noticeably")

    # H1 in column 1: the one-sided p-value of every method
    named = []
    for r in inference[inference["column"] == "1"].itertuples():
        what = METHOD_NAMES.get(r.method, r.method)
        if r.method.startswith("CR1"):
            what += " with the normal reference" if r.reference == "normal" else f" with {r.reference}"
        named.append((what, float(r.p_one_sided)))
    out["b6_h1_col1"] = h1_sentence(named)
    return out


def jackknife_phrases(jack: pd.DataFrame) -> Glue:
    """The province that moves the estimate most and the range of the leave-one-out estimates.

    ``jack`` is :func:`helpers.inference.jackknife` sorted by the absolute change, largest first.
    """
    top = jack.iloc[0]
    n_pos = int((jack["coef"] > 0).sum())
    return {
        "b6_jk_top": str(top["province"]),
        "b6_jk_top_change": float(top["change"]),
        "b6_jk_min": float(jack["coef"].min()),
        "b6_jk_max": float(jack["coef"].max()),
        "b6_jk_n": len(jack),
        "b6_jk_pos_phrase": "none of them is positive" if n_pos == 0 else
        "all of them are positive" if n_pos == len(jack) else
        f"{number_word(n_pos)} of them {plural(n_pos, 'is', 'are')} positive",
    }


def multiverse_phrases(mv: pd.DataFrame, summary: pd.Series, base_coef: float, book_coef: float) -> Glue:
    """Shares and counts of the multiverse and the verdict on the paper's claim.

    ``summary`` is the single row of ``multiverse_summary(mv)``; ``base_coef`` the multiverse's
    baseline estimate and ``book_coef`` the same estimate from the book's panel.
    """
    n_possig = int(mv["positive_significant"].sum())
    pos1 = int(((mv["coef"] > 0) & (mv["p"] < 0.01)).sum())
    return {
        "b6_mv_n": len(mv),
        "b6_mv_estimates": int(len(mv) / mv["clustering"].nunique()),
        "b6_mv_panels": int(mv.attrs["panels_built"]),
        "b6_mv_pos": 100 * float(summary["share_positive"]),
        "b6_mv_possig": 100 * float(summary["share_positive_significant"]),
        "b6_mv_possig_n": f"{number_word(n_possig)} {plural(n_possig, 'specification', 'specifications')}",
        "b6_mv_negsig": 100 * float(summary["share_negative_significant"]),
        "b6_mv_median": float(summary["median_coef"]),
        "b6_mv_base_diff": abs(base_coef - book_coef),
        "b6_mv_pos1_n": pos1,
        "b6_mv_paper_claim":
            "is not what the public data give: not one specification has a positive DE coefficient "
            "significant at 1%, let alone every column of one data choice" if pos1 == 0 else
            f"is not what the public data give: {count_of(pos1, len(mv), 'specification')} "
            f"{plural(pos1, 'has', 'have')} a positive DE coefficient significant at 1%",
    }


def control_set_phrases(mv_summary: pd.DataFrame, controls: Sequence[str]) -> Glue:
    """Share of positive estimates without controls and with all of them, and how much that matters."""
    ctrl = mv_summary[mv_summary["choice"] == "controls"].set_index("value")
    none = float(ctrl.loc["none", "share_positive"])
    full = float(ctrl.loc["+".join(controls), "share_positive"])
    gap = abs(none - full)
    return {"b6_mv_pos_none": 100 * none, "b6_mv_pos_full": 100 * full,
            "b6_ctrl_matters": "matters a great deal" if gap >= 0.25 else "matters" if gap >= 0.10
            else "matters little"}


def sample_share_verdict(b_all: float, b_fixed: float, b_6: float) -> tuple[float, str]:
    """Share of the column 1 to column 6 difference that the change of sample accounts for, in words.

    ``b_all``: column 1 on all rows; ``b_fixed``: column 1 on column 6's rows; ``b_6``: column 6.
    """
    share = (b_fixed - b_all) / (b_6 - b_all) if b_6 != b_all else float("nan")
    if not np.isfinite(share) or share <= 0:
        return share, ("so the change of sample does not move it toward column 6, and the controls account "
                       "for the whole difference")
    if share < 1:
        return share, (f"so the change of sample accounts for {share:.0%} of the difference between "
                       "columns 1 and 6 and the controls for the rest")
    return share, "so the change of sample accounts for all of the difference; the controls add nothing to it"


def within_variation_phrases(wv: pd.DataFrame, panel: pd.DataFrame, falls: pd.DataFrame) -> Glue:
    """What the fixed effects absorb of DE's variance and what is left (``wv``: two ``within_variation``
    runs labelled by ``sample``; ``falls``: ``de_declines``)."""
    left = wv[wv["component"] == "left to identify the coefficient"].set_index("sample")
    first = wv[wv["sample"] == "all rows, no controls"].set_index("component")["share"]
    year_share = float(first["year effects"])
    n_fell = len(provinces_fell(falls))
    step = ("The index moves largely in step across provinces" if year_share >= 0.5
            else "The index moves in step across provinces only in part")
    if n_fell:
        step += (f", {'though' if year_share >= 0.5 else 'and'} not in every year: it fell from one year "
                 f"to the next in {number_word(n_fell)} {plural(n_fell, 'province', 'provinces')} "
                 "at least once")
    left_share = float(left.loc["all rows, no controls", "share"])
    return {
        "b6_wv_year": 100 * float(first["year effects"]),
        # the same absorption as a share of what the province effects leave, the base chapter-data uses
        "b6_wv_year_within": 100 * float(first["year effects"] / (1 - first["province effects"])),
        "b6_wv_left": 100 * left_share,
        "b6_wv_left6": 100 * float(left.loc["column 6 sample, five controls", "share"]),
        "b6_de_sd": float(panel["DE"].std()),
        "b6_de_sd_within": float(left.loc["all rows, no controls", "sd_remaining"]),
        "b6_wv_step": step,
        "b6_wv_fragile": "A coefficient identified from so little variation is fragile, which the multiverse "
        "above confirms." if left_share < 0.10 else "Even so, the multiverse above shows how much the "
        "coefficient moves with the choices.",
    }


def without_open_phrases(panel: pd.DataFrame, res: object) -> Glue:
    """Exercise 1: column 6 without openness (``res``: its ``fit_twfe`` result), where the openness
    proxy is missing, and whether dropping it gives the paper's result (positive, p < 1% with t(G-1))."""
    coef, t = float(res.params["DE"]), float(res.tstats["DE"])
    p = float(2 * stats.t(res.fit_info.n_clusters - 1).sf(abs(t)))
    open_missing = [int(y) for y, g in panel.groupby("year") if g["open"].isna().all()]
    return {
        "b6_ex1_coef": coef,
        "b6_ex1_t": t,
        "b6_ex1_n": int(res.nobs),
        "b6_ex1_p": p,
        "b6_ex1_open_gap": "it has no values at all for " + ", ".join(map(str, open_missing)) if open_missing
        else f"it covers {int(panel['open'].notna().sum())} of the {len(panel)} province-years",
        "b6_ex1_verdict": "the openness proxy is not what separates our estimate from the paper's"
        if not (coef > 0 and p < 0.01) else
        "without the openness proxy the estimate is positive and significant at 1%, as in the paper",
    }


def _slopes(rows: pd.DataFrame) -> str:
    """Slopes named by term and column: "hum and pgdp in column (5)"."""
    by_col = rows.groupby("column", sort=True)["term"].apply(list)
    return listing([f"{listing(terms)} in column ({c})" for c, terms in by_col.items()])


def table3_star_phrases(coefs: pd.DataFrame) -> Glue:
    """Exercise 2: Table 3's printed stars against the normal and t(29) ones, and the critical values."""
    t3 = coefs[(coefs["table"] == 3) & (coefs["term"] != "const")].copy()
    t3["stars_normal"] = [star_count(2 * stats.norm.sf(abs(t))) for t in t3["t"]]
    t3["stars_t29"] = [star_count(2 * stats.t(29).sf(abs(t))) for t in t3["t"]]
    lost = int((t3["stars_t29"] < t3["stars_normal"]).sum())
    off_t = t3[t3["stars"] != t3["stars_t29"]]
    neither = off_t[off_t["stars"] != off_t["stars_normal"]]
    k, m = len(off_t), len(neither)
    if k == 0:
        ex2 = "Every printed star count agrees with the t(29) one"
    else:
        ex2 = (f"{capitalise(number_word(k))} printed star "
               f"{plural(k, 'count differs', 'counts differ')} from the t(29) {plural(k, 'one', 'ones')} "
               f"({_slopes(off_t)})")
        if m == k:
            ex2 += (f", and {plural(k, 'it differs', 'the same ' + number_word(k) + ' differ')} from the "
                    f"normal {plural(k, 'one', 'ones')} as well: {plural(k, 'it fits', 'they fit')} neither "
                    "reference")
        elif m:
            ex2 += (f"; {number_word(m)} of them ({_slopes(neither)}) {plural(m, 'fits', 'fit')} neither "
                    "reference, the others fit the normal")
        else:
            ex2 += f", but {plural(k, 'it fits', 'all of them fit')} the normal reference"
    out: Glue = {
        "b6_ex2_n": len(t3),
        "b6_ex2_lost": "none loses" if lost == 0 else f"{number_word(lost)} {plural(lost, 'loses', 'lose')}",
        "b6_ex2_stars": ex2,
    }
    for lev, tag in ((0.05, "05"), (0.01, "01")):
        out[f"b6_crit_t29_{tag}"] = float(stats.t(29).ppf(1 - lev / 2))
        out[f"b6_crit_norm_{tag}"] = float(stats.norm.ppf(1 - lev / 2))
    return out


def seed_agreement_phrases(p: float, p_other: float, draws: int) -> Glue:
    """Exercise 3: a bootstrap p-value with another seed against its Monte Carlo standard error."""
    mcse = float(np.sqrt(p * (1 - p) / draws))
    z_seed = abs(p_other - p) / mcse if mcse > 0 else float("inf")
    diff = abs(p_other - p)
    return {
        "b6_ex3_mcse": mcse,
        "b6_ex3_p_other": p_other,
        "b6_ex3_agree": f"the difference, {diff:.4f}, is "
        + ("less than one standard error" if z_seed < 1 else f"{z_seed:.1f} standard errors")
        + (": the two agree within simulation noise" if z_seed <= 3
           else ", more than simulation noise explains"),
    }
