"""Content validation: every kind of mistake gets a message naming file, line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoutgen.cli import main

BROKEN = sorted((Path(__file__).parent / "data" / "broken").glob("*.yaml"))


def expectation(case: Path) -> str:
    first = case.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: ")
    return first.removeprefix("# expect: ")


@pytest.mark.parametrize("case", BROKEN, ids=[c.stem for c in BROKEN])
def test_broken_topic_is_reported_with_file_line_and_column(case, content_tree, capsys):
    content = content_tree({"en/when-to-call.yaml": case.read_bytes()})
    code = main(["check", "--content", str(content)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{content / 'en' / 'when-to-call.yaml'}:{expectation(case)}" in err
    assert "Traceback" not in err


def check_errors(content, capsys) -> tuple[int, str]:
    code = main(["check", "--content", str(content)])
    return code, capsys.readouterr().err


def test_every_problem_is_listed_not_only_the_first(content_tree, capsys):
    content = content_tree({
        "en/when-to-call.yaml": (BROKEN[0]).read_bytes(),
        "en/supportive-care.yaml": (Path(__file__).parent / "data/broken/unknown-key.yaml").read_bytes(),
    })
    code, err = check_errors(content, capsys)
    assert code == 1
    assert "when-to-call.yaml:" in err and "supportive-care.yaml:" in err
    assert "Error: 3 problems found." in err  # the misspelt key also leaves `purpose` missing


def test_bytes_that_are_not_utf8_are_located(content_tree, capsys):
    content = content_tree({"en/when-to-call.yaml": b"title: Caf\xe9\n"})
    code, err = check_errors(content, capsys)
    assert code == 1
    assert "when-to-call.yaml:1:11: byte 0xe9 is not UTF-8" in err


def test_empty_file(content_tree, capsys):
    content = content_tree({"en/when-to-call.yaml": "# only a comment\n\n"})
    assert check_errors(content, capsys)[1].count("when-to-call.yaml: file is empty") == 1


def test_file_over_one_megabyte(content_tree, capsys):
    content = content_tree({"en/when-to-call.yaml": "title: x\n" + "#" * 1_000_001 + "\n"})
    code, err = check_errors(content, capsys)
    assert code == 1
    assert "when-to-call.yaml: file is 1,000,011 bytes; the limit is 1,000,000 (1 MB)" in err


def test_character_no_bundled_font_covers(content_tree, capsys):
    source = (Path(__file__).parent.parent / "handouts/en/when-to-call.yaml").read_text(encoding="utf-8")
    broken = source.replace("Put this page up on your fridge.", "Put this page up on your fridge \u2192 always.")
    assert broken != source
    content = content_tree({"en/when-to-call.yaml": broken})
    code, err = check_errors(content, capsys)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "\u2192" in text)
    column = broken.splitlines()[line - 1].index("\u2192") + 1
    assert code == 1
    assert f"when-to-call.yaml:{line}:{column}: character '\u2192' (U+2192) is in none of the fonts" in err


def test_unknown_glossary_term_in_a_full_tree(content_tree, capsys):
    case = Path(__file__).parent / "data/broken/unknown-term.yaml"
    content = content_tree({"en/when-to-call.yaml": case.read_bytes()})
    code, err = check_errors(content, capsys)
    assert code == 1 and "no glossary term 'mdr' (did you mean 'mrd'?)" in err


def test_booklet_must_list_every_topic(content_tree, capsys):
    content = content_tree({"booklet.yaml": "topics:\n  - what-is-all\n  - when-to-cal\n"})
    code, err = check_errors(content, capsys)
    assert code == 1
    assert "booklet.yaml:3:5: topics[1]: no topic 'when-to-cal' (did you mean 'when-to-call'?)" in err
    assert "topic 'supportive-care' is missing from the booklet" in err


def test_yaml_12_reads_no_as_text(content_tree, capsys):
    source = (Path(__file__).parent.parent / "handouts/en/when-to-call.yaml").read_text(encoding="utf-8")
    content = content_tree({"en/when-to-call.yaml": source.replace("title: When to call the care team", "title: no")})
    code, _ = check_errors(content, capsys)
    assert code == 0


def test_reading_grade_over_the_limit_fails(content_tree, capsys):
    source = (Path(__file__).parent.parent / "handouts/en/when-to-call.yaml").read_text(encoding="utf-8")
    hard = source.replace(
        "          - Write down the number and the time.",
        "          - Write down the number and the time."
        " Chemotherapy-associated myelosuppression predisposes immunocompromised individuals to "
        "rapidly progressive, potentially life-threatening bacterial septicemia, necessitating "
        "immediate evaluation and empirical intravenous antimicrobial administration.")
    assert hard != source
    content = content_tree({"en/when-to-call.yaml": hard})
    code, err = check_errors(content, capsys)
    assert code == 1
    assert "when-to-call.yaml: reads at grade" in err and "the limit is 6" in err


def test_a_locale_folder_must_be_a_known_language_tag(content_tree, capsys):
    content = content_tree({"spanish/when-to-call.yaml": "title: x\n"})
    code, err = check_errors(content, capsys)
    assert code == 1
    assert f"{content / 'spanish'}: 'spanish' is not a language tag Babel knows" in err


def test_a_tagged_locale_folder_is_accepted(content_tree, capsys):
    content = content_tree()
    assert main(["translate", "pt-BR", "--content", str(content)]) == 0
    code, err = check_errors(content, capsys)
    assert code == 0, err
