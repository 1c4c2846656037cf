"""The safety net: every PDF is read back before its locale is written, and refused if it breaks a promise."""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2

from handoutgen.cli import main
from handoutgen.html import css_string, edition_css
from handoutgen.markup import Blank
from handoutgen.pdf import PDFRenderer
from handoutgen.plan import Edition
from handoutgen.verify import Promise, Rendered, bundled_font, verify

PROMISE = Promise((("the urgent number", "+1 555-0199"), ("the fever threshold", "38.0 °C")), Path("strings.yaml"))


def render(body: str, css: str = 'html { font-family: "Atkinson Hyperlegible", "Noto Sans" }') -> Rendered:
    """Render a small page with the project's renderer (bundled fonts, the project-only fetcher)."""
    html = f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{body}</body></html>'
    return PDFRenderer("@page { size: letter; margin: 2cm }", css).render(html)


def messages(found) -> str:
    return "\n".join(str(p) for p in found)


def test_a_page_with_the_promises_passes():
    assert verify(render("<p>Call +1 555-0199 if it is 38.0 °C or higher.</p>"), "en/x.pdf", PROMISE) == []


def test_a_page_without_the_urgent_number_is_refused_naming_file_and_page():
    pages = render("<p>Call +1 555-0199 at 38.0 °C.</p><p style='break-before: page'>Nothing here.</p>")
    found = verify(pages, "es/when-to-call.pdf", PROMISE)
    assert messages(found) == ("strings.yaml: es/when-to-call.pdf page 2 lacks the urgent number +1 555-0199\n"
                               "strings.yaml: es/when-to-call.pdf page 2 lacks the fever threshold 38.0 °C")


def test_a_labelled_blank_is_what_generic_handouts_promise():
    promise = Promise.of({"urgent_phone": Blank("24-hour number"), "fever_threshold": Blank("temperature")},
                         Path("strings.yaml"))
    assert verify(render("<p>24-hour number: ____ temperature: ____</p>"), "x.pdf", promise) == []
    assert "lacks the blank line for the urgent number 24-hour number:" in messages(
        verify(render("<p>temperature: ____</p>"), "x.pdf", promise))


def test_an_unfilled_placeholder_is_refused():
    found = verify(render("<p>Call +1 555-0199 at 38.0 °C or {urgent_phone!r}.</p>"), "x.pdf", PROMISE,
                   source=Path("t.yaml"))
    assert messages(found) == "t.yaml: x.pdf page 1 shows an unfilled placeholder {urgent_phone!r}"


def test_a_word_wider_than_its_line_is_refused():
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
    found = verify(render(f"<p>Call +1 555-0199 at 38.0 °C: {word}</p>"), "x.pdf", PROMISE)
    assert "has a word wider than its line, which prints cut off: 'Pneumonoultramicroscopic" in messages(found)


def test_a_page_count_other_than_the_layouts_is_refused():
    rendered = render("<p>Call +1 555-0199 at 38.0 °C.</p>")
    rendered.pages = 2
    assert "x.pdf has 1 pages, but the layout made 2" in messages(verify(rendered, "x.pdf", PROMISE))


def test_more_pages_than_the_topic_allows_is_refused():
    rendered = render("<p>Call +1 555-0199 at 38.0 °C.</p><p style='break-before: page'>+1 555-0199 38.0 °C</p>")
    found = messages(verify(rendered, "x.pdf", PROMISE, max_pages=1, paper="a4"))
    assert "max_pages: renders to 2 pages on a4 paper; the limit is 1: shorten the text (x.pdf)" in found


@pytest.mark.skipif(not any(Path("/usr/share/fonts").rglob("DejaVuSans.ttf")), reason="no system font to fall on")
def test_a_font_from_the_machine_is_refused():
    # U+2605 BLACK STAR is in no bundled font: Pango falls back to a font of this machine.
    found = verify(render("<p>Call +1 555-0199 at 38.0 °C ★</p>"), "x.pdf", PROMISE)
    assert "uses fonts that are not bundled: " in messages(found)


def test_bundled_font_names():
    assert bundled_font("ABCDEF+Atkinson-Hyperlegible-Bold")
    assert bundled_font("ABCDEF+Noto-Sans-Arabic")
    assert bundled_font("Noto-Sans-Italic")
    assert not bundled_font("ABCDEF+DejaVu-Sans")
    assert not bundled_font("ABCDEF+Noto-Sans-CJK-JP")
    assert not bundled_font("Helvetica")


@pytest.mark.parametrize("text", ['Page {page} of {pages}', 'a"b', "a\\b", "a\rb\fc\nd", "x; } @page { size: 1in",
                                  "\\\"", "end\\", "nul\0byte"])
def test_text_reaching_css_stays_one_string(text):
    css = css_string(text)
    tokens = [t for t in tinycss2.parse_component_value_list(css) if t.type != "whitespace"]
    assert len(tokens) == 1 and tokens[0].type == "string"
    assert tokens[0].value == text.replace("\0", "\ufffd")


