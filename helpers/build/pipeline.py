"""Run the book's chain, re-running a step only when a hash of what it reads changed.

Steps: fetch and verify ``data/raw/`` -> build ``data/derived/`` -> execute each chapter
(``notebooks/NN_*.md`` -> jupytext -> papermill -> ``book/NN_*.ipynb``) -> ``jupyter-book build``.
Each step keeps a stamp (the sha256 of its inputs) in ``book/.stamps/``; a step whose stamp
matches and whose outputs exist is skipped, so a rebuild with nothing changed takes seconds.

What a chapter reads, and so what re-runs it: its own text, its parameters and claims mode, the
helper modules it imports directly or through other helpers (the import closure, found with
``ast``), ``data/paper/*`` and ``requirements.lock``; ``data/derived/*`` when its code loads the
panel, ``data/sources.csv`` (which pins every raw file by sha256) when it builds from the raw files.

The promises a build keeps:

* nothing half-done is published: a chapter executes into ``_build/partial/`` and is moved into
  ``book/`` only on success; its stamp is removed before and written after; a failed chapter's
  notebook and log go to ``_build/failed/``; the HTML stamp is removed before each HTML build and
  the build always starts from a fresh Sphinx environment, so a warning can never be cached away;
* one build at a time: a lock on ``_build/.lock``; a second build waits, saying so in one line;
* SIGINT and SIGTERM stop papermill and every kernel it started, remove the temporaries and keep
  the last good outputs;
* every failure the user can cause or fix prints one line (``error: ...``).

Chapters are executed by papermill in a kernel, as in Jupyter, but both are forked from one fork
server per build (:mod:`helpers.build.zygote`) that has imported the scientific stack, instead of
each starting a new interpreter and importing it again; ``BOOK_FORK=0`` turns this off. A test
checks that a forked chapter's notebook is byte-identical to one executed in a new kernel.

Usage: ``python -m helpers.build.pipeline [--force] [--only NAME ...] [--no-html] [--bench] [--student]
[--data-only]`` (``--student`` also builds the student edition, without solutions, into
``_build/student/html``; ``--data-only`` only fetches the data and builds the panel, for Binder).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import fcntl
import functools
import hashlib
import io
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tokenize
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

import yaml

from helpers.build import launch, zygote
from helpers.data import fetch
from helpers.paths import BOOK, BUILD_VARIABLE, DERIVED, NOTEBOOKS, ROOT

STAMPS = BOOK / ".stamps"
BUILD = ROOT / "_build"
HTML = BUILD / "html"
STUDENT = BUILD / "student"
LOCK = BUILD / ".lock"
PARTIAL = BUILD / "partial"
FAILED = BUILD / "failed"
#: _config.yml plus the launch settings, when origin is a GitHub repository (helpers/build/launch.py)
LAUNCH_CONFIG = BUILD / "_config.launch.yml"
SPEC = NOTEBOOKS / "pipeline.yml"
#: WORKERS chapters share the cores already: a BLAS thread pool in each kernel only oversubscribes
#: them (06_beyond took 20-25 % longer with OpenBLAS's default threads beside another chapter)
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
MATHJAX_SRC = ROOT / "node_modules" / "mathjax" / "es5"
MATHJAX_DST = ROOT / "_vendor" / "mathjax"
#: kernels run at the same time: the machines have two cores and a chapter is mostly one-threaded
WORKERS = max(1, min(2, os.cpu_count() or 1))
#: the kernelspec of kernels forked by the build's fork server (helpers/build/zygote.py)
FORKED_KERNEL = "book-forked"
#: set to 0 to run each chapter in a new papermill process and a new kernel, as Jupyter does; the
#: fork server is used on Linux only (on macOS a process forked after loading Accelerate may crash)
FORK_VARIABLE = "BOOK_FORK"
_PARSE_LOCK = threading.Lock()


def _parse(source: str | bytes) -> ast.AST:
    """``ast.parse`` under a lock: CPython 3.11's parser is not thread-safe (chapter threads compute
    their stamps in parallel; two parses at once can fail with "AST constructor recursion depth
    mismatch")."""
    with _PARSE_LOCK:
        return ast.parse(source)


#: bump when the way a chapter is executed or its notebook written changes, to re-run every chapter
EXECUTION_FORMAT = 2
#: read by every chapter besides its helpers: the paper's numbers and the package versions
ALWAYS_READ = ("data/paper/*", "requirements.lock")
#: files a chapter reads when its code names one of the given helpers (names, not imports: every
#: chapter imports helpers.data through helpers.book, but only some load the panel)
READS_WHEN_NAMED: dict[str, tuple[str, ...]] = {
    "data/derived/*": ("load_panel", "current_forks", "PANEL_PATH", "INDICATORS_PATH", "FORKS_PATH",
                       "DERIVED"),
    "data/examples/*/*": ("EXAMPLES",),
    # the chapters' results: a chapter that reads them (the verdict) runs after all the others
    "book/results/*.csv": ("result_file", "headline_table"),
    "data/sources.csv": ("build_panel", "components", "indicators", "load_tidy", "load_all", "write_panel",
                         "MANIFEST", "RAW", "FILES_USED"),
}
#: the module that builds data/derived/ (its import closure is the data step's code)
DATA_MODULE = "helpers.data.panel"


class BuildError(RuntimeError):
    """A build step failed; the message is one line per failure, each naming what to fix."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached the build (``signum`` 0: a worker saw the build being stopped)."""

    def __init__(self, signum: int = 0) -> None:
        super().__init__(signum)
        self.signum = signum


# --------------------------------------------------------------------------- hashing and stamps


