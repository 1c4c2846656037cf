"""Urgency is one thing: the fridge page's words in every topic, and the emergency number wherever we say to call."""

from __future__ import annotations

import re

import pypdf

from handoutgen.content import load_clinic, load_project
from handoutgen.paths import CONTENT
from handoutgen.rules import check
from handoutgen.schema import Callout, Steps

FRIDGE_CALLOUT = '''      - callout:
          kind: urgent
          title: "Call {urgent_phone} now, day or night, if your child has:"'''


def problems(content, locales=("en",)):
    return [str(p) for p in check(content, None, locales).problems]


def test_the_real_content_keeps_every_urgent_instruction_in_the_fridge_pages_words():
    assert problems(CONTENT, ()) == []


def test_an_urgent_callout_in_other_words_is_refused_where_it_is(content_tree):
    english = (CONTENT / "en" / "supportive-care.yaml").read_text(encoding="utf-8")
    assert FRIDGE_CALLOUT in english
    changed = english.replace("now, day or night, if your child has:", "right away if your child has:", 1)
    found = problems(content_tree({"en/supportive-care.yaml": changed}))
    line = english[:english.index(FRIDGE_CALLOUT)].count("\n") + 1
    assert any(re.search(rf"supportive-care.yaml:{line}:9: .*callout: urgency: an urgent callout must be one of "
                         r"the callouts of when-to-call, word for word", p) for p in found), found


def test_a_fever_sentence_in_other_words_is_refused(content_tree):
    english = (CONTENT / "en" / "signs-and-symptoms.yaml").read_text(encoding="utf-8")
    changed = english.replace("          - Bring your notes to each visit.",
                              '          - "Call if the temperature is {fever_threshold} or more."', 1)
    found = problems(content_tree({"en/signs-and-symptoms.yaml": changed}))
    assert any("signs-and-symptoms.yaml" in p and "steps[3]: urgency: a text that names {fever_threshold}" in p
               for p in found), found


def test_a_translation_is_held_to_its_own_fridge_page(content_tree):
    spanish = (CONTENT / "es" / "supportive-care.yaml").read_text(encoding="utf-8")
    title = "Llame al {urgent_phone} ahora, de día o de noche, si su hijo tiene:"
    assert title in spanish
    changed = spanish.replace(title, "Llame al {urgent_phone} de inmediato si su hijo tiene:", 1)
    found = problems(content_tree({"es/supportive-care.yaml": changed}), ("es",))
    assert any("es/supportive-care.yaml" in p and "urgency:" in p for p in found), found


def test_wherever_fever_steps_are_given_they_say_to_ask_before_fever_medicine():
    english = load_project(CONTENT, ["en"]).locales["en"]
    ask = "Ask your care team before you give fever medicine."
    with_steps = 0
    for topic_id, topic in english.topics.items():
        for section in topic.sections:
            for block in section.blocks:
                if isinstance(block, Steps) and any("temperature" in step for step in block.steps):
                    with_steps += 1
                    assert ask in block.steps, (topic_id, section.id)
    assert with_steps >= 3  # the fridge page, supportive care, and signs and symptoms


def test_urgent_callouts_outside_the_fridge_page_exist_so_the_rule_is_not_empty():
    english = load_project(CONTENT, ["en"]).locales["en"]
    copies = [topic_id for topic_id, topic in english.topics.items() if topic_id != "when-to-call"
              for section in topic.sections for block in section.blocks
              if isinstance(block, Callout) and block.callout.kind == "urgent"]
    assert len(copies) >= 3


def test_a_clinic_profile_must_name_its_emergency_number(tmp_path):
    profile = tmp_path / "clinic.yaml"
    profile.write_text("name: X\nphones: {daytime: '+1 555-0100', urgent: '+1 555-0199'}\n"
                       "fever: {threshold: 38.0}\n", encoding="utf-8")
    clinic, found = load_clinic(profile)
    assert clinic is None
    assert [f"{p.line}:{p.column}: {p.message}" for p in found] == ["2:1: missing required field 'emergency'"]


def test_the_emergency_number_is_printed_on_the_fridge_page_and_in_every_urgent_box(built):
    fridge = " ".join(pypdf.PdfReader(built / "en" / "when-to-call.pdf").pages[0].extract_text().split())
    assert "For a life-threatening emergency, call 911." in fridge
    boxes = 0
    for pdf in sorted((built / "en").glob("*.pdf")):
        first = " ".join(pypdf.PdfReader(pdf).pages[0].extract_text().split())
        if "Call now Call +1 555-0199 now" in first:  # the urgent box: its title, then its text
            boxes += 1
            assert "For a life-threatening emergency, call 911." in first, pdf.name
    assert boxes >= 12  # every handout but the fridge page (its own callout is the box) and the glossary
    spanish = " ".join(pypdf.PdfReader(built / "es" / "when-to-call.pdf").pages[0].extract_text().split())
    assert "llame al 911" in spanish


def test_urgent_box_false_needs_a_page_that_opens_with_an_urgent_callout(content_tree):
    english = (CONTENT / "en" / "supportive-care.yaml").read_text(encoding="utf-8")
    changed = english.replace("review:", "urgent_box: false\nreview:", 1)
    found = problems(content_tree({"en/supportive-care.yaml": changed}))
    line = changed[:changed.index("urgent_box: false")].count("\n") + 1
    assert any(f"supportive-care.yaml:{line}:1: urgent_box: urgency: urgent_box: false needs the first block" in p
               for p in found), found
    assert "urgent_box: false" in (CONTENT / "en" / "when-to-call.yaml").read_text(encoding="utf-8")
