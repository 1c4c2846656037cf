"""Translations: started by `translate`, followed by `status`, merged with marked English, checked for mistakes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from handoutgen.cli import main


def start(content: Path, locale: str = "fr", capsys=None) -> Path:
    """Start a new language with `translate`; return its folder."""
    assert main(["translate", locale, "--content", str(content)]) == 0
    if capsys:
        capsys.readouterr()
    return content / locale


def mark_translated(path: Path) -> None:
    """Pretend a translator finished every part of a file: drop each `untranslated: true` line."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^ *untranslated: true.*\n", "", text, flags=re.M), encoding="utf-8")


def translated_fridge_page(content_tree, capsys) -> tuple[Path, Path]:
    """Start French, and mark its fridge page fully translated; return the content folder and that file."""
    content = content_tree()
    path = start(content, "fr", capsys) / "when-to-call.yaml"
    mark_translated(path)
    return content, path


def status(content: Path, capsys, *args: str) -> tuple[int, list[dict]]:
    code = main(["status", "--content", str(content), "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def row(rows: list[dict], locale: str, topic: str) -> dict:
    return next(r for r in rows if r["locale"] == locale and r["topic"] == topic)


def edit_english(content: Path, old: str, new: str, topic: str = "when-to-call") -> None:
    path = content / "en" / f"{topic}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_new_language_started_by_translate_builds_at_once_all_marked_english(content_tree, tmp_path, capsys):
    content = content_tree()
    folder = start(content, "fr", capsys)
    assert {p.stem for p in folder.glob("*.yaml")} >= {"when-to-call", "glossary", "strings"}
    text = (folder / "when-to-call.yaml").read_text(encoding="utf-8")
    assert "untranslated: true" in text and "# en: Call promptly" in text
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--out", str(out), "--locale", "fr",
                 "--topic", "when-to-call"]) == 0
    err = capsys.readouterr().err
    assert "fr/when-to-call.yaml: 4 parts printed in English, not translated" in err
    html = (out / "fr" / "when-to-call.html").read_text(encoding="utf-8")
    assert '<html lang="fr" dir="ltr">' in html
    assert html.count('class="section fallback" id="when-to-call--') == 3
    assert html.count('lang="en" dir="ltr"') >= 4  # the title block, then each section
    pdf_text = "".join(p.extract_text() for p in pypdf.PdfReader(out / "fr" / "when-to-call.pdf").pages)
    assert "Not yet translated: this part is shown in English." in pdf_text
    assert "Draft translation: not yet reviewed by a qualified medical translator" in pdf_text


def test_strict_refuses_a_fallback_to_english(content_tree, tmp_path, capsys):
    content = content_tree()
    start(content, "fr", capsys)
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--out", str(out), "--locale", "fr",
                 "--topic", "when-to-call", "--strict"]) == 1
    err = capsys.readouterr().err
    assert "printed in English, not translated: title, call-now" in err
    assert not (out / "fr").exists()


def test_an_english_edit_makes_exactly_that_section_outdated(content_tree, capsys):
    content, _ = translated_fridge_page(content_tree, capsys)
    code, rows = status(content, capsys, "--locale", "fr")
    assert row(rows, "fr", "when-to-call")["sections_translated"] == 3
    edit_english(content, "            - Extreme tiredness\n", "            - Extreme tiredness that is new\n")
    code, rows = status(content, capsys, "--locale", "fr")
    found = row(rows, "fr", "when-to-call")
    assert (found["sections_total"], found["sections_translated"], found["sections_missing"],
            found["sections_outdated"]) == (3, 2, 0, 1)
    assert found["outdated"] == ["call-promptly"] and found["title"] == "translated" and found["review"] == "draft"
    assert row(rows, "fr", "supportive-care")["sections_outdated"] == 0


def test_status_text_and_min_complete_gate(content_tree, capsys):
    content = content_tree()
    start(content, "fr", capsys)
    assert main(["status", "--content", str(content), "--locale", "fr", "--min-complete", "50"]) == 1
    captured = capsys.readouterr()
    assert "fr  French · français: 0% translated" in captured.out
    assert "fr is 0% translated, below --min-complete 50" in captured.err
    assert main(["status", "--content", str(content), "--locale", "en", "--min-complete", "100"]) == 0


