"""Stage 4: render HTML to PDF with WeasyPrint, fetching nothing but the project's own files.

Only this module imports WeasyPrint (about a second to import), so `check` stays fast.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from . import fieldfont, fonts, pdfua, tounicode
from .paths import STYLES, TEMPLATES
from .verify import Rendered

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_forms": True}
pdfua.apply()  # running headers and footers as artifacts (see pdfua.py)
tounicode.apply()  # Kozea/WeasyPrint#2841: one text per character code, so Arabic extracts intact


class RefusedURL(FatalURLFetchingError):
    """A template, style or content asked for a file or address outside the project's assets."""


class ProjectOnlyFetcher(URLFetcher):
    """Fetch `data:` URLs and files under templates/ and styles/ or the bundled fonts; refuse the rest."""

    def __init__(self, extra_roots: tuple[Path, ...] = ()):
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = (TEMPLATES.resolve(), STYLES.resolve(), *extra_roots)
        self.font_files = {face.path.resolve() for face in fonts.faces()}

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file:"):
            from urllib.request import url2pathname

            path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:"))).resolve()
            if path in self.font_files or any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        raise RefusedURL(f"refused to fetch {url}: only the project's own styles, fonts, images and data: URLs are allowed")


class WarningCollector(logging.Handler):
    """Collect what WeasyPrint logs: warnings for the report, errors (an image it could not load) to fail on."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.errors: list[str] = []

    def emit(self, record):
        (self.errors if record.levelno >= logging.ERROR else self.messages).append(record.getMessage())

    def take_errors(self) -> list[str]:
        """Return the errors logged since the last call, and forget them."""
        errors, self.errors = self.errors, []
        return errors


class PDFRenderer:
    """Render HTML pages with one FontConfiguration and parsed stylesheets shared by all of them."""

    def __init__(self, layout_css: str, edition_css: str, families: tuple[str, ...] = fonts.LATIN):
        self.edition_css = edition_css
        css_texts = [layout_css, edition_css]
        self.fetcher = ProjectOnlyFetcher()
        self.font_config = FontConfiguration()
        base = TEMPLATES.as_uri() + "/"
        face_css = fonts.font_face_css(families=families) + fieldfont.face_css(families)
        self.stylesheets = [CSS(string=face_css, font_config=self.font_config,
                                url_fetcher=self.fetcher, base_url=base)]
        self.stylesheets += [CSS(string=text, font_config=self.font_config, url_fetcher=self.fetcher,
                                 base_url=STYLES.as_uri() + "/") for text in css_texts]

    def render(self, html: str) -> Rendered:
        """Return the PDF of one HTML page; RefusedURL propagates."""
        with fixed_font_timestamps():
            document = HTML(string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=self.fetcher).render(
                stylesheets=self.stylesheets, font_config=self.font_config, **PDF_OPTIONS)
            data = document.write_pdf(**PDF_OPTIONS)
        body, footer = overflowing_words(document)
        return Rendered(data, len(document.pages), body, footer)


def overflowing_words(document) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Return (page, text) for each piece of text wider than the line it is set in: it would print cut off.

    Those in the page's body and header come first, those in its footer (the clinic's lines) second.
    """
    found: list[tuple[int, str]] = []
    footer: list[tuple[int, str]] = []

    def walk(box, low: float, high: float, number: int, into: list) -> None:
        for child in getattr(box, "children", ()):
            if isinstance(child, boxes.LineBox):
                left = max(low, box.content_box_x())
                room = min(high, box.content_box_x() + box.width) - left
                into.extend((number, text.text) for text in child.descendants()
                            if isinstance(text, boxes.TextBox) and text.width > room + 1)
            elif isinstance(child, boxes.Box):
                walk(child, low, high, number, into)

    for number, page in enumerate(document.pages, 1):
        for area in page._page_box.children:  # the page's content, then its margin boxes
            bottom = isinstance(area, boxes.MarginBox) and area.at_keyword.startswith("@bottom")
            walk(area, area.content_box_x(), area.content_box_x() + area.width, number, footer if bottom else found)
    return found, footer


@contextmanager
def fixed_font_timestamps():
    """Pin the time fontTools stamps into each variable-font instance, so the same inputs give the same bytes.

    fontTools reads SOURCE_DATE_EPOCH (the reproducible-builds convention); without it, an Arabic
    page's fonts carry the current time. A value the caller set is kept.
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = "946684800"  # 2000-01-01
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
