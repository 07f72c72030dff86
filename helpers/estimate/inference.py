"""Inference on one coefficient of the two-way fixed-effects model that holds up with 30 clusters.

Everything here works on the model *after* the Frisch-Waugh-Lovell (FWL) theorem has removed the
province dummies, the year dummies and the controls: :func:`partial_out` residualises the outcome
and the regressor of interest once, and the coefficient is then the slope of a scalar regression.
By FWL the slope and every cluster-robust "sandwich" for it are identical to those of the full
regression (the tests check the slope and the Stata-corrected CR1 standard error against
:func:`helpers.models.fit_twfe` to 1e-10). With at most a few hundred rows the fixed effects are
partialled out with explicit dummies and an SVD basis of their column space: exact on unbalanced
panels, no iteration, and about a millisecond.

Methods (:func:`inference_table` puts them side by side):

* CR1: the book's clustered SE (Stata's ``G/(G-1) (N-1)/(N-K)``), with the normal and with the
  t(G-1) reference.
* CV3: the delete-one-cluster jackknife variance ``(G-1)/G sum_g (b_(g) - b)^2``, recommended for
  few or unbalanced clusters by MacKinnon, Nielsen & Webb (2023, "Cluster-robust inference: a guide
  to empirical practice", Journal of Econometrics 232(2)), with t(G-1).
* WCR: the wild cluster *restricted* bootstrap-t of Cameron, Gelbach & Miller (2008, REStat 90(3))
  with Rademacher weights or Webb's six-point weights (Webb 2023, "Reworking wild bootstrap-based
  inference for clustered errors", Canadian Journal of Economics 56(3); MacKinnon & Webb 2017,
  Journal of Applied Econometrics 32(2)). It is computed in the G x G form of Roodman, MacKinnon,
  Nielsen & Webb (2019, "Fast and wild", Stata Journal 19(1)), so 9,999 draws cost milliseconds
  and the confidence interval by test inversion is cheap.
* A randomization test that permutes whole DE paths across provinces (studentised, Chung &
  Romano 2013, Annals of Statistics 41(2)), p-value only.

``numpy`` is hand-written here because nothing in the book's stack (linearmodels, statsmodels)
offers a wild cluster bootstrap; the module is kept small and every formula is checked in
``tests/test_inference.py`` against a brute-force version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from helpers.estimate.models import ModelInputError

WEIGHTS = ("rademacher", "webb")
#: Webb's six-point distribution: +-sqrt(1/2), +-1, +-sqrt(3/2), each with probability 1/6
WEBB_POINTS = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
DEFAULT_SEED = 20240101


@dataclass(frozen=True)
class Partialled:
    """Outcome and regressor of interest with fixed effects and controls partialled out (FWL).

    ``y`` and ``x`` are the residualised outcome and regressor, ``basis`` an orthonormal basis of the
    partialled-out columns (entity dummies, period dummies, controls), ``clusters`` and ``periods``
    integer codes (sorted levels in ``entities``/``times``), ``k_stata`` the parameter count of
    Stata's xtreg correction (slopes + constant + period dummies; entity effects are nested in the
    clusters and not counted).
    """

    y: np.ndarray
    x: np.ndarray
    basis: np.ndarray
    clusters: np.ndarray
    periods: np.ndarray
    entities: np.ndarray
    times: np.ndarray
    k_stata: int
    term: str

    @property
    def n(self) -> int:
        """Observations used."""
        return len(self.y)

    @property
    def n_clusters(self) -> int:
        """Number of entity clusters G."""
        return len(self.entities)

    @property
    def xx(self) -> float:
        """x'x of the residualised regressor."""
        return float(self.x @ self.x)

    @property
    def coef(self) -> float:
        """The FWL slope, equal to the full regression's coefficient of ``term``."""
        return float(self.x @ self.y) / self.xx

    @property
    def resid(self) -> np.ndarray:
        """Residuals of the full (unrestricted) regression."""
        return self.y - self.coef * self.x

    @property
    def cr1_factor(self) -> float:
        """Stata's small-sample factor G/(G-1) (N-1)/(N-K) of the clustered covariance."""
        g, n = self.n_clusters, self.n
        return g / (g - 1) * (n - 1) / (n - self.k_stata)

    @property
    def df_lsdv(self) -> int:
        """Residual degrees of freedom when every dummy is counted (N - rank(Z) - 1)."""
        return self.n - self.basis.shape[1] - 1


