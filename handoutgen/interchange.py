"""`export` and `import`: a translation in XLIFF 1.2 or PO, for a translation agency's tools.

Every text of a translatable part (a topic's title block, each section, each glossary term)
becomes one unit whose id is its stable path, `topic/part/where` (such as
`when-to-call/call-today/blocks[0].bullets[2]`). translate-toolkit writes and reads both
formats; nothing here writes XML or PO by hand. Placeholders are XLIFF `<ph>` elements, which
CAT tools show as locked tags, and PO units carry the `python-brace-format` flag, which makes
Poedit and Weblate check them. A unit's state says what the translator has to do:

| part | XLIFF target state | PO |
| --- | --- | --- |
| not translated | needs-translation (no target) | empty msgstr |
| English changed since | needs-review-translation, the old English in a note | fuzzy, `#| msgid` the old English |
| translated | translated (signed-off once the file's review is recorded) | translated |

`import` writes back only finished units (XLIFF translated, signed-off or final; PO not fuzzy);
a draft unit of a part not yet translated is kept as text, its part still marked untranslated.
A part whose every text came back finished is marked translated from the current English.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from . import fonts
from .content import SOURCE_LOCALE, load_project
from .errors import Problem, UserError, display_path
from .markup import parse_placeholders
from .source import Loc, format_loc, parse_yaml, read_file
from .translation import (FIXED_KEYS, MISSING, OUTDATED, SUMMARY, TRANSLATED, UNTRANSLATED, content_hash,
                          placeholder_message, states, units)

FORMATS = {"xliff": ".xlf", "po": ".po"}
PLACEHOLDER_NOTES = {
    "urgent_phone": "the clinic's 24-hour urgent number",
    "daytime_phone": "the clinic's daytime number",
    "clinic_name": "the clinic's name",
    "fever_threshold": "the fever temperature, such as 38.0 °C",
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


def _at(data, path: Loc):
    """Return the value at `path` in plain data, or None."""
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _part_loc(doc: str, part: str, raw: dict | None) -> Loc | None:
    """Return where a part lies in a translation file's data: () for the title block."""
    if part == SUMMARY:
        return ()
    key = "terms" if doc == "glossary" else "sections"
    items = (raw or {}).get(key) or []
    index = next((i for i, item in enumerate(items) if isinstance(item, dict) and item.get("id") == part), None)
    return None if index is None else (key, index)


def collect(root: Path, locale: str, topics: list[str] | None = None) -> tuple[list[Unit], dict]:
    """Return every unit of a locale, and the project, refusing content that does not pass `check`."""
    from .status import find_english
    from .schema import Glossary, Topic

    if locale == SOURCE_LOCALE:
        raise UserError(f"{SOURCE_LOCALE} is the source language; export a translation, such as es")
    project = load_project(root, [locale])
    if project.all_problems() or locale not in project.locales:
        raise UserError("fix these first (`generate.py check`):\n" + "\n".join(map(str, project.all_problems())))
    source, target = project.source, project.locales[locale]
    documents = [(t, source.topics[t]) for t in sorted(source.topics) if not topics or t in topics]
    if source.glossary and (not topics or "glossary" in topics):
        documents.append(("glossary", source.glossary))
    if topics and not documents:
        raise UserError(f"no English topic {', '.join(topics)}")
    out = []
    for doc, english in documents:
        raw = _raw(root / locale / f"{doc}.yaml")
        translation = target.translations.get(doc)
        found = states(english, translation)
        for part, data in units(english).items():
            state, loc = found[part], _part_loc(doc, part, raw)
            entry = _at(raw, loc) if loc is not None else None
            old = None
            if state == OUTDATED:
                model = Glossary if doc == "glossary" else Topic
                old = find_english(source.folder / f"{doc}.yaml", model, part, entry.get("translated_from"))
            where = [f"{'Glossary' if doc == 'glossary' else 'Topic'}: {english.title}"]
            if part != SUMMARY:
                where.append(f"{'Term' if doc == 'glossary' else 'Section'}: {data.get('heading') or data.get('term')}")
            for path, text in _leaves(data):
                have = _at(entry, path) if entry else None
                have = have if isinstance(have, str) and (state != UNTRANSLATED or have != text) else None
                was = _at(old, path) if old else None
                out.append(Unit(f"{doc}/{part}/{format_loc(path)}", doc, part, path, text,
                                None if state == MISSING else have, state,
                                was if isinstance(was, str) and was != text else None, where))
    return out, project


