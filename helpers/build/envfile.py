"""Keep ``environment.yml`` (Binder, conda) in step with ``requirements.lock`` (pip, CI)."""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers.paths import ROOT

LOCK = ROOT / "requirements.lock"
ENVIRONMENT = ROOT / "environment.yml"
#: What Binder users need on top of the lock: JupyterLab, MyST rendering (admonitions, math and
#: cross-references in the chapters; glue roles stay raw there) and nbconvert. CI does not install
#: them, so they are pinned here rather than in requirements.lock.
BINDER_EXTRAS = {"jupyterlab": "4.6.6", "jupyterlab-myst": "2.7.0", "nbconvert": "7.17.2"}
HEADER = (
    "# Binder / conda users. Generated from requirements.lock by `make lock`;\n"
    "# tests/test_environment.py checks them, with the Binder extras of helpers/build/envfile.py.\n"
)


def lock_pins(path: Path = LOCK) -> dict[str, str]:
    """``{normalised name: version}`` for every ``name==version`` line of the lock file."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def environment_pins(path: Path = ENVIRONMENT) -> dict[str, str]:
    """The same mapping read from the ``pip:`` section of ``environment.yml``."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in spec["dependencies"] if isinstance(d, dict) and "pip" in d)
    out = {}
    for req in pip:
        name, _, version = req.partition("==")
        out[name.strip().lower().replace("_", "-")] = version.strip()
    return out


def write_environment(lock: Path = LOCK, path: Path = ENVIRONMENT) -> None:
    """Write ``environment.yml``: Python 3.11, Node 20, the lock's exact pip pins, the Binder extras."""
    pins = {**BINDER_EXTRAS, **lock_pins(lock)}
    pip = [f"{n}=={v}" for n, v in sorted(pins.items())]
    spec = {
        "name": "dongding-replication",
        "channels": ["conda-forge"],
        "dependencies": ["python=3.11", "pip", "nodejs=20", {"pip": pip}],
    }
    path.write_text(HEADER + yaml.safe_dump(spec, sort_keys=False, width=200), encoding="utf-8")


if __name__ == "__main__":
    write_environment()
