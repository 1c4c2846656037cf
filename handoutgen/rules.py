"""Every rule the content must meet, in one place that `check`, `build` and `serve` all call.

The loader (`content.py`) checks each file on its own as it reads it: YAML, the schema,
placeholders, characters and fonts, translations against the English. The rules here check
what needs more than one file or more than the text: urgency in the fridge page's words (`urgency.py`),
reading grades, review dates and drafts, what a translation still prints in English, the words a
language's termbase says to avoid, packs asked for by name, and the clinic profile.
The rules about the rendered pages themselves are in `verify.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .content import SOURCE_LOCALE, LocaleContent, Project, load_clinic, load_project
from .errors import Problem, listing
from .errors import display_path as display
from .footer import footer_problems
from .literacy import check_warnings as literacy_warnings
from .schema import did_you_mean
from .schema_clinic import ClinicProfile
from .schema_locale import Translation
from .urgency import urgency_problems


@dataclass(frozen=True)
class GradeLine:
    """The reading grade of one English topic, as `check` prints it."""

    topic: str
    flesch_kincaid: float
    smog: float
    limit: float

    @property
    def too_hard(self) -> bool:
        return self.flesch_kincaid > self.limit


@dataclass
class Checked:
    """What checking found: the content, the clinic, problems (errors) and warnings."""

    project: Project
    clinic: ClinicProfile | None
    clinic_failed: bool  # a profile was given and could not be read: not the same as --no-clinic
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    profile_warnings: list[str] = field(default_factory=list)  # the clinic profile's, which `check` prints too
    grades: list[GradeLine] = field(default_factory=list)


def check(content: Path, clinic_file: Path | None, locales=(), topics=(), *, packs=(), today: dt.date | None = None,
          strict: bool = False, load_topics=None) -> Checked:
    """Load and check everything a run would use; a locale with a problem of its own is marked to write nothing.

    `topics` limits the review rules to those documents; `load_topics` (default: `topics`)
    limits what is loaded, since a pack or the booklet needs every topic.
    """
    load = list(topics if load_topics is None else load_topics) or None
    project = load_project(content, list(locales) or None, load)
    clinic, clinic_problems = load_clinic(clinic_file) if clinic_file else (None, [])
    checked = Checked(project, clinic, clinic_file is not None and clinic is None)
    checked.grades = _grade_rule(project)
    _urgency_rule(project)
    checked.warnings += literacy_warnings(project, topics)  # PEMAT-informed findings: warnings, never errors
    if today is not None:
        checked.warnings += _review_rule(project, today, strict, list(topics))
    _termbase_rule(project)
    if clinic is not None and clinic_file is not None:
        strings = {code: locale.strings for code, locale in project.locales.items() if locale.strings is not None}
        sure, maybe = footer_problems(clinic, clinic_file, strings, clinic.paper or "letter")
        clinic_problems += sure
        checked.profile_warnings = [str(problem) for problem in maybe]
        checked.warnings += checked.profile_warnings
    checked.problems = sorted(project.all_problems() + clinic_problems + _unknown_packs(project, packs))
    return checked


def _grade_rule(project: Project) -> list[GradeLine]:
    """Grade every English topic; one over its limit is a problem of the English, so nothing builds from it."""
    from .readability import grade, topic_sentences

    source = project.source
    if source is None or source.strings is None:
        return []
    lines = []
    items = list(source.topics.items()) + ([("glossary", source.glossary)] if source.glossary else [])
    for topic_id, topic in items:
        g = grade(topic_sentences(topic))
        line = GradeLine(topic_id, g.flesch_kincaid, g.smog, getattr(topic, "reading_grade", 8.0))
        lines.append(line)
        if line.too_hard:
            source.problems.append(Problem(source.files.get(topic_id, source.folder / "glossary.yaml"), 0, 0, "",
                                           f"reads at grade {g.flesch_kincaid} (Flesch-Kincaid); the limit is "
                                           f"{line.limit:g}: use shorter sentences and plainer words"))
    return lines


def _urgency_rule(project: Project) -> None:
    """Every handout says when to call in the fridge page's words; a difference is a problem of its locale."""
    for locale in project.locales.values():
        documents = locale.topics if locale.is_source else {
            doc_id: doc for doc_id, doc in locale.translations.items() if isinstance(doc, Translation)}
        locale.problems += urgency_problems(documents, locale.files)


