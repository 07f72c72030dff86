"""How much the DE coefficient depends on the choices made on the way: the multiverse and its joint test.

:func:`multiverse` estimates the baseline model (1) for every combination of

* the data forks of :data:`helpers.data.MULTIVERSE_CHOICES` that enter the model (GDP vintage, DE
  composition, the hum/open/pgdp proxies; ``ti`` enters only the mechanism model and reads ``n/a``),
* the outcome (the location quotient IC or its logarithm), the sample window (all years or
  2013-2021), with or without the four municipalities, DE current or lagged one year
  (:data:`MODEL_CHOICES`),
* every subset of the five controls (32),

with one covariance: province-clustered CR1 (Stata's factor) with the t(G-1) reference. The choices
follow Steegen et al. (2016, "Increasing transparency through a multiverse analysis", Perspectives on
Psychological Science 11(5)) and Simonsohn, Simmons & Nelson (2020, "Specification curve analysis",
Nature Human Behaviour 4); :func:`curve_test` is the latter's joint test under the null of no effect.

Speed. Each estimate is the slope of the Frisch-Waugh-Lovell regression: the columns are demeaned by
province (the province effects), the year dummies and controls are partialled out with one small QR,
and the slope and its clustered standard error follow in closed form (equal to linearmodels' to
1e-10, tested). The fork panels are built once per process (:func:`fork_columns`, cached). The wild
cluster restricted bootstrap of every specification shares one matrix of Webb weights across
specifications, so the same draws give each specification's bootstrap p-value and the joint null
distribution of the curve.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from helpers.data import cache
from helpers.data.panel import MULTIVERSE_CHOICES, build_panel, current_forks
from helpers.estimate.inference import DEFAULT_SEED, bootstrap_weights

#: the data forks that can enter model (1); ``ti`` is the mechanism model's and stays ``n/a`` here
MULTIVERSE_FORKS = ("gdp_vintage", "de_composition", "hum_proxy", "open_proxy", "pgdp_source")
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
#: the model choices beside the data forks; the first value of each is the book's baseline
MODEL_CHOICES: dict[str, tuple[str, ...]] = {
    "outcome": ("IC", "log_IC"),
    "window": ("2011-2021", "2013-2021"),
    "municipalities": ("included", "excluded"),
    "de_timing": ("current", "lagged"),
}
GRIDS = ("full", "one_at_a_time")
SUBSETS = ("all", "nested")
NOT_IN_MODEL = "n/a"
_MUNICIPALITY = "municipality"


def control_sets(controls: Sequence[str] = PAPER_CONTROLS, subsets: str = "nested") -> list[tuple[str, ...]]:
    """Control sets: ``"nested"``, the paper's Table 3 columns (none, then one control added at a time
    in order); ``"all"``, every subset (2^k), by size then in the order of ``controls``."""
    if subsets == "nested":
        return [tuple(controls[:k]) for k in range(len(controls) + 1)]
    if subsets == "all":
        return [c for k in range(len(controls) + 1) for c in itertools.combinations(controls, k)]
    raise ValueError(f"control_sets: subsets must be one of {SUBSETS}, got {subsets!r}")


def _control_label(ctrl: Sequence[str]) -> str:
    return "none" if not ctrl else "+".join(ctrl)


def _fork_grid(relevant: Sequence[str], grid: str, base: Mapping[str, object]) -> list[dict[str, object]]:
    if grid == "full":
        return [dict(zip(relevant, combo, strict=True))
                for combo in itertools.product(*(MULTIVERSE_CHOICES[f] for f in relevant))]
    start = {f: base[f] for f in relevant}
    out = [start]
    for f in relevant:
        out += [{**start, f: v} for v in MULTIVERSE_CHOICES[f] if v != base[f]]
    return out


def _freeze(d: Mapping[str, object]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in d.items()))


@functools.lru_cache(maxsize=64)
def _built_default(key: tuple) -> pd.DataFrame:
    return build_panel(**dict(key))


def _cache_path(variables: Sequence[str], forks: Sequence[str], base: Mapping[str, object]) -> Path:
    """Where the default builder's fork columns are kept (:func:`helpers.data.cache.cache_file`)."""
    return cache.cache_file("fork_columns", (list(variables), list(forks), _freeze(base)))


