"""Phrase builders of helpers.narrative_data: each returns the expected words for a constructed case."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.book import narrative as N


def _audit_rows(check: str, verdicts: list[str], rows: list[str] | None = None) -> pd.DataFrame:
    rows = rows or [f"v{i}" for i in range(len(verdicts))]
    return pd.DataFrame({"check": check, "table": "2", "row": rows, "column": "sd", "verdict": verdicts})


def test_table2_bound_sentences_count_the_verdicts():
    result = pd.concat([
        _audit_rows("mean_within_range", ["ok", "ok", "impossible"]),
        _audit_rows("sd_upper_bhatia_davis", ["ok", "ok", "ok"]),
        _audit_rows("sd_lower_extremes", ["impossible", "ok", "ok"]),
    ])
    out = N.table2_bound_sentences(result)
    assert out["mean_sentence"] == "Two of the 3 means pass; one lies outside its range."
    assert out["sdmax_bad_sentence"] == "No standard deviation is too large to exist."
    assert out["n_sdmin_bad"] == 1


def test_impossible_phrases_agree_in_number():
    bad = pd.concat([_audit_rows("sd_upper_bhatia_davis", ["impossible"] * 2, ["DE", "gov"]),
                     _audit_rows("sd_lower_extremes", ["impossible"], ["TI"])])
    out = N.impossible_phrases(bad)
    assert out["sdmax_bad_phrase"] == ("two (DE and gov) exceed the largest spread their own minimum, "
                                       "maximum and mean allow")
    assert out["sdmin_bad_phrase"] == "one (TI) is smaller than the spread its own extremes force"
    assert out["stars_bad_verb"] == "zero coefficients claim"


def test_match_phrase_names_observation_counts():
    cmp = pd.DataFrame({"statistic": ["n", "n", "mean", "sd"],
                        "verdict": ["match", "match", "differs", "close"]})
    assert N.match_phrase(cmp) == "two of the 4 are matches, all of them observation counts"
    assert N.match_phrase(cmp.assign(verdict="differs")) == "none of the 4 is a match"


def test_h1_sentence_splits_methods_at_five_percent():
    assert N.h1_sentence([("A", 0.01), ("B", 0.2)]) == (
        "For H1 the verdict flips with the method: the one-sided p-value is 0.0100 (A), below 5%, but "
        "0.2000 (B), above it. Whether the regression without controls supports H1 at 5% thus rests on "
        "an inference choice the paper does not report.")
    assert N.h1_sentence([("A", 0.3)]) == "For H1 no method puts the one-sided p-value below 5%: 0.3000 (A)."


@pytest.mark.parametrize(("b_fixed", "expected"), [
    (0.5, "so the change of sample accounts for 50% of the difference between columns 1 and 6"),
    (-1.0, "so the change of sample does not move it toward column 6"),
    (1.0, "so the change of sample accounts for all of the difference"),
])
def test_sample_share_verdict(b_fixed, expected):
    share, verdict = N.sample_share_verdict(0.0, b_fixed, 1.0)
    assert verdict.startswith(expected)
    assert math.isclose(share, b_fixed)


def test_de_path_phrases_reads_rises_and_falls():
    panel = pd.DataFrame({"province": ["A"] * 3 + ["B"] * 3, "year": [2011, 2012, 2013] * 2,
                          "DE": [0.1, 0.2, 0.3, 0.5, 0.3, 0.6]})
    falls = pd.DataFrame({"year": [2012, 2013], "n_fell": [1, 0], "provinces_fell": ["B", ""]})
    out = N.de_path_phrases(panel, falls)
    assert out["de_rose_phrase"] == "both provinces"
    assert (out["de_y0"], out["de_ymid"], out["de_y1"]) == (2011, 2012, 2013)
    assert out["de_dir_early"] == "falling" and out["de_dir_late"] == "rising"
    assert out["de_fell_clause"] == ("but not every year: it fell from the year before in 1 province at "
                                     "least once (number of provinces by year: 1 in 2012)")


def test_seed_agreement_within_noise():
    out = N.seed_agreement_phrases(0.5, 0.5 + 0.001, 10000)  # MC standard error 0.005
    assert out["b6_ex3_mcse"] == pytest.approx(0.005)
    assert out["b6_ex3_agree"] == ("the difference, 0.0010, is less than one standard error: the two agree "
                                   "within simulation noise")


def test_table3_star_phrases_flags_stars_that_fit_neither_reference():
    coefs = pd.DataFrame({"table": [3, 3, 3], "column": [1, 2, 2], "term": ["DE", "DE", "const"],
                          "t": [2.0, 5.0, 9.0], "stars": [1, 1, 3]})
    out = N.table3_star_phrases(coefs)
    assert out["b6_ex2_n"] == 2
    assert out["b6_ex2_lost"] == "one loses"  # t = 2.0: ** under the normal, * under t(29)
    assert out["b6_ex2_stars"] == ("One printed star count differs from the t(29) one (DE in column (2)), "
                                   "and it differs from the normal one as well: it fits neither reference")
