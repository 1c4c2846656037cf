"""`import`: the finished translations of an XLIFF or PO file, back into `handouts/<locale>/*.yaml`.

translate-toolkit reads the file. Every unit is checked first (its id, placeholders and
characters, located at the unit's line in the file), then the whole locale as it would be, by
`check`'s rules; any problem refuses the import and nothing is written. Texts are set through a
ruamel.yaml round trip, so comments, quotes and layout stay, and only files whose text changed
are written.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from . import fonts
from .errors import Problem, UserError, display_path
from .interchange import collect, part_loc, value_at
from .markup import parse_placeholders
from .numbers import number_messages
from .source import parse_yaml, read_file
from .translation import TRANSLATED, content_hash, placeholder_message, slot_messages, units


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
    po_lines = _msgctxt_lines(raw.decode("utf-8", "replace").splitlines()) if is_po else {}
    out = []
    for unit in store.units:
        if unit.isheader() or not unit.source:
            continue
        if is_po:
            uid = unit.getcontext()
            line = po_lines.get(uid, 0)
            final = unit.istranslated() and not unit.isfuzzy()
        else:
            uid = unit.getid().split("\x04")[-1]
            line = unit.xmlelement.sourceline or 0
            final = bool(unit.target) and unit.get_state_n() >= unit.S_TRANSLATED
        out.append(Incoming(uid, unit.target or "", final, line))
    return out


def _msgctxt_lines(lines: list[str]) -> dict[str, int]:
    """Return the line of each `msgctxt` in a PO file by its text, its continuation lines joined."""
    import json

    found = {}
    for n, text in enumerate(lines):
        if text.startswith("msgctxt "):
            quoted, k = [text[len("msgctxt "):]], n + 1
            while k < len(lines) and lines[k].startswith('"'):
                quoted.append(lines[k].strip())
                k += 1
            try:
                found.setdefault("".join(json.loads(q) for q in quoted), n + 1)
            except ValueError:  # an escape JSON does not read: the unit is still imported, without a line
                continue
    return found


def import_file(root: Path, locale: str, path: Path, say=print) -> list[Path]:
    """Write the finished translations of an interchange file into the locale's YAML; return the files changed.

    Every unit is checked first (id, placeholders, characters), then the whole locale with the new
    text (`check`'s rules); any problem refuses the import and nothing is written.
    """
    from .translate import add_missing, new_file
    from .write import commit

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
        if unit.doc == "strings":  # each UI string has its own placeholders; plural forms differ by language
            messages = slot_messages(".".join(map(str, unit.path)), item.text)
            if not messages and unit.part != "pages":
                messages = [m for m in [placeholder_message(unit.source, item.text)] if m]
        else:
            messages = [errors[0].message if errors else placeholder_message(unit.source, item.text)]
            messages += number_messages(item.text)
        problems += [Problem(*here, message) for message in messages if message]
        for char in fonts.uncovered(item.text, families):
            problems.append(Problem(*here, f"character {char!r} (U+{ord(char):04X}) is in none of the fonts "
                                           f"{', '.join(families)}; {fonts.coverage_hint(char, families)}"))
    if problems:
        raise Refused(sorted(problems))
    source = project.source
    texts: dict[str, str] = {}
    for doc in dict.fromkeys(by_id[i.id].doc for i in incoming if i.text):
        file = root / locale / f"{doc}.yaml"
        if doc == "strings":
            texts[doc] = _apply_strings(read_file(file).decode("utf-8") if file.exists() else "",
                                        [i for i in incoming if i.text and by_id[i.id].doc == doc], by_id)
            continue
        english = source.glossary if doc == "glossary" else source.topics[doc]
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
    staged = {root / locale / f"{doc}.yaml": text.encode() for doc, text in changed.items()}
    commit(staged, root / locale)  # every file written to a temporary name first, renamed only once all are on disk
    for file in staged:
        say(f"  updated {display_path(file)}")
    return list(staged)


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
        loc = part_loc(doc, unit.part, plain.data)
        entry = value_at(data, loc)
        if unit.state == TRANSLATED and not item.final:
            continue  # a draft never replaces a translation in print
        finished.setdefault(unit.part, set()).update([item.id] if item.final else [])
        *head, last = unit.path
        holder = value_at(entry, tuple(head))
        if holder[last] != item.text:
            holder[last] = type(holder[last])(item.text)  # str, or ruamel's quoted or folded kinds: style kept
            touched.add(unit.part)
    for part, done in finished.items():
        every = {u.id for u in by_id.values() if u.doc == doc and u.part == part}
        entry = value_at(data, part_loc(doc, part, plain.data))
        if done == every and (part in touched or by_id[next(iter(every))].state != TRANSLATED):
            entry["translated_from"] = DoubleQuotedScalarString(content_hash(english_units[part]))
            if "untranslated" in entry:
                _drop_key(entry, "untranslated")
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _apply_strings(text: str, incoming: list[Incoming], by_id: dict) -> str:
    """Return a strings file's text with the finished units in it; a string still commented out is added at the end."""
    from ruamel.yaml.comments import CommentedMap

    yaml = _yaml()
    data = yaml.load(text) if text.strip() else None
    added = CommentedMap()
    for item in incoming:
        if not item.final:
            continue  # a UI string prints as it is: a draft never replaces it
        path = by_id[item.id].path
        holder = data if isinstance(data, dict) and path[0] in data else added
        for key in path[:-1]:
            holder = holder.setdefault(key, CommentedMap())
        old = holder.get(path[-1])
        if old != item.text:
            holder[path[-1]] = type(old)(item.text) if isinstance(old, str) else DoubleQuotedScalarString(item.text)
    out = io.StringIO()
    if data is not None:
        yaml.dump(data, out)
    text = out.getvalue() if data is not None else text
    if added:
        extra = io.StringIO()
        yaml.dump(added, extra)
        text += ("" if not text or text.endswith("\n") else "\n") + extra.getvalue()
    return text


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
