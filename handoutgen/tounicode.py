"""Give every character code in WeasyPrint 70's PDFs exactly one text, so shaped Arabic extracts intact.

Upstream: Kozea/WeasyPrint#2841, "Corrupted ToUnicode CMap (empty bfchar entries) for real-GSUB
Arabic text", open (its proposed fix, Kozea/WeasyPrint#2869, was closed unmerged).

What WeasyPrint 70 does wrong. `weasyprint.draw.text.draw_first_line` writes each glyph's id as
its character code and records the glyph's text in `Font.to_unicode`, the source of the
ToUnicode CMap that `weasyprint.pdf.fonts.build_fonts_dictionary` writes, only the first time
the glyph is drawn, from the bytes between the glyph's cluster and the next glyph's. Noto Sans
Arabic draws a dotted letter as a skeleton glyph plus a dots glyph, both shared (ب ت ث ن ي share
skeletons; ت ق ة share the two dots), so:

- in a cluster of several glyphs, the visually first one (in Arabic, the dots) gets the whole
  letter and the others the empty string;
- a shared glyph keeps the first letter it was drawn with everywhere else: ق reads back as ة,
  ن as ت, a different and silently wrong word;
- a font also used by a form field gets its map from the font's cmap instead, which has no
  entry for shaped or mirrored glyphs (the `(` drawn for `)` in right-to-left text).

No glyph-to-text map is right when one glyph stands for several texts; a character code can be.
This patch changes:

1. Drawing (`draw_first_line`): a character's text goes to the logically first glyph of its
   cluster, with its combining marks (harakat) after it, in logical order, as the text of one
   grapheme. Each (glyph, text) pair gets its own character code: the glyph id for its first
   text, then a new code above the font's glyphs. A grapheme drawn with several glyphs next to
   each other (a letter and its dots, a letter and its haraka) gets one code that draws a
   composite glyph added to the font, its parts where WeasyPrint would have drawn them, so every
   code reads as a text: no empty map, which PDF/UA-1 validators call malformed and PDFium reads
   as the code itself. Pango's glyphs are swapped for these codes only while the line is drawn.
2. Writing the font (`_build_vector_font_dictionary`, `Font.subset`, `Font.clean`): the subset
   keeps the composites' parts, the composites are added to the cleaned (subset, instanced)
   TrueType font, a CIDToGIDMap draws each new code with its glyph, and /W gives each new code
   its glyph's width. A font used by a form field keeps its cmap-based map, with the texts drawn
   written over it.

The encoding stays /Identity-H, so extractors that only know it keep working. Bitmap, colour
(emoji) and CFF fonts get no new codes: their first text wins, as in WeasyPrint.

Left as they are: a grapheme's glyphs that are not next to each other in drawing order keep an
empty text for all but the first (none in our Arabic); a composite's parts are placed to the font
unit, where PDFium snaps a glyph drawn alone to the pixel (ink may move by a device pixel); and
poppler lays the characters of one glyph out left to right before reversing a right-to-left line,
so a letter and its haraka come out of pdftotext swapped.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

import pydyf
import weasyprint
from weasyprint.draw import text as draw_text
from weasyprint.pdf import anchors as pdf_anchors
from weasyprint.pdf import fonts as pdf_fonts
from weasyprint.text import fonts as text_fonts
from weasyprint.text import line_break
from weasyprint.text.ffi import FROM_UNITS, ffi, pango

if not weasyprint.__version__.startswith("70."):
    raise ImportError(
        f"handoutgen.tounicode patches WeasyPrint 70.x for Kozea/WeasyPrint#2841, but WeasyPrint "
        f"{weasyprint.__version__} is installed: check whether upstream fixed the ToUnicode map, "
        f"then port or remove handoutgen/tounicode.py")

MISSING_GLYPHS_ROOM = 256  # codes kept free above the font's glyphs for WeasyPrint's missing-glyph codes
_ORIGINAL: dict[str, object] = {}


@dataclass
class TextCodes:
    """The character codes of one font: one per (glyph, text) pair drawn."""

    codes: dict[tuple, int] = field(default_factory=dict)
    extra: dict[int, int] = field(default_factory=dict)  # new code → the glyph it draws
    composites: dict[int, tuple] = field(default_factory=dict)  # new code → (components, advance), a glyph to add


def apply() -> None:
    """Patch WeasyPrint's text drawing and font writing; calling it again does nothing."""
    if _ORIGINAL:
        return
    _ORIGINAL.update(draw=draw_text.draw_first_line, build=pdf_fonts._build_vector_font_dictionary,
                     subset=pdf_fonts.Font.subset, clean=pdf_fonts.Font.clean, describe=text_fonts.get_font_description)
    line_break.get_font_description = pdf_anchors.get_font_description = font_description
    draw_text.draw_first_line = draw_first_line
    pdf_fonts._build_vector_font_dictionary = build_vector_font_dictionary
    pdf_fonts.Font.subset = subset
    pdf_fonts.Font.clean = clean


