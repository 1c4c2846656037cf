"""Incremental builds: only PDFs whose inputs changed are rendered again, and the bytes never depend on it."""

from __future__ import annotations

import json
from pathlib import Path

from handoutgen.build import BuildOptions, build

TOPICS = ["when-to-call", "what-is-all"]


def run(content: Path, out: Path, force: bool = False):
    report = build(BuildOptions(content=content, out=out, locales=["en"], topics=TOPICS, force=force),
                   progress=lambda line: None)
    assert not report.problems, report.problems
    return report


def pdfs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


def test_a_rebuild_with_nothing_changed_renders_nothing_and_changes_no_byte(content_tree, tmp_path):
    content, out = content_tree(), tmp_path / "out"
    assert run(content, out).unchanged == 0
    before = pdfs(out)
    again = run(content, out)
    assert again.unchanged == 2 and not [o for o in again.outputs if o.path.suffix == ".pdf"]
    assert pdfs(out) == before


def test_an_edit_renders_only_that_handout_and_the_bytes_match_a_cold_build(content_tree, tmp_path):
    content, out, cold = content_tree(), tmp_path / "out", tmp_path / "cold"
    run(content, out)
    topic = content / "en" / "what-is-all.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("title: What is ALL?", "title: What is ALL, briefly?"),
                     encoding="utf-8")
    report = run(content, out)
    assert report.unchanged == 1
    assert [o.path.name for o in report.outputs if o.path.suffix == ".pdf"] == ["what-is-all.pdf"]
    run(content, cold)
    assert pdfs(out) == pdfs(cold)


def test_a_pdf_changed_or_deleted_by_hand_is_rendered_again(content_tree, tmp_path):
    content, out = content_tree(), tmp_path / "out"
    run(content, out)
    good = pdfs(out)
    fridge, other = out / "en" / "when-to-call.pdf", out / "en" / "what-is-all.pdf"
    data = bytearray(fridge.read_bytes())
    data[-10] ^= 1  # same size, other bytes
    fridge.write_bytes(bytes(data))
    other.unlink()
    report = run(content, out)
    assert report.unchanged == 0
    assert pdfs(out) == good


def test_force_renders_everything_and_the_manifest_keeps_each_key(content_tree, tmp_path):
    content, out = content_tree(), tmp_path / "out"
    run(content, out)
    assert run(content, out, force=True).unchanged == 0
    entry = json.loads((out / "manifest.json").read_text())["files"]["en/when-to-call.pdf"]
    assert len(entry["key"]) == 32 and len(entry["sha256"]) == 64


def test_a_change_to_the_styles_renders_everything_again(content_tree, tmp_path, monkeypatch):
    content, out = content_tree(), tmp_path / "out"
    run(content, out)
    import handoutgen.build as build_module
    from handoutgen import html

    monkeypatch.setattr(build_module, "layout_css", lambda: html.layout_css() + "\nh1 { letter-spacing: 0.01em }\n")
    assert run(content, out).unchanged == 0


def test_the_bytes_do_not_depend_on_the_number_of_workers(tmp_path):
    from handoutgen.paths import CONTENT

    outs = []
    for workers in (1, 2):
        out = tmp_path / f"jobs-{workers}"
        report = build(BuildOptions(content=CONTENT, out=out, locales=["en", "ar"], topics=TOPICS, jobs=workers),
                       progress=lambda line: None)
        assert not report.problems and len([o for o in report.outputs if o.path.suffix == ".pdf"]) == 3
        outs.append(pdfs(out))
    assert outs[0] == outs[1]


def test_workers_delete_their_font_files_and_leave_the_parents(tmp_path):
    """WeasyPrint copies fonts into a temporary folder per renderer: 6 MB a worker, left behind before."""
    import gc
    import tempfile

    from handoutgen.paths import CONTENT

    temp = Path(tempfile.gettempdir())
    one = build(BuildOptions(content=CONTENT, out=tmp_path / "one", locales=["en"], topics=TOPICS[:1], jobs=1),
                progress=lambda line: None)  # rendered here: this process keeps a renderer and its folder
    assert not one.problems
    gc.collect()  # renderers freed earlier in this process delete their folders now, not during the build
    before = set(temp.glob("weasyprint-*"))
    assert before
    two = build(BuildOptions(content=CONTENT, out=tmp_path / "two", locales=["en", "es"], topics=TOPICS, jobs=2),
                progress=lambda line: None)  # rendered by two forked workers
    assert not two.problems
    after = set(temp.glob("weasyprint-*"))
    assert after - before == set(), "a worker left its font folder behind"
    assert before <= after, "a worker deleted a font folder this process still uses"


def test_progress_counts_done_of_total_with_an_estimate(content_tree, tmp_path):
    lines: list[str] = []
    build(BuildOptions(content=content_tree(), out=tmp_path / "out", locales=["en"], topics=TOPICS, jobs=2),
          progress=lines.append)
    assert [line.split("]")[0].strip() for line in lines] == ["[1/2", "[2/2"]
    assert "s left)" in lines[0]


def _cli(*args: str) -> str:
    """Run generate.py in a new process, as a user would; return what it printed."""
    import subprocess
    import sys

    from conftest import PROJECT

    done = subprocess.run([sys.executable, str(PROJECT / "generate.py"), *args], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_the_same_run_again_does_nothing_until_an_input_or_an_output_changes(content_tree, tmp_path):
    content, out = content_tree(), tmp_path / "out"
    args = ["--content", str(content), "--out", str(out), "--locale", "en",
            *[arg for topic in TOPICS for arg in ("--topic", topic)]]
    assert "Wrote 2 PDFs" in _cli(*args)
    files = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.rglob("*")) if p.is_file()}
    assert "Nothing changed since the last build" in _cli(*args)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.rglob("*")) if p.is_file()} == files

    (out / "index.html").write_text("edited by hand")  # an output changed: the full path puts it right
    assert "Nothing changed" not in _cli(*args)
    assert (out / "index.html").read_bytes() == files[out / "index.html"][0]
    assert "Nothing changed" in _cli(*args)

    assert "Nothing changed" not in _cli(*args, "--paper", "a4")  # other options: another run
    assert "Nothing changed" not in _cli(*args)  # and back: the record is the last run's only

    topic = content / "en" / "what-is-all.yaml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("title: What is ALL?", "title: What is ALL, briefly?"),
                     encoding="utf-8")
    said = _cli(*args)
    assert "Wrote 1 PDFs" in said and "1 PDFs were up to date" in said


def test_a_failed_run_records_nothing_and_another_run_voids_the_record(content_tree, tmp_path):
    content, out = content_tree(), tmp_path / "out"
    run(content, out)
    options = BuildOptions(content=content, out=out, locales=["en"], topics=TOPICS, run_key="k")
    build(options, progress=lambda line: None)
    assert json.loads((out / "manifest.json").read_text())["last_run"]["key"] == "k"
    topic = content / "en" / "what-is-all.yaml"
    good = topic.read_bytes()
    topic.write_bytes(good + b"\nnot_a_field: 1\n")
    broken = build(options, progress=lambda line: None)
    assert broken.problems
    assert json.loads((out / "manifest.json").read_text())["last_run"]["key"] == "k"  # nothing written at all
    topic.write_bytes(good)
    build(BuildOptions(content=content, out=out, locales=["en"], topics=["what-is-all"]), progress=lambda line: None)
    assert "last_run" not in json.loads((out / "manifest.json").read_text())  # another run rewrote the folder
