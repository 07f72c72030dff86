"""Multiverse (one row per spec, unique ids, deterministic, fork map), teaching simulations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_models import make_panel

from helpers.book.figures import specification_curve
from helpers.data.panel import FORK_DEFAULTS, MODEL_VARS, MULTIVERSE_CHOICES, build_panel, load_panel
from helpers.estimate.inference import DEFAULT_SEED, cluster_se, partial_out, wild_cluster_bootstrap
from helpers.estimate.models import add_lag, fit_twfe
from helpers.estimate.multiverse import (
    CURVE_TEST_COLUMNS,
    FORK_VARIABLES,
    MODEL_CHOICES,
    MULTIVERSE_FORKS,
    baseline_spec_id,
    choice_regression,
    curve_test,
    multiverse,
    multiverse_summary,
)
from helpers.estimate.simulations import mediation_identity_simulation, nickell_simulation, within_variation

CONTROLS = ("gov", "hum", "pgdp", "open", "edu")


def _fake_builder(calls: list[dict]):
    """A synthetic stand-in for build_panel: each fork value shifts only the variables it owns."""
    base = make_panel()
    base["municipality"] = base["province"].isin(["P00", "P01", "P02", "P03"])

    def build(**forks: object) -> pd.DataFrame:
        calls.append(dict(forks))
        df = base.copy()
        for f, value in forks.items():
            if f not in FORK_VARIABLES:  # forks the multiverse never varies (interpolate, shift, ...)
                continue
            k = MULTIVERSE_CHOICES[f].index(value)
            for v in FORK_VARIABLES[f]:
                if v in df.columns:
                    df[v] = df[v] + 0.3 * k * np.sin(np.arange(len(df)) * (k + 1))
        if forks.get("hum_proxy") == "tech_staff":
            df.loc[df["year"] > 2017, "hum"] = np.nan  # a shorter proxy, as in the real data
        return df

    return build


def test_multiverse_one_row_per_spec_unique_ids_deterministic_every_choice_covered():
    calls: list[dict] = []
    a = multiverse(builder=_fake_builder(calls))
    b = multiverse(builder=_fake_builder([]))
    assert a["spec_id"].is_unique
    pd.testing.assert_frame_equal(a, b)
    assert not a.duplicated([c for c in a.columns if c not in ("spec_id",)] ).any()
    assert (a["ti"] == "n/a").all()  # TI is the mechanism's variable, never in model (1)
    assert (a.loc[~a["with_hum"], "hum_proxy"] == "n/a").all()
    for fork in MULTIVERSE_FORKS:
        assert set(a[fork]) - {"n/a"} == set(MULTIVERSE_CHOICES[fork]), fork
    for choice, values in MODEL_CHOICES.items():
        assert set(a[choice]) == set(values), choice
    assert a["controls"].nunique() == 2 ** len(CONTROLS)
    assert a.attrs["panels_built"] == len(calls) == len({tuple(sorted(c.items())) for c in calls})
    assert (a.loc[a["hum_proxy"] == "tech_staff", "n"] < 330).all()
    # one covariance: CR1 with t(G-1)
    assert (a["df"] == a["clusters"] - 1).all()


def test_multiverse_estimates_equal_direct_fits_and_baseline_id():
    mv = multiverse(builder=_fake_builder([]), grid="one_at_a_time")
    build = _fake_builder([])
    base = mv.set_index("spec_id").loc[baseline_spec_id()]
    p = partial_out(build(), "IC", "DE", list(CONTROLS))
    assert base["coef"] == pytest.approx(p.coef, abs=1e-12) and base["n"] == p.n
    assert base["se"] == pytest.approx(cluster_se(p), rel=1e-10)
    row = mv[(mv["de_composition"] == "table1") & (mv["controls"] == "gov+hum+pgdp")].iloc[0]
    q = partial_out(build(de_composition="table1"), "IC", "DE", ["gov", "hum", "pgdp"])
    assert row["coef"] == pytest.approx(q.coef, abs=1e-12)
    assert (mv["ci_lo"] < mv["coef"]).all() and (mv["coef"] < mv["ci_hi"]).all()


def test_multiverse_rejects_unknown_choices():
    with pytest.raises(ValueError, match="unknown fork"):
        multiverse(forks=("nope",), builder=_fake_builder([]))
    with pytest.raises(ValueError, match="choices must give"):
        multiverse(choices={"outcome": ("IC",)}, builder=_fake_builder([]))
    with pytest.raises(ValueError, match="grid must be one of"):
        multiverse(grid="half", builder=_fake_builder([]))


def _direct(spec: pd.Series, controls: tuple[str, ...]) -> tuple[float, float, int]:
    """One specification fitted from scratch with linearmodels (fit_twfe) on build_panel's panel."""
    forks = {f: spec[f] for f in MULTIVERSE_FORKS if spec[f] != "n/a"}
    df = build_panel(**forks)
    if spec["outcome"] == "log_IC":
        df["IC"] = np.log(df["IC"])
    if spec["de_timing"] == "lagged":
        df = add_lag(df, "DE")
        df["DE"] = df["L1_DE"]
    if spec["window"] == "2013-2021":
        df = df[df["year"] >= 2013]
    if spec["municipalities"] == "excluded":
        df = df[~df["municipality"].astype(bool)]
    ctrl = [c for c in controls if spec[f"with_{c}"]]
    res = fit_twfe(df, "IC", ["DE", *ctrl])
    return float(res.params["DE"]), float(res.std_errors["DE"]), int(res.nobs)


