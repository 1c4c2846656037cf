"""`build --shard K/N` builds a fixed share of the documents; `site` merges the shares into the site one build makes."""

from __future__ import annotations

import json

import pytest

from handoutgen.cli import main
from handoutgen.content import load_project
from handoutgen.paths import CONTENT
from handoutgen.plan import RunContext, plan
from handoutgen.shards import parse_shard

TOPICS = ["when-to-call", "what-is-all", "glossary"]


def _build(content, out, *extra) -> int:
    return main(["build", "--content", str(content), "--out", str(out), "--locale", "en", "--jobs", "1",
                 *[arg for topic in TOPICS for arg in ("--topic", topic)], *extra])


def _files(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in {"manifest.json", ".handoutgen.lock"}}


@pytest.mark.parametrize("count", [1, 2, 3, 5, 40])
def test_the_shares_split_the_whole_plan_once_and_every_machine_agrees(count):
    project = load_project(CONTENT)
    ctx = RunContext(CONTENT, CONTENT.parent / "build", None, "letter", ("standard", "large-print"))
    whole = sorted(str(t.path) for ts in plan(project, ctx).targets.values() for t in ts)
    shares = [sorted(str(t.path) for ts in plan(project, RunContext(**{**vars(ctx), "shard": (k, count)})).targets.values()
                     for t in ts) for k in range(1, count + 1)]
    assert sorted(p for share in shares for p in share) == whole  # each document in exactly one share
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    again = [sorted(str(t.path) for ts in plan(project, RunContext(**{**vars(ctx), "shard": (k, count)})).targets.values()
                    for t in ts) for k in range(1, count + 1)]
    assert again == shares
    if count > 1:  # the expensive documents are spread first, not left to one machine
        booklets = [sum(p.endswith("booklet.pdf") for p in share) for share in shares]
        assert max(booklets) - min(booklets) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2"])
def test_a_wrong_shard_is_a_usage_error(text, capsys):
    with pytest.raises(ValueError):
        parse_shard(text)
    assert main(["build", "--shard", text]) == 2
    assert "shard K/N" in capsys.readouterr().err


def test_merged_shards_are_the_site_one_build_writes_byte_for_byte(content_tree, tmp_path, capsys):
    content = content_tree()
    assert _build(content, tmp_path / "whole") == 0
    for k in (1, 2):
        assert _build(content, tmp_path / f"shard-{k}", "--shard", f"{k}/2") == 0
        assert not (tmp_path / f"shard-{k}" / "index.html").exists()  # a shard alone would list a part
    one, two = (set(json.loads((tmp_path / f"shard-{k}" / "manifest.json").read_text())["files"]) for k in (1, 2))
    assert one and two and not one & two
    capsys.readouterr()
    assert main(["site", "--content", str(content), "--out", str(tmp_path / "site"),
                 str(tmp_path / "shard-1"), str(tmp_path / "shard-2")]) == 0
    assert "Merged 2 shard(s)" in capsys.readouterr().out
    assert _files(tmp_path / "site") == _files(tmp_path / "whole")
    merged = json.loads((tmp_path / "site" / "manifest.json").read_text())
    whole = json.loads((tmp_path / "whole" / "manifest.json").read_text())
    assert merged["files"] == whole["files"] and merged["clinic"] == whole["clinic"]


def test_a_merge_that_cannot_be_trusted_writes_nothing(content_tree, tmp_path, capsys):
    content = content_tree()
    for k in (1, 2):
        _build(content, tmp_path / f"shard-{k}", "--shard", f"{k}/2")
    shards = [str(tmp_path / "shard-1"), str(tmp_path / "shard-2")]
    site = ["site", "--content", str(content), "--out", str(tmp_path / "site")]

    pdf = next((tmp_path / "shard-1").rglob("*.pdf"))
    good = pdf.read_bytes()
    pdf.write_bytes(good[:-10] + bytes(10))  # same size, other bytes
    assert main([*site, *shards]) == 1
    assert "is not the PDF its shard built" in capsys.readouterr().err
    pdf.write_bytes(good)

    assert main([*site, *shards, str(tmp_path)]) == 1  # not a shard
    assert "holds no manifest.json" in capsys.readouterr().err
    _build(content, tmp_path / "other", "--shard", "2/2", "--no-clinic")
    assert main([*site, shards[0], str(tmp_path / "other")]) == 1
    assert "merge one clinic's shards" in capsys.readouterr().err
    assert not (tmp_path / "site").exists() or not _files(tmp_path / "site")


def test_a_missing_or_doubled_share_is_refused(content_tree, tmp_path, capsys):
    content = content_tree()
    for k in (1, 2, 3):
        _build(content, tmp_path / f"shard-{k}", "--shard", f"{k}/3")
    site = ["site", "--content", str(content), "--out", str(tmp_path / "site")]
    assert main([*site, str(tmp_path / "shard-1"), str(tmp_path / "shard-3")]) == 1
    assert "shard 2/3 is missing" in capsys.readouterr().err
    assert main([*site, *(str(tmp_path / f"shard-{k}") for k in (1, 2, 3, 3))]) == 1
    assert "both hold shard 3/3" in capsys.readouterr().err
    assert main([*site, *(str(tmp_path / f"shard-{k}") for k in (1, 2, 3))]) == 0
