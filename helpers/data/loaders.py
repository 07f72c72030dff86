"""One loader per raw file, each returning a tidy, validated frame.

Every loader takes ``raw`` (the folder laid out like ``data/raw/``; tests point it at a
temporary copy) and returns the columns ``province, year, variable, value, unit, source, row``:
``province`` is the English name from :mod:`helpers.provinces`, ``source`` the file path under
``raw`` and ``row`` the line (or sheet row / record) the value came from, so that any later
complaint can name it. Only the sample years 2011-2021 are kept. Tibet and national rows are
dropped on purpose; any other unknown name raises.

Checks made while loading, each failing with a one-line :class:`DataError` naming file, row and
column: the file exists and can be parsed (an empty, truncated, corrupt or mis-encoded file of
any format gives one line naming the file, and the line and column when the parser knows them
or the bad bytes can be located), every cell meant to be a number is one, (province, year, variable)
is unique, every value lies in a plausible range for its unit (which catches a series stored
in 元 instead of 亿元 or persons instead of 万人), and every province has every year the file
is relied on for.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyreadr

from helpers.data.provinces import YEARS, UnknownProvinceError, provinces, to_province
from helpers.paths import RAW

TIDY_COLUMNS = ["province", "year", "variable", "value", "unit", "source", "row"]


class DataError(ValueError):
    """Bad input data; the message is one line naming the file and, where known, row and column."""


@dataclass(frozen=True)
class Var:
    """Canonical unit and plausible range of one loaded series (the range is the unit check)."""

    unit: str
    lo: float
    hi: float


# Ranges are wide enough for every province 2011-2021 and narrow enough that a series off by
# a factor of 10^4 (元 vs 万元, persons vs 万人) falls outside them.
VARS: dict[str, Var] = {
    "pku_index": Var("index points", 10, 600),
    "pku_breadth": Var("index points", 1, 600),
    "pku_depth": Var("index points", 1, 600),
    "pku_digitization": Var("index points", 1, 700),
    "gdp_revised": Var("亿元", 500, 200_000),
    "gdp_first": Var("亿元", 500, 200_000),
    "va2_share_first": Var("%", 10, 70),
    "va2_revised": Var("亿元", 50, 100_000),
    "pgdp_official": Var("元/人", 10_000, 300_000),
    "pop": Var("万人", 400, 15_000),
    "broadband_ports": Var("万个", 10, 20_000),
    "fibre_length": Var("公里", 10_000, 10_000_000),
    "software_revenue": Var("万元", 100, 1_000_000_000),
    "it_services_revenue": Var("万元", 1, 1_000_000_000),
    "ecommerce_sales": Var("亿元", 1, 200_000),
    "mobile_subscribers": Var("万户", 300, 20_000),
    "it_employment": Var("万人", 0.1, 200),
    "urban_unit_employment": Var("万人", 30, 3_000),
    "bachelor_graduates": Var("人", 1_000, 500_000),
    "rd_fte": Var("人年", 300, 1_000_000),
    "road_length": Var("万公里", 1, 45),
    "fiscal_exp": Var("亿元", 300, 25_000),
    "edu_exp": Var("亿元", 50, 5_000),
    "rd_exp": Var("亿元", 1, 5_000),
    "rd_intensity": Var("%", 0.1, 8),
    "patent_applications": Var("件", 100, 2_000_000),
    "patent_grants": Var("件", 50, 1_500_000),
    "trade_usd": Var("万美元", 10_000, 200_000_000),
    "trade_cny": Var("亿元", 10, 100_000),
    "tech_staff": Var("人", 10_000, 3_000_000),
    "usd_cny": Var("元/100美元", 500, 800),
}


# --------------------------------------------------------------------------- generic machinery


#: the reason the first-use fetch failed in this process (it is not tried again)
_fetch_failed: str | None = None


def fetch_on_first_use(file: str) -> None:
    """Fill ``data/raw/`` when a chapter first needs a file that is not there, saying so in one line.

    This is what makes a chapter opened straight in Jupyter or Binder run without ``make data``:
    the manifest's files are fetched (from ``DATA_MIRROR`` when set, else the public URLs) and
    verified by sha256, as ``make data`` does.

    Raises
    ------
    DataError
        One line naming the file and what to run, when the fetch fails (offline with no mirror,
        a changed upstream file); the fetch is then not tried again in this process.
    """
    global _fetch_failed
    from helpers.data.fetch import FetchError, fetch_all  # fetch is beside the loaders, not below them

    if _fetch_failed is None:
        mirror = os.environ.get("DATA_MIRROR")
        origin = f"the mirror {mirror}" if mirror else "the public URLs of data/sources.csv"
        print(f"data/raw lacks {file}: fetching and verifying the raw files from {origin} "
              "(once; `make data` does the same)", file=sys.stderr, flush=True)
        try:
            fetch_all()
            return
        except FetchError as exc:
            _fetch_failed = str(exc).splitlines()[0]
    raise DataError(f"{file}: not in data/raw and the fetch failed ({_fetch_failed}); run `make data` "
                    "(offline: `DATA_MIRROR=<folder with the raw files> make data`)")


def _path(raw: Path, file: str) -> Path:
    path = Path(raw) / file
    if not path.is_file() and Path(raw) == RAW:
        fetch_on_first_use(file)
    if not path.is_file():
        raise DataError(f"{file}: file not found under {raw} (run `python -m helpers.data.fetch`)")
    return path


T = TypeVar("T")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _where_undecodable(path: Path, encoding: str) -> str:
    """``line L, column C`` of the first byte of ``path`` that ``encoding`` cannot decode.

    The parsers decode in chunks, so the offset in their UnicodeDecodeError is not the file's;
    decoding the whole file again finds the real place.
    """
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return f"line {line}, byte {column}: byte 0x{data[exc.start]:02x} is not valid {encoding}"
    except LookupError:
        pass
    return f"not valid {encoding}"


def read_raw(path: Path, file: str, read: Callable[[Path], T], encoding: str | None = None) -> T:
    """Call ``read(path)``, turning any failure to parse the file into a one-line :class:`DataError`.

    Parameters
    ----------
    path : Path
        The file to read.
    file : str
        Its name under ``data/raw/``, which opens every message.
    read : callable
        The parser (``pandas.read_csv``, ``pandas.read_excel``, ``pyreadr.read_r`` ...) bound to its
        options, called with ``path``.
    encoding : str, optional
        The text encoding ``read`` decodes with, so that a mis-encoded file is reported with the
        line and byte where decoding fails.

    Returns
    -------
    object
        Whatever ``read`` returns.

    Raises
    ------
    DataError
        The file is empty, truncated, corrupt or not in ``encoding``: one line naming it.
    """
    if path.stat().st_size == 0:
        raise DataError(f"{file}: the file is empty (0 bytes); delete it and fetch again")
    try:
        return read(path)
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        if encoding is None:  # a binary format whose text fields are garbled: a corrupt file
            reason = _one_line(str(exc))
            raise DataError(f"{file}: cannot be parsed, corrupt or mis-encoded? ({reason})") from None
        raise DataError(f"{file}: cannot be decoded ({_where_undecodable(path, encoding)})") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise DataError(f"{file}, {where}: not valid JSON ({exc.msg})") from None
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.ENOENT, errno.EISDIR):
            raise DataError(f"{file}: cannot be read ({exc.strerror})") from None
        # parsers raise EINVAL and the like when seeking past the end of a truncated file
        raise DataError(f"{file}: cannot be parsed, corrupt or truncated? ({_one_line(str(exc))})") from None
    except Exception as exc:  # noqa: BLE001  every parser has its own error types; all mean a bad file
        reason = _one_line(str(exc)) or "no detail given"
        kind = type(exc).__name__
        raise DataError(f"{file}: cannot be parsed, corrupt or truncated? ({kind}: {reason})") from None


def _read_json(path: Path) -> object:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _to_number(raw_value: object, file: str, row: int, column: str) -> float:
    """Parse one cell; empty cells are missing, anything else that is not a number is an error."""
    if raw_value is None or (isinstance(raw_value, float) and np.isnan(raw_value)):
        return np.nan
    if isinstance(raw_value, int | float | np.integer | np.floating):
        return float(raw_value)
    text = str(raw_value).strip().replace(",", "")
    if text in ("", "nan", "NA", "NaN", "None"):
        return np.nan
    try:
        return float(text)
    except ValueError:
        raise DataError(f"{file}, row {row}, column {column!r}: non-numeric value {raw_value!r}") from None


def _finish(
    long: pd.DataFrame,
    file: str,
    required: dict[str, Iterable[int]],
    *,
    national_ok: bool = False,
) -> pd.DataFrame:
    """Validate and tidy a long frame with columns name, year, column, variable, raw, scale, row.

    ``required`` lists for each variable the years every province must have.
    """
    out = long.copy()
    if national_ok:
        out["province"] = "national"
    else:
        try:
            out["province"] = [to_province(n, file, r) for n, r in zip(out["name"], out["row"], strict=True)]
        except UnknownProvinceError as exc:
            raise DataError(str(exc)) from None
        out = out[out["province"].notna()]
    years = []
    for y, r in zip(out["year"], out["row"], strict=True):
        val = _to_number(y, file, r, "year")
        if np.isnan(val) or val != int(val):
            raise DataError(f"{file}, row {r}, column 'year': not a year {y!r}")
        years.append(int(val))
    out["year"] = years
    # parse every cell, in or out of the sample window: a non-number anywhere means a bad file
    out["value"] = [
        _to_number(v, file, r, c) * s
        for v, r, c, s in zip(out["raw"], out["row"], out["column"], out["scale"], strict=True)
    ]
    out = out[out["year"].isin(YEARS)]
    out = out[out["value"].notna()]
    dup = out.duplicated(["province", "year", "variable"], keep=False)
    if dup.any():
        d = out[dup].sort_values("row")
        first, second = (
            d.iloc[0],
            d[(d["province"] == d.iloc[0]["province"]) & (d["year"] == d.iloc[0]["year"])].iloc[1],
        )
        raise DataError(
            f"{file}, row {second['row']}, column {second['column']!r}: duplicate key "
            f"(province, year) = ({second['province']}, {second['year']}), first seen at row {first['row']}"
        )
    for var, grp in out.groupby("variable", sort=True):
        spec = VARS[str(var)]
        bad = grp[(grp["value"] < spec.lo) | (grp["value"] > spec.hi)]
        if len(bad):
            b = bad.sort_values("row").iloc[0]
            raise DataError(
                f"{file}, row {b['row']}, column {b['column']!r}: value {b['value']:g} outside the plausible "
                f"range [{spec.lo:g}, {spec.hi:g}] {spec.unit} for {var} (unit error?)"
            )
    names = ["national"] if national_ok else list(provinces()["province"])
    for var, yrs in required.items():
        have = set(
            zip(
                out.loc[out["variable"] == var, "province"],
                out.loc[out["variable"] == var, "year"],
                strict=True,
            )
        )
        col = long.loc[long["variable"] == var, "column"].iloc[0] if (long["variable"] == var).any() else var
        for y in yrs:
            missing = [p for p in names if (p, y) not in have]
            if missing:
                raise DataError(
                    f"{file}, column {col!r}: year {y} missing for {len(missing)} province(s) "
                    f"({', '.join(missing[:3])}{'...' if len(missing) > 3 else ''})"
                )
    out["unit"] = [VARS[v].unit for v in out["variable"]]
    out["source"] = file
    out["row"] = out["row"].astype(int)
    return out[TIDY_COLUMNS].sort_values(["variable", "province", "year"]).reset_index(drop=True)


def _melt(
    df: pd.DataFrame, name_col: str, year_col: str, cols: dict[str, tuple[str, float]], rows: pd.Series
) -> pd.DataFrame:
    """Stack wide columns into the long layout of ``_finish``; cols: source column -> (variable, scale)."""
    parts = []
    for col, (var, scale) in cols.items():
        if col not in df.columns:
            raise KeyError(col)
        parts.append(
            pd.DataFrame(
                {
                    "name": df[name_col].to_numpy(),
                    "year": df[year_col].to_numpy(),
                    "column": col,
                    "variable": var,
                    "raw": df[col].to_numpy(dtype=object),
                    "scale": scale,
                    "row": rows.to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _read_utf8_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _read_sheet(path: Path) -> pd.DataFrame:
    # .xlsx and .xls alike: pandas picks openpyxl or xlrd from the file's content
    return pd.read_excel(path, header=None, dtype=object)


def _require_columns(df: pd.DataFrame, file: str, cols: Iterable[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"{file}: expected column(s) missing: {', '.join(map(repr, missing))}")


def _read_nbs_export(path: Path, file: str) -> pd.DataFrame:
    """Raw NBS 分省年度数据 export (GBK; three lines of metadata, a header, 31 province rows, notes)."""
    df = read_raw(path, file, lambda p: pd.read_csv(p, encoding="gbk", skiprows=3, dtype=str,
                                                   keep_default_na=False), "gbk")
    if df.shape[1] < 2:
        raise DataError(f"{file}: expected a province column and year columns, found {df.shape[1]} column(s)")
    df = df[df.iloc[:, 0].str.strip().ne("") & ~df.iloc[:, 0].str.startswith(("注", "数据来源"))]
    df = df.rename(columns={df.columns[0]: "地区"})
    df["_row"] = df.index + 5  # metadata lines 1-3, header line 4
    year_cols = {c: c.rstrip("年") for c in df.columns if c.rstrip("年").isdigit()}
    long = df.melt(id_vars=["地区", "_row"], value_vars=list(year_cols), var_name="col", value_name="raw")
    long["year"] = long["col"].map(year_cols)
    return long


# --------------------------------------------------------------------------- one loader per file

PKU_FILE = "pedrohcgs__claude-code-my-workflow/PKU_DFIIC_province.dta"


def load_pku(raw: Path = RAW) -> pd.DataFrame:
    """PKU Digital Financial Inclusion Index: aggregate and the three sub-indices (index points)."""
    df = read_raw(_path(raw, PKU_FILE), PKU_FILE, pd.read_stata)
    cols = {
        "index_aggregate": ("pku_index", 1.0),
        "coverage_breadth": ("pku_breadth", 1.0),
        "usage_depth": ("pku_depth", 1.0),
        "digitization_level": ("pku_digitization", 1.0),
    }
    _require_columns(df, PKU_FILE, ["prov_name", "year", *cols])
    long = _melt(df, "prov_name", "year", cols, pd.Series(df.index + 1))
    return _finish(long, PKU_FILE, {v: YEARS for v, _ in cols.values()})


TONGJI = "lanyuanzhe1__tongjimodule/"
TONGJI_FILES: dict[str, dict[str, tuple[str, float]]] = {
    "分省GDP_多年期_面板数据.csv": {
        "地区生产总值 (亿元)": ("gdp_revised", 1.0),
        "第二产业增加值 (亿元)": ("va2_revised", 1.0),
        "人均地区生产总值 (元/人)": ("pgdp_official", 1.0),
    },
    "分省人口_多年期_面板数据.csv": {"年末常住人口 (万人)": ("pop", 1.0)},
    "分省互联网主要指标_多年期_面板数据.csv": {"互联网宽带接入端口 (万个)": ("broadband_ports", 1.0)},
    "分省电信主要通行能力_多年期_面板数据.csv": {"光缆线路长度 (公里)": ("fibre_length", 1.0)},
    "分省软件和信息技术服务业主要经济指标_多年期_面板数据.csv": {
        "软件业务收入 (万元)": ("software_revenue", 1.0),
        "信息技术服务收入 (万元)": ("it_services_revenue", 1.0),
    },
    "分省企业信息化及电子商务情况_多年期_面板数据.csv": {"电子商务销售额 (亿元)": ("ecommerce_sales", 1.0)},
}
TONGJI_YEARS = range(2016, 2022)


def load_tongji(name: str, raw: Path = RAW) -> pd.DataFrame:
    """One of the six NBS 分省 panels scraped by lanyuanzhe1/tongjimodule (2016-2024, revised vintage)."""
    file = TONGJI + name
    cols = TONGJI_FILES[name]
    df = read_raw(_path(raw, file), file, _read_utf8_csv, "utf-8-sig")
    _require_columns(df, file, ["省份", "年份", *cols])
    long = _melt(df, "省份", "年份", cols, pd.Series(df.index + 2))
    return _finish(long, file, {v: TONGJI_YEARS for v, _ in cols.values()})


RENJIYI_FILE = "RenJiyi163__panel_data_analysis_for_thesis/分省年度数据_整合.csv"
RENJIYI_COLS: dict[str, tuple[str, float, Iterable[int]]] = {
    "GDP_当年价_亿元": ("gdp_first", 1.0, YEARS),
    "GDP_亿元": ("gdp_revised", 1.0, YEARS),
    "第二产业比重_%": ("va2_share_first", 1.0, YEARS),
    "进出口总额_万美元": ("trade_usd", 1.0, range(2011, 2015)),
    "进出口总额_亿元人民币": ("trade_cny", 1.0, range(2016, 2022)),
    "公有单位专业技术人员_人": ("tech_staff", 1.0, range(2011, 2018)),
}


def load_renjiyi(raw: Path = RAW) -> pd.DataFrame:
    """RenJiyi's merged NBS panel: first-published GDP and secondary share, trade, technical staff.

    The sample-survey population columns of this file are deliberately not loaded: they count
    survey respondents, not residents.
    """
    df = read_raw(_path(raw, RENJIYI_FILE), RENJIYI_FILE, _read_utf8_csv, "utf-8-sig")
    _require_columns(df, RENJIYI_FILE, ["地区", "年份", *RENJIYI_COLS])
    cols = {c: (v, s) for c, (v, s, _) in RENJIYI_COLS.items()}
    long = _melt(df, "地区", "年份", cols, pd.Series(df.index + 2))
    return _finish(long, RENJIYI_FILE, {v: y for v, _, y in RENJIYI_COLS.values()})


TECHME = "huhuaping__techme/"
TECHME_FILES: dict[str, dict[str, str]] = {
    "PublicBudget.rda": {"合计": "fiscal_exp", "教育": "edu_exp"},
    "RDIntense.rda": {"RD经费": "rd_exp", "RD强度": "rd_intensity"},
    "RDPatentAccept.rda": {"合计": "patent_applications"},
    "RDPatentAuthority.rda": {"合计": "patent_grants"},
}


def load_techme(name: str, raw: Path = RAW) -> pd.DataFrame:
    """One of huhuaping/techme's long R tables (China S&T Statistical Yearbook); OCR names are cleaned."""
    file = TECHME + name
    frames = read_raw(_path(raw, file), file, lambda p: pyreadr.read_r(str(p)))
    if not frames:
        raise DataError(f"{file}: the R data file holds no table")
    df = next(iter(frames.values()))
    _require_columns(df, file, ["province", "year", "chn_block4", "value"])
    df = df.reset_index(drop=True)
    df["_row"] = df.index + 1
    blocks = TECHME_FILES[name]
    df = df[df["chn_block4"].isin(list(blocks))]
    long = pd.DataFrame(
        {
            "name": df["province"].to_numpy(),
            "year": df["year"].to_numpy(),
            "column": "value",
            "variable": df["chn_block4"].map(blocks).to_numpy(),
            "raw": df["value"].to_numpy(dtype=object),
            "scale": 1.0,
            "row": df["_row"].to_numpy(),
        }
    )
    return _finish(long, file, {v: YEARS for v in blocks.values()})


