"""The data fetch: verified by sha256, one-line errors, and data/raw/ untouched on failure."""

import hashlib
import os

import pytest

from helpers.data import fetch


@pytest.fixture
def setup(tmp_path):
    """A mirror with one good file, a manifest naming it, and an empty raw folder."""
    mirror, raw = tmp_path / "mirror", tmp_path / "raw"
    (mirror / "repo").mkdir(parents=True)
    raw.mkdir()
    payload = b"province,year,value\nBeijing,2011,1\n"
    (mirror / "repo" / "a.csv").write_bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()
    manifest = tmp_path / "sources.csv"

    def write_manifest(sha=digest, file="repo/a.csv"):
        manifest.write_text(
            "file,url,sha256,licence,description\n"
            f"{file},https://example.invalid/{file},{sha},MIT,test file\n"
        )
        return manifest

    return mirror, raw, write_manifest, payload


def snapshot(folder):
    """Every file and folder below ``folder``, with file contents."""
    return sorted((p.relative_to(folder).as_posix(), p.read_bytes() if p.is_file() else b"<dir>")
                  for p in folder.rglob("*"))


def test_fetch_copies_and_verifies(setup):
    mirror, raw, write_manifest, payload = setup
    assert fetch.fetch_all(raw, mirror, write_manifest()) == ["repo/a.csv"]
    assert (raw / "repo" / "a.csv").read_bytes() == payload
    # A second fetch finds the verified file in place and copies nothing.
    assert fetch.fetch_all(raw, mirror, write_manifest()) == []


def test_sha_mismatch_is_one_line_and_leaves_raw_untouched(setup):
    mirror, raw, write_manifest, _ = setup
    (raw / "keep.txt").write_text("already here")
    before = snapshot(raw)
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch_all(raw, mirror, write_manifest(sha="0" * 64))
    msg = str(err.value)
    assert "\n" not in msg and "repo/a.csv" in msg and "sha256 mismatch" in msg
    assert snapshot(raw) == before


def test_missing_mirror_file_is_one_line_and_leaves_raw_untouched(setup):
    mirror, raw, write_manifest, _ = setup
    before = snapshot(raw)
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch_all(raw, mirror, write_manifest(file="repo/absent.csv"))
    msg = str(err.value)
    assert "\n" not in msg and "repo/absent.csv" in msg and "not found in mirror" in msg
    assert snapshot(raw) == before


def test_a_corrupted_local_copy_is_replaced(setup):
    mirror, raw, write_manifest, payload = setup
    fetch.fetch_all(raw, mirror, write_manifest())
    (raw / "repo" / "a.csv").write_bytes(b"tampered")
    assert fetch.fetch_all(raw, mirror, write_manifest()) == ["repo/a.csv"]
    assert (raw / "repo" / "a.csv").read_bytes() == payload


def test_malformed_manifest_names_row_and_column(tmp_path):
    manifest = tmp_path / "sources.csv"
    manifest.write_text("file,url,sha256,licence,description\nrepo/a.csv,http://x,abc,MIT,d\n")
    with pytest.raises(fetch.FetchError, match=r"row 2, column 'sha256'"):
        fetch.read_manifest(manifest)


def test_mirror_env_var_must_be_a_folder(setup, monkeypatch):
    _, raw, write_manifest, _ = setup
    monkeypatch.setenv("DATA_MIRROR", os.devnull)
    with pytest.raises(fetch.FetchError, match="is not a folder"):
        fetch.fetch_all(raw, None, write_manifest())


def test_project_manifest_is_valid_and_has_pinned_urls():
    sources = fetch.read_manifest()
    assert sources, "data/sources.csv is empty"
    assert len({s.file for s in sources}) == len(sources), "a file is listed twice"
    for s in sources:
        # A URL pinned to a commit cannot change under us; a branch name could.
        assert s.url.startswith("https://raw.githubusercontent.com/"), s.file
        parts = s.url.split("/")
        assert len(parts[5]) == 40, f"{s.file}: URL is not pinned to a full commit sha"