def _files(patterns: Iterable[str]) -> list[Path]:
    out: set[Path] = set()
    for pattern in patterns:
        out.update(p for p in ROOT.glob(pattern) if p.is_file() and not p.name.startswith("."))
    return sorted(out)


def digest(files: Iterable[Path], extra: object = None) -> str:
    """sha256 over the relative names and contents of ``files`` plus a JSON-able ``extra``.

    Parameters
    ----------
    files : iterable of Path
        Files under ``ROOT``; their order does not matter.
    extra : object, optional
        Anything JSON can write (parameters, fork values), hashed after the files.

    Returns
    -------
    str
        The hex digest.
    """
    h = hashlib.sha256()
    for f in sorted(set(files)):
        h.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _fresh(name: str, key: str, outputs: Iterable[Path]) -> bool:
    stamp = STAMPS / f"{name}.sha256"
    return stamp.is_file() and stamp.read_text() == key and all(p.exists() for p in outputs)


def _stamp(name: str, key: str) -> None:
    STAMPS.mkdir(parents=True, exist_ok=True)
    tmp = STAMPS / f".{name}.sha256.tmp"
    tmp.write_text(key)
    os.replace(tmp, STAMPS / f"{name}.sha256")


def _unstamp(name: str) -> None:
    (STAMPS / f"{name}.sha256").unlink(missing_ok=True)


# --------------------------------------------------------------------------- pipeline.yml


def _rel(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _node_line(node: yaml.Node | None, *path: object) -> int | None:
    """Line (1-based) of the YAML node reached by following ``path`` (mapping keys, list indices)."""
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return None
    return node.start_mark.line + 1 if node is not None else None


@functools.lru_cache(maxsize=16)
def _notebook_code(path: Path, mtime_ns: int) -> tuple[tuple[str, ...], str | None]:
    """The code cells of a MyST notebook and the source of its ``parameters`` cell (or None)."""
    import jupytext

    nb = jupytext.read(path)
    code = tuple(c.source for c in nb.cells if c.cell_type == "code")
    params = next((c.source for c in nb.cells
                   if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])), None)
    return code, params


def notebook_code(name: str) -> tuple[tuple[str, ...], str | None]:
    """The code cells of ``notebooks/<name>.md`` and the source of its ``parameters`` cell."""
    path = NOTEBOOKS / f"{name}.md"
    return _notebook_code(path, path.stat().st_mtime_ns)


def parameter_defaults(name: str) -> dict[str, tuple[object, list[str]]]:
    """The parameters of a chapter: name -> (default, allowed choices), from its ``parameters`` cell.

    The default is the literal assigned in the cell. The choices are the quoted strings of the
    comment on the same line when there are two or more and the default is among them (``grid =
    "full"  # "full" or "one_at_a_time"``); otherwise any value of the default's type is allowed.
    """
    _, src = notebook_code(name)
    if src is None:
        return {}
    comments: dict[int, str] = {}
    with contextlib.suppress(tokenize.TokenError, SyntaxError):
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string
    out: dict[str, tuple[object, list[str]]] = {}
    for stmt in _parse(src).body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            continue
        try:
            default = ast.literal_eval(stmt.value)
        except ValueError:
            default = ...  # not a literal: no check can be derived
        quoted = re.findall(r'"([^"]*)"', comments.get(stmt.end_lineno or stmt.lineno, ""))
        members = default if isinstance(default, list | tuple) else [default]
        choices = quoted if len(quoted) >= 2 and all(m in quoted for m in members) else []
        out[stmt.targets[0].id] = (default, choices)
    return out


def _type_name(value: object) -> str:
    """``a string``, ``an integer``: the YAML reader's name for the type of ``value``."""
    name = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list",
            dict: "mapping", type(None): "null"}.get(type(value), type(value).__name__)
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def check_parameter(name: str, value: object, default: object, choices: list[str]) -> str | None:
    """Why ``value`` cannot replace a parameter whose default is ``default``, or None if it can.

    The type must be the default's (an integer may stand for a float, a boolean for nothing
    else); lists are checked element by element. The range follows the default: a non-negative
    default stays non-negative, a fraction (a float in (0, 1)) stays in [0, 1]. A default of
    ``None`` (or one that is not a literal) accepts anything.

    Parameters
    ----------
    name : str
        The parameter, for the message.
    value, default : object
        The value from ``pipeline.yml`` and the default from the ``parameters`` cell.
    choices : list of str
        Allowed strings (for a string, or for each element of a list); empty for any.

    Returns
    -------
    str or None
        One line naming the parameter, or None.
    """
    if default is None or default is ...:
        return None
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and isinstance(default, int) and not isinstance(value, int):
            ok = False
    elif isinstance(default, list | tuple):
        ok = isinstance(value, list | tuple)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        return (f"parameter {name!r} must be {_type_name(default)} like its default {default!r}; "
                f"got {_type_name(value)} {value!r}")
    if isinstance(default, int | float) and not isinstance(default, bool):
        if not math.isfinite(value):  # type: ignore[arg-type]
            return f"parameter {name!r} must be finite; got {value!r}"
        if isinstance(default, float) and 0 < default < 1 and not 0 <= value <= 1:  # type: ignore[operator]
            return f"parameter {name!r} must lie in [0, 1] like its default {default!r}; got {value!r}"
        if default >= 0 and value < 0:  # type: ignore[operator]
            return f"parameter {name!r} must be non-negative like its default {default!r}; got {value!r}"
    members = list(value) if isinstance(value, list | tuple) else [value]
    if isinstance(default, list | tuple) and default:
        kind = type(default[0])
        wrong = [m for m in members
                 if not isinstance(m, kind) or isinstance(m, bool) != isinstance(default[0], bool)]
        if wrong:
            return f"parameter {name!r}: every element must be {_type_name(default[0])}; got {wrong[0]!r}"
    if choices:
        bad = [m for m in members if m not in choices]
        if bad:
            return f"parameter {name!r} must be one of {', '.join(choices)}; got {bad[0]!r}"
    return None