def test_page_numbering_text_cannot_break_out_of_the_page_rule():
    from handoutgen.content import load_project
    from handoutgen.paths import CONTENT

    strings = load_project(CONTENT, ["en"], ["when-to-call"]).locales["en"].strings
    hostile = strings.model_copy(update={"page_of": 'P. {page}"; } html { display: none } @page { x: "{pages}'})
    css = edition_css(Edition("en", None), hostile)
    rules = [r for r in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True)]
    assert [r.at_keyword if r.type == "at-rule" else r.type for r in rules][:2] == ["page", "qualified-rule"]
    assert "display" not in tinycss2.serialize(rules[1].content)  # only the font-family rule follows


@pytest.fixture
def hidden_urgent_line(monkeypatch):
    """A stylesheet mistake that hides the running urgent line: nothing in the content is wrong."""
    import handoutgen.build as build_module
    from handoutgen import html

    monkeypatch.setattr(build_module, "layout_css", lambda: html.layout_css() + "\n.running-urgent, .urgent-box "
                                                                                "{ display: none }\n")


def test_a_build_whose_pages_lack_the_urgent_number_writes_nothing(tmp_path, capsys, hidden_urgent_line):
    code = main(["build", "--out", str(tmp_path), "--locale", "en", "--topic", "what-is-all"])
    err = capsys.readouterr().err
    assert code == 1
    assert "handouts/en/strings.yaml: en/what-is-all.pdf page 1 lacks the urgent number +1 555-0199" in err
    assert "nothing written for en" in err
    assert not list(tmp_path.rglob("*.pdf")) and not (tmp_path / "manifest.json").exists()


def test_a_refused_locale_keeps_its_earlier_good_files(tmp_path, monkeypatch, capsys):
    assert main(["build", "--out", str(tmp_path), "--locale", "en", "--topic", "when-to-call"]) == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    import handoutgen.build as build_module
    from handoutgen import html

    monkeypatch.setattr(build_module, "layout_css", lambda: html.layout_css() + "\n.running-urgent, .urgent-box, "
                                                                                ".value { display: none }\n")
    # --force: the stylesheet is patched in memory, where the run's key (files on disk) cannot see it
    assert main(["build", "--out", str(tmp_path), "--locale", "en", "--topic", "when-to-call", "--force"]) == 1
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_a_topic_over_its_reading_grade_fails_the_build_as_it_fails_check(content_tree, tmp_path, capsys):
    content = content_tree()
    topic = content / "en" / "when-to-call.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("reading_grade: 6", "reading_grade: 1"),
                     encoding="utf-8")
    assert main(["check", "--content", str(content), "--locale", "en"]) == 1
    assert main(["build", "--content", str(content), "--out", str(tmp_path), "--locale", "en",
                 "--topic", "when-to-call"]) == 1
    assert "when-to-call.yaml: reads at grade" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.pdf"))


def test_the_real_booklet_keeps_its_promises(built):
    data = (built / "en" / "booklet.pdf").read_bytes()
    import pypdfium2

    pages = len(pypdfium2.PdfDocument(data))
    promise = Promise((("the urgent number", "+1 555-0199"),), Path("strings.yaml"))
    assert verify(Rendered(data, pages), "en/booklet.pdf", promise) == []


@pytest.mark.parametrize("locale, shown", [("en", "38.3 °C (100.9 °F)"), ("es", "38,3 °C (100,9 °F)"),
                                           ("ar", "38.3 °C (100.9 °F)"), ("de", "38,3 °C (100,9 °F)"),
                                           ("pt-BR", "38,3 °C (100,9 °F)"), ("hi", "38.3 °C (100.9 °F)")])
def test_the_fever_threshold_follows_the_readers_number_conventions(locale, shown):
    from handoutgen.plan import fever_text
    from handoutgen.schema_clinic import Fever

    assert fever_text(Fever(threshold=38.3, unit="both"), locale) == shown
    assert fever_text(Fever(threshold=38.0, unit="F"), locale).startswith("100")


def test_a_spanish_handout_prints_a_decimal_comma(built):
    import pypdfium2

    pdf = pypdfium2.PdfDocument(built / "es" / "when-to-call.pdf")
    assert "38,0 °C (100,4 °F)" in pdf[0].get_textpage().get_text_range()


def test_text_beyond_the_edge_of_the_paper_is_refused():
    rendered = render("<p>Call +1 555-0199 at 38.0 °C.</p><p style='position: absolute; bottom: -3cm'>lost</p>")
    assert "x.pdf page 1 has text beyond the edge of the paper" in messages(verify(rendered, "x.pdf", PROMISE))


def test_text_within_10_mm_of_the_paper_edge_is_refused():
    near = '<p style="position: fixed; bottom: -1.5cm">Call +1 555-0199 if it is 38.0 °C or higher.</p>'
    found = messages(verify(render(near), "en/x.pdf", PROMISE))  # 2 cm margin less 1.5 cm: 5 mm from the edge
    assert "en/x.pdf page 1 has text" in found and "mm from the bottom edge of the paper" in found
    assert verify(render("<p>Call +1 555-0199 if it is 38.0 °C or higher.</p>"), "en/x.pdf", PROMISE) == []
