"""Run every check on a paper folder: reported tables in, one tidy frame of verdicts out.

:func:`run_audit` applies the checks of :mod:`helpers.audit.checks` and :mod:`helpers.audit.text` to
every number of a :class:`~helpers.audit.spec.PaperSpec` as ``spec.yml`` directs, then the paper's
wording checks if it names a module. The rows come in a fixed order: summary statistics,
constructions, sample sizes, coefficients (signs, stars, stars under a second legend, p-values),
mediation, legends and text claims, wording. ``python -m helpers.audit FOLDER --out FILE`` runs it
from the shell (:mod:`helpers.audit.__main__`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.audit.checks import (
    bhatia_davis_sd_max,
    check_grim,
    check_integer_extremes,
    check_location_quotient,
    check_log_floor,
    check_mean,
    check_mediation_identity,
    check_mediation_sign,
    check_p_from_t,
    check_positive,
    check_sample_size,
    check_sd_lower,
    check_sd_upper,
    check_sign,
    check_stars,
    check_unit_interval,
    extremes_sd_min,
    panel_size,
    sd_bounds,
    t_from_coef_se,
)
from helpers.audit.spec import PaperSpec, load_spec, number, wording_module
from helpers.audit.text import (
    check_legend_agreement,
    check_legend_brackets,
    check_names_match,
    check_table_reference,
    check_text_level,
    check_text_numbers,
    parse_levels,
)
from helpers.audit.verdict import (
    COLUMNS,
    STAT_DECIMALS,
    VERDICTS,
    Verdict,
    decimals_of,
    half_unit,
    verdict_row,
)

Row = dict[str, str]


def _slack(cells: list[str], allow_rounding: bool) -> float:
    """Half a unit in the last printed place of the coarsest of ``cells`` (0 without rounding)."""
    printed = [c for c in cells if c != ""]
    return max(half_unit(decimals_of(c)) for c in printed) if allow_rounding and printed else 0.0


def _table_group_name(spec: PaperSpec, levels: tuple[float, ...]) -> str:
    """ "Tables 3-4" for the tables whose legend is ``levels`` (a run of numbers reads as a range)."""
    names = [t for t, e in spec.tables.items() if e.get("levels") == levels]
    if len(names) == 1:
        return f"Table {names[0]}"
    nums = [int(t) for t in names] if all(t.isdigit() for t in names) else []
    if nums and nums == list(range(nums[0], nums[0] + len(nums))):
        return f"Tables {nums[0]}-{nums[-1]}"
    return "Tables " + ", ".join(names)


def _readings(spec: PaperSpec, table: str) -> list[tuple[tuple[float, ...], str, str]]:
    """The legends a table's stars are read under: ``(levels, name, note suffix)``, primary first.

    A table with ``read_stars_with`` is read under that table's legend (the primary reading, noted
    as applied) and under its own printed legend; any other table under its own legend alone.
    """
    entry = spec.tables[table]
    other = entry.get("read_stars_with")
    if other is None:
        return [(entry["levels"], "", "")]
    levels = spec.tables[str(other)]["levels"]
    name = "legend of " + _table_group_name(spec, levels)
    return [
        (levels, name, f" ({name} applied)"),
        (entry["levels"], f"Table {table}'s own legend", f" (Table {table}'s own legend)"),
    ]


def _summary_rows(spec: PaperSpec, allow_rounding: bool) -> list[Row]:
    rows = []
    for r in spec.summary.itertuples(index=False):
        if "" in (r.n, r.mean, r.min, r.max):
            continue
        n, mean, lo, hi = int(r.n), number(r.mean), number(r.min), number(r.max)
        s = _slack([r.mean, r.sd, r.min, r.max], allow_rounding)
        rows.append(
            verdict_row(
                "mean_within_range", r.table, r.variable, "mean", r.mean, check_mean(n, mean, lo, hi, s)
            )
        )
        if r.sd == "" or n < 3:
            continue
        sd = number(r.sd)
        rows.append(
            verdict_row(
                "sd_upper_bhatia_davis",
                r.table,
                r.variable,
                "sd",
                r.sd,
                check_sd_upper(n, mean, sd, lo, hi, s),
            )
        )
        rows.append(
            verdict_row(
                "sd_lower_extremes", r.table, r.variable, "sd", r.sd, check_sd_lower(n, mean, sd, lo, hi, s)
            )
        )
    return rows


def _construction(entry: dict[str, Any], lo: float, hi: float, mean: float, s: float, unit: str) -> Verdict:
    construct = entry["construct"]
    if construct == "location_quotient":
        v = check_location_quotient(hi, s, unit=unit, sector=entry.get("sector", ""))
        if v.verdict != "ok":
            v = v.with_note(f"; the mean {mean:.4f} is {'far ' if mean < 0.5 else ''}below 1 too")
        return v
    if construct == "bounded_01":
        v = check_unit_interval(
            lo, hi, s, on_fail="inconsistent", what=entry.get("what", "min-max composite")
        )
        return v if v.verdict == "ok" else v.with_note("; only an unstated rescaling could explain it")
    if construct == "share":
        return check_unit_interval(lo, hi, s, what=entry.get("what", "share"))
    if construct == "ratio":
        return check_positive(lo, s)
    if construct == "log":
        return check_log_floor(lo, entry.get("floor"), s)
    if construct == "integer_mean":
        return check_integer_extremes(lo, hi, entry.get("items", 1), s)
    # "unstated": the paper gives no construction, so no range is implied
    return Verdict("doubtful", "a stated construction", "none stated; only the SD checks apply")


def _construction_rows(spec: PaperSpec, allow_rounding: bool) -> list[Row]:
    unit = spec.sample["unit_name"] if spec.sample else "unit"
    rows = []
    for r in spec.summary.itertuples(index=False):
        entry = spec.variables.get(r.variable)
        if entry is None or "" in (r.min, r.max, r.mean):
            continue
        lo, hi, mean = number(r.min), number(r.max), number(r.mean)
        s = _slack([r.mean, r.min, r.max], allow_rounding)
        v = _construction(entry, lo, hi, mean, s, unit)
        rows.append(
            verdict_row("construction_range", r.table, r.variable, "min,max", f"[{r.min}, {r.max}]", v)
        )
        if entry["construct"] == "integer_mean" and r.n != "":
            g = check_grim(mean, int(r.n), decimals_of(r.mean), entry.get("items", 1))
            rows.append(verdict_row("grim", r.table, r.variable, "mean", r.mean, g))
        plausible = entry.get("plausible")
        if plausible:
            # outside knowledge, not arithmetic: at most "doubtful"
            bound = plausible["mean_below"]
            expected = plausible.get("expected", f"mean below {bound}")
            v = (
                Verdict(
                    "doubtful", expected, plausible.get("why", "mean above what is known of such variables")
                )
                if mean - s >= bound
                else Verdict("ok", expected, "mean within what is known of such variables")
            )
            rows.append(verdict_row("construction_range", r.table, r.variable, "mean", r.mean, v))
    return rows


_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}


def _sample_rows(spec: PaperSpec) -> list[Row]:
    sample = spec.sample
    if sample is None:
        return []
    units, first, last = sample["units"], sample["first_period"], sample["last_period"]
    span = last - first + 1
    unit_pl, period, period_pl = sample["unit_plural"], sample["period_name"], sample["period_plural"]
    full = panel_size(units, first, last)
    rows = []
    for r in spec.summary.itertuples(index=False):
        if r.n != "":
            rows.append(
                verdict_row(
                    "sample_size",
                    r.table,
                    r.variable,
                    "n",
                    r.n,
                    check_sample_size(int(r.n), full, why=f"{units} {unit_pl} x {span} {period_pl}"),
                )
            )
    relations = {
        (str(rel["table"]), str(rel["column"])): rel for rel in spec.config.get("sample_relations", [])
    }
    cols = spec.coefficients.drop_duplicates(["table", "column"])
    for r in cols.itertuples(index=False):
        if r.n == "":
            continue
        n = int(r.n)
        rel = relations.get((r.table, r.column), {})
        if "lag" in rel:
            lag = rel["lag"]
            lost = f"the first {period}" if lag == 1 else f"the first {lag} {period_pl}"
            before = f"{first - 1}" if lag == 1 else f"{first - lag}-{first - 1}"
            v = check_sample_size(
                n,
                panel_size(units, first, last, lags=lag),
                why=(
                    f"a {_NUMBER_WORDS.get(lag, str(lag))}-period lag inside {first}-{last} loses {lost}; "
                    f"N = {n} needs {before} values the paper never mentions"
                ),
            )
            if v.verdict == "ok":
                v = Verdict("ok", v.expected, f"{lost.removeprefix('the ')} lost to the lag")
        elif "exclude_units" in rel:
            k = rel["exclude_units"]
            v = check_sample_size(
                n,
                panel_size(units, first, last, excluded_units=k),
                why=f"{units - k} {unit_pl} x {span} {period_pl}",
            )
        else:
            v = check_sample_size(n, full, why=f"{units} {unit_pl} x {span} {period_pl}")
        rows.append(verdict_row("sample_size", r.table, "N", f"({r.column})", r.n, v))
    return rows


def _t_of(r: Any, allow_rounding: bool) -> tuple[float, float] | None:
    """The printed t with its slack, or the t implied by coef and se; None when neither is printed."""
    if r.t != "":
        return number(r.t), _slack([r.t], allow_rounding)
    if r.se != "":
        return t_from_coef_se(
            number(r.coef), number(r.se), _slack([r.coef], allow_rounding), _slack([r.se], allow_rounding)
        )
    return None


def _coef_text(r: Any) -> str:
    if r.t != "":
        return f"{r.coef}{r.stars} (t={r.t})"
    return f"{r.coef}{r.stars} (se={r.se})" if r.se != "" else f"{r.coef}{r.stars}"


def _clusters(spec: PaperSpec, table: str, override: int | None) -> int | None:
    if override is not None:
        return int(override)
    return spec.tables.get(table, {}).get("clusters", spec.config.get("clusters"))


def _coef_rows(spec: PaperSpec, allow_rounding: bool, clusters: int | None) -> list[Row]:
    sign_rows, star_rows, own_rows, p_rows = [], [], [], []
    for r in spec.coefficients.itertuples(index=False):
        col, rep = f"({r.column})", _coef_text(r)
        if r.t != "":
            sign_rows.append(
                verdict_row("sign_coef_t", r.table, r.term, col, rep, check_sign(number(r.coef), number(r.t)))
            )
        entry = spec.tables.get(r.table, {})
        tt = _t_of(r, allow_rounding)
        g = _clusters(spec, r.table, clusters)
        if tt is not None and "levels" in entry:
            (levels, _, suffix), *own = _readings(spec, r.table)
            v = check_stars(tt[0], len(r.stars), levels, g, tt[1], entry["two_sided"])
            star_rows.append(verdict_row("stars", r.table, r.term, col, rep, v.with_note(suffix)))
            for levels, _, suffix in own:
                v = check_stars(tt[0], len(r.stars), levels, g, tt[1], entry["two_sided"])
                own_rows.append(
                    verdict_row(
                        f"stars_table{r.table}_own_legend", r.table, r.term, col, rep, v.with_note(suffix)
                    )
                )
        if tt is not None and r.p != "":
            relation = r.p[0] if r.p[0] in "<>" else "="
            p_slack = _slack([r.p], allow_rounding) if relation == "=" else 0.0
            stat = f"t={r.t}" if r.t != "" else f"coef={r.coef}, se={r.se}"
            v = check_p_from_t(tt[0], number(r.p), g, tt[1], p_slack, relation, entry.get("two_sided", True))
            shown = r.p if relation != "=" else f"={r.p}"
            p_rows.append(verdict_row("p_from_t", r.table, r.term, col, f"{stat}; p{shown}", v))
    return sign_rows + star_rows + own_rows + p_rows


def _cells_label(cells: list[tuple[str, str]]) -> str:
    """``[("3", "6"), ("5", "1"), ("5", "2")]`` -> ``"3(6) & 5(1)-(2)"``."""
    by_table: dict[str, list[str]] = {}
    for t, c in cells:
        by_table.setdefault(t, [])
        if c not in by_table[t]:
            by_table[t].append(c)
    parts = []
    for t, cols in by_table.items():
        nums = [int(c) for c in cols] if all(c.isdigit() for c in cols) else []
        if len(cols) > 1 and nums == list(range(nums[0], nums[0] + len(nums))):
            parts.append(f"{t}({cols[0]})-({cols[-1]})")
        else:
            parts.append(t + ",".join(f"({c})" for c in cols))
    return " & ".join(parts)


def _mediation_rows(spec: PaperSpec, allow_rounding: bool) -> list[Row]:
    coefs = spec.coefficients
    rows = []
    for med in spec.config.get("mediation", []) or []:
        x, m = str(med["x"]), str(med["m"])

        def cell(ref: dict[str, Any], term: str) -> Any:
            hit = coefs[
                (coefs["table"] == str(ref["table"]))
                & (coefs["column"] == str(ref["column"]))
                & (coefs["term"] == term)
            ]
            return hit.iloc[0]

        parts = {
            "c": cell(med["total"], x),
            "a": cell(med["a"], x),
            "c'": cell(med["direct"], x),
            "b": cell(med["direct"], m),
        }
        c, a, c_prime, b = (number(parts[k]["coef"]) for k in ("c", "a", "c'", "b"))
        s = _slack([p["coef"] for p in parts.values()], allow_rounding)
        rep = "; ".join(f"{k}={parts[k]['coef']}" for k in ("c", "c'", "a", "b"))
        cells = [(str(med[k]["table"]), str(med[k]["column"])) for k in ("total", "a", "direct")]
        table = "/".join(dict.fromkeys(t for t, _ in cells))
        where = _cells_label(cells)
        identity = check_mediation_identity(c, c_prime, a, b, s, med.get("same_design", ""))
        sign = check_mediation_sign(c, c_prime, a, b, s)
        # the identity binds only equations fitted on one sample with the same fixed effects
        differ = [f for f in ("n", "entity_fe", "time_fe") if len({p[f] for p in parts.values()} - {""}) > 1]
        if differ:
            why = f"the equations differ in {', '.join(differ)}, so the identity need not hold"
            identity = Verdict("doubtful" if identity.verdict != "ok" else "ok", identity.expected, why)
            sign = Verdict("doubtful" if sign.verdict != "ok" else "ok", sign.expected, why)
        rows.append(verdict_row("mediation_identity", table, x, where, rep, identity))
        rows.append(verdict_row("mediation_sign", table, x, where, rep, sign))
    return rows


def _level_rows(spec: PaperSpec, block: list[dict[str, Any]]) -> list[Row]:
    """Rows of consecutive level claims about one table: every claim under each reading in turn."""
    table = str(block[0]["table"])
    coefs = spec.coefficients[spec.coefficients["table"] == table]
    stars = {(r.column, r.term): len(r.stars) for r in coefs.itertuples(index=False)}
    all_columns = sorted(
        coefs["column"].unique(), key=lambda c: (not c.isdigit(), int(c) if c.isdigit() else c)
    )
    rows = []
    for levels, name, _ in _readings(spec, table):
        for claim in block:
            level = claim.get("level")
            level = (
                float(level)
                if level is not None
                else parse_levels(";".join(spec.quote_values(claim["quote"])))[0]
            )
            columns = [str(c) for c in claim.get("columns", all_columns)]
            for col in columns:
                for term in claim.get("terms", []):
                    if (col, str(term)) not in stars:
                        continue
                    v = check_text_level(level, stars[(col, str(term))], levels, claim.get("at_least", False))
                    rows.append(
                        verdict_row(
                            "text_vs_tables",
                            table,
                            str(term),
                            f"({col})",
                            spec.quote(claim["quote"]),
                            v.with_note(f" ({name})") if name else v,
                        )
                    )
    return rows


def _claim_rows(spec: PaperSpec, claim: dict[str, Any], allow_rounding: bool) -> list[Row]:
    kind, quote, table = claim["check"], spec.quote(claim["quote"]), str(claim["table"])
    if kind == "numbers":
        said = [str(v) for v in claim["values"]] if "values" in claim else spec.quote_values(claim["quote"])
        if "variable" in claim:
            hit = spec.summary[
                (spec.summary["variable"] == str(claim["variable"])) & (spec.summary["table"] == table)
            ].iloc[0]
            row, column = str(claim["variable"]), ",".join(claim["fields"])
        else:
            hit = spec.coefficients[
                (spec.coefficients["table"] == table)
                & (spec.coefficients["column"] == str(claim["column"]))
                & (spec.coefficients["term"] == str(claim["term"]))
            ].iloc[0]
            row, column = str(claim["term"]), f"({claim['column']})"
        printed = [hit[f] for f in claim["fields"]]
        s = _slack(printed + said, allow_rounding)
        v = check_text_numbers([float(x) for x in said], [number(p) for p in printed], s)
        return [verdict_row("text_vs_tables", table, row, column, quote, v)]
    if kind == "names":
        names = re.findall(r"\((\w+)\)", quote)
        table_names = list(spec.summary.loc[spec.summary["table"] == table, "variable"])
        return [
            verdict_row(
                "text_vs_tables",
                table,
                ",".join(names),
                "names",
                quote,
                check_names_match(names, table_names),
            )
        ]
    # table_reference
    ref = int(claim["cites"]) if "cites" in claim else int(spec.quote_values(claim["quote"])[0])
    tables = {int(t) for t in [*spec.summary["table"], *spec.coefficients["table"]] if t.isdigit()}
    return [
        verdict_row(
            "text_vs_tables",
            table,
            str(claim.get("row", "text")),
            str(claim.get("column", "")),
            quote,
            check_table_reference(ref, tables),
        )
    ]


def _text_rows(spec: PaperSpec, allow_rounding: bool) -> list[Row]:
    rows = []
    with_legend = [t for t, e in spec.tables.items() if "levels" in e]
    if with_legend:
        reference = spec.tables[with_legend[0]]["levels"]
        ref_name = _table_group_name(spec, reference)
        for t in with_legend:
            key = spec.tables[t].get("legend_quote")
            if key is None:
                continue
            q = spec.quote(key)
            rows.append(
                verdict_row(
                    "legend",
                    t,
                    "note",
                    "legend",
                    q,
                    check_legend_agreement(spec.tables[t]["levels"], reference, ref_name),
                )
            )
            rows.append(verdict_row("legend", t, "note", "brackets", q, check_legend_brackets(q)))
    claims = spec.config.get("text_claims", []) or []
    i = 0
    while i < len(claims):
        if claims[i]["check"] == "level":
            j = i
            while (
                j < len(claims)
                and claims[j]["check"] == "level"
                and str(claims[j]["table"]) == str(claims[i]["table"])
            ):
                j += 1
            rows += _level_rows(spec, claims[i:j])
            i = j
        else:
            rows += _claim_rows(spec, claims[i], allow_rounding)
            i += 1
    return rows


def run_audit(
    spec: PaperSpec | str | Path, allow_rounding: bool = True, clusters: int | None = None
) -> pd.DataFrame:
    """Every verdict of every check on every reported number of one paper, in a fixed order.

    Parameters
    ----------
    spec : PaperSpec or path
        A paper folder (see :mod:`helpers.audit.spec`) or its loaded spec.
    allow_rounding : bool
        Give each printed number the benefit of its rounding (half a unit in its last printed place).
    clusters : int, optional
        G for the t(G-1) reference of stars and p-values, overriding ``spec.yml`` for every table.

    Returns
    -------
    pandas.DataFrame
        Columns check, table, row, column, reported, expected, verdict, note (all strings).
    """
    if not isinstance(spec, PaperSpec):
        spec = load_spec(spec)
    rows = (
        _summary_rows(spec, allow_rounding)
        + _construction_rows(spec, allow_rounding)
        + _sample_rows(spec)
        + _coef_rows(spec, allow_rounding, clusters)
        + _mediation_rows(spec, allow_rounding)
        + _text_rows(spec, allow_rounding)
    )
    wording = spec.config.get("wording")
    if wording is not None:
        rows += wording_module(wording).rows(spec, half_unit(STAT_DECIMALS) if allow_rounding else 0.0)
    out = pd.DataFrame(rows, columns=COLUMNS).astype(str)
    bad = ~out["verdict"].isin(VERDICTS)
    if bad.any():
        raise ValueError(f"run_audit: unknown verdict {out.loc[bad, 'verdict'].iloc[0]!r}")
    return out


def write_verdicts(audit: pd.DataFrame, path: str | Path) -> Path:
    """Write an audit frame as CSV, byte for byte as the book's ``write_table`` writes it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    audit.to_csv(path, index=False, lineterminator="\n")
    return path


def verdict_lines(audit: pd.DataFrame) -> list[str]:
    """One line per verdict class: its count and the checks that gave it (most frequent first)."""
    lines = []
    for verdict in VERDICTS:
        rows = audit[audit["verdict"] == verdict]
        counts = rows["check"].value_counts(sort=False)
        counts = counts.sort_values(ascending=False, kind="stable")
        by = ", ".join(f"{check} {n}" for check, n in counts.items())
        lines.append(f"{verdict:<12} {len(rows):>4}" + (f"  ({by})" if by else ""))
    return lines


def sd_feasibility(
    table2: pd.DataFrame, allow_rounding: bool = True, decimals: int = STAT_DECIMALS
) -> pd.DataFrame:
    """Per summary variable: the reported SD beside its feasible interval, exact and rounding-generous.

    ``table2`` has numeric columns variable, n, mean, sd, min, max. ``sd_min`` / ``sd_max`` are the
    bounds at the printed (n, mean, min, max) (:func:`extremes_sd_min` with divisor n,
    :func:`bhatia_davis_sd_max` with divisor n - 1). ``sd_min_verdict`` / ``sd_max_verdict`` are the
    bounds the audit's verdicts use (:func:`sd_bounds` with half a unit of rounding slack in the
    ``decimals``-th place when ``allow_rounding``; equal to the exact ones otherwise), and
    ``feasible`` says whether the reported SD, itself given the benefit of its rounding, lies inside
    them; it agrees with the ``sd_*`` rows of :func:`run_audit`.
    """
    s = half_unit(decimals) if allow_rounding else 0.0
    t2 = table2
    generous = [sd_bounds(int(r.n), r.mean, r.min, r.max, s) for r in t2.itertuples()]
    out = pd.DataFrame(
        {
            "variable": t2["variable"].astype(str),
            "sd": t2["sd"].astype(float),
            "sd_min": [extremes_sd_min(int(r.n), r.mean, r.min, r.max, ddof=0) for r in t2.itertuples()],
            "sd_max": [bhatia_davis_sd_max(int(r.n), r.mean, r.min, r.max, ddof=1) for r in t2.itertuples()],
            "sd_min_verdict": [g[0] for g in generous],
            "sd_max_verdict": [g[1] for g in generous],
        }
    )
    out["feasible"] = (out["sd"] + s >= out["sd_min_verdict"]) & (out["sd"] - s <= out["sd_max_verdict"])
    return out


def summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Counts of verdicts by check (rows in order of first appearance, one column per verdict)."""
    order = list(dict.fromkeys(audit["check"]))
    tab = pd.crosstab(audit["check"], audit["verdict"]).reindex(
        index=order, columns=list(VERDICTS), fill_value=0
    )
    tab["total"] = tab.sum(axis=1)
    return tab


def view(audit: pd.DataFrame, *checks: str) -> pd.DataFrame:
    """The rows of the given checks for display, indexed by what tells them apart.

    The index is (check, table, row, column), minus the levels that hold a single value for these
    rows (e.g. the check itself when only one is asked for, table "2" for the Table 2 checks); those
    constant columns are dropped, so the displayed frame carries only what distinguishes its rows.
    """
    rows = audit[audit["check"].isin(checks)]
    keys = ["check", "table", "row", "column"]
    varying = [k for k in keys if rows[k].nunique() > 1] or ["row"]
    return rows.drop(columns=[k for k in keys if k not in varying]).set_index(varying)


def split_quotes(rows: pd.DataFrame, column: str = "reported") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replace the long quotations in ``column`` by short keys Q1, Q2, ... (in order of appearance).

    Returns the rows with the keys in a column ``quote`` (instead of ``column``) and a frame of the
    distinct quotations indexed by key, so that a table of checks stays narrow and each quotation
    is printed once, in full.
    """
    keys = {q: f"Q{i}" for i, q in enumerate(dict.fromkeys(rows[column]), start=1)}
    out = rows.assign(**{column: rows[column].map(keys)}).rename(columns={column: "quote"})
    quotes = pd.DataFrame({"quote": list(keys.values()), "text": list(keys)}).set_index("quote")
    return out, quotes


def verdict_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Rows of two :func:`run_audit` results whose verdict differs, matched row by row.

    The rows are matched by position, not by (check, table, row, column): some checks hold several
    rows with the same key (a text claim read under each of two legends), and a join on the key
    would pair them crosswise. Raises ``ValueError`` if the two runs are not row-aligned.
    Columns: check, table, row, column, before, after.
    """
    keys = ["check", "table", "row", "column"]
    b, a = before.reset_index(drop=True), after.reset_index(drop=True)
    if len(b) != len(a) or not b[keys].equals(a[keys]):
        raise ValueError("verdict_changes: the two audit runs do not have the same rows in the same order")
    changed = b["verdict"] != a["verdict"]
    return b.loc[changed, keys].assign(before=b.loc[changed, "verdict"], after=a.loc[changed, "verdict"])
