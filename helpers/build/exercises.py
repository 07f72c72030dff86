"""A Sphinx extension that makes sphinx-exercise's ``hide_solutions`` work with gated solutions.

The book's solutions are gated (``{solution-start}`` ... ``{solution-end}``) so that their code runs
in the executed notebook. With ``hide_solutions = True``, sphinx-exercise 1.2.1 drops the
``solution-start`` node but keeps the ``solution-end`` node and everything in between, so the
solution's code cells stay visible and the HTML writer fails on the orphaned end node. This
extension, loaded after ``sphinx_exercise`` (the student edition's configuration does so), replaces
the start directive by one that leaves a marker, and a transform then removes the marker, every node
up to the matching ``solution-end`` and the end node itself.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node


class hidden_solution(nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """Where a hidden gated solution starts; removed, with the solution, before writing."""


class HidingSolutionStart(SolutionStartDirective):
    """``solution-start`` that leaves a marker when solutions are hidden."""

    def run(self) -> list[nodes.Node]:
        out = super().run()
        return [hidden_solution()] if self.env.app.config.hide_solutions else out


class RemoveHiddenSolutions(SphinxTransform):
    """Remove each marker and its siblings up to and including the next ``solution-end`` node."""

    default_priority = 5  # after sphinx-exercise's structure check (1), before its merge (10)

    def apply(self, **kwargs: Any) -> None:
        for marker in list(self.document.findall(hidden_solution)):
            parent = marker.parent
            start = parent.index(marker)
            end = next((i for i in range(start, len(parent.children))
                        if isinstance(parent.children[i], solution_end_node)), None)
            if end is None:  # sphinx-exercise's own check reports the missing end
                parent.remove(marker)
                continue
            for child in parent.children[start:end + 1]:
                parent.remove(child)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive override and the transform (needs ``sphinx_exercise`` loaded first)."""
    app.setup_extension("sphinx_exercise")
    app.add_node(hidden_solution)
    app.add_directive("solution-start", HidingSolutionStart, override=True)
    app.add_transform(RemoveHiddenSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
