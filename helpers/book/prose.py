"""Phrases for the prose of the table chapters (03 baseline, 04 robustness, 05 mechanism).

Each builder takes results the chapter has already computed and returns a dict of glue keys to
values (numbers or short phrases), so that a chapter cell only fits, tabulates and then runs
``for k, v in phrases.items(): glue(k, v)``. Words come from :mod:`helpers.wording`, so that counts
and lists read the same in every chapter. No builder fits a model or writes a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from helpers.book.tables import fork_signs
from helpers.book.wording import capitalise, compared, count_of, listing, number_word, p_text, plural
from helpers.estimate.mediation import Bootstrap, Mediation, steps_outcome

# ---------------------------------------------------------------------------------------------
# Chapter 03: baseline (Table 3)


def coverage_phrases(panel: pd.DataFrame, cov: pd.DataFrame, short: Sequence[str]) -> dict[str, object]:
    """Rows and years with a value for each variable of a :func:`helpers.tables.coverage_table`,
    and the list of short variables (``t3_*`` keys)."""
    out: dict[str, object] = {"t3_rows": len(panel)}
    for _, r in cov.iterrows():
        out[f"t3_cov_{r['variable']}"] = int(r["non_missing"])
        out[f"t3_years_{r['variable']}"] = r["periods"]
    out["t3_short"] = listing(short) or "none"
    return out


def de_summary(de: pd.DataFrame) -> str:
    """The sign and significance of DE across the columns of a table, for prose.

    ``de`` has one row per column with ``coef`` and two-sided ``p``. Example: "DE is positive in
    four of our six columns, significant at 10% in one of them and at 1% in none".
    """
    n_cols, n_pos = len(de), int((de["coef"] > 0).sum())
    pos_p = de.loc[de["coef"] > 0, "p"]
    neg_sig10 = int(((de["coef"] < 0) & (de["p"] < 0.10)).sum())

    def how_many(k: int) -> str:  # after "in": "none", "one of them", "all of them"
        return "none" if k == 0 else ("all of them" if k == n_pos and k > 1 else f"{number_word(k)} of them")

    if n_pos == 0:
        text = f"DE is negative or zero in all {number_word(n_cols)} of our columns"
    else:
        text = (f"DE is positive in {'all' if n_pos == n_cols else number_word(n_pos)} of our "
                f"{number_word(n_cols)} columns, significant at 10% in {how_many(int((pos_p < 0.10).sum()))} "
                f"and at 1% in {how_many(int((pos_p < 0.01).sum()))}")
    if neg_sig10:
        text += (f"; {number_word(neg_sig10)} negative "
                 f"{plural(neg_sig10, 'estimate is', 'estimates are')} significant at 10%")
    return text


def baseline_phrases(de: pd.DataFrame, paper: pd.DataFrame, n_clusters: int) -> dict[str, object]:
    """Our DE of columns 1 and 6 beside the paper's Table 3, and the summary of all columns.

    ``de`` is our long results for DE indexed by column id ("1".."6"); ``paper`` is
    :func:`helpers.paper.reported_coefficients`; ``n_clusters`` the clusters of column 6.
    """
    p3 = paper[(paper["table"] == 3) & (paper["term"] == "DE")].set_index("column")
    pc = paper[paper["table"] == 3].set_index(["column", "term"])["coef"]
    out: dict[str, object] = {
        "t3_de6": float(de.loc["6", "coef"]), "t3_t6": float(de.loc["6", "t"]),
        "t3_p6": float(de.loc["6", "p"]), "t3_n6": int(de.loc["6", "n"]),
        "t3_de1": float(de.loc["1", "coef"]), "t3_t1": float(de.loc["1", "t"]),
        "t3_paper_de6": float(p3.loc[6, "coef"]), "t3_paper_t6": float(p3.loc[6, "t"]),
        "t3_paper_n6": int(p3.loc[6, "n"]),
    }
    for col in (4, 5, 6):
        out[f"t3_paper_pgdp{col}"] = float(pc.loc[(col, "pgdp")])
    for col in (5, 6):
        out[f"t3_paper_hum{col}"] = float(pc.loc[(col, "hum")])
    out["t3_de_summary"] = de_summary(de)
    out["t3_n_cols"] = len(de)
    out["t3_G"] = n_clusters
    out["t3_p6_text"] = p_text(float(de.loc["6", "p"]))
    paper_1pct = int(((p3["coef"] > 0) & (p3["stars"] == 3)).sum())
    out["t3_paper_1pct"] = (f"all {number_word(len(p3))}" if paper_1pct == len(p3)
                            else f"{number_word(paper_1pct)} of the {number_word(len(p3))}")
    return out


def agreement_counts(comparison: pd.DataFrame, prefix: str = "t3") -> dict[str, int]:
    """How often sign and star count agree in a :func:`helpers.tables.compare_with_paper` frame: over
    all coefficients, over the slopes (no constant) and over DE (``<prefix>_*`` keys)."""
    out: dict[str, int] = {}
    for part, rows in (("", comparison), ("slope_", comparison[comparison["term"] != "const"]),
                       ("de_", comparison[comparison["term"] == "DE"])):
        out[f"{prefix}_{part}sign_agree"] = int(rows["sign_agrees"].sum())
        out[f"{prefix}_{part}sig_agree"] = int(rows["significance_agrees"].sum())
    out[f"{prefix}_n_compared"] = int(comparison["ours"].notna().sum())
    out[f"{prefix}_n_slopes"] = int(comparison.loc[comparison["term"] != "const", "ours"].notna().sum())
    out[f"{prefix}_n_de"] = int(comparison.loc[comparison["term"] == "DE", "ours"].notna().sum())
    return out


def fixed_sample_intro(ns: Sequence[int], short_controls: Sequence[str]) -> str:
    """Why the columns' samples differ (``ns`` their numbers of observations), or that they do not."""
    if len(set(ns)) > 1:
        return (f"Because {listing(short_controls)} {plural(len(short_controls))} short, the "
                "columns above change their sample as well as their controls (N runs from "
                f"{max(ns)} to {min(ns)}).")
    return f"The columns above already share one sample of {ns[0]} rows."


