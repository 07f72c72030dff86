"""The helpers are layered: a subpackage imports only the subpackages below it.

data <- estimate <- paper <- audit <- book <- build; ``helpers.paths`` is shared by all.
"""

import ast
from pathlib import Path

import pytest

import helpers

LAYERS = ["data", "estimate", "paper", "audit", "book", "build"]
PACKAGE = Path(helpers.__file__).parent


def imported_layers(path: Path) -> set[str]:
    """The helpers subpackages that ``path`` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "helpers" and len(parts) > 1 and parts[1] in LAYERS:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_layers_below_it(layer):
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    for module in sorted((PACKAGE / layer).rglob("*.py")):
        higher = imported_layers(module) - allowed
        assert not higher, f"{module.relative_to(PACKAGE)} imports higher layer(s) {sorted(higher)}"


def test_every_module_belongs_to_a_layer():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "paths.py")]
    assert not loose, f"modules outside the layers: {loose}"


@pytest.mark.parametrize("layer", LAYERS)
def test_the_public_api_is_declared_and_importable(layer):
    module = __import__(f"helpers.{layer}", fromlist=["__all__"])
    for name in getattr(module, "__all__", []):
        assert hasattr(module, name), f"helpers.{layer}.__all__ names {name!r}, which it lacks"
