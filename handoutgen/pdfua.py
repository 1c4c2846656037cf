"""PDF/UA fixes to WeasyPrint 70's tagging: running headers and footers as artifacts, /Lang on parts.

WeasyPrint 70 marks the text of the page's margin boxes (our running urgent line, footer and
"Page N of M") as marked content with an MCID, then builds structure elements for it that it
links to nothing (`weasyprint/pdf/tags.py`, `_build_box_tree`: "It could be included in tree as
Artifact, but that's only allowed in PDF 2.0"). The result is marked content that belongs to no
structure element, which the Matterhorn Protocol (checkpoint 01-001) forbids. PDF/UA-1 (on PDF
1.7) does allow artifacts in the content stream: pagination artifacts are exactly what running
headers and footers are. So this module

- draws each margin box inside one `/Artifact` marked-content sequence and gives nothing in it
  an MCID (`weasyprint.draw.draw_stacking_context`, `weasyprint.pdf.stream.Stream.marked`);
- builds no structure for margin boxes (`weasyprint.pdf.tags._build_box_tree`);
- draws the dots of a `leader()` (the table of contents' ". . . .") as a layout artifact and
  builds no structure for them, so a screen reader does not read "dot dot dot" between a
  section's title and its page (`weasyprint.draw.draw_inline_level`);
- gives /Lang to the structure element of every HTML element with a `lang` attribute, which
  WeasyPrint 70 sets only on the document (Matterhorn checkpoint 11-006: a passage in another
  language must say so);
- adds the IDTree that must list the structure elements WeasyPrint gives an /ID (table headers);
- describes each link annotation by the link's words ("What is ALL?"), not its target's id.

A screen reader still reads the urgent number and the fever rule in every handout's body (the
urgent box). The clinic's name, the review state and the version are then only in the footer,
which it skips as pagination, as it skips page numbers.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

import pydyf
import weasyprint
from weasyprint import draw
import weasyprint.pdf as pdf_writer
from weasyprint.formatting_structure import boxes
from weasyprint.pdf import stream as pdf_stream
from weasyprint.pdf import tags

if not weasyprint.__version__.startswith("70."):
    raise ImportError(f"handoutgen.pdfua patches WeasyPrint 70's tagging; WeasyPrint {weasyprint.__version__} is "
                      "installed: check whether it still needs the patch, then update this module")

_draw_stacking_context = draw.draw_stacking_context
_draw_inline_level = draw.draw_inline_level
_marked = pdf_stream.Stream.marked
_build_box_tree = tags._build_box_tree
_in_artifact: ContextVar[bool] = ContextVar("in_artifact", default=False)
_add_tags = pdf_writer.add_tags
_add_links = pdf_writer.add_links


def _draw_as_artifact(stream, stacking_context):
    """Draw a margin box's content as one pagination artifact; draw everything else as WeasyPrint does."""
    box = stacking_context.box
    if not isinstance(box, boxes.MarginBox) or stream._tags is None:
        return _draw_stacking_context(stream, stacking_context)
    kind = "Header" if box.at_keyword.startswith("@top") else "Footer" if box.at_keyword.startswith("@bottom") \
        else None
    properties = pydyf.Dictionary({"Type": "/Pagination", **({"Subtype": f"/{kind}"} if kind else {})})
    token = _in_artifact.set(True)  # a context variable: drawing may switch to another stream (opacity)
    try:
        pydyf.Stream.begin_marked_content(stream, "Artifact", properties)
        try:
            return _draw_stacking_context(stream, stacking_context)
        finally:
            pydyf.Stream.end_marked_content(stream)
    finally:
        _in_artifact.reset(token)


def _draw_leader_as_artifact(stream, page, box, *args, **kwargs):
    """Draw a leader's dots as one layout artifact; draw every other inline box as WeasyPrint does."""
    if not getattr(box, "is_leader", False) or stream._tags is None or _in_artifact.get():
        return _draw_inline_level(stream, page, box, *args, **kwargs)
    token = _in_artifact.set(True)
    try:
        pydyf.Stream.begin_marked_content(stream, "Artifact", pydyf.Dictionary({"Type": "/Layout"}))
        try:
            return _draw_inline_level(stream, page, box, *args, **kwargs)
        finally:
            pydyf.Stream.end_marked_content(stream)
    finally:
        _in_artifact.reset(token)


@contextmanager
def _marked_unless_artifact(self, box, tag):
    """Mark content for the structure tree, except inside an artifact, where nothing may be marked."""
    if _in_artifact.get():
        yield
        return
    with _marked(self, box, tag):
        yield


def _tree_without_margin_boxes(box, parent, pdf, page_number, nums, annotations, found_tags):
    """Build the structure tree as WeasyPrint does, with nothing for margin boxes and leaders (artifacts).

    An element with a `lang` attribute also gets its structure element's /Lang, so a part
    printed in English inside a translation is read with English pronunciation.
    """
    if isinstance(box, boxes.MarginBox):
        return
    if getattr(box, "is_leader", False):  # its dots are an artifact; its link area stays in the Link
        box = box.copy_with_children([])
    lang = box.element.get("lang") if box.element is not None and box.element_tag != "html" else None
    for element in _build_box_tree(box, parent, pdf, page_number, nums, annotations, found_tags):
        if lang and "Lang" not in element:
            element["Lang"] = pydyf.String(lang)
        yield element


def _tags_with_id_tree(pdf, document, pdf_version, page_streams):
    """Add the structure tree, and the IDTree that must list every structure element with an /ID."""
    _add_tags(pdf, document, pdf_version, page_streams)
    root = next((obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary)
                 and obj.get("Type") == "/StructTreeRoot"), None)
    named = sorted(((obj["ID"].string, obj) for obj in pdf.objects
                    if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem" and "ID" in obj),
                   key=lambda pair: pair[0])
    if root is not None and named:
        root["IDTree"] = pydyf.Dictionary({"Names": pydyf.Array(
            [item for key, obj in named for item in (pydyf.String(key), obj.reference)])})


def _links_named_by_their_text(links_and_anchors, matrix, pdf, page, names, found_tags):
    """Add the page's links; describe each by the words of the link (WeasyPrint uses the target's id)."""
    _add_links(links_and_anchors, matrix, pdf, page, names, found_tags)
    if found_tags is None:
        return
    for _, _, _, box in links_and_anchors[0]:
        annotation = getattr(box, "link_annotation", None)
        words = " ".join("".join(box.element.itertext()).split()) if box.element is not None else ""
        if annotation is not None and words:
            annotation["Contents"] = pydyf.String(words)


def apply() -> None:
    """Install the patch (idempotent)."""
    draw.draw_stacking_context = _draw_as_artifact
    draw.draw_inline_level = _draw_leader_as_artifact
    pdf_stream.Stream.marked = _marked_unless_artifact
    tags._build_box_tree = _tree_without_margin_boxes
    pdf_writer.add_tags = _tags_with_id_tree
    pdf_writer.add_links = _links_named_by_their_text
