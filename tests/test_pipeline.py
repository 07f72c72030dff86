"""The build chain's change detection: a step re-runs exactly when one of its inputs changed."""

import json

import pytest

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


def test_strip_run_metadata_numbers_the_cells(tmp_path):
    """papermill gives its injected-parameters cell a random id: numbered ids make runs byte-identical."""
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"id": "f3a9c2", "metadata": {"tags": ["injected-parameters"]}, "source": ""},
                    {"id": "cell-0", "metadata": {}, "source": ""}]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    pipeline.strip_run_metadata(path)
    assert [c["id"] for c in json.loads(path.read_text())["cells"]] == ["cell-0", "cell-1"]


def _params(chapter: str, params: str) -> tuple[str, str]:
    """The (old, new) lines of pipeline.yml giving ``chapter`` the parameters ``params``."""
    return f"  - name: {chapter}\n    parameters: {{}}", f"  - name: {chapter}\n    parameters: {params}"


SPEC_FAULTS = {
    "yaml": ("  ti: rd_intensity", "  ti: [rd_intensity", "line 11, column 3: invalid YAML"),
    "interpolate": ("interpolate: []", "interpolate: pop", "line 14: data: interpolate must be a list"),
    "shift": ("shift: 0.0001", "shift: abc", "line 15: data: shift must be a number"),
    "shift range": ("shift: 0.0001", "shift: 2", "line 15: data: shift must lie in [0, 1]"),
    "fork": ("  ti: rd_intensity", "  tii: rd_intensity", "unknown fork(s) ['tii']"),
    "choice": ("ti: rd_intensity", "ti: rd", "ti must be one of"),
    "chapter": ("name: 04_robustness", "name: 04_robustnes", "unknown chapter '04_robustnes'"),
    "seed": (*_params("03_baseline", "{seed: x}"),
             "chapter 03_baseline: parameter 'seed' must be an integer like its default 20240101; got a str"),
    "level": (*_params("05_mechanism", "{level: 1.5}"), "parameter 'level' must lie in [0, 1]"),
    "draws": (*_params("06_beyond", "{draws: -3}"), "parameter 'draws' must be non-negative"),
    "choice of a string": (*_params("03_baseline", "{small_sample: stat}"),
                           "parameter 'small_sample' must be one of stata, lsdv, none"),
    "misspelt parameter": (*_params("06_beyond", "{seeds: 1}"), "no parameter 'seeds'"),
    "list element": (*_params("04_robustness", "{controls: [gov, 3]}"),
                     "parameter 'controls': every element must be a string"),
}


@pytest.mark.parametrize("fault", SPEC_FAULTS)
def test_a_bad_pipeline_yml_gives_one_line_naming_file_and_line(fault, tmp_path):
    old, new, expected = SPEC_FAULTS[fault]
    text = pipeline.SPEC.read_text()
    assert old in text, f"pipeline.yml no longer has {old!r}"
    path = tmp_path / "pipeline.yml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(pipeline.BuildError) as err:
        pipeline.load_spec(path)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(f"{path}, line ") and expected in msg, msg


def test_claims_are_strict_only_with_default_forks_and_default_parameters(tmp_path):
    spec = pipeline.load_spec()
    assert {c["claims"] for c in spec["chapters"]} == {"strict"}
    text = pipeline.SPEC.read_text()
    path = tmp_path / "pipeline.yml"
    path.write_text(text.replace("  - name: 06_beyond\n    parameters: {}",
                                 "  - name: 06_beyond\n    parameters: {draws: 99}"))
    modes = {c["name"]: c["claims"] for c in pipeline.load_spec(path)["chapters"]}
    assert modes["06_beyond"] == "lenient" and modes["02_data"] == modes["03_baseline"] == "strict"
    path.write_text(text.replace("ti: rd_intensity", "ti: patents_per_10k"))
    assert {c["claims"] for c in pipeline.load_spec(path)["chapters"]} == {"lenient"}


def test_a_chapter_reads_the_panel_only_if_its_code_loads_it():
    inputs = {c["name"]: {p.relative_to(pipeline.ROOT).as_posix() for p in pipeline.chapter_inputs(c["name"])}
              for c in pipeline.chapters()}
    # the audit reads data/paper only
    assert not any(p.startswith("data/derived/") for p in inputs["01_audit"])
    assert "data/derived/panel.csv" in inputs["03_baseline"]
    assert "data/sources.csv" in inputs["02_data"]  # builds from the raw files the manifest pins
    assert "notebooks/03_baseline.md" not in inputs["01_audit"]
    assert "helpers/build/pipeline.py" not in inputs["06_beyond"]


def test_the_verdict_reads_the_other_chapters_results_and_runs_after_them():
    readers = [c["name"] for c in pipeline.chapters() if pipeline.reads_results(c["name"])]
    assert readers == ["08_verdict"]
    inputs = {p.relative_to(pipeline.ROOT).as_posix() for p in pipeline.chapter_inputs("08_verdict")}
    # a changed Table 3 makes the verdict stale
    assert {"book/results/table3_h1.csv", "book/results/multiverse.csv"} <= inputs


