"""The PEMAT-informed literacy rules, one small function each, listed in `RULES`.

Each rule takes a handout and yields (key path, message) pairs; `literacy.findings` locates
them. The English rules are plain heuristics over words, documented on each function: no
language model, nothing downloaded, so `check` stays fast and the results are the same
everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from .literacy import LONG_SENTENCE, Context, Handout, Passage, Rule, as_written, sentences, words
from .schema import Glossary
from .source import Loc

# Medical words a caregiver may not know, beside the glossary's own terms. A word that is also
# part of a glossary term (leukemia, biopsy) counts as defined wherever that term's definition is shown.
MEDICAL_WORDS = (
    "chemotherapy", "lumbar puncture", "neutropenia", "neutrophil", "platelets", "remission", "relapse", "MRD",
    "minimal residual disease", "Philadelphia chromosome", "induction", "consolidation", "maintenance", "CAR T-cell",
    "immunotherapy", "leukemia", "lymphoblast", "transplant", "biopsy", "bone marrow", "intrathecal", "prophylaxis",
    "petechiae", "anemia", "cytogenetics", "flow cytometry", "aspiration", "steroid", "central line", "PICC line",
    "graft-versus-host disease", "GVHD", "engraftment", "asparaginase", "methotrexate", "vincristine",
    "tyrosine kinase inhibitor", "absolute neutrophil count", "ANC", "immunosuppressed", "oncologist",
    "hematologist", "palliative",
)

SUBJECT = frozenset({"all"})
"""Glossary ids of the subject of every handout (ALL, and leukemia with it): every reader has been told the
diagnosis, "What is ALL?" and the glossary define it, and flagging it in every topic would bury the rest."""

# Verbs that start an instruction to the reader ("Call the team.", "Do not give fever medicine.").
IMPERATIVE_VERBS = frozenset("""
    ask avoid be bring brush call carry check choose clean contact cover do don't drink eat fill find follow get give go
    have help keep learn let limit list look make mark note offer pack plan protect put read record remember report
    rest return save say see seek share show sign skip sleep speak start stay stop store take talk tell text think
    throw try use visit wait walk wash watch wear write