def _raw(path: Path):
    """Return a translation file's plain data, or None when there is none."""
    if not path.exists():
        return None
    doc, _ = parse_yaml(read_file(path).decode("utf-8").removeprefix("\ufeff"), path)
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
    else:
        from translate.storage import po

        store = po.pofile()
        store.init_headers(pot_creation_date="", po_revision_date=False, project_id_version="ALL caregiver handouts",
                           report_msgid_bugs_to="", last_translator="", language_team="", Language=locale,
                           X_Generator="handoutgen")
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


# --- Reading it back ------------------------------------------------------------------------

@dataclass
class Incoming:
    id: str
    text: str
    final: bool  # finished: XLIFF translated, signed-off or final; PO translated and not fuzzy
    line: int


def read_interchange(path: Path, locale: str) -> list[Incoming]:
    """Read an XLIFF or PO file with translate-toolkit; refuse one for another language."""
    from translate.storage import po, xliff

    try:
        raw = read_file(path, 20_000_000)
    except Exception as error:  # FileRefused: says why in plain words
        raise UserError(f"{display_path(path)}: {error}") from None
    is_po = path.suffix.lower() in {".po", ".pot"}
    try:
        store = po.pofile.parsestring(raw) if is_po else xliff.xlifffile.parsestring(raw)
    except Exception as error:  # a file that is not XLIFF or PO: say so, never a traceback
        kind = "PO" if is_po else "XLIFF"
        raise UserError(f"{display_path(path)}: not a {kind} file translate-toolkit can read: {error}") from None
    language = store.gettargetlanguage()
    if language and language.replace("_", "-") != locale:
        raise UserError(f"{display_path(path)}: its target language is {language}, not {locale}")
    lines = raw.decode("utf-8", "replace").splitlines()
    out = []
    for unit in store.units:
        if unit.isheader() or not unit.source:
            continue
        if is_po:
            uid = unit.getcontext()
            needle = f'msgctxt "{uid}"'
            line = next((n for n, text in enumerate(lines, 1) if text.startswith(needle)), 0)
            final = unit.istranslated() and not unit.isfuzzy()
        else:
            uid = unit.getid().split("\x04")[-1]
            line = unit.xmlelement.sourceline or 0
            final = bool(unit.target) and unit.get_state_n() >= unit.S_TRANSLATED
        out.append(Incoming(uid, unit.target or "", final, line))
    return out


def import_file(root: Path, locale: str, path: Path, say=print) -> list[Path]:
    """Write the finished translations of an interchange file into the locale's YAML; return the files changed.

    Every unit is checked first (id, placeholders, characters), then the whole locale with the new
    text (`check`'s rules); any problem refuses the import and nothing is written.
    """
    from .translate import add_missing, new_file
    from .write import write_atomically

    incoming = read_interchange(path, locale)
    known, project = collect(root, locale)
    by_id = {unit.id: unit for unit in known}
    families = fonts.families_for(locale)
    problems = []
    for item in incoming:
        unit = by_id.get(item.id)
        here = (path, item.line, 1 if item.line else 0, item.id)
        if unit is None:
            problems.append(Problem(*here, _unknown(item.id, by_id)))
            continue
        if not item.text:
            continue
        errors = parse_placeholders(item.text)[1]
        message = errors[0].message if errors else placeholder_message(unit.source, item.text)
        if message:
            problems.append(Problem(*here, message))
        for char in fonts.uncovered(item.text, families):
            problems.append(Problem(*here, f"character {char!r} (U+{ord(char):04X}) is in none of the fonts "
                                           f"{', '.join(families)}; {fonts.coverage_hint(char, families)}"))
    if problems:
        raise Refused(sorted(problems))
    source = project.source
    texts: dict[str, str] = {}
    for doc in dict.fromkeys(by_id[i.id].doc for i in incoming if i.text):
        english = source.glossary if doc == "glossary" else source.topics[doc]
        file = root / locale / f"{doc}.yaml"
        kind, key = ("glossary-translation", "terms") if doc == "glossary" else ("translation", "sections")
        if file.exists():
            parsed, _ = parse_yaml(read_file(file).decode("utf-8").removeprefix("\ufeff"), file)
            start = add_missing(parsed, english, key)[0]
        else:
            start = new_file(english, locale, file.parent, kind, source.folder / f"{doc}.yaml")
        texts[doc] = _apply(start, doc, english, [i for i in incoming if i.text and by_id[i.id].doc == doc], by_id)
    changed = {doc: text for doc, text in texts.items()
               if not (root / locale / f"{doc}.yaml").exists()
               or read_file(root / locale / f"{doc}.yaml").decode("utf-8") != text}
    if not changed:
        say(f"Nothing to change: {display_path(path)} has no finished text that differs from handouts/{locale}/.")
        return []
    _check_with(root, locale, changed)
    written = []
    for doc, text in changed.items():
        file = root / locale / f"{doc}.yaml"
        write_atomically(file, text.encode())
        say(f"  updated {display_path(file)}")
        written.append(file)
    return written