def test_diff_shows_the_english_then_and_now_and_accept_marks_it_current(content_tree, capsys):
    content, path = translated_fridge_page(content_tree, capsys)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=content, check=True)
    subprocess.run(git + ["add", "-A"], cwd=content, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "start"], cwd=content, check=True)
    edit_english(content, "            - Extreme tiredness\n", "            - Extreme tiredness that is new\n")
    assert main(["status", "--content", str(content), "--diff", "fr", "when-to-call"]) == 0
    out = capsys.readouterr().out
    assert "when-to-call/call-promptly: the English changed since it was translated" in out
    assert '-          - "Extreme tiredness"' in out
    assert '+          - "Extreme tiredness that is new"' in out
    assert "call-now" not in out

    before = path.read_text(encoding="utf-8")
    assert main(["translate", "fr", "--content", str(content), "--accept", "when-to-call/call-promptly"]) == 0
    after = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(changed) == 1 and "translated_from" in changed[0][1]
    assert re.search(r'translated_from: "[0-9a-f]{12}"', changed[0][1])  # quoted: an all-digit hash stays text
    capsys.readouterr()
    assert row(status(content, capsys, "--locale", "fr")[1], "fr", "when-to-call")["sections_outdated"] == 0


def test_translate_adds_a_new_english_section_and_touches_nothing_translated(content_tree, capsys):
    content, path = translated_fridge_page(content_tree, capsys)
    text = path.read_text(encoding="utf-8").replace('"Call promptly"', '"Appelez sans tarder"')
    path.write_text(text, encoding="utf-8")
    edit_english(content, "  - id: when-you-call\n", "  - id: after-hours\n    heading: At night\n    blocks:\n"
                 "      - paragraph: Call the same number at night.\n  - id: when-you-call\n")
    assert main(["translate", "fr", "--content", str(content)]) == 0
    assert "added to" in capsys.readouterr().out
    updated = path.read_text(encoding="utf-8")
    assert '"Appelez sans tarder"' in updated
    for line in text.splitlines():
        assert line in updated.splitlines()  # every line the translator had is still there
    assert updated.index("id: \"call-promptly\"") < updated.index("id: \"after-hours\"") < updated.index(
        "id: \"when-you-call\"")
    found = row(status(content, capsys, "--locale", "fr")[1], "fr", "when-to-call")
    assert found["missing"] == ["after-hours"] and found["sections_translated"] == 3


@pytest.mark.parametrize("change, message", [
    ('Call {urgent_phone} now, day or night, if your child has:"', "placeholders must match the English exactly "
                                                   "(missing {urgent_phone})"),
    ('Call {urgent_phone} now, day or night, if your child has: {daytime_phone}"', "placeholders must match the English exactly "
                                                                    "(not in the English: {daytime_phone})"),
    ('Call {urgent_phon} now, day or night, if your child has:"', "unknown placeholder {urgent_phon} (did you mean 'urgent_phone'?)"),
])
def test_placeholder_mismatch_is_an_error_with_file_and_line(content_tree, capsys, change, message):
    content, path = translated_fridge_page(content_tree, capsys)
    text = path.read_text(encoding="utf-8")
    original = 'title: "Call {urgent_phone} now, day or night, if your child has:"'
    line = text[:text.index(original)].count("\n") + 1
    if "missing" in message:
        change = change.replace("{urgent_phone}", "le numéro")
    path.write_text(text.replace(original, f'title: "{change}'), encoding="utf-8")
    code = main(["check", "--content", str(content), "--locale", "fr"])
    err = capsys.readouterr().err
    assert code == 1
    assert re.search(rf"fr/when-to-call\.yaml:{line}:\d+: sections\[0\]\.blocks\[0\]\.callout\.title: "
                     rf"{re.escape(message)}", err), err


def test_a_list_of_another_length_is_an_error(content_tree, capsys):
    content, path = translated_fridge_page(content_tree, capsys)
    text = path.read_text(encoding="utf-8").replace('            - "Extreme tiredness"\n', "")
    path.write_text(text, encoding="utf-8")
    assert main(["check", "--content", str(content), "--locale", "fr"]) == 1
    assert "sections[1].blocks[0].callout.bullets: has 2 items; the English has 3" in capsys.readouterr().err


def test_a_character_no_font_covers_names_the_character_line_and_package(content_tree, capsys):
    content = content_tree()
    folder = start(content, "fr", capsys)
    path = folder / "when-to-call.yaml"
    text = path.read_text(encoding="utf-8").replace('title: "When to call the care team"',
                                                     'title: "When to call ก the care team"')
    path.write_text(text, encoding="utf-8")
    line = text[:text.index("When to call ก")].count("\n") + 1
    assert main(["check", "--content", str(content), "--locale", "fr"]) == 1
    err = capsys.readouterr().err
    assert f"fr/when-to-call.yaml:{line}:22: character 'ก' (U+0E01)" in err
    assert "the fontpkg-noto-sans-thai package covers Thai script" in err


