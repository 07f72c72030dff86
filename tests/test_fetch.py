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


UNSAFE = ["../../outside/evil.csv", "repo/../../evil.csv", "/tmp/evil.csv", "C:/evil.csv", "repo//a.csv",
          "repo\\a.csv"]


@pytest.mark.parametrize("file", UNSAFE)
def test_a_manifest_path_outside_data_raw_is_refused_with_one_line(setup, tmp_path, file):
    mirror, raw, write_manifest, _ = setup
    manifest = write_manifest(file=file)
    before = snapshot(tmp_path)
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch_all(raw, mirror, manifest)
    msg = str(err.value)
    assert "\n" not in msg and "row 2, column 'file'" in msg and repr(file) in msg
    assert snapshot(tmp_path) == before  # nothing written, inside data/raw or out


def test_nothing_is_written_through_a_symlinked_folder(setup, tmp_path):
    mirror, raw, write_manifest, _ = setup
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (raw / "repo").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(fetch.FetchError, match="symbolic link") as err:
        fetch.fetch_all(raw, mirror, write_manifest())
    assert "\n" not in str(err.value)
    assert not list(elsewhere.iterdir())


def test_stale_partials_are_removed_and_files_get_umask_permissions(setup):
    mirror, raw, write_manifest, _ = setup
    (raw / "repo").mkdir()
    stale = raw / "repo" / ".partial-abc123"
    stale.write_bytes(b"half a file")
    old = os.umask(0o022)
    try:
        fetch.fetch_all(raw, mirror, write_manifest())
    finally:
        os.umask(old)
    assert not stale.exists()
    assert (raw / "repo" / "a.csv").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


def test_a_changed_file_is_reported_in_one_line_before_it_is_replaced(setup, capsys):
    mirror, raw, write_manifest, payload = setup
    fetch.fetch_all(raw, mirror, write_manifest())
    (raw / "repo" / "a.csv").write_bytes(b"edited by hand")
    capsys.readouterr()
    fetch.fetch_all(raw, mirror, write_manifest())
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "repo/a.csv" in err and "no longer matches" in err
    assert (raw / "repo" / "a.csv").read_bytes() == payload


@pytest.mark.parametrize("where", ["mkstemp", "copyfile"])
def test_a_read_only_folder_or_full_disk_gives_one_line_with_the_path(setup, monkeypatch, where):
    """Simulated: the tests may run as root, who can write to a read-only folder."""
    import errno

    mirror, raw, write_manifest, _ = setup
    target = raw / "repo"

    def refuse(*args, **kwargs):
        if where == "mkstemp":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(target))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[1]))

    monkeypatch.setattr(fetch.tempfile if where == "mkstemp" else fetch.shutil, where, refuse)
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch_all(raw, mirror, write_manifest())
    msg = str(err.value)
    assert "\n" not in msg and str(target) in msg
    assert ("Read-only" in msg) if where == "mkstemp" else ("No space left" in msg)
    assert not [p for p in raw.rglob("*") if p.is_file()]  # the temporary is gone too
