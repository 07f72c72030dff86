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

import numpy as np
import pandas as pd
from scipy import stats

from helpers.data.panel import MULTIVERSE_CHOICES, build_panel, current_forks
from helpers.estimate.inference import cluster_se, partial_out, reference_df
from helpers.estimate.models import ModelInputError

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
#: the values each fork takes here: the DE compositions without double counting (issue 11) are
#: compared in the data chapter and are not crossed with the rest in this multiverse
NOT_IN_MODEL = "n/a"


def control_sets(controls: Sequence[str] = PAPER_CONTROLS) -> list[tuple[str, ...]]:
    """The paper's Table 3 columns: no controls, then the controls added one at a time in order."""
    return [tuple(controls[:k]) for k in range(len(controls) + 1)]


def _control_label(ctrl: Sequence[str]) -> str:
    return "none" if not ctrl else "+".join(ctrl)


def _fork_grid(relevant: Sequence[str], grid: str, base: Mapping[str, object]) -> list[dict[str, object]]:
    if grid == "full":
        return [dict(zip(relevant, combo, strict=True))
                for combo in itertools.product(*(MULTIVERSE_CHOICES[f] for f in relevant))]
    if grid == "one_at_a_time":
        start = {f: base[f] for f in relevant}
        out = [start]
        for f in relevant:
            out += [{**start, f: v} for v in MULTIVERSE_CHOICES[f] if v != base[f]]
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


def multiverse_by_choice(mv: pd.DataFrame, by: Sequence[str] = SUMMARY_CHOICES) -> pd.DataFrame:
    """:func:`multiverse_summary` for each value of each choice in ``by``, stacked with a ``choice``
    column first; specifications a choice does not enter (``n/a``) are left out of its rows."""
    parts = [multiverse_summary(mv[mv[f] != NOT_IN_MODEL], by=f).rename(columns={f: "value"}).assign(choice=f)
             for f in by]
    out = pd.concat(parts, ignore_index=True)
    return out[["choice", *out.columns.drop("choice")]]






# --------------------------------------------------------------------------- identifying variation








# --------------------------------------------------------------------------- teaching simulations






