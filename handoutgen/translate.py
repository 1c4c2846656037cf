"""`translate L`: start a language or bring it up to date, and `--accept` an updated part.

New files and parts are written with their full structure, the English as each text (marked
`untranslated: true`) and the English again in a `# en:` comment above it, for reference
once the text is replaced. Parts already in a file are copied line for line: `translate`
never rewrites text a translator wrote.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from babel import Locale

from .content import SOURCE_LOCALE, LocaleContent, is_language_tag, load_locale
from .errors import Problem, UserError
from .paths import SCHEMAS
from .source import Document, read_yaml
from .translation import FIXED_KEYS, SUMMARY, content_hash, summary_data, units
from .write import write_atomically

NOT_TEXT = FIXED_KEYS | {"translated_from", "untranslated", "status", "terms"}


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def _comment(lead: str, text: str) -> str:
    indent = len(lead) - len(lead.lstrip(" "))
    return f"{' ' * indent}# en: {' '.join(text.split())}"


def emit_mapping(data: dict, indent: int, first_lead: str | None = None, text: bool = True) -> list[str]:
    """Return YAML lines for a mapping, with the English in a comment above every text."""
    lines = []
    pad = " " * indent
    for n, (key, value) in enumerate(data.items()):
        lead = first_lead if n == 0 and first_lead is not None else pad
        is_text = text and key not in NOT_TEXT
        if isinstance(value, dict):
            lines.append(f"{lead}{key}:")
            lines += emit_mapping(value, indent + 2, text=is_text)
        elif isinstance(value, list):
            lines.append(f"{lead}{key}:")
            for item in value:
                lines += emit_item(item, indent + 2, is_text)
        else:
            if is_text and isinstance(value, str):
                lines.append(_comment(lead, value))
            note = "  # delete this line once the part is translated" if key == "untranslated" else ""
            lines.append(f"{lead}{key}: {_scalar(value)}{note}")
    return lines


def emit_item(item, indent: int, text: bool) -> list[str]:
    """Return YAML lines for one list item."""
    lead = " " * indent + "- "
    if isinstance(item, dict):
        return emit_mapping(item, indent + 2, first_lead=lead, text=text)
    return ([_comment(lead, item)] if text and isinstance(item, str) else []) + [f"{lead}{_scalar(item)}"]


def new_part(name: str, data: dict) -> dict:
    """Return an untranslated part: its id and hash, then the English as its text."""
    return {"id": name, "translated_from": content_hash(data), "untranslated": True, **data}


def new_file(english, locale: str, folder: Path, kind: str, english_path: Path) -> str:
    """Return the text of a new translation file: every part untranslated."""
    parts = units(english)
    summary = summary_data(english)
    body = {"translated_from": content_hash(summary), "untranslated": True, **summary, "review": {"status": "draft"}}
    key = "sections" if kind == "translation" else "terms"
    body[key] = [new_part(name, data) for name, data in parts.items() if name != SUMMARY]
    schema = os.path.relpath(SCHEMAS / f"{kind}.schema.json", folder).replace(os.sep, "/")
    language = Locale.parse(locale, sep="-")
    header = [
        f"# yaml-language-server: $schema={schema}",
        f"# {language.get_display_name('en')} ({language.get_display_name()}) translation of "
        f"{english_path.parent.name}/{english_path.name}, started by `generate.py translate {locale}`.",
        "# Each text is still the English, which the `# en:` comment above it keeps for reference.",
        "# Translate the text, keep every {placeholder} exactly, then delete the part's `untranslated: true` line.",
    ]
    return "\n".join(header + emit_mapping(body, 0)) + "\n"


def _block_start(lines: list[str], line: int) -> int:
    """Return the 0-based first line of an item starting at 1-based `line`, with the comments just above it."""
    start = line - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return start


def add_missing(doc: Document, english, key: str) -> tuple[str, list[str]]:
    """Return the file's text with every missing part added in English order, and the names added."""
    lines = doc.text.splitlines()
    parts = units(english)
    items = doc.data.get(key) or []
    have = [item.get("id") if isinstance(item, dict) else None for item in items]
    missing = [name for name in parts if name != SUMMARY and name not in have]
    if not missing:
        return doc.text, []
    key_line = doc.positions[(key,)][0]
    later = sorted(doc.positions[(k,)][0] for k in doc.data if doc.positions[(k,)][0] > key_line)
    end = _block_start(lines, later[0]) if later else len(lines)
    starts = [_block_start(lines, doc.positions[(key, i)][0]) for i in range(len(items))]
    chunks = {have[i]: lines[start:(starts[i + 1] if i + 1 < len(starts) else end)] for i, start in enumerate(starts)}
    indent = doc.positions[(key, 0)][1] - 3 if items else 2  # where the dash goes: two before the first key
    body = []
    for name in parts:
        if name == SUMMARY:
            continue
        body += chunks.pop(name) if name in chunks else emit_item(new_part(name, parts[name]), indent, True)
    for chunk in chunks.values():  # parts the English no longer has: kept for the translator to remove
        body += chunk
    head = lines[:key_line]
    if not items and head[-1].rstrip().endswith("[]"):
        head[-1] = head[-1].rstrip()[:-2].rstrip()
    return "\n".join(head + body + lines[end:]) + "\n", missing


def _load_english(root: Path, topics: list[str] | None) -> LocaleContent:
    source = load_locale(root / SOURCE_LOCALE, topics or None)
    if source.problems:
        raise UserError("fix the English first:\n" + "\n".join(str(p) for p in sorted(source.problems)))
    return source