def _termbase_rule(project: Project) -> None:
    """Report every variant a language's termbase says to avoid, in its content and strings; the locale writes nothing."""
    from .termbase import variant_problems

    for locale in project.locales.values():
        if locale.termbase:
            locale.problems += variant_problems(locale.termbase, locale.documents)


def _unknown_packs(project: Project, packs) -> list[Problem]:
    known = [p.id for p in project.packs.packs] if project.packs else []
    return [Problem(project.root / "packs.yaml", 0, 0, "", f"no pack {pack_id!r}{did_you_mean(pack_id, known)}; "
                    f"packs: {', '.join(known)}") for pack_id in packs if pack_id not in known]


def _review_rule(project: Project, on: dt.date, strict: bool, topics: list[str]) -> list[str]:
    """Return warnings for overdue reviews and gaps; with --strict they are problems of their locale instead."""
    warnings = []
    for locale in project.locales.values():
        errors = []
        items = [(locale.files[t], topic) for t, topic in locale.topics.items()]
        if locale.glossary and (not topics or "glossary" in topics):
            items.append((locale.folder / "glossary.yaml", locale.glossary))
        for path, topic in items:
            review = topic.review
            if review.next_review and review.next_review < on:
                message = f"review overdue since {review.next_review.isoformat()}"
                if strict:
                    errors.append(Problem(path, 0, 0, "review.next_review", message))
                else:
                    warnings.append(f"{display(path)}: {message}")
            elif review.is_draft and strict:
                errors.append(Problem(path, 0, 0, "review.status", "draft: not reviewed by a clinician (--strict)"))
        if not locale.is_source:
            gaps, drafts = _translation_gaps(locale, topics)
            errors += gaps + drafts if strict else []
            warnings += [] if strict else [str(problem) for problem in gaps]  # a draft says so on every page
        locale.problems += errors  # a locale with any of these writes nothing
    return warnings


def _translation_gaps(locale: LocaleContent, topics) -> tuple[list[Problem], list[Problem]]:
    """Return what a translation prints in English, and its draft reviews."""
    gaps: list[Problem] = []
    drafts: list[Problem] = []
    for doc_id, fallbacks in sorted(locale.fallbacks.items()):
        if topics and doc_id not in topics:
            continue
        path = locale.folder / f"{doc_id}.yaml"
        for reason in ("untranslated", "outdated"):
            parts = [name for name, why in fallbacks.items() if why == reason]
            if parts:
                what = "not translated" if reason == "untranslated" else "changed in English since translated"
                gaps.append(Problem(path, 0, 0, "", f"{len(parts)} part{'s' * (len(parts) > 1)} printed in English, "
                                                    f"{what}: {listing(parts)}"))
        review = locale.reviews.get(doc_id)
        if review and review.is_draft:
            drafts.append(Problem(path, 0, 0, "review.status", "draft translation: not reviewed by a qualified "
                                                               "medical translator (--strict)"))
    if locale.missing_strings:
        gaps.append(Problem(locale.folder / "strings.yaml", 0, 0, "", f"{len(locale.missing_strings)} UI strings "
                                                                      f"printed in English: {listing(locale.missing_strings)}"))
    return gaps, drafts


def buildable(project: Project, code: str) -> bool:
    """Return whether a locale may be built: it and, for a translation, the English it merges with are sound."""
    locale = project.locales[code]
    return not locale.problems and (locale.is_source or not (project.source and project.source.problems))


__all__ = ["Checked", "GradeLine", "SOURCE_LOCALE", "buildable", "check"]
