"""Checks that match Dong & Ding's particular wording, and the audit rows they give.

The paper's ``spec.yml`` names this module with ``wording: dongding``. Unlike the checks in
:mod:`helpers.audit.checks` and :mod:`helpers.audit.text`, these read the paper's own phrases
("ratio of ... to ...", "mixed-effects model (OLS)", "cities at the prefecture level") and know its
tables; they are kept apart so that the rest of the audit applies to any paper.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from helpers.audit.spec import PaperSpec
from helpers.audit.verdict import Verdict, verdict_row

#: the keys of quotes.csv these checks read (load_spec checks they exist)
REQUIRED_QUOTES = (
    "lag_text",
    "lag_result_text",
    "mixed_text",
    "def_pgdp",
    "ti_mechanism",
    "sample_units",
    "sample_cities",
    "hypothesis_urban",
    "endog_abstract",
    "endog_conclusion",
)


def check_unit_of_analysis(sample_quote: str, other_quote: str) -> Verdict:
    """Statements about the unit of analysis (provinces vs cities) must agree."""
    says_prov = "province" in sample_quote.lower()
    says_city = bool(re.search(r"\b(cit(y|ies)|urban|prefecture)", other_quote.lower()))
    if says_prov and says_city:
        return Verdict(
            "inconsistent", "provinces throughout", "sample is provinces; this passage says cities"
        )
    return Verdict("ok", "provinces throughout", "unit of analysis agrees")


def check_per_capita_definition(quote: str) -> Verdict:
    """A variable called 'GDP per capita' must be GDP over population, not population over GDP."""
    m = re.search(r"ratio of (.+?) to (.+?)(?: at |$)", quote)
    if m is None:
        return Verdict("doubtful", "GDP / population", "definition not stated as a ratio")
    num, den = m.group(1).lower(), m.group(2).lower()
    if "population" in num and "gdp" in den:
        return Verdict(
            "inconsistent", "GDP / population", "defined as population / GDP: the inverse of GDP per capita"
        )
    return Verdict("ok", "GDP / population", "definition matches the label")


def check_variable_defined(var: str, definitions: dict[str, str]) -> Verdict:
    """Every variable in the tables needs a stated measurement in the text."""
    if var in definitions:
        return Verdict("ok", "a stated measure", "definition given in section 3.2")
    return Verdict(
        "inconsistent",
        "a stated measure",
        f"{var} is used in Table 2, models (2)-(3) and Table 5 but never defined "
        "(called TI in Table 2 and the models, IT in Table 5, IE in section 3.4)",
    )


def check_claim_backed(claim: str, keyword: str, reported_labels: Sequence[str]) -> Verdict:
    """A test claimed in the text must be reported somewhere in the tables."""
    if keyword not in claim.lower():
        return Verdict("ok", f"a reported {keyword} test", "no such claim")
    if any(keyword in lab.lower() or "iv" in lab.lower().split() for lab in reported_labels):
        return Verdict("ok", f"a reported {keyword} test", "claim backed by a table")
    return Verdict("inconsistent", f"a reported {keyword} test", f"{keyword} tests claimed, none reported")


def check_lag_target(design_quote: str, result_quote: str) -> Verdict:
    """What is lagged in the robustness column must be stated once and consistently."""
    lags_outcome = "lag of industrial agglomeration" in design_quote
    result_on_de = "digital economy" in result_quote and "after a one-period lag" in result_quote
    if lags_outcome and result_on_de:
        return Verdict(
            "doubtful",
            "one stated lagged variable",
            "text lags IC as a regressor, header reads L.I.C, result is read as a lagged effect of DE",
        )
    return Verdict("ok", "one stated lagged variable", "lag stated consistently")


def check_estimator_label(quote: str, entity_fe: bool) -> Verdict:
    """The estimator named in the text against the table (fixed effects shown or not).

    In English a "mixed-effects model" is a random-effects model, not pooled OLS. Chinese papers
    call pooled OLS 混合回归 (hunhe huigui, literally "mixed regression"), so "mixed-effects model
    (OLS)" beside a table without fixed effects is most likely a translation of that term: the
    verdict is ``doubtful`` (it rests on that reading), not a contradiction.
    """
    if "mixed-effects" in quote and "OLS" in quote and not entity_fe:
        return Verdict(
            "doubtful",
            "one estimator",
            "'mixed-effects model (OLS)' most likely translates hunhe huigui (pooled regression), "
            "which the table shows",
        )
    return Verdict("ok", "one estimator", "estimator named consistently")


def rows(spec: PaperSpec, slack: float = 0.0) -> list[dict[str, str]]:
    """The audit rows of the wording checks, in the order of the book's audit table.

    ``slack`` is unused (no number is read here); it keeps the signature of a wording module.
    """
    q = dict(zip(spec.quotes["key"], spec.quotes["quote"], strict=True))
    coefs = spec.coefficients
    out = [
        verdict_row(
            "text_vs_tables",
            "4",
            "L.IC",
            "(1)",
            q["lag_text"],
            check_lag_target(q["lag_text"], q["lag_result_text"]),
        ),
    ]
    # Table 4 column (3) is the column the text calls a "mixed-effects model (OLS)"
    fe3 = str(coefs.loc[(coefs["table"] == "4") & (coefs["column"] == "3"), "entity_fe"].iloc[0]) == "yes"
    out.append(
        verdict_row(
            "text_vs_tables", "4", "text", "(3)", q["mixed_text"], check_estimator_label(q["mixed_text"], fe3)
        )
    )
    out.append(
        verdict_row(
            "definitions",
            "text",
            "pgdp",
            "definition",
            q["def_pgdp"],
            check_per_capita_definition(q["def_pgdp"]),
        )
    )
    defs = {k[4:]: v for k, v in q.items() if k.startswith("def_")}
    out.append(
        verdict_row(
            "definitions", "text", "TI", "definition", q["ti_mechanism"], check_variable_defined("TI", defs)
        )
    )
    for key in ("sample_cities", "hypothesis_urban"):
        out.append(
            verdict_row(
                "definitions",
                "text",
                "sample",
                key,
                q[key],
                check_unit_of_analysis(q["sample_units"], q[key]),
            )
        )
    labels = list(dict.fromkeys(coefs["label"]))
    for key in ("endog_abstract", "endog_conclusion"):
        out.append(
            verdict_row(
                "definitions",
                "text",
                "claims",
                key,
                q[key],
                check_claim_backed(q[key], "endogeneity", labels),
            )
        )
    return out
