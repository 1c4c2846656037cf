"""PDF/UA-1, checked by an independent validator (`page`, PyPI page-validation) on every PDF the build writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handoutgen.cli import main
from handoutgen.paths import CONTENT

page = pytest.importorskip("page", reason="pip install page-validation (in the test extra)")

def failures(path: Path) -> list[tuple[str, str]]:
    report = page.validate_pdf(path, profile="ua1")
    return [(failure.rule_id, failure.message) for failure in report.failures]


def test_every_pdf_passes_pdf_ua_1(built):
    """English, Spanish and Arabic. (Arabic failed the font rule PDFUA1-FONT-UNICODE-MAPPING-001 until a
    letter drawn with several glyphs became one composite glyph: see handoutgen/tounicode.py.)"""
    pdfs = sorted(p for locale in ("en", "es", "ar") for p in (built / locale).rglob("*.pdf"))
    assert len(pdfs) >= 42
    failed = {str(p.relative_to(built)): found for p in pdfs if (found := failures(p))}
    assert failed == {}


def test_the_validator_does_fail_a_broken_structure(built, tmp_path):
    """The check can fail: a list item moved out of its list is reported."""
    pikepdf = pytest.importorskip("pikepdf")
    broken = tmp_path / "broken.pdf"
    with pikepdf.open(built / "en" / "what-is-all.pdf") as pdf:
        def first(element, kind):
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == kind:
                        return kid
                    found = first(kid, kind)
                    if found is not None:
                        return found
            return None
        item = first(pdf.Root.StructTreeRoot, "/LI")
        item.S = pikepdf.Name("/P")  # an L holding a P: not a list any more
        pdf.save(broken)
    assert any(rule.startswith("PDFUA1-L-") for rule, _ in failures(broken))


def marked_content(path: Path) -> tuple[int, int, int]:
    """Return (marked-content items, items attached to no reachable structure element, artifacts with text)."""
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(path) as pdf:
        root = pdf.Root.StructTreeRoot
        reachable: set = set()

        def walk(node) -> None:
            kids = node.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.objgen not in reachable:
                    reachable.add(kid.objgen)
                    walk(kid)

        walk(root)
        parents: dict = {}

        def collect(node) -> None:
            numbers = list(node.get("/Nums", []))
            parents.update({int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)})
            for kid in node.get("/Kids", []):
                collect(kid)

        collect(root.ParentTree)
        items = orphans = artifact_text = 0
        for page in pdf.pages:
            linked = parents.get(int(page.StructParents)) if "/StructParents" in page else None
            stack = []
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name in ("BDC", "BMC"):
                    stack.append(str(operands[0]))
                    if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                        items += 1
                        mcid = int(operands[1].MCID)
                        element = linked[mcid] if linked is not None and mcid < len(linked) else None
                        orphans += not (isinstance(element, pikepdf.Dictionary) and element.objgen in reachable)
                elif name == "EMC" and stack:
                    stack.pop()
                elif name in ("Tj", "TJ") and "/Artifact" in stack:
                    artifact_text += 1
    return items, orphans, artifact_text


def test_running_headers_and_footers_are_artifacts_and_nothing_is_orphaned(built):
    for pdf in sorted(built.rglob("*.pdf")):
        items, orphans, artifact_text = marked_content(pdf)
        assert items > 0 and orphans == 0, (pdf.name, items, orphans)
        assert artifact_text >= 2, pdf.name  # at least the urgent line and the page number on one page


def test_parts_printed_in_english_inside_a_translation_say_so(content_tree, tmp_path):
    pikepdf = pytest.importorskip("pikepdf")
    glossary = (CONTENT / "ar" / "glossary.yaml").read_text(encoding="utf-8")
    for term in ("spleen", "relapse"):  # their translations dropped: they print in English
        start = glossary.index(f'  - id: "{term}"')
        glossary = glossary[:start] + glossary[glossary.index("  - id: ", start + 1):]
    content = content_tree({"ar/glossary.yaml": glossary})
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--out", str(out), "--locale", "ar", "--topic", "glossary"]) == 0
    langs = {}
    with pikepdf.open(out / "ar" / "glossary.pdf") as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem" and "/Lang" in obj:
                langs[str(obj.Lang)] = langs.get(str(obj.Lang), 0) + 1
        document_lang = str(pdf.Root.Lang)
    assert document_lang == "ar"
    assert langs.get("en", 0) >= 2 * 2  # each English term and its definition


def test_contents_links_say_where_they_lead_and_ids_are_listed(built):
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(built / "en" / "booklet.pdf") as pdf:
        links = [str(a.Contents) for p in pdf.pages[:4] for a in p.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert "What is ALL?" in links and not any(re.fullmatch(r"[a-z0-9-]+", text) for text in links)
    with pikepdf.open(built / "en" / "my-care-team.pdf") as pdf:
        ids = {str(o.ID) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/ID" in o and
               o.get("/Type") == "/StructElem"}
        names = list(pdf.Root.StructTreeRoot.IDTree.Names)
        assert ids and set(str(n) for n in names[0::2]) == ids


def test_contents_leader_dots_are_artifacts_and_entries_stay_links(built):
    """The ". . . ." between a title and its page is not read aloud; every entry is still a Link."""
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(built / "en" / "booklet.pdf") as pdf:
        for page in pdf.pages[:4]:
            entries = {str(a.Contents) for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"}
            leaders = dots_in_leaders = marked_text = 0
            stack: list[str] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name in ("BDC", "BMC"):
                    layout = (name == "BDC" and str(operands[0]) == "/Artifact"
                              and isinstance(operands[1], pikepdf.Dictionary) and operands[1].get("/Type") == "/Layout")
                    leaders += layout
                    stack.append("layout" if layout else str(operands[0]))
                elif name == "EMC" and stack:
                    stack.pop()
                elif name in ("Tj", "TJ"):
                    dots_in_leaders += "layout" in stack
                    marked_text += "layout" not in stack
            if entries:
                break
        assert len(entries) >= 10 and "What is ALL?" in entries
        assert leaders == len(entries), (leaders, sorted(entries))  # one leader per entry, each an artifact
        assert dots_in_leaders >= leaders and marked_text > 0
        link_annotations = {a.objgen for a in page.get("/Annots", []) if a.get("/Subtype") == "/Link"}
        parents = {kid.Obj.objgen for o in pdf.objects
                   if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/StructElem" and o.get("/S") == "/Link"
                   for kid in (o.K if isinstance(o.K, pikepdf.Array) else [o.K])
                   if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"}
        assert link_annotations and link_annotations <= parents  # every link area of the contents sits in a Link element


def test_a_translucent_footer_is_still_an_artifact(tmp_path):
    """WeasyPrint draws a box with opacity into a separate stream: the footer must stay an artifact there too."""
    from handoutgen.pdf import PDFRenderer

    html = ('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>'
            '<div class="running-footer" style="opacity: .6">Clinic · Draft</div><p>Body text.</p></body></html>')
    css = ('@page { @bottom-left { content: element(footer) } @top-left { content: "Header" } } '
           '.running-footer { position: running(footer) } html { font-family: "Atkinson Hyperlegible" }')
    rendered = PDFRenderer(css, "").render(html)
    path = tmp_path / "t.pdf"
    path.write_bytes(rendered.data)
    items, orphans, artifact_text = marked_content(path)
    assert items >= 1 and orphans == 0 and artifact_text >= 1  # the footer is drawn in its own group
    pikepdf = pytest.importorskip("pikepdf")
    with pikepdf.open(path) as pdf:
        kinds = {str(ops[1].get("/Subtype")) for ops, op in pikepdf.parse_content_stream(pdf.pages[0])
                 if str(op) == "BDC" and str(ops[0]) == "/Artifact"}
    assert kinds == {"/Header", "/Footer"}

