"""Typed answers: filled with pypdf as a clinic's script would, drawn by PDFium (Chromium's viewer) and poppler.

Each viewer lays out typed text itself, so these tests look at what the two of them draw: every
typed line sits on a printed rule, a long answer wraps onto the next rules, and Arabic typed into
an Arabic form is drawn with a font that has its letters.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageChops

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                reason="poppler's pdftoppm is not installed (apt-get install poppler-utils)")

SCALE = 4  # pixels per point
# Letters with neither ascenders nor descenders: the bottom of their ink is the baseline.
ON_BASELINE = "we can see some more new ones near our room " * 6
ARABIC = "سؤالنا عن الدواء والحمى في الليل وهل نتصل بالفريق "


def first_answer_field(path: Path) -> tuple[int, dict]:
    for number, page in enumerate(pypdf.PdfReader(path).pages):
        for widget in page.get("/Annots", []):
            widget = widget.get_object()
            if widget.get("/FT") == "/Tx" and widget.get("/Ff", 0) & 4096:  # multi-line
                return number, widget
    raise AssertionError(f"{path}: no answer field")


def fill(path: Path, name: str, text: str) -> bytes:
    """Fill one field as pypdf does by default: its value, and NeedAppearances so the viewer lays it out."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(path))
    writer.update_page_form_field_values(None, {name: text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def draw(data: bytes, page: int, tmp: Path) -> dict[str, Image.Image]:
    """Return the page as PDFium and poppler draw it, with forms, in grey."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    document.init_forms()
    pdfium = document[page].render(scale=SCALE, may_draw_forms=True).to_pil().convert("L")
    (tmp / "page.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(72 * SCALE), "-f", str(page + 1), "-l", str(page + 1), "-gray", "-png",
                    "-singlefile", str(tmp / "page.pdf"), str(tmp / "poppler")], check=True)
    with Image.open(tmp / "poppler.png") as poppler:
        return {"pdfium": pdfium, "poppler": poppler.convert("L")}


def runs(rows: list[int]) -> list[tuple[int, int]]:
    """Group sorted row numbers into (first, last) runs."""
    out: list[list[int]] = []
    for row in rows:
        if out and row == out[-1][1] + 1:
            out[-1][1] = row
        else:
            out.append([row, row])
    return [(a, b) for a, b in out]


def typed_lines(path: Path, text: str, tmp: Path) -> dict[str, tuple[list[float], list[float]]]:
    """Return, per viewer, the printed rules' tops and the typed lines' ink bottoms under the first answer field, in points."""
    number, widget = first_answer_field(path)
    empty = draw(path.read_bytes(), number, tmp)
    filled = draw(fill(path, widget["/T"], text), number, tmp)
    height = float(pypdf.PdfReader(path).pages[number].mediabox.height)
    rect = [float(v) for v in widget["/Rect"]]
    left, right = sorted(rect[0::2])
    bottom, top = sorted(rect[1::2])
    box = (int(left * SCALE), int((height - top) * SCALE), int(right * SCALE), int((height - bottom) * SCALE))
    found = {}
    for viewer in ("pdfium", "poppler"):
        before, after = empty[viewer].crop(box), filled[viewer].crop(box)
        width = before.width
        rules = runs([y for y in range(before.height)
                      if sum(before.getpixel((x, y)) < 200 for x in range(0, width, 4)) > width / 8])
        change = ImageChops.difference(before, after)
        ink = runs([y for y in range(change.height) if any(change.getpixel((x, y)) > 100 for x in range(0, width, 2))])
        to_points = lambda y: (height - top) + y / SCALE  # noqa: E731
        found[viewer] = ([to_points(a) for a, _ in rules], [to_points(b + 1) for _, b in ink])
    return found


def assert_on_rules(found: dict, where: str) -> None:
    for viewer, (rules, bottoms) in found.items():
        assert len(rules) == 4, (where, viewer, rules)
        assert len(bottoms) == 4, f"{where}, {viewer}: typed text should fill the 4 ruled lines, found {bottoms}"
        for rule, bottom in zip(rules, bottoms):
            # On the rule: the baseline at most 2.5 pt above its top edge, and not through it.
            assert -2.5 <= bottom - rule <= 1.0, f"{where}, {viewer}: a typed line ends at {bottom:.1f} pt, its rule at {rule:.1f} pt"


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_typed_answers_sit_on_the_rules_and_wrap(built, locale, tmp_path):
    assert_on_rules(typed_lines(built / locale / "questions-for-the-care-team.pdf", ON_BASELINE, tmp_path), locale)


def test_typed_answers_sit_on_the_rules_in_large_print(tmp_path):
    from handoutgen.cli import main

    out = tmp_path / "out"
    assert main(["build", "--out", str(out), "--edition", "large-print", "--topic", "questions-for-the-care-team",
                 "--locale", "en", "--locale", "ar", "--paper", "a4"]) == 0
    for locale in ("en", "ar"):
        path = out / locale / "large-print" / "questions-for-the-care-team.pdf"
        assert_on_rules(typed_lines(path, ON_BASELINE, tmp_path), f"{locale} large print")


def test_an_arabic_form_types_with_a_font_that_has_arabic_letters(built, tmp_path):
    """The field's own font has every letter of the Arabic handout; poppler draws typed Arabic with it.

    (PDFium draws typed text that is not Latin with a font of the device's instead: see the README.)
    """
    from fontTools.ttLib import TTFont

    path = built / "ar" / "questions-for-the-care-team.pdf"
    number, widget = first_answer_field(path)
    name = widget["/DA"].split("/")[-1].split()[0]
    font = pypdf.PdfReader(path).trailer["/Root"]["/AcroForm"]["/DR"]["/Font"][f"/{name}"].get_object()
    program = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]["/FontFile2"].get_object().get_data()
    cmap = TTFont(io.BytesIO(program)).getBestCmap()
    letters = {c for c in pypdf.PdfReader(path).pages[0].extract_text() if "\u0600" <= c <= "\u06ff" and c.isalpha()}
    assert len(letters) > 20 and not {c for c in letters if ord(c) not in cmap}

    found = typed_lines(path, ARABIC * 3, tmp_path)
    assert len(found["poppler"][1]) >= 2, "poppler drew no typed Arabic"
