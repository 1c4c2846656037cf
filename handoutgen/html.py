"""Stage 3: merge validated content into the Jinja2 templates, giving one HTML page per document."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from pathlib import Path
from functools import cache

import jinja2
import re

from babel import Locale
from babel.dates import format_date
from markupsafe import Markup
from tinycss2.serializer import serialize_string_value

from . import fonts
from .content import LocaleContent, version_id
from .markup import Blank, blank_html, plain, render_inline
from .paths import STYLES, TEMPLATES
from .plan import Edition, Target, text_direction
from .source import read_file
from .schema import BLOCK_KINDS, Glossary, Topic
from .schema_locale import TranslationReview, UIStrings

PAPER_SIZES = {"letter": "letter", "a4": "A4"}


@dataclass
class Handout:
    """One handout (a topic or the glossary) ready for a template."""

    id: str
    topic: Topic | Glossary
    version: str
    plain_title: str
    fallbacks: dict[str, str] = field(default_factory=dict)  # part -> "untranslated" or "outdated": in English
    translation_review: TranslationReview | None = None  # None for the English itself

    @property
    def review(self):
        return self.topic.review


def qr_code(url: str) -> str:
    """Return a QR code for `url` as a vector SVG data: URL, made locally with segno."""
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(scale=1, border=2, dark="#000")


@dataclass
class Page:
    """What the base template needs to know about the page it renders."""

    title: str
    description: str
    lang: str
    dir: str
    preview: bool
    body_class: str = ""
    stylesheets: list[str] = field(default_factory=list)


@cache
def environment() -> jinja2.Environment:
    """Return the Jinja2 environment: autoescaping and StrictUndefined, always."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md_filter
    env.filters["date"] = _date_filter
    env.filters["direction"] = text_direction
    env.globals["block_kind"] = lambda block: next(k for k, c in BLOCK_KINDS.items() if isinstance(block, c))
    return env


@jinja2.pass_context
def _md_filter(context, text: str) -> Markup:
    html = render_inline(text, context["values"])
    return latin_runs_left_to_right(html) if context["page"].dir == "rtl" else html


_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
_LATIN_WORD = r"[A-Za-z][A-Za-z0-9]*(?:[-+./][A-Za-z0-9+]+)*\+?"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?: {_LATIN_WORD})*")  # a phrase keeps its word order


def latin_runs_left_to_right(html: Markup) -> Markup:
    """Set each Latin phrase in right-to-left text left to right: "(Ph+)" never prints as "(+Ph)", nor "Ph+ ALL" as "ALL Ph+".

    WeasyPrint 70 does not isolate <bdi> but honours its direction (see print.css), so each run
    goes in a <bdi>; text already in a <bdi> (the clinic's numbers) is left as it is.
    """
    out, depth = [], 0
    for piece in _TAG_OR_TEXT.split(str(html)):
        if piece.startswith("<"):
            depth += piece.startswith("<bdi") - piece.startswith("</bdi")
            out.append(piece)
        else:
            out.append(piece if depth else _LATIN_RUN.sub(lambda m: f"<bdi>{m.group(0)}</bdi>", piece))
    return Markup("".join(out))


@jinja2.pass_context
def _date_filter(context, value) -> str:
    return format_date(value, format="long", locale=Locale.parse(context["page"].lang, sep="-"))


def documents(content: LocaleContent, edition: Edition, order: list[str]) -> list[Handout]:
    """Return the locale's documents in reading order, the glossary last."""
    values = edition.values(content.strings)
    items = [(t, content.topics[t]) for t in order if t in content.topics]
    if content.glossary:
        items.append(("glossary", content.glossary))
    return [Handout(doc_id, topic, version_id(topic), plain(topic.title, values), content.fallbacks.get(doc_id, {}),
                    content.reviews.get(doc_id)) for doc_id, topic in items]


def edition_css(edition: Edition, strings: UIStrings) -> str:
    """Return the CSS that depends on the edition: paper, page numbering, fonts, accent, large print, direction."""
    rtl = edition.text_direction == "rtl"
    parts = []
    for piece in strings.page_of.replace("{pages}", "\0pages\0").replace("{page}", "\0page\0").split("\0"):
        if piece in {"page", "pages"}:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    numbers = "bottom-left" if rtl else "bottom-right"
    css = f"@page {{ size: {PAPER_SIZES[edition.paper]}; @{numbers} {{ content: {' '.join(parts)}; }} }}\n"
    families = fonts.families_for(edition.locale)
    css += f"html {{ font-family: {', '.join(css_string(f) for f in families)}; }}\n"
    # Typed text in the language's script, one line per rule (see fieldfont.py); a browser showing the
    # HTML preview has no field font and uses the page's.
    field_stack = ", ".join(css_string(f) for f in (fonts.field_family(families), *families))
    css += f"input, textarea {{ font-family: {field_stack}; }}\n"
    if not edition.large_print and can_hyphenate(edition.locale):
        # Never split a word under 7 letters, nor leave fewer than 3 letters on either side.
        css += "html { hyphens: auto; hyphenate-character: \"-\"; hyphenate-limit-chars: 7 3 3; }\n"
    if edition.clinic and edition.clinic.accent and re.fullmatch(r"#[0-9a-fA-F]{6}", edition.clinic.accent):
        css += f"h1, h2, .cover-title {{ color: {edition.clinic.accent}; }}\n"  # a colour the schema checked
    if edition.large_print:
        css += (STYLES / "large-print.css").read_text(encoding="utf-8")
    if edition.bilingual:
        css += (STYLES / "bilingual.css").read_text(encoding="utf-8")
    if rtl:
        css += (STYLES / "rtl.css").read_text(encoding="utf-8")
        if edition.large_print:
            css += (STYLES / "rtl-large-print.css").read_text(encoding="utf-8")
    return css


