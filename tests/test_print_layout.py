"""Print layout, measured on the PDFs: large print really large, the urgent line at body size,
nothing within 10 mm of the paper's edge, the fridge page's steps together, hyphenation limits."""

from __future__ import annotations

import re

import pdfplumber
import pytest

from handoutgen.cli import main

MM = 72 / 25.4
FOOTER_MM = 40  # large print's bottom margin: the footer's clinic, review and version lines


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    out = tmp_path_factory.mktemp("large")
    for paper in ("letter", "a4"):
        assert main(["build", "--edition", "large-print", "--paper", paper, "--out", str(out / paper),
                     "--topic", "when-to-call", "--topic", "supportive-care", "--topic", "my-care-team"]) == 0
    return out


def chars_by_zone(pdf_path, rtl=False):
    """Yield (page number, zone, char) for every character: zone is "footer" for the footer box, else "reader"."""
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for char in page.chars:
                if not char["text"].strip():
                    continue
                in_margin = char["bottom"] > page.height - FOOTER_MM * MM
                footer_box = char["x0"] > page.width * 0.28 if rtl else char["x1"] < page.width * 0.72
                yield number, "footer" if in_margin and footer_box else "reader", char


@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_large_print_every_character_a_reader_needs_is_18_pt(large, locale):
    smallest = {"reader": 99.0, "footer": 99.0}
    for pdf in sorted((large / "letter" / locale / "large-print").glob("*.pdf")):
        for number, zone, char in chars_by_zone(pdf, rtl=locale == "ar"):
            if char["size"] < smallest[zone]:
                smallest[zone] = char["size"]
            assert char["size"] >= (17.9 if zone == "reader" else 11.9), (pdf.name, number, zone, char["text"],
                                                                           round(char["size"], 1))
    assert smallest["reader"] >= 17.9 and 11.9 <= smallest["footer"] < 17.9  # the footer zone is really measured


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("locale", ["en", "es", "ar"])
def test_large_print_fridge_page_is_two_pages_at_most_with_the_fever_steps_together(large, paper, locale):
    with pdfplumber.open(large / paper / locale / "large-print" / "when-to-call.pdf") as pdf:
        assert len(pdf.pages) <= 2
        pages_with_steps = {number for number, page in enumerate(pdf.pages, 1)
                            for word in page.extract_words() if re.fullmatch(r"[1-4]\.|\.[1-4]", word["text"])}
    assert len(pages_with_steps) == 1  # the numbered fever steps never split across pages


def test_large_print_pdfs_pass_pdf_ua_1(large):
    page = pytest.importorskip("page", reason="pip install page-validation (in the test extra)")
    pdfs = sorted(large.rglob("*.pdf"))
    assert len(pdfs) >= 14 and any("/ar/" in str(pdf) for pdf in pdfs)
    failed = {str(pdf.relative_to(large)): [f.rule_id for f in found]
              for pdf in pdfs if (found := page.validate_pdf(pdf, profile="ua1").failures)}
    assert failed == {}


def test_standard_urgent_line_is_at_least_the_body_size(built):
    for name, body in (("supportive-care.pdf", 12.5), ("when-to-call.pdf", 12)):
        with pdfplumber.open(built / "en" / name) as pdf:
            for page in pdf.pages:
                header = [c for c in page.chars if c["bottom"] < 24 * MM and c["text"].strip()]
                assert header and min(c["size"] for c in header) >= body - 0.05, (name, page.page_number)
                assert "+1555-0199" in "".join(c["text"] for c in header if c["text"].strip())


def test_no_text_within_10_mm_of_the_paper_edge_in_any_locale(built):
    closest = 99.0
    for pdf_path in sorted(built.rglob("*.pdf")):
        with pdfplumber.open(pdf_path) as pdf:
            for page in pdf.pages:
                for c in page.chars:
                    gap = min(c["top"], page.height - c["bottom"], c["x0"], page.width - c["x1"]) / MM
                    closest = min(closest, gap)
                    assert gap >= 9.95, (pdf_path.name, page.page_number, c["text"], round(gap, 1))
    assert closest < 20  # the header and footer are really in the measured margins


def test_hyphenation_never_splits_short_words_or_leaves_two_letters(built):
    splits = 0
    for pdf_path in sorted((built / "en").glob("*.pdf")) + sorted((built / "es").glob("*.pdf")):
        html_path = pdf_path.with_suffix(".html")
        if not html_path.exists():
            continue  # booklets repeat the topics
        source = html_path.read_text(encoding="utf-8")
        with pdfplumber.open(pdf_path) as pdf:
            for page in pdf.pages:
                lines = (page.extract_text() or "").splitlines()
                for line, following in zip(lines, lines[1:]):
                    first, rest = re.search(r"(\w+)-$", line), re.match(r"\w+", following)
                    if not first or not rest or f"{first.group(1)}-{rest.group(0)}" in source:
                        continue  # no split, or a hyphen the text really has (flu-like, T-cell)
                    splits += 1
                    word = first.group(1) + rest.group(0)
                    assert len(word) >= 7 and len(first.group(1)) >= 3 and len(rest.group(0)) >= 3, (
                        pdf_path.name, line, following)
    assert splits  # hyphenation is on, so the rule was really exercised