""".split())
# A first word followed by one of these is a noun or a question, not an order: "Rest is good.", "Sleep gets
# broken up.", "Do we ...?"
NOT_AFTER_VERB = frozenset("is are was were can could will would may might should must has had of i we you he she it "
                           "they comes does gets goes helps keeps lasts looks makes means needs seems starts takes "
                           "works".split())
LEAD_INS = frozenset("please always never also then now first next just and or but".split())
CONDITIONS = frozenset("if when before after while once until whenever during".split())
READER = re.compile(r"\byou(?:r|rs|rself|rselves)?\b", re.IGNORECASE)

# Passive voice in an instruction: a modal of obligation, "be" and a past participle ("should be given").
PARTICIPLES = ("given|taken|done|kept|made|put|set|told|brought|shown|held|sent|left|paid|cut|read|thrown|worn|"
               "eaten|drunk|written|chosen|seen|known|broken|hidden|spoken|drawn|found|bought|caught|taught")
PASSIVE_INSTRUCTION = re.compile(
    r"\b(?:should|must|needs? to|has to|have to|ought to|is to|are to)\s+(?:not\s+|also\s+|always\s+|never\s+|only\s+)?"
    rf"be\s+(?:[a-z]+ed|{PARTICIPLES})\b", re.IGNORECASE)

# After a term: a parenthesis, or a verb that says what it is ("MRD stands for ...", "Remission means ...").
EXPLAINED_AFTER = re.compile(r"\s*(?:\(|,?\s+(?:is|are|means|mean|stands for|is short for|is also called)\b|"
                             r",\s+(?:or|also called|which is|which are|which means)\b)", re.IGNORECASE)
# Before a term: it is being named ("This is called a relapse.", "... stands for minimal residual disease").
EXPLAINED_BEFORE = re.compile(r"(?:\b(?:called|known as|named|stands for|short for|means|call (?:this|it|them))\s+"
                              r"(?:an?\s+|the\s+)?|"
                              r"\w\s*\(\s*)$", re.IGNORECASE)


# --- The rules --------------------------------------------------------------------------------

def purpose_rule(handout: Handout, context: Context) -> Iterator[tuple[Loc, str]]:
    """Flag a purpose that is not a real sentence: under 4 words, or the title again (PEMAT: purpose is evident)."""
    passage = _first(handout, "purpose")
    if passage is None:
        return  # printed in English: judged there
    count = len(words(handout, passage.text))
    title = _first(handout, "title")
    if count < 4:
        yield passage.loc, (f"the purpose is {count} word{'s' * (count != 1)}: say in one sentence what this "
                            f"handout is for, such as 'This handout tells you when to call the care team.'")
    elif title and _plain(title.text) == _plain(passage.text):
        yield passage.loc, "the purpose repeats the title: say in one sentence what the reader will learn or do"


def key_points_rule(handout: Handout, context: Context) -> Iterator[tuple[Loc, str]]:
    """Flag a topic with fewer than 3 real key points, statements of 3 words or more (PEMAT: a summary)."""
    points = [p for p in handout.passages if p.kind == "key_point"]
    if handout.is_glossary or not points:
        return  # the glossary has none; a summary printed in English is judged there
    real = [p for p in points if len(words(handout, p.text)) >= 3]
    if len(real) < 3:
        says = "says" if len(real) == 1 else "say"
        yield ("key_points",), (f"only {len(real)} of the {len(points)} key points {says} something (3 words or "
                                f"more): give 3 to 5 short statements of what the reader must remember")


def undefined_term_rule(handout: Handout, context: Context) -> Iterator[tuple[Loc, str]]:
    """Flag medical terms used before they are defined, each once per topic (PEMAT: medical terms are defined).

    A term is defined by a `terms` block listing it in the same section as its first use or an
    earlier one, or by its sentence: followed by a parenthesis, "is", "are", "means", "stands
    for", ", or" or ", also called"; named just after "called", "known as" or "stands for"; or
    in parentheses after plain words ("Cancer doctor (oncologist)"). Once defined, later uses
    are fine. The title, purpose and key points have no place for a `terms` block, so a term
    there counts as defined when the topic defines it anywhere. ALL (and leukemia) is the
    subject of every handout and is not flagged (see `SUBJECT`). The glossary is not judged:
    it is where the terms are defined.
    """
    if handout.is_glossary or context.terms is None:
        return
    listed = {term_id for p in handout.passages for term_id in p.terms}  # shown somewhere in the topic
    explained = {term.key for p in handout.passages if p.section >= 0 for sentence in sentences(handout, p.text)
                 for start, end, term in context.terms.find(sentence) if _explained(sentence, start, end)}
    shown: set[str] = set()  # glossary ids whose definitions the reader has seen so far
    done: set[str] = set(SUBJECT)  # terms defined or already reported
    for section, items in _by_section(handout.passages):
        summary = section < 0
        shown |= {term_id for p in items for term_id in p.terms}
        visible = listed if summary else shown
        for passage in items:
            missing: list[tuple[str, Term]] = []
            for sentence in sentences(handout, passage.text):
                for start, end, term in context.terms.find(sentence):
                    if term.key in done:
                        continue
                    done.add(term.key)
                    defined = term.ids & visible or (summary and term.key in explained)
                    if not (defined or _explained(sentence, start, end)):
                        missing.append((sentence[start:end], term))
            in_glossary = [(used, term) for used, term in missing if term.ids]
            if in_glossary:
                names, ids = _listing([u for u, _ in in_glossary]), _listing([min(t.ids) for _, t in in_glossary])
                where = "anywhere in this topic" if summary else "in a `terms` block of this section"
                yield passage.loc, (f"{names} {'is' if len(in_glossary) == 1 else 'are'} used before "
                                    f"{'it is' if len(in_glossary) == 1 else 'they are'} defined: list {ids} {where}, "
                                    f"or say what {'it means' if len(in_glossary) == 1 else 'each means'} in the "
                                    f"same sentence")
            others = [used for used, term in missing if not term.ids]
            if others:
                one = len(others) == 1
                yield passage.loc, (f"{_listing(others)}: medical term{'' if one else 's'} not in the glossary: say "
                                    f"what {'it means' if one else 'each means'} in the same sentence, or add "
                                    f"{'it' if one else 'them'} to glossary.yaml and a `terms` block")


def long_sentence_rule(handout: Handout, context: Context) -> Iterator[tuple[Loc, str]]:
    """Flag every sentence of more than 20 words (plain-language guidance: short sentences)."""
    for passage in handout.passages:
        if not passage.measured:
            continue
        split, quoted = sentences(handout, passage.text), as_written(passage.text)
        for i, sentence in enumerate(split):
            found = words(handout, sentence)
            if len(found) > LONG_SENTENCE:
                start = " ".join((quoted[i] if len(quoted) == len(split) else sentence).split()[:6])
                yield passage.loc, (f"a sentence of {len(found)} words (over {LONG_SENTENCE}): split it; it starts "
                                    f"{start!r}")


def no_action_rule(handout: Handout, context: Context) -> Iterator[tuple[Loc, str]]:
    """Flag a topic with no sentence addressed to the reader: no "you" and no instruction (PEMAT: a clear action)."""
    if handout.is_glossary or not handout.passages:
        return
    for passage in handout.passages:
        for sentence in sentences(handout, passage.text):
            if READER.search(sentence) or is_instruction(sentence):
                return
    yield ("key_points",), ("nothing tells the reader what to do: add at least one clear action addressed to "
                            "'you', best among the key points")


def actions_not_steps_rule(handout: Handout, context: Context) -> Iterator[tuple[Loc, str]]:
    """Flag a paragraph of three or more instructions: they read better as a numbered `steps` block."""
    for passage in handout.passages:
        if passage.kind in {"paragraph", "callout_text"}:
            orders = [s for s in sentences(handout, passage.text) if is_instruction(s)]
            if len(orders) >= 3:
                yield passage.loc, (f"{len(orders)} instructions in one paragraph: make them a `steps` block, one "
                                    f"action a step")


def passive_instruction_rule(handout: Handout, context: Context) -> Iterator[tuple[Loc, str]]:
    """Flag an instruction in the passive voice: "should", "must", "needs to", "is to" + be + a participle.

    A plain pattern, not grammar: "must be taken" is flagged, "can be low" (a fact, not an
    instruction) is not. Say who does it: "Give it with food", "Your child takes it at night".
    """
    for passage in handout.passages:
        if passage.kind in {"title", "heading", "term", "label", "terms"}:
            continue
        for sentence in sentences(handout, passage.text):
            match = PASSIVE_INSTRUCTION.search(sentence)
            if match:
                yield passage.loc, (f"passive instruction {match.group(0)!r}: say who does it, such as "
                                    f"'Give it ...' or 'Your child takes it ...'")


ENGLISH = frozenset({"en"})

RULES = (
    Rule("purpose", None, purpose_rule),
    Rule("key-points", None, key_points_rule),
    Rule("undefined-term", ENGLISH, undefined_term_rule),
    Rule("long-sentence", None, long_sentence_rule),
    Rule("no-action", ENGLISH, no_action_rule),
    Rule("actions-not-steps", ENGLISH, actions_not_steps_rule),
    Rule("passive-instruction", ENGLISH, passive_instruction_rule),
)
"""Every literacy rule: its name in findings, the languages it judges (None: any) and its function."""


# --- Helpers ----------------------------------------------------------------------------------

def is_instruction(sentence: str) -> bool:
    """Return whether an English sentence is an order to the reader: it starts with a verb such as "Call".

    A leading condition ("If your child has a fever, call ...") and words such as "Please" or
    "Always" are skipped first.
    """
    found = [w.lower().replace("’", "'") for w in re.findall(r"[A-Za-z]+(?:['’][A-Za-z]+)*", sentence)]
    if found and found[0] in CONDITIONS and "," in sentence:
        return is_instruction(sentence.split(",", 1)[1])
    while found and found[0] in LEAD_INS:
        found = found[1:]
    return bool(found) and found[0] in IMPERATIVE_VERBS and (len(found) == 1 or found[1] not in NOT_AFTER_VERB)


@dataclass(frozen=True)
class Term:
    """A medical term as it may be written, and the glossary ids whose definitions explain it."""

    form: str
    ids: frozenset[str]

    @property
    def key(self) -> str:
        """The one thing the rule reports once: a glossary entry, or the word itself."""
        return min(self.ids) if self.ids else self.form.lower()


class TermIndex:
    """Every medical term of a locale, looked up word by word (one regular expression of them all was 8 times slower)."""

    def __init__(self, terms: list[Term]):
        self.found: dict[str, list] = {}  # sentence -> its terms: every sentence is looked up twice
        self.by_first: dict[str, list[tuple[tuple[str, ...], Term]]] = {}
        for term in terms:
            words_ = tuple(TOKEN.findall(term.form))
            keys = _forms_of(words_[-1]) if len(words_) == 1 else {words_[0]}
            for key in keys:
                self.by_first.setdefault(key.lower(), []).append((words_, term))
        for candidates in self.by_first.values():
            candidates.sort(key=lambda item: -len(item[0]))  # "bone marrow biopsy" before "bone marrow"

    @classmethod
    def of(cls, glossary: Glossary | None) -> TermIndex | None:
        """Build the index from a glossary's terms ("CBC (complete blood count)" gives both) and `MEDICAL_WORDS`."""
        if glossary is None:
            return None
        forms: dict[str, set[str]] = {}
        for entry in glossary.terms:
            plain = re.sub(r"[*_`]", "", entry.term).strip()
            match = re.fullmatch(r"(.+?)\s*\((.+)\)", plain)
            for form in (match.group(1), match.group(2)) if match else (plain,):
                forms.setdefault(form, set()).add(entry.id)
        glossary_forms = list(forms.items())
        for word in MEDICAL_WORDS:
            if word.lower() not in {form.lower() for form, _ in glossary_forms}:
                probe = cls([Term(word, frozenset())])  # explained by any glossary entry whose term contains it
                forms[word] = {term_id for form, ids in glossary_forms
                               if word[:4].lower() in form.lower() and probe.find(form) for term_id in ids}
        return cls([Term(form, frozenset(ids)) for form, ids in forms.items()])

    def find(self, sentence: str) -> list[tuple[int, int, Term]]:
        """Return (start, end, term) for every term in a sentence, left to right, the longest at each place."""
        if sentence not in self.found:
            self.found[sentence] = self._find(sentence)
        return self.found[sentence]

    def _find(self, sentence: str) -> list[tuple[int, int, Term]]:
        tokens = list(TOKEN.finditer(sentence))
        found = []
        i = 0
        while i < len(tokens):
            for words_, term in self.by_first.get(tokens[i].group().lower(), ()):
                span = tokens[i:i + len(words_)]
                if len(span) == len(words_) and _same(words_, [t.group() for t in span]):
                    found.append((span[0].start(), span[-1].end(), term))
                    i += len(words_) - 1
                    break
            i += 1
        return found


