"""The font of fillable fields: a bundled face whose line height is exactly one em.

A PDF form field has a font and a size but no line height: each viewer sets typed lines its
own way. Chromium's viewer (PDFium) spaces them by the font's ascent minus its descent (1.24 em
for Atkinson Hyperlegible, 2.11 em for Noto Sans Arabic); poppler by the font size alone. So
no font size puts typed text on ruled lines in both, and Arabic typed in a field drawn with
the page's Latin font shows nothing at all.

Here the language's own face (its script's family, else the body family) is copied with its
vertical metrics set to ascent one em, descent zero, no line gap: the glyphs are untouched,
and both viewers then start a new line every font size. The stylesheets set a field's font
size to the spacing of its printed rules, so typed text sits on them. The copy is made from
the packaged file once a process (0.1 s), never read from the machine, and
reaches WeasyPrint as a data: URL, the only kind of address besides our own files it may fetch.
"""

from __future__ import annotations

import base64
import io
from functools import cache

from tinycss2.serializer import serialize_string_value

from . import fonts


def one_em_font(families: tuple[str, ...]) -> bytes:
    """Return the regular face of the fields' family, renamed `fonts.field_family(families)`, with a line height of 1 em."""
    from fontTools.ttLib import TTFont

    family = fonts.field_source(families)
    face = next(f for f in fonts.faces() if f.family == family and f.style == "normal" and f.weight == "400")
    font = TTFont(face.path, recalcTimestamp=False)  # the same bytes at every build
    em = font["head"].unitsPerEm
    font["hhea"].ascent, font["hhea"].descent, font["hhea"].lineGap = em, 0, 0
    os2 = font["OS/2"]
    os2.sTypoAscender, os2.sTypoDescender, os2.sTypoLineGap = em, 0, 0
    os2.usWinAscent, os2.usWinDescent = em, 0
    name = fonts.field_family(families)
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = name
        elif record.nameID == 6:
            record.string = name.replace(" ", "")
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@cache
def face_css(families: tuple[str, ...]) -> str:
    """Return the @font-face rule of the field font of a language whose pages use `families` (made once a process)."""
    url = "data:font/ttf;base64," + base64.b64encode(one_em_font(families)).decode("ascii")
    return (f'@font-face {{ font-family: "{serialize_string_value(fonts.field_family(families))}"; '
            f'src: url("{url}"); font-weight: 400; font-style: normal; }}\n')
