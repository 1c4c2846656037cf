"""Translations follow the English: content hashes, merging with marked fallbacks, and the checks.

Every translated part (a topic's title block, each section, each glossary term) records the
hash of the English it was translated from. A part that is missing, still marked
`untranslated`, or whose English has changed since is printed in English, in a box that
says so in the reader's language; it is never silently mixed in.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .errors import Problem
from .markup import parse_placeholders, placeholder_names
from .numbers import number_messages
from .schema import Glossary, Topic, did_you_mean
from .schema_locale import UI_SLOTS, GlossaryTranslation, Slots, Translation, TranslationReview
from .source import Document, Loc

SUMMARY = "title"
"""The name of a topic's first part (title, purpose and key points) in `status` and `translate --accept`."""

TRANSLATED, UNTRANSLATED, MISSING, OUTDATED = "translated", "untranslated", "missing", "outdated"


def content_hash(data: Any) -> str:
    """Return the 12-character hash of some English content (plain data or a model)."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json", exclude_none=True)
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def summary_data(english: Topic | Glossary) -> dict:
    """Return the English parts a translation's first part covers: title, purpose and key points."""
    data = {"title": english.title, "purpose": english.purpose}
    if isinstance(english, Topic):
        data["key_points"] = list(english.key_points)
    return data


def units(english: Topic | Glossary) -> dict[str, Any]:
    """Return every translatable part of an English document, by name, as plain data."""
    parts: dict[str, Any] = {SUMMARY: summary_data(english)}
    if isinstance(english, Topic):
        for section in english.sections:
            parts[section.id] = section.model_dump(mode="json", exclude_none=True, exclude={"id"})
    else:
        for term in english.terms:
            parts[term.id] = {"term": term.term, "definition": term.definition}
    return parts


def unit_hashes(english: Topic | Glossary) -> dict[str, str]:
    """Return the hash of every translatable part of an English document."""
    return {name: content_hash(data) for name, data in units(english).items()}


def entries(translation: Translation | GlossaryTranslation) -> dict[str, Any]:
    """Return a translation's parts by name: its first part, then its sections or terms."""
    items = translation.sections if isinstance(translation, Translation) else translation.terms
    return {SUMMARY: translation, **{item.id: item for item in items}}


def states(english: Topic | Glossary, translation: Translation | GlossaryTranslation | None) -> dict[str, str]:
    """Return the state of every English part in a translation: translated, untranslated, missing or outdated."""
    parts = entries(translation) if translation else {}
    out = {}
    for name, digest in unit_hashes(english).items():
        entry = parts.get(name)
        if entry is None:
            out[name] = MISSING
        elif entry.untranslated:
            out[name] = UNTRANSLATED
        elif entry.translated_from != digest:
            out[name] = OUTDATED
        else:
            out[name] = TRANSLATED
    return out


@dataclass
class Localized:
    """A document in one language, merged with the English wherever the translation falls short."""

    document: Topic | Glossary
    fallbacks: dict[str, str] = field(default_factory=dict)  # part name -> "untranslated" or "outdated"
    review: TranslationReview | None = None  # the translation's review; None for the English itself


def merge(english: Topic | Glossary, translation: Translation | GlossaryTranslation) -> Localized:
    """Return the translated document, with the English (marked) for every part not translated or out of date."""
    found = states(english, translation)
    parts = entries(translation)
    fallbacks = {name: (OUTDATED if state == OUTDATED else UNTRANSLATED)
                 for name, state in found.items() if state != TRANSLATED}
    update: dict[str, Any] = {}
    if SUMMARY not in fallbacks:
        update.update(title=translation.title, purpose=translation.purpose)
        if isinstance(english, Topic):
            update["key_points"] = translation.key_points
    if isinstance(english, Topic):
        update["sections"] = [
            section if section.id in fallbacks else section.model_copy(update={
                "heading": parts[section.id].heading, "blocks": parts[section.id].blocks})
            for section in english.sections]
    else:
        terms = [term if term.id in fallbacks else term.model_copy(update={
            "term": parts[term.id].term, "definition": parts[term.id].definition}) for term in english.terms]
        update["terms"] = sorted(terms, key=lambda t: _sort_key(t.term))
    return Localized(english.model_copy(update=update), fallbacks, translation.review)