TOKEN = re.compile(r"\w+(?:[-'’+]\w+)*")


def _forms_of(word: str) -> set[str]:
    """Return a word with its plural or singular: biopsy, biopsies; platelets, platelet; cell, cells."""
    if word.endswith("y") and not word.endswith(("ay", "ey", "oy")):
        return {word, word[:-1] + "ies"}
    if word.endswith("s") and not word.endswith("ss"):
        return {word, word[:-1]}
    return {word, word + "s", word + "es"}


@cache
def _is_acronym(form: tuple[str, ...]) -> bool:
    return any(re.search(r"[A-Z]{2}", word) for word in form)


def _same(form: tuple[str, ...], used: list[str]) -> bool:
    """Return whether words in a sentence are a term; an acronym (two capitals or more) must match its case."""
    if not _is_acronym(form):
        form, used = tuple(w.lower() for w in form), [w.lower() for w in used]
    return list(form[:-1]) == used[:-1] and used[-1] in _forms_of(form[-1])


def _explained(sentence: str, start: int, end: int) -> bool:
    """Return whether the sentence explains the term at start:end (see `undefined_term_rule`)."""
    return bool(EXPLAINED_AFTER.match(sentence, end) or EXPLAINED_BEFORE.search(sentence[:start]))


def _by_section(items: list[Passage]) -> Iterator[tuple[int, list[Passage]]]:
    """Yield the passages grouped by section, in reading order (title, purpose and key points first)."""
    groups: dict[int, list[Passage]] = {}
    for passage in items:
        groups.setdefault(passage.section, []).append(passage)
    yield from groups.items()


def _listing(names: list[str]) -> str:
    """Return quoted names joined as 'a', 'b' and 'c'."""
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _first(handout: Handout, kind: str) -> Passage | None:
    return next((p for p in handout.passages if p.kind == kind), None)


def _plain(text: str) -> str:
    return re.sub(r"[*_`]", "", text).strip().rstrip(".").casefold()
