"""How much the DE coefficient depends on the choices made on the way, and three teaching simulations.

* :func:`multiverse` estimates the baseline model for every combination of data forks
  (:data:`helpers.data.FORK_CHOICES`), control set and clustering choice; :func:`specification_curve`
  draws the result in the style of Simonsohn, Simmons & Nelson (2020, "Specification curve
  analysis", Nature Human Behaviour 4) and Steegen et al. (2016, "Increasing transparency through a
  multiverse analysis", Perspectives on Psychological Science 11(5)).
* :func:`within_variation` splits the variance of a regressor into what the province effects, the
  year effects and the controls absorb and what is left to identify its coefficient.
* :func:`nickell_simulation` shows the bias of the within estimator of a lagged outcome with a
  short panel (Nickell 1981, "Biases in dynamic models with fixed effects", Econometrica 49(6)).
* :func:`mediation_identity_simulation` shows that total = direct + a*b is least-squares algebra on
  one sample and what breaks it.

Coefficients come from the FWL slope of :mod:`helpers.inference` (equal to
:func:`helpers.models.fit_twfe`'s, tested), which keeps the whole multiverse to about a second of
estimation; building the fork panels dominates the run time.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from helpers.data import FORK_CHOICES, build_panel, current_forks
from helpers.inference import cluster_se, partial_out, reference_df
from helpers.models import ModelInputError

#: the forks the multiverse varies by default (pgdp_source can be added)
MULTIVERSE_FORKS = ("gdp_vintage", "de_composition", "ti", "hum_proxy", "open_proxy")
#: which model variables a fork can change (checked against build_panel in the tests); a fork is
#: varied only for specifications that contain one of its variables, otherwise its column says "n/a"
FORK_VARIABLES: dict[str, tuple[str, ...]] = {
    "gdp_vintage": ("IC", "gov", "pgdp", "open"),
    "de_composition": ("DE",),
    "ti": ("TI",),
    "hum_proxy": ("hum",),
    "open_proxy": ("open",),
    "pgdp_source": ("pgdp",),
}
PAPER_CONTROLS = ("gov", "hum", "pgdp", "open", "edu")
#: clustering choices: the book's CR1 by province, two-way by province and year, none (HC1)
CLUSTERINGS = ("entity", "two_way", "hc1")
CLUSTERING_LABELS = {"entity": "province (CR1)", "two_way": "province + year", "hc1": "none (HC1)"}
GRIDS = ("full", "one_at_a_time")
NOT_IN_MODEL = "n/a"


def control_sets(controls: Sequence[str] = PAPER_CONTROLS) -> list[tuple[str, ...]]:
    """The paper's Table 3 columns: no controls, then the controls added one at a time in order."""
    return [tuple(controls[:k]) for k in range(len(controls) + 1)]


def _control_label(ctrl: Sequence[str]) -> str:
    return "none" if not ctrl else "+".join(ctrl)


def _fork_grid(relevant: Sequence[str], grid: str, base: Mapping[str, object]) -> list[dict[str, object]]:
    if grid == "full":
        return [dict(zip(relevant, combo, strict=True))
                for combo in itertools.product(*(FORK_CHOICES[f] for f in relevant))]
    if grid == "one_at_a_time":
        start = {f: base[f] for f in relevant}
        out = [start]
        for f in relevant:
            out += [{**start, f: v} for v in FORK_CHOICES[f] if v != base[f]]
        return out
    raise ValueError(f"multiverse: grid must be one of {GRIDS}, got {grid!r}")


