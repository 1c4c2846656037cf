"""`export`: a translation in XLIFF 1.2 or PO, for a translation agency's tools.

Every text of a translatable part (a topic's title block, each section, each glossary term)
becomes one unit whose id is its stable path, `topic/part/where` (such as
`when-to-call/call-promptly/blocks[0].callout.bullets[2]`). translate-toolkit writes and reads both
formats; nothing here writes XML or PO by hand. Placeholders are XLIFF `<ph>` elements, which
CAT tools show as locked tags, and PO units carry the `python-brace-format` flag, which makes
Poedit and Weblate check them. Each unit's state says what the translator has to do (see
the README's "Working with a translation agency").

`importing.py` reads such a file back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .content import SOURCE_LOCALE, load_project
from .errors import UserError
from .markup import parse_placeholders
from .source import Loc, format_loc, parse_yaml, read_file
from .translation import (
    FIXED_KEYS,
    MISSING,
    OUTDATED,
    SUMMARY,
    TRANSLATED,
    UNTRANSLATED,
    states,
    units,
)

FORMATS = {"xliff": ".xlf", "po": ".po"}
TOOL = "handoutgen"  # marks a file `export` wrote: the XLIFF <file tool-id> (with its <tool>), the PO X-Generator
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
PLACEHOLDER_NOTES = {
    "urgent_phone": "the clinic's 24-hour urgent number",
    "daytime_phone": "the clinic's daytime number",
    "clinic_name": "the clinic's name",
    "fever_threshold": "the fever temperature, such as 38.0 °C",
    "date": "a date", "next": "the next review date", "page": "the page number", "pages": "the number of pages",
    "n": "a number", "url": "the web address", "name": "the reviewer's name", "credential": "their credential",
    "titles": "a list of handout titles",
}


@dataclass
class Unit:
    """One English text to translate, where it lives, and its translation now."""

    id: str  # doc/part/where: stable while the English keeps its structure
    doc: str  # topic id, or glossary
    part: str  # title (the title, purpose and key points), a section id or a term id
    path: Loc  # where the text lies inside the part
    source: str
    target: str | None
    state: str  # a part state from translation.py
    previous: str | None = None  # the English it was translated from, when that changed
    context: list[str] = field(default_factory=list)


def _leaves(data, path: Loc = ()):
    """Yield (path, text) for every translatable text in a part's English data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in FIXED_KEYS and key != "terms":
                yield from _leaves(value, path + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _leaves(item, path + (i,))
    elif isinstance(data, str):
        yield path, data


def value_at(data, path: Loc):
    """Return the value at `path` in plain data, or None."""
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def part_loc(doc: str, part: str, raw: dict | None) -> Loc | None:
    """Return where a part lies in a translation file's data: () for the title block."""
    if part == SUMMARY:
        return ()
    key = "terms" if doc == "glossary" else "sections"
    items = (raw or {}).get(key) or []
    index = next((i for i, item in enumerate(items) if isinstance(item, dict) and item.get("id") == part), None)
    return None if index is None else (key, index)


def collect(root: Path, locale: str, topics: list[str] | None = None) -> tuple[list[Unit], dict]:
    """Return every unit of a locale, and the project, refusing content that does not pass `check`."""
    from .schema import Glossary, Topic
    from .status import find_english

    if locale == SOURCE_LOCALE:
        raise UserError(f"{SOURCE_LOCALE} is the source language; export a translation, such as es")
    project = load_project(root, [locale])
    if project.all_problems() or locale not in project.locales:
        raise UserError("fix these first (`generate.py check`):\n" + "\n".join(map(str, project.all_problems())))
    source, target = project.source, project.locales[locale]
    order = [t for t in (project.booklet.topics if project.booklet else []) if t in source.topics]
    order += sorted(set(source.topics) - set(order))  # reading order, as a translator reads the booklet
    documents = [(t, source.topics[t]) for t in order if not topics or t in topics]
    if source.glossary and (not topics or "glossary" in topics):
        documents.append(("glossary", source.glossary))
    unknown = [t for t in topics or [] if t not in source.topics and t not in {"glossary", "strings"}]
    if unknown:
        raise UserError(f"no English topic {', '.join(unknown)}; topics: {', '.join(order)}, glossary, strings")
    out = []
    for doc, english in documents:
        raw = _raw(root / locale / f"{doc}.yaml")
        translation = target.translations.get(doc)
        found = states(english, translation)
        for part, data in units(english).items():
            state, loc = found[part], part_loc(doc, part, raw)
            entry = value_at(raw, loc) if loc is not None else None
            old = None
            if state == OUTDATED:
                model = Glossary if doc == "glossary" else Topic
                old = find_english(source.folder / f"{doc}.yaml", model, part, entry.get("translated_from"))
            where = [f"{'Glossary' if doc == 'glossary' else 'Topic'}: {english.title}"]
            if part != SUMMARY:
                where.append(f"{'Term' if doc == 'glossary' else 'Section'}: {data.get('heading') or data.get('term')}")
            for path, text in _leaves(data):
                have = value_at(entry, path) if entry else None
                have = have if isinstance(have, str) and (state != UNTRANSLATED or have != text) else None
                was = value_at(old, path) if old else None
                out.append(Unit(f"{doc}/{part}/{format_loc(path)}", doc, part, path, text,
                                None if state == MISSING else have, state,
                                was if isinstance(was, str) and was != text else None, where))
    if not topics or "strings" in topics:
        out += _string_units(source.strings.model_dump(), _raw(root / locale / "strings.yaml", True), locale)
    return out, project


def _string_units(english: dict, have: dict | None, locale: str) -> list[Unit]:
    """Return a unit for every UI string: `strings/key` or `strings/key.sub`, one for each plural form of `pages`."""
    from .content import plural_forms

    have = have if isinstance(have, dict) else {}
    context = ["UI string: words the handouts print around the content (headings, footer, urgent box)"]
    out = []
    for key, value in english.items():
        if key == "pages":
            forms = sorted(plural_forms(locale))
            value = {form: value.get(form, value["other"]) for form in forms}
        pairs = [((key, sub), text) for sub, text in value.items()] if isinstance(value, dict) else [((key,), value)]
        for path, text in pairs:
            target = value_at(have, path)
            note = [f"Plural form '{path[1]}' of the page count ({{n}} is the number)"] if key == "pages" else []
            out.append(Unit(f"strings/{'.'.join(path)}", "strings", key, path, text,
                            target if isinstance(target, str) else None,
                            TRANSLATED if isinstance(target, str) else MISSING, None, context + note))
    return out


def _raw(path: Path, allow_empty: bool = False):
    """Return a translation file's plain data, or None when there is none."""
    if not path.exists():
        return None
    doc, _ = parse_yaml(read_file(path).decode("utf-8").removeprefix("\ufeff"), path, allow_empty)
    return doc.data if doc else None


# --- Writing the interchange file -----------------------------------------------------------

def _xliff_classes():
    from translate.storage import xliff

    class Unit12(xliff.xliffunit):
        namespace = "urn:oasis:names:tc:xliff:document:1.2"

    class Xliff12(xliff.xlifffile):
        """XLIFF 1.2, which CAT tools expect; translate-toolkit reads it and writes 1.1 by default."""

        UnitClass = Unit12
        XMLskeleton = xliff.xlifffile.XMLskeleton.replace("1.1", "1.2")
        namespace = Unit12.namespace

    return Xliff12


def _rich(text: str):
    """Return a text as translate-toolkit placeables: each placeholder an XLIFF <ph>."""
    from translate.storage.placeables import StringElem
    from translate.storage.placeables.xliff import Ph

    parts, last = [], 0
    for n, slot in enumerate(parse_placeholders(text)[0], 1):
        parts += [text[last:slot.start], Ph([text[slot.start:slot.end]], id=str(n))]
        last = slot.end
    parts.append(text[last:])
    return [StringElem([p for p in parts if p != ""])]


def _notes(unit: Unit) -> list[str]:
    notes = [*unit.context, f"Where: {unit.id}"]
    names = dict.fromkeys(slot.name for slot in parse_placeholders(unit.source)[0])
    if names:
        notes.append("Keep exactly: " + "; ".join(f"{{{n}}} is {PLACEHOLDER_NOTES.get(n, 'filled in')}"
                                                   for n in names))
    if unit.state == OUTDATED:
        notes.append("The English changed since this was translated; "
                     + (f"it read: {unit.previous}" if unit.previous else "update the translation to match"))
    return notes


def export(root: Path, locale: str, fmt: str, topics: list[str] | None = None) -> tuple[bytes, list[Unit]]:
    """Return the bytes of an XLIFF or PO file with every unit of a locale, and the units."""
    found, project = collect(root, locale, topics)
    reviewed = {doc for doc, r in project.locales[locale].reviews.items() if r and not r.is_draft}
    if fmt == "xliff":
        store = _xliff_classes()(sourcelanguage=SOURCE_LOCALE, targetlanguage=locale)
        for unit in found:
            x = store.addsourceunit(unit.source, filename=f"{unit.doc}.yaml", createifmissing=True)
            x.setid(unit.id)
            x.rich_source = _rich(unit.source)
            if unit.target is not None:
                x.rich_target = _rich(unit.target)
            for note in _notes(unit):
                x.addnote(note, origin="developer")
            state = {MISSING: x.S_NEEDS_TRANSLATION, UNTRANSLATED: x.S_NEEDS_TRANSLATION,
                     OUTDATED: x.S_NEEDS_REVIEW}.get(unit.state, x.S_TRANSLATED)
            if unit.target is None:
                x.settarget("")
            x.set_state_n(x.S_SIGNED_OFF if unit.state == TRANSLATED and unit.doc in reviewed else state)
        store.removedefaultfile()
        _mark(store)
    else:
        from translate.storage import po

        store = po.pofile()
        store.init_headers(pot_creation_date="", po_revision_date=False, project_id_version="ALL caregiver handouts",
                           report_msgid_bugs_to="", last_translator="", language_team="", Language=locale,
                           X_Generator=TOOL)
        for unit in found:
            p = store.addsourceunit(unit.source)
            p.setcontext(unit.id)
            p.addlocation(f"{unit.doc}.yaml")
            for note in _notes(unit):
                p.addnote(note, origin="developer")
            if parse_placeholders(unit.source)[0]:
                p.settypecomment("python-brace-format")
            if unit.target is not None:
                p.target = unit.target
            if unit.target is not None and unit.state != TRANSLATED:
                p.markfuzzy()
            if unit.previous:
                p.prev_source = unit.previous
    return bytes(store), found


def _mark(store) -> None:
    """Name our tool on every <file>, as XLIFF 1.2 has it: `tool-id` and the <tool> in the file's <header>."""
    from lxml import etree

    for node in store.document.getroot().iterchildren(f"{{{XLIFF_NS}}}file"):
        node.set("tool-id", TOOL)
        header = etree.Element(f"{{{XLIFF_NS}}}header")
        etree.SubElement(header, f"{{{XLIFF_NS}}}tool", {"tool-id": TOOL, "tool-name": TOOL})
        node.insert(0, header)  # before <body>, where the schema wants it


def is_export(data: bytes) -> bool:
    """Return whether `data` is a file `export` wrote (and may write over): judged by content, not name.

    XLIFF: the root is <xliff> and the first <file> names our tool (or, as files exported before the
    tool was named, the first unit carries our "Where: <its id>" note). PO: the header says
    `X-Generator: handoutgen`. Anything else, such as a content file, is not.
    """
    head = data[:1_000_000]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _is_our_xliff(head)
    text = head.decode("utf-8", "replace").replace("\r\n", "\n")
    entry = text.lstrip("\ufeff").split("\n\n", 1)[0]  # the header entry comes first
    lines = [line.strip() for line in entry.splitlines()]
    return 'msgid ""' in lines and f'"X-Generator: {TOOL}\\n"' in lines


def _is_our_xliff(data: bytes) -> bool:
    import io

    from lxml import etree

    file_, unit = f"{{{XLIFF_NS}}}file", f"{{{XLIFF_NS}}}trans-unit"
    try:
        for n, (event, node) in enumerate(etree.iterparse(io.BytesIO(data), events=("start", "end"),
                                                          resolve_entities=False, no_network=True, load_dtd=False)):
            if n == 0:
                if node.tag != f"{{{XLIFF_NS}}}xliff":
                    return False
            elif event == "start" and node.tag == file_ and node.get("tool-id") == TOOL:
                return True
            elif event == "end" and node.tag == unit:
                return f"Where: {node.get('id')}" in [note.text for note in node.iterfind(f"{{{XLIFF_NS}}}note")]
    except (etree.XMLSyntaxError, ValueError):
        return False
    return False
