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
    # fourth scouting round
    "college_students": Var("人", 10_000, 3_000_000),
    "trade_ie": Var("亿元", 10, 100_000),
    "pgdp_pc1": Var("元/人", 10_000, 300_000),
    "college_share": Var("ratio", 0.001, 0.2),
    "peer_yuyang": Var("index", 0.0, 1.0),
    "peer_airuimeng": Var("index", 0.0, 1.0),
    "bachelor_pct": Var("%", 0.5, 60),
    "graduate_pct": Var("%", 0.0, 30),
    "emp_mining": Var("万人", 0.0, 300),
    "emp_manufacturing": Var("万人", 0.5, 3_000),
    "emp_utilities": Var("万人", 0.1, 300),
    "emp_construction": Var("万人", 0.5, 1_500),
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
    # .xlsx and .xls alike; calamine reads both, 20-100 times faster than openpyxl with the same values
    return pd.read_excel(path, header=None, dtype=object, engine="calamine")


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


CONTROLV_FILE = "airuimeng1__UG_thesis_code_repository/control V.xlsx"
CONTROLV_COLS: dict[str, tuple[str, float]] = {
    "年末常住人口(万人) population": ("pop", 1.0),
    "各地区高等学校在校人数（人）college_students": ("college_students", 1.0),
    # USD at the annual average rate, in 亿元 (SOURCES.md: the 31-province sums equal the national total)
    "经营单位所在地进出口总额(亿元) trade_ie": ("trade_ie", 1.0),
    "经济发展水平1 gdp_pc1\n（人均GDP(元/人)）": ("pgdp_pc1", 1.0),
}
CONTROLV_YEARS = range(2013, 2022)
PC1_YEARS = range(2013, 2016)


def _sheet_with_header(raw: Path, file: str, sheet: str | int, header_row: int) -> pd.DataFrame:
    """One sheet of a workbook with row ``header_row`` (0-based) as column names, stripped of zero-width
    spaces; the frame's index is the 1-based spreadsheet row."""
    book = read_raw(_path(raw, file), file,
                    lambda p: pd.read_excel(p, sheet_name=None, header=None, dtype=object, engine="calamine"))
    if sheet not in book:
        raise DataError(f"{file}: sheet {sheet!r} not found (sheets: {', '.join(map(repr, book))})")
    grid = book[sheet]
    if len(grid) <= header_row + 1:
        raise DataError(f"{file}, sheet {sheet!r}: expected a header in row {header_row + 1} and data below, "
                        f"found {len(grid)} row(s)")
    df = grid.iloc[header_row + 1:].copy()
    df.columns = [str(h).replace("\u200b", "").strip() for h in grid.iloc[header_row]]
    df.index = df.index + 1
    return df


def load_control_v(raw: Path = RAW) -> pd.DataFrame:
    """Meng's thesis controls (raw sheet ``Control Variables(originaldata)``), 2013-2022: year-end
    population (万人, current NBS vintage), college students (persons), trade (亿元, USD at the average
    rate) and official GDP per capita ``gdp_pc1`` (元, post-fourth-census vintage). The author's ratio
    columns are not loaded."""
    file = CONTROLV_FILE
    df = _sheet_with_header(raw, file, "Control Variables(originaldata)", 0)
    df = df[df["province"].notna()] if "province" in df.columns else df
    _require_columns(df, file, ["year", "province", *CONTROLV_COLS])
    pc1 = [c for c, (v, _) in CONTROLV_COLS.items() if v == "pgdp_pc1"]
    rest = {c: vs for c, vs in CONTROLV_COLS.items() if c not in pc1}
    # gdp_pc1 is used for 2013-2015 only: later years are another vintage, and Gansu 2016 holds a 'z'
    early = df[df["year"].astype(str).isin([str(y) for y in PC1_YEARS])]
    long = pd.concat([_melt(df, "province", "year", rest, pd.Series(df.index)),
                      _melt(early, "province", "year", {c: CONTROLV_COLS[c] for c in pc1},
                            pd.Series(early.index))],
                     ignore_index=True)
    required = {v: CONTROLV_YEARS for v, _ in rest.values()} | {"pgdp_pc1": PC1_YEARS}
    return _finish(long, file, required)


DEPENDENTV_FILE = "airuimeng1__UG_thesis_code_repository/dependent V.xlsx"
DEPENDENTV_COLS: dict[str, tuple[str, float]] = {
    "Percentage of Employees with Bachelor's Degree (%)": ("bachelor_pct", 1.0),
    "Percentage of Employees with Graduate Degree (%)": ("graduate_pct", 1.0),
    "Urban Unit Employees in Mining (10,000 persons)": ("emp_mining", 1.0),
    "Urban Unit Employees in Manufacturing (10,000 persons)": ("emp_manufacturing", 1.0),
    "Urban Unit Employees in Electricity, Heat, Gas, and Water Supply (10,000 persons)": (
        "emp_utilities", 1.0),
    "Urban Unit Employees in Construction (10,000 persons)": ("emp_construction", 1.0),
}
#: the graduate share is blank for two province-years in the file, so it is not required
DEPENDENTV_REQUIRED = [v for v, _ in DEPENDENTV_COLS.values() if v != "graduate_pct"]


