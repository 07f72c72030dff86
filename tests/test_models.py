"""fit_twfe / fit_pooled against statsmodels with dummies, the covariance corrections, add_lag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from linearmodels.datasets import wage_panel

from helpers.data.panel import load_panel
from helpers.estimate.models import ModelInputError, add_lag, covariance_variants, fit_pooled, fit_twfe, tidy

REGS = ["DE", "gov", "hum", "pgdp", "open", "edu"]

# The synthetic panel lives here (not in a shared conftest) and test_tables/test_mediation import it.


def make_panel(seed: int = 7, n_prov: int = 30, years: range = range(2011, 2022)) -> pd.DataFrame:
    """Synthetic balanced panel with IC, DE, TI and five controls, entity and year effects."""
    rng = np.random.default_rng(seed)
    rows = [(f"P{i:02d}", y) for i in range(n_prov) for y in years]
    df = pd.DataFrame(rows, columns=["province", "year"])
    alpha = rng.normal(size=n_prov)[df.index // len(years)]
    gamma = rng.normal(size=len(years))[df["year"] - years.start]
    for c in ("gov", "hum", "pgdp", "open", "edu"):
        df[c] = rng.normal(size=len(df)) + 0.3 * alpha
    df["DE"] = rng.normal(size=len(df)) + 0.5 * alpha + 0.2 * gamma
    df["TI"] = 0.4 * df["DE"] + 0.2 * df["gov"] + alpha + rng.normal(size=len(df))
    noise = rng.normal(size=len(df)) * (1 + 0.5 * np.abs(alpha))
    df["IC"] = 0.3 * df["DE"] + 0.25 * df["TI"] + 0.1 * df["gov"] - 0.1 * df["edu"] + alpha + gamma + noise
    return df


@pytest.fixture
def panel() -> pd.DataFrame:
    """The seeded synthetic panel (330 rows)."""
    return make_panel()


@pytest.fixture
def real_panel() -> pd.DataFrame:
    """The default panel, data/derived/panel.csv (built from data/raw/ if absent)."""
    return load_panel()


def _lsdv(df: pd.DataFrame, y: str, regs: list[str], entity: str, time: str):
    formula = f"{y} ~ {' + '.join(regs)} + C({entity}) + C({time})"
    return smf.ols(formula, df).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(df[entity])[0]})


def _check_against_statsmodels(df, y, regs, entity="province", time="year"):
    df = df.dropna(subset=[y, *regs])
    sm = _lsdv(df, y, regs, entity, time)
    lsdv = fit_twfe(df, y, regs, entity=entity, time=time, small_sample="lsdv")
    ours = fit_twfe(df, y, regs, entity=entity, time=time)
    np.testing.assert_allclose(ours.params[regs], sm.params[regs], rtol=0, atol=1e-10)
    np.testing.assert_allclose(lsdv.std_errors[regs], sm.bse[regs], rtol=0, atol=1e-8)
    # Stata xtreg, fe does not count the entity effects nested in the clusters
    n, g, t = len(df), df[entity].nunique(), df[time].nunique()
    k_full, k_xt = len(regs) + g + t - 1, len(regs) + 1 + t - 1
    ratio = np.sqrt((n - k_full) / (n - k_xt))
    np.testing.assert_allclose(ours.std_errors[regs], sm.bse[regs] * ratio, rtol=0, atol=1e-8)


def test_twfe_matches_statsmodels_dummies(panel):
    _check_against_statsmodels(panel, "IC", REGS)


def test_twfe_matches_statsmodels_on_wage_panel():
    df = wage_panel.load()
    df = df[df["nr"].isin(df["nr"].unique()[:120])]  # 120 workers keep statsmodels' dummies fast
    _check_against_statsmodels(df, "lwage", ["expersq", "union", "married", "hours"], "nr", "year")


def test_twfe_matches_statsmodels_on_real_panel(real_panel):
    _check_against_statsmodels(real_panel, "IC", ["DE", "gov", "edu"])
    _check_against_statsmodels(real_panel, "IC", REGS)  # short controls: complete cases only


def test_constant_is_grand_mean_intercept(panel):
    res = fit_twfe(panel, "IC", ["DE", "gov"])
    x = pd.get_dummies(panel["year"], drop_first=True, dtype=float)
    xbar = np.r_[panel[["DE", "gov"]].mean().to_numpy(), x.mean().to_numpy()]
    slopes = res.params.drop("const").to_numpy()
    assert res.params["const"] == pytest.approx(panel["IC"].mean() - xbar @ slopes, abs=1e-10)


def test_missing_rows_dropped_and_n_reported(panel):
    df = panel.copy()
    df.loc[[0, 5, 17], "gov"] = np.nan
    df.loc[40, "IC"] = np.nan
    res = fit_twfe(df, "IC", ["DE", "gov"])
    assert res.nobs == 326
    assert res.fit_info.n_dropped == 4
    assert set(tidy(res)["n"]) == {326}


def test_cr0_and_pvalue_reference(panel):
    res = fit_twfe(panel, "IC", ["DE"], small_sample="none")
    ours = fit_twfe(panel, "IC", ["DE"])
    n, g, k = 330, 30, 1 + 1 + 10
    factor = g / (g - 1) * (n - 1) / (n - k)
    assert ours.std_errors["DE"] == pytest.approx(res.std_errors["DE"] * np.sqrt(factor), rel=1e-12)
    tab = tidy(ours).set_index("term")
    from scipy import stats
    assert tab.loc["DE", "p"] == pytest.approx(2 * stats.t(29).sf(abs(tab.loc["DE", "t"])), rel=1e-12)


def test_pooled_matches_statsmodels(panel):
    sm = smf.ols("IC ~ DE + gov", panel).fit(cov_type="cluster",
                                               cov_kwds={"groups": pd.factorize(panel["province"])[0]})
    res = fit_pooled(panel, "IC", ["DE", "gov"])
    np.testing.assert_allclose(res.params[["const", "DE", "gov"]], sm.params[["Intercept", "DE", "gov"]],
                               atol=1e-10)
    np.testing.assert_allclose(res.std_errors[["const", "DE", "gov"]], sm.bse[["Intercept", "DE", "gov"]],
                               atol=1e-8)


def test_covariance_variants_table(panel):
    tab = covariance_variants(panel, "IC", REGS).set_index("variant")
    lsdv = tab.loc["lsdv_dummies", "se"]
    assert tab.loc["linearmodels_group_debias", "se"] == pytest.approx(lsdv, rel=1e-10)
    assert tab.loc["cr0", "factor"] == pytest.approx(1.0)
    assert np.ptp(tab["coef"]) < 1e-10
    assert tab.loc["stata_xtreg (book)", "se"] < tab.loc["lsdv_dummies", "se"]


def test_bad_input_errors_are_one_line(panel):
    with pytest.raises(ModelInputError, match="'nope'"):
        fit_twfe(panel, "IC", ["nope"])
    with pytest.raises(ModelInputError, match="list of names"):
        fit_twfe(panel, "IC", "DE")
    dup = pd.concat([panel, panel.iloc[[3]]])
    with pytest.raises(ModelInputError, match="more than one row"):
        fit_twfe(dup, "IC", ["DE"])


def test_lag_never_crosses_entities(panel):
    out = add_lag(panel, "IC")
    first = out.groupby("province")["year"].transform("min") == out["year"]
    assert out.loc[first, "L1_IC"].isna().all()
    inner = out.loc[~first]
    prev = panel.set_index(["province", "year"])["IC"]
    expect = [prev[(p, y - 1)] for p, y in zip(inner["province"], inner["year"], strict=True)]
    np.testing.assert_array_equal(inner["L1_IC"].to_numpy(), np.array(expect))
    assert out["L1_IC"].notna().sum() == 300


def test_lag_respects_gaps_and_order(panel):
    gappy = panel[~((panel["province"] == "P03") & (panel["year"] == 2015))].sample(frac=1, random_state=1)
    out = add_lag(gappy, "DE", periods=1)
    row = out[(out["province"] == "P03") & (out["year"] == 2016)]
    assert row["L1_DE"].isna().all()
    assert out.index.equals(gappy.index)
    two = add_lag(panel, "DE", periods=2, name="L2")
    val = two.loc[(two["province"] == "P01") & (two["year"] == 2020), "L2"].item()
    assert val == panel.loc[(panel["province"] == "P01") & (panel["year"] == 2018), "DE"].item()


def test_a_regressor_absorbed_by_the_effects_is_a_one_line_error(panel):
    one_year = panel[panel["year"] == panel["year"].max()]
    with pytest.raises(ModelInputError) as err:
        fit_twfe(one_year, "IC", ["DE"], time_effects=False)
    assert "absorbed" in str(err.value) and "\n" not in str(err.value)
