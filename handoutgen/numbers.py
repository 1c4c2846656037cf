"""The numbers a family dials or reads off a thermometer, as whole tokens: one rule at the input and the output.

A phone number or the fever threshold is printed from the clinic profile into a placeholder.
Anything glued to it (a digit, a letter, a zero-width space, a word joiner, a soft hyphen, a
direction mark, a digit of another script) makes a different number on paper, which still
*contains* the right one. So the same boundary rule is applied twice:

- at the input, to each number placeholder of a text (`glued_placeholders`), markdown's `*` and
  `_` set aside as they print nothing;
- at the output, to each place a page's text shows the number (`occurrences`).

A number is bounded on each side by the edge of the text, by white space, or by punctuation
that does not go on into a digit or a letter (`555-0199.` ends a sentence; `555-0199-2` and
`555-0199.5` are longer numbers). A letter, a mark, a digit of any script, a format, private or
unassigned character, or a `+` next to it is never a boundary.

Content never types a number a family would dial or a temperature: those differ between
clinics and come from the profile. `typed_numbers` finds them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

NUMBER_SLOTS = {"urgent_phone": "the urgent number", "daytime_phone": "the daytime number",
                "emergency_phone": "the emergency number", "fever_threshold": "the fever threshold"}
"""The placeholders that stand for a number: each must stand alone in its text."""
MARKUP = "*_"
"""Characters that print nothing around a placeholder (markdown emphasis)."""
SPACES = " \t\n\r\u00a0\u202f"
"""The white space that ends a number: a space, a tab or line end, a no-break space. A hair or thin space does not:
on paper it looks like no gap at all, and PDFium reads it back as a plain space."""
_SEPARATOR = r"[\s\u00a0\u202f\u2009\u200a\u200b\u2060().\-\u2010\u2011\u2012/·]"
_PHONE = re.compile(rf"(?<![^\W\d_])[+\uff0b]?\d(?:{_SEPARATOR}*\d)?(?:{_SEPARATOR}*\d)*")
_EMERGENCY = re.compile(r"(?<![\w.,\-\u2013/])\d{3}(?![\w]|[.,]\d|\s*(?:%|/|°|(?:g|mg|µg|mcg|kg|mL|ml|L|l|mmol|µmol|U|IU|"
                        r"mm|cm|mmHg|bpm|days?|weeks?|months?|years?)\b))")
"""Three digits standing alone, not a measure (`Hb 112 g/L`) nor part of a range (`1-112`)."""
EMERGENCY_NUMBERS = {911, 112, 999}
_TEMPERATURE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:[°º]\s*([CF])?|([℃℉])|(?:degrees|grados|degrés|درجة)\b)",
                          re.IGNORECASE)
FEVER_RANGES = {"C": (35.0, 43.0), "F": (95.0, 110.0)}
"""A typed temperature in these ranges reads as a fever threshold (storage at 2 °C to 8 °C does not)."""
NOT_PHONES = [re.compile(pattern) for pattern in (
    r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+(?:\s*[-\u2013]\s*\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+)?",  # 150 000–450 000
    r"(?:19|20)\d\d\s*[-\u2013/]\s*(?:19|20)\d\d",  # 2019-2024
    r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}",  # 12/05/2024
    r"\d{1,2}[.:]\d{2}\s*[-\u2013]\s*\d{1,2}[.:]\d{2}",  # 8.30-16.30
)]
"""Runs of digits that are counts, ranges, years, dates or times, not phone numbers."""
PHONE_DIGITS = 7
"""A run of this many digits or more (with spaces, dots, dashes or brackets between) reads as a phone number."""


def _breaks(char: str | None, beyond: str | None) -> bool:
    """Return whether `char` (with `beyond` after it, away from the number) ends a number cleanly."""
    if char is None or char in SPACES:
        return True
    kind = unicodedata.category(char)
    if kind[0] in "LMNCSZ":  # letters, marks, digits, format and other invisible characters, symbols (＋ ⁺ |), odd spaces
        return False
    return beyond is None or beyond in SPACES or not (beyond.isalnum() or unicodedata.category(beyond)[0] in "LMNCSZ")


def _near(text: str, index: int, step: int, skip: str) -> tuple[str | None, str | None]:
    """Return the first two characters from `index` going `step` (±1), characters in `skip` passed over."""
    found: list[str] = []
    while 0 <= index < len(text) and len(found) < 2:
        if text[index] not in skip:  # markup is passed over on both sides: `{urgent_phone}.*5*` prints 555-0199.5
            found.append(text[index])
        index += step
    return (found[0] if found else None), (found[1] if len(found) > 1 else None)


def bounded(text: str, start: int, end: int, skip: str = "") -> bool:
    """Return whether `text[start:end]` stands alone: nothing glued before or after it."""
    return _breaks(*_near(text, start - 1, -1, skip)) and _breaks(*_near(text, end, 1, skip))


def glued_placeholders(text: str) -> list[str]:
    """Return a message for each number placeholder with a character glued to it."""
    from .markup import parse_placeholders

    messages = []
    for slot in parse_placeholders(text)[0]:
        if slot.name not in NUMBER_SLOTS:
            continue
        glued = []
        for side, (char, beyond) in (("before", _near(text, slot.start - 1, -1, MARKUP)),
                                     ("after", _near(text, slot.end, 1, MARKUP))):
            if not _breaks(char, beyond):
                shown = describe(char) if beyond is None or _breaks(char, None) is False else \
                    f"{describe(char)} then {describe(beyond)}"
                glued.append(f"{shown} {side}")
        if glued:
            messages.append(f"{{{slot.name}}} has {' and '.join(glued)} it: {NUMBER_SLOTS[slot.name]} would print "
                            f"as a different number; put a space between them")
    return messages


def describe(char: str) -> str:
    """Return a character as a reader of an error can see it: `'x'` or `U+200B (ZERO WIDTH SPACE)`."""
    if char.isprintable() and not unicodedata.category(char).startswith(("M", "C")) and not char.isspace():
        return repr(char)
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed character')})"


@dataclass(frozen=True)
class Typed:
    """A number typed into a text where a placeholder belongs."""

    start: int
    text: str
    message: str


def typed_numbers(text: str) -> list[Typed]:
    """Return each phone number, emergency number or temperature typed into a text."""
    found = []
    for match in _PHONE.finditer(text):
        if sum(char.isdigit() for char in match.group()) >= PHONE_DIGITS and \
                not any(pattern.fullmatch(match.group().strip()) for pattern in NOT_PHONES):
            found.append(Typed(match.start(), match.group(), f"{match.group()!r} looks like a phone number: numbers "
                               "come from the clinic profile; write {urgent_phone}, {daytime_phone} or "
                               "{emergency_phone}"))
    for match in _EMERGENCY.finditer(text):
        if int("".join(str(unicodedata.digit(char)) for char in match.group())) in EMERGENCY_NUMBERS:
            found.append(Typed(match.start(), match.group(), f"{match.group()!r} looks like an emergency number: it "
                               "differs between countries; write {emergency_phone}"))
    for match in _TEMPERATURE.finditer(text):
        value = float("".join(str(unicodedata.digit(c)) if c.isdigit() else "." for c in match.group(1)))
        unit = (match.group(2) or {"℃": "C", "℉": "F"}.get(match.group(3) or "", "")).upper()
        if any(low <= value <= high for scale, (low, high) in FEVER_RANGES.items() if unit in {"", scale}):
            found.append(Typed(match.start(), match.group(), f"{match.group().strip()!r} looks like a temperature: "
                               "the fever threshold is the clinic's; write {fever_threshold}"))
    return sorted(found, key=lambda typed: typed.start)


def number_messages(text: str) -> list[str]:
    """Return every message about the numbers of one text: glued placeholders, then typed numbers."""
    return glued_placeholders(text) + [typed.message for typed in typed_numbers(text)]


# --- At the output: where a page's text shows a number ---------------------------------------

@lru_cache(maxsize=16)
def _squashed(text: str) -> tuple[str, tuple[int, ...]]:
    """Return a text without its white space, and where each character left was in the text."""
    origin = tuple(index for index, char in enumerate(text) if not char.isspace())
    return "".join(text[index] for index in origin), origin


@dataclass(frozen=True)
class Occurrence:
    """One place a text shows a wanted number, and whether it stands alone there."""

    start: int
    end: int
    alone: bool
    context: str


def occurrences(text: str, wanted: str, fold: dict[int, str] | None = None) -> list[Occurrence]:
    """Return every place `text` shows `wanted`, white space inside either ignored, and whether each stands alone.

    `fold` (a `str.translate` table of one character to one) is applied to both before comparing:
    a bracket in a right-to-left run may come out as its partner.
    """
    haystack, origin = _squashed(text.translate(fold) if fold else text)
    needle = "".join((wanted.translate(fold) if fold else wanted).split())
    found = []
    if not needle:
        return found
    at = haystack.find(needle)
    while at >= 0:
        start, end = origin[at], origin[at + len(needle) - 1] + 1
        found.append(Occurrence(start, end, bounded(text, start, end),
                                " ".join(text[max(0, start - 12):end + 12].split())))
        at = haystack.find(needle, at + 1)
    return found
