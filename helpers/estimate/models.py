"""Panel regressions for the book, thin over linearmodels.

Every estimate in the book comes from :func:`fit_twfe` or :func:`fit_pooled`. Both take a long
panel frame (one row per entity-period), drop rows with a missing outcome or regressor, add a
``const`` column and cluster by entity.

Small-sample correction of the clustered covariance (the book's choice)
----------------------------------------------------------------------
The default, ``small_sample="stata"``, reproduces Stata's ``xtreg y x i.year, fe vce(cluster id)``
number by number: the sandwich is scaled by ``G/(G-1) * (N-1)/(N-K)`` where ``K`` counts the slopes,
the constant and the ``T-1`` year dummies but not the entity effects, because they are nested in the
clusters. To get exactly that from linearmodels, year effects enter as explicit dummies and only the
entity effect is absorbed (linearmodels then detects the nesting itself). ``small_sample="lsdv"``
counts the entity effects too (statsmodels OLS with dummies, Stata ``areg``/``regress``);
``"none"`` is the raw CR0 sandwich. :func:`covariance_variants` shows them all side by side.

p-values of clustered estimates use Student's t with ``G-1`` degrees of freedom, as Stata does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from linearmodels import PanelOLS, PooledOLS
from linearmodels.panel.results import PanelEffectsResults, PanelResults
from linearmodels.panel.utility import AbsorbingEffectError
from scipy import stats

SMALL_SAMPLE = ("stata", "lsdv", "none")
CONST = "const"


class ModelInputError(ValueError):
    """The frame handed to a model helper cannot be used (message is one line)."""


@dataclass(frozen=True)
class FitInfo:
    """What a fit was asked to do; attached to every result as ``result.fit_info``."""

    y: str
    regressors: tuple[str, ...]
    entity: str
    time: str
    entity_effects: bool
    time_effects: bool
    small_sample: str
    n_dropped: int
    n_clusters: int

    @property
    def terms(self) -> tuple[str, ...]:
        """The reported terms: regressors then the constant (year dummies are left out)."""
        return (*self.regressors, CONST)


def _check_columns(data: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ModelInputError(f"{what}: column(s) {', '.join(map(repr, missing))} not in the data frame")


def _prepare(data: pd.DataFrame, y: str, regressors: Sequence[str], entity: str, time: str,
             what: str) -> tuple[pd.DataFrame, int]:
    """Complete cases of y and regressors, indexed (entity, time), with a constant column."""
    if isinstance(regressors, str):
        raise ModelInputError(f"{what}: regressors must be a list of names, not the string {regressors!r}")
    regressors = list(regressors)
    if CONST in regressors or y in regressors:
        raise ModelInputError(f"{what}: regressors must not contain {CONST!r} or the outcome {y!r}")
    _check_columns(data, [entity, time, y, *regressors], what)
    frame = data[[entity, time, y, *regressors]]
    dup = frame.duplicated([entity, time])
    if dup.any():
        row = frame.index[dup.to_numpy()][0]
        raise ModelInputError(
            f"{what}: more than one row for ({entity}, {time}) = "
            f"({frame.at[row, entity]!r}, {frame.at[row, time]!r}), row {row!r}")
    for col in (y, *regressors):
        if not pd.api.types.is_numeric_dtype(frame[col]):
            raise ModelInputError(f"{what}: column {col!r} is not numeric (dtype {frame[col].dtype})")
    keep = frame[[y, *regressors]].notna().all(axis=1)
    frame = frame.loc[keep].copy()
    if frame.empty:
        raise ModelInputError(f"{what}: no row has all of {y!r}, {', '.join(regressors)} non-missing")
    frame = frame.set_index([entity, time]).sort_index()
    frame[CONST] = 1.0
    return frame, int((~keep).sum())


def _year_dummies(frame: pd.DataFrame, time: str) -> pd.DataFrame:
    """One dummy per period except the first (Stata's ``i.year`` with the first level as base)."""
    periods = frame.index.get_level_values(time)
    levels = np.sort(periods.unique())
    return pd.DataFrame({f"{lv}.{time}": (periods == lv).astype(float) for lv in levels[1:]},
                        index=frame.index)


def fit_twfe(
    data: pd.DataFrame,
    y: str,
    regressors: Sequence[str],
    *,
    entity: str = "province",
    time: str = "year",
    entity_effects: bool = True,
    time_effects: bool = True,
    cluster: str = "entity",
    small_sample: str = "stata",
) -> PanelEffectsResults:
    """Fixed-effects regression of ``y`` on ``regressors`` with entity and/or time effects.

    Equivalent to Stata ``xtreg y x i.year, fe vce(cluster entity)``: the entity effect is absorbed
    (within transformation), time effects are period dummies, a constant is reported as the grand-mean
    intercept (as xtreg does), and the covariance is clustered by entity with the correction named by
    ``small_sample`` (see the module docstring). Rows missing ``y`` or a regressor are dropped; the
    result's ``nobs`` is the N used and ``result.fit_info`` records the specification.
    """
    what = "fit_twfe"
    if cluster != "entity":
        raise ModelInputError(f"{what}: only cluster='entity' is supported, got {cluster!r}")
    if small_sample not in SMALL_SAMPLE:
        raise ModelInputError(f"{what}: small_sample must be one of {SMALL_SAMPLE}, got {small_sample!r}")
    frame, n_dropped = _prepare(data, y, regressors, entity, time, what)
    exog = frame[[CONST, *regressors]]
    if time_effects:
        exog = exog.join(_year_dummies(frame, time))
    model = PanelOLS(frame[y], exog, entity_effects=entity_effects)
    options = {  # auto_df leaves out the entity effects because they are nested in the entity clusters
        "stata": dict(debiased=True, group_debias=True),
        "lsdv": dict(debiased=True, group_debias=True, auto_df=False, count_effects=True),
        "none": dict(debiased=False, group_debias=False, auto_df=False, count_effects=False),
    }[small_sample]
    try:
        res = model.fit(cov_type="clustered", cluster_entity=True, **options)
    except AbsorbingEffectError as exc:
        years = frame.index.get_level_values(time)
        raise ModelInputError(
            f"{what}: {y} on {', '.join(regressors)}: a regressor is absorbed by the fixed effects on the "
            f"{len(frame)} complete rows ({years.min()}-{years.max()}); too few years per {entity}"
        ) from exc
    n_clusters = frame.index.get_level_values(entity).nunique()
    res.fit_info = FitInfo(y, tuple(regressors), entity, time, entity_effects, time_effects,
                           small_sample, n_dropped, n_clusters)
    return res


def fit_pooled(
    data: pd.DataFrame,
    y: str,
    regressors: Sequence[str],
    *,
    entity: str = "province",
    time: str = "year",
    cluster: str = "entity",
) -> PanelResults:
    """Pooled OLS with a constant, clustered by entity (Stata ``regress y x, vce(cluster entity)``).

    The correction is Stata's ``G/(G-1) * (N-1)/(N-K)``; rows missing ``y`` or a regressor are dropped.
    """
    what = "fit_pooled"
    if cluster != "entity":
        raise ModelInputError(f"{what}: only cluster='entity' is supported, got {cluster!r}")
    frame, n_dropped = _prepare(data, y, regressors, entity, time, what)
    res = PooledOLS(frame[y], frame[[CONST, *regressors]]).fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True)
    n_clusters = frame.index.get_level_values(entity).nunique()
    res.fit_info = FitInfo(y, tuple(regressors), entity, time, False, False, "stata", n_dropped, n_clusters)
    return res


