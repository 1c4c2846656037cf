"""`export` and `import`: XLIFF 1.2 and PO through translate-toolkit, back into the YAML untouched elsewhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from translate.storage import xliff

from handoutgen.cli import main
from handoutgen.content import load_project
from handoutgen.translation import OUTDATED, TRANSLATED, states

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of the shipped content, to edit freely."""
    return Path(shutil.copytree(REPO / "handouts", tmp_path / "handouts"))


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def export(content: Path, tmp_path: Path, locale: str, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"{locale}.{'xlf' if fmt == 'xliff' else 'po'}"
    assert main(["export", locale, "--format", fmt, "--out", str(out), "--content", str(content), *extra]) == 0
    return out


def run_import(content: Path, locale: str, file: Path) -> int:
    return main(["import", locale, str(file), "--content", str(content)])


def xliff_units(path: Path) -> dict:
    store = xliff.xlifffile.parsestring(path.read_bytes())
    return {unit.getid().split("\x04")[-1]: unit for unit in store.units}


def test_xliff_round_trip_through_translate_toolkit_changes_no_byte(content, tmp_path, capsys):
    out = export(content, tmp_path, "es", "xliff")
    raw = out.read_bytes()
    assert b'xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"' in raw
    assert b'source-language="en"' in raw and b'target-language="es"' in raw
    units = xliff_units(out)
    phone = units["when-to-call/call-now/blocks[0].callout.title"]
    assert "{urgent_phone}" in phone.source and "{urgent_phone}" in phone.target
    assert b'<ph id="1">{urgent_phone}</ph>' in raw  # a locked tag in a CAT tool
    assert any("24-hour urgent number" in note for note in [phone.getnotes()])
    assert phone.get_state_n() == phone.S_TRANSLATED  # the Spanish is a draft: translated, not signed off
    # write it again with translate-toolkit's own writer, as a CAT tool would hand it back
    again = tmp_path / "again.xlf"
    again.write_bytes(bytes(xliff.xlifffile.parsestring(raw)))
    before = snapshot(content)
    assert run_import(content, "es", again) == 0
    assert snapshot(content) == before
    assert "Nothing to change" in capsys.readouterr().out
    assert export(content, tmp_path, "es", "xliff").read_bytes() == raw  # byte-reproducible


def test_po_edited_with_polib_changes_only_that_line_and_keeps_comments(content, tmp_path):
    out = export(content, tmp_path, "es", "po")
    catalog = polib.pofile(str(out))
    entry = next(e for e in catalog if e.msgctxt == "when-to-call/call-promptly/heading")
    assert "python-brace-format" in next(e for e in catalog if e.msgctxt == "when-to-call/call-now/blocks[0].callout.title").flags
    assert catalog.metadata["Language"] == "es" and not catalog.metadata.get("POT-Creation-Date")  # reproducible
    entry.msgstr = "Llame hoy mismo"
    catalog.save(str(out))
    path = content / "es" / "when-to-call.yaml"
    old = path.read_text(encoding="utf-8").splitlines()
    assert run_import(content, "es", out) == 0
    new = path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new) and changed == [('    heading: "Llame pronto"', '    heading: "Llame hoy mismo"')]


def test_an_xliff_unit_with_a_broken_placeholder_is_refused_and_nothing_is_written(content, tmp_path, capsys):
    out = export(content, tmp_path, "es", "xliff")
    store = xliff.xlifffile.parsestring(out.read_bytes())
    for unit in store.units:
        uid = unit.getid().split("\x04")[-1]
        if uid == "when-to-call/call-promptly/heading":
            unit.settarget("Llame sin esperar")  # a good change in the same file: not written either
        if uid == "when-to-call/call-now/blocks[0].callout.title":
            unit.settarget(unit.target.replace("{urgent_phone}", "{urgent phone}"))
    out.write_bytes(bytes(store))
    line = xliff_units(out)["when-to-call/call-now/blocks[0].callout.title"].xmlelement.sourceline
    before = snapshot(content)
    capsys.readouterr()
    assert run_import(content, "es", out) == 1
    err = capsys.readouterr().err
    assert f"{out}:{line}:1: when-to-call/call-now/blocks[0].callout.title: " in err
    assert "'{urgent phone}' is not a placeholder" in err and "nothing was written" in err
    assert snapshot(content) == before


