"""`site` publishes only what it has verified: every PDF read back against the clinic profile it is given."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest

from handoutgen.cli import main

TOPICS = ["when-to-call", "what-is-all"]


def _build(content, out, *extra) -> int:
    return main(["build", "--content", str(content), "--out", str(out), "--locale", "en", "--jobs", "1",
                 *[arg for topic in TOPICS for arg in ("--topic", topic)], *extra])


def _snapshot(folder) -> dict[str, bytes]:
    """Return a folder's files, the empty lock file a run leaves aside."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".handoutgen.lock"} if folder.exists() else {}


@pytest.fixture
def shards(content_tree, tmp_path):
    """Return the content, two shards of one build, the site command, and a clinic profile with another urgent number."""
    content = content_tree()
    for k in (1, 2):
        assert _build(content, tmp_path / f"shard-{k}", "--shard", f"{k}/2") == 0
    other = tmp_path / "other-clinic" / "clinic.yaml"
    other.parent.mkdir()
    other.write_text((content / "clinic.yaml").read_text().replace('urgent: "+1 555-0199"', 'urgent: "+1 555-0177"'))
    site = ["site", "--content", str(content), "--out", str(tmp_path / "site")]
    return content, [tmp_path / "shard-1", tmp_path / "shard-2"], site, other


def _forge(shard, name: str, data: bytes) -> None:
    """Put `data` at `name` in a shard and recompute its size and digest in the manifest, as an attacker would."""
    (shard / name).write_bytes(data)
    manifest = json.loads((shard / "manifest.json").read_text())
    manifest["files"][name].update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest())
    (shard / "manifest.json").write_text(json.dumps(manifest))


def _refused(site, shards, capsys, tmp_path) -> str:
    before = _snapshot(tmp_path / "site")
    assert main([*site, *map(str, shards)]) == 1
    assert _snapshot(tmp_path / "site") == before  # nothing written, an earlier site untouched
    return capsys.readouterr().err


def test_a_sound_merge_is_published(shards, capsys):
    _, folders, site, _ = shards
    assert main([*site, *map(str, folders)]) == 0


def test_a_shard_built_for_another_urgent_number_is_refused(shards, tmp_path, capsys):
    content, folders, site, other = shards
    assert main([*site, *map(str, folders)]) == 0  # an earlier good site, which a refusal must leave as it was
    shutil.rmtree(folders[1])
    assert _build(content, folders[1], "--shard", "2/2", "--clinic", str(other)) == 0
    assert "was built from another clinic profile" in _refused(site, folders, capsys, tmp_path)


def test_a_pdf_with_another_number_is_refused_even_with_a_forged_manifest(shards, tmp_path, capsys):
    content, folders, site, other = shards
    assert _build(content, tmp_path / "b", "--clinic", str(other)) == 0
    name = next(n for n in json.loads((folders[0] / "manifest.json").read_text())["files"])
    _forge(folders[0], name, (tmp_path / "b" / name).read_bytes())
    err = _refused(site, folders, capsys, tmp_path)
    assert "lacks the urgent number +1 555-0199" in err and "no site is written" in err


def test_an_edited_clinic_name_in_the_manifest_is_refused(shards, tmp_path, capsys):
    content, folders, site, other = shards
    renamed = other.parent / "renamed.yaml"
    renamed.write_text((content / "clinic.yaml").read_text().replace("name: Example Children's Hospital",
                                                                     "name: Another Hospital"))
    good = json.loads((folders[0] / "manifest.json").read_text())["inputs"]
    for k, shard in enumerate(folders, 1):
        shutil.rmtree(shard)
        assert _build(content, shard, "--shard", f"{k}/2", "--clinic", str(renamed)) == 0
        manifest = json.loads((shard / "manifest.json").read_text())
        manifest["clinic"] = "Example Children's Hospital, Leukemia Clinic"
        (shard / "manifest.json").write_text(json.dumps(manifest))
    assert "was built from another clinic profile" in _refused(site, folders, capsys, tmp_path)
    for shard in folders:  # and with the profile's digest forged too, the PDFs themselves say so
        manifest = json.loads((shard / "manifest.json").read_text())
        manifest["inputs"]["clinic"] = good["clinic"]
        (shard / "manifest.json").write_text(json.dumps(manifest))
    err = _refused(site, folders, capsys, tmp_path)  # the preview or the PDF says which clinic it was made for
    assert "names 'Another Hospital, Leukemia Clinic' as its clinic, not" in err or \
        "is not the file this content and clinic profile make" in err


