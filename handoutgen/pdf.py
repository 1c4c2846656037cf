"""Stage 4: render HTML to PDF with WeasyPrint, fetching nothing but the project's own files.

Only this module imports WeasyPrint (about a second to import), so `check` stays fast.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from . import fonts, tounicode
from .paths import STYLES, TEMPLATES

tounicode.apply()  # Kozea/WeasyPrint#2841: one text per character code, so Arabic text extracts intact

PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_forms": True}


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
    """Collect what WeasyPrint logs at warning level or above, so a build can fail on it."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@dataclass
class RenderedPDF:
    """A rendered PDF and what it took."""

    data: bytes
    pages: int


class PDFRenderer:
    """Render HTML pages with one FontConfiguration and parsed stylesheets shared by all of them."""

    def __init__(self, layout_css: str, edition_css: str, families: tuple[str, ...] = fonts.LATIN):
        self.edition_css = edition_css
        css_texts = [layout_css, edition_css]
        self.fetcher = ProjectOnlyFetcher()
        self.font_config = FontConfiguration()
        base = TEMPLATES.as_uri() + "/"
        self.stylesheets = [CSS(string=fonts.font_face_css(families=families), font_config=self.font_config,
                                url_fetcher=self.fetcher, base_url=base)]
        self.stylesheets += [CSS(string=text, font_config=self.font_config, url_fetcher=self.fetcher,
                                 base_url=STYLES.as_uri() + "/") for text in css_texts]

    def render(self, html: str) -> RenderedPDF:
        """Return the PDF of one HTML page; RefusedURL propagates."""
        with fixed_font_timestamps():
            document = HTML(string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=self.fetcher).render(
                stylesheets=self.stylesheets, font_config=self.font_config, **PDF_OPTIONS)
            data = document.write_pdf(**PDF_OPTIONS)
        return RenderedPDF(data, len(document.pages))


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
