"""The paper's reported numbers, ours beside them, and its hypotheses H1 and H2 as tests."""

from helpers.paper.compare import (
    CLOSE_TOL,
    COMPARISON_COLUMNS,
    MATCH_TOL,
    TABLE2_STATS,
    compare_with_paper,
    table2_vs_paper,
    ti_fit,
    verdict,
    verdict_table,
)
from helpers.paper.hypotheses import H_COLUMNS, h1_tests, h2_tests, paper_causal_steps
from helpers.paper.reported import (
    PAPER_TEXT_NAME,
    THRESHOLDS,
    reported_coefficients,
    reported_table2,
    star_count,
    stars,
)

__all__ = [
    "CLOSE_TOL",
    "COMPARISON_COLUMNS",
    "H_COLUMNS",
    "MATCH_TOL",
    "PAPER_TEXT_NAME",
    "TABLE2_STATS",
    "THRESHOLDS",
    "compare_with_paper",
    "h1_tests",
    "h2_tests",
    "paper_causal_steps",
    "reported_coefficients",
    "reported_table2",
    "star_count",
    "stars",
    "table2_vs_paper",
    "ti_fit",
    "verdict",
    "verdict_table",
]
