"""A language's termbase (terms.yaml): check reports every variant to avoid, located, and the real content passes."""

from __future__ import annotations

import unicodedata

import pytest

from handoutgen.cli import main
from handoutgen.paths import CONTENT
from handoutgen.rules import buildable, check
from handoutgen.termbase import matcher

HEADER = "# yaml-language-server: $schema=../../handoutgen/schemas/terms.schema.json\n"
SPANISH = HEADER + """terms:
  - preferred: microbios
    avoid: [gérmenes]
    note: como en todas las hojas
  - preferred: equipo de atención
    avoid: [equipo de atención médica]
"""
ARABIC = HEADER + """article: ال
prefixes: [و, ف, ب, ك, ل]
terms:
  - preferred: الحد الأدنى من المرض المتبقي
    avoid: [المرض المتبقي]
"""


def run_check(content, capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["check", "--content", str(content), "--no-clinic", *args])
    err = capsys.readouterr().err.replace(f"{content.parent}/", "")
    return code, [line for line in err.splitlines() if "termbase" in line or "terms.yaml" in line]


def edit(content, name: str, old: str, new: str) -> tuple[int, int]:
    """Replace `old` in a content file; return the line and column where `new` starts."""
    path = content / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    index = text.index(new)
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def test_the_real_spanish_and_arabic_content_meets_its_termbase():
    checked = check(CONTENT, None, ["es", "ar"])
    assert {code: locale.termbase is not None for code, locale in checked.project.locales.items()} == \
           {"es": True, "ar": True}
    assert [str(p) for p in checked.problems] == []


def test_each_avoided_variant_is_reported_at_its_file_line_and_column(content_tree, capsys):
    content = content_tree({"es/terms.yaml": SPANISH})
    old = "combaten los microbios. El tratamiento puede"
    line, column = edit(content, "es/supportive-care.yaml", old, "combaten los Gérmenes. El tratamiento puede")
    line2, column2 = edit(content, "es/strings.yaml", "Su equipo de atención lo conoce mejor.",
                          "Su equipo de atención médica lo conoce mejor.")
    code, lines = run_check(content, capsys)
    assert code == 1
    assert lines == [
        f'handouts/es/strings.yaml:{line2}:{column2 + 3}: termbase: use "equipo de atención" instead of '
        f'"equipo de atención médica"',
        f'handouts/es/supportive-care.yaml:{line}:{column + 13}: termbase: use "microbios" instead of "gérmenes" '
        f'(como en todas las hojas)',
    ]


def test_a_locale_with_an_avoided_variant_builds_nothing(content_tree):
    content = content_tree({"es/terms.yaml": SPANISH})
    edit(content, "es/supportive-care.yaml", "los microbios. El tratamiento puede", "los gérmenes. El tratamiento puede")
    checked = check(content, None, ["es", "ar"])
    assert not buildable(checked.project, "es") and buildable(checked.project, "ar")


def test_a_variant_across_a_folded_line_is_found_on_the_line_it_starts(content_tree, capsys):
    content = content_tree({"es/terms.yaml": SPANISH})
    old = '      - paragraph: "Los neutrófilos son glóbulos blancos que combaten los microbios.'
    line, _ = edit(content, "es/supportive-care.yaml", old,
                   '      - paragraph: >-\n          Su equipo de\n          atención médica sabe. Los neutrófilos son'
                   ' glóbulos blancos que combaten los microbios.')
    text = (content / "es/supportive-care.yaml").read_text(encoding="utf-8")
    text = text.replace("Los médicos llaman a esto neutropenia.\"", "Los médicos llaman a esto neutropenia.")
    (content / "es/supportive-care.yaml").write_text(text, encoding="utf-8")
    code, lines = run_check(content, capsys)
    assert lines == [f'handouts/es/supportive-care.yaml:{line + 1}:14: termbase: use "equipo de atención" instead of '
                     f'"equipo de atención médica"']