def sample_split(de1: float, de1_common: float, de_last: float, *, same_rows: bool) -> str:
    """Where the move of DE from column 1 (``de1``) to the last column (``de_last``) comes from: the
    change of sample (column 1 on the common rows, ``de1_common``) or the controls."""
    by_sample, by_controls = de1_common - de1, de_last - de1_common
    if same_rows:
        return "the two columns already share their rows, so the whole contrast comes from the controls"
    if by_sample * by_controls < 0:
        size = "slightly " if abs(by_sample) < abs(by_controls) / 2 else ""
        return (f"the change of sample alone moves the estimate {size}the other way ({de1:.4f} to "
                f"{de1_common:.4f}), so the contrast comes from the controls "
                f"({de1_common:.4f} to {de_last:.4f})")
    share = by_sample / (by_sample + by_controls) if by_sample + by_controls else 0.0
    who = ("mostly from the controls" if share < 1 / 3 else
           "mostly from the change of sample" if share > 2 / 3 else
           "from the change of sample and the controls alike")
    return (f"the contrast comes {who}: the change of sample moves the estimate from {de1:.4f} to "
            f"{de1_common:.4f} and the controls from {de1_common:.4f} to {de_last:.4f}")


def fork_phrases(forks: pd.DataFrame, de: pd.DataFrame, vintage: str, other: str,
                 ic_years: str) -> dict[str, object]:
    """Columns 1 and 6 under the data choices of a :func:`helpers.tables.fork_comparison` frame.

    ``de`` is our DE by column id, ``vintage`` the panel's GDP vintage and ``other`` the one the table
    varies to, ``ic_years`` the years our IC covers.
    """
    base = forks[forks["choice"] == "defaults"].set_index("column")
    rev = forks[forks["choice"] == f"gdp_vintage = {other}"].set_index("column")
    out: dict[str, object] = {
        "t3_vintage": vintage.replace("_", "-"), "t3_other_vintage": other.replace("_", "-"),
        "t3_fork_base_diff": max(abs(base.loc[c, "coef"] - de.loc[c, "coef"]) for c in base.index),
    }
    for c in ("1", "6"):
        out[f"t3_fork_rev_de{c}"] = float(rev.loc[c, "coef"])
        out[f"t3_fork_rev_t{c}"] = float(rev.loc[c, "t"])
        out[f"t3_fork_rev_n{c}"] = int(rev.loc[c, "n"])
    # IC of the revised vintage exists for 2016-2021 only (data chapter): say so for whichever side it is on
    out["t3_fork_rev_note"] = ("; the revised vintage has IC for 2016-2021 only" if other == "revised"
                               else f"; our revised-vintage IC covers {ic_years}")
    # the sign is judged column by column: one column can flip with the choices while the other never does
    out["t3_fork_signs"] = " ".join(fork_signs(forks, c) for c in dict.fromkeys(forks["column"]))
    n_1pct = int(((forks["coef"] > 0) & (forks["p"] < 0.01)).sum())
    out["t3_fork_1pct"] = (f"{capitalise(count_of(n_1pct, len(forks), 'version'))} "
                           f"{plural(max(n_1pct, 1), 'gives', 'give')} "
                           "the positive DE significant at 1% that")
    return out