def _sort_key(text: str) -> str:
    """Return a key that sorts words alphabetically, ignoring accents and case."""
    decomposed = unicodedata.normalize("NFKD", text.replace("*", ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# --- Checks: a translation must keep the English structure and placeholders ------------------

FIXED_KEYS = {"kind", "id"}  # values that are names, not text: they must stay as in the English


def placeholder_message(english: str, translated: str) -> str | None:
    """Say how the placeholders of a translated text differ from the English, or return None."""
    want, have = Counter(placeholder_names(english)), Counter(placeholder_names(translated))
    if want == have:
        return None
    missing = sorted((want - have).elements())
    extra = sorted((have - want).elements())
    parts = []
    if missing:
        parts.append("missing " + ", ".join("{" + name + "}" for name in missing))
    if extra:
        parts.append("not in the English: " + ", ".join("{" + name + "}" for name in extra))
    return (f"placeholders must match the English exactly ({'; '.join(parts)}); "
            f"the English reads: {english!r}")


def compare(doc: Document, loc: Loc, english: Any, translated: Any, problems: list[Problem]) -> None:
    """Add a problem wherever `translated` (raw data at `loc`) differs in shape or placeholders from `english`."""
    if isinstance(english, dict):
        if not isinstance(translated, dict):
            return  # the schema has already said what is wrong
        kinds_en, kinds_tr = set(english), set(translated)
        if len(english) == 1 and len(translated) == 1 and kinds_en != kinds_tr:
            problems.append(doc.problem(loc, f"is a {next(iter(kinds_tr))!r} block; the English has a "
                                             f"{next(iter(kinds_en))!r} block here"))
            return
        for key in sorted(kinds_en - kinds_tr):
            problems.append(doc.problem(loc, f"missing {key!r}, which the English has"))
        for key in sorted(kinds_tr - kinds_en):
            problems.append(doc.problem(loc + (key,), f"{key!r} is not in the English; remove it"))
        for key in kinds_en & kinds_tr:
            if key in FIXED_KEYS or key == "terms":
                if english[key] != translated[key]:
                    problems.append(doc.problem(loc + (key,), f"must stay {english[key]!r} as in the English "
                                                              "(it is a name, not text to translate)"))
            else:
                compare(doc, loc + (key,), english[key], translated[key], problems)
    elif isinstance(english, list):
        if not isinstance(translated, list):
            return
        if len(english) != len(translated):
            problems.append(doc.problem(loc, f"has {len(translated)} item{'s' * (len(translated) != 1)}; "
                                             f"the English has {len(english)}: translate each one"))
            return
        for i, (en_item, tr_item) in enumerate(zip(english, translated)):
            compare(doc, loc + (i,), en_item, tr_item, problems)
    elif isinstance(english, str) and isinstance(translated, str):
        message = placeholder_message(english, translated)
        if message:
            problems.append(doc.problem(loc, message))


def translation_problems(doc: Document, english: Topic | Glossary,
                         translation: Translation | GlossaryTranslation) -> list[Problem]:
    """Check a translation against its English: known ids, and the same shape and placeholders where current."""
    problems: list[Problem] = []
    found = states(english, translation)
    english_units = units(english)
    key = "sections" if isinstance(translation, Translation) else "terms"
    if found[SUMMARY] == TRANSLATED:
        for name, value in summary_data(english).items():
            compare(doc, (name,), value, doc.data.get(name), problems)
    for i, item in enumerate(doc.data.get(key) or []):
        item_id = item.get("id") if isinstance(item, dict) else None
        if item_id not in english_units or item_id == SUMMARY:
            what = "section" if key == "sections" else "term"
            choices = [name for name in english_units if name != SUMMARY]
            problems.append(doc.problem((key, i, "id"), f"the English has no {what} {item_id!r}"
                                                        f"{did_you_mean(str(item_id), choices)}"))
        elif found[item_id] == TRANSLATED:
            data = {k: v for k, v in item.items() if k not in {"id", "translated_from", "untranslated"}}
            compare(doc, (key, i), english_units[item_id], data, problems)
    return problems


def strings_problems(doc: Document, english: dict, plural_forms: set[str]) -> list[Problem]:
    """Check a locale's strings: each string's placeholders, the same as the English's, and every plural form.

    With an empty `english`, `doc` is the English itself. A translated string is compared with an
    English one only when the English is right, so that an English mistake is reported once, there.
    """
    problems: list[Problem] = []
    for name, value in doc.data.items():
        if name == "pages" and isinstance(value, dict):
            missing = sorted(plural_forms - set(value))
            extra = sorted(set(value) - plural_forms)
            if missing:
                problems.append(doc.problem((name,), f"needs the plural form{'s' * (len(missing) > 1)} "
                                                     f"{', '.join(missing)} (this language uses "
                                                     f"{', '.join(sorted(plural_forms))})"))
            for form in extra:
                problems.append(doc.problem((name, form), f"this language has no plural form {form!r}; "
                                                          f"it uses {', '.join(sorted(plural_forms))}"))
        english_value = english.get(name)
        pairs = [((name,), english_value, value)]
        if isinstance(value, dict):
            pairs = [((name, key), english_value.get(key) if isinstance(english_value, dict) else None, text)
                     for key, text in value.items()]
        for loc, english_text, text in pairs:
            if not isinstance(text, str):
                continue  # the schema says what is wrong
            key = ".".join(str(part) for part in loc)
            found = slot_messages(key, text)
            problems += [doc.problem(loc, message) for message in found]
            if found or name == "pages" or not isinstance(english_text, str) or slot_messages(key, english_text):
                continue  # plural forms differ between languages; a wrong English is reported in the English
            message = placeholder_message(english_text, text)
            if message:
                problems.append(doc.problem(loc, message))
    return problems


def slot_messages(key: str, text: str) -> list[str]:
    """Say what is wrong with the placeholders of one UI string (`site.contains` for a nested one)."""
    slots, errors = parse_placeholders(text)
    messages = [error.message for error in errors] + number_messages(text)
    rule = UI_SLOTS.get(key, Slots())
    allowed = list(dict.fromkeys(rule.must + rule.may))
    names = [slot.name for slot in slots]
    for name in dict.fromkeys(names):
        if name in allowed:
            continue
        if allowed:
            messages.append(f"{{{name}}} is not filled in this text{did_you_mean(name, allowed)}; it may use "
                            f"{', '.join('{' + a + '}' for a in allowed)}")
        else:
            messages.append(f"{{{name}}} is not filled in this text: it takes no placeholders; remove it")
    missing = [name for name in rule.must if name not in names]
    if missing:
        messages.append(f"must contain {' and '.join('{' + m + '}' for m in missing)}")
    return messages
