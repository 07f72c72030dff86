"""Tests for helpers.audit on Dong & Ding: each check passes a consistent case and fails an impossible one.

The checks new to the tool (GRIM, p from t), the folder format and the command line are tested in
``test_audit_tool.py``.
"""

from __future__ import annotations

import dataclasses
import math
import shutil

import numpy as np
import pandas as pd
import pytest

from helpers import audit
from helpers.audit import (
    COLUMNS,
    VERDICTS,
    Verdict,
    bhatia_davis_sd_max,
    check_legend_agreement,
    check_legend_brackets,
    check_location_quotient,
    check_mean,
    check_mediation_identity,
    check_mediation_sign,
    check_names_match,
    check_positive,
    check_sample_size,
    check_sd_lower,
    check_sd_upper,
    check_sign,
    check_stars,
    check_table_reference,
    check_text_level,
    check_text_numbers,
    check_unit_interval,
    extremes_sd_min,
    load_spec,
    mediation_gap,
    panel_size,
    parse_levels,
    popoviciu_sd_max,
    possible_stars,
    run_audit,
    sd_bounds,
    stars_for_p,
)
from helpers.audit.dongding import (
    check_claim_backed,
    check_estimator_label,
    check_lag_target,
    check_per_capita_definition,
    check_unit_of_analysis,
    check_variable_defined,
)
from helpers.paper.reported import PAPER_TEXT_NAME, reported_coefficients, reported_table2
from helpers.paths import PAPER, RESULTS, ROOT

PAPER_TEXT = ROOT.parent / "shared" / "paper" / PAPER_TEXT_NAME
LEGEND_34 = (0.10, 0.05, 0.01)
LEGEND_5 = (0.01, 0.05, 0.10)


@pytest.fixture(scope="module")
def spec() -> audit.PaperSpec:
    return load_spec(PAPER)


@pytest.fixture(scope="module")
def result(spec) -> pd.DataFrame:
    return run_audit(spec)


# --- Table 2: means and standard deviations ---------------------------------------------------


def test_verdict_rejects_unknown_label():
    with pytest.raises(ValueError, match="not in"):
        Verdict("maybe", "", "")


def test_check_mean_ok_and_impossible():
    assert check_mean(10, 0.5, 0.0, 1.0).verdict == "ok"
    assert check_mean(10, -0.1, 0.0, 1.0).verdict == "impossible"
    # With both extremes observed among 10 values the mean cannot reach the maximum.
    assert check_mean(10, 0.99, 0.0, 1.0).verdict == "impossible"


def test_bhatia_davis_is_attained_by_two_point_sample():
    x = np.array([0.0] * 5 + [1.0] * 5)
    bound = bhatia_davis_sd_max(len(x), x.mean(), x.min(), x.max(), ddof=1)
    assert bound == pytest.approx(x.std(ddof=1))
    assert bhatia_davis_sd_max(10, 0.5, 0.0, 1.0, ddof=0) == pytest.approx(x.std(ddof=0))
    assert math.isnan(bhatia_davis_sd_max(10, 2.0, 0.0, 1.0))


def test_extremes_sd_min_is_attained_by_its_configuration():
    n, lo, hi, c = 12, 0.0, 1.0, 0.3
    x = np.array([lo, hi] + [c] * (n - 2))
    assert extremes_sd_min(n, x.mean(), lo, hi, ddof=0) == pytest.approx(x.std(ddof=0))
    assert extremes_sd_min(n, x.mean(), lo, hi, ddof=1) == pytest.approx(x.std(ddof=1))
    assert math.isnan(extremes_sd_min(n, 0.999, lo, hi))


def test_random_samples_respect_both_sd_bounds():
    rng = np.random.default_rng(20240101)
    for _ in range(200):
        x = rng.lognormal(size=int(rng.integers(3, 50)))
        n, m, s, lo, hi = len(x), x.mean(), x.std(ddof=1), x.min(), x.max()
        assert check_sd_upper(n, m, s, lo, hi).verdict == "ok"
        assert check_sd_lower(n, m, s, lo, hi).verdict == "ok"
        assert check_mean(n, m, lo, hi).verdict == "ok"