# Laying out.

def font_description(style):
    """Describe the font as WeasyPrint does, asking a variable font for the weight the style asks.

    WeasyPrint 70 lays a variable font out at its default weight when the style sets no
    `font-variation-settings` (our @font-face rules give variable faces one weight), yet embeds
    it instantiated at the style's weight: bold Arabic is drawn with the bold outlines at the
    regular advances, and /W no longer matches the font program (PDF/UA-1's glyph-width rule).
    Static fonts have no weight axis and ignore the setting.
    """
    description = _ORIGINAL["describe"](style)
    if style["font_variation_settings"] == "normal":
        pango.pango_font_description_set_variations(description, f"wght={style['font_weight']}".encode())
    return description


# Drawing.

def draw_first_line(stream, textbox, *args, **kwargs):
    """Draw the line as WeasyPrint does, with one character code per (glyph, text) pair."""
    recoder = LineRecoder(stream, textbox)
    layout = textbox.pango_layout
    layout.get_first_line, layout.set_text = recoder.get_first_line, recoder.set_text
    try:
        return _ORIGINAL["draw"](stream, textbox, *args, **kwargs)
    finally:
        recoder.restore()
        del layout.get_first_line, layout.set_text


class LineRecoder:
    """Recode the glyphs of the line a layout gives while it is drawn; put Pango's ids back after."""

    def __init__(self, stream, textbox):
        self.stream, self.textbox, self.layout = stream, textbox, textbox.pango_layout
        self.line, self.changed = None, []

    def get_first_line(self):
        """Return the layout's first line, its glyph ids swapped for character codes."""
        line, index = type(self.layout).get_first_line(self.layout)
        if line != self.line:
            self.restore()
            self.line = line
            self.recode(line)
        return line, index

    def set_text(self, *args, **kwargs):
        """Put Pango's glyph ids back before it frees the line (for an ellipsis), then set the text."""
        self.restore()
        self.line = None
        return type(self.layout).set_text(self.layout, *args, **kwargs)

    def restore(self):
        """Put Pango's glyph ids and positions back."""
        for glyph_info, glyph_id, geometry in reversed(self.changed):
            glyph_info.glyph = glyph_id
            glyph_info.geometry.width, glyph_info.geometry.x_offset, glyph_info.geometry.y_offset = geometry
        self.changed.clear()

    def change(self, glyph_info, glyph_id: int, width: int | None = None) -> None:
        """Draw `glyph_id` in place of the glyph; with `width`, at that advance and no offset."""
        geometry = glyph_info.geometry
        self.changed.append((glyph_info, glyph_info.glyph, (geometry.width, geometry.x_offset, geometry.y_offset)))
        glyph_info.glyph = glyph_id
        if width is not None:
            geometry.width, geometry.x_offset, geometry.y_offset = width, 0, 0

    def recode(self, line):
        """Swap each glyph id of the line for the code of its (glyph, text) pair."""
        utf8 = self.layout.text.encode()
        run = line.runs
        while run != ffi.NULL:
            glyph_item, run = run.data, run.next
            font, font_size = self.stream.add_font(glyph_item.item.analysis.font)
            if font.bitmap or font.png or font.svg or font.colr:
                continue
            if pango.pango_version() < 14802:  # as draw_first_line does, for Pango's issue 530
                font_size = self.textbox.style["font_size"]
            texts = cluster_texts(glyph_item, utf8)
            glyphs, pango_font = glyph_item.glyphs.glyphs, glyph_item.item.analysis.font
            for i, text, last in graphemes(texts):
                # Several glyphs: one code drawing them as one glyph, where a code is left to spare.
                if last > i and (found := composite_code(font, [glyphs[j] for j in range(i, last + 1)], text,
                                                         pango_font, font_size, self.stream)):
                    code, width = found
                    self.change(glyphs[i], code, width)
                    for j in range(i + 1, last + 1):
                        self.change(glyphs[j], pango.PANGO_GLYPH_EMPTY, 0)
                    continue
                for j in range(i, last + 1):
                    if texts[j][0] is not None:
                        code = text_code(font, glyphs[j].glyph, texts[j][0], pango_font, font_size, self.stream)
                        if code != glyphs[j].glyph:
                            self.change(glyphs[j], code)