def _claims_mode(params: dict, forks_raw: dict, forks: dict) -> str:
    """``strict`` when the panel has the default forks and the chapter runs with its defaults.

    The data chapter's parameters are the forks themselves (a YAML alias), so it counts as
    running with its defaults when the forks are the defaults.
    """
    from helpers.data import FORK_DEFAULTS

    default_data = forks == FORK_DEFAULTS
    return "strict" if default_data and (not params or params == forks_raw) else "lenient"


def load_spec(path: Path | None = None) -> dict:
    """Read and validate ``notebooks/pipeline.yml``.

    Returns
    -------
    dict
        ``forks_raw`` (the ``data:`` section as written), ``forks`` (normalised, every fork), and
        ``chapters``: a list of ``{"name", "parameters", "claims"}`` in build order.

    Raises
    ------
    BuildError
        One line naming the file and line: a YAML syntax error, an unknown key, fork or chapter,
        a fork or parameter of the wrong type or out of range.
    """
    from helpers.data import check_forks

    path = path or SPEC
    where = _rel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BuildError(f"{where}: cannot read ({exc.strerror})") from None
    try:
        spec = yaml.safe_load(text)
        tree = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BuildError(f"{where}{at}: invalid YAML ({problem})") from None

    def fail(msg: str, *node_path: object) -> BuildError:
        line = _node_line(tree, *node_path)
        return BuildError(f"{where}{f', line {line}' if line else ''}: {msg}")

    if not isinstance(spec, dict):
        raise fail("expected a mapping with the keys data and chapters")
    unknown = sorted(set(spec) - {"data", "chapters"})
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}; expected data and chapters", unknown[0])
    forks_raw = spec.get("data") or {}
    try:
        forks = check_forks(forks_raw)
    except ValueError as exc:
        msg = str(exc)
        named = [k for k in (forks_raw if isinstance(forks_raw, dict) else {})
                 if msg.startswith((f"{k} ", f"{k}:")) or f"'{k}'" in msg.split(";")[0]]
        bad = named[0] if named else None
        raise fail(f"data: {exc}", "data", *([bad] if bad else [])) from None
    items = spec.get("chapters")
    if not isinstance(items, list) or not items:
        raise fail("chapters must be a non-empty list of {name, parameters}", "chapters")
    chapters, seen = [], set()
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise fail("each chapter needs a name (a string)", "chapters", i)
        name = item["name"]
        extra = sorted(set(item) - {"name", "parameters"})
        if extra:
            raise fail(f"chapter {name}: unknown key {extra[0]!r}; expected name and parameters",
                       "chapters", i)
        if not (NOTEBOOKS / f"{name}.md").is_file():
            known = ", ".join(sorted(p.stem for p in NOTEBOOKS.glob("[0-9]*.md")))
            raise fail(f"unknown chapter {name!r}: there is no notebooks/{name}.md (chapters: {known})",
                       "chapters", i, "name")
        if name in seen:
            raise fail(f"chapter {name} is listed twice", "chapters", i, "name")
        seen.add(name)
        params = item.get("parameters") or {}
        if not isinstance(params, dict):
            raise fail(f"chapter {name}: parameters must be a mapping of name: value",
                       "chapters", i, "parameters")
        defaults = parameter_defaults(name)
        for pname, value in params.items():
            if pname not in defaults:
                have = ", ".join(defaults) or "none"
                raise fail(f"chapter {name}: no parameter {pname!r} in its parameters cell (it has: {have})",
                           "chapters", i, "parameters", pname)
            problem = check_parameter(pname, value, *defaults[pname])
            if problem:
                raise fail(f"chapter {name}: {problem}", "chapters", i, "parameters", pname)
        chapters.append({"name": name, "parameters": params,
                         "claims": _claims_mode(params, forks_raw, forks)})
    return {"forks_raw": forks_raw, "forks": forks, "chapters": chapters}


def chapters() -> list[dict]:
    """The chapters of ``notebooks/pipeline.yml`` in build order (validated, see :func:`load_spec`)."""
    return load_spec()["chapters"]


def data_forks() -> dict:
    """The ``data:`` section of ``notebooks/pipeline.yml``, as written (validated)."""
    return dict(load_spec()["forks_raw"])