def test_ids_comments_and_parts_still_in_english_are_not_text_to_check(content_tree, capsys):
    # "ph-positive-all" is a section id, "Ph-positive ALL" is in `# en:` comments and in untranslated parts
    termbase = HEADER + "terms:\n  - preferred: LLA Ph positiva\n    avoid: [Ph-positive]\n"
    content = content_tree({"es/terms.yaml": termbase})
    assert "ph-positive-all" in (content / "es/targeted-therapy-and-immunotherapy.yaml").read_text(encoding="utf-8")
    assert main(["translate", "fr", "--content", str(content)]) == 0
    (content / "fr/terms.yaml").write_text(termbase, encoding="utf-8")
    code, lines = run_check(content, capsys)
    assert (code, lines) == (0, [])
    edit(content, "es/targeted-therapy-and-immunotherapy.yaml", "la llaman **LLA Ph positiva**",
         "la llaman **ph-POSITIVE**")
    code, lines = run_check(content, capsys)
    assert len(lines) == 1 and 'instead of "Ph-positive"' in lines[0]


@pytest.mark.parametrize(("text", "found"), [
    ("Los gérmenes causan infecciones.", ["gérmenes"]),
    ("GÉRMENES", ["GÉRMENES"]),
    (unicodedata.normalize("NFD", "los gérmenes"), [unicodedata.normalize("NFD", "gérmenes")]),
    ("los gérmenesx y germenes", []),  # a whole word only; an accent makes another word
    ("(gérmenes)", ["gérmenes"]),
])
def test_terms_match_whole_words_in_any_case(text, found):
    m = matcher("gérmenes")
    assert [text[a:b] for a, b in m.find(text)] == found


def test_a_variant_inside_the_preferred_term_is_not_reported_but_the_longer_variant_is(content_tree, capsys):
    termbase = HEADER + """terms:
  - preferred: equipo de atención médica
    avoid: [equipo de atención]
"""
    content = content_tree({"es/terms.yaml": termbase})
    line, _ = edit(content, "es/strings.yaml", "Su equipo de atención lo conoce mejor.",
                   "Su equipo de atención médica lo conoce mejor.")
    code, lines = run_check(content, capsys)
    assert code == 1 and lines and all('instead of "equipo de atención"' in line for line in lines)
    reported = {":".join(line.split(":")[:2]) for line in lines}
    assert f"handouts/es/strings.yaml:{line}" not in reported  # it says "equipo de atención médica"
    assert "handouts/es/my-care-team.yaml:5" in reported  # "Mi equipo de atención"


@pytest.mark.parametrize(("text", "found"), [
    ("فحص المرض المتبقي", ["المرض المتبقي"]),
    ("والمرض المتبقي", ["والمرض المتبقي"]),
    ("بالمرض المتبقي", ["بالمرض المتبقي"]),
    ("للمرض المتبقي", ["للمرض المتبقي"]),  # ل + the article, written لل
    ("مرض المتبقي", ["مرض المتبقي"]),
    ("المَرَض المُتَبَقّي", ["المَرَض المُتَبَقّي"]),  # vowel marks written or not
    ("الـمرض المتبقي", ["الـمرض المتبقي"]),  # a tatweel
    ("المرضى المتبقين", []),  # other words
    ("سالمرض المتبقي", []),  # س is not a prefix
])
def test_arabic_terms_match_after_the_article_and_joined_prefixes(text, found):
    m = matcher("المرض المتبقي", "ال", ("و", "ف", "ب", "ك", "ل"))
    assert [text[a:b] for a, b in m.find(text)] == found