def test_arabic_letters_in_a_latin_language_name_the_font_that_would_draw_them(content_tree, capsys):
    content = content_tree()
    folder = start(content, "fr", capsys)
    path = folder / "when-to-call.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('title: "When', 'title: "متى When'), encoding="utf-8")
    assert main(["check", "--content", str(content), "--locale", "fr"]) == 1
    assert ("Noto Sans Arabic (fontpkg-noto-sans-arabic) covers it, but this language's pages do not use it"
            in capsys.readouterr().err)


def test_unknown_locale_tag_names_the_folder(content_tree, capsys):
    content = content_tree()
    (content / "xx-nowhere").mkdir()
    assert main(["check", "--content", str(content)]) == 1
    assert "xx-nowhere: 'xx-nowhere' is not a language tag Babel knows" in capsys.readouterr().err
    assert main(["translate", "klingon", "--content", str(content)]) == 1
    assert "'klingon' is not a language tag Babel knows" in capsys.readouterr().err


def test_a_section_id_the_english_lacks_is_an_error(content_tree, capsys):
    content = content_tree()
    folder = start(content, "fr", capsys)
    path = folder / "when-to-call.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('id: "call-promptly"', 'id: "call-promptyl"'),
                    encoding="utf-8")
    assert main(["check", "--content", str(content), "--locale", "fr"]) == 1
    assert "the English has no section 'call-promptyl' (did you mean 'call-promptly'?)" in capsys.readouterr().err


def test_plural_forms_follow_the_language(content_tree, capsys):
    content = content_tree()
    strings = (content / "ar" / "strings.yaml").read_text(encoding="utf-8")
    broken = re.sub(r"\n  few: .*", "", strings)
    assert broken != strings
    (content / "ar" / "strings.yaml").write_text(broken, encoding="utf-8")
    assert main(["check", "--content", str(content), "--locale", "ar"]) == 1
    assert re.search(r"ar/strings\.yaml:\d+:\d+: pages: needs the plural form few "
                     r"\(this language uses few, many, one, other, two, zero\)", capsys.readouterr().err)


# --- The shipped translations -----------------------------------------------------------------

def test_shipped_translations_are_complete_where_promised(capsys):
    code, rows = status(Path("handouts"), capsys)
    assert code == 0
    for r in rows:
        if r["locale"] == "es" or (r["locale"] == "ar" and r["topic"] in {
                "when-to-call", "supportive-care", "questions-for-the-care-team", "strings"}):
            assert r["sections_translated"] == r["sections_total"], r
            assert r["title"] in {"translated", "-"}, r
    assert row(rows, "es", "when-to-call")["review"] == "draft"


def test_arabic_pages_are_rtl_with_the_urgent_number_left_to_right(built):
    html = (built / "ar" / "when-to-call.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    pdf_path = built / "ar" / "when-to-call.pdf"
    assert pypdf.PdfReader(pdf_path).trailer["/Root"]["/Lang"] == "ar"
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[0]
        lines: dict[int, list] = {}
        for char in page.chars:
            lines.setdefault(round(char["top"]), []).append(char)
        numbers = []
        for chars in lines.values():
            digits = "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"]) if c["text"] in "+-0123456789")
            numbers.append(digits)
        urgent = [n for n in numbers if "+1555-0199" in n]
        assert len(urgent) >= 3, numbers  # the running line, the urgent box, the callout
        assert not any("0199-555" in n or "5551+" in n for n in numbers)
        arabic = [c for c in page.chars if "\u0600" <= c["text"][:1] <= "\u06ff"]
        assert len(arabic) > 300  # the page is in Arabic letters, not empty boxes
        fonts = {c["fontname"].split("+")[-1] for c in page.chars}
        assert "Noto-Sans-Arabic" in fonts and "Atkinson-Hyperlegible" in fonts, fonts


def test_spanish_pages_say_draft_translation_in_spanish_on_every_page(built):
    for name in ("when-to-call", "supportive-care", "glossary"):
        for page in pypdf.PdfReader(built / "es" / f"{name}.pdf").pages:
            text = page.extract_text()
            assert "Traducción en borrador: sin revisión de un traductor médico calificado" in text, name
            assert "+1 555-0199" in text
    assert (built / "es" / "booklet.pdf").exists() and (built / "es" / "packs" / "going-home.pdf").exists()
    assert not (built / "ar" / "booklet.pdf").exists()  # Arabic has three topics: no short booklet


def test_hyphenation_follows_the_language_and_stays_off_in_large_print(built):
    assert "hyphens: auto" in (built / "es" / "edition.css").read_text(encoding="utf-8")
    assert "hyphens: auto" not in (built / "ar" / "edition.css").read_text(encoding="utf-8")
