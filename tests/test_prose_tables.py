"""Phrase builders of the table chapters on constructed results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.book.prose import (
    agreement_counts,
    column1_h1,
    covariance_phrases,
    de_summary,
    fixed_sample_intro,
    listed_checks,
    mechanism_proxies,
    name_of_test,
    robustness_differences,
    sample_split,
)


def _de(coefs: list[float], ps: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"coef": coefs, "p": ps}, index=[str(i + 1) for i in range(len(coefs))])


def test_de_summary_counts_signs_and_significance() -> None:
    de = _de([0.1, 0.2, 0.3, -0.1], [0.05, 0.2, 0.005, 0.08])
    assert de_summary(de) == ("DE is positive in three of our four columns, significant at 10% in two of "
                              "them and at 1% in one of them; one negative estimate is significant at 10%")
    assert de_summary(_de([-0.1, -0.2], [0.5, 0.5])) == "DE is negative or zero in all two of our columns"
    assert de_summary(_de([0.1, 0.2], [0.001, 0.002])).endswith("in all of them and at 1% in all of them")


def test_sample_split_names_the_source_of_the_contrast() -> None:
    assert sample_split(0.1, 0.1, 0.5, same_rows=True).startswith("the two columns already share")
    # the sample moves the estimate down, the controls up: the contrast is the controls'
    assert "slightly the other way (0.1000 to 0.0900)" in sample_split(0.1, 0.09, 0.5, same_rows=False)
    assert "mostly from the change of sample" in sample_split(0.1, 0.5, 0.51, same_rows=False)
    assert "mostly from the controls" in sample_split(0.1, 0.11, 0.5, same_rows=False)


def test_fixed_sample_intro() -> None:
    assert fixed_sample_intro([330, 270], ["hum"]) == (
        "Because hum is short, the columns above change their sample as well as their controls "
        "(N runs from 330 to 270).")
    assert fixed_sample_intro([300, 300], []) == "The columns above already share one sample of 300 rows."


def test_agreement_counts_over_all_slopes_and_de() -> None:
    comparison = pd.DataFrame({"term": ["DE", "gov", "const", "DE"], "ours": [1.0, 2.0, 3.0, np.nan],
                               "sign_agrees": [True, False, True, False],
                               "significance_agrees": [False, True, True, False]})
    got = agreement_counts(comparison, prefix="tx")
    assert got == {"tx_sign_agree": 2, "tx_sig_agree": 2, "tx_slope_sign_agree": 1, "tx_slope_sig_agree": 1,
                   "tx_de_sign_agree": 1, "tx_de_sig_agree": 0, "tx_n_compared": 3, "tx_n_slopes": 2,
                   "tx_n_de": 1}


def test_column1_h1_splits_methods_by_rejection() -> None:
    inf = pd.DataFrame({"method": ["CR1 (Stata factor)", "CR1 (Stata factor)", "CV3 jackknife"],
                        "reference": ["normal", "t(29)", "t(29)"], "coef": [0.25, 0.25, 0.25],
                        "p_one_sided": [0.01, 0.03, 0.2]})
    assert column1_h1(inf) == (
        "For column 1 (estimate 0.2500) the one-sided test rejects at 5% under CR1 with both references "
        "(normal, p = 0.0100; t(29), p = 0.0300), but not under CV3 (p = 0.2000): whether column 1 "
        "supports H1 depends on the inference method")
    assert "does not reject at 5% under any method" in column1_h1(inf.assign(p_one_sided=0.5))


def test_covariance_phrases_verdict() -> None:
    variants = pd.DataFrame({"coef": [0.2, 0.2], "se": [0.1, 0.125], "t": [2.0, 1.6], "p": [0.03, 0.07]})
    got = covariance_phrases(variants, paper_t=2.5)
    assert got["t3_var_verdict"].startswith("and this one is borderline: p runs from 0.030 to 0.070")
    assert got["t3_var_reach"] == "none reaches the paper's t of 2.50 (ours is at most 2.00)"
    assert got["t3_se_spread"] == pytest.approx(25.0)
    reach = covariance_phrases(variants, paper_t=1.8)["t3_var_reach"]
    assert reach == "one of the 2 choices reaches the paper's t of 1.80"


def test_robustness_and_mechanism_wording() -> None:
    frame = pd.DataFrame({"check": ["(2) without municipalities"], "controls": ["gov + edu"],
                          "coef": [0.632], "t": [2.3]})
    assert listed_checks(frame) == "(2) without municipalities with gov + edu (0.6320, t = 2.30)"
    assert listed_checks(frame.iloc[:0]) == "none"
    described = {"DE": "digital-finance index", "gdp_vintage": "first-release"}
    assert robustness_differences(described, ["hum", "pgdp"], cut=True).endswith(
        "; the short hum and pgdp cut the sample")
    assert robustness_differences(described, ["hum"], cut=False).endswith("proxies for hum and open")
    panel = pd.DataFrame({"hum": [1.0, np.nan], "gov": [1.0, 2.0]})
    assert mechanism_proxies(panel, ["gov", "hum"], cut=True) == (
        "hum and open are proxies; the short control hum cuts the sample")
    assert name_of_test("joint significance min(t_a, t_b)") == "the joint-significance test"