def add_lag(data: pd.DataFrame, col: str, *, entity: str = "province", time: str = "year",
            periods: int = 1, name: str | None = None) -> pd.DataFrame:
    """Return a copy of ``data`` with ``col`` lagged ``periods`` time units within each entity.

    The lag is matched on the time value (``time - periods``), not on the previous row, so it never
    crosses entities and a missing period gives NaN rather than an older observation. ``time`` must
    be integer-valued (e.g. a year). The new column is ``name`` or ``L{periods}_{col}``.
    """
    _check_columns(data, [entity, time, col], "add_lag")
    if not pd.api.types.is_integer_dtype(data[time]):
        raise ModelInputError(f"add_lag: time column {time!r} must hold integers (dtype {data[time].dtype})")
    if data.duplicated([entity, time]).any():
        raise ModelInputError(f"add_lag: more than one row per ({entity}, {time})")
    name = name or f"L{periods}_{col}"
    if name in data.columns:
        raise ModelInputError(f"add_lag: column {name!r} already exists")
    src = data[[entity, time, col]].rename(columns={col: name})
    src[time] = src[time] + periods
    out = data.merge(src, on=[entity, time], how="left", validate="one_to_one")
    out.index = data.index
    return out


def t_reference(result: PanelResults) -> stats.rv_continuous:
    """Reference distribution of t-statistics: Student's t with G-1 degrees of freedom (Stata)."""
    return stats.t(result.fit_info.n_clusters - 1)