class Refused(Exception):
    """An import refused: every problem, and nothing written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _unknown(uid: str, by_id: dict) -> str:
    doc, _, rest = uid.partition("/")
    part = rest.partition("/")[0]
    siblings = [u for u in by_id.values() if u.doc == doc and u.part == part]
    if siblings:
        stem = uid.rsplit("[", 1)[0]
        count = sum(1 for u in siblings if u.id.rsplit("[", 1)[0] == stem and u.id.endswith("]"))
        if count and "[" in uid:
            return (f"the English has {count} item{'s' * (count != 1)} here, no {uid.rsplit('[', 1)[1][:-1]!s}th: "
                    "keep the same number of list items")
        return "the English has no text at this place in that part; export again"
    return f"the English has no part {doc}/{part}; export again to get the current units"


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.version = None
    yaml.preserve_quotes = True
    yaml.width = 100_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _apply(text: str, doc: str, english, incoming: list[Incoming], by_id: dict) -> str:
    """Return a translation file's text with the incoming units in it (ruamel round trip: comments kept)."""
    yaml = _yaml()
    data = yaml.load(text)
    plain, _ = parse_yaml(text, Path(f"{doc}.yaml"))
    english_units = units(english)
    touched, finished = set(), {}
    for item in incoming:
        unit = by_id[item.id]
        loc = _part_loc(doc, unit.part, plain.data)
        entry = _at(data, loc)
        if unit.state == TRANSLATED and not item.final:
            continue  # a draft never replaces a translation in print
        finished.setdefault(unit.part, set()).update([item.id] if item.final else [])
        *head, last = unit.path
        holder = _at(entry, tuple(head))
        if holder[last] != item.text:
            holder[last] = type(holder[last])(item.text)  # str, or ruamel's quoted or folded kinds: style kept
            touched.add(unit.part)
    for part, done in finished.items():
        every = {u.id for u in by_id.values() if u.doc == doc and u.part == part}
        entry = _at(data, _part_loc(doc, part, plain.data))
        if done == every and (part in touched or by_id[next(iter(every))].state != TRANSLATED):
            entry["translated_from"] = DoubleQuotedScalarString(content_hash(english_units[part]))
            if "untranslated" in entry:
                _drop_key(entry, "untranslated")
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _drop_key(mapping, key: str) -> None:
    """Delete a key and its own end-of-line comment, keeping the comment lines below it (the next text's `# en:`)."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    keys = list(mapping)
    token = mapping.ca.items.get(key, [None] * 4)[2]
    rest = token.value.split("\n", 1)[1] if token is not None and "\n" in token.value else ""
    del mapping[key]
    before = keys[keys.index(key) - 1] if keys.index(key) else None
    if rest and before is not None:
        slots = mapping.ca.items.setdefault(before, [None, None, None, None])
        if slots[2] is None:
            slots[2] = CommentToken("\n" + rest, CommentMark(0), None)
        else:
            slots[2].value += rest


def _check_with(root: Path, locale: str, changed: dict[str, str]) -> None:
    """Run every `check` rule on the content as it would be; raise Refused with the problems, at the real paths."""
    from .rules import check

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "content"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".*"))
        for doc, text in changed.items():
            (copy / locale / f"{doc}.yaml").write_text(text, encoding="utf-8")
        checked = check(copy, None, [locale])
        problems = [Problem(root / p.file.relative_to(copy) if p.file.is_relative_to(copy) else p.file,
                            p.line, p.column, p.where, p.message) for p in checked.problems]
    if problems:
        raise Refused(problems)
