"""Frames derived from the raw files, kept in ``_build/cache/`` between processes.

Every chapter that builds panels under other data choices would otherwise read all the raw files
again (about a second each) and build the same panels. A cached object's file is named by a
digest of everything it depends on: what was asked for, the manifest, the data code
(``helpers/data/*.py``), each raw file's name, size and modification time, and the pandas
version that pickled it. A stale file is never read, and an unreadable one is recomputed.
``_build/`` is git-ignored and no build step hashes it; ``make bench`` empties it before timing
a cold build.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

import pandas as pd

from helpers.paths import MANIFEST, RAW, ROOT

CACHE = ROOT / "_build" / "cache"


def cache_file(kind: str, request: object, raw: Path = RAW) -> Path:
    """Where the object ``kind`` computed for ``request`` from the files in ``raw`` is kept."""
    h = hashlib.sha256(repr((kind, request, str(Path(raw).resolve()), pd.__version__)).encode())
    for path in [MANIFEST, *sorted(Path(__file__).parent.glob("*.py"))]:
        h.update(path.read_bytes())
    for path in sorted(Path(raw).rglob("*")):
        if path.is_file():
            st = path.stat()
            h.update(f"{path.relative_to(raw)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return CACHE / f"{kind}-{h.hexdigest()[:20]}.pkl"


def load(path: Path) -> object | None:
    """The object kept in ``path``, or None when there is none or it cannot be read."""
    if not path.is_file():
        return None
    with contextlib.suppress(Exception), path.open("rb") as fh:
        return pickle.load(fh)
    return None


def keep(path: Path, obj: object) -> None:
    """Keep ``obj`` in ``path`` (written to a temporary file, then renamed); a read-only tree only
    costs speed."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
