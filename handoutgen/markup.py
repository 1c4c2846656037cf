"""Inline markup: **bold** and *italic* via markdown-it-py with everything else off, then placeholders.

markdown-it's "zero" preset turns off every rule, raw HTML included; we switch on
emphasis only, so content can never inject markup, links or images.

Placeholders have one parser, `parse_placeholders`, used by the schema, the translation
checks and the renderer alike: a placeholder is exactly `{name}` (lowercase letters and
underscores), and any other brace (`{{x}}`, `{x!r}`, `{ x }`, a lone `{` or `}`) is an
error. A text that reached the renderer with such a brace would print it instead of the
clinic's number, so the renderer refuses it too.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(["emphasis"])
_slot = re.compile(r"\{([a-z_]+)\}")
_masked = re.compile(r"\{(\d+)\}")
EXAMPLE = "{urgent_phone}"


@dataclass(frozen=True)
class Slot:
    """A placeholder in a text, such as `{urgent_phone}`, and where it is."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class BraceError:
    """Braces in a text that do not make a placeholder, and what to write instead."""

    start: int
    fragment: str
    message: str


def parse_placeholders(text: str) -> tuple[list[Slot], list[BraceError]]:
    """Return the placeholders of a text and every brace that is not part of one."""
    slots: list[Slot] = []
    errors: list[BraceError] = []
    i = 0
    while (found := _next_brace(text, i)) >= 0:
        match = _slot.match(text, found)
        if match:
            slots.append(Slot(match.group(1), found, match.end()))
            i = match.end()
            continue
        error = _brace_error(text, found)
        errors.append(error)
        i = found + len(error.fragment)
    return slots, errors


def _next_brace(text: str, start: int) -> int:
    """Return the index of the next { or } at or after `start`, or -1."""
    indexes = [i for i in (text.find("{", start), text.find("}", start)) if i >= 0]
    return min(indexes, default=-1)


def _brace_error(text: str, start: int) -> BraceError:
    """Describe the braces at `start`, which do not make a placeholder."""
    if text[start] == "}":
        end = start
        while end < len(text) and text[end] == "}":
            end += 1
        return BraceError(start, text[start:end], f"a lone {text[start:end]!r} is not allowed: braces are only "
                                                   f"for placeholders such as {EXAMPLE}; remove it")
    close = text.find("}", start)
    line_end = text.find("\n", start)
    inner = text[start:close] if close >= 0 else ""
    if close < 0 or (0 <= line_end < close) or close - start > 60 or "{" in inner.lstrip("{"):
        return BraceError(start, "{", f"a lone '{{' is not allowed: braces are only for placeholders such as "
                                      f"{EXAMPLE}; close it or remove it")
    end = close
    while end < len(text) and text[end] == "}":
        end += 1
    fragment = text[start:end]
    name = re.search(r"[A-Za-z_]+", fragment)
    hint = f"write {{{name.group(0).lower()}}}" if name else f"write a name in braces, such as {EXAMPLE}"
    if fragment.startswith("{{"):
        why = "braces are never doubled"
    elif name and fragment.strip("{}") != name.group(0):
        why = "a placeholder is a name alone in single braces: no spaces, formats or conversions"
    else:
        why = "a placeholder's name is lowercase letters and underscores"
    return BraceError(start, fragment, f"{fragment!r} is not a placeholder ({why}); {hint}")


def placeholder_names(text: str) -> list[str]:
    """Return the names of the placeholders in a text, in order (braces that are not placeholders left out)."""
    return [slot.name for slot in parse_placeholders(text)[0]]


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


def _mask(text: str, values: dict[str, str | Blank]) -> tuple[str, list[str]]:
    """Return the text with each placeholder replaced by `{index}`, and the names in order.

    The text holds no other brace once parsed, so markdown cannot split a placeholder or make one.
    """
    slots, errors = parse_placeholders(text)
    if errors:  # the schema refuses these first: printing one would leave a number out of the page
        raise ValueError(f"{text!r}: {errors[0].message}")
    unknown = [slot.name for slot in slots if slot.name not in values]
    if unknown:
        raise ValueError(f"{text!r}: no value for {{{unknown[0]}}} here")
    out, last = [], 0
    for index, slot in enumerate(slots):
        out += [text[last:slot.start], f"{{{index}}}"]
        last = slot.end
    out.append(text[last:])
    return "".join(out), [slot.name for slot in slots]


def render_inline(text: str, values: dict[str, str | Blank]) -> Markup:
    """Return safe HTML for one text: emphasis rendered, placeholders filled and isolated for bidi."""
    masked, names = _mask(text, values)

    def fill(match: re.Match) -> str:
        name = names[int(match.group(1))]
        if isinstance(values[name], Blank):
            return blank_html(values[name])
        return f'<bdi class="value {name.replace("_", "-")}">{escape(values[name])}</bdi>'

    return Markup(_masked.sub(fill, _md.renderInline(masked)))


def plain(text: str, values: dict[str, str | Blank], printed: bool = False) -> str:
    """Return the text with markup removed and placeholders filled (for titles and metadata).

    `printed`: a blank as the page prints it, its label alone (the line is drawn, not typed).
    """
    masked, names = _mask(text, values)
    bare = html.unescape(re.sub(r"<[^>]*>", "", _md.renderInline(masked)))

    def fill(match: re.Match) -> str:
        value = values[names[int(match.group(1))]]
        return f"{value.label}: " if printed and isinstance(value, Blank) else str(value)  # then a drawn line

    return _masked.sub(fill, bare)
