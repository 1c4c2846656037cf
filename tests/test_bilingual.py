"""The bilingual edition: each part in the translation and beside it in English, read as a reader's tools read it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from handoutgen.cli import main

TOPICS = ["when-to-call", "what-is-all", "questions-for-the-care-team", "glossary"]
URGENT = {"es": "¿Fiebre de 38,0 °C", "ar": "حمى بدرجة", "en": "Fever of 38.0 °C (100.4 °F) or higher"}


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    """Build es and ar in the standard and bilingual editions, with one Spanish section left untranslated."""
    from conftest import make_content

    root = tmp_path_factory.mktemp("bilingual")
    content = make_content(root)
    topic = content / "es" / "what-is-all.yaml"
    text = topic.read_text(encoding="utf-8")
    start, end = text.index('  - id: "who-gets-all"'), text.index('  - id: "questions-to-ask"')
    topic.write_text(text[:start] + text[end:], encoding="utf-8")
    out = root / "out"
    args = ["build", "--content", str(content), "--out", str(out), "--locale", "es", "--locale", "ar",
            "--edition", "standard", "--edition", "bilingual", *[a for t in TOPICS for a in ("--topic", t)]]
    assert main(args) == 0
    return out


def pages_text(pdf: Path) -> list[str]:
    """Return each page's text as poppler's pdftotext extracts it (what search and many readers get)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_each_translation_gets_a_bilingual_folder_and_english_none(bilingual, capsys):
    assert sorted(p.name for p in (bilingual / "es" / "bilingual").glob("*.pdf")) == sorted(f"{t}.pdf" for t in TOPICS)
    assert sorted(p.name for p in (bilingual / "ar" / "bilingual").glob("*.pdf")) == \
        sorted(f"{t}.pdf" for t in TOPICS if t != "what-is-all")  # no Arabic translation of that one
    assert not (bilingual / "en").exists()


@pytest.mark.parametrize("locale", ["es", "ar"])
def test_the_fridge_page_fits_two_pages_with_both_urgent_lines_on_every_page(bilingual, locale):
    for name in TOPICS[:3] if locale == "es" else ["when-to-call", "questions-for-the-care-team"]:
        pages = pages_text(bilingual / locale / "bilingual" / f"{name}.pdf")
        if name == "when-to-call":
            assert len(pages) <= 2
        for number, page in enumerate(pages, 1):
            assert URGENT[locale] in page and URGENT["en"] in page, (name, number)


def test_both_languages_are_tagged_with_their_own_lang(bilingual):
    for locale in ("es", "ar"):
        with pikepdf.open(bilingual / locale / "bilingual" / "when-to-call.pdf") as pdf:
            assert str(pdf.Root.Lang) == locale
            langs = []

            def walk(element):
                if isinstance(element, pikepdf.Dictionary):
                    if "/Lang" in element:
                        langs.append(str(element.Lang))
                    kids = element.get("/K")
                    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                        walk(kid)

            walk(pdf.Root.StructTreeRoot)
            assert langs.count("en") >= 5  # title, urgent box, key points, two sections, and more


def test_the_translation_comes_first_and_right_to_left_mirrors(bilingual):
    with pdfplumber.open(bilingual / "es" / "bilingual" / "when-to-call.pdf") as pdf:
        words = pdf.pages[0].extract_words()
    spanish = next(w for w in words if w["text"] == "Cuándo")
    english = next(w for w in words if w["text"] == "When")
    assert spanish["x0"] < english["x0"] and abs(spanish["top"] - english["top"]) < 2  # side by side, level
    text = pages_text(bilingual / "es" / "bilingual" / "when-to-call.pdf")[0]
    assert text.index("Cuándo llamar") < text.index("When to call")  # reading order: the translation first

    with pdfplumber.open(bilingual / "ar" / "bilingual" / "when-to-call.pdf") as pdf:
        words = pdf.pages[0].extract_words()
    english = next(w for w in words if w["text"] == "When")
    arabic = [w for w in words if abs(w["top"] - english["top"]) < 12 and w is not english and not w["text"].isascii()]
    assert arabic and min(w["x0"] for w in arabic) > english["x1"]  # Arabic on the right


def test_a_part_not_yet_translated_is_printed_once_in_english(bilingual):
    text = "".join(pages_text(bilingual / "es" / "bilingual" / "what-is-all.pdf"))
    assert text.count("Who gets ALL") == 1  # untranslated: once, in English
    assert text.count("Questions you can ask") == 1  # translated: the English once, beside the Spanish
    assert text.count("Preguntas que puede hacer") == 1


