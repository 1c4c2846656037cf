"""Hostile input: every case is a located problem from `check`, and a `build` that writes nothing.

Each file in tests/data/hostile/ is one case. Its first line says what `check` must print,
`# expect: LINE:COL: message` (or `# expect: message` for a problem with the whole file),
and an optional second line `# target: es/strings.yaml` says which file of the content tree it
replaces (default: en/when-to-call.yaml; `clinic.yaml` is the clinic profile). The SVG files in
hostile/logos/ are logos for the profile beside them, with the same first line as a comment.
Inputs that cannot be files in git (a FIFO, a link loop...) and PNG logos are made here.
"""

from __future__ import annotations

import os
import shutil
import signal
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from handoutgen.cli import main

HOSTILE = Path(__file__).parent / "data" / "hostile"
LOGOS = HOSTILE / "logos"
TOPIC = "en/when-to-call.yaml"


@dataclass
class Case:
    """One hostile input: the files it puts in a content tree and what `check` must say of which file."""

    files: dict[str, bytes]  # path in the content tree -> bytes
    blamed: str  # the file the problem is reported against
    expect: str  # `LINE:COL: message` or, for the whole file, `message`

    @property
    def locale(self) -> str:
        """Return the locale a build must select to read the case's file."""
        return self.blamed.split("/")[0] if "/" in self.blamed else "en"

    def expected(self, content: Path) -> str:
        """Return what the problem's line must contain."""
        separator = ":" if self.expect[:1].isdigit() else ": "
        return f"{content / self.blamed}{separator}{self.expect}"


def header(text: str, marker: str) -> str:
    """Return the value of a `marker:` comment line at the top of a case."""
    first = text.splitlines()[0] if marker == "expect" else (text.splitlines() + [""])[1]
    prefix = {"expect": "# expect: ", "target": "# target: "}[marker]
    if first.startswith("<!-- expect: "):
        return first.removeprefix("<!-- expect: ").removesuffix(" -->")
    return first.removeprefix(prefix) if first.startswith(prefix) else ""


def yaml_case(path: Path) -> Case:
    """Read a case file of tests/data/hostile/."""
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    target = header(text, "target") or TOPIC
    assert header(text, "expect"), f"{path.name} has no `# expect:` line"
    return Case({target: data}, target, header(text, "expect"))


def logo_case(name: str, logo: bytes, expect: str, suffix: str = ".svg") -> Case:
    """Return a case that gives the logo profile a logo."""
    profile = (LOGOS / "clinic.yaml").read_text(encoding="utf-8").replace("logo.svg", f"logo{suffix}")
    return Case({"clinic.yaml": profile.encode(), f"logo{suffix}": logo}, "clinic.yaml", expect)


def png(width: int, height: int, pixels: bytes | None = None, good_crc: bool = True) -> bytes:
    """Return a greyscale PNG, or one whose header, data or checksum lies as asked."""
    def chunk(kind: bytes, body: bytes, crc_ok: bool = True) -> bytes:
        crc = zlib.crc32(kind + body) ^ (0 if crc_ok else 1)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    if pixels is None:
        pixels = zlib.compress(b"".join(b"\0" + b"\x80" * width for _ in range(height)))
    header_ = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header_) + chunk(b"IDAT", pixels, good_crc)
            + chunk(b"IEND", b""))


CASES = {path.stem: yaml_case(path) for path in sorted(HOSTILE.glob("*.yaml"))}
for path in sorted(LOGOS.glob("*.svg")):
    CASES[f"logo-{path.stem}"] = logo_case(path.stem, path.read_bytes(),
                                           header(path.read_text(encoding="utf-8"), "expect"))
PNG_LOGO = "9:1: logo: logo.png: "
CASES["logo-png-too-large"] = logo_case("", png(40_000, 1, b""), PNG_LOGO + "the logo is 40,000 × 1 pixels; "
                                        "the limit is 4,000 × 4,000", ".png")
CASES["logo-png-bad-checksum"] = logo_case("", png(8, 8, good_crc=False), PNG_LOGO + "not a valid PNG file: it "
                                           "cannot be decoded (broken PNG file (bad header checksum", ".png")
CASES["logo-png-truncated"] = logo_case("", png(64, 64)[:60], PNG_LOGO + "not a valid PNG file: it cannot be "
                                        "decoded", ".png")
CASES["logo-png-short-data"] = logo_case("", png(64, 64, zlib.compress(b"\0" * 10)), PNG_LOGO + "not a valid PNG "
                                         "file: it cannot be decoded (image file is truncated", ".png")


def run(argv: list[str], capsys) -> tuple[int, str]:
    """Run the command line; return its exit code and what it printed on stderr."""
    code = main(argv)
    return code, capsys.readouterr().err


def assert_refused(code: int, err: str, expected: str) -> None:
    """Assert a command failed with the expected located problem, cleanly."""
    assert code == 1, err
    assert expected in err, err
    assert "Traceback" not in err and "bug" not in err, err


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under a folder, by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good_build(tmp_path_factory) -> Path:
    """Build the fridge page once, in English with the example clinic: the folder each case builds into."""
    out = tmp_path_factory.mktemp("good")
    assert main(["build", "--out", str(out), "--locale", "en", "--topic", "when-to-call"]) == 0
    assert (out / "en" / "when-to-call.pdf").is_file()
    return out