def covariance_phrases(variants: pd.DataFrame, paper_t: float) -> dict[str, object]:
    """The spread of SE, |t| and p over :func:`helpers.models.covariance_variants`, whether the
    choice decides significance at 5%, and whether any choice reaches the paper's t ``paper_t``."""
    p_lo, p_hi = float(variants["p"].min()), float(variants["p"].max())
    sign = "negative" if float(variants["coef"].iloc[0]) < 0 else "positive"
    if p_lo >= 0.05:
        verdict = f"but not for this one: no choice brings p below 0.05 (the smallest is {p_text(p_lo)})"
    elif p_hi < 0.05:
        verdict = (f"but not for this one: every choice keeps the {sign} estimate significant at 5% "
                   + (f"(the largest is {p_text(p_hi)})" if p_hi >= 0.001 else "(every p is below 0.001)"))
    else:
        verdict = (f"and this one is borderline: p runs from {p_lo:.3f} to {p_hi:.3f}, so significance at 5% "
                   "depends on the choice")
    n_reach = int((variants["t"] >= paper_t).sum())
    reach = (f"none reaches the paper's t of {paper_t:.2f} (ours is at most {variants['t'].max():.2f})"
             if n_reach == 0 else
             f"{count_of(n_reach, len(variants), 'choice')} {plural(n_reach, 'reaches', 'reach')} "
             f"the paper's t of {paper_t:.2f}")
    return {
        "t3_se_min": float(variants["se"].min()), "t3_se_max": float(variants["se"].max()),
        "t3_se_spread": 100 * (variants["se"].max() / variants["se"].min() - 1),
        "t3_abs_t_min": float(variants["t"].abs().min()), "t3_abs_t_max": float(variants["t"].abs().max()),
        "t3_var_verdict": verdict, "t3_var_reach": reach,
    }


def h1_phrases(h1: pd.DataFrame, n_controls: int) -> dict[str, object]:
    """The verdict on H1 from :func:`helpers.mediation.h1_tests` (our row and the paper's rows)."""
    ours = h1[h1["source"] == "ours"].iloc[0]
    p = float(ours["p_value"])
    if p < 0.05:
        end = "so our panel supports a positive effect of the digital economy on agglomeration at 5%"
    else:
        end = ("so a positive effect of the digital economy on agglomeration cannot be claimed from our panel"
               + (" (our estimate is negative)" if ours["statistic"] < 0 else ""))
    paper_rows = h1[h1["source"] == "paper"]
    return {
        "t3_h1_p": p, "t3_h1_t": float(ours["statistic"]),
        "t3_h1_verdict": "do not support" if p >= 0.05 else "support",
        "t3_h1_p_text": p_text(p), "t3_h1_conclusion": end, "t3_n_controls": number_word(n_controls),
        "t3_h1_paper_refs": count_of(int((paper_rows["p_value"] < 0.05).sum()), len(paper_rows), "reference"),
    }