def fork_columns(variables: Sequence[str], forks: Sequence[str], base: Mapping[str, object], *,
                 builder: Callable[..., pd.DataFrame] | None = None, entity: str = "province",
                 time: str = "year") -> tuple[pd.DataFrame, dict[tuple[str, tuple], np.ndarray], int]:
    """Every version of every model variable across the ``forks``, from as few panel builds as possible.

    A variable depends only on the forks listed for it in :data:`FORK_VARIABLES` (tested against
    :func:`helpers.data.build_panel`), so its version for a fork combination is taken from the panel
    that changes just those forks from ``base``. Returns the base panel, a dict
    ``(variable, ((fork, value), ...)) -> array`` and the number of panels built. With the default
    ``builder`` (:func:`build_panel`) panels are cached for the life of the process.
    """
    cache_file = _cache_path(variables, forks, base) if builder is None else None
    kept = cache.load(cache_file) if cache_file is not None else None
    if kept is not None:
        return kept  # type: ignore[return-value]
    panels: dict[tuple, pd.DataFrame] = {}

    def built(sub: Mapping[str, object]) -> pd.DataFrame:
        key = _freeze({**base, **sub})
        if key not in panels:
            panels[key] = _built_default(key) if builder is None else builder(**dict(key))
        return panels[key]

    first = built({})
    cols: dict[tuple[str, tuple], np.ndarray] = {}
    for v in variables:
        own = [f for f in forks if v in FORK_VARIABLES[f]]
        for combo in itertools.product(*(MULTIVERSE_CHOICES[f] for f in own)):
            sub = dict(zip(own, combo, strict=True))
            frame = built({f: x for f, x in sub.items() if x != base[f]})
            if not frame[[entity, time]].equals(first[[entity, time]]):
                raise ValueError(f"multiverse: the panel for forks {sub} has other rows than the default")
            cols[(v, tuple(sorted(sub.items())))] = frame[v].to_numpy(dtype=float)
    result = (first, cols, len(panels))
    if cache_file is not None:
        cache.keep(cache_file, result)
    return result


