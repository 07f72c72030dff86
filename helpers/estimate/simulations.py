"""Teaching simulations: identifying variation, Nickell bias, the mediation identity."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from helpers.estimate.inference import partial_out


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
