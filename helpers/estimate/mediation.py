"""The mechanism test of Table 5: three regressions on ONE sample, Sobel, cluster bootstrap of a*b.

With the same sample, the same controls and the same fixed effects, least squares gives the exact
identity ``c = c' + a*b`` (total = direct + indirect), where ``c`` is the DE coefficient of the
outcome on DE + controls (step 1, Table 3), ``a`` that of TI on DE + controls (step 2) and ``c'``, ``b``
those of DE and TI in the outcome on DE + TI + controls (step 3). :func:`fit_mediation` enforces the
common sample so the identity holds to rounding error.

The bootstrap resamples whole provinces with replacement; a province drawn twice enters as two
distinct entities (its own fixed effect each). Each draw is computed with numpy by the
Frisch-Waugh-Lovell theorem (residualise every variable on entity and period dummies, then two small
least-squares fits), which :func:`indirect_effect_fwl` lets the tests check against PanelOLS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from linearmodels.panel.results import PanelEffectsResults
from scipy import stats

from helpers.estimate.inference import _cluster_sums, partial_out
from helpers.estimate.models import ModelInputError, fit_twfe, t_reference


@dataclass(frozen=True)
class Mediation:
    """The three fits of a mediation analysis on one common sample."""

    total: PanelEffectsResults
    mediator_fit: PanelEffectsResults
    outcome_fit: PanelEffectsResults
    treatment: str
    mediator: str
    outcome: str
    sample: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    controls: tuple[str, ...] = ()
    entity: str = "province"
    time: str = "year"

    @property
    def c(self) -> float:
        """Total effect: treatment coefficient in outcome ~ treatment + controls."""
        return float(self.total.params[self.treatment])

    @property
    def a(self) -> float:
        """Treatment coefficient in mediator ~ treatment + controls (step 2)."""
        return float(self.mediator_fit.params[self.treatment])

    @property
    def b(self) -> float:
        """Mediator coefficient in outcome ~ treatment + mediator + controls (step 3)."""
        return float(self.outcome_fit.params[self.mediator])

    @property
    def c_prime(self) -> float:
        """Direct effect: treatment coefficient in step 3."""
        return float(self.outcome_fit.params[self.treatment])

    @property
    def indirect(self) -> float:
        """Indirect effect a*b."""
        return self.a * self.b

    @property
    def identity_gap(self) -> float:
        """c - (c' + a*b); zero up to rounding when the three fits share one sample."""
        return self.c - (self.c_prime + self.indirect)

    @property
    def nobs(self) -> int:
        """Common N of the three fits."""
        return int(self.total.nobs)

    def cov_ab(self) -> np.ndarray:
        """Clustered 2 x 2 covariance of (a-hat, b-hat), estimated jointly: see :func:`joint_cov_ab`."""
        if self.sample is None:
            raise ModelInputError("Mediation.cov_ab: the fit does not carry its sample; use fit_mediation")
        return joint_cov_ab(self.sample, outcome=self.outcome, treatment=self.treatment,
                            mediator=self.mediator, controls=self.controls, entity=self.entity,
                            time=self.time)

    def sobel(self) -> tuple[float, float, float]:
        """Delta-method (Sobel) SE of a*b with the joint clustered covariance of (a, b), t and two-sided p.

        The reference is Student's t with G-1 degrees of freedom, as for every clustered estimate in
        the book; the covariance term of a-hat and b-hat is included (it is not zero under clustering,
        because the two come from regressions on the same provinces).
        """
        v = self.cov_ab()
        se_a, se_b = float(np.sqrt(v[0, 0])), float(np.sqrt(v[1, 1]))
        return sobel(self.a, se_a, self.b, se_b, cov=float(v[0, 1]), df=self.total.fit_info.n_clusters - 1)

    def effects(self) -> pd.DataFrame:
        """Total, direct and indirect effects with the decomposition check, one row each."""
        se_ab, z, p = self.sobel()
        ref = t_reference(self.total)

        def row(name: str, what: str, est: float, se: float, pval: float) -> dict[str, object]:
            return {"effect": name, "definition": what, "estimate": est, "se": se, "p": pval}

        def fitted(res: PanelEffectsResults, term: str, name: str, what: str) -> dict[str, object]:
            est, se = float(res.params[term]), float(res.std_errors[term])
            return row(name, what, est, se, float(2 * ref.sf(abs(est / se))))

        return pd.DataFrame([
            fitted(self.total, self.treatment, "total (c)", f"{self.outcome} on {self.treatment}, step 1"),
            fitted(self.mediator_fit, self.treatment, "a", f"{self.mediator} on {self.treatment}, step 2"),
            fitted(self.outcome_fit, self.mediator, "b", f"{self.outcome} on {self.mediator}, step 3"),
            fitted(self.outcome_fit, self.treatment, "direct (c')",
                   f"{self.outcome} on {self.treatment} given {self.mediator}, step 3"),
            row("indirect (a*b)", "a times b; SE and p by Sobel with the joint clustered covariance, t(G-1)",
                self.indirect, se_ab, p),
            row("c' + a*b", "direct plus indirect", self.c_prime + self.indirect, np.nan, np.nan),
            row("c - (c' + a*b)", "identity gap, zero on one sample", self.identity_gap, np.nan, np.nan),
        ])


def sobel(a: float, se_a: float, b: float, se_b: float, *, cov: float = 0.0,
          df: int | None = None) -> tuple[float, float, float]:
    """Delta-method (Sobel) SE of a*b, its test statistic and the two-sided p-value.

    .. math:: \\mathrm{se}(ab)^2 = b^2 \\mathrm{se}_a^2 + a^2 \\mathrm{se}_b^2 + 2ab\\,\\mathrm{cov}(a, b)

    ``cov`` = 0 is Sobel's original formula (independent estimates); ``df`` None uses the normal
    reference, an integer Student's t with ``df`` degrees of freedom.
    """
    var = b**2 * se_a**2 + a**2 * se_b**2 + 2 * a * b * cov
    se = float(np.sqrt(var)) if var > 0 else float("nan")
    z = a * b / se
    ref = stats.norm if df is None else stats.t(df)
    return se, z, float(2 * ref.sf(abs(z)))


def joint_cov_ab(data: pd.DataFrame, *, outcome: str = "IC", treatment: str = "DE", mediator: str = "TI",
                 controls: Sequence[str] = (), entity: str = "province",
                 time: str = "year") -> np.ndarray:
    """Clustered covariance of (a-hat, b-hat) from the two regressions estimated as one stacked system.

    ``a`` is the treatment's coefficient in mediator ~ treatment + controls and ``b`` the mediator's in
    outcome ~ treatment + mediator + controls, both with entity and period effects, on the rows complete
    for all variables. By Frisch-Waugh-Lovell each is a one-regressor slope on residualised data,
    :math:`\\hat a = \\sum_i \\tilde x_i m_i / \\sum_i \\tilde x_i^2`, so its influence on
    cluster g is :math:`s^a_g = \\sum_{i \\in g} \\tilde x_i \\hat e^a_i / \\sum_i \\tilde x_i^2`
    (likewise for b). The stacked (seemingly unrelated, equation-by-equation OLS) sandwich is

    .. math:: V = \\begin{pmatrix} f_a \\sum_g (s^a_g)^2 & \\sqrt{f_a f_b} \\sum_g s^a_g s^b_g \\\\
              \\cdot & f_b \\sum_g (s^b_g)^2 \\end{pmatrix}

    with each equation's small-sample factor :math:`f = G/(G-1)\\,(N-1)/(N-K)` (the book's CR1), so the
    diagonal equals :func:`helpers.estimate.fit_twfe`'s variances of a and b exactly; the off-diagonal
    term is what the separate fits leave out.
    """
    controls = list(controls)
    sample = common_sample(data, [entity, time, outcome, treatment, mediator, *controls])
    kw = {"entity": entity, "time": time}
    pa = partial_out(sample, mediator, treatment, controls, **kw)
    pb = partial_out(sample, outcome, mediator, [treatment, *controls], **kw)
    g = pa.n_clusters
    sa = _cluster_sums(pa.clusters, pa.x * pa.resid, g) / pa.xx
    sb = _cluster_sums(pb.clusters, pb.x * pb.resid, g) / pb.xx
    fa, fb = pa.cr1_factor, pb.cr1_factor
    cross = float(np.sqrt(fa * fb) * sa @ sb)
    return np.array([[fa * float(sa @ sa), cross], [cross, fb * float(sb @ sb)]])


def acme_sensitivity(data: pd.DataFrame, rho: Sequence[float] | np.ndarray, *, outcome: str = "IC",
                     treatment: str = "DE", mediator: str = "TI", controls: Sequence[str] = (),
                     entity: str = "province", time: str = "year") -> pd.DataFrame:
    """The indirect effect as a function of rho, the correlation of the mediator's and the outcome's errors.

    Imai, Keele and Tingley (2010) and Imai, Keele and Yamamoto (2010, Theorem 2) show for the linear
    structural equations :math:`M = \\alpha_2 + a T + \\varepsilon_2`,
    :math:`Y = \\alpha_3 + c' T + b M + \\varepsilon_3` with
    :math:`\\rho = \\mathrm{corr}(\\varepsilon_2, \\varepsilon_3)` that the average causal mediation
    effect is

    .. math:: \\delta(\\rho) = \\frac{a\\,\\sigma_1}{\\sigma_2}
              \\left\\{\\tilde\\rho - \\rho \\sqrt{(1-\\tilde\\rho^2)/(1-\\rho^2)}\\right\\}

    where :math:`\\sigma_1` is the error SD of the total-effect regression
    :math:`Y = \\alpha_1 + c T + \\varepsilon_1`, :math:`\\sigma_2` that of the mediator regression and
    :math:`\\tilde\\rho = \\mathrm{corr}(\\varepsilon_1, \\varepsilon_2)`. At rho = 0 it equals the
    estimate a*b; it is zero at rho = :math:`\\tilde\\rho`. Here every variable is first residualised on the
    entity and period effects and the controls (FWL), and the SDs and correlation are those of the
    residuals. Returns columns ``rho`` and ``acme``; ``frame.attrs`` holds ``rho_zero`` (the rho at which
    the effect vanishes), ``a``, ``sigma1``, ``sigma2``.
    """
    rho = np.asarray(rho, dtype=float)
    if np.any(np.abs(rho) >= 1):
        raise ValueError("acme_sensitivity: every rho must lie strictly between -1 and 1")
    controls = list(controls)
    sample = common_sample(data, [entity, time, outcome, treatment, mediator, *controls])
    kw = {"entity": entity, "time": time}
    p1 = partial_out(sample, outcome, treatment, controls, **kw)  # total effect: Y on T
    p2 = partial_out(sample, mediator, treatment, controls, **kw)  # mediator: M on T
    e1, e2 = p1.resid, p2.resid
    s1, s2 = float(np.sqrt(e1 @ e1)), float(np.sqrt(e2 @ e2))  # common scale factors cancel in the ratio
    rho_t = float(e1 @ e2) / (s1 * s2)
    acme = p2.coef * s1 / s2 * (rho_t - rho * np.sqrt((1 - rho_t**2) / (1 - rho**2)))
    out = pd.DataFrame({"rho": rho, "acme": acme})
    out.attrs.update(rho_zero=rho_t, a=p2.coef, sigma1=s1 / np.sqrt(p1.n), sigma2=s2 / np.sqrt(p2.n))
    return out


def common_sample(data: pd.DataFrame, cols: Sequence[str]) -> pd.DataFrame:
    """Rows of ``data`` where every column in ``cols`` is present (raises if a column is absent)."""
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ModelInputError(f"mediation: column(s) {', '.join(map(repr, missing))} not in the data frame")
    return data.loc[data[list(cols)].notna().all(axis=1)]


def fit_mediation(data: pd.DataFrame, *, outcome: str = "IC", treatment: str = "DE", mediator: str = "TI",
                  controls: Sequence[str] = (), entity: str = "province", time: str = "year") -> Mediation:
    """Fit steps 1-3 with entity and time effects on the rows complete for all variables."""
    controls = list(controls)
    sample = common_sample(data, [entity, time, outcome, treatment, mediator, *controls])
    kw = {"entity": entity, "time": time}
    return Mediation(
        total=fit_twfe(sample, outcome, [treatment, *controls], **kw),
        mediator_fit=fit_twfe(sample, mediator, [treatment, *controls], **kw),
        outcome_fit=fit_twfe(sample, outcome, [treatment, mediator, *controls], **kw),
        treatment=treatment, mediator=mediator, outcome=outcome, sample=sample, controls=tuple(controls),
        entity=entity, time=time)


@dataclass(frozen=True)
class _Blocks:
    """The common sample split by entity, ready to be stacked in any order."""

    values: list[np.ndarray]  # per entity: rows x [outcome, mediator, treatment, controls...]
    periods: list[np.ndarray]  # per entity: period codes 0..T-1
    n_periods: int


def _blocks(data: pd.DataFrame, outcome: str, treatment: str, mediator: str, controls: Sequence[str],
            entity: str, time: str) -> _Blocks:
    cols = [outcome, mediator, treatment, *controls]
    sample = common_sample(data, [entity, time, *cols]).sort_values([entity, time])
    codes, levels = pd.factorize(sample[time], sort=True)
    values, periods = [], []
    for _, idx in sample.groupby(entity, sort=True).indices.items():
        values.append(sample[cols].to_numpy(dtype=float)[idx])
        periods.append(codes[idx])
    return _Blocks(values, periods, len(levels))


def _indirect_from_blocks(blocks: _Blocks, order: np.ndarray) -> tuple[float, float]:
    """a and b on the panel made of the entities in ``order`` (repeats become distinct entities)."""
    v = np.concatenate([blocks.values[g] for g in order])
    per = np.concatenate([blocks.periods[g] for g in order])
    ent = np.repeat(np.arange(len(order)), [len(blocks.values[g]) for g in order])
    n = len(v)
    dummies = np.zeros((n, len(order) + blocks.n_periods - 1))
    dummies[np.arange(n), ent] = 1.0
    later = per > 0  # period 0 is the base level, absorbed with the entity dummies
    dummies[np.flatnonzero(later), len(order) + per[later] - 1] = 1.0
    resid = v - dummies @ np.linalg.lstsq(dummies, v, rcond=None)[0]
    y_out, y_med, rhs = resid[:, 0], resid[:, 1], resid[:, 2:]
    a = np.linalg.lstsq(rhs, y_med, rcond=None)[0][0]
    step3 = np.column_stack([rhs[:, :1], y_med, rhs[:, 1:]])
    b = np.linalg.lstsq(step3, y_out, rcond=None)[0][1]
    return float(a), float(b)


def indirect_effect_fwl(data: pd.DataFrame, *, outcome: str = "IC", treatment: str = "DE",
                        mediator: str = "TI", controls: Sequence[str] = (), entity: str = "province",
                        time: str = "year") -> tuple[float, float]:
    """(a, b) computed with numpy by FWL on the original sample; equals :func:`fit_mediation`'s."""
    blocks = _blocks(data, outcome, treatment, mediator, controls, entity, time)
    return _indirect_from_blocks(blocks, np.arange(len(blocks.values)))


@dataclass(frozen=True)
class Bootstrap:
    """Province-cluster bootstrap of a*b."""

    draws: np.ndarray
    point: float
    seed: int
    level: float

    @property
    def n_draws(self) -> int:
        """Number of bootstrap draws."""
        return len(self.draws)

    @property
    def ci(self) -> tuple[float, float]:
        """Percentile interval at ``level``."""
        lo, hi = np.quantile(self.draws, [(1 - self.level) / 2, (1 + self.level) / 2])
        return float(lo), float(hi)

    @property
    def p_one_sided(self) -> float:
        """Bootstrap p-value of H0: a*b <= 0, (1 + #draws <= 0) / (B + 1)."""
        return float((1 + np.sum(self.draws <= 0)) / (self.n_draws + 1))

    @property
    def se(self) -> float:
        """Standard deviation of the draws."""
        return float(np.std(self.draws, ddof=1))

    def summary(self, effect: str = "a*b") -> pd.DataFrame:
        """One row indexed by ``effect``: point, interval ends, SE of the draws, one-sided p (H0: a*b <= 0),
        draws and seed, each in its own column so that no number hides in a label."""
        lo, hi = self.ci
        pct = f"{100 * self.level:g}%"
        return pd.DataFrame({"point": [self.point], f"{pct} ci low": [lo], f"{pct} ci high": [hi],
                             "se of draws": [self.se], "p one-sided": [self.p_one_sided],
                             "draws": [self.n_draws], "seed": [self.seed]},
                            index=pd.Index([effect], name="effect"))


def bootstrap_indirect(data: pd.DataFrame, *, outcome: str = "IC", treatment: str = "DE",
                       mediator: str = "TI", controls: Sequence[str] = (), entity: str = "province",
                       time: str = "year", draws: int = 999, seed: int = 20240101,
                       level: float = 0.95) -> Bootstrap:
    """Resample whole entities with replacement ``draws`` times (``numpy.random.default_rng(seed)``)."""
    if draws < 1:
        raise ValueError(f"bootstrap_indirect: draws must be positive, got {draws}")
    blocks = _blocks(data, outcome, treatment, mediator, controls, entity, time)
    n_ent = len(blocks.values)
    a0, b0 = _indirect_from_blocks(blocks, np.arange(n_ent))
    rng = np.random.default_rng(seed)
    out = np.empty(draws)
    for i in range(draws):
        a, b = _indirect_from_blocks(blocks, rng.integers(0, n_ent, size=n_ent))
        out[i] = a * b
    return Bootstrap(out, a0 * b0, seed, level)


STEP_COLUMNS = ["step", "effect", "estimate", "t", "reference", "p_one_sided", "passes"]
_STEPS = ((1, "total (c)"), (2, "a"), (3, "b"))


def _steps(estimates: Sequence[float], tvals: Sequence[float], ref: stats.rv_continuous, ref_name: str,
           alpha: float) -> pd.DataFrame:
    rows = []
    for (step, effect), est, tval in zip(_STEPS, estimates, tvals, strict=True):
        p = float(ref.sf(tval))
        rows.append([step, effect, float(est), float(tval), ref_name, p, bool(p < alpha)])
    return pd.DataFrame(rows, columns=STEP_COLUMNS)


def causal_steps(med: Mediation, *, alpha: float = 0.05) -> pd.DataFrame:
    """The causal steps of Baron and Kenny for a positive mediated effect, one row per step.

    H2 is directional, so each step is the one-sided test of a positive coefficient: step 1 asks
    c > 0, step 2 a > 0 and step 3 b > 0, each with the t(G-1) reference at level ``alpha``. Any
    coefficient that is not significantly positive fails its step, whether it is positive but
    imprecise or negative (significantly or not). Columns :data:`STEP_COLUMNS`. Step 3's other
    requirement, that the treatment coefficient shrink (c' < c), is :func:`steps_outcome`'s.
    """
    if not 0 < alpha < 0.5:
        raise ValueError(f"causal_steps: alpha must be in (0, 0.5), got {alpha}")
    pairs = ((med.total, med.treatment), (med.mediator_fit, med.treatment), (med.outcome_fit, med.mediator))
    est = [float(res.params[term]) for res, term in pairs]
    tval = [e / float(res.std_errors[term]) for e, (res, term) in zip(est, pairs, strict=True)]
    df = med.total.fit_info.n_clusters - 1
    return _steps(est, tval, stats.t(df), f"t({df})", alpha)












