"""Teaching simulations: identifying variation, Nickell bias, the mediation identity, the Monte Carlo lab."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from helpers.estimate.inference import partial_out, wild_cluster_bootstrap


def _resid(v: np.ndarray, z: np.ndarray) -> np.ndarray:
    return v - z @ np.linalg.lstsq(z, v, rcond=None)[0]


def within_variation(data: pd.DataFrame, var: str = "DE", controls: Sequence[str] = (), *,
                     entity: str = "province", time: str = "year") -> pd.DataFrame:
    """Shares of the variance of ``var`` absorbed by entity effects, then year effects, then controls.

    Sequential R-squared on the rows complete for ``var`` and ``controls``; the last row,
    ``"left to identify the coefficient"``, is the share of the variance that the FWL regression
    uses. Columns: ``component, share, sd_remaining, n``, with ``sd_remaining`` the standard
    deviation of what is left after removing that component and everything above it (so the last
    two rows share it).
    """
    cols = [var, *controls]
    frame = data.loc[data[cols].notna().all(axis=1)]
    v = frame[var].to_numpy(dtype=float)
    ent = pd.get_dummies(frame[entity]).to_numpy(dtype=float)
    per = pd.get_dummies(frame[time]).to_numpy(dtype=float)[:, 1:]
    stages = [("province effects", ent), ("year effects", np.column_stack([ent, per]))]
    if controls:
        stages.append(("controls", np.column_stack([ent, per, frame[list(controls)].to_numpy(float)])))
    total = float(np.sum((v - v.mean()) ** 2))
    rows, prev = [], 0.0
    for name, z in stages:
        r = _resid(v, z)
        absorbed = 1 - float(r @ r) / total
        rows.append({"component": name, "share": absorbed - prev, "sd_remaining": float(r.std(ddof=1)),
                     "n": len(v)})
        prev = absorbed
    rows.append({"component": "left to identify the coefficient", "share": 1 - prev,
                 "sd_remaining": rows[-1]["sd_remaining"], "n": len(v)})
    return pd.DataFrame(rows)


def _two_way_demean(a: np.ndarray) -> np.ndarray:
    """Within transformation of a balanced (..., N, T) array: remove unit and period means."""
    return a - a.mean(axis=-1, keepdims=True) - a.mean(axis=-2, keepdims=True) + a.mean(axis=(-2, -1),
                                                                                      keepdims=True)


def nickell_simulation(rhos: Sequence[float] = (0.2, 0.5, 0.8), *, n: int = 30, t: int = 11,
                       beta: float = 0.3, reps: int = 1000, burn_in: int = 50,
                       seed: int = 20240101) -> pd.DataFrame:
    """Two-way FE estimates of y_it = rho y_i,t-1 + beta x_it + a_i + g_t + e_it with ``t`` observed years.

    The lag costs the first year, so the regression has ``t - 1`` periods. x is persistent (AR(1),
    0.7) and correlated with a_i, like DE. Per rho: mean estimates of rho and beta, their bias and
    Monte Carlo SD, Nickell's (1981) first-order approximation -(1+rho)/(T-1) for the pure AR(1)
    with T the periods in the regression, and the rejection rate of the true rho by a 5% CR1 t(G-1)
    test. Seeded with ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    total = burn_in + t
    rows = []
    for rho in rhos:
        alpha = rng.normal(size=(reps, n, 1))
        gamma = rng.normal(scale=0.5, size=(reps, 1, total))
        x = np.empty((reps, n, total))
        y = np.empty((reps, n, total))
        xi = rng.normal(size=(reps, n, total))
        eps = rng.normal(size=(reps, n, total))
        x[..., 0] = 0.5 * alpha[..., 0] + xi[..., 0]
        y[..., 0] = alpha[..., 0] / (1 - rho) + eps[..., 0]
        for s in range(1, total):
            x[..., s] = 0.7 * x[..., s - 1] + 0.3 * 0.5 * alpha[..., 0] + xi[..., s]
            y[..., s] = rho * y[..., s - 1] + beta * x[..., s] + alpha[..., 0] + gamma[:, :, s] + eps[..., s]
        y, x = y[..., burn_in:], x[..., burn_in:]
        yd = _two_way_demean(y[..., 1:])
        reg = np.stack([_two_way_demean(y[..., :-1]), _two_way_demean(x[..., 1:])], axis=-1)  # R,N,T-1,2
        xtx = np.einsum("rntk,rntl->rkl", reg, reg)
        xty = np.einsum("rntk,rnt->rk", reg, yd)
        b = np.linalg.solve(xtx, xty[..., None])[..., 0]
        e = yd - np.einsum("rntk,rk->rnt", reg, b)
        score = np.einsum("rntk,rnt->rnk", reg, e)
        meat = np.einsum("rnk,rnl->rkl", score, score)
        inv = np.linalg.inv(xtx)
        nobs, k = n * (t - 1), 2 + 1 + (t - 2)  # slopes, constant, year dummies (xtreg count)
        v = n / (n - 1) * (nobs - 1) / (nobs - k) * inv @ meat @ inv
        tstat = (b[:, 0] - rho) / np.sqrt(v[:, 0, 0])
        crit = stats.t(n - 1).ppf(0.975)
        rows.append({"rho": rho, "mean_rho_hat": b[:, 0].mean(), "bias_rho": b[:, 0].mean() - rho,
                     "sd_rho_hat": b[:, 0].std(ddof=1), "nickell_approx": -(1 + rho) / (t - 2),
                     "beta": beta, "mean_beta_hat": b[:, 1].mean(), "bias_beta": b[:, 1].mean() - beta,
                     "reject_true_rho_5pct": float(np.mean(np.abs(tstat) > crit)),
                     "n": n, "periods_observed": t, "periods_in_regression": t - 1, "reps": reps})
    return pd.DataFrame(rows)