def test_check_sd_upper_ok_and_impossible():
    assert check_sd_upper(330, 0.5, 0.4, 0.0, 1.0).verdict == "ok"
    bad = check_sd_upper(330, 0.5, 0.6, 0.0, 1.0, slack=5e-5)
    assert bad.verdict == "impossible"
    # the note names the plain half range and, labelled, the lenient sample-SD version it is judged by
    assert "(max-min)/2 = 0.5000" in bad.note
    lenient = popoviciu_sd_max(330, 0.0, 1.0, 5e-5, ddof=1)
    assert f"({lenient:.4f} for a sample SD, allowing for rounding)" in bad.note


def test_popoviciu_bound_is_half_the_range_and_holds_for_samples():
    assert popoviciu_sd_max(10, 1.0, 3.0) == pytest.approx(1.0)
    assert popoviciu_sd_max(10, 1.0, 3.0, ddof=1) == pytest.approx(math.sqrt(10 / 9))
    x = np.array([0.0, 0.0, 1.0, 1.0])  # the extreme case: half the mass at each end
    assert x.std(ddof=0) == pytest.approx(popoviciu_sd_max(4, 0.0, 1.0))
    assert x.std(ddof=1) == pytest.approx(popoviciu_sd_max(4, 0.0, 1.0, ddof=1))


def test_check_sd_lower_ok_and_impossible():
    assert check_sd_lower(330, 2.5, 0.8, 1.0, 15.0).verdict == "ok"
    assert check_sd_lower(330, 2.5, 0.2, 1.0, 15.0, slack=5e-5).verdict == "impossible"


def test_rounding_slack_rescues_a_borderline_sd():
    # sd printed at exactly the bound plus less than half a unit must not be called impossible.
    bound = bhatia_davis_sd_max(100, 0.5, 0.0, 1.0)
    sd = round(bound + 4e-5, 4)
    assert check_sd_upper(100, 0.5, sd, 0.0, 1.0, slack=5e-5).verdict == "ok"
    assert check_sd_upper(100, 0.5, sd + 1e-3, 0.0, 1.0, slack=5e-5).verdict == "impossible"


# --- constructions -------------------------------------------------------------------------------


def test_check_unit_interval_ok_and_fails():
    assert check_unit_interval(0.1, 0.9).verdict == "ok"
    assert check_unit_interval(0.1, 2.9).verdict == "impossible"
    assert check_unit_interval(0.1, 2.9, on_fail="inconsistent").verdict == "inconsistent"


def test_entropy_composite_lies_in_unit_interval():
    rng = np.random.default_rng(1)
    raw = rng.lognormal(size=(330, 11))
    z = (raw - raw.min(0)) / (raw.max(0) - raw.min(0))
    p = (z + 1e-12) / (z + 1e-12).sum(0)
    e = -(p * np.log(p)).sum(0) / np.log(len(z))
    w = (1 - e) / (1 - e).sum()
    index = z @ w
    assert check_unit_interval(index.min(), index.max()).verdict == "ok"


def test_location_quotient_weighted_mean_is_one():
    rng = np.random.default_rng(2)
    gdp = rng.lognormal(3, 1, size=30)
    secondary = gdp * rng.uniform(0.15, 0.55, size=30)
    lq = (secondary / gdp) / (secondary.sum() / gdp.sum())
    assert np.sum(gdp / gdp.sum() * lq) == pytest.approx(1.0)
    assert check_location_quotient(lq.max()).verdict == "ok"
    assert check_location_quotient(0.8734, slack=5e-5).verdict == "impossible"


def test_check_positive():
    assert check_positive(0.01).verdict == "ok"
    assert check_positive(-0.01).verdict == "impossible"


