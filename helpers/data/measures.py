"""Measures: the entropy-weight composite index and the location quotient.

The entropy method (as used for the paper's digital-economy index, Table 1):

1. min-max normalise every indicator over the pooled province-years,
   :math:`x'_{ij} = (x_{ij}-\\min_j)/(\\max_j-\\min_j)` for a positive indicator and
   :math:`(\\max_j-x_{ij})/(\\max_j-\\min_j)` for a negative one;
2. shares :math:`p_{ij} = (x'_{ij}+s)/\\sum_i (x'_{ij}+s)` with a small shift :math:`s` so that
   :math:`\\ln p` exists (:math:`0 \\ln 0 = 0` when :math:`s=0`);
3. entropy :math:`e_j = -\\frac{1}{\\ln n}\\sum_i p_{ij}\\ln p_{ij}`, divergence :math:`d_j = 1-e_j`,
   weight :math:`w_j = d_j/\\sum_k d_k`;
4. index :math:`\\sum_j w_j x'_{ij}`, which lies in [0, 1].

A constant indicator carries no information; it gets weight zero (its entropy is 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

DEFAULT_SHIFT = 1e-4


def _directions(X: pd.DataFrame, directions: Mapping[str, int] | Sequence[int] | None) -> pd.Series:
    if directions is None:
        d = pd.Series(1, index=X.columns)
    elif isinstance(directions, Mapping):
        d = pd.Series({c: directions.get(c, 1) for c in X.columns})
    else:
        d = pd.Series(list(directions), index=X.columns)
    bad = d[~d.isin([1, -1])]
    if len(bad):
        raise ValueError(f"direction of {bad.index[0]!r} must be +1 or -1, got {bad.iloc[0]!r}")
    return d.astype(int)


def normalise(X: pd.DataFrame, directions: Mapping[str, int] | Sequence[int] | None = None) -> pd.DataFrame:
    """Min-max normalise each column over all rows (pooled), respecting +/- directions.

    A constant column becomes all zeros (it cannot rank anyone).
    """
    if X.isna().any().any():
        col = X.columns[X.isna().any()][0]
        raise ValueError(f"indicator {col!r} has missing values; the entropy method needs a complete matrix")
    d = _directions(X, directions)
    lo, hi = X.min(), X.max()
    span = (hi - lo).where(hi > lo, np.nan)
    pos = (X - lo) / span
    neg = (hi - X) / span
    out = pd.DataFrame({c: (pos[c] if d[c] == 1 else neg[c]) for c in X.columns}, index=X.index)
    return out.fillna(0.0)


def entropy_weights(
    X: pd.DataFrame,
    directions: Mapping[str, int] | Sequence[int] | None = None,
    shift: float = DEFAULT_SHIFT,
    log_n: float | None = None,
) -> pd.Series:
    """Entropy weights of the columns of ``X`` (rows = province-years, pooled).

    Parameters
    ----------
    X : indicator matrix, one column per indicator, no missing values.
    directions : +1 (more is better) or -1 per column; default all +1.
    shift : added to the normalised values before the shares and logs (0 allowed, with 0 ln 0 = 0).
    log_n : the n of the normaliser :math:`\\ln n` of the entropy; default the number of rows, which
        keeps every entropy in [0, 1]. Any other value reproduces a mistake seen in published code
        (:math:`\\ln T` with T years on a pooled panel): the redundancies :math:`d_j` may then be
        negative, and they are normalised as they are, without the clipping at zero.

    Returns a Series indexed by column: non-negative, summing to one; a constant column gets 0.
    """
    if shift < 0:
        raise ValueError(f"shift must be >= 0, got {shift}")
    n = len(X)
    if n < 2:
        raise ValueError("the entropy method needs at least two rows")
    Z = normalise(X, directions) + shift
    constant = X.nunique() <= 1
    totals = Z.sum()
    P = Z / totals.where(totals > 0, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = (P * np.log(P)).where(P > 0, 0.0)
    e = -plogp.sum() / np.log(n if log_n is None else log_n)
    e[constant | (totals <= 0)] = 1.0
    if log_n is not None:
        return (1.0 - e) / (1.0 - e).sum()
    d = (1.0 - e).clip(lower=0.0)
    if d.sum() <= 0:
        raise ValueError("every indicator is constant; no weights can be formed")
    return d / d.sum()


def entropy_index(
    X: pd.DataFrame,
    directions: Mapping[str, int] | Sequence[int] | None = None,
    shift: float = DEFAULT_SHIFT,
) -> tuple[pd.Series, pd.Series]:
    """Composite index :math:`\\sum_j w_j x'_{ij}` in [0, 1] and the weights; returns (index, weights)."""
    w = entropy_weights(X, directions, shift)
    Z = normalise(X, directions)
    return (Z * w).sum(axis=1), w


def location_quotient(region_sector, region_total, nation_sector, nation_total):
    """Location quotient (region_sector/region_total) / (nation_sector/nation_total).

    Works elementwise on scalars, arrays or aligned Series; the national pair may be scalars
    or Series aligned with the regional ones (e.g. one value per year mapped onto rows).
    """
    return (region_sector / region_total) / (nation_sector / nation_total)
