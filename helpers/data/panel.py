"""Build the analysis panel (30 provinces x 2011-2021) from the loaders, with every open choice a fork.

``python -m helpers.data`` writes ``data/derived/panel.csv`` and ``data/derived/indicators.csv`` for
the default forks. :func:`load_panel` is what the model chapters call.

The forks (keyword arguments of :func:`build_panel`; defaults in :data:`FORK_DEFAULTS`):

``gdp_vintage``
    ``"first_published"`` (default): GDP as first published in the yearbooks (RenJiyi
    ``GDP_当年价_亿元``) and the secondary-industry share of the same vintage, for all 330
    province-years; the paper, written with yearbooks to 2022, would have used these numbers.
    ``"revised"``: the current NBS series revised after the economic censuses (RenJiyi ``GDP_亿元``,
    equal to tongjimodule); secondary value-added levels of this vintage exist only for 2016-2021,
    so IC is then built for 2016-2021 only.
``de_composition``
    ``"pku"`` (default): entropy index of the PKU index and its three sub-indices (the Table 1
    "digital finance" block), 2011-2021, the only composition covering all 330 rows. The PKU total
    is itself an aggregate of the three sub-indices, so this index counts them twice: it is a
    rescaled digital-finance index.
    ``"table1"``: all eleven Table 1 indicators, 2016-2021 only (180 rows; information-services
    revenue and optical-cable length start in 2016 in the public files).
    ``"table1_2013"``: the nine Table 1 indicators that exist 2013-2021 (270 rows; without
    information-services revenue and cable density; 2013 needs Meng's population or interpolation).
    Without double counting (issue 11): ``"pku_total"``, the PKU total alone (its min-max
    normalisation, 2011-2021); ``"pku_sub"``, the three PKU sub-indices without the total
    (2011-2021); ``"table1_no_total"``, the ten Table 1 indicators other than the PKU total
    (2016-2021); ``"table1_2013_no_total"``, the eight of them that exist 2013-2021.
``ti``
    ``"rd_intensity"`` (default): R&D expenditure / GDP in % (all 330). ``"patents_per_10k"``:
    domestic patent grants per 10,000 year-end residents (no current-vintage population for
    2011).
``hum_proxy``
    The paper's share of residents with a bachelor's degree or more was not found for any year.
    ``"college"`` (default since issue 10) and ``"bachelor_share"`` are described below.
    ``"graduates"``: bachelor's-degree graduates of the year per 100 residents,
    2013-2021. ``"tech_staff"``: professional and technical staff of public-sector units per 100
    residents, 2012-2017. ``"rd_fte"``: R&D personnel (full-time equivalent) per 100 residents,
    2013-2021.
``open_proxy``
    Foreign investment was not found. ``"trade_gdp"`` (default): imports plus exports / GDP;
    ``"trade_fiscal"``: imports plus exports / general budget expenditure (the paper's
    denominator). 2011-2014 are converted from USD at the NBS annual average rate; 2015 comes
    from Meng's file (``trade_source``).
``pgdp_source``
    ``"gdp_over_pop"`` (default): GDP of the chosen vintage / year-end resident population
    (万元 per person); no current-vintage population for 2011. ``"official"``: NBS GDP per
    capita (revised vintage, average population), 2016-2021 only.
``interpolate``
    Variables whose interior single-year gaps are filled by linear interpolation, as the paper
    allows for "very few missing data": none by default, since 2013 population and 2015 trade are
    observed. With ``pop_source="current"``, ``("pop",)`` fills 2013 between 2012 and 2014 (2011
    is not an interior gap and stays missing); with ``trade_source="renjiyi"``, ``"open"`` fills
    trade/GDP for 2015. Every filled cell is flagged in ``<var>_interpolated``.
``shift``
    The small constant added to the normalised indicators before the logs of the entropy
    method (default 1e-4).

The fourth scouting round (SOURCES.md) added:

``pop_source``
    ``"current_2013"`` (default): the current NBS vintage, 2012-2021, with 2013 from Meng's thesis
    controls (same vintage, checked). ``"current"``: the same without Meng's file, 2012 and
    2014-2021 (2013 by interpolation if asked). ``"first_published"``: the EPS export as first
    published, 2011-2019, with
    2020-2021 from tongjimodule (published after the census, never revised): complete, one vintage,
    to pair with first-published GDP.
``trade_source``
    ``"renjiyi_2015"`` (default): RenJiyi's trade with 2015 from Meng's ``trade_ie`` (USD at the
    2015 average rate, 亿元). ``"renjiyi"``: RenJiyi's trade alone, 2015 missing.
    ``"airuimeng"``: Meng's series for 2013-2021 (one definition: USD at the annual average rate)
    and RenJiyi's converted USD values for 2011-2012.
``hum_proxy`` (further values)
    ``"college"`` (default): college students per 100 residents (Meng's count over Meng's
    population 2013-2021; Yao's ratio for 2011-2012, checked to agree on 2013-2019 and 2021): all 330.
    ``"bachelor_share"``: bachelor's or graduate degree holders in % of the employed, 2013-2021
    (the paper's definition, but of the employed, not the population).
``pgdp_source="official_2013"``
    official GDP per capita (Meng's ``gdp_pc1``, post-fourth-census vintage) for 2013-2015 and
    tongjimodule's for 2016-2021.
``ic_measure``
    ``"output"`` (default): the value-added location quotient. ``"employment"``: the location
    quotient of urban-unit employment in the four secondary-industry sectors (mining,
    manufacturing, utilities, construction) over all urban-unit employment, 2013-2021;
    ``"employment_manufacturing"``: manufacturing alone.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.data import cache
from helpers.data import loaders as L
from helpers.data.measures import DEFAULT_SHIFT, entropy_index, location_quotient
from helpers.data.provinces import YEARS, provinces
from helpers.paths import DERIVED, NOTEBOOKS, RAW, ROOT

FORK_DEFAULTS: dict[str, object] = {
    "gdp_vintage": "first_published",
    "de_composition": "pku",
    "ti": "rd_intensity",
    "hum_proxy": "college",
    "open_proxy": "trade_gdp",
    "pgdp_source": "gdp_over_pop",
    "interpolate": (),
    "shift": DEFAULT_SHIFT,
    "pop_source": "current_2013",
    "trade_source": "renjiyi_2015",
    "ic_measure": "output",
}

FORK_CHOICES: dict[str, tuple[str, ...]] = {
    "gdp_vintage": ("first_published", "revised"),
    "de_composition": ("pku", "table1", "table1_2013", "pku_total", "pku_sub", "table1_no_total",
                       "table1_2013_no_total"),
    "ti": ("rd_intensity", "patents_per_10k"),
    "hum_proxy": ("graduates", "tech_staff", "rd_fte", "college", "bachelor_share"),
    "open_proxy": ("trade_gdp", "trade_fiscal"),
    "pgdp_source": ("gdp_over_pop", "official", "official_2013"),
    "pop_source": ("current", "current_2013", "first_published"),
    "trade_source": ("renjiyi", "renjiyi_2015", "airuimeng"),
    "ic_measure": ("output", "employment", "employment_manufacturing"),
}
INTERPOLABLE = ("pop", "open")

MODEL_VARS = ["IC", "DE", "TI", "gov", "hum", "pgdp", "open", "edu"]
#: variables the default baseline model needs complete (30 x 11)
REQUIRED = ["IC", "DE", "TI", "gov", "edu"]

# Table 1: indicator -> (tier-1 dimension, Table 1 wording, direction, definition, unit)
TABLE1: dict[str, tuple[str, str, int, str, str]] = {
    "digital_staff_share": (
        "Digital industry",
        "Percentage of digital industry personnel",
        1,
        "urban-unit employment in telecom, software and IT services / year-end population",
        "%",
    ),
    "ln_software_revenue": (
        "Digital industry",
        "Size of software business revenue",
        1,
        "log of software business revenue (10k yuan)",
        "log 10k yuan",
    ),
    "ln_it_services_revenue": (
        "Digital industry",
        "Size of information services revenue",
        1,
        "log of information technology services revenue (10k yuan)",
        "log 10k yuan",
    ),
    "internet_penetration": (
        "Digitalization of industry",
        "Internet penetration rate",
        1,
        "broadband internet access ports / year-end population",
        "ports per 100 residents",
    ),
    "mobile_penetration": (
        "Digitalization of industry",
        "Mobile phone usage",
        1,
        "mobile phone subscribers / year-end population",
        "per 100 residents",
    ),
    "fibre_density": (
        "Digitalization of industry",
        "Fiber optic cable density",
        1,
        "optical cable length / highway length",
        "km per km",
    ),
    "ln_ecommerce_sales": (
        "Digitalization of industry",
        "E-commerce transaction size",
        1,
        "log of e-commerce sales (100 million yuan)",
        "log 100 million yuan",
    ),
    "pku_index": ("Digital Finance", "Digital Finance Index", 1, "PKU-DFIIC aggregate index", "index points"),
    "pku_depth": ("Digital Finance", "Depth of use", 1, "PKU-DFIIC usage depth", "index points"),
    "pku_breadth": (
        "Digital Finance",
        "Breadth of coverage",
        1,
        "PKU-DFIIC coverage breadth",
        "index points",
    ),
    "pku_digitization": (
        "Digital Finance",
        "Degree of digitization",
        1,
        "PKU-DFIIC digitization level",
        "index points",
    ),
}
PKU = ["pku_index", "pku_depth", "pku_breadth", "pku_digitization"]
_FROM_2013 = [k for k in TABLE1 if k not in ("ln_it_services_revenue", "fibre_density")]
#: composition -> (indicators, years); the last four avoid counting the PKU sub-indices twice (the
#: PKU total is an aggregate of them)
COMPOSITIONS: dict[str, tuple[list[str], tuple[int, ...]]] = {
    "pku": (PKU, YEARS),
    "table1": (list(TABLE1), tuple(range(2016, 2022))),
    "table1_2013": (_FROM_2013, tuple(range(2013, 2022))),
    "pku_total": (["pku_index"], YEARS),
    "pku_sub": (PKU[1:], YEARS),
    "table1_no_total": ([k for k in TABLE1 if k != "pku_index"], tuple(range(2016, 2022))),
    "table1_2013_no_total": ([k for k in _FROM_2013 if k != "pku_index"], tuple(range(2013, 2022))),
}
#: the compositions of the paper's reading (before issue 11 added those without double counting)
PAPER_COMPOSITIONS = ("pku", "table1", "table1_2013")
#: the choices the multiverse crosses: the paper's three DE compositions, the default hum proxy and the
#: original ones, and the pgdp sources the book started with (the compositions without double counting,
#: the bachelor share of the employed and the other fourth-round sources are compared one at a time in
#: the data chapter)
MULTIVERSE_CHOICES: dict[str, tuple[str, ...]] = {
    **FORK_CHOICES,
    "de_composition": PAPER_COMPOSITIONS,
    "hum_proxy": ("college", "graduates", "tech_staff", "rd_fte"),
    "pgdp_source": ("gdp_over_pop", "official"),
}


class PanelError(ValueError):
    """The built panel fails validation (one-line message naming row and column)."""


# --------------------------------------------------------------------------- assembling sources


def _stamp(raw: Path) -> tuple:
    return tuple(
        (f, (Path(raw) / f).stat().st_mtime_ns if (Path(raw) / f).exists() else 0) for f in L.FILES_USED
    )


@functools.lru_cache(maxsize=8)
def _load_cached(raw: str, stamp: tuple) -> pd.DataFrame:
    if Path(raw).resolve() != RAW.resolve():  # a test's folder: nothing kept in _build/cache
        return L.load_all(Path(raw))
    kept = cache.cache_file("tidy", stamp, Path(raw))
    tidy = cache.load(kept)
    if not isinstance(tidy, pd.DataFrame):
        tidy = L.load_all(Path(raw))
        cache.keep(kept, tidy)
    return tidy


def load_tidy(raw: Path = RAW) -> pd.DataFrame:
    """All loaders' tidy frames stacked: cached per raw folder and file modification times, for the
    project's raw folder also between processes (:mod:`helpers.data.cache`)."""
    return _load_cached(str(raw), _stamp(raw)).copy()


