"""The disk cache that makes `check` fast may only ever save time: every answer equals a fresh one."""

from __future__ import annotations

import json

from handoutgen import cache
from handoutgen.cli import main


def _check(capsys, content, *extra) -> tuple[int, str, str]:
    code = main(["check", "--content", str(content), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_repeated_check_is_replayed_and_an_edit_is_seen(content_tree, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HANDOUTGEN_CACHE", str(tmp_path / "cache"))
    content = content_tree()
    first = _check(capsys, content)
    assert first[0] == 0
    assert {"check", "yaml"} <= {p.name for p in (tmp_path / "cache").iterdir()}  # font maps: once per process
    assert _check(capsys, content) == first

    fridge = content / "en" / "when-to-call.yaml"
    fridge.write_text(fridge.read_text().replace("now, day or night, if your child has", "now if your child has"))
    code, _, err = _check(capsys, content)
    assert code == 1 and "urgency: an urgent callout must be one of the callouts of when-to-call" in err

    monkeypatch.setenv("HANDOUTGEN_CACHE", "off")  # the same problems, at the same lines, with no cache at all
    assert _check(capsys, content) == (code, _, err)


def test_problems_in_files_read_from_the_cache_keep_their_lines(content_tree, tmp_path, monkeypatch, capsys):
    """The other topics' urgent callouts are read from the cache after the fridge page changes."""
    monkeypatch.setenv("HANDOUTGEN_CACHE", str(tmp_path / "cache"))
    content = content_tree()
    _check(capsys, content)
    fridge = content / "en" / "when-to-call.yaml"
    fridge.write_text(fridge.read_text().replace("Confusion, dizziness", "Confusion or dizziness"))
    cached = _check(capsys, content)
    monkeypatch.setenv("HANDOUTGEN_CACHE", "off")
    fresh = _check(capsys, content)
    assert cached == fresh and cached[0] == 1
    assert "signs-and-symptoms.yaml:" in cached[2]


def test_a_damaged_or_foreign_cache_is_never_used(content_tree, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HANDOUTGEN_CACHE", str(tmp_path / "cache"))
    content = content_tree()
    good = _check(capsys, content)
    entries = sorted((tmp_path / "cache").rglob("*.json"))
    assert entries
    for n, entry in enumerate(entries):  # half cut short, half valid JSON with another key and a wrong answer
        entry.write_text("{\"key\": " if n % 2 else json.dumps({"key": "0" * 64, "value": {"lines": [], "code": 0}}))
    assert _check(capsys, content) == good

    topic = content / "en" / "what-is-all.yaml"
    topic.write_text(topic.read_text() + "\nnot_a_field: 1\n")
    code, _, err = _check(capsys, content)
    assert code == 1 and "what-is-all.yaml" in err and "not_a_field" in err


def test_no_cache_is_written_when_it_is_off(content_tree, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HANDOUTGEN_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _check(capsys, content_tree())[0] == 0
    assert not (tmp_path / "xdg").exists()
    assert cache.directory() is None


def test_a_changed_library_or_our_code_changes_the_key(tmp_path, monkeypatch):
    before = cache.code_digest()
    fake = tmp_path / "site"
    (fake / "pydantic-99.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(fake))
    assert cache.code_digest() != before