def tidy(result: PanelResults, terms: Sequence[str] | None = None) -> pd.DataFrame:
    """Long frame ``term, coef, se, t, p, n`` for the reported terms (default: regressors + const).

    p is two-sided with the t(G-1) reference.
    """
    terms = list(terms or result.fit_info.terms)
    coef, se = result.params[terms], result.std_errors[terms]
    t = coef / se
    p = 2 * t_reference(result).sf(np.abs(t))
    return pd.DataFrame({"term": terms, "coef": coef.to_numpy(), "se": se.to_numpy(), "t": t.to_numpy(),
                         "p": np.asarray(p), "n": int(result.nobs)})


def covariance_variants(data: pd.DataFrame, y: str, regressors: Sequence[str], term: str = "DE", *,
                        entity: str = "province", time: str = "year") -> pd.DataFrame:
    """SE, t and p of ``term`` in the two-way FE model under each covariance choice, one row each.

    Rows: the book's choice (Stata xtreg, fe), the LSDV count (statsmodels/areg), linearmodels'
    native two-way fits with its default and with ``group_debias``, the raw CR0 sandwich, and the
    non-clustered unadjusted and heteroskedasticity-robust estimators for contrast. ``factor`` is the
    variance of each relative to CR0. Clustered rows use t(G-1); the others t(N - all parameters).
    """
    frame, _ = _prepare(data, y, regressors, entity, time, "covariance_variants")
    if term not in regressors:
        raise ModelInputError(f"covariance_variants: term {term!r} is not among the regressors")
    native = PanelOLS(frame[y], frame[[CONST, *regressors]], entity_effects=True, time_effects=True)
    ours = fit_twfe(data, y, regressors, entity=entity, time=time)
    lsdv = fit_twfe(data, y, regressors, entity=entity, time=time, small_sample="lsdv")
    cr0 = fit_twfe(data, y, regressors, entity=entity, time=time, small_sample="none")
    g = ours.fit_info.n_clusters
    fits = [
        ("stata_xtreg (book)", "clustered", "G/(G-1)(N-1)/(N-K), entity FE nested, not counted", ours),
        ("lsdv_dummies", "clustered", "G/(G-1)(N-1)/(N-K-G+1), all FE counted (statsmodels, areg)", lsdv),
        ("linearmodels_default", "clustered",
         "PanelOLS two-way, cluster_entity=True: N/(N-K-FE), no G/(G-1)",
         native.fit(cov_type="clustered", cluster_entity=True)),
        ("linearmodels_group_debias", "clustered", "same with group_debias=True (= lsdv_dummies)",
         native.fit(cov_type="clustered", cluster_entity=True, group_debias=True)),
        ("linearmodels_not_debiased", "clustered", "debiased=False: N/(N-FE), no G/(G-1)",
         native.fit(cov_type="clustered", cluster_entity=True, debiased=False)),
        ("cr0", "clustered", "raw sandwich, no correction", cr0),
        ("unadjusted", "iid", "homoskedastic, N/(N-K-FE)", native.fit(cov_type="unadjusted")),
        ("robust", "heteroskedastic", "White, N/(N-K-FE)", native.fit(cov_type="robust")),
    ]
    base_var = float(cr0.std_errors[term]) ** 2
    rows = []
    for variant, kind, correction, res in fits:
        se = float(res.std_errors[term])
        tval = float(res.params[term]) / se
        ref = stats.t(g - 1) if kind == "clustered" else stats.t(int(res.df_resid))
        rows.append({"variant": variant, "kind": kind, "correction": correction,
                     "coef": float(res.params[term]), "se": se, "t": tval,
                     "p": float(2 * ref.sf(abs(tval))), "factor": se**2 / base_var})
    return pd.DataFrame(rows)


def wald_one_sided(coef: float, se: float, df: int | None) -> tuple[float, float]:
    """t statistic and one-sided p-value of H0: beta <= 0 against beta > 0 (normal if ``df`` is None)."""
    tval = coef / se
    ref = stats.norm if df is None else stats.t(df)
    return tval, float(ref.sf(tval))


def stepwise_fits(data: pd.DataFrame, y: str, treatment: str, controls: Sequence[str], *,
                  common_sample: bool = False, **kwargs: object) -> dict[str, PanelEffectsResults]:
    """Columns "1", "2", ...: ``y`` on ``treatment`` plus the first 0, 1, ... ``controls`` (Table 3 style).

    Each column uses its own complete cases unless ``common_sample`` is True, in which case every
    column uses the rows complete for all variables, so columns differ only by their controls.
    """
    controls = list(controls)
    if common_sample:
        data = data.dropna(subset=[y, treatment, *controls])
    return {str(i + 1): fit_twfe(data, y, [treatment, *controls[:i]], **kwargs)  # type: ignore[arg-type]
            for i in range(len(controls) + 1)}
