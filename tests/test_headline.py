"""The headline answer: its verdict rule, the table built from results, and the README's fresh copy."""

import shutil

import pandas as pd
import pytest

from helpers.book.headline import (
    COLUMNS,
    END,
    README,
    START,
    VERDICTS,
    audit_verdict,
    headline_markdown,
    headline_table,
    readme_block,
    replace_block,
    replication_verdict,
)
from helpers.paths import RESULTS


@pytest.mark.parametrize(("paper", "ours", "expected"), [
    (1.0, 1.0, "replicated"),        # both significant
    (1.0, 0.0, "not replicated"),    # the paper's claim is significant, ours is not
    (0.0, 0.0, "replicated"),        # neither is: they agree
    (0.0, 1.0, "not replicated"),    # we find what the paper does not
    (1.0, 0.5, "replicated"),        # half of our estimates back it: a majority
    (1.0, 0.05, "not replicated"),   # no more than chance
    (1.0, 0.2, "mixed"),             # in between
    (0.2, 1.0, "mixed"),             # the paper's own numbers are split
])
def test_replication_verdict(paper, ours, expected):
    assert replication_verdict(paper, ours) == expected
    assert expected in VERDICTS


def test_replication_verdict_rejects_a_share_outside_the_unit_interval():
    with pytest.raises(ValueError, match="share"):
        replication_verdict(1.0, 1.5)


@pytest.mark.parametrize(("impossible", "inconsistent", "expected"), [
    (0, 0, "passes audit"), (0, 3, "questioned"), (1, 0, "fails audit"), (2, 5, "fails audit")])
def test_audit_verdict(impossible, inconsistent, expected):
    assert audit_verdict(impossible, inconsistent) == expected
    assert expected in VERDICTS


@pytest.fixture
def results(tmp_path):
    """A copy of the results CSVs the headline reads, for editing into constructed cases."""
    for name in ["table3_h1", "table3_vs_paper", "table4_vs_paper", "table5_h2", "table5_identity",
                 "table5_bootstrap_draws", "audit", "multiverse"]:
        shutil.copy(RESULTS / f"{name}.csv", tmp_path / f"{name}.csv")
    return tmp_path


def test_the_table_has_one_row_per_claim_and_a_verdict_from_the_vocabulary(results):
    table = headline_table(results)
    assert list(table["key"]) == ["h1", "table4", "h2", "audit", "multiverse"]
    assert set(COLUMNS) <= set(table.columns)
    assert table["verdict"].isin(VERDICTS).all()
    assert table[list(COLUMNS)].notna().all().all()


def test_constructed_results_that_agree_with_the_paper_give_replicated(results):
    h1 = pd.read_csv(results / "table3_h1.csv")
    h1["p_value"] = 0.001
    h1.to_csv(results / "table3_h1.csv", index=False)
    h2 = pd.read_csv(results / "table5_h2.csv")
    h2["p_value"] = 0.001
    h2.to_csv(results / "table5_h2.csv", index=False)
    t4 = pd.read_csv(results / "table4_vs_paper.csv")
    t4["ours"], t4["ours_stars"] = t4["paper"], 3
    t4.to_csv(results / "table4_vs_paper.csv", index=False)
    mv = pd.read_csv(results / "multiverse.csv")
    mv["positive_significant"] = True
    mv.to_csv(results / "multiverse.csv", index=False)
    audit = pd.read_csv(results / "audit.csv")
    audit["verdict"] = "ok"
    audit.to_csv(results / "audit.csv", index=False)
    verdicts = headline_table(results).set_index("key")["verdict"]
    assert verdicts.to_dict() == {"h1": "replicated", "table4": "replicated", "h2": "replicated",
                                  "audit": "passes audit", "multiverse": "replicated"}


def test_constructed_results_that_disagree_with_the_paper_give_not_replicated(results):
    h1 = pd.read_csv(results / "table3_h1.csv")
    h1.loc[h1["source"] == "ours", "p_value"] = 0.4
    h1.loc[h1["source"] == "paper", "p_value"] = 0.001
    h1.to_csv(results / "table3_h1.csv", index=False)
    mv = pd.read_csv(results / "multiverse.csv")
    mv["positive_significant"] = [i % 5 == 0 for i in range(len(mv))]  # a fifth: between chance and half
    mv.to_csv(results / "multiverse.csv", index=False)
    audit = pd.read_csv(results / "audit.csv")
    audit["verdict"] = ["inconsistent"] + ["ok"] * (len(audit) - 1)
    audit.to_csv(results / "audit.csv", index=False)
    verdicts = headline_table(results).set_index("key")["verdict"]
    assert verdicts["h1"] == "not replicated"
    assert verdicts["multiverse"] == "mixed"
    assert verdicts["audit"] == "questioned"


def test_the_markdown_table_has_the_human_labels_and_a_row_per_claim(results):
    text = headline_markdown(headline_table(results))
    lines = text.splitlines()
    assert lines[0] == "| " + " | ".join(COLUMNS.values()) + " |"
    assert len(lines) == 2 + 5


def test_replace_block_rewrites_only_between_the_markers():
    text = f"title\n\n{START}\nold\n{END}\n\nrest\n"
    assert replace_block(text, "new") == f"title\n\n{START}\nnew\n{END}\n\nrest\n"
    with pytest.raises(ValueError, match="expected one"):
        replace_block("no markers here", "new")


def test_the_readme_headline_is_fresh():
    """Fails when `make headline` would change README.md: re-run it and commit the result."""
    text = README.read_text(encoding="utf-8")
    fresh = replace_block(text, readme_block(headline_table(RESULTS)))
    assert text == fresh, "README.md's headline table is stale: run `make headline`"
    assert text.index(START) < text.index("## Two commands"), "the headline must open the README"
