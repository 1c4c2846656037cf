"""The health-literacy report: reading measures per language and PEMAT-informed findings, located in the YAML.

Measures: Flesch-Kincaid and SMOG for English (from `readability.py`); INFLESZ for Spanish
(Barrio-Cantalejo et al., 2008: the Szigriszt-Pazos index, 206.835 − 62.3·syllables/word −
words/sentence, read in five bands); for any other language an explicit "no validated
formula", never a number from a formula made for another language. A translation is
measured on the parts it prints in its own language; parts printed in English are left out.

Findings are checks informed by AHRQ's PEMAT for print materials (purpose evident, medical
terms defined, short sentences, a clear action, actions as steps, active voice). They are
not a PEMAT score: PEMAT is scored by people. Each rule is a small function in `RULES`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .content import LocaleContent, Project
from .errors import display_path
from .inflesz import inflesz, inflesz_band, spanish_syllables
from .readability import WORD, grade, split_sentences, topic_sentences
from .schema import Bullets, Callout, Contacts, Fields, Glossary, Paragraph, Questions, Steps, Terms, Timeline, Topic
from .schema_locale import GlossaryTranslation, Translation
from .source import Loc, format_loc, read_yaml
from .translation import SUMMARY

if TYPE_CHECKING:
    from .literacy_rules import TermIndex

LONG_SENTENCE = 20
"""Sentences of more words than this are findings (plain-language guidance: short sentences)."""

NO_FORMULA = "no validated readability formula for this language"

# Any script's words, with the combining marks of Latin and Arabic text kept inside the word.
LETTERS = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670])+(?:['’][^\W\d_]+)*")
SENTENCE_END = re.compile(r"[.!?؟。।]+(?=\s|$)")


# --- What a reader reads, with where it is in its file ------------------------------------------

@dataclass(frozen=True)
class Passage:
    """One text of a handout, with its key path in the file it comes from."""

    loc: Loc
    text: str
    kind: str  # title, purpose, key_point, heading, paragraph, bullet, step, question, callout_title, callout_text,
    #            callout_bullet, term, definition, label or terms (a terms block; its ids in `terms`)
    section: int = -1  # the section's index in the file; -1 for the title, purpose and key points
    measured: bool = False  # counted by the reading measures, as readability.topic_sentences counts it
    terms: tuple[str, ...] = ()


@dataclass
class Handout:
    """One topic (or the glossary) of one locale: the parts it prints in its own language."""

    locale: str
    topic: str
    path: Path
    document: Topic | Glossary | Translation | GlossaryTranslation  # as written in `path`
    passages: list[Passage]

    @property
    def language(self) -> str:
        return language_of(self.locale)

    @property
    def is_glossary(self) -> bool:
        return isinstance(self.document, Glossary | GlossaryTranslation)


def handouts(project: Project, topics=()) -> list[Handout]:
    """Return every loaded topic and glossary of the selected locales, glossary last (or only those in `topics`)."""
    found = []
    for code, locale in sorted(project.locales.items(), key=lambda item: not item[1].is_source):
        ids = list(locale.topics) + (["glossary"] if _has_glossary(locale) else [])
        for doc_id in ids:
            if topics and doc_id not in topics:
                continue
            if locale.is_source:
                document = locale.glossary if doc_id == "glossary" else locale.topics[doc_id]
                fallbacks: dict[str, str] = {}
            else:
                document, fallbacks = locale.translations[doc_id], locale.fallbacks.get(doc_id, {})
            path = locale.files.get(doc_id, locale.folder / "glossary.yaml")
            found.append(Handout(code, doc_id, path, document, list(passages(document, fallbacks))))
    return found


def language_of(code: str) -> str:
    """Return the language of a locale tag: `es` for es-MX, which decides the measure and the rules that apply."""
    return code.split("-")[0].lower()


def _has_glossary(locale: LocaleContent) -> bool:
    return locale.glossary is not None and (locale.is_source or "glossary" in locale.fallbacks)


def passages(document, fallbacks: dict[str, str]) -> Iterator[Passage]:
    """Yield the texts of a document in reading order, leaving out the parts printed in English instead."""
    if SUMMARY not in fallbacks:
        yield Passage(("title",), document.title, "title")
        yield Passage(("purpose",), document.purpose, "purpose", measured=True)
        for k, point in enumerate(getattr(document, "key_points", [])):
            yield Passage(("key_points", k), point, "key_point", measured=True)
    if isinstance(document, Glossary | GlossaryTranslation):
        for i, term in enumerate(document.terms):
            if term.id not in fallbacks:
                yield Passage(("terms", i, "term"), term.term, "term")
                yield Passage(("terms", i, "definition"), term.definition, "definition", measured=True)
        return
    for s, section in enumerate(document.sections):
        if section.id in fallbacks:
            continue
        yield Passage(("sections", s, "heading"), section.heading, "heading", s)
        for b, block in enumerate(section.blocks):
            yield from _block_passages(block, ("sections", s, "blocks", b), s)


def _block_passages(block, at: Loc, s: int) -> Iterator[Passage]:
    if isinstance(block, Paragraph):
        yield Passage(at + ("paragraph",), block.paragraph, "paragraph", s, True)
    elif isinstance(block, Bullets | Steps | Questions):
        key = type(block).__name__.lower()
        for k, item in enumerate(getattr(block, key)):
            yield Passage(at + (key, k), item, key.removesuffix("s"), s, True)
    elif isinstance(block, Callout):
        body = block.callout
        if body.title:
            yield Passage(at + ("callout", "title"), body.title, "callout_title", s)
        if body.text:
            yield Passage(at + ("callout", "text"), body.text, "callout_text", s, True)
        for k, item in enumerate(body.bullets or []):
            yield Passage(at + ("callout", "bullets", k), item, "callout_bullet", s, True)
    elif isinstance(block, Timeline):
        body = block.timeline
        yield Passage(at + ("timeline", "title"), body.title, "callout_title", s)
        for k, phase in enumerate(body.phases):
            yield Passage(at + ("timeline", "phases", k, "text"), phase.text, "bullet", s, True)
        if body.maybe:
            yield Passage(at + ("timeline", "maybe", "text"), body.maybe.text, "bullet", s, True)
    elif isinstance(block, Terms):
        yield Passage(at + ("terms",), "", "terms", s, terms=tuple(block.terms))
    elif isinstance(block, Contacts):
        for k, contact in enumerate(block.contacts):
            yield Passage(at + ("contacts", k, "role"), contact.role, "label", s)
    elif isinstance(block, Fields):
        for k, form_field in enumerate(block.fields):
            yield Passage(at + ("fields", k, "label"), form_field.label, "label", s)


def sentences(handout: Handout, text: str) -> tuple[str, ...]:
    """Split a text into sentences: English as `readability` does, other scripts by their own end marks."""
    return _split(handout.language, text)


@lru_cache(maxsize=4096)  # every rule reads the same sentences
def _split(language: str, text: str) -> tuple[str, ...]:
    if language == "en":
        return tuple(split_sentences(text))
    text = re.sub(r"\{(\w+)\}", "this", re.sub(r"[*_`]", "", unicodedata.normalize("NFC", text)))
    return tuple(part.strip() for part in SENTENCE_END.split(text) if LETTERS.search(part))


def as_written(text: str) -> list[str]:
    """Split a text into sentences with its placeholders kept, to quote a sentence as the editor wrote it."""
    text = re.sub(r"\*\*|\*|`", "", unicodedata.normalize("NFC", text))
    return [part.strip() for part in SENTENCE_END.split(text) if LETTERS.search(part)]


def words(handout: Handout, sentence: str) -> list[str]:
    """Return the words of a sentence, counted as the language's measure counts them."""
    return (WORD if handout.language == "en" else LETTERS).findall(sentence)


