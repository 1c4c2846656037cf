"""The urgent number and the threshold as whole tokens: refused glued at the input, refused inside another at the output."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handoutgen.cli import main
from handoutgen.markup import render_inline
from handoutgen.numbers import number_messages, occurrences
from handoutgen.pdf import PDFRenderer
from handoutgen.verify import Promise, Rendered, verify

GLUED = {"a digit": "5", "a letter": "x", "a zero-width space": "\u200b", "a zero-width joiner": "\u200d",
         "a word joiner": "\u2060", "a soft hyphen": "\u00ad", "a left-to-right mark": "\u200e",
         "a right-to-left mark": "\u200f", "an Arabic-Indic digit": "\u0665", "a plus sign": "+",
         "a dash and a digit": "-2", "a dot and a digit": ".5", "a hair space": "\u200a", "a thin space": "\u2009",
         "a full-width plus": "\uff0b", "a superscript plus": "\u207a", "a bar": "|",
         "a dot and a digit in emphasis": ".*5*"}
VALUES = {"urgent_phone": "+1 555-0199", "fever_threshold": "38.0 °C (100.4 °F)", "daytime_phone": "+1 555-0100",
          "emergency_phone": "911", "clinic_name": "Example"}
PROMISE = Promise.of(VALUES, Path("strings.yaml"))


def render(body: str, header: str | None = None) -> Rendered:
    """Render a small page, with a running header drawn as the handouts draw theirs when `header` is given."""
    top = '@page { @top-center { content: element(urgent); width: 100% } } .h { position: running(urgent) }' \
        if header is not None else ""
    html = (f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
            f'{f"<header class=h>{header}</header>" if header is not None else ""}{body}</body></html>')
    return PDFRenderer(f"@page {{ size: letter; margin: 3cm 2cm 2cm }} {top}",
                       'html { font-family: "Atkinson Hyperlegible", "Noto Sans", "Noto Sans Arabic" }').render(html)


@pytest.mark.parametrize("what", sorted(GLUED))
@pytest.mark.parametrize("side", ["before", "after"])
def test_a_character_glued_to_a_number_placeholder_is_refused(what, side):
    glue = GLUED[what]
    text = f"Call {glue}{{urgent_phone}} now." if side == "before" else f"Call {{urgent_phone}}{glue} now."
    found = number_messages(text)
    assert found and found[0].startswith("{urgent_phone} has ") and f"{side} it" in found[0], found


@pytest.mark.parametrize("text", ["Call {urgent_phone}.", "Call **{urgent_phone}**, day or night.",
                                  "({urgent_phone})", "اتصل بالرقم {urgent_phone}، نهارًا", "at {fever_threshold}?",
                                  "{urgent_phone}: {daytime_phone}", "«{urgent_phone}»"])
def test_a_number_placeholder_bounded_by_space_or_punctuation_is_fine(text):
    assert number_messages(text) == []


@pytest.mark.parametrize("text, kind", [("or call 555-0199", "phone number"), ("call +44 20 7946 0999", "phone"),
                                        ("call 911 now", "emergency number"), ("at 38 °C or more", "temperature"),
                                        ("a fever of 38,5 °C", "temperature"), ("at 100.4 degrees", "temperature"),
                                        ("llame al ٥٥٥٠١٩٩٠", "phone number"),
                                        ("appelez le 01\u202f23\u202f45\u202f67\u202f89", "phone number"),
                                        ("call 555\u200b0199", "phone number"), ("call 555·0199", "phone number"),
                                        ("a 38,5 ºC", "temperature"), ("à 38℃", "temperature"),
                                        ("à 38,5 degrés", "temperature"), ("اتصل بالرقم ٩٩٩", "emergency number")])
def test_a_number_typed_into_content_is_refused(text, kind):
    assert any(kind in message for message in number_messages(text))


@pytest.mark.parametrize("text", ["In 2026, 3 of 10 children", "Treatment takes 2 to 3 years.", "Page 12",
                                  "plaquetas entre 150 000–450 000", "leucocitos 4.500-11.000", "1 500 000 células",
                                  "from 2019-2024", "on 12/05/2024", "open 8.30-16.30", "store at 2 °C to 8 °C",
                                  "Hb 112 g/L", "ages 1-112", "after 112 days"])
def test_ordinary_numbers_are_not_phone_numbers(text):
    assert number_messages(text) == []


def test_check_names_file_line_and_column_in_content_strings_and_imports(content_tree, capsys, tmp_path):
    content = content_tree()
    strings = content / "en" / "strings.yaml"
    strings.write_text(strings.read_text().replace("Call {urgent_phone}, day", "Call {urgent_phone}\u2060, day"))
    topic = content / "en" / "what-is-all.yaml"
    lines = topic.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if "paragraph: " in line)
    lines[number] += " Or call 555-0123."
    topic.write_text("\n".join(lines) + "\n")
    assert main(["check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert f"{strings}:8:1: urgent_line: {{urgent_phone}} has U+2060 (WORD JOINER) after it" in err
    assert f":{number + 1}:" in err and "'555-0123' looks like a phone number" in err


def test_an_import_with_a_glued_number_is_refused_at_its_unit(content_tree, capsys, tmp_path):
    content = content_tree()
    xliff = tmp_path / "es.xlf"
    assert main(["export", "es", "--content", str(content), "--out", str(xliff)]) == 0
    text = xliff.read_text(encoding="utf-8")
    placeholder = 'Llame al <ph id="1">{urgent_phone}</ph> ahora'
    assert placeholder in text
    xliff.write_text(text.replace(placeholder, placeholder.replace("</ph>", "</ph>\u200b5"), 1), encoding="utf-8")
    before = {p: p.read_bytes() for p in (content / "es").iterdir()}
    capsys.readouterr()
    assert main(["import", "es", str(xliff), "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert f"{xliff.name}:" in err and "{urgent_phone} has U+200B (ZERO WIDTH SPACE)" in err
    assert {p: p.read_bytes() for p in (content / "es").iterdir()} == before


# --- At the output --------------------------------------------------------------------------

def test_a_page_with_the_numbers_standing_alone_passes():
    assert verify(render("<p>Call +1 555-0199 if it is 38.0 °C (100.4 °F) or higher.</p>"), "x.pdf", PROMISE) == []


@pytest.mark.parametrize("printed", ["+1 555-01995", "+1 555-0199x", "+1 555-0199٥", "5+1 555-0199",
                                     "+1 555-0199-2", "+1 555-0199\u00ad5", "+1 555-0199\u200b5"])
def test_a_longer_number_containing_the_urgent_number_is_refused(printed):
    found = verify(render(f"<p>Call {printed} at 38.0 °C (100.4 °F).</p>"), "x.pdf", PROMISE)
    assert any("shows the urgent number +1 555-0199 run into other characters" in str(p) for p in found), found


def test_a_digit_before_the_threshold_is_refused_even_when_it_stands_alone_elsewhere():
    body = "<p>Call +1 555-0199 at 38.0 °C (100.4 °F).</p><p>Or at 138.0 °C (100.4 °F).</p>"
    [found] = [str(p) for p in verify(render(body), "x.pdf", PROMISE)]
    assert found.startswith("strings.yaml: x.pdf page 1 shows the fever threshold 38.0 °C (100.4 °F) run into other "
                            "characters (") and "Or at 138.0 °C (100.4 °F)." in found


def test_the_running_urgent_line_is_compared_with_the_template_exactly():
    line = "Fever of {fever_threshold} or higher? Call {urgent_phone}, day or night."
    promise = Promise.of(VALUES, Path("strings.yaml"), ((line, VALUES),))
    body = "<p>Call +1 555-0199 at 38.0 °C (100.4 °F).</p>"
    good = "Fever of 38.0 °C (100.4 °F) or higher? Call +1 555-0199, day or night."
    assert verify(render(body, good), "x.pdf", promise) == []
    wrong = [str(p) for p in verify(render(body, good.replace("Call", "Call 555-0123 or")), "x.pdf", promise)]
    assert wrong == [f"strings.yaml: x.pdf page 1 has the running urgent line "
                     f"{good.replace('Call', 'Call 555-0123 or')!r}, not {good!r}"]
    missing = [str(p) for p in verify(render(body), "x.pdf", promise)]
    assert missing == [f"strings.yaml: x.pdf page 1 lacks the running urgent line {good!r}"]


def real_promise(code: str, urgent_line: str | None = None) -> Promise:
    """Return the promise the build makes for a locale's standard edition with the bundled clinic."""
    from handoutgen.paths import CONTENT, DEFAULT_CLINIC
    from handoutgen.plan import Edition
    from handoutgen.rules import check

    checked = check(CONTENT, DEFAULT_CLINIC)
    strings = checked.project.locales[code].strings
    values = Edition(code, checked.clinic).values(strings)
    return Promise.of(values, Path("strings.yaml"), ((urgent_line or strings.urgent_line, values),))


