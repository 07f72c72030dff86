"""The audit as a tool for any paper: the new checks (GRIM, p from t), the folder format, the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers import audit
from helpers.audit import (
    check_grim,
    check_integer_extremes,
    check_location_quotient,
    check_log_floor,
    check_p_from_t,
    check_stars,
    decimals_of,
    load_spec,
    p_value,
    run_audit,
    t_from_coef_se,
)
from helpers.paths import EXAMPLES, RESULTS, ROOT

EXAMPLE = EXAMPLES / "constructed_paper"
LEGEND = (0.10, 0.05, 0.01)


# --- GRIM ------------------------------------------------------------------------------------------


def test_grim_ok_and_impossible():
    assert check_grim(14.275, 120, 3).verdict == "ok"  # 1713 / 120
    bad = check_grim(8.412, 120, 3)
    assert bad.verdict == "impossible" and "k = 1009" in bad.note
    # once N >= 10^decimals every printed mean is reachable
    assert check_grim(8.41, 120, 2).verdict == "ok"
    # a scale mean over several items has a finer grain
    assert check_grim(3.45, 10, 2, items=2).verdict == "ok"  # 69 / 20
    assert check_grim(3.45, 10, 2).verdict == "impossible"


def test_grim_agrees_with_brute_force():
    # every mean of n integers in [0, 5], printed with 2 decimals, passes; every other value fails
    for n in (7, 13, 40):
        # a tie (k / n ending in 5) may round either way
        reachable = {f"{k / n + e:.2f}" for k in range(0, 5 * n + 1) for e in (-1e-9, 0.0, 1e-9)}
        for cents in range(0, 501):
            printed = f"{cents / 100:.2f}"
            v = check_grim(float(printed), n, 2)
            assert (v.verdict == "ok") == (printed in reachable), (n, printed)


def test_integer_extremes_and_log_floor():
    assert check_integer_extremes(3, 31).verdict == "ok"
    assert check_integer_extremes(2.5, 31).verdict == "impossible"
    assert check_integer_extremes(2.5, 4.5, items=2).verdict == "ok"
    assert check_log_floor(-0.12, None).verdict == "ok"
    assert check_log_floor(0.0, 1).verdict == "ok"
    assert check_log_floor(-0.12, 1, slack=5e-4).verdict == "impossible"


def test_location_quotient_words_its_note():
    assert check_location_quotient(0.8, unit="region", sector="cultural").note == (
        "no region-year above 1: no region ever has more than the national cultural share"
    )


# --- p from t (statcheck) --------------------------------------------------------------------------


def test_p_value_matches_scipy_and_halves_one_sided():
    assert p_value(2.1, 19) == pytest.approx(2 * stats.t.sf(2.1, 19))
    assert p_value(-2.1) == pytest.approx(2 * stats.norm.sf(2.1))
    assert p_value(2.1, 19, two_sided=False) == pytest.approx(p_value(2.1, 19) / 2)


def test_p_from_t_ok_doubtful_impossible_inconsistent():
    assert check_p_from_t(4.50, 0.001, 20, 0.005, 0.0, "<").verdict == "ok"
    assert check_p_from_t(2.10, 0.036, 20, 0.005, 0.0005).verdict == "doubtful"  # fits the normal only
    assert check_p_from_t(2.10, 0.036, None, 0.005, 0.0005).verdict == "ok"  # the normal alone
    low = check_p_from_t(1.50, 0.013, 20, 0.005, 0.0005)
    assert low.verdict == "impossible" and "gross" in low.note
    high = check_p_from_t(2.60, 0.200, 20, 0.005, 0.0005)
    assert high.verdict == "inconsistent" and "gross" in high.note and "larger than every" in high.note
    # one-sided, t = 2.95 with 19 df: the normal gives 0.0016, t(19) 0.0041; a printed 0.003 fits neither
    between = check_p_from_t(2.95, 0.003, 20, 0.005, 0.0005, two_sided=False)
    assert between.verdict == "inconsistent" and "between" in between.note
    assert "gross" not in check_p_from_t(2.60, 0.030, 20, 0.005, 0.0005).note
    with pytest.raises(ValueError, match="relation"):
        check_p_from_t(2.0, 0.05, relation="~")


def test_p_from_t_accepts_exact_values_and_rejects_mismatches():
    rng = np.random.default_rng(13)
    for _ in range(100):
        t, df = float(rng.normal(0, 3)), int(rng.integers(5, 60))
        p = p_value(round(t, 2), df)
        assert check_p_from_t(round(t, 2), round(p, 3), df + 1, 0.005, 0.0005).verdict in ("ok", "doubtful")
        assert check_p_from_t(round(t, 2), p, None, 0.0, 0.0).verdict in (
            "ok",
            "doubtful",
            "impossible",
            "inconsistent",
        )
    assert check_p_from_t(3.0, p_value(3.0), None).verdict == "ok"


def test_t_from_coef_and_se_covers_the_rounding():
    t, slack = t_from_coef_se(0.027, 0.009, 0.0005, 0.0005)
    assert t - slack == pytest.approx(0.0265 / 0.0095) and t + slack == pytest.approx(0.0275 / 0.0085)
    assert t_from_coef_se(-0.5, 0.25)[0] == pytest.approx(-2.0)
    with pytest.raises(ValueError, match="not positive"):
        t_from_coef_se(0.5, 0.0)


def test_one_sided_legend_reads_stars_against_half_the_p():
    # |t| = 1.40 earns one star one-sided at 10% but none two-sided
    assert check_stars(1.40, 1, LEGEND, 20, 0.005, two_sided=False).verdict == "ok"
    assert check_stars(1.40, 1, LEGEND, 20, 0.005).verdict == "impossible"
    assert check_stars(2.2, 2, LEGEND, None, 0.005).note == "stars match the t-value under the normal"


def test_decimals_of_reads_the_printed_precision():
    assert [decimals_of(x) for x in ("0.3520", "330", "<0.001", "-1.5", "2e-3")] == [4, 0, 3, 1, 0]


# --- the constructed paper --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    return run_audit(EXAMPLE)


def test_constructed_paper_uses_every_check_and_construct(example):
    spec = load_spec(EXAMPLE)
    assert {e["construct"] for e in spec.variables.values()} == set(audit.CONSTRUCTS)
    assert set(example["verdict"]) == set(audit.VERDICTS)
    assert {"grim", "p_from_t", "mediation_identity", "stars_table4_own_legend"} <= set(example["check"])


def test_constructed_paper_catches_exactly_the_planted_errors(example):
    failing = example[example["verdict"] != "ok"]
    found = set(zip(failing["check"], failing["row"], failing["column"], failing["verdict"], strict=True))
    planted = {
        ("sd_upper_bhatia_davis", "urban", "sd", "impossible"),
        ("sd_lower_extremes", "visits", "sd", "impossible"),
        ("construction_range", "digital", "min,max", "inconsistent"),
        ("grim", "staff", "mean", "impossible"),
        ("construction_range", "grad", "mean", "doubtful"),
        ("construction_range", "visits", "min,max", "impossible"),
        ("construction_range", "culture", "min,max", "doubtful"),
        ("sample_size", "N", "(2)", "inconsistent"),
        ("sign_coef_t", "income", "(2)", "impossible"),
        ("stars", "urban", "(2)", "impossible"),
        ("stars", "culture", "(3)", "doubtful"),
        ("stars_table4_own_legend", "lib", "(1)", "inconsistent"),
        ("stars_table4_own_legend", "lib", "(2)", "impossible"),
        ("p_from_t", "lib", "(3)", "doubtful"),
        ("p_from_t", "income", "(3)", "impossible"),
        ("p_from_t", "culture", "(3)", "inconsistent"),
        ("mediation_identity", "lib", "2(3) & 4(1)-(2)", "impossible"),
        ("legend", "note", "brackets", "doubtful"),
        ("legend", "note", "legend", "inconsistent"),
        ("text_vs_tables", "lib", "(3)", "inconsistent"),
        ("text_vs_tables", "lib", "(1)", "inconsistent"),
        ("text_vs_tables", "lib,librarians", "names", "inconsistent"),
        ("text_vs_tables", "text", "heterogeneity", "inconsistent"),
    }
    assert found == planted
    assert (
        len(failing) == len(planted) + 1
    )  # the text's "0.025" and the reversed-legend level claim share a key


def test_mediation_precondition_softens_the_verdict(tmp_path):
    folder = tmp_path / "paper"
    shutil.copytree(EXAMPLE, folder)
    coefs = pd.read_csv(folder / "coefficients.csv", dtype=str, keep_default_na=False)
    coefs.loc[(coefs["table"] == "4") & (coefs["column"] == "1"), "n"] = "100"
    coefs.to_csv(folder / "coefficients.csv", index=False)
    med = run_audit(folder).set_index("check").loc["mediation_identity"]
    assert med["verdict"] == "doubtful" and "differ in n" in med["note"]


# --- the command line and bad folders ---------------------------------------------------------------


def cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-W", "error", "-m", "helpers.audit", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_writes_the_verdicts_the_appendix_shows(tmp_path):
    out = tmp_path / "verdicts.csv"
    proc = cli(EXAMPLE, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no RuntimeWarning from runpy, no other noise
    lines = proc.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(audit.VERDICTS)
    assert out.read_bytes() == (RESULTS / "audit_example.csv").read_bytes()
    counts = pd.read_csv(out)["verdict"].value_counts()
    assert [int(line.split()[1]) for line in lines] == [int(counts.get(v, 0)) for v in audit.VERDICTS]


def test_cli_on_this_paper_reproduces_audit_csv(tmp_path):
    out = tmp_path / "audit.csv"
    assert cli(ROOT / "data" / "paper", "--out", out).returncode == 0
    assert out.read_bytes() == (RESULTS / "audit.csv").read_bytes()


def _broken(tmp_path: Path, edit) -> Path:
    folder = tmp_path / "paper"
    shutil.copytree(EXAMPLE, folder)
    edit(folder)
    return folder


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_SPECS = {
    "missing file": (lambda f: (f / "coefficients.csv").unlink(), "coefficients.csv: file: missing in"),
    "unknown column": (
        lambda f: _replace(
            f / "summary.csv", "table,variable,n,mean,sd,min,max", "table,variable,n,mean,sd,min,max_value"
        ),
        "summary.csv: column 'max_value': unknown column",
    ),
    "unknown construct": (
        lambda f: _replace(f / "spec.yml", "construct: unstated", "construct: entropy"),
        "spec.yml: variables.culture.construct: unknown construct 'entropy'",
    ),
    "table without legend": (
        lambda f: _replace(
            f / "spec.yml", '  "3":\n    legend: {"*": 0.10, "**": 0.05, "***": 0.01}\n', '  "3":\n'
        ),
        "spec.yml: tables.3.legend: missing, but coefficients.csv prints stars in table 3",
    ),
    "stars beyond the legend": (
        lambda f: _replace(f / "coefficients.csv", "0.031,,3.10,,***", "0.031,,3.10,,****"),
        "coefficients.csv: stars: **** in table 2",
    ),
    "not a number": (
        lambda f: _replace(f / "summary.csv", "0.482", "0.48x"),
        "summary.csv: row 2, column 'mean': '0.48x' is not a number",
    ),
    "unknown field": (
        lambda f: _replace(f / "spec.yml", "clusters: 20", "clustrs: 20"),
        "spec.yml: clustrs: unknown field",
    ),
    "unknown quote": (
        lambda f: _replace(f / "spec.yml", "quote: t4_a,", "quote: t4_b,"),
        "spec.yml: text_claims[2].quote: no key 't4_b' in quotes.csv",
    ),
    "missing cell": (
        lambda f: _replace(
            f / "spec.yml", 'total: {table: "2", column: 3}', 'total: {table: "2", column: 9}'
        ),
        "spec.yml: mediation[0].total: no coefficient lib in table 2 column 9",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_SPECS))
def test_a_bad_folder_gives_one_line_naming_file_and_field(tmp_path, kind):
    edit, message = BAD_SPECS[kind]
    folder = _broken(tmp_path, edit)
    with pytest.raises(audit.SpecError) as err:
        load_spec(folder)
    assert message in str(err.value) and "\n" not in str(err.value)
    if kind in ("missing file", "unknown column", "unknown construct", "table without legend"):
        proc = cli(folder)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr


def test_missing_spec_and_missing_folder(tmp_path):
    folder = _broken(tmp_path, lambda f: (f / "spec.yml").unlink())
    assert str(pytest.raises(audit.SpecError, load_spec, folder).value).startswith("spec.yml: file: missing")
    assert "not a directory" in str(pytest.raises(audit.SpecError, load_spec, tmp_path / "none").value)


def test_importing_the_package_does_not_import_main():
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, helpers.audit; print('helpers.audit.__main__' in sys.modules)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.strip() == "False"
