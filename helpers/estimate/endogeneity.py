"""Instrumental variables with two-way fixed effects, the Anderson-Rubin test, and slopes by group.

All estimators here first remove the entity and period effects by the within (Frisch-Waugh-Lovell)
transformation: every variable is residualised on entity and period dummies, which is exact on
unbalanced panels too. What is left is an ordinary regression or IV problem without intercept.

Clustered covariances use the book's CR1 correction (:mod:`helpers.estimate.models`):
``G/(G-1) (N-1)/(N-K)`` with ``K`` the slopes, the constant and the ``T-1`` period dummies (the entity
effects are nested in the clusters and not counted); references are ``t(G-1)`` and ``F(q, G-1)``.

:func:`iv_twfe` is two-stage least squares by linearmodels' ``IV2SLS`` on the residualised data.
:func:`anderson_rubin` is the weak-instrument-robust test of Anderson and Rubin (1949): under
:math:`H_0: \\beta = \\beta_0` the instruments have no coefficient in the regression of
:math:`y - \\beta_0 x` on instruments and exogenous regressors, whatever the instruments' strength.
:func:`anderson_rubin_set` inverts it over a grid: the confidence set is every :math:`\\beta_0` it does
not reject, which may be an interval, a union of intervals or unbounded (the honest answer when the
instruments are weak).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from linearmodels.iv import IV2SLS
from linearmodels.iv.results import IVResults
from scipy import optimize, stats

from helpers.estimate.inference import _basis, _cluster_sums, _design
from helpers.estimate.models import ModelInputError, fit_twfe


@dataclass(frozen=True)
class Within:
    """Residualised columns of one complete-case sample (entity and period effects removed)."""

    frame: pd.DataFrame  # residualised variables, same row order as ``sample``
    sample: pd.DataFrame  # the complete rows used, sorted by entity and period
    clusters: np.ndarray  # entity codes 0..G-1
    n_periods: int

    @property
    def n(self) -> int:
        """Observations used."""
        return len(self.frame)

    @property
    def n_clusters(self) -> int:
        """Number of entity clusters G."""
        return int(self.clusters.max()) + 1

    def cr1_factor(self, n_slopes: int) -> float:
        """The book's factor G/(G-1) (N-1)/(N-K), K = slopes + constant + (T-1) period dummies."""
        g, n = self.n_clusters, self.n
        return g / (g - 1) * (n - 1) / (n - n_slopes - self.n_periods)


def within(data: pd.DataFrame, cols: Sequence[str], *, entity: str = "province",
           time: str = "year") -> Within:
    """Complete rows of ``cols`` with entity and period effects partialled out of every column."""
    cols = list(dict.fromkeys(cols))
    missing = [c for c in [entity, time, *cols] if c not in data.columns]
    if missing:
        raise ModelInputError(f"within: column(s) {', '.join(map(repr, missing))} not in the data frame")
    sample = data.loc[data[cols].notna().all(axis=1), [entity, time, *cols]].sort_values([entity, time])
    if sample[entity].nunique() < 2:
        raise ModelInputError(f"within: fewer than two {entity} clusters with complete rows")
    z, ent, _, _, per_levels = _design(sample, entity, time, [], True)
    u = _basis(z)
    v = sample[cols].to_numpy(dtype=float)
    resid = v - u @ (u.T @ v)
    frame = pd.DataFrame(resid, columns=cols, index=sample.index)
    return Within(frame, sample.reset_index(drop=True), np.asarray(ent), len(per_levels))


def _cluster_wald(w: Within, a: np.ndarray, tested: Sequence[str], others: Sequence[str], *,
                  d: np.ndarray | None = None, b0: float | np.ndarray = 0.0) -> np.ndarray:
    """Cluster-robust Wald statistics (CR1) that the ``tested`` columns have zero coefficients in the
    regression of ``a - b0 * d`` on ``tested`` and ``others``, one for each value in ``b0``.

    The coefficients and each cluster's scores are linear in ``b0``, so one regression of ``a`` and
    one of ``d`` give them all; only the q x q solve is repeated, as a batch.
    """
    b0 = np.atleast_1d(np.asarray(b0, dtype=float))
    d = np.zeros_like(a) if d is None else d
    X = w.frame[[*tested, *others]].to_numpy()
    bread = np.linalg.inv(X.T @ X)
    ca, cd = bread @ X.T @ a, bread @ X.T @ d
    sa = _cluster_sums(w.clusters, X * (a - X @ ca)[:, None], w.n_clusters)
    sd = _cluster_sums(w.clusters, X * (d - X @ cd)[:, None], w.n_clusters)
    scores = sa[None] - b0[:, None, None] * sd[None]  # (values of b0, clusters, k)
    V = w.cr1_factor(X.shape[1]) * bread @ np.einsum("ngk,ngl->nkl", scores, scores) @ bread
    q = len(tested)
    b = ca[None, :q] - b0[:, None] * cd[None, :q]
    return np.einsum("nq,nq->n", b, np.linalg.solve(V[:, :q, :q], b[:, :, None])[:, :, 0])