# --------------------------------------------------------------------------- what a chapter reads


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imported_modules(tree: ast.AST, package: str = "") -> set[str]:
    """Names of the ``helpers`` modules a parsed module or cell imports (with their parents)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing module's package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(p for p in [*parts, node.module or ""] if p)
            else:
                base = node.module or ""
            # `from helpers.book import narrative` imports a submodule; `import glue` a name
            names = [base, *(f"{base}.{a.name}" for a in node.names)]
        for name in names:
            parts = name.split(".")
            if parts[0] == "helpers":
                found.update(".".join(parts[:k]) for k in range(1, len(parts) + 1))
    return {m for m in found if _module_file(m) is not None}


@functools.lru_cache(maxsize=512)
def _module_imports(path: Path, mtime_ns: int) -> frozenset[str]:
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    else:
        package = package.removesuffix(".__init__")
    return frozenset(_imported_modules(_parse(path.read_bytes()), package))


def helper_closure(modules: Iterable[str]) -> list[Path]:
    """The source files of ``modules`` and of every ``helpers`` module they import, at any depth.

    A package counts through its ``__init__.py``, which imports its submodules; importing a
    submodule imports its parent packages first, so their ``__init__`` files count too.
    """
    todo = list(modules)
    seen: set[str] = set()
    files: set[Path] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(module)
        if path is None:
            continue
        files.add(path)
        todo.extend(_module_imports(path, path.stat().st_mtime_ns))
        parent = module.rpartition(".")[0]
        if parent:
            todo.append(parent)
    return sorted(files)


def _parse_cell(src: str) -> ast.AST:
    try:
        return _parse(src)
    except SyntaxError:  # IPython magics and shell escapes are not Python
        lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        try:
            return _parse("\n".join(lines))
        except SyntaxError:
            return _parse("")


def chapter_reads(name: str) -> tuple[set[str], list[str]]:
    """The ``helpers`` modules chapter ``name`` imports and the glob patterns of the data it reads."""
    code, _ = notebook_code(name)
    trees = [_parse_cell(c) for c in code]
    modules: set[str] = set()
    names: set[str] = set()
    for tree in trees:
        modules |= _imported_modules(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.alias):
                names.add(node.asname or node.name.split(".")[-1])
    patterns = list(ALWAYS_READ) + [p for p, triggers in READS_WHEN_NAMED.items() if names & set(triggers)]
    return modules, patterns


def reads_panel(name: str) -> bool:
    """Whether chapter ``name`` reads ``data/derived/`` (so it must wait for the data step)."""
    return "data/derived/*" in chapter_reads(name)[1]


def reads_results(name: str) -> bool:
    """Whether chapter ``name`` reads other chapters' results (so it must run after them)."""
    return "book/results/*.csv" in chapter_reads(name)[1]


def chapter_inputs(name: str) -> list[Path]:
    """Every file chapter ``name`` reads (see the module docstring): its input set for the stamp."""
    modules, patterns = chapter_reads(name)
    return [NOTEBOOKS / f"{name}.md", *helper_closure(modules), *_files(patterns)]


def chapter_key(chapter: dict) -> str:
    """The input hash of one chapter: what it reads, its parameters and its claims mode."""
    extra = {"parameters": chapter.get("parameters"), "claims": chapter.get("claims"),
             "format": EXECUTION_FORMAT}
    return digest(chapter_inputs(chapter["name"]), extra)


# --------------------------------------------------------------------------- child processes

_children: dict[int, subprocess.Popen] = {}
_children_lock = threading.Lock()
_stopping = threading.Event()


def _spawn_and_wait(cmd: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own session, registered so that :func:`stop_children` can kill it."""
    with _children_lock:
        if _stopping.is_set():
            raise Interrupted()
        # its own session: a terminal's Ctrl-C reaches the build only, which then stops the
        # process and its kernels in order instead of leaving half of them behind
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        _children[proc.pid] = proc
    try:
        out, err = proc.communicate()
    finally:
        with _children_lock:
            _children.pop(proc.pid, None)
    if _stopping.is_set():
        raise Interrupted()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def stop_children(grace: float = 3.0) -> None:
    """Stop every process the build started and all their descendants (kernels run in their own session).

    SIGTERM first, SIGKILL for whatever is still alive after ``grace`` seconds.
    """
    import psutil

    _stopping.set()
    with _children_lock:
        procs = list(_children.values())
    victims: list[psutil.Process] = []
    for proc in procs:
        try:
            root = psutil.Process(proc.pid)
            victims += [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    for p in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.terminate()
    _, alive = psutil.wait_procs(victims, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(alive, timeout=grace)


def _chapter_env() -> dict[str, str]:
    """The environment of every chapter's papermill and kernel (and so of the fork server)."""
    return {**os.environ, "PYTHONHASHSEED": "0", **ONE_BLAS_THREAD}


class _ForkServer:
    """The build's fork server (:mod:`helpers.build.zygote`), from the start of a build to its end.

    The build binds the socket itself and hands it over, so a launcher can connect at once: its
    request waits in the queue while the server imports the stack, which overlaps the data step.
    The socket is in Linux's abstract namespace (nothing on disk); the kernelspec that points
    papermill at it is in ``_build/partial/``.
    """

    def __init__(self) -> None:
        self.jupyter_path = PARTIAL / "jupyter"
        self.address = zygote.new_address()
        spec = self.jupyter_path / "kernels" / FORKED_KERNEL
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps(zygote.kernel_spec(self.address), indent=1))
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(zygote.sockaddr(self.address))
            listener.listen(64)
            env = {**_chapter_env(), "MPLBACKEND": os.environ.get("MPLBACKEND", zygote.INLINE_BACKEND)}
            cmd = [sys.executable, "-m", "helpers.build.zygote", "serve", str(listener.fileno())]
            with _children_lock:
                self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                             pass_fds=[listener.fileno()], start_new_session=True)
                _children[self.proc.pid] = self.proc
        finally:
            listener.close()

    @classmethod
    def start(cls) -> _ForkServer | None:
        """The server, or None (the chapters then start new kernels) if it cannot be started."""
        try:
            return cls()
        except OSError as exc:
            print(f"fork server not started ({exc}): each chapter starts a new kernel", file=sys.stderr)
            return None

    def launcher(self, kind: str) -> list[str]:
        """The command that runs ``kind`` (``papermill`` or ``kernel``) forked from the server."""
        return [sys.executable, zygote.__file__, "launch", self.address, kind]

    def stop(self) -> None:
        """Stop the server, which kills whatever it forked that is still running."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        with _children_lock:
            _children.pop(self.proc.pid, None)


_fork_server: _ForkServer | None = None


def _use_fork_server() -> bool:
    return sys.platform.startswith("linux") and os.environ.get(FORK_VARIABLE, "1") != "0"


@contextlib.contextmanager
def build_lock(path: Path | None = None) -> Iterator[None]:
    """Hold the build's lock; if another build holds it, say so in one line and wait for it."""
    path = path or LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            print(f"waiting for the build already running{f' (pid {holder})' if holder else ''} to finish",
                  file=sys.stderr, flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield  # closing the file releases the lock, also when the process dies


# --------------------------------------------------------------------------- the steps


def step_data(force: bool, spec: dict | None = None, fetched: bool = False) -> bool:
    """Fetch raw files (always verified, unless ``fetched``) and rebuild ``data/derived/`` if needed."""
    from helpers.data import DataError, PanelError, write_panel

    spec = spec or load_spec()
    if not fetched:
        fetch.fetch_all()
    forks = spec["forks"]
    key = digest([*helper_closure([DATA_MODULE]), *_files(["data/sources.csv", "requirements.lock"])], forks)
    outputs = [DERIVED / "panel.csv", DERIVED / "indicators.csv", DERIVED / "panel_forks.json"]
    if not force and _fresh("data", key, outputs):
        return False
    _unstamp("data")
    try:
        panel, indicators = write_panel(**forks)
    except (DataError, PanelError, TypeError, ValueError) as exc:
        raise BuildError(str(exc)) from None
    print(f"data: wrote {_rel(panel)} and {_rel(indicators)}")
    _stamp("data", key)
    return True


def _exception_line(notebook: Path, output: str) -> tuple[str, str]:
    """(exception name, message) of a failed run: the notebook's error output, else the log's last line."""
    with contextlib.suppress(OSError, ValueError):
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    return out.get("ename", "Error"), out.get("evalue", "")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    for line in reversed(plain.strip().splitlines()):
        m = re.match(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Died)\w*):\s*(.*)$", line.strip())
        if m:
            return m.group(1).rpartition(".")[2], m.group(2)
    last = plain.strip().splitlines()[-1] if plain.strip() else "no output"
    return "Error", last


