"""Mediation: the identity c = c' + a*b, FWL equals PanelOLS, bootstrap reproducible, Sobel, H tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_models import make_panel

from helpers.estimate.mediation import (
    STEP_COLUMNS,
    Mediation,
    bootstrap_indirect,
    causal_steps,
    fit_mediation,
    indirect_effect_fwl,
    sobel,
)
from helpers.estimate.models import fit_twfe
from helpers.paper.hypotheses import h1_tests, h2_tests, paper_causal_steps
from helpers.paper.reported import reported_coefficients

CONTROLS = ["gov", "hum", "pgdp", "open", "edu"]


@pytest.fixture
def panel() -> pd.DataFrame:
    """The seeded synthetic panel (330 rows)."""
    return make_panel()


def test_identity_holds_on_common_sample(panel):
    df = panel.copy()
    df.loc[[3, 50, 200], "TI"] = np.nan  # step 3 would lose rows: the helper must use one sample
    med = fit_mediation(df, controls=CONTROLS)
    assert med.nobs == 327 == med.mediator_fit.nobs == med.outcome_fit.nobs
    assert abs(med.identity_gap) < 1e-10
    eff = med.effects().set_index("effect")
    assert eff.loc["c' + a*b", "estimate"] == pytest.approx(eff.loc["total (c)", "estimate"], abs=1e-10)


def test_identity_fails_on_mixed_samples(panel):
    """Guard that the check can fail: a total effect from a different sample breaks it."""
    df = panel.copy()
    df.loc[df["year"] == 2011, "TI"] = np.nan
    med = fit_mediation(df, controls=CONTROLS)
    mixed = Mediation(fit_twfe(panel, "IC", ["DE", *CONTROLS]), med.mediator_fit, med.outcome_fit,
                      "DE", "TI", "IC")
    assert abs(mixed.identity_gap) > 1e-6


def test_fwl_matches_panelols(panel):
    med = fit_mediation(panel, controls=CONTROLS)
    a, b = indirect_effect_fwl(panel, controls=CONTROLS)
    assert a == pytest.approx(med.a, abs=1e-10)
    assert b == pytest.approx(med.b, abs=1e-10)


def test_fwl_matches_panelols_unbalanced(panel):
    df = panel.drop(index=[0, 1, 2, 100, 250])
    med = fit_mediation(df, controls=["gov"])
    a, b = indirect_effect_fwl(df, controls=["gov"])
    assert (a, b) == pytest.approx((med.a, med.b), abs=1e-10)


def test_bootstrap_reproducible_from_seed(panel):
    one = bootstrap_indirect(panel, controls=CONTROLS, draws=50, seed=11)
    two = bootstrap_indirect(panel, controls=CONTROLS, draws=50, seed=11)
    other = bootstrap_indirect(panel, controls=CONTROLS, draws=50, seed=12)
    np.testing.assert_array_equal(one.draws, two.draws)
    assert not np.array_equal(one.draws, other.draws)
    med = fit_mediation(panel, controls=CONTROLS)
    assert one.point == pytest.approx(med.indirect, abs=1e-10)
    lo, hi = one.ci
    assert lo < hi and one.n_draws == 50


def test_bootstrap_summary_gives_the_interval_its_own_columns(panel):
    boot = bootstrap_indirect(panel, controls=CONTROLS, draws=40, seed=3, level=0.9)
    table = boot.summary()
    assert list(table.columns) == ["point", "90% ci low", "90% ci high", "se of draws", "p one-sided",
                                   "draws", "seed"]
    assert list(table.index) == ["a*b"] and table.index.name == "effect"
    row = table.iloc[0]
    assert (row["90% ci low"], row["90% ci high"]) == pytest.approx(boot.ci)
    assert row["p one-sided"] == pytest.approx(boot.p_one_sided) and row["draws"] == 40 and row["seed"] == 3


def test_bootstrap_duplicates_are_distinct_entities(panel):
    """A panel of one province drawn twice must keep two fixed effects, not merge them."""
    from helpers.estimate.mediation import _blocks, _indirect_from_blocks

    blocks = _blocks(panel, "IC", "DE", "TI", ["gov"], "province", "year")
    order = np.array([0, 0, 1, 2, 2, 2, 5])
    a, b = _indirect_from_blocks(blocks, order)
    parts = []
    for j, g in enumerate(order):
        part = panel[panel["province"] == f"P{g:02d}"].copy()
        part["province"] = f"draw{j}"
        parts.append(part)
    stacked = pd.concat(parts, ignore_index=True)
    med = fit_mediation(stacked, controls=["gov"])
    assert (a, b) == pytest.approx((med.a, med.b), abs=1e-10)


def test_sobel_formula():
    se, z, p = sobel(0.5, 0.1, 0.4, 0.2)
    assert se == pytest.approx(np.sqrt(0.4**2 * 0.01 + 0.25 * 0.04))
    assert z == pytest.approx(0.2 / se)
    assert 0 < p < 1


def test_h_tests_layout(panel):
    paper = reported_coefficients()
    med = fit_mediation(panel, controls=CONTROLS)
    boot = bootstrap_indirect(panel, controls=CONTROLS, draws=20, seed=1)
    h2 = h2_tests(med, boot, paper)
    h1 = h1_tests(med.total, paper)
    for frame in (h1, h2):
        assert list(frame.columns) == ["hypothesis", "source", "test", "null", "alternative", "statistic",
                                       "reference", "p_value", "verdict_5pct"]
        assert frame["p_value"].between(0, 1).all()
    # the paper's DE t = 3.76 in table 3 column 6: one-sided normal p
    from scipy import stats
    row = h1[(h1["source"] == "paper") & (h1["reference"] == "normal")].iloc[0]
    assert row["p_value"] == pytest.approx(stats.norm.sf(3.76))


def test_causal_steps_pass_for_a_positive_mediated_effect(panel):
    df = panel.assign(IC=panel["IC"] + panel["TI"])  # a strong b, so c, a and b are all clearly > 0
    steps = causal_steps(fit_mediation(df, controls=CONTROLS))
    assert list(steps.columns) == STEP_COLUMNS and list(steps["step"]) == [1, 2, 3]
    assert steps["passes"].all()
    from scipy import stats
    assert steps["p_one_sided"].tolist() == pytest.approx([stats.t(29).sf(t) for t in steps["t"]])


def test_causal_steps_fail_a_significantly_negative_total_effect(panel):
    df = panel.assign(IC=-panel["IC"])  # c < 0 and strongly significant: two-sided p would "pass"
    steps = causal_steps(fit_mediation(df, controls=CONTROLS)).set_index("step")
    assert steps.loc[1, "estimate"] < 0 and steps.loc[1, "t"] < -3
    assert not steps.loc[1, "passes"] and steps.loc[1, "p_one_sided"] > 0.99
    assert steps.loc[2, "passes"] and steps.loc[3, "estimate"] < 0 and not steps.loc[3, "passes"]
    with pytest.raises(ValueError, match="alpha"):
        causal_steps(fit_mediation(df, controls=CONTROLS), alpha=0.7)


def test_paper_causal_steps_use_the_printed_t():
    steps = paper_causal_steps(reported_coefficients())
    assert steps["t"].tolist() == [3.76, 3.27, 3.11] and steps["passes"].all()
    assert (steps["reference"] == "t(29)").all()
