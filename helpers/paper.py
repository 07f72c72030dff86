"""The paper's reported numbers, read from ``data/paper/`` (the only place they live).

These frames feed the "paper" columns of comparison tables and the audit; they never
enter our estimates.
"""

from __future__ import annotations

import pandas as pd

from helpers.paths import PAPER

PAPER_TEXT_NAME = "dong-ding-digital-economy-agglomeration.txt"


def reported_coefficients() -> pd.DataFrame:
    """Tables 3-5 in long form: table, column, label, dependent, term, coef, t, stars, n, fixed effects."""
    return pd.read_csv(PAPER / "reported_coefficients.csv")


def reported_table2() -> pd.DataFrame:
    """Table 2 (descriptive statistics): variable, n, mean, sd, min, max."""
    return pd.read_csv(PAPER / "reported_table2.csv")
