"""Fuzzing the input side with Hypothesis: any text is either located problems or a page with nothing unfilled.

Each property runs the same loader `check` and `build` use: parse the YAML, check the
characters and glyphs, validate with the schema, and only then render. No example database
is written (database=None), and the whole module runs in well under 30 seconds.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from pydantic import ValidationError

from handoutgen import fonts
from handoutgen.content import glyph_problems, load_clinic, load_project
from handoutgen.explain import explain
from handoutgen.html import documents, edition_css, topic_page
from handoutgen.markup import Blank, parse_placeholders, plain, render_inline
from handoutgen.paths import CONTENT
from handoutgen.plan import Edition, Target
from handoutgen.schema import PLACEHOLDERS, Paragraph
from handoutgen.schema_locale import UI_SLOTS, UIStrings
from handoutgen.source import char_message, parse_yaml, read_yaml
from handoutgen.translation import strings_problems

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "handoutgen-hypothesis")  # nothing written in the repo
FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
PATH = Path("fuzz.yaml")
VALUES = {"urgent_phone": "+1 555-0199", "daytime_phone": "+1 555-0100", "clinic_name": "Clinic",
          "fever_threshold": "38.0 °C"}
BLANKS = {name: Blank(name.replace("_", " ")) for name in PLACEHOLDERS}

HOSTILE = "\x00\x01\x09\x0a\x0d\x1b\x7f\x85\x9b\u00a0\u200e\u200f\u202a\u202e\u2066\u2069\ufeff\u2192\U0001F600"
SYNTAX = "{}[]:#&*!|>'\"%@`,-?\\ <>_"
PIECES = ["{urgent_phone}", "{fever_threshold}", "{daytime_phone}", "{clinic_name}", "{page}", "{n}", "{{", "}}",
          "{urgent_phone!r}", "{urgent_phone:}", "{ urgent_phone }", "!r", "<zz>", "</zz>", "<script>", "**", "*",
          "_", "&#123;", "&lt;", "\\u202E", "\\x00", "\\U0001F600", "\\", "Call ", "now. ", "é", "ü"]
text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(alphabet=SYNTAX + HOSTILE + "ab", max_size=4)),
                max_size=10).map("".join)
"""Text that mixes words, placeholders good and bad, markup, HTML, YAML syntax and hostile characters."""

YAML_LINES = ["title: x", "a:", "  - b", "  - c: d", "- e", "  f: 'g'", 'h: "i\\u202Ej"', "k: [l, {m: n}]",
              "o: |", "  p", "q: &r s", "t: *r", "u: !!str v", "<<: {w: x}", "y: y", "[[[[", "]]]]", "---", "...",
              "z: >-", "\t- tab", "%YAML 1.2", "? complex", ": key"]
yaml_text = st.lists(st.one_of(st.sampled_from(YAML_LINES), text), max_size=12).map("\n".join)


def assert_clean(doc, problems) -> None:
    """Assert a parse gave a document free of forbidden characters, or located problems."""
    if doc is None:
        assert problems
        for problem in problems:
            assert problem.line >= 1 or problem.message == "file is empty", problem
    else:
        assert not problems
        for _, value, _, _ in doc.scalars:
            assert not any(char_message(char) for char in value), value


@FUZZ
@given(yaml_text)
def test_any_yaml_text_parses_or_is_located(source):
    assert_clean(*parse_yaml(source, PATH))


@FUZZ
@given(st.binary(max_size=200) | yaml_text.map(lambda s: s.encode("utf-8", errors="surrogatepass")))
def test_any_bytes_read_or_are_located(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_bytes(raw)
        doc, problems = read_yaml(path)
    if doc is None:
        assert problems and all(p.line >= 1 or p.message in {"file is empty"} for p in problems), problems
    else:
        assert_clean(doc, problems)


def load_paragraph(value: str) -> tuple[Paragraph | None, list]:
    """Load `paragraph: <value>` as the loader would: parse, characters, glyphs, schema."""
    doc, problems = parse_yaml(f"paragraph: {json.dumps(value, ensure_ascii=False)}\n", PATH)
    if doc is None:
        return None, problems
    problems = glyph_problems(doc, fonts.LATIN)
    try:
        paragraph = Paragraph.model_validate(doc.data)
    except ValidationError as error:
        return None, problems + explain(doc, error)
    return (None if problems else paragraph), problems


def assert_safe_html(html: str) -> None:
    """Assert rendered HTML has no brace left and no tag but the ones the renderer makes."""
    assert "{" not in html and "}" not in html, html
    ours = re.sub(r'</?(strong|em|bdi)>|<bdi class="value [a-z-]+">|<span class="blank[a-z-]*">|</span>', "", html)
    assert "<" not in ours, html


@FUZZ
@given(text)
def test_inline_text_is_refused_where_located_or_renders_with_every_placeholder_filled(value):
    paragraph, problems = load_paragraph(value)
    if paragraph is None:
        assert problems and all(problem.line >= 1 for problem in problems), problems
        return
    assert not parse_placeholders(paragraph.paragraph)[1]
    for values in (VALUES, BLANKS):
        assert_safe_html(render_inline(paragraph.paragraph, values))
        assert "{" not in plain(paragraph.paragraph, values)


@FUZZ
@given(text)
def test_the_renderer_never_prints_a_brace_it_was_given(value):
    try:
        html = render_inline(value, VALUES)
    except ValueError:
        assert parse_placeholders(value)[1] or any(s.name not in VALUES for s in parse_placeholders(value)[0])
        return
    assert "{" not in html and "}" not in html


@pytest.fixture(scope="module")
def english():
    """Return the English fridge page loaded for a clinic with a website, and the raw English strings."""
    project = load_project(CONTENT, ["en"], ["when-to-call"])
    clinic, problems = load_clinic(Path(__file__).parent / "data" / "clinics" / "full.yaml")
    assert not problems
    strings = parse_yaml((CONTENT / "en" / "strings.yaml").read_text(encoding="utf-8"), PATH)[0].data
    return project.locales["en"], clinic, strings


KEYS = sorted(UI_SLOTS) + ["draft_notice", "key_points", "not_advice", "version", "callout_labels.urgent"]


@FUZZ
@given(key=st.sampled_from(KEYS), value=text)
def test_a_ui_string_is_refused_where_located_or_every_page_has_its_placeholders_filled(english, key, value):
    locale, clinic, data = english
    data = json.loads(json.dumps(data))
    name, _, inner = key.partition(".")
    if inner:
        data[name][inner] = value
    else:
        data[name] = value
    doc, problems = parse_yaml(json.dumps(data, ensure_ascii=False), PATH)  # JSON is YAML 1.2
    if doc is not None:
        problems = glyph_problems(doc, fonts.LATIN)
        try:
            strings = UIStrings.model_validate(doc.data)
        except ValidationError as error:
            problems += explain(doc, error)
        problems += strings_problems(doc, {}, {"one", "other"})
    if problems:
        assert all(problem.line >= 1 for problem in problems), problems
        return
    locale.strings, english_strings = strings, locale.strings
    try:
        for edition in (Edition("en", clinic), Edition("en", None)):
            target = Target(edition, "handout", "when-to-call")
            html = topic_page(documents(locale, edition, ["when-to-call"])[0], target, locale, preview=False)
            assert not re.search(r"\{[a-z_]*\}", html), html
            assert "<zz" not in html and "<script" not in html
            assert "{page" not in edition_css(edition, strings)
    finally:
        locale.strings = english_strings