@dataclass(frozen=True)
class IVFit:
    """Two-stage least squares with two-way fixed effects, and its first stage."""

    result: IVResults
    within: Within
    endog: str
    instruments: tuple[str, ...]
    controls: tuple[str, ...]
    first_stage_f: float

    @property
    def coef(self) -> float:
        """2SLS coefficient of the endogenous regressor."""
        return float(self.result.params[self.endog])

    @property
    def se(self) -> float:
        """Its clustered standard error (the book's CR1)."""
        return float(self.result.std_errors[self.endog])

    @property
    def df(self) -> int:
        """Degrees of freedom of the t reference, G - 1."""
        return self.within.n_clusters - 1

    @property
    def p(self) -> float:
        """Two-sided p-value with t(G-1)."""
        return float(2 * stats.t(self.df).sf(abs(self.coef / self.se)))

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        """Wald interval with t(G-1); valid only when the instruments are strong."""
        h = stats.t(self.df).ppf((1 + level) / 2) * self.se
        return self.coef - h, self.coef + h


def iv_twfe(data: pd.DataFrame, y: str, endog: str, instruments: Sequence[str], controls: Sequence[str] = (),
            *, entity: str = "province", time: str = "year") -> IVFit:
    """2SLS of ``y`` on ``endog`` (instrumented by ``instruments``) and ``controls``, with entity and period
    effects removed by the within transformation; clustered by entity with the book's CR1 factor.

    The first-stage F is the cluster-robust Wald statistic of the instruments in the regression of
    ``endog`` on instruments and controls (after the effects), divided by their number.
    """
    instruments, controls = list(instruments), list(controls)
    if not instruments:
        raise ModelInputError("iv_twfe: at least one instrument is needed")
    w = within(data, [y, endog, *instruments, *controls], entity=entity, time=time)
    f = w.frame
    model = IV2SLS(f[y], f[controls] if controls else None, f[[endog]], f[instruments])
    # debiased with extra_df = T (constant + T-1 period dummies) gives G/(G-1) (N-1)/(N-K) exactly
    res = model.fit(cov_type="clustered", clusters=pd.Series(w.clusters, index=f.index), debiased=True,
                    extra_df=w.n_periods)
    stat = float(_cluster_wald(w, f[endog].to_numpy(), instruments, controls)[0])
    return IVFit(res, w, endog, tuple(instruments), tuple(controls), stat / len(instruments))


def anderson_rubin(data: pd.DataFrame | Within, y: str, endog: str, instruments: Sequence[str],
                   controls: Sequence[str] = (), beta0: float | Sequence[float] = 0.0, *,
                   entity: str = "province", time: str = "year") -> pd.DataFrame:
    """Anderson-Rubin test of H0: beta = beta0, cluster-robust, F(q, G-1) reference.

    Regresses ``y - beta0 * endog`` on the instruments and controls (entity and period effects
    removed) and tests that the instruments' coefficients are zero. Returns one row per ``beta0``:
    ``beta0``, ``F`` (Wald / q) and ``p``. ``data`` may be a :class:`Within` already computed.
    """
    instruments, controls = list(instruments), list(controls)
    w = data if isinstance(data, Within) else within(data, [y, endog, *instruments, *controls],
                                                      entity=entity, time=time)
    b0 = np.atleast_1d(np.asarray(beta0, dtype=float))
    q = len(instruments)
    f = _cluster_wald(w, w.frame[y].to_numpy(), instruments, controls, d=w.frame[endog].to_numpy(), b0=b0) / q
    return pd.DataFrame({"beta0": b0, "F": f, "p": stats.f(q, w.n_clusters - 1).sf(f)})


@dataclass(frozen=True)
class ARSet:
    """The Anderson-Rubin confidence set found on a grid: the accepted intervals, ends refined."""

    intervals: tuple[tuple[float, float], ...]
    grid: tuple[float, float]
    level: float

    @property
    def bounded(self) -> bool:
        """False when the set reaches either end of the grid (it may then be unbounded)."""
        inside = self.grid[0] < self.intervals[0][0] and self.intervals[-1][1] < self.grid[1]
        return bool(self.intervals) and inside

    @property
    def empty(self) -> bool:
        """True when no value on the grid is accepted."""
        return not self.intervals

    @property
    def lo(self) -> float:
        """Lowest accepted value (-inf if the set reaches the lower end of the grid)."""
        if self.empty:
            return float("nan")
        lo = self.intervals[0][0]
        return -np.inf if lo <= self.grid[0] else lo

    @property
    def hi(self) -> float:
        """Highest accepted value (+inf if the set reaches the upper end of the grid)."""
        if self.empty:
            return float("nan")
        hi = self.intervals[-1][1]
        return np.inf if hi >= self.grid[1] else hi


