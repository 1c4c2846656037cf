"""A language's termbase (`handouts/<locale>/terms.yaml`): one word for each concept, everywhere.

Each entry names the preferred term and the variants to avoid. `check` reports every variant it
finds in the text of that language's topics, glossary and strings, as
`file:line:col: termbase: use "preferred" instead of "variant"`, the way translation QA tools do.

Matching is by whole words, ignoring case, in any Unicode script: `atención` is one word, and a
term may span a line break in the YAML. For Arabic, vowel marks and the tatweel are ignored, and a
termbase may name the article (`ال`) and the letters that join the start of a word (`و`, `ب`, `ل`…),
so `والمرض` and `للمرض` are found by the term `المرض`. A variant inside an occurrence of a
preferred term (`equipo de atención` inside `equipo de atención médica`, when that is preferred)
is not reported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .errors import Problem
from .schema_locale import Termbase
from .source import Document, Loc, format_loc

MARKS = "\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640"
"""Arabic vowel marks, Quranic marks and the tatweel: written or left out, the word is the same."""
_MARKS = re.compile(f"[{MARKS}]")
SKIPPED_KEYS = {"id", "translated_from", "kind", "status"}
"""Values that are names the program reads, not text a reader sees."""


def is_word_char(char: str) -> bool:
    """Return whether a character belongs to a word: a letter, a mark or a digit, in any script."""
    return unicodedata.category(char)[0] in "LMN"


def key(term: str) -> str:
    """Return the form two terms are compared in: marks dropped, spaces collapsed, case folded."""
    return unicodedata.normalize("NFC", " ".join(_MARKS.sub("", term).split())).casefold()


@dataclass(frozen=True)
class Matcher:
    """Finds one term as whole words in a text."""

    pattern: re.Pattern
    joiners: tuple[str, ...]  # what may join the start of the word: the article and the prefixes
    word_start: bool
    word_end: bool

    def find(self, original: str) -> list[tuple[int, int]]:
        """Return the (start, end) of every occurrence in `original`, a joined article or prefix included."""
        text, where = _plain(original)
        spans, position = [], 0
        while (match := self.pattern.search(text, position)) is not None:
            start, end = match.span()
            position = start + 1
            if self.word_end and end < len(text) and is_word_char(text[end]):
                continue
            if self.word_start:
                first = start
                while first > 0 and is_word_char(text[first - 1]):
                    first -= 1
                if first < start and not _splits(text[first:start], self.joiners):
                    continue
                start = first
            spans.append((where[start], where[end] if end < len(where) else len(original)) if where else (start, end))
        return spans


@lru_cache(maxsize=64)
def _plain(text: str) -> tuple[str, tuple[int, ...]]:
    """Return the text without Arabic marks, and where each of its characters is in `text` (empty: the same)."""
    if not _MARKS.search(text):
        return text, ()
    where = tuple(i for i, c in enumerate(text) if not _MARKS.match(c))
    return "".join(text[i] for i in where), where


def _splits(run: str, joiners: tuple[str, ...]) -> bool:
    """Return whether `run` is a sequence of joiners, such as `وب` or `وال`."""
    return not run or any(run.startswith(j) and _splits(run[len(j):], joiners) for j in joiners if j)


@lru_cache(maxsize=512)
def matcher(term: str, article: str | None = None, prefixes: tuple[str, ...] = ()) -> Matcher:
    """Compile a term: whole words, any case, any spacing between words, NFC or NFD text."""
    words = _MARKS.sub("", term).split()
    if article and words and words[0].startswith(article) and len(words[0]) > len(article) + 1:
        words[0] = words[0][len(article):]  # the article is matched as a joiner, so `للمرض` is found too
    forms = []
    for form in ("NFC", "NFD"):
        forms.append(r"\s+".join(map(re.escape, unicodedata.normalize(form, " ".join(words)).split())))
    text = "".join(words)
    return Matcher(re.compile("|".join(dict.fromkeys(forms)), re.IGNORECASE),
                   tuple(_MARKS.sub("", j) for j in (article, *prefixes) if j), bool(text) and is_word_char(text[0]),
                   bool(text) and is_word_char(text[-1]))


def termbase_problems(doc: Document, termbase: Termbase) -> list[Problem]:
    """Return the mistakes of a termbase itself: a term twice, a term both preferred and avoided, a bad prefix."""
    problems = []
    for name in ("article", "prefixes"):
        values = [(termbase.article, (name,))] if name == "article" else [
            (p, (name, i)) for i, p in enumerate(termbase.prefixes)]
        for value, loc in values:
            if value is not None and not all(is_word_char(c) for c in value):
                problems.append(doc.problem(loc, f"{value!r} must be letters only, with no spaces or punctuation"))
    seen: dict[str, tuple[Loc, str]] = {}
    places = [(e.preferred, ("terms", i, "preferred"), "preferred") for i, e in enumerate(termbase.terms)]
    places += [(v, ("terms", i, "avoid", j), "avoided") for i, e in enumerate(termbase.terms) for j, v in enumerate(e.avoid)]
    for term, loc, role in places:
        if not any(is_word_char(c) for c in term):
            problems.append(doc.problem(loc, f"{term!r} has no letter or digit to match"))
            continue
        first = seen.get(key(term))
        if first is None:
            seen[key(term)] = (loc, role)
            continue
        where = f"{format_loc(first[0])} (line {doc.position(first[0])[0]})"
        if first[1] == "preferred" and role == "avoided" and loc[1] == first[0][1]:
            message = f"{term!r} is this entry's preferred term; it cannot also be avoided"
        elif first[1] == "preferred" and role == "avoided":
            message = f"{term!r} is the preferred term of {where}; a term cannot be both preferred and avoided"
        else:
            message = f"{term!r} is already listed at {where}"
        problems.append(doc.problem(loc, message))
    return problems


def variant_problems(termbase: Termbase, documents: list[Document]) -> list[Problem]:
    """Return a problem for every avoided variant in the text of `documents`."""
    options = (termbase.article, tuple(termbase.prefixes))
    preferred = [matcher(e.preferred, *options) for e in termbase.terms]
    variants = [(e, v, matcher(v, *options)) for e in termbase.terms for v in e.avoid if v.strip()]
    anywhere = re.compile("|".join(f"(?:{m.pattern.pattern})" for _, _, m in variants), re.IGNORECASE)
    problems = []
    for doc in documents:
        for loc, value, start, end in reader_text(doc):
            if not anywhere.search(_plain(value)[0]):
                continue  # most text holds no variant: one search instead of one per variant
            found = []
            for entry, variant, match in variants:
                spans = match.find(value)
                if spans:
                    in_source = match.find(doc.text[start:end])
                    exact = len(in_source) == len(spans)
                    found += [(span, in_source[k] if exact else None, entry, variant) for k, span in enumerate(spans)]
            if not found:
                continue
            kept = [span for m in preferred for span in m.find(value)]  # a preferred term shields what it holds
            for span, source_span, entry, variant in sorted(found, key=lambda f: (f[0][0], f[0][0] - f[0][1])):
                if any(a <= span[0] and span[1] <= b for a, b in kept):
                    continue
                kept.append(span)
                line, column = doc.index_position(start + source_span[0] if source_span else start)
                note = f" ({entry.note})" if entry.note else ""
                problems.append(Problem(doc.path, line, column, "termbase",
                                        f'use "{entry.preferred}" instead of "{variant}"{note}'))
    return problems


def reader_text(doc: Document):
    """Yield (loc, value, start, end) for each text value a reader sees; ids, hashes and untranslated English are skipped."""
    leaves: dict[Loc, str] = {}
    _leaves(doc.data, (), leaves)
    for loc, value, start, end in doc.scalars:
        if leaves.get(loc) != value or (loc and loc[0] == "review"):
            continue  # a key, or the review's names and dates
        last = next((part for part in reversed(loc) if isinstance(part, str)), "")
        if last in SKIPPED_KEYS or (len(loc) > 1 and loc[-2] == "terms" and isinstance(loc[-1], int)):
            continue  # a `terms` block lists glossary ids
        if not _untranslated(doc.data, loc):
            yield loc, value, start, end


def _leaves(data, loc: Loc, out: dict[Loc, str]) -> None:
    if isinstance(data, str):
        out[loc] = data
    elif isinstance(data, dict):
        for name, value in data.items():
            _leaves(value, loc + (name,), out)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _leaves(value, loc + (i,), out)


def _untranslated(data, loc: Loc) -> bool:
    """Return whether `loc` lies in a part still marked `untranslated`: it is English, printed as such."""
    if isinstance(data, dict) and data.get("untranslated") is True and loc and loc[0] not in ("sections", "terms"):
        return True  # a translation's first part: title, purpose and key points
    if len(loc) > 2 and loc[0] in ("sections", "terms") and isinstance(data, dict):
        items = data.get(loc[0])
        if isinstance(items, list) and isinstance(loc[1], int) and loc[1] < len(items):
            return isinstance(items[loc[1]], dict) and items[loc[1]].get("untranslated") is True
    return False