# --- sample sizes ------------------------------------------------------------------------------


def test_panel_size_and_check():
    assert panel_size(30, 2011, 2021) == 330
    assert panel_size(30, 2011, 2021, lags=1) == 300
    assert panel_size(30, 2011, 2021, excluded_units=4) == 286
    assert check_sample_size(286, 286).verdict == "ok"
    assert check_sample_size(330, 300).verdict == "inconsistent"
    assert check_sample_size(330, 300, on_fail="impossible").verdict == "impossible"


# --- stars ---------------------------------------------------------------------------------------


def test_stars_for_p_under_both_legends():
    assert stars_for_p(0.003, LEGEND_34) == 3
    assert stars_for_p(0.03, LEGEND_34) == 2
    assert stars_for_p(0.2, LEGEND_34) == 0
    assert stars_for_p(0.003, LEGEND_5) == 1
    assert stars_for_p(0.07, LEGEND_5) == 3


def test_possible_stars_spans_a_threshold_within_rounding():
    assert possible_stars(1.96, LEGEND_34, None, 0.005) == {1, 2}
    assert possible_stars(1.96, LEGEND_34, 29, 0.005) == {1}


def test_check_stars_ok_doubtful_impossible_inconsistent():
    assert check_stars(3.5, 3, LEGEND_34, 30, 0.005).verdict == "ok"
    assert check_stars(-1.23, 1, LEGEND_34, 30, 0.005).verdict == "impossible"
    assert check_stars(1.56, 3, LEGEND_34, 30, 0.005).verdict == "impossible"
    # 1.65 clears 10% under the normal, not under t(29): the verdict depends on the reference.
    assert check_stars(1.65, 0, LEGEND_34, 30, 0.005).verdict == "doubtful"
    # Too few stars under both references: a heavier reference could explain it.
    assert check_stars(5.0, 0, LEGEND_34, 30, 0.005).verdict == "inconsistent"
    assert check_stars(3.27, 1, LEGEND_5, 30, 0.005).verdict == "ok"


def test_check_sign():
    assert check_sign(-0.1, -2.0).verdict == "ok"
    assert check_sign(0.1, -2.0).verdict == "impossible"


# --- mediation -----------------------------------------------------------------------------------