def graphemes(texts: list[tuple[str | None, int]]):
    """Yield (first glyph, text, last glyph) for each run of glyphs, in drawing order, of one grapheme.

    A grapheme's glyphs are next to each other in drawing order (its marks and dots with its
    letter); one drawn alone, or Pango's empty and missing glyphs, come one by one.
    """
    i = 0
    while i < len(texts):
        text, start = texts[i]
        last = i
        if text is not None:
            while last + 1 < len(texts) and texts[last + 1][0] is not None and texts[last + 1][1] == start:
                last += 1
        whole = "".join(texts[j][0] for j in range(i, last + 1)) if text is not None else None
        yield i, whole, last
        i = last + 1


def cluster_texts(glyph_item, utf8: bytes) -> list[tuple[str | None, int]]:
    """Return each glyph's text and grapheme (its start in the run's text): the grapheme's text for
    its logically first glyph, '' for the others.

    Pango makes each character a cluster, a combining mark too; a mark's text joins its base
    letter's, in logical order, as the text of one grapheme. A mark drawn with its own text
    would make poppler split the word where the mark is raised or lowered. None marks Pango's
    empty and missing glyphs, which WeasyPrint handles itself.
    """
    item, glyphs = glyph_item.item, glyph_item.glyphs
    count = glyphs.num_glyphs
    clusters = [glyphs.log_clusters[i] for i in range(count)]
    text = utf8[item.offset:item.offset + item.length]
    grapheme: dict[int, int] = {}  # cluster start → start of its grapheme
    end: dict[int, int] = {}  # grapheme start → end
    starts, previous = sorted(set(clusters)), None
    for start, stop in zip(starts, starts[1:] + [item.length]):
        head = text[start:stop].decode("utf-8", "replace")[:1]
        previous = grapheme[start] = previous if previous is not None and extends(head) else start
        end[previous] = stop
    texts: list[tuple[str | None, int]] = [(None, -1)] * count
    carried: set[int] = set()
    order = range(count - 1, -1, -1) if item.analysis.level % 2 else range(count)  # glyphs are in visual order
    for i in order:
        glyph_id = glyphs.glyphs[i].glyph
        if glyph_id == pango.PANGO_GLYPH_EMPTY or glyph_id & pango.PANGO_GLYPH_UNKNOWN_FLAG:
            continue
        start = grapheme[clusters[i]]
        texts[i] = ("" if start in carried else text[start:end[start]].decode("utf-8", "replace"), start)
        carried.add(start)
    return texts


def extends(char: str) -> bool:
    """Return whether the character belongs to the one before it: a combining mark or a joiner."""
    return bool(char) and (unicodedata.category(char) in ("Mn", "Mc", "Me") or char in "\u200c\u200d")


