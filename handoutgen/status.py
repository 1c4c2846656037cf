"""`status`: how far each language is translated, what changed in the English since, and the diff."""

from __future__ import annotations

import difflib
import subprocess
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from .content import LocaleContent, Project
from .errors import listing
from .source import parse_yaml
from .translation import MISSING, OUTDATED, SUMMARY, TRANSLATED, UNTRANSLATED, content_hash, entries, states, units


@dataclass
class Row:
    """How far one document of one locale is translated."""

    locale: str
    topic: str
    sections_total: int
    sections_translated: int
    sections_missing: int  # not in the file, or still marked untranslated
    sections_outdated: int  # the English changed since the translation
    title: str  # state of the title, purpose and key points (or the strings file's, for `strings`)
    review: str  # draft, reviewed, missing (no file) or invalid (the file has problems)
    missing: list[str] = field(default_factory=list)
    outdated: list[str] = field(default_factory=list)
    reviewed_by: str | None = None
    credential: str | None = None
    reviewed_on: str | None = None
    problems: int = 0

    @property
    def parts(self) -> tuple[int, int]:
        """Return (translated, total) counting the title part too."""
        return self.sections_translated + (self.title == TRANSLATED), self.sections_total + (self.title != "-")


def rows(project: Project) -> list[Row]:
    """Return a row for every document of every loaded locale."""
    source = project.source
    out: list[Row] = []
    for code, locale in project.locales.items():
        documents = [(topic_id, topic) for topic_id, topic in source.topics.items()]
        if source.glossary:
            documents.append(("glossary", source.glossary))
        for doc_id, english in documents:
            out.append(_row(locale, doc_id, english))
        out.append(_strings_row(source, locale))
        if project.packs:
            missing = [p.id for p in project.packs.packs if code not in p.title]
            total = len(project.packs.packs)
            out.append(Row(code, "packs", total, total - len(missing), len(missing), 0, "-", "-", missing))
    return out


def _row(locale: LocaleContent, doc_id: str, english) -> Row:
    path = locale.folder / f"{doc_id}.yaml"
    problems = sum(1 for p in locale.problems if p.file == path)
    if locale.is_source:
        review = english.review
        names = [name for name in units(english) if name != SUMMARY]
        return Row(locale.code, doc_id, len(names), len(names), 0, 0, TRANSLATED, review.status,
                   reviewed_by=review.reviewed_by, reviewed_on=_iso(review.reviewed_on), problems=problems)
    translation = locale.translations.get(doc_id)
    found = states(english, translation)
    parts = {name: state for name, state in found.items() if name != SUMMARY}
    missing = [name for name, state in parts.items() if state in {MISSING, UNTRANSLATED}]
    outdated = [name for name, state in parts.items() if state == OUTDATED]
    if translation is None:
        review = "invalid" if path.exists() else "missing"
        return Row(locale.code, doc_id, len(parts), 0, len(parts), 0, MISSING, review, missing, problems=problems)
    r = translation.review
    return Row(locale.code, doc_id, len(parts), len(parts) - len(missing) - len(outdated), len(missing),
               len(outdated), found[SUMMARY], "invalid" if problems else r.status, missing, outdated,
               r.reviewed_by, r.credential, _iso(r.reviewed_on), problems)


def _strings_row(source: LocaleContent, locale: LocaleContent) -> Row:
    english = source.strings.model_dump() if source.strings else {}
    total = sum(len(v) if isinstance(v, dict) and k != "pages" else 1 for k, v in english.items())
    missing = [] if locale.is_source else locale.missing_strings
    return Row(locale.code, "strings", total, total - len(missing), len(missing), 0, "-", "-", missing)


def _iso(date) -> str | None:
    return date.isoformat() if date else None


def percent(locale_rows: list[Row]) -> float:
    """Return how much of a locale is translated, counting every part."""
    done = sum(row.parts[0] for row in locale_rows)
    total = sum(row.parts[1] for row in locale_rows)
    return 100.0 * done / total if total else 100.0


def as_json(all_rows: list[Row]) -> list[dict]:
    return [asdict(row) for row in all_rows]


