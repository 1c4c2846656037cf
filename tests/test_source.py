"""The strict YAML reader: YAML 1.2 scalars, positions, and what it refuses."""

from handoutgen.source import format_loc, read_yaml


def read(tmp_path, text: str):
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    return read_yaml(path)


def test_yaml_12_scalars(tmp_path):
    doc, problems = read(tmp_path, "a: no\nb: yes\nc: 2026-01-05\nd: 38.0\ne: true\nf: null\ng: 0o17\n")
    assert problems == []
    assert doc.data == {"a": "no", "b": "yes", "c": "2026-01-05", "d": 38.0, "e": True, "f": None, "g": 15}


def test_positions_of_keys_and_items(tmp_path):
    doc, _ = read(tmp_path, "title: x\nsections:\n  - id: a\n    heading: h\n")
    assert doc.position(("sections", 0, "heading")) == (4, 5)
    assert doc.position(("sections", 0, "missing")) == (3, 5)


def test_alias_bomb_is_refused_without_expanding(tmp_path):
    bomb = "a: &a [x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    doc, problems = read(tmp_path, bomb)
    assert doc is None and "anchors and aliases" in str(problems[0])


def test_tags_and_merge_keys_are_refused(tmp_path):
    assert "tags" in str(read(tmp_path, "a: !!python/object x\n")[1][0])
    assert "merge keys" in str(read(tmp_path, "a: {x: 1}\nb:\n  <<: {y: 2}\n")[1][0])


def test_format_loc():
    assert format_loc(("sections", 2, "heading")) == "sections[2].heading"
    assert format_loc(()) == ""


def test_a_folded_scalar_reads_as_its_text(tmp_path):
    doc, problems = read(tmp_path, "a: >-\n  One line,\n  and the next.\nb: \"bell \\a\"\n")
    assert doc is None and "U+0007" in problems[0].message  # a real BEL, written as an escape, is refused
    doc, problems = read(tmp_path, "a: >-\n  One line,\n  and the next.\n")
    assert problems == [] and doc.data == {"a": "One line, and the next."}