def check_and_build(content: Path, case_locale: str, expected: str, good_build: Path, tmp_path: Path,
                    capsys, clinic: Path | None = None) -> None:
    """Assert `check` reports the problem, and that a build into a good folder fails and changes nothing."""
    clinic = clinic or content / "clinic.yaml"
    selection = ["--locale", case_locale, "--topic", "when-to-call", "--clinic", str(clinic)]
    assert_refused(*run(["check", "--content", str(content), *selection], capsys), expected)
    out = tmp_path / "out"
    shutil.copytree(good_build, out)
    before = snapshot(out)
    code, err = run(["build", "--content", str(content), "--out", str(out), *selection], capsys)
    assert_refused(code, err, expected)
    assert snapshot(out) == before  # nothing new, nothing removed, every earlier file byte-identical


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case_is_located_and_writes_nothing(name, content_tree, good_build, tmp_path, capsys):
    case = CASES[name]
    content = content_tree(case.files)
    check_and_build(content, case.locale, case.expected(content), good_build, tmp_path, capsys)


@pytest.fixture
def no_hang():
    """Fail a test that runs for more than 60 seconds instead of letting it block the suite."""
    def stop(*_):
        raise TimeoutError("blocked: a file that is not a regular file was opened")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _folder(path: Path) -> None:
    path.mkdir()


def _loop(path: Path) -> None:
    path.symlink_to(path.name)


def _dangling(path: Path) -> None:
    path.symlink_to("nowhere.yaml")


SPECIAL = {  # how to make it -> what `check` says of it
    "fifo": (_fifo, "is a named pipe (FIFO), not a regular file; only regular files are read"),
    "dev-zero": (_dev_zero, "is a device, not a regular file; only regular files are read"),
    "folder": (_folder, "is a folder, not a regular file; only regular files are read"),
    "link-loop": (_loop, "is a symbolic link that loops back on itself"),
    "dangling-link": (_dangling, "is a link to nothing: the file it points to does not exist"),
}


@pytest.mark.parametrize("target", ["en/when-to-call.yaml", "en/strings.yaml", "es/glossary.yaml", "booklet.yaml"])
@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_a_file_that_is_not_a_regular_file_is_refused_without_blocking(kind, target, content_tree, good_build,
                                                                       tmp_path, capsys, no_hang):
    content = content_tree()
    path = content / target
    path.unlink(missing_ok=True)
    make, message = SPECIAL[kind]
    make(path)
    locale = target.split("/")[0] if "/" in target else "en"
    check_and_build(content, locale, f"{path}: {message}", good_build, tmp_path, capsys)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "link-loop"])
def test_a_logo_that_is_not_a_regular_file_is_refused(kind, content_tree, good_build, tmp_path, capsys, no_hang):
    content = content_tree({"clinic.yaml": (LOGOS / "clinic.yaml").read_bytes()})
    SPECIAL[kind][0](content / "logo.svg")
    expected = {"fifo": "the logo is a named pipe (FIFO)", "dev-zero": "the logo must be in the profile's folder",
                "folder": "the logo is a folder", "link-loop": "the logo is a symbolic link that loops"}[kind]
    check_and_build(content, "en", f"{content / 'clinic.yaml'}:9:1: logo: {expected}", good_build, tmp_path, capsys)


def test_an_unreadable_file_is_refused(content_tree, good_build, tmp_path, capsys, monkeypatch):
    content = content_tree()
    path = content / TOPIC
    path.chmod(0)
    if os.access(path, os.R_OK):  # root reads anything: make the system say no as it would to anyone else
        real_open = os.open

        def refuse(file, flags, *args, **kwargs):
            if Path(file) == path:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
    check_and_build(content, "en", f"{path}: cannot read file: permission denied", good_build, tmp_path, capsys)


def test_a_file_whose_size_the_system_does_not_know_is_read_only_up_to_the_limit():
    from handoutgen.source import FileRefused, read_file

    status = Path("/proc/self/status")  # a regular file whose stat says 0 bytes, like one still being written
    if not status.is_file() or status.stat().st_size:
        pytest.skip("needs Linux /proc")
    with pytest.raises(FileRefused, match="file is over 16 bytes"):
        read_file(status, 16)


def test_hidden_editor_files_are_not_topics(content_tree, capsys):
    content = content_tree()
    (content / "en" / ".#when-to-call.yaml").symlink_to("root@host.1234:1700000000")  # an Emacs lock file
    code, err = run(["check", "--content", str(content), "--locale", "en"], capsys)
    assert code == 0, err


def test_a_mistake_in_the_english_strings_is_reported_there_not_in_each_translation(content_tree, capsys):
    case = CASES["strings-urgent-line-without-phone"]
    content = content_tree(case.files)
    code, err = run(["check", "--content", str(content)], capsys)
    assert_refused(code, err, case.expected(content))
    assert "es/strings.yaml" not in err and "ar/strings.yaml" not in err  # the translations keep {urgent_phone}