def _design(frame: pd.DataFrame, entity: str, time: str, controls: Sequence[str],
            time_effects: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ent, ent_levels = pd.factorize(frame[entity], sort=True)
    per, per_levels = pd.factorize(frame[time], sort=True)
    n = len(frame)
    parts = [np.eye(len(ent_levels))[ent]]
    if time_effects and len(per_levels) > 1:
        parts.append(np.eye(len(per_levels))[per][:, 1:])
    if controls:
        parts.append(frame[list(controls)].to_numpy(dtype=float))
    z = np.column_stack(parts) if parts else np.zeros((n, 0))
    return z, ent, per, np.asarray(ent_levels), np.asarray(per_levels)


def _basis(z: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the column space of ``z`` (rank-revealing SVD, so collinear dummies are fine)."""
    u, s, _ = np.linalg.svd(z, full_matrices=False)
    tol = s.max() * max(z.shape) * np.finfo(float).eps if s.size else 0.0
    return u[:, s > tol]


def partial_out(data: pd.DataFrame, y: str, term: str, controls: Sequence[str] = (), *,
                entity: str = "province", time: str = "year", time_effects: bool = True) -> Partialled:
    """Residualise ``y`` and ``term`` on entity dummies, period dummies and ``controls`` (FWL).

    Rows missing ``y``, ``term`` or a control are dropped, as :func:`helpers.models.fit_twfe` does,
    so the sample is the same as the baseline chapter's column with these controls.
    """
    what = "partial_out"
    if isinstance(controls, str):
        raise ModelInputError(f"{what}: controls must be a list of names, not the string {controls!r}")
    controls = list(controls)
    cols = [entity, time, y, term, *controls]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ModelInputError(f"{what}: column(s) {', '.join(map(repr, missing))} not in the data frame")
    for c in (y, term, *controls):
        if not pd.api.types.is_numeric_dtype(data[c]):
            raise ModelInputError(f"{what}: column {c!r} is not numeric (dtype {data[c].dtype})")
    frame = data.loc[data[[y, term, *controls]].notna().all(axis=1), cols]
    if frame.duplicated([entity, time]).any():
        raise ModelInputError(f"{what}: more than one row per ({entity}, {time})")
    frame = frame.sort_values([entity, time])
    if frame[entity].nunique() < 2:
        raise ModelInputError(f"{what}: fewer than two {entity} clusters with complete rows")
    z, ent, per, ent_levels, per_levels = _design(frame, entity, time, controls, time_effects)
    u = _basis(z)
    yv, xv = frame[y].to_numpy(dtype=float), frame[term].to_numpy(dtype=float)
    yt, xt = yv - u @ (u.T @ yv), xv - u @ (u.T @ xv)
    if xt @ xt <= 1e-12 * max(xv @ xv, 1e-300):
        raise ModelInputError(f"{what}: {term!r} has no variation left after the fixed effects and controls")
    n_periods = len(per_levels) if time_effects else 1
    k_stata = 1 + len(controls) + 1 + (n_periods - 1)
    return Partialled(yt, xt, u, ent, per, ent_levels, per_levels, k_stata, term)


def _cluster_sums(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of ``values`` (rows) within each group code; works for vectors and N x B matrices."""
    ind = np.zeros((n_groups, len(codes)))
    ind[codes, np.arange(len(codes))] = 1.0
    return ind @ values


def cluster_se(p: Partialled, *, clustering: str = "entity", resid: np.ndarray | None = None) -> float:
    """Sandwich SE of the FWL slope.

    ``clustering``: ``"entity"`` (CR1 with Stata's factor, as the book), ``"entity_cr0"`` (no
    factor), ``"two_way"`` (entity and period, Cameron-Gelbach-Miller 2011 ``V_e + V_t - V_et``
    scaled like reghdfe by ``Gmin/(Gmin-1) (N-1)/(N-K)``), ``"hc1"`` (heteroskedasticity-robust, no
    clustering, ``N/(N - all parameters)``).
    """
    e = p.resid if resid is None else resid
    xe = p.x * e
    xx2 = p.xx**2
    g = p.n_clusters

    def meat(codes: np.ndarray, n_groups: int) -> float:
        return float(np.sum(_cluster_sums(codes, xe, n_groups) ** 2))

    if clustering == "entity":
        var = p.cr1_factor * meat(p.clusters, g) / xx2
    elif clustering == "entity_cr0":
        var = meat(p.clusters, g) / xx2
    elif clustering == "two_way":
        t = len(p.times)
        gmin = min(g, t)
        raw = meat(p.clusters, g) + meat(p.periods, t) - float(np.sum(xe**2))
        var = gmin / (gmin - 1) * (p.n - 1) / (p.n - p.k_stata) * raw / xx2
    elif clustering == "hc1":
        var = p.n / p.df_lsdv * float(np.sum(xe**2)) / xx2
    else:
        raise ValueError(f"cluster_se: unknown clustering {clustering!r}")
    return float(np.sqrt(var)) if var > 0 else float("nan")


def reference_df(p: Partialled, clustering: str = "entity") -> int:
    """Degrees of freedom of the t reference: G-1 (entity), min(G, T)-1 (two-way), N-K (hc1)."""
    if clustering in ("entity", "entity_cr0"):
        return p.n_clusters - 1
    if clustering == "two_way":
        return min(p.n_clusters, len(p.times)) - 1
    if clustering == "hc1":
        return p.df_lsdv
    raise ValueError(f"reference_df: unknown clustering {clustering!r}")


# --------------------------------------------------------------------------- wild cluster bootstrap


def bootstrap_weights(n_clusters: int, draws: int, kind: str, rng: np.random.Generator) -> np.ndarray:
    """G x B matrix of cluster weights: Rademacher (+-1) or Webb's six-point distribution."""
    if kind == "rademacher":
        return rng.integers(0, 2, size=(n_clusters, draws)) * 2.0 - 1.0
    if kind == "webb":
        return WEBB_POINTS[rng.integers(0, 6, size=(n_clusters, draws))]
    raise ValueError(f"bootstrap_weights: kind must be one of {WEIGHTS}, got {kind!r}")


@dataclass(frozen=True)
class _WildParts:
    """Cluster-level pieces of the WCR bootstrap; everything is linear in the null value beta0."""

    a_y: np.ndarray  # x_g'y_g
    d: np.ndarray  # x_g'x_g
    p_mat: np.ndarray  # G x k: x_g'U_g
    r_y: np.ndarray  # k x G: U_g'y_g
    xx: float
    factor: float


def _wild_parts(p: Partialled) -> _WildParts:
    g = p.n_clusters
    return _WildParts(
        a_y=_cluster_sums(p.clusters, p.x * p.y, g),
        d=_cluster_sums(p.clusters, p.x * p.x, g),
        p_mat=_cluster_sums(p.clusters, p.basis * p.x[:, None], g),
        r_y=_cluster_sums(p.clusters, p.basis * p.y[:, None], g).T,
        xx=p.xx,
        factor=p.cr1_factor,
    )


def _wild_t(parts: _WildParts, beta0: float, v: np.ndarray) -> np.ndarray:
    """Bootstrap t-statistics of the WCR bootstrap at the null ``beta0`` for weights ``v`` (G x B).

    With restricted residuals u = y - beta0 x (already orthogonal to the partialled-out columns U),
    the bootstrap sample is w = u * v_g; the bootstrap slope minus beta0 is x'w / x'x and the
    bootstrap residuals are w - U U'w - x (x'w)/x'x. Their cluster scores are M v with the G x G
    matrix M = diag(a) - P R - d a' / x'x (Roodman et al. 2019), so no N x B array is formed.
    """
    a = parts.a_y - beta0 * parts.d
    r = parts.r_y - beta0 * parts.p_mat.T
    m = np.diag(a) - parts.p_mat @ r - np.outer(parts.d, a) / parts.xx
    scores = m @ v
    num = (a @ v) / parts.xx
    se = np.sqrt(parts.factor * np.sum(scores**2, axis=0)) / parts.xx
    return num / se


@dataclass(frozen=True)
class WildBootstrap:
    """Result of a WCR bootstrap test of H0: beta = beta0."""

    t: float
    t_draws: np.ndarray
    beta0: float
    weights: str
    seed: int

    @property
    def draws(self) -> int:
        """Number of bootstrap draws B."""
        return len(self.t_draws)

    @property
    def p_two_sided(self) -> float:
        """Symmetric bootstrap p-value: share of |t*| >= |t|."""
        return float(np.mean(np.abs(self.t_draws) >= abs(self.t)))

    @property
    def p_upper(self) -> float:
        """One-sided p-value of H0: beta <= beta0 against beta > beta0: share of t* >= t."""
        return float(np.mean(self.t_draws >= self.t))


def wild_cluster_bootstrap(p: Partialled, beta0: float = 0.0, *, draws: int = 9999, weights: str = "webb",
                           seed: int = DEFAULT_SEED) -> WildBootstrap:
    """Wild cluster restricted bootstrap-t (WCR) of H0: beta = beta0, seeded by ``default_rng(seed)``.

    Cameron, Gelbach & Miller (2008); weights as MacKinnon & Webb (2017) and Webb (2023); fast form
    of Roodman, MacKinnon, Nielsen & Webb (2019). The studentisation uses the CR1 SE; the factor
    cancels in the p-value.
    """
    if draws < 1:
        raise ValueError(f"wild_cluster_bootstrap: draws must be positive, got {draws}")
    parts = _wild_parts(p)
    v = bootstrap_weights(p.n_clusters, draws, weights, np.random.default_rng(seed))
    t = (p.coef - beta0) / cluster_se(p)
    return WildBootstrap(float(t), _wild_t(parts, beta0, v), beta0, weights, seed)


def wild_confidence_interval(p: Partialled, *, level: float = 0.95, draws: int = 9999,
                             weights: str = "webb", seed: int = DEFAULT_SEED,
                             tol: float = 1e-6) -> tuple[float, float]:
    """WCR confidence interval by test inversion: the beta0 whose symmetric p-value equals 1 - level.

    One set of weights is drawn and reused for every beta0 (otherwise the p-value function would be
    noisy); each bound is found by bracketing then bisection to ``tol`` times the CR1 SE.
    """
    parts = _wild_parts(p)
    v = bootstrap_weights(p.n_clusters, draws, weights, np.random.default_rng(seed))
    b, se = p.coef, cluster_se(p)
    alpha = 1 - level

    def pval(beta0: float) -> float:
        t = (b - beta0) / se
        return float(np.mean(np.abs(_wild_t(parts, beta0, v)) >= abs(t)))

    def bound(sign: float) -> float:
        inner, step = b, 2.0 * se
        outer = b + sign * step
        for _ in range(60):
            if pval(outer) < alpha:
                break
            inner, step = outer, step * 2
            outer = b + sign * step
        else:
            return sign * np.inf
        while abs(outer - inner) > tol * se:
            mid = (inner + outer) / 2
            if pval(mid) < alpha:
                outer = mid
            else:
                inner = mid
        return (inner + outer) / 2

    return bound(-1.0), bound(1.0)


# --------------------------------------------------------------------------- jackknife, permutation


def jackknife(data: pd.DataFrame, y: str, term: str, controls: Sequence[str] = (), *,
              entity: str = "province", time: str = "year") -> pd.DataFrame:
    """Leave-one-entity-out estimates: ``entity, coef, change`` (coef minus the full estimate), ``n``.

    Rows are in the order of the entities; the fixed effects and controls are re-partialled on each
    reduced sample, so each row is the full model estimated without that entity.
    """
    full = partial_out(data, y, term, controls, entity=entity, time=time)
    rows = []
    for e in full.entities:
        p = partial_out(data.loc[data[entity] != e], y, term, controls, entity=entity, time=time)
        rows.append({entity: e, "coef": p.coef, "change": p.coef - full.coef, "n": p.n})
    return pd.DataFrame(rows)


def cv3_se(jack: pd.DataFrame, full_coef: float) -> float:
    """CV3 jackknife SE sqrt((G-1)/G sum_g (b_(g) - b)^2) (MacKinnon, Nielsen & Webb 2023)."""
    g = len(jack)
    return float(np.sqrt((g - 1) / g * np.sum((jack["coef"].to_numpy() - full_coef) ** 2)))




@dataclass(frozen=True)
class Randomization:
    """Permutation distribution of the CR1 t-statistic when DE paths are shuffled across entities."""

    t: float
    t_draws: np.ndarray
    coef_draws: np.ndarray
    seed: int

    @property
    def p_two_sided(self) -> float:
        """(1 + #|t_perm| >= |t|) / (1 + R), valid for a finite number of permutations."""
        return float((1 + np.sum(np.abs(self.t_draws) >= abs(self.t))) / (1 + len(self.t_draws)))

    @property
    def p_upper(self) -> float:
        """One-sided (beta > 0) version."""
        return float((1 + np.sum(self.t_draws >= self.t)) / (1 + len(self.t_draws)))


def randomization_test(data: pd.DataFrame, y: str, term: str, controls: Sequence[str] = (), *,
                       draws: int = 1999, seed: int = DEFAULT_SEED, entity: str = "province",
                       time: str = "year") -> Randomization:
    """Shuffle whole ``term`` paths across entities (``default_rng(seed)``) and re-estimate.

    H0 is that the entity a DE path belongs to is irrelevant for the outcome once fixed effects and
    controls are accounted for. Needs every entity observed in the same periods (a balanced sample).
    """
    p = partial_out(data, y, term, controls, entity=entity, time=time)
    cols = [entity, time, y, term, *controls]
    frame = data.loc[data[[y, term, *controls]].notna().all(axis=1), cols].sort_values([entity, time])
    counts = frame.groupby(entity).size()
    if counts.nunique() != 1 or frame.groupby(entity)[time].apply(tuple).nunique() != 1:
        raise ModelInputError(f"randomization_test: the sample is unbalanced (rows per {entity}: "
                              f"{counts.min()}-{counts.max()}); permuting paths needs a balanced panel")
    g, t = p.n_clusters, int(counts.iloc[0])
    wide = frame[term].to_numpy(dtype=float).reshape(g, t)
    rng = np.random.default_rng(seed)
    perms = np.array([rng.permutation(g) for _ in range(draws)])  # draws x G
    x = wide[perms].reshape(draws, g * t).T  # N x R, rows in (entity, time) order
    xt = x - p.basis @ (p.basis.T @ x)
    xx = np.sum(xt**2, axis=0)
    coef = (xt.T @ p.y) / xx
    resid = p.y[:, None] - xt * coef
    scores = _cluster_sums(p.clusters, xt * resid, g)
    se = np.sqrt(p.cr1_factor * np.sum(scores**2, axis=0)) / xx
    return Randomization(p.coef / cluster_se(p), coef / se, coef, seed)


# --------------------------------------------------------------------------- the comparison table

INFERENCE_COLUMNS = ["method", "reference", "coef", "se", "statistic", "p_two_sided", "p_one_sided",
                     "ci_lo", "ci_hi", "draws", "seed"]


def inference_table(data: pd.DataFrame, y: str = "IC", term: str = "DE", controls: Sequence[str] = (), *,
                    draws: int = 9999, permutations: int = 1999, seed: int = DEFAULT_SEED,
                    level: float = 0.95, entity: str = "province", time: str = "year",
                    wild_ci: bool = True) -> pd.DataFrame:
    """The coefficient of ``term`` under each inference method, one row each (:data:`INFERENCE_COLUMNS`).

    ``p_one_sided`` tests H0: beta <= 0 against beta > 0 (the paper's H1 is directional). Bootstrap
    and permutation rows have no SE; their interval (WCR only) comes from test inversion.
    """
    p = partial_out(data, y, term, controls, entity=entity, time=time)
    b, g = p.coef, p.n_clusters
    se = cluster_se(p)
    tval = b / se
    z = stats.norm.ppf(0.5 + level / 2)
    tdist = stats.t(g - 1)
    tc = tdist.ppf(0.5 + level / 2)
    rows = [
        ["CR1 (Stata factor)", "normal", b, se, tval, 2 * stats.norm.sf(abs(tval)), stats.norm.sf(tval),
         b - z * se, b + z * se, np.nan, np.nan],
        ["CR1 (Stata factor)", f"t({g - 1})", b, se, tval, 2 * tdist.sf(abs(tval)), tdist.sf(tval),
         b - tc * se, b + tc * se, np.nan, np.nan],
    ]
    jack = jackknife(data, y, term, controls, entity=entity, time=time)
    se3 = cv3_se(jack, b)
    rows.append(["CV3 jackknife", f"t({g - 1})", b, se3, b / se3, 2 * tdist.sf(abs(b / se3)),
                 tdist.sf(b / se3), b - tc * se3, b + tc * se3, np.nan, np.nan])
    for kind in WEIGHTS:
        wb = wild_cluster_bootstrap(p, 0.0, draws=draws, weights=kind, seed=seed)
        lo, hi = (wild_confidence_interval(p, level=level, draws=draws, weights=kind, seed=seed)
                  if wild_ci else (np.nan, np.nan))
        rows.append([f"WCR bootstrap, {kind} weights", "bootstrap-t", b, np.nan, wb.t, wb.p_two_sided,
                     wb.p_upper, lo, hi, draws, seed])
    if permutations:
        rt = randomization_test(data, y, term, controls, draws=permutations, seed=seed, entity=entity,
                                time=time)
        rows.append(["Randomization (DE paths permuted)", "permutation-t", b, np.nan, rt.t, rt.p_two_sided,
                     rt.p_upper, np.nan, np.nan, permutations, seed])
    out = pd.DataFrame(rows, columns=INFERENCE_COLUMNS)
    out[["draws", "seed"]] = out[["draws", "seed"]].astype("Int64")
    out["n"] = p.n
    out["clusters"] = g
    return out




# --------------------------------------------------------------------------- Driscoll-Kraay


def dk_bandwidth(n_periods: int) -> int:
    """linearmodels' default Bartlett bandwidth, floor(4 (T/100)^(2/9)): 2 for T = 11."""
    return int(np.floor(4 * (n_periods / 100) ** (2 / 9)))


def dk_se(p: Partialled, bandwidth: int | None = None) -> float:
    """Driscoll-Kraay SE of the FWL slope: Bartlett-weighted autocovariances of the period sums of the
    scores (Driscoll & Kraay 1998, Review of Economics and Statistics 80(4)), scaled by N / (N - K)
    with every dummy counted, as linearmodels' ``PanelOLS.fit(cov_type="kernel")`` (equal to it to
    1e-10, tested).

    It allows any correlation across provinces within a year and serial correlation up to the
    bandwidth; its asymptotics are in the number of periods, so with T = 11 it is a rough guide.
    """
    bw = dk_bandwidth(len(p.times)) if bandwidth is None else bandwidth
    h = _cluster_sums(p.periods, p.x * p.resid, len(p.times))
    s = float(h @ h)
    for lag in range(1, bw + 1):
        s += 2 * (1 - lag / (bw + 1)) * float(h[lag:] @ h[:-lag])
    return float(np.sqrt(max(s, 0.0) * p.n / p.df_lsdv)) / p.xx


def driscoll_kraay(data: pd.DataFrame, y: str, term: str, controls: Sequence[str] = (), *,
                   entity: str = "province", time: str = "year") -> tuple[float, float, int, int]:
    """``(coef, se, bandwidth, periods)`` of ``term`` from linearmodels' PanelOLS with entity effects,
    year dummies and ``cov_type="kernel"`` (Bartlett kernel, default bandwidth)."""
    from linearmodels.panel import PanelOLS

    cols = [entity, time, y, term, *controls]
    frame = data.loc[data[[y, term, *controls]].notna().all(axis=1), cols].set_index([entity, time])
    years = frame.index.get_level_values(time)
    dummies = pd.get_dummies(years, prefix="yr", drop_first=True, dtype=float).set_index(frame.index)
    exog = frame[[term, *controls]].join(dummies)
    res = PanelOLS(frame[y], exog, entity_effects=True).fit(cov_type="kernel", kernel="bartlett")
    n_periods = years.nunique()
    return float(res.params[term]), float(res.std_errors[term]), dk_bandwidth(n_periods), n_periods
