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


# ---------------------------------------------------------------- issue 11: joint covariance, sensitivity


def test_joint_cov_ab_diagonal_equals_separate_fits_and_cross_term_equals_linearmodels_sur(panel):
    """The diagonal is fit_twfe's CR1 variance of a and b; the whole matrix, without the small-sample
    factors, is linearmodels' SUR (equation-by-equation OLS) clustered covariance of (a, b)."""
    from linearmodels.system import SUR

    from helpers.estimate.endogeneity import within
    from helpers.estimate.inference import partial_out
    from helpers.estimate.mediation import joint_cov_ab

    med = fit_mediation(panel, controls=CONTROLS)
    v = med.cov_ab()
    assert v[0, 0] == pytest.approx(float(med.mediator_fit.std_errors["DE"]) ** 2, rel=1e-10)
    assert v[1, 1] == pytest.approx(float(med.outcome_fit.std_errors["TI"]) ** 2, rel=1e-10)
    assert np.array_equal(v, joint_cov_ab(panel, controls=CONTROLS))
    w = within(panel, ["IC", "DE", "TI", *CONTROLS])
    f = w.frame
    eqs = {"med": {"dependent": f["TI"], "exog": f[["DE", *CONTROLS]]},
           "out": {"dependent": f["IC"], "exog": f[["DE", "TI", *CONTROLS]]}}
    sur = SUR(eqs).fit(method="ols", cov_type="clustered", clusters=pd.DataFrame(w.clusters, index=f.index),
                       debiased=False, group_debias=False)
    names = ["med_DE", "out_TI"]
    ref = sur.cov.loc[names, names].to_numpy()
    fa = partial_out(panel, "TI", "DE", CONTROLS).cr1_factor
    fb = partial_out(panel, "IC", "TI", ["DE", *CONTROLS]).cr1_factor
    scale = np.array([[fa, np.sqrt(fa * fb)], [np.sqrt(fa * fb), fb]])
    assert np.allclose(v / scale, ref, rtol=1e-8, atol=0)
    assert float(sur.params["med_DE"]) == pytest.approx(med.a, rel=1e-10)


def test_sobel_with_covariance_and_t_reference():
    se0, z0, p0 = sobel(0.5, 0.1, 0.4, 0.2)
    se, z, p = sobel(0.5, 0.1, 0.4, 0.2, cov=0.005, df=29)
    assert se**2 == pytest.approx(se0**2 + 2 * 0.5 * 0.4 * 0.005)
    assert z == pytest.approx(0.2 / se)
    from scipy import stats

    assert p == pytest.approx(2 * stats.t(29).sf(abs(z)))
    assert p0 == pytest.approx(2 * stats.norm.sf(abs(z0)))


def _sem_panel(rho: float, n_prov: int = 400, n_years: int = 11, seed: int = 7) -> tuple[pd.DataFrame, float]:
    """A panel from the linear SEM with corr(e_M, e_Y) = rho; returns it and the true a*b."""
    rng = np.random.default_rng(seed)
    n = n_prov * n_years
    prov = np.repeat(np.arange(n_prov), n_years)
    year = np.tile(np.arange(2011, 2011 + n_years), n_prov)
    t = rng.normal(size=n) + rng.normal(size=n_prov)[prov] + 0.1 * (year - 2011)
    e = rng.multivariate_normal([0, 0], [[1, rho * 0.5], [rho * 0.5, 0.25]], size=n)
    a, b, c_prime = 0.8, 0.5, -0.3
    m = a * t + e[:, 0] + rng.normal(size=n_prov)[prov]
    y = c_prime * t + b * m + e[:, 1] + rng.normal(size=n_prov)[prov] + 0.05 * (year - 2011)
    return pd.DataFrame({"province": prov, "year": year, "IC": y, "DE": t, "TI": m}), a * b


@pytest.mark.parametrize("rho0", [-0.4, 0.0, 0.5])
def test_acme_sensitivity_recovers_the_truth_at_the_true_rho(rho0):
    """With confounding of the mediator and the outcome (errors correlated rho0) the naive a*b is biased;
    the sensitivity curve evaluated at rho0 recovers the true effect (large simulated panel)."""
    from helpers.estimate.mediation import acme_sensitivity

    df, truth = _sem_panel(rho0)
    med = fit_mediation(df)
    curve = acme_sensitivity(df, [0.0, rho0])
    assert curve["acme"].iloc[0] == pytest.approx(med.indirect, rel=1e-10)  # rho = 0 is the estimate
    assert curve["acme"].iloc[1] == pytest.approx(truth, abs=0.02)
    if rho0 != 0:
        assert abs(med.indirect - truth) > 0.1  # the naive estimate is off: the test has power
    zero = curve.attrs["rho_zero"]
    assert acme_sensitivity(df, [zero])["acme"].iloc[0] == pytest.approx(0.0, abs=1e-10)
    with pytest.raises(ValueError, match="strictly between"):
        acme_sensitivity(df, [1.0])
