"""Cache entries are untrusted input: whatever is in the cache folder, an answer is the one a fresh run gives.

A damaged entry is caught by the digest it carries; a special file at an entry's path is never
opened for long nor read; the clinic profile's numbers are always read from the file, even
against an entry whose digest was forged too; and a bad environment value is one clear line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from handoutgen import cache, fonts, incremental, source
from handoutgen.arguments import parser
from handoutgen.cli import main
from handoutgen.content import load_clinic
from handoutgen.paths import DEFAULT_CLINIC

PROJECT = Path(__file__).resolve().parent.parent
CLINIC = """name: Example Clinic
phones:
  daytime: "+1 555-0100"
  urgent: "{urgent}"
  emergency: "911"
fever:
  threshold: 38.0
"""


@pytest.fixture
def cached(tmp_path, monkeypatch):
    """A cache folder of this test's own, with debug notes on; return it."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("HANDOUTGEN_CACHE", str(folder))
    monkeypatch.setenv("HANDOUTGEN_DEBUG", "1")
    return folder


def check(capsys, content: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["check", "--content", str(content), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def without_notes(err: str) -> str:
    return "".join(line for line in err.splitlines(keepends=True) if not line.startswith("debug: "))


def fresh(capsys, monkeypatch, content: Path, *extra: str) -> tuple[int, str, str]:
    """Return what `check` says with no cache at all."""
    with monkeypatch.context() as m:
        m.setenv("HANDOUTGEN_CACHE", "off")
        return check(capsys, content, *extra)


def entry(folder: Path, kind: str, slot: str) -> Path:
    return folder / kind / f"{cache.digest(slot)[:32]}.json"


def yaml_key(path: Path) -> str:
    """The key `read_yaml` gives a file's parse: anyone who can read the file can work it out."""
    return cache.digest(source._parser_digest(), "False", path.read_bytes())


def slots(content: Path, clinic: Path | None = None) -> list[tuple[str, str]]:
    """Every (kind, slot) a check of `content` may keep an entry in."""
    files = sorted(content.rglob("*.yaml")) + ([clinic] if clinic else [])
    return ([("yaml", str(p.resolve())) for p in files] + [("check", str(content.resolve()))]
            + [("cmap", str(face.path)) for face in fonts.faces()])


# --- Damage and forgery ------------------------------------------------------------------------

def test_a_damaged_yaml_entry_is_caught_by_its_own_digest(content_tree, cached, capsys, monkeypatch):
    content = content_tree()
    assert check(capsys, content)[0] == 0
    topic = (content / "en" / "when-to-call.yaml").resolve()
    path = entry(cached, "yaml", str(topic))
    kept = json.loads(path.read_bytes())
    assert kept["key"] == yaml_key(topic) and len(kept["digest"]) == 64
    kept["value"]["data"]["title"] = ""  # a title the schema refuses: used, it would change the answer
    path.write_text(json.dumps(kept), encoding="utf-8")
    for report in (cached / "check").iterdir():
        report.unlink()  # so that the topics are read again

    code, out, err = check(capsys, content)
    assert (code, out, without_notes(err)) == fresh(capsys, monkeypatch, content) and code == 0
    assert f"debug: cache: ignored the yaml entry {path} (for {topic}): its digest does not match" in err
    assert cache.load("yaml", str(topic), kept["key"]) is not None  # replaced by a good entry


def _forge_clinic(content: Path, said: str, forged: str):
    """Write a clinic profile whose urgent number is `said`; return it and a function that forges its cache entry.

    The entry says `forged`, and carries the digest a forger can compute as well as we can.
    """
    clinic = content / "clinic.yaml"
    clinic.write_text(CLINIC.format(urgent=said), encoding="utf-8")
    other = content.parent / "forger" / "clinic.yaml"
    other.parent.mkdir()
    other.write_text(CLINIC.format(urgent=forged), encoding="utf-8")
    doc, problems = source.read_yaml(other, use_cache=False)
    assert not problems
    slot, key = str(clinic.resolve()), yaml_key(clinic)

    def forge() -> None:  # each fresh read keeps a good entry again: forged anew before each read
        cache.store("yaml", slot, key, source._to_cache(doc))
        kept = json.loads(entry(Path(os.environ["HANDOUTGEN_CACHE"]), "yaml", slot).read_bytes())
        assert kept["value"]["data"]["phones"]["urgent"] == forged and kept["key"] == key

    forge()
    return clinic, forge


def test_a_forged_clinic_entry_cannot_make_a_wrong_number_pass(content_tree, cached, capsys):
    content = content_tree()
    clinic, _ = _forge_clinic(content, said="call 555-0199", forged="+1 555-0199")
    code, _, err = check(capsys, content, "--clinic", str(clinic))
    assert code == 1 and "phones.urgent" in err and "clinic.yaml" in err


def test_a_forged_clinic_entry_cannot_change_the_printed_number(content_tree, cached, capsys):
    content = content_tree()
    clinic, forge = _forge_clinic(content, said="+1 555-0199", forged="+1 555-0123")
    with cache.bypassed():  # what a build can wrap its reading of the profile in
        profile, problems = load_clinic(clinic)
    assert not problems and profile.phones.urgent == "+1 555-0199"
    forge()
    doc, _ = source.read_yaml(clinic, use_cache=False)
    assert doc.data["phones"]["urgent"] == "+1 555-0199"

    forge()
    assert check(capsys, content, "--clinic", str(clinic))[0] == 0
    forge()
    profile, _ = load_clinic(clinic)  # `check` and `build` mark the profile they are given: read afresh since
    assert profile.phones.urgent == "+1 555-0199"


def _check_key(content: Path) -> str:
    return incremental.check_key(parser().parse_args(["check", "--content", str(content)]))


@pytest.mark.parametrize("forgery", ["no digest", "wrong digest", "an old pass under a new key"])
def test_a_forged_check_report_is_not_replayed(forgery, content_tree, cached, capsys):
    content = content_tree()
    assert check(capsys, content)[0] == 0
    path = entry(cached, "check", str(content.resolve()))
    genuine = json.loads(path.read_bytes())
    assert genuine["value"]["code"] == 0
    topic = content / "en" / "what-is-all.yaml"
    topic.write_text(topic.read_text(encoding="utf-8") + "\nnot_a_field: 1\n", encoding="utf-8")
    key = _check_key(content)
    assert key != genuine["key"]
    forged = {"key": key, "digest": genuine["digest"], "value": genuine["value"]}  # an old pass, replayed
    if forgery == "no digest":
        del forged["digest"]
    elif forgery == "wrong digest":
        forged["digest"] = "0" * 64
    path.write_text(json.dumps(forged), encoding="utf-8")
    code, _, err = check(capsys, content)
    assert code == 1 and "not_a_field" in err
    assert f"debug: cache: ignored the check entry {path}" in err


# --- Entries that are not what they seem -------------------------------------------------------

def _damage(path: Path, how: str, kind: str, slot: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "not UTF-8":
        path.write_bytes(b"\xff\xfe\x00garbage")
    elif how == "a list":
        path.write_text("[]")
    elif how == "nested too deeply":
        path.write_text("[" * 200_000)
    elif how == "over the size limit":
        with path.open("r+b") as f:
            f.truncate(cache.MAX_ENTRY_BYTES + 1)  # sparse: costs no disk
    elif how == "the wrong types, with a good digest":
        key = json.loads(data)["key"]
        wrong = {"yaml": {"data": {}, "positions": "x", "scalars": 3}, "check": {"lines": "ok", "code": "0"},
                 "cmap": [["a", 1]]}[kind]
        cache.store(kind, slot, key, wrong)
    elif how == "no value, with a good digest":
        cache.store(kind, slot, json.loads(data)["key"], None)


DAMAGE = ["truncated", "not UTF-8", "a list", "nested too deeply", "over the size limit",
          "the wrong types, with a good digest", "no value, with a good digest"]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_entry_is_a_miss_never_a_bug(how, content_tree, cached, capsys, monkeypatch):
    content = content_tree()
    topic = content / "en" / "what-is-all.yaml"
    topic.write_text(topic.read_text(encoding="utf-8") + "\nnot_a_field: 1\n", encoding="utf-8")
    assert check(capsys, content)[0] == 1
    damaged = 0
    for kind, slot in slots(content, DEFAULT_CLINIC):
        path = entry(cached, kind, slot)
        if path.is_file():
            key = json.loads(path.read_bytes())["key"]
            _damage(path, how, kind, slot)
            damaged += 1
            if kind == "cmap":  # read once a process, so asked here directly
                assert cache.load(kind, slot, key) is None
    assert damaged > 10
    code, out, err = check(capsys, content)
    assert "This is a bug" not in err
    assert (code, out, without_notes(err)) == fresh(capsys, monkeypatch, content)
    assert "debug: cache: ignored the check entry" in err and "debug: cache: ignored the yaml entry" in err


def test_notes_are_shown_only_when_asked(content_tree, cached, capsys, monkeypatch):
    content = content_tree()
    check(capsys, content)
    path = entry(cached, "check", str(content.resolve()))
    path.write_text("{\"key\": ")
    monkeypatch.delenv("HANDOUTGEN_DEBUG")
    code, _, err = check(capsys, content)
    assert code == 0 and "debug:" not in err
    path.write_text("{\"key\": ")
    monkeypatch.setenv("HANDOUTGEN_DEBUG", "1")
    err = check(capsys, content)[2]
    notes = [line for line in err.splitlines() if line.startswith("debug:")]
    assert len(notes) == 1, notes
    assert notes[0].startswith(f"debug: cache: ignored the check entry {path} (for {content.resolve()}): "
                               f"unreadable: Expecting value") and notes[0].endswith("; working it out afresh")


def check_process(content: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PROJECT / "generate.py"), "check", "--content", str(content)],
                          capture_output=True, text=True, timeout=60, cwd=PROJECT, check=False,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


def _special(path: Path, kind: str) -> None:
    good = path.parent.parent / "aside" / path.parent.name / path.name
    good.parent.mkdir(parents=True, exist_ok=True)
    good.write_bytes(path.read_bytes())
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "link to a good entry":  # the entry itself, moved aside: valid, but reached through a link
        path.symlink_to(good)
    else:
        path.mkdir()


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "link to a good entry", "folder"])
def test_a_special_file_at_an_entry_path_is_a_quick_miss(kind, content_tree, cached):
    """Run as a user would, in a process of its own, so that a hang fails the test rather than blocking it."""
    content = content_tree()
    assert check_process(content).returncode == 0  # a process of its own keeps the font maps too
    entries = sorted(p for p in cached.rglob("*.json"))
    assert {p.parent.name for p in entries} == {"check", "yaml", "cmap"}
    for path in entries:
        _special(path, kind)
    started = time.monotonic()
    done = check_process(content)
    assert done.returncode == 0, done.stderr
    assert "no problems" in done.stdout and time.monotonic() - started < 60
    why = {"fifo": "is a named pipe (FIFO)", "link to /dev/zero": "is a symbolic link",
           "link to a good entry": "is a symbolic link", "folder": "is a folder"}[kind]
    notes = [line for line in done.stderr.splitlines() if line.startswith("debug: cache: ignored")]
    assert notes and all(why in line for line in notes), done.stderr
    assert "This is a bug" not in done.stderr


