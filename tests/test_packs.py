"""Packs for moments of care: one PDF per pack with a cover, contents, the topics in order, bookmarks."""

from __future__ import annotations


import pypdf
import pytest

from handoutgen.cli import main
from handoutgen.content import load_project
from handoutgen.paths import CONTENT

PACKS = load_project(CONTENT, ["en"]).packs.packs
TITLES = {t: topic.title for t, topic in load_project(CONTENT, ["en"]).locales["en"].topics.items()}


def test_a_plain_build_writes_every_pack(built):
    assert sorted(p.name for p in (built / "en" / "packs").glob("*.pdf")) == sorted(f"{p.id}.pdf" for p in PACKS)
    assert {"newly-diagnosed", "going-home", "maintenance"} <= {p.id for p in PACKS}


@pytest.mark.parametrize("pack", PACKS, ids=[p.id for p in PACKS])
def test_pack_has_its_topics_in_order_with_bookmarks_and_contents(built, pack):
    reader = pypdf.PdfReader(built / "en" / "packs" / f"{pack.id}.pdf")
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == ["Contents"] + [TITLES[t] for t in pack.topics]
    contents = reader.pages[1].extract_text()
    positions = [contents.index(TITLES[t]) for t in pack.topics]
    assert positions == sorted(positions)
    cover = reader.pages[0].extract_text()
    assert pack.title["en"] in " ".join(cover.split()) and "Example Children's Hospital, Leukemia Clinic" in cover
    assert "For:" in cover and "Date given:" in cover
    assert {"cover_child_name", "cover_date"} <= set(reader.get_fields())
    for page in reader.pages:
        assert "+1 555-0199" in page.extract_text()


def test_pack_option_builds_only_that_pack(tmp_path):
    assert main(["build", "--pack", "going-home", "--out", str(tmp_path)]) == 0
    built = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf"))
    assert built == ["en/packs/going-home.pdf", "es/packs/going-home.pdf"]  # Arabic lacks two of its topics


def test_unknown_pack_is_a_clear_error(tmp_path, capsys):
    assert main(["build", "--pack", "going-hom", "--out", str(tmp_path)]) == 1
    assert "no pack 'going-hom' (did you mean 'going-home'?)" in capsys.readouterr().err
    assert not tmp_path.exists() or not list(tmp_path.rglob("*.pdf"))


def test_pack_naming_an_unknown_topic_is_located(content_tree, capsys):
    source = (CONTENT / "packs.yaml").read_text(encoding="utf-8")
    content = content_tree({"packs.yaml": source.replace("      - living-with-all\n", "      - living-with-al\n")})
    assert main(["check", "--content", str(content)]) == 1
    line = source.splitlines().index("      - living-with-all") + 1
    assert f"packs.yaml:{line}:9: packs[2].topics[2]: no topic 'living-with-al' (did you mean 'living-with-all'?)" \
        in capsys.readouterr().err


def test_pack_in_large_print(tmp_path):
    assert main(["build", "--pack", "maintenance", "--edition", "large-print", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "en" / "large-print" / "packs" / "maintenance.pdf").exists()
