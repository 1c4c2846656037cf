"""The text layer, read back as search and screen readers read it: the handouts' words come out intact.

WeasyPrint 70 maps shared Arabic glyphs to the wrong letters (Kozea/WeasyPrint#2841);
handoutgen/tounicode.py gives each (glyph, text) pair its own character code. The words are
taken from the HTML preview the build writes beside each PDF: the same text, placeholders filled.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pypdf
import pypdfium2
import pytest
import weasyprint
from PIL import ImageChops, ImageFilter
from weasyprint.draw import text as draw_text
from weasyprint.pdf import fonts as pdf_fonts
from weasyprint.text.fonts import FontConfiguration

from handoutgen import fonts, tounicode
from handoutgen.cli import main
from handoutgen.pdf import PDF_OPTIONS

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None, reason="poppler's pdftotext is not installed (Debian: apt-get install poppler-utils)")
ARABIC_WORD = re.compile(r"[\u0620-\u065f\u066e-\u06d3\u06d5\u0670]+")
ARABIC_MARK = re.compile(r"[\u064b-\u065f\u0670]")  # harakat: vowel signs, tanwin, shadda, sukun
LATIN_WORD = re.compile(r"[^\W\d_]+")


class BodyText(HTMLParser):
    """Collect the text of an HTML page's body."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        self.in_body = self.in_body or tag == "body"

    def handle_data(self, data):
        if self.in_body:
            self.parts.append(data)


def source_text(pdf: Path) -> str:
    """Return the words the handout prints: the body of the HTML preview beside the PDF."""
    parser = BodyText()
    parser.feed(pdf.with_suffix(".html").read_text(encoding="utf-8"))
    return " ".join(parser.parts)


def handouts(built: Path, locale: str) -> list[Path]:
    """Return the locale's handouts that have an HTML preview beside them."""
    found = sorted(pdf for pdf in (built / locale).glob("*.pdf") if pdf.with_suffix(".html").exists())
    assert found, locale
    return found


def pdftotext(pdf: Path) -> str:
    return subprocess.run([PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pypdf_text(pdf: Path | bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes)
                                                                     else pdf).pages)


def intact(source: str, extracted: str, word: re.Pattern, key=lambda word: word) -> float:
    """Return the share of the source's words (counted with repeats) found in the extracted text."""
    wanted = Counter(key(found) for found in word.findall(source))
    got = Counter(key(found) for found in word.findall(extracted))
    assert wanted
    return sum(min(count, got[found]) for found, count in wanted.items()) / sum(wanted.values())


def letters_and_marks(word: str) -> tuple[str, str]:
    """Return a word's letters in order and its diacritics in any order."""
    return ARABIC_MARK.sub("", word), "".join(sorted(ARABIC_MARK.findall(word)))


@needs_pdftotext
def test_arabic_words_come_out_of_pdftotext_with_every_letter_and_diacritic(built):
    """Every letter in order, every diacritic with its word.

    poppler lays the characters of one glyph out left to right and then reverses right-to-left
    text, so a letter drawn with its diacritic (رً) comes out as (ًر): the order of a letter and
    its diacritic is poppler's, not ours (pypdf, below, reads them in order).
    """
    for pdf in handouts(built, "ar"):
        share = intact(source_text(pdf), pdftotext(pdf), ARABIC_WORD, letters_and_marks)
        assert share >= 0.99, f"{pdf.name}: {share:.1%} of the Arabic words intact"


def test_arabic_words_come_out_of_pdfium_with_every_letter_and_diacritic(built):
    """What Chromium's PDF viewer reads (search, copy, and the screen reader on Android and ChromeOS).

    Before each Arabic letter drawn with several glyphs became one glyph, PDFium read the
    dots' empty map as their code and only 24 to 36% of the words came out.
    """
    for pdf in handouts(built, "ar"):
        document = pypdfium2.PdfDocument(pdf)
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
        share = intact(source_text(pdf), text, ARABIC_WORD, letters_and_marks)
        assert share >= 0.99, f"{pdf.name}: {share:.1%} of the Arabic words intact"


def test_arabic_words_come_out_of_pypdf_exactly(built):
    """pypdf reads letters and diacritics in order; it joins a bold label to the next word ("عاجل:" + "اتصل")
    when it reorders a right-to-left line, so a short handout may lose a word or two to that."""
    for pdf in handouts(built, "ar"):
        share = intact(source_text(pdf), pypdf_text(pdf), ARABIC_WORD)
        assert share >= 0.98, f"{pdf.name}: {share:.1%} of the Arabic words intact"


@needs_pdftotext
@pytest.mark.parametrize("locale", ["en", "es"])
def test_english_and_spanish_words_come_out_of_pdftotext_intact(built, locale):
    for pdf in handouts(built, locale):
        share = intact(source_text(pdf), pdftotext(pdf), LATIN_WORD)
        assert share >= 0.99, f"{locale}/{pdf.name}: {share:.1%} of the words intact"


def test_ph_plus_prints_and_reads_in_order_on_the_arabic_questions_page(built):
    """The Latin "(Ph+)" inside an Arabic question prints as (Ph+), not (+Ph), and reads as Ph+."""
    pdf = built / "ar" / "questions-for-the-care-team.pdf"
    with pdfplumber.open(pdf) as document:
        chars = [char for page in document.pages for char in page.chars]
    starts = [i for i, char in enumerate(chars) if char["text"] == "P" and chars[i + 1]["text"] == "h"]
    assert starts, "no Ph on the page"
    for start in starts:
        p = chars[start]
        near = sorted((char for char in chars if char["page_number"] == p["page_number"]
                       and abs(char["top"] - p["top"]) < 2 and -10 < char["x0"] - p["x0"] < 25 and char["text"] != " "),
                      key=lambda char: char["x0"])
        printed = "".join(char["text"] for char in near)
        assert "+Ph" not in printed, printed
    for text in (pypdf_text(pdf), pdftotext(pdf) if PDFTOTEXT else ""):
        assert "+Ph" not in text.replace("\u202a", "").replace("\u202c", "")  # the direction marks pdftotext adds
    if PDFTOTEXT:  # pypdf drops the brackets of a left-to-right run in a right-to-left line; poppler keeps them
        text = pdftotext(pdf).replace("\u202a", "").replace("\u202c", "")
        assert re.search(r"[()]Ph\+[()؟]", text), "the question's (Ph+) is not in the text layer"


@needs_pdftotext
def test_a_latin_phrase_keeps_its_word_order_in_an_arabic_line(built):
    """The glossary's "CAR T" inside an Arabic term prints, and reads, as CAR T."""
    lines = [line for line in pdftotext(built / "ar" / "glossary.pdf").splitlines()
             if "CAR" in line and re.search("[\u0600-\u06ff]", line)]
    assert lines, "no Arabic line with CAR T"
    assert any("CAR T" in line for line in lines) and not any("T CAR" in line for line in lines), lines


def test_same_arabic_inputs_give_identical_bytes(tmp_path):
    for out in ("a", "b"):
        assert main(["build", "--out", str(tmp_path / out), "--locale", "ar"]) == 0
    names = sorted(path.name for path in (tmp_path / "a" / "ar").glob("*.pdf"))
    assert len(names) >= 4
    for name in names:
        assert (tmp_path / "a" / "ar" / name).read_bytes() == (tmp_path / "b" / "ar" / name).read_bytes(), name


