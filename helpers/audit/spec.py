"""One paper's reported numbers and statements, read from a folder and checked for completeness.

A paper folder holds:

``summary.csv``
    Descriptive statistics, one row per variable: ``table, variable, n, mean, sd, min, max``
    (empty cells allowed; numbers exactly as printed, so that their decimals give the rounding).
``coefficients.csv``
    Regression tables in long form, one row per printed coefficient: ``table, column, term, coef``
    and any of ``se, t, p, stars, n`` (empty cells allowed; ``stars`` as printed, e.g. ``***``;
    ``p`` may read ``<0.001``), plus the optional ``label, dependent, entity_fe, time_fe``
    (``yes``/``no``; the mediation check uses them to confirm its equations share a design).
``spec.yml``
    What the paper states: per table the star legend, whether tests are two-sided, the number of
    clusters; per variable its construction; sample relations; mediation triples; claims of the text.
``quotes.csv`` (optional)
    Short quotations ``key, table, quote, value`` that the text claims refer to by key.

:func:`load_spec` reads and validates a folder; any problem raises :class:`SpecError` whose message
is one line naming the file and the field. The appendix "Auditing another paper" documents every
field with a worked example (``data/examples/constructed_paper/``).
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

SPEC_FILE = "spec.yml"
SUMMARY_FILE = "summary.csv"
COEFFICIENTS_FILE = "coefficients.csv"
QUOTES_FILE = "quotes.csv"

SUMMARY_COLUMNS = ["table", "variable", "n", "mean", "sd", "min", "max"]
COEFFICIENT_COLUMNS = [
    "table",
    "column",
    "label",
    "dependent",
    "term",
    "coef",
    "se",
    "t",
    "p",
    "stars",
    "n",
    "entity_fe",
    "time_fe",
]
COEFFICIENT_REQUIRED = ["table", "column", "term", "coef"]
QUOTE_COLUMNS = ["key", "table", "quote", "value"]
QUOTE_REQUIRED = ["key", "quote"]

#: what a variable is built as, and the range that construction implies
CONSTRUCTS: dict[str, str] = {
    "bounded_01": "a min-max normalised composite index (weights summing to one): in [0, 1]",
    "location_quotient": "a location quotient: its maximum over units is at least 1",
    "share": "a part over its whole: in [0, 1]",
    "ratio": "a ratio of positive totals: positive",
    "log": "a natural log: at least log(floor) when the logged quantity is at least `floor`",
    "integer_mean": "a mean of integers (counts, scores) over `items` items: GRIM and integer extremes",
    "unstated": "the paper states no construction (a doubtful verdict: only the SD checks apply)",
}
TEXT_CHECKS = ("level", "numbers", "names", "table_reference")

TOP_FIELDS = {
    "paper",
    "sample",
    "clusters",
    "tables",
    "variables",
    "sample_relations",
    "mediation",
    "text_claims",
    "wording",
}
TABLE_FIELDS = {"legend", "two_sided", "legend_quote", "read_stars_with", "clusters"}
VARIABLE_FIELDS = {"construct", "quote", "what", "sector", "floor", "items", "plausible"}
PLAUSIBLE_FIELDS = {"mean_below", "expected", "why"}
SAMPLE_FIELDS = {
    "units",
    "first_period",
    "last_period",
    "unit_name",
    "unit_plural",
    "period_name",
    "period_plural",
    "quote",
}
RELATION_FIELDS = {"table", "column", "lag", "exclude_units", "quote"}
MEDIATION_FIELDS = {"x", "m", "total", "a", "direct", "same_design"}
CLAIM_FIELDS = {
    "level": {"check", "quote", "table", "terms", "columns", "level", "at_least"},
    "numbers": {"check", "quote", "table", "variable", "column", "term", "fields", "values"},
    "names": {"check", "quote", "table"},
    "table_reference": {"check", "quote", "table", "row", "column", "cites"},
}


#: checks written for one paper's wording, by the name ``spec.yml`` gives in ``wording:``; each module
#: has ``REQUIRED_QUOTES`` (keys of quotes.csv it reads) and ``rows(spec, slack)`` (its audit rows)
WORDING_MODULES = {"dongding": "helpers.audit.dongding"}


def wording_module(name: str) -> Any:
    """The module of wording checks registered under ``name`` in :data:`WORDING_MODULES`."""
    return importlib.import_module(WORDING_MODULES[name])


class SpecError(ValueError):
    """A paper folder that cannot be audited; the message is one line naming the file and the field."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file, self.field, self.problem = file, field, problem
        super().__init__(f"{file}: {field}: {problem}")


@dataclass(frozen=True)
class PaperSpec:
    """A validated paper folder: the tables as printed (all cells strings) and the parsed ``spec.yml``."""

    folder: Path
    summary: pd.DataFrame
    coefficients: pd.DataFrame
    quotes: pd.DataFrame
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, dict[str, Any]]:
        """Per table (as a string): legend levels (tuple by star count), two_sided, and the rest."""
        return self.config.get("tables", {})

    @property
    def variables(self) -> dict[str, dict[str, Any]]:
        return self.config.get("variables", {})

    @property
    def sample(self) -> dict[str, Any] | None:
        return self.config.get("sample")

    def quote(self, key: str) -> str:
        """The quotation filed under ``key`` in quotes.csv."""
        return str(self.quotes.set_index("key").loc[key, "quote"])

    def quote_values(self, key: str) -> list[str]:
        """The ``value`` cell of quotation ``key``, split at ``;`` (empty parts dropped)."""
        return [v for v in str(self.quotes.set_index("key").loc[key, "value"]).split(";") if v]


def _read_csv(folder: Path, name: str, columns: list[str], required: list[str]) -> pd.DataFrame:
    path = folder / name
    if not path.is_file():
        raise SpecError(name, "file", f"missing in {folder}")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise SpecError(name, "file", f"cannot be read as CSV ({str(err).splitlines()[0]})") from None
    unknown = [c for c in frame.columns if c not in columns]
    if unknown:
        raise SpecError(name, f"column {unknown[0]!r}", f"unknown column (allowed: {', '.join(columns)})")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SpecError(name, f"column {missing[0]!r}", "required column missing")
    frame = frame.apply(lambda col: col.str.strip())
    return frame.reindex(columns=columns, fill_value="")


def _check_numbers(frame: pd.DataFrame, name: str, columns: list[str], integer: tuple[str, ...] = ()) -> None:
    for col in columns:
        for i, cell in frame[col].items():
            text = cell.lstrip("<>") if col == "p" else cell
            if cell == "":
                continue
            try:
                x = float(text)
            except ValueError:
                raise SpecError(name, f"row {i + 2}, column {col!r}", f"{cell!r} is not a number") from None
            if col in integer and (not math.isfinite(x) or x != int(x)):
                raise SpecError(name, f"row {i + 2}, column {col!r}", f"{cell!r} is not a whole number")


def number(cell: str) -> float:
    """A printed cell as a float (NaN when empty; ``<0.001`` gives 0.001)."""
    return float(cell.lstrip("<>")) if cell != "" else math.nan


def _mapping(value: Any, file: str, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(file, where, f"expected a mapping, got {type(value).__name__}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SpecError(SPEC_FILE, where, f"expected a list, got {type(value).__name__}")
    return value


def _known(entry: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in entry:
        if key not in allowed:
            raise SpecError(
                SPEC_FILE,
                f"{where}.{key}" if where else str(key),
                f"unknown field (allowed: {', '.join(sorted(allowed))})",
            )


def _int(value: Any, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SpecError(SPEC_FILE, where, f"expected a whole number >= {minimum}, got {value!r}")
    return value


def _legend(value: Any, where: str) -> tuple[float, ...]:
    marks = _mapping(value, SPEC_FILE, where)
    if not marks:
        raise SpecError(SPEC_FILE, where, "empty legend")
    levels = []
    for k in range(1, len(marks) + 1):
        if "*" * k not in marks:
            raise SpecError(SPEC_FILE, where, f"marks must be *, **, ... in turn; {'*' * k!r} is missing")
        level = marks["*" * k]
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
            raise SpecError(SPEC_FILE, f"{where}.{'*' * k}", f"level {level!r} is not a number in (0, 1)")
        levels.append(float(level))
    return tuple(levels)


def _need_quote(quotes: pd.DataFrame, key: Any, where: str) -> None:
    if key is not None and str(key) not in set(quotes["key"]):
        raise SpecError(SPEC_FILE, where, f"no key {key!r} in {QUOTES_FILE}")


def _cell(coefs: pd.DataFrame, ref: Any, term: str, where: str) -> None:
    ref = _mapping(ref, SPEC_FILE, where)
    _known(ref, {"table", "column"}, where)
    hit = coefs[
        (coefs["table"] == str(ref.get("table")))
        & (coefs["column"] == str(ref.get("column")))
        & (coefs["term"] == term)
    ]
    if hit.empty:
        raise SpecError(
            SPEC_FILE,
            where,
            f"no coefficient {term} in table {ref.get('table')} column "
            f"{ref.get('column')} of {COEFFICIENTS_FILE}",
        )


def load_spec(folder: str | Path) -> PaperSpec:
    """Read and validate a paper folder (see the module docstring for the format).

    Raises
    ------
    SpecError
        With a one-line message naming the file and the field: a missing file, an unknown column or
        field, a cell that is not a number, an unknown construct, a table whose stars no legend
        covers, or a reference to a table cell, variable or quotation that does not exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SpecError(str(folder), "folder", "not a directory")
    spec_path = folder / SPEC_FILE
    if not spec_path.is_file():
        raise SpecError(SPEC_FILE, "file", f"missing in {folder}")
    try:
        config = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        raise SpecError(SPEC_FILE, where, f"not valid YAML ({getattr(err, 'problem', err)})") from None
    config = dict(_mapping(config, SPEC_FILE, "top level"))
    _known(config, TOP_FIELDS, "")

    summary = _read_csv(folder, SUMMARY_FILE, SUMMARY_COLUMNS, SUMMARY_COLUMNS)
    _check_numbers(summary, SUMMARY_FILE, ["n", "mean", "sd", "min", "max"], integer=("n",))
    coefs = _read_csv(folder, COEFFICIENTS_FILE, COEFFICIENT_COLUMNS, COEFFICIENT_REQUIRED)
    _check_numbers(coefs, COEFFICIENTS_FILE, ["coef", "se", "t", "p", "n"], integer=("n",))
    for i, cell in coefs["stars"].items():
        if cell.strip("*") != "":
            raise SpecError(COEFFICIENTS_FILE, f"row {i + 2}, column 'stars'", f"{cell!r} is not a run of *")
    if (folder / QUOTES_FILE).is_file():
        quotes = _read_csv(folder, QUOTES_FILE, QUOTE_COLUMNS, QUOTE_REQUIRED)
        dup = quotes["key"][quotes["key"].duplicated()]
        if len(dup):
            raise SpecError(QUOTES_FILE, f"key {dup.iloc[0]!r}", "duplicate key")
    else:
        quotes = pd.DataFrame({c: pd.Series(dtype=str) for c in QUOTE_COLUMNS})

    # tables: legends cover every table that prints stars
    tables: dict[str, dict[str, Any]] = {}
    for t, entry in _mapping(config.get("tables"), SPEC_FILE, "tables").items():
        where = f"tables.{t}"
        entry = dict(_mapping(entry, SPEC_FILE, where))
        _known(entry, TABLE_FIELDS, where)
        if "legend" in entry:
            entry["levels"] = _legend(entry["legend"], f"{where}.legend")
        entry["two_sided"] = entry.get("two_sided", True)
        if not isinstance(entry["two_sided"], bool):
            raise SpecError(
                SPEC_FILE, f"{where}.two_sided", f"expected true or false, got {entry['two_sided']!r}"
            )
        if "clusters" in entry:
            _int(entry["clusters"], f"{where}.clusters", 2)
        _need_quote(quotes, entry.get("legend_quote"), f"{where}.legend_quote")
        tables[str(t)] = entry
    for t, entry in tables.items():
        other = entry.get("read_stars_with")
        if other is not None and "levels" not in tables.get(str(other), {}):
            raise SpecError(SPEC_FILE, f"tables.{t}.read_stars_with", f"table {other} has no legend")
        if other is not None and "levels" not in entry:
            raise SpecError(
                SPEC_FILE, f"tables.{t}.legend", "missing, but read_stars_with needs the printed one"
            )
    for t in dict.fromkeys(coefs.loc[coefs["stars"] != "", "table"]):
        if "levels" not in tables.get(t, {}):
            raise SpecError(
                SPEC_FILE, f"tables.{t}.legend", f"missing, but {COEFFICIENTS_FILE} prints stars in table {t}"
            )
        marks = set(coefs.loc[(coefs["table"] == t), "stars"].str.len())
        top = len(tables[t]["levels"])
        if max(marks) > top:
            raise SpecError(
                COEFFICIENTS_FILE,
                "stars",
                f"{'*' * max(marks)} in table {t}, but spec.yml tables.{t}.legend stops at {'*' * top}",
            )
    config["tables"] = tables
    if config.get("clusters") is not None:
        _int(config["clusters"], "clusters", 2)

    # variables and their constructions
    variables: dict[str, dict[str, Any]] = {}
    for v, entry in _mapping(config.get("variables"), SPEC_FILE, "variables").items():
        where = f"variables.{v}"
        entry = dict(_mapping(entry, SPEC_FILE, where))
        _known(entry, VARIABLE_FIELDS, where)
        if str(v) not in set(summary["variable"]):
            raise SpecError(SPEC_FILE, where, f"no variable {v!r} in {SUMMARY_FILE}")
        construct = entry.get("construct")
        if construct not in CONSTRUCTS:
            raise SpecError(
                SPEC_FILE,
                f"{where}.construct",
                f"unknown construct {construct!r} (one of {', '.join(CONSTRUCTS)})",
            )
        if "items" in entry:
            _int(entry["items"], f"{where}.items", 1)
        if "floor" in entry and (not isinstance(entry["floor"], (int, float)) or entry["floor"] <= 0):
            raise SpecError(
                SPEC_FILE, f"{where}.floor", f"expected a positive number, got {entry['floor']!r}"
            )
        plausible = _mapping(entry.get("plausible"), SPEC_FILE, f"{where}.plausible")
        _known(plausible, PLAUSIBLE_FIELDS, f"{where}.plausible")
        if plausible and "mean_below" not in plausible:
            raise SpecError(SPEC_FILE, f"{where}.plausible.mean_below", "required")
        _need_quote(quotes, entry.get("quote"), f"{where}.quote")
        variables[str(v)] = entry
    config["variables"] = variables

    # the sample and its relations
    sample = config.get("sample")
    if sample is not None:
        sample = dict(_mapping(sample, SPEC_FILE, "sample"))
        _known(sample, SAMPLE_FIELDS, "sample")
        for key in ("units", "first_period", "last_period"):
            if key not in sample:
                raise SpecError(SPEC_FILE, f"sample.{key}", "required")
            _int(sample[key], f"sample.{key}", 1)
        if sample["last_period"] < sample["first_period"]:
            raise SpecError(SPEC_FILE, "sample.last_period", "before first_period")
        sample.setdefault("unit_name", "unit")
        sample.setdefault("unit_plural", sample["unit_name"] + "s")
        sample.setdefault("period_name", "period")
        sample.setdefault("period_plural", sample["period_name"] + "s")
        _need_quote(quotes, sample.get("quote"), "sample.quote")
        config["sample"] = sample
    relations = _list(config.get("sample_relations"), "sample_relations")
    for i, rel in enumerate(relations):
        where = f"sample_relations[{i}]"
        rel = _mapping(rel, SPEC_FILE, where)
        _known(rel, RELATION_FIELDS, where)
        if sample is None:
            raise SpecError(SPEC_FILE, where, "needs the `sample` field (units and periods)")
        if ("lag" in rel) == ("exclude_units" in rel):
            raise SpecError(SPEC_FILE, where, "give exactly one of lag and exclude_units")
        for key in ("lag", "exclude_units"):
            if key in rel:
                _int(rel[key], f"{where}.{key}", 1)
        hit = coefs[(coefs["table"] == str(rel.get("table"))) & (coefs["column"] == str(rel.get("column")))]
        if hit.empty:
            raise SpecError(
                SPEC_FILE,
                where,
                f"no table {rel.get('table')} column {rel.get('column')} in {COEFFICIENTS_FILE}",
            )
        _need_quote(quotes, rel.get("quote"), f"{where}.quote")
    config["sample_relations"] = relations

    for i, med in enumerate(_list(config.get("mediation"), "mediation")):
        where = f"mediation[{i}]"
        med = _mapping(med, SPEC_FILE, where)
        _known(med, MEDIATION_FIELDS, where)
        for key in ("x", "m", "total", "a", "direct"):
            if key not in med:
                raise SpecError(SPEC_FILE, f"{where}.{key}", "required")
        _cell(coefs, med["total"], str(med["x"]), f"{where}.total")
        _cell(coefs, med["a"], str(med["x"]), f"{where}.a")
        _cell(coefs, med["direct"], str(med["x"]), f"{where}.direct")
        _cell(coefs, med["direct"], str(med["m"]), f"{where}.direct")

    for i, claim in enumerate(_list(config.get("text_claims"), "text_claims")):
        where = f"text_claims[{i}]"
        claim = _mapping(claim, SPEC_FILE, where)
        kind = claim.get("check")
        if kind not in TEXT_CHECKS:
            raise SpecError(
                SPEC_FILE, f"{where}.check", f"unknown check {kind!r} (one of {', '.join(TEXT_CHECKS)})"
            )
        _known(claim, CLAIM_FIELDS[kind], where)
        if "quote" not in claim:
            raise SpecError(SPEC_FILE, f"{where}.quote", "required")
        _need_quote(quotes, claim["quote"], f"{where}.quote")
        if kind == "level":
            t = str(claim.get("table"))
            if "levels" not in tables.get(t, {}):
                raise SpecError(
                    SPEC_FILE, f"tables.{t}.legend", f"missing, but {where} states a level for it"
                )
            for term in claim.get("terms", []):
                if not ((coefs["table"] == t) & (coefs["term"] == str(term))).any():
                    raise SpecError(SPEC_FILE, f"{where}.terms", f"no term {term} in table {t}")
        if kind == "numbers" and "variable" in claim:
            if str(claim["variable"]) not in set(summary["variable"]):
                raise SpecError(
                    SPEC_FILE, f"{where}.variable", f"no variable {claim['variable']!r} in {SUMMARY_FILE}"
                )
            bad = [f for f in claim.get("fields", []) if f not in ("n", "mean", "sd", "min", "max")]
            if bad:
                raise SpecError(SPEC_FILE, f"{where}.fields", f"{bad[0]!r} is not a column of {SUMMARY_FILE}")
        if kind == "numbers" and "term" in claim:
            _cell(
                coefs, {"table": claim.get("table"), "column": claim.get("column")}, str(claim["term"]), where
            )
            bad = [f for f in claim.get("fields", []) if f not in ("coef", "se", "t", "p", "n")]
            if bad:
                raise SpecError(
                    SPEC_FILE, f"{where}.fields", f"{bad[0]!r} is not a number of {COEFFICIENTS_FILE}"
                )

    wording = config.get("wording")
    if wording is not None:
        if wording not in WORDING_MODULES:
            raise SpecError(
                SPEC_FILE, "wording", f"unknown {wording!r} (one of {', '.join(WORDING_MODULES)})"
            )
        for key in wording_module(wording).REQUIRED_QUOTES:
            _need_quote(quotes, key, "wording")
    return PaperSpec(folder=folder, summary=summary, coefficients=coefs, quotes=quotes, config=config)
