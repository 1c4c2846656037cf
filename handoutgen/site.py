"""The download site: a language chooser and one page per locale listing every PDF the builds wrote.

The site is plain HTML and CSS with relative links, so it works from any static web server
or straight from disk. What it lists comes from `DIR/manifest.json` (see `manifest.py`),
which every build updates with the PDFs it wrote and what they were when written, so a site
built by several partial builds lists exactly the files that are there, as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from .content import Project, SOURCE_LOCALE, load_project
from .html import Handout, environment
from .markup import plain, render_inline
from .paths import STYLES
from .plan import Edition, text_direction
from .schema_clinic import ClinicProfile

BADGES = ("draft", "draft_translation", "partly_english", "outdated")
"""The site strings that mark a document, in the order they are shown."""


def facts(title: str, purpose: str, lang: str, docs: list[Handout], reviewed=None) -> dict:
    """Return what the site says of one PDF, as it was built: its words, its badges and its review date.

    A booklet or pack has the badges of all the handouts in it.
    """
    found = set()
    for doc in docs:
        marks = {"draft": doc.review.is_draft,
                 "draft_translation": doc.translation_review is not None and doc.translation_review.is_draft,
                 "partly_english": "untranslated" in doc.fallbacks.values(),
                 "outdated": "outdated" in doc.fallbacks.values()}
        found |= {badge for badge, marked in marks.items() if marked}
    return {"title": title, "purpose": purpose, "lang": lang, "badges": [b for b in BADGES if b in found],
            "reviewed": reviewed.isoformat() if reviewed else None}


def handout_facts(doc: Handout, code: str, values) -> dict:
    """Return the facts of a single handout's PDF; its title and purpose may still be in English."""
    lang = "en" if "title" in doc.fallbacks else code
    reviewed = None if doc.review.is_draft else doc.review.reviewed_on
    return facts(doc.plain_title, plain(doc.topic.purpose, values), lang, [doc], reviewed)


def contains(docs: list[Handout], strings, code: str) -> str:
    """Return a pack's purpose: "Has: A, B and C." with the titles of its handouts, joined as the language joins them."""
    names = format_list([doc.plain_title for doc in docs], locale=code.replace("-", "_"))
    return strings.site["contains"].replace("{titles}", names)


@dataclass
class Link:
    """One built PDF of a document."""

    href: str  # relative to the locale's page
    edition: str  # "standard" or "large-print"
    paper: str
    pages: int
    bytes: int


@dataclass
class Item:
    """One document on a locale's page: a handout, the booklet or a pack, as its PDFs were built."""

    id: str
    facts: dict
    links: list[Link] = field(default_factory=list)
    preview: str | None = None  # the HTML version, for a handout

    @property
    def collection(self) -> bool:
        return self.id == "booklet" or self.id.startswith("pack:")

    @property
    def reviewed(self):
        return dt.date.fromisoformat(self.facts["reviewed"]) if self.facts["reviewed"] else None


def endonym(code: str) -> str:
    """Return a language's own name for itself, such as Español or العربية, from Babel."""
    name = Locale.parse(code, sep="-").get_display_name() or code
    return name[:1].upper() + name[1:]


def pages_label(strings, code: str, count: int) -> str:
    """Return "3 pages" in the language, with its CLDR plural form."""
    form = Locale.parse(code, sep="-").plural_form(count)
    forms = strings.pages
    return forms.get(form, forms["other"]).replace("{n}", format_decimal(count, locale=code.replace("-", "_")))


def size_label(size: int, code: str) -> str:
    """Return a file size such as "120 kB" in the language's own units and digits."""
    locale = code.replace("-", "_")
    if size >= 1_000_000:
        return format_unit(round(size / 1_000_000, 1), "digital-megabyte", length="short", locale=locale)
    return format_unit(max(1, round(size / 1000)), "digital-kilobyte", length="short", locale=locale)


