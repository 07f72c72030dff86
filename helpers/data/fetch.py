"""Fill ``data/raw/`` from the manifest, by download or from a local mirror, verified by sha256.

The manifest ``data/sources.csv`` has one row per file with the columns
``file, url, sha256, licence, description``; ``file`` is the path under ``data/raw/``.
When the environment variable ``DATA_MIRROR`` names a folder, files are copied from
``$DATA_MIRROR/<file>`` instead of downloaded. A file is only ever written to its final
place after its hash has been checked, so a failed fetch leaves ``data/raw/`` untouched.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import MANIFEST, RAW

COLUMNS = ("file", "url", "sha256", "licence", "description")


class FetchError(RuntimeError):
    """A data file could not be fetched or failed verification (message is one line)."""


@dataclass(frozen=True)
class Source:
    """One manifest row."""

    file: str
    url: str
    sha256: str
    licence: str
    description: str


def read_manifest(path: Path = MANIFEST) -> list[Source]:
    """Read and validate the manifest; a malformed row raises with file, row and column."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise FetchError(f"{path}: header lacks column(s) {', '.join(missing)}")
        rows = []
        for lineno, row in enumerate(reader, start=2):
            for col in COLUMNS:
                if not (row.get(col) or "").strip():
                    raise FetchError(f"{path}: row {lineno}, column {col!r} is empty")
            digest = row["sha256"].strip().lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise FetchError(f"{path}: row {lineno}, column 'sha256' is not a sha256 digest")
            rows.append(Source(**{c: row[c].strip() for c in COLUMNS[:2]}, sha256=digest,
                               licence=row["licence"].strip(), description=row["description"].strip()))
    return rows


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _obtain(src: Source, dest: Path, mirror: Path | None) -> None:
    if mirror is not None:
        origin = mirror / src.file
        if not origin.is_file():
            raise FetchError(f"{src.file}: not found in mirror {mirror}")
        shutil.copyfile(origin, dest)
        return
    try:
        with urllib.request.urlopen(src.url, timeout=60) as resp, open(dest, "wb") as out:
            shutil.copyfileobj(resp, out)
    except OSError as exc:  # URLError and HTTPError are OSErrors
        raise FetchError(f"{src.file}: download from {src.url} failed ({exc})") from exc


def fetch_one(src: Source, raw: Path = RAW, mirror: Path | None = None) -> bool:
    """Make ``raw/<file>`` hold the verified file; return True if it had to be fetched."""
    dest = raw / src.file
    if dest.is_file() and sha256_of(dest) == src.sha256:
        return False
    created = [d for d in (dest.parent, *dest.parent.parents) if not d.exists()]
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=".partial-")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _obtain(src, tmp, mirror)
        got = sha256_of(tmp)
        if got != src.sha256:
            raise FetchError(f"{src.file}: sha256 mismatch (expected {src.sha256[:12]}.., got {got[:12]}..)")
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        for d in created:  # deepest first: leave no empty folder behind
            d.rmdir()
        raise
    return True


def fetch_all(raw: Path = RAW, mirror: Path | None = None, manifest: Path = MANIFEST) -> list[str]:
    """Fetch every manifest file; return the names that were (re)fetched."""
    if mirror is None and os.environ.get("DATA_MIRROR"):
        mirror = Path(os.environ["DATA_MIRROR"]).expanduser().resolve()
    if mirror is not None and not mirror.is_dir():
        raise FetchError(f"DATA_MIRROR={mirror} is not a folder")
    return [s.file for s in read_manifest(manifest) if fetch_one(s, raw, mirror)]


def main() -> int:
    """Command-line entry point: ``python -m helpers.data.fetch``."""
    try:
        fetched = fetch_all()
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"data/raw: {len(fetched)} file(s) fetched, {len(read_manifest())} verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
