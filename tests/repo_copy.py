"""A fresh clone elsewhere: the tracked files in a temporary folder, built with their own helpers."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from helpers.paths import ROOT


def copy_repository(dest: Path) -> None:
    """The tracked files into ``dest``, with ``data/raw`` linked read-only: a fresh clone, elsewhere."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    for name in tracked.stdout.splitlines():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    (dest / "data" / "raw").symlink_to(ROOT / "data" / "raw", target_is_directory=True)


def build_copy(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATA_MIRROR"}
    env["PYTHONPATH"] = str(repo)  # the copy's helpers, not the editable install's
    return subprocess.run([sys.executable, "-m", "helpers.build.pipeline", *args],
                          cwd=repo, env=env, capture_output=True, text=True)