def can_hyphenate(locale: str) -> bool:
    """Return whether Pyphen (which WeasyPrint hyphenates with) has a dictionary for the language."""
    import pyphen

    return pyphen.language_fallback(locale.replace("-", "_")) is not None


def css_string(text: str) -> str:
    """Quote text as a CSS string with tinycss2's serializer, so no character can end the string early."""
    return '"' + serialize_string_value(text.replace("\0", "\ufffd")) + '"'


def layout_css() -> str:
    """Return the print stylesheet."""
    return (STYLES / "print.css").read_text(encoding="utf-8")


def english_side(source: LocaleContent, edition: Edition, order: list[str]) -> dict:
    """Return what the bilingual edition's English column needs: its documents (ids made unique), words and values."""
    english = Edition(source.code, edition.clinic, edition.paper)
    docs = {doc.id: replace(doc, id=f"{doc.id}--en") for doc in documents(source, english, order)}
    page = Page(title="", description="", lang=source.code, dir="ltr", preview=False)
    glossary = {t.id: t for t in source.glossary.terms} if source.glossary else {}
    return {"docs": docs, "ui": source.strings, "values": english.values(source.strings), "page": page,
            "glossary": glossary}


def render(template: str, edition: Edition, content: LocaleContent, page: Page, bilingual: dict | None = None,
           **extra) -> str:
    """Render a template to an HTML string; `bilingual` (from `english_side`) sets each part beside its English."""
    glossary = {t.id: t for t in content.glossary.terms} if content.glossary else {}
    values = edition.values(content.strings)
    clinic_name = values["clinic_name"]
    logo = edition.clinic.logo if edition.clinic else None
    glossary_fallbacks = content.fallbacks.get("glossary", {})
    return environment().get_template(template).render(
        page=page, ui=content.strings, values=values, clinic=edition.clinic, glossary_fallbacks=glossary_fallbacks,
        clinic_name=blank_html(clinic_name) if isinstance(clinic_name, Blank) else clinic_name,
        glossary=glossary, logo_url=data_url(Path(logo)) if logo else "", bilingual=bilingual,
        english_column=False, term_prefix="", **extra,
    )


def data_url(path: Path) -> str:
    """Return a file as a data: URL, so the PDF and the preview carry it with no outside reference."""
    kind = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    data = read_file(path, 1_000_000)  # a regular file of at most 1 MB, as checked: never a pipe swapped in since
    return f"data:{kind};base64,{base64.b64encode(data).decode()}"


def topic_page(doc: Handout, target: Target, content: LocaleContent, preview: bool,
               stylesheets: list[str] | None = None, bilingual: dict | None = None) -> str:
    """Return the HTML of one handout."""
    edition = target.edition
    values = edition.values(content.strings)
    page = Page(title=doc.plain_title, description=plain(doc.topic.purpose, values), lang=edition.locale,
                dir=edition.text_direction, preview=preview, body_class=edition.name, stylesheets=stylesheets or [])
    url = target.url()
    online = {"url": url, "short": url.split("://", 1)[1], "qr": qr_code(url)} if url else None
    return render("topic.html.j2", edition, content, page, bilingual, doc=doc, online=online)


@dataclass
class Collection:
    """Several handouts printed as one PDF behind a cover: the booklet or a pack."""

    title: str
    subtitle: str
    docs: list[Handout]
    cover_fields: bool = False  # lines on the cover for who the pack is for and when it was given


def booklet_page(collection: Collection, edition: Edition, content: LocaleContent, preview: bool,
                 stylesheets: list[str] | None = None, bilingual: dict | None = None) -> str:
    """Return the HTML of a booklet or pack: cover, contents, then each handout."""
    page = Page(title=f"{collection.title}: {collection.subtitle}" if collection.subtitle else collection.title,
                description=collection.subtitle or collection.title, lang=edition.locale, dir=edition.text_direction,
                preview=preview, body_class=f"booklet {edition.name}", stylesheets=stylesheets or [])
    return render("booklet.html.j2", edition, content, page, bilingual, collection=collection, docs=collection.docs,
                  online=None)
