"""The download site: a language chooser and one page per locale listing every PDF the builds wrote.

The site is plain HTML and CSS with relative links, so it works from any static web server
or straight from disk. What it lists comes from `DIR/manifest.json`, which every build
updates with the PDFs it wrote (pages, bytes, paper), so a site built by several partial
builds lists exactly the files that are there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from .content import LocaleContent, Project, SOURCE_LOCALE, load_project
from .html import Edition, Handout, documents, environment
from .markup import plain, render_inline
from .paths import STYLES
from .schema import ClinicProfile

MANIFEST = "manifest.json"


def read_manifest(out: Path) -> dict[str, dict]:
    """Return the manifest's files (path relative to `out` -> pages, bytes, paper); those gone are dropped."""
    try:
        files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # no site yet, or a manifest we cannot read: start again from what this build writes
    return {path: entry for path, entry in files.items() if (out / path).is_file()}


def manifest_bytes(files: dict[str, dict]) -> bytes:
    """Return the manifest as stable JSON."""
    return (json.dumps({"files": dict(sorted(files.items()))}, indent=1, ensure_ascii=False) + "\n").encode()


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
    """One document on a locale's page: a handout, the booklet or a pack."""

    id: str
    title: str
    purpose: str
    links: list[Link] = field(default_factory=list)
    doc: Handout | None = None  # None for the booklet and packs
    preview: str | None = None  # the HTML version, for a handout

    @property
    def badges(self) -> list[str]:
        """Return the keys of the site strings that mark this document: draft, partly English, outdated."""
        if self.doc is None:
            return []
        found = ["draft"] if self.doc.review.is_draft else []
        if self.doc.translation_review and self.doc.translation_review.is_draft:
            found.append("draft_translation")
        reasons = set(self.doc.fallbacks.values())
        found += [key for key, reason in (("partly_english", "untranslated"), ("outdated", "outdated"))
                  if reason in reasons]
        return found


def _parse(path: str) -> tuple[str, str, str]:
    """Split a manifest path into (locale, edition, document id): packs are `pack:<id>`."""
    parts = PurePosixPath(path).parts
    locale, rest = parts[0], list(parts[1:])
    edition = "standard"
    if rest[0] == "large-print":
        edition, rest = "large-print", rest[1:]
    stem = PurePosixPath(rest[-1]).stem
    return locale, edition, f"pack:{stem}" if rest[0] == "packs" else stem


def endonym(code: str) -> str:
    """Return a language's own name for itself, such as Español or العربية, from Babel."""
    name = Locale.parse(code, sep="-").get_display_name() or code
    return name[:1].upper() + name[1:]


def direction(code: str) -> str:
    return Locale.parse(code, sep="-").text_direction


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


def locale_items(content: LocaleContent, project: Project, edition: Edition, built: dict[str, dict]) -> list[Item]:
    """Return the locale's documents that have at least one built PDF, in reading order, packs last."""
    values = edition.values(content.strings)
    order = project.booklet.topics if project.booklet else sorted(content.topics)
    order = [t for t in order if t in content.topics] + sorted(set(content.topics) - set(order))
    docs = documents(content, edition, order)
    items = {doc.id: Item(doc.id, doc.plain_title, plain(doc.topic.purpose, values), doc=doc) for doc in docs}
    titles = {doc.id: doc.plain_title for doc in docs}
    locale = content.code.replace("-", "_")

    def contains(topics: list[str]) -> str:
        names = format_list([titles[t] for t in topics if t in titles], locale=locale)
        return content.strings.site["contains"].replace("{titles}", names)

    if project.booklet:
        items["booklet"] = Item("booklet", content.strings.booklet_title, content.strings.booklet_subtitle)
    for pack in project.packs.packs if project.packs else []:
        items[f"pack:{pack.id}"] = Item(f"pack:{pack.id}", pack.title.get(content.code, pack.title["en"]),
                                        contains(pack.topics))
    for path, entry in sorted(built.items()):
        code, edition_name, doc_id = _parse(path)
        if code == content.code and doc_id in items:
            href = str(PurePosixPath(path).relative_to(code))
            items[doc_id].links.append(Link(href, edition_name, entry["paper"], entry["pages"], entry["bytes"]))
    for item in items.values():
        if item.doc and any(link.edition == "standard" for link in item.links):
            item.preview = f"{item.id}.html"
        item.links.sort(key=lambda link: (link.edition != "standard", link.paper))
    return [item for item in items.values() if item.links]


def site_pages(out: Path, project: Project, clinic: ClinicProfile | None, built: dict[str, dict],
               skip: set[str], partial: bool = False) -> dict[Path, bytes]:
    """Return the site's files: the chooser, a page for each locale with built PDFs, and its stylesheet.

    Locales in `skip` (which failed this build) keep the page an earlier build wrote. After a
    `partial` build (some topics or packs only) every locale is loaded again, whole, for its page.
    """
    codes = sorted({_parse(path)[0] for path in built}, key=lambda c: (c != SOURCE_LOCALE, c))
    if partial or any(c not in project.locales for c in codes if c not in skip):
        project = load_project(project.root, [c for c in codes if c not in skip] or None)
    files: dict[Path, bytes] = {out / "assets" / "site.css": (STYLES / "site.css").read_bytes()}
    languages = [{"code": c, "name": endonym(c), "dir": direction(c),
                  "english": Locale.parse(c, sep="-").get_display_name("en")} for c in codes]
    listed = []
    for code in codes:
        content = project.locales.get(code)
        if code in skip or content is None or content.strings is None or content.problems:
            if (out / code / "index.html").is_file():
                listed.append(code)
            continue
        edition = Edition(locale=code, clinic=clinic)
        items = locale_items(content, project, edition, built)
        source = project.source
        more = (code != SOURCE_LOCALE and SOURCE_LOCALE in codes and source is not None
                and bool(set(source.topics) - set(content.topics)))
        html = environment().get_template("site_locale.html.j2").render(
            page=_Page(code, direction(code)), root="../", ui=content.strings, values=edition.values(content.strings),
            clinic=clinic, items=items, languages=languages, more_in_english=more,
            pages_label=lambda n: pages_label(content.strings, code, n), size_label=lambda n: size_label(n, code),
            endonym=endonym)
        files[out / code / "index.html"] = html.encode()
        listed.append(code)
    chooser = []
    for language in languages:
        content = project.locales.get(language["code"])
        if language["code"] not in listed:
            continue
        if content is not None and content.strings is not None and not content.problems:
            values = Edition(language["code"], clinic).values(content.strings)
            language = dict(language, title=content.strings.site["title"],
                            urgent=render_inline(content.strings.urgent_line, values))
        chooser.append(language)
    home = project.source
    if chooser and home is not None and home.strings is not None and not home.problems:
        html = environment().get_template("site_chooser.html.j2").render(
            page=_Page(home.code, direction(home.code)), root="", ui=home.strings, clinic=clinic, languages=chooser,
            values=Edition(home.code, clinic).values(home.strings))
        files[out / "index.html"] = html.encode()
    return files


@dataclass
class _Page:
    """What the `date` filter and the base template need to know about a site page."""

    lang: str
    dir: str
