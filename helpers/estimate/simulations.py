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
        rejects = {m: 0 for m in SIZE_METHODS}
        for r in range(reps):
            scale = np.exp(sd * rng.normal(size=n))[:, None]
            de = rng.normal(size=(n, 1)) + 0.1 * years[None, :] + scale * ar1(0.7, (n, t))
            ic = rng.normal(size=(n, 1)) + 0.3 * rng.normal(size=(1, t)) + scale * ar1(0.5, (n, t))
            xt, yt = _two_way_demean(de), _two_way_demean(ic)
            xx = float(np.sum(xt * xt))
            b = float(np.sum(xt * yt)) / xx
            e = yt - b * xt
            se = np.sqrt(factor * np.sum(np.sum(xt * e, axis=1) ** 2)) / xx
            tstat = b / se
            # CV3: leave one province out (the others' year means change, their own means do not)
            xd, yd = _two_way_demean(de[leave_out]), _two_way_demean(ic[leave_out])  # n x (n-1) x t
            loo = np.einsum("gnt,gnt->g", xd, yd) / np.einsum("gnt,gnt->g", xd, xd)
            se3 = float(np.sqrt((n - 1) / n * np.sum((loo - b) ** 2)))
            p = Partialled(yt.ravel(), xt.ravel(), basis, clusters, periods, np.arange(n), years,
                           k_stata, "DE")
            # randomization: permuting whole DE paths permutes the rows of the demeaned DE
            perms = np.array([rng.permutation(n) for _ in range(permutations)])
            xp = xt[perms]  # R x n x t
            bp = np.einsum("rnt,nt->r", xp, yt) / xx
            ep = yt[None] - bp[:, None, None] * xp
            sp = np.sqrt(factor * np.sum(np.sum(xp * ep, axis=2) ** 2, axis=1)) / xx
            p_perm = (1 + np.sum(np.abs(bp / sp) >= abs(tstat))) / (1 + permutations)
            # Driscoll-Kraay with linearmodels' bandwidth and N / (N - K) factor
            h = np.sum(xt * e, axis=0)
            s_dk = float(h @ h) + sum(2 * (1 - j / (bw + 1)) * float(h[j:] @ h[:-j])
                                      for j in range(1, bw + 1))
            se_dk = np.sqrt(max(s_dk, 0.0) * nobs / df_all) / xx
            pv = {
                "CR1, normal": 2 * stats.norm.sf(abs(tstat)),
                "CR1, t(G-1)": 2 * crit_g.sf(abs(tstat)),
                "CV3, t(G-1)": 2 * crit_g.sf(abs(b / se3)),
                "WCR, Rademacher": wild_cluster_bootstrap(p, draws=draws, weights="rademacher",
                                                          seed=seed + r).p_two_sided,
                "WCR, Webb": wild_cluster_bootstrap(p, draws=draws, weights="webb",
                                                    seed=seed + r).p_two_sided,
                "Randomization (DE paths permuted)": p_perm,
                "Driscoll-Kraay, t(T-1)": 2 * crit_t.sf(abs(b / se_dk)),
            }
            for m, v in pv.items():
                rejects[m] += v < alpha
        for m in SIZE_METHODS:
            rate = rejects[m] / reps
            rows.append({"design": name, "log_scale_sd": sd, "method": m, "rejection_rate": rate,
                         "mc_se": float(np.sqrt(rate * (1 - rate) / reps)), "reps": reps, "draws": draws,
                         "permutations": permutations, "seed": seed})
    return pd.DataFrame(rows)
