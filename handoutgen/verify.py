"""Stage 4: verify the build's promises on each rendered PDF, read back as a reader's tools read it.

Checking the input cannot catch everything that goes wrong on the way to paper, so before a
locale is written every PDF is opened with PDFium (the engine of Chromium's PDF viewer) and
refused unless:

- every page carries the clinic's urgent number and fever threshold as whole tokens, standing
  alone and never inside a longer number (`numbers.py`), or, for generic handouts, their
  labelled blank lines;
- every page's running urgent line is the template's text for this clinic (on right-to-left
  pages: the same characters, with its numbers as printed);
- the PDF names the profile's clinic (its Author);
- no page shows an unfilled `{placeholder}`;
- every font is embedded and is one of the bundled fonts, never one from the machine;
- it has as many pages as the layout made, and no more than the topic's `max_pages`;
- no word is wider than its line, and no text lies within 10 mm of the paper's edge (either would
  print cut off).
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from . import fonts
from .errors import Problem
from .markup import Blank, plain
from .numbers import NUMBER_SLOTS, occurrences

UNFILLED = re.compile(r"\{[^{}\s]{1,40}\}")
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                                 "\ufeff\ufffe"))
"""Direction marks and isolates, soft hyphens, and PDFium's mark for a word hyphenated at a line's end."""
MIRRORED: dict[int, str] = {ord(a): b for a, b in zip("()[]<>«»", "((<<<<««")}
"""Brackets, one of each pair: a right-to-left run may map a mirrored glyph to its partner's character."""
MM = 72 / 25.4
EDGE_MM = 10
"""No text nearer the paper's edge than this: a header or footer there may not print."""
FOOTER = "the clinic's name, department and website are printed there; shorten them"
STYLE_WORDS = {"Regular", "Bold", "Italic", "Oblique", "Medium", "Semi", "SemiBold", "Light", "Condensed"}


@dataclass(frozen=True)
class Promise:
    """What must be on every page of one locale and edition, and which file to blame when it is not."""

    must_show: tuple[tuple[str, str], ...]  # (what, text): ("the urgent number", "+1 555-0199")
    blame: Path  # the file a reader of the error should open: the locale's strings
    running: str | None = None  # the running urgent line as the template prints it for this clinic
    numbers: frozenset[str] = frozenset()  # which of must_show's texts are numbers: whole tokens, never inside another
    author: str | None = None  # the clinic named in the PDF's metadata; None: not checked
    footer: Problem | None = None  # where the clinic profile sets the footer's lines: blamed when it does not fit

    @classmethod
    def for_edition(cls, strings, values: dict, blame: Path, english: tuple | None = None,
                    clinic: str | None = None, footer: Problem | None = None) -> Promise:
        """Return what every page of an edition promises: its values, its running line (in two languages
        when `english`, the English strings and values, is given), and the clinic in its metadata."""
        running = ((strings.urgent_line, values),) + (((english[0].urgent_line, english[1]),) if english else ())
        return replace(cls.of(values, blame, running), author=clinic, footer=footer)

    @classmethod
    def of(cls, values: dict, blame: Path, running: tuple[tuple[str, dict], ...] = ()) -> Promise:
        """Return the promise for the placeholder values of a locale and edition.

        `running`: the running urgent line's texts, each with its values (a bilingual page prints two).
        """
        shown, numbers = [], set()
        for name in ("urgent_phone", "fever_threshold"):
            what = NUMBER_SLOTS[name]
            value = values[name]
            if isinstance(value, Blank):
                shown.append((f"the blank line for {what}", f"{value.label}:"))
            else:
                shown.append((what, str(value)))
                numbers.add(str(value))
        line = " ".join(plain(text, given, printed=True) for text, given in running) or None
        return cls(tuple(shown), blame, line, frozenset(numbers))


@dataclass
class Rendered:
    """A rendered PDF and what the layout said of it."""

    data: bytes
    pages: int
    overflows: list[tuple[int, str]] = field(default_factory=list)  # (page, word) wider than its line
    footer_overflows: list[tuple[int, str]] = field(default_factory=list)  # the same, in the page's footer


def normalized(text: str) -> str:
    """Return text with white space collapsed and direction marks, soft hyphens and PDFium's hyphen marks removed."""
    return " ".join(text.translate(INVISIBLE).split())


DIGIT = re.compile(r"\d")
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]|[\U00010800-\U00010fff\U0001e800-\U0001efff]")
"""The blocks of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko... and their presentation forms)."""


def right_to_left(text: str) -> bool:
    """Return whether a text holds a letter of a right-to-left script."""
    return RIGHT_TO_LEFT.search(text) is not None


