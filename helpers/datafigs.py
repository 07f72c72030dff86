"""Figures of the data chapter: the coverage heat map and the province small multiples.

All labels are English (variable, indicator and province names): no CJK glyphs, which many fonts lack.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image

from helpers.results import save_figure


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
    """One small panel per province (alphabetical), each variable a line over the years, shared axes."""
    names = sorted(panel["province"].unique())
    nrows = int(np.ceil(len(names) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.0 * ncols, 1.55 * nrows), sharex=True, sharey=True)
    styles = ["-", "--", ":", "-."]
    for ax, name in zip(axes.flat, names, strict=False):
        d = panel[panel["province"] == name].sort_values("year")
        for k, v in enumerate(variables):
            ax.plot(d["year"], d[v], styles[k % 4], lw=1.3, label=v)
        ax.set_title(name, fontsize=8, pad=2)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="upper center", ncol=len(variables), frameon=False, bbox_to_anchor=(0.5, 1.01)
    )
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig
