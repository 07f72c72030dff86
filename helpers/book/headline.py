"""The headline answer: does the paper replicate? One table, built only from ``book/results/*.csv``.

One row per claim of the paper: what the paper reports, what the public data give, and a verdict
word from a fixed vocabulary (:data:`VERDICTS`) computed by a rule that is code, not judgement:

* **A claim about estimates** (H1, Table 4's robustness, H2, the multiverse). Each side, the paper's
  numbers and ours, is summarised as the share :math:`s` of its estimates that are positive and
  significant at 5 % (a single test has :math:`s \\in \\{0, 1\\}`). A side *supports* the claim when
  :math:`s \\ge 1/2` (most of its estimates back it) and *does not* when :math:`s \\le 0.05` (no more
  than chance would give under a null effect). The verdict (:func:`replication_verdict`) is
  ``"replicated"`` when both sides agree (both support or both do not), ``"not replicated"`` when
  they disagree, and ``"mixed"`` when our share lies strictly between 0.05 and 1/2.
* **The audit of the paper's own numbers** (:func:`audit_verdict`): ``"fails audit"`` if any number
  is impossible, else ``"questioned"`` if any is inconsistent, else ``"passes audit"``.

The same table is written to ``book/results/headline.csv``, to the git-ignored ``book/_headline.md``
(which the introduction includes) by the Verdict chapter, and between two markers of ``README.md``
by ``make headline`` (:func:`update_readme`).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.book.output import in_build, result_file, write_table
from helpers.estimate import Bootstrap
from helpers.paths import BOOK, RESULTS, ROOT

#: the verdict words, in the order the rule can produce them
VERDICTS = ("replicated", "mixed", "not replicated", "passes audit", "questioned", "fails audit")
#: significance level of every test in the table (two-sided for stars, one-sided for H1 and H2)
ALPHA = 0.05
#: a side supports a claim when at least this share of its estimates is positive and significant
MAJORITY = 0.5
#: a side does not support it when at most this share is (about what chance gives under no effect)
CHANCE = 0.05
#: machine column names of ``headline.csv`` and the labels the book and README show
COLUMNS = {"claim": "Claim", "paper": "What the paper reports", "ours": "What the public data give",
           "verdict": "Verdict"}
START, END = "<!-- headline:start -->", "<!-- headline:end -->"
README = ROOT / "README.md"
INCLUDE = BOOK / "_headline.md"


def replication_verdict(paper_share: float, ours_share: float, *, majority: float = MAJORITY,
                        chance: float = CHANCE) -> str:
    """Verdict on a claim from the share of estimates that back it on each side.

    Parameters
    ----------
    paper_share, ours_share : float
        Share in :math:`[0, 1]` of the paper's and of our estimates that are positive and
        significant at 5 %; 0 or 1 for a single test.
    majority, chance : float, optional
        A side supports the claim when its share is at least ``majority`` and does not when it is
        at most ``chance``.

    Returns
    -------
    str
        ``"replicated"`` if both sides support the claim or both do not, ``"not replicated"`` if one
        does and the other does not, ``"mixed"`` if our share lies strictly between ``chance`` and
        ``majority`` (or the paper's does).
    """
    for share in (paper_share, ours_share):
        if not 0 <= share <= 1:
            raise ValueError(f"a share must lie in [0, 1], got {share}")

    def supports(share: float) -> bool | None:
        return True if share >= majority else False if share <= chance else None

    paper, ours = supports(paper_share), supports(ours_share)
    if paper is None or ours is None:
        return "mixed"
    return "replicated" if paper == ours else "not replicated"


def audit_verdict(impossible: int, inconsistent: int) -> str:
    """Verdict on the paper's own numbers from the audit's counts.

    Parameters
    ----------
    impossible, inconsistent : int
        Numbers of audit checks with verdict ``impossible`` and ``inconsistent``.

    Returns
    -------
    str
        ``"fails audit"`` if any number is impossible, else ``"questioned"`` if any is
        inconsistent, else ``"passes audit"``.
    """
    if impossible > 0:
        return "fails audit"
    return "questioned" if inconsistent > 0 else "passes audit"


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _of(k: int, n: int, what: str) -> str:
    return f"{k} of {n} {what}"


def _path(results: Path | None, name: str) -> Path:
    """``results / name``; with no folder, where a chapter reads it (see ``result_file``)."""
    return results / name if results is not None else result_file(name)


def _h1(results: Path | None) -> dict[str, object]:
    h1 = pd.read_csv(_path(results, "table3_h1.csv"))
    ours = h1[h1["source"] == "ours"].iloc[0]  # the headline test: the wild bootstrap when present
    paper = h1[(h1["source"] == "paper") & h1["reference"].str.startswith("t(")].iloc[0]
    t3 = pd.read_csv(_path(results, "table3_vs_paper.csv"), dtype={"column": str})
    de = t3[(t3["term"] == "DE") & (t3["column"] == "6")].iloc[0]
    return {
        "key": "h1",
        "claim": "H1: the digital economy raises industrial agglomeration (Table 3, column 6)",
        "paper": f"DE = {de['paper']:.4f}, t = {de['paper_t']:.2f}, one-sided p {_p(paper['p_value'])}",
        "ours": f"DE = {de['ours']:.4f}, t = {de['ours_t']:.2f}, one-sided p {_p(ours['p_value'])}"
                + (" (wild cluster bootstrap)" if ours["reference"] == "bootstrap-t" else ""),
        "paper_share": float(paper["p_value"] < ALPHA),
        "ours_share": float(ours["p_value"] < ALPHA),
    }


def _table4(results: Path | None) -> dict[str, object]:
    t4 = pd.read_csv(_path(results, "table4_vs_paper.csv"), dtype={"column": str})
    de = t4[t4["term"] == "DE"]
    main = de[de["column"].str.fullmatch(r"\d+")]  # the paper's own columns (1)-(3), all five controls
    paper_ok = int(((main["paper"] > 0) & (main["paper_stars"] >= 2)).sum())
    ours_ok = int(((main["ours"] > 0) & (main["ours_stars"] >= 2)).sum())
    all_ok = int(((de["ours"] > 0) & (de["ours_stars"] >= 2)).sum())
    return {
        "key": "table4",
        "claim": "Robustness: DE stays positive and significant in Table 4 (lag, no municipalities, OLS)",
        "paper": _of(paper_ok, len(main), "columns positive and significant at 5 %"),
        "ours": _of(ours_ok, len(main), "columns") + f" ({all_ok} of {len(de)} counting the variants)",
        "paper_share": paper_ok / len(main),
        "ours_share": ours_ok / len(main),
    }


def _h2(results: Path | None) -> dict[str, object]:
    h2 = pd.read_csv(_path(results, "table5_h2.csv"))
    paper = h2[(h2["source"] == "paper") & h2["test"].str.startswith("Sobel")].iloc[0]
    ours = h2[(h2["source"] == "ours") & h2["test"].str.contains("bootstrap")].iloc[0]
    identity = pd.read_csv(_path(results, "table5_identity.csv")).set_index("quantity")
    draws = pd.read_csv(_path(results, "table5_bootstrap_draws.csv"))["indirect"].to_numpy()
    boot = Bootstrap(draws=np.asarray(draws), point=float(ours["statistic"]), seed=0, level=1 - ALPHA)
    lo, hi = boot.ci
    return {
        "key": "h2",
        "claim": "H2: part of the effect runs through innovation, a·b > 0 (Table 5)",
        "paper": f"a·b = {identity.loc['a*b', 'paper']:.4f}, Sobel z = {paper['statistic']:.2f}, "
                 f"one-sided p {_p(paper['p_value'])}",
        "ours": f"a·b = {ours['statistic']:.4f}, 95 % bootstrap interval [{lo:.3f}, {hi:.3f}], "
                f"one-sided p {_p(ours['p_value'])}",
        "paper_share": float(paper["p_value"] < ALPHA),
        "ours_share": float(ours["p_value"] < ALPHA),
    }


def _audit(results: Path | None) -> dict[str, object]:
    audit = pd.read_csv(_path(results, "audit.csv"))
    counts = audit["verdict"].value_counts()
    impossible, inconsistent = int(counts.get("impossible", 0)), int(counts.get("inconsistent", 0))
    return {
        "key": "audit",
        "claim": "The paper's reported numbers can all be true at once (Tables 2-5 and its text)",
        "paper": f"Tables 2-5 and the text as printed ({len(audit)} checks, no data needed)",
        "ours": f"{impossible} impossible, {inconsistent} inconsistent",
        "verdict": audit_verdict(impossible, inconsistent),
    }


def _multiverse(results: Path | None) -> dict[str, object]:
    mv = pd.read_csv(_path(results, "multiverse.csv"))
    t3 = pd.read_csv(_path(results, "table3_vs_paper.csv"))
    de = t3[t3["term"] == "DE"]
    paper_ok = int(((de["paper"] > 0) & (de["paper_stars"] >= 2)).sum())
    ours_ok, negative = int(mv["positive_significant"].sum()), int(mv["negative_significant"].sum())
    return {
        "key": "multiverse",
        "claim": "The effect does not hinge on data and model choices (the multiverse)",
        "paper": _of(paper_ok, len(de), "Table 3 columns positive and significant at 5 %"),
        "ours": _of(ours_ok, len(mv), f"specifications ({100 * ours_ok / len(mv):.1f} %); "
                                       f"{negative} negative and significant"),
        "paper_share": paper_ok / len(de),
        "ours_share": ours_ok / len(mv),
    }


def headline_table(results: Path | None = None) -> pd.DataFrame:
    """The headline table, computed from the results CSVs in ``results``.

    Parameters
    ----------
    results : Path, optional
        Folder with ``table3_h1.csv``, ``table3_vs_paper.csv``, ``table4_vs_paper.csv``,
        ``table5_h2.csv``, ``table5_identity.csv``, ``table5_bootstrap_draws.csv``, ``audit.csv`` and
        ``multiverse.csv``. Default: where a chapter reads them, ``book/results`` in the build
        (see :func:`~helpers.book.output.result_file`).

    Returns
    -------
    pandas.DataFrame
        One row per claim (``key`` h1, table4, h2, audit, multiverse) with the text columns
        ``claim``, ``paper``, ``ours``, ``verdict`` and, for the claims about estimates, the shares
        ``paper_share`` and ``ours_share`` the verdict was computed from.
    """
    rows = [_h1(results), _table4(results), _h2(results), _audit(results), _multiverse(results)]
    for row in rows:
        if "verdict" not in row:
            row["verdict"] = replication_verdict(row["paper_share"], row["ours_share"])
    frame = pd.DataFrame(rows)
    return frame[["key", *COLUMNS, "paper_share", "ours_share"]]


def headline_markdown(table: pd.DataFrame) -> str:
    """The table as a Markdown pipe table with the human column labels (no trailing newline)."""
    shown = table[list(COLUMNS)].rename(columns=COLUMNS)
    lines = ["| " + " | ".join(shown.columns) + " |", "|" + "---|" * len(shown.columns)]
    for row in shown.itertuples(index=False):
        cells = [str(v).replace("|", "\\|") for v in row]
        cells[-1] = f"**{cells[-1]}**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def readme_block(table: pd.DataFrame) -> str:
    """What goes between the README's markers: the table and where it comes from."""
    return (f"{headline_markdown(table)}\n\n"
            "Built from `book/results/*.csv` by `make headline`;"
            " the verdict rule is in `helpers/book/headline.py`, the reasoning in the book's Verdict"
            " chapter.")


def replace_block(text: str, block: str, *, start: str = START, end: str = END) -> str:
    """``text`` with everything between the markers ``start`` and ``end`` replaced by ``block``.

    Raises
    ------
    ValueError
        If the markers are missing, repeated or in the wrong order.
    """
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"expected one {start} followed by one {end}")
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), flags=re.S)
    return pattern.sub(lambda _: f"{start}\n{block}\n{end}", text)


def update_readme(path: Path = README, results: Path = RESULTS) -> bool:
    """Rewrite the headline block of ``path`` from ``results``; return whether the file changed."""
    old = path.read_text(encoding="utf-8")
    new = replace_block(old, readme_block(headline_table(results)))
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old


def write_headline(table: pd.DataFrame, include: Path | None = None) -> tuple[Path, Path]:
    """Write ``headline.csv`` and the Markdown copy the introduction includes.

    In the build they go to ``book/results/`` and ``book/_headline.md``; elsewhere both go to
    ``scratch/`` (see :func:`~helpers.book.output.output_dirs`), leaving the book's copy alone.
    """
    csv = write_table(table, "headline")
    if include is None:
        include = INCLUDE if in_build() else csv.parent.parent / INCLUDE.name
    include.write_text(headline_markdown(table) + "\n", encoding="utf-8")
    return csv, include
