"""Tests of the data layer: loaders' bad-input errors, the province table, the panel and its writer.

Bad inputs are small edited copies in ``tmp_path``; ``data/raw/`` is never modified.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.data import loaders as L
from helpers.data import overview as D
from helpers.data.panel import REQUIRED, PanelError, build_panel, validate_panel, write_panel
from helpers.data.provinces import UnknownProvinceError, provinces, to_province
from helpers.paper import compare
from helpers.paper.reported import reported_table2
from helpers.paths import RAW

POP = L.TONGJI + "分省人口_多年期_面板数据.csv"
POP_NAME = "分省人口_多年期_面板数据.csv"


def _copy(tmp_path: Path, file: str) -> Path:
    dest = tmp_path / file
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(RAW / file, dest)
    return dest


def _edit_lines(path: Path, edit) -> None:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- provinces


def test_provinces_table_has_30_rows_without_tibet():
    p = provinces()
    assert len(p) == 30
    assert p["code"].is_unique and p["province"].is_unique
    assert "西藏" not in set(p["short_zh"])
    assert p["municipality"].sum() == 4


def test_names_are_normalised_and_unknown_names_raise():
    assert to_province("上   海", "f.csv") == "Shanghai"
    assert to_province("江两", "f.csv") == "Jiangxi"
    assert to_province("广西壮族自治区", "f.csv") == "Guangxi"
    assert to_province("两藏", "f.csv") is None
    assert to_province("全国", "f.csv") is None
    with pytest.raises(UnknownProvinceError, match="f.csv, row 7: unknown province name 'Atlantis'"):
        to_province("Atlantis", "f.csv", 7)


# ---------------------------------------------------------------- loaders: good and bad inputs


def test_population_loader_tidy():
    d = L.load_tongji(POP_NAME)
    assert list(d.columns) == L.TIDY_COLUMNS
    assert len(d) == 30 * 6 and d["unit"].eq("万人").all()


def test_missing_file(tmp_path):
    with pytest.raises(L.DataError, match="PKU_DFIIC_province.dta: file not found"):
        L.load_pku(tmp_path)


def test_unknown_province(tmp_path):
    path = _copy(tmp_path, POP)
    _edit_lines(path, lambda ls: [ls[0], ls[1].replace("北京市", "北京城"), *ls[2:]])
    with pytest.raises(L.DataError, match=r"分省人口.*row 2: unknown province name '北京城'"):
        L.load_tongji(POP_NAME, tmp_path)


def test_duplicate_key(tmp_path):
    path = _copy(tmp_path, POP)
    _edit_lines(path, lambda ls: [*ls, ls[5]])
    with pytest.raises(L.DataError, match=r"row \d+, column '年末常住人口 \(万人\)': duplicate key"):
        L.load_tongji(POP_NAME, tmp_path)


def test_non_numeric_cell(tmp_path):
    path = _copy(tmp_path, POP)
    _edit_lines(path, lambda ls: [*ls[:5], ls[5].replace("2021,2189.0", "2021,n/a"), *ls[6:]])
    with pytest.raises(L.DataError, match=r"row 6, column '年末常住人口 \(万人\)': non-numeric value 'n/a'"):
        L.load_tongji(POP_NAME, tmp_path)


def test_unit_off_by_ten_thousand(tmp_path):
    path = _copy(tmp_path, POP)
    df = pd.read_csv(path, encoding="utf-8-sig")
    df["年末常住人口 (万人)"] = df["年末常住人口 (万人)"] * 1e4  # persons instead of 万人
    df.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(
        L.DataError, match=r"row \d+, column '年末常住人口 \(万人\)'.*outside the plausible range"
    ):
        L.load_tongji(POP_NAME, tmp_path)


def test_missing_year(tmp_path):
    path = _copy(tmp_path, POP)
    _edit_lines(path, lambda ls: [line for line in ls if ",2018," not in line])
    with pytest.raises(
        L.DataError, match="column '年末常住人口 \\(万人\\)': year 2018 missing for 30 province"
    ):
        L.load_tongji(POP_NAME, tmp_path)


def test_missing_year_in_binary_source(tmp_path):
    dest = tmp_path / L.PKU_FILE
    dest.parent.mkdir(parents=True)
    df = pd.read_stata(RAW / L.PKU_FILE)
    df[df["year"] != 2015].to_stata(dest, write_index=False, version=118)
    with pytest.raises(
        L.DataError, match="PKU_DFIIC_province.dta, column 'index_aggregate': year 2015 missing"
    ):
        L.load_pku(tmp_path)


# ---------------------------------------------------------------- the panel


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return build_panel()


def test_panel_has_330_unique_rows(panel):
    assert len(panel) == 330
    assert not panel.duplicated(["province", "year"]).any()
    assert set(panel["year"]) == set(range(2011, 2022))
    validate_panel(panel)
    for c in ["IC", "DE", "TI", "gov", "edu"]:
        assert panel[c].notna().all(), c


def test_panel_flags_interpolation(panel):
    assert not panel["pop_interpolated"].any()  # 2013 is observed by default
    cur = build_panel(pop_source="current", interpolate=("pop",))
    flagged = cur[cur["pop_interpolated"]]
    assert set(flagged["year"]) == {2013} and len(flagged) == 30
    assert cur.loc[cur["year"] == 2011, "pgdp"].isna().all()  # no extrapolation


def test_forks_change_coverage():
    rev = build_panel(gdp_vintage="revised")
    assert rev["IC"].notna().sum() == 180
    t1 = build_panel(de_composition="table1")
    assert t1["DE"].notna().sum() == 180
    with pytest.raises(ValueError, match="ti must be one of"):
        build_panel(ti="bogus")


def test_components_are_computed_once_per_choice_and_handed_out_as_copies():
    """The chapters build dozens of panels from a few component sets; the cache must not leak edits."""
    from helpers.data.panel import _components_cached, components

    _components_cached.cache_clear()
    first = components()
    first.iloc[:, 0] = -1.0  # a caller editing its copy
    again = components()
    assert (_components_cached.cache_info().hits, _components_cached.cache_info().misses) == (1, 1)
    assert not (again.iloc[:, 0] == -1.0).all()
    other = components(interpolate=["pop"], pop_source="current")
    assert _components_cached.cache_info().misses == 2  # another choice is computed, not reused
    assert not other.equals(again)


def test_rebuilding_gives_identical_bytes(tmp_path):
    a = write_panel(out_dir=tmp_path / "a")
    b = write_panel(out_dir=tmp_path / "b")
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes()


def test_validate_panel_duplicate(panel):
    bad = pd.concat([panel, panel.iloc[[3]]], ignore_index=True)
    with pytest.raises(PanelError, match=r"panel, row 332: duplicate key \(province, year\)"):
        validate_panel(bad)


def test_validate_panel_missing_required(panel):
    bad = panel.copy()
    bad.loc[5, "DE"] = float("nan")
    with pytest.raises(PanelError, match="panel, row 7, column 'DE': missing"):
        validate_panel(bad, REQUIRED)


def test_validate_panel_missing_year(panel):
    with pytest.raises(PanelError, match="not the 30 x 11 grid"):
        validate_panel(panel[panel["year"] != 2015])


def test_validate_panel_non_numeric_and_range(panel):
    bad = panel.copy()
    bad["gov"] = bad["gov"].astype(object)
    bad.loc[0, "gov"] = "x"
    with pytest.raises(PanelError, match="row 2, column 'gov': non-numeric value 'x'"):
        validate_panel(bad)
    bad = panel.copy()
    bad.loc[0, "gov"] = bad.loc[0, "gov"] * 1e4
    with pytest.raises(PanelError, match="row 2, column 'gov': value .* outside"):
        validate_panel(bad)


# ---------------------------------------------------------------- tables for the chapter

CJK = re.compile(r"[\u3400-\u9fff]")


def test_count_verdicts_and_column_order(panel):
    assert compare.verdict(270, 330, count=True) == "fewer"
    assert compare.verdict(330, 330, count=True) == "match"
    assert compare.verdict(1.04, 1.0) == "match" and compare.verdict(1.2, 1.0) == "close"
    assert compare.verdict(2, 1) == "differs"
    cmp = compare.table2_vs_paper(D.describe(panel), reported_table2())
    wide = compare.verdict_table(cmp)
    assert list(wide.columns) == ["n", "mean", "sd", "min", "max"]
    assert list(wide.index) == D.MODEL_VARS
    assert "close" not in set(wide["n"])


def test_de_declines_counts_falls():
    toy = pd.DataFrame(
        {"province": ["A"] * 3 + ["B"] * 3, "year": [1, 2, 3] * 2, "DE": [0.1, 0.2, 0.15, 0.3, 0.2, 0.25]}
    )
    out = D.de_declines(toy).set_index("year")
    assert out.loc[2, "n_fell"] == 1 and out.loc[2, "provinces_fell"] == "B"
    assert out.loc[3, "n_fell"] == 1 and out.loc[3, "provinces_fell"] == "A"


def test_two_way_within_matches_dummy_regression(panel):
    d = panel[["province", "year", "hum"]].dropna().set_index(["province", "year"]).iloc[5:-9]
    w = D._two_way_within(d)["hum"].to_numpy()
    x = pd.get_dummies(d.reset_index()[["province", "year"]].astype(str), drop_first=True).astype(float)
    x.insert(0, "const", 1.0)
    y = d["hum"].to_numpy()
    resid = y - x.to_numpy() @ np.linalg.lstsq(x.to_numpy(), y, rcond=None)[0]
    assert np.allclose(w, resid, atol=1e-10)


def test_variation_splits_between_and_within(panel):
    v = D.variation(panel, ["IC"]).iloc[0]
    assert v["sd_between"] > v["sd_within"] > 0
    assert v["n"] == 330


def test_fork_sensitivity_reports_within_comparison():
    s = D.fork_sensitivity().set_index(["fork", "value", "variable"])
    ic = s.loc[("gdp_vintage", "revised", "IC")]
    assert ic["n_overlap"] == 180
    # the vintages agree on levels far better than on the within variation the FE models use
    assert ic["pearson"] > 0.9 > 0.6 > ic["within_r"]
    shift = s.loc[("shift", "0.01", "DE")]
    assert shift["within_r"] > 0.999
    assert {"sd_within_base", "sd_within_variant", "within_mean_abs_diff"} <= set(s.columns)


def test_data_dictionary_states_vintages_in_english(panel):
    d = D.data_dictionary(panel).set_index("name")
    assert d.loc["pgdp", "mixes_vintages"] and d.loc["hum", "mixes_vintages"]
    assert not d.loc["IC", "mixes_vintages"] and not d.loc["edu", "mixes_vintages"]
    assert d.loc["pgdp", "gdp_vintage"] == "first-published"
    assert d.loc["pgdp", "pop_vintage"].startswith("revised")
    shown = d.drop(columns="source_files")
    assert not shown.astype(str).apply(lambda c: c.str.contains(CJK)).any().any()
    assert all((RAW / f).is_file() for fs in d["source_files"] for f in fs.split("; "))
    t1 = D.table1()
    assert not t1[["unit", "definition"]].apply(lambda c: c.str.contains(CJK)).any().any()


def test_english_units():
    assert D.english_units("population (万人), highway (万公里), GDP (亿元)") == (
        "population (10k persons), highway (10k km), GDP (100 million yuan)"
    )


def test_ti_fit_ratios_are_ours_over_paper():
    fit = compare.ti_fit(reported_table2()).set_index("ti")
    paper = reported_table2().set_index("variable").loc["TI"]
    for _, r in fit.iterrows():
        assert r["ratio_mean"] == pytest.approx(r["mean"] / paper["mean"])
        assert r["log_distance"] == pytest.approx(
            sum(abs(np.log(r[f"ratio_{s}"])) for s in ("mean", "min", "max"))
        )


def test_panel_records_the_forks_it_was_built_with(tmp_path):
    from helpers.data.panel import FORK_DEFAULTS, current_forks

    write_panel(out_dir=tmp_path, gdp_vintage="revised")
    forks = current_forks(tmp_path / "panel_forks.json")
    assert forks == {**FORK_DEFAULTS, "gdp_vintage": "revised"}
    assert current_forks(tmp_path / "absent.json") == FORK_DEFAULTS




# ------------------------------------------------------- issue 11: DE without double counting, regions


def test_every_province_has_one_nbs_region():
    from helpers.data import REGIONS3, provinces

    prov = provinces()
    assert len(prov) == 30 and prov["region3"].isin(REGIONS3).all()
    counts = prov["region3"].value_counts()
    assert counts.to_dict() == {"east": 11, "central": 8, "west": 11}
    east = {"Beijing", "Tianjin", "Hebei", "Liaoning", "Shanghai", "Jiangsu", "Zhejiang", "Fujian",
            "Shandong", "Guangdong", "Hainan"}
    central = {"Shanxi", "Jilin", "Heilongjiang", "Anhui", "Jiangxi", "Henan", "Hubei", "Hunan"}
    assert set(prov.loc[prov["region3"] == "east", "province"]) == east
    assert set(prov.loc[prov["region3"] == "central", "province"]) == central


def test_compositions_without_double_counting():
    from helpers.data import COMPOSITIONS, PAPER_COMPOSITIONS, de_compositions
    from helpers.data.panel import PKU, components, de_index, indicators

    assert "pku_index" not in COMPOSITIONS["pku_sub"][0] and set(COMPOSITIONS["pku_sub"][0]) == set(PKU[1:])
    for name in ("table1_no_total", "table1_2013_no_total"):
        assert "pku_index" not in COMPOSITIONS[name][0]
    assert set(PAPER_COMPOSITIONS) < set(COMPOSITIONS)
    ind = indicators(components())
    # the PKU total alone is its min-max normalisation (weight one)
    de, w = de_index(ind, "pku_total")
    x = ind["pku_index"]
    assert np.allclose(de, (x - x.min()) / (x.max() - x.min())) and w.to_dict() == {"pku_index": 1.0}
    assert build_panel(de_composition="table1_2013_no_total")["DE"].notna().sum() == 270
    table = de_compositions().set_index("composition")
    assert list(table.index) == list(COMPOSITIONS)
    assert table.loc["pku", ["pearson", "within_r", "within_two_way_r"]].tolist() == pytest.approx([1, 1, 1])
    assert table.loc["table1_no_total", "n_overlap"] == 180
    assert (table["share_left_two_way"] < 0.05).all()


def test_the_tidy_frame_kept_between_processes_equals_a_fresh_read():
    from helpers.data import cache
    from helpers.data.panel import _load_cached, _stamp, load_tidy

    kept = cache.cache_file("tidy", _stamp(RAW), RAW)
    _load_cached.cache_clear()
    load_tidy()  # reads the kept frame, or reads the raw files and keeps it
    assert kept.is_file()
    pd.testing.assert_frame_equal(cache.load(kept), L.load_all(RAW))


def test_a_kept_object_is_named_by_its_inputs_and_an_unreadable_one_is_not_trusted(tmp_path):
    from helpers.data import cache

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.csv").write_text("x\n1\n")
    first = cache.cache_file("tidy", ("request",), raw)
    assert cache.cache_file("tidy", ("request",), raw) == first
    assert cache.cache_file("tidy", ("other",), raw) != first
    (raw / "a.csv").write_text("x\n2\n")  # same size, newer
    os.utime(raw / "a.csv", ns=(1, 1))
    assert cache.cache_file("tidy", ("request",), raw) != first
    broken = tmp_path / "broken.pkl"
    broken.write_bytes(b"not a pickle")
    assert cache.load(broken) is None
    cache.keep(tmp_path / "kept.pkl", {"a": 1})
    assert cache.load(tmp_path / "kept.pkl") == {"a": 1}