def run_chapter(chapter: dict) -> float:
    """Execute one chapter into ``book/`` atomically; return its wall time in seconds.

    The chapter's stamp is removed first and written only after its notebook is in place. On
    failure the notebook and log go to ``_build/failed/`` and :class:`BuildError` says, in one
    line, which exception the chapter raised and where they are.
    """
    import jupytext

    name = chapter["name"]
    key = chapter_key(chapter)
    start = time.perf_counter()
    _unstamp(name)
    nb = jupytext.read(NOTEBOOKS / f"{name}.md")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("jupytext", None)
    PARTIAL.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=PARTIAL, prefix=f"{name}-") as tmp:
        src, dest = Path(tmp) / "source.ipynb", Path(tmp) / f"{name}.ipynb"
        params = Path(tmp) / "parameters.yml"
        jupytext.write(nb, src)
        params.write_text(yaml.safe_dump(chapter.get("parameters") or {}))
        args = [str(src), str(dest), "-f", str(params), "--cwd", str(ROOT), "--no-progress-bar",
                "--log-level", "WARNING", "--no-request-save-on-cell-execute"]
        # BOOK_BUILD: the chapter writes the tracked book/results and book/figures (elsewhere, scratch/)
        env = {**_chapter_env(), "BOOK_CLAIMS": chapter.get("claims") or "lenient", BUILD_VARIABLE: "1"}
        server = _fork_server
        if server is not None:
            cmd = [*server.launcher("papermill"), *args, "-k", FORKED_KERNEL]
            env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(server.jupyter_path),
                                                                env.get("JUPYTER_PATH")]))
        else:
            cmd = [sys.executable, "-m", "papermill", *args, "-k", "python3"]
        proc = _spawn_and_wait(cmd, env)
        if proc.returncode != 0:
            FAILED.mkdir(parents=True, exist_ok=True)
            kept, log = FAILED / f"{name}.ipynb", FAILED / f"{name}.log"
            log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
            ename, evalue = _exception_line(dest, proc.stdout + proc.stderr)
            if dest.is_file():
                os.replace(dest, kept)
            else:
                kept.unlink(missing_ok=True)
            message = re.sub(r"\s+", " ", evalue).strip()
            message = message if len(message) <= 400 else message[:400] + "..."
            where = (f"full notebook and log: {_rel(kept)}, {_rel(log)}" if kept.is_file()
                     else f"full log: {_rel(log)}")
            raise BuildError(f"chapter {name}: {ename}: {message} ({where})")
        strip_run_metadata(dest, nb.metadata["kernelspec"])
        os.replace(dest, BOOK / f"{name}.ipynb")
    for stale in (FAILED / f"{name}.ipynb", FAILED / f"{name}.log"):
        stale.unlink(missing_ok=True)
    # a chapter that reads book/results also writes there: its stamp covers what it has just written,
    # so that an unchanged rebuild does not take its own output for a changed input
    _stamp(name, chapter_key(chapter) if reads_results(name) else key)
    return time.perf_counter() - start


