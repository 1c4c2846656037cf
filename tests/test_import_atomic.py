"""An import that changes several files writes all of them or none: a full disk leaves every file as it was."""

from __future__ import annotations

import errno

from translate.storage import xliff

from handoutgen.cli import main


def test_a_full_disk_during_an_import_changes_no_file(content_tree, tmp_path, capsys, monkeypatch):
    import handoutgen.write

    content = content_tree()
    out = tmp_path / "es.xlf"
    assert main(["export", "es", "--out", str(out), "--content", str(content)]) == 0
    store = xliff.xlifffile.parsestring(out.read_bytes())
    edited = set()
    for unit in store.units:  # one change in each of three files
        doc = unit.getid().split("\x04")[-1].split("/", 1)[0]
        if doc in {"when-to-call", "what-is-all", "glossary"} - edited and unit.target and "{" not in unit.source:
            unit.target = unit.target + " Nuevo."
            edited.add(doc)
    assert len(edited) == 3
    out.write_bytes(bytes(store))
    before = {p: p.read_bytes() for p in (content / "es").iterdir()}
    real, calls = handoutgen.write._stage, []

    def stage(path, data):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(handoutgen.write, "_stage", stage)
    capsys.readouterr()
    assert main(["import", "es", str(out), "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "bug" not in err
    assert {p: p.read_bytes() for p in (content / "es").iterdir()} == before  # no file changed, no temporary left
    monkeypatch.setattr(handoutgen.write, "_stage", real)
    assert main(["import", "es", str(out), "--content", str(content)]) == 0
    changed = [p for p, data in before.items() if p.read_bytes() != data]
    assert sorted(p.stem for p in changed) == sorted(edited)