def test_an_extra_list_item_and_a_glyph_no_font_has_are_refused_with_the_unit_id(content, tmp_path, capsys):
    out = export(content, tmp_path, "es", "po")
    catalog = polib.pofile(str(out))
    catalog.append(polib.POEntry(msgctxt="when-to-call/call-promptly/blocks[0].callout.bullets[3]", msgid="Extra", msgstr="Más"))
    long_id = "questions-for-the-care-team/about-the-treatment-plan/blocks[0].questions[0]"  # msgctxt wraps
    next(e for e in catalog if e.msgctxt == long_id).msgstr = "¿{meta}?"
    entry = next(e for e in catalog if e.msgctxt == "when-to-call/call-promptly/heading")
    entry.msgstr = "Llame → pronto"
    catalog.save(str(out))
    before = snapshot(content)
    capsys.readouterr()
    assert run_import(content, "es", out) == 1
    err = capsys.readouterr().err
    assert "when-to-call/call-promptly/blocks[0].callout.bullets[3]: the English has 3 items here" in err
    assert "when-to-call/call-promptly/heading: character '→' (U+2192)" in err
    text = out.read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, 1) if t.startswith("msgctxt") and long_id in text[n])
    assert f"{out}:{line}:1: {long_id}: placeholders must match" in err
    assert snapshot(content) == before


def test_english_changed_since_is_needs_review_with_the_old_english_and_accepted_on_import(content, tmp_path):
    subprocess.run(["git", "init", "-q", str(content)], check=True)
    git = ["git", "-C", str(content), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "content"], check=True)
    english = content / "en" / "when-to-call.yaml"
    english.write_text(english.read_text(encoding="utf-8").replace("heading: Call promptly", "heading: Call quickly"),
                       encoding="utf-8")
    out = export(content, tmp_path, "es", "xliff")
    unit = xliff_units(out)["when-to-call/call-promptly/heading"]
    assert unit.get_state_n() == unit.S_NEEDS_REVIEW
    assert "it read: Call promptly" in unit.getnotes()
    catalog = polib.pofile(str(export(content, tmp_path, "es", "po")))
    entry = next(e for e in catalog if e.msgctxt == "when-to-call/call-promptly/heading")
    assert entry.fuzzy and entry.previous_msgid == "Call promptly"
    before = snapshot(content)
    assert run_import(content, "es", tmp_path / "es.po") == 0  # draft units: nothing changes
    assert snapshot(content) == before
    for e in catalog:  # the translator reviewed the section and cleared the fuzzy flags
        if e.msgctxt.startswith("when-to-call/call-promptly/"):
            e.flags.remove("fuzzy")
    catalog.save(str(tmp_path / "es.po"))
    assert run_import(content, "es", tmp_path / "es.po") == 0
    project = load_project(content, ["es"])
    found = states(project.source.topics["when-to-call"], project.locales["es"].translations["when-to-call"])
    assert found["call-promptly"] == TRANSLATED and OUTDATED not in found.values()


def test_a_missing_file_is_started_and_a_finished_part_loses_untranslated(content, tmp_path):
    assert not (content / "ar" / "what-is-all.yaml").exists()
    out = export(content, tmp_path, "ar", "xliff")
    store = xliff.xlifffile.parsestring(out.read_bytes())
    for unit in store.units:
        uid = unit.getid().split("\x04")[-1]
        if uid.startswith("what-is-all/title/"):
            assert unit.get_state_n() == unit.S_NEEDS_TRANSLATION and not unit.target
            unit.settarget("نص")
            unit.set_state_n(unit.S_TRANSLATED)
        elif uid.startswith("what-is-all/what-the-name-means/"):
            unit.settarget("نص")
            unit.set_state_n(unit.S_NEEDS_TRANSLATION)  # a draft: kept, but not marked translated
    out.write_bytes(bytes(store))
    assert run_import(content, "ar", out) == 0
    text = (content / "ar" / "what-is-all.yaml").read_text(encoding="utf-8")
    head, _, rest = text.partition("sections:")
    assert "\nuntranslated: true" not in head and '# en: What is ALL?\ntitle: "نص"' in head
    assert rest.split("- id:")[1].count("untranslated: true") == 1 and 'heading: "نص"' in rest
    project = load_project(content, ["ar"])
    found = states(project.source.topics["what-is-all"], project.locales["ar"].translations["what-is-all"])
    assert found["title"] == TRANSLATED and found["what-the-name-means"] == "untranslated"


