"""Inline markup: **bold** and *italic* via markdown-it-py with everything else off, then placeholders.

markdown-it's "zero" preset turns off every rule, raw HTML included; we switch on
emphasis only, so content can never inject markup, links or images.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(["emphasis"])
_placeholder = re.compile(r"\{([a-z_]+)\}")


def render_inline(text: str, values: dict[str, str]) -> Markup:
    """Return safe HTML for one text: emphasis rendered, placeholders filled and isolated for bidi."""
    html = _md.renderInline(text)

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)  # the schema has already refused unknown names
        return f'<bdi class="value {name.replace("_", "-")}">{escape(values[name])}</bdi>'

    return Markup(_placeholder.sub(fill, html))


def plain(text: str, values: dict[str, str]) -> str:
    """Return the text with markup removed and placeholders filled (for titles and metadata)."""
    text = re.sub(r"(\*\*|__|\*|_)(.+?)\1", r"\2", text)
    return _placeholder.sub(lambda m: values.get(m.group(1), m.group(0)), text)
