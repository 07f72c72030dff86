"""Binder and Jupyter: postBuild, the default viewer, launch settings, first-use data, scratch outputs.

The launch buttons in built HTML are checked on the small book of ``test_build_faults.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.book import output
from helpers.build import launch
from helpers.data import fetch, panel
from helpers.paths import ROOT

MIRROR = Path(os.environ.get("DATA_MIRROR") or ROOT / "data" / "raw").resolve()
VIEWERS = {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def repository_files() -> list[str]:
    """Tracked files and new ones not yet committed (what a clone of this commit would hold)."""
    out = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard")
    return [f for f in out.splitlines() if (ROOT / f).is_file()]


# --------------------------------------------------------------------------- the default viewer


def test_the_default_viewer_setting_opens_markdown_notebooks_as_notebooks():
    settings = json.loads((ROOT / "jupyterlab-settings" / "overrides.json").read_text())
    assert settings["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"] == VIEWERS
    assert "jupyterlab-settings/overrides.json" in (ROOT / "postBuild").read_text()


# --------------------------------------------------------------------------- postBuild


def test_postbuild_in_a_fresh_copy_leaves_verified_data_a_panel_and_the_viewer_setting(tmp_path):
    """Binder's postBuild, run in a copy of the repository with a data mirror (its pip step skipped)."""
    repo = tmp_path / "repo"
    for name in repository_files():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    lab = tmp_path / "lab"
    settings = lab / "settings" / "overrides.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    env = {**os.environ, "DATA_MIRROR": str(MIRROR), "POSTBUILD_SKIP_INSTALL": "1",
           "JUPYTERLAB_DIR": str(lab), "PYTHONPATH": str(repo),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("BOOK_BUILD", None)
    proc = subprocess.run(["bash", str(repo / "postBuild")], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for src in fetch.read_manifest(repo / "data" / "sources.csv"):
        path = repo / "data" / "raw" / src.file
        assert path.is_file() and fetch.sha256_of(path) == src.sha256, src.file
    built = pd.read_csv(repo / "data" / "derived" / "panel.csv")
    assert len(built) == 330 and built[["province", "year"]].drop_duplicates().shape[0] == 330
    assert json.loads((repo / "data" / "derived" / "panel_forks.json").read_text())["ti"] == "rd_intensity"
    merged = json.loads(settings.read_text())
    assert merged["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"] == VIEWERS
    assert merged["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}  # kept


# --------------------------------------------------------------------------- launch settings


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/owner/book.git", "https://github.com/owner/book"),
    ("https://github.com/owner/book", "https://github.com/owner/book"),
    ("git@github.com:owner/my.book.git", "https://github.com/owner/my.book"),
    ("ssh://git@github.com/owner/book.git", "https://github.com/owner/book"),
    ("https://user:token@github.com/owner/book.git", None),  # credentials: never on a page
    ("https://gitlab.com/owner/book.git", None),
    ("/work/main", None),
    ("", None),
    (None, None),
])
def test_github_remotes_are_recognised(url, expected):
    assert launch.github_repository(url) == expected


