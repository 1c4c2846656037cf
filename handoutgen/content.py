"""Stage 1: load and validate every content file, collecting every problem before anything is written."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from . import fonts
from .errors import Problem
from .explain import explain, kind_of
from .schema import Booklet, Glossary, Packs, Terms, Topic, did_you_mean
from .schema_clinic import ClinicProfile
from .schema_locale import GlossaryTranslation, Termbase, Translation, TranslationReview, UIStrings
from .source import Document, read_yaml
from .translation import merge, strings_problems, translation_problems

SOURCE_LOCALE = "en"
RESERVED = {"glossary", "strings", "terms"}
"""Files of a locale folder that are not topics."""
BUILD_NAMES = {"index", "assets", "packs", "large-print", "bilingual", "manifest", "booklet", "terms"}
"""Names the build and the site use for their own files and folders: a topic with one would clash."""
TOPIC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
M = TypeVar("M", bound=BaseModel)


@dataclass
class LocaleContent:
    """Everything one language has: its topics, glossary and UI strings."""

    code: str
    folder: Path
    topics: dict[str, Topic] = field(default_factory=dict)
    glossary: Glossary | None = None
    strings: UIStrings | None = None
    files: dict[str, Path] = field(default_factory=dict)  # topic id -> its file
    sources: list[Path] = field(default_factory=list)  # every file read, for checks on raw text
    problems: list[Problem] = field(default_factory=list)
    # For a translation only: what it says, and what is printed in English instead.
    translations: dict[str, Translation | GlossaryTranslation] = field(default_factory=dict)
    fallbacks: dict[str, dict[str, str]] = field(default_factory=dict)  # doc id -> {part: reason}
    reviews: dict[str, TranslationReview] = field(default_factory=dict)  # doc id -> translation review
    missing_strings: list[str] = field(default_factory=list)  # UI strings printed in English
    termbase: Termbase | None = None  # terms.yaml, when the language has one
    documents: list[Document] = field(default_factory=list)  # every content and strings file read, for the termbase

    @property
    def is_source(self) -> bool:
        return self.code == SOURCE_LOCALE


@dataclass
class Project:
    """The content tree: every locale, the booklet order and where it all lives."""

    root: Path
    booklet: Booklet | None
    locales: dict[str, LocaleContent]
    problems: list[Problem]  # problems that concern every locale (the booklet file, a missing folder)
    packs: Packs | None = None
    source: LocaleContent | None = None  # the English, loaded even when only a translation is built

    def all_problems(self) -> list[Problem]:
        loaded = list(self.locales.values())
        if self.source and self.source.code not in self.locales:
            loaded.append(self.source)
        return sorted(self.problems + [p for loc in loaded for p in loc.problems])


def load_project(root: Path, locales: list[str] | None = None, topics: list[str] | None = None) -> Project:
    """Load and validate the content under `root`; problems are collected, never raised."""
    problems: list[Problem] = []
    if (root / SOURCE_LOCALE).is_symlink():
        return Project(root, None, {}, [linked_folder(root / SOURCE_LOCALE)])
    if not (root / SOURCE_LOCALE).is_dir():
        problems.append(Problem(root, 0, 0, "", f"no {SOURCE_LOCALE}/ folder with the source content here"))
        return Project(root, None, {}, problems)
    booklet_doc, booklet = _load(root / "booklet.yaml", Booklet, problems)
    packs_doc, packs = _load(root / "packs.yaml", Packs, problems)
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    problems += [linked_folder(p) for p in folders if p.is_symlink()]  # never followed: see linked_folder
    codes = [p.name for p in folders if not p.is_symlink()]
    for code in list(codes):
        if not is_language_tag(code):
            problems.append(Problem(root / code, 0, 0, "", f"{code!r} is not a language tag Babel knows; name a "
                                    "locale folder by its BCP 47 tag, such as es, ar, pt-BR or zh-Hans"))
            codes.remove(code)
    wanted = locales or codes
    project = Project(root, booklet, {}, problems, packs)
    project.source = source = load_locale(root / SOURCE_LOCALE, topics)
    for code in wanted:
        if code not in codes:
            problems.append(Problem(root, 0, 0, "", f"no content for locale {code!r}{did_you_mean(code, codes)}"))
            continue
        project.locales[code] = source if code == SOURCE_LOCALE else load_translation(root / code, source, topics)
    if booklet and not topics:
        _check_booklet(project, booklet_doc)
    if packs and not topics:
        known = set(source.files)
        for p, pack in enumerate(packs.packs):
            for t, topic_id in enumerate(pack.topics):
                if topic_id not in known:
                    problems.append(packs_doc.problem(("packs", p, "topics", t),
                                                      f"no topic {topic_id!r}{did_you_mean(topic_id, known)}"))
    return project


def linked_folder(path: Path) -> Problem:
    """Refuse a locale folder that is a symbolic link: what is read must be what the run key digests.

    A link to a file is read as the file (and digested so, `cache.tree_digest`); a link to a
    folder is neither read nor digested, so an edit inside it could not be seen as a change.
    """
    return Problem(path, 0, 0, "", "is a symbolic link to a folder: copy the folder into the content folder "
                                   "instead (folders inside the content folder are never followed as links)")


def is_language_tag(code: str) -> bool:
    """Return whether `code` is a BCP 47 tag with locale data in Babel (es, pt-BR, zh-Hans)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        return False
    return True