def translate(root: Path, locale: str, topics: list[str] | None = None, say=print) -> int:
    """Write every missing file, part and UI string of a locale; return how many files changed."""
    if locale == SOURCE_LOCALE:
        raise UserError(f"{SOURCE_LOCALE} is the source language; translate into another, such as es")
    if not is_language_tag(locale):
        raise UserError(f"{locale!r} is not a language tag Babel knows; use a BCP 47 tag such as es, ar or pt-BR")
    source = _load_english(root, topics)
    folder = root / locale
    folder.mkdir(exist_ok=True)
    changed = 0
    documents = [(topic_id, source.topics[topic_id], source.files[topic_id], "translation", "sections")
                 for topic_id in sorted(source.topics)]
    if source.glossary and (not topics or "glossary" in topics):
        documents.append(("glossary", source.glossary, source.folder / "glossary.yaml", "glossary-translation",
                          "terms"))
    for doc_id, english, english_path, kind, key in documents:
        path = folder / f"{doc_id}.yaml"
        if not path.exists():
            write_atomically(path, new_file(english, locale, folder, kind, english_path).encode())
            say(f"  wrote {path}: every part untranslated")
            changed += 1
            continue
        doc, problems = read_yaml(path)
        if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get(key, []), list):
            problems = problems or [Problem(path, 0, 0, "", f"expected a mapping with a list of {key}")]
            raise UserError("cannot update a file that does not read; fix it first:\n"
                            + "\n".join(str(p) for p in problems))
        text, added = add_missing(doc, english, key)
        if added:
            write_atomically(path, text.encode())
            say(f"  added to {path}: {', '.join(added)} (untranslated)")
            changed += 1
    changed += _add_strings(source, folder, locale, say)
    return changed


def _add_strings(source: LocaleContent, folder: Path, locale: str, say) -> int:
    """Append every UI string the locale lacks to its strings file, commented out, with the English."""
    path = folder / "strings.yaml"
    english = source.strings.model_dump()
    have: dict = {}
    if path.exists():
        doc, problems = read_yaml(path, allow_empty=True)  # every string may still be commented out
        if problems:
            raise UserError("cannot update a file that does not read; fix it first:\n"
                            + "\n".join(str(p) for p in problems))
        have = doc.data if isinstance(doc.data, dict) else {}
    missing = {key: value for key, value in english.items() if key not in have}
    if not missing:
        return 0
    lines = []
    if not path.exists():
        schema = os.path.relpath(SCHEMAS / "strings.schema.json", folder).replace(os.sep, "/")
        language = Locale.parse(locale, sep="-")
        lines += [f"# yaml-language-server: $schema={schema}",
                  f"# The words around the content, in {language.get_display_name('en')}."]
    lines += ["# Not yet translated: these are shown in English until you translate them.",
              "# Remove the `# ` before a key, then translate its text; keep every {placeholder}."]
    for key, value in missing.items():
        if key == "pages":
            forms = sorted(set(Locale.parse(locale, sep="-").plural_form.tags) | {"other"})
            lines.append(f"# pages:  # one line for each plural form: {', '.join(forms)}")
            lines += [f"#   {form}: {_scalar(value.get(form, value['other']))}" for form in forms]
        elif isinstance(value, dict):
            lines.append(f"# {key}:")
            lines += [f"#   {k}: {_scalar(v)}" for k, v in value.items()]
        else:
            lines.append(f"# {key}: {_scalar(value)}")
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    write_atomically(path, (old + ("\n" if old and not old.endswith("\n") else "") + "\n".join(lines) + "\n").encode())
    say(f"  {'added to' if old else 'wrote'} {path}: {len(missing)} UI strings, commented out")
    return 1


def accept(root: Path, locale: str, part: str, say=print) -> None:
    """Record that an outdated part (`topic/section`, `topic/title` or `glossary/term`) is current again."""
    doc_id, _, name = part.partition("/")
    if not name:
        raise UserError(f"name the part as TOPIC/SECTION, such as when-to-call/call-now, "
                        f"or TOPIC/{SUMMARY} for the title, purpose and key points; got {part!r}")
    source = _load_english(root, None)
    english = source.glossary if doc_id == "glossary" else source.topics.get(doc_id)
    if english is None:
        raise UserError(f"there is no English topic {doc_id!r}")
    hashes = {name_: content_hash(data) for name_, data in units(english).items()}
    if name not in hashes:
        raise UserError(f"{doc_id} has no part {name!r}; parts: {', '.join(hashes)}")
    path = root / locale / f"{doc_id}.yaml"
    doc, problems = read_yaml(path)
    if doc is None:
        raise UserError("\n".join(str(p) for p in problems))
    key = "terms" if doc_id == "glossary" else "sections"
    if name == SUMMARY:
        loc, entry = (), doc.data
    else:
        index = next((i for i, item in enumerate(doc.data.get(key) or []) if item.get("id") == name), None)
        if index is None:
            raise UserError(f"{path} has no part {name!r} yet; run `generate.py translate {locale}` to add it")
        loc, entry = (key, index), doc.data[key][index]
    if entry.get("untranslated"):
        raise UserError(f"{part} is still marked `untranslated: true`; translate it, then delete that line")
    if entry.get("translated_from") == hashes[name]:
        say(f"{part} is already current")
        return
    line = doc.positions[loc + ("translated_from",)][0]
    lines = doc.text.splitlines(keepends=True)
    # Quoted, as `translate` writes it: an all-digit hash would otherwise read back as a number.
    lines[line - 1] = re.sub(r"(translated_from:\s*)\S+", rf'\g<1>"{hashes[name]}"', lines[line - 1], count=1)
    write_atomically(path, "".join(lines).encode())
    say(f"{part}: now marked as translated from the current English ({hashes[name]})")