def test_launch_settings_follow_the_origin_remote(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    assert launch.launch_config(repo) == {}  # no origin
    git(repo, "remote", "add", "origin", "/somewhere/local")
    assert launch.launch_config(repo) == {}  # not GitHub
    git(repo, "remote", "set-url", "origin", "git@github.com:someone/dd-book.git")
    config = launch.launch_config(repo)
    assert config["repository"] == {"url": "https://github.com/someone/dd-book", "branch": "main",
                                    "path_to_book": ""}
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["html"]["use_repository_button"] is True
    inner = repo / "copy"
    inner.mkdir()
    assert launch.launch_config(inner) == {}  # a folder inside another repository borrows nothing
    assert launch.launch_config(tmp_path / "nowhere") == {}


def test_the_generated_config_is_the_books_plus_the_launch_settings(tmp_path):
    extra = {"repository": {"url": "https://github.com/o/r", "branch": "main", "path_to_book": ""},
             "html": {"use_repository_button": True},
             "sphinx": {"extra_extensions": ["helpers.build.launch"]}}
    path = launch.write_config(extra, tmp_path / "_config.yml")
    ours, base = yaml.safe_load(path.read_text()), yaml.safe_load((ROOT / "_config.yml").read_text())
    assert ours["html"] == {**base["html"], "use_repository_button": True}
    assert ours["sphinx"]["config"] == base["sphinx"]["config"]
    assert "helpers.build.launch" in ours["sphinx"]["extra_extensions"]
    assert {k: v for k, v in ours.items() if k not in ("html", "sphinx", "repository")} == \
        {k: v for k, v in base.items() if k not in ("html", "sphinx")}


# --------------------------------------------------------------------------- data on first use


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True,
                          timeout=300)


def test_a_chapter_with_no_raw_data_fetches_it_on_first_use_saying_so(tmp_path):
    raw = tmp_path / "raw"
    proc = _python("from helpers.data import load_pku; print(len(load_pku()))",
                   DD_RAW_DIR=str(raw), DATA_MIRROR=str(MIRROR))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("data/raw lacks ") and "fetching" in lines[0], proc.stderr
    assert all((raw / s.file).is_file() for s in fetch.read_manifest())


def test_without_a_way_to_fetch_it_stops_with_one_line_saying_what_to_run(tmp_path):
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    proc = _python("from helpers.data import load_pku; load_pku()",
                   DD_RAW_DIR=str(tmp_path / "raw"), DATA_MIRROR=str(empty))
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("helpers.data.loaders.DataError: ") and "run `make data`" in last, proc.stderr


def test_a_missing_panel_is_built_with_the_books_data_choices(tmp_path, capsys):
    df = panel.load_panel(tmp_path / "panel.csv")
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is missing: building it" in err[0] and "pipeline.yml" in err[0]
    assert len(df) == 330
    assert json.loads((tmp_path / "panel_forks.json").read_text())["ti"] == panel.book_forks()["ti"]


# --------------------------------------------------------------------------- scratch outputs


@pytest.fixture
def folders(tmp_path, monkeypatch):
    book, scratch = tmp_path / "book", tmp_path / "scratch"
    monkeypatch.setattr(output, "RESULTS", book / "results")
    monkeypatch.setattr(output, "FIGURES", book / "figures")
    monkeypatch.setattr(output, "SCRATCH", scratch)
    monkeypatch.setattr(output, "_told_where", False)
    return book, scratch


def test_outside_the_build_tables_and_figures_go_to_scratch_saying_where_once(folders, monkeypatch, capsys):
    import matplotlib.pyplot as plt

    book, scratch = folders
    monkeypatch.delenv("BOOK_BUILD", raising=False)
    frame = pd.DataFrame({"a": [1.5]})
    assert output.write_table(frame, "t") == scratch / "results" / "t.csv"
    fig = plt.figure()
    png, svg = output.save_figure(fig, "f")
    plt.close(fig)
    assert png.parent == svg.parent == scratch / "figures"
    assert not book.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "scratch/results" in err[0] and "scratch/figures" in err[0]
    assert output.result_file("t.csv") == scratch / "results" / "t.csv"  # what a later chapter reads
    assert output.result_file("other.csv") == book / "results" / "other.csv"


def test_in_the_build_they_go_to_the_book(folders, monkeypatch, capsys):
    book, scratch = folders
    monkeypatch.setenv("BOOK_BUILD", "1")
    assert output.write_table(pd.DataFrame({"a": [1]}), "t") == book / "results" / "t.csv"
    assert not scratch.exists() and capsys.readouterr().err == ""


def test_scratch_is_git_ignored():
    assert "scratch/" in (ROOT / ".gitignore").read_text().splitlines()