def items_by_locale(project: Project, built: dict[str, dict]) -> dict[str, list[Item]]:
    """Return each locale's documents with a PDF built: handouts in reading order, then the booklet and packs."""
    order = (project.booklet.topics if project.booklet else []) + ["glossary", "booklet"]
    order += [f"pack:{pack.id}" for pack in (project.packs.packs if project.packs else [])]
    rank = {doc_id: n for n, doc_id in enumerate(order)}
    found: dict[str, dict[str, Item]] = {}
    rows = sorted(built.items(), key=lambda row: (row[1]["edition"] != "standard", row[0]))
    for path, entry in rows:
        code, edition, doc_id = entry["locale"], entry["edition"], entry["doc"]
        item = found.setdefault(code, {}).setdefault(doc_id, Item(doc_id, entry))  # standard edition's facts
        href = str(PurePosixPath(path).relative_to(code))
        item.links.append(Link(href, edition, entry["paper"], entry["pages"], entry["bytes"]))
        if edition == "standard" and not item.collection:
            item.preview = str(PurePosixPath(path).with_suffix(".html").relative_to(code))
    order_of = lambda item: (item.collection, rank.get(item.id, len(rank)), item.id)  # noqa: E731
    codes = sorted(found, key=lambda c: (c != SOURCE_LOCALE, c))
    return {code: sorted(found[code].values(), key=order_of) for code in codes}


def site_pages(out: Path, project: Project, clinic: ClinicProfile | None, built: dict[str, dict],
               skip: set[str]) -> dict[Path, bytes]:
    """Return the site's files: the chooser, a page for each locale with built PDFs, and its stylesheet.

    What each page lists comes from `built` (the manifest), as the PDFs were built; only the words
    around them come from each locale's strings. A locale in `skip` (which failed this build) keeps
    the page an earlier build wrote.
    """
    items = items_by_locale(project, built)
    codes = list(items)
    missing = [c for c in codes if c not in project.locales]
    if missing:  # a build limited with --locale: the words of the other locales' pages
        project.locales.update(load_project(project.root, missing).locales)
    files: dict[Path, bytes] = {out / "assets" / "site.css": (STYLES / "site.css").read_bytes()}
    languages, good = [], []
    for code in codes:
        content = project.locales.get(code)
        strings = content.strings if content else None
        language = {"code": code, "name": endonym(code), "dir": text_direction(code),
                    "english": Locale.parse(code, sep="-").get_display_name("en")}
        if strings is not None:  # a locale that failed may still have good strings for its urgent line
            values = Edition(code, clinic).values(strings)
            language.update(title=strings.site["title"], urgent=render_inline(strings.urgent_line, values))
        if strings is not None and code not in skip and not content.problems:
            good.append(code)
        if code in good or (out / code / "index.html").is_file():
            languages.append(language)
    english = {item.id for item in items.get(SOURCE_LOCALE, [])}
    for code in good:
        strings = project.locales[code].strings
        html = environment().get_template("site_locale.html.j2").render(
            page=_Page(code, text_direction(code)), root="../", ui=strings, values=Edition(code, clinic).values(strings),
            clinic=clinic, items=items[code], languages=languages,
            more_in_english=code != SOURCE_LOCALE and bool(english - {item.id for item in items[code]}),
            both_languages=f"{endonym(code)} + {endonym(SOURCE_LOCALE)}",
            pages_label=lambda n: pages_label(strings, code, n), size_label=lambda n: size_label(n, code))
        files[out / code / "index.html"] = html.encode()
    home = project.source
    if languages and home is not None and home.strings is not None:
        html = environment().get_template("site_chooser.html.j2").render(
            page=_Page(home.code, text_direction(home.code)), root="", ui=home.strings, clinic=clinic,
            languages=languages, values=Edition(home.code, clinic).values(home.strings))
        files[out / "index.html"] = html.encode()
    return files


@dataclass
class _Page:
    """What the `date` filter and the base template need to know about a site page."""

    lang: str
    dir: str
