"""The fourth-round sources: loaders' bad inputs give one line, the peer weights are pinned, the map join."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from helpers.data import loaders as L
from helpers.data.overview import ewm_worked_example
from helpers.data.panel import build_panel, load_tidy
from helpers.data.provinces import provinces
from helpers.paths import RAW

NEW = {
    "control V": (L.CONTROLV_FILE, L.load_control_v),
    "dependent V": (L.DEPENDENTV_FILE, L.load_dependent_v),
    "independent V (peer)": (L.INDEPENDENTV_FILE, L.load_peer_airuimeng),
    "independent V (EWM inputs)": (L.INDEPENDENTV_FILE, L.load_airuimeng_ewm_inputs),
    "Yao": (L.YUYANG_FILE, L.load_yuyang),
    "EPS population (xls)": (L.EPS_FILE, L.load_population_eps),
    "boundaries (json)": (L.MAP_FILE, L.load_boundaries),
}


def _damaged(data: bytes, how: str, file: str) -> bytes:
    if how == "empty":
        return b""
    if how == "truncated":
        return data[: len(data) // 2]
    if file.endswith(".json"):  # a text file saved in the other codec
        return data.decode("utf-8").encode("utf-16")
    return data.decode("latin-1").encode("utf-8")  # a binary file passed through a text conversion


@pytest.mark.parametrize("how", ["empty", "truncated", "mis-encoded", "missing"])
@pytest.mark.parametrize("what", NEW)
def test_each_new_loader_gives_one_line_for_a_bad_file(tmp_path, what, how):
    file, load = NEW[what]
    path = tmp_path / file
    path.parent.mkdir(parents=True)
    if how != "missing":
        path.write_bytes(_damaged((RAW / file).read_bytes(), how, file))
    with pytest.raises(L.DataError) as err:
        load(tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(file), msg


def _yao(tmp_path, edit) -> None:
    dest = tmp_path / L.YUYANG_FILE
    dest.parent.mkdir(parents=True)
    df = pd.read_excel(RAW / L.YUYANG_FILE, engine="calamine")
    edit(df).to_excel(dest, index=False)


def test_yao_missing_year(tmp_path):
    _yao(tmp_path, lambda d: d[d["year"] != 2015])
    with pytest.raises(L.DataError, match=r"official_run.xlsx, column 'digeco': year 2015 missing for 30"):
        L.load_yuyang(tmp_path)


def test_yao_non_numeric_and_unit(tmp_path):
    _yao(tmp_path, lambda d: d.assign(edu=d["edu"].astype(object).where(d.index != 3, "abc")))
    with pytest.raises(L.DataError, match=r"row 5, column 'edu': non-numeric value 'abc'"):
        L.load_yuyang(tmp_path)
    shutil.rmtree(tmp_path / L.YUYANG_FILE.split("/")[0])
    _yao(tmp_path, lambda d: d.assign(edu=d["edu"] * 100))  # percent instead of a ratio
    with pytest.raises(L.DataError, match=r"column 'edu'.*outside the plausible range"):
        L.load_yuyang(tmp_path)


def test_control_v_missing_sheet(tmp_path):
    dest = tmp_path / L.CONTROLV_FILE
    dest.parent.mkdir(parents=True)
    pd.DataFrame({"a": [1]}).to_excel(dest, sheet_name="other", index=False)
    with pytest.raises(
        L.DataError, match=r"control V.xlsx: sheet 'Control Variables\(originaldata\)' not found"
    ):
        L.load_control_v(tmp_path)


# ---------------------------------------------------------------- Meng's weights, pinned


def test_meng_weights_reproduced_and_corrected():
    ewm, r = ewm_worked_example()
    w = ewm.set_index("indicator")
    # ln 10 reproduces the workbook; the published range is 0.0357-0.0520
    assert np.abs(w["published"] - w["ln_T"]).max() < 1e-6
    assert w["ln_T"].min() == pytest.approx(0.0356752, abs=1e-6)
    assert w["ln_T"].max() == pytest.approx(0.0520461, abs=1e-6)
    assert w.loc["x21", "ln_T"] == pytest.approx(0.0356752, abs=1e-6)
    assert (w["d_ln_T"] < 0).all()
    # the correct pooled weights (ln 310)
    assert w["ln_n"].min() == pytest.approx(0.0050240, abs=1e-6)
    assert w["ln_n"].max() == pytest.approx(0.1054375, abs=1e-6)
    assert w["ln_n"].sum() == pytest.approx(1.0)
    assert w["published"].corr(w["ln_n"], method="spearman") == pytest.approx(-1.0)
    assert r == pytest.approx(0.98, abs=0.01)


# ---------------------------------------------------------------- the map join


def test_map_join_covers_the_30_provinces_and_flags_tibet():
    b = L.load_boundaries()
    assert sorted(b.loc[b["in_panel"], "province"]) == sorted(provinces()["province"])
    assert b.loc[~b["in_panel"], "province"].tolist() == ["Tibet"]
    assert "Fujian" in set(b["province"])  # blank iso_3166_2, matched by name
    assert len(b) == 31


def test_map_join_rejects_an_unknown_feature(tmp_path):
    data = json.loads((RAW / L.MAP_FILE).read_text(encoding="utf-8"))
    data["features"][0]["properties"].update(iso_3166_2="CN-99", name="Atlantis")
    dest = tmp_path / L.MAP_FILE
    dest.parent.mkdir(parents=True)
    dest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(L.DataError, match=r"mainland.json, feature 1: cannot match 'Atlantis'"):
        L.load_boundaries(tmp_path)


# ---------------------------------------------------------------- the new forks


def test_defaults_complete_open_and_hum():
    p = build_panel()  # the defaults (issue 10): college, current_2013, renjiyi_2015, no interpolation
    assert p["open"].notna().sum() == 330 and p["hum"].notna().sum() == 330
    assert p[["IC", "DE", "TI", "gov", "hum", "pgdp", "open", "edu"]].notna().all(axis=1).sum() == 300
    assert not p["pop_interpolated"].any() and not p["open_interpolated"].any()
    first = build_panel(pop_source="first_published")
    assert first["pgdp"].notna().sum() == 330
    emp = build_panel(ic_measure="employment")
    assert emp["IC"].notna().sum() == 270


def test_college_share_2020_comes_from_yao():
    # Meng's 2020 college-student counts are scrambled across provinces (their sum is right): Beijing
    # would jump to four times its 2019 and 2021 values. The panel takes Yao's 2020 ratio, smooth.
    hum = build_panel().set_index(["province", "year"])["hum"].unstack("year")
    jump = hum[2020] / ((hum[2019] + hum[2021]) / 2)
    assert jump.between(0.8, 1.25).all(), jump.sort_values().iloc[[0, -1]]
    t = load_tidy()
    meng = t[(t["variable"] == "college_students") & (t["year"].isin([2019, 2020, 2021]))]
    bj = meng[meng["province"] == "Beijing"].set_index("year")["value"]
    assert bj[2020] > 3 * bj[2019]
