"""Coefficient plots: our estimate with its 95% interval beside the paper's point estimate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from linearmodels.panel.results import PanelResults

from helpers.models import t_reference
from helpers.paper import reported_coefficients


def coefficient_plot(fits: Mapping[str, PanelResults], table: int, terms: Sequence[str] = ("DE",), *,
                     column_map: Mapping[str, str] | None = None,
                     paper_terms: Mapping[tuple[str, str], str | None] | None = None,
                     title: str | None = None, level: float = 0.95) -> plt.Figure:
    """One row per (our column, term): our estimate and ``level`` interval (t(G-1)), paper marker.

    ``column_map`` maps our column ids to the paper's (default: same id); a paper marker is drawn
    only where the paper reports that term in that column. ``paper_terms`` maps (our column, our
    term) to the paper's term when the names differ, or to None for no marker: Table 4's column 1,
    whose printed "DE" is read as lagged DE, is ``{("1", "L_DE"): "DE", ("1b", "DE"): None}``.
    """
    paper = reported_coefficients()
    paper = paper[paper["table"] == table].assign(column=lambda d: d["column"].astype(str))
    column_map = dict(column_map or {c: c for c in fits})
    paper_terms = dict(paper_terms or {})
    rows = []
    for col, res in fits.items():
        crit = t_reference(res).ppf(0.5 + level / 2)
        for term in terms:
            if term not in res.params.index:
                continue
            est, se = float(res.params[term]), float(res.std_errors[term])
            their = paper_terms.get((col, term), term)
            hit = paper[(paper["column"] == str(column_map.get(col, col))) & (paper["term"] == their)]
            rows.append({"label": f"({col}) {term}", "est": est, "lo": est - crit * se, "hi": est + crit * se,
                         "paper": float(hit["coef"].iloc[0]) if len(hit) else np.nan})
    frame = pd.DataFrame(rows)
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(frame) + 1.2))
    ypos = np.arange(len(frame))[::-1]
    ax.errorbar(frame["est"], ypos, xerr=[frame["est"] - frame["lo"], frame["hi"] - frame["est"]],
                fmt="o", color="C0", capsize=3, label=f"ours, {level:.0%} CI (t(G-1))")
    ax.scatter(frame["paper"], ypos, marker="D", color="C3", zorder=3, label="paper (point estimate)")
    ax.axvline(0, color="grey", lw=0.8, ls="--")
    ax.set_yticks(ypos, frame["label"])
    ax.set_xlabel("coefficient")
    ax.set_title(title or f"Table {table}: ours vs the paper")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def bootstrap_histogram(draws: np.ndarray, point: float, ci: tuple[float, float], *,
                        label: str = "a*b") -> plt.Figure:
    """Histogram of bootstrap draws with the point estimate, the percentile interval and zero.

    Only our own estimates are drawn: a published point estimate would sit on another scale
    whenever the paper's variables are not ours (the paper never defines its TI, for instance).
    """
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.hist(draws, bins=40, color="C0", alpha=0.6)
    ax.axvline(point, color="C0", lw=2, label=f"ours {label}")
    for i, edge in enumerate(ci):
        ax.axvline(edge, color="C0", ls=":", lw=1.5, label="percentile interval" if i == 0 else None)
    ax.axvline(0, color="grey", ls="--", lw=0.8)
    ax.set_xlabel(label)
    ax.set_ylabel("bootstrap draws")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig
