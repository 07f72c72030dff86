"""The Monte Carlo lab: fast statistics equal the library's, seeds reproduce, the truth is recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.data.panel import load_panel
from helpers.estimate import (
    calibrate,
    cluster_se,
    cluster_statistics,
    confounding_simulation,
    cv3_se,
    jackknife,
    mediation_confounding_simulation,
    partial_out,
    rejection_simulation,
)


@pytest.fixture(scope="module")
def cal():
    return calibrate(load_panel())


def test_calibration_describes_the_panel(cal):
    panel = load_panel()
    assert (cal.n, cal.t) == (30, 11)
    assert cal.mean["DE"] == pytest.approx(panel["DE"].mean())
    assert cal.sd_province["IC"] == pytest.approx(panel.groupby("province")["IC"].mean().std())
    assert min(cal.sd_by_province["IC"]) < cal.sd_within["IC"] < max(cal.sd_by_province["IC"])
    assert -1 < cal.corr_province < 1 and all(0 < r < 1 for r in cal.rho.values())


def test_vectorised_cluster_statistics_equal_the_library():
    rng = np.random.default_rng(7)
    g, t = 12, 6
    x = rng.normal(size=(2, g, t)) + rng.normal(size=(2, g, 1))
    y = 0.3 * x + rng.normal(size=(2, g, t)) * np.linspace(0.5, 2, g)[None, :, None]
    fast = cluster_statistics(x, y)
    for r in range(2):
        df = pd.DataFrame({"province": np.repeat(np.arange(g), t), "year": np.tile(np.arange(t), g),
                           "x": x[r].ravel(), "y": y[r].ravel()})
        p = partial_out(df, "y", "x")
        assert fast["coef"][r] == pytest.approx(p.coef, abs=1e-12)
        assert fast["se_cr1"][r] == pytest.approx(cluster_se(p), rel=1e-10)
        assert fast["se_cv3"][r] == pytest.approx(cv3_se(jackknife(df, "y", "x"), p.coef), rel=1e-10)


def test_the_same_seed_gives_the_same_numbers(cal):
    runs = [
        lambda s: confounding_simulation(cal, (0.0, 0.6), reps=50, seed=s),
        lambda s: rejection_simulation(cal, clusters=(10,), reps=30, draws=49, seed=s),
        lambda s: mediation_confounding_simulation(cal, (0.0, 1.0), reps=50, seed=s),
    ]
    for run in runs:
        pd.testing.assert_frame_equal(run(3), run(3))
        assert not run(3).equals(run(4))


def test_without_confounding_the_estimators_recover_the_truth(cal):
    conf = confounding_simulation(cal, (0.0,), beta=0.1, reps=800, seed=11)
    assert (conf["bias"].abs() < 3 * conf["mc_se"]).all(), conf
    med = mediation_confounding_simulation(cal, (0.0,), reps=800, seed=11)
    assert (med["bias"].abs() < 3 * med["mc_se"]).all(), med


def test_confounding_biases_pooled_ols_but_not_fixed_effects(cal):
    conf = confounding_simulation(cal, (0.8,), reps=400, seed=5).set_index("estimator")
    assert conf.loc["pooled OLS", "bias"] > 10 * conf.loc["pooled OLS", "mc_se"]
    assert abs(conf.loc["two-way FE", "bias"]) < 3 * conf.loc["two-way FE", "mc_se"]


def test_wild_bootstrap_holds_its_size_with_equal_variances(cal):
    rej = rejection_simulation(cal, clusters=(30,), variances=("equal",), reps=400, draws=199, seed=9)
    wcr = rej.set_index("method").loc["WCR bootstrap, Webb"]
    assert abs(wcr["rejection_rate"] - 0.05) < 3 * np.sqrt(0.05 * 0.95 / 400)