# --- Reading measures -------------------------------------------------------------------------

@dataclass(frozen=True)
class Measures:
    """How hard a handout is to read, by the formula its language has (or none)."""

    formula: str | None
    words: int
    sentences: int
    grade: float | None = None  # Flesch-Kincaid grade (English)
    smog: float | None = None  # SMOG grade (English)
    inflesz: float | None = None  # Szigriszt-Pazos index on the INFLESZ scale (Spanish)
    note: str | None = None

    @property
    def band(self) -> str | None:
        return inflesz_band(self.inflesz) if self.inflesz is not None else None


def measure(handout: Handout) -> Measures:
    """Return the reading measures of a handout's text in its own language."""
    found = [s for p in handout.passages if p.measured for s in sentences(handout, p.text)]
    if handout.language == "en":
        document = handout.document  # the source itself: exactly the figures `check` prints and gates on
        g = grade(topic_sentences(document) if isinstance(document, Topic | Glossary) else found)
        return Measures("Flesch-Kincaid grade, SMOG grade", g.words, g.sentences, g.flesch_kincaid, g.smog)
    counted = [w for s in found for w in words(handout, s)]
    if handout.language == "es":
        score = inflesz(len(counted), len(found), sum(spanish_syllables(w) for w in counted))
        return Measures("INFLESZ (Szigriszt-Pazos)", len(counted), len(found), inflesz=score,
                        note=None if score is not None else "nothing translated yet")
    return Measures(None, len(counted), len(found), note=NO_FORMULA)


