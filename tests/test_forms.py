"""Fillable fields: the questions page and the care team page are PDF forms with stable names."""

from __future__ import annotations

import io

import pypdf

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