def load_locale(folder: Path, only_topics: list[str] | None = None) -> LocaleContent:
    """Load one locale folder: every topic, the glossary and the strings."""
    content = LocaleContent(folder.name, folder)
    problems, families = content.problems, fonts.families_for(folder.name)
    strings_doc, content.strings = _load(folder / "strings.yaml", UIStrings, problems, families)
    if content.strings:
        problems.extend(strings_problems(strings_doc, {}, plural_forms(folder.name)))
    glossary_doc, content.glossary = _load(folder / "glossary.yaml", Glossary, problems, families)
    content.documents += [doc for doc in (strings_doc, glossary_doc) if doc is not None]
    _load_termbase(content, families)
    content.sources += [folder / "strings.yaml", folder / "glossary.yaml"]
    term_ids = {t.id for t in content.glossary.terms} if content.glossary else set()
    for topic_id, path in _topic_files(content, only_topics):
        doc, topic = _load(path, Topic, problems, families)
        content.documents += [doc] if doc is not None else []
        if topic is None:
            continue
        content.topics[topic_id] = topic
        if content.glossary:
            problems.extend(_unknown_terms(doc, topic, term_ids))
    problems.extend(_wrong_extensions(folder))
    if only_topics:
        for topic_id in only_topics:
            if topic_id not in content.files and topic_id != "glossary":
                known = [p.stem for p in folder.glob("*.yaml") if p.stem not in RESERVED]
                problems.append(Problem(folder, 0, 0, "", f"no topic {topic_id!r}{did_you_mean(topic_id, known)}"))
    return content


def load_translation(folder: Path, source: LocaleContent, only_topics: list[str] | None = None) -> LocaleContent:
    """Load one translated locale, merged with the English: every part not translated is kept, and marked."""
    content = LocaleContent(folder.name, folder)
    problems, families = content.problems, fonts.families_for(folder.name)
    _load_strings(content, source, families)
    _load_termbase(content, families)
    glossary_path = folder / "glossary.yaml"
    # loaded even with --topic: topics show its terms; is_symlink: a link loop must be reported, not skipped
    if source.glossary and (glossary_path.exists() or glossary_path.is_symlink()):
        content.sources.append(glossary_path)
        doc, translation = _load(glossary_path, GlossaryTranslation, problems, families)
        content.documents += [doc] if doc is not None else []
        if translation:
            _merge_into(content, "glossary", doc, source.glossary, translation)
    for topic_id, path in _topic_files(content, only_topics):
        doc, translation = _load(path, Translation, problems, families)
        content.documents += [doc] if doc is not None else []
        if topic_id not in source.files:
            problems.append(Problem(path, 0, 0, "", f"there is no English topic {topic_id!r} to translate"
                                                    f"{did_you_mean(topic_id, source.files)}"))
        elif translation and topic_id in source.topics:
            _merge_into(content, topic_id, doc, source.topics[topic_id], translation)
    problems.extend(_wrong_extensions(folder))
    return content


