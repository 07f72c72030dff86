"""The paper's reported numbers, read from ``data/paper/`` (the only place they live).

These frames feed the "paper" columns of comparison tables and the audit; they never
enter our estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.paths import PAPER

PAPER_TEXT_NAME = "dong-ding-digital-economy-agglomeration.txt"


def reported_coefficients() -> pd.DataFrame:
    """Tables 3-5 in long form: table, column, label, dependent, term, coef, t, stars, n, fixed effects."""
    return pd.read_csv(PAPER / "reported_coefficients.csv")


def reported_table2() -> pd.DataFrame:
    """Table 2 (descriptive statistics): variable, n, mean, sd, min, max."""
    return pd.read_csv(PAPER / "reported_table2.csv")


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