def text_code(font, glyph_id: int, text: str, pango_font, font_size: float, stream) -> int:
    """Return the character code that draws the glyph and reads back as the text."""
    codes = font.__dict__.setdefault("text_codes", TextCodes())
    if (glyph_id, text) in codes.codes:
        return codes.codes[glyph_id, text]
    first = font.to_unicode.setdefault(glyph_id, text)
    code = spare_code(font, codes)
    if code is None or first == text or unicodedata.normalize("NFKC", first) == unicodedata.normalize("NFKC", text):
        code = glyph_id  # its first text, one that reads the same (a no-break space), or no code to spare
    else:
        codes.extra[code] = glyph_id
        font.widths[code] = logical_width(font, glyph_id, pango_font, font_size, stream)
        font.to_unicode[code] = text
    codes.codes[glyph_id, text] = code
    return code


def spare_code(font, codes: TextCodes) -> int | None:
    """Return the next new character code of a TrueType font, or None when there is none to spare."""
    code = font.glyph_count + MISSING_GLYPHS_ROOM + len(codes.extra) + len(codes.composites)
    if font.type != "ttf" or len(font.missing) >= MISSING_GLYPHS_ROOM or code > 0xFFFF:
        return None
    return code


def logical_width(font, glyph_id: int, pango_font, font_size: float, stream) -> int:
    """Return a glyph's width in thousandths of an em, measured (once) as draw_first_line measures it."""
    if glyph_id not in font.widths:
        pango.pango_font_get_glyph_extents(pango_font, glyph_id, stream.ink_rect, stream.logical_rect)
        font.widths[glyph_id] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
    return font.widths[glyph_id]


def composite_code(font, glyph_infos, text: str, pango_font, font_size: float, stream) -> tuple[int, int] | None:
    """Return the code of a glyph to add that draws these glyphs where WeasyPrint would, and its Pango
    width; None when the font has no code to spare (then each glyph keeps a code of its own).

    The positions follow draw_first_line's own arithmetic (offsets over the font size, its text
    rise of y_offset / 1000), so the page looks the same to the pixel.
    """
    pen, components = 0.0, []
    for glyph_info in glyph_infos:
        geometry, glyph_id = glyph_info.geometry, glyph_info.glyph
        offset, logical = geometry.x_offset / font_size, logical_width(font, glyph_id, pango_font, font_size, stream)
        components.append((glyph_id, round((pen + offset) * font.upem / 1000),
                           round(-geometry.y_offset / font_size * font.upem / 1000)))
        pen += offset + logical - int(logical + offset - geometry.width * 1000 * FROM_UNITS / font_size)
    advance = round(pen * font.upem / 1000)
    codes = font.__dict__.setdefault("text_codes", TextCodes())
    key = (tuple(components), advance, text)
    if key not in codes.codes:
        code = spare_code(font, codes)
        if code is None:
            return None
        codes.codes[key] = code
        codes.composites[code] = (tuple(components), advance)
        font.widths[code] = advance * 1000 / font.upem
        font.to_unicode[code] = text
    code = codes.codes[key]
    return code, round(font.widths[code] * font_size / (1000 * FROM_UNITS))


# Writing the font.

def subset(self, to_unicode, hinting):
    """Subset the font to the glyphs drawn, without the new codes, with the parts of the glyphs to add."""
    codes = getattr(self, "text_codes", TextCodes())
    kept = {code: text for code, text in to_unicode.items() if code not in codes.extra and code not in codes.composites}
    if kept:  # an empty map means no subsetting (a font a form uses): nothing to add then
        for components, _ in codes.composites.values():
            for glyph_id, _, _ in components:
                kept.setdefault(glyph_id, "")
    return _ORIGINAL["subset"](self, kept, hinting)


def clean(self, to_unicode, hinting):
    """Clean the font as WeasyPrint does (subset, instance), then add the composite glyphs drawn."""
    _ORIGINAL["clean"](self, to_unicode, hinting)
    codes = getattr(self, "text_codes", TextCodes())
    if codes.composites:
        self.file_content, glyph_ids = add_composites(self.file_content, list(codes.composites.values()))
        codes.extra.update(zip(codes.composites, glyph_ids))


