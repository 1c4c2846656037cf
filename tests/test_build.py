"""The build, checked as a reader would: pages, paper, text, fonts, tags, bookmarks and bytes."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from handoutgen.cli import main
from handoutgen.paths import CONTENT

TOPICS = [p.stem for p in sorted((CONTENT / "en").glob("*.yaml")) if p.stem not in {"glossary", "strings"}]
LETTER, A4 = (612, 792), (595.28, 841.89)


def reader(path: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(path)


def test_every_topic_and_the_booklet_are_built(built):
    en = built / "en"
    for topic in TOPICS + ["glossary"]:
        assert (en / f"{topic}.pdf").stat().st_size > 5000
        html = (en / f"{topic}.html").read_text(encoding="utf-8")
        assert '<html lang="en" dir="ltr">' in html
    assert (en / "booklet.pdf").exists()


def test_urgent_number_clinic_and_page_numbers_on_every_page(built):
    for topic in TOPICS + ["glossary", "booklet"]:
        pages = reader(built / "en" / f"{topic}.pdf").pages
        for number, page in enumerate(pages, 1):
            text = page.extract_text()
            assert "+1 555-0199" in text, (topic, number)
            assert "Example Children's Hospital, Leukemia Clinic" in text, (topic, number)
            assert f"Page {number} of {len(pages)}" in text, (topic, number)


def test_draft_notice_and_version_on_every_page(built):
    for topic in TOPICS + ["glossary"]:
        for page in reader(built / "en" / f"{topic}.pdf").pages:
            text = page.extract_text()
            assert "Draft: not yet reviewed by a clinician" in text
            assert re.search(r"Version [0-9a-f]{8}", text)


def test_fever_threshold_and_disclaimer(built):
    text = "".join(p.extract_text() for p in reader(built / "en" / "when-to-call.pdf").pages)
    assert "38.0 °C (100.4 °F) or higher" in text
    assert "It is not medical advice" in text


def test_when_to_call_fits_one_page_on_letter(built):
    assert len(reader(built / "en" / "when-to-call.pdf").pages) == 1


def test_letter_paper_by_default(built):
    for page in reader(built / "en" / "what-is-all.pdf").pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == LETTER


def test_a4_paper_and_one_page_fridge_handout(tmp_path):
    assert main(["build", "--out", str(tmp_path), "--paper", "a4", "--topic", "when-to-call"]) == 0
    pages = reader(tmp_path / "en" / "when-to-call.pdf").pages
    assert len(pages) == 1
    assert (round(float(pages[0].mediabox.width), 2), round(float(pages[0].mediabox.height), 2)) == A4


def test_only_bundled_fonts_are_embedded_and_subset(built):
    with pdfplumber.open(built / "en" / "booklet.pdf") as pdf:
        fonts = {char["fontname"] for page in pdf.pages[:12] for char in page.chars}
    assert fonts
    for name in fonts:
        subset, _, family = name.partition("+")
        assert re.fullmatch(r"[A-Z]{6}", subset), name  # subset prefix
        assert family.startswith(("AtkinsonHyperlegible", "Atkinson-Hyperlegible", "NotoSans")), name
    pdf = reader(built / "en" / "when-to-call.pdf")
    for font in pdf.pages[0]["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/FontDescriptor"] if "/FontDescriptor" in font.get_object() else \
            font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"


def test_body_text_is_at_least_12_pt(built):
    with pdfplumber.open(built / "en" / "what-is-all.pdf") as pdf:
        sizes = [round(c["size"], 1) for c in pdf.pages[1].chars if 80 < c["top"] < 700]
    body = max(set(sizes), key=sizes.count)
    assert body >= 12


def test_tagged_accessible_pdf_with_title_and_language(built):
    pdf = reader(built / "en" / "supportive-care.pdf")
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert pdf.metadata.title == "Supportive care: keeping your child safe and comfortable"
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_booklet_has_contents_and_bookmarks_for_every_topic_and_section(built):
    pdf = reader(built / "en" / "booklet.pdf")
    titles = [item.title for item in pdf.outline if not isinstance(item, list)]
    assert titles[0] == "Contents"
    assert len(titles) == len(TOPICS) + 2  # contents, every topic, the glossary
    assert titles[-1] == "Words to know"
    sections = [item for item in pdf.outline if isinstance(item, list)]
    assert len(sections) >= len(TOPICS)
    contents = pdf.pages[1].extract_text()
    for title in titles[1:]:
        assert re.search(re.escape(title) + r"[ .]+\d+", contents), title


def test_booklet_page_numbers_in_contents_are_right(built):
    pdf = reader(built / "en" / "booklet.pdf")
    contents = pdf.pages[1].extract_text()
    entry = re.search(r"When to call the care team[ .]+(\d+)", contents)
    page = pdf.pages[int(entry.group(1)) - 1].extract_text()
    assert "When to call the care team" in page.splitlines()[0] or "When to call the care team" in page


def test_same_inputs_give_identical_bytes(tmp_path):
    for out in ("a", "b"):
        assert main(["build", "--out", str(tmp_path / out), "--topic", "when-to-call", "--topic", "glossary"]) == 0
    for name in ("when-to-call.pdf", "glossary.pdf", "when-to-call.html"):
        assert (tmp_path / "a" / "en" / name).read_bytes() == (tmp_path / "b" / "en" / name).read_bytes()


def test_a_broken_file_writes_nothing_and_keeps_the_earlier_pdf(tmp_path, content_tree, capsys):
    content = content_tree()
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--out", str(out), "--topic", "when-to-call"]) == 0
    good = (out / "en" / "when-to-call.pdf").read_bytes()
    (content / "en" / "when-to-call.yaml").write_text("title: [broken\n", encoding="utf-8")
    assert main(["build", "--content", str(content), "--out", str(out), "--topic", "when-to-call"]) == 1
    err = capsys.readouterr().err
    assert "when-to-call.yaml:2:1: invalid YAML" in err
    assert "nothing written for ar, en, es" in err  # the translations are merged with the English
    assert (out / "es" / "when-to-call.pdf").exists()  # and their earlier output is kept too
    assert (out / "en" / "when-to-call.pdf").read_bytes() == good
    assert not list((out / "en").glob(".*tmp"))


def test_overlong_one_page_handout_fails_the_build(tmp_path, content_tree, capsys):
    source = (CONTENT / "en" / "when-to-call.yaml").read_text(encoding="utf-8")
    longer = source + "".join(f"  - id: extra-{i}\n    heading: More\n    blocks:\n      - paragraph: Call us.\n"
                               for i in range(12))
    content = content_tree({"en/when-to-call.yaml": longer})
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "o"), "--topic", "when-to-call"]) == 1
    assert "max_pages: renders to 2 pages on letter paper; the limit is 1" in capsys.readouterr().err
    assert not (tmp_path / "o" / "en" / "when-to-call.pdf").exists()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://example.com/x.png", "https://example.com/f.css"])
def test_fetcher_refuses_anything_outside_the_project(url):
    from handoutgen.pdf import ProjectOnlyFetcher, RefusedURL

    with pytest.raises(RefusedURL):
        ProjectOnlyFetcher().fetch(url)


def test_a_template_reference_outside_the_project_stops_the_build(tmp_path, monkeypatch, capsys):
    from handoutgen import html

    original = html.layout_css
    monkeypatch.setattr(html, "layout_css", lambda: original() + "body { background: url(file:///etc/passwd); }")
    import handoutgen.build as build_module

    monkeypatch.setattr(build_module, "layout_css", html.layout_css)
    assert main(["build", "--out", str(tmp_path), "--topic", "when-to-call"]) == 1
    assert "refused to fetch file:///etc/passwd" in capsys.readouterr().err
    assert not (tmp_path / "en" / "when-to-call.pdf").exists()


def test_a_recorded_review_replaces_the_draft_notice(tmp_path, content_tree):
    source = (CONTENT / "en" / "when-to-call.yaml").read_text(encoding="utf-8")
    reviewed = source.replace("  status: draft\n", "  status: reviewed\n  reviewed_by: Dr. A. Example, MD\n"
                              "  reviewed_on: 2026-10-01\n  next_review: 2027-10-01\n")
    content = content_tree({"en/when-to-call.yaml": reviewed})
    assert main(["build", "--content", str(content), "--out", str(tmp_path), "--topic", "when-to-call"]) == 0
    text = reader(tmp_path / "en" / "when-to-call.pdf").pages[0].extract_text()
    assert "Draft" not in text and "Reviewed October 1, 2026 · Next review October 1, 2027" in text


def test_one_broken_locale_does_not_stop_the_others(tmp_path, content_tree, capsys):
    content = content_tree()
    (content / "es" / "when-to-call.yaml").write_text("title: [roto\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--out", str(out), "--topic", "when-to-call"]) == 1
    assert (out / "en" / "when-to-call.pdf").exists() and (out / "ar" / "when-to-call.pdf").exists()
    assert not (out / "es").exists()
    err = capsys.readouterr().err
    assert "es/when-to-call.yaml:2:1: invalid YAML" in err and "nothing written for es" in err


def test_no_page_ends_with_a_stranded_heading(built):
    for topic in TOPICS:
        with pdfplumber.open(built / "en" / f"{topic}.pdf") as pdf:
            for page in pdf.pages[:-1]:
                body = [c for c in page.chars if c["top"] < page.height - 75]  # above the footer
                last_line_top = max(c["top"] for c in body)
                last_line = [c for c in body if abs(c["top"] - last_line_top) < 2]
                assert max(c["size"] for c in last_line) < 14, (topic, page.page_number)