METHOD_NAMES = {"CR1 (Stata factor)": "CR1", "CV3 jackknife": "CV3",
                "WCR bootstrap, rademacher weights":
                    "the wild cluster bootstrap (WCR) with Rademacher weights",
                "WCR bootstrap, webb weights": "WCR with Webb weights",
                "Randomization (DE paths permuted)": "randomization inference"}
"""How the methods of :func:`helpers.inference.inference_table` are named in running text."""


def _methods(rows: pd.DataFrame) -> list[str]:
    """Methods with their one-sided p for prose; a method tested under several references is named once."""
    out = []
    for name, grp in rows.groupby("method", sort=False):
        ps = [p_text(float(p), 4) for p in grp["p_one_sided"]]
        if len(grp) == 1:
            out.append(f"{METHOD_NAMES.get(name, name)} ({ps[0]})")
        else:
            refs = "; ".join(f"{ref}, {p}" for ref, p in zip(grp["reference"], ps, strict=True))
            out.append(f"{METHOD_NAMES.get(name, name)} with "
                       f"{'both' if len(grp) == 2 else 'all its'} references ({refs})")
    return out


def column1_h1(inference: pd.DataFrame) -> str:
    """Whether the one-sided test of column 1 rejects at 5% under each method of an
    :func:`helpers.inference.inference_table` (columns ``method, reference, coef, p_one_sided``)."""
    rejects = inference["p_one_sided"] < 0.05
    yes, no = _methods(inference[rejects]), _methods(inference[~rejects])
    none_of = ", ".join(no[:-1]) + f" or {no[-1]}" if len(no) > 1 else "".join(no)  # "not under a, b or c"
    coef1 = float(inference["coef"].iloc[0])
    if yes and no:
        return (f"For column 1 (estimate {coef1:.4f}) the one-sided test rejects at 5% under {listing(yes)}, "
                f"but not under {none_of}: whether column 1 supports H1 depends on the inference method")
    if yes:
        return (f"For column 1 (estimate {coef1:.4f}) the one-sided test rejects at 5% under every method: "
                f"{listing(yes)}")
    return (f"For column 1 (estimate {coef1:.4f}) the one-sided test does not reject at 5% under any method: "
            f"{none_of}")


def baseline_differences(panel: pd.DataFrame, cov: pd.DataFrame, short: Sequence[str],
                         described: Mapping[str, str], table2: pd.DataFrame, nobs: Mapping[str, int],
                         paper: pd.DataFrame) -> dict[str, object]:
    """Phrases for "Where and why we differ" of the baseline chapter.

    ``table2`` is :func:`helpers.paper.reported_table2`, ``nobs`` our N by column id.
    """
    de_years = cov.set_index("variable").loc["DE", "periods"]
    t2 = table2.set_index("variable")
    p3 = paper[(paper["table"] == 3) & (paper["term"] == "DE")].set_index("column")
    fewer = [c for c, n in nobs.items() if int(n) < int(p3.loc[int(c), "n"])]
    return {
        "t3_desc_de": described["DE"],
        "t3_de_cover": ("every province-year" if "DE" not in short else
                        f"{int(panel['DE'].notna().sum())} of the {len(panel)} province-years ({de_years})"),
        "t3_paper_ic_max": float(t2.loc["IC", "max"]), "t3_paper_ic_mean": float(t2.loc["IC", "mean"]),
        "t3_fewer": ("Every column uses fewer than the paper's rows" if len(fewer) == len(nobs) else
                     f"Column{'s' if len(fewer) > 1 else ''} {listing(fewer)} "
                     f"{plural(len(fewer), 'uses', 'use')} fewer than the paper's rows" if fewer
                     else "Every column has the paper's number of rows"),
    }


# ---------------------------------------------------------------------------------------------
# Chapter 04: robustness (Table 4)


