"""Fault injection on the build: what `make book` does when a chapter fails, is killed, or runs twice.

These tests build a small book in a temporary copy of the repository: the real helpers and
configuration, the real data step (``data/raw`` linked read-only), but two tiny chapters instead of
the six real ones, so that each build takes seconds. ``01_a`` imports only ``helpers.paths``;
``02_b`` also imports ``helpers.build.only_b``, a helper that exists only in the copy, and its
parameters can make it fail or sleep.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from helpers.paths import ROOT

FRONT_MATTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

CHAPTER_A = FRONT_MATTER + """
(chapter-a)=
# Chapter A

```{code-cell} ipython3
:tags: [parameters]
value = 1  # any integer
```

```{code-cell} ipython3
import os

from helpers.paths import RESULTS

RESULTS.mkdir(parents=True, exist_ok=True)
(RESULTS / "a.csv").write_text(f"value,claims\\n{value},{os.environ['BOOK_CLAIMS']}\\n")
print(value)
```
"""

CHAPTER_B = FRONT_MATTER + """
(chapter-b)=
# Chapter B

```{code-cell} ipython3
:tags: [parameters]
fail = False  # raise instead of finishing
sleep = 0.0  # seconds to wait before finishing
```

```{code-cell} ipython3
import time

from helpers.build.only_b import answer
from helpers.paths import RESULTS

RESULTS.mkdir(parents=True, exist_ok=True)
(RESULTS / "b-started.txt").write_text("started")
time.sleep(sleep)
if fail:
    raise ValueError("asked to fail")
(RESULTS / "b.csv").write_text(f"answer\\n{answer()}\\n")
print(answer())
```
"""

TOC = """\
format: jb-book
root: book/intro
parts:
  - caption: Chapters
    chapters:
      - file: book/01_a
      - file: book/02_b
"""

INTRO = "# A small book\n\nSee {ref}`chapter-a` and {ref}`chapter-b`.\n"


def spec(**b_params: object) -> str:
    params = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in b_params.items())
    return ("data:\n  gdp_vintage: first_published\n"
            "chapters:\n  - name: 01_a\n    parameters: {}\n"
            f"  - name: 02_b\n    parameters: {{{params}}}\n")


def build(repo: Path, *args: str, wait: bool = True, timeout: float = 240):
    """Run the pipeline in ``repo`` with the copy's helpers; the finished process, or the Popen."""
    env = {k: v for k, v in os.environ.items() if k != "DATA_MIRROR"}
    env["PYTHONPATH"] = str(repo)  # the copy's helpers, not the editable install's
    cmd = [sys.executable, "-m", "helpers.build.pipeline", *args]
    if not wait:
        return subprocess.Popen(cmd, cwd=repo, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, timeout=timeout)