def mediation_identity_simulation(*, n: int = 30, t: int = 11, missing_share: float = 0.2,
                                  seed: int = 20240101) -> pd.DataFrame:
    """total = direct + a*b on a synthetic two-way FE panel, and three ways to break it.

    Scenarios: one sample and one specification (the identity holds to rounding); the mediator
    missing for ``missing_share`` of rows while step 1 keeps them; a control only in step 3; step 2
    without year effects. Columns: scenario, c, a, b, c_prime, c_prime_plus_ab, gap, n_step1, n_step3.
    """
    rng = np.random.default_rng(seed)
    prov = np.repeat(np.arange(n), t)
    year = np.tile(np.arange(2011, 2011 + t), n)
    alpha, gamma = rng.normal(size=n)[prov], rng.normal(size=t)[year - 2011]
    w = rng.normal(size=n * t) + 0.5 * alpha
    de = rng.normal(size=n * t) + 0.5 * alpha + 0.5 * gamma + 0.3 * w
    ti = 0.5 * de + 0.3 * w + alpha + gamma + rng.normal(size=n * t)
    ic = 0.2 * de + 0.4 * ti + 0.2 * w + alpha + gamma + rng.normal(size=n * t)
    df = pd.DataFrame({"province": prov, "year": year, "IC": ic, "DE": de, "TI": ti, "w": w})
    gaps = df.copy()
    gaps.loc[rng.random(len(df)) < missing_share, "TI"] = np.nan

    def run(name: str, d1: pd.DataFrame, d3: pd.DataFrame, ctrl1: list[str], ctrl2: list[str],
            ctrl3: list[str], year_fe_2: bool = True) -> dict[str, object]:
        c = partial_out(d1, "IC", "DE", ctrl1).coef
        step1_n = partial_out(d1, "IC", "DE", ctrl1).n
        a = partial_out(d3, "TI", "DE", ctrl2, time_effects=year_fe_2).coef
        cp = partial_out(d3, "IC", "DE", ["TI", *ctrl3])
        b = partial_out(d3, "IC", "TI", ["DE", *ctrl3]).coef
        return {"scenario": name, "c": c, "a": a, "b": b, "c_prime": cp.coef,
                "c_prime_plus_ab": cp.coef + a * b, "gap": c - (cp.coef + a * b),
                "n_step1": step1_n, "n_step3": cp.n}

    rows = [
        run("one sample, one specification", df, df, ["w"], ["w"], ["w"]),
        run(f"mediator missing in {missing_share:.0%} of rows, step 1 on all rows", gaps, gaps,
            ["w"], ["w"], ["w"]),
        run("control w only in step 3", df, df, [], [], ["w"]),
        run("step 2 without year effects", df, df, ["w"], ["w"], ["w"], year_fe_2=False),
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the Monte Carlo lab
#
# A synthetic 30 x 11 panel calibrated to ours. Each variable v is built as
#     v_it = mean + province effect_i + year effect_t + s_i * w_it,   w_i. a stationary AR(1),
# with the standard deviations of the three parts and the AR(1) coefficient estimated from the panel
# by :func:`calibrate`. Replications are stacked in (R, N, T) arrays so that every estimator is a few
# vectorised sums; the balanced two-way within transformation is exactly the FWL residual on the
# province and year dummies (``partial_out``), which the tests check.

VARIANCES = ("equal", "unequal")


@dataclass(frozen=True)
class Calibration:
    """Moments of the panel a simulated panel copies, per variable (keys ``"DE"``, ``"IC"``, ``"TI"``).

    ``sd_province`` and ``sd_year`` are the standard deviations of the province and year means,
    ``sd_within`` that of the two-way demeaned values, ``rho`` their first-order autocorrelation
    within provinces (pooled), ``sd_by_province`` the within SD of each province (sorted, for the
    unequal-variance designs), and ``corr_province`` the correlation of the province means of DE
    and IC. ``n`` and ``t`` are the panel's provinces and years.
    """

    n: int
    t: int
    mean: dict[str, float]
    sd_province: dict[str, float]
    sd_year: dict[str, float]
    sd_within: dict[str, float]
    rho: dict[str, float]
    sd_by_province: dict[str, tuple[float, ...]]
    corr_province: float

    def table(self) -> pd.DataFrame:
        """One row per variable: mean, the three standard deviations, rho, the range of province SDs."""
        return pd.DataFrame([{"variable": v, "mean": self.mean[v], "sd_province": self.sd_province[v],
                              "sd_year": self.sd_year[v], "sd_within": self.sd_within[v], "rho": self.rho[v],
                              "sd_within_min": min(self.sd_by_province[v]),
                              "sd_within_max": max(self.sd_by_province[v])} for v in self.mean])


def calibrate(panel: pd.DataFrame, variables: Sequence[str] = ("DE", "IC", "TI"), *,
              entity: str = "province", time: str = "year") -> Calibration:
    """Means, province/year/within standard deviations and AR(1) coefficients of ``variables``.

    Uses the province-years complete in every variable (all 330 in the book's panel). The within
    part is the two-way demeaned value; its autocorrelation is understated in a short panel (the
    Nickell effect this lab shows), so the simulated errors are if anything less persistent than
    the real ones.
    """
    cols = list(variables)
    frame = panel.dropna(subset=cols)
    counts = frame.groupby(entity).size()
    keep = counts.index[counts == counts.max()]
    frame = frame[frame[entity].isin(keep)].sort_values([entity, time])
    n, t = len(keep), int(counts.max())
    out: dict[str, dict] = {k: {} for k in ("mean", "sd_province", "sd_year", "sd_within", "rho", "by")}
    means = {}
    for v in cols:
        w = frame[v].to_numpy(dtype=float).reshape(n, t)
        d = _two_way_demean(w)
        means[v] = w.mean(axis=1)
        out["mean"][v] = float(w.mean())
        out["sd_province"][v] = float(w.mean(axis=1).std(ddof=1))
        out["sd_year"][v] = float(w.mean(axis=0).std(ddof=1))
        out["sd_within"][v] = float(d.std(ddof=1))
        out["rho"][v] = float(np.corrcoef(d[:, 1:].ravel(), d[:, :-1].ravel())[0, 1])
        out["by"][v] = tuple(sorted(float(s) for s in d.std(axis=1, ddof=1)))
    corr = float(np.corrcoef(means["DE"], means["IC"])[0, 1]) if {"DE", "IC"} <= set(cols) else float("nan")
    return Calibration(n, t, out["mean"], out["sd_province"], out["sd_year"], out["sd_within"], out["rho"],
                       out["by"], corr)


def _province_sds(cal: Calibration, var: str, n: int, variances: str) -> np.ndarray:
    """Within SD of each of ``n`` simulated provinces: all equal, or evenly spaced order statistics of
    the panel's province SDs rescaled to the same root mean square (so only the spread differs)."""
    if variances not in VARIANCES:
        raise ValueError(f"variances must be one of {VARIANCES}, got {variances!r}")
    base = cal.sd_within[var]
    if variances == "equal":
        return np.full(n, base)
    sds = np.asarray(cal.sd_by_province[var])
    picked = sds[(np.arange(n) * len(sds)) // n]
    return picked * base / np.sqrt(np.mean(picked**2))


def _ar1(rng: np.random.Generator, reps: int, n: int, t: int, rho: float) -> np.ndarray:
    """(reps, n, t) stationary AR(1) paths with unit variance."""
    e = rng.normal(size=(reps, n, t))
    out = np.empty_like(e)
    out[..., 0] = e[..., 0]
    scale = np.sqrt(1 - rho**2)
    for s in range(1, t):
        out[..., s] = rho * out[..., s - 1] + scale * e[..., s]
    return out


def _component(rng: np.random.Generator, cal: Calibration, var: str, reps: int, n: int, t: int,
               variances: str) -> tuple[np.ndarray, np.ndarray]:
    """A calibrated variable (reps, n, t) and its standardised province effect (reps, n, 1)."""
    a = rng.normal(size=(reps, n, 1))
    g = rng.normal(size=(reps, 1, t))
    w = _ar1(rng, reps, n, t, cal.rho[var]) * _province_sds(cal, var, n, variances)[None, :, None]
    return cal.mean[var] + cal.sd_province[var] * a + cal.sd_year[var] * g + w, a


def _slope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per replication, the least-squares slope of y on x (both already demeaned), over axes (1, 2)."""
    return np.sum(x * y, axis=(1, 2)) / np.sum(x * x, axis=(1, 2))


def _pooled_slope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xc = x - x.mean(axis=(1, 2), keepdims=True)
    return _slope(xc, y - y.mean(axis=(1, 2), keepdims=True))


def confounding_simulation(cal: Calibration, correlations: Sequence[float] = (-0.9, -0.6, -0.3, 0.0, 0.3, 0.6,
                                                                              0.9), *,
                           beta: float = 0.1, reps: int = 500, seed: int = 20240101) -> pd.DataFrame:
    """Pooled OLS against two-way fixed effects when the province effect of IC correlates with DE.

    IC = mean + beta DE + alpha_i + gamma_t + e_it with alpha_i = sd (c a_i + sqrt(1 - c^2) z_i), a_i
    DE's standardised province effect and c the correlation (one of ``correlations``). Per c: the
    mean estimate of both estimators, its bias, the Monte Carlo SD of the estimates and the Monte
    Carlo standard error of the mean. Seeded with ``numpy.random.default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    n, t = cal.n, cal.t
    rows = []
    for c in correlations:
        if not -1 <= c <= 1:
            raise ValueError(f"a correlation must lie in [-1, 1], got {c}")
        de, a = _component(rng, cal, "DE", reps, n, t, "equal")
        alpha = cal.sd_province["IC"] * (c * a + np.sqrt(1 - c**2) * rng.normal(size=(reps, n, 1)))
        gamma = cal.sd_year["IC"] * rng.normal(size=(reps, 1, t))
        e = _ar1(rng, reps, n, t, cal.rho["IC"]) * cal.sd_within["IC"]
        ic = cal.mean["IC"] + beta * de + alpha + gamma + e
        for name, b in (("pooled OLS", _pooled_slope(de, ic)),
                        ("two-way FE", _slope(_two_way_demean(de), _two_way_demean(ic)))):
            rows.append({"correlation": c, "estimator": name, "beta": beta, "mean_estimate": b.mean(),
                         "bias": b.mean() - beta, "sd_estimate": b.std(ddof=1),
                         "mc_se": b.std(ddof=1) / np.sqrt(reps), "reps": reps, "seed": seed})
    return pd.DataFrame(rows)


def cluster_statistics(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Two-way FE slope, CR1 and CV3 standard errors for each replication of a balanced panel.

    ``x`` and ``y`` are (R, G, T) arrays (G provinces, the clusters). Returns arrays of length R:
    ``coef``, ``se_cr1`` (Stata's factor G/(G-1) (N-1)/(N-K), K = slope + constant + T-1 year
    dummies, as :func:`helpers.estimate.cluster_se`) and ``se_cv3`` (the delete-one-province
    jackknife of :func:`helpers.estimate.cv3_se`, each reduced panel demeaned afresh). Vectorised:
    dropping province g changes only the year means, so each leave-one-out slope is a correction of
    the full sums; ``tests/test_simulations.py`` checks all three against the library functions.
    """
    r, g, t = x.shape
    xw = x - x.mean(axis=2, keepdims=True)  # within provinces; unchanged when a province is dropped
    yw = y - y.mean(axis=2, keepdims=True)
    mx, my = xw.mean(axis=1, keepdims=True), yw.mean(axis=1, keepdims=True)  # year means (R, 1, T)
    xd, yd = xw - mx, yw - my
    xx = np.sum(xd * xd, axis=(1, 2))
    coef = np.sum(xd * yd, axis=(1, 2)) / xx
    e = yd - coef[:, None, None] * xd
    scores = np.sum(xd * e, axis=2)  # (R, G)
    nobs, k = g * t, 1 + 1 + (t - 1)
    factor = g / (g - 1) * (nobs - 1) / (nobs - k)
    se_cr1 = np.sqrt(factor * np.sum(scores**2, axis=1)) / xx
    # leave province h out: the year means become (G m - w_h) / (G - 1)
    sxx_i, sxy_i = np.sum(xw * xw, axis=2), np.sum(xw * yw, axis=2)  # (R, G)
    mx_h, my_h = (g * mx - xw) / (g - 1), (g * my - yw) / (g - 1)  # (R, G, T)
    sxx = sxx_i.sum(axis=1, keepdims=True) - sxx_i - (g - 1) * np.sum(mx_h * mx_h, axis=2)
    sxy = sxy_i.sum(axis=1, keepdims=True) - sxy_i - (g - 1) * np.sum(mx_h * my_h, axis=2)
    loo = sxy / sxx
    se_cv3 = np.sqrt((g - 1) / g * np.sum((loo - coef[:, None]) ** 2, axis=1))
    return {"coef": coef, "se_cr1": se_cr1, "se_cv3": se_cv3}


def _simulated_null(cal: Calibration, rng: np.random.Generator, reps: int, n: int,
                    variances: str) -> tuple[np.ndarray, np.ndarray]:
    t = cal.t
    de, a = _component(rng, cal, "DE", reps, n, t, variances)
    alpha = cal.sd_province["IC"] * (cal.corr_province * a + np.sqrt(1 - cal.corr_province**2)
                                     * rng.normal(size=(reps, n, 1)))
    e = _ar1(rng, reps, n, t, cal.rho["IC"]) * _province_sds(cal, "IC", n, variances)[None, :, None]
    ic = cal.mean["IC"] + alpha + cal.sd_year["IC"] * rng.normal(size=(reps, 1, t)) + e
    return de, ic


def rejection_simulation(cal: Calibration, *, clusters: Sequence[int] = (30, 10),
                         variances: Sequence[str] = VARIANCES, reps: int = 500, draws: int = 199,
                         level: float = 0.95, seed: int = 20240101) -> pd.DataFrame:
    """Rejection rates of a true null (beta = 0) by CR1, CV3 and the WCR bootstrap, per design.

    For each number of clusters G and each variance design (``"equal"``: every province has the
    panel's within SD of DE and of the error; ``"unequal"``: they are spread like the panel's
    province SDs), ``reps`` panels of G provinces and the panel's years are drawn with DE
    unrelated to IC, and H0: beta = 0 is tested at ``1 - level`` with CR1 and the normal, CR1 and
    t(G-1), CV3 and t(G-1), and the WCR bootstrap with Webb weights and ``draws`` draws
    (:func:`helpers.estimate.wild_cluster_bootstrap` on the FWL residuals, one seed per replication
    drawn from ``default_rng(seed)``). Columns: clusters, variances, method, rejection_rate,
    coverage (1 - rejection rate: the share of intervals that contain the truth), mc_se, reps,
    draws, seed.
    """
    rng = np.random.default_rng(seed)
    rows = []
    alpha = 1 - level
    for g in clusters:
        template = partial_out(_balanced_frame(g, cal.t, rng), "y", "x")
        for var in variances:
            de, ic = _simulated_null(cal, rng, reps, g, var)
            stat = cluster_statistics(de, ic)
            t_cr1, t_cv3 = stat["coef"] / stat["se_cr1"], stat["coef"] / stat["se_cv3"]
            crit_t, crit_z = stats.t(g - 1).ppf(1 - alpha / 2), stats.norm.ppf(1 - alpha / 2)
            boot_seeds = rng.integers(0, 2**31 - 1, size=reps)
            xd, yd = _two_way_demean(de).reshape(reps, -1), _two_way_demean(ic).reshape(reps, -1)
            p_wcr = np.array([wild_cluster_bootstrap(replace(template, y=yd[i], x=xd[i]), 0.0, draws=draws,
                                                     weights="webb", seed=int(boot_seeds[i])).p_two_sided
                              for i in range(reps)])
            rejected = {"CR1, normal": np.abs(t_cr1) > crit_z, "CR1, t(G-1)": np.abs(t_cr1) > crit_t,
                        "CV3, t(G-1)": np.abs(t_cv3) > crit_t, "WCR bootstrap, Webb": p_wcr <= alpha}
            for method, rej in rejected.items():
                rate = float(rej.mean())
                rows.append({"clusters": g, "variances": var, "method": method, "rejection_rate": rate,
                             "coverage": 1 - rate, "mc_se": float(np.sqrt(rate * (1 - rate) / reps)),
                             "reps": reps, "draws": draws if method.startswith("WCR") else 0, "seed": seed})
    return pd.DataFrame(rows)


def _balanced_frame(n: int, t: int, rng: np.random.Generator) -> pd.DataFrame:
    """A balanced long panel (province, year, x, y) whose design the replications share."""
    return pd.DataFrame({"province": np.repeat(np.arange(n), t), "year": np.tile(np.arange(t), n),
                         "x": rng.normal(size=n * t), "y": rng.normal(size=n * t)})


def mediation_confounding_simulation(cal: Calibration, strengths: Sequence[float] = (0.0, 0.5, 1.0, 1.5), *,
                                     a: float = 0.5, b: float = 0.1, c_direct: float = 0.05,
                                     reps: int = 500, seed: int = 20240101) -> pd.DataFrame:
    """Three-step mediation (Baron-Kenny with two-way FE) when an unobserved U drives TI and IC.

    DE is drawn as in the panel; TI = a DE + k sd_TI U + (TI's own province, year and within parts);
    IC = c' DE + b TI + k sd_IC U + (IC's parts), with U a standardised time-varying shock that the
    fixed effects cannot absorb, sd the within SDs of the panel and k one of ``strengths``. Each
    replication runs the three regressions (IC on DE; TI on DE; IC on DE and TI) on one sample.
    Per k and coefficient: truth, mean estimate, bias and Monte Carlo SE.
    """
    rng = np.random.default_rng(seed)
    n, t = cal.n, cal.t
    rows = []
    for k in strengths:
        de, _ = _component(rng, cal, "DE", reps, n, t, "equal")
        u = _ar1(rng, reps, n, t, cal.rho["IC"])
        ti = a * de + k * cal.sd_within["TI"] * u + _component(rng, cal, "TI", reps, n, t, "equal")[0]
        ic_own = _component(rng, cal, "IC", reps, n, t, "equal")[0]
        ic = c_direct * de + b * ti + k * cal.sd_within["IC"] * u + ic_own
        x, m, y = (_two_way_demean(v) for v in (de, ti, ic))
        c_hat, a_hat = _slope(x, y), _slope(x, m)
        # step 3: IC on DE and TI, a 2 x 2 system per replication
        sxx, smm, sxm = (np.sum(p * q, axis=(1, 2)) for p, q in ((x, x), (m, m), (x, m)))
        sxy, smy = np.sum(x * y, axis=(1, 2)), np.sum(m * y, axis=(1, 2))
        det = sxx * smm - sxm**2
        cp_hat, b_hat = (smm * sxy - sxm * smy) / det, (sxx * smy - sxm * sxy) / det
        truth = {"c (total)": c_direct + a * b, "a (DE on TI)": a, "b (TI on IC)": b,
                 "c' (direct)": c_direct, "a*b (indirect)": a * b}
        est = {"c (total)": c_hat, "a (DE on TI)": a_hat, "b (TI on IC)": b_hat, "c' (direct)": cp_hat,
               "a*b (indirect)": a_hat * b_hat}
        for name, vals in est.items():
            rows.append({"strength": k, "coefficient": name, "truth": truth[name],
                         "mean_estimate": vals.mean(),
                         "bias": vals.mean() - truth[name], "mc_se": vals.std(ddof=1) / np.sqrt(reps),
                         "reps": reps, "seed": seed})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- size of the tests

#: designs of :func:`size_simulation`: name -> standard deviation of the log province scale
SIZE_DESIGNS = {"alike provinces": 0.0, "heterogeneous, mild": 0.5, "heterogeneous, strong": 1.0}
SIZE_METHODS = ("CR1, normal", "CR1, t(G-1)", "CV3, t(G-1)", "WCR, Rademacher", "WCR, Webb",
                "Randomization (DE paths permuted)", "Driscoll-Kraay, t(T-1)")


def size_simulation(*, reps: int = 1000, draws: int = 199, permutations: int = 199, n: int = 30,
                    t: int = 11, designs: dict[str, float] | None = None, alpha: float = 0.05,
                    seed: int = 20240101) -> pd.DataFrame:
    """Rejection rates at ``alpha`` (two-sided) under beta = 0 of every p-value the book reports for DE.

    Each replication draws an ``n`` x ``t`` panel like ours: IC = province effect + year effect + u,
    with no effect of DE. Province i has a scale s_i = exp(sd z_i) (``designs``: the sd of the log
    scale; 0 makes provinces alike). Both the error and DE's movement around its province and year
    means scale with s_i, so the provinces with the largest errors also have the most leverage, the
    case in which clustered standard errors over-reject (MacKinnon & Webb 2017). Errors and DE
    deviations are AR(1) within a province (0.5 and 0.7). ``mc_se`` is the Monte Carlo standard
    error sqrt(r (1 - r) / reps) of each rate. Seeded by ``default_rng(seed)``.
    """
    from helpers.estimate.inference import Partialled, wild_cluster_bootstrap

    designs = SIZE_DESIGNS if designs is None else designs
    rng = np.random.default_rng(seed)
    years = np.arange(t)
    rows = []
    # balanced panel: the two-way within transformation is closed form, and the year dummies' part
    # of the FWL basis (entity-demeaned) is all the WCR needs: the province dummies drop out
    year_d = np.eye(t)[np.tile(years, n)][:, 1:]
    year_d = year_d - year_d.reshape(n, t, t - 1).mean(axis=1).repeat(t, axis=0)
    basis = np.linalg.qr(year_d)[0]
    clusters, periods = np.repeat(np.arange(n), t), np.tile(years, n)
    leave_out = np.array([np.delete(np.arange(n), i) for i in range(n)])
    nobs, k_stata = n * t, t + 1
    factor = n / (n - 1) * (nobs - 1) / (nobs - k_stata)
    df_all = nobs - (n + t - 1) - 1
    bw = int(np.floor(4 * (t / 100) ** (2 / 9)))
    crit_g, crit_t = stats.t(n - 1), stats.t(t - 1)

    def ar1(rho: float, size: tuple[int, int]) -> np.ndarray:
        e = rng.normal(size=size)
        out = np.empty(size)
        out[:, 0] = e[:, 0] / np.sqrt(1 - rho**2)
        for j in range(1, size[1]):
            out[:, j] = rho * out[:, j - 1] + e[:, j]
        return out

    for name, sd in designs.items():
        # per sample: the t statistics of CR1, CV3 and Driscoll-Kraay, and three resampling p-values
        t_cr1, t_cv3, t_dk, p_rad, p_webb, p_perm = np.empty((6, reps))
        for r in range(reps):
            scale = np.exp(sd * rng.normal(size=n))[:, None]
            de = rng.normal(size=(n, 1)) + 0.1 * years[None, :] + scale * ar1(0.7, (n, t))
            ic = rng.normal(size=(n, 1)) + 0.3 * rng.normal(size=(1, t)) + scale * ar1(0.5, (n, t))
            xt, yt = _two_way_demean(de), _two_way_demean(ic)
            xx = float(np.sum(xt * xt))
            b = float(np.sum(xt * yt)) / xx
            e = yt - b * xt
            se = np.sqrt(factor * np.sum(np.sum(xt * e, axis=1) ** 2)) / xx
            t_cr1[r] = tstat = b / se
            # CV3: leave one province out (the others' year means change, their own means do not)
            xd, yd = _two_way_demean(de[leave_out]), _two_way_demean(ic[leave_out])  # n x (n-1) x t
            loo = np.einsum("gnt,gnt->g", xd, yd) / np.einsum("gnt,gnt->g", xd, xd)
            t_cv3[r] = b / np.sqrt((n - 1) / n * np.sum((loo - b) ** 2))
            p = Partialled(yt.ravel(), xt.ravel(), basis, clusters, periods, np.arange(n), years,
                           k_stata, "DE")
            # randomization: permuting whole DE paths permutes the rows of the demeaned DE
            # (one call draws the same permutations as one rng.permutation(n) per row, faster)
            perms = rng.permuted(np.tile(np.arange(n), (permutations, 1)), axis=1)
            xp = xt[perms]  # R x n x t
            bp = np.einsum("rnt,nt->r", xp, yt) / xx
            ep = yt[None] - bp[:, None, None] * xp
            sp = np.sqrt(factor * np.sum(np.sum(xp * ep, axis=2) ** 2, axis=1)) / xx
            p_perm[r] = (1 + np.sum(np.abs(bp / sp) >= abs(tstat))) / (1 + permutations)
            # Driscoll-Kraay with linearmodels' bandwidth and N / (N - K) factor
            h = np.sum(xt * e, axis=0)
            s_dk = float(h @ h) + sum(2 * (1 - j / (bw + 1)) * float(h[j:] @ h[:-j])
                                      for j in range(1, bw + 1))
            t_dk[r] = b / (np.sqrt(max(s_dk, 0.0) * nobs / df_all) / xx)
            p_rad[r] = wild_cluster_bootstrap(p, draws=draws, weights="rademacher", seed=seed + r).p_two_sided
            p_webb[r] = wild_cluster_bootstrap(p, draws=draws, weights="webb", seed=seed + r).p_two_sided
        pv = {
            "CR1, normal": 2 * stats.norm.sf(np.abs(t_cr1)),
            "CR1, t(G-1)": 2 * crit_g.sf(np.abs(t_cr1)),
            "CV3, t(G-1)": 2 * crit_g.sf(np.abs(t_cv3)),
            "WCR, Rademacher": p_rad,
            "WCR, Webb": p_webb,
            "Randomization (DE paths permuted)": p_perm,
            "Driscoll-Kraay, t(T-1)": 2 * crit_t.sf(np.abs(t_dk)),
        }
        for m in SIZE_METHODS:
            rate = float(np.mean(pv[m] < alpha))
            rows.append({"design": name, "log_scale_sd": sd, "method": m, "rejection_rate": rate,
                         "mc_se": float(np.sqrt(rate * (1 - rate) / reps)), "reps": reps, "draws": draws,
                         "permutations": permutations, "seed": seed})
    return pd.DataFrame(rows)