# --- Findings ---------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Finding:
    """One thing an editor may want to fix, located in a file."""

    file: Path
    line: int  # 0 until located (see `locate`)
    column: int
    rule: str
    message: str
    loc: Loc = field(default=(), compare=False)

    def __str__(self) -> str:
        place = display_path(self.file) + (f":{self.line}:{self.column}" if self.line else "")
        where = "" if self.line else f" {format_loc(self.loc)}:"
        return f"{place}:{where} {self.rule}: {self.message}"

    def as_json(self) -> dict:
        return {"rule": self.rule, "file": display_path(self.file), "line": self.line, "column": self.column,
                "message": self.message}


@dataclass(frozen=True)
class Rule:
    """A literacy rule: its name, the languages it can judge (None: any) and the function that applies it."""

    name: str
    languages: frozenset[str] | None
    check: Callable[[Handout, Context], Iterator[tuple[Loc, str]]]


@dataclass
class Context:
    """What rules need beyond the handout: the medical terms of its locale."""

    terms: TermIndex | None = None


def findings(handout: Handout, context: Context) -> list[Finding]:
    """Apply every rule that can judge the handout's language; findings are not yet located by line."""
    from .literacy_rules import RULES

    return [Finding(handout.path, 0, 0, rule.name, message, loc)
            for rule in RULES if rule.languages is None or handout.language in rule.languages
            for loc, message in rule.check(handout, context)]


def locate(found: list[Finding]) -> list[Finding]:
    """Return the findings with the line and column of each key path, reading each file once."""
    documents = {}
    out = []
    for finding in found:
        if finding.file not in documents:
            documents[finding.file] = read_yaml(finding.file)[0]
        doc = documents[finding.file]
        line, column = doc.position(finding.loc) if doc else (0, 0)
        out.append(Finding(finding.file, line, column, finding.rule, finding.message, finding.loc))
    return out


# --- The report ------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the report: a handout's measures and findings."""

    handout: Handout
    measures: Measures
    findings: list[Finding]


def contexts(project: Project) -> dict[str, Context]:
    """Return each locale's context; only English has a term index, as only the English term rule reads it."""
    from .literacy_rules import TermIndex

    return {code: Context(TermIndex.of(locale.glossary) if language_of(code) == "en" else None)
            for code, locale in project.locales.items()}


def report(project: Project, topics=()) -> list[Row]:
    """Measure and judge every selected handout, reading each file with findings again for line and column."""
    context = contexts(project)
    rows = []
    for handout in handouts(project, topics):
        found = findings(handout, context[handout.locale])
        rows.append(Row(handout, measure(handout), sorted(locate(found))))
    return rows