def test_multiverse_size_and_equality_with_linearmodels():
    """Its speed is measured by `make bench`, not asserted here (a loaded machine is not a slow build)."""
    mv = multiverse(wild_draws=199)
    assert len(mv) >= 1000 and mv["spec_id"].is_unique
    assert mv["coef"].round(12).nunique() >= 1000  # distinct estimates, not repeated samples
    for fork in MULTIVERSE_FORKS:
        assert set(mv[fork]) - {"n/a"} == set(MULTIVERSE_CHOICES[fork]), fork
    for choice, values in MODEL_CHOICES.items():
        assert set(mv[choice]) == set(values), choice
    sample = mv.sample(50, random_state=7)
    for _, spec in sample.iterrows():
        coef, se, n = _direct(spec, CONTROLS)
        assert spec["n"] == n
        assert spec["coef"] == pytest.approx(coef, abs=1e-10), spec["spec_id"]
        assert spec["se"] == pytest.approx(se, rel=1e-10, abs=1e-12), spec["spec_id"]
    # every specification's wild p equals the one-specification WCR with the same weights (30 clusters)
    base = mv.set_index("spec_id").loc[baseline_spec_id()]
    p = partial_out(load_panel(), "IC", "DE", list(CONTROLS))
    wb = wild_cluster_bootstrap(p, draws=199, weights="webb", seed=DEFAULT_SEED)
    assert base["p_wild"] == wb.p_two_sided


def test_curve_test_and_choice_regression():
    mv = multiverse(builder=_fake_builder([]), wild_draws=99, seed=3)
    ct = curve_test(mv).set_index("statistic")
    assert list(ct.columns) == CURVE_TEST_COLUMNS[1:]
    assert ((ct["p_value"] >= 0) & (ct["p_value"] <= 1)).all()
    assert (ct["draws"] == 99).all()
    null = mv.attrs["null"]
    assert len(null["median"]) == 99
    # the null imposes beta = 0: the bootstrap medians centre on zero, not on the observed median
    assert abs(np.mean(null["median"])) < abs(mv["coef"].median()) + 1e-12
    with pytest.raises(ValueError, match="wild_draws"):
        curve_test(multiverse(builder=_fake_builder([]), grid="one_at_a_time"))
    reg = choice_regression(mv, base=FORK_DEFAULTS)
    assert {"choice", "value", "shift", "share_of_variance", "r2"} <= set(reg.columns)
    assert set(reg.loc[reg["choice"] == "outcome", "value"]) == {"log_IC"}
    assert (reg["share_of_variance"] <= 1 + 1e-12).all()


def test_summary_shares():
    mv = pd.DataFrame({"n": [10, 10, 10, 0], "coef": [1.0, -1.0, 2.0, np.nan],
                       "positive_significant": [True, False, False, False],
                       "negative_significant": [False, True, False, False],
                       "outcome": ["a", "a", "b", "b"]})
    s = multiverse_summary(mv).iloc[0]
    assert s["specifications"] == 3
    assert s["share_positive"] == pytest.approx(2 / 3)
    assert s["share_positive_significant"] == pytest.approx(1 / 3)
    by = multiverse_summary(mv, "outcome").set_index("outcome")
    assert by.loc["b", "specifications"] == 1