def test_large_print_with_a_website_keeps_the_qr_code_but_not_the_printed_address(tmp_path):
    from test_clinic import DATA, decode_qr

    assert main(["build", "--clinic", str(DATA / "full.yaml"), "--edition", "standard", "--edition", "large-print",
                 "--out", str(tmp_path), "--locale", "en", "--topic", "supportive-care"]) == 0
    url = "https://handouts.example.org/tvh/en/large-print/supportive-care.pdf"
    large = tmp_path / "en" / "large-print" / "supportive-care.pdf"
    with pdfplumber.open(large) as pdf:
        text = "".join(page.extract_text() for page in pdf.pages)
    assert "handouts.example.org" not in text
    assert decode_qr(large) == [url]
    with pdfplumber.open(tmp_path / "en" / "supportive-care.pdf") as pdf:
        assert "handouts.example.org" in pdf.pages[0].extract_text()  # the standard edition prints it


@pytest.fixture(scope="module")
def with_website(tmp_path_factory):
    """The test clinic has a website, so every footer carries a QR code beside the version."""
    from test_clinic import DATA

    out = tmp_path_factory.mktemp("website")
    for paper in ("letter", "a4"):
        assert main(["build", "--clinic", str(DATA / "full.yaml"), "--paper", paper, "--out", str(out / paper),
                     "--edition", "standard", "--edition", "large-print", "--edition", "bilingual",
                     "--topic", "supportive-care", "--topic", "when-to-call"]) == 0
    return out


def test_the_qr_code_and_the_version_never_touch(with_website):
    """Measured on the page: the QR code where a phone finds it, the version id where PDFium places it."""
    import pypdfium2
    import zxingcpp

    pdfs = sorted(with_website.rglob("*.pdf"))
    assert len(pdfs) >= 20
    for path in pdfs:
        document = pypdfium2.PdfDocument(path)
        for number in range(len(document)):
            page = document[number]
            height = page.get_height()
            found = zxingcpp.read_barcodes(page.render(scale=3).to_pil())
            assert len(found) == 1, (path, number)
            corners = [found[0].position.top_left, found[0].position.top_right,
                       found[0].position.bottom_left, found[0].position.bottom_right]
            qr = (min(c.x for c in corners) / 3, min(c.y for c in corners) / 3,
                  max(c.x for c in corners) / 3, max(c.y for c in corners) / 3)
            text = page.get_textpage()
            versions = re.findall(r"(?<![0-9a-z])[0-9a-f]{8}(?![0-9a-z])", text.get_text_range())
            assert versions, (path, number)
            for version in versions:  # each character's box, from PDFium, turned to top-down points
                searcher = text.search(version)
                start, count = searcher.get_next()
                for index in range(start, start + count):
                    left, bottom, right, top = text.get_charbox(index)
                    top, bottom = height - top, height - bottom
                    apart = max(left - qr[2], qr[0] - right, top - qr[3], qr[1] - bottom)
                    assert apart >= 1 * MM, (path.relative_to(with_website), number + 1, round(apart / MM, 1))


def test_a_words_to_know_box_never_leaves_the_page_before_it_a_third_empty(built):
    """The box breaks between terms; were it to jump whole to the next page, the page before would be short."""
    from handoutgen.content import load_project
    from handoutgen.paths import CONTENT

    labels = {code: loc.strings.glossary_in_topic for code, loc in load_project(CONTENT).locales.items()}
    top, bottom = 25 * MM, 28 * MM  # the standard edition's margins (print.css)
    starts = 0
    for locale, label in labels.items():
        for path in sorted((built / locale).rglob("*.pdf")):
            if "large-print" in path.parts:
                continue
            with pdfplumber.open(path) as pdf:
                fill = None
                for number, page in enumerate(pdf.pages, 1):
                    chars = [c for c in page.chars if c["text"].strip() and top < c["top"] and
                             c["bottom"] < page.height - bottom]
                    if chars:
                        first = min(c["top"] for c in chars)
                        line = sorted(c["text"] for c in chars if abs(c["top"] - first) < 2)
                        if line == sorted(label.replace(" ", "")) and fill is not None:
                            starts += 1
                            assert fill >= 2 / 3, (str(path.relative_to(built)), number, round(fill, 2))
                    fill = (max(c["bottom"] for c in chars) - top) / (page.height - bottom - top) if chars else 0
    assert starts  # some boxes do start a page, so the rule was really exercised


def test_no_page_holds_only_the_disclaimer_or_ends_on_a_heading(built):
    """A heading is never the last line of a page (its text is on the next), nor is the disclaimer alone on one."""
    from handoutgen.content import load_project
    from handoutgen.paths import CONTENT

    disclaimers = {code: "".join(loc.strings.not_advice.split()) for code, loc in load_project(CONTENT).locales.items()}
    top, bottom = 25 * MM, 28 * MM
    pages = 0
    for locale, disclaimer in disclaimers.items():
        for path in sorted((built / locale).glob("*.pdf")):
            with pdfplumber.open(path) as pdf:
                for number, page in enumerate(pdf.pages, 1):
                    chars = [c for c in page.chars if c["text"].strip() and top < c["top"] and
                             c["bottom"] < page.height - bottom]
                    pages += 1
                    assert chars, (str(path.relative_to(built)), number, "an empty page")
                    assert sorted(c["text"] for c in chars) != sorted(disclaimer), (
                        str(path.relative_to(built)), number, "only the disclaimer")
                    last = max(c["bottom"] for c in chars)
                    line = [c for c in chars if abs(c["bottom"] - last) < 3]
                    assert max(c["size"] for c in line) < 14.9, (  # h2 is 15 pt, h1 22 pt; body 12.5 pt
                        str(path.relative_to(built)), number, "ends on a heading",
                        "".join(c["text"] for c in sorted(line, key=lambda c: c["x0"])))
    assert pages > 250
