"""Inline markup: **bold** and *italic* via markdown-it-py with everything else off, then placeholders.

markdown-it's "zero" preset turns off every rule, raw HTML included; we switch on
emphasis only, so content can never inject markup, links or images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(["emphasis"])
_placeholder = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Blank:
    """A value the clinic has not given: printed as a labelled line to write it in, never invented."""

    label: str

    def __str__(self) -> str:
        return f"{self.label}: ______________"


def blank_html(blank: Blank) -> Markup:
    """Return a labelled blank line to write a value in."""
    return Markup('<span class="blank"><span class="blank-label">{}:</span> <span class="blank-line">'
                  '</span></span>').format(blank.label)


def render_inline(text: str, values: dict[str, str | Blank]) -> Markup:
    """Return safe HTML for one text: emphasis rendered, placeholders filled and isolated for bidi."""
    html = _md.renderInline(text)

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)  # the schema has already refused unknown names
        if isinstance(values[name], Blank):
            return blank_html(values[name])
        return f'<bdi class="value {name.replace("_", "-")}">{escape(values[name])}</bdi>'

    return Markup(_placeholder.sub(fill, html))


def plain(text: str, values: dict[str, str | Blank]) -> str:
    """Return the text with markup removed and placeholders filled (for titles and metadata)."""
    text = re.sub(r"(\*\*|__|\*|_)(.+?)\1", r"\2", text)
    return _placeholder.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)