def anderson_rubin_set(data: pd.DataFrame, y: str, endog: str, instruments: Sequence[str],
                       controls: Sequence[str] = (), *, grid: Sequence[float] | np.ndarray,
                       level: float = 0.95, entity: str = "province", time: str = "year") -> ARSet:
    """Invert the Anderson-Rubin test over ``grid``: the values of beta0 with p >= 1 - ``level``.

    Each change between accepted and rejected neighbours on the grid is refined by root finding
    (Brent) on p(beta0) - alpha, so the ends are exact to the solver's tolerance, not to the grid's
    step. An accepted run touching an end of the grid is reported as reaching it (see
    :attr:`ARSet.bounded`).
    """
    instruments, controls = list(instruments), list(controls)
    w = within(data, [y, endog, *instruments, *controls], entity=entity, time=time)
    alpha = 1 - level
    g = np.sort(np.asarray(grid, dtype=float))
    if len(g) < 3:
        raise ValueError("anderson_rubin_set: the grid needs at least three points")

    def excess(b0: float) -> float:
        return float(anderson_rubin(w, y, endog, instruments, controls, b0)["p"].iloc[0]) - alpha

    ok = anderson_rubin(w, y, endog, instruments, controls, g)["p"].to_numpy() >= alpha
    intervals, start = [], None
    for i, acc in enumerate(ok):
        if acc and start is None:
            start = g[0] if i == 0 else optimize.brentq(excess, g[i - 1], g[i], xtol=1e-12)
        if start is not None and (i == len(g) - 1 or not ok[i + 1]):
            if acc:
                end = g[-1] if i == len(g) - 1 else optimize.brentq(excess, g[i], g[i + 1], xtol=1e-12)
                intervals.append((float(start), float(end)))
                start = None
    return ARSet(tuple(intervals), (float(g[0]), float(g[-1])), level)


def group_slopes(data: pd.DataFrame, y: str, term: str, group: str, controls: Sequence[str] = (), *,
                 levels: Sequence[str] | None = None, entity: str = "province",
                 time: str = "year") -> tuple[pd.DataFrame, dict[str, float]]:
    """The slope of ``term`` in each level of ``group`` (``term`` interacted with group dummies).

    One two-way fixed-effects fit (:func:`helpers.estimate.fit_twfe`) of ``y`` on ``term`` times a
    dummy for each level of ``group`` (the level's own slope; the group main effects are absorbed by
    the entity effects when ``group`` is constant within entity) and ``controls``. Returns a frame with
    one row per level (``group``, ``coef``, ``se``, ``t``, ``p`` with t(G-1), ``n`` rows and
    ``clusters`` entities of that level in the sample) and the cluster-robust test that all slopes are
    equal (``F`` = Wald / q with q = levels - 1, ``p`` from F(q, G-1)). Rows follow ``levels``
    (default: sorted).
    """
    controls = list(controls)
    frame = data.loc[data[[y, term, group, *controls]].notna().all(axis=1)].copy()
    present = list(pd.unique(frame[group]))
    levels = [lv for lv in levels if lv in present] if levels is not None else sorted(present)
    names = {lv: f"{term}_x_{lv}" for lv in levels}
    for lv, name in names.items():
        frame[name] = frame[term] * (frame[group] == lv)
    res = fit_twfe(frame, y, [*names.values(), *controls], entity=entity, time=time)
    df = res.fit_info.n_clusters - 1
    rows = []
    for lv, name in names.items():
        coef, se = float(res.params[name]), float(res.std_errors[name])
        sub = frame[frame[group] == lv]
        rows.append({group: lv, "coef": coef, "se": se, "t": coef / se,
                     "p": float(2 * stats.t(df).sf(abs(coef / se))), "n": len(sub),
                     "clusters": int(sub[entity].nunique())})
    # Wald test of equal slopes: R b = 0 with rows b_1 - b_k, k = 2..levels
    idx = [list(res.params.index).index(n) for n in names.values()]
    b = res.params.to_numpy()[idx]
    V = res.cov.to_numpy()[np.ix_(idx, idx)]
    R = np.column_stack([np.ones(len(idx) - 1), -np.eye(len(idx) - 1)])
    stat = float((R @ b) @ np.linalg.solve(R @ V @ R.T, R @ b))
    q = len(idx) - 1
    test = {"F": stat / q, "q": q, "p": float(stats.f(q, df).sf(stat / q)), "n": int(res.nobs)}
    return pd.DataFrame(rows), test
