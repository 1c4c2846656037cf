"""Benchmark: our render against raw WeasyPrint on the same HTML, the cost of `check`, and scale.

Run `python tests/benchmark.py`. It prints figures, not verdicts: timed tests flake on a busy
machine, so speed and memory targets are read here, as ratios against WeasyPrint itself.

`python tests/benchmark.py --scale 30` makes 30 synthetic locales with `translate` in a temporary
copy of the content and builds every locale in both editions on Letter and A4: PDFs per second,
the cold, no-op and one-edit times (as ratios of the cold build), and peak memory per worker.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REPEATS = 3


def best_of(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "generate.py"), "check"], check=True, capture_output=True)
    print(f"check (a new process, no WeasyPrint): {time.perf_counter() - start:.2f} s")

    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from handoutgen import fonts
    from handoutgen.html import Collection, booklet_page, documents, edition_css, layout_css, topic_page
    from handoutgen.paths import CONTENT, DEFAULT_CLINIC
    from handoutgen.pdf import PDF_OPTIONS, PDFRenderer
    from handoutgen.plan import Edition, Target
    from handoutgen.rules import check
    from handoutgen.verify import Promise, verify

    checked = check(CONTENT, DEFAULT_CLINIC, ["en"])
    assert not checked.problems, checked.problems
    project, clinic = checked.project, checked.clinic
    locale = project.locales["en"]
    edition = Edition("en", clinic)
    promise = Promise.of(edition.values(locale.strings), CONTENT / "en" / "strings.yaml")
    css = [layout_css(), edition_css(edition, locale.strings)]
    docs = documents(locale, edition, project.booklet.topics)
    renderer = PDFRenderer(*css)

    def raw(html: str) -> bytes:
        # Plain WeasyPrint on the same HTML and CSS: default fetcher, a fresh font configuration.
        config = FontConfiguration()
        sheets = [CSS(string=fonts.font_face_css() + "\n".join(css), font_config=config)]
        return HTML(string=html, base_url=str(ROOT / "templates")).write_pdf(
            stylesheets=sheets, font_config=config, **PDF_OPTIONS)

    print(f"\n{'document':40} {'pages':>5} {'ours s':>8} {'raw s':>8} {'ratio':>6} {'verify s':>9} {'verify %':>9}")
    ratios, shares = [], []
    cases = [(d.id, topic_page(d, Target(edition, "handout", d.id), locale, preview=False)) for d in docs[:4]]
    cases.append(("booklet", booklet_page(Collection("Booklet", "", docs), edition, locale, preview=False)))
    for name, html in cases:
        ours = best_of(lambda html=html: renderer.render(html), 1 if name == "booklet" else REPEATS)
        theirs = best_of(lambda html=html: raw(html), 1 if name == "booklet" else REPEATS)
        rendered = renderer.render(html)
        checking = best_of(lambda rendered=rendered: verify(rendered, name, promise))
        ratios.append(ours / theirs)
        shares.append(checking / ours)
        print(f"{name:40} {rendered.pages:5} {ours:8.2f} {theirs:8.2f} {ours / theirs:6.2f} {checking:9.3f} "
              f"{100 * checking / ours:8.1f}%")
    print(f"\nmedian ratio ours/raw WeasyPrint: {statistics.median(ratios):.2f}")
    print(f"reading every PDF back (verify.py) costs {100 * max(shares):.1f}% of render time at most "
          f"(the target: under 5%)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")


LATIN_LOCALES = ["fr", "de", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "sk", "sl", "hr", "ro", "hu",
                 "tr", "id", "ms", "tl", "sw", "ca", "eu", "gl", "et", "lv", "lt", "sq", "af", "is"]


def scale(count: int, workers: int) -> None:
    """Build `count` synthetic locales (and the real ones) in both editions on two papers; print the figures."""
    import shutil
    import tempfile

    from handoutgen.build import BuildOptions, build
    from handoutgen.paths import CONTENT
    from handoutgen.translate import translate

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        content = root / "handouts"
        shutil.copytree(CONTENT, content)
        for code in LATIN_LOCALES[:count]:
            translate(content, code, say=lambda line: None)

        def run(**extra) -> tuple[float, int]:
            start, pdfs = time.perf_counter(), 0
            for paper in ("letter", "a4"):
                report = build(BuildOptions(content=content, out=root / f"out-{paper}", paper=paper,
                                            editions=["standard", "large-print"], jobs=workers, **extra),
                               progress=lambda line: None)
                pdfs += sum(1 for o in report.outputs if o.path.suffix == ".pdf")
            return time.perf_counter() - start, pdfs

        cold, pdfs = run()
        print(f"\n{count} synthetic locales + en, es, ar; both editions; Letter and A4; {workers} workers")
        print(f"cold build: {pdfs} PDFs in {cold:.0f} s ({pdfs / cold:.1f} PDFs/s)")
        noop, _ = run()
        print(f"no-op rebuild: {noop:.1f} s ({noop / cold:.1%} of cold)")
        topic = content / "en" / "what-is-all.yaml"
        topic.write_text(topic.read_text(encoding="utf-8").replace("title: What is ALL?", "title: What is ALL, now?"),
                         encoding="utf-8")
        edit, rendered = run()
        print(f"one edited English topic: {edit:.0f} s, {rendered} PDFs rendered ({edit / cold:.1%} of cold)")
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of one worker: {children:.0f} MB")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=0, metavar="N", help="also build N synthetic locales")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="workers for --scale")
    args = parser.parse_args()
    main()
    if args.scale:
        scale(min(args.scale, len(LATIN_LOCALES)), args.jobs)
