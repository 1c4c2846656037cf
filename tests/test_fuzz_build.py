"""Property: whatever text an author or translator writes, the result is a located error or a verified PDF.

Hypothesis generates hostile text (braces, markup, control and direction characters, emoji,
very long words, scripts our fonts lack) for a title, a paragraph and a UI string. Either
`check` reports a problem with a file and line, or the build writes a PDF that passed every
output check of `verify.py`. Never a traceback, never exit 0 with a broken page.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from handoutgen.cli import main
from handoutgen.paths import CONTENT
from handoutgen.rules import check

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "handoutgen-hypothesis")  # nothing written in the repo
PIECES = st.sampled_from(["{urgent_phone}", "{fever_threshold}", "{urgent_phone!r}", "{{urgent_phone}}", "{",
                          "}", "**", "*", "<b>", "&amp;", "\u202e", "\u2066", "\u200f", "\x00", "\x1b", "\x85",
                          "😀", "ก", "中", "é", "ß", "\u0627\u0644", "-", "\\", '"', "'", "#", ": ", "\n",
                          "Supercalifragilisticexpialidocious" * 3])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=12)), min_size=1, max_size=6).map("".join)


def quoted(text: str) -> str:
    """Return text as a YAML double-quoted scalar (JSON is valid YAML 1.2)."""
    return json.dumps(text, ensure_ascii=False)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(CONTENT, root / "handouts")
    return root


def run(tree: Path, files: dict[str, str], capsys) -> None:
    content = tree / "handouts"
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    try:
        checked = check(content, content / "clinic.yaml", ["en"], ["when-to-call"])
        for problem in checked.problems:
            assert problem.file.is_relative_to(content), problem
        out = tree / "out"
        shutil.rmtree(out, ignore_errors=True)
        code = main(["build", "--content", str(content), "--out", str(out), "--locale", "en",
                     "--topic", "when-to-call"])
        err = capsys.readouterr().err
        assert "Traceback" not in err and "bug in handoutgen" not in err, err
        if checked.problems:
            assert code == 1 and not list(out.rglob("*.pdf"))
        elif code == 1:  # the input passed; the PDF must then have been refused on a page, and nothing written
            assert ".pdf" in err and not list(out.rglob("*.pdf")), err
        else:
            assert code == 0 and (out / "en" / "when-to-call.pdf").is_file()
    finally:
        for name in files:
            shutil.copy(CONTENT / name, content / name)


# Each example is a real build (about a second), so no shrinking: a failure is reported as generated.
SETTINGS = settings(max_examples=12, deadline=None, database=None, phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(title=TEXT, paragraph=TEXT)
def test_any_topic_text_gives_a_located_error_or_a_verified_pdf(tree, capsys, title, paragraph):
    english = (CONTENT / "en" / "when-to-call.yaml").read_text(encoding="utf-8")
    lines = english.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[at] = f"title: {quoted(title)}"
    purpose = next(i for i, line in enumerate(lines) if line.startswith("purpose:"))
    lines[purpose] = f"purpose: {quoted(paragraph)}"
    run(tree, {"en/when-to-call.yaml": "\n".join(lines) + "\n"}, capsys)


@SETTINGS
@given(line=TEXT)
def test_any_urgent_line_gives_a_located_error_or_a_verified_pdf(tree, capsys, line):
    strings = (CONTENT / "en" / "strings.yaml").read_text(encoding="utf-8")
    lines = [f"urgent_line: {quoted(line)}" if ln.startswith("urgent_line:") else ln for ln in strings.splitlines()]
    run(tree, {"en/strings.yaml": "\n".join(lines) + "\n"}, capsys)