def test_specification_curve_draws():
    mv = multiverse(builder=_fake_builder([]), grid="one_at_a_time")
    fig = specification_curve(mv, highlight=baseline_spec_id())
    assert len(fig.axes) == 2
    assert len(fig.axes[1].get_yticklabels()) > len(MULTIVERSE_FORKS)


def test_fork_variables_map_matches_build_panel():
    base = build_panel()  # tests/conftest.py has fetched and verified data/raw
    for fork in [*MULTIVERSE_FORKS, "ti"]:
        for value in MULTIVERSE_CHOICES[fork]:
            if value == FORK_DEFAULTS[fork]:
                continue
            other = build_panel(**{fork: value})
            changed = {v for v in MODEL_VARS if not base[v].equals(other[v])}
            assert changed <= set(FORK_VARIABLES[fork]), (fork, value, changed)
    # the column assembly of multiverse(): with every fork changed at once, each variable equals the
    # panel that changes only the forks listed for it
    combo = {f: MULTIVERSE_CHOICES[f][-1] for f in [*MULTIVERSE_FORKS, "ti"]}
    direct = build_panel(**combo)
    for v in MODEL_VARS:
        sub = {f: x for f, x in combo.items() if v in FORK_VARIABLES[f]}
        assert direct[v].equals(build_panel(**sub)[v]), v


def test_within_variation_shares_sum_to_one():
    df = make_panel()
    wv = within_variation(df, "DE", ["gov"])
    assert list(wv["component"]) == ["province effects", "year effects", "controls",
                                     "left to identify the coefficient"]
    assert wv["share"].sum() == pytest.approx(1.0)
    assert (wv["share"] >= -1e-12).all()
    # sd_remaining is what is left after each step: it never grows, and the last row repeats the one above
    assert list(wv.columns) == ["component", "share", "sd_remaining", "n"]
    assert (wv["sd_remaining"].diff().dropna() <= 1e-12).all()
    assert wv["sd_remaining"].iloc[-1] == wv["sd_remaining"].iloc[-2]
    # a variable that is a pure year trend is absorbed entirely by the year effects
    trend = df.assign(DE=df["year"] * 0.1 + 0.0)
    left = within_variation(trend, "DE").set_index("component")["share"]
    assert abs(left["left to identify the coefficient"]) < 1e-10


def test_nickell_simulation_reproducible_and_biased_downwards():
    a = nickell_simulation((0.5,), reps=200, seed=3)
    b = nickell_simulation((0.5,), reps=200, seed=3)
    pd.testing.assert_frame_equal(a, b)
    row = a.iloc[0]
    assert row["bias_rho"] < -0.05  # the Nickell bias with T = 10 is about -0.17
    assert abs(row["bias_rho"] - row["nickell_approx"]) < 0.1
    long = nickell_simulation((0.5,), t=41, reps=100, seed=3).iloc[0]
    assert abs(long["bias_rho"]) < abs(row["bias_rho"]) / 2


def test_mediation_identity_holds_on_one_sample_only():
    med = mediation_identity_simulation(seed=4)
    assert abs(med["gap"].iloc[0]) < 1e-10
    assert (med["gap"].iloc[1:].abs() > 1e-4).all()
    assert med["n_step3"].iloc[1] < med["n_step1"].iloc[1]


def test_multiverse_by_choice_counts_each_value_and_leaves_out_na():
    from helpers.estimate.multiverse import multiverse_by_choice

    mv = pd.DataFrame({"controls": ["none", "none", "all"], "hum_proxy": ["n/a", "n/a", "graduates"],
                       "n": [300, 300, 251], "coef": [0.1, -0.1, 0.2],
                       "positive_significant": [True, False, False],
                       "negative_significant": [False, False, False]})
    out = multiverse_by_choice(mv, by=("controls", "hum_proxy"))
    assert out.columns[0] == "choice"
    assert out[["choice", "value", "specifications"]].values.tolist() == [
        ["controls", "none", 2], ["controls", "all", 1], ["hum_proxy", "graduates", 1]]  # n/a left out
    assert out.loc[out["value"] == "none", "share_positive_significant"].item() == 0.5
