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

BODY_FAMILY = "Atkinson Hyperlegible"
FALLBACK_FAMILY = "Noto Sans"
FAMILIES = {
    BODY_FAMILY: "fontpkg-atkinson-hyperlegible",
    FALLBACK_FAMILY: "fontpkg-noto-sans",
}
"""Every family the handouts use, with the package that ships it."""


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


def font_face_css(url_for=lambda face: face.path.as_uri()) -> str:
    """Return @font-face rules for every bundled face; `url_for` gives each file's URL."""
    rules = []
    for face in faces():
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("{url_for(face)}"); '
            f"font-weight: {face.weight}; font-style: {face.style}; }}"
        )
    return "\n".join(rules) + "\n"


@cache
def _coverage(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def covered(families: tuple[str, ...]) -> frozenset[int]:
    """Return the code points the given families cover together."""
    points: set[int] = set()
    for face in faces():
        if face.family in families:
            points |= _coverage(face.path)
    return frozenset(points)


def uncovered(text: str, families: tuple[str, ...] = (BODY_FAMILY, FALLBACK_FAMILY)) -> list[str]:
    """Return the characters of `text` that no given family can draw, in order of first use."""
    cover = covered(families)
    missing: dict[str, None] = {}
    for char in text:
        if ord(char) not in cover and not char.isspace() and unicodedata.category(char) not in {"Cf", "Cc"}:
            missing[char] = None
    return list(missing)
