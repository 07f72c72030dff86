"""What the panel holds: the data dictionary, coverage, Table 1 and 2 statistics, variation, forks."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data import loaders as L
from helpers.data.measures import DEFAULT_SHIFT, entropy_weights, normalise
from helpers.data.panel import (
    COMPOSITIONS,
    FORK_DEFAULTS,
    FORK_VARIANTS,
    MODEL_VARS,
    PAPER_COMPOSITIONS,
    TABLE1,
    build_panel,
    components,
    de_index,
    indicators,
)
from helpers.paths import RAW

# Chinese units as the sources print them -> the English units the book displays. Longest first so that
# 万公里 is not read as 万 + 公里.
UNITS_EN: dict[str, str] = {
    "万公里": "10k km",
    "万美元": "10k USD",
    "万元": "10k yuan",
    "亿元": "100 million yuan",
    "万人": "10k persons",
    "万个": "10k",
    "元/人": "yuan per person",
    "公里": "km",
    "件": "items",
}


def english_units(text: str) -> str:
    """``text`` with the Chinese units of :data:`UNITS_EN` replaced by English ones (for display only)."""
    for zh, en in UNITS_EN.items():
        text = text.replace(zh, en)
    return text


def _sources(f: dict[str, object]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Per model variable: its sources in English and the exact files (paths under data/raw)."""
    tj_gdp = f"{L.TONGJI}分省GDP_多年期_面板数据.csv"
    pop_files: tuple[str, ...] = (f"{L.TONGJI}分省人口_多年期_面板数据.csv", L.POP2015_FILE, L.VERVAIN_FILE)
    pop_text = "year-end population (tongjimodule, NBS export, vervain1902"
    if f["pop_source"] == "current_2013":
        pop_files, pop_text = (*pop_files, L.CONTROLV_FILE), pop_text + ", Meng's thesis controls for 2013)"
    elif f["pop_source"] == "first_published":
        pop_files = (L.EPS_FILE, f"{L.TONGJI}分省人口_多年期_面板数据.csv")
        pop_text = "year-end population as first published (EPS export; tongjimodule for 2020-2021)"
    else:
        pop_text += ")"
    first = f["gdp_vintage"] == "first_published"
    gdp_text = "RenJiyi163 panel, first-published GDP" if first else "RenJiyi163 panel, revised GDP"
    t1_files = (L.AIRUIMENG_FILE, *(L.TONGJI + n for n in L.TONGJI_FILES), L.AHIA_FILE, *pop_files)
    de = (
        ("PKU digital financial inclusion index (Guo et al. 2020)", (L.PKU_FILE,))
        if str(f["de_composition"]).startswith("pku")
        else (
            "PKU index; airuimeng1 and tongjimodule digital indicators; ahia11 highway length; " + pop_text,
            (L.PKU_FILE, *t1_files),
        )
    )
    ti = (
        ("techme R&D intensity", (f"{L.TECHME}RDIntense.rda",))
        if f["ti"] == "rd_intensity"
        else ("techme patent grants; " + pop_text, (f"{L.TECHME}RDPatentAuthority.rda", *pop_files))
    )
    hum_file = L.RENJIYI_FILE if f["hum_proxy"] == "tech_staff" else L.AIRUIMENG_FILE
    hum_repo = "RenJiyi163 panel" if f["hum_proxy"] == "tech_staff" else "airuimeng1"
    hum = {
        # Meng's count over Meng's own population; Yao's ratio (same definition) for 2011-2012
        "college": ("Meng's thesis controls: college students and year-end population (2013-2021); "
                    "Yao's college students per resident (2011-2012)", (L.CONTROLV_FILE, L.YUYANG_FILE)),
        "bachelor_share": ("Meng's thesis: education of the employed (China Labour Statistical Yearbook)",
                           (L.DEPENDENTV_FILE,)),
    }.get(str(f["hum_proxy"]), (f"{hum_repo}; {pop_text}", (hum_file, *pop_files)))
    pgdp = {
        "gdp_over_pop": (f"{gdp_text}; {pop_text}", (L.RENJIYI_FILE, *pop_files)),
        "official": ("tongjimodule GDP per capita", (tj_gdp,)),
        "official_2013": ("tongjimodule GDP per capita; Meng's thesis controls (gdp_pc1) for 2013-2015",
                          (tj_gdp, L.CONTROLV_FILE)),
    }[str(f["pgdp_source"])]
    trade = {
        "renjiyi": ("RenJiyi163 panel trade (2011-14 in USD at the NBS average rate)",
                    (L.RENJIYI_FILE, L.FX_FILE)),
        "renjiyi_2015": ("RenJiyi163 panel trade (2011-14 in USD at the NBS average rate; 2015 from Meng's "
                         "thesis controls)", (L.RENJIYI_FILE, L.FX_FILE, L.CONTROLV_FILE)),
        "airuimeng": ("Meng's thesis controls trade (2013-2021); RenJiyi163 panel trade (2011-12 in USD at "
                      "the NBS average rate)", (L.CONTROLV_FILE, L.RENJIYI_FILE, L.FX_FILE)),
    }[str(f["trade_source"])]
    budget = f"{L.TECHME}PublicBudget.rda"
    trade_gdp = f["open_proxy"] == "trade_gdp"
    open_den = (gdp_text, (L.RENJIYI_FILE,)) if trade_gdp else ("techme budget", (budget,))
    ic = (
        ("RenJiyi163 panel: first-published GDP and secondary-industry share", (L.RENJIYI_FILE,))
        if first
        else ("tongjimodule GDP panel: revised GDP and secondary value added", (tj_gdp,))
    )
    if f["ic_measure"] != "output":
        ic = ("Meng's thesis: urban-unit employment by sector", (L.DEPENDENTV_FILE,))
    return {
        "IC": ic,
        "DE": de,
        "TI": ti,
        "gov": (f"techme budget (total expenditure); {gdp_text}", (budget, L.RENJIYI_FILE)),
        "hum": hum,
        "pgdp": pgdp,
        "open": (f"{trade[0]}; {open_den[0]}", (*trade[1], *open_den[1])),
        "edu": ("techme budget: education / total expenditure", (budget,)),
    }


