"""Ours beside the paper: one comparison layout for coefficients and for Table 2."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data.panel import FORK_CHOICES, MODEL_VARS, build_panel
from helpers.paper.reported import reported_coefficients, star_count
from helpers.paths import RAW

#: relative tolerances of the Table 2 verdicts "match" and "close"
MATCH_TOL = 0.05


CLOSE_TOL = 0.25


TABLE2_STATS = ("n", "mean", "sd", "min", "max")


def verdict(ours: float, paper: float, count: bool = False) -> str:
    """Comparison label relative to the paper's value.

    Statistics: 'match' within :data:`MATCH_TOL`, 'close' within :data:`CLOSE_TOL`, else 'differs'.
    Counts (``count=True``): 'match' only when equal, else 'fewer' or 'more' (a count is not "close").
    """
    if pd.isna(ours) or pd.isna(paper):
        return "n/a"
    if count:
        return "match" if ours == paper else "fewer" if ours < paper else "more"
    rel = abs(ours - paper) / abs(paper) if paper != 0 else abs(ours - paper)
    return "match" if rel <= MATCH_TOL else "close" if rel <= CLOSE_TOL else "differs"


def table2_vs_paper(ours: pd.DataFrame, paper: pd.DataFrame) -> pd.DataFrame:
    """Long comparison: variable, statistic, ours, paper, difference (ours - paper), ratio, verdict."""
    rows = []
    p = paper.set_index("variable")
    o = ours.set_index("variable")
    for v in MODEL_VARS:
        for s in TABLE2_STATS:
            a, b = float(o.loc[v, s]), float(p.loc[v, s]) if v in p.index else np.nan
            rows.append(
                {
                    "variable": v,
                    "statistic": s,
                    "ours": a,
                    "paper": b,
                    "difference": a - b,
                    "ratio": a / b if b else np.nan,
                    "verdict": verdict(a, b, count=s == "n"),
                }
            )
    return pd.DataFrame(rows)


def verdict_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """Verdicts of :func:`table2_vs_paper`: variables (rows) by statistic (columns n, mean, sd, min, max)."""
    wide = cmp.pivot(index="variable", columns="statistic", values="verdict")
    return wide.reindex(index=[v for v in MODEL_VARS if v in wide.index], columns=list(TABLE2_STATS))


def ti_fit(paper: pd.DataFrame, raw: Path = RAW) -> pd.DataFrame:
    """Which TI fork resembles the paper's Table 2 TI.

    Per candidate: n, mean, min and max, each as the ratio ours / paper (``ratio_*``), and the sum of
    the absolute log ratios (``log_distance``; 0 would be a perfect fit).
    """
    p = paper.set_index("variable").loc["TI"]
    rows = []
    for choice in FORK_CHOICES["ti"]:
        t = build_panel(raw, ti=choice)["TI"]
        stats = {"mean": t.mean(), "min": t.min(), "max": t.max()}
        rows.append(
            {
                "ti": choice,
                "n": int(t.notna().sum()),
                **stats,
                **{f"ratio_{s}": float(stats[s] / p[s]) for s in stats},
                "log_distance": float(sum(abs(np.log(stats[s] / p[s])) for s in stats)),
            }
        )
    return pd.DataFrame(rows)


COMPARISON_COLUMNS = ["column", "term", "ours", "paper", "difference", "sign_agrees",
                      "significance_agrees", "ours_t", "paper_t", "ours_n", "paper_n", "ours_stars",
                      "paper_stars"]


def compare_with_paper(ours: pd.DataFrame, table: int,
                       column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Our long results beside the paper's Table ``table``, one row per (our column, paper term).

    ``ours`` has the :data:`LONG_COLUMNS`; ``column_map`` maps our column ids to the paper's (default:
    the same id), so two readings of one paper column can both be compared with it. Terms the paper
    reports but we could not estimate (a missing control) keep NaN in ``ours`` and NA verdicts;
    terms only we report (controls the paper hides) are left out. Significance agrees when the star
    counts ``ours_stars`` and ``paper_stars`` are equal (ours from our p, the paper's as printed).
    """
    paper = reported_coefficients()
    paper = paper[paper["table"] == table].copy()
    if paper.empty:
        raise ValueError(f"compare_with_paper: data/paper/reported_coefficients.csv has no table {table}")
    paper["column"] = paper["column"].astype(str)
    column_map = dict(column_map or {c: c for c in ours["column"].astype(str).unique()})
    rows = []
    for our_col, paper_col in column_map.items():
        mine = ours[ours["column"].astype(str) == str(our_col)].set_index("term")
        for _, pr in paper[paper["column"] == str(paper_col)].iterrows():
            have = pr.term in mine.index
            o = mine.loc[pr.term] if have else None
            coef = float(o.coef) if have else np.nan
            rows.append({
                "column": str(our_col), "term": pr.term, "ours": coef, "paper": float(pr.coef),
                "difference": coef - float(pr.coef),
                "sign_agrees": bool(np.sign(coef) == np.sign(pr.coef)) if have else pd.NA,
                "significance_agrees": bool(star_count(float(o.p)) == int(pr.stars)) if have else pd.NA,
                "ours_t": float(o.t) if have else np.nan, "paper_t": float(pr.t),
                "ours_n": int(o.n) if have else pd.NA, "paper_n": int(pr.n),
                "ours_stars": star_count(float(o.p)) if have else pd.NA, "paper_stars": int(pr.stars),
            })
    out = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    for col in ("sign_agrees", "significance_agrees"):
        out[col] = out[col].astype("boolean")
    for col in ("ours_n", "ours_stars"):
        out[col] = out[col].astype("Int64")
    return out