def robustness_phrases(de: pd.DataFrame, paper: pd.DataFrame, lic: float,
                       short: Sequence[str]) -> dict[str, object]:
    """Our DE of each column of Table 4 beside the paper's, and why our N is smaller (``t4_*`` keys).

    ``de`` is our long results for DE indexed by column id ("1", "1b", "2", "3"), ``lic`` the
    coefficient of the lagged outcome in column 1b, ``short`` the variables with missing rows.
    """
    p4 = paper[paper["table"] == 4].set_index(["column", "term"])
    out: dict[str, object] = {}
    for col in ("1", "1b", "2", "3"):
        out[f"t4_de_{col}"] = float(de.loc[col, "coef"])
        out[f"t4_t_{col}"] = float(de.loc[col, "t"])
        out[f"t4_n_{col}"] = int(de.loc[col, "n"])
    for col in (1, 2, 3):
        out[f"t4_paper_de_{col}"] = float(p4.loc[(col, "DE"), "coef"])
        out[f"t4_paper_n_{col}"] = int(p4.loc[(col, "DE"), "n"])
    out["t4_lic"] = float(lic)
    n_below = sum(int(de.loc[c, "n"]) < int(p4.loc[(int(c), "DE"), "n"]) for c in ("1", "2", "3"))
    every = "every column" if n_below == 3 else f"{number_word(n_below)} of the three columns"
    out["t4_n_reason"] = ((f"Our N is below the paper's in {every}" if n_below
                           else "Our N is not below the paper's in any column")
                          + (f": {listing(short)} {plural(len(short))} short" if short
                             else ": no variable is short")
                          + ", and the lag of column 1 needs the previous year as well")
    return out


def core_controls_phrases(panel: pd.DataFrame, de_core: pd.DataFrame, paper: pd.DataFrame,
                          core_controls: Sequence[str], short: Sequence[str],
                          n_clusters_2: int) -> dict[str, object]:
    """The samples of Table 4 with only the controls observed everywhere (``t4_core_*`` keys).

    ``de_core`` is our DE by column id ("1_core", "2_core", ...), ``n_clusters_2`` the provinces left
    without the municipalities.
    """
    p4 = paper[paper["table"] == 4].set_index(["column", "term"])
    n1_core, n2_core = int(de_core.loc["1_core", "n"]), int(de_core.loc["2_core", "n"])
    n_no_lag = int(panel[["IC", "DE", *core_controls]].notna().all(axis=1).sum())
    paper_n1, paper_n2 = int(p4.loc[(1, "DE"), "n"]), int(p4.loc[(2, "DE"), "n"])
    core_short = [c for c in core_controls if panel[c].isna().any()]
    short_main = [v for v in ("IC", "DE") if v in short]
    intro = (f"With only {listing(core_controls)}, "
             + ("which exist for every province-year, no control shortens the sample."
                if not core_short else
                f"of which {listing(core_short)} {plural(len(core_short))} short in this build.")
             + (f" {listing(short_main)} still {plural(len(short_main), 'has', 'have')} missing rows, though."
                if short_main else ""))
    return {
        "t4_core_intro": intro, "t4_core_n_1": n1_core, "t4_core_n_2": n2_core,
        "t4_core_g_2": n_clusters_2, "t4_core_list": listing(core_controls),
        "t4_core_lag": (f"N = {n1_core}, which {compared(n1_core, paper_n1)} the paper's {paper_n1}; "
                        + (f"the lag costs {n_no_lag - n1_core} of the {n_no_lag} rows these variables allow "
                           "without it" if n_no_lag > n1_core
                           else f"the lag costs none of the {n_no_lag} rows these variables allow")),
        "t4_core_nomuni": f"N = {n2_core}, which {compared(n2_core, paper_n2)} the paper's {paper_n2}",
    }


def de_summary_table(both: pd.DataFrame, checks: Mapping[str, str],
                     control_sets: Mapping[str, str]) -> pd.DataFrame:
    """The DE row of every check under every control set of Table 4's long results ``both``.

    ``checks`` maps a column id to its name, ``control_sets`` a column-id suffix to its label.
    Columns: check, controls, coef, se, t, p, n.
    """
    rows = [{"check": name, "controls": label,
             **both.loc[(both["column"] == col + suffix) & (both["term"] == "DE")].iloc[0].to_dict()}
            for suffix, label in control_sets.items() for col, name in checks.items()]
    return pd.DataFrame(rows)[["check", "controls", "coef", "se", "t", "p", "n"]]