def _definitions(f: dict[str, object]) -> dict[str, tuple[str, str]]:
    vintage = "first-published" if f["gdp_vintage"] == "first_published" else "revised"
    comp = {
        "pku": "the PKU digital financial inclusion index and its three sub-indices",
        "table1": "all eleven Table 1 indicators",
        "table1_2013": "the nine Table 1 indicators available 2013-2021",
        "pku_total": "the PKU digital financial inclusion index alone",
        "pku_sub": "the three PKU sub-indices without the total",
        "table1_no_total": "the ten Table 1 indicators other than the PKU total",
        "table1_2013_no_total": "the eight Table 1 indicators other than the PKU total available 2013-2021",
    }[str(f["de_composition"])]
    ic = {
        "output": f"location quotient of secondary-industry value added ({vintage})",
        "employment": "location quotient of urban-unit employment in the secondary-industry sectors",
        "employment_manufacturing": "location quotient of urban-unit employment in manufacturing",
    }[str(f["ic_measure"])]
    return {
        "IC": (f"{ic}; national share from the 30 provinces", "ratio"),
        "DE": (f"entropy-weight index of {comp}, pooled min-max normalisation", "index in [0, 1]"),
        "TI": ("R&D expenditure / GDP", "%")
        if f["ti"] == "rd_intensity"
        else ("domestic patent grants per 10,000 year-end residents", "per 10,000 residents"),
        "gov": (f"general public budget expenditure / GDP ({vintage})", "ratio"),
        "hum": (
            "bachelor's or graduate degree holders in % of the employed (proxy: the share of the "
            "population not found)",
            "% of the employed",
        )
        if f["hum_proxy"] == "bachelor_share"
        else (
            {
                "college": "college students",
                "graduates": "bachelor's-degree graduates of the year",
                "tech_staff": "professional and technical staff of public-sector units",
                "rd_fte": "R&D personnel (full-time equivalent)",
            }[str(f["hum_proxy"])]
            + " per 100 residents (proxy: degree-holder share not found)",
            "per 100 residents",
        ),
        "pgdp": {
            "gdp_over_pop": (f"GDP ({vintage}) / year-end resident population", "10k yuan per person"),
            "official": ("official NBS GDP per capita (revised vintage) / 10^4", "10k yuan per person"),
            "official_2013": ("official NBS GDP per capita (post-fourth-census vintage 2013-2015, revised "
                              "2016-2021) / 10^4", "10k yuan per person"),
        }[str(f["pgdp_source"])],
        "open": (
            "imports plus exports / "
            + ("GDP" if f["open_proxy"] == "trade_gdp" else "general budget expenditure")
            + " (proxy: foreign investment not found)",
            "ratio",
        ),
        "edu": ("education expenditure / general public budget expenditure", "ratio"),
    }