def ran(proc) -> set[str]:
    """The steps a build's report shows as run (not skipped)."""
    out = proc.stdout if isinstance(proc.stdout, str) else ""
    return {line.split()[0] for line in out.splitlines()
            if line.startswith("  ") and not line.rstrip().endswith("skipped") and line.split()[0] != "total"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A small repository built once (with ``--bench build``, which is also tested here)."""
    repo = tmp_path_factory.mktemp("book")
    files = ["_config.yml", "pyproject.toml", "requirements.lock", "data/sources.csv", "book/references.bib"]
    for name in files:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    for folder in ["helpers", "data/paper", "book/static"]:
        shutil.copytree(ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "data" / "raw").symlink_to(ROOT / "data" / "raw", target_is_directory=True)
    (repo / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    (repo / "helpers" / "build" / "only_b.py").write_text('def answer() -> int:\n    return 42\n')
    (repo / "notebooks").mkdir()
    (repo / "notebooks" / "01_a.md").write_text(CHAPTER_A)
    (repo / "notebooks" / "02_b.md").write_text(CHAPTER_B)
    (repo / "notebooks" / "pipeline.yml").write_text(spec())
    (repo / "_toc.yml").write_text(TOC)
    (repo / "book" / "intro.md").write_text(INTRO)
    proc = build(repo, "--bench", "build")  # the multiverse's timing is make bench's own, on the real book
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "forced" in proc.stdout and "floor" in proc.stdout and "ratio" in proc.stdout, proc.stdout
    return repo


@pytest.fixture
def repo(template, tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(template, copy, symlinks=True)
    return copy


def test_bench_prints_forced_time_floor_and_ratio(template):
    """Checked by the template's build; here the HTML of both chapters is in place."""
    assert (template / "_build" / "html" / "book" / "02_b.html").is_file()


def test_claims_are_strict_under_the_default_data_choices(template):
    # 01_a runs with its defaults on the default panel; 02_b has parameters of its own
    assert (template / "book" / "results" / "a.csv").read_text() == "value,claims\n1,strict\n"


def test_launch_buttons_appear_when_origin_is_on_github_and_not_otherwise(repo):
    """The template is no git repository: no Binder button; a GitHub origin adds it, another host drops it."""
    page = repo / "_build" / "html" / "book" / "02_b.html"
    assert "mybinder.org" not in page.read_text() and "launch-buttons" not in page.read_text()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    git = ["git", "-C", str(repo), "remote"]
    subprocess.run([*git, "add", "origin", "git@github.com:example-org/dd-book.git"], check=True)
    proc = build(repo)
    assert proc.returncode == 0, proc.stderr
    assert "html" in ran(proc)  # the remote is an input of the HTML build
    html = page.read_text()
    # the Binder button opens the chapter's reviewed source, not the git-ignored executed notebook
    assert "https://mybinder.org/v2/gh/example-org/dd-book/main?urlpath=lab/tree/notebooks/02_b.md" in html
    assert 'href="https://github.com/example-org/dd-book"' in html  # the repository button
    subprocess.run([*git, "set-url", "origin", "https://gitlab.com/x/y.git"], check=True)
    proc = build(repo)
    assert proc.returncode == 0, proc.stderr
    assert "mybinder.org" not in page.read_text() and "github.com/example-org" not in page.read_text()


def test_a_failing_chapter_fails_every_build_and_is_not_published(repo):
    good = (repo / "book" / "02_b.ipynb").read_bytes()
    (repo / "notebooks" / "pipeline.yml").write_text(spec(fail=True))
    for _ in range(2):  # the failure persists: so does the build's
        proc = build(repo)
        assert proc.returncode == 1
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith("error: chapter 02_b: ValueError: asked to fail")
        assert "_build/failed/02_b" in lines[0]
        assert (repo / "book" / "02_b.ipynb").read_bytes() == good  # the last good notebook stays
        assert not (repo / "book" / ".stamps" / "02_b.sha256").exists()
    assert (repo / "_build" / "failed" / "02_b.ipynb").is_file()
    (repo / "notebooks" / "pipeline.yml").write_text(spec(fail=False))
    proc = build(repo, "--no-html")  # the chapter is what failed; the HTML has its own test
    assert proc.returncode == 0, proc.stderr
    assert "02_b" in ran(proc)  # same inputs as the last good run, re-executed all the same
    assert not (repo / "_build" / "failed" / "02_b.ipynb").exists()


def test_a_chapter_killed_mid_execution_stops_its_kernel_and_runs_again(repo):
    good = (repo / "book" / "02_b.ipynb").read_bytes()
    started = repo / "book" / "results" / "b-started.txt"
    started.unlink()
    (repo / "notebooks" / "pipeline.yml").write_text(spec(sleep=60))
    proc = build(repo, wait=False)
    deadline = time.monotonic() + 120
    while not started.exists():
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    family = psutil.Process(proc.pid).children(recursive=True)
    # a kernel forked by the build's fork server runs under a launcher ("zygote.py launch ... kernel")
    commands = [" ".join(p.cmdline()) for p in family]
    assert any("ipykernel" in c or ("zygote.py launch" in c and " kernel " in c) for c in commands), commands
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert err.strip().splitlines()[-1].startswith("interrupted (SIGTERM)")
    _, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, f"left running: {[p.cmdline() for p in alive]}"
    assert (repo / "book" / "02_b.ipynb").read_bytes() == good
    assert not list((repo / "_build").glob("partial/*"))
    (repo / "notebooks" / "pipeline.yml").write_text(spec())
    again = build(repo, "--no-html")
    assert again.returncode == 0, again.stderr
    assert "02_b" in ran(again)  # inputs equal to the last good run's, but its stamp was removed


def test_a_broken_reference_fails_every_build(repo):
    intro = repo / "book" / "intro.md"
    intro.write_text(INTRO + "\nAlso {ref}`no-such-label`.\n")
    for _ in range(2):
        proc = build(repo)
        assert proc.returncode == 1, proc.stdout
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: html:") and "no-such-label" in lines[0], lines
    intro.write_text(INTRO)
    assert build(repo).returncode == 0


def test_editing_a_helper_only_one_chapter_imports_re_runs_that_chapter_and_the_html(repo):
    (repo / "helpers" / "build" / "only_b.py").write_text('def answer() -> int:\n    return 43\n')
    proc = build(repo)
    assert proc.returncode == 0, proc.stderr
    assert ran(proc) == {"02_b", "html"}, proc.stdout
    assert (repo / "book" / "results" / "b.csv").read_text() == "answer\n43\n"


def test_two_builds_at_once_one_waits_and_both_succeed(repo):
    (repo / "book" / "01_a.ipynb").unlink()
    first = build(repo, "--no-html", wait=False)
    time.sleep(0.3)
    second = build(repo, "--no-html", wait=False)
    (_, err1), (_, err2) = first.communicate(timeout=240), second.communicate(timeout=240)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    waited = [e for e in (err1, err2) if "waiting for the build already running" in e]
    assert len(waited) == 1, (err1, err2)
    assert len(waited[0].strip().splitlines()) == 1


def test_two_fresh_copies_give_identical_bytes(repo, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(repo, other, symlinks=True)
    for copy in (repo, other):
        for p in [*copy.glob("book/*.ipynb"), *copy.glob("book/results/*"), *copy.glob("book/.stamps/0*")]:
            p.unlink()
    procs = [build(copy, "--no-html", wait=False) for copy in (repo, other)]
    for p in procs:
        _, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
    for pattern in ["book/*.ipynb", "book/results/*.csv"]:
        mine = sorted(p.relative_to(repo) for p in repo.glob(pattern))
        assert mine and mine == sorted(p.relative_to(other) for p in other.glob(pattern))
        for rel in mine:
            assert (repo / rel).read_bytes() == (other / rel).read_bytes(), rel


PROBE = FRONT_MATTER + """
# Probe

```{code-cell} ipython3
import os
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

print(sys.path[0] == os.getcwd(), os.environ["BOOK_CLAIMS"], os.environ["BOOK_BUILD"])
print([p for p in sys.path if p in ("", os.getcwd())], sys.argv[0].endswith("ipykernel_launcher.py"))
print(sorted(m for m in sys.modules if m.split(".")[0] == "helpers"))
print(get_ipython().history_manager.hist_file)
print(hash("probe"), sorted({"b", "a", "c"}), os.environ.get("OPENBLAS_NUM_THREADS"))
print(matplotlib.get_backend(), pd.get_option("display.max_columns"), pd.get_option("display.width"))
```

```{code-cell} ipython3
pd.DataFrame(np.arange(3 * 25).reshape(3, 25), columns=[f"column_{i}" for i in range(25)])
```

```{code-cell} ipython3
plt.plot([0, 1], [1, 0])
plt.show()
```

```{code-cell} ipython3
raise_here = False
1 / 0 if raise_here else "done"
```
"""


def test_a_chapter_forked_from_the_fork_server_equals_one_run_in_a_new_kernel(repo, monkeypatch):
    """The fork server imports the stack outside any kernel; nothing a chapter shows may change:
    not pandas' table width (decided at import), the backend, the hash seed, the claims mode, the
    working directory and sys.path, the modules already imported, where history is kept, an inline
    figure, the kernelspec written into the notebook."""
    (repo / "notebooks" / "03_probe.md").write_text(PROBE)
    (repo / "notebooks" / "pipeline.yml").write_text(spec() + "  - name: 03_probe\n    parameters: {}\n")
    notebook = repo / "book" / "03_probe.ipynb"
    outputs = {}
    for fork in ("0", "1"):
        monkeypatch.setenv("BOOK_FORK", fork)
        proc = build(repo, "--only", "03_probe", "--no-html", "--force")
        assert proc.returncode == 0, proc.stderr
        outputs[fork] = notebook.read_bytes()
    assert b"column_24" in outputs["1"] and b"image/png" in outputs["1"] and b":memory:" in outputs["1"]
    assert b'"name": "python3"' in outputs["1"] and b"(forked)" not in outputs["1"]
    assert outputs["0"] == outputs["1"]