def as_json(rows: list[Row]) -> list[dict]:
    """Return the report as plain data, one object per locale and topic."""
    return [{"locale": row.handout.locale, "topic": row.handout.topic, "file": display_path(row.handout.path),
             "formula": row.measures.formula, "grade": row.measures.grade, "smog": row.measures.smog,
             "inflesz": row.measures.inflesz, "inflesz_band": row.measures.band, "words": row.measures.words,
             "sentences": row.measures.sentences, "note": row.measures.note,
             "findings": [f.as_json() for f in row.findings]} for row in rows]


def as_text(rows: list[Row]) -> str:
    """Return the report as a table per locale, then every finding as `file:line:col: rule: message`."""
    lines = ["Health-literacy report: reading measures and PEMAT-informed findings (not a PEMAT score)."]
    for code in dict.fromkeys(row.handout.locale for row in rows):
        mine = [row for row in rows if row.handout.locale == code]
        language = mine[0].handout.language
        lines.append("")
        if language == "en":
            lines.append(f"{code}: Flesch-Kincaid and SMOG grades (the AMA aims at grade 6, NIH at 8 or below; "
                         f"SMOG reads 2 to 3 grades higher)")
            lines.append(f"  {'topic':36} {'FK':>5} {'SMOG':>5} {'words':>6} {'sent.':>6} {'findings':>9}")
        elif language == "es":
            lines.append(f"{code}: INFLESZ, the Szigriszt-Pazos index (higher is easier: 0-40 very hard, 40-55 somewhat "
                         f"hard, 55-65 normal, 65-80 fairly easy, 80-100 very easy)")
            lines.append(f"  {'topic':36} {'INFLESZ':>7} {'band':13} {'words':>6} {'sent.':>6} {'findings':>9}")
        else:
            lines.append(f"{code}: {NO_FORMULA}; word and sentence counts only")
            lines.append(f"  {'topic':36} {'words':>6} {'sent.':>6} {'findings':>9}")
        for row in mine:
            m, name = row.measures, row.handout.topic
            tail = f"{m.words:6} {m.sentences:6} {len(row.findings):9}"
            if language == "en":
                lines.append(f"  {name:36} {m.grade:5.1f} {m.smog:5.1f} {tail}")
            elif language == "es":
                score = f"{m.inflesz:7.1f}" if m.inflesz is not None else f"{'-':>7}"
                lines.append(f"  {name:36} {score} {m.band or m.note or '':13} {tail}")
            else:
                lines.append(f"  {name:36} {tail}")
    found = [f for row in rows for f in row.findings]
    if found:
        lines += ["", "Findings:"] + [str(f) for f in found]
    counts = Counter(f.rule for f in found)
    lines += ["", f"{len(found)} finding{'s' * (len(found) != 1)}"
                  + (": " + ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items())) if found else "") + "."]
    return "\n".join(lines)


def check_warnings(project: Project, topics=()) -> list[str]:
    """Return one warning per locale with findings, for `build` and `serve` to print: never an error.

    No file is read again and nothing is measured, so it costs `check` a few hundredths of a second.
    """
    context = contexts(project)
    by_locale: dict[str, Counter] = {}
    files: dict[str, set[Path]] = {}
    for handout in handouts(project, topics):
        for finding in findings(handout, context[handout.locale]):
            by_locale.setdefault(handout.locale, Counter())[finding.rule] += 1
            files.setdefault(handout.locale, set()).add(handout.path)
    lines = []
    for code, counts in by_locale.items():
        total, rules = sum(counts.values()), ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items()))
        lines.append(f"{code}: {total} health-literacy finding{'s' * (total > 1)} in {len(files[code])} "
                     f"file{'s' * (len(files[code]) > 1)} ({rules}): `generate.py literacy --locale {code}` lists them")
    return lines