#: the vintage of the year-end population in every source we use (SOURCES.md: all equal the NBS series
#: revised after the 2020 census), whatever ``gdp_vintage`` says
POP_VINTAGE = "revised (post-2020-census)"


def _vintages(f: dict[str, object]) -> dict[str, tuple[str, str]]:
    """Per model variable: (GDP vintage, population vintage) it uses; "not used" where it uses neither."""
    gdp = "first-published" if f["gdp_vintage"] == "first_published" else "revised"
    none = "not used"
    eps = f["pop_source"] == "first_published"
    pop = "first-published (EPS; 2020-2021 post-census)" if eps else POP_VINTAGE
    per_head_de = not str(f["de_composition"]).startswith("pku")
    # college students are divided by Meng's (current-vintage) population whatever pop_source says
    hum = {"college": POP_VINTAGE, "bachelor_share": none}.get(str(f["hum_proxy"]), pop)
    return {
        "IC": (gdp, none) if f["ic_measure"] == "output" else (none, none),
        "DE": (none, pop if per_head_de else none),
        # R&D intensity is the published ratio; the file does not say which GDP it divides by
        "TI": ("as published (R&D bulletin)", none) if f["ti"] == "rd_intensity" else (none, pop),
        "gov": (gdp, none),
        "hum": (none, hum),
        "pgdp": (gdp, pop)
        if f["pgdp_source"] == "gdp_over_pop"
        else ("revised", "revised (NBS average)"),
        "open": (gdp, none) if f["open_proxy"] == "trade_gdp" else (none, none),
        "edu": (none, none),
    }


def _years_covered(s: pd.Series, years: pd.Series) -> str:
    ys = sorted(set(years[s.notna()]))
    if not ys:
        return "none"
    runs, start, prev = [], ys[0], ys[0]
    for y in ys[1:] + [None]:
        if y is None or y != prev + 1:
            runs.append(f"{start}" if start == prev else f"{start}-{prev}")
            if y is not None:
                start = y
        if y is not None:
            prev = y
    return ", ".join(runs)


def data_dictionary(panel: pd.DataFrame | None = None, **forks: object) -> pd.DataFrame:
    """One row per model variable as built with ``forks``.

    Columns: name, definition, unit, gdp_vintage and pop_vintage (which vintage of GDP and of
    population the variable uses, "not used" otherwise), mixes_vintages (GDP of one vintage
    combined with population of another, or a first-published panel variable resting on revised
    population), source (English), source_files (paths under data/raw, ``;``-separated),
    years_covered and n (of 330).
    """
    f = {**FORK_DEFAULTS, **forks}
    panel = build_panel(**forks) if panel is None else panel
    defs, srcs, vint = _definitions(f), _sources(f), _vintages(f)
    first = f["gdp_vintage"] == "first_published"
    rows = []
    for v in MODEL_VARS:
        d, u = defs[v]
        g, p = vint[v]
        # The rest of a first-published panel is in the vintage a 2022 study would have used; revised
        # population is not, so any variable that divides by it mixes vintages within the panel.
        same = g.split()[0] == p.split()[0]
        mixed = (g not in ("not used", "revised") and p != "not used" and not same) or (
            first and p.startswith("revised"))
        rows.append(
            {
                "name": v,
                "definition": d,
                "unit": u,
                "gdp_vintage": g,
                "pop_vintage": p,
                "mixes_vintages": bool(mixed),
                "source": srcs[v][0],
                "source_files": "; ".join(dict.fromkeys(srcs[v][1])),
                "years_covered": _years_covered(panel[v], panel["year"]),
                "n": int(panel[v].notna().sum()),
            }
        )
    return pd.DataFrame(rows)




def coverage(panel: pd.DataFrame, ind: pd.DataFrame | None = None) -> pd.DataFrame:
    """Provinces with a value, variable (rows) by year (columns): model variables, then indicators."""
    frames = [panel.set_index(["province", "year"])[MODEL_VARS]]
    if ind is not None:
        frames.append(ind)
    wide = pd.concat(frames, axis=1)
    return wide.notna().groupby(level="year").sum().T.astype(int)


