"""Prose that stays true: each data-dependent claim of a chapter is also a check in its code.

A chapter's text is written by a person for the default data choices. Every qualitative claim in
it that depends on the data ("DE is positive in three of the six columns") is checked in the code
cell just above the paragraph with :meth:`Claims.check`, and the numbers the paragraph quotes are
glued there with :meth:`Claims.quote`, which also shows them to a reader in JupyterLab (where
``{glue:text}`` roles stay raw).

What happens when a claim is false depends on the build:

* strict (the book's build under the default data choices; the pipeline sets
  ``BOOK_CLAIMS=strict``): :class:`ClaimError` stops the chapter with one line naming the chapter
  and the claim, so the book is never published with a false sentence;
* lenient (other data choices, or a reader running the chapter in Jupyter): the chapter goes on,
  and the box that :meth:`Claims.box` put at its top lists each claim that no longer holds with
  the numbers that now stand.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping

from IPython.display import HTML, display

#: environment variable through which the build asks for strict checking
MODE_VARIABLE = "BOOK_CLAIMS"
BOX_TITLE = "What changes with this build's data choices"


class ClaimError(AssertionError):
    """A claim of the prose is false under the default data choices (message is one line)."""


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def _plain(value: object) -> object:
    # numpy scalars print as np.float64(...) under numpy 2, which glue formats cannot read
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        return value.item()
    return value


class Claims:
    """The claims and quoted numbers of one chapter.

    Parameters
    ----------
    chapter : str
        The chapter's name, as in ``notebooks/pipeline.yml`` (it opens every error message).
    strict : bool, optional
        Raise on a false claim. Default: whether ``BOOK_CLAIMS=strict`` is set, which the build does
        exactly when it runs under the default data choices.
    """

    def __init__(self, chapter: str, *, strict: bool | None = None) -> None:
        self.chapter = chapter
        self.strict = os.environ.get(MODE_VARIABLE) == "strict" if strict is None else strict
        self.failed: list[tuple[str, dict[str, object]]] = []
        self.checked = 0
        self._box = None

    def box(self) -> None:
        """Open the chapter's "what changes" box; it stays empty while every claim holds."""
        if not self.strict:
            self._box = display(HTML(""), display_id=True)

    def check(self, claim: str, holds: object, **now: object) -> None:
        """State that ``claim`` holds; ``now`` are the numbers behind it, shown when it does not.

        Under strict checking a false claim raises
        :class:`ClaimError`; otherwise it is listed in the box at the top of the chapter.
        """
        self.checked += 1
        if bool(holds):
            return
        if self.strict:
            numbers = "; ".join(f"{k} = {_shown(_plain(v))}" for k, v in now.items())
            raise ClaimError(f"{self.chapter}: claim false under the default data choices: {claim!r}"
                             + (f" ({numbers})" if numbers else ""))
        self.failed.append((claim, {k: _plain(v) for k, v in now.items()}))
        if self._box is not None:
            self._box.update(HTML(self.render()))
        return

    def render(self) -> str:
        """The box as HTML (an admonition in the book, a coloured box in JupyterLab)."""
        if not self.failed:
            return ""
        items = []
        for claim, now in self.failed:
            numbers = "; ".join(f"{html.escape(k)} = {html.escape(_shown(v))}" for k, v in now.items())
            now_text = f" <em>Now: {numbers}.</em>" if numbers else ""
            items.append(f"<li>{html.escape(claim)}{now_text}</li>")
        return (
            '<div class="admonition warning claims-box">'
            f'<p class="admonition-title">{BOX_TITLE}</p>'
            "<p>The text of this chapter is written for the book's default data choices "
            "(<code>notebooks/pipeline.yml</code>). Under this build's choices these of its claims "
            "no longer hold:</p>"
            f"<ul>{''.join(items)}</ul></div>"
        )

    def quote(self, values: Mapping[str, object] | None = None, /, **named: object) -> None:
        """Glue numbers for ``{glue:text}`` in the next paragraph and show them for Jupyter readers.

        The book renders the glued values in the prose; the cell itself is removed from the HTML
        (tag ``remove-cell``), so the list printed here is what a JupyterLab reader sees instead.
        """
        from myst_nb import glue

        values = {**(values or {}), **named}
        for name, value in values.items():
            glue(name, _plain(value), display=False)
        print("  ".join(f"{k} = {_shown(_plain(v))}" for k, v in values.items()))
