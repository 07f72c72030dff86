"""The paper's hypotheses H1 and H2 as tests, on our estimates and on the paper's printed numbers."""

from __future__ import annotations

import pandas as pd
from linearmodels.panel.results import PanelEffectsResults
from scipy import stats

from helpers.estimate.inference import WildBootstrap
from helpers.estimate.mediation import Bootstrap, Mediation, _steps, sobel
from helpers.estimate.models import ModelInputError, wald_one_sided


def paper_causal_steps(paper: pd.DataFrame, *, n_clusters: int = 30, alpha: float = 0.05) -> pd.DataFrame:
    """:func:`causal_steps` for the paper's printed numbers: c from Table 3 column 6 (DE), a from
    Table 5 column 1 (DE), b from Table 5 column 2 (TI), with the t(G-1) reference."""
    where = ((3, 6, "DE"), (5, 1, "DE"), (5, 2, "TI"))
    est, tval = [], []
    for table, col, term in where:
        hit = paper[(paper["table"] == table) & (paper["column"] == col) & (paper["term"] == term)]
        if hit.empty:
            raise ModelInputError(
                f"paper_causal_steps: paper table {table} column {col} has no term {term!r}")
        est.append(float(hit["coef"].iloc[0]))
        tval.append(float(hit["t"].iloc[0]))
    return _steps(est, tval, stats.t(n_clusters - 1), f"t({n_clusters - 1})", alpha)


H_COLUMNS = ["hypothesis", "source", "test", "null", "alternative", "statistic", "reference",
             "p_value", "verdict_5pct"]


def _verdict(p: float) -> str:
    return "reject H0" if p < 0.05 else "do not reject H0"


def h2_tests(med: Mediation, boot: Bootstrap, paper: pd.DataFrame, *, n_clusters: int = 30) -> pd.DataFrame:
    """H2 (DE raises IC through TI) as tests of H0: a*b <= 0 against a*b > 0, ours and the paper's.

    ``paper`` is the long frame of reported coefficients; the paper's Table 5 gives a (column 1, DE)
    and b (column 2, TI) with t-statistics, so its Sobel z and the joint-significance test follow
    from the printed numbers (normal and t(G-1) references).
    """
    p5 = paper[paper["table"] == 5]

    def reported(col: int, term: str) -> tuple[float, float]:
        hit = p5[(p5["column"] == col) & (p5["term"] == term)]
        if hit.empty:
            raise ModelInputError(f"h2_tests: paper table 5 column {col} has no term {term!r}")
        return float(hit["coef"].iloc[0]), float(hit["t"].iloc[0])

    null, alt = "a*b <= 0", "a*b > 0"
    rows = []
    # our Sobel statistic uses the joint clustered covariance of (a, b) and t(G-1), as every test of ours
    se_ab, z, _ = med.sobel()
    df = med.total.fit_info.n_clusters - 1
    rows.append(["H2", "ours", "Sobel z", null, alt, z, f"t({df})",
                 float(stats.t(df).sf(z))])
    ta = med.a / float(med.mediator_fit.std_errors[med.treatment])
    tb = med.b / float(med.outcome_fit.std_errors[med.mediator])
    rows.append(["H2", "ours", "joint significance min(t_a, t_b)", "a <= 0 or b <= 0", "a > 0 and b > 0",
                 min(ta, tb), f"t({df})", float(max(stats.t(df).sf(ta), stats.t(df).sf(tb)))])
    rows.append(["H2", "ours", f"cluster bootstrap ({boot.n_draws} draws, seed {boot.seed})", null, alt,
                 boot.point, "bootstrap", boot.p_one_sided])
    a, t_a = reported(1, "DE")
    b, t_b = reported(2, "TI")
    _, z_p, _ = sobel(a, a / t_a, b, b / t_b)
    rows.append(["H2", "paper", "Sobel z from printed a, t_a, b, t_b", null, alt, z_p, "normal",
                 float(stats.norm.sf(z_p))])
    for name, ref in (("normal", stats.norm), (f"t({n_clusters - 1})", stats.t(n_clusters - 1))):
        rows.append(["H2", "paper", "joint significance min(t_a, t_b)", "a <= 0 or b <= 0",
                     "a > 0 and b > 0", min(t_a, t_b), name, float(max(ref.sf(t_a), ref.sf(t_b)))])
    out = pd.DataFrame([[*r, _verdict(r[-1])] for r in rows], columns=H_COLUMNS)
    return out


def h1_tests(result: PanelEffectsResults, paper: pd.DataFrame, *, term: str = "DE", table: int = 3,
             column: int = 6, n_clusters: int = 30, wild: WildBootstrap | None = None) -> pd.DataFrame:
    """H1 (DE raises IC) as the one-sided test H0: beta_DE <= 0 against beta_DE > 0.

    Ours: with ``wild`` (a :func:`helpers.estimate.wild_cluster_bootstrap` of the same model, Webb
    weights) its one-sided p-value comes first and is the headline, because it holds its size with
    30 clusters of unequal variance where CR1 does not (:func:`helpers.estimate.size_simulation`);
    then the book's clustered SE with t(G-1). The paper's uses its printed t with the normal and the
    t(G-1) references (the paper does not say which it used).
    """
    hit = paper[(paper["table"] == table) & (paper["column"] == column) & (paper["term"] == term)]
    if hit.empty:
        raise ModelInputError(f"h1_tests: paper table {table} column {column} has no term {term!r}")
    null, alt = f"beta_{term} <= 0", f"beta_{term} > 0"
    df = result.fit_info.n_clusters - 1
    t_ours, p_ours = wald_one_sided(float(result.params[term]), float(result.std_errors[term]), df)
    t_paper = float(hit["t"].iloc[0])
    rows = [["H1", "ours", f"t on {term}, table {table} column {column}", null, alt, t_ours, f"t({df})",
             p_ours]]
    if wild is not None:
        rows.insert(0, ["H1", "ours", f"WCR bootstrap ({wild.weights} weights, {wild.draws} draws, seed "
                        f"{wild.seed}) on {term}, table {table} column {column}", null, alt, wild.t,
                        "bootstrap-t", wild.p_upper])
    for name, ref in (("normal", None), (f"t({n_clusters - 1})", n_clusters - 1)):
        _, p = wald_one_sided(t_paper, 1.0, ref)
        rows.append(["H1", "paper", f"printed t on {term}, table {table} column {column}", null, alt,
                     t_paper, name, p])
    return pd.DataFrame([[*r, _verdict(r[-1])] for r in rows], columns=H_COLUMNS)
