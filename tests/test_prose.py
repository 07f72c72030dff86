"""The prose stays true: claims are checked, numbers are glued, words are not.

The executed chapters in ``book/`` come from the default build (the ``built`` fixture of
``test_book.py`` runs first in the same session; here the chain is run again, which is a no-op when
nothing changed). Builds under other data choices and with a planted false claim run in a copy of
the repository, so the real ``book/`` is never touched.
"""

from __future__ import annotations

import json
import re

import pytest
from repo_copy import build_copy, copy_repository

from helpers.book.claims import BOX_TITLE
from helpers.build import pipeline
from helpers.paths import BOOK, ROOT

GLUE_ROLE = re.compile(r"\{glue:text\}`([^`:]+)(?::[^`]*)?`")
MAX_GLUED_STRINGS = 15


@pytest.fixture(scope="module")
def executed() -> dict[str, dict]:
    pipeline.run(html=False)
    return {c["name"]: json.loads((BOOK / f"{c['name']}.ipynb").read_text(encoding="utf-8"))
            for c in pipeline.chapters()}


def glued(nb: dict) -> dict[str, str]:
    """``{name: text/plain of the value}`` for every glue output of an executed notebook."""
    out = {}
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get("scrapbook")
            if meta:
                out[meta["name"]] = "".join(o["data"].get(meta.get("mime_prefix", "") + "text/plain", ""))
    return out


def roles(nb: dict) -> set[str]:
    return {m for cell in nb["cells"] if cell["cell_type"] == "markdown"
            for m in GLUE_ROLE.findall("".join(cell["source"]))}


def test_every_glue_role_has_a_value_and_every_value_is_used(executed):
    for name, nb in executed.items():
        values, used = glued(nb), roles(nb)
        assert not used - set(values), f"{name}: glue roles without a value: {sorted(used - set(values))}"
        assert not set(values) - used, f"{name}: glued but never used: {sorted(set(values) - used)}"


def test_numbers_are_glued_not_words(executed):
    strings = {f"{name}:{k}": v for name, nb in executed.items() for k, v in glued(nb).items()
               if v[:1] in "'\""}
    assert len(strings) <= MAX_GLUED_STRINGS, f"{len(strings)} glued strings: {sorted(strings)}"


def test_no_what_changes_box_under_the_default_choices(executed):
    for name, nb in executed.items():
        assert BOX_TITLE not in json.dumps(nb), f"{name} shows the what-changes box under the defaults"


def test_prose_has_one_sentence_per_line():
    # a full stop followed by a capital on the same line means two sentences on one line
    two = re.compile(r"[a-z0-9)\]`*][.?!] +[A-Z][a-z]")
    for src in sorted((ROOT / "notebooks").glob("*.md")):
        in_code = False
        for i, line in enumerate(src.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith("```"):
                in_code = line.startswith("```{code-cell}") or (in_code and line != "```")
                continue
            if in_code or line.startswith(("|", ":", "#")):
                continue
            text = re.sub(r"`[^`]*`|\$[^$]*\$|\(e\.g\.|i\.e\.|e\.g\.|et al\.|vs\.|cf\.|Fig\.|No\.", "", line)
            assert not two.search(text), f"{src.name}:{i}: two sentences on one line: {line.strip()[:80]}"


SAVED_FIGURE = re.compile(r'save_(?:figure|and_show)\(.*?"([a-z0-9_]+)"\)')
FIGURE_LINK = re.compile(r"\{download\}`(PNG|SVG) <figures/([a-z0-9_]+)\.(png|svg)>`")


def test_every_figure_has_its_png_and_svg_links_on_the_page():
    for src in sorted((ROOT / "notebooks").glob("[0-9]*.md")):
        text = src.read_text(encoding="utf-8")
        saved = set(SAVED_FIGURE.findall(text))
        links = {(name, ext) for label, name, ext in FIGURE_LINK.findall(text) if label.lower() == ext}
        missing = sorted(f"{n}.{e}" for n in saved for e in ("png", "svg") if (n, e) not in links)
        assert not missing, f"{src.name}: figures without a download link: {missing}"
        dangling = sorted({n for n, _ in links} - saved)
        assert not dangling, f"{src.name}: links to figures the chapter does not save: {dangling}"


#: every chapter that reads the panel or takes the data choices as parameters (the data chapter)
DATA_CHAPTERS = [c["name"] for c in pipeline.chapters()
                 if pipeline.reads_panel(c["name"]) or c.get("parameters")]


# The first choice set builds every chapter that reads the data; the second, to keep the suite short,
# the two chapters its choices move most (DE's composition and the mediator).
@pytest.mark.parametrize(("choices", "chapters"), [
    ({"gdp_vintage": ("first_published", "revised")}, DATA_CHAPTERS),
    ({"de_composition": ("pku", "table1_2013"), "ti": ("rd_intensity", "patents_per_10k")},
     ["03_baseline", "05_mechanism"]),
], ids=["revised-gdp", "table1-de-patents-ti"])
def test_other_data_choices_build_and_say_what_changes(tmp_path, choices, chapters):
    repo = tmp_path
    copy_repository(repo)
    spec = (repo / "notebooks" / "pipeline.yml").read_text(encoding="utf-8")
    for key, (old, new) in choices.items():
        assert f"{key}: {old}" in spec, f"pipeline.yml no longer has {key}: {old}"
        spec = spec.replace(f"{key}: {old}", f"{key}: {new}", 1)
    # the Monte Carlo studies do not read the data: smaller ones keep the suite short
    for name, small in {"06_beyond": "{size_reps: 200, nickell_reps: 200}", "07_lab": "{reps: 200}"}.items():
        default = f"- name: {name}\n    parameters: {{}}"
        assert default in spec, f"pipeline.yml gives {name} parameters"
        spec = spec.replace(default, f"- name: {name}\n    parameters: {small}")
    (repo / "notebooks" / "pipeline.yml").write_text(spec, encoding="utf-8")
    proc = build_copy(repo, "--no-html", "--only", *chapters)
    assert proc.returncode == 0, proc.stderr[-3000:]
    forks = json.loads((repo / "data" / "derived" / "panel_forks.json").read_text())
    assert all(forks[k] == new for k, (_, new) in choices.items())
    boxes = {}
    for name in chapters:
        text = (repo / "book" / f"{name}.ipynb").read_text(encoding="utf-8")
        if BOX_TITLE in text:
            boxes[name] = text.count("<li>")
    assert boxes and max(boxes.values()) >= 1, f"no chapter says what changes under {choices}"


def test_a_false_claim_stops_the_build_with_one_line(tmp_path):
    repo = tmp_path
    copy_repository(repo)
    chapter = repo / "notebooks" / "01_audit.md"
    planted = "the audit finds no impossible number"
    chapter.write_text(chapter.read_text(encoding="utf-8") + (
        "\n```{code-cell} ipython3\n:tags: [remove-cell]\n"
        f"claims.check({planted!r}, False, impossible=12)\n```\n"), encoding="utf-8")
    proc = build_copy(repo, "--no-html", "--only", "01_audit")
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and planted in lines[0] and "01_audit" in lines[0], proc.stderr[-2000:]
    assert not (repo / "book" / "01_audit.ipynb").exists(), "a failed chapter was published"