def test_arabic_pdfs_stay_tagged_pdf_ua(built):
    for pdf in handouts(built, "ar"):
        root = pypdf.PdfReader(pdf).trailer["/Root"]
        assert root["/Lang"] == "ar" and root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
        assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_every_new_code_draws_its_glyph_with_its_width_and_reads_as_one_text(built):
    """Each new code draws a glyph of the embedded font at that glyph's own width, and reads as a text.

    A new code draws a glyph shared by several letters (its text differs from the glyph's first
    one), or a glyph added to the font that draws a letter made of several glyphs (its dots).
    """
    pikepdf = pytest.importorskip("pikepdf")
    from fontTools.ttLib import TTFont

    new_codes = added = 0
    for pdf in handouts(built, "ar"):
        with pikepdf.open(pdf) as document:
            used = {font.objgen: font for page in document.pages for font in page.Resources.Font.values()}
            for font in used.values():
                cid_font = font.DescendantFonts[0]
                if not isinstance(cid_font.CIDToGIDMap, pikepdf.Stream):
                    continue
                program = TTFont(io.BytesIO(cid_font.FontDescriptor.FontFile2.read_bytes()))
                order, hmtx, upem = program.getGlyphOrder(), program["hmtx"], program["head"].unitsPerEm
                data = cid_font.CIDToGIDMap.read_bytes()
                glyph_ids = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
                widths = cid_widths(cid_font.W)
                texts = dict(re.findall(r"<([0-9a-f]{4})> <([0-9a-f]*)>", font.ToUnicode.read_bytes().decode()))
                assert all(texts.values()), (pdf.name, "a code maps to no text")
                for code, glyph_id in enumerate(glyph_ids):
                    if glyph_id and glyph_id != code:
                        new_codes += 1
                        advance = hmtx[order[glyph_id]][0] * 1000 / upem
                        assert abs(widths[code] - advance) < 0.5, (pdf.name, code, widths[code], advance)
                        assert texts[f"{code:04x}"], (pdf.name, code)
                        added += program["glyf"][order[glyph_id]].isComposite()
    assert new_codes > 20 and added > 10  # shared skeletons and dots, mirrored brackets, and composed letters


def cid_widths(array) -> dict[int, float]:
    """Return the widths of a CIDFont's /W array, by CID."""
    widths, items = {}, list(array)
    for first, listed in zip(items[::2], items[1::2]):
        widths.update({int(first) + i: float(width) for i, width in enumerate(listed)})
    return widths


SAMPLE_WORDS = ["الطاقة", "بنت", "نهارًا", "يغيّر", "تبين"]
SAMPLE = ('<html lang="ar" dir="rtl"><head><title>عينة</title></head>'
          '<body style="font-family: \'Noto Sans Arabic\'; font-size: 14pt">'
          f'<p>{" ".join(SAMPLE_WORDS)}</p></body></html>')


def render_sample() -> bytes:
    config = FontConfiguration()
    css = weasyprint.CSS(string=fonts.font_face_css(families=("Noto Sans Arabic",)), font_config=config)
    return weasyprint.HTML(string=SAMPLE).write_pdf(stylesheets=[css], font_config=config, **PDF_OPTIONS)


def test_letters_sharing_glyphs_read_back_as_themselves():
    """WeasyPrint 70 reads الطاقة back as الطاةة: ق and ة share their dots (the example in #2841)."""
    pdf = render_sample()
    assert set(SAMPLE_WORDS) <= set(pypdf_text(pdf).split())


def test_the_patch_changes_no_pixel(monkeypatch):
    patched = render_sample()
    monkeypatch.setattr(draw_text, "draw_first_line", tounicode._ORIGINAL["draw"])
    monkeypatch.setattr(pdf_fonts, "_build_vector_font_dictionary", tounicode._ORIGINAL["build"])
    monkeypatch.setattr(pdf_fonts.Font, "subset", tounicode._ORIGINAL["subset"])
    monkeypatch.setattr(pdf_fonts.Font, "clean", tounicode._ORIGINAL["clean"])
    unpatched = render_sample()
    assert patched != unpatched

    def pixels(data: bytes):
        return pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil().convert("L")

    # A letter's dots drawn inside one composite glyph are placed to the font unit, where PDFium
    # snaps a glyph drawn alone to the pixel: ink may move by a pixel at this scale, never more.
    a, b = pixels(patched), pixels(unpatched)
    grown_a, grown_b = a.filter(ImageFilter.MinFilter(3)), b.filter(ImageFilter.MinFilter(3))
    assert ImageChops.subtract(grown_a, b).getextrema()[1] < 48  # no ink of b where a has none nearby
    assert ImageChops.subtract(grown_b, a).getextrema()[1] < 48
    ink = lambda image: sum(255 - value for value in image.tobytes())  # noqa: E731
    assert abs(ink(a) - ink(b)) < 0.01 * ink(b)
    assert "الطاقة" not in pypdf_text(unpatched).split()  # what the patch is for


def test_the_patch_refuses_another_weasyprint_version(monkeypatch):
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    spec = importlib.util.spec_from_file_location("tounicode_on_71", tounicode.__file__)
    with pytest.raises(ImportError, match="WeasyPrint 71.0 is installed"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