AIRUIMENG_FILE = "airuimeng1__hudm6122-pca-manova/original_data.xlsx"
AIRUIMENG_COLS: dict[str, tuple[str, float]] = {
    "Mobile Phone Subscribers (Year-End, 10,000 households)": ("mobile_subscribers", 1.0),
    "Employment in Telecommunications, Software, and IT Services (10,000 persons, Non-private Sector)": (
        "it_employment",
        1.0,
    ),
    "Total Employment in Non-private Sectors (10,000 persons)": ("urban_unit_employment", 1.0),
    "Number of Bachelor's Degree Graduates (persons)": ("bachelor_graduates", 1.0),
    "Full-Time Equivalent (FTE) of R&D Personnel (person-years)": ("rd_fte", 1.0),
    "Internet Broadband Access Ports (10,000 units)": ("broadband_ports", 1.0),
    # 亿元 in this file, 万元 in tongjimodule: scale to the common unit
    "Software Business Revenue (100 million yuan)": ("software_revenue", 1e4),
    "E-commerce Sales Revenue (100 million yuan)": ("ecommerce_sales", 1.0),
}
AIRUIMENG_YEARS = range(2013, 2022)


def load_airuimeng(raw: Path = RAW) -> pd.DataFrame:
    """Meng's digital-economy indicator sheet (raw, not the interpolated panel), 2013-2023."""
    sheet = read_raw(_path(raw, AIRUIMENG_FILE), AIRUIMENG_FILE, _read_sheet)
    if len(sheet) < 4:
        raise DataError(f"{AIRUIMENG_FILE}: expected a header in row 3 and data below, "
                        f"found {len(sheet)} row(s)")
    header = [str(h).strip() for h in sheet.iloc[2]]
    df = sheet.iloc[3:].copy()
    df.columns = header
    _require_columns(df, AIRUIMENG_FILE, ["year", "province", *AIRUIMENG_COLS])
    long = _melt(df, "province", "year", AIRUIMENG_COLS, pd.Series(df.index + 1))
    return _finish(long, AIRUIMENG_FILE, {v: AIRUIMENG_YEARS for v, _ in AIRUIMENG_COLS.values()})