def test_a_link_left_at_an_entry_path_is_replaced_never_written_through(content_tree, cached, capsys, tmp_path):
    content = content_tree()
    check(capsys, content)
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    path = entry(cached, "check", str(content.resolve()))
    path.unlink()
    path.symlink_to(victim)
    assert check(capsys, content)[0] == 0
    assert victim.read_text() == "mine"
    assert path.is_file() and not path.is_symlink()
    assert not list(path.parent.glob("*.partial"))


# --- The environment ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, says", [
    ("abc", ("SOURCE_DATE_EPOCH='abc' is not a number of seconds since 1970: unset it or give one such as "
             "1767225600")),
    ("1.5e9", "SOURCE_DATE_EPOCH='1.5e9' is not a number of seconds since 1970"),
    (" 1767225600", "SOURCE_DATE_EPOCH=' 1767225600' is not a number of seconds since 1970"),
    ("-5", "SOURCE_DATE_EPOCH='-5' is before 1970"),
    ("1767225600000", ("SOURCE_DATE_EPOCH='1767225600000' is after the year 9999: give a number of seconds "
                       "since 1970, such as 1767225600, or unset it; it looks like milliseconds: divide by 1000 "
                       "(1767225600)")),
    ("9" * 5000, "is after the year 9999"),
    ("١٢٣", "is not a number of seconds since 1970"),
])
def test_an_invalid_source_date_epoch_is_one_clear_line(value, says, content_tree, cached, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    code, out, err = check(capsys, content_tree())
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("Error: SOURCE_DATE_EPOCH=") and says in err


def test_a_valid_source_date_epoch_gives_its_date(monkeypatch):
    import datetime as dt

    from handoutgen.system import today

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert today() == dt.date(2026, 1, 1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")  # empty is unset, as most tools read it
    assert today() == dt.date.today()


def test_an_unusable_debug_flag_is_one_clear_line(content_tree, cached, capsys, monkeypatch):
    monkeypatch.setenv("HANDOUTGEN_DEBUG", "maybe")
    code, _, err = check(capsys, content_tree())
    assert code == 1 and err == ("Error: HANDOUTGEN_DEBUG='maybe' is neither on nor off: set it to 1 for debug "
                                 "notes, or to 0 or unset it\n")


def test_a_cache_path_that_is_a_file_turns_caching_off(content_tree, tmp_path, capsys, monkeypatch):
    not_a_folder = tmp_path / "cache-file"
    not_a_folder.write_text("a file")
    monkeypatch.setenv("HANDOUTGEN_CACHE", str(not_a_folder))
    monkeypatch.setenv("HANDOUTGEN_DEBUG", "1")
    cache._NOTED.clear()
    code, out, err = check(capsys, content_tree())
    assert code == 0 and "no problems" in out
    assert f"debug: cache off: {not_a_folder} is not a folder" in err and err.count("cache off") == 1
    assert not_a_folder.read_text() == "a file" and cache.directory() is None



def test_a_cache_folder_below_a_file_is_skipped_quietly(content_tree, tmp_path, capsys, monkeypatch):
    not_a_folder = tmp_path / "cache-file"
    not_a_folder.write_text("a file")
    monkeypatch.setenv("HANDOUTGEN_CACHE", str(not_a_folder / "below"))
    code, _, err = check(capsys, content_tree())
    assert code == 0 and "This is a bug" not in err and not_a_folder.read_text() == "a file"


def test_a_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.delenv("HANDOUTGEN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.directory() == tmp_path / ".cache" / "handoutgen"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.directory() == tmp_path / "xdg" / "handoutgen"


# --- The shapes readers expect -----------------------------------------------------------------

@pytest.mark.parametrize("value", [
    None, [], {"data": {}, "positions": [], "scalars": [], "extra": 1},
    {"data": {}, "positions": [[["a"], 1]], "scalars": []},
    {"data": {}, "positions": [[["a"], True, 1]], "scalars": []},
    {"data": {}, "positions": [[[1.5], 1, 1]], "scalars": []},
    {"data": {}, "positions": [], "scalars": [[["a"], "x", 5, 2]]},
    {"data": {}, "positions": [], "scalars": [[["a"], "x", 0, 10_000]]},
    {"data": {}, "positions": [], "scalars": [[["a"], 7, 0, 1]]},
])
def test_a_cached_parse_of_the_wrong_shape_is_a_miss(value, tmp_path, cached):
    path = tmp_path / "file.yaml"
    path.write_text("a: b\n", encoding="utf-8")
    cache.store("yaml", str(path.resolve()), yaml_key(path), value)
    doc, problems = source.read_yaml(path)
    assert not problems and doc.data == {"a": "b"} and doc.position(("a",)) == (1, 1)


@pytest.mark.parametrize("value", [[[5, 3]], [[1, 2], [2, 3]], [[0, 0x110000]], [[True, 1]], {"a": 1}])
def test_a_character_map_of_the_wrong_shape_is_a_miss(value, cached):
    cache.store("cmap", "/some/font.ttf", "k", value)
    assert cache.load("cmap", "/some/font.ttf", "k") is None
    cache.store("cmap", "/some/font.ttf", "k", [[32, 126], [160, 383]])
    assert cache.load("cmap", "/some/font.ttf", "k") == [[32, 126], [160, 383]]


def test_a_build_reads_no_cache_so_a_forged_entry_cannot_change_a_page(content_tree, cached, capsys):
    """A forged parse of the English strings (a valid digest, another running line) never reaches a PDF."""
    import pypdfium2

    content = content_tree()
    strings = content / "en" / "strings.yaml"
    doc, problems = source.read_yaml(strings, use_cache=False)
    assert not problems
    forged = json.loads(json.dumps(source._to_cache(doc)))
    line = forged["data"]["urgent_line"]
    forged["data"]["urgent_line"] = line.replace("day or night", "only on weekdays")
    cache.store("yaml", str(strings.resolve()), yaml_key(strings), forged)
    out = content.parent / "out"
    assert main(["build", "--content", str(content), "--out", str(out), "--locale", "en", "--topic",
                 "when-to-call", "--jobs", "1"]) == 0
    text = pypdfium2.PdfDocument(out / "en" / "when-to-call.pdf")[0].get_textpage().get_text_range()
    assert "weekdays" not in text and "Call +1 555-0199, day or night" in " ".join(text.split())
