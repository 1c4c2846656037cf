"""Stage 4: verify the build's promises on each rendered PDF, read back as a reader's tools read it.

Checking the input cannot catch everything that goes wrong on the way to paper, so before a
locale is written every PDF is opened with PDFium (the engine of Chromium's PDF viewer) and
refused unless:

- every page carries the clinic's urgent number and fever threshold as printed (or, for
  generic handouts, their labelled blank lines);
- no page shows an unfilled `{placeholder}`;
- every font is embedded and is one of the bundled fonts, never one from the machine;
- it has as many pages as the layout made, and no more than the topic's `max_pages`;
- no word is wider than its line, and no text lies within 10 mm of the paper's edge (either would
  print cut off).
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from . import fonts
from .errors import Problem
from .markup import Blank

UNFILLED = re.compile(r"\{[^{}\s]{1,40}\}")
SPACES = re.compile(r"[\s\u00a0\u200e\u200f\u202f\u2066-\u2069\ufeff]+")
MIRRORED = str.maketrans("()[]<>«»", "((<<<<««")
"""Brackets, one of each pair: a right-to-left run may map a mirrored glyph to its partner's character."""
MM = 72 / 25.4
EDGE_MM = 10
"""No text nearer the paper's edge than this: a header or footer there may not print."""
STYLE_WORDS = {"Regular", "Bold", "Italic", "Oblique", "Medium", "Semi", "SemiBold", "Light", "Condensed"}


@dataclass(frozen=True)
class Promise:
    """What must be on every page of one locale and edition, and which file to blame when it is not."""

    must_show: tuple[tuple[str, str], ...]  # (what, text): ("the urgent number", "+1 555-0199")
    blame: Path  # the file a reader of the error should open: the locale's strings

    @classmethod
    def of(cls, values: dict, blame: Path) -> Promise:
        """Return the promise for the placeholder values of a locale and edition."""
        shown = []
        for name, what in (("urgent_phone", "the urgent number"), ("fever_threshold", "the fever threshold")):
            value = values[name]
            shown.append((f"the blank line for {what}", f"{value.label}:") if isinstance(value, Blank)
                         else (what, str(value)))
        return cls(tuple(shown), blame)


@dataclass
class Rendered:
    """A rendered PDF and what the layout said of it."""

    data: bytes
    pages: int
    overflows: list[tuple[int, str]] = field(default_factory=list)  # (page, word) wider than its line


def _squash(text: str) -> str:
    return SPACES.sub("", text)


def _shows(line: str, wanted: str) -> bool:
    """Return whether a line, read left to right as drawn, shows `wanted`.

    A right-to-left run comes out reversed when read left to right, and PDFium gives a stray
    character for each glyph whose text is already on another (the dots of an Arabic letter,
    see tounicode.py), so those are set aside before comparing.
    """
    drawn = _drawn_right_to_left(wanted)
    if wanted in line or drawn in line:
        return True
    letters = set(wanted)
    kept = "".join(char for char in line if char in letters)
    return wanted in kept or drawn in kept


def _drawn_right_to_left(text: str) -> str:
    """Return text set right to left as it reads left to right on the page: digits and Latin keep their order."""
    runs = re.findall(r"[0-9A-Za-z]+|[^0-9A-Za-z]+", text)
    return "".join(run if run[0].isascii() and run[0].isalnum() else run[::-1] for run in reversed(runs))


@dataclass
class _Page:
    text: str  # in the order the content stream draws it
    textpage: object

    def visual_lines(self) -> list[str]:
        """Return the page's text line by line, each read left to right as drawn (for right-to-left pages)."""
        tp = self.textpage.raw
        rows: dict[int, list[tuple[float, str]]] = {}
        x, y = ctypes.c_double(), ctypes.c_double()
        for i in range(pdfium_c.FPDFText_CountChars(tp)):
            code = pdfium_c.FPDFText_GetUnicode(tp, i)
            if code and pdfium_c.FPDFText_GetCharOrigin(tp, i, x, y):  # on the baseline: one per line
                rows.setdefault(round(y.value), []).append((x.value, chr(code)))
        return ["".join(char for _, char in sorted(row)) for _, row in sorted(rows.items(), reverse=True)]