AHIA_FILE = "ahia11__SHU-CES---ttc-platform/merged_provincial_data.json"


def load_highways(raw: Path = RAW) -> pd.DataFrame:
    """Highway mileage (万公里) by province from ahia11's NBS-derived JSON (row = record number)."""
    data = read_raw(_path(raw, AHIA_FILE), AHIA_FILE, _read_json, "utf-8")
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise DataError(f"{AHIA_FILE}: expected an object mapping each province to a list of records")
    col = "公路里程(万公里)"
    recs, k = [], 0
    for name, records in data.items():
        for rec in records:
            k += 1
            if not isinstance(rec, dict):
                raise DataError(f"{AHIA_FILE}, record {k}: expected an object, got {type(rec).__name__}")
            recs.append(
                {
                    "name": name,
                    "year": rec.get("年份"),
                    "column": col,
                    "variable": "road_length",
                    "raw": rec.get(col),
                    "scale": 1.0,
                    "row": k,
                }
            )
    return _finish(pd.DataFrame(recs), AHIA_FILE, {"road_length": YEARS})


POP2015_FILE = "1lmq__FYP_QMM2_Chinese_Railways/分省年度数据_年末常住人口_2015-2024.csv"


def load_population_nbs(raw: Path = RAW) -> pd.DataFrame:
    """Year-end resident population (万人), raw NBS export 2015-2024 (GBK)."""
    long = _read_nbs_export(_path(raw, POP2015_FILE), POP2015_FILE)
    long = pd.DataFrame(
        {
            "name": long["地区"],
            "year": long["year"],
            "column": long["col"],
            "variable": "pop",
            "raw": long["raw"],
            "scale": 1.0,
            "row": long["_row"],
        }
    )
    return _finish(long, POP2015_FILE, {"pop": range(2015, 2022)})


