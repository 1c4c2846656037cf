"""No command writes over the user's files: `export --out` refuses the content folder always, and an existing
file that is not an earlier export unless --force; output folders that are files are refused before any work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import xliff

from handoutgen.cli import main
from handoutgen.interchange import TOOL, XLIFF_NS, is_export

NS = {"x": XLIFF_NS}


@pytest.fixture
def project(content_tree, tmp_path, monkeypatch):
    """A copy of the content as handouts/ in a folder of its own, which is the working directory."""
    content = content_tree()
    monkeypatch.chdir(tmp_path)
    return content


def export(*args: str) -> int:
    return main(["export", "es", "--content", "handouts", *args])


def no_bug(err: str) -> None:
    assert "bug" not in err and "Traceback" not in err and "unexpected failure" not in err


def test_export_over_the_english_source_is_refused_and_changes_no_byte(project, capsys):
    english = project / "en" / "when-to-call.yaml"
    before = english.read_bytes()
    for force in ([], ["--force"]):  # never a content file, not even with --force
        assert export("--out", "handouts/en/when-to-call.yaml", *force) == 1
        err = capsys.readouterr().err
        assert err == ("Error: --out handouts/en/when-to-call.yaml is inside the content folder handouts/: "
                       "write the export elsewhere, such as es.xlf\n")
        assert english.read_bytes() == before
    for out in ("handouts/es/new.xlf", "handouts/es.po", "handouts"):  # a new file there, or the folder itself
        assert export("--out", out, "--force") == 1
        assert "inside the content folder handouts/" in capsys.readouterr().err
    assert not (project / "es" / "new.xlf").exists() and not (project / "es.po").exists()


def test_the_default_name_inside_the_content_folder_is_refused_with_a_name_outside(project, capsys, monkeypatch):
    monkeypatch.chdir(project / "es")
    assert main(["export", "es", "--content", ".."]) == 1
    err = capsys.readouterr().err
    assert "--out es.xlf is inside the content folder" in err and "such as " in err
    suggested = Path(re.search(r"such as (\S+)", err).group(1))
    assert not suggested.resolve().is_relative_to(project)
    assert not (project / "es" / "es.xlf").exists()


def test_an_earlier_export_is_written_over(project, tmp_path, capsys):
    for fmt, name in (("xliff", "es.xlf"), ("po", "es.po")):
        assert export("--format", fmt, "--out", name) == 0
        first = Path(name).read_bytes()
        assert is_export(first)
        Path(name).write_bytes(first.replace(b"\xc2\xbfQu\xc3\xa9 es la LLA?", b"Otra cosa", 1))  # edited since
        assert export("--format", fmt, "--out", name) == 0
        assert Path(name).read_bytes() == first
    # handed back by a CAT tool that rewrote the file (translate-toolkit's own writer): still ours
    Path("es.xlf").write_bytes(bytes(xliff.xlifffile.parsestring(Path("es.xlf").read_bytes())))
    assert export("--out", "es.xlf") == 0
    # written before the tool was named on <file>: recognised by its units' notes
    old = re.sub(rb"\s*<header>.*?</header>", b"", Path("es.xlf").read_bytes(), flags=re.DOTALL)
    Path("es.xlf").write_bytes(old.replace(f' tool-id="{TOOL}"'.encode(), b""))
    assert not old.count(b"<header>") and export("--out", "es.xlf") == 0
    assert b"<header>" in Path("es.xlf").read_bytes()
    assert export("--format", "po", "--out", "es.xlf") == 0  # an export either way: no surprise lost
    assert "Wrote es.xlf" in capsys.readouterr().err


def test_an_unrelated_file_is_refused_without_force_and_replaced_with_it(project, capsys):
    others = {"notes.txt": b"my own notes\n",
              "other.po": b'msgid ""\nmsgstr ""\n"X-Generator: Poedit 3.4\\n"\n\nmsgid "a"\nmsgstr "b"\n',
              "other.xlf": f'<xliff xmlns="{XLIFF_NS}" version="1.2"><file original="a" source-language="en" '
                           f'datatype="plaintext" tool-id="okapi"><header><tool tool-id="okapi" tool-name="Okapi"/>'
                           f'</header><body/></file></xliff>'.encode(),
              "empty.xlf": b"", "binary.xlf": bytes(range(256))}
    for name, data in others.items():
        Path(name).write_bytes(data)
        assert export("--out", name) == 1
        err = capsys.readouterr().err
        assert err == (f"Error: --out {name} already exists and is not an earlier export: choose another name, "
                       "or add --force to replace it\n")
        assert Path(name).read_bytes() == data
    assert export("--out", "notes.txt", "--force") == 0
    assert is_export(Path("notes.txt").read_bytes())
    assert export("--out", "notes.txt") == 0  # now an earlier export


def test_a_symbolic_link_into_the_content_folder_is_refused(project, capsys):
    english = project / "en" / "when-to-call.yaml"
    before = english.read_bytes()
    Path("link.xlf").symlink_to(english)
    Path("folder").symlink_to(project / "es", target_is_directory=True)
    Path("dangling.xlf").symlink_to(project / "es" / "not-yet.xlf")
    for out in ("link.xlf", "folder/es.xlf", "dangling.xlf"):
        for force in ([], ["--force"]):
            assert export("--out", out, *force) == 1
            err = capsys.readouterr().err
            assert f"--out {out} leads to handouts/" in err and "inside the content folder handouts/" in err
    assert english.read_bytes() == before and Path("link.xlf").is_symlink()
    assert not (project / "es" / "es.xlf").exists() and not (project / "es" / "not-yet.xlf").exists()


def test_a_link_to_an_earlier_export_elsewhere_writes_that_file_and_keeps_the_link(project, tmp_path):
    (tmp_path / "shared").mkdir()
    assert export("--out", "shared/es.xlf") == 0
    Path("es.xlf").symlink_to(tmp_path / "shared" / "es.xlf")
    assert export("--out", "es.xlf") == 0
    assert Path("es.xlf").is_symlink() and is_export((tmp_path / "shared" / "es.xlf").read_bytes())


def test_out_mistakes_are_one_line_messages(project, capsys, monkeypatch):
    Path("a-folder").mkdir()
    cases = {("--out", "a-folder"): "--out a-folder is a folder: name the file to write, such as a-folder/es.xlf",
             ("--out", "/dev/null"): "--out /dev/null is not a regular file",
             ("--out", "/dev/null", "--force"): "--out /dev/null is not a regular file"}
    for args, message in cases.items():
        assert export(*args) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"Error: {message}") and err.count("\n") == 1, err
    Path("loop1").symlink_to("loop2")
    Path("loop2").symlink_to("loop1")
    assert export("--out", "loop1") == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: --out loop1: its symbolic links cannot be followed") and err.count("\n") == 1

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("handoutgen.write.tempfile.mkstemp", refuse)  # as a folder the user may not write
    assert export("--out", "locked/es.xlf") == 1
    err = capsys.readouterr().err
    assert err == "Error: cannot write --out locked/es.xlf: Permission denied\n"
    no_bug(err)


def test_the_xliff_names_the_tool_as_xliff_1_2_has_it(project):
    assert export("--out", "es.xlf", "--topic", "when-to-call") == 0
    root = etree.parse("es.xlf").getroot()
    files = root.findall("x:file", NS)
    assert root.get("version") == "1.2" and files
    for node in files:  # tool-id on <file> must name a <tool> in its <header>, which comes before <body>
        assert node.get("tool-id") == TOOL
        assert [child.tag for child in node] == [f"{{{XLIFF_NS}}}header", f"{{{XLIFF_NS}}}body"]
        tools = node.findall("x:header/x:tool", NS)
        assert [(t.get("tool-id"), t.get("tool-name")) for t in tools] == [(TOOL, TOOL)]


def test_is_export_is_not_fooled_and_never_resolves_entities(project):
    assert not is_export((project / "en" / "when-to-call.yaml").read_bytes())
    assert not is_export(b"") and not is_export(b"<html><body/></html>") and not is_export(b"\x00\xff\xfe")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' +
              b"".join(b'<!ENTITY %c "%s">' % (98 + i, (b"&%c;" % (97 + i)) * 10) for i in range(8)) +
              b']><xliff xmlns="' + XLIFF_NS.encode() + b'"><file tool-id="x">&i;</file></xliff>')
    assert not is_export(laughs)
    assert not is_export(b'<x:xliff xmlns:x="urn:other"><x:file tool-id="handoutgen"/></x:xliff>')


def test_output_folders_that_are_files_or_in_the_content_are_refused_before_any_work(project, capsys):
    Path("a-file").write_text("mine\n", encoding="utf-8")
    for command in (["build"], ["serve", "--port", "0"], ["site", "shard-1"]):
        assert main([*command, "--content", "handouts", "--out", "a-file"]) == 1
        err = capsys.readouterr().err
        assert "--out a-file is a file, not a folder" in err and "Building" not in err, command
        no_bug(err)
    assert Path("a-file").read_text(encoding="utf-8") == "mine\n"
    assert main(["serve", "--port", "0", "--content", "handouts", "--out", "handouts/en"]) == 1
    err = capsys.readouterr().err
    assert "would write into handouts" in err
    assert not any(p.name.endswith((".html", ".pdf")) for p in project.rglob("*"))


def test_status_diff_of_a_topic_the_english_lacks_is_a_mistake(project, capsys):
    assert main(["status", "--content", "handouts", "--diff", "es", "no-such-topic"]) == 1
    err = capsys.readouterr().err
    assert "no English topic 'no-such-topic'" in err and "when-to-call" in err
    no_bug(err)


def test_export_help_names_force(capsys):
    with pytest.raises(SystemExit):
        from handoutgen.arguments import parser

        parser().parse_args(["export", "--help"])
    assert "--force" in capsys.readouterr().out


def test_an_environment_error_anywhere_is_one_line_not_a_bug(project, capsys, monkeypatch):
    def unreadable(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "handouts/en/when-to-call.yaml")

    monkeypatch.setattr("handoutgen.content.load_project", unreadable)
    assert main(["status", "--content", "handouts"]) == 1
    err = capsys.readouterr().err
    assert err == "Error: handouts/en/when-to-call.yaml: Permission denied\n"