def multiverse(*, y: str = "IC", term: str = "DE", controls: Sequence[str] = PAPER_CONTROLS,
               forks: Sequence[str] = MULTIVERSE_FORKS, grid: str = "full",
               clusterings: Sequence[str] = CLUSTERINGS, level: float = 0.95,
               builder: Callable[..., pd.DataFrame] = build_panel,
               base: Mapping[str, object] | None = None,
               entity: str = "province", time: str = "year") -> pd.DataFrame:
    """One row per specification (fork values x control set x clustering) with the ``term`` coefficient.

    Columns: ``spec_id`` (unique), one column per fork (its value, or ``"n/a"`` when none of the
    fork's variables is in that model), ``controls``, ``n_controls``, ``clustering``, ``n``,
    ``clusters`` and ``year_clusters`` (the clusters the standard error uses: provinces for
    ``"entity"``, provinces and years for ``"two_way"``, none (missing) for ``"hc1"``), ``coef``,
    ``se``, ``df`` (of the t reference), ``ci_lo``, ``ci_hi``, ``p``,
    ``positive_significant`` and ``negative_significant`` (two-sided at ``1 - level``). Each
    specification uses its own complete cases, as Table 3 does. ``builder(**forks)`` returns a panel
    (``build_panel`` by default) is called once per combination of the forks that one model
    variable depends on (:data:`FORK_VARIABLES`), and each specification's panel is assembled from
    those columns. A specification with no usable rows keeps ``n = 0`` and NaN estimates. The
    frame's ``attrs["panels_built"]`` records how many panels were built. Forks not varied, and the
    starting point of ``grid="one_at_a_time"``, are ``base``: by default the forks ``panel.csv`` was
    built with (:func:`helpers.data.current_forks`), so the grid is centred on the book's panel.
    """
    base = dict(current_forks() if base is None else base)
    unknown = [f for f in forks if f not in FORK_VARIABLES]
    if unknown:
        raise ValueError(f"multiverse: unknown fork(s) {unknown}; known: {list(FORK_VARIABLES)}")
    bad = [c for c in clusterings if c not in CLUSTERINGS]
    if bad:
        raise ValueError(f"multiverse: unknown clustering(s) {bad}; choose from {CLUSTERINGS}")
    cache: dict[tuple, pd.DataFrame] = {}

    def built(sub: dict[str, object]) -> pd.DataFrame:
        key = tuple(sorted(sub.items()))
        if key not in cache:
            cache[key] = builder(**{**base, **sub})
            if not cache[key][[entity, time]].equals(built({})[[entity, time]]):
                raise ValueError(f"multiverse: the panel for forks {sub} has other rows than the default")
        return cache[key]

    def panel(combo: dict[str, object], variables: set[str]) -> pd.DataFrame:
        # A model variable depends only on the forks listed for it in FORK_VARIABLES (tested), so
        # each column is taken from the panel that changes just those forks (from base): a
        # dozen builds instead of 36 for the full grid.
        cols = {v: built({f: x for f, x in combo.items()
                          if v in FORK_VARIABLES[f] and x != base[f]})[v]
                for v in variables}
        return built({}).assign(**cols)

    rows = []
    for ctrl in control_sets(controls):
        model_vars = {y, term, *ctrl}
        relevant = [f for f in forks if model_vars & set(FORK_VARIABLES[f])]
        for combo in _fork_grid(relevant, grid, base):
            try:
                p = partial_out(panel(combo, model_vars), y, term, ctrl, entity=entity, time=time)
            except ModelInputError:
                p = None
            for cl in clusterings:
                row: dict[str, object] = {f: combo.get(f, NOT_IN_MODEL) for f in forks}
                row.update(controls=_control_label(ctrl), n_controls=len(ctrl), clustering=cl)
                if p is None:
                    row.update(n=0, clusters=None, year_clusters=None, coef=np.nan, se=np.nan, df=np.nan,
                               ci_lo=np.nan, ci_hi=np.nan, p=np.nan)
                else:
                    se, df = cluster_se(p, clustering=cl), reference_df(p, cl)
                    crit = stats.t(df).ppf(0.5 + level / 2)
                    row.update(n=p.n, clusters=p.n_clusters if cl != "hc1" else None,
                               year_clusters=len(p.times) if cl == "two_way" else None,
                               coef=p.coef, se=se, df=df,
                               ci_lo=p.coef - crit * se, ci_hi=p.coef + crit * se,
                               p=float(2 * stats.t(df).sf(abs(p.coef / se))))
                rows.append(row)
    out = pd.DataFrame(rows)
    # missing, not zero, where a clustering uses no clusters of that kind
    out[["clusters", "year_clusters"]] = out[["clusters", "year_clusters"]].astype("Int64")
    out.insert(0, "spec_id", [
        "|".join([f"ctrl{r['n_controls']}", *(f"{f}={r[f]}" for f in forks), f"se={r['clustering']}"])
        for _, r in out.iterrows()])
    out["positive_significant"] = (out["ci_lo"] > 0).to_numpy()
    out["negative_significant"] = (out["ci_hi"] < 0).to_numpy()
    out.attrs["panels_built"] = len(cache)
    return out