def load_dependent_v(raw: Path = RAW) -> pd.DataFrame:
    """Meng's thesis outcome sheet (raw ``original data``; the interpolated sheets are not read), 2013-2022:
    education shares of the employed (%, China Labour Statistical Yearbook) and urban-unit employment of
    the four secondary-industry sectors (万人)."""
    file = DEPENDENTV_FILE
    df = _sheet_with_header(raw, file, "original data", 1)
    _require_columns(df, file, ["year", "province", *DEPENDENTV_COLS])
    df = df[df["province"].notna()]
    long = _melt(df, "province", "year", DEPENDENTV_COLS, pd.Series(df.index))
    return _finish(long, file, {v: CONTROLV_YEARS for v in DEPENDENTV_REQUIRED})


INDEPENDENTV_FILE = "airuimeng1__UG_thesis_code_repository/independent V.xlsx"
PEER_EWM_SHEET = "digital development level (EWM)"


def load_peer_airuimeng(raw: Path = RAW) -> pd.DataFrame:
    """Meng's entropy-weight digital-development index (author-derived; a peer, never a model input),
    31 provinces x 2013-2022 (wide sheet; the regional average rows below are skipped)."""
    file = INDEPENDENTV_FILE
    df = _sheet_with_header(raw, file, PEER_EWM_SHEET, 0)
    if "province" not in df.columns or "id" not in df.columns:
        raise DataError(f"{file}, sheet {PEER_EWM_SHEET!r}: expected columns 'id' and 'province'")
    df = df[df["id"].notna()].loc[:, ~pd.Index(df.columns).duplicated()]
    years = [c for c in df.columns if re.fullmatch(r"20\d\d(\.0)?", c)]
    if not years:
        raise DataError(f"{file}, sheet {PEER_EWM_SHEET!r}: no year columns in the header row")
    long = df.melt(id_vars=["province"], value_vars=years, var_name="column", value_name="raw",
                   ignore_index=False)
    long = pd.DataFrame({"name": long["province"].to_numpy(), "year": long["column"].str[:4].to_numpy(),
                         "column": long["column"].to_numpy(), "variable": "peer_airuimeng",
                         "raw": long["raw"].to_numpy(dtype=object), "scale": 1.0,
                         "row": long.index.to_numpy()})
    return _finish(long, file, {"peer_airuimeng": CONTROLV_YEARS})


def load_airuimeng_ewm_inputs(raw: Path = RAW) -> tuple[pd.DataFrame, pd.Series]:
    """The input matrix (x1-x22, 31 provinces x 2013-2022 pooled, gaps interpolated by the author) and the
    final weights ``w2x1``-``w2x22`` of Meng's entropy index, from the sheet with the Stata workings.

    Used only to reproduce how those weights were made (a worked example); never as data.
    """
    file = INDEPENDENTV_FILE
    sheet = "EWM(entropy weight method)"
    df = _sheet_with_header(raw, file, sheet, 0)
    xs, ws = [f"x{i}" for i in range(1, 23)], [f"w2x{i}" for i in range(1, 23)]
    _require_columns(df, file, xs + ws)
    X = pd.DataFrame(
        {c: [_to_number(v, file, r, c) for v, r in zip(df[c], df.index, strict=True)] for c in xs},
        index=df.index)
    X = X.dropna(how="all")
    if X.isna().any().any() or len(X) < 2:
        raise DataError(f"{file}, sheet {sheet!r}: the input matrix x1-x22 has gaps or fewer than two rows")
    w = pd.Series([_to_number(df[c].iloc[0], file, int(df.index[0]), c) for c in ws], index=xs)
    if w.isna().any() or not np.isclose(w.sum(), 1.0, atol=1e-6):
        raise DataError(f"{file}, sheet {sheet!r}, row {df.index[0]}: "
                        "the weights w2x1-w2x22 do not sum to one")
    return X, w


YUYANG_FILE = "Yuyang-Yao75__The-impact-of-carbon-emission-trading-on-the-digital-economy/official_run.xlsx"
YUYANG_COLS: dict[str, tuple[str, float]] = {
    "digeco": ("peer_yuyang", 1.0),  # construction undocumented: a peer, never a model input
    "edu": ("college_share", 1.0),  # college students / year-end population (checked against Meng's)
}


def load_yuyang(raw: Path = RAW) -> pd.DataFrame:
    """Yao's provincial panel 2010-2021: the digital-economy index ``digeco`` (peer) and ``edu``, college
    students per resident. The other author-derived columns (fdi, pgdp, ...) are not loaded."""
    file = YUYANG_FILE
    df = read_raw(_path(raw, file), file, lambda p: pd.read_excel(p, dtype=object, engine="calamine"))
    _require_columns(df, file, ["prov_name", "year", *YUYANG_COLS])
    long = _melt(df, "prov_name", "year", YUYANG_COLS, pd.Series(df.index + 2))
    return _finish(long, file, {v: YEARS for v, _ in YUYANG_COLS.values()})