@pytest.mark.parametrize("code", ["en", "es", "ar"])
def test_every_page_of_the_real_build_shows_the_numbers_alone_and_the_running_line(built, code):
    import pypdfium2

    promise = real_promise(code)
    for pdf in sorted((built / code).glob("*.pdf")):
        data = pdf.read_bytes()
        assert verify(Rendered(data, len(pypdfium2.PdfDocument(data))), pdf.name, promise) == [], pdf


@pytest.mark.parametrize("code, change", [("en", ("day or night", "day and night")), ("es", ("Llame", "Llama")),
                                          ("ar", ("اتصل", "اتصلي"))])
def test_a_running_line_other_than_the_templates_is_refused_in_every_script(built, code, change):
    """Arabic is compared as its readers reorder it (the same characters, each as often): one more letter is caught."""
    import pypdfium2

    from handoutgen.paths import CONTENT

    line = next(l for l in (CONTENT / code / "strings.yaml").read_text(encoding="utf-8").splitlines()
                if l.startswith("urgent_line:"))
    text = line.split(":", 1)[1].strip().strip('"')
    assert change[0] in text
    other = real_promise(code, text.replace(change[0], change[1], 1))
    data = (built / code / "when-to-call.pdf").read_bytes()
    found = [str(p) for p in verify(Rendered(data, len(pypdfium2.PdfDocument(data))), "x.pdf", other)]
    assert found and all("has the running urgent line" in message for message in found), found


def test_occurrences_map_back_to_the_text_around_them():
    [found] = occurrences("Call\n+1 555-0199.\r\n¿La", "+1 555-0199")
    assert found.alone and found.context == "Call +1 555-0199. ¿La"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=st.text(max_size=3), after=st.text(max_size=3))
def test_any_text_around_the_number_is_refused_at_the_input_or_printed_alone(before, after):
    """Property: for any text glued around {urgent_phone}, `check`'s rule refuses it or every page shows the token."""
    text = f"Call {before}{{urgent_phone}}{after} at {{fever_threshold}}."
    if any(char in before + after for char in "{}<>&\r\n\\`"):
        return  # braces, raw HTML and line breaks are the schema's to refuse; other tests show it does
    if number_messages(text):
        return  # refused, with a message naming the placeholder
    html = f"<p>{render_inline(text, VALUES)}</p>"
    rendered = render(html)
    found = [str(p) for p in verify(rendered, "x.pdf", PROMISE)]
    assert found == [], (text, found)
