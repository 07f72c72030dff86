"""Run the book's chain, re-running a step only when a hash of its inputs changed.

Steps: fetch and verify ``data/raw/`` -> build ``data/derived/`` -> execute each chapter
(``notebooks/NN_*.md`` -> jupytext -> papermill -> ``book/NN_*.ipynb``) -> ``jupyter-book build``.
Each step keeps a stamp (the sha256 of its inputs) in ``book/.stamps/``; a step whose stamp
matches and whose outputs exist is skipped, so a rebuild with nothing changed takes seconds.

Usage: ``python -m helpers.build.pipeline [--force] [--only NAME ...] [--no-html] [--bench]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from helpers.data import fetch
from helpers.paths import BOOK, DERIVED, NOTEBOOKS, ROOT

STAMPS = BOOK / ".stamps"
HTML = ROOT / "_build" / "html"
MATHJAX_SRC = ROOT / "node_modules" / "mathjax" / "es5"
MATHJAX_DST = ROOT / "_vendor" / "mathjax"
# Everything a chapter's result can depend on besides its own text and parameters.
SHARED_INPUTS = ("helpers/**/*.py", "data/paper/*", "data/sources.csv", "requirements.lock")


def _files(patterns: Iterable[str]) -> list[Path]:
    out: set[Path] = set()
    for pattern in patterns:
        out.update(p for p in ROOT.glob(pattern) if p.is_file())
    return sorted(out)


def digest(files: Iterable[Path], extra: object = None) -> str:
    """sha256 over the relative names and contents of ``files`` plus a JSON-able ``extra``."""
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _fresh(name: str, key: str, outputs: Iterable[Path]) -> bool:
    stamp = STAMPS / f"{name}.sha256"
    return stamp.is_file() and stamp.read_text() == key and all(p.exists() for p in outputs)


def _stamp(name: str, key: str) -> None:
    STAMPS.mkdir(parents=True, exist_ok=True)
    (STAMPS / f"{name}.sha256").write_text(key)


def _spec() -> dict:
    return yaml.safe_load((NOTEBOOKS / "pipeline.yml").read_text(encoding="utf-8"))


def chapters() -> list[dict]:
    """The chapters listed in ``notebooks/pipeline.yml`` whose source exists, in order."""
    return [c for c in _spec()["chapters"] if (NOTEBOOKS / f"{c['name']}.md").is_file()]


def data_forks() -> dict:
    """The data forks of ``notebooks/pipeline.yml`` that ``data/derived/panel.csv`` is built with."""
    return dict(_spec().get("data") or {})


def step_data(force: bool) -> bool:
    """Fetch raw files (always verified) and rebuild ``data/derived/`` if its inputs changed."""
    fetch.fetch_all()
    try:
        import helpers.data  # noqa: F401  (absent until the data layer exists)
    except ImportError:
        return False
    forks = data_forks()
    key = digest(_files(SHARED_INPUTS), forks)
    outputs = [DERIVED / "panel.csv"]
    if not force and _fresh("data", key, outputs):
        return False
    subprocess.run([sys.executable, "-m", "helpers.data", "--forks", json.dumps(forks)], cwd=ROOT, check=True)
    _stamp("data", key)
    return True


def chapter_key(chapter: dict) -> str:
    """The input hash of one chapter: its text, its parameters and the shared inputs."""
    src = NOTEBOOKS / f"{chapter['name']}.md"
    return digest([src, *_files(SHARED_INPUTS), *_files(["data/derived/*.csv"])], chapter.get("parameters"))


def run_chapter(chapter: dict) -> float:
    """Execute one chapter into ``book/``; return its wall time in seconds."""
    import jupytext

    name = chapter["name"]
    start = time.perf_counter()
    nb = jupytext.read(NOTEBOOKS / f"{name}.md")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    for i, cell in enumerate(nb.cells):  # jupytext draws random ids; fixed ones keep the output stable
        cell.id = f"cell-{i}"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{name}.ipynb"
        params = Path(tmp) / "parameters.yml"
        jupytext.write(nb, src)
        params.write_text(yaml.safe_dump(chapter.get("parameters") or {}))
        out = BOOK / f"{name}.ipynb"
        cmd = [sys.executable, "-m", "papermill", str(src), str(out), "-f", str(params),
               "--cwd", str(ROOT), "-k", "python3", "--no-progress-bar", "--log-level", "WARNING"]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-25:])
            raise RuntimeError(f"chapter {name} failed to execute (see {out}):\n{tail}")
    strip_run_metadata(out)
    return time.perf_counter() - start


def strip_run_metadata(path: Path) -> None:
    """Drop timestamps, durations and temporary paths that papermill and nbclient record.

    Without them an executed notebook is a function of its inputs, so re-running an
    unchanged chapter leaves the HTML build's inputs, and so the build, untouched.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("papermill", None)
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        meta.pop("papermill", None)
        meta.pop("execution", None)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def vendor_mathjax() -> None:
    """Copy the parts of the npm ``mathjax`` package the book needs into ``_vendor/``."""
    if (MATHJAX_DST / "tex-chtml-full.js").is_file():
        return
    if not MATHJAX_SRC.is_dir():
        raise RuntimeError("node_modules/mathjax is missing: run `npm ci` (make does this)")
    shutil.rmtree(MATHJAX_DST, ignore_errors=True)
    MATHJAX_DST.mkdir(parents=True)
    shutil.copy2(MATHJAX_SRC / "tex-chtml-full.js", MATHJAX_DST / "tex-chtml-full.js")
    shutil.copytree(MATHJAX_SRC / "output" / "chtml" / "fonts", MATHJAX_DST / "output" / "chtml" / "fonts")


