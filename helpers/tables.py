"""One look for every regression table, one layout for every comparison with the paper.

* :func:`regression_table` formats fitted models like the paper: coefficient with stars, t in
  parentheses on the row below, fixed-effects rows, N and R-squared within.
* :func:`long_results` / :func:`write_results` give our numbers in long form
  (``column, term, coef, se, t, p, n``) for ``book/results/tableN.csv``.
* :func:`compare_with_paper` / :func:`write_comparison` put ours beside the paper's
  (``data/paper/reported_coefficients.csv``) with the difference and two verdicts.

Stars follow the paper's legend: * p < 0.10, ** p < 0.05, *** p < 0.01 (two-sided; our p uses the
t(G-1) reference of :func:`helpers.models.tidy`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from linearmodels.panel.results import PanelResults

from helpers.models import CONST, tidy
from helpers.paper import reported_coefficients
from helpers.results import write_table

LONG_COLUMNS = ["column", "term", "coef", "se", "t", "p", "n"]
COMPARISON_COLUMNS = ["column", "term", "ours", "paper", "difference", "sign_agrees",
                      "significance_agrees", "ours_t", "paper_t", "ours_n", "paper_n"]
THRESHOLDS = ((0.01, 3), (0.05, 2), (0.10, 1))


def star_count(p: float) -> int:
    """Number of stars for a two-sided p-value: 3 if p < .01, 2 if p < .05, 1 if p < .10, else 0."""
    if p is None or not np.isfinite(p):
        return 0
    for cut, n in THRESHOLDS:
        if p < cut:
            return n
    return 0


def stars(p: float) -> str:
    """The star string for a p-value (boundaries are strict: p = 0.05 earns one star, not two)."""
    return "*" * star_count(p)


def term_label(term: str) -> str:
    """Display name of a term (the constant is 'Constant', as in the paper)."""
    return "Constant" if term == CONST else term


def regression_table(fits: Mapping[str, PanelResults], terms: Sequence[str] | None = None, *,
                     digits: int = 4, notes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Format fitted models as one display table, one column per fit (keys are the column headers).

    Rows: each term (coefficient with stars) followed by its t-statistic in parentheses, then the
    fixed-effects rows, observations, clusters and R-squared within (the overall R-squared, on a
    row of its own, for fits without entity effects). ``terms`` defaults to the union
    of the fits' regressors in order, constant last. ``notes`` adds a last row, e.g. a missing control.
    """
    if not fits:
        raise ValueError("regression_table: no fitted models given")
    if terms is None:
        seen: list[str] = []
        for res in fits.values():
            seen += [t for t in res.fit_info.regressors if t not in seen]
        terms = [*seen, CONST]
    body: dict[str, list[str]] = {}
    index: list[str] = []
    for term in terms:
        index += [term_label(term), ""]
    info0 = next(iter(fits.values())).fit_info
    index += [f"{info0.entity.capitalize()} FE", f"{info0.time.capitalize()} FE", "Observations",
              "Clusters", "R-squared within"]
    # a within R-squared means nothing without entity effects; pooled fits get the overall one
    pooled = any(not r.fit_info.entity_effects for r in fits.values())
    if pooled:
        index.append("R-squared (no entity FE)")
    if notes:
        index.append("Note")
    for header, res in fits.items():
        tab = tidy(res, [t for t in terms if t in res.params.index]).set_index("term")
        cells: list[str] = []
        for term in terms:
            if term in tab.index:
                row = tab.loc[term]
                cells += [f"{row.coef:.{digits}f}{stars(row.p)}", f"({row.t:.2f})"]
            else:
                cells += ["", ""]
        fi = res.fit_info
        cells += ["Yes" if fi.entity_effects else "No", "Yes" if fi.time_effects else "No",
                  f"{int(res.nobs)}", f"{fi.n_clusters}",
                  f"{res.rsquared_within:.4f}" if fi.entity_effects else ""]
        if pooled:
            cells.append("" if fi.entity_effects else f"{res.rsquared:.4f}")
        if notes:
            cells.append(notes.get(header, ""))
        body[header] = cells
    return pd.DataFrame(body, index=pd.Index(index, name=""))


def long_results(fits: Mapping[str, PanelResults], terms: Sequence[str] | None = None) -> pd.DataFrame:
    """Our estimates in long form with columns exactly ``column, term, coef, se, t, p, n``."""
    parts = []
    for column, res in fits.items():
        use = None if terms is None else [t for t in terms if t in res.params.index]
        parts.append(tidy(res, use).assign(column=str(column)))
    return pd.concat(parts, ignore_index=True)[LONG_COLUMNS]


def write_results(fits: Mapping[str, PanelResults], name: str,
                  terms: Sequence[str] | None = None) -> Path:
    """Write :func:`long_results` to ``book/results/<name>.csv``."""
    return write_table(long_results(fits, terms), name)


def compare_with_paper(ours: pd.DataFrame, table: int,
                       column_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Our long results beside the paper's Table ``table``, one row per (our column, paper term).

    ``ours`` has the :data:`LONG_COLUMNS`; ``column_map`` maps our column ids to the paper's (default:
    the same id), so two readings of one paper column can both be compared with it. Terms the paper
    reports but we could not estimate (a missing control) keep NaN in ``ours`` and NA verdicts;
    terms only we report (controls the paper hides) are left out. Significance agrees when the star
    counts are equal (ours from our p, the paper's as printed).
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
            })
    out = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    for col in ("sign_agrees", "significance_agrees"):
        out[col] = out[col].astype("boolean")
    out["ours_n"] = out["ours_n"].astype("Int64")
    return out


def write_comparison(comparison: pd.DataFrame, name: str) -> Path:
    """Write a :func:`compare_with_paper` frame to ``book/results/<name>.csv``."""
    return write_table(comparison, name)


def display_comparison(comparison: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """The comparison rounded and with readable verdicts ('yes'/'no'/'n/a'), for a notebook cell."""
    out = comparison.copy()
    for col in ("ours", "paper", "difference"):
        out[col] = out[col].round(digits)
    for col in ("ours_t", "paper_t"):
        out[col] = out[col].round(2)
    for col in ("sign_agrees", "significance_agrees"):
        out[col] = out[col].map({True: "yes", False: "no"}).fillna("n/a")
    out["term"] = out["term"].map(term_label)
    return out.reset_index(drop=True)


def coverage_table(data: pd.DataFrame, cols: Sequence[str], *, time: str = "year") -> pd.DataFrame:
    """Per variable: rows with a value, rows in total, and the periods with at least one value."""
    rows = []
    for col in cols:
        have = data[col].notna() if col in data.columns else pd.Series(False, index=data.index)
        periods = sorted(data.loc[have, time].unique())
        span = f"{periods[0]}-{periods[-1]}" if periods else "none"
        gaps = sorted(set(range(periods[0], periods[-1] + 1)) - set(periods)) if periods else []
        rows.append({"variable": col, "non_missing": int(have.sum()), "rows": len(data),
                     "periods": span + (f" (none in {', '.join(map(str, gaps))})" if gaps else "")})
    return pd.DataFrame(rows)


def short_note(data: pd.DataFrame, cols: Sequence[str], labels: Mapping[str, str] | None = None) -> str:
    """A one-line note naming the variables in ``cols`` that are missing for some rows, with counts."""
    labels = labels or {}
    parts = [f"{c} {int(data[c].notna().sum())}/{len(data)}" + (f" ({labels[c]})" if c in labels else "")
             for c in cols if data[c].isna().any()]
    return "; ".join(parts)