def listed_checks(frame: pd.DataFrame) -> str:
    """The checks in ``frame`` as text, e.g.
    '(2) without municipalities with gov + edu (0.6320, t = 2.30)'; "none" for no row."""
    return "; ".join(f"{r.check} with {r.controls} ({r.coef:.4f}, t = {r.t:.2f})"
                     for r in frame.itertuples()) or "none"


def robustness_verdict(summary: pd.DataFrame, paper: pd.DataFrame, checks: Mapping[str, str],
                       controls: Sequence[str], core_controls: Sequence[str],
                       short: Sequence[str]) -> dict[str, object]:
    """Whether the paper's robustness claim holds in :func:`de_summary_table` ``summary``: counts and
    lists of significant checks, sign changes with the control set and what they come from."""
    pos_sig = summary[(summary["coef"] > 0) & (summary["p"] < 0.05)]
    neg_sig = summary[(summary["coef"] < 0) & (summary["p"] < 0.05)]
    signs = summary.pivot(index="check", columns="controls", values="coef").gt(0)
    flips = [c for c in checks.values() if signs.loc[c].nunique() > 1]
    n_pos = int((summary["coef"] > 0).sum())
    p4_de = paper[paper["table"] == 4].set_index(["column", "term"]).xs("DE", level="term")
    n_paper_sig, n_paper_cols = int(((p4_de["coef"] > 0) & (p4_de["stars"] >= 2)).sum()), len(p4_de)
    n_insig, n_neg = int((summary["p"] >= 0.05).sum()), int((summary["coef"] < 0).sum())
    if len(pos_sig) == len(summary):
        shows = "What the checks show, then, is a robust positive effect"
    elif len(neg_sig) == len(summary):
        shows = "What the checks show, then, is a robust negative effect, the opposite of the paper's"
    else:
        shows = (f"What the checks show, then, is not a robust effect in either direction: "
                 f"{count_of(n_insig, len(summary), 'estimate')} {plural(max(n_insig, 1))} "
                 f"not significant at 5%, {number_word(n_neg)} {plural(n_neg)} negative, "
                 "and the sign changes with the control set in "
                 + (f"{count_of(len(flips), len(checks), 'check')}" if flips else "none of the checks"))
    extra = [c for c in controls if c not in core_controls]
    short_extra = [c for c in extra if c in short]
    n_by_set = summary.pivot(index="check", columns="controls", values="n")
    sample_moves = [c for c in checks.values() if n_by_set.loc[c].nunique() > 1]
    if flips:
        note = f"Where the sign changes, the two control sets differ by {listing(extra)}"
        moved = [c for c in flips if c in sample_moves]
        if short_extra and moved:
            where = "that check" if len(moved) == 1 else "those checks"
            if short_extra == extra:
                note += f", which {plural(len(extra))} short, so in {where} the sample changes too"
            else:
                note += (f"; of these, {listing(short_extra)} {plural(len(short_extra))} short, "
                         f"so in {where} the sample changes too")
    else:
        note = f"The sign of no check depends on whether {listing(extra)} enter"
    return {
        "t4_n_specs": len(summary), "t4_n_pos": n_pos,
        "t4_pos_count": (f"{count_of(n_pos, len(summary), 'estimate').replace(' of the ', ' of our ')} "
                         f"{plural(max(n_pos, 1))} positive at all"),
        "t4_n_checks": len(checks), "t4_n_pos_sig": len(pos_sig), "t4_n_neg_sig": len(neg_sig),
        "t4_pos_sig": listed_checks(pos_sig), "t4_neg_sig": listed_checks(neg_sig),
        "t4_n_flips": len(flips), "t4_flips": ", ".join(flips) or "none",
        "t4_paper_n_sig": (f"all {number_word(n_paper_cols)} of its columns" if n_paper_sig == n_paper_cols
                           else f"{'none' if n_paper_sig == 0 else number_word(n_paper_sig)} of its "
                           f"{number_word(n_paper_cols)} columns"),
        "t4_verdict": "holds" if len(pos_sig) == len(summary) else "does not hold",
        "t4_shows": shows, "t4_flip_note": note,
    }