def _topic_files(content: LocaleContent, only_topics: list[str] | None):
    """Yield (topic id, path) for each topic file of a locale folder, recording them as read."""
    for path in sorted(content.folder.glob("*.yaml")):
        topic_id = path.stem
        if topic_id in RESERVED or path.name.startswith("."):
            continue  # a hidden file is an editor's, such as the lock file .#when-to-call.yaml
        message = topic_id_problem(topic_id)
        if message:  # reported even with --topic: the folder is wrong, whatever is built from it
            content.problems.append(Problem(path, 0, 0, "", message))
            continue
        if only_topics and topic_id not in only_topics:
            continue
        content.files[topic_id] = path
        content.sources.append(path)
        yield topic_id, path


def topic_id_problem(topic_id: str) -> str | None:
    """Say why a file name cannot be a topic's id, or return None."""
    if not TOPIC_ID.match(topic_id):
        return (f"{topic_id!r} cannot be a topic id: name a topic file in lowercase words joined by hyphens, "
                f"such as when-to-call.yaml")
    if topic_id in BUILD_NAMES:
        return (f"{topic_id!r} cannot be a topic id: the build uses it for its own files "
                f"({', '.join(sorted(BUILD_NAMES))}); rename the file")
    return None


def _merge_into(content: LocaleContent, doc_id: str, doc: Document, english, translation) -> None:
    """Check a translation against its English and keep the merged document, fallbacks and review."""
    found = translation_problems(doc, english, translation)
    content.problems.extend(found)
    content.translations[doc_id] = translation
    if found:
        return
    localized = merge(english, translation)
    if doc_id == "glossary":
        content.glossary = localized.document
    else:
        content.topics[doc_id] = localized.document
    content.fallbacks[doc_id] = localized.fallbacks
    content.reviews[doc_id] = localized.review


def _load_strings(content: LocaleContent, source: LocaleContent, families: tuple[str, ...]) -> None:
    """Load a locale's UI strings; any the translator has not given yet are taken from the English."""
    path = content.folder / "strings.yaml"
    content.sources.append(path)
    if source.strings is None:
        return
    english = source.strings.model_dump()
    # `translate` starts a language with every string commented out: that file reads as empty.
    doc = _read(path, content.problems, families, allow_empty=True)
    if doc is None:
        return
    content.documents.append(doc)
    data = doc.data
    merged = dict(english)
    for key, value in data.items():
        nested = isinstance(value, dict) and isinstance(english.get(key), dict) and key != "pages"
        merged[key] = {**english[key], **value} if nested else value
        if nested:
            content.missing_strings += [f"{key}.{k}" for k in english[key] if k not in value]
    for key, value in english.items():
        if key not in data:
            nested = isinstance(value, dict) and key != "pages"
            content.missing_strings += [f"{key}.{k}" for k in value] if nested else [key]
    try:
        content.strings = UIStrings.model_validate(merged)
    except ValidationError as error:
        content.problems.extend(explain(doc, error))
        return
    content.problems.extend(strings_problems(doc, english, plural_forms(content.code)))


def _load_termbase(content: LocaleContent, families: tuple[str, ...]) -> None:
    """Load a language's termbase, when it has one, and check its entries against each other."""
    from .termbase import termbase_problems

    path = content.folder / "terms.yaml"
    if path.exists() or path.is_symlink():  # is_symlink: a link loop must be reported, not skipped
        content.sources.append(path)
        doc, content.termbase = _load(path, Termbase, content.problems, families)
        if content.termbase:
            content.problems.extend(termbase_problems(doc, content.termbase))


def plural_forms(locale: str) -> set[str]:
    """Return the CLDR plural forms a language uses, such as {'one', 'other'} for English."""
    from babel import Locale

    return set(Locale.parse(locale, sep="-").plural_form.tags) | {"other"}