@dataclass
class _Page:
    raw: str  # PDFium's text, one character per character index, in the order the content stream draws it
    textpage: object

    @property
    def text(self) -> str:
        return self.raw.replace("\ufffe", "")  # PDFium's mark for a word hyphenated at the line's end

    def visual_lines(self, box: tuple[float, float, float, float] | None = None) -> list[str]:
        """Return the lines of the page's text that hold a digit, each read left to right as drawn.

        For right-to-left pages, whose readers reorder a line: a number reads here as printed (within
        `box` alone when given: the running header's). Only
        lines with a digit can show a number, so the others are not read again. A gap wider than a
        quarter of the font size between two characters reads as a space, so that two columns on one
        baseline (a bilingual row) are never read as one word.
        """
        tp = self.textpage.raw
        count = pdfium_c.FPDFText_CountChars(tp)
        spans = [(m.start(), m.end()) for m in re.finditer(r"[^\r\n]+", self.raw) if DIGIT.search(m.group())] \
            if len(self.raw) == count else [(0, count)]  # a character beyond the BMP: read them all
        rows: dict[int, list[tuple[float, float, float, str]]] = {}
        x, y = ctypes.c_double(), ctypes.c_double()
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        for start, end in spans:
            for i in range(start, end):
                code = pdfium_c.FPDFText_GetUnicode(tp, i)
                if not code or chr(code) in "\r\n\ufffe" or not pdfium_c.FPDFText_GetCharOrigin(tp, i, x, y):
                    continue  # on the baseline: one row per line
                if box and not (box[0] <= x.value <= box[2] and box[1] <= y.value <= box[3]):
                    continue  # only the running header's
                pdfium_c.FPDFText_GetCharBox(tp, i, left, right, bottom, top)
                size = pdfium_c.FPDFText_GetFontSize(tp, i) or 10.0
                rows.setdefault(round(y.value), []).append((x.value, right.value, size, chr(code)))
        lines = []
        for _, row in sorted(rows.items(), reverse=True):
            out, end = [], None
            for start, stop, size, char in sorted(row):
                if end is not None and start - end > size / 4 and out and not out[-1].isspace() and \
                        not char.isspace():
                    out.append(" ")
                out.append(char)
                end = max(stop, start) if not char.isspace() else end
            lines.append("".join(out))
        return lines

    def header_text(self, box: tuple[float, float, float, float] | None) -> str | None:
        """Return the text of the page's running header (within `box`, see `_text_objects`), or None without one."""
        return None if box is None else self.textpage.get_text_bounded(*box)


