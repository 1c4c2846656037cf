"""Fonts come from Python packages (the fontpkg-* wheels), never from the machine.

This module lists the bundled faces, writes their @font-face rules and checks that
every character of the content is covered, so that no printed handout shows an empty
box or silently falls back to whatever font a machine happens to have.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fontpkg
from tinycss2.serializer import serialize_string_value

BODY_FAMILY = "Atkinson Hyperlegible"
FALLBACK_FAMILY = "Noto Sans"  # Latin letters Atkinson lacks, Greek and Cyrillic
LATIN = (BODY_FAMILY, FALLBACK_FAMILY)
FAMILIES = {
    BODY_FAMILY: "fontpkg-atkinson-hyperlegible",
    FALLBACK_FAMILY: "fontpkg-noto-sans",
    "Noto Sans Arabic": "fontpkg-noto-sans-arabic",
    "Noto Sans Devanagari": "fontpkg-noto-sans-devanagari",
}
"""Every family the handouts use, with the package that ships it."""

SCRIPT_FAMILIES = {"Arab": "Noto Sans Arabic", "Deva": "Noto Sans Devanagari"}
"""The family a language written in each script (ISO 15924) uses after the Latin ones."""

SCRIPT_PACKAGES = {
    "Arab": "fontpkg-noto-sans-arabic", "Deva": "fontpkg-noto-sans-devanagari", "Thai": "fontpkg-noto-sans-thai",
    "Taml": "fontpkg-noto-sans-tamil", "Telu": "fontpkg-noto-sans-telugu", "Khmr": "fontpkg-noto-sans-khmer",
}
"""Font packages on PyPI for scripts we do not bundle yet, to name in an error."""


def script_of(locale: str) -> str:
    """Return the ISO 15924 script a language is written in (`Arab` for ar), from Babel's likely subtags."""
    from babel.core import get_global, parse_locale

    language, _, script, *_ = parse_locale(locale, sep="-")
    if script:
        return script
    likely = get_global("likely_subtags").get(language)
    return (parse_locale(likely)[2] if likely else None) or "Latn"


def families_for(locale: str) -> tuple[str, ...]:
    """Return the families a language's pages use, in CSS fallback order: Latin first, then its script's."""
    extra = SCRIPT_FAMILIES.get(script_of(locale))
    return LATIN + ((extra,) if extra else ())


def field_source(families: tuple[str, ...]) -> str:
    """Return the family fillable fields copy (see fieldfont.py): the language's script family, else the body one."""
    return families[-1] if families[-1] in SCRIPT_FAMILIES.values() else BODY_FAMILY


def field_family(families: tuple[str, ...]) -> str:
    """Return the name of the field font of a language whose pages use `families`."""
    return f"{field_source(families)} Field"


def coverage_hint(char: str, families: tuple[str, ...]) -> str:
    """Say which font would draw a character that `families` cannot."""
    from fontTools.unicodedata import script, script_name

    code = script(char)
    for family in FAMILIES:
        if family not in families and ord(char) in covered((family,)):
            return f"{family} ({FAMILIES[family]}) covers it, but this language's pages do not use it"
    name = script_name(code, default=code)
    if code in {"Zyyy", "Zinh", "Zzzz"}:
        return "no bundled font has this symbol: write it as a word instead"
    if code in SCRIPT_PACKAGES:
        return (f"the {SCRIPT_PACKAGES[code]} package covers {name} script: add it to pyproject.toml "
                f"and to FAMILIES in handoutgen/fonts.py")
    return f"no font package we bundle covers {name} script"


@dataclass(frozen=True)
class FontFace:
    """One font file and the CSS face it provides."""

    family: str
    path: Path
    weight: str  # "400" or "700"
    style: str


@cache
def faces() -> tuple[FontFace, ...]:
    """Return every bundled face, in a stable order."""
    out = []
    for name in FAMILIES:
        family = fontpkg.family(name)
        for file in sorted(family.files, key=lambda f: (str(f.style), str(f.path))):
            # WeasyPrint takes no weight range in @font-face: a variable font serves its default weight.
            weight = "400" if file.variable else str(file.weight)
            out.append(FontFace(name, Path(file.path), weight, file.style))
    return tuple(out)


def font_face_css(url_for=lambda face: face.path.as_uri(), families: tuple[str, ...] | None = None,
                  ranges: bool = False) -> str:
    """Return @font-face rules for the bundled faces of `families` (default: all); `url_for` gives each URL.

    With `ranges`, each rule has the face's unicode-range, so that a browser downloads a fallback
    font only for text that needs it (not 2 MB of Noto Sans to look for Arabic letters it lacks).
    """
    rules = []
    for face in faces():
        if families is not None and face.family not in families:
            continue
        extra = f" unicode-range: {unicode_range(_coverage(face.path))};" if ranges else ""
        # Names and paths reach CSS only through tinycss2's serializer: no character can end the string.
        family, url = serialize_string_value(face.family), serialize_string_value(url_for(face))
        rules.append(f'@font-face {{ font-family: "{family}"; src: url("{url}"); '
                     f"font-weight: {face.weight}; font-style: {face.style};{extra} }}")
    return "\n".join(rules) + "\n"


def unicode_range(points: frozenset[int]) -> str:
    """Return code points as a CSS unicode-range value, such as `U+20-7E, U+A0-17F`."""
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in _spans(sorted(points)))


@cache
def _coverage(path: Path) -> frozenset[int]:
    """Return the code points a font file maps; kept in the disk cache, since reading a cmap takes time."""
    from . import cache as disk

    info = path.stat()
    key = disk.digest(str(info.st_size), str(info.st_mtime_ns))
    spans = disk.load("cmap", str(path), key)
    if spans is None:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True) as font:
            points = sorted(font.getBestCmap())
        spans = [[a, b] for a, b in _spans(points)]
        disk.store("cmap", str(path), key, spans)
    return frozenset(point for a, b in spans for point in range(a, b + 1))


def _spans(points: list[int]) -> list[tuple[int, int]]:
    """Group sorted code points into runs (first, last)."""
    spans: list[list[int]] = []
    for point in points:
        if spans and point == spans[-1][1] + 1:
            spans[-1][1] = point
        else:
            spans.append([point, point])
    return [(a, b) for a, b in spans]


@cache
def covered(families: tuple[str, ...]) -> frozenset[int]:
    """Return the code points the given families cover together."""
    points: set[int] = set()
    for face in faces():
        if face.family in families:
            points |= _coverage(face.path)
    return frozenset(points)


def uncovered(text: str, families: tuple[str, ...] = LATIN) -> list[str]:
    """Return the characters of `text` that no given family can draw, in order of first use."""
    cover = covered(families)
    missing: dict[str, None] = {}
    for char in text:
        if ord(char) not in cover and not char.isspace() and unicodedata.category(char) not in {"Cf", "Cc"}:
            missing[char] = None
    return list(missing)
