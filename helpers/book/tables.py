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

import pandas as pd
from linearmodels.panel.results import PanelResults

from helpers.book.output import write_table
from helpers.estimate.models import CONST, tidy
from helpers.paper.reported import stars

LONG_COLUMNS = ["column", "term", "coef", "se", "t", "p", "n"]














def term_label(term: str) -> str:
    """Display name of a term: the constant is 'Constant', as in the paper; a lag ``L_DE`` is 'DE (t-1)'."""
    if term == CONST:
        return "Constant"
    return f"{term[2:]} (t-1)" if term.startswith("L_") else term


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






def write_comparison(comparison: pd.DataFrame, name: str) -> Path:
    """Write a :func:`compare_with_paper` frame to ``book/results/<name>.csv``."""
    return write_table(comparison, name)


#: display names of the comparison columns; the first six are always shown
DISPLAY_COMPARISON = {"term": "term", "ours": "ours", "paper": "paper", "difference": "difference",
                      "sign_agrees": "sign agrees", "significance_agrees": "significance agrees",
                      "ours_t": "ours t", "paper_t": "paper t", "ours_n": "ours N", "paper_n": "paper N"}


def display_comparison(comparison: pd.DataFrame, digits: int = 4, *,
                       extra: Sequence[str] = ("ours_t", "paper_t")) -> pd.DataFrame:
    """The comparison for a notebook cell: indexed by our column, rounded, verdicts 'yes'/'no'/'n/a'.

    Always shows term, ours and paper (each with its stars, so that "significance agrees" can be
    read off the row), difference and the two verdicts; ``extra`` adds any of
    ``ours_t, paper_t, ours_n, paper_n``. Headers use spaces so that they wrap in narrow pages; the
    CSV written by :func:`write_comparison` keeps every column under its original name.
    """
    unknown = [c for c in extra if c not in ("ours_t", "paper_t", "ours_n", "paper_n")]
    if unknown:
        raise ValueError(f"display_comparison: unknown extra column(s) {unknown}")
    out = comparison.copy()
    # fixed decimals as text: the book's float format would pad t to four decimals and switch small
    # differences to e-notation
    decimals = {"ours": digits, "paper": digits, "difference": digits, "ours_t": 2, "paper_t": 2}
    for col, dec in decimals.items():
        out[col] = [f"{x:.{dec}f}" if pd.notna(x) else "" for x in out[col]]
    for col in ("ours", "paper"):
        out[col] = [f"{x}{'*' * int(n)}" if x and pd.notna(n) else x
                    for x, n in zip(out[col], out[f"{col}_stars"], strict=True)]
    for col in ("ours_n", "paper_n"):
        out[col] = [str(int(x)) if pd.notna(x) else "" for x in out[col]]
    for col in ("sign_agrees", "significance_agrees"):
        out[col] = out[col].map({True: "yes", False: "no"}).fillna("n/a")
    out["term"] = out["term"].map(term_label)
    keep = ["term", "ours", "paper", "difference", "sign_agrees", "significance_agrees", *extra]
    return out.set_index(pd.Index(out["column"], name="column"))[keep].rename(columns=DISPLAY_COMPARISON)


#: display names of the hypothesis-test columns (see :func:`helpers.mediation.h1_tests`)
DISPLAY_TESTS = {"test": "test", "statistic": "statistic", "reference": "reference", "p_value": "p value",
                 "verdict_5pct": "verdict at 5%"}


def display_tests(tests: pd.DataFrame) -> pd.DataFrame:
    """A hypothesis-test frame for a notebook cell: indexed by source, without the columns that
    repeat (hypothesis, null, alternative, which the chapter states in prose) and the verdict visible.
    """
    missing = [c for c in ("source", *DISPLAY_TESTS) if c not in tests.columns]
    if missing:
        raise ValueError(f"display_tests: column(s) {missing} not in the test frame")
    out = tests.set_index(pd.Index(tests["source"], name="source"))[list(DISPLAY_TESTS)].copy()
    # the table and column tested are stated in the chapter; the long label only widens the table
    out["test"] = out["test"].str.replace(r", table \d+ column \d+$", "", regex=True)
    out["statistic"] = [f"{x:.3f}" for x in out["statistic"]]
    out["p_value"] = [f"{x:.4f}" if x >= 1e-4 else "< 0.0001" for x in out["p_value"]]
    return out.rename(columns=DISPLAY_TESTS)