def robustness_differences(described: Mapping[str, str], short_extra: Sequence[str], cut: bool) -> str:
    """The baseline's differences as they carry over to Table 4; ``cut`` if the ``short_extra``
    controls cost rows beyond the core controls."""
    return (f"our DE index (the {described['DE']}), an outcome on the location-quotient scale, "
            f"{described['gdp_vintage']} GDP, and proxies for hum and open"
            + (f"; the short {listing(short_extra)} {plural(len(short_extra), 'cuts', 'cut')} the sample"
               if cut and short_extra else ""))


# ---------------------------------------------------------------------------------------------
# Chapter 05: mechanism (Table 5)


def effects_phrases(med: Mediation, effects: pd.DataFrame) -> dict[str, object]:
    """The estimates of a mediation, its identity gap and Sobel test (``t5_*`` keys); ``effects`` is
    ``med.effects()``."""
    _, z_ab, p_ab = med.sobel()
    p = effects.set_index("effect")["p"]
    return {
        "t5_c": med.c, "t5_a": med.a, "t5_b": med.b, "t5_cp": med.c_prime, "t5_ab": med.indirect,
        "t5_gap": abs(med.identity_gap), "t5_sobel_z": z_ab, "t5_sobel_p_text": p_text(p_ab),
        "t5_p_c": float(p["total (c)"]), "t5_p_a": float(p["a"]), "t5_p_b": float(p["b"]),
    }


def name_of_test(test: str) -> str:
    """'joint significance min(t_a, t_b)' -> 'the joint-significance test', for prose."""
    name = test.split(" min(")[0].split(" from ")[0]
    return "the " + name.replace("joint significance", "joint-significance") + " test"


def h2_phrases(h2: pd.DataFrame, boot: Bootstrap) -> dict[str, object]:
    """The verdict on H2 from :func:`helpers.mediation.h2_tests`: how many of our tests reject, and
    which tests the paper's printed numbers pass under which reference."""
    ours = h2[h2["source"] == "ours"]
    n_reject = int((ours["p_value"] < 0.05).sum())
    paper_h2 = h2[h2["source"] == "paper"]
    # the paper's rows are tests under one or more references: count tests, and say where a test has several
    by_test = paper_h2.assign(rejects=paper_h2["p_value"] < 0.05).groupby("test", sort=False)
    paper_tests = pd.DataFrame({"refs": by_test.size(), "rejects": by_test["rejects"].sum()})
    n_pass = int((paper_tests["rejects"] == paper_tests["refs"]).sum())
    multi = paper_tests[paper_tests["refs"] > 1]
    multi_text = "; ".join(f"{name_of_test(t)} under {count_of(int(r.rejects), int(r.refs), 'reference')}"
                           for t, r in multi.iterrows())

    def under(test: str) -> str:  # "under both the normal and the t(29) reference"
        refs = [f"the {r}" for r in paper_h2.loc[paper_h2["test"] == test, "reference"]]
        both = len(refs) == 2
        return f"under {'both ' if both else ''}{listing(refs)} reference{'' if both else 's'}"

    return {
        "t5_n_h2_ours": number_word(len(ours)),
        "t5_h2_reject": ("none rejects" if n_reject == 0 else
                         f"{'both' if len(ours) == 2 else 'all'} reject" if n_reject == len(ours) else
                         f"{number_word(n_reject)} {plural(n_reject, 'rejects', 'reject')}"),
        "t5_h2_p_min_text": p_text(float(ours["p_value"].min())),
        "t5_boot_p_text": p_text(boot.p_one_sided),
        "t5_h2_verdict": "do not support" if (ours["p_value"] >= 0.05).all() else "support",
        "t5_paper_h2": (f"pass {count_of(n_pass, len(paper_tests), 'test')} they allow"
                        + (f" ({multi_text})" if len(multi) else "")),
        "t5_n_tests_ours": number_word(len(ours)),
        "t5_n_tests_paper": number_word(len(paper_tests)),
        "t5_paper_refs": (f" ({listing([name_of_test(t) for t in paper_tests.index])})"
                          + ("" if multi.empty else "; the table shows "
                             + "; ".join(f"{name_of_test(t)} {under(t)}" for t in multi.index)
                             + ", because the paper does not say which reference it uses")),
    }


