"""A damaged raw file gives one line naming it, whatever its format, and data/raw is left as it was.

Each format the loaders read is damaged three ways: emptied, cut in half, and mis-encoded (a text
file re-encoded in the other codec; a binary file passed through a text conversion, as a careless
copy would).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.data import loaders as L
from helpers.paths import RAW

FORMATS = {
    "csv (utf-8)": (L.RENJIYI_FILE, L.load_renjiyi, "utf-8-sig"),
    "csv (gbk)": (L.POP2015_FILE, L.load_population_nbs, "gbk"),
    "xlsx": (L.FX_FILE, L.load_exchange_rate, None),
    "dta": (L.PKU_FILE, L.load_pku, None),
    "rda": (L.TECHME + "RDIntense.rda", lambda raw: L.load_techme("RDIntense.rda", raw), None),
    "json": (L.AHIA_FILE, L.load_highways, "utf-8"),
}


def damaged(data: bytes, how: str, encoding: str | None) -> bytes:
    if how == "empty":
        return b""
    if how == "truncated":
        return data[: len(data) // 2]
    if encoding == "gbk":
        return data.decode("gbk").encode("utf-8")
    if encoding:
        return data.decode(encoding).encode("gbk")
    return data.decode("latin-1").encode("utf-8")


def snapshot(folder: Path) -> list[tuple[str, bytes]]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sorted((p.relative_to(folder).as_posix(), p.read_bytes()) for p in files)


@pytest.mark.parametrize("how", ["empty", "truncated", "mis-encoded"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_damaged_raw_file_gives_one_line_naming_it(tmp_path, fmt, how):
    file, load, encoding = FORMATS[fmt]
    path = tmp_path / file
    path.parent.mkdir(parents=True)
    path.write_bytes(damaged((RAW / file).read_bytes(), how, encoding))
    before = snapshot(tmp_path)
    with pytest.raises(L.DataError) as err:
        load(tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith(file), msg
    assert "Traceback" not in msg
    assert snapshot(tmp_path) == before


def test_a_mis_encoded_text_file_names_the_line(tmp_path):
    path = tmp_path / L.POP2015_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes((RAW / L.POP2015_FILE).read_bytes().decode("gbk").encode("utf-8"))
    where = r"cannot be decoded \(line \d+, byte \d+: byte 0x[0-9a-f]{2} is not valid gbk"
    with pytest.raises(L.DataError, match=where):
        L.load_population_nbs(tmp_path)


OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize("content", [b"", OLE2_HEADER + b"\0" * 100, "地区,2020\n".encode("gbk")])
def test_a_damaged_xls_gives_one_line(tmp_path, content):
    """No manifest file is .xls today; the reader the loaders use for sheets covers it all the same."""
    path = tmp_path / "sheet.xls"
    path.write_bytes(content)
    with pytest.raises(L.DataError) as err:
        L.read_raw(path, "repo/sheet.xls", L._read_sheet)
    assert "\n" not in str(err.value) and str(err.value).startswith("repo/sheet.xls")


def test_the_data_step_prints_one_line_for_a_damaged_file(tmp_path):
    """``python -m helpers.data`` on a raw folder with one emptied file: one line on stderr, rc 1."""
    for file in L.FILES_USED:
        dest = tmp_path / file
        dest.parent.mkdir(parents=True, exist_ok=True)
        if file == L.PKU_FILE:
            dest.write_bytes((RAW / file).read_bytes()[:1000])
        else:
            dest.symlink_to(RAW / file)
    env = {**os.environ, "DD_RAW_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "helpers.data"], env=env, capture_output=True, text=True)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {L.PKU_FILE}: cannot be parsed"), proc.stderr