def _text_objects(page) -> tuple[set[tuple[str, bool]], dict[str, float]]:
    """Return the fonts of a page's text (name, embedded), and how near the text comes to each edge, in mm."""
    names = set()
    width, height = page.get_size()
    near = {"top": 1e9, "bottom": 1e9, "left": 1e9, "right": 1e9}
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT], max_depth=4):
        left, bottom, right, top = obj.get_bounds()
        for edge, points in (("top", height - top), ("bottom", bottom), ("left", left), ("right", width - right)):
            near[edge] = min(near[edge], points / MM)
        font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
        size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
        names.add((buffer.value.decode("latin-1"), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return names, near


def bundled_font(name: str) -> bool:
    """Return whether a PDF font name (`ABCDEF+Noto-Sans-Arabic-Bold`) is one of the bundled families."""
    base = name.split("+", 1)[-1]
    for family in sorted(fonts.FAMILIES, key=len, reverse=True):
        stem = family.replace(" ", "-")
        if base == stem or base.startswith(stem + "-"):
            rest = [word for word in base[len(stem):].split("-") if word]
            return all(word in STYLE_WORDS for word in rest)
    return False


def verify(rendered: Rendered, shown_as: str, promise: Promise, max_pages: int | None = None,
           source: Path | None = None, paper: str = "") -> list[Problem]:
    """Return a problem for every promise the PDF does not keep; `shown_as` names it (`es/when-to-call.pdf`)."""
    problems: list[Problem] = []
    blame = source or promise.blame

    def refuse(page: int | None, message: str, file: Path = blame) -> None:
        where = f"{shown_as} page {page}" if page else shown_as
        problems.append(Problem(file, 0, 0, "", f"{where} {message}"))

    pdf = pdfium.PdfDocument(rendered.data)
    try:
        if len(pdf) != rendered.pages:
            refuse(None, f"has {len(pdf)} pages, but the layout made {rendered.pages}")
        if max_pages and rendered.pages > max_pages:
            problems.append(Problem(source or blame, 0, 0, "max_pages", f"renders to {rendered.pages} pages on "
                                    f"{paper or 'this'} paper; the limit is {max_pages}: shorten the text ({shown_as})"))
        strange: set[str] = set()
        for number in range(1, len(pdf) + 1):
            page = pdf[number - 1]
            textpage = page.get_textpage()
            seen = _Page(textpage.get_text_range(), textpage)
            squashed, lines = _squash(seen.text), None
            for what, text in promise.must_show:
                if _squash(text) in squashed:
                    continue
                lines = lines if lines is not None else [_squash(line).translate(MIRRORED)
                                                         for line in seen.visual_lines()]
                wanted = _squash(text).translate(MIRRORED)
                if not any(_shows(line, wanted) for line in lines):
                    refuse(number, f"lacks {what} {text}", promise.blame)
            for leftover in sorted(set(UNFILLED.findall(seen.text))):
                refuse(number, f"shows an unfilled placeholder {leftover}", source or blame)
            used, near = _text_objects(page)
            edge, closest = min(near.items(), key=lambda item: item[1])
            if closest < 0:
                refuse(number, "has text beyond the edge of the paper, which prints cut off", source or blame)
            elif closest < EDGE_MM - 0.05:
                refuse(number, f"has text {closest:.1f} mm from the {edge} edge of the paper; many printers leave "
                               f"the outer {EDGE_MM} mm blank, so it could print cut off", source or blame)
            for name, embedded in used:
                if not embedded or not bundled_font(name):
                    strange.add(f"{name}{'' if embedded else ' (not embedded)'}")
        if strange:
            refuse(None, f"uses fonts that are not bundled: {', '.join(sorted(strange))}; a character the "
                         f"bundled fonts lack was drawn with a font from this machine", source or blame)
        for number, word in rendered.overflows:
            refuse(number, f"has a word wider than its line, which prints cut off: {word[:40]!r}; "
                           f"shorten it or break it with a space or hyphen", source or blame)
    finally:
        pdf.close()
    return problems