def strip_run_metadata(path: Path, kernelspec: dict | None = None) -> None:
    """Drop timestamps, durations and temporary paths; number the cells; set ``kernelspec``.

    Without them an executed notebook is a function of its inputs, so re-running an
    unchanged chapter leaves the HTML build's inputs, and so the build, untouched. Cell ids
    are renumbered because papermill gives its injected-parameters cell a random one. The
    kernelspec is the one a reader's Jupyter has, not the build's forked kernel.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("papermill", None)
    if kernelspec is not None:
        nb.setdefault("metadata", {})["kernelspec"] = dict(kernelspec)
    for i, cell in enumerate(nb.get("cells", [])):
        meta = cell.get("metadata", {})
        meta.pop("papermill", None)
        meta.pop("execution", None)
        if "id" in cell or nb.get("nbformat_minor", 0) >= 5:
            cell["id"] = f"cell-{i}"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def vendor_mathjax() -> None:
    """Copy the parts of the npm ``mathjax`` package the book needs into ``_vendor/``."""
    if (MATHJAX_DST / "tex-chtml-full.js").is_file():
        return
    if not MATHJAX_SRC.is_dir():
        raise BuildError("node_modules/mathjax is missing: run `npm ci` (make does this)")
    shutil.rmtree(MATHJAX_DST, ignore_errors=True)
    MATHJAX_DST.mkdir(parents=True)
    shutil.copy2(MATHJAX_SRC / "tex-chtml-full.js", MATHJAX_DST / "tex-chtml-full.js")
    shutil.copytree(MATHJAX_SRC / "output" / "chtml" / "fonts", MATHJAX_DST / "output" / "chtml" / "fonts")


def html_key() -> str:
    """The input hash of the HTML build: every page, figure, bibliography and the configuration.

    The configuration includes the launch settings taken from the ``origin`` remote, so that
    adding or changing the remote rebuilds the pages with (or without) the Binder button.
    """
    return digest(_files(["_config.yml", "_toc.yml", "book/*.md", "book/*.ipynb", "book/*.bib",
                          "book/figures/*", "book/static/*"]), {"launch": launch.launch_config(ROOT)})


def step_html(force: bool) -> bool:
    """Run ``jupyter-book build`` (warnings are errors) if any page, figure or config changed.

    The stamp is removed before the build and written after it succeeds, and the build always
    starts from a fresh Sphinx environment (``--all``): an incremental build re-reads only the
    changed pages, so a warning on an unchanged page, or a reference broken by an edit to
    another page, would pass the second time.
    """
    vendor_mathjax()
    key = html_key()
    if not force and _fresh("html", key, [HTML / "index.html"]):
        return False
    _unstamp("html")
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb), "build", str(ROOT), "-W", "--keep-going", "--all"]
    extra = launch.launch_config(ROOT)
    if extra:  # origin is on GitHub: the repository link and the Binder button
        cmd += ["--config", str(launch.write_config(extra, LAUNCH_CONFIG, ROOT / "_config.yml"))]
    proc = _spawn_and_wait(cmd)
    if proc.returncode != 0:
        FAILED.mkdir(parents=True, exist_ok=True)
        log = FAILED / "html.log"
        log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
        plain = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
        warnings = [ln.strip() for ln in plain.splitlines() if re.search(r"(WARNING|ERROR|CRITICAL):", ln)]
        first = warnings[0] if warnings else (plain.strip().splitlines() or ["no output"])[-1]
        more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
        raise BuildError(f"html: {first.replace(str(ROOT) + os.sep, '')}{more} (full log: {_rel(log)})")
    (FAILED / "html.log").unlink(missing_ok=True)
    _stamp("html", key)
    return True


def student_config() -> dict:
    """The book's configuration for the student edition: solutions hidden, no way to fetch them.

    sphinx-exercise's ``hide_solutions`` drops every solution, with
    :mod:`helpers.build.exercises` so that the gated ones go with their code cells; the download
    button and the copied sources are switched off because the executed notebooks they offer
    contain the solutions.
    """
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"{config['title']} (student edition)"
    config.setdefault("html", {})["use_download_button"] = False
    sphinx = config.setdefault("sphinx", {})
    sphinx["extra_extensions"] = [*sphinx.get("extra_extensions", []), "helpers.build.exercises"]
    sphinx.setdefault("config", {}).update({"hide_solutions": True, "html_copy_source": False})
    return config


def step_student(force: bool) -> bool:
    """Build the student edition (no solutions) into ``_build/student/html``, like :func:`step_html`.

    It is built into a scratch folder and moved into place only when the build succeeds.
    """
    vendor_mathjax()
    key = digest([ROOT / "helpers" / "build" / "exercises.py"], extra=[html_key(), student_config()])
    if not force and _fresh("student", key, [STUDENT / "html" / "index.html"]):
        return False
    _unstamp("student")
    scratch = BUILD / ".student-partial"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    config = scratch / "_config.yml"
    config.write_text(yaml.safe_dump(student_config(), sort_keys=False), encoding="utf-8")
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = _spawn_and_wait([str(jb), "build", str(ROOT), "-W", "--keep-going", "--all",
                            "--config", str(config), "--path-output", str(scratch)])
    if proc.returncode != 0:
        FAILED.mkdir(parents=True, exist_ok=True)
        log = FAILED / "student.log"
        log.write_text(proc.stdout + proc.stderr, encoding="utf-8")
        raise BuildError(f"student edition: jupyter-book failed (full log: {_rel(log)})")
    (FAILED / "student.log").unlink(missing_ok=True)
    shutil.rmtree(STUDENT, ignore_errors=True)
    STUDENT.mkdir(parents=True)
    os.replace(scratch / "_build" / "html", STUDENT / "html")
    shutil.rmtree(scratch, ignore_errors=True)
    _stamp("student", key)
    return True


def _chapter_fresh(chapter: dict) -> bool:
    return _fresh(chapter["name"], chapter_key(chapter), [BOOK / f"{chapter['name']}.ipynb"])


def _stale(chapter: dict, force: bool) -> bool:
    return force or not _chapter_fresh(chapter)


def _timed(step, force: bool, *args: object) -> float:
    """Wall time of ``step(force)`` if it did any work, else 0."""
    start = time.perf_counter()
    return time.perf_counter() - start if step(force, *args) else 0.0


class _ChapterPool:
    """Chapters running ``WORKERS`` at a time in threads (each thread waits on its papermill process)."""

    def __init__(self, times: dict[str, float], errors: list[str]) -> None:
        self.pool = ThreadPoolExecutor(max_workers=WORKERS)
        self.futures: dict[Future, dict] = {}
        self.joined: set[Future] = set()
        self.times, self.errors = times, errors

    def submit(self, chapters: list[dict]) -> None:
        for c in chapters:
            self.futures[self.pool.submit(run_chapter, c)] = c

    def join(self) -> None:
        pending = {f for f in self.futures if f not in self.joined}
        self.joined |= pending
        while pending:
            # a timeout keeps the main thread responsive to signals while kernels run
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                try:
                    self.times[self.futures[fut]["name"]] = fut.result()
                except BuildError as exc:
                    self.errors.append(str(exc))

    def __enter__(self) -> _ChapterPool:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if exc is not None:
            stop_children()
        self.pool.shutdown(wait=True, cancel_futures=True)


def _durations() -> dict[str, float]:
    with contextlib.suppress(OSError, ValueError):
        return json.loads((STAMPS / "durations.json").read_text())
    return {}


def _record_durations(times: dict[str, float]) -> None:
    known = {**_durations(), **{k: round(v, 2) for k, v in times.items() if v}}
    STAMPS.mkdir(parents=True, exist_ok=True)
    tmp = STAMPS / ".durations.json.tmp"
    tmp.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, STAMPS / "durations.json")


def run(force: bool = False, only: list[str] | None = None, html: bool = True,
        student: bool = False) -> dict[str, float]:
    """Run the chain under the build lock; return the wall time of every step that ran (0 if skipped).

    Raises
    ------
    BuildError
        A step failed (one line per failure); nothing stale or broken was published.
    """
    with build_lock():
        return _run_locked(force, only, html, student)


def _run_locked(force: bool, only: list[str] | None, html: bool, student: bool = False) -> dict[str, float]:
    global _fork_server
    _stopping.clear()
    t0 = time.perf_counter()
    shutil.rmtree(PARTIAL, ignore_errors=True)  # a build killed with SIGKILL leaves its temporaries
    # started first: its imports (about 3 s on one core) overlap reading the chapters and the data
    # step; when nothing is stale it is stopped before it has finished them
    _fork_server = _ForkServer.start() if _use_fork_server() else None
    try:
        times = _run_steps(force, only, html, student)
    finally:
        if _fork_server is not None:
            _fork_server.stop()
            _fork_server = None
    times["total"] = time.perf_counter() - t0
    return times


def _run_steps(force: bool, only: list[str] | None, html: bool, student: bool) -> dict[str, float]:
    times: dict[str, float] = {}
    spec = load_spec()
    unknown = sorted(set(only or []) - {c["name"] for c in spec["chapters"]})
    if unknown:
        raise BuildError(f"--only: unknown chapter(s) {', '.join(unknown)}")
    todo = [c for c in spec["chapters"] if not only or c["name"] in only]
    times["data"] = 0.0
    times.update({c["name"]: 0.0 for c in todo})
    # longest first (durations of earlier builds): two workers then finish close together; before
    # any build (a fresh clone, a copy) the longest sources first, which puts 02 and 06 in front
    took = _durations()
    todo_by_length = sorted(todo, key=lambda c: (-took.get(c["name"], math.inf),
                                                 -(NOTEBOOKS / f"{c['name']}.md").stat().st_size))
    errors: list[str] = []
    try:
        fetch.fetch_all()
        with _ChapterPool(times, errors) as pool:
            first = [c for c in todo_by_length if not reads_results(c["name"])]
            # chapters that do not read the panel run while it is being built
            pool.submit([c for c in first if not reads_panel(c["name"]) and _stale(c, force)])
            try:
                times["data"] = _timed(step_data, force, spec, True)
            except BuildError as exc:
                errors.insert(0, str(exc))
            else:
                pool.submit([c for c in first if reads_panel(c["name"]) and _stale(c, force)])
            pool.join()
            if not errors:  # then the chapters that read the others' results, on fresh results
                pool.submit([c for c in todo_by_length if reads_results(c["name"]) and _stale(c, force)])
                pool.join()
        _record_durations({c["name"]: times[c["name"]] for c in todo})
        if errors:
            raise BuildError("\n".join(errors))
        if html:
            behind = [c["name"] for c in spec["chapters"] if not _chapter_fresh(c)]
            if behind:
                raise BuildError(f"html: not built, chapter(s) {', '.join(behind)} are stale "
                                 "(run without --only)")
            times["html"] = _timed(step_html, force)
            if student:
                times["student"] = _timed(step_student, force)
    except BaseException:
        stop_children()
        raise
    finally:
        shutil.rmtree(PARTIAL, ignore_errors=True)
    return times


def run_data(force: bool = False) -> dict[str, float]:
    """Fetch and verify ``data/raw/`` and build ``data/derived/`` under the build lock, nothing else.

    Binder's ``postBuild`` runs this so that every chapter's first cell finds its data.
    """
    with build_lock():
        t0 = time.perf_counter()
        fetch.fetch_all()
        times = {"data": _timed(step_data, force, load_spec(), True)}
        times["total"] = time.perf_counter() - t0
        return times


# --------------------------------------------------------------------------- bench


def measure_kernel_floor(repeats: int = 3) -> float:
    """Seconds to start a kernel and import pandas, linearmodels, matplotlib, statsmodels and scipy:
    the best of ``repeats`` starts, since a floor is a lower bound and one start on a busy machine
    can take twice as long."""
    return min(_kernel_start_and_imports() for _ in range(repeats))


def _kernel_start_and_imports() -> float:
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    # the kernel's own startup warnings are not the bench's output
    # history in memory, as nbclient runs its kernels: nothing is written to ~/.ipython
    km, kc = start_new_kernel(kernel_name="python3", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              extra_arguments=["--HistoryManager.hist_file=:memory:"])
    try:
        reply = kc.execute_interactive("import pandas, linearmodels, matplotlib.pyplot, statsmodels.api, "
                                       "scipy.stats", timeout=300, output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise BuildError("bench: the kernel could not import the scientific stack")
        return time.perf_counter() - start
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def bench_multiverse(sample: int = 40) -> dict[str, float]:
    """Time the whole multiverse (estimates and CR1 SEs, then with the 399-draw wild bootstrap) and, in
    the same run, linearmodels fits of ``sample`` of its specifications, scaled to the same number."""
    from helpers.estimate.models import fit_twfe
    from helpers.estimate.multiverse import MULTIVERSE_FORKS, PAPER_CONTROLS, multiverse

    multiverse()  # builds or reads the cached fork columns
    start = time.perf_counter()
    mv = multiverse()
    fast = time.perf_counter() - start
    start = time.perf_counter()
    multiverse(wild_draws=399)
    wild = time.perf_counter() - start
    from helpers.data import build_panel

    panels: dict[tuple, object] = {}
    picked = mv.sample(sample, random_state=0)
    start = time.perf_counter()
    for _, spec in picked.iterrows():
        forks = tuple((f, spec[f]) for f in MULTIVERSE_FORKS if spec[f] != "n/a")
        if forks not in panels:  # panel building is not counted: only the fits
            t0 = time.perf_counter()
            panels[forks] = build_panel(**dict(forks))
            start += time.perf_counter() - t0
        df = panels[forks].copy()
        if spec["outcome"] == "log_IC":
            df["IC"] = df["IC"].map(math.log)
        if spec["de_timing"] == "lagged":
            df["DE"] = df.groupby("province")["DE"].shift(1)
        df = df[(df["year"] >= int(spec["window"][:4])) & ~((spec["municipalities"] == "excluded")
                                                           & df["municipality"].astype(bool))]
        fit_twfe(df, "IC", ["DE", *(c for c in PAPER_CONTROLS if spec[f"with_{c}"])])
    per_fit = (time.perf_counter() - start) / sample
    loop = per_fit * len(mv)
    print(f"multiverse: {len(mv)} specifications in {fast:.2f} s ({len(mv) / fast:,.0f} per second); "
          f"with the wild bootstrap of each (399 draws) {wild:.2f} s")
    print(f"linearmodels: {1000 * per_fit:.1f} ms per fit ({sample} measured), {loop:.0f} s for "
          f"{len(mv)}; the fast path is {loop / fast:,.0f} times faster per estimate (goal >= 3)")
    return {"multiverse": fast, "multiverse_wild": wild, "linearmodels_loop": loop, "speedup": loop / fast}


def bench(multiverse: bool = True) -> dict[str, float]:
    """The multiverse against a loop of linearmodels fits (unless ``multiverse`` is False); a forced
    build from an empty ``_build/cache``, the floor measured in the same run, their ratio, then a
    no-change rebuild."""
    if multiverse:
        bench_multiverse()
    # cold: nothing a chapter computed in an earlier build is reused (the multiverse keeps its
    # panels' columns in _build/cache between builds)
    shutil.rmtree(BUILD / "cache", ignore_errors=True)
    forced = run(force=True)
    _report("full run (every step forced, _build/cache emptied):", forced)
    unit = measure_kernel_floor()
    n = len([k for k in forced if k not in ("data", "html", "total")])
    floor = unit * n / WORKERS + forced.get("html", 0.0)
    print(f"floor: {floor:.1f} s = {unit:.1f} s (kernel start + imports, best of 3) x {n} chapters / "
          f"{WORKERS} workers + {forced.get('html', 0.0):.1f} s html")
    ratio = forced["total"] / floor
    print(f"forced {forced['total']:.1f} s, floor {floor:.1f} s, ratio {ratio:.2f} (goal <= 1.5)")
    again = run()
    _report("rebuild with nothing changed:", again)
    return {"forced": forced["total"], "floor": floor, "ratio": ratio, "rebuild": again["total"]}


def _report(title: str, times: dict[str, float]) -> None:
    print(title)
    for step, secs in times.items():
        shown = f"{secs:7.1f} s" if secs else "  skipped"
        print(f"  {step:<16}{shown}")


def _on_signal(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status (130/143 after SIGINT/SIGTERM)."""
    from helpers.data import DataError

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="re-run every step")
    ap.add_argument("--only", nargs="*", help="chapters to run (default: all)")
    ap.add_argument("--no-html", action="store_true", help="skip the jupyter-book build")
    ap.add_argument("--bench", nargs="?", const="all", choices=["all", "build"],
                    help="time the multiverse and a forced run against its floor ('build': the run only)")
    ap.add_argument("--data-only", action="store_true",
                    help="only fetch and verify data/raw and build data/derived (Binder's postBuild)")
    ap.add_argument("--student", action="store_true",
                    help="also build the student edition, without solutions, into _build/student/html")
    args = ap.parse_args(argv)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _on_signal)
    try:
        if args.bench:
            bench(multiverse=args.bench == "all")
        elif args.data_only:
            _report("data:", run_data(force=args.force))
        else:
            _report("book:", run(force=args.force, only=args.only, html=not args.no_html,
                                 student=args.student))
    except (BuildError, fetch.FetchError, DataError) as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except OSError as exc:  # a read-only folder or a full disk: name the path, not the stack
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, Interrupted) and exc.signum else signal.SIGINT
        print(f"interrupted ({signal.Signals(signum).name}): the build stopped; "
              "the last good outputs are kept", file=sys.stderr)
        return 128 + int(signum)
    return 0


if __name__ == "__main__":
    sys.exit(main())
