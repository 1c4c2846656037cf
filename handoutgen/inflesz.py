"""Spanish readability: syllables counted by Spanish spelling, and the INFLESZ reading of the Szigriszt-Pazos index."""

from __future__ import annotations

import re
import unicodedata

#
# Spanish spelling shows its syllables: each has one vowel nucleus, and two vowels side by side
# share one (a diphthong) unless both are strong (a, e, o) or a weak vowel (i, u) carries the
# accent next to a strong one (hiatus: dí-a, pa-ís). The u of que, qui, gue and gui is silent,
# ü is always heard, and y ends a word as a vowel (hoy, muy). English syllable rules give wrong
# counts for Spanish, so Spanish has its own counter.

STRONG = set("aeoáéó")
WEAK = set("iuü")
ACCENTED_WEAK = set("íú")
VOWELS = STRONG | WEAK | ACCENTED_WEAK
SILENT_U = re.compile(r"(?<=[qg])u(?=[eéií])")  # que, qui, gue, gui: the u only marks the sound of q/g

BANDS = ((40, "very hard"), (55, "somewhat hard"), (65, "normal"), (80, "fairly easy"))
"""INFLESZ bands by their upper bound; 80 and over is "very easy"."""


def spanish_syllables(word: str) -> int:
    """Return the number of syllables in a Spanish word (at least 1)."""
    word = unicodedata.normalize("NFC", word.lower())
    word = SILENT_U.sub("", word)
    if word.endswith("y"):
        word = word[:-1] + "i"  # hoy, muy, rey, and the word "y" itself
    count = 0
    previous = ""
    for char in word:
        if char not in VOWELS:
            previous = ""
            continue
        if not previous or _hiatus(previous, char):
            count += 1  # a new nucleus
        previous = char
    return max(1, count)


def _hiatus(first: str, second: str) -> bool:
    """Return whether two adjacent vowels fall in different syllables."""
    if first in STRONG and second in STRONG:
        return True  # le-er, po-e-ta, a-é-re-o
    # An accented i or u next to a strong vowel stands apart: dí-a, pa-ís, ba-úl, con-ti-nú-a.
    # Two weak vowels are always one syllable, accent or not: cui-da-do, cuí-da-te, lin-güís-ti-ca.
    return (first in ACCENTED_WEAK and second in STRONG) or (first in STRONG and second in ACCENTED_WEAK)


def inflesz(words: int, sentences: int, syllable_count: int) -> float | None:
    """Return the Szigriszt-Pazos index read on the INFLESZ scale, or None for no text."""
    if not words or not sentences:
        return None
    return round(206.835 - 62.3 * syllable_count / words - words / sentences, 1)


def inflesz_band(score: float) -> str:
    """Return the INFLESZ band of a score: very hard, somewhat hard, normal, fairly easy or very easy."""
    for upper, name in BANDS:
        if score < upper:
            return name
    return "very easy"