def test_helper_closure_follows_packages_submodules_and_relative_imports(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "ROOT", tmp_path)
    files = {
        "helpers/__init__.py": "",
        "helpers/paths.py": "",
        "helpers/low/__init__.py": "from helpers.low.a import f\n",
        "helpers/low/a.py": "from . import b\n",
        "helpers/low/b.py": "from helpers.paths import X\n",
        "helpers/low/unused.py": "",
        "helpers/high/__init__.py": "",
        "helpers/high/c.py": "def g():\n    from helpers.low import f\n",
        "helpers/high/d.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    got = {p.relative_to(tmp_path).as_posix() for p in pipeline.helper_closure(["helpers.high.c"])}
    assert got == {"helpers/__init__.py", "helpers/high/__init__.py", "helpers/high/c.py",
                   "helpers/low/__init__.py", "helpers/low/a.py", "helpers/low/b.py", "helpers/paths.py"}


def test_a_failed_chapter_is_named_by_its_exception(tmp_path):
    claim = "03_baseline: claim false under the default data choices: 'DE is positive'"
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "error", "ename": "ClaimError", "evalue": claim, "traceback": []}]}]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    assert pipeline._exception_line(path, "") == ("ClaimError", claim)
    log = "Traceback (most recent call last):\n  ...\npapermill.exceptions.PapermillExecutionError: boom\n"
    assert pipeline._exception_line(tmp_path / "absent.ipynb", log) == ("PapermillExecutionError", "boom")


def test_a_second_build_waits_for_the_lock_saying_so_in_one_line(tmp_path, capfd):
    import subprocess
    import sys
    import time

    lock = tmp_path / ".lock"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, sys, time\n"
        f"fh = open({str(lock)!r}, 'w'); fcntl.flock(fh, fcntl.LOCK_EX); fh.write('4242'); fh.flush()\n"
        "print('locked', flush=True); time.sleep(1.5)\n")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    start = time.monotonic()
    with pipeline.build_lock(lock):
        waited = time.monotonic() - start
    holder.wait()
    err = capfd.readouterr().err
    assert waited > 0.5 and err.count("\n") == 1 and "waiting for the build already running (pid 4242)" in err


def test_stop_children_stops_a_process_and_the_kernel_it_started_in_its_own_session():
    import sys
    import threading
    import time

    import psutil

    # like papermill, which starts each kernel with start_new_session=True
    code = ("import subprocess, sys, time\n"
            "sleep = [sys.executable, '-c', 'import time; time.sleep(60)']\n"
            "subprocess.Popen(sleep, start_new_session=True)\n"
            "time.sleep(60)\n")
    errors = []
    thread = threading.Thread(target=lambda: errors.append(
        pytest.raises(pipeline.Interrupted, pipeline._spawn_and_wait, [sys.executable, "-c", code])))
    pipeline._stopping.clear()
    thread.start()
    deadline = time.monotonic() + 20
    while not pipeline._children or not psutil.Process(next(iter(pipeline._children))).children():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    family = [psutil.Process(next(iter(pipeline._children)))]
    family += family[0].children(recursive=True)
    pipeline.stop_children(grace=2)
    thread.join(10)
    pipeline._stopping.clear()
    _, alive = psutil.wait_procs(family, timeout=5)
    assert not alive and errors


@pytest.fixture(scope="module")
def fork_server():
    """A fork server on its own socket, as the build starts one; its address and its process."""
    import socket
    import subprocess
    import sys

    from helpers.build import zygote

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    address = zygote.new_address()
    listener.bind(zygote.sockaddr(address))
    listener.listen(4)
    server = subprocess.Popen([sys.executable, "-m", "helpers.build.zygote", "serve", str(listener.fileno())],
                              cwd=pipeline.ROOT, pass_fds=[listener.fileno()])
    listener.close()
    yield address, server
    server.terminate()
    assert server.wait(timeout=10) == 0


def _launcher(address: str) -> list[str]:
    import sys

    from helpers.build import zygote

    return [sys.executable, zygote.__file__, "launch", address, "papermill"]


def test_the_fork_server_passes_streams_exit_status_and_directory_through(tmp_path, fork_server):
    """A forked papermill writes to its launcher's streams and exits with its own status."""
    import subprocess

    launch = _launcher(fork_server[0])
    ok = subprocess.run([*launch, "--version"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "papermill" in ok.stdout, ok
    # run from tmp_path: a relative input path must be read there
    (tmp_path / "empty.ipynb").write_text("not a notebook")
    bad = subprocess.run([*launch, "empty.ipynb", "out.ipynb"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode != 0 and "not a notebook" not in bad.stdout, bad
    assert "No such file" not in bad.stderr  # found in the launcher's directory
    assert not (tmp_path / "out.ipynb").exists()


def test_a_malformed_request_is_refused_and_the_server_goes_on(fork_server):
    import socket
    import subprocess

    from helpers.build import zygote

    for message in (b'{"kind": "papermill"}\n', b"[1, 2]\n", b"not json\n"):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(zygote.sockaddr(fork_server[0]))
            socket.send_fds(sock, [message], [0, 1, 2])
            assert b"error" in sock.recv(4096)
    ok = subprocess.run([*_launcher(fork_server[0]), "--version"], capture_output=True, text=True,
                        timeout=120)
    assert ok.returncode == 0 and fork_server[1].poll() is None, ok


def test_a_forked_child_dies_with_whatever_started_its_launcher(fork_server):
    """papermill, reading its notebook from a pipe nobody writes to, waits until it is killed."""
    import os
    import subprocess
    import time

    import psutil

    read_end, write_end = os.pipe()
    shell = subprocess.Popen(["sh", "-c", '"$0" "$@" & wait', *_launcher(fork_server[0]), "-", "out.ipynb"],
                             stdin=read_end, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(read_end)
    server = psutil.Process(fork_server[1].pid)
    deadline = time.monotonic() + 60
    while not server.children():
        assert time.monotonic() < deadline, "no child forked"
        time.sleep(0.1)
    shell.kill()
    shell.wait()
    deadline = time.monotonic() + 10
    while [c for c in server.children() if c.status() != psutil.STATUS_ZOMBIE]:
        assert time.monotonic() < deadline, "the forked papermill outlived its launcher's parent"
        time.sleep(0.1)
    os.close(write_end)