def add_composites(data: bytes, composites: list[tuple]) -> tuple[bytes, list[int]]:
    """Return a TrueType font with a composite glyph added for each (components, advance), and their ids."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.tables._g_l_y_f import GlyphComponent, Glyph

    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    order, glyf, hmtx = font.getGlyphOrder(), font["glyf"], font["hmtx"]
    first = len(order)
    names = [f"handoutgen.{first + i}" for i in range(len(composites))]
    font.setGlyphOrder(order + names)
    glyf.glyphOrder = order + names
    for name, (components, advance) in zip(names, composites):
        glyph = Glyph()
        glyph.numberOfContours = -1
        glyph.components = []
        for glyph_id, x, y in components:
            component = GlyphComponent()
            component.glyphName, component.x, component.y, component.flags = order[glyph_id], x, y, 0
            glyph.components.append(component)
        glyf[name] = glyph
        glyph.recalcBounds(glyf)
        hmtx[name] = (advance, getattr(glyph, "xMin", 0))
    for table in ("hdmx", "LTSH", "VDMX"):  # per-glyph tables we do not extend
        if table in font:
            del font[table]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), list(range(first, first + len(composites)))


def build_vector_font_dictionary(font_dictionary, pdf, font, widths, compress, reference, pdf_version):
    """Write the font as WeasyPrint does, drawing each new code with its glyph and reading it as its text."""
    extra = getattr(font, "text_codes", TextCodes()).extra
    from_cmap = widths is not font.widths  # WeasyPrint mapped the whole font from its cmap (a form uses it)
    if from_cmap:
        widths = {**widths, **{code: widths.get(glyph_id, font.widths[code]) for code, glyph_id in extra.items()}}
        write_texts(pdf.objects[int(font_dictionary["ToUnicode"].split()[0])], font.to_unicode)
    if not extra:
        return _ORIGINAL["build"](font_dictionary, pdf, font, widths, compress, reference, pdf_version)
    added: list = []
    pdf.add_object = lambda object_: (added.append(object_), type(pdf).add_object(pdf, object_))
    try:
        _ORIGINAL["build"](font_dictionary, pdf, font, widths, compress, reference, pdf_version)
    finally:
        del pdf.add_object
    glyph_ids = [*range(font.glyph_count), *[0] * (max(extra) + 1 - font.glyph_count)]
    for code, glyph_id in extra.items():
        glyph_ids[code] = glyph_id
    cid_to_gid = pydyf.Stream([b"".join(glyph_id.to_bytes(2, "big") for glyph_id in glyph_ids)], compress=compress)
    pdf.add_object(cid_to_gid)
    cid_font = next(object_ for object_ in added if isinstance(object_, dict) and "CIDToGIDMap" in object_)
    cid_font["CIDToGIDMap"] = cid_to_gid.reference


def write_texts(to_unicode: pydyf.Stream, texts: dict[int, str]) -> None:
    """Write the texts drawn over the mappings of a ToUnicode CMap WeasyPrint made from a cmap."""
    lines = to_unicode.stream
    start, end = lines.index(b"endcodespacerange") + 1, lines.index(b"endcmap")
    mapping = {}
    for line in lines[start:end]:
        if found := re.fullmatch(rb"<([0-9a-f]{4})> <([0-9a-f]*)>", line):
            mapping[int(found[1], 16)] = bytes.fromhex(found[2].decode()).decode("utf-16-be")
    if all(mapping.get(code) == text for code, text in texts.items()):
        return  # every text drawn reads right already: keep WeasyPrint's bytes
    mapping.update(texts)
    items = list(mapping.items())
    lines[start:end] = [line for batch in range(0, len(items), 100) for line in (
        f"{len(items[batch:batch + 100])} beginbfchar".encode(),
        *(f"<{code:04x}> <{text.encode('utf-16-be').hex()}>".encode() for code, text in items[batch:batch + 100]),
        b"endbfchar")]
