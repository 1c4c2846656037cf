"""Files of any size and kind in the content folder: digested a chunk at a time, parsed only under a limit.

And what the run key digests is what the build reads: a link to a file is both read and digested
as the file; a locale folder that is a link is refused, so an edit inside it can never be missed.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from handoutgen import cache, incremental
from handoutgen.cli import main
from handoutgen.system import content_version

PROJECT = Path(__file__).resolve().parent.parent
HUGE = 3 * 1024**3
"""A sparse file this large costs no disk, and no memory unless something reads it whole."""
ADDRESS_SPACE = 1024**3
"""The most memory the process checking it may map (a check maps about 60 MB): a third of the file."""


def sparse(path: Path, size: int = HUGE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.truncate(size)
    return path


def limited(script: str, *args: str) -> subprocess.CompletedProcess:
    """Run Python `script` in a process that may map at most ADDRESS_SPACE and must finish within 60 s."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60,
                          check=False, cwd=PROJECT, preexec_fn=limit,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})


CHECK = """import resource, sys
from handoutgen.cli import main
code = main(["check", "--content", sys.argv[1]])
print(f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
sys.exit(code)
"""


def peak(done: subprocess.CompletedProcess) -> int:
    return int(done.stdout.rsplit("peak ", 1)[1].split()[0])


def check(capsys, content: Path, *extra: str) -> tuple[int, str]:
    code = main(["check", "--content", str(content), *extra])
    return code, capsys.readouterr().err


def test_a_huge_yaml_file_is_named_with_the_limit_and_never_read_whole(content_tree, tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUTGEN_CACHE", str(tmp_path / "cache"))
    content = content_tree()
    huge = sparse(content / "en" / "huge.yaml")
    done = limited(CHECK, str(content))
    assert done.returncode == 1, done.stderr
    assert f"{huge}: file is {HUGE:,} bytes; the limit is 1,000,000 (1 MB)" in done.stderr
    assert "This is a bug" not in done.stderr and "MemoryError" not in done.stderr
    assert peak(done) < 300


def test_a_huge_file_beside_the_content_costs_time_never_memory(content_tree, tmp_path, monkeypatch):
    """`check`, the run key and the digest of an output folder each read it through, a chunk at a time."""
    monkeypatch.setenv("HANDOUTGEN_CACHE", str(tmp_path / "cache"))
    content = content_tree()
    stray = sparse(content / "disk-image.iso")
    done = limited(CHECK, str(content))
    assert done.returncode == 0, done.stderr
    assert "no problems" in done.stdout and peak(done) < 300

    out = tmp_path / "out"
    out.mkdir()
    os.link(stray, out / "left-behind.iso")  # the same sparse file again, in an output folder
    keys = limited("""import sys
from pathlib import Path
from handoutgen import incremental
print(incremental.run_key([Path(sys.argv[1])], "options"))
print(incremental.output_files(Path(sys.argv[2])))
""", str(content), str(out))
    assert keys.returncode == 0, keys.stderr
    key, files = keys.stdout.splitlines()
    assert len(key) == 64 and str(HUGE) in files


def test_the_run_key_reads_every_byte(tmp_path):
    """A change at the end of a large file, with its size and time put back, is still a change."""
    content = tmp_path / "content"
    (content / "en").mkdir(parents=True)
    big = content / "en" / "notes.bin"
    big.write_bytes(b"x" * (5 * 1024**2 + 7))  # several chunks and a bit
    times = big.stat().st_mtime_ns
    before, version = cache.tree_digest(content), content_version(content)
    with big.open("r+b") as f:
        f.seek(-1, os.SEEK_END)
        f.write(b"y")
    os.utime(big, ns=(times, times))
    assert cache.tree_digest(content) != before and content_version(content) != version
    assert incremental.file_digest(big) is not None


def test_a_fifo_or_a_device_beside_the_content_is_named_never_read(content_tree, tmp_path):
    content = content_tree()
    key = cache.tree_digest(content)
    os.mkfifo(content / "pipe")
    (content / "zero").symlink_to("/dev/zero")
    script = "import sys; from pathlib import Path; from handoutgen import cache; print(cache.tree_digest(Path(sys.argv[1])))"
    done = subprocess.run([sys.executable, "-c", script, str(content)], capture_output=True, text=True, timeout=60,
                          check=False, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() != key


def _link_locale(content: Path, code: str, elsewhere: Path) -> Path:
    elsewhere.mkdir()
    shutil.move(content / code, elsewhere / code)
    (content / code).symlink_to(elsewhere / code, target_is_directory=True)
    return elsewhere / code


@pytest.mark.parametrize("code", ["es", "en"])
def test_a_locale_folder_that_is_a_link_is_refused(code, content_tree, tmp_path, capsys):
    content = content_tree()
    _link_locale(content, code, tmp_path / "elsewhere")
    message = (f"{content / code}: is a symbolic link to a folder: copy the folder into the content folder "
               f"instead (folders inside the content folder are never followed as links)")
    for extra in ([], ["--locale", "en"]):
        status, err = check(capsys, content, *extra)
        assert status == 1 and message in err, err
    if code == "en":  # nothing else can be said of content without its English
        assert err.splitlines() == [message, "Error: 1 problem found."]


def test_an_edit_inside_a_linked_locale_folder_is_never_answered_nothing_changed(content_tree, tmp_path):
    from handoutgen.build import BuildOptions, build

    content, out = content_tree(), tmp_path / "out"
    real = _link_locale(content, "es", tmp_path / "elsewhere")
    report = build(BuildOptions(content=content, out=out, locales=["en"], topics=["when-to-call"], run_key="k"),
                   progress=lambda line: None)
    assert any("is a symbolic link to a folder" in p.message for p in report.problems)
    assert report.failed_locales and not report.outputs
    manifest = out / "manifest.json"
    assert not manifest.exists() or "last_run" not in json.loads(manifest.read_text())
    assert incremental.last_run_holds(out, "k") is None  # so no run can be skipped as unchanged
    before = cache.tree_digest(content)
    topic = real / "when-to-call.yaml"
    topic.write_text(topic.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert cache.tree_digest(content) == before  # the linked folder is not read, by the digest nor the build


def test_a_link_to_a_file_is_read_and_digested_as_that_file(content_tree, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HANDOUTGEN_CACHE", str(tmp_path / "cache"))
    content = content_tree()
    real = tmp_path / "elsewhere" / "what-is-all.yaml"
    real.parent.mkdir()
    shutil.move(content / "en" / "what-is-all.yaml", real)
    (content / "en" / "what-is-all.yaml").symlink_to(real)
    assert check(capsys, content)[0] == 0
    before = cache.tree_digest(content)
    real.write_text(real.read_text(encoding="utf-8") + "\nnot_a_field: 1\n", encoding="utf-8")
    assert cache.tree_digest(content) != before
    status, err = check(capsys, content)  # the check key sees it: no report of the file before is replayed
    assert status == 1 and "not_a_field" in err


def test_a_hidden_file_is_neither_read_nor_digested(content_tree, capsys):
    content = content_tree()
    before = cache.tree_digest(content)
    (content / "en" / ".draft.yml").write_text("not: content\n")
    (content / "en" / ".#when-to-call.yaml").symlink_to("root@host.1234:1700000000")  # an Emacs lock file
    assert cache.tree_digest(content) == before
    assert check(capsys, content, "--locale", "en")[0] == 0
