"""Multiverse (one row per spec, unique ids, deterministic, fork map), teaching simulations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_models import make_panel

from helpers.book.figures import specification_curve
from helpers.data.panel import FORK_DEFAULTS, MODEL_VARS, MULTIVERSE_CHOICES, build_panel
from helpers.estimate.inference import partial_out
from helpers.estimate.multiverse import (
    CLUSTERINGS,
    FORK_VARIABLES,
    MULTIVERSE_FORKS,
    baseline_spec_id,
    multiverse,
    multiverse_summary,
)
from helpers.estimate.simulations import mediation_identity_simulation, nickell_simulation, within_variation

CONTROLS = ("gov", "hum", "pgdp", "open", "edu")


def _fake_builder(calls: list[dict]):
    """A synthetic stand-in for build_panel: each fork value shifts only the variables it owns."""
    base = make_panel()

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


def test_multiverse_one_row_per_spec_unique_ids_deterministic():
    calls: list[dict] = []
    two = ("entity", "hc1")
    a = multiverse(builder=_fake_builder(calls), clusterings=two)
    b = multiverse(builder=_fake_builder([]), clusterings=two)
    assert a["spec_id"].is_unique
    pd.testing.assert_frame_equal(a, b)
    # full grid: 6 + 6 + 24 + 24 + 48 + 48 estimates (ti never enters model (1); four hum proxies)
    assert len(a) == 156 * len(two)
    assert set(a["clustering"]) == set(two) < set(CLUSTERINGS)
    assert (a["ti"] == "n/a").all()
    assert (a.loc[a["n_controls"] < 2, "hum_proxy"] == "n/a").all()
    assert a.attrs["panels_built"] == len(calls) == len({tuple(sorted(c.items())) for c in calls})
    assert (a.loc[a["hum_proxy"] == "tech_staff", "n"] < 330).all()


def test_multiverse_estimates_equal_direct_fits_and_baseline_id():
    mv = multiverse(builder=_fake_builder([]), grid="one_at_a_time", clusterings=("entity",))
    build = _fake_builder([])
    base = mv.set_index("spec_id").loc[baseline_spec_id()]
    p = partial_out(build(), "IC", "DE", list(CONTROLS))
    assert base["coef"] == pytest.approx(p.coef, abs=1e-12) and base["n"] == p.n
    row = mv[(mv["de_composition"] == "table1") & (mv["n_controls"] == 3)].iloc[0]
    q = partial_out(build(de_composition="table1"), "IC", "DE", ["gov", "hum", "pgdp"])
    assert row["coef"] == pytest.approx(q.coef, abs=1e-12)
    assert (mv["ci_lo"] < mv["coef"]).all() and (mv["coef"] < mv["ci_hi"]).all()


def test_multiverse_clusters_are_those_the_standard_error_uses():
    mv = multiverse(builder=_fake_builder([]), grid="one_at_a_time")
    p = partial_out(_fake_builder([])(), "IC", "DE", list(CONTROLS))
    by = mv.groupby("clustering")
    assert (by.get_group("entity")["clusters"] == p.n_clusters).all()
    assert by.get_group("entity")["year_clusters"].isna().all()
    two = by.get_group("two_way")
    assert (two["clusters"] == p.n_clusters).all()
    # years actually used: all of them for the baseline, fewer where a proxy is shorter
    base = two.set_index("spec_id").loc[baseline_spec_id(clustering="two_way")]
    assert base["year_clusters"] == len(p.times)
    assert (two.loc[two["hum_proxy"] == "tech_staff", "year_clusters"] < len(p.times)).all()
    assert (two["df"] == two[["clusters", "year_clusters"]].min(axis=1) - 1).all()
    assert by.get_group("hc1")[["clusters", "year_clusters"]].isna().all().all()


def test_multiverse_rejects_unknown_choices():
    with pytest.raises(ValueError, match="unknown fork"):
        multiverse(forks=("nope",), builder=_fake_builder([]))
    with pytest.raises(ValueError, match="unknown clustering"):
        multiverse(clusterings=("bogus",), builder=_fake_builder([]))
    with pytest.raises(ValueError, match="grid must be one of"):
        multiverse(grid="half", builder=_fake_builder([]))


def test_summary_shares():
    mv = pd.DataFrame({"n": [10, 10, 10, 0], "coef": [1.0, -1.0, 2.0, np.nan],
                       "positive_significant": [True, False, False, False],
                       "negative_significant": [False, True, False, False],
                       "clustering": ["a", "a", "b", "b"]})
    s = multiverse_summary(mv).iloc[0]
    assert s["specifications"] == 3
    assert s["share_positive"] == pytest.approx(2 / 3)
    assert s["share_positive_significant"] == pytest.approx(1 / 3)
    by = multiverse_summary(mv, "clustering").set_index("clustering")
    assert by.loc["b", "specifications"] == 1


def test_specification_curve_draws():
    mv = multiverse(builder=_fake_builder([]), grid="one_at_a_time")
    fig = specification_curve(mv, highlight=baseline_spec_id())
    assert len(fig.axes) == 2
    assert len(fig.axes[1].get_yticklabels()) > len(MULTIVERSE_FORKS)


def test_fork_variables_map_matches_build_panel():
    base = build_panel()  # tests/conftest.py has fetched and verified data/raw
    for fork in MULTIVERSE_FORKS:
        for value in MULTIVERSE_CHOICES[fork]:
            if value == FORK_DEFAULTS[fork]:
                continue
            other = build_panel(**{fork: value})
            changed = {v for v in MODEL_VARS if not base[v].equals(other[v])}
            assert changed <= set(FORK_VARIABLES[fork]), (fork, value, changed)
    # the column assembly of multiverse(): with every fork changed at once, each variable equals the
    # panel that changes only the forks listed for it
    combo = {f: MULTIVERSE_CHOICES[f][-1] for f in MULTIVERSE_FORKS}
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
