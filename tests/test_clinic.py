"""Clinic editions: the clinic's own details, paper, large print and generic handouts."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pypdf
import pytest

from handoutgen.cli import main

DATA = Path(__file__).parent / "data" / "clinics"
BROKEN = sorted((DATA / "broken").glob("*.yaml"))
A4 = (595.28, 841.89)


@pytest.mark.parametrize("case", BROKEN, ids=[c.stem for c in BROKEN])
def test_broken_profile_is_reported_with_file_line_and_column(case, capsys):
    expected = case.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    assert main(["check", "--clinic", str(case)]) == 1
    err = capsys.readouterr().err
    assert f"{case.name}:{expected}" in err
    assert "Traceback" not in err


def test_broken_profile_writes_nothing(tmp_path, capsys):
    assert main(["build", "--clinic", str(BROKEN[0]), "--out", str(tmp_path), "--topic", "when-to-call"]) == 1
    assert not list(tmp_path.rglob("*.pdf"))


@pytest.fixture(scope="module")
def test_clinic_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("clinic")
    code = main(["build", "--clinic", str(DATA / "full.yaml"), "--out", str(out),
                 "--topic", "when-to-call", "--topic", "supportive-care"])
    assert code == 0
    return out / "en"


def test_profile_numbers_and_fever_rule_on_every_page(test_clinic_build):
    for name in ("when-to-call.pdf", "supportive-care.pdf"):
        for page in pypdf.PdfReader(test_clinic_build / name).pages:
            text = page.extract_text()
            assert "+44 20 7946 0999" in text
            assert "38.3 °C (100.9 °F)" in text
            assert "Test Valley Hospital · Pediatric Hematology and Oncology" in text
            assert "555" not in text  # nothing of the example clinic leaks in
    fridge = pypdf.PdfReader(test_clinic_build / "when-to-call.pdf").pages[0].extract_text()
    assert "38.3 °C (100.9 °F)" in fridge and "+44 20 7946 0000" in fridge


def test_profile_paper_is_the_default(test_clinic_build):
    page = pypdf.PdfReader(test_clinic_build / "supportive-care.pdf").pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4


def test_paper_option_overrides_the_profile(tmp_path):
    assert main(["build", "--clinic", str(DATA / "full.yaml"), "--paper", "letter", "--out", str(tmp_path),
                 "--topic", "when-to-call"]) == 0
    page = pypdf.PdfReader(tmp_path / "en" / "when-to-call.pdf").pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)


def test_no_clinic_prints_labelled_blanks_never_a_number(tmp_path):
    assert main(["build", "--no-clinic", "--out", str(tmp_path), "--topic", "when-to-call"]) == 0
    text = pypdf.PdfReader(tmp_path / "en" / "when-to-call.pdf").pages[0].extract_text()
    assert "24-hour number:" in text and "temperature:" in text and "Clinic:" in text
    assert "For a life-threatening emergency, call emergency number:" in " ".join(text.split())
    assert "555" not in text and "°" not in text and "911" not in text
    with pdfplumber.open(tmp_path / "en" / "when-to-call.pdf") as pdf:
        lines = [r for r in pdf.pages[0].rects if 80 < r["width"] < 90]  # the 30 mm blank lines
    assert len(lines) >= 8  # a line to write on wherever a number would go


@pytest.fixture(scope="module")
def large_print(tmp_path_factory):
    out = tmp_path_factory.mktemp("large")
    assert main(["build", "--edition", "large-print", "--out", str(out), "--topic", "supportive-care",
                 "--topic", "when-to-call"]) == 0
    return out / "en" / "large-print"


def test_large_print_body_is_18_pt_with_wide_spacing_and_no_italics(large_print):
    with pdfplumber.open(large_print / "supportive-care.pdf") as pdf:
        chars = [c for page in pdf.pages for c in page.chars if 100 < c["top"] < page.height - 102]  # 36 mm margin
        words = [w for w in pdf.pages[1].extract_words(extra_attrs=["size"])
                 if 100 < w["top"] < pdf.pages[1].height - 102]  # the body: the boxed urgent line is set tighter
    sizes = [round(c["size"], 1) for c in chars]
    assert min(sizes) >= 16  # footnote-size labels aside, nothing small
    body = max(set(sizes), key=sizes.count)
    assert body >= 18
    assert not any("Italic" in c["fontname"] for c in chars)
    tops = sorted({round(w["top"]) for w in words if round(w["size"]) == body})
    gaps = [b - a for a, b in zip(tops, tops[1:]) if b - a < 2 * body]
    assert min(gaps) >= 1.5 * body * 0.95  # line spacing 1.5 or more


def test_large_print_keeps_the_urgent_line_on_every_page(large_print):
    pages = pypdf.PdfReader(large_print / "supportive-care.pdf").pages
    assert len(pages) > 1
    for page in pages:
        assert "or an emergency? Call +1 555-0199" in " ".join(page.extract_text().split())


def test_both_editions_in_one_build(tmp_path):
    assert main(["build", "--edition", "standard", "--edition", "large-print", "--out", str(tmp_path),
                 "--topic", "when-to-call"]) == 0
    assert (tmp_path / "en" / "when-to-call.pdf").exists()
    assert (tmp_path / "en" / "large-print" / "when-to-call.pdf").exists()
    html = (tmp_path / "en" / "large-print" / "when-to-call.html").read_text(encoding="utf-8")
    assert 'href="../../assets/print.css"' in html


def test_logo_appears_on_the_booklet_cover(tmp_path):
    assert main(["build", "--clinic", str(DATA / "full.yaml"), "--out", str(tmp_path), "--locale", "en"]) == 0
    cover = pypdf.PdfReader(tmp_path / "en" / "booklet.pdf").pages[0]
    assert "Test Valley Hospital" in cover.extract_text() and "Testville" in cover.extract_text()
    with pdfplumber.open(tmp_path / "en" / "booklet.pdf") as pdf:
        drawn = pdf.pages[0].rects + pdf.pages[0].curves
    assert drawn  # the SVG logo is drawn as vector shapes


def reviewed(next_review: str) -> str:
    source = (Path(__file__).parent.parent / "handouts/en/when-to-call.yaml").read_text(encoding="utf-8")
    return source.replace("  status: draft\n", "  status: reviewed\n  reviewed_by: Dr. A. Example, MD\n"
                          f"  reviewed_on: 2025-01-10\n  next_review: {next_review}\n")


def test_overdue_review_warns_and_strict_refuses(tmp_path, content_tree, capsys):
    content = content_tree({"en/when-to-call.yaml": reviewed("2026-01-10")})
    args = ["build", "--content", str(content), "--topic", "when-to-call"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err
    assert "when-to-call.yaml: review overdue since 2026-01-10" in err
    assert main([*args, "--out", str(tmp_path / "b"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "when-to-call.yaml: review.next_review: review overdue since 2026-01-10" in err
    assert not (tmp_path / "b" / "en" / "when-to-call.pdf").exists()


def test_strict_refuses_draft_content(tmp_path, capsys):
    assert main(["build", "--strict", "--topic", "when-to-call", "--out", str(tmp_path)]) == 1
    assert "when-to-call.yaml: review.status: draft: not reviewed by a clinician (--strict)" in capsys.readouterr().err


def test_strict_accepts_reviewed_current_content(tmp_path, content_tree):
    content = content_tree({"en/when-to-call.yaml": reviewed("2099-01-10")})
    assert main(["build", "--strict", "--content", str(content), "--topic", "when-to-call", "--locale", "en",
                 "--out", str(tmp_path)]) == 0


def decode_qr(pdf: Path, page: int = 0) -> list[str]:
    import pypdfium2
    import zxingcpp

    image = pypdfium2.PdfDocument(pdf)[page].render(scale=3).to_pil()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_qr_code_decodes_to_the_handouts_online_copy(test_clinic_build):
    url = "https://handouts.example.org/tvh/en/supportive-care.pdf"
    for page in range(len(pypdf.PdfReader(test_clinic_build / "supportive-care.pdf").pages)):
        assert decode_qr(test_clinic_build / "supportive-care.pdf", page) == [url]
    text = pypdf.PdfReader(test_clinic_build / "when-to-call.pdf").pages[0].extract_text()
    assert "handouts.example.org/tvh/en/when-to-call.pdf" in text.replace("\n", "")  # it may wrap in the footer
    assert decode_qr(test_clinic_build / "when-to-call.pdf") == [url.replace("supportive-care", "when-to-call")]
    resources = pypdf.PdfReader(test_clinic_build / "when-to-call.pdf").pages[0]["/Resources"]
    images = [x for x in resources.get("/XObject", {}).values() if x.get_object().get("/Subtype") == "/Image"]
    assert images == []  # the code is drawn as vector paths, not a bitmap
    html = (test_clinic_build / "when-to-call.html").read_text(encoding="utf-8")
    assert 'alt="QR code for the online copy of this handout at handouts.example.org/tvh/en/when-to-call.pdf"' in html


def test_no_qr_code_without_a_website(built):
    assert decode_qr(built / "en" / "when-to-call.pdf") == []


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_nothing_overflows_or_is_clipped(paper, tmp_path):
    assert main(["build", "--paper", paper, "--clinic", str(DATA / "full.yaml"), "--out", str(tmp_path),
                 "--edition", "standard", "--edition", "large-print", "--topic", "my-care-team",
                 "--topic", "questions-for-the-care-team", "--topic", "diagnosis-and-tests"]) == 0
    for pdf_path in tmp_path.rglob("*.pdf"):
        with pdfplumber.open(pdf_path) as pdf:
            for page in pdf.pages:
                for char in page.chars:
                    assert 9 < char["x0"] and char["x1"] < page.width - 9, (pdf_path.name, char["text"])
                    assert 9 < char["top"] and char["bottom"] < page.height - 9, (pdf_path.name, char["text"])


def test_logo_over_one_megabyte_is_refused(tmp_path, capsys):
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 1_000_000)
    profile = tmp_path / "clinic.yaml"
    profile.write_text((DATA / "full.yaml").read_text(encoding="utf-8").replace("logo: logo.svg", "logo: big.png"),
                       encoding="utf-8")
    assert main(["check", "--clinic", str(profile)]) == 1
    line = profile.read_text(encoding="utf-8").splitlines().index("logo: big.png") + 1
    assert f"clinic.yaml:{line}:1: logo: the logo is 1,000,008 bytes; the limit is 1,000,000 (1 MB)" in capsys.readouterr().err
