"""Reading grade of English text (Flesch-Kincaid and SMOG), computed offline.

textstat downloads a pronouncing dictionary on first use, which fails offline and in CI,
and the packaged CMU dictionary is GPL and takes over a second to load, so syllables are
counted here by the usual vowel-group rules with the common English exceptions.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .schema import Bullets, Callout, Glossary, Paragraph, Questions, Steps, Timeline, Topic

WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
# Words the rules below miscount, with their true syllable count.
EXCEPTIONS = {
    "leukemia": 4, "anemia": 4, "area": 3, "idea": 3, "being": 2, "every": 2, "everything": 3,
    "everyone": 3, "different": 3, "family": 3, "families": 3, "people": 2, "little": 2,
    "business": 2, "fire": 1, "hour": 1, "hours": 1, "our": 1, "fatigue": 2, "science": 2,
    "diet": 2, "quiet": 2, "create": 2, "created": 3, "period": 3, "radiation": 4, "cancer": 2,
    "medicine": 3, "medicines": 3, "vaccine": 2, "vaccines": 2, "nausea": 3, "lymphoblastic": 4,
    "lymphoblast": 3, "lymphoblasts": 3, "someone": 2, "sometimes": 2, "something": 2,
    "serious": 3, "previous": 3, "obvious": 3, "usual": 3, "usually": 4, "actually": 4,
    "naturally": 4, "via": 2, "trial": 2, "trials": 2, "mri": 3, "cbc": 3, "mrd": 3, "cns": 3,
    "tki": 3, "all": 1, "ct": 2, "iv": 2, "ph": 2, "dna": 3,
}


def syllables(word: str) -> int:
    """Return the number of syllables in an English word."""
    word = word.lower().replace("’", "'")
    if word in EXCEPTIONS:
        return EXCEPTIONS[word]
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3:
        return 1
    base = word
    for suffix in ("es", "ed"):
        # "takes", "named": a silent e before -s/-d; but "washes", "needed" keep the syllable.
        if base.endswith(suffix) and not re.search(r"(ss|sh|ch|x|z|s|c|g|[td])" + suffix + "$", base):
            base = base[: -len(suffix)] + "e"
            break
    if base.endswith("e") and not base.endswith(("le", "ee", "ie", "ye")) and len(base) > 3:
        base = base[:-1]
    count = len(re.findall(r"[aeiouy]+", base))
    # Vowel pairs that usually split into two syllables: "dia-gnosis", "vid-eo", "act-ual".
    count += len(re.findall(r"ia|iu|eo|ua|uo|io(?!n)", base))
    return max(1, count)


@dataclass(frozen=True)
class ReadingGrade:
    """How hard a text is to read, as school grades."""

    words: int
    sentences: int
    flesch_kincaid: float
    smog: float


def grade(sentences: list[str]) -> ReadingGrade:
    """Return the reading grade of a list of sentences (list items count as sentences)."""
    words = [w for s in sentences for w in WORD.findall(s)]
    if not words or not sentences:
        return ReadingGrade(0, 0, 0.0, 0.0)
    counts = [syllables(w) for w in words]
    n_words, n_sent = len(words), len(sentences)
    fk = 0.39 * n_words / n_sent + 11.8 * sum(counts) / n_words - 15.59
    poly = sum(1 for c in counts if c >= 3)
    smog = 1.0430 * math.sqrt(poly * 30 / n_sent) + 3.1291
    return ReadingGrade(n_words, n_sent, round(fk, 1), round(smog, 1))


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; a line with no end mark counts as one."""
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"\{(\w+)\}", "this", text)  # a placeholder reads as one short word
    parts = [p.strip() for p in SENTENCE_END.split(text)]
    return [p for p in parts if WORD.search(p)]


def topic_sentences(topic: Topic | Glossary) -> list[str]:
    """Return every sentence a reader of the topic reads, headings aside."""
    texts: list[str] = [topic.purpose]
    if isinstance(topic, Glossary):
        texts += [t.definition for t in topic.terms]
    else:
        texts += topic.key_points
        for section in topic.sections:
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    texts.append(block.paragraph)
                elif isinstance(block, Bullets | Steps | Questions):
                    texts += getattr(block, type(block).__name__.lower())
                elif isinstance(block, Callout):
                    texts += [block.callout.text or ""] + list(block.callout.bullets or [])
                elif isinstance(block, Timeline):
                    body = block.timeline
                    texts += [phase.text for phase in body.phases + ([body.maybe] if body.maybe else [])]
    return [s for t in texts for s in split_sentences(t)]
