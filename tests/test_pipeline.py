"""The build chain's change detection: a step re-runs exactly when one of its inputs changed."""

import json

from helpers.build import pipeline


def test_digest_changes_with_content_name_and_parameters(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "ROOT", tmp_path)
    a = tmp_path / "a.md"
    a.write_text("x = 1")
    base = pipeline.digest([a], {"seed": 1})
    assert pipeline.digest([a], {"seed": 1}) == base
    assert pipeline.digest([a], {"seed": 2}) != base
    a.write_text("x = 2")
    assert pipeline.digest([a], {"seed": 1}) != base
    b = tmp_path / "b.md"
    b.write_text("x = 1")
    a.write_text("x = 1")
    assert pipeline.digest([b], {"seed": 1}) != base  # same bytes under another name


def test_stamp_is_fresh_only_with_same_key_and_outputs(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "STAMPS", tmp_path / ".stamps")
    out = tmp_path / "out.ipynb"
    assert not pipeline._fresh("ch", "k1", [out])
    pipeline._stamp("ch", "k1")
    assert not pipeline._fresh("ch", "k1", [out])  # output missing
    out.write_text("{}")
    assert pipeline._fresh("ch", "k1", [out])
    assert not pipeline._fresh("ch", "k2", [out])


def test_strip_run_metadata_removes_timestamps_and_paths(tmp_path):
    nb = {
        "metadata": {"papermill": {"start_time": "2026-01-01", "input_path": "/tmp/x"}, "kernelspec": {}},
        "cells": [{"metadata": {"execution": {"iopub.execute_input": "t"}, "papermill": {"duration": 1},
                                "tags": ["parameters"]}, "source": "x = 1"}],
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    pipeline.strip_run_metadata(path)
    got = json.loads(path.read_text())
    assert "papermill" not in got["metadata"] and "kernelspec" in got["metadata"]
    assert got["cells"][0]["metadata"] == {"tags": ["parameters"]}


def test_chapters_follow_pipeline_yml_order():
    names = [c["name"] for c in pipeline.chapters()]
    assert names == sorted(names)
    assert all((pipeline.NOTEBOOKS / f"{n}.md").is_file() for n in names)


def test_data_forks_reach_the_panel_and_the_data_chapter():
    forks = pipeline.data_forks()
    from helpers.data.panel import FORK_DEFAULTS

    assert set(forks) <= set(FORK_DEFAULTS), "pipeline.yml names a fork build_panel does not know"
    data_chapter = next(c for c in pipeline.chapters() if c["name"] == "02_data")
    assert data_chapter["parameters"] == forks  # the YAML alias: one setting for panel and chapter


def test_a_bad_fork_stops_the_data_build_with_one_line(capsys):
    from helpers.data import panel as data

    assert data.main(["--forks", '{"gdp_vintage": "third"}']) == 1
    err = capsys.readouterr().err.strip()
    assert "gdp_vintage" in err and "\n" not in err
