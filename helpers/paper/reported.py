"""The paper's reported numbers, read from ``data/paper/`` (the only place they live).

These frames feed the "paper" columns of comparison tables and the audit; they never
enter our estimates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.paths import PAPER

PAPER_TEXT_NAME = "dong-ding-digital-economy-agglomeration.txt"


COEFFICIENT_COLUMNS = ["table", "column", "label", "dependent", "term", "coef", "t", "stars", "n",
                       "entity_fe", "time_fe"]


def reported_coefficients() -> pd.DataFrame:
    """Tables 3-5 in long form: table, column, label, dependent, term, coef, t, stars, n, fixed effects.

    Read from ``data/paper/coefficients.csv`` (the audit's folder format, where stars are printed as
    ``***``); here ``stars`` is their number, and the empty ``se`` and ``p`` columns are left out.
    """
    coefs = pd.read_csv(PAPER / "coefficients.csv", dtype={"stars": str}, keep_default_na=False,
                        na_values={"se": [""], "p": [""]})
    return coefs.assign(stars=coefs["stars"].str.len())[COEFFICIENT_COLUMNS]


def reported_table2() -> pd.DataFrame:
    """Table 2 (descriptive statistics): variable, n, mean, sd, min, max (from ``data/paper/summary.csv``)."""
    summary = pd.read_csv(PAPER / "summary.csv")
    return summary[summary["table"] == 2].drop(columns="table").reset_index(drop=True)


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
