"""Coefficient plots: our estimate with its 95% interval beside the paper's point estimate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image
from linearmodels.panel.results import PanelResults
from matplotlib.colors import to_rgba
from matplotlib.ticker import MaxNLocator

from helpers.book.output import save_figure
from helpers.book.tables import term_label
from helpers.data.panel import MULTIVERSE_CHOICES
from helpers.estimate.models import t_reference
from helpers.estimate.multiverse import MODEL_CHOICES, MULTIVERSE_FORKS
from helpers.estimate.simulations import _resid
from helpers.paper.reported import reported_coefficients


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
            rows.append({"label": f"({col}) {term_label(term)}", "est": est, "lo": est - crit * se,
                         "hi": est + crit * se,
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


def specification_curve(mv: pd.DataFrame, *, forks: Sequence[str] = MULTIVERSE_FORKS,
                        highlight: str | None = None, title: str | None = None,
                        clip_to: float = 0.995) -> plt.Figure:
    """Sorted estimates with their intervals (top) and the choices behind each (indicator panel below).

    Colours: green positive and significant, red negative and significant, grey not significant.
    ``highlight`` is a spec id drawn as a larger black circle (the book's baseline). The vertical axis
    spans the ``clip_to`` quantile of the upper interval ends (and the ``1 - clip_to`` quantile of the
    lower ones); longer intervals are cut there and counted in a note on the figure.
    """
    d = mv[mv["n"] > 0].sort_values(["coef", "spec_id"]).reset_index(drop=True)
    xpos = np.arange(len(d))
    colour = np.where(d["positive_significant"], "C2", np.where(d["negative_significant"], "C3", "0.6"))
    rows: list[tuple[str, pd.Series]] = []
    for f in forks:
        for v in MULTIVERSE_CHOICES[f]:
            rows.append((f"{f}: {v}", d[f] == v))
    for choice, values in MODEL_CHOICES.items():
        if choice in d:
            rows += [(f"{choice}: {v}", d[choice] == v) for v in values]
    for c in [c for c in d.columns if c.startswith("with_")]:
        rows.append((f"control: {c[5:]}", d[c].astype(bool)))
    rows = [(lab, m) for lab, m in rows if m.any()]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(10, 3.2 + 0.22 * len(rows)), sharex=True,
                                 gridspec_kw={"height_ratios": [3.2, 0.22 * len(rows)]})
    # thousands of marks: rasterized, so that the SVG stays small and quick to draw
    ax.vlines(xpos, d["ci_lo"], d["ci_hi"], colors=colour, lw=0.3, alpha=0.25, rasterized=True)
    ax.scatter(xpos, d["coef"], c=colour, s=2, zorder=3, linewidths=0, rasterized=True)
    ax.axhline(0, color="black", lw=0.8, ls="--")
    # a few small samples have very long intervals; the axis spans the central 99% of the interval
    # ends so that the curve stays visible, and longer ones are cut (and counted)
    lo, hi = d["ci_lo"].quantile(1 - clip_to), d["ci_hi"].quantile(clip_to)
    pad = 0.05 * (hi - lo)
    ax.set_ylim(min(lo, d["coef"].min()) - pad, max(hi, d["coef"].max()) + pad)
    n_clipped = int(((d["ci_lo"] < lo - pad) | (d["ci_hi"] > hi + pad)).sum())
    if n_clipped:
        ax.text(0.99, 0.02, f"{n_clipped} intervals clipped at the axis", transform=ax.transAxes,
                ha="right", va="bottom", fontsize="x-small")
    if highlight is not None and (d["spec_id"] == highlight).any():
        i = int(np.flatnonzero(d["spec_id"] == highlight)[0])
        ax.scatter([i], [d["coef"].iloc[i]], s=60, facecolors="none", edgecolors="black", zorder=4,
                   label="book's baseline (Table 3 col. 6)")
        ax.legend(loc="upper left", fontsize="small")
        bx.axvline(i, color="black", lw=0.6)  # the baseline's own choices, read down the lower panel
    ax.set_ylabel("DE coefficient, 95% CI")
    ax.set_title(title or "Specification curve of the DE coefficient")
    # The indicator panel is one image: a row per choice, a column per bin of neighbouring
    # specifications (at most 1,000 bins), shaded by the mean colour of the bin's specifications that
    # make the choice (white where none does). One mark per cell would be ~10^5 artists, slow to draw.
    rgba = np.array([to_rgba(c) for c in colour])
    hits = np.stack([m.to_numpy(dtype=bool) for _, m in rows])
    cells = np.where(hits[..., None], rgba[None, :, :], 1.0)
    starts = np.linspace(0, len(d), min(len(d), 1000) + 1).astype(int)[:-1]
    binned = np.add.reduceat(cells, starts, axis=1) / np.diff([*starts, len(d)])[None, :, None]
    # a white line above and below each row keeps the rows apart
    gapped = np.concatenate([np.ones_like(binned[:, None]), np.repeat(binned[:, None], 3, axis=1),
                             np.ones_like(binned[:, None])], axis=1).reshape(-1, *binned.shape[1:])
    bx.imshow(gapped, aspect="auto", interpolation="nearest",
              extent=(-0.5, len(d) - 0.5, len(rows) - 0.5, -0.5))
    bx.set_yticks(range(len(rows)), [lab for lab, _ in rows], fontsize="x-small")
    bx.set_ylim(len(rows) - 0.5, -0.5)
    bx.set_xlabel("specifications, sorted by estimate")
    bx.set_xlim(-1, len(d))
    fig.tight_layout()
    return fig


def within_variation_figure(data: pd.DataFrame, var: str = "DE", *, entity: str = "province",
                            time: str = "year") -> plt.Figure:
    """Left: ``var`` by province and year as published. Right: the same after removing province and
    year effects, on the same vertical scale: the variation that identifies the coefficient."""
    frame = data.loc[data[var].notna(), [entity, time, var]].sort_values([entity, time])
    ent = pd.get_dummies(frame[entity]).to_numpy(dtype=float)
    per = pd.get_dummies(frame[time]).to_numpy(dtype=float)[:, 1:]
    frame = frame.assign(within=_resid(frame[var].to_numpy(float), np.column_stack([ent, per])))
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for _, g in frame.groupby(entity):
        axes[0].plot(g[time], g[var], color="C0", lw=0.8, alpha=0.6)
        axes[1].plot(g[time], g["within"], color="C1", lw=0.8, alpha=0.6)
    axes[0].set_title(f"{var} as measured (30 provinces)")
    axes[1].set_title(f"{var} after province and year effects")
    axes[1].axhline(0, color="black", lw=0.6)
    for a in axes:
        a.set_xlabel(time)
    axes[0].set_ylabel(var)
    fig.tight_layout()
    return fig


def jackknife_plot(jack: pd.DataFrame, full_coef: float, *, entity: str = "province",
                   term: str = "DE") -> plt.Figure:
    """Horizontal bars: how far leaving out each entity moves the estimate (sorted), full estimate noted."""
    d = jack.sort_values("change")
    fig, ax = plt.subplots(figsize=(6.4, 0.18 * len(d) + 1.2))
    ax.barh(np.arange(len(d)), d["change"], color=np.where(d["change"] > 0, "C0", "C1"))
    ax.set_yticks(np.arange(len(d)), d[entity], fontsize="small")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(f"{term} coefficient without the {entity} minus the full estimate ({full_coef:.3f})")
    ax.set_title(f"Leave-one-{entity}-out jackknife of the {term} coefficient")
    fig.tight_layout()
    return fig


def save_and_show(fig: plt.Figure, name: str) -> Image:
    """Save ``fig`` with :func:`helpers.results.save_figure` and return the saved PNG for display.

    The chapter then shows exactly the file the book ships; the figure is closed so that an
    inline backend does not display it a second time.
    """
    png, _ = save_figure(fig, name)
    plt.close(fig)
    return Image(filename=str(png))


def coverage_heatmap(cov: pd.DataFrame, n_provinces: int = 30) -> plt.Figure:
    """Variable (rows) by year (columns) heat map of the number of provinces with a value."""
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(cov) + 1.2))
    im = ax.imshow(cov.to_numpy(), cmap="Blues", vmin=0, vmax=n_provinces, aspect="auto")
    ax.set_xticks(range(cov.shape[1]), [str(c) for c in cov.columns])
    ax.set_yticks(range(cov.shape[0]), list(cov.index))
    for (i, j), v in np.ndenumerate(cov.to_numpy()):
        ax.text(
            j,
            i,
            str(v),
            ha="center",
            va="center",
            fontsize=7,
            color="white" if v > n_provinces * 0.6 else "black",
        )
    ax.set_xlabel("year")
    fig.colorbar(im, ax=ax, label="provinces with a value", shrink=0.8)
    fig.tight_layout()
    return fig


def province_small_multiples(
    panel: pd.DataFrame, variables: Sequence[str] = ("DE", "IC"), ncols: int = 6
) -> plt.Figure:
    """One small panel per province (alphabetical), each variable a line over the years, same axes."""
    names = sorted(panel["province"].unique())
    nrows = int(np.ceil(len(names) / ncols))
    # The same limits and fixed ticks on every panel, rather than sharex/sharey: matplotlib's shared
    # axes walk all thirty siblings at every tick update, which made this figure the slowest to draw.
    years, values = panel["year"], panel[list(variables)].to_numpy(dtype=float)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    ylim = (lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
    xlim = (years.min() - 0.5, years.max() + 0.5)
    yticks = [v for v in MaxNLocator(nbins=4).tick_values(*ylim) if ylim[0] <= v <= ylim[1]]
    xticks = [v for v in MaxNLocator(nbins=3, integer=True).tick_values(years.min(), years.max())
              if xlim[0] <= v <= xlim[1]]
    # small enough that the ticks stay legible at the book's column width (about 7 inches)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.35 * ncols, 1.1 * nrows))
    styles = ["-", "--", ":", "-."]
    for ax, name in zip(axes.flat, names, strict=False):
        d = panel[panel["province"] == name].sort_values("year")
        for k, v in enumerate(variables):
            ax.plot(d["year"], d[v], styles[k % 4], lw=1.3, label=v)
        ax.set_title(name, fontsize=8, pad=2)
        ax.set(xlim=xlim, ylim=ylim, xticks=xticks, yticks=yticks)
        ax.tick_params(labelsize=7)
        ax.label_outer()  # tick labels on the left column and the bottom row only
    for k, ax in enumerate(axes.flat):
        if k >= len(names):
            ax.set_visible(False)
        elif k + ncols >= len(names):  # nothing drawn below it: it keeps its year labels
            ax.tick_params(labelbottom=True)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="upper center", ncol=len(variables), frameon=False, bbox_to_anchor=(0.5, 1.01)
    )
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


MAP_NOTE = "illustrative boundaries (Natural Earth); Tibet: not in the panel"


def choropleth(boundaries: pd.DataFrame, values: Mapping[str, pd.Series], *, ncols: int = 3,
               cmap: str = "viridis", diverging: Sequence[str] = ()) -> plt.Figure:
    """Province maps, one per entry of ``values`` (title -> Series indexed by province), drawn with plain
    matplotlib polygons from :func:`helpers.data.load_boundaries`.

    Provinces without a value (Tibet, which is not in the panel) are drawn hatched in light grey as "no
    data". Titles listed in ``diverging`` get a colour scale centred on zero (changes); the others share
    nothing, each has its own colour bar. Longitude is stretched by 1/cos(35 deg) so shapes look right
    at China's mid latitude.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.patches import Polygon

    titles = list(values)
    nrows = int(np.ceil(len(titles) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 3.0 * nrows), squeeze=False)
    for ax, title in zip(axes.flat, titles, strict=False):
        vals = values[title]
        patches, colours, empty = [], [], []
        for row in boundaries.itertuples():
            v = vals.get(row.province, np.nan)
            for ring in row.rings:
                poly = Polygon(ring, closed=True)
                if row.in_panel and np.isfinite(v):
                    patches.append(poly)
                    colours.append(v)
                else:
                    empty.append(poly)
        data = np.asarray(colours, dtype=float)
        if title in diverging:
            lim = float(np.nanmax(np.abs(data))) if np.isfinite(data).any() else 1.0
            lim = lim or 1.0
            norm = TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim)
            coll = PatchCollection(patches, cmap="RdBu_r", norm=norm, edgecolor="white", linewidth=0.3)
        else:
            coll = PatchCollection(patches, cmap=cmap, edgecolor="white", linewidth=0.3)
        coll.set_array(data)
        ax.add_collection(coll)
        ax.add_collection(PatchCollection(empty, facecolor="#eeeeee", edgecolor="#999999", hatch="///",
                                          linewidth=0.3))
        ax.set_xlim(73, 136)
        ax.set_ylim(17, 54)
        ax.set_aspect(1 / np.cos(np.deg2rad(35)))
        ax.set_axis_off()
        ax.set_title(title, fontsize=9)
        fig.colorbar(coll, ax=ax, shrink=0.7, pad=0.01)
    for ax in list(axes.flat)[len(titles):]:
        ax.set_visible(False)
    fig.text(0.5, 0.005, MAP_NOTE, ha="center", fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def peer_correlation_figure(corr: pd.DataFrame, labels: Mapping[str, str] | None = None) -> plt.Figure:
    """Within-year Spearman correlation (y) by year (x), one panel per peer index and one line per DE
    composition (the long frame of :func:`helpers.data.peer_rank_correlations`)."""
    peers = list(dict.fromkeys(corr["peer"]))
    fig, axes = plt.subplots(1, len(peers), figsize=(3.4 * len(peers), 3.0), sharey=True, squeeze=False)
    styles = ["-o", "--s", ":^"]
    for ax, peer in zip(axes.flat, peers, strict=True):
        d = corr[corr["peer"] == peer]
        for k, (comp, g) in enumerate(d.groupby("composition", sort=False)):
            ax.plot(g["year"], g["spearman"], styles[k % 3], ms=3, lw=1.2, label=comp)
        ax.set_title((labels or {}).get(peer, peer), fontsize=9)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    axes.flat[0].set_ylabel("Spearman rank correlation with our DE")
    axes.flat[0].legend(fontsize=7, title="our DE", title_fontsize=7)
    fig.tight_layout()
    return fig