def _wrong_extensions(folder: Path) -> list[Problem]:
    return [Problem(path, 0, 0, "", "content files must end in .yaml") for path in sorted(folder.iterdir())
            if not path.name.startswith(".")  # hidden: an editor's, left out of the run key too
            and (path.suffix in {".yml", ".json"} or (path.is_file() and path.suffix == ""))]


def _read(path: Path, problems: list[Problem], families: tuple[str, ...] = (), allow_empty: bool = False
          ) -> Document | None:
    """Read one file, check its characters against `families` (default: all bundled) and that it is a mapping."""
    doc, found = read_yaml(path, allow_empty)
    problems.extend(found)
    if doc is None:
        return None
    problems.extend(glyph_problems(doc, families or tuple(fonts.FAMILIES)))
    if not isinstance(doc.data, dict):
        problems.append(doc.problem((), f"expected a mapping of keys, got {kind_of(doc.data)}"))
        return None
    return doc


def _load(path: Path, model: type[M], problems: list[Problem], families: tuple[str, ...] = ()
          ) -> tuple[Document | None, M | None]:
    """Read and validate one file; `families` are the fonts its text must be drawn in (default: all bundled)."""
    doc = _read(path, problems, families)
    if doc is None:
        return None, None
    try:
        return doc, model.model_validate(doc.data)
    except ValidationError as error:
        problems.extend(explain(doc, error))
        return doc, None


def glyph_problems(doc: Document, families: tuple[str, ...]) -> list[Problem]:
    """Return a problem for every character of a file's text values that the fonts it is printed in cannot draw.

    The parsed values are checked, so a YAML escape such as "\\U0001F600" is caught as well as the character.
    """
    problems = []
    for _, value, start, end in doc.scalars:
        for char in fonts.uncovered(value, families):
            line, column = doc.char_position(start, end, char)
            problems.append(Problem(doc.path, line, column, "",
                                    f"character {char!r} (U+{ord(char):04X}) is in none of the fonts "
                                    f"{', '.join(families)} and would print as an empty box; "
                                    f"{fonts.coverage_hint(char, families)}"))
    return problems


def _unknown_terms(doc: Document, topic: Topic, term_ids: set[str]) -> list[Problem]:
    problems = []
    for s, section in enumerate(topic.sections):
        for b, block in enumerate(section.blocks):
            if isinstance(block, Terms):
                for t, term in enumerate(block.terms):
                    if term not in term_ids:
                        loc = ("sections", s, "blocks", b, "terms", t)
                        problems.append(doc.problem(loc, f"no glossary term {term!r}{did_you_mean(term, term_ids)}"))
    return problems


def _check_booklet(project: Project, doc: Document) -> None:
    """Check that the booklet lists every English topic once, and nothing else."""
    known = set(project.source.files)
    listed = project.booklet.topics
    for i, topic_id in enumerate(listed):
        if topic_id not in known:
            project.problems.append(doc.problem(("topics", i), f"no topic {topic_id!r}{did_you_mean(topic_id, known)}"))
        elif listed.index(topic_id) != i:
            project.problems.append(doc.problem(("topics", i), f"topic {topic_id!r} is listed twice"))
    for topic_id in sorted(known - set(listed)):
        project.problems.append(doc.problem(("topics",), f"topic {topic_id!r} is missing from the booklet"))


def version_id(*parts: BaseModel) -> str:
    """Return a short id that changes whenever the content changes."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(json.dumps(part.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:8]


def load_clinic(path: Path) -> tuple[ClinicProfile | None, list[Problem]]:
    """Load and validate a clinic profile, including the logo file it names; None when anything is wrong."""
    from .logo import logo_problem

    problems: list[Problem] = []
    doc, clinic = _load(path, ClinicProfile, problems, fonts.LATIN)  # printed on every language's pages
    if clinic is None:
        return None, problems
    if clinic.logo is not None:
        logo, message = logo_problem(path.resolve().parent, clinic.logo)
        if message:
            problems.append(doc.problem(("logo",), message))
        else:
            clinic = clinic.model_copy(update={"logo": str(logo)})
    return (None if problems else clinic), problems  # a character no font draws is as wrong as a bad number
