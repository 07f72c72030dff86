"""Formatter stars at the boundaries, table layout, long results and the comparison layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_models import make_panel

from helpers.book.tables import (
    FORK_COLUMNS,
    LONG_COLUMNS,
    coverage_table,
    display_comparison,
    display_estimates,
    display_fork_comparison,
    display_numbers,
    display_tests,
    fork_comparison,
    long_results,
    regression_table,
)
from helpers.estimate.models import fit_twfe
from helpers.paper.compare import COMPARISON_COLUMNS, compare_with_paper
from helpers.paper.reported import stars


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
    assert de["paper_stars"] == 3 and pd.isna(gov["ours_stars"]) and gov["paper_stars"] == 0
    assert de["significance_agrees"] == (de["ours_stars"] == de["paper_stars"])


def test_comparison_column_map(panel):
    ours = long_results({"1a": fit_twfe(panel, "IC", ["DE"]), "1b": fit_twfe(panel, "IC", ["DE", "gov"])})
    cmp = compare_with_paper(ours, 4, column_map={"1a": "1", "1b": "1"})
    assert list(cmp["column"]) == ["1a", "1a", "1b", "1b"]
    assert (cmp["paper_n"] == 330).all()


def test_display_comparison_is_narrow_and_keeps_the_verdicts(panel):
    ours = long_results({"2": fit_twfe(panel, "IC", ["DE"])})
    shown = display_comparison(compare_with_paper(ours, 3))
    assert shown.index.name == "column" and list(shown.index) == ["2", "2", "2"]
    assert list(shown.columns) == ["term", "ours", "paper", "difference", "sign agrees",
                                   "significance agrees", "ours t", "paper t"]
    gov = shown[shown["term"] == "gov"].iloc[0]
    assert gov["ours"] == "" and gov["sign agrees"] == "n/a"
    assert shown[shown["term"] == "Constant"]["paper"].iloc[0] == "0.1856***"
    assert gov["paper"] == "0.1574"  # printed without stars
    wide = display_comparison(compare_with_paper(ours, 3), extra=("ours_n", "paper_n"))
    assert list(wide.columns[-2:]) == ["ours N", "paper N"] and wide["paper N"].iloc[0] == "330"
    with pytest.raises(ValueError, match="unknown extra"):
        display_comparison(compare_with_paper(ours, 3), extra=("p",))


def test_display_tests_drops_repeated_columns():
    tests = pd.DataFrame({"hypothesis": ["H1"], "source": ["ours"], "test": ["t on DE, table 3 column 6"],
                          "null": ["b <= 0"], "alternative": ["b > 0"], "statistic": [-0.40369],
                          "reference": ["t(29)"], "p_value": [0.65530], "verdict_5pct": ["do not reject H0"]})
    shown = display_tests(tests)
    assert shown.index.name == "source"
    assert list(shown.columns) == ["test", "statistic", "reference", "p value", "verdict at 5%"]
    assert shown.iloc[0].tolist() == ["t on DE", "-0.404", "t(29)", "0.6553", "do not reject H0"]
    with pytest.raises(ValueError, match="verdict_5pct"):
        display_tests(tests.drop(columns="verdict_5pct"))


def test_coverage_names_the_gaps():
    data = pd.DataFrame({"year": [2011, 2012, 2013, 2014, 2015], "a": [1.0, np.nan, 3.0, np.nan, 5.0],
                         "b": [np.nan, 1.0, 2.0, 3.0, np.nan]})
    cov = coverage_table(data, ["a", "b", "c"]).set_index("variable")
    # no nested parentheses when prose puts the span in parentheses: "(a covers 2011-2015 except ...)"
    assert cov.loc["a", "periods"] == "2011-2015 except 2012, 2014"
    assert cov.loc["b", "periods"] == "2012-2014"
    assert cov.loc["c", "periods"] == "none" and cov.loc["c", "non_missing"] == 0


def _fake_multiverse() -> pd.DataFrame:
    rows = []
    specs = ((0, "first_published", 0.6), (0, "revised", -0.4), (5, "first_published", -0.1))
    for n_ctrl, vintage, coef in specs:
        rows.append({"gdp_vintage": vintage, "de_composition": "pku", "hum_proxy": "n/a" if n_ctrl == 0
                     else "college", "controls": "none" if n_ctrl == 0 else "all", "n_controls": n_ctrl,
                     "n": 330 if vintage == "first_published" else 180,
                     "coef": coef, "se": 0.2, "p": 0.04 if coef == -0.4 else 0.5})
    return pd.DataFrame(rows)


def test_fork_comparison_names_the_changed_choice():
    forks = fork_comparison(_fake_multiverse(), {0: "1", 5: "6"})
    assert list(forks.columns) == FORK_COLUMNS
    assert len(forks) == 3
    assert forks["choice"].tolist() == ["defaults", "gdp_vintage = revised", "defaults"]
    assert forks["t"].tolist() == pytest.approx([3.0, -2.0, -0.5])
    with pytest.raises(ValueError, match="has no rows with"):
        fork_comparison(_fake_multiverse(), {3: "4"})


def test_display_estimates_layout():
    shown = display_fork_comparison(fork_comparison(_fake_multiverse(), {0: "1", 5: "6"}))
    assert shown.index.name == "data choice"
    assert list(shown.index) == ["defaults", "gdp_vintage = revised"]
    assert list(shown.columns) == [("column 1", "coef"), ("column 1", "t"), ("column 1", "N"),
                                   ("column 6", "coef"), ("column 6", "t"), ("column 6", "N")]
    assert shown.loc["gdp_vintage = revised"].tolist() == ["-0.400**", "(-2.00)", "180", "", "", ""]
    with pytest.raises(ValueError, match="display_estimates"):
        display_estimates(pd.DataFrame({"choice": ["x"]}))


def test_display_numbers_blanks_nan_and_keeps_tiny_visible():
    shown = display_numbers(pd.DataFrame({"x": [0.12345, np.nan, -9.3e-16, 0.0], "s": ["a", "b", "c", "d"]}))
    assert shown["x"].tolist() == ["0.1235", "", "-9.30e-16", "0.0000"]
    assert shown["s"].tolist() == ["a", "b", "c", "d"]


def test_display_comparison_shows_the_stars_that_decide_significance(panel):
    ours = long_results({"2": fit_twfe(panel, "IC", ["DE"])})
    cmp = compare_with_paper(ours, 3)
    shown = display_comparison(cmp)
    for (_, r), (_, s) in zip(cmp.iterrows(), shown.iterrows(), strict=True):
        if pd.isna(r["ours_stars"]):
            continue
        assert s["ours"].count("*") == r["ours_stars"] and s["paper"].count("*") == r["paper_stars"]
        assert (s["ours"].count("*") == s["paper"].count("*")) == (s["significance agrees"] == "yes")


def test_term_labels_read_as_the_paper_prints_them():
    from helpers.book.tables import term_label

    assert term_label("const") == "Constant"
    assert term_label("L_DE") == "DE (t-1)"
    assert term_label("DE") == "DE"