def test_the_arabic_preferred_term_shields_the_variant_it_holds(content_tree, capsys):
    content = content_tree({"ar/terms.yaml": ARABIC})
    assert "الحد الأدنى من المرض المتبقي" in (content / "ar/glossary.yaml").read_text(encoding="utf-8")
    assert run_check(content, capsys, "--locale", "ar") == (0, [])
    line, column = edit(content, "ar/questions-for-the-care-team.yaml", "عن فحص الحد الأدنى من المرض المتبقي",
                        "عن فحص المرض المتبقي")
    code, lines = run_check(content, capsys, "--locale", "ar")
    assert lines == [f'handouts/ar/questions-for-the-care-team.yaml:{line}:{column + 7}: termbase: use '
                     f'"الحد الأدنى من المرض المتبقي" instead of "المرض المتبقي"']


@pytest.mark.parametrize(("entries", "message"), [
    ("  - preferred: microbios\n    avoid: [Microbios]\n",
     "4:13: terms[0].avoid[0]: 'Microbios' is this entry's preferred term; it cannot also be avoided"),
    ("  - preferred: microbios\n    avoid: [gérmenes]\n  - preferred: gérmenes\n    avoid: [bichos]\n",
     "4:13: terms[0].avoid[0]: 'gérmenes' is the preferred term of terms[1].preferred (line 5); a term cannot be "
     "both preferred and avoided"),
    ("  - preferred: microbios\n    avoid: [gérmenes]\n  - preferred: bichos\n    avoid: [Gérmenes]\n",
     "6:13: terms[1].avoid[0]: 'Gérmenes' is already listed at terms[0].avoid[0] (line 4)"),
    ("  - preferred: microbios\n    avoid: [gérmenes]\n  - preferred: bichos\n    avoid: [microbios]\n",
     "6:13: terms[1].avoid[0]: 'microbios' is the preferred term of terms[0].preferred (line 3); a term cannot be "
     "both preferred and avoided"),
    ("  - preferred: microbios\n    avoid: []\n", "4:5: terms[0].avoid: needs at least 1 item, got 0"),
    ("  - preferred: microbios\n    avoid: [gérmenes]\n    nota: x\n",
     "5:5: terms[0].nota: unknown key 'nota' (did you mean 'note'?); allowed keys: preferred, avoid, note"),
    ("  - preferred: microbios\n    avoid: [\"...\"]\n", "4:13: terms[0].avoid[0]: '...' has no letter or digit"),
])
def test_a_bad_termbase_entry_is_reported_where_it_is(content_tree, capsys, entries, message):
    content = content_tree({"es/terms.yaml": HEADER + "terms:\n" + entries})
    assert main(["check", "--content", str(content), "--no-clinic", "--locale", "es"]) == 1
    err = capsys.readouterr().err
    assert f"handouts/es/terms.yaml:{message}" in err.replace(f"{content.parent}/", ""), err


def test_a_prefix_must_be_letters_only(content_tree, capsys):
    content = content_tree({"ar/terms.yaml": ARABIC.replace("prefixes: [و, ف, ب, ك, ل]", "prefixes: [و, \"ب ل\"]")})
    assert main(["check", "--content", str(content), "--no-clinic", "--locale", "ar"]) == 1
    err = capsys.readouterr().err.replace(f"{content.parent}/", "")
    assert "handouts/ar/terms.yaml:3:15: prefixes[1]: 'ب ل' must be letters only" in err, err


def test_the_termbase_is_optional_and_never_a_topic(content_tree, capsys):
    english = HEADER + "terms:\n  - preferred: care team\n    avoid: [medical team]\n"
    content = content_tree({"es/terms.yaml": None, "ar/terms.yaml": None, "en/terms.yaml": english})
    assert run_check(content, capsys) == (0, [])
    assert main(["status", "--content", str(content), "--locale", "es"]) == 0
    assert "terms" not in capsys.readouterr().out.split()
    edit(content, "en/my-care-team.yaml", "title: My care team", "title: My medical team")
    code, lines = run_check(content, capsys)
    assert code == 1 and lines == ['handouts/en/my-care-team.yaml:2:11: termbase: use "care team" instead of '
                                   '"medical team"']
