"""Coefficient plots: the paper's marker sits on the row the book pairs it with, and nowhere else."""

import numpy as np
from test_models import make_panel

from helpers.book.figures import coefficient_plot
from helpers.estimate.models import add_lag, fit_twfe
from helpers.paper.reported import reported_coefficients


def _paper_markers(fig):
    ax = fig.axes[0]
    scatter = next(c for c in ax.collections if c.get_label() == "paper (point estimate)")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = list(ax.get_yticks())
    offsets = scatter.get_offsets()  # a masked array: NaN markers (no paper value) are masked
    data, hidden = np.ma.getdata(offsets), np.ma.getmaskarray(offsets).any(axis=1)
    return {labels[ticks.index(y)]: x for (x, y), off in zip(data, hidden, strict=True)
            if not off and not np.isnan(x)}


def test_paper_marker_follows_paper_terms():
    panel = add_lag(add_lag(make_panel(), "DE", name="L_DE"), "IC", name="L_IC")
    fits = {"1": fit_twfe(panel, "IC", ["L_DE"]), "1b": fit_twfe(panel, "IC", ["L_IC", "DE"])}
    paper_de = reported_coefficients().query("table == 4 and column == 1 and term == 'DE'")["coef"].item()
    fig = coefficient_plot(fits, 4, ["L_DE", "DE"], column_map={"1": "1", "1b": "1"},
                           paper_terms={("1", "L_DE"): "DE", ("1b", "DE"): None})
    assert _paper_markers(fig) == {"(1) DE (t-1)": paper_de}  # the row is labelled as the header reads it
    default = coefficient_plot(fits, 4, ["L_DE", "DE"], column_map={"1": "1", "1b": "1"})
    assert _paper_markers(default) == {"(1b) DE": paper_de}  # without the mapping, names are matched