def test_the_pdfs_clinic_is_read_from_the_pdf(shards, tmp_path, capsys):
    content, folders, site, _ = shards
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text((content / "clinic.yaml").read_text().replace("name: Example Children's Hospital",
                                                                     "name: Another Hospital"))
    assert _build(content, tmp_path / "b", "--clinic", str(renamed)) == 0
    name = next(n for n in json.loads((folders[0] / "manifest.json").read_text())["files"])
    _forge(folders[0], name, (tmp_path / "b" / name).read_bytes())
    assert "as its clinic, not \"Example Children's Hospital" in _refused(site, folders, capsys, tmp_path)


def test_a_file_no_manifest_lists_is_refused(shards, tmp_path, capsys):
    _, folders, site, _ = shards
    (folders[0] / "en" / "extra.pdf").write_bytes((next(folders[0].rglob("*.pdf"))).read_bytes())
    assert "is not listed in" in _refused(site, folders, capsys, tmp_path)


@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_symbolic_link_in_a_shard_is_refused_and_nothing_outside_is_copied(shards, tmp_path, capsys, where):
    _, folders, site, _ = shards
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwords.txt").write_text("not for the site")
    if where == "file":
        (folders[0] / "en" / "passwords.txt").symlink_to(secret / "passwords.txt")
    else:
        (folders[0] / "en" / "secret").symlink_to(secret, target_is_directory=True)
    assert "is a symbolic link" in _refused(site, folders, capsys, tmp_path)
    assert not any("passwords" in p.name for p in tmp_path.joinpath("site").rglob("*"))


def test_a_fifo_in_a_shard_is_refused_without_blocking(shards, tmp_path, capsys):
    import os

    _, folders, site, _ = shards
    os.mkfifo(folders[0] / "en" / "pipe.pdf")
    assert "not a regular file" in _refused(site, folders, capsys, tmp_path)


def test_a_lone_shard_claiming_share_0_of_0_is_refused(shards, tmp_path, capsys):
    _, folders, site, _ = shards
    manifest = json.loads((folders[0] / "manifest.json").read_text())
    manifest["shard"] = [0, 0]
    (folders[0] / "manifest.json").write_text(json.dumps(manifest))
    assert "names no share K/N" in _refused(site, folders[:1], capsys, tmp_path)


def test_shards_of_two_content_versions_are_refused(shards, tmp_path, capsys):
    content, folders, site, _ = shards
    topic = content / "en" / "what-is-all.yaml"
    topic.write_text(topic.read_text().replace("title: What is ALL?", "title: What is ALL, in short?"))
    shutil.rmtree(folders[1])
    assert _build(content, folders[1], "--shard", "2/2") == 0
    assert "was built from another content" in _refused(site, folders, capsys, tmp_path)


def test_shards_built_with_other_options_are_refused(shards, tmp_path, capsys):
    content, folders, site, _ = shards
    shutil.rmtree(folders[1])
    assert _build(content, folders[1], "--shard", "2/2", "--paper", "a4") == 0
    assert "was built with other options" in _refused(site, folders, capsys, tmp_path)


def test_a_forged_preview_is_refused(shards, tmp_path, capsys):
    _, folders, site, _ = shards
    manifest = json.loads((folders[0] / "manifest.json").read_text())
    preview = next(name for name in manifest["others"] if name.endswith(".html"))
    data = (folders[0] / preview).read_bytes().replace(b"+1 555-0199", b"+1 555-0000")
    (folders[0] / preview).write_bytes(data)
    manifest["others"][preview] = hashlib.sha256(data).hexdigest()
    (folders[0] / "manifest.json").write_text(json.dumps(manifest))
    assert "is not the file this content and clinic profile make" in _refused(site, folders, capsys, tmp_path)


def test_an_earlier_sites_pdfs_that_no_shard_has_are_refused(shards, content_tree, tmp_path, capsys):
    content, folders, site, _ = shards
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "site"), "--locale", "en",
                 "--topic", "glossary"]) == 0  # a folder holding a PDF these shards do not have
    assert "holds PDFs that no shard has (en/glossary.pdf)" in _refused(site, folders, capsys, tmp_path)


def test_shards_built_in_different_folders_merge(shards, tmp_path, capsys):
    """Digests name files relative to their folder: CI jobs check out the same commit in different places."""
    content, folders, site, _ = shards
    elsewhere = tmp_path / "elsewhere" / "handouts"
    shutil.copytree(content, elsewhere)
    shutil.rmtree(folders[1])
    assert _build(elsewhere, folders[1], "--shard", "2/2") == 0
    assert main([*site, *map(str, folders)]) == 0
