"""Fillable fields: the questions page and the care team page are PDF forms with stable names."""

from __future__ import annotations

import io

import pypdf
import pytest

from handoutgen.content import load_project
from handoutgen.paths import CONTENT
from handoutgen.schema import Questions


def fields(path) -> dict:
    return pypdf.PdfReader(path).get_fields()


def test_every_question_has_a_multiline_answer_field_in_order(built):
    topic = load_project(CONTENT, ["en"]).locales["en"].topics["questions-for-the-care-team"]
    questions = [q for s in topic.sections for b in s.blocks if isinstance(b, Questions) for q in b.questions]
    found = fields(built / "en" / "questions-for-the-care-team.pdf")
    assert list(found) == [f"question_{n}" for n in range(1, len(questions) + 1)]
    first = found["question_1"]
    assert first["/FT"] == "/Tx" and first["/Ff"] & 4096  # a multi-line text field
    assert first["/TU"] == "Answer: " + questions[0]


def test_care_team_page_has_named_fields(built):
    names = set(fields(built / "en" / "my-care-team.pdf"))
    for role in ("oncologist", "nurse", "social_worker"):
        assert {f"care_team_{role}_name", f"care_team_{role}_phone"} <= names
    assert "child_clinic_id" in names


def test_a_clinic_can_prefill_a_field_by_name(built, tmp_path):
    reader = pypdf.PdfReader(built / "en" / "my-care-team.pdf")
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.update_page_form_field_values(writer.pages[0], {"care_team_nurse_phone": "+1 555-0142"},
                                         auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    assert pypdf.PdfReader(out).get_fields()["care_team_nurse_phone"]["/V"] == "+1 555-0142"


def test_other_topics_print_lines_not_fields(built):
    assert not fields(built / "en" / "what-is-all.pdf")


def test_the_booklet_keeps_the_fields(built):
    names = set(fields(built / "en" / "booklet.pdf"))
    assert "question_1" in names and "care_team_nurse_phone" in names


NAME = "Dr. Maria-Fernanda Castellanos-Rodriguez"  # 40 characters
PHONE = "+1 555-555-0199"


@pytest.mark.parametrize("edition", ["standard", "large-print"])
def test_a_typed_40_character_name_fits_its_field(tmp_path, edition):
    """Filled with pypdf as a clinic's script would, drawn by PDFium as Chromium shows it: nothing is cut off.

    In the standard edition pypdf's own appearance is drawn (one 11 pt line); in large print the
    name takes two 18 pt lines, laid out by the viewer (pypdf's default sets NeedAppearances).
    """
    import pypdfium2

    from handoutgen.cli import main

    assert len(NAME) == 40
    checked = 0
    for paper in ("letter", "a4"):
        out = tmp_path / paper
        assert main(["build", "--out", str(out), "--paper", paper, "--topic", "my-care-team", "--locale", "en",
                     "--locale", "es", "--edition", edition]) == 0
        for path in sorted(out.rglob("my-care-team.pdf")):
            writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(path))
            values = {name: NAME if name.endswith("_name") else PHONE for name in fields(path)}
            for page in writer.pages:
                writer.update_page_form_field_values(page, values, auto_regenerate=edition == "large-print")
            data = io.BytesIO()
            writer.write(data)
            pdf = pypdfium2.PdfDocument(data.getvalue())
            pdf.init_forms()
            for number, page in enumerate(writer.pages):
                image = pdf[number].render(scale=3, may_draw_forms=True).to_pil().convert("L")
                height = float(page.mediabox.height)
                for widget in page.get("/Annots", []):
                    widget = widget.get_object()
                    if widget.get("/FT") != "/Tx":
                        continue
                    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
                    left, right, bottom, top = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
                    box = (int(left * 3), int((height - top) * 3), int(right * 3), int((height - bottom - 2) * 3))
                    region = image.crop(box)  # the field above its printed rule
                    ink = [x for x in range(region.width) for y in range(0, region.height, 2)
                           if region.getpixel((x, y)) < 100]
                    assert ink, (path.name, widget["/T"], "nothing visible")
                    room = region.width - max(ink)
                    if room < 3 * 72 / 25.4:  # under 1 mm from the field's end: the text runs into its edge
                        pytest.fail(f"{path.relative_to(out)} {widget['/T']}: the typed text is cut off")
                    checked += 1
    assert checked >= 20
