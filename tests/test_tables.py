"""Formatter stars at the boundaries, table layout, long results and the comparison layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_models import make_panel

from helpers.models import fit_twfe
from helpers.tables import (
    COMPARISON_COLUMNS,
    LONG_COLUMNS,
    compare_with_paper,
    long_results,
    regression_table,
    stars,
)


@pytest.fixture
def panel() -> pd.DataFrame:
    """The seeded synthetic panel (330 rows)."""
    return make_panel()


@pytest.mark.parametrize(("p", "expected"), [
    (0.0, "***"), (0.0099999, "***"), (0.01, "**"), (0.049999, "**"), (0.05, "*"),
    (0.0999, "*"), (0.10, ""), (0.5, ""), (np.nan, ""),
])
def test_star_boundaries(p, expected):
    assert stars(p) == expected


def test_regression_table_layout(panel):
    fits = {"(1)": fit_twfe(panel, "IC", ["DE"]), "(2)": fit_twfe(panel, "IC", ["DE", "gov"])}
    tab = regression_table(fits)
    assert list(tab.columns) == ["(1)", "(2)"]
    assert list(tab.index[:6]) == ["DE", "", "gov", "", "Constant", ""]
    assert tab.loc["Observations", "(1)"] == "330"
    assert tab.loc["Province FE", "(2)"] == "Yes" and tab.loc["Year FE", "(1)"] == "Yes"
    assert tab.iloc[2, 0] == ""  # gov absent from column 1
    assert tab.iloc[1, 1].startswith("(") and tab.iloc[1, 1].endswith(")")
    res = fits["(2)"]
    assert tab.iloc[0, 1].startswith(f"{res.params['DE']:.4f}")


def test_long_results_columns(panel):
    fits = {"1": fit_twfe(panel, "IC", ["DE"])}
    out = long_results(fits)
    assert list(out.columns) == LONG_COLUMNS
    assert set(out["term"]) == {"DE", "const"}


def test_comparison_layout_and_missing_terms(panel):
    ours = long_results({"2": fit_twfe(panel, "IC", ["DE"])})  # paper's column 2 also has gov
    cmp = compare_with_paper(ours, 3)
    assert list(cmp.columns) == COMPARISON_COLUMNS
    assert list(cmp["term"]) == ["DE", "gov", "const"]
    gov = cmp.set_index("term").loc["gov"]
    assert np.isnan(gov["ours"]) and pd.isna(gov["sign_agrees"])
    de = cmp.set_index("term").loc["DE"]
    assert de["difference"] == pytest.approx(de["ours"] - 0.3215)


def test_comparison_column_map(panel):
    ours = long_results({"1a": fit_twfe(panel, "IC", ["DE"]), "1b": fit_twfe(panel, "IC", ["DE", "gov"])})
    cmp = compare_with_paper(ours, 4, column_map={"1a": "1", "1b": "1"})
    assert list(cmp["column"]) == ["1a", "1a", "1b", "1b"]
    assert (cmp["paper_n"] == 330).all()
