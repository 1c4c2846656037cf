"""Writing: each locale all or nothing, clear errors for a folder that cannot be written, one clinic a folder."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest

from handoutgen import write
from handoutgen.cli import main
from handoutgen.manifest import read_manifest

PROJECT = Path(__file__).resolve().parent.parent
ONE = ["--locale", "en", "--topic", "when-to-call"]


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.name != write.LOCK}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A folder holding a good build of the English fridge page, to copy for each case."""
    out = tmp_path_factory.mktemp("good")
    assert main(["build", "--out", str(out), *ONE]) == 0
    return out


@pytest.fixture
def earlier(good, tmp_path) -> Path:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(good, out)
    return out


def fill_disk_at(monkeypatch, file_number: int) -> None:
    """Make the disk fill up when the build stages its `file_number`-th file."""
    staged, calls = write._stage, []

    def disk_fills_up(path, data):
        calls.append(path)
        if len(calls) == file_number:
            raise OSError(errno.ENOSPC, "No space left on device")
        return staged(path, data)

    monkeypatch.setattr(write, "_stage", disk_fills_up)


def test_commit_writes_all_or_nothing(tmp_path, monkeypatch):
    files = {tmp_path / f"{n}.txt": f"new {n}".encode() for n in range(4)}
    for path in files:
        path.write_text("old")
    fill_disk_at(monkeypatch, 3)
    with pytest.raises(write.WriteError, match="No space left on device"):
        write.commit(files, tmp_path)
    assert {p.read_text() for p in files} == {"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}.txt" for n in range(4)]  # no temporary left


def test_a_disk_full_half_way_keeps_the_earlier_locale_and_says_so(earlier, monkeypatch, capsys):
    before = snapshot(earlier)
    fill_disk_at(monkeypatch, 2)
    assert main(["build", "--out", str(earlier), "--locale", "en", "--topic", "when-to-call",
                 "--topic", "what-is-all"]) == 1
    err = capsys.readouterr().err
    assert f"Error: cannot write {earlier}: No space left on device" in err
    assert "Traceback" not in err and "bug" not in err
    assert snapshot(earlier) == before
    assert not list(earlier.rglob("*.tmp"))


def test_an_output_path_that_is_a_file_is_a_clear_error(tmp_path, capsys):
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    assert main(["build", "--out", str(blocker), *ONE]) == 1
    err = capsys.readouterr().err
    assert f"Error: cannot write {blocker}:" in err and "Traceback" not in err
    assert blocker.read_text() == "not a folder"


def test_a_read_only_folder_is_a_clear_error(earlier, monkeypatch, capsys):
    before = snapshot(earlier)

    def read_only(path, data):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(write, "_stage", read_only)
    assert main(["build", "--out", str(earlier), *ONE, "--paper", "a4"]) == 1
    assert f"Error: cannot write {earlier}: Read-only file system" in capsys.readouterr().err
    assert snapshot(earlier) == before


def test_temporary_files_of_a_killed_build_are_removed(earlier):
    stale = earlier / "en" / ".when-to-call.pdf.k2j4_x9q.tmp"
    stale.write_bytes(b"half a PDF")
    keep = earlier / "en" / ".notes.tmp"  # not a name of ours
    keep.write_text("mine")
    assert main(["build", "--out", str(earlier), *ONE]) == 0
    assert not stale.exists() and keep.exists()


def test_two_builds_into_one_folder_lose_no_manifest_entry(tmp_path):
    out = tmp_path / "out"
    runs = [subprocess.Popen([sys.executable, "generate.py", "build", "--out", str(out), "--locale", "en",
                              "--topic", topic], cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for topic in ("when-to-call", "what-is-all", "supportive-care")]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read().decode()
    files = json.loads((out / "manifest.json").read_text())["files"]
    assert {"en/when-to-call.pdf", "en/what-is-all.pdf", "en/supportive-care.pdf"} <= set(files)


@pytest.mark.parametrize("name, entry", [
    ("xx/when-to-call.pdf", {"locale": "xx"}),
    ("/etc/passwd.pdf", {}),
    ("en/../../outside.pdf", {}),
    ("en/when-to-call.pdf", {"edition": "tiny-print"}),
    ("en/when-to-call.pdf", "not an entry"),
])
def test_a_damaged_manifest_entry_is_dropped_with_a_warning(earlier, name, entry, capsys):
    manifest = json.loads((earlier / "manifest.json").read_text())
    good = manifest["files"]["en/when-to-call.pdf"]
    manifest["files"] = {name: entry if isinstance(entry, str) else {**good, **entry}}
    (earlier / "manifest.json").write_text(json.dumps(manifest))
    kept = read_manifest(earlier, {"en", "es", "ar"})
    assert kept.files == {} and len(kept.dropped) == 1
    assert main(["build", "--out", str(earlier), "--locale", "en", "--topic", "what-is-all"]) == 0
    assert "is dropped" in capsys.readouterr().err
    assert set(json.loads((earlier / "manifest.json").read_text())["files"]) == {"en/what-is-all.pdf"}


@pytest.mark.parametrize("damage", ["delete", "corrupt"])
def test_one_clinic_per_folder_holds_without_a_manifest(earlier, damage, capsys):
    manifest = earlier / "manifest.json"
    manifest.unlink() if damage == "delete" else manifest.write_text("{not json")
    before = snapshot(earlier)
    assert main(["build", "--out", str(earlier), "--no-clinic", *ONE]) == 1
    err = capsys.readouterr().err
    assert "holds handouts built for Example Children's Hospital, Leukemia Clinic" in err
    assert snapshot(earlier) == before


def test_a_broken_clinic_profile_is_not_also_called_no_clinic(earlier, tmp_path, capsys):
    profile = tmp_path / "clinic.yaml"
    profile.write_text("name: Test\nphones:\n  daytime: '+1 555-0100'\nfever:\n  threshold: 38\n")
    assert main(["build", "--out", str(earlier), "--clinic", str(profile), *ONE]) == 1
    err = capsys.readouterr().err
    assert "missing required field 'urgent'" in err
    assert "no clinic" not in err and "holds handouts" not in err


@pytest.mark.parametrize("out", ["handouts", "handouts/en", "templates", "handoutgen/schemas"])
def test_the_output_folder_cannot_be_the_content_or_the_projects_files(out, capsys, monkeypatch):
    monkeypatch.chdir(PROJECT)
    before = snapshot(PROJECT / "handouts")
    assert main(["build", "--out", out, *ONE]) == 1
    assert "Error: --out" in capsys.readouterr().err
    assert snapshot(PROJECT / "handouts") == before


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "101", "ten"])
def test_min_complete_must_be_a_percentage(value, capsys):
    assert main(["status", "--min-complete", value]) == 2
    assert "percentage from 0 to 100" in capsys.readouterr().err