def _text_object_handles(page, depth: int = 4):
    """Yield the raw handles of a page's text objects, those inside form XObjects too (as deep as `depth`)."""
    stack = [(pdfium_c.FPDFPage_CountObjects(page), lambda i: pdfium_c.FPDFPage_GetObject(page, i), 0)]
    while stack:
        count, get, level = stack.pop()
        for i in range(count):
            obj = get(i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                yield obj
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < depth:
                stack.append((pdfium_c.FPDFFormObj_CountObjects(obj),
                              lambda i, form=obj: pdfium_c.FPDFFormObj_GetObject(form, i), level + 1))


def _is_artifact(obj) -> bool:
    """Return whether a page object (a raw handle) is drawn inside an /Artifact marked-content sequence."""
    name = (ctypes.c_ushort * 16)()
    size = ctypes.c_ulong()
    for i in range(pdfium_c.FPDFPageObj_CountMarks(obj)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj, i)
        if pdfium_c.FPDFPageObjMark_GetName(mark, name, ctypes.sizeof(name), ctypes.byref(size)) and \
                bytes(name)[:size.value].decode("utf-16-le").rstrip("\x00") == "Artifact":
            return True
    return False


def _shown(readings: list[str], what: str, text: str, number: bool) -> str | None:
    """Return what is wrong with how a page shows `text` in its readings, or None when it shows it well.

    A number must stand alone at least once and never run into other characters; a blank's label
    must be there.
    """
    fold = MIRRORED if len(readings) > 1 else None  # only a right-to-left run draws a bracket as its partner
    found = [occurrence for reading in readings for occurrence in occurrences(reading, text, fold)]
    glued = [occurrence for occurrence in found if not occurrence.alone]
    if number and glued:
        return (f"shows {what} {text} run into other characters ({glued[0].context!r}): a reader would take it for "
                f"another number")
    if not found:
        return f"lacks {what} {text}"
    return None


def _running_problem(header: str | None, expected: str) -> str | None:
    """Return what is wrong with a page's running urgent line, compared with what the template prints."""
    if header is None:
        return f"lacks the running urgent line {expected!r}"
    have, want = normalized(header), normalized(expected)
    if right_to_left(want):  # readers reorder right-to-left lines: the same characters, each as often
        same = Counter(have.replace(" ", "").translate(MIRRORED)) == Counter(want.replace(" ", "").translate(MIRRORED))
    else:
        same = have == want
    return None if same else f"has the running urgent line {have!r}, not {want!r}"


def _text_objects(page) -> tuple[set[tuple[str, bool]], dict[str, float], tuple[float, float, float, float] | None]:
    """Return the fonts of a page's text (name, embedded), how near the text comes to each edge (in mm), and the
    box around its running header: the artifacts drawn above the body's text."""
    width, height = page.get_size()
    near = {"top": 1e9, "bottom": 1e9, "left": 1e9, "right": 1e9}
    artifacts, body_top = [], None
    seen_fonts: dict[int, tuple[str, bool]] = {}
    box = [ctypes.c_float() for _ in range(4)]
    for obj in _text_object_handles(page.raw):
        pdfium_c.FPDFPageObj_GetBounds(obj, *box)
        left, bottom, right, top = bounds = tuple(value.value for value in box)
        for edge, points in (("top", height - top), ("bottom", bottom), ("left", left), ("right", width - right)):
            near[edge] = min(near[edge], points / MM)
        if bottom > height / 2:  # only the upper half can hold the running header: marks are read there alone
            if _is_artifact(obj):
                artifacts.append(bounds)
            else:
                body_top = top if body_top is None else max(body_top, top)
        font = pdfium_c.FPDFTextObj_GetFont(obj)
        address = ctypes.cast(font, ctypes.c_void_p).value or 0
        if address not in seen_fonts:
            size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
            buffer = ctypes.create_string_buffer(size)
            pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
            seen_fonts[address] = (buffer.value.decode("latin-1"), bool(pdfium_c.FPDFFont_GetIsEmbedded(font)))
    names = set(seen_fonts.values())
    above = [b for b in artifacts if (b[1] >= body_top if body_top is not None else b[1] > height / 2)]
    header = (min(b[0] for b in above) - 1, min(b[1] for b in above) - 1, max(b[2] for b in above) + 1,
              max(b[3] for b in above) + 1) if above else None
    return names, near, header


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
        if promise.author is not None and (pdf.get_metadata_value("Author") or "") != promise.author:
            refuse(None, f"names {pdf.get_metadata_value('Author')!r} as its clinic, not {promise.author!r}",
                   promise.blame)
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
            readings = [seen.text] + (seen.visual_lines() if right_to_left(seen.text) else [])
            for what, text in promise.must_show:
                wrong = _shown(readings, what, text, text in promise.numbers)
                if wrong:
                    refuse(number, wrong, promise.blame)
            used, near, header = _text_objects(page)
            if promise.running is not None:
                wrong = _running_problem(seen.header_text(header), promise.running)
                if not wrong and header and len(readings) > 1:  # the same characters: in the order printed, too
                    drawn = seen.visual_lines(header)
                    wrong = next((f"has the running urgent line without {text} as printed" for text in
                                  sorted(promise.numbers) if text in promise.running and
                                  not any(o.alone for line in drawn for o in occurrences(line, text, MIRRORED))),
                                 None)
                if wrong:
                    refuse(number, wrong, promise.blame)
            for leftover in sorted(set(UNFILLED.findall(seen.text))):
                refuse(number, f"shows an unfilled placeholder {leftover}", source or blame)
            edge, closest = min(near.items(), key=lambda item: item[1])
            if closest < 0:
                refuse(number, "has text beyond the edge of the paper, which prints cut off", source or blame)
            elif closest < EDGE_MM - 0.05:
                why = (f"has text {closest:.1f} mm from the {edge} edge of the paper; many printers leave the outer "
                       f"{EDGE_MM} mm blank, so it could print cut off")
                if edge == "bottom" and promise.footer:  # only the footer is drawn there: the clinic's lines
                    problems.append(replace(promise.footer, message=f"{shown_as} page {number} {why}: {FOOTER}"))
                else:
                    refuse(number, why, source or blame)
            for name, embedded in used:
                if not embedded or not bundled_font(name):
                    strange.add(f"{name}{'' if embedded else ' (not embedded)'}")
        if strange:
            refuse(None, f"uses fonts that are not bundled: {', '.join(sorted(strange))}; a character the "
                         f"bundled fonts lack was drawn with a font from this machine", source or blame)
        for number, word in rendered.overflows:
            refuse(number, f"has a word wider than its line, which prints cut off: {word[:40]!r}; "
                           f"shorten it or break it with a space or hyphen", source or blame)
        for number, word in rendered.footer_overflows:
            message = f"{shown_as} page {number} has a word wider than its footer line: {word[:40]!r}"
            if promise.footer:
                problems.append(replace(promise.footer, message=f"{message}: {FOOTER}"))
            else:
                refuse(number, message.split(" ", 3)[-1], source or blame)
    finally:
        pdf.close()
    return problems