def baseline_spec_id(forks: Sequence[str] = MULTIVERSE_FORKS, controls: Sequence[str] = PAPER_CONTROLS,
                     clustering: str = "entity", y: str = "IC", term: str = "DE",
                     base: Mapping[str, object] | None = None) -> str:
    """The spec id of the book's baseline: the panel's forks (``base``), all controls, CR1 by province."""
    base = dict(current_forks() if base is None else base)
    model_vars = {y, term, *controls}
    vals = [f"{f}={base[f] if model_vars & set(FORK_VARIABLES[f]) else NOT_IN_MODEL}"
            for f in forks]
    return "|".join([f"ctrl{len(controls)}", *vals, f"se={clustering}"])


def multiverse_summary(mv: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Specifications, share with a positive estimate, share positive and significant, negative and
    significant, median estimate and median N; overall or by the column ``by``."""
    ok = mv[mv["n"] > 0]
    groups = [("all", ok)] if by is None else list(ok.groupby(by, sort=False))
    rows = [{"group": str(k), "specifications": len(g), "share_positive": float((g["coef"] > 0).mean()),
             "share_positive_significant": float(g["positive_significant"].mean()),
             "share_negative_significant": float(g["negative_significant"].mean()),
             "median_coef": float(g["coef"].median()), "median_n": float(g["n"].median())}
            for k, g in groups]
    out = pd.DataFrame(rows)
    return out.rename(columns={"group": by or "group"})


#: the choices :func:`multiverse_by_choice` summarises by default
SUMMARY_CHOICES = ("gdp_vintage", "de_composition", "hum_proxy", "open_proxy", "controls", "clustering")
_PERCENT_COLUMNS = {"share_positive": "% positive", "share_positive_significant": "% positive, significant",
                    "share_negative_significant": "% negative, significant"}


def multiverse_by_choice(mv: pd.DataFrame, by: Sequence[str] = SUMMARY_CHOICES) -> pd.DataFrame:
    """:func:`multiverse_summary` for each value of each choice in ``by``, stacked with a ``choice``
    column first; specifications a choice does not enter (``n/a``) are left out of its rows."""
    parts = [multiverse_summary(mv[mv[f] != NOT_IN_MODEL], by=f).rename(columns={f: "value"}).assign(choice=f)
             for f in by]
    out = pd.concat(parts, ignore_index=True)
    return out[["choice", *out.columns.drop("choice")]]


def multiverse_summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`multiverse_by_choice` for reading: shares as percent text, median N without needless
    decimals, indexed by choice and value."""
    shown = summary.set_index(["choice", "value"])
    return shown.assign(
        **{c: (100 * shown[c]).map("{:.1f}".format) for c in _PERCENT_COLUMNS},
        median_n=shown["median_n"].map(lambda v: f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"),
    ).rename(columns=_PERCENT_COLUMNS)


def specification_curve(mv: pd.DataFrame, *, forks: Sequence[str] = MULTIVERSE_FORKS,
                        highlight: str | None = None, title: str | None = None,
                        clip_to: str = "entity") -> plt.Figure:
    """Sorted estimates with their intervals (top) and the choices behind each (indicator panel below).

    Colours: green positive and significant, red negative and significant, grey not significant.
    ``highlight`` is a spec id drawn as a larger black circle (the book's baseline). The vertical axis
    spans the intervals of the clustering ``clip_to``; longer intervals are cut there and counted
    in a note on the figure.
    """
    d = mv[mv["n"] > 0].sort_values(["coef", "spec_id"]).reset_index(drop=True)
    xpos = np.arange(len(d))
    colour = np.where(d["positive_significant"], "C2", np.where(d["negative_significant"], "C3", "0.6"))
    rows: list[tuple[str, pd.Series]] = []
    for f in forks:
        for v in FORK_CHOICES[f]:
            rows.append((f"{f}: {v}", d[f] == v))
    for lab in d.sort_values("n_controls")["controls"].drop_duplicates():
        rows.append((f"controls: {lab}", d["controls"] == lab))
    for cl in d["clustering"].drop_duplicates():
        rows.append((f"SE: {CLUSTERING_LABELS.get(cl, cl)}", d["clustering"] == cl))
    rows = [(lab, m) for lab, m in rows if m.any()]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(10, 3.2 + 0.22 * len(rows)), sharex=True,
                                 gridspec_kw={"height_ratios": [3.2, 0.22 * len(rows)]})
    ax.vlines(xpos, d["ci_lo"], d["ci_hi"], colors=colour, lw=0.8, alpha=0.7)
    ax.scatter(xpos, d["coef"], c=colour, s=6, zorder=3)
    ax.axhline(0, color="black", lw=0.8, ls="--")
    # two-way intervals with t(1) references (two years of data) are huge; the axis spans the
    # intervals of the book's clustering so that the curve stays visible, and longer ones are cut
    ref = d[d["clustering"] == clip_to] if (d["clustering"] == clip_to).any() else d
    lo, hi = ref["ci_lo"].min(), ref["ci_hi"].max()
    pad = 0.05 * (hi - lo)
    ax.set_ylim(min(lo, d["coef"].min()) - pad, max(hi, d["coef"].max()) + pad)
    n_clipped = int(((d["ci_lo"] < lo - pad) | (d["ci_hi"] > hi + pad)).sum())
    if n_clipped:
        ax.text(0.99, 0.02, f"{n_clipped} intervals clipped at the axis", transform=ax.transAxes,
                ha="right", va="bottom", fontsize="x-small")
    if highlight is not None and (d["spec_id"] == highlight).any():
        i = int(np.flatnonzero(d["spec_id"] == highlight)[0])
        ax.scatter([i], [d["coef"].iloc[i]], s=60, facecolors="none", edgecolors="black", zorder=4,
                   label="book's baseline (Table 3 col. 6)")
        ax.legend(loc="upper left", fontsize="small")
    ax.set_ylabel("DE coefficient, 95% CI")
    ax.set_title(title or "Specification curve of the DE coefficient")
    for j, (_, m) in enumerate(rows):
        hit = np.flatnonzero(m.to_numpy())
        bx.scatter(hit, np.full(len(hit), j), marker="|", s=30, c=colour[hit], lw=0.8)
    bx.set_yticks(range(len(rows)), [lab for lab, _ in rows], fontsize="x-small")
    bx.set_ylim(len(rows) - 0.5, -0.5)
    bx.set_xlabel("specifications, sorted by estimate")
    bx.set_xlim(-1, len(d))
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- identifying variation


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


def within_variation_figure(data: pd.DataFrame, var: str = "DE", *, entity: str = "province",
                            time: str = "year") -> plt.Figure:
    """Left: ``var`` by province and year as published. Right: the same after removing province and
    year effects, on the same vertical scale: the variation that identifies the coefficient."""
    frame = data.loc[data[var].notna(), [entity, time, var]].sort_values([entity, time])
    ent = pd.get_dummies(frame[entity]).to_numpy(dtype=float)
    per = pd.get_dummies(frame[time]).to_numpy(dtype=float)[:, 1:]
    frame = frame.assign(within=_resid(frame[var].to_numpy(float), np.column_stack([ent, per])))
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for _, g in frame.groupby(entity):
        axes[0].plot(g[time], g[var], color="C0", lw=0.8, alpha=0.6)
        axes[1].plot(g[time], g["within"], color="C1", lw=0.8, alpha=0.6)
    axes[0].set_title(f"{var} as measured (30 provinces)")
    axes[1].set_title(f"{var} after province and year effects")
    axes[1].axhline(0, color="black", lw=0.6)
    for a in axes:
        a.set_xlabel(time)
    axes[0].set_ylabel(var)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- teaching simulations


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
