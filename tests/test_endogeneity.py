"""IV with two-way fixed effects, the Anderson-Rubin test and its inversion, slopes by group (issue 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_models import make_panel

from helpers.estimate import add_lag, fit_twfe
from helpers.estimate.endogeneity import anderson_rubin, anderson_rubin_set, group_slopes, iv_twfe, within


def _iv_panel(strength: float, beta: float = 0.5, n_prov: int = 30, n_years: int = 11,
              seed: int = 3) -> pd.DataFrame:
    """x endogenous (shares the error u with y), z1, z2 instruments of the given strength."""
    rng = np.random.default_rng(seed)
    n = n_prov * n_years
    prov = np.repeat(np.arange(n_prov), n_years)
    year = np.tile(np.arange(2011, 2011 + n_years), n_prov)
    z = rng.normal(size=(n, 2))
    u = rng.normal(size=n)
    w = rng.normal(size=n)
    x = strength * (z[:, 0] + 0.5 * z[:, 1]) + 0.8 * u + rng.normal(size=n) + rng.normal(size=n_prov)[prov]
    y = beta * x + 0.3 * w + u + rng.normal(size=n_prov)[prov] + 0.1 * (year - 2011)
    return pd.DataFrame({"province": prov, "year": year, "y": y, "x": x, "z1": z[:, 0], "z2": z[:, 1],
                         "w": w})


def test_iv_with_the_regressor_as_its_own_instrument_is_fit_twfe():
    """2SLS with Z = X is OLS: coefficient and the book's CR1 standard error equal fit_twfe's."""
    df = make_panel()
    df["DE_copy"] = df["DE"]
    iv = iv_twfe(df, "IC", "DE", ["DE_copy"], ["gov", "edu"])
    ols = fit_twfe(df, "IC", ["DE", "gov", "edu"])
    assert iv.coef == pytest.approx(float(ols.params["DE"]), rel=1e-10)
    assert iv.se == pytest.approx(float(ols.std_errors["DE"]), rel=1e-10)
    assert iv.p == pytest.approx(2 * stats.t(29).sf(abs(iv.coef / iv.se)))


def test_first_stage_f_and_anderson_rubin_equal_linearmodels_wald_tests():
    df = _iv_panel(0.5)
    iv = iv_twfe(df, "y", "x", ["z1", "z2"], ["w"])
    first = fit_twfe(df, "x", ["z1", "z2", "w"])
    wald = first.wald_test(formula="z1 = 0, z2 = 0")
    assert iv.first_stage_f == pytest.approx(float(wald.stat) / 2, rel=1e-8)
    # several values at once: the statistics are computed as a batch, each must equal its own fit
    ar = anderson_rubin(df, "y", "x", ["z1", "z2"], ["w"], [-3.0, 0.2, 0.5, 7.0])
    for row in ar.itertuples():
        df["y0"] = df["y"] - row.beta0 * df["x"]
        red = fit_twfe(df, "y0", ["z1", "z2", "w"]).wald_test(formula="z1 = 0, z2 = 0")
        assert row.F == pytest.approx(float(red.stat) / 2, rel=1e-8)
        assert row.p == pytest.approx(float(stats.f(2, 29).sf(red.stat / 2)), rel=1e-8)


def test_anderson_rubin_set_strong_instruments_is_close_to_wald_and_its_ends_have_p_alpha():
    df = _iv_panel(2.0)
    iv = iv_twfe(df, "y", "x", ["z1"], ["w"])  # just identified: AR set is an interval near Wald's
    ar = anderson_rubin_set(df, "y", "x", ["z1"], ["w"], grid=np.linspace(-5, 5, 201))
    assert ar.bounded and len(ar.intervals) == 1
    lo, hi = iv.ci()
    assert ar.lo < 0.5 < ar.hi
    assert ar.lo == pytest.approx(lo, abs=0.1 * (hi - lo)) and ar.hi == pytest.approx(hi, abs=0.1 * (hi - lo))
    ends = anderson_rubin(df, "y", "x", ["z1"], ["w"], [ar.lo, ar.hi])["p"]
    assert np.allclose(ends, 0.05, atol=1e-8)


def test_anderson_rubin_set_is_unbounded_with_irrelevant_instruments():
    df = _iv_panel(0.0)
    ar = anderson_rubin_set(df, "y", "x", ["z1", "z2"], ["w"], grid=np.linspace(-50, 50, 101))
    assert not ar.bounded and (ar.lo == -np.inf or ar.hi == np.inf)


def test_anderson_rubin_covers_the_truth_at_about_the_nominal_rate():
    """Weak instruments, 200 simulated panels: the AR test of the true beta rejects near 5% (F(2, 29))."""
    p = [float(anderson_rubin(_iv_panel(0.1, seed=s), "y", "x", ["z1", "z2"], ["w"], 0.5)["p"].iloc[0])
         for s in range(200)]
    rejections = np.array(p) < 0.05
    assert 0.01 <= np.mean(rejections) <= 0.10


def test_within_removes_both_effects_on_an_unbalanced_panel():
    df = make_panel().drop(index=[0, 5, 17])
    w = within(df, ["IC", "DE"])
    assert w.n == len(df) and w.n_clusters == 30
    for key in ("province", "year"):
        means = w.frame.assign(k=w.sample[key].to_numpy()).groupby("k").mean().abs().max().max()
        assert means < 1e-10
    assert w.cr1_factor(1) == pytest.approx(30 / 29 * (w.n - 1) / (w.n - 1 - 11))


def test_group_slopes_recover_known_slopes_and_test_equality():
    rng = np.random.default_rng(0)
    df = make_panel()
    group = {p: ("a", "b", "c")[i % 3] for i, p in enumerate(sorted(df["province"].unique()))}
    df["g"] = df["province"].map(group)
    slope = df["g"].map({"a": 1.0, "b": 2.0, "c": 3.0})
    df["y"] = slope * df["DE"] + rng.normal(scale=0.01, size=len(df))
    table, test = group_slopes(df, "y", "DE", "g", levels=["c", "a", "b"])
    assert list(table["g"]) == ["c", "a", "b"]
    assert np.allclose(table["coef"], [3.0, 1.0, 2.0], atol=0.05)
    assert test["q"] == 2 and test["p"] < 1e-6 and table["clusters"].sum() == 30
    df["y"] = 2.0 * df["DE"] + rng.normal(scale=0.01, size=len(df))
    assert group_slopes(df, "y", "DE", "g")[1]["p"] > 0.01


def test_lagged_instruments_on_the_real_panel_use_the_rows_both_lags_allow():
    df = make_panel()
    lagged = add_lag(add_lag(df, "DE", periods=1, name="L1_DE"), "DE", periods=2, name="L2_DE")
    iv = iv_twfe(lagged, "IC", "DE", ["L1_DE", "L2_DE"])
    assert iv.within.n == 30 * (df["year"].nunique() - 2)