def _series(tidy: pd.DataFrame, variable: str, file: str | None = None) -> pd.Series:
    """One variable as a Series on (province, year), optionally from one file only."""
    d = tidy[tidy["variable"] == variable]
    if file is not None:
        d = d[d["source"] == file]
    return d.set_index(["province", "year"])["value"]


def _crosscheck(a: pd.Series, b: pd.Series, what: str, fa: str, fb: str, rtol: float) -> None:
    """Raise if two sources of the same quantity disagree beyond ``rtol`` where both exist."""
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).dropna()
    if both.empty:
        raise L.DataError(f"{fa} vs {fb}: no overlap to cross-check {what}")
    rel = (both["a"] - both["b"]).abs() / both["b"].abs()
    if (rel > rtol).any():
        k = rel.idxmax()
        raise L.DataError(
            f"{fa} vs {fb}: {what} disagree for {k} ({both.loc[k, 'a']:g} vs "
            f"{both.loc[k, 'b']:g}, relative difference {rel.max():.2g} > {rtol:g})"
        )


def _first_of(*parts: pd.Series) -> pd.Series:
    """Combine sources by precedence: the first non-missing value wins."""
    out = parts[0]
    for p in parts[1:]:
        out = out.combine_first(p)
    return out


def _interpolate_interior(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Linear interpolation of interior gaps within each province; returns (filled, flag)."""
    wide = s.unstack("year").reindex(columns=list(YEARS))
    filled = wide.interpolate(axis=1, method="linear", limit_area="inside")
    flag = wide.isna() & filled.notna()
    return filled.stack().rename(s.name), flag.stack().rename(f"{s.name}_interpolated")


def _grid() -> pd.MultiIndex:
    return pd.MultiIndex.from_product([sorted(provinces()["province"]), YEARS], names=["province", "year"])


def components(
    raw: Path = RAW,
    interpolate: Iterable[str] = FORK_DEFAULTS["interpolate"],  # type: ignore[assignment]
    pop_source: str = str(FORK_DEFAULTS["pop_source"]),
) -> pd.DataFrame:
    """Every raw component on the 330-row grid, sources combined and cross-checked.

    Population (``pop_source``): ``"current"``: tongjimodule 2016-2021, the NBS export for 2015,
    vervain1902 for 2012 and 2014 (all the same post-census NBS vintage; the overlaps are checked to
    agree), and, when ``"pop" in interpolate``, 2013 by linear interpolation (flagged).
    ``"current_2013"``: the same plus 2013 from Meng's thesis controls (same vintage, checked).
    ``"first_published"``: the EPS export of the population as first published, 2011-2019, and
    tongjimodule for 2020-2021 (first published after the 2020 census, so never revised).
    """
    # the chapters build dozens of panels that share a few component sets: each is computed once
    key = interpolate if isinstance(interpolate, str) else tuple(interpolate)
    return _components_cached(str(raw), _stamp(raw), key, pop_source).copy()


@functools.lru_cache(maxsize=16)
def _components_cached(raw: str, stamp: tuple, interpolate: Iterable[str], pop_source: str) -> pd.DataFrame:
    return _components(Path(raw), interpolate, pop_source)


def _components(raw: Path, interpolate: Iterable[str], pop_source: str) -> pd.DataFrame:
    t = load_tidy(raw)
    tj = {n: L.TONGJI + n for n in L.TONGJI_FILES}
    f_gdp, f_pop = tj["分省GDP_多年期_面板数据.csv"], tj["分省人口_多年期_面板数据.csv"]
    pop_tj = _series(t, "pop", f_pop)
    pop_nbs = _series(t, "pop", L.POP2015_FILE)
    pop_cfps = _series(t, "pop", L.VERVAIN_FILE)
    _crosscheck(pop_nbs, pop_tj, "year-end population", L.POP2015_FILE, f_pop, 1e-6)
    _crosscheck(pop_cfps, pop_tj, "year-end population", L.VERVAIN_FILE, f_pop, 1e-4)
    pop_ctl = _series(t, "pop", L.CONTROLV_FILE)
    _crosscheck(pop_ctl, pop_tj, "year-end population", L.CONTROLV_FILE, f_pop, 1e-6)
    gdp_rev_rj = _series(t, "gdp_revised", L.RENJIYI_FILE)
    _crosscheck(gdp_rev_rj, _series(t, "gdp_revised", f_gdp), "revised GDP", L.RENJIYI_FILE, f_gdp, 1e-4)

    def two(var: str, tj_file: str, rtol: float | None) -> pd.Series:
        a, b = _series(t, var, tj_file), _series(t, var, L.AIRUIMENG_FILE)
        if rtol is not None:
            _crosscheck(b, a, var, L.AIRUIMENG_FILE, tj_file, rtol)
        return _first_of(a, b)

    df = pd.DataFrame(index=_grid())
    if pop_source not in FORK_CHOICES["pop_source"]:
        raise ValueError(f"pop_source must be one of {FORK_CHOICES['pop_source']}, got {pop_source!r}")
    if pop_source == "current":
        df["pop"] = _first_of(pop_tj, pop_nbs, pop_cfps)
    elif pop_source == "current_2013":
        df["pop"] = _first_of(pop_tj, pop_nbs, pop_cfps, pop_ctl)
    else:
        late = pop_tj[pop_tj.index.get_level_values("year") >= 2020]
        df["pop"] = _first_of(_series(t, "pop", L.EPS_FILE), late)
    df["gdp_first"] = _series(t, "gdp_first")
    df["gdp_revised"] = gdp_rev_rj
    df["va2_share_first"] = _series(t, "va2_share_first")
    df["va2_revised"] = _series(t, "va2_revised")
    df["pgdp_official"] = _series(t, "pgdp_official")
    df["fiscal_exp"] = _series(t, "fiscal_exp")
    df["edu_exp"] = _series(t, "edu_exp")
    df["rd_exp"] = _series(t, "rd_exp")
    df["rd_intensity"] = _series(t, "rd_intensity")
    df["patent_applications"] = _series(t, "patent_applications")
    df["patent_grants"] = _series(t, "patent_grants")
    usd = _series(t, "usd_cny").droplevel("province")
    trade_usd = _series(t, "trade_usd")
    # 万美元 x (元 per USD) = 万元; / 10^4 = 亿元
    conv = trade_usd * trade_usd.index.get_level_values("year").map(usd).to_numpy() / 100 / 1e4
    df["trade"] = _first_of(_series(t, "trade_cny"), conv)
    # Meng's trade is USD at the average rate too: it must equal RenJiyi's converted 2013-2014
    trade_ie = _series(t, "trade_ie")
    _crosscheck(trade_ie, conv, "trade in yuan", L.CONTROLV_FILE, L.RENJIYI_FILE, 1e-4)
    df["trade_ie"] = trade_ie
    df["trade_usd_cny"] = conv
    # college students per resident: Meng's count over Meng's population, Yao's ratio for 2011-2012 once
    # the two agree where both exist. In 2020 they disagree because Meng's column is scrambled across
    # provinces (Beijing four times its 2019 and 2021 counts, Jiangsu a quarter) although it sums to the
    # national total; Yao's 2020 ratios times population sum to the same total and are smooth, so 2020
    # comes from Yao (checked here on the total).
    share_m = _series(t, "college_students") / (pop_ctl * 1e4)
    share_y = _series(t, "college_share")
    both_years = share_y.index.get_level_values("year")
    overlap = share_y[(both_years >= 2013) & (both_years != 2020)]
    _crosscheck(overlap, share_m, "college students per resident", L.YUYANG_FILE, L.CONTROLV_FILE, 1e-3)
    in_2020 = [share_y.xs(2020, level="year") * pop_ctl.xs(2020, level="year") * 1e4,
               _series(t, "college_students").xs(2020, level="year")]
    totals = [pd.Series({2020: x.dropna().sum()}) for x in in_2020]
    _crosscheck(totals[0], totals[1], "college students 2020 (30-province total)", L.YUYANG_FILE,
                L.CONTROLV_FILE, 1e-4)
    meng_years = share_m.index.get_level_values("year")
    from_yao = (both_years <= 2012) | (both_years == 2020)
    df["college_share"] = _first_of(share_m[meng_years != 2020], share_y[from_yao])
    df["bachelor_share"] = _series(t, "bachelor_pct") + _series(t, "graduate_pct")
    df["pgdp_pc1"] = _series(t, "pgdp_pc1")
    df["emp_secondary"] = sum(_series(t, v) for v in ("emp_mining", "emp_manufacturing", "emp_utilities",
                                                      "emp_construction"))
    df["emp_manufacturing"] = _series(t, "emp_manufacturing")
    df["tech_staff"] = _series(t, "tech_staff")
    for v in ("it_employment", "urban_unit_employment", "mobile_subscribers", "bachelor_graduates", "rd_fte"):
        df[v] = _series(t, v)
    df["broadband_ports"] = two("broadband_ports", tj["分省互联网主要指标_多年期_面板数据.csv"], 1e-3)
    df["software_revenue"] = two(
        "software_revenue", tj["分省软件和信息技术服务业主要经济指标_多年期_面板数据.csv"], 1e-3
    )
    # e-commerce: the two files are not documented as equal, so tongjimodule wins without a check
    df["ecommerce_sales"] = two(
        "ecommerce_sales", tj["分省企业信息化及电子商务情况_多年期_面板数据.csv"], None
    )
    df["it_services_revenue"] = _series(t, "it_services_revenue")
    df["fibre_length"] = _series(t, "fibre_length")
    df["road_length"] = _series(t, "road_length")
    for v in PKU:
        df[v] = _series(t, v)
    unknown = set(interpolate) - set(INTERPOLABLE)
    if unknown:
        raise ValueError(f"interpolate: unknown variable(s) {sorted(unknown)}; choose from {INTERPOLABLE}")
    df["pop_interpolated"] = False
    if "pop" in interpolate:
        filled, flag = _interpolate_interior(df["pop"])
        df["pop"], df["pop_interpolated"] = filled, flag
    return df


def indicators(comp: pd.DataFrame) -> pd.DataFrame:
    """The Table 1 indicator matrix (all eleven, transformed as Table 1 describes) on the grid."""
    pop = comp["pop"]
    ind = pd.DataFrame(index=comp.index)
    ind["digital_staff_share"] = comp["it_employment"] / pop * 100
    ind["ln_software_revenue"] = np.log(comp["software_revenue"])
    ind["ln_it_services_revenue"] = np.log(comp["it_services_revenue"])
    ind["internet_penetration"] = comp["broadband_ports"] / pop * 100
    ind["mobile_penetration"] = comp["mobile_subscribers"] / pop * 100
    ind["fibre_density"] = comp["fibre_length"] / (comp["road_length"] * 1e4)
    ind["ln_ecommerce_sales"] = np.log(comp["ecommerce_sales"])
    for v in PKU:
        ind[v] = comp[v]
    return ind


def de_index(
    ind: pd.DataFrame, composition: str = "pku", shift: float = DEFAULT_SHIFT
) -> tuple[pd.Series, pd.Series]:
    """Entropy-weight DE over the composition's indicators and years (complete rows only); (DE, weights)."""
    if composition not in COMPOSITIONS:
        raise ValueError(f"de_composition must be one of {list(COMPOSITIONS)}, got {composition!r}")
    cols, years = COMPOSITIONS[composition]
    X = ind.loc[ind.index.get_level_values("year").isin(years), cols].dropna()
    directions = {c: TABLE1[c][2] for c in cols}
    de, w = entropy_index(X, directions, shift)
    return de.reindex(ind.index), w


def _check_choice(name: str, value: object) -> None:
    if value not in FORK_CHOICES[name]:
        raise ValueError(f"{name} must be one of {FORK_CHOICES[name]}, got {value!r}")


def build_panel(raw: Path = RAW, **forks: object) -> pd.DataFrame:
    """The 330-row province-year panel for the given forks (see the module docstring).

    Columns: province (English), year, IC, DE, TI, gov, hum, pgdp, open, edu (NaN where not
    buildable), then identifiers (code, province_zh, region3, region4, municipality), the raw
    components and the interpolation flags. Sorted by province then year.
    """
    unknown = set(forks) - set(FORK_DEFAULTS)
    if unknown:
        raise TypeError(f"build_panel: unknown fork(s) {sorted(unknown)}; known: {list(FORK_DEFAULTS)}")
    f = {**FORK_DEFAULTS, **forks}
    for name in FORK_CHOICES:
        _check_choice(name, f[name])
    interp = tuple(f["interpolate"])  # type: ignore[arg-type]
    comp = components(raw, interp, str(f["pop_source"]))
    ind = indicators(comp)
    out = pd.DataFrame(index=comp.index)

    if f["gdp_vintage"] == "first_published":
        gdp = comp["gdp_first"]
        va2 = comp["va2_share_first"] / 100 * gdp
    else:
        gdp = comp["gdp_revised"]
        va2 = comp["va2_revised"]
    # national share from the same vintage: sum over the 30 provinces, year by year
    ok = va2.notna() & gdp.notna()
    nat = va2[ok].groupby(level="year").sum() / gdp[ok].groupby(level="year").sum()
    nat_row = pd.Series(comp.index.get_level_values("year").map(nat).to_numpy(), index=comp.index)
    out["IC"] = location_quotient(va2, gdp, nat_row, 1.0)
    if f["ic_measure"] != "output":
        # urban-unit employment of the secondary sectors (or manufacturing) over all urban-unit employment
        emp = comp["emp_secondary"] if f["ic_measure"] == "employment" else comp["emp_manufacturing"]
        tot = comp["urban_unit_employment"]
        ok = emp.notna() & tot.notna()
        nat = emp[ok].groupby(level="year").sum() / tot[ok].groupby(level="year").sum()
        nat_row = pd.Series(comp.index.get_level_values("year").map(nat).to_numpy(), index=comp.index)
        out["IC"] = location_quotient(emp, tot, nat_row, 1.0)

    out["DE"], _ = de_index(ind, str(f["de_composition"]), float(f["shift"]))  # type: ignore[arg-type]

    if f["ti"] == "rd_intensity":
        out["TI"] = comp["rd_intensity"]
    else:
        out["TI"] = comp["patent_grants"] / comp["pop"]  # 件 per 万人 = per 10,000 residents

    out["gov"] = comp["fiscal_exp"] / gdp
    if f["hum_proxy"] == "college":
        out["hum"] = comp["college_share"] * 100  # per 100 residents
    elif f["hum_proxy"] == "bachelor_share":
        out["hum"] = comp["bachelor_share"]  # % of the employed
    else:
        hum_num = {
            "graduates": comp["bachelor_graduates"],
            "tech_staff": comp["tech_staff"],
            "rd_fte": comp["rd_fte"],
        }[str(f["hum_proxy"])]
        out["hum"] = hum_num / (comp["pop"] * 1e4) * 100
    if f["pgdp_source"] == "gdp_over_pop":
        out["pgdp"] = gdp / comp["pop"]  # 亿元 / 万人 = 万元 per person
    elif f["pgdp_source"] == "official":
        out["pgdp"] = comp["pgdp_official"] / 1e4
    else:
        out["pgdp"] = _first_of(comp["pgdp_official"], comp["pgdp_pc1"]) / 1e4
    denom = gdp if f["open_proxy"] == "trade_gdp" else comp["fiscal_exp"]
    year = comp.index.get_level_values("year")
    trade = {
        "renjiyi": comp["trade"],
        "renjiyi_2015": _first_of(comp["trade"], comp["trade_ie"][year == 2015]),
        "airuimeng": _first_of(comp["trade_ie"], comp["trade_usd_cny"]),
    }[str(f["trade_source"])]
    out["open"] = trade / denom
    out["open_interpolated"] = False
    if "open" in interp:
        out["open"], out["open_interpolated"] = _interpolate_interior(out["open"].rename("open"))
    out["edu"] = comp["edu_exp"] / comp["fiscal_exp"]

    out["gdp"] = gdp
    out["va2"] = va2
    comp_cols = [
        "va2_share_first",
        "pop",
        "fiscal_exp",
        "edu_exp",
        "rd_exp",
        "rd_intensity",
        "patent_applications",
        "patent_grants",
        "trade",
        "bachelor_graduates",
        "tech_staff",
        "rd_fte",
        *PKU,
        "pop_interpolated",
    ]
    for c in comp_cols:
        out[c] = comp[c]
    out = out.reset_index()
    meta = provinces().rename(columns={"name_zh": "province_zh"})[
        ["province", "code", "province_zh", "region3", "region4", "municipality"]
    ]
    out = out.merge(meta, on="province", how="left", validate="many_to_one")
    lead = ["province", "year", *MODEL_VARS, "code", "province_zh", "region3", "region4", "municipality"]
    out = out[lead + [c for c in out.columns if c not in lead]]
    out = out.sort_values(["province", "year"]).reset_index(drop=True)
    for c in ("pop_interpolated", "open_interpolated", "municipality"):
        out[c] = out[c].astype(bool)
    return out


# --------------------------------------------------------------------------- validation

RANGES: dict[str, tuple[float, float]] = {
    "IC": (0.05, 5.0),
    "DE": (0.0, 1.0),
    "TI": (0.0, 200.0),
    "gov": (0.05, 2.0),
    "hum": (0.0, 60.0),  # per 100 residents, or % of the employed (bachelor_share)
    "pgdp": (0.5, 30.0),
    "open": (0.0, 20.0),
    "edu": (0.05, 0.4),
}


def validate_panel(df: pd.DataFrame, required: Iterable[str] = REQUIRED, name: str = "panel") -> None:
    """Raise :class:`PanelError` (one line: row and column) unless the panel is sound.

    Checks: the key columns exist, (province, year) is unique, the grid is the 30 provinces x
    2011-2021, model variables are numeric and within plausible ranges, and the ``required``
    variables are complete.
    """
    for c in ["province", "year", *MODEL_VARS]:
        if c not in df.columns:
            raise PanelError(f"{name}: column {c!r} missing")
    dup = df.duplicated(["province", "year"])
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise PanelError(
            f"{name}, row {i + 2}: duplicate key (province, year) = "
            f"({df['province'].iloc[i]}, {df['year'].iloc[i]})"
        )
    want = set(_grid())
    have = set(zip(df["province"], df["year"], strict=True))
    if have != want:
        missing, extra = sorted(want - have), sorted(have - want)
        what = f"missing {missing[0]}" if missing else f"unexpected {extra[0]}"
        raise PanelError(f"{name}: not the 30 x 11 grid ({len(df)} rows; {what})")
    for c in MODEL_VARS:
        col = df[c]
        if not pd.api.types.is_numeric_dtype(col):
            bad = pd.to_numeric(col, errors="coerce").isna() & col.notna()
            i = int(np.flatnonzero(bad)[0]) if bad.any() else 0
            raise PanelError(f"{name}, row {i + 2}, column {c!r}: non-numeric value {col.iloc[i]!r}")
        lo, hi = RANGES[c]
        bad = col.notna() & ((col < lo) | (col > hi))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise PanelError(
                f"{name}, row {i + 2}, column {c!r}: value {col.iloc[i]:g} outside [{lo:g}, {hi:g}]"
            )
    for c in required:
        miss = df[c].isna()
        if miss.any():
            i = int(np.flatnonzero(miss)[0])
            raise PanelError(
                f"{name}, row {i + 2}, column {c!r}: missing for {df['province'].iloc[i]} "
                f"{df['year'].iloc[i]} ({int(miss.sum())} of {len(df)} missing)"
            )


# --------------------------------------------------------------------------- writing and reading

# Full precision (shortest round-trip repr): reading panel.csv back gives exactly the panel built in
# memory, so chapters that read the file and chapters that build forks agree to the last bit.
FLOAT_FORMAT = None
PANEL_PATH = DERIVED / "panel.csv"
INDICATORS_PATH = DERIVED / "indicators.csv"
FORKS_PATH = DERIVED / "panel_forks.json"


def _write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary beside ``path``, then rename: a reader never sees half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        if tmp.parent.is_dir():
            tmp.unlink(missing_ok=True)
        raise PanelError(f"{exc.filename or path}: cannot write ({exc.strerror})") from None
    return path


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    return _write_atomic(path, df.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n"))


def write_panel(raw: Path = RAW, out_dir: Path = DERIVED, **forks: object) -> tuple[Path, Path]:
    """Build, validate and write ``panel.csv`` and ``indicators.csv``; return both paths.

    Keys, types and ranges are always validated. Completeness of the default model's variables
    (:data:`REQUIRED`, 30 x 11) is required of the default forks only: some alternatives exist
    for fewer years by construction (the data chapter reports their coverage), and the models
    then use the complete cases.
    """
    panel = build_panel(raw, **forks)
    f = {**FORK_DEFAULTS, **forks}
    validate_panel(panel, required=REQUIRED if f == FORK_DEFAULTS else [])
    ind = indicators(components(raw, tuple(f["interpolate"]), str(f["pop_source"]))).reset_index()  # type: ignore[arg-type]
    ind = ind.sort_values(["province", "year"])
    paths = _write_csv(panel, Path(out_dir) / "panel.csv"), _write_csv(ind, Path(out_dir) / "indicators.csv")
    # Record the forks beside the panel: chapters that vary one fork at a time start from these.
    record = {k: list(v) if isinstance(v, tuple) else v for k, v in f.items()}
    _write_atomic(Path(out_dir) / FORKS_PATH.name, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return paths


def current_forks(path: Path = FORKS_PATH) -> dict[str, object]:
    """The forks ``panel.csv`` was built with (``panel_forks.json`` beside it), else the defaults."""
    path = Path(path)
    if not path.is_file():
        return dict(FORK_DEFAULTS)
    forks = {**FORK_DEFAULTS, **json.loads(path.read_text())}
    forks["interpolate"] = tuple(forks["interpolate"])  # type: ignore[arg-type]
    return forks


def book_forks(path: Path = NOTEBOOKS / "pipeline.yml") -> dict[str, object]:
    """The book's data choices: the ``data:`` section of ``notebooks/pipeline.yml``, checked."""
    import yaml

    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return check_forks(spec.get("data") if isinstance(spec, dict) else None)


def load_panel(path: Path = PANEL_PATH) -> pd.DataFrame:
    """The panel as the model chapters use it.

    When ``panel.csv`` is absent (a chapter opened in Jupyter before any build), it is built
    first with the book's data choices (:func:`book_forks`), saying so in one line; raw files
    that are missing are fetched on the way (:func:`~helpers.data.loaders.fetch_on_first_use`).
    """
    path = Path(path)
    if not path.is_file():
        print(f"{_shown(path)} is missing: building it from data/raw with the data choices of "
              "notebooks/pipeline.yml (the book build does the same)", file=sys.stderr, flush=True)
        write_panel(out_dir=path.parent, **book_forks())
    return pd.read_csv(path)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def check_forks(forks: object) -> dict[str, object]:
    """Validate the forks as written in ``notebooks/pipeline.yml`` and return them normalised.

    Parameters
    ----------
    forks : mapping
        Fork name -> value, as read from YAML or JSON (lists, not tuples).

    Returns
    -------
    dict
        Every fork of :data:`FORK_DEFAULTS`, the given values over the defaults, ``interpolate``
        as a tuple: the keyword arguments :func:`build_panel` is called with.

    Raises
    ------
    ValueError
        One line naming the fork: an unknown fork, a value of the wrong type (``interpolate: pop``
        instead of ``[pop]``, ``shift: abc``) or out of range.
    """
    if forks is None:
        forks = {}
    if not isinstance(forks, dict):
        raise ValueError(f"the data forks must be a mapping of fork: value, got {type(forks).__name__}")
    unknown = sorted(set(forks) - set(FORK_DEFAULTS))
    if unknown:
        raise ValueError(f"unknown fork(s) {unknown}; known: {', '.join(FORK_DEFAULTS)}")
    out = {**FORK_DEFAULTS, **forks}
    for name, choices in FORK_CHOICES.items():
        if out[name] not in choices:
            raise ValueError(f"{name} must be one of {', '.join(choices)}; got {out[name]!r}")
    interp = out["interpolate"]
    if not isinstance(interp, list | tuple):
        raise ValueError(f"interpolate must be a list such as [pop] (any of {', '.join(INTERPOLABLE)}); "
                         f"got the {type(interp).__name__} {interp!r}")
    bad = [v for v in interp if v not in INTERPOLABLE]
    if bad:
        raise ValueError(f"interpolate: unknown variable(s) {bad}; choose from {', '.join(INTERPOLABLE)}")
    out["interpolate"] = tuple(interp)
    shift = out["shift"]
    if isinstance(shift, bool) or not isinstance(shift, int | float):
        raise ValueError(f"shift must be a number such as 0.0001; got the {type(shift).__name__} {shift!r}")
    if not 0 <= shift <= 1:  # added to indicators normalised to [0, 1]: more would swamp them
        raise ValueError(f"shift must lie in [0, 1]; got {shift!r}")
    out["shift"] = float(shift)
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.data [--forks JSON]``: write the panel and indicator matrix.

    Without ``--forks`` the defaults are used; the build pipeline passes the ``data`` section
    of ``notebooks/pipeline.yml``.
    """
    import argparse

    ap = argparse.ArgumentParser(description="Write data/derived/panel.csv and indicators.csv.")
    ap.add_argument("--forks", default="{}", help="JSON object of build_panel keyword arguments")
    args = ap.parse_args(argv)
    try:
        forks = check_forks(json.loads(args.forks))
        p, i = write_panel(**forks)
    except (L.DataError, PanelError, TypeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    df = pd.read_csv(p)
    counts = ", ".join(f"{c} {df[c].notna().sum()}" for c in MODEL_VARS)
    print(f"wrote {p} ({len(df)} rows; non-missing: {counts}) and {i}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


# --------------------------------------------------------------------------- tables for the chapter







































FORK_VARIANTS: list[tuple[str, object]] = [
    ("gdp_vintage", "revised"),
    ("de_composition", "table1"),
    ("de_composition", "table1_2013"),
    ("shift", 0.0),
    ("shift", 0.01),
    ("ti", "patents_per_10k"),
    ("hum_proxy", "graduates"),
    ("hum_proxy", "tech_staff"),
    ("hum_proxy", "rd_fte"),
    ("open_proxy", "trade_fiscal"),
    ("pgdp_source", "official"),
    ("interpolate", ()),
    ("interpolate", ("pop", "open")),
]




