"""The health-literacy report: Spanish syllables and INFLESZ, each rule located in the YAML, JSON, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from handoutgen.cli import main
from handoutgen.content import load_project
from handoutgen.literacy import NO_FORMULA, handouts, inflesz, inflesz_band, report, sentences, spanish_syllables
from handoutgen.literacy_rules import RULES, is_instruction
from handoutgen.paths import CONTENT
from handoutgen.readability import split_sentences, topic_sentences
from handoutgen.rules import check

PROJECT = Path(__file__).resolve().parent.parent

# Syllables as Spanish dictionaries divide them: diphthongs, hiatus by accent, silent u, final y.
SPANISH = {
    "casa": 2, "sangre": 2, "médula": 3, "ósea": 3, "niño": 2, "hospital": 3, "médico": 3, "glóbulos": 3,
    "leucemia": 3, "quimioterapia": 5, "inmunoterapia": 6, "tratamiento": 4, "infección": 3, "transfusión": 3,
    "trasplante": 3, "linfoblástica": 5, "diagnóstico": 4, "leucocitos": 4, "enfermera": 4, "aguda": 3,
    "día": 2, "río": 2, "país": 2, "baúl": 2, "maíz": 2, "oído": 3, "reír": 2, "actúa": 3, "continúa": 4,
    "biología": 4, "leer": 2, "creer": 2, "caer": 2, "poeta": 3, "aéreo": 4, "ahora": 3,
    "cuidado": 3, "ciudad": 2, "ruido": 2, "viuda": 2, "lluvia": 2, "cuídate": 3, "fuego": 2, "bueno": 2,
    "fiebre": 2, "huevo": 2, "guante": 2, "paraguas": 3,
    "queso": 2, "aquí": 2, "quiero": 2, "plaquetas": 3, "guerra": 2, "guitarra": 3, "siguiente": 3,
    "preguntas": 3, "pingüino": 3, "cigüeña": 3, "lingüística": 4, "averigüé": 4,
    "hoy": 1, "muy": 1, "rey": 1, "y": 1, "ayuda": 3, "yo": 1, "mayor": 2, "reyes": 2, "buey": 1, "Uruguay": 3,
    "estudiáis": 3,
}


@pytest.mark.parametrize("word,count", SPANISH.items(), ids=list(SPANISH))
def test_spanish_syllables(word, count):
    assert spanish_syllables(word) == count


def test_at_least_40_spanish_words_are_checked():
    assert len(SPANISH) >= 40


def test_inflesz_of_a_known_text():
    # El(1) ni-ño(2) tie-ne(2) fie-bre(2). Lla-me(2) al(1) e-qui-po(3) de(1) in-me-dia-to(4).
    # 9 words, 18 syllables, 2 sentences: 206.835 - 62.3 * 18/9 - 9/2 = 77.735.
    text = "El niño tiene **fiebre**. Llame al equipo de inmediato."
    es = _spanish_handout()
    found = sentences(es, text)
    words = [w for s in found for w in s.split()]
    assert len(found) == 2 and len(words) == 9
    assert sum(spanish_syllables(w.strip(".")) for w in words) == 18
    assert inflesz(9, 2, 18) == 77.7
    assert inflesz_band(77.7) == "fairly easy"


@pytest.mark.parametrize("score,band", [(0, "very hard"), (39.9, "very hard"), (40, "somewhat hard"), (55, "normal"),
                                        (64.9, "normal"), (65, "fairly easy"), (80, "very easy"), (104, "very easy")])
def test_inflesz_bands(score, band):
    assert inflesz_band(score) == band


def test_inflesz_of_no_text_is_none():
    assert inflesz(0, 0, 0) is None


def test_spanish_topics_read_as_measured_independently():
    """The Spanish topics were measured elsewhere at INFLESZ 65 to 83: the counter must agree."""
    rows = report(load_project(CONTENT, ["es"]))
    scores = {row.handout.topic: row.measures.inflesz for row in rows}
    assert len(scores) == 15  # 14 topics and the glossary
    assert all(65 <= score <= 83 for score in scores.values()), scores


def _spanish_handout():
    return next(h for h in handouts(load_project(CONTENT, ["es"])) if h.topic == "when-to-call")


# --- English measures are the ones `check` prints ----------------------------------------------------

def test_english_measures_are_the_figures_check_prints():
    checked = check(CONTENT, None, ["en"])
    by_topic = {row.handout.topic: row.measures for row in report(checked.project)}
    assert len(by_topic) == 15
    for line in checked.grades:
        assert (by_topic[line.topic].grade, by_topic[line.topic].smog) == (line.flesch_kincaid, line.smog)


def test_measured_passages_are_the_sentences_readability_reads():
    """A translation is measured from its passages: they must be exactly what `topic_sentences` reads in English."""
    for handout in handouts(load_project(CONTENT, ["en"])):
        mine = [s for p in handout.passages if p.measured for s in split_sentences(p.text)]
        assert mine == topic_sentences(handout.document), handout.topic


def test_a_translation_is_measured_on_what_it_prints_in_its_own_language(content_tree):
    path = CONTENT / "es" / "when-to-call.yaml"
    before = _es_when_to_call_words(CONTENT)
    text = path.read_text(encoding="utf-8").replace('  - id: "call-promptly"\n',
                                                    '  - id: "call-promptly"\n    untranslated: true\n')
    after = _es_when_to_call_words(content_tree({"es/when-to-call.yaml": text}))
    assert after < before  # the section printed in English is left out


def _es_when_to_call_words(content: Path) -> int:
    return next(r.measures.words for r in report(load_project(content, ["es"])) if r.handout.topic == "when-to-call")


def test_arabic_has_no_validated_formula(capsys):
    assert main(["literacy", "--locale", "ar"]) == 0
    out = capsys.readouterr().out
    assert f"ar: {NO_FORMULA}" in out
    assert "FK" not in out and "INFLESZ" not in out
    for row in report(load_project(CONTENT, ["ar"])):
        m = row.measures
        assert (m.formula, m.grade, m.smog, m.inflesz) == (None, None, None, None)
        assert m.note == NO_FORMULA and m.words > 0


# --- Each rule, on a small topic, at its line and column ---------------------------------------------

TOPIC = """\
title: Medicine at home
purpose: About this.
reading_grade: 12
key_points:
  - TBD
  - Fever
  - Call the team if your child has a fever.
review:
  status: draft
sections:
  - id: medicine
    heading: Medicine at home
    blocks:
      - paragraph: The pills must be taken with food. Chemotherapy and steroid pills can cause neutropenia.
      - paragraph: Wash your hands. Keep the pills dry. Call the team if you see a rash.
      - paragraph: >-
          This is a sentence that goes on and on, with many small words in it,
          so that it has far more than twenty words.
  - id: words
    heading: Words you may hear
    blocks:
      - paragraph: A **lumbar puncture** is a test of the fluid around the spine. Doctors call this **remission**.
      - bullets:
          - Platelets help blood clot.
      - terms: [platelets]
"""

NO_ACTION = """\
title: Blood cells
purpose: This handout says what blood cells do in the body.
key_points:
  - Red cells carry oxygen.
  - White cells fight germs.
  - Platelets help blood clot.
review:
  status: draft
sections:
  - id: cells
    heading: The three kinds of cells
    blocks:
      - paragraph: Blood has three kinds of cells. Each kind has a job.
      - terms: [platelets]
"""


@pytest.fixture
def topics(content_tree):
    return content_tree({"en/medicine-at-home.yaml": TOPIC, "en/blood-cells.yaml": NO_ACTION})


def literacy(content: Path, *args: str) -> tuple[int, str, str]:
    result = subprocess.run([sys.executable, "generate.py", "literacy", "--content", str(content), *args],
                            cwd=PROJECT, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("place,rule,message", [
    ("2:1", "purpose", "the purpose is 2 words"),
    ("4:1", "key-points", "only 1 of the 3 key points says something"),
    ("14:9", "passive-instruction", "passive instruction 'must be taken'"),
    ("14:9", "undefined-term", "'Chemotherapy' and 'neutropenia' are used before they are defined: list "
                               "'chemotherapy' and 'neutropenia' in a `terms` block of this section"),
    ("14:9", "undefined-term", "'steroid': medical term not in the glossary"),
    ("15:9", "actions-not-steps", "3 instructions in one paragraph: make them a `steps` block"),
    ("16:9", "long-sentence", "a sentence of 24 words (over 20): split it; it starts 'This is a sentence that goes'"),
])
def test_each_rule_fires_at_its_line_and_column(topics, capsys, place, rule, message):
    assert main(["literacy", "--content", str(topics), "--locale", "en", "--topic", "medicine-at-home"]) == 0
    out = capsys.readouterr().out
    assert f"{topics / 'en' / 'medicine-at-home.yaml'}:{place}: {rule}: {message}" in out


def test_no_action_fires_on_a_topic_that_never_addresses_the_reader(topics, capsys):
    assert main(["literacy", "--content", str(topics), "--locale", "en", "--topic", "blood-cells"]) == 0
    out = capsys.readouterr().out
    assert f"{topics / 'en' / 'blood-cells.yaml'}:3:1: no-action: nothing tells the reader what to do" in out
    assert "1 finding: no-action 1." in out


def test_defined_terms_are_not_findings(topics, capsys):
    """A term explained in its sentence, or listed in a terms block of its section, is not flagged."""
    main(["literacy", "--content", str(topics), "--locale", "en", "--topic", "medicine-at-home"])
    out = capsys.readouterr().out
    assert "lumbar puncture" not in out and "remission" not in out and "'Platelets'" not in out
    assert "7 findings: actions-not-steps 1, key-points 1, long-sentence 1, passive-instruction 1, purpose 1, " \
           "undefined-term 2." in out


def test_every_rule_is_in_the_table_and_documented():
    names = [rule.name for rule in RULES]
    assert names == ["purpose", "key-points", "undefined-term", "long-sentence", "no-action", "actions-not-steps",
                     "passive-instruction"]
    assert all(rule.check.__doc__ for rule in RULES)


@pytest.mark.parametrize("sentence,expected", [
    ("Call the team right away", True), ("Do not give fever medicine", True), ("Please keep this page", True),
    ("If your child has a fever, call the team", True), ("Always wash your hands", True),
    ("Rest is important", False), ("Sleep gets broken up", False), ("Do we need to come in", False),
    ("Treatment lowers the cells that fight germs", False), ("Bone or joint pain", False),
])
def test_is_instruction(sentence, expected):
    assert is_instruction(sentence) is expected


# --- Output and exit codes -----------------------------------------------------------------------

def test_json_shape(capsys):
    assert main(["literacy", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["locale"] for row in rows} == {"en", "es", "ar"}
    keys = {"locale", "topic", "file", "formula", "grade", "smog", "inflesz", "inflesz_band", "words", "sentences",
            "note", "findings"}
    for row in rows:
        assert set(row) == keys
        assert isinstance(row["words"], int) and isinstance(row["sentences"], int)
        for finding in row["findings"]:
            assert set(finding) == {"rule", "file", "line", "column", "message"}
            assert finding["line"] >= 1 and finding["column"] >= 1 and finding["file"] == row["file"]
        if row["locale"] == "en":
            assert isinstance(row["grade"], float) and isinstance(row["smog"], float) and row["inflesz"] is None
        elif row["locale"] == "es":
            assert row["grade"] is None and row["smog"] is None and isinstance(row["inflesz"], float)
            assert row["inflesz_band"] in {"normal", "fairly easy", "very easy"}
        else:
            assert row["formula"] is None and row["note"] == NO_FORMULA
            assert (row["grade"], row["smog"], row["inflesz"]) == (None, None, None)


def test_strict_makes_any_finding_an_error(topics):
    code, out, err = literacy(topics, "--locale", "en", "--topic", "blood-cells", "--strict")
    assert code == 1
    assert "Error: 1 health-literacy finding (--strict)." in err and "Traceback" not in err
    assert literacy(topics, "--locale", "en", "--topic", "blood-cells")[0] == 0


def test_strict_passes_without_findings(capsys):
    assert main(["literacy", "--locale", "en", "--topic", "treatment-overview", "--strict"]) == 0
    assert "0 findings." in capsys.readouterr().out


def test_broken_content_is_reported_not_measured(content_tree, capsys):
    content = content_tree({"en/when-to-call.yaml": "title: [x]\n"})
    assert main(["literacy", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "when-to-call.yaml:1:1: title: expected text, got a list" in err and "Traceback" not in err


def test_literacy_does_not_import_weasyprint():
    code = ("import sys; from handoutgen.cli import main; rc = main(['literacy']); "
            "sys.exit(rc or (3 if 'weasyprint' in sys.modules else 0))")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# --- `check` is unchanged: findings are warnings for `build`, never errors -----------------------

def test_check_output_and_exit_code_are_unchanged_on_the_real_content(capsys, monkeypatch):
    assert main(["check"]) == 0
    with_literacy = capsys.readouterr()
    monkeypatch.setattr("handoutgen.rules.literacy_warnings", lambda project, topics=(): [])
    assert main(["check"]) == 0
    without = capsys.readouterr()
    assert (with_literacy.out, with_literacy.err) == (without.out, without.err)
    assert with_literacy.err == "" and "literacy" not in with_literacy.out


def test_findings_are_warnings_never_problems(topics, capsys):
    checked = check(topics, None, ["en"], ["medicine-at-home"])
    assert not checked.problems
    assert any(w.startswith("en: 7 health-literacy findings in 1 file") for w in checked.warnings), checked.warnings
    assert main(["check", "--content", str(topics), "--topic", "medicine-at-home"]) == 0