VERVAIN_FILE = "vervain1902__human-capital/1_Macro.dta"


def load_population_cfps(raw: Path = RAW) -> pd.DataFrame:
    """Year-end resident population from vervain1902's macro file (persons -> 万人), even years only."""
    df = read_raw(_path(raw, VERVAIN_FILE), VERVAIN_FILE, pd.read_stata)
    _require_columns(df, VERVAIN_FILE, ["prov_hanzi", "cyear", "tpop"])
    long = _melt(df, "prov_hanzi", "cyear", {"tpop": ("pop", 1e-4)}, pd.Series(df.index + 1))
    return _finish(long, VERVAIN_FILE, {"pop": (2012, 2014, 2016, 2018, 2020)})


FX_FILE = "zhuang1234__National-Data/人民币汇率(年平均价).xlsx"


def load_exchange_rate(raw: Path = RAW) -> pd.DataFrame:
    """Annual average RMB per 100 USD (national, NBS); province is ``national``."""
    sheet = read_raw(_path(raw, FX_FILE), FX_FILE, _read_sheet)
    if len(sheet) < 2:
        raise DataError(f"{FX_FILE}: expected a header row and data below, found {len(sheet)} row(s)")
    col_idx = [i for i, h in enumerate(sheet.iloc[0]) if isinstance(h, str) and "美元" in h]
    if not col_idx:
        raise DataError(f"{FX_FILE}: no USD column in the header row")
    body = sheet.iloc[1:]
    long = pd.DataFrame(
        {
            "name": "national",
            "year": body[0].astype(str).str.rstrip("年").to_numpy(),
            "column": str(sheet.iloc[0, col_idx[0]]),
            "variable": "usd_cny",
            "raw": body[col_idx[0]].to_numpy(dtype=object),
            "scale": 1.0,
            "row": (body.index + 1).to_numpy(),
        }
    )
    return _finish(long, FX_FILE, {"usd_cny": range(2011, 2015)}, national_ok=True)


def load_all(raw: Path = RAW) -> pd.DataFrame:
    """Every loader's tidy frame stacked (the exchange rate included, province ``national``)."""
    parts = [
        load_pku(raw),
        load_renjiyi(raw),
        load_airuimeng(raw),
        load_highways(raw),
        load_population_nbs(raw),
        load_population_cfps(raw),
        load_exchange_rate(raw),
    ]
    parts += [load_tongji(n, raw) for n in TONGJI_FILES]
    parts += [load_techme(n, raw) for n in TECHME_FILES]
    return pd.concat(parts, ignore_index=True)


#: manifest path of every file a loader reads (the panel's inputs)
FILES_USED = (
    [PKU_FILE, RENJIYI_FILE, AIRUIMENG_FILE, AHIA_FILE, POP2015_FILE, VERVAIN_FILE, FX_FILE]
    + [TONGJI + n for n in TONGJI_FILES]
    + [TECHME + n for n in TECHME_FILES]
)
