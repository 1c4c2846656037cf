"""Reading grades, computed offline."""

import pytest

from handoutgen.content import load_project
from handoutgen.paths import CONTENT
from handoutgen.readability import grade, split_sentences, syllables, topic_sentences


@pytest.mark.parametrize("word,count", [
    ("cat", 1), ("fever", 2), ("leukemia", 4), ("hospital", 3), ("chemotherapy", 5), ("takes", 1),
    ("washes", 2), ("needed", 2), ("table", 2), ("infection", 3), ("diagnosis", 4), ("bone", 1),
])
def test_syllables(word, count):
    assert syllables(word) == count


def test_plain_text_reads_easier_than_jargon():
    easy = grade(split_sentences("Call us if your child has a fever. We are here day and night. Keep this page."))
    hard = grade(split_sentences("Immunocompromised individuals necessitate comprehensive hematological evaluation "
                                 "following chemotherapeutic administration."))
    assert easy.flesch_kincaid < 4 < 12 < hard.flesch_kincaid
    assert easy.smog < hard.smog


def test_every_english_topic_meets_its_grade_limit():
    english = load_project(CONTENT, ["en"]).locales["en"]
    assert len(english.topics) == 14
    for topic_id, topic in english.topics.items():
        limit = 6 if topic_id == "when-to-call" else 8
        assert topic.reading_grade == limit, topic_id
        assert grade(topic_sentences(topic)).flesch_kincaid <= limit, topic_id
    assert grade(topic_sentences(english.glossary)).flesch_kincaid <= 8