def test_fields_are_not_doubled_by_the_english_column(bilingual):
    def fields(pdf_path):
        with pikepdf.open(pdf_path) as pdf:
            return sorted(str(f.T) for f in pdf.Root.AcroForm.Fields)

    standard = fields(bilingual / "es" / "questions-for-the-care-team.pdf")
    assert standard and fields(bilingual / "es" / "bilingual" / "questions-for-the-care-team.pdf") == standard


def test_the_site_lists_bilingual_pdfs_with_both_languages_named(bilingual):
    page = (bilingual / "es" / "index.html").read_text(encoding="utf-8")
    assert 'href="bilingual/when-to-call.pdf"' in page and "Español + English" in page
    assert "العربية + English" in (bilingual / "ar" / "index.html").read_text(encoding="utf-8")
    entries = json.loads((bilingual / "manifest.json").read_text())["files"]
    assert entries["es/bilingual/when-to-call.pdf"]["edition"] == "bilingual"


def test_bilingual_pdfs_pass_pdf_ua_1_as_the_standard_ones_do(bilingual):
    page = pytest.importorskip("page", reason="pip install page-validation (in the test extra)")

    pdfs = sorted((bilingual / "es" / "bilingual").glob("*.pdf")) + sorted((bilingual / "ar" / "bilingual").glob("*.pdf"))
    assert len(pdfs) >= 4
    for pdf in pdfs:
        assert page.validate_pdf(pdf, profile="ua1").failures == [], pdf.name


def test_english_has_no_bilingual_edition_and_says_so(content_tree, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["build", "--content", str(content_tree()), "--out", str(out), "--locale", "en", "--edition",
                 "bilingual", "--topic", "when-to-call"])
    assert code == 0
    assert "en is the source language: the bilingual edition pairs a translation with it" in capsys.readouterr().err
    assert not list(out.rglob("*.pdf"))


def test_the_english_column_defines_its_words_in_english(bilingual):
    with pdfplumber.open(bilingual / "es" / "bilingual" / "what-is-all.pdf") as pdf:
        halves = [(page.crop((0, 0, page.width / 2, page.height)).extract_text(),
                   page.crop((page.width / 2, 0, page.width, page.height)).extract_text()) for page in pdf.pages]
    left, right = (" ".join(" ".join(half[n] for half in halves).split()) for n in (0, 1))
    assert "has not yet grown into a lymphocyte" in right  # the English glossary, in the English column
    assert "se ha convertido en linfocito" in left and "se ha convertido en linfocito" not in right


@pytest.mark.parametrize("clinic", [[], ["--no-clinic"]])
def test_the_fridge_page_fits_two_pages_on_a4_too(content_tree, tmp_path, clinic):
    out = tmp_path / "out"
    assert main(["build", "--content", str(content_tree()), "--out", str(out), "--locale", "es", "--locale", "ar",
                 "--paper", "a4", "--edition", "bilingual", "--topic", "when-to-call", *clinic]) == 0
    for locale in ("es", "ar"):
        assert 1 <= len(pages_text(out / locale / "bilingual" / "when-to-call.pdf")) <= 2


def test_bookmarks_name_the_translations_headings_only(bilingual):
    from pypdf import PdfReader

    def titles(items):
        for item in items:
            yield from titles(item) if isinstance(item, list) else [item.title]

    found = list(titles(PdfReader(bilingual / "es" / "bilingual" / "when-to-call.pdf").outline))
    assert "Cuándo llamar al equipo de atención" in found
    assert not [t for t in found if "call" in t.lower()]


def test_both_urgent_lines_are_at_least_the_body_size(bilingual):
    """Body and urgent line are 11.5 pt in this edition: the line is never smaller than the text it sits above."""
    from collections import Counter

    mm = 72 / 25.4
    for path in [bilingual / "es" / "bilingual" / "what-is-all.pdf",
                 bilingual / "ar" / "bilingual" / "questions-for-the-care-team.pdf"]:
        with pdfplumber.open(path) as pdf:
            headers, body = [], Counter()
            for page in pdf.pages:
                chars = [c for c in page.chars if c["text"].strip()]
                headers.append(min(c["size"] for c in chars if c["bottom"] < 38 * mm))
                body.update(round(c["size"], 1) for c in chars if 45 * mm < c["top"] < page.height - 30 * mm)
        size = body.most_common(1)[0][0]
        assert size == 11.5 and min(headers) >= size - 0.05, (path.name, size, min(headers))