def causal_steps_phrases(med: Mediation, steps: pd.DataFrame, paper_steps: pd.DataFrame,
                         paper: pd.DataFrame) -> dict[str, object]:
    """The causal-steps verdicts for our data (``steps``) and for the paper's printed Tables 3 and 5
    (``paper_steps``), with the paper's t of each step."""
    p5 = paper[paper["table"] == 5].set_index(["column", "term"])
    p3 = paper[paper["table"] == 3].set_index(["column", "term"])
    detail = "; ".join(f"{'c' if r.effect == 'total (c)' else r.effect} = {r.estimate:.4f} "
                       f"(t = {r.t:.2f}, {p_text(r.p_one_sided)})" for r in steps.itertuples())
    return {
        "t5_paper_t_c": float(p3.loc[(6, "DE"), "t"]), "t5_paper_t_a": float(p5.loc[(1, "DE"), "t"]),
        "t5_paper_t_b": float(p5.loc[(2, "TI"), "t"]),
        "t5_bk_outcome": steps_outcome(steps, med.c, med.c_prime), "t5_bk_detail": detail,
        "t5_paper_bk": steps_outcome(paper_steps, float(p3.loc[(6, "DE"), "coef"]),
                                     float(p5.loc[(2, "DE"), "coef"])),
    }


def _short_cut(panel: pd.DataFrame, controls: Sequence[str]) -> str:
    """'control hum cuts the sample' / 'controls hum and pgdp cut the sample' for the short ``controls``."""
    short = [c for c in controls if panel[c].isna().any()]
    return (f"{plural(len(short), 'control', 'controls')} {listing(short)} "
            f"{plural(len(short), 'cuts', 'cut')} the sample")


def core_mediation_phrases(panel: pd.DataFrame, med: Mediation, med_core: Mediation, boot_core: Bootstrap,
                           controls: Sequence[str], core_controls: Sequence[str]) -> dict[str, object]:
    """The mediation with only the controls observed everywhere (``med_core``) beside the full one
    (``med``): samples, identity and bootstrap (``t5_core_*`` keys)."""
    lacking = [v for v in ("IC", "DE", "TI", *core_controls) if panel[v].isna().any()]
    cut = med.nobs < med_core.nobs  # do the short controls cost rows beyond IC, DE, TI and the core ones?
    enter = (f"all {len(panel)} province-years enter." if med_core.nobs == len(panel) else
             f"{med_core.nobs} of the {len(panel)} province-years enter; "
             f"the others lack {listing(lacking)}.")
    intro = ((f"The short {_short_cut(panel, controls)} of the full model to {med.nobs} rows. " if cut
              else "The full model's controls cost no rows here. ")
             + f"With only {listing(core_controls)} as controls, " + enter)
    gap = abs(med_core.identity_gap)
    return {
        "t5_core_n": med_core.nobs, "t5_core_intro": intro,
        "t5_core_identity": (f"the identity gap is {gap:.1e}, so the identity holds here too" if gap < 1e-8
                             else f"the identity gap is {gap:.4f}, so the identity fails"),
        "t5_core_boot_p_text": p_text(boot_core.p_one_sided), "t5_core_ab": med_core.indirect,
        "t5_core_boot_p": boot_core.p_one_sided, "t5_core_ci_lo": boot_core.ci[0],
        "t5_core_ci_hi": boot_core.ci[1],
    }


def mechanism_proxies(panel: pd.DataFrame, controls: Sequence[str], cut: bool) -> str:
    """The proxies of the mechanism chapter, and whether the short ``controls`` cut its sample (``cut``)."""
    return "hum and open are proxies" + (f"; the short {_short_cut(panel, controls)}" if cut else "")