EPS_FILE = "lishuiwkp__weixin/中国区域经济数据库-年度（分省）.xls"
EPS_YEARS = range(2011, 2020)


def load_population_eps(raw: Path = RAW) -> pd.DataFrame:
    """Year-end population (万人) as first published, EPS export 2006-2019 (first block of the sheet only;
    the retail-sales block below has an entry error and is not read)."""
    file = EPS_FILE
    sheet = read_raw(_path(raw, file), file, _read_sheet)
    if len(sheet) < 3 or sheet.shape[1] < 3:
        raise DataError(f"{file}: expected a header row of years and province rows, found {sheet.shape}")
    starts = [i for i, v in enumerate(sheet.iloc[:, 0]) if isinstance(v, str) and v.strip()]
    if not starts or "人口" not in str(sheet.iloc[starts[0], 0]):
        raise DataError(f"{file}, column A: the population block (年底总人口) not found")
    end = starts[1] if len(starts) > 1 else len(sheet)
    block = sheet.iloc[starts[0]:end]
    block = block[block.iloc[:, 1].notna()]
    header = sheet.iloc[0]
    parts = []
    for j in range(2, sheet.shape[1]):
        parts.append(pd.DataFrame({"name": block.iloc[:, 1].to_numpy(), "year": header.iloc[j],
                                   "column": f"{header.iloc[j]}", "variable": "pop",
                                   "raw": block.iloc[:, j].to_numpy(dtype=object), "scale": 1.0,
                                   "row": (block.index + 1).to_numpy()}))
    return _finish(pd.concat(parts, ignore_index=True), file, {"pop": EPS_YEARS})


MAP_FILE = "FTChinese__map-geojson/geojson-china/mainland.json"


def load_boundaries(raw: Path = RAW) -> pd.DataFrame:
    """Province polygons from Natural Earth (FTChinese extract), joined to the province table.

    Returns one row per mainland province-level division with a geometry: ``province`` (the book's
    English name; ``Tibet`` for Xizang), ``code`` (two-digit GB prefix), ``in_panel`` (False for
    Tibet, drawn as "no data") and ``rings`` (a list of exterior rings, each an (n, 2) array of
    longitude, latitude). Features without geometry (the "Paracel Islands" point) are dropped;
    Fujian's blank ``iso_3166_2`` is matched by name. Any other unmatched feature raises.
    """
    file = MAP_FILE
    data = read_raw(_path(raw, file), file, _read_json, "utf-8")
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise DataError(f"{file}: expected a GeoJSON FeatureCollection")
    prov = provinces().set_index("code")
    by_name = {p: c for c, p in prov["province"].items()}
    rows = []
    for k, feat in enumerate(data["features"], start=1):
        geom = (feat or {}).get("geometry")
        props = (feat or {}).get("properties") or {}
        if not geom:
            continue
        iso, name = str(props.get("iso_3166_2") or ""), str(props.get("name") or "")
        code = int(iso[3:]) if re.fullmatch(r"CN-\d\d", iso) else by_name.get(name)
        if code == 54:  # Tibet: outside the panel, drawn as no data
            province, in_panel = "Tibet", False
        elif code in prov.index:
            province, in_panel = prov.loc[code, "province"], True
        else:
            raise DataError(f"{file}, feature {k}: cannot match {name!r} ({iso!r}) to a province")
        kind, coords = geom.get("type"), geom.get("coordinates")
        polys = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
        if not polys:
            raise DataError(f"{file}, feature {k}: unsupported geometry {kind!r}")
        rings = [np.asarray(poly[0], dtype=float) for poly in polys]
        rows.append({"province": province, "code": int(code), "in_panel": in_panel, "rings": rings})
    out = pd.DataFrame(rows)
    dup = out["province"].duplicated() if len(out) else pd.Series(dtype=bool)
    if dup.any():
        raise DataError(f"{file}: province {out.loc[dup, 'province'].iloc[0]} has two features")
    missing = sorted(set(prov["province"]) - set(out.get("province", [])))
    if missing:
        raise DataError(f"{file}: no boundary for {len(missing)} province(s) ({', '.join(missing[:3])})")
    return out.sort_values("province").reset_index(drop=True)


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
        load_control_v(raw),
        load_dependent_v(raw),
        load_peer_airuimeng(raw),
        load_yuyang(raw),
        load_population_eps(raw),
    ]
    parts += [load_tongji(n, raw) for n in TONGJI_FILES]
    parts += [load_techme(n, raw) for n in TECHME_FILES]
    return pd.concat(parts, ignore_index=True)


#: manifest path of every file a loader reads (the panel's inputs)
FILES_USED = (
    [PKU_FILE, RENJIYI_FILE, AIRUIMENG_FILE, AHIA_FILE, POP2015_FILE, VERVAIN_FILE, FX_FILE,
     CONTROLV_FILE, DEPENDENTV_FILE, INDEPENDENTV_FILE, YUYANG_FILE, EPS_FILE]
    + [TONGJI + n for n in TONGJI_FILES]
    + [TECHME + n for n in TECHME_FILES]
)