def step_html(force: bool) -> bool:
    """Run ``jupyter-book build`` (warnings are errors) if any page, figure or config changed."""
    vendor_mathjax()
    pages = _files(["_config.yml", "_toc.yml", "book/*.md", "book/*.ipynb", "book/*.bib", "book/figures/*",
                    "book/static/*"])
    key = digest(pages)
    if not force and _fresh("html", key, [HTML / "index.html"]):
        return False
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "-W", "--keep-going"]
    if force:
        cmd.append("--all")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise RuntimeError(f"jupyter-book build failed:\n{tail}")
    _stamp("html", key)
    return True


def _timed(step, force: bool) -> float:
    """Wall time of ``step(force)`` if it did any work, else 0."""
    start = time.perf_counter()
    return time.perf_counter() - start if step(force) else 0.0


def run(force: bool = False, only: list[str] | None = None, html: bool = True) -> dict[str, float]:
    """Run the chain; return the wall time of every step that ran (skipped steps give 0)."""
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    times["data"] = _timed(step_data, force)
    todo = [c for c in chapters() if not only or c["name"] in only]
    stale = [c for c in todo if force or not _fresh(c["name"], chapter_key(c), [BOOK / f"{c['name']}.ipynb"])]
    for c in todo:
        times[c["name"]] = 0.0
    # Two cores: two kernels at a time; chapters do not depend on each other.
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        for c, secs in zip(stale, pool.map(run_chapter, stale), strict=True):
            times[c["name"]] = secs
            _stamp(c["name"], chapter_key(c))
    if html:
        times["html"] = _timed(step_html, force)
    times["total"] = time.perf_counter() - t0
    return times


def _report(title: str, times: dict[str, float]) -> None:
    print(title)
    for step, secs in times.items():
        shown = f"{secs:7.1f} s" if secs else "  skipped"
        print(f"  {step:<16}{shown}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="re-run every step")
    ap.add_argument("--only", nargs="*", help="chapters to run (default: all)")
    ap.add_argument("--no-html", action="store_true", help="skip the jupyter-book build")
    ap.add_argument("--bench", action="store_true", help="time a full run, then a no-change rebuild")
    args = ap.parse_args(argv)
    try:
        if args.bench:
            _report("full run (every step forced):", run(force=True))
            _report("rebuild with nothing changed:", run())
        else:
            _report("book:", run(force=args.force, only=args.only, html=not args.no_html))
    except (RuntimeError, fetch.FetchError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
