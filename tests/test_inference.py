"""FWL equals fit_twfe, fast WCR equals a brute-force WCR and behaves, jackknife, permutation test."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from test_models import make_panel

from helpers.data.panel import load_panel
from helpers.estimate.inference import (
    WEBB_POINTS,
    bootstrap_weights,
    cluster_se,
    cv3_se,
    inference_table,
    jackknife,
    partial_out,
    randomization_test,
    wild_cluster_bootstrap,
    wild_confidence_interval,
)
from helpers.estimate.models import ModelInputError, fit_twfe

CONTROLS = ["gov", "hum", "pgdp", "open", "edu"]


def _panel_many(g: int, t: int, effect: float, seed: int) -> pd.DataFrame:
    """Balanced panel with g clusters, clustered errors and a true DE effect ``effect``."""
    rng = np.random.default_rng(seed)
    prov = np.repeat(np.arange(g), t)
    year = np.tile(np.arange(t), g)
    alpha = rng.normal(size=g)[prov]
    shock = rng.normal(size=g)[prov]  # within-cluster correlation of the errors
    de = rng.normal(size=g * t) + 0.5 * alpha + 0.5 * rng.normal(size=g)[prov]
    gov = rng.normal(size=g * t)
    ic = effect * de + 0.3 * gov + alpha + rng.normal(size=t)[year] + shock * 0.7 + rng.normal(size=g * t)
    return pd.DataFrame({"province": prov, "year": year, "IC": ic, "DE": de, "gov": gov})


def test_fwl_equals_fit_twfe_synthetic_balanced_and_unbalanced():
    df = make_panel()
    unbalanced = df.drop(index=[0, 1, 2, 40, 41, 200]).copy()
    unbalanced.loc[[100, 150], "hum"] = np.nan
    for data in (df, unbalanced):
        p = partial_out(data, "IC", "DE", CONTROLS)
        res = fit_twfe(data, "IC", ["DE", *CONTROLS])
        assert p.n == int(res.nobs)
        assert abs(p.coef - float(res.params["DE"])) < 1e-10
        assert abs(cluster_se(p) - float(res.std_errors["DE"])) < 1e-10


def test_fwl_equals_fit_twfe_real_panel():
    df = load_panel()  # builds data/derived/panel.csv from data/raw if absent
    for ctrl in ([], CONTROLS):
        p = partial_out(df, "IC", "DE", ctrl)
        res = fit_twfe(df, "IC", ["DE", *ctrl])
        assert abs(p.coef - float(res.params["DE"])) < 1e-10
        assert abs(cluster_se(p) - float(res.std_errors["DE"])) < 1e-10


def test_two_way_and_hc1_match_statsmodels():
    df = make_panel()
    p = partial_out(df, "IC", "DE", ["gov", "hum"])
    groups = np.column_stack([pd.factorize(df["province"])[0], pd.factorize(df["year"])[0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels warns on the dummies' variances
        raw = smf.ols("IC ~ DE + gov + hum + C(province) + C(year)", df).fit(
            cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False}).bse["DE"] ** 2
        hc1 = smf.ols("IC ~ DE + gov + hum + C(province) + C(year)", df).fit(cov_type="HC1").bse["DE"]
    gmin = 11
    factor = gmin / (gmin - 1) * (p.n - 1) / (p.n - p.k_stata)
    assert cluster_se(p, clustering="two_way") ** 2 == pytest.approx(factor * raw, rel=1e-10)
    assert cluster_se(p, clustering="hc1") == pytest.approx(hc1, rel=1e-10)


def test_partial_out_rejects_bad_input():
    df = make_panel()
    with pytest.raises(ModelInputError, match="not in the data frame"):
        partial_out(df, "IC", "nope")
    with pytest.raises(ModelInputError, match="not the string"):
        partial_out(df, "IC", "DE", "gov")
    const = df.assign(DE=1.0)
    with pytest.raises(ModelInputError, match="no variation"):
        partial_out(const, "IC", "DE")


def _brute_force_wcr(df: pd.DataFrame, controls: list[str], beta0: float, v: np.ndarray) -> np.ndarray:
    """WCR bootstrap t* by refitting the full dummy regression for every draw (no FWL, no G x G trick)."""
    df = df.sort_values(["province", "year"]).reset_index(drop=True)
    ent = pd.get_dummies(df["province"]).to_numpy(float)
    per = pd.get_dummies(df["year"]).to_numpy(float)[:, 1:]
    z = np.column_stack([ent, per, df[controls].to_numpy(float)])
    x, y = df["DE"].to_numpy(float), df["IC"].to_numpy(float)
    full = np.column_stack([x, z])
    gam = np.linalg.lstsq(z, y - beta0 * x, rcond=None)[0]
    fitted_r = z @ gam + beta0 * x
    u_r = y - fitted_r
    codes = pd.factorize(df["province"], sort=True)[0]
    g, n = len(set(codes)), len(y)
    k = 1 + len(controls) + 1 + per.shape[1]
    factor = g / (g - 1) * (n - 1) / (n - k)
    xtx_inv = np.linalg.pinv(full.T @ full)
    out = []
    for b in range(v.shape[1]):
        ystar = fitted_r + u_r * v[codes, b]
        coef = xtx_inv @ full.T @ ystar
        e = ystar - full @ coef
        scores = np.array([full[codes == c].T @ e[codes == c] for c in range(g)])
        var = factor * (xtx_inv @ scores.T @ scores @ xtx_inv)[0, 0]
        out.append((coef[0] - beta0) / np.sqrt(var))
    return np.array(out)


@pytest.mark.parametrize("beta0", [0.0, 0.4])
def test_fast_wcr_equals_brute_force(beta0):
    df = _panel_many(8, 5, 0.3, seed=3)
    df.loc[df.index[[2, 17]], "gov"] = np.nan  # unbalanced
    df = df.dropna()
    p = partial_out(df, "IC", "DE", ["gov"])
    wb = wild_cluster_bootstrap(p, beta0, draws=40, weights="webb", seed=11)
    v = bootstrap_weights(p.n_clusters, 40, "webb", np.random.default_rng(11))
    np.testing.assert_allclose(wb.t_draws, _brute_force_wcr(df, ["gov"], beta0, v), rtol=1e-8, atol=1e-10)


def test_wcr_reproducible_from_seed():
    p = partial_out(make_panel(), "IC", "DE", CONTROLS)
    a = wild_cluster_bootstrap(p, draws=999, weights="rademacher", seed=5)
    b = wild_cluster_bootstrap(p, draws=999, weights="rademacher", seed=5)
    c = wild_cluster_bootstrap(p, draws=999, weights="rademacher", seed=6)
    np.testing.assert_array_equal(a.t_draws, b.t_draws)
    assert a.p_two_sided == b.p_two_sided
    assert not np.array_equal(a.t_draws, c.t_draws)


def test_weights_have_the_right_support():
    rng = np.random.default_rng(0)
    assert set(np.unique(bootstrap_weights(30, 500, "rademacher", rng))) == {-1.0, 1.0}
    webb = bootstrap_weights(30, 2000, "webb", rng)
    np.testing.assert_allclose(np.unique(webb), np.sort(WEBB_POINTS))
    assert abs(webb.mean()) < 0.05 and abs((webb**2).mean() - 1) < 0.05
    with pytest.raises(ValueError, match="kind must be one of"):
        bootstrap_weights(3, 3, "mammen", rng)


def test_wcr_under_the_null_is_not_systematically_small():
    pvals = []
    for s in range(25):
        p = partial_out(_panel_many(200, 4, 0.0, seed=100 + s), "IC", "DE", ["gov"])
        pvals.append(wild_cluster_bootstrap(p, draws=199, weights="webb", seed=s).p_two_sided)
    pvals = np.array(pvals)
    assert 0.3 < pvals.mean() < 0.7
    assert np.mean(pvals < 0.05) <= 0.2


def test_wcr_close_to_cr1_normal_with_many_clusters():
    p = partial_out(_panel_many(200, 4, 0.12, seed=7), "IC", "DE", ["gov"])
    t = p.coef / cluster_se(p)
    p_normal = 2 * stats.norm.sf(abs(t))
    assert 0.001 < p_normal < 0.2  # an informative, not degenerate, effect size
    for kind in ("rademacher", "webb"):
        wb = wild_cluster_bootstrap(p, draws=4999, weights=kind, seed=1)
        assert wb.p_two_sided == pytest.approx(p_normal, abs=0.02)


def test_wild_interval_inverts_the_test():
    p = partial_out(make_panel(), "IC", "DE", CONTROLS)
    lo, hi = wild_confidence_interval(p, draws=999, weights="webb", seed=3)
    assert lo < p.coef < hi
    se = cluster_se(p)
    for bound, outward in ((lo, -1), (hi, 1)):
        inside = wild_cluster_bootstrap(p, bound - outward * 1e-3 * se, draws=999, weights="webb", seed=3)
        outside = wild_cluster_bootstrap(p, bound + outward * 1e-3 * se, draws=999, weights="webb", seed=3)
        assert inside.p_two_sided >= 0.05 > outside.p_two_sided


def test_jackknife_has_one_estimate_per_cluster_and_centres_on_full():
    df = make_panel()
    p = partial_out(df, "IC", "DE", CONTROLS)
    jack = jackknife(df, "IC", "DE", CONTROLS)
    assert len(jack) == 30 and jack["province"].is_unique
    assert abs(jack["coef"].mean() - p.coef) < 0.5 * cluster_se(p)
    one = jack.iloc[4]
    ref = fit_twfe(df[df["province"] != one["province"]], "IC", ["DE", *CONTROLS])
    assert one["coef"] == pytest.approx(float(ref.params["DE"]), abs=1e-10)
    assert cv3_se(jack, p.coef) == pytest.approx(
        np.sqrt(29 / 30 * np.sum((jack["coef"] - p.coef) ** 2)), rel=1e-12)


def test_randomization_reproducible_and_needs_balance():
    df = make_panel()
    a = randomization_test(df, "IC", "DE", ["gov"], draws=199, seed=2)
    b = randomization_test(df, "IC", "DE", ["gov"], draws=199, seed=2)
    np.testing.assert_array_equal(a.t_draws, b.t_draws)
    assert 0 < a.p_two_sided <= 1
    # the true effect in make_panel is 0.3 with 330 rows: shuffled paths should rarely beat it
    assert a.p_two_sided < 0.05
    with pytest.raises(ModelInputError, match="unbalanced"):
        randomization_test(df.drop(index=[5]), "IC", "DE", ["gov"], draws=9, seed=2)


def test_inference_table_rows_and_columns():
    tab = inference_table(make_panel(), "IC", "DE", ["gov"], draws=199, permutations=99, seed=1,
                          wild_ci=False)
    assert list(tab["method"]) == ["CR1 (Stata factor)", "CR1 (Stata factor)", "CV3 jackknife",
                                   "WCR bootstrap, rademacher weights", "WCR bootstrap, webb weights",
                                   "Randomization (DE paths permuted)"]
    assert tab["coef"].nunique() == 1
    assert ((tab["p_two_sided"] >= 0) & (tab["p_two_sided"] <= 1)).all()
    assert tab.loc[1, "p_two_sided"] > tab.loc[0, "p_two_sided"]  # t(29) has fatter tails than normal




def test_driscoll_kraay_fast_path_equals_linearmodels():
    from helpers.data import load_panel
    from helpers.estimate.inference import dk_se, driscoll_kraay

    panel = load_panel()
    for controls in ([], ["gov", "hum", "pgdp", "open", "edu"]):
        p = partial_out(panel, "IC", "DE", controls)
        coef, se, bw, periods = driscoll_kraay(panel, "IC", "DE", controls)
        assert coef == pytest.approx(p.coef, abs=1e-10)
        assert dk_se(p) == pytest.approx(se, rel=1e-10)
        assert bw == 2 and periods == len(p.times)


def test_size_of_the_headline_tests_under_heterogeneous_provinces():
    """Under beta = 0 on 30 x 11 panels whose error variance rises with DE's leverage, the WCR tests
    (the book's headline p-values) reject at about 5 %; CR1 does not, which is why it is not the headline."""
    from helpers.estimate.simulations import SIZE_METHODS, size_simulation

    size = size_simulation(reps=400, draws=199, permutations=99, seed=11)
    assert set(size["method"]) == set(SIZE_METHODS) and len(size) == 3 * len(SIZE_METHODS)
    headline = size[size["method"].str.startswith("WCR")]
    # about 7 %: 5 % plus two Monte Carlo standard errors at 400 replications (1.1 points)
    assert (headline["rejection_rate"] <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 400) + 1e-9).all(), headline
    strong = size[size["design"] == "heterogeneous, strong"].set_index("method")["rejection_rate"]
    assert strong["CR1, t(G-1)"] > 0.10  # the over-rejection the wild bootstrap repairs