def table1(
    raw: Path = RAW, shift: float = DEFAULT_SHIFT,
    interpolate: Iterable[str] = FORK_DEFAULTS["interpolate"],  # type: ignore[assignment]
    pop_source: str = str(FORK_DEFAULTS["pop_source"]),
) -> pd.DataFrame:
    """Table 1 rebuilt: indicator, dimension, paper wording, direction, definition, unit, coverage and the
    entropy weight under each of the paper's DE compositions (empty where the indicator is not part of it)."""
    ind = indicators(components(raw, tuple(interpolate), pop_source))
    years = pd.Series(ind.index.get_level_values("year"), index=ind.index)
    rows = []
    weights = {k: de_index(ind, k, shift)[1] for k in PAPER_COMPOSITIONS}
    for k, (dim, wording, direction, definition, unit) in TABLE1.items():
        row = {
            "indicator": k,
            "dimension": dim,
            "paper_indicator": wording,
            "direction": "+" if direction == 1 else "-",
            "definition": definition,
            "unit": unit,
            "years_covered": _years_covered(ind[k], years),
            "n": int(ind[k].notna().sum()),
        }
        for comp, w in weights.items():
            row[f"weight_{comp}"] = w.get(k, np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def describe(panel: pd.DataFrame) -> pd.DataFrame:
    """Table 2 statistics (n, mean, sd, min, max) of the model variables."""
    d = panel[MODEL_VARS]
    return pd.DataFrame(
        {
            "variable": MODEL_VARS,
            "n": d.notna().sum().to_numpy(),
            "mean": d.mean().to_numpy(),
            "sd": d.std().to_numpy(),
            "min": d.min().to_numpy(),
            "max": d.max().to_numpy(),
        }
    )


def de_declines(panel: pd.DataFrame, variable: str = "DE") -> pd.DataFrame:
    """Per year: provinces with a value in both this and the previous year, and how many fell.

    Columns year, n_provinces, n_fell (value below the previous year's), provinces_fell (names).
    """
    wide = panel.pivot(index="province", columns="year", values=variable).sort_index(axis=1)
    change = wide.diff(axis=1)
    rows = []
    for y in wide.columns[1:]:
        d = change[y].dropna()
        fell = sorted(d.index[d < 0])
        rows.append(
            {"year": int(y), "n_provinces": len(d), "n_fell": len(fell), "provinces_fell": ", ".join(fell)}
        )
    return pd.DataFrame(rows)


def _two_way_within(df: pd.DataFrame) -> pd.DataFrame:
    """Columns of ``df`` (index province, year) after removing province and year means."""
    from linearmodels.panel.data import PanelData

    return PanelData(df).demean("both").dataframe


def variation(panel: pd.DataFrame, variables: Iterable[str] = MODEL_VARS) -> pd.DataFrame:
    """Where each variable varies: overall SD, SD of province means, and SD after removing province means
    (within) or province and year means (within_two_way, what a two-way FE model uses)."""
    rows = []
    for v in variables:
        d = panel[["province", "year", v]].dropna().set_index(["province", "year"])
        one = d[v] - d.groupby(level="province")[v].transform("mean")
        rows.append(
            {
                "variable": v,
                "n": len(d),
                "sd": float(d[v].std()),
                "sd_between": float(d.groupby(level="province")[v].mean().std()),
                "sd_within": float(one.std()),
                "sd_within_two_way": float(_two_way_within(d)[v].std()),
            }
        )
    return pd.DataFrame(rows)


def fork_sensitivity(
    raw: Path = RAW,
    base: dict[str, object] | None = None,
    variants: Iterable[tuple[str, object]] = FORK_VARIANTS,
) -> pd.DataFrame:
    """How much each fork moves each model variable relative to the base configuration.

    One row per (fork, value, variable) whose values or coverage change, all on the province-years
    both have (the overlap): n in base and variant, n_overlap, Pearson and Spearman correlation,
    mean absolute difference, means; and the same comparison of the variation a two-way fixed-effects
    model uses: both series after removing province and year means (estimated on the overlap),
    their correlation ``within_r``, standard deviations ``sd_within_base`` / ``sd_within_variant`` and
    mean absolute difference ``within_mean_abs_diff`` (level shifts the fixed effects absorb drop out).
    """
    base = {**FORK_DEFAULTS, **(base or {})}
    p0 = build_panel(raw, **base).set_index(["province", "year"])
    rows = []
    for fork, value in variants:
        if base[fork] == value:
            continue
        p1 = build_panel(raw, **{**base, fork: value}).set_index(["province", "year"])
        for v in MODEL_VARS:
            a, b = p0[v], p1[v]
            if a.equals(b):
                continue
            ok = a.notna() & b.notna()
            same_rows = bool(ok.sum()) and np.allclose(a[ok], b[ok]) and a.notna().sum() == b.notna().sum()
            if same_rows:
                continue
            n_ok = int(ok.sum())
            row = {
                "fork": fork,
                "value": str(value),
                "variable": v,
                "n_base": int(a.notna().sum()),
                "n_variant": int(b.notna().sum()),
                "n_overlap": n_ok,
                "pearson": a[ok].corr(b[ok]) if n_ok > 2 else np.nan,
                "spearman": a[ok].corr(b[ok], method="spearman") if n_ok > 2 else np.nan,
                "mean_abs_diff": float((a[ok] - b[ok]).abs().mean()) if n_ok else np.nan,
                "mean_base": float(a[ok].mean()) if n_ok else np.nan,
                "mean_variant": float(b[ok].mean()) if n_ok else np.nan,
                "within_r": np.nan,
                "sd_within_base": np.nan,
                "sd_within_variant": np.nan,
                "within_mean_abs_diff": np.nan,
            }
            if n_ok > 2:
                w = _two_way_within(pd.concat([a[ok].rename("a"), b[ok].rename("b")], axis=1))
                row["within_r"] = float(w["a"].corr(w["b"]))
                row["sd_within_base"] = float(w["a"].std())
                row["sd_within_variant"] = float(w["b"].std())
                row["within_mean_abs_diff"] = float((w["a"] - w["b"]).abs().mean())
            rows.append(row)
    return pd.DataFrame(rows)


def de_compositions(
    raw: Path = RAW,
    base: str = "pku",
    shift: float = DEFAULT_SHIFT,
    interpolate: Iterable[str] = FORK_DEFAULTS["interpolate"],  # type: ignore[assignment]
    pop_source: str = str(FORK_DEFAULTS["pop_source"]),
) -> pd.DataFrame:
    """Every DE composition beside ``base``: coverage, weights and how much it moves the index.

    One row per composition of :data:`helpers.data.COMPOSITIONS`. Correlations are on the
    province-years both indices have: ``pearson`` of levels, ``within_r`` of the series with
    province means removed (the within-province correlation), ``within_two_way_r`` with province and
    year means removed (what a two-way fixed-effects model uses). ``share_left_two_way`` is the
    variance left after province and year means as a share of the total variance of the
    composition's own index (on its own rows), ``sd_within_two_way`` its standard deviation.
    ``weights`` lists the entropy weights, largest first.
    """
    ind = indicators(components(raw, tuple(interpolate), pop_source))
    de0 = de_index(ind, base, shift)[0].rename("base")
    rows = []
    for name, (cols, years) in COMPOSITIONS.items():
        de, w = de_index(ind, name, shift)
        own = de.dropna().rename("DE").to_frame()
        both = pd.concat([de0, de.rename("variant")], axis=1).dropna()
        one = both - both.groupby(level="province").transform("mean")
        two = _two_way_within(both)
        own_two = _two_way_within(own)["DE"]
        rows.append({
            "composition": name,
            "n_indicators": len(cols),
            "years": f"{min(years)}-{max(years)}",
            "n": len(own),
            "n_overlap": len(both),
            "pearson": float(both["base"].corr(both["variant"])),
            "within_r": float(one["base"].corr(one["variant"])),
            "within_two_way_r": float(two["base"].corr(two["variant"])),
            "sd_within_two_way": float(own_two.std()),
            "share_left_two_way": float(own_two.var() / own["DE"].var()),
            "weights": "; ".join(f"{k} {v:.3f}" for k, v in w.sort_values(ascending=False).items()),
        })
    return pd.DataFrame(rows)


#: the forks the fourth scouting round added, each compared one at a time with the defaults
NEW_FORK_VARIANTS: list[tuple[str, object]] = [
    ("pop_source", "current"),
    ("pop_source", "current_2013"),
    ("pop_source", "first_published"),
    ("trade_source", "renjiyi"),
    ("trade_source", "renjiyi_2015"),
    ("trade_source", "airuimeng"),
    ("hum_proxy", "graduates"),
    ("hum_proxy", "college"),
    ("hum_proxy", "bachelor_share"),
    ("pgdp_source", "official_2013"),
    ("ic_measure", "employment"),
    ("ic_measure", "employment_manufacturing"),
]


def fork_coverage(raw: Path = RAW, variants: Iterable[tuple[str, object]] = NEW_FORK_VARIANTS,
                  base: dict[str, object] | None = None) -> pd.DataFrame:
    """Rows with a value per model variable, and complete rows, under the base forks and each variant.

    One row per configuration: ``fork`` and ``value`` ("defaults" for the base), then one column per
    model variable (province-years with a value, of 330) and ``complete`` (rows with all eight).
    """
    base = {**FORK_DEFAULTS, **(base or {})}
    rows = []
    for fork, value in [("defaults", ""), *variants]:
        forks = base if fork == "defaults" else {**base, fork: value}
        p = build_panel(raw, **forks)
        rows.append({"fork": fork, "value": str(value), **{v: int(p[v].notna().sum()) for v in MODEL_VARS},
                     "complete": int(p[MODEL_VARS].notna().all(axis=1).sum())})
    return pd.DataFrame(rows)


#: the peer indices and their labels (the PKU-DFIIC aggregate is the input of our default DE)
PEERS = {"peer_airuimeng": "Meng (EWM, 22 indicators)", "peer_yuyang": "Yao (digeco)",
         "pku_index": "PKU-DFIIC"}


def peer_indices(raw: Path = RAW) -> pd.DataFrame:
    """Other researchers' digital-economy indices on the panel's grid: province, year, peer_airuimeng
    (2013-2021), peer_yuyang (2011-2021) and the PKU-DFIIC aggregate (for comparison only)."""
    t = pd.concat([L.load_peer_airuimeng(raw), L.load_yuyang(raw), L.load_pku(raw)], ignore_index=True)
    t = t[t["variable"].isin(PEERS)]
    wide = t.pivot_table(index=["province", "year"], columns="variable", values="value")
    grid = pd.MultiIndex.from_product([sorted(set(wide.index.get_level_values(0))), range(2011, 2022)],
                                      names=["province", "year"])
    return wide.reindex(grid)[list(PEERS)].reset_index()


def peer_rank_correlations(raw: Path = RAW, shift: float = DEFAULT_SHIFT,
                           interpolate: Iterable[str] = FORK_DEFAULTS["interpolate"],  # type: ignore[assignment]
                           pop_source: str = str(FORK_DEFAULTS["pop_source"])) -> pd.DataFrame:
    """Within-year Spearman correlation of our DE (each composition) with each peer index.

    One row per (composition, peer, year) where both exist for at least 10 provinces: ``n`` and
    ``spearman`` (ranks of the 30 provinces within that year).
    """
    ind = indicators(components(raw, tuple(interpolate), pop_source))
    peers = peer_indices(raw).set_index(["province", "year"])
    rows = []
    for comp in COMPOSITIONS:
        de = de_index(ind, comp, shift)[0]
        for peer in PEERS:
            both = pd.concat([de.rename("de"), peers[peer].rename("peer")], axis=1).dropna()
            for year, g in both.groupby(level="year"):
                if len(g) >= 10:
                    rows.append({"composition": comp, "peer": peer, "year": int(year), "n": len(g),
                                 "spearman": float(g["de"].corr(g["peer"], method="spearman"))})
    return pd.DataFrame(rows)


def ewm_worked_example(raw: Path = RAW) -> tuple[pd.DataFrame, float]:
    """Meng's entropy weights reproduced, and done right, on Meng's own input matrix.

    Returns a frame with one row per indicator (x1-x22): ``published`` (the workbook's weights),
    ``ln_T`` (:func:`entropy_weights` with ``log_n=10``, the ten years, and no shift: what the Stata
    code does), ``ln_n`` (the standard pooled method, ``log_n`` = the 310 rows) and ``d_ln_T`` (the
    redundancy 1 - e under ln 10, negative for every indicator); and the Pearson correlation of the
    scores made with the published and with the correct weights.
    """
    X, published = L.load_airuimeng_ewm_inputs(raw)
    wrong = entropy_weights(X, shift=0.0, log_n=10)
    right = entropy_weights(X, shift=0.0)
    Z = normalise(X)
    P = Z / Z.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -(P * np.log(P)).where(P > 0, 0.0).sum() / np.log(10)
    out = pd.DataFrame({"indicator": X.columns, "published": published.to_numpy(), "ln_T": wrong.to_numpy(),
                        "ln_n": right.to_numpy(), "d_ln_T": (1 - e).to_numpy()})
    r = float((Z * published).sum(axis=1).corr((Z * right).sum(axis=1)))
    return out, r