def as_text(all_rows: list[Row]) -> str:
    """Return the status as a table a translator can read at a glance."""
    from babel import Locale

    lines = []
    for code in dict.fromkeys(row.locale for row in all_rows):
        mine = [row for row in all_rows if row.locale == code]
        language = Locale.parse(code, sep="-")
        done, total = sum(r.parts[0] for r in mine), sum(r.parts[1] for r in mine)
        head = f"{code}  {language.get_display_name('en')} · {language.get_display_name()}"
        lines.append(f"{head}: {percent(mine):.0f}% translated ({done} of {total} parts)")
        for row in mine:
            notes = []
            if row.title not in {TRANSLATED, "-"}:
                notes.append(f"title {row.title}")
            if row.missing:
                notes.append(f"untranslated: {listing(row.missing)}")
            if row.outdated:
                notes.append(f"changed in English: {listing(row.outdated)}")
            if row.problems:
                notes.append(f"{row.problems} problem{'s' * (row.problems > 1)} (run check)")
            review = "" if row.review == "-" else f"  review: {row.review}"
            label = "strings" if row.topic in {"strings", "packs"} else "sections"
            lines.append(f"  {row.topic:36} {row.sections_translated:3}/{row.sections_total:<3} {label:8}"
                         f"{review}{'  · ' + '; '.join(notes) if notes else ''}")
        lines.append("")
    return "\n".join(lines)


# --- status --diff: the English as it was when translated, against the English now ----------

@cache
def past_units(path: Path, model, limit: int = 500) -> tuple[dict, ...]:
    """Return the parts of each committed version of an English file, newest first.

    Empty outside git or when git is missing; versions that no longer validate are skipped.
    """
    try:
        log = subprocess.run(["git", "log", f"--max-count={limit}", "--format=%H", "--", path.name],
                             cwd=path.parent, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return ()
    versions = []
    for commit in log:
        shown = subprocess.run(["git", "show", f"{commit}:./{path.name}"], cwd=path.parent,
                               capture_output=True, text=True)
        doc, _ = parse_yaml(shown.stdout, path) if shown.returncode == 0 else (None, [])
        if doc is None:
            continue
        try:
            versions.append(units(model.model_validate(doc.data)))
        except ValueError:  # a version in an older schema
            continue
    return tuple(versions)


def find_english(path: Path, model, part: str, digest: str) -> dict | None:
    """Return the English of `part` as it was when its hash was `digest`, from the file's git history."""
    for old in past_units(path, model):
        if part in old and content_hash(old[part]) == digest:
            return old[part]
    return None


def diff(project: Project, locale_code: str, doc_id: str) -> str:
    """Return, for each outdated part, a unified diff of the English then and now."""
    from .schema import Glossary, Topic
    from .translate import emit_mapping

    source, locale = project.source, project.locales[locale_code]
    english = source.glossary if doc_id == "glossary" else source.topics.get(doc_id)
    translation = locale.translations.get(doc_id)
    if english is None or translation is None:
        return f"{locale_code} has no translation of {doc_id!r} to compare\n"
    path = source.folder / f"{doc_id}.yaml"
    model = Glossary if doc_id == "glossary" else Topic
    parts = entries(translation)
    now = units(english)
    out = []
    for name, state in states(english, translation).items():
        if state != OUTDATED:
            continue
        was = parts[name].translated_from
        current = content_hash(now[name])
        new_lines = emit_mapping(now[name], 2, text=False)
        old = find_english(path, model, name, was)
        out.append(f"{doc_id}/{name}: the English changed since it was translated")
        if old is None:
            out.append(f"  (the English it was translated from, {was}, is not in this folder's git history)")
            out.append("  The English now reads:")
            out += new_lines
        else:
            out += ["  " + line for line in difflib.unified_diff(
                emit_mapping(old, 2, text=False), new_lines, f"English when translated ({was})",
                f"English now ({current})", lineterm="", n=2)]
        out.append(f"  Once the translation matches, run: generate.py translate {locale_code} "
                   f"--accept {doc_id}/{name}")
        out.append(f"  (or set translated_from: {current} for this part)")
        out.append("")
    if not out:
        return f"{locale_code}/{doc_id}: nothing changed in the English since it was translated\n"
    return "\n".join(out) + "\n"