def _ols(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(x, y, rcond=None)[0]


def test_mediation_identity_holds_exactly_with_fixed_effects():
    rng = np.random.default_rng(3)
    units, years = 30, 11
    ent = np.repeat(np.arange(units), years)
    yr = np.tile(np.arange(years), units)
    d = np.column_stack([np.eye(units)[ent], np.eye(years)[yr][:, 1:]])
    ctrl = rng.normal(size=(units * years, 2))
    x = rng.normal(size=units * years) + 0.1 * ent
    m = 0.5 * x + ctrl @ [0.3, -0.2] + rng.normal(size=x.size)
    y = 0.2 * x + 0.4 * m + ctrl @ [0.1, 0.1] + rng.normal(size=x.size)
    c = _ols(y, np.column_stack([x, ctrl, d]))[0]
    a = _ols(m, np.column_stack([x, ctrl, d]))[0]
    c_prime, b = _ols(y, np.column_stack([x, m, ctrl, d]))[:2]
    assert mediation_gap(c, c_prime, a, b) == pytest.approx(0.0, abs=1e-10)
    assert check_mediation_identity(c, c_prime, a, b).verdict == "ok"
    assert check_mediation_sign(c, c_prime, a, b).verdict == "ok"
    # Rounded to four decimals the identity still passes with the rounding slack.
    r = [round(v, 4) for v in (c, c_prime, a, b)]
    assert check_mediation_identity(*r, slack=5e-5).verdict == "ok"


def test_mediation_checks_fail_when_direct_exceeds_total():
    assert check_mediation_identity(0.30, 0.40, 0.25, 0.13, slack=5e-5).verdict == "impossible"
    assert check_mediation_sign(0.30, 0.40, 0.25, 0.13, slack=5e-5).verdict == "impossible"
    # With a*b < 0 the direct effect must exceed the total, and then it may.
    assert check_mediation_sign(0.30, 0.35, -0.25, 0.13).verdict == "ok"
    assert check_mediation_sign(0.30, 0.20, -0.25, 0.13).verdict == "impossible"


# --- notes, legends, text --------------------------------------------------------------------------


def test_parse_levels():
    assert parse_levels("10%;5%;1%") == pytest.approx(LEGEND_34)
    with pytest.raises(ValueError, match="cannot read levels"):
        parse_levels("ten;five")


def test_legend_checks():
    assert check_legend_agreement(LEGEND_34, LEGEND_34, "Tables 3-4").note == "same legend as Tables 3-4"
    reversed_ = check_legend_agreement(LEGEND_5, LEGEND_34, "Tables 3-4")
    assert reversed_.verdict == "inconsistent" and "reverses" in reversed_.note
    other = check_legend_agreement((0.10, 0.05, 0.001), LEGEND_34, "Table 2")
    assert other.verdict == "inconsistent" and "other levels than Table 2" in other.note
    assert check_legend_brackets("with t-values in brackets").verdict == "ok"
    assert check_legend_brackets("indicate significance").verdict == "doubtful"


def test_text_level():
    assert check_text_level(0.01, 3, LEGEND_34).verdict == "ok"
    assert check_text_level(0.01, 3, LEGEND_5).verdict == "inconsistent"
    assert check_text_level(0.10, 3, LEGEND_34, at_least=True).verdict == "ok"
    assert check_text_level(0.05, 1, LEGEND_34, at_least=True).verdict == "inconsistent"


def test_text_numbers_and_table_reference():
    assert check_text_numbers([0.3522], [0.3522]).verdict == "ok"
    assert check_text_numbers([0.3522], [0.3622]).verdict == "inconsistent"
    assert check_table_reference(4, {2, 3, 4, 5}).verdict == "ok"
    assert check_table_reference(6, {2, 3, 4, 5}).verdict == "inconsistent"


def test_definitions_and_claims():
    assert (
        check_per_capita_definition("the ratio of regional GDP to total regional population").verdict == "ok"
    )
    assert check_per_capita_definition("the ratio of total regional population to regional GDP").verdict == (
        "inconsistent"
    )
    assert check_variable_defined("TI", {"TI": "patents per capita"}).verdict == "ok"
    assert check_variable_defined("TI", {}).verdict == "inconsistent"
    assert check_unit_of_analysis("30 provinces", "30 provinces").verdict == "ok"
    assert check_unit_of_analysis("30 provinces", "prefecture-level cities").verdict == "inconsistent"
    assert check_names_match(["DE"], ["DE", "IC"]).verdict == "ok"
    assert check_names_match(["Dig"], ["DE", "IC"]).verdict == "inconsistent"
    assert (
        check_claim_backed("robust to endogeneity tests", "endogeneity", ["IV endogeneity"]).verdict == "ok"
    )
    assert check_claim_backed("robust to endogeneity tests", "endogeneity", ["baseline"]).verdict == (
        "inconsistent"
    )
    assert check_lag_target("a lag of DE", "after a lag").verdict == "ok"
    assert (
        check_lag_target(
            "a one-period lag of industrial agglomeration", "the digital economy ... after a one-period lag"
        ).verdict
        == "doubtful"
    )
    assert check_estimator_label("a random-effects model", False).verdict == "ok"
    pooled = check_estimator_label("a mixed-effects model (OLS)", False)
    assert pooled.verdict == "doubtful" and "pooled regression" in pooled.note


# --- data/paper files -----------------------------------------------------------------------------


def test_transcription_is_printed_with_the_papers_decimals():
    coefs = pd.read_csv(PAPER / "coefficients.csv", dtype=str)
    assert coefs["t"].str.fullmatch(r"-?\d+\.\d{2}").all()
    assert coefs["coef"].str.fullmatch(r"-?\d+\.\d{4}").all()
    t2 = pd.read_csv(PAPER / "summary.csv", dtype=str)
    for col in ("mean", "sd", "min", "max"):
        assert t2[col].str.fullmatch(r"-?\d+\.\d{4}").all(), col


def test_notes_values_appear_in_their_quotes(spec):
    notes = spec.quotes
    assert notes["key"].is_unique
    for row in notes.itertuples(index=False):
        for v in filter(None, row.value.split(";")):
            assert v in row.quote, f"quotes.csv key={row.key}: value {v!r} not in quote"


@pytest.mark.skipif(not PAPER_TEXT.exists(), reason=f"paper text not found at {PAPER_TEXT}")
def test_notes_quotes_are_verbatim_in_the_paper(spec):
    text = PAPER_TEXT.read_text(encoding="utf-8")
    for row in spec.quotes.itertuples(index=False):
        assert row.quote in text, f"quotes.csv key={row.key}: quote not found verbatim"


def test_spec_design_numbers_agree_with_their_quotes(spec):
    sample = spec.sample
    assert [sample["units"]] == [int(v) for v in spec.quote_values(sample["quote"])]
    years = [int(v) for v in spec.quote_values("sample_years")]
    assert [sample["first_period"], sample["last_period"]] == years
    excl = next(r for r in spec.config["sample_relations"] if "exclude_units" in r)
    assert excl["exclude_units"] == len(spec.quote_values(excl["quote"]))
    for t, entry in spec.tables.items():
        stated = parse_levels(";".join(spec.quote_values(entry["legend_quote"])))
        assert entry["levels"] == pytest.approx(stated), t


def test_runner_reproduces_the_committed_audit_csv(result):
    # the runner on data/paper/ gives the book's audit.csv byte for byte
    committed = (RESULTS / "audit.csv").read_text(encoding="utf-8")
    assert result.to_csv(index=False, lineterminator="\n") == committed


# --- run_audit -----------------------------------------------------------------------------------


def test_run_audit_columns_and_verdicts(result):
    assert list(result.columns) == COLUMNS
    assert set(result["verdict"]) <= set(VERDICTS)
    assert result.notna().all().all()


def test_run_audit_is_deterministic(result):
    again = run_audit(PAPER)
    pd.testing.assert_frame_equal(result, again)
    assert result.to_csv(index=False) == again.to_csv(index=False)


def test_run_audit_covers_every_reported_row(result):
    for r in reported_table2().itertuples(index=False):
        cols = set(result.loc[(result["table"] == "2") & (result["row"] == r.variable), "column"])
        assert {"n", "mean", "sd", "min,max"} <= cols, r.variable
    coefs = reported_coefficients()
    for r in coefs.itertuples(index=False):
        hit = result[
            (result["table"] == str(r.table))
            & (result["row"] == r.term)
            & (result["column"] == f"({r.column})")
        ]
        assert {"stars", "sign_coef_t"} <= set(hit["check"]), (r.table, r.column, r.term)
    for (table, column), _ in coefs.groupby(["table", "column"]):
        hit = result[(result["check"] == "sample_size") & (result["table"] == str(table))]
        assert f"({column})" in set(hit["column"])
    t5 = result[result["check"] == "stars_table5_own_legend"]
    assert len(t5) == int((coefs["table"] == 5).sum())


def test_run_audit_headline_findings(result):
    def verdict(check: str, table: str, row: str, column: str) -> str:
        hit = result[
            (result["check"] == check)
            & (result["table"] == table)
            & (result["row"] == row)
            & (result["column"] == column)
        ]
        assert len(hit) == 1, (check, table, row, column)
        return hit["verdict"].iloc[0]

    assert verdict("sd_upper_bhatia_davis", "2", "DE", "sd") == "impossible"
    assert verdict("sd_lower_extremes", "2", "TI", "sd") == "impossible"
    assert verdict("sd_upper_bhatia_davis", "2", "IC", "sd") == "ok"
    assert verdict("stars", "5", "const", "(2)") == "impossible"
    assert verdict("stars", "3", "gov", "(2)") == "doubtful"
    assert verdict("sample_size", "4", "N", "(1)") == "inconsistent"
    assert verdict("sample_size", "4", "N", "(2)") == "ok"
    assert verdict("mediation_identity", "3/5", "DE", "3(6) & 5(1)-(2)") == "impossible"


def test_run_audit_on_a_consistent_constructed_paper(spec):
    rng = np.random.default_rng(4)
    rows = []
    for var in ("IC", "DE", "gov"):
        x = rng.uniform(0.05, 0.95, size=330)
        if var == "IC":
            x[0] = 1.3  # some province above the national share, as a location quotient requires
        rows.append(
            {"variable": var, "n": 330, "mean": x.mean(), "sd": x.std(ddof=1), "min": x.min(), "max": x.max()}
        )
    table2 = pd.DataFrame(rows).round(4)
    printed = table2.assign(table="2", n=table2["n"].astype(str), **{
        c: table2[c].map(lambda x: f"{x:.4f}") for c in ("mean", "sd", "min", "max")})
    out = run_audit(dataclasses.replace(spec, summary=printed[list(spec.summary.columns)]))
    numeric = {"mean_within_range", "sd_upper_bhatia_davis", "sd_lower_extremes", "sample_size"}
    t2 = out[(out["table"] == "2") & out["check"].isin(numeric)]
    assert len(t2) == 4 * len(table2)
    assert (t2["verdict"] == "ok").all()
    ic = out[(out["check"] == "construction_range") & (out["row"] == "IC")]
    assert ic["verdict"].tolist() == ["ok"]


def test_run_audit_errors_name_the_file(tmp_path):
    folder = tmp_path / "paper"
    shutil.copytree(PAPER, folder)
    quotes = pd.read_csv(folder / "quotes.csv", dtype=str, keep_default_na=False)
    quotes[quotes["key"] != "legend_t5"].to_csv(folder / "quotes.csv", index=False)
    expected = r"^spec.yml: tables.5.legend_quote: no key 'legend_t5' in quotes.csv$"
    with pytest.raises(audit.SpecError, match=expected):
        load_spec(folder)


def test_rounding_switch_changes_only_borderline_verdicts():
    strict = run_audit(PAPER, allow_rounding=False)
    assert len(strict) == len(run_audit(PAPER))
    hum = strict[(strict["check"] == "stars") & (strict["row"] == "hum") & (strict["column"] == "(4)")]
    assert hum["verdict"].iloc[0] == "doubtful"


def test_module_exposes_summary(result):
    tab = audit.summary(result)
    assert int(tab["total"].sum()) == len(result)
    assert list(tab.columns) == [*VERDICTS, "total"]


def test_sd_feasibility_agrees_with_the_checks(result):
    feas = audit.sd_feasibility(reported_table2())
    assert list(feas.columns) == [
        "variable",
        "sd",
        "sd_min",
        "sd_max",
        "sd_min_verdict",
        "sd_max_verdict",
        "feasible",
    ]
    bad = result[result["check"].str.startswith("sd_") & (result["verdict"] == "impossible")]
    assert set(feas.loc[~feas["feasible"], "variable"]) == set(bad["row"])
    # the bound printed in the audit table is the verdict bound, not the exact one
    upper = result[result["check"] == "sd_upper_bhatia_davis"].set_index("row")["expected"]
    for r in feas.itertuples():
        assert upper[r.variable].startswith(f"sd <= {r.sd_max_verdict:.4f} (allowing for rounding)")
    assert (feas["sd_max_verdict"] > feas["sd_max"]).all() and (feas["sd_min_verdict"] < feas["sd_min"]).all()
    exact = audit.sd_feasibility(reported_table2(), allow_rounding=False)
    assert np.allclose(exact["sd_max_verdict"], exact["sd_max"])


def test_sd_bounds_without_slack_are_the_exact_bounds():
    lo, hi = sd_bounds(330, 0.4, 0.1, 0.9)
    assert lo == pytest.approx(extremes_sd_min(330, 0.4, 0.1, 0.9))
    assert hi == pytest.approx(bhatia_davis_sd_max(330, 0.4, 0.1, 0.9))
    lo_r, hi_r = sd_bounds(330, 0.4, 0.1, 0.9, slack=5e-5)
    assert lo_r < lo and hi_r > hi


def test_stated_sample_and_critical_values(spec):
    assert (spec.sample["units"], spec.sample["first_period"], spec.sample["last_period"]) == (30, 2011, 2021)
    assert audit.critical_t(0.05) == pytest.approx(1.959964, abs=1e-6)
    assert audit.critical_t(0.01, 29) > audit.critical_t(0.01)


def test_view_indexes_by_what_distinguishes_rows(result):
    sd = audit.view(result, "sd_upper_bhatia_davis")
    assert sd.index.names == ["row"]
    assert not {"check", "table", "column"} & set(sd.columns)
    assert len(sd) == len(reported_table2())
    stars = audit.view(result, "stars")
    assert stars.index.names == ["table", "row", "column"]
    assert stars.index.is_unique
    med = audit.view(result, "mediation_identity", "mediation_sign")
    assert med.index.names == ["check"] and med.index.is_unique


def test_split_quotes_keys_each_quotation_once(result):
    rows = result[result["check"].isin(["legend", "text_vs_tables", "definitions"])]
    keyed, quotes = audit.split_quotes(rows)
    assert audit.view(keyed, "definitions").index.names == ["row", "column"]
    assert "reported" not in keyed.columns and keyed["quote"].str.match(r"Q\d+$").all()
    assert quotes["text"].is_unique and set(quotes.index) == set(keyed["quote"])
    assert (quotes.loc[keyed["quote"], "text"].to_numpy() == rows["reported"].to_numpy()).all()


def test_verdict_changes_matches_rows_by_position_not_key():
    # two rows share a key (one claim read under two legends); a key join would pair them crosswise
    keys = {"check": ["text_vs_tables"] * 2, "table": ["5"] * 2, "row": ["DE"] * 2, "column": ["(1)"] * 2}
    before = pd.DataFrame({**keys, "verdict": ["ok", "inconsistent"]})
    assert audit.verdict_changes(before, before.copy()).empty
    after = before.assign(verdict=["ok", "doubtful"])
    changed = audit.verdict_changes(before, after)
    assert changed[["before", "after"]].values.tolist() == [["inconsistent", "doubtful"]]
    with pytest.raises(ValueError, match="same rows"):
        audit.verdict_changes(before, after.iloc[::-1].assign(row=["DE", "TI"]))


def test_fewer_clusters_change_star_verdicts_but_not_text_checks():
    changes = audit.verdict_changes(audit.run_audit(PAPER), audit.run_audit(PAPER, clusters=10))
    assert not changes.empty
    assert set(changes["check"]) <= {"stars", "stars_table5_own_legend"}
    assert not (changes[["before", "after"]] == "impossible").any().any()


def test_critical_value_table_has_normal_and_t_columns():
    crit = audit.critical_value_table(30)
    assert list(crit.columns) == ["level", "stars", "normal", "t(29)"]
    assert crit["stars"].tolist() == ["*", "**", "***"]
    assert crit["normal"].iloc[1] == pytest.approx(1.959964, abs=1e-6)
    assert (crit["t(29)"] > crit["normal"]).all()
