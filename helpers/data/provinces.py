"""The one province table every loader maps names through.

Thirty provinces (mainland China without Tibet) form the sample. Tibet and the national
total appear in most source files; they are recognised here so that loaders can drop them
deliberately, while any other unrecognised name is an error that names the file and value.
"""

from __future__ import annotations

import re

import pandas as pd

# code, full name, short name, English name, three-region scheme (east/central/west),
# NBS four-region scheme (east/central/west/northeast), municipality flag
_ROWS: list[tuple[int, str, str, str, str, str, bool]] = [
    (11, "北京市", "北京", "Beijing", "east", "east", True),
    (12, "天津市", "天津", "Tianjin", "east", "east", True),
    (13, "河北省", "河北", "Hebei", "east", "east", False),
    (14, "山西省", "山西", "Shanxi", "central", "central", False),
    (15, "内蒙古自治区", "内蒙古", "Inner Mongolia", "west", "west", False),
    (21, "辽宁省", "辽宁", "Liaoning", "east", "northeast", False),
    (22, "吉林省", "吉林", "Jilin", "central", "northeast", False),
    (23, "黑龙江省", "黑龙江", "Heilongjiang", "central", "northeast", False),
    (31, "上海市", "上海", "Shanghai", "east", "east", True),
    (32, "江苏省", "江苏", "Jiangsu", "east", "east", False),
    (33, "浙江省", "浙江", "Zhejiang", "east", "east", False),
    (34, "安徽省", "安徽", "Anhui", "central", "central", False),
    (35, "福建省", "福建", "Fujian", "east", "east", False),
    (36, "江西省", "江西", "Jiangxi", "central", "central", False),
    (37, "山东省", "山东", "Shandong", "east", "east", False),
    (41, "河南省", "河南", "Henan", "central", "central", False),
    (42, "湖北省", "湖北", "Hubei", "central", "central", False),
    (43, "湖南省", "湖南", "Hunan", "central", "central", False),
    (44, "广东省", "广东", "Guangdong", "east", "east", False),
    (45, "广西壮族自治区", "广西", "Guangxi", "west", "west", False),
    (46, "海南省", "海南", "Hainan", "east", "east", False),
    (50, "重庆市", "重庆", "Chongqing", "west", "west", True),
    (51, "四川省", "四川", "Sichuan", "west", "west", False),
    (52, "贵州省", "贵州", "Guizhou", "west", "west", False),
    (53, "云南省", "云南", "Yunnan", "west", "west", False),
    (61, "陕西省", "陕西", "Shaanxi", "west", "west", False),
    (62, "甘肃省", "甘肃", "Gansu", "west", "west", False),
    (63, "青海省", "青海", "Qinghai", "west", "west", False),
    (64, "宁夏回族自治区", "宁夏", "Ningxia", "west", "west", False),
    (65, "新疆维吾尔自治区", "新疆", "Xinjiang", "west", "west", False),
]

#: Names that exist in the sources but are outside the sample; loaders drop these rows.
EXCLUDED = {"西藏", "西藏自治区", "Tibet", "Xizang", "全国", "全国合计", "national", "China"}

YEARS = tuple(range(2011, 2022))

#: The National Bureau of Statistics' three economic regions (east, central, west, in that order), the
#: grouping of the Western Development programme: east = Beijing, Tianjin, Hebei, Liaoning, Shanghai,
#: Jiangsu, Zhejiang, Fujian, Shandong, Guangdong, Hainan; central = Shanxi, Jilin, Heilongjiang, Anhui,
#: Jiangxi, Henan, Hubei, Hunan; west = the other eleven of the sample (Tibet, also west, is not in it).
#: Column ``region3`` of :func:`provinces`; ``region4`` is the NBS four-region scheme with the northeast.
REGIONS3 = ("east", "central", "west")


class UnknownProvinceError(ValueError):
    """A province name in a source file is not in the table (message names file and value)."""


def provinces() -> pd.DataFrame:
    """The 30 sample provinces.

    Columns: code, name_zh (full), short_zh, province (English), region3, region4, municipality.
    """
    return pd.DataFrame(
        _ROWS, columns=["code", "name_zh", "short_zh", "province", "region3", "region4", "municipality"]
    )


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for _code, full, short, eng, *_ in _ROWS:
        for alias in (full, short, eng, eng.lower()):
            table[alias] = eng
    return table


_LOOKUP = _lookup()


def clean_name(value: object) -> str:
    """Normalise a raw name: drop all whitespace (OCR spacing) and read 两 as 西 (OCR confusion).

    No province name contains 两, so the replacement cannot damage a correct name.
    """
    return re.sub(r"\s+", "", str(value)).replace("两", "西")


def to_province(value: object, file: str, row: int | None = None) -> str | None:
    """English province name for a raw name; None for Tibet/national rows; raise if unknown."""
    name = clean_name(value)
    if name in _LOOKUP:
        return _LOOKUP[name]
    if name in EXCLUDED:
        return None
    where = f", row {row}" if row is not None else ""
    raise UnknownProvinceError(f"{file}{where}: unknown province name {value!r}")