def coverage_table(data: pd.DataFrame, cols: Sequence[str], *, time: str = "year") -> pd.DataFrame:
    """Per variable: rows with a value, rows in total, and the periods with at least one value.

    ``periods`` reads as text that can sit inside parentheses in prose: "2013-2021", or
    "2011-2021 except 2015" when a period inside the span has no value.
    """
    rows = []
    for col in cols:
        have = data[col].notna() if col in data.columns else pd.Series(False, index=data.index)
        periods = sorted(data.loc[have, time].unique())
        span = f"{periods[0]}-{periods[-1]}" if periods else "none"
        gaps = sorted(set(range(periods[0], periods[-1] + 1)) - set(periods)) if periods else []
        rows.append({"variable": col, "non_missing": int(have.sum()), "rows": len(data),
                     "periods": span + (f" except {', '.join(str(g) for g in gaps)}" if gaps else "")})
    return pd.DataFrame(rows)






FORK_COLUMNS = ["choice", "column", "controls", "coef", "se", "t", "p", "n"]


def fork_comparison(mv: pd.DataFrame, columns: Mapping[int, str],
                    defaults: Mapping[str, object] | None = None) -> pd.DataFrame:
    """The rows of a :func:`helpers.sensitivity.multiverse` frame for some control sets, named by the
    data choice that differs from the defaults.

    ``columns`` maps a number of controls to a column name (e.g. ``{0: "1", 5: "6"}``).
    ``choice`` is ``"defaults"`` or ``"fork = value"`` for each fork
    that differs from ``defaults`` (the forks ``panel.csv`` was built with unless given). Columns:
    :data:`FORK_COLUMNS`, with ``t = coef / se``.
    """
    from helpers.data.panel import current_forks

    defaults = dict(current_forks() if defaults is None else defaults)
    forks = [f for f in defaults if f in mv.columns]
    rows = mv[mv["n_controls"].isin(list(columns))]
    if rows.empty:
        raise ValueError(f"fork_comparison: the multiverse has no rows with "
                         f"{sorted(columns)} controls")

    def choice(r: pd.Series) -> str:
        changed = [f"{f} = {r[f]}" for f in forks if r[f] not in ("n/a", defaults[f])]
        return ", ".join(changed) or "defaults"

    return pd.DataFrame({
        "choice": rows.apply(choice, axis=1), "column": rows["n_controls"].map(columns),
        "controls": rows["controls"], "coef": rows["coef"], "se": rows["se"], "t": rows["coef"] / rows["se"],
        "p": rows["p"], "n": rows["n"].astype(int),
    })[FORK_COLUMNS].reset_index(drop=True)




def display_estimates(long: pd.DataFrame, rows: str = "choice", columns: str = "column", *,
                      index_name: str = "data choice", header: str = "column {}") -> pd.DataFrame:
    """A long frame of estimates (``coef, t, p, n`` and the keys ``rows``, ``columns``) as one display
    row per value of ``rows`` and, per value of ``columns`` (headed ``header.format(value)``), the
    coefficient with the paper's stars, t in parentheses and N; blank where a pair has no estimate.
    Rows and column groups keep their order of first appearance.
    """
    missing = [c for c in (rows, columns, "coef", "t", "p", "n") if c not in long.columns]
    if missing:
        raise ValueError(f"display_estimates: column(s) {missing} not in the frame")
    cells = long.assign(
        coef=[f"{c:.3f}{stars(p)}" for c, p in zip(long["coef"], long["p"], strict=True)],
        t=[f"({t:.2f})" for t in long["t"]], n=long["n"].astype(int).astype(str))
    wide = cells.pivot(index=rows, columns=columns, values=["coef", "t", "n"])
    wide = wide.reindex(index=list(dict.fromkeys(long[rows])),
                        columns=[(k, c) for c in dict.fromkeys(long[columns]) for k in ("coef", "t", "n")])
    wide.columns = pd.MultiIndex.from_tuples(
        [(header.format(c), "N" if k == "n" else k) for k, c in wide.columns])
    wide.index.name = index_name
    return wide.fillna("")


def display_fork_comparison(forks: pd.DataFrame) -> pd.DataFrame:
    """:func:`fork_comparison` for a notebook cell (see :func:`display_estimates`)."""
    return display_estimates(forks)


def display_numbers(frame: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """``frame`` with its float columns as text for a notebook cell: ``digits`` decimals, e-notation
    for magnitudes below ``10**-digits`` (e.g. a zero identity gap of 1e-16), blank for NaN."""
    out = frame.copy()

    def fmt(x: float) -> str:
        if pd.isna(x):
            return ""
        return f"{x:.2e}" if x != 0 and abs(x) < 10.0**-digits else f"{x:.{digits}f}"

    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [fmt(x) for x in out[col]]
    return out






