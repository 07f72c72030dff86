"""Fill ``data/raw/`` from the manifest, by download or from a local mirror, verified by sha256.

The manifest ``data/sources.csv`` has one row per file with the columns
``file, url, sha256, licence, description``; ``file`` is the path under ``data/raw/``.
When the environment variable ``DATA_MIRROR`` names a folder, files are copied from
``$DATA_MIRROR/<file>`` instead of downloaded. A file is only ever written to its final
place after its hash has been checked, so a failed fetch leaves ``data/raw/`` untouched.

``file`` must be a relative path below ``data/raw/`` (no ``..``, not absolute), and no folder
below ``data/raw/`` may be a symbolic link: a manifest row cannot make the fetch write anywhere
else. Temporaries (``.partial-*``) left by a killed fetch are removed when the next one starts.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from helpers.paths import MANIFEST, RAW

COLUMNS = ("file", "url", "sha256", "licence", "description")
PARTIAL_PREFIX = ".partial-"


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
            problem = unsafe_path(row["file"].strip())
            if problem:
                raise FetchError(f"{path}: row {lineno}, column 'file': {row['file'].strip()!r} {problem}")
            digest = row["sha256"].strip().lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise FetchError(f"{path}: row {lineno}, column 'sha256' is not a sha256 digest")
            rows.append(Source(**{c: row[c].strip() for c in COLUMNS[:2]}, sha256=digest,
                               licence=row["licence"].strip(), description=row["description"].strip()))
    return rows


def unsafe_path(file: str) -> str | None:
    """Why ``file`` may not name a place under ``data/raw/``, or None when it may.

    Parameters
    ----------
    file : str
        The manifest's ``file`` column, a ``/``-separated path.

    Returns
    -------
    str or None
        A reason such as ``"is an absolute path"``, or None for a safe relative path.
    """
    posix = PurePosixPath(file)
    if posix.is_absolute() or file.startswith("\\") or re.match(r"^[A-Za-z]:", file):
        return "is an absolute path; it must be relative to data/raw"
    if "\\" in file:
        return "contains a backslash; use / between folders"
    if any(part in ("..", ".") for part in file.split("/")) or "" in file.split("/"):
        return "must be a plain relative path below data/raw (no '..', '.' or empty parts)"
    return None


def _check_no_symlink(raw: Path, file: str) -> None:
    """Refuse a destination whose folder below ``raw`` is a symbolic link (it could point anywhere)."""
    folder = Path(raw)
    for part in PurePosixPath(file).parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise FetchError(f"{file}: refusing to write through the symbolic link {folder}")
    if (Path(raw) / file).is_symlink():
        raise FetchError(f"{file}: refusing to replace the symbolic link {Path(raw) / file}")


def remove_partials(raw: Path = RAW) -> list[Path]:
    """Delete the ``.partial-*`` temporaries a killed fetch left under ``raw``; return them."""
    gone = []
    if not Path(raw).is_dir():
        return gone
    for p in Path(raw).rglob(PARTIAL_PREFIX + "*"):
        if p.is_file() and not p.is_symlink():
            try:
                p.unlink()
                gone.append(p)
            except OSError:  # a read-only mirror of data/raw: nothing of ours to clean
                pass
    return gone


def _file_mode() -> int:
    # mkstemp creates 0600 files; fetched data should get what any new file gets under the umask
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


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
        try:
            shutil.copyfile(origin, dest)
        except OSError as exc:
            where = exc.filename or dest
            raise FetchError(f"{where}: cannot copy from the mirror ({exc.strerror})") from None
        return
    try:
        with urllib.request.urlopen(src.url, timeout=60) as resp, open(dest, "wb") as out:
            shutil.copyfileobj(resp, out)
    except OSError as exc:  # URLError and HTTPError are OSErrors
        if getattr(exc, "filename", None):  # writing the temporary failed, not the download
            raise FetchError(f"{exc.filename}: cannot write ({exc.strerror})") from None
        raise FetchError(f"{src.file}: download from {src.url} failed ({exc})") from exc


def fetch_one(src: Source, raw: Path = RAW, mirror: Path | None = None) -> bool:
    """Make ``raw/<file>`` hold the verified file; return True if it had to be fetched.

    A file already in place whose sha256 no longer matches the manifest is reported in one line
    on stderr before it is replaced. Write failures (read-only folder, full disk) raise
    :class:`FetchError` naming the path.
    """
    problem = unsafe_path(src.file)
    if problem:
        raise FetchError(f"{src.file!r} {problem}")
    _check_no_symlink(raw, src.file)
    dest = Path(raw) / src.file
    if dest.is_file():
        got = sha256_of(dest)
        if got == src.sha256:
            return False
        print(f"warning: {dest}: sha256 no longer matches the manifest (got {got[:12]}.., expected "
              f"{src.sha256[:12]}..); fetching it again", file=sys.stderr)
    created = [d for d in (dest.parent, *dest.parent.parents) if not d.exists()]
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=PARTIAL_PREFIX)
    except OSError as exc:
        raise FetchError(f"{exc.filename or dest.parent}: cannot write ({exc.strerror})") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _obtain(src, tmp, mirror)
        got = sha256_of(tmp)
        if got != src.sha256:
            raise FetchError(f"{src.file}: sha256 mismatch (expected {src.sha256[:12]}.., got {got[:12]}..)")
        try:
            os.chmod(tmp, _file_mode())
            os.replace(tmp, dest)
        except OSError as exc:
            raise FetchError(f"{dest}: cannot write ({exc.strerror})") from None
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
    sources = read_manifest(manifest)  # every row is checked before anything is written
    remove_partials(raw)
    return [s.file for s in sources if fetch_one(s, raw, mirror)]


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