def _lag(values: np.ndarray, ent: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``values`` one year earlier in the same entity (rows sorted by entity then year), NaN if absent."""
    out = np.full_like(values, np.nan)
    ok = (ent[1:] == ent[:-1]) & (years[1:] == years[:-1] + 1)
    out[1:][ok] = values[:-1][ok]
    return out


class _Sample:
    """Province demeaning and cluster sums for one set of rows (rows sorted by entity then year)."""

    def __init__(self, rows: np.ndarray, ent: np.ndarray, year_codes: np.ndarray) -> None:
        self.rows = rows
        self.g_codes, self.g_idx = np.unique(ent[rows], return_inverse=True)
        t_codes, t_idx = np.unique(year_codes[rows], return_inverse=True)
        self.n, self.g, self.years = len(rows), len(self.g_codes), len(t_codes)
        self.ind = np.zeros((self.g, self.n))
        self.ind[self.g_idx, np.arange(self.n)] = 1.0
        self.counts = self.ind.sum(axis=1)
        dummies = np.zeros((self.n, self.years - 1))
        dummies[t_idx > 0, t_idx[t_idx > 0] - 1] = 1.0
        self.dummies = self.demean(dummies)

    def demean(self, w: np.ndarray) -> np.ndarray:
        """Columns of ``w`` minus their province means: the projection off the province dummies."""
        return w - ((self.ind @ w) / self.counts[:, None])[self.g_idx]


def _basis(z: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the columns of ``z``: QR, or a rank-revealing SVD if they are collinear."""
    if not z.shape[1]:
        return np.zeros((z.shape[0], 0))
    q, r = np.linalg.qr(z)
    diag = np.abs(np.diag(r))
    if diag.min() > 1e-10 * max(diag.max(), 1e-300):
        return q
    u, s, _ = np.linalg.svd(z, full_matrices=False)
    return u[:, s > s.max() * max(z.shape) * np.finfo(float).eps]


def _fit_group(sample: _Sample, c: np.ndarray, ys: np.ndarray, xs: np.ndarray, iy: np.ndarray,
               ix: np.ndarray, n_controls: int, wild: bool, n_entities: int) -> dict[str, np.ndarray]:
    """FWL slopes and CR1 SEs of the pairs (ys[:, iy[j]], xs[:, ix[j]]) that share rows and controls.

    With ``wild``, also each pair's padded WCR pieces (a, M) at beta0 = 0 (Roodman et al. 2019): the
    bootstrap slope is a'v / x'x and its cluster scores M v; the province dummies drop out because
    both residualised columns sum to zero within each province.
    """
    q = _basis(np.column_stack([sample.demean(c), sample.dummies]) if n_controls else sample.dummies)
    yd, xd = sample.demean(ys), sample.demean(xs)
    yt, xt = yd - q @ (q.T @ yd), xd - q @ (q.T @ xd)
    xx_all = np.einsum("ij,ij->j", xt, xt)
    scale = np.einsum("ij,ij->j", xd, xd)
    y_p, x_p = yt[:, iy], xt[:, ix]
    xx = xx_all[ix]
    coef = np.einsum("ij,ij->j", x_p, y_p) / xx
    n, g = sample.n, sample.g
    k_stata = 1 + n_controls + 1 + (sample.years - 1)
    factor = g / (g - 1) * (n - 1) / (n - k_stata) if n > k_stata and g > 1 else np.nan
    e = y_p - x_p * coef
    se = np.sqrt(factor * np.sum((sample.ind @ (x_p * e)) ** 2, axis=0)) / xx
    ok = (xx > 1e-12 * np.maximum(scale[ix], 1e-300)) & np.isfinite(se) & (se > 0)
    out = {"coef": coef, "se": se, "ok": ok, "xx": xx, "factor": np.full(len(ix), factor)}
    if wild:
        ind = sample.ind
        a = ind @ (x_p * y_p)
        d = ind @ (x_p * x_p)
        k, pairs = q.shape[1], len(ix)
        # cluster sums of q * x and q * y for every pair at once: one matrix product each
        p_mat = (ind @ (q[:, :, None] * x_p[:, None, :]).reshape(n, k * pairs)).reshape(g, k, pairs)
        r = (ind @ (q[:, :, None] * y_p[:, None, :]).reshape(n, k * pairs)).reshape(g, k, pairs)
        m = -np.matmul(p_mat.transpose(2, 0, 1), r.transpose(2, 1, 0))
        m[:, np.arange(g), np.arange(g)] += a.T
        m -= (d.T[:, :, None] * a.T[:, None, :]) / xx[:, None, None]
        full_a = np.zeros((len(ix), n_entities))
        full_m = np.zeros((len(ix), n_entities, n_entities))
        codes = sample.g_codes
        full_a[:, codes] = a.T
        full_m[:, codes[:, None], codes[None, :]] = m
        out.update(a=full_a, m=full_m)
    return out


def multiverse(*, y: str = "IC", term: str = "DE", controls: Sequence[str] = PAPER_CONTROLS,
               forks: Sequence[str] = MULTIVERSE_FORKS, grid: str = "full", subsets: str = "all",
               choices: Mapping[str, Sequence[str]] | None = None, level: float = 0.95,
               wild_draws: int = 0, seed: int = DEFAULT_SEED,
               builder: Callable[..., pd.DataFrame] | None = None,
               base: Mapping[str, object] | None = None,
               entity: str = "province", time: str = "year") -> pd.DataFrame:
    """One row per specification with the ``term`` coefficient, province-clustered CR1 and t(G-1).

    Parameters
    ----------
    y, term, controls : str, str, sequence of str
        Outcome, regressor of interest and the candidate controls.
    forks : sequence of str
        Data forks to vary (:data:`MULTIVERSE_FORKS`); forks left out stay at ``base``.
    grid : {"full", "one_at_a_time"}
        ``"full"`` crosses every value of every fork that enters a model with every model choice;
        ``"one_at_a_time"`` starts from ``base`` and changes one fork at a time, with the model
        choices at their first values (the book's baseline) unless ``choices`` says otherwise.
    subsets : {"all", "nested"}
        Control sets: every subset of ``controls`` or the paper's nested columns.
    choices : mapping, optional
        Values of each model choice (:data:`MODEL_CHOICES`; default all of them for the full grid).
    level : float
        Confidence level of the intervals and the significance flags (two-sided at ``1 - level``).
    wild_draws : int
        If positive, the WCR bootstrap (Webb weights, ``default_rng(seed)``, the same G x B weights for
        every specification) gives ``p_wild`` for every specification, and the frame's
        ``attrs["null"]`` holds the null distribution of the curve for :func:`curve_test`.
    builder : callable, optional
        ``builder(**forks)`` returns a panel; default :func:`helpers.data.build_panel` (cached).
    base : mapping, optional
        The forks not varied, and the start of ``"one_at_a_time"``: by default those ``panel.csv``
        was built with (:func:`helpers.data.current_forks`).

    Returns
    -------
    pandas.DataFrame
        ``spec_id`` (unique), one column per fork (``"n/a"`` where none of its variables is in the
        model; ``ti`` always), one per model choice, ``controls``, ``n_controls``, one boolean per
        control (``with_gov``, ...), ``n``, ``clusters``, ``years``, ``coef``, ``se``, ``t``, ``df``,
        ``ci_lo``, ``ci_hi``, ``p``, ``positive_significant``, ``negative_significant`` (and
        ``p_wild``). Each specification uses its own complete cases. A window that leaves the sample
        unchanged (e.g. 2013-2021 when a proxy starts in 2013) would repeat another specification and
        is left out; so are specifications that cannot be estimated. ``attrs`` records
        ``panels_built``, ``window_repeats`` and ``not_estimable``.
    """
    base = dict(current_forks() if base is None else base)
    unknown = [f for f in forks if f not in FORK_VARIABLES]
    if unknown:
        raise ValueError(f"multiverse: unknown fork(s) {unknown}; known: {list(FORK_VARIABLES)}")
    if grid not in GRIDS:
        raise ValueError(f"multiverse: grid must be one of {GRIDS}, got {grid!r}")
    if choices is None:
        choices = MODEL_CHOICES if grid == "full" else {k: v[:1] for k, v in MODEL_CHOICES.items()}
    bad = {k: v for k, v in choices.items() if k not in MODEL_CHOICES or set(v) - set(MODEL_CHOICES[k])}
    if bad or set(choices) != set(MODEL_CHOICES):
        raise ValueError(f"multiverse: choices must give values for each of {list(MODEL_CHOICES)} "
                         f"among {MODEL_CHOICES}; got {dict(choices)}")
    sets = control_sets(controls, subsets)
    variables = [y, term, *controls]
    panel, cols, n_built = fork_columns(variables, forks, base, builder=builder, entity=entity, time=time)
    ent_codes, ent_levels = pd.factorize(panel[entity], sort=True)
    years = panel[time].to_numpy()
    order = np.lexsort((years, ent_codes))
    if not (order == np.arange(len(order))).all():
        raise ValueError("multiverse: the panel must be sorted by entity then time")
    year_codes = pd.factorize(years, sort=True)[0]
    municipal = (panel[_MUNICIPALITY].to_numpy(dtype=bool) if _MUNICIPALITY in panel
                 else np.zeros(len(panel), bool))
    first_year = {"2011-2021": years.min(), "2013-2021": 2013}
    memo: dict[tuple, np.ndarray] = {}

    def column(v: str, combo: Mapping[str, object]) -> tuple[tuple, np.ndarray]:
        key = (v, tuple(sorted((f, combo.get(f, base[f])) for f in forks if v in FORK_VARIABLES[f])))
        return key, cols[key]

    def outcome(name: str, combo: Mapping[str, object]) -> tuple[tuple, np.ndarray]:
        key, vals = column(y, combo)
        key = (name, key)
        if key not in memo:
            with np.errstate(invalid="ignore", divide="ignore"):
                memo[key] = vals if name == "IC" else np.where(vals > 0, np.log(vals), np.nan)
        return key, memo[key]

    def regressor(timing: str, combo: Mapping[str, object]) -> tuple[tuple, np.ndarray]:
        key, vals = column(term, combo)
        key = (timing, key)
        if key not in memo:
            memo[key] = vals if timing == "current" else _lag(vals, ent_codes, years)
        return key, memo[key]

    everyone = np.ones(len(panel), bool)
    keep_rows = {(m, w): (~municipal if m == "excluded" else everyone) & (years >= first_year[w])
                 for m in choices["municipalities"] for w in choices["window"]}
    names = list(MODEL_CHOICES)
    model_grid = list(itertools.product(*(choices[k] for k in names)))
    # 1. enumerate the specifications and their samples; 2. fit, grouped by sample and control columns
    specs: list[dict[str, object]] = []
    groups: dict[tuple, list[int]] = {}
    group_data: dict[tuple, tuple] = {}
    repeats = 0
    for ctrl in sets:
        model_vars = {y, term, *ctrl}
        relevant = [f for f in forks if model_vars & set(FORK_VARIABLES[f])]
        for combo in _fork_grid(relevant, grid, base):
            ckeys, cvals = zip(*(column(c, combo) for c in ctrl), strict=True) if ctrl else ((), ())
            cmat = np.column_stack(cvals) if ctrl else np.zeros((len(panel), 0))
            c_ok = np.isfinite(cmat).all(axis=1)
            for model in model_grid:
                mc = dict(zip(names, model, strict=True))
                ykey, yv = outcome(mc["outcome"], combo)
                xkey, xv = regressor(mc["de_timing"], combo)
                avail = c_ok & np.isfinite(yv) & np.isfinite(xv)
                ok = avail & keep_rows[(mc["municipalities"], mc["window"])]
                if mc["window"] != choices["window"][0]:
                    wide = avail & keep_rows[(mc["municipalities"], choices["window"][0])]
                    if (ok == wide).all():
                        repeats += 1
                        continue
                gkey = (ok.tobytes(), ckeys)
                if gkey not in groups:
                    groups[gkey], group_data[gkey] = [], (np.flatnonzero(ok), cmat, {}, {})
                _, _, ycols, xcols = group_data[gkey]
                ycols.setdefault(ykey, yv)
                xcols.setdefault(xkey, xv)
                groups[gkey].append(len(specs))
                row: dict[str, object] = {k: combo.get(k, NOT_IN_MODEL) for k in forks}
                if "ti" not in forks:
                    row["ti"] = NOT_IN_MODEL
                row.update(mc)
                row.update(controls=_control_label(ctrl), n_controls=len(ctrl),
                           **{f"with_{c}": c in ctrl for c in controls})
                specs.append({"row": row, "y": ykey, "x": xkey})
    n_specs = len(specs)
    res = {k: np.full(n_specs, np.nan) for k in ("n", "clusters", "years", "coef", "se", "xx", "factor")}
    ok_all = np.zeros(n_specs, bool)
    wild_a = np.zeros((n_specs, len(ent_levels))) if wild_draws else None
    wild_m = np.zeros((n_specs, len(ent_levels), len(ent_levels))) if wild_draws else None
    samples: dict[bytes, _Sample] = {}
    for gkey, members in groups.items():
        rows_idx, cmat, ycols, xcols = group_data[gkey]
        if gkey[0] not in samples:
            samples[gkey[0]] = _Sample(rows_idx, ent_codes, year_codes)
        sample = samples[gkey[0]]
        if sample.g < 2 or sample.years < 2:
            continue
        ylist, xlist = list(ycols), list(xcols)
        iy = np.array([ylist.index(specs[j]["y"]) for j in members])
        ix = np.array([xlist.index(specs[j]["x"]) for j in members])
        ys = np.column_stack([ycols[k][rows_idx] for k in ylist])
        xs = np.column_stack([xcols[k][rows_idx] for k in xlist])
        fit = _fit_group(sample, cmat[rows_idx], ys, xs, iy, ix, cmat.shape[1], bool(wild_draws),
                         len(ent_levels))
        idx = np.array(members)
        for k in ("coef", "se", "xx", "factor"):
            res[k][idx] = fit[k]
        res["n"][idx], res["clusters"][idx], res["years"][idx] = sample.n, sample.g, sample.years
        ok_all[idx] = fit["ok"]
        if wild_draws:
            wild_a[idx], wild_m[idx] = fit["a"], fit["m"]
    rows = []
    for j in np.flatnonzero(ok_all):
        rows.append({**specs[j]["row"], "n": int(res["n"][j]), "clusters": int(res["clusters"][j]),
                     "years": int(res["years"][j]), "coef": res["coef"][j], "se": res["se"][j]})
    failed = int(n_specs - ok_all.sum())
    wild = (wild_a[ok_all], wild_m[ok_all], res["xx"][ok_all], res["factor"][ok_all]) if wild_draws else None
    out = pd.DataFrame(rows)
    df = out["clusters"] - 1
    crit = stats.t(df).ppf(0.5 + level / 2)
    out["t"] = out["coef"] / out["se"]
    out["df"] = df
    out["ci_lo"] = out["coef"] - crit * out["se"]
    out["ci_hi"] = out["coef"] + crit * out["se"]
    out["p"] = 2 * stats.t(df).sf(out["t"].abs())
    choice_cols = [*forks, *(["ti"] if "ti" not in forks else []), *names]
    out.insert(0, "spec_id", ["|".join([f"{k}={r[k]}" for k in choice_cols] + [f"controls={r['controls']}"])
                              for r in out[[*choice_cols, "controls"]].to_dict("records")])
    out["positive_significant"] = (out["ci_lo"] > 0).to_numpy()
    out["negative_significant"] = (out["ci_hi"] < 0).to_numpy()
    if wild_draws:
        _add_wild(out, wild, wild_draws, seed, crit=np.asarray(crit), n_entities=len(ent_levels))
    out.attrs.update(panels_built=n_built, window_repeats=repeats, not_estimable=failed)
    return out


def _add_wild(out: pd.DataFrame, wild: tuple, draws: int, seed: int, *, crit: np.ndarray,
              n_entities: int, chunk: int = 256) -> None:
    """Bootstrap t of every specification on one G x B matrix of Webb weights (restricted at beta = 0).

    Adds ``p_wild`` (share of |t*| >= |t|) and ``attrs["null"]``: per draw, the median bootstrap
    estimate and the shares of specifications significant (CR1, t(G-1)) with each sign.
    """
    all_a, all_m, all_xx, all_factor = wild
    v = bootstrap_weights(n_entities, draws, "webb", np.random.default_rng(seed))
    t_obs = out["t"].to_numpy()
    p_wild = np.empty(len(out))
    coefs = np.empty((len(out), draws), dtype=np.float32)
    pos = np.zeros(draws)
    neg = np.zeros(draws)
    for start in range(0, len(out), chunk):
        sl = slice(start, start + chunk)
        xx, factor = all_xx[sl][:, None], all_factor[sl][:, None]
        b = (all_a[sl] @ v) / xx
        m = all_m[sl]
        scores = (m.reshape(-1, n_entities) @ v).reshape(len(m), n_entities, draws)  # one matrix product
        t = b / (np.sqrt(factor * np.sum(scores**2, axis=1)) / xx)
        p_wild[sl] = np.mean(np.abs(t) >= np.abs(t_obs[sl])[:, None], axis=1)
        coefs[sl] = b
        c = crit[sl][:, None]
        pos += (t > c).sum(axis=0)
        neg += (t < -c).sum(axis=0)
    out["p_wild"] = p_wild
    out.attrs["null"] = {"median": np.median(coefs, axis=0).astype(float), "share_positive_significant":
                         pos / len(out), "share_negative_significant": neg / len(out), "draws": draws,
                         "seed": seed}


CURVE_TEST_COLUMNS = ["statistic", "observed", "null_mean", "null_q95", "p_value", "draws", "seed"]


def curve_test(mv: pd.DataFrame) -> pd.DataFrame:
    """Joint test of the specification curve under the null of no effect (Simonsohn et al. 2020).

    The null distribution comes from :func:`multiverse` with ``wild_draws``: in each draw every
    specification's outcome is its residual with beta = 0 imposed, times one Webb weight per
    province shared by all specifications (so their dependence is kept). Statistics: the absolute
    median estimate (a two-sided test: p is the share of draws with |median*| >= |median|; the
    null mean and 95th percentile are those of |median*| too), the share of specifications
    significant at the multiverse's level with either sign, and with the dominant sign (the
    observed median's sign; in each draw, the larger of the two signs' shares, as Simonsohn et
    al. do). p-values are shares of draws at least as extreme.
    """
    null = mv.attrs.get("null")
    if not null:
        raise ValueError("curve_test: run multiverse(..., wild_draws=B) first")
    med = float(mv["coef"].median())
    pos, neg = float(mv["positive_significant"].mean()), float(mv["negative_significant"].mean())
    dominant = neg if med < 0 else pos
    n_pos, n_neg = null["share_positive_significant"], null["share_negative_significant"]
    rows = [
        ("|median estimate|", abs(med), np.abs(null["median"]), np.abs(null["median"]) >= abs(med),
         np.abs(null["median"])),
        ("share significant (either sign)", pos + neg, n_pos + n_neg, n_pos + n_neg >= pos + neg,
         n_pos + n_neg),
        ("share significant (dominant sign)", dominant, np.maximum(n_pos, n_neg),
         np.maximum(n_pos, n_neg) >= dominant, np.maximum(n_pos, n_neg)),
    ]
    return pd.DataFrame([{"statistic": s, "observed": obs, "null_mean": float(np.mean(dist)),
                          "null_q95": float(np.quantile(q, 0.95)), "p_value": float(np.mean(hit)),
                          "draws": int(null["draws"]), "seed": int(null["seed"])}
                         for s, obs, dist, hit, q in rows], columns=CURVE_TEST_COLUMNS)


def baseline_spec_id(forks: Sequence[str] = MULTIVERSE_FORKS, controls: Sequence[str] = PAPER_CONTROLS,
                     y: str = "IC", term: str = "DE", base: Mapping[str, object] | None = None) -> str:
    """The spec id of the book's baseline: the panel's forks (``base``), all controls, the first value
    of every model choice."""
    base = dict(current_forks() if base is None else base)
    model_vars = {y, term, *controls}
    vals = [f"{f}={base[f] if model_vars & set(FORK_VARIABLES[f]) else NOT_IN_MODEL}" for f in forks]
    if "ti" not in forks:
        vals.append(f"ti={NOT_IN_MODEL}")
    vals += [f"{k}={v[0]}" for k, v in MODEL_CHOICES.items()]
    return "|".join([*vals, f"controls={_control_label(controls)}"])


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
SUMMARY_CHOICES = (*MULTIVERSE_FORKS, *MODEL_CHOICES, *(f"with_{c}" for c in PAPER_CONTROLS))


def multiverse_by_choice(mv: pd.DataFrame, by: Sequence[str] = SUMMARY_CHOICES) -> pd.DataFrame:
    """:func:`multiverse_summary` for each value of each choice in ``by``, stacked with a ``choice``
    column first; specifications a choice does not enter (``n/a``) are left out of its rows."""
    parts = [multiverse_summary(mv[mv[f] != NOT_IN_MODEL], by=f).rename(columns={f: "value"}).assign(choice=f)
             for f in by if f in mv.columns]
    out = pd.concat(parts, ignore_index=True)
    out["value"] = out["value"].astype(str)
    return out[["choice", *out.columns.drop("choice")]]


def choice_regression(mv: pd.DataFrame, by: Sequence[str] = SUMMARY_CHOICES,
                      base: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Least-squares regression of the estimate on indicators of each choice's non-baseline values.

    A descriptive decomposition (the specifications are not independent draws, so there is no
    standard error): ``shift`` is the average change of the DE estimate when a choice takes
    ``value`` instead of the baseline value, holding the other choices fixed. Baselines: ``base``
    forks (the panel's by default), the first value of each model choice, a control included. A
    proxy fork's indicator is zero where its variable is not in the model. ``share_of_variance``
    is each choice's drop in R-squared when its indicators are left out, over the full R-squared
    (``r2`` repeats the full one).
    """
    base = dict(current_forks() if base is None else base)
    ref = {**{f: base[f] for f in FORK_VARIABLES}, **{k: v[0] for k, v in MODEL_CHOICES.items()}}
    cols, labels, owner = [], [], []
    for c in by:
        if c not in mv.columns:
            continue
        if c.startswith("with_"):
            cols.append((~mv[c].astype(bool)).to_numpy(float))
            labels.append((c, "left out"))
            owner.append(c)
            continue
        for v in sorted(set(mv[c].astype(str)) - {str(ref[c]), NOT_IN_MODEL}):
            cols.append((mv[c].astype(str) == v).to_numpy(float))
            labels.append((c, v))
            owner.append(c)
    x = np.column_stack([np.ones(len(mv)), *cols])
    yv = mv["coef"].to_numpy()

    def r2(mat: np.ndarray) -> float:
        beta, *_ = np.linalg.lstsq(mat, yv, rcond=None)
        resid = yv - mat @ beta
        return 1 - float(resid @ resid) / float(((yv - yv.mean()) ** 2).sum())

    beta, *_ = np.linalg.lstsq(x, yv, rcond=None)
    full = r2(x)
    drop = {}
    for c in dict.fromkeys(owner):
        keep = [0] + [j + 1 for j, o in enumerate(owner) if o != c]
        drop[c] = (full - r2(x[:, keep])) / full
    return pd.DataFrame({"choice": [lab[0] for lab in labels], "value": [lab[1] for lab in labels],
                         "shift": beta[1:], "share_of_variance": [drop[o] for o in owner], "r2": full})