def test_export_and_import_do_not_import_weasyprint(content, tmp_path):
    code = ("import sys; from handoutgen.cli import main; "
            f"assert main(['export', 'es', '--out', {str(tmp_path / 'x.xlf')!r}, '--content', {str(content)!r}]) == 0; "
            f"assert main(['import', 'es', {str(tmp_path / 'x.xlf')!r}, '--content', {str(content)!r}]) == 0; "
            "assert 'weasyprint' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_a_file_for_another_language_or_not_xliff_is_refused(content, tmp_path, capsys):
    out = export(content, tmp_path, "es", "xliff")
    assert run_import(content, "ar", out) == 1
    assert "its target language is es, not ar" in capsys.readouterr().err
    bad = tmp_path / "bad.xlf"
    bad.write_text("<xliff><file>", encoding="utf-8")
    assert run_import(content, "es", bad) == 1
    assert "not a XLIFF file translate-toolkit can read" in capsys.readouterr().err


def test_a_reviewed_file_is_signed_off_and_an_untranslated_part_has_an_empty_msgstr(content, tmp_path):
    path = content / "es" / "when-to-call.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'review:\n  status: "draft"',
        'review:\n  status: reviewed\n  reviewed_by: M. Test\n  credential: medical translator\n'
        '  reviewed_on: 2026-01-01'), encoding="utf-8")
    units = xliff_units(export(content, tmp_path, "es", "xliff", "--topic", "when-to-call"))
    assert {unit.get_state_n() for unit in units.values()} == {xliff.xliffunit.S_SIGNED_OFF}
    catalog = polib.pofile(str(export(content, tmp_path, "ar", "po")))
    entry = next(e for e in catalog if e.msgctxt == "what-is-all/title/title")
    assert entry.msgid == "What is ALL?" and entry.msgstr == "" and not entry.fuzzy


def test_ui_strings_of_a_new_language_are_added_and_their_own_placeholders_checked(content, tmp_path, capsys):
    assert main(["translate", "fr", "--content", str(content)]) == 0  # strings.yaml: every string commented out
    out = export(content, tmp_path, "fr", "po")
    catalog = polib.pofile(str(out))
    fill = {"strings/key_points": "Points clés", "strings/callout_labels.urgent": "Urgent",
            "strings/pages.one": "{n} page", "strings/pages.many": "{n} de pages", "strings/pages.other": "{n} pages",
            "strings/urgent_box": "Appelez le {fever_threshold}"}
    for entry in catalog:
        if entry.msgctxt in fill:
            assert entry.msgstr == ""
            entry.msgstr = fill[entry.msgctxt]
    catalog.save(str(out))
    before = snapshot(content)
    capsys.readouterr()
    assert run_import(content, "fr", out) == 1
    assert "strings/urgent_box: must contain {urgent_phone}" in capsys.readouterr().err
    assert snapshot(content) == before
    next(e for e in catalog if e.msgctxt == "strings/urgent_box").msgstr = ""
    catalog.save(str(out))
    assert run_import(content, "fr", out) == 0
    strings = (content / "fr" / "strings.yaml").read_text(encoding="utf-8")
    assert strings.startswith(before["fr/strings.yaml"].decode())  # the commented-out English is kept
    assert strings.endswith('key_points: "Points clés"\ncallout_labels:\n  urgent: "Urgent"\npages:\n  many: "{n} de pages"\n  one: "{n} page"\n'
                            '  other: "{n} pages"\n')
    locale = load_project(content, ["fr"]).locales["fr"]
    assert locale.strings.key_points == "Points clés" and "key_points" not in locale.missing_strings
